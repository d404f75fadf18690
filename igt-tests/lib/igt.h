/*
 * Copyright © 2016 Intel Corporation
 *
 * Permission is hereby granted, free of charge, to any person obtaining a
 * copy of this software and associated documentation files (the "Software"),
 * to deal in the Software without restriction, including without limitation
 * the rights to use, copy, modify, merge, publish, distribute, sublicense,
 * and/or sell copies of the Software, and to permit persons to whom the
 * Software is furnished to do so, subject to the following conditions:
 *
 * The above copyright notice and this permission notice (including the next
 * paragraph) shall be included in all copies or substantial portions of the
 * Software.
 *
 * THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
 * IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
 * FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT.  IN NO EVENT SHALL
 * THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
 * LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING
 * FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS
 * IN THE SOFTWARE.
 */

/*
 * The igt-gpu-tools 1.27.1 API subset the vtgpu tests use.
 *
 * Debian ships igt 1.27.1 as libigt.so.0 (package intel-gpu-tools) without
 * its headers. The headers beside this one are copies of the parts of igt's
 * own lib/igt_core.h, lib/drmtest.h, lib/ioctl_wrappers.h, lib/igt_aux.h and
 * lib/igt_sysfs.h that the tests need, with upstream's macro bodies and
 * prototypes unchanged, so the tests link against the real library with
 * -l:libigt.so.0 and get igt's own subtest handling, output and exit codes.
 *
 * In igt's tree the tests include "igt.h" from igt's lib/ instead and none
 * of these copies are used, so the test sources build there unchanged.
 *
 * Subset declared (all functions and variables exported by libigt.so.0):
 *  igt_core.h: igt_main, igt_main_args, igt_fixture, igt_subtest,
 *   igt_subtest_f, igt_subtest_group, igt_describe, igt_describe_f,
 *   IGT_TEST_DESCRIPTION, igt_assert, igt_assert_f, igt_fail_on(_f),
 *   igt_assert_cmpint/cmpuint/cmps64/cmpu64, igt_assert_eq(_u32/_s64/_u64),
 *   igt_assert_neq(_u32/_u64), igt_assert_lt(_u64), igt_assert_lte(_u64),
 *   igt_assert_fd, igt_require(_f), igt_require_fd, igt_skip_on(_f),
 *   igt_skip, igt_fail, igt_success, igt_exit, igt_can_fail, igt_fork,
 *   igt_waitchildren(_timeout), igt_kill_children, igt_log, igt_vlog,
 *   igt_debug, igt_info, igt_warn, igt_critical, igt_log_level,
 *   igt_set_timeout, igt_reset_timeout, igt_nsec_elapsed,
 *   igt_seconds_elapsed, igt_subtest_name, igt_test_name,
 *   igt_only_list_subtests, igt_kmsg, KMSG_*, IGT_EXIT_*
 *  drmtest.h: ARRAY_SIZE, ALIGN, do_or_die, do_ioctl, do_ioctl_err
 *  ioctl_wrappers.h: igt_ioctl, gem_close, to_user_pointer, from_user_pointer
 *  igt_aux.h: igt_fork_signal_helper, igt_stop_signal_helper,
 *   igt_suspend_signal_helper, igt_resume_signal_helper, igt_until_timeout,
 *   igt_for_milliseconds, igt_drop_root, is_power_of_two, DIV_ROUND_UP
 *  igt_sysfs.h: igt_sysfs_path, igt_sysfs_open, igt_sysfs_has_attr,
 *   igt_sysfs_read, igt_sysfs_get, igt_sysfs_scanf, igt_sysfs_get_u32,
 *   igt_sysfs_get_u64
 */

#ifndef IGT_H
#define IGT_H

#include "drmtest.h"
#include "igt_aux.h"
#include "igt_core.h"
#include "igt_sysfs.h"
#include "ioctl_wrappers.h"

#endif /* IGT_H */
