// SPDX-License-Identifier: MIT
/*
 * Copyright 2026 The vtgpu authors
 */

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <xf86drm.h>

#include "igt.h"
#include "vtgpu.h"
#include "vtgpu_drm.h"

IGT_TEST_DESCRIPTION("Basic checks of the vtgpu driver: how it identifies "
		     "itself and the device parameters it reports.");

/* What a failed ioctl must leave in the value it would have written. */
#define SENTINEL 0xdeadbeefcafef00dull

static void test_version(int fd)
{
	drmVersionPtr version;

	version = drmGetVersion(fd);
	igt_assert(version);

	igt_info("driver %s %d.%d.%d (%s)\n", version->name,
		 version->version_major, version->version_minor,
		 version->version_patchlevel, version->date);

	igt_assert_f(strcmp(version->name, "vtgpu") == 0,
		     "driver name is \"%s\"\n", version->name);
	igt_assert_eq(version->version_major, 1);

	drmFreeVersion(version);
}

static void test_getparam(int fd)
{
	uint64_t version, vram, visible, bar, caps;

	version = vtgpu_getparam(fd, VTGPU_PARAM_DEVICE_VERSION);
	vram = vtgpu_getparam(fd, VTGPU_PARAM_VRAM_SIZE);
	visible = vtgpu_getparam(fd, VTGPU_PARAM_VISIBLE_VRAM_SIZE);
	caps = vtgpu_getparam(fd, VTGPU_PARAM_CAPS);
	bar = vtgpu_pci_resource_len(fd, VTGPU_BAR_VRAM);

	igt_info("device version %#" PRIx64 ", VRAM %" PRIu64 " bytes, "
		 "%" PRIu64 " visible, BAR%d %" PRIu64 " bytes, caps %#" PRIx64 "\n",
		 version, vram, visible, VTGPU_BAR_VRAM, bar, caps);

	/* major << 16 | minor, and nothing above */
	igt_assert_eq_u64(version >> 16, 1);

	igt_assert_lt_u64(0, visible);
	igt_assert_lte_u64(visible, vram);
	igt_assert_f(is_power_of_two(visible),
		     "visible VRAM size %#" PRIx64 " is not a power of two\n",
		     visible);
	igt_assert_eq_u64(visible, bar);

	/* Only the defined capabilities, and FILL, which the driver needs. */
	igt_assert_eq_u64(caps & ~(uint64_t)(VTGPU_CAP_FILL | VTGPU_CAP_INJECT |
					     VTGPU_CAP_MSI), 0);
	igt_assert_f(caps & VTGPU_CAP_FILL, "caps %#" PRIx64 " lack FILL\n",
		     caps);
}

static void test_getparam_invalid(int fd)
{
	static const uint32_t params[] = { 0, 0xffff, 0xffffffff };

	for (unsigned int i = 0; i < ARRAY_SIZE(params); i++) {
		struct drm_vtgpu_getparam gp = {
			.param = params[i],
			.value = SENTINEL,
		};

		igt_debug("param %#x\n", params[i]);
		do_ioctl_err(fd, DRM_IOCTL_VTGPU_GETPARAM, &gp, EINVAL);
		igt_assert_eq_u64(gp.value, SENTINEL);
	}
}

static void test_getparam_nonzero_pad(int fd)
{
	static const uint32_t pads[] = { 1, 0x80000000, 0xffffffff };

	for (unsigned int i = 0; i < ARRAY_SIZE(pads); i++) {
		struct drm_vtgpu_getparam gp = {
			.param = VTGPU_PARAM_VRAM_SIZE,
			.pad = pads[i],
			.value = SENTINEL,
		};

		igt_debug("pad %#x\n", pads[i]);
		do_ioctl_err(fd, DRM_IOCTL_VTGPU_GETPARAM, &gp, EINVAL);
		igt_assert_eq_u64(gp.value, SENTINEL);
	}
}

static void test_pci_ids(int fd)
{
	unsigned int vendor = 0, device = 0;
	int dir;

	dir = igt_sysfs_open(fd);
	igt_assert_fd(dir);

	igt_assert_eq(igt_sysfs_scanf(dir, "device/vendor", "%x", &vendor), 1);
	igt_assert_eq(igt_sysfs_scanf(dir, "device/device", "%x", &device), 1);
	close(dir);

	igt_info("PCI ID %04x:%04x\n", vendor, device);
	igt_assert_eq_u32(vendor, VTGPU_PCI_VENDOR_ID);
	igt_assert_eq_u32(device, VTGPU_PCI_DEVICE_ID);
}

igt_main
{
	int fd = -1;

	igt_fixture
		fd = drm_open_vtgpu();

	igt_describe("Check that the driver reports its name as vtgpu and "
		     "major version 1.");
	igt_subtest("version")
		test_version(fd);

	igt_describe("Check the device parameters: interface major version 1, "
		     "CPU-visible VRAM a non-empty power of two no larger than "
		     "VRAM and as large as the VRAM BAR, and only known "
		     "capabilities, FILL among them.");
	igt_subtest("getparam")
		test_getparam(fd);

	igt_describe("Check that querying parameter 0 or an unknown parameter "
		     "fails with EINVAL and leaves the value untouched.");
	igt_subtest("getparam-invalid")
		test_getparam_invalid(fd);

	igt_describe("Check that a query with non-zero padding fails with "
		     "EINVAL and leaves the value untouched.");
	igt_subtest("getparam-nonzero-pad")
		test_getparam_nonzero_pad(fd);

	igt_describe("Check that the device's PCI vendor and device IDs are "
		     "those of the vtgpu device.");
	igt_subtest("pci-ids")
		test_pci_ids(fd);

	igt_fixture
		close(fd);
}
