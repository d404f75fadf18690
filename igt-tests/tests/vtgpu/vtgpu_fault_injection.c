// SPDX-License-Identifier: MIT
/*
 * Copyright 2026 The vtgpu authors
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "igt.h"
#include "igt_device.h"
#include "igt_sysfs.h"
#include "igt_vtgpu.h"
#include "vtgpu_drm.h"

IGT_TEST_DESCRIPTION("The driver's probe fails at each of its steps, by an "
		     "error injected with fail_function: the probe unwinds "
		     "cleanly, with no kernel report, and the next probe "
		     "gives a working device.");

/*
 * The probe steps, each ALLOW_ERROR_INJECTION() in the driver: the ring
 * test fails with the engine set up and its interrupt requested.
 */
static const char * const probe_steps[] = {
	"vtgpu_gart_init",
	"vtgpu_engine_init",
	"vtgpu_engine_ring_test",
	"vtgpu_userptr_init",
	"vtgpu_ttm_init",
};

#define INJECT_ERRNO ENOMEM
#define BO_SIZE (1u << 20)

static int fail_function_dir(void)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/fail_function", igt_debugfs_mount());
	return open(path, O_RDONLY | O_DIRECTORY);
}

/*
 * Whether @function is in fail_function's list of injectable ones: lines
 * of "name [module]<TAB>type", "name<TAB>type" for built-in code.
 */
static bool injectable(const char *function)
{
	int dir = fail_function_dir();
	char *list, *line, *save = NULL;
	size_t len = strlen(function);
	bool found = false;

	if (dir < 0)
		return false;
	list = igt_sysfs_get(dir, "injectable");
	close(dir);
	if (!list)
		return false;
	for (line = strtok_r(list, "\n", &save); line && !found;
	     line = strtok_r(NULL, "\n", &save))
		found = !strncmp(line, function, len) &&
			(line[len] == ' ' || line[len] == '\t');
	free(list);
	return found;
}

/* Make @function fail with -INJECT_ERRNO, once, or ("") stop. */
static void inject(const char *function)
{
	int dir = fail_function_dir();
	char retval[PATH_MAX];

	igt_assert_lte(0, dir);
	igt_assert(igt_sysfs_set(dir, "inject", function));
	if (*function) {
		snprintf(retval, sizeof(retval), "%s/retval", function);
		/* As an unsigned long, which the file parses. */
		igt_assert(igt_sysfs_printf(dir, retval, "%#llx",
					    (unsigned long long)-INJECT_ERRNO) > 0);
		igt_assert(igt_sysfs_set(dir, "probability", "100"));
		igt_assert(igt_sysfs_set(dir, "interval", "1"));
		igt_assert(igt_sysfs_set(dir, "times", "1"));
		igt_assert(igt_sysfs_set(dir, "space", "0"));
		igt_assert(igt_sysfs_set(dir, "verbose", "0"));
	}
	close(dir);
}

/* An exit handler: a failed subtest leaves no injection armed. */
static void stop_injecting(int sig)
{
	int dir = fail_function_dir();

	if (dir < 0)
		return;
	igt_sysfs_set(dir, "inject", "");
	close(dir);
}

static int pci_driver_dir(void)
{
	int dir = open("/sys/bus/pci/drivers/vtgpu", O_RDONLY | O_DIRECTORY);

	igt_assert_f(dir >= 0, "no vtgpu PCI driver in sysfs: %m\n");
	return dir;
}

/* Bind the driver to @slot; 0 or the probe's -errno. */
static int bind_driver(const char *slot)
{
	int dir = pci_driver_dir(), f, ret = 0;

	f = openat(dir, "bind", O_WRONLY);
	igt_assert_lte(0, f);
	if (write(f, slot, strlen(slot)) < 0)
		ret = -errno;
	close(f);
	close(dir);
	return ret;
}

static void unbind_driver(const char *slot)
{
	int dir = pci_driver_dir();

	igt_assert_f(igt_sysfs_set(dir, "unbind", slot),
		     "cannot unbind vtgpu from %s\n", slot);
	close(dir);
}

/* Fill a VRAM BO with the engine and read it back through the CPU. */
static void check_device_works(void)
{
	int fd = drm_open_driver_render(DRIVER_VTGPU);
	uint32_t bo = vtgpu_gem_create(fd, BO_SIZE, VTGPU_GEM_DOMAIN_VRAM, 0,
				       VTGPU_GEM_CREATE_CPU_ACCESS_REQUIRED);
	uint32_t *ptr;

	vtgpu_fill(fd, bo, 0, BO_SIZE, 0x600d600d);
	vtgpu_gem_wait(fd, bo);
	ptr = vtgpu_gem_mmap(fd, bo, BO_SIZE, PROT_READ);
	vtgpu_check_fill(ptr, BO_SIZE, 0x600d600d, "VRAM after a probe");
	munmap(ptr, BO_SIZE);
	gem_close(fd, bo);
	close(fd);
}

static void test_probe_fail(const char *slot, const char *function)
{
	char regex[NAME_MAX + 64];
	int ret;

	igt_require_f(injectable(function),
		      "%s is not in fail_function/injectable\n", function);
	/* The driver core reports the failed probe, as it must. */
	snprintf(regex, sizeof(regex),
		 "%s: probe with driver vtgpu failed with error -%d", slot,
		 INJECT_ERRNO);
	igt_emit_ignore_dmesg_regex(regex);

	unbind_driver(slot);
	inject(function);
	ret = bind_driver(slot);
	inject("");
	igt_assert_f(ret == -INJECT_ERRNO,
		     "binding with %s failing gave %d, not %d\n", function,
		     ret, -INJECT_ERRNO);
	igt_assert_f(__drm_open_driver_render(DRIVER_VTGPU) < 0,
		     "a vtgpu render node after a failed probe\n");

	igt_assert_eq(bind_driver(slot), 0);
	check_device_works();
}

igt_main
{
	char slot[NAME_MAX];

	igt_fixture {
		int fd = drm_open_driver_render(DRIVER_VTGPU), dir;

		igt_require(getuid() == 0);
		igt_device_get_pci_slot_name(fd, slot);
		close(fd);
		dir = fail_function_dir();
		igt_require_f(dir >= 0, "no fail_function in debugfs "
			      "(CONFIG_FAIL_FUNCTION)\n");
		close(dir);
		igt_install_exit_handler(stop_injecting);
	}

	igt_describe("Fail each probe step of the driver in turn with "
		     "-ENOMEM: the bind fails with that error, no render node "
		     "is left, the kernel reports nothing but the failed "
		     "probe, and binding again gives a device that fills and "
		     "maps VRAM.");
	igt_subtest_with_dynamic("probe-fail") {
		for (unsigned int i = 0; i < ARRAY_SIZE(probe_steps); i++)
			igt_dynamic(probe_steps[i])
				test_probe_fail(slot, probe_steps[i]);
	}
}
