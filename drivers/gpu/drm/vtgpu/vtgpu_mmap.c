// SPDX-License-Identifier: GPL-2.0-only
/*
 * vtgpu CPU mappings of BOs: the fault handler and its prefault policy,
 * and ptrace access.
 */

#include <linux/dma-resv.h>
#include <linux/mm.h>
#include <linux/module.h>

#include <drm/drm_drv.h>
#include <drm/drm_vma_manager.h>
#include <drm/ttm/ttm_bo.h>

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
 * see vtgpu_mmap_file() in vtgpu_gem.c), so the next access faults it in
 * again from its new place. After the device is unplugged, faults map a
 * dummy page.
 *
 * The fault handler, vtgpu_mmap_fault(), goes through three steps:
 *
 * 1. ttm_bo_vm_reserve() takes the BO's reservation with a trylock. When
 *    the BO is busy and the fault may be retried, it drops mmap_lock,
 *    waits for the reservation and returns VM_FAULT_RETRY: other threads
 *    of the process can mmap(), munmap() and fault on other BOs meanwhile.
 * 2. vtgpu_bo_fault_reserve_notify() moves a BO in invisible VRAM to
 *    visible VRAM or GTT, where the CPU reaches it. On the first try it
 *    neither waits for the GPU nor evicts: it takes what room there is.
 *    When there is none, the handler drops mmap_lock, makes the move,
 *    evicting and waiting as need be, waits for it and returns
 *    VM_FAULT_RETRY: a busy engine is never a reason for SIGBUS. Queuing
 *    a move waits for nothing; only a retried fault whose BO went back to
 *    invisible VRAM meanwhile moves, evicts and waits with mmap_lock held.
 *    Evictions take other BOs' reservations by trylock: when every BO to
 *    evict is reserved by someone else, the fault gets SIGBUS.
 * 3. vtgpu_mmap_fault_idle() waits for moves in flight (again with
 *    mmap_lock dropped on the first try), as ttm_bo_vm_fault_idle() does,
 *    but so that what they left can be checked before it is mapped: when
 *    a move or clear of the driver's failed, the engine is wedged and the
 *    fault maps a dummy page rather than what an earlier owner left in
 *    that memory (see DOC: engine), as it does when the device went
 *    meanwhile. Then ttm_bo_vm_fault_reserved() maps the faulting page and
 *    up to a prefault window of pages after it.
 *
 * The prefault window follows madvise(): MADV_RANDOM maps only the
 * faulting page, MADV_SEQUENTIAL the vtgpu.prefault_sequential pages from
 * it, and otherwise vtgpu.prefault pages (TTM's TTM_BO_VM_NUM_PREFAULT by
 * default); never past the end of the VMA (a VMA never extends past its
 * BO). vmwgfx maps one page under MADV_RANDOM too; under MADV_SEQUENTIAL,
 * streaming through a large BO takes 1/16th of the default's faults.
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
static pgoff_t vtgpu_mmap_fault_window(struct vm_fault *vmf)
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
static vm_fault_t vtgpu_mmap_fault_reserve(struct ttm_buffer_object *tbo,
					   struct vm_fault *vmf)
{
	if (!READ_ONCE(vtgpu_fault_blocking))
		return ttm_bo_vm_reserve(tbo, vmf);
	if (dma_resv_lock_interruptible(tbo->base.resv, NULL))
		return VM_FAULT_NOPAGE;
	return 0;
}

/*
 * With mmap_lock dropped: make the move out of invisible VRAM first when
 * @move, evicting and waiting as need be, then wait for the BO's moves,
 * and have the fault retried. The reservation is held until then; the BO
 * is kept alive by a reference, as its mapping may go meanwhile.
 */
static vm_fault_t vtgpu_mmap_fault_wait_unlocked(struct vm_fault *vmf,
						 struct vtgpu_bo *bo, bool move)
{
	struct ttm_buffer_object *tbo = &bo->tbo;

	if (vmf->flags & FAULT_FLAG_RETRY_NOWAIT)
		return VM_FAULT_RETRY;

	drm_gem_object_get(&tbo->base);
	mmap_read_unlock(vmf->vma->vm_mm);
	if (!move || !vtgpu_bo_fault_reserve_notify(bo, false))
		(void)dma_resv_wait_timeout(tbo->base.resv,
					    DMA_RESV_USAGE_KERNEL, true,
					    MAX_SCHEDULE_TIMEOUT);
	dma_resv_unlock(tbo->base.resv);
	drm_gem_object_put(&tbo->base);
	return VM_FAULT_RETRY;
}

/*
 * Step 2. The first try neither waits for the GPU nor evicts: when the
 * BO cannot move at once, the move is made with mmap_lock dropped, as
 * ttm_bo_vm_fault_idle() waits for moves in flight, and the fault
 * retried; the next try may wait, with mmap_lock held.
 */
static vm_fault_t vtgpu_mmap_fault_notify(struct vm_fault *vmf,
					  struct vtgpu_bo *bo)
{
	bool first = fault_flag_allow_retry_first(vmf->flags) &&
		     !READ_ONCE(vtgpu_fault_blocking);
	int ret;

	ret = vtgpu_bo_fault_reserve_notify(bo, first);
	if (first && (ret == -EBUSY || ret == -ENOSPC))
		return vtgpu_mmap_fault_wait_unlocked(vmf, bo, true);
	switch (ret) {
	case 0:
		return 0;
	case -EBUSY:
	case -ERESTARTSYS:
	case -EINTR:
		return VM_FAULT_NOPAGE;
	case -ENOMEM:
		/* The system is out of memory, not the BO out of room. */
		return VM_FAULT_OOM;
	default:
		return VM_FAULT_SIGBUS;
	}
}

