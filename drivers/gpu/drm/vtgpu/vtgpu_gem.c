// SPDX-License-Identifier: GPL-2.0-only
/*
 * vtgpu GEM objects: CPU mappings, PRIME and dumb buffers.
 */

#include <linux/anon_inodes.h>
#include <linux/dma-buf.h>
#include <linux/file.h>
#include <linux/mm.h>
#include <linux/module.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem_ttm_helper.h>
#include <drm/drm_prime.h>
#include <drm/vtgpu_drm.h>
#include <drm/ttm/ttm_bo_api.h>
#include <drm/ttm/ttm_tt.h>

#include "vtgpu_drv.h"

/**
 * DOC: CPU mappings
 *
 * BOs are mapped through the DRM file at the offset
 * DRM_IOCTL_VTGPU_GEM_MMAP_OFFSET returns, or through their dma-buf. The
 * fault handler inserts the pages of the BO where it is now: BAR2 for
 * visible VRAM, its pages for GTT and SYSTEM. A move unmaps the BO from
 * every mapping first (ttm_bo_unmap_virtual() on the DRM device's address
 * space: dma-buf mappings are moved onto a file of that address space,
 * see vtgpu_mmap_file()), so the next access faults it in again from its
 * new place. After the device is unplugged, faults map a dummy page.
 *
 * The fault handler, vtgpu_gem_fault(), goes through three steps:
 *
 * 1. ttm_bo_vm_reserve() takes the BO's reservation with a trylock. When
 *    the BO is busy and the fault may be retried, it drops mmap_lock,
 *    waits for the reservation and returns VM_FAULT_RETRY: other threads
 *    of the process can mmap(), munmap() and fault on other BOs meanwhile.
 * 2. vtgpu_bo_fault_reserve_notify() moves a BO in invisible VRAM to
 *    visible VRAM or GTT, where the CPU reaches it.
 * 3. ttm_bo_vm_fault_reserved() waits for moves in flight (again with
 *    mmap_lock dropped on the first try) and maps the faulting page and
 *    up to a prefault window of pages after it.
 *
 * The prefault window follows madvise(): MADV_RANDOM maps only the
 * faulting page, MADV_SEQUENTIAL the vtgpu.prefault_sequential pages from
 * it, and otherwise vtgpu.prefault pages (TTM's TTM_BO_VM_NUM_PREFAULT by
 * default); never past the end of the VMA (a VMA never extends past its
 * BO). No other TTM driver adapts the window; the hints cost nothing to
 * follow, and streaming through a large BO then takes 1/16th of the
 * faults of the default (see the vtgpu_mmap prefault subtests).
 *
 * Lock order: mmap_lock, then the BO's reservation (taken by the fault
 * handler), then the driver's locks. Nothing in the driver takes mmap_lock
 * with a reservation held: user memory is copied in, and the pages of
 * userptr BOs collected, before any BO is reserved. A userptr BO cannot be
 * mapped, so the fault handler never collects user pages; and a userptr
 * over a mapping of a BO is refused, so collecting never enters the fault
 * handler (see DOC: userptr).
 */

static unsigned int vtgpu_prefault = TTM_BO_VM_NUM_PREFAULT;
module_param_named(prefault, vtgpu_prefault, uint, 0644);
MODULE_PARM_DESC(prefault,
		 "Pages a CPU fault on a BO maps at most (default 16, TTM's)");

static unsigned int vtgpu_prefault_sequential = 256;
module_param_named(prefault_sequential, vtgpu_prefault_sequential, uint,
		   0644);
MODULE_PARM_DESC(prefault_sequential,
		 "Pages a CPU fault maps at most under MADV_SEQUENTIAL (default 256)");

static bool vtgpu_fault_blocking;
module_param_named(fault_blocking, vtgpu_fault_blocking, bool, 0644);
MODULE_PARM_DESC(fault_blocking,
		 "Wait for reservations and moves with mmap_lock held, never retrying: for benchmarks only (default false)");

/*
 * How many pages to map from the faulting one: the madvise() hint's
 * window, within the VMA.
 */
