/* SPDX-License-Identifier: MIT */
/*
 * Copyright 2026 The vtgpu authors
 */
#ifndef __VTGPU_DRM_H__
#define __VTGPU_DRM_H__

#include "drm.h"

#if defined(__cplusplus)
extern "C" {
#endif

/**
 * DOC: vtgpu uapi
 *
 * vtgpu is a render-only DRM driver for the vtgpu device emulated by QEMU.
 * Its ioctls follow the DRM conventions: fixed-size structures with __u64
 * for pointers and sizes, explicit padding that must be zero, and unknown
 * values rejected with -EINVAL. An ioctl that fails changes nothing.
 */

#define DRM_VTGPU_GETPARAM		0x00

#define DRM_IOCTL_VTGPU_GETPARAM \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_VTGPU_GETPARAM, struct drm_vtgpu_getparam)

/*
 * Parameters for DRM_IOCTL_VTGPU_GETPARAM. Zero is never a parameter, so
 * that a zeroed structure is an error.
 */
/* Device interface version: major << 16 | minor, as BAR0 reports it. */
#define VTGPU_PARAM_DEVICE_VERSION	1
/* Total VRAM in bytes, visible and invisible. */
#define VTGPU_PARAM_VRAM_SIZE		2
/* VRAM in bytes the CPU reaches through BAR2, from offset 0. */
#define VTGPU_PARAM_VISIBLE_VRAM_SIZE	3
/* Device capability bits, VTGPU_CAP_*. */
#define VTGPU_PARAM_CAPS		4

/* The engine has the FILL command (always set: the driver needs it). */
#define VTGPU_CAP_FILL			0x1
/* The device can inject engine errors and hangs, for testing recovery. */
#define VTGPU_CAP_INJECT		0x2
/* The device has an MSI capability. */
#define VTGPU_CAP_MSI			0x4

/**
 * struct drm_vtgpu_getparam - argument of DRM_IOCTL_VTGPU_GETPARAM
 *
 * Errors: -EINVAL for an unknown @param or a non-zero @pad.
 */
struct drm_vtgpu_getparam {
	/** @param: in, one of VTGPU_PARAM_* */
	__u32 param;
	/** @pad: must be zero */
	__u32 pad;
	/** @value: out, the parameter's value */
	__u64 value;
};

#if defined(__cplusplus)
}
#endif

#endif /* __VTGPU_DRM_H__ */
