// SPDX-License-Identifier: MIT
/*
 * Copyright 2026 The vtgpu authors
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/mman.h>

#include <xf86drm.h>

#include "libvtgpu.h"

/* Render nodes are minors 128..191, see drm_minor_alloc() in the kernel. */
#define RENDER_MINOR_BASE	128
#define RENDER_MINOR_COUNT	64

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

struct vtgpu_device {
	int fd;
	int owns_fd;
};

/* An ioctl, restarted as drmIoctl() does: 0 or -errno. */
static int vtgpu_ioctl(struct vtgpu_device *dev, unsigned long request,
		       void *arg)
{
	return drmIoctl(dev->fd, request, arg) ? -errno : 0;
}

static int device_new(int fd, int owns_fd, struct vtgpu_device **dev)
{
	struct vtgpu_device *d = calloc(1, sizeof(*d));

	if (!d)
		return -ENOMEM;
	d->fd = fd;
	d->owns_fd = owns_fd;
	*dev = d;
	return 0;
}

/**
 * vtgpu_is_vtgpu() - whether a DRM file is one of the vtgpu driver
 * @fd: a file descriptor
 *
 * Return: 1 if DRM_IOCTL_VERSION names the vtgpu driver, else 0.
 */
int vtgpu_is_vtgpu(int fd)
{
	drmVersionPtr version = drmGetVersion(fd);
	int ret;

	if (!version)
		return 0;
	ret = version->name && !strcmp(version->name, "vtgpu");
	drmFreeVersion(version);
	return ret;
}

static int open_node(const char *path, struct vtgpu_device **dev)
{
	int fd, ret;

	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (!vtgpu_is_vtgpu(fd)) {
		close(fd);
		return -ENODEV;
	}
	ret = device_new(fd, 1, dev);
	if (ret)
		close(fd);
	return ret;
}

/**
 * vtgpu_device_open() - open a vtgpu DRM node
 * @path: the node (/dev/dri/renderD128, /dev/dri/card0, ...), or NULL for
 *	the first render node of the vtgpu driver
 * @dev: where to return the device
 *
 * The device owns the file: vtgpu_device_destroy() closes it.
 *
 * Return: 0; -ENODEV when @path is not a vtgpu node or, for NULL, there is
 * none; -errno of open().
 */
int vtgpu_device_open(const char *path, struct vtgpu_device **dev)
{
	char name[32];
	int i;

	if (path)
		return open_node(path, dev);

	for (i = 0; i < RENDER_MINOR_COUNT; i++) {
		snprintf(name, sizeof(name), "/dev/dri/renderD%d",
			 RENDER_MINOR_BASE + i);
		if (!open_node(name, dev))
			return 0;
	}
	return -ENODEV;
}

/**
 * vtgpu_device_open_drm() - open the render node of a libdrm device
 * @drm: a device of drmGetDevices2()
 * @dev: where to return the device
 *
 * Return: 0; -ENODEV when @drm has no render node or is not a vtgpu
 * device; -errno of open().
 */
int vtgpu_device_open_drm(drmDevicePtr drm, struct vtgpu_device **dev)
{
	if (!(drm->available_nodes & (1 << DRM_NODE_RENDER)))
		return -ENODEV;
	return open_node(drm->nodes[DRM_NODE_RENDER], dev);
}

/**
 * vtgpu_device_from_fd() - a device for a DRM file the caller has open
 * @fd: the file descriptor, which stays the caller's
 * @dev: where to return the device
 *
 * Makes no ioctl: the device is @fd, whatever driver it is of.
 *
 * Return: 0 or -ENOMEM.
 */
int vtgpu_device_from_fd(int fd, struct vtgpu_device **dev)
{
	return device_new(fd, 0, dev);
}

/**
 * vtgpu_device_destroy() - free a device, closing its file if it owns it
 * @dev: the device, or NULL
 */
void vtgpu_device_destroy(struct vtgpu_device *dev)
{
	if (!dev)
		return;
	if (dev->owns_fd)
		close(dev->fd);
	free(dev);
}

/**
 * vtgpu_device_fd() - the file descriptor of a device
 * @dev: the device
 *
 * Return: the file descriptor, for ioctls of the DRM core (PRIME, syncobj)
 * and for its fdinfo.
 */
int vtgpu_device_fd(const struct vtgpu_device *dev)
{
	return dev->fd;
}

/**
 * vtgpu_query_param() - DRM_IOCTL_VTGPU_GETPARAM
 * @dev: the device
 * @param: VTGPU_PARAM_*
 * @value: where to return the value, written only on success
 *
 * Return: 0 or -errno.
 */
int vtgpu_query_param(struct vtgpu_device *dev, uint32_t param,
		      uint64_t *value)
{
	struct drm_vtgpu_getparam args = { .param = param };
	int ret;

	ret = vtgpu_ioctl(dev, DRM_IOCTL_VTGPU_GETPARAM, &args);
	if (!ret)
		*value = args.value;
	return ret;
}

/**
 * vtgpu_query_info() - every parameter of the device
 * @dev: the device
 * @info: where to return them, written only on success
 *
 * Return: 0 or the -errno of the first GETPARAM that failed.
 */