static pgoff_t vtgpu_gem_fault_window(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	unsigned long left = (vma->vm_end - vmf->address) >> PAGE_SHIFT;
	unsigned long pages;

	if (vma->vm_flags & VM_RAND_READ)
		pages = 1;
	else if (vma->vm_flags & VM_SEQ_READ)
		pages = READ_ONCE(vtgpu_prefault_sequential);
	else
		pages = READ_ONCE(vtgpu_prefault);
	return clamp(pages, 1ul, left);
}

/*
 * Step 1: the reservation. With vtgpu.fault_blocking, the way it was
 * before TTM learnt to drop mmap_lock: sleep for it with mmap_lock held.
 */
static vm_fault_t vtgpu_gem_fault_reserve(struct ttm_buffer_object *tbo,
					  struct vm_fault *vmf)
{
	if (!READ_ONCE(vtgpu_fault_blocking))
		return ttm_bo_vm_reserve(tbo, vmf);
	if (dma_resv_lock_interruptible(tbo->base.resv, NULL))
		return VM_FAULT_NOPAGE;
	return 0;
}

/* Steps 2 and 3, the BO reserved and the device present. */
static vm_fault_t vtgpu_gem_fault_reserved(struct vm_fault *vmf,
					   struct vtgpu_bo *bo)
{
	struct vtgpu_device *vtgpu = bdev_to_vtgpu(bo->tbo.bdev);
	struct dma_resv *resv = bo->tbo.base.resv;
	vm_fault_t ret;
	pgoff_t pages;

	ret = vtgpu_bo_fault_reserve_notify(bo);
	if (ret)
		return ret;

	if (READ_ONCE(vtgpu_fault_blocking) &&
	    dma_resv_wait_timeout(resv, DMA_RESV_USAGE_KERNEL, true,
				  MAX_SCHEDULE_TIMEOUT) < 0)
		return VM_FAULT_NOPAGE;

	pages = vtgpu_gem_fault_window(vmf);
	ret = ttm_bo_vm_fault_reserved(vmf, vmf->vma->vm_page_prot, pages);
	if (ret == VM_FAULT_NOPAGE)
		atomic64_add(pages, &vtgpu->stats.cpu_fault_pages);
	return ret;
}

/**
 * vtgpu_gem_fault - the CPU fault handler of BO mappings
 * @vmf: the fault
 *
 * See DOC: CPU mappings. Called with mmap_lock held for reading.
 *
 * Returns: VM_FAULT_NOPAGE when the page is mapped (or the fault is to be
 * taken again, after a signal), VM_FAULT_RETRY after dropping mmap_lock
 * to wait, VM_FAULT_SIGBUS when the BO cannot be placed where the CPU
 * reaches it, VM_FAULT_OOM.
 */
static vm_fault_t vtgpu_gem_fault(struct vm_fault *vmf)
{
	struct ttm_buffer_object *tbo = vmf->vma->vm_private_data;
	struct vtgpu_device *vtgpu = bdev_to_vtgpu(tbo->bdev);
	struct vtgpu_stats *stats = &vtgpu->stats;
	vm_fault_t ret;
	int idx;

	atomic64_inc(&stats->cpu_faults);
	ret = vtgpu_gem_fault_reserve(tbo, vmf);
	if (ret)
		goto out;

	if (drm_dev_enter(&vtgpu->drm, &idx)) {
		ret = vtgpu_gem_fault_reserved(vmf, to_vtgpu_bo(tbo));
		drm_dev_exit(idx);
	} else {
		ret = ttm_bo_vm_dummy_page(vmf, vmf->vma->vm_page_prot);
	}
	/* On a retry, ttm_bo_vm_fault_reserved() dropped the reservation. */
	if (ret == VM_FAULT_RETRY && !(vmf->flags & FAULT_FLAG_RETRY_NOWAIT))
		goto out;
	dma_resv_unlock(tbo->base.resv);
out:
	if (ret & VM_FAULT_RETRY)
		atomic64_inc(&stats->cpu_fault_retries);
	if (ret & VM_FAULT_SIGBUS)
		atomic64_inc(&stats->cpu_fault_sigbus);
	return ret;
}

