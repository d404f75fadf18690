// SPDX-License-Identifier: MIT
/*
 * Copyright 2026 The vtgpu authors
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xf86drm.h>

#include "igt.h"
#include "vtgpu.h"

/**
 * SECTION:vtgpu
 * @short_description: vtgpu support library
 * @title: vtgpu
 * @include: vtgpu.h
 *
 * This library provides helpers for writing tests of the vtgpu DRM driver,
 * the render-only driver for the vtgpu device that QEMU emulates: opening
 * its render node and wrapping its ioctls.
 */

/* Render nodes are minors 128..191, see drm_minor_alloc() in the kernel. */
#define RENDER_MINOR_BASE	128
#define RENDER_MINOR_COUNT	64

static bool is_vtgpu(int fd)
{
	drmVersionPtr version;
	bool ret;

	version = drmGetVersion(fd);
	if (!version)
		return false;

	ret = version->name && strcmp(version->name, "vtgpu") == 0;
	drmFreeVersion(version);

	return ret;
}

/**
 * __drm_open_vtgpu:
 *
 * Opens the first render node that the vtgpu driver drives, looking at
 * /dev/dri/renderD128 onwards and picking the one whose driver name, as
 * DRM_IOCTL_VERSION reports it, is "vtgpu".
 *
 * Returns: the file descriptor, or -1 if there is no vtgpu render node.
 */
int __drm_open_vtgpu(void)
{
	for (int i = 0; i < RENDER_MINOR_COUNT; i++) {
		char name[32];
		int fd;

		snprintf(name, sizeof(name), "/dev/dri/renderD%d",
			 RENDER_MINOR_BASE + i);
		fd = open(name, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;

		if (is_vtgpu(fd)) {
			igt_debug("Opened vtgpu render node %s\n", name);
			return fd;
		}

		close(fd);
	}

	errno = 0;
	return -1;
}

/**
 * drm_open_vtgpu:
 *
 * Like __drm_open_vtgpu(), but skips the (sub-)test when there is no vtgpu
 * render node.
 *
 * Returns: the file descriptor of the vtgpu render node.
 */
int drm_open_vtgpu(void)
{
	int fd = __drm_open_vtgpu();

	igt_require_f(fd >= 0, "No vtgpu render node in /dev/dri\n");

	return fd;
}

/**
 * __vtgpu_getparam:
 * @fd: vtgpu file descriptor
 * @param: one of VTGPU_PARAM_*
 * @value: where to store the parameter's value
 *
 * Queries a device parameter with DRM_IOCTL_VTGPU_GETPARAM. @value is only
 * written on success.
 *
 * Returns: 0 on success, -errno on failure.
 */
int __vtgpu_getparam(int fd, uint32_t param, uint64_t *value)
{
	struct drm_vtgpu_getparam gp = {
		.param = param,
	};
	int err = 0;

	if (igt_ioctl(fd, DRM_IOCTL_VTGPU_GETPARAM, &gp))
		err = -errno;
	else
		*value = gp.value;
	errno = 0;

	return err;
}

/**
 * vtgpu_getparam:
 * @fd: vtgpu file descriptor
 * @param: one of VTGPU_PARAM_*
 *
 * Like __vtgpu_getparam(), but fails the (sub-)test if the ioctl fails.
 *
 * Returns: the parameter's value.
 */
uint64_t vtgpu_getparam(int fd, uint32_t param)
{
	uint64_t value = 0;

	igt_assert_eq(__vtgpu_getparam(fd, param, &value), 0);

	return value;
}

/**
 * vtgpu_pci_resource_len:
 * @fd: vtgpu file descriptor
 * @bar: PCI BAR number, e.g. VTGPU_BAR_VRAM
 *
 * Reads the length of a BAR of the PCI device behind @fd from sysfs
 * (/sys/dev/char/MAJOR:MINOR/device/resource, one "start end flags" line per
 * resource). Fails the (sub-)test if the file cannot be read or parsed.
 *
 * Returns: the BAR's length in bytes, 0 for an unimplemented BAR.
 */
uint64_t vtgpu_pci_resource_len(int fd, unsigned int bar)
{
	uint64_t start = 0, end = 0, flags = 0;
	char *buf, *line, *save = NULL;
	unsigned int i = 0;
	bool found = false;
	int dir;

	dir = igt_sysfs_open(fd);
	igt_assert_f(dir >= 0, "no sysfs directory for fd %d\n", fd);

	buf = igt_sysfs_get(dir, "device/resource");
	close(dir);
	igt_assert_f(buf, "cannot read device/resource\n");

	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save), i++) {
		if (i != bar)
			continue;

		found = sscanf(line, "%" SCNx64 " %" SCNx64 " %" SCNx64,
			       &start, &end, &flags) == 3;
		break;
	}
	free(buf);

	igt_assert_f(found, "no line for BAR%u in device/resource\n", bar);
	igt_debug("BAR%u: %#" PRIx64 "-%#" PRIx64 " flags %#" PRIx64 "\n",
		  bar, start, end, flags);

	if (!end)
		return 0;

	igt_assert_f(end > start, "BAR%u ends (%#" PRIx64 ") before it starts (%#" PRIx64 ")\n",
		     bar, end, start);
	return end - start + 1;
}
