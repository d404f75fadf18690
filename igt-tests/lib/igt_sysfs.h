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
 * A subset of igt-gpu-tools 1.27.1's lib/igt_sysfs.h; see igt_core.h for why
 * these copies exist. In igt's tree, lib/igt_sysfs.h is used instead.
 *
 * igt_sysfs_open() opens /sys/dev/char/MAJOR:MINOR of a DRM fd, so the PCI
 * device's attributes are under "device/". igt_sysfs_get_u32() and
 * igt_sysfs_get_u64() parse decimal: read hexadecimal attributes such as
 * "device/vendor" with igt_sysfs_scanf() and "%x".
 */

#ifndef __IGT_SYSFS_H__
#define __IGT_SYSFS_H__

#include <stdbool.h>
#include <stdarg.h>
#include <stdint.h>

char *igt_sysfs_path(int device, char *path, int pathlen);
int igt_sysfs_open(int device);
bool igt_sysfs_has_attr(int dir, const char *attr);

int igt_sysfs_read(int dir, const char *attr, void *data, int len);

char *igt_sysfs_get(int dir, const char *attr);

int igt_sysfs_scanf(int dir, const char *attr, const char *fmt, ...)
	__attribute__((format(scanf,3,4)));

uint32_t igt_sysfs_get_u32(int dir, const char *attr);
uint64_t igt_sysfs_get_u64(int dir, const char *attr);

#endif /* __IGT_SYSFS_H__ */