int vtgpu_query_info(struct vtgpu_device *dev, struct vtgpu_device_info *info)
{
	static const uint32_t params[] = {
		VTGPU_PARAM_VRAM_SIZE,
		VTGPU_PARAM_VISIBLE_VRAM_SIZE,
		VTGPU_PARAM_GART_SIZE,
		VTGPU_PARAM_MAX_SUBMIT_CMDS,
		VTGPU_PARAM_MAX_SUBMIT_SYNCS,
	};
	uint64_t v[ARRAY_SIZE(params)];
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(params); i++) {
		ret = vtgpu_query_param(dev, params[i], &v[i]);
		if (ret)
			return ret;
	}
	info->vram_size = v[0];
	info->visible_vram_size = v[1];
	info->gart_size = v[2];
	info->max_submit_cmds = v[3];
	info->max_submit_syncs = v[4];
	return 0;
}

/**
 * vtgpu_bo_create() - DRM_IOCTL_VTGPU_GEM_CREATE
 * @dev: the device
 * @args: the request, as the uapi defines it; the kernel fills in its
 *	handle and its rounded-up size
 *
 * Return: 0 or -errno.
 */
int vtgpu_bo_create(struct vtgpu_device *dev,
		    struct drm_vtgpu_gem_create *args)
{
	return vtgpu_ioctl(dev, DRM_IOCTL_VTGPU_GEM_CREATE, args);
}

/**
 * vtgpu_bo_close() - DRM_IOCTL_GEM_CLOSE
 * @dev: the device
 * @handle: a BO handle
 *
 * Return: 0 or -errno.
 */
int vtgpu_bo_close(struct vtgpu_device *dev, uint32_t handle)
{
	struct drm_gem_close args = { .handle = handle };

	return vtgpu_ioctl(dev, DRM_IOCTL_GEM_CLOSE, &args);
}

/**
 * vtgpu_bo_mmap_offset() - DRM_IOCTL_VTGPU_GEM_MMAP_OFFSET
 * @dev: the device
 * @handle: a BO handle
 * @offset: where to return the offset to mmap() the BO at, written only
 *	on success
 *
 * Return: 0 or -errno.
 */
int vtgpu_bo_mmap_offset(struct vtgpu_device *dev, uint32_t handle,
			 uint64_t *offset)
{
	struct drm_vtgpu_gem_mmap_offset args = { .handle = handle };
	int ret;

	ret = vtgpu_ioctl(dev, DRM_IOCTL_VTGPU_GEM_MMAP_OFFSET, &args);
	if (!ret)
		*offset = args.offset;
	return ret;
}

/**
 * vtgpu_bo_mmap() - map a BO, shared
 * @dev: the device
 * @handle: a BO handle
 * @size: bytes to map, from the BO's start
 * @prot: PROT_* of the mapping
 * @ptr: where to return the mapping, written only on success; munmap() it
 *
 * Return: 0 or -errno of the ioctl or of mmap().
 */
int vtgpu_bo_mmap(struct vtgpu_device *dev, uint32_t handle, uint64_t size,
		  int prot, void **ptr)
{
	uint64_t offset;
	void *map;
	int ret;

	ret = vtgpu_bo_mmap_offset(dev, handle, &offset);
	if (ret)
		return ret;
	map = mmap(NULL, size, prot, MAP_SHARED, dev->fd, offset);
	if (map == MAP_FAILED)
		return -errno;
	*ptr = map;
	return 0;
}

/**
 * vtgpu_bo_info() - DRM_IOCTL_VTGPU_GEM_INFO
 * @dev: the device
 * @args: the request, its handle set; the kernel fills in the rest
 *
 * Return: 0 or -errno.
 */
int vtgpu_bo_info(struct vtgpu_device *dev, struct drm_vtgpu_gem_info *args)
{
	return vtgpu_ioctl(dev, DRM_IOCTL_VTGPU_GEM_INFO, args);
}

/**
 * vtgpu_bo_wait() - DRM_IOCTL_VTGPU_GEM_WAIT
 * @dev: the device
 * @handle: a BO handle
 * @timeout_ns: until when to wait at most, an absolute CLOCK_MONOTONIC
 *	time in nanoseconds; 0 only tests whether the BO is idle
 *
 * Return: 0 when the BO is idle, -ETIMEDOUT when it is still busy, or
 * -errno.
 */
int vtgpu_bo_wait(struct vtgpu_device *dev, uint32_t handle,
		  int64_t timeout_ns)
{
	struct drm_vtgpu_gem_wait args = {
		.handle = handle,
		.timeout_ns = timeout_ns,
	};

	return vtgpu_ioctl(dev, DRM_IOCTL_VTGPU_GEM_WAIT, &args);
}

/**
 * vtgpu_bo_userptr() - DRM_IOCTL_VTGPU_GEM_USERPTR
 * @dev: the device
 * @args: the request; the kernel fills in the handle
 *
 * Return: 0 or -errno.
 */
int vtgpu_bo_userptr(struct vtgpu_device *dev,
		     struct drm_vtgpu_gem_userptr *args)
{
	return vtgpu_ioctl(dev, DRM_IOCTL_VTGPU_GEM_USERPTR, args);
}

/**
 * vtgpu_submit() - DRM_IOCTL_VTGPU_SUBMIT
 * @dev: the device
 * @args: the job; the kernel fills in its seqno and out-fence
 *
 * Return: 0 or -errno.
 */
int vtgpu_submit(struct vtgpu_device *dev, struct drm_vtgpu_submit *args)
{
	return vtgpu_ioctl(dev, DRM_IOCTL_VTGPU_SUBMIT, args);
}
