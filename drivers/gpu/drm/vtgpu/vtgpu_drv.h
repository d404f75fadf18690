/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef __VTGPU_DRV_H__
#define __VTGPU_DRV_H__

#include <linux/types.h>

#include <drm/drm_device.h>

/**
 * struct vtgpu_device - one vtgpu PCI function
 * @drm: the DRM device, embedded
 * @mmio: BAR0, the device's registers
 * @version: interface version read from BAR0 at probe
 * @caps: capability bits read from BAR0 at probe
 * @vram_size: total VRAM in bytes
 * @visible_vram_size: VRAM in bytes reachable through BAR2, from offset 0
 */
struct vtgpu_device {
	struct drm_device drm;
	void __iomem *mmio;
	u32 version;
	u32 caps;
	u64 vram_size;
	u64 visible_vram_size;
};

static inline struct vtgpu_device *to_vtgpu(struct drm_device *drm)
{
	return container_of(drm, struct vtgpu_device, drm);
}

#endif /* __VTGPU_DRV_H__ */
