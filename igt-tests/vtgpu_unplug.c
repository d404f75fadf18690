// SPDX-License-Identifier: MIT
/*
 * Copyright 2026 The vtgpu authors
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <xf86drm.h>

#include "igt.h"
#include "igt_vtgpu.h"
#include "vtgpu_drm.h"

IGT_TEST_DESCRIPTION("Hot-unplug of the vtgpu device under a client with "
		     "mapped BOs, a dma-buf and jobs in flight, and its return "
		     "after a PCI rescan.");

#define BO_SIZE (1u << 20)

/* The sysfs path of the PCI device behind a DRM file descriptor. */
static void pci_path(int fd, char *path, size_t len)
{
	char link[PATH_MAX];
	struct stat st;

	igt_assert_eq(fstat(fd, &st), 0);
	snprintf(link, sizeof(link), "/sys/dev/char/%u:%u/device",
		 major(st.st_rdev), minor(st.st_rdev));
	igt_assert_f(realpath(link, path), "no %s: %m\n", link);
	igt_assert_lt(strlen(path), len);
}

static void sysfs_write(const char *path, const char *value)
{
	int f = open(path, O_WRONLY);

	igt_assert_f(f >= 0, "cannot open %s: %m\n", path);
	igt_assert_f(write(f, value, strlen(value)) == (ssize_t)strlen(value),
		     "cannot write %s: %m\n", path);
	close(f);
}

/* Wait for the vtgpu render node to come back, for up to 30 s. */
static int reopen_vtgpu(void)
{
	for (int i = 0; i < 300; i++) {
		int fd = __drm_open_vtgpu();

		if (fd >= 0)
			return fd;
		usleep(100 * 1000);
	}
	return -1;
}

static void test_unplug_rescan(int fd)
{
	char path[PATH_MAX], remove[PATH_MAX + 8];
	struct drm_vtgpu_getparam gp = { .param = VTGPU_PARAM_VRAM_SIZE };
	struct drm_vtgpu_cmd cmds[8];
	uint32_t vram, gtt, *vptr, *gptr, *dptr, *ptr;
	int dmabuf, fence;

	igt_require(getuid() == 0);
	pci_path(fd, path, sizeof(path));
	igt_info("unplugging %s\n", path);

	vram = vtgpu_gem_create(fd, BO_SIZE, VTGPU_GEM_DOMAIN_VRAM, 0, 0);
	gtt = vtgpu_gem_create(fd, BO_SIZE, VTGPU_GEM_DOMAIN_GTT, 0, 0);
	vptr = vtgpu_gem_mmap(fd, vram, BO_SIZE, PROT_READ | PROT_WRITE);
	gptr = vtgpu_gem_mmap(fd, gtt, BO_SIZE, PROT_READ | PROT_WRITE);
	vptr[0] = 1;
	gptr[0] = 2;
	igt_assert_eq(drmPrimeHandleToFD(fd, gtt, DRM_CLOEXEC | DRM_RDWR,
					 &dmabuf), 0);
	dptr = mmap(NULL, BO_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, dmabuf, 0);
	igt_assert(dptr != MAP_FAILED);

	/* A slow job still in flight when the device goes. */
	for (unsigned int i = 0; i < ARRAY_SIZE(cmds); i++)
		cmds[i] = (struct drm_vtgpu_cmd) {
			.op = VTGPU_CMD_FILL, .dst_handle = vram,
			.size = BO_SIZE, .pattern = i,
		};
	vtgpu_set_engine_delay(fd, 200000);
	fence = vtgpu_submit_cmds(fd, cmds, ARRAY_SIZE(cmds),
				  VTGPU_SUBMIT_OUT_FENCE_FD);

	snprintf(remove, sizeof(remove), "%s/remove", path);
	sysfs_write(remove, "1");

	/* The job is over, one way or another; ioctls fail with ENODEV. */
	igt_assert_eq(vtgpu_fence_wait(fence, 10000), 1);
	igt_info("fence status after unplug: %d\n", vtgpu_fence_status(fence));
	close(fence);
	do_ioctl_err(fd, DRM_IOCTL_VTGPU_GETPARAM, &gp, ENODEV);

	/* Mappings do not fault the process: they read a dummy page now. */
	vptr[1] = 3;
	gptr[1] = 4;
	dptr[1] = 5;
	igt_debug("after unplug: %#x %#x %#x\n", vptr[0], gptr[0], dptr[0]);
	munmap(vptr, BO_SIZE);
	munmap(gptr, BO_SIZE);
	munmap(dptr, BO_SIZE);
	close(dmabuf);
	close(fd);

	/* Bring the device back and use it. */
	sysfs_write("/sys/bus/pci/rescan", "1");
	fd = reopen_vtgpu();
	igt_assert_f(fd >= 0, "vtgpu did not come back after a rescan\n");
	vtgpu_set_engine_delay(fd, 0);
	vram = vtgpu_gem_create(fd, BO_SIZE, VTGPU_GEM_DOMAIN_VRAM, 0, 0);
	vtgpu_fill(fd, vram, 0, BO_SIZE, 0x600d600d);
	vtgpu_gem_wait(fd, vram);
	ptr = vtgpu_gem_mmap(fd, vram, BO_SIZE, PROT_READ);
	for (unsigned int i = 0; i < BO_SIZE / 4; i++)
		igt_assert_eq_u32(ptr[i], 0x600d600d);
	munmap(ptr, BO_SIZE);
	vtgpu_gem_close(fd, vram);
	close(fd);
}

igt_main
{
	igt_describe("Remove the PCI device while a client has mapped BOs, a "
		     "mapped dma-buf and a job in flight: the job ends, ioctls "
		     "fail with ENODEV, mappings stay harmless, and the device "
		     "works again after a PCI rescan.");
	igt_subtest("unplug-rescan")
		test_unplug_rescan(drm_open_vtgpu());
}
