// SPDX-License-Identifier: GPL-2.0-only
/*
 * vtgpu ioctls of BOs.
 */

#include <linux/dma-resv.h>
#include <linux/mm.h>
#include <linux/overflow.h>

#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_utils.h>
#include <drm/vtgpu_drm.h>
#include <drm/ttm/ttm_bo.h>

#include "vtgpu_drv.h"

#define VTGPU_GEM_DOMAINS	(VTGPU_GEM_DOMAIN_SYSTEM | \
				 VTGPU_GEM_DOMAIN_GTT | \
				 VTGPU_GEM_DOMAIN_VRAM)
#define VTGPU_GEM_CREATE_FLAGS	(VTGPU_GEM_CREATE_CPU_ACCESS_REQUIRED | \
				 VTGPU_GEM_CREATE_NO_CPU_ACCESS)
#define VTGPU_USERPTR_FLAGS	VTGPU_USERPTR_READONLY

/* The largest BO that fits in one of the domains it may use. */
static u64 vtgpu_max_bo_size(struct vtgpu_device *vtgpu, u32 domains,
			     u32 flags)
{
	u64 max = 0;

	if (domains & VTGPU_GEM_DOMAIN_VRAM)
		max = flags & VTGPU_GEM_CREATE_CPU_ACCESS_REQUIRED ?
			vtgpu->visible_vram_size : vtgpu->vram_size;
	if (domains & VTGPU_GEM_DOMAIN_GTT)
		max = max(max, vtgpu->gart.num_entries * VTGPU_PAGE_SIZE);
	/* TTM swaps out beyond half of the system memory. */
	if (domains & VTGPU_GEM_DOMAIN_SYSTEM)
		max = max(max, (u64)totalram_pages() << (PAGE_SHIFT - 1));
	return max;
}

/**
 * vtgpu_gem_create_ioctl - DRM_IOCTL_VTGPU_GEM_CREATE
 * @drm: the DRM device
 * @data: &struct drm_vtgpu_gem_create
 * @file: the DRM file
 *
 * Returns: 0 or a negative error code.
 */
int vtgpu_gem_create_ioctl(struct drm_device *drm, void *data,
			   struct drm_file *file)
{
	struct vtgpu_device *vtgpu = to_vtgpu(drm);
	struct drm_vtgpu_gem_create *args = data;
	u32 preferred = args->preferred;
	u32 handle;
	u64 size;
	int ret;

	if (args->extensions ||
	    !args->domains || (args->domains & ~VTGPU_GEM_DOMAINS) ||
	    (args->flags & ~VTGPU_GEM_CREATE_FLAGS) ||
	    (args->flags & VTGPU_GEM_CREATE_FLAGS) == VTGPU_GEM_CREATE_FLAGS)
		return -EINVAL;

	if (!preferred)
		preferred = args->domains & VTGPU_GEM_DOMAIN_VRAM ?:
			    args->domains & VTGPU_GEM_DOMAIN_GTT ?:
			    VTGPU_GEM_DOMAIN_SYSTEM;
	if (hweight32(preferred) != 1 || !(preferred & args->domains))
		return -EINVAL;
	if (vtgpu_engine_wedged(vtgpu))
		return -EIO;

	if (!args->size ||
	    args->size > vtgpu_max_bo_size(vtgpu, args->domains, args->flags))
		return -EINVAL;
	size = PAGE_ALIGN(args->size);

	ret = vtgpu_gem_create(file, vtgpu, size, args->domains, preferred,
			       args->flags, &handle);
	if (ret)
		return ret;

	args->size = size;
	args->handle = handle;
	return 0;
}

/**
 * vtgpu_gem_mmap_offset_ioctl - DRM_IOCTL_VTGPU_GEM_MMAP_OFFSET
 * @drm: the DRM device
 * @data: &struct drm_vtgpu_gem_mmap_offset
 * @file: the DRM file
 *
 * Returns: 0 or a negative error code.
 */
int vtgpu_gem_mmap_offset_ioctl(struct drm_device *drm, void *data,
				struct drm_file *file)
{
	struct drm_vtgpu_gem_mmap_offset *args = data;
	struct drm_gem_object *obj;
	int ret = 0;

	if (args->flags)
		return -EINVAL;

