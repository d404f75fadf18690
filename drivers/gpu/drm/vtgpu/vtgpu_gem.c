// SPDX-License-Identifier: GPL-2.0-only
/*
 * vtgpu GEM objects: mmap and PRIME. The fault handler of their mappings
 * is in vtgpu_mmap.c.
 */

#include <linux/anon_inodes.h>
#include <linux/dma-buf.h>
#include <linux/file.h>
#include <linux/mm.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem_ttm_helper.h>
#include <drm/drm_prime.h>
#include <drm/vtgpu_drm.h>
#include <drm/ttm/ttm_tt.h>

#include "vtgpu_drv.h"

static int vtgpu_mmap_file_release(struct inode *inode, struct file *file)
{
	struct vtgpu_device *vtgpu = file->private_data;

	cmpxchg(&vtgpu->mmap_file, file, NULL);
	drm_dev_put(&vtgpu->drm);
	return 0;
}

static const struct file_operations vtgpu_mmap_file_fops = {
	.owner = THIS_MODULE,
	.release = vtgpu_mmap_file_release,
};

/*
 * A file whose mapping is the DRM device's address space, shared by all
 * mappings made through dma-bufs, for ttm_bo_unmap_virtual() to find them.
 */
static struct file *vtgpu_mmap_file(struct vtgpu_device *vtgpu)
{
	struct file *file;

	file = get_file_active(&vtgpu->mmap_file);
	if (file)
		return file;

	file = anon_inode_getfile("vtgpu.gem", &vtgpu_mmap_file_fops, vtgpu,
				  O_RDWR);
	if (IS_ERR(file))
		return file;
	file->f_mapping = vtgpu->drm.anon_inode->i_mapping;
	drm_dev_get(&vtgpu->drm);
	/* Publish the file set up; a racing caller may make its own. */
	smp_store_mb(vtgpu->mmap_file, file);
	return file;
}

static int vtgpu_gem_mmap(struct drm_gem_object *obj,
			  struct vm_area_struct *vma)
{
	struct vtgpu_device *vtgpu = to_vtgpu(obj->dev);
	struct vtgpu_bo *bo = gem_to_vtgpu_bo(obj);
	struct file *file = NULL;
	int ret;

	if (!vtgpu_bo_mappable(bo))
		return -EPERM;

	if (vma->vm_file->f_mapping != vtgpu->drm.anon_inode->i_mapping) {
		file = vtgpu_mmap_file(vtgpu);
		if (IS_ERR(file))
			return PTR_ERR(file);
	}

	ret = drm_gem_ttm_mmap(obj, vma);
	if (!ret && file)
		vma_set_file(vma, file);
	if (file)
		fput(file);
	return ret;
}

static void vtgpu_gem_free(struct drm_gem_object *obj)
{
	struct vtgpu_bo *bo = gem_to_vtgpu_bo(obj);

	if (bo->userptr)
		vtgpu_userptr_release(bo);
	ttm_bo_fini(&bo->tbo);
}

/* No userptr BO: an importer could not follow its pages as they change. */
static struct dma_buf *vtgpu_gem_prime_export(struct drm_gem_object *obj,
					      int flags)
{
	if (gem_to_vtgpu_bo(obj)->userptr)
		return ERR_PTR(-EPERM);
	return drm_gem_prime_export(obj, flags);
}

static int vtgpu_gem_pin(struct drm_gem_object *obj)
{
	int ret = vtgpu_bo_pin_gtt(gem_to_vtgpu_bo(obj));

	/* The importer's error for no room, as GEM_CREATE's. */
	return ret == -ENOSPC ? -ENOMEM : ret;
}

static void vtgpu_gem_unpin(struct drm_gem_object *obj)
{
	ttm_bo_unpin(&gem_to_vtgpu_bo(obj)->tbo);
}

/* A kernel mapping, for an importer: of the BO's memory once written. */
static int vtgpu_gem_vmap(struct drm_gem_object *obj, struct iosys_map *map)
{
	int ret;

	ret = vtgpu_bo_wait_moved(gem_to_vtgpu_bo(obj), false);
	return ret ?: drm_gem_ttm_vmap(obj, map);
}

/*
 * The pages of a BO pinned in GTT, for an importer. The core calls this,
 * .pin and .unpin with the reservation held.
 */
static struct sg_table *vtgpu_gem_get_sg_table(struct drm_gem_object *obj)
{
	struct ttm_buffer_object *tbo = &gem_to_vtgpu_bo(obj)->tbo;

	dma_resv_assert_held(obj->resv);
	if (!tbo->pin_count || !tbo->ttm || !tbo->ttm->pages)
		return ERR_PTR(-EINVAL);
	return drm_prime_pages_to_sg(obj->dev, tbo->ttm->pages,
				     tbo->ttm->num_pages);
}

const struct drm_gem_object_funcs vtgpu_gem_object_funcs = {
	.free = vtgpu_gem_free,
	.export = vtgpu_gem_prime_export,
	.print_info = drm_gem_ttm_print_info,
	.pin = vtgpu_gem_pin,
	.unpin = vtgpu_gem_unpin,
	.get_sg_table = vtgpu_gem_get_sg_table,
	.vmap = vtgpu_gem_vmap,
	.vunmap = drm_gem_ttm_vunmap,
	.mmap = vtgpu_gem_mmap,
	.vm_ops = &vtgpu_gem_vm_ops,
};

/**
 * vtgpu_gem_prime_import_sg_table - import a dma-buf of another driver
 * @drm: the DRM device
 * @attach: the attachment
 * @sgt: its pages
 *
 * The BO shares the dma-buf's reservation and lives in GTT (in SYSTEM
 * until first used): the engine reaches the pages through the GART.
 *
 * Returns: the GEM object or an ERR_PTR().
 */
struct drm_gem_object *
vtgpu_gem_prime_import_sg_table(struct drm_device *drm,
				struct dma_buf_attachment *attach,
				struct sg_table *sgt)
{
	struct dma_resv *resv = attach->dmabuf->resv;
	struct vtgpu_bo *bo;
	int ret;

	if (!PAGE_ALIGNED(attach->dmabuf->size))
		return ERR_PTR(-EINVAL);

	dma_resv_lock(resv, NULL);
	ret = vtgpu_bo_create(to_vtgpu(drm), attach->dmabuf->size,
			      VTGPU_GEM_DOMAIN_GTT, VTGPU_GEM_DOMAIN_GTT, 0,
			      ttm_bo_type_sg, sgt, resv, NULL, &bo);
	dma_resv_unlock(resv);
	if (ret)
		return ERR_PTR(ret);
	return &bo->tbo.base;
}
