/* SPDX-License-Identifier: MIT */
/*
 * Copyright 2026 The vtgpu authors
 */

#ifndef LIBVTGPU_H
#define LIBVTGPU_H

#include <stdint.h>

#include <xf86drm.h>

#include "vtgpu_drm.h"

#if defined(__cplusplus)
extern "C" {
#endif

/**
 * DOC: libvtgpu
 *
 * libvtgpu is a thin C library over the vtgpu DRM uapi (vtgpu_drm.h), in
 * the shape of libdrm_amdgpu: a device handle made from a DRM node, a file
 * descriptor or a libdrm device, and one function per ioctl, taking the
 * uapi's own argument structure where the ioctl has one. It adds no state
 * of its own to the kernel's: BOs are GEM handles, jobs are
 * &drm_vtgpu_submit.
 *
 * Every function returns 0 on success or a negative errno (-EINVAL,
 * -ENOENT, ...), the kernel's when the ioctl failed; errno itself is left
 * as the last system call set it. Ioctls are restarted on EINTR and
 * EAGAIN, as libdrm's drmIoctl() does.
 */

/**
 * struct vtgpu_device - a vtgpu DRM file, opaque
 */
struct vtgpu_device;

/**
 * struct vtgpu_device_info - the device's parameters, from GETPARAM
 * @vram_size: VRAM in bytes
 * @visible_vram_size: CPU-visible VRAM in bytes
 * @gart_size: GART aperture the driver uses, in bytes
 * @max_submit_cmds: most commands in one submission
 * @max_submit_syncs: most in-syncs, and most out-syncs, in one submission
 */
struct vtgpu_device_info {
	uint64_t vram_size;
	uint64_t visible_vram_size;
	uint64_t gart_size;
	uint32_t max_submit_cmds;
	uint32_t max_submit_syncs;
};

int vtgpu_device_open(const char *path, struct vtgpu_device **dev);
int vtgpu_device_open_drm(drmDevicePtr drm, struct vtgpu_device **dev);
int vtgpu_device_from_fd(int fd, struct vtgpu_device **dev);
void vtgpu_device_destroy(struct vtgpu_device *dev);
int vtgpu_device_fd(const struct vtgpu_device *dev);
int vtgpu_is_vtgpu(int fd);

int vtgpu_query_param(struct vtgpu_device *dev, uint32_t param,
		      uint64_t *value);
int vtgpu_query_info(struct vtgpu_device *dev,
		     struct vtgpu_device_info *info);

int vtgpu_bo_create(struct vtgpu_device *dev,
		    struct drm_vtgpu_gem_create *args);
int vtgpu_bo_close(struct vtgpu_device *dev, uint32_t handle);
int vtgpu_bo_mmap_offset(struct vtgpu_device *dev, uint32_t handle,
			 uint64_t *offset);
int vtgpu_bo_mmap(struct vtgpu_device *dev, uint32_t handle, uint64_t size,
		  int prot, void **ptr);
int vtgpu_bo_info(struct vtgpu_device *dev, struct drm_vtgpu_gem_info *args);
int vtgpu_bo_wait(struct vtgpu_device *dev, uint32_t handle,
		  int64_t timeout_ns);
int vtgpu_bo_userptr(struct vtgpu_device *dev,
		     struct drm_vtgpu_gem_userptr *args);
int vtgpu_submit(struct vtgpu_device *dev, struct drm_vtgpu_submit *args);

#if defined(__cplusplus)
}
#endif

#endif /* LIBVTGPU_H */