/*
 * Copy from or to one page of a BO reserved, idle and reachable by the
 * CPU.
 */
static int vtgpu_gem_access_page(struct ttm_buffer_object *tbo,
				 unsigned long offset, void *buf, int len,
				 bool write)
{
	struct ttm_bo_kmap_obj map;
	bool is_iomem;
	void *ptr;
	int ret;

	if (tbo->resource->mem_type == TTM_PL_VRAM)
		return vtgpu_vram_access(tbo, offset, buf, len, write);

	ret = ttm_bo_kmap(tbo, offset >> PAGE_SHIFT, 1, &map);
	if (ret)
		return ret;
	ptr = ttm_kmap_obj_virtual(&map, &is_iomem) + offset_in_page(offset);
	if (write)
		memcpy(ptr, buf, len);
	else
		memcpy(buf, ptr, len);
	ttm_bo_kunmap(&map);
	return len;
}

/**
 * vtgpu_gem_access - &vm_operations_struct.access, for ptrace and
 *	/proc/PID/mem
 * @vma: the mapping
 * @addr: where in it
 * @buf: the caller's buffer
 * @len: bytes to access
 * @write: whether to write @buf to the BO, else read the BO into it
 *
 * ttm_bo_vm_access() with two more steps under the same reservation:
 * a BO in invisible VRAM moves where the CPU reaches it, as on a fault,
 * and moves in flight are waited for, so that an access never reaches
 * memory a pipelined move has yet to fill.
 *
 * Returns: the number of bytes accessed, up to the end of the page at
 * @addr, or a negative error code.
 */
static int vtgpu_gem_access(struct vm_area_struct *vma, unsigned long addr,
			    void *buf, int len, int write)
{
	struct ttm_buffer_object *tbo = vma->vm_private_data;
	struct vtgpu_device *vtgpu = bdev_to_vtgpu(tbo->bdev);
	unsigned long offset = addr - vma->vm_start +
		((vma->vm_pgoff - drm_vma_node_start(&tbo->base.vma_node)) <<
		 PAGE_SHIFT);
	long lret;
	int ret, idx;

	if (len < 1 || offset >= tbo->base.size)
		return -EIO;
	len = min_t(unsigned long, len, PAGE_SIZE - offset_in_page(offset));

	ret = dma_resv_lock_interruptible(tbo->base.resv, NULL);
	if (ret)
		return ret;
	if (!drm_dev_enter(&vtgpu->drm, &idx)) {
		ret = -ENODEV;
		goto unlock;
	}

	ret = -EIO;
	if (vtgpu_bo_fault_reserve_notify(to_vtgpu_bo(tbo)))
		goto exit;
	lret = dma_resv_wait_timeout(tbo->base.resv, DMA_RESV_USAGE_KERNEL,
				     true, MAX_SCHEDULE_TIMEOUT);
	if (lret < 0) {
		ret = lret;
		goto exit;
	}
	ret = vtgpu_gem_access_page(tbo, offset, buf, len, write);
exit:
	drm_dev_exit(idx);
unlock:
	dma_resv_unlock(tbo->base.resv);
	return ret;
}

static const struct vm_operations_struct vtgpu_gem_vm_ops = {
	.fault = vtgpu_gem_fault,
	.open = ttm_bo_vm_open,
	.close = ttm_bo_vm_close,
	.access = vtgpu_gem_access,
};

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

	rcu_read_lock();
	file = READ_ONCE(vtgpu->mmap_file);
	if (file && !get_file_rcu(file))
		file = NULL;
	rcu_read_unlock();
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

	if (obj->import_attach || bo->userptr)
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
	ttm_bo_put(&bo->tbo);
}

/*
 * A userptr BO is not exported: its pages belong to a process's address
 * space and are replaced whenever the process's mappings change, which an
 * importer could not follow.
 */