	obj = drm_gem_object_lookup(file, args->handle);
	if (!obj)
		return -ENOENT;

	if (!vtgpu_bo_mappable(gem_to_vtgpu_bo(obj)))
		ret = -EPERM;
	else
		args->offset = drm_vma_node_offset_addr(&obj->vma_node);
	drm_gem_object_put(obj);
	return ret;
}

/**
 * vtgpu_gem_info_ioctl - DRM_IOCTL_VTGPU_GEM_INFO
 * @drm: the DRM device
 * @data: &struct drm_vtgpu_gem_info
 * @file: the DRM file
 *
 * Returns: 0 or a negative error code.
 */
int vtgpu_gem_info_ioctl(struct drm_device *drm, void *data,
			 struct drm_file *file)
{
	struct drm_vtgpu_gem_info *args = data;
	struct drm_gem_object *obj;
	struct vtgpu_bo *bo;
	u32 info = 0;

	if (args->pad)
		return -EINVAL;

	obj = drm_gem_object_lookup(file, args->handle);
	if (!obj)
		return -ENOENT;
	bo = gem_to_vtgpu_bo(obj);

	if (drm_gem_is_imported(obj))
		info |= VTGPU_GEM_INFO_IMPORTED;
	if (bo->userptr)
		info |= VTGPU_GEM_INFO_USERPTR;
	args->size = obj->size;
	args->domains = bo->domains;
	args->preferred = bo->preferred;
	args->create_flags = bo->flags;
	args->info_flags = info;
	drm_gem_object_put(obj);
	return 0;
}

/**
 * vtgpu_gem_wait_ioctl - DRM_IOCTL_VTGPU_GEM_WAIT
 * @drm: the DRM device
 * @data: &struct drm_vtgpu_gem_wait
 * @file: the DRM file
 *
 * Returns: 0 or a negative error code.
 */
int vtgpu_gem_wait_ioctl(struct drm_device *drm, void *data,
			 struct drm_file *file)
{
	struct drm_vtgpu_gem_wait *args = data;
	struct drm_gem_object *obj;
	long timeout, lret;
	int ret = 0;

	if (args->flags || args->timeout_ns < 0)
		return -EINVAL;

	obj = drm_gem_object_lookup(file, args->handle);
	if (!obj)
		return -ENOENT;

	/* Absolute, so that a restart after a signal waits no longer. */
	timeout = drm_timeout_abs_to_jiffies(args->timeout_ns);
	if (!timeout) {
		if (!dma_resv_test_signaled(obj->resv, DMA_RESV_USAGE_BOOKKEEP))
			ret = -ETIMEDOUT;
		goto out;
	}

	lret = dma_resv_wait_timeout(obj->resv, DMA_RESV_USAGE_BOOKKEEP, true,
				     timeout);
	if (lret == 0)
		ret = -ETIMEDOUT;
	else if (lret < 0)
		ret = lret;
out:
	drm_gem_object_put(obj);
	return ret;
}

/**
 * vtgpu_gem_userptr_ioctl - DRM_IOCTL_VTGPU_GEM_USERPTR
 * @drm: the DRM device
 * @data: &struct drm_vtgpu_gem_userptr
 * @file: the DRM file
 *
 * Returns: 0 or a negative error code.
 */
int vtgpu_gem_userptr_ioctl(struct drm_device *drm, void *data,
			    struct drm_file *file)
{
	struct vtgpu_device *vtgpu = to_vtgpu(drm);
	struct drm_vtgpu_gem_userptr *args = data;
	u32 handle;
	u64 end;
	int ret;

	if ((args->flags & ~VTGPU_USERPTR_FLAGS) || !args->size ||
	    !PAGE_ALIGNED(args->addr) || !PAGE_ALIGNED(args->size) ||
	    check_add_overflow(args->addr, args->size, &end) ||
	    !access_ok(u64_to_user_ptr(args->addr), args->size) ||
	    args->size > vtgpu->gart.num_entries * VTGPU_PAGE_SIZE)
		return -EINVAL;
	if (vtgpu_engine_wedged(vtgpu))
		return -EIO;

	ret = vtgpu_userptr_create(file, vtgpu, args->addr, args->size,
				   args->flags, &handle);
	if (ret)
		return ret;
	args->handle = handle;
	return 0;
}