/*
 * Step 3's wait for moves in flight: on the first try with mmap_lock
 * dropped, and the fault retried.
 */
static vm_fault_t vtgpu_mmap_fault_idle(struct vm_fault *vmf,
					struct vtgpu_bo *bo)
{
	struct dma_resv *resv = bo->tbo.base.resv;

	if (dma_resv_test_signaled(resv, DMA_RESV_USAGE_KERNEL))
		return 0;
	if (fault_flag_allow_retry_first(vmf->flags) &&
	    !READ_ONCE(vtgpu_fault_blocking))
		return vtgpu_mmap_fault_wait_unlocked(vmf, bo, false);
	if (dma_resv_wait_timeout(resv, DMA_RESV_USAGE_KERNEL, true,
				  MAX_SCHEDULE_TIMEOUT) < 0)
		return VM_FAULT_NOPAGE;
	return 0;
}

/* Steps 2 and 3, the BO reserved and the device entered. */
static vm_fault_t vtgpu_mmap_fault_reserved(struct vm_fault *vmf,
					    struct vtgpu_bo *bo)
{
	struct vtgpu_device *vtgpu = bdev_to_vtgpu(bo->tbo.bdev);
	vm_fault_t ret;
	pgoff_t pages;

	ret = vtgpu_mmap_fault_notify(vmf, bo);
	if (ret)
		return ret;
	ret = vtgpu_mmap_fault_idle(vmf, bo);
	if (ret)
		return ret;
	/*
	 * The device went meanwhile (drm_dev_unplug() waits for us), or its
	 * engine failed a move or clear: the BO may be unwritten.
	 */
	if (vtgpu_engine_wedged(vtgpu) || drm_dev_is_unplugged(&vtgpu->drm))
		return ttm_bo_vm_dummy_page(vmf, vmf->vma->vm_page_prot);

	pages = vtgpu_mmap_fault_window(vmf);
	ret = ttm_bo_vm_fault_reserved(vmf, vmf->vma->vm_page_prot, pages);
	if (ret == VM_FAULT_NOPAGE)
		atomic64_add(pages, &vtgpu->stats.cpu_fault_pages);
	return ret;
}

/**
 * vtgpu_mmap_fault - the CPU fault handler of BO mappings
 * @vmf: the fault
 *
 * See DOC: CPU mappings. Called with mmap_lock held for reading.
 *
 * Returns: VM_FAULT_NOPAGE when the page is mapped (or the fault is to be
 * taken again, after a signal), VM_FAULT_RETRY after dropping mmap_lock
 * to wait, VM_FAULT_SIGBUS when the BO cannot be placed where the CPU
 * reaches it, VM_FAULT_OOM.
 */
static vm_fault_t vtgpu_mmap_fault(struct vm_fault *vmf)
{
	struct ttm_buffer_object *tbo = vmf->vma->vm_private_data;
	struct vtgpu_device *vtgpu = bdev_to_vtgpu(tbo->bdev);
	struct vtgpu_stats *stats = &vtgpu->stats;
	vm_fault_t ret;
	int idx;

	/*
	 * Once a retry dropped mmap_lock, the mapping and its file may go,
	 * and with them the last reference to the device.
	 */
	drm_dev_get(&vtgpu->drm);
	atomic64_inc(&stats->cpu_faults);
	ret = vtgpu_mmap_fault_reserve(tbo, vmf);
	if (ret)
		goto out;

	if (drm_dev_enter(&vtgpu->drm, &idx)) {
		ret = vtgpu_mmap_fault_reserved(vmf, to_vtgpu_bo(tbo));
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
	drm_dev_put(&vtgpu->drm);
	return ret;
}

/* Copy from or to one page of a BO reserved, its moves done. */
static int vtgpu_mmap_access_page(struct ttm_buffer_object *tbo,
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
 * vtgpu_mmap_access - &vm_operations_struct.access, for ptrace and
 *	/proc/PID/mem
 * @vma: the mapping
 * @addr: where in it
 * @buf: the caller's buffer
 * @len: bytes to access
 * @write: whether to write @buf to the BO, else read the BO into it
 *
 * ttm_bo_vm_access(), but after the moves in flight, which
 * ttm_bo_access() does not wait for. VRAM, invisible or not, is reached
 * through the device's MM_INDEX/MM_DATA window: the BO does not move.
 *
 * Returns: the number of bytes accessed, up to the end of the page at
 * @addr, or a negative error code: -EIO when a move of the BO failed.
 */
static int vtgpu_mmap_access(struct vm_area_struct *vma, unsigned long addr,
			     void *buf, int len, int write)
{
	struct ttm_buffer_object *tbo = vma->vm_private_data;
	struct vtgpu_device *vtgpu = bdev_to_vtgpu(tbo->bdev);
	unsigned long offset = addr - vma->vm_start +
		((vma->vm_pgoff - drm_vma_node_start(&tbo->base.vma_node)) <<
		 PAGE_SHIFT);
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

	ret = vtgpu_bo_wait_moved(to_vtgpu_bo(tbo), true);
	if (!ret && drm_dev_is_unplugged(&vtgpu->drm))
		ret = -EIO;
	if (!ret)
		ret = vtgpu_mmap_access_page(tbo, offset, buf, len, write);
	drm_dev_exit(idx);
unlock:
	dma_resv_unlock(tbo->base.resv);
	return ret;
}

const struct vm_operations_struct vtgpu_gem_vm_ops = {
	.fault = vtgpu_mmap_fault,
	.open = ttm_bo_vm_open,
	.close = ttm_bo_vm_close,
	.access = vtgpu_mmap_access,
};