static struct dma_buf *vtgpu_gem_prime_export(struct drm_gem_object *obj,
					      int flags)
{
	if (gem_to_vtgpu_bo(obj)->userptr)
		return ERR_PTR(-EPERM);
	return drm_gem_prime_export(obj, flags);
}

static int vtgpu_gem_pin(struct drm_gem_object *obj)
{
	return vtgpu_bo_pin_gtt(gem_to_vtgpu_bo(obj));
}

static void vtgpu_gem_unpin(struct drm_gem_object *obj)
{
	vtgpu_bo_unpin(gem_to_vtgpu_bo(obj));
}

/* The pages of a BO pinned in GTT, for an importer. */
static struct sg_table *vtgpu_gem_get_sg_table(struct drm_gem_object *obj)
{
	struct ttm_buffer_object *tbo = &gem_to_vtgpu_bo(obj)->tbo;
	struct sg_table *sgt;

	dma_resv_lock(obj->resv, NULL);
	if (!tbo->pin_count || !tbo->ttm || !tbo->ttm->pages)
		sgt = ERR_PTR(-EINVAL);
	else
		sgt = drm_prime_pages_to_sg(obj->dev, tbo->ttm->pages,
					    tbo->ttm->num_pages);
	dma_resv_unlock(obj->resv);
	return sgt;
}

const struct drm_gem_object_funcs vtgpu_gem_object_funcs = {
	.free = vtgpu_gem_free,
	.export = vtgpu_gem_prime_export,
	.print_info = drm_gem_ttm_print_info,
	.pin = vtgpu_gem_pin,
	.unpin = vtgpu_gem_unpin,
	.get_sg_table = vtgpu_gem_get_sg_table,
	.vmap = drm_gem_ttm_vmap,
	.vunmap = drm_gem_ttm_vunmap,
	.mmap = vtgpu_gem_mmap,
	.vm_ops = &vtgpu_gem_vm_ops,
};

/**
 * vtgpu_gem_create - create a BO and a handle to it
 * @file: the DRM file
 * @vtgpu: the device
 * @size: size in bytes, a multiple of the page size
 * @domains: VTGPU_GEM_DOMAIN_*
 * @preferred: one of @domains
 * @flags: VTGPU_GEM_CREATE_*
 * @handle: where to return the handle
 *
 * Returns: 0 or a negative error code.
 */
int vtgpu_gem_create(struct drm_file *file, struct vtgpu_device *vtgpu,
		     u64 size, u32 domains, u32 preferred, u32 flags,
		     u32 *handle)
{
	struct vtgpu_bo *bo;
	int ret;

	ret = vtgpu_bo_create(vtgpu, size, domains, preferred, flags,
			      ttm_bo_type_device, NULL, NULL, NULL, &bo);
	if (ret)
		return ret;

	ret = drm_gem_handle_create(file, &bo->tbo.base, handle);
	drm_gem_object_put(&bo->tbo.base);
	return ret;
}

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

/**
 * vtgpu_gem_dumb_create - &drm_driver.dumb_create
 * @file: the DRM file
 * @drm: the DRM device
 * @args: the request, checked by the DRM core
 *
 * A dumb buffer is a CPU-mappable BO preferring visible VRAM.
 *
 * Returns: 0 or a negative error code.
 */
int vtgpu_gem_dumb_create(struct drm_file *file, struct drm_device *drm,
			  struct drm_mode_create_dumb *args)
{
	u32 pitch = args->width * DIV_ROUND_UP(args->bpp, 8);
	u64 size = PAGE_ALIGN((u64)pitch * args->height);
	int ret;

	ret = vtgpu_gem_create(file, to_vtgpu(drm), size,
			       VTGPU_GEM_DOMAIN_VRAM | VTGPU_GEM_DOMAIN_GTT |
			       VTGPU_GEM_DOMAIN_SYSTEM,
			       VTGPU_GEM_DOMAIN_VRAM,
			       VTGPU_GEM_CREATE_CPU_ACCESS_REQUIRED,
			       &args->handle);
	if (ret)
		return ret;
	args->pitch = pitch;
	args->size = size;
	return 0;
}
