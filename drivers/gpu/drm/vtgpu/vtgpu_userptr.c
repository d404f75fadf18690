// SPDX-License-Identifier: GPL-2.0-only
/*
 * vtgpu userptr BOs: BOs made of a process's memory, followed through an
 * MMU interval notifier and collected with HMM.
 */

#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
#include <linux/error-injection.h>
#include <linux/hmm.h>
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>

#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_managed.h>
#include <drm/vtgpu_drm.h>

#include "vtgpu_drv.h"

/**
 * DOC: userptr
 *
 * A userptr BO (DRM_IOCTL_VTGPU_GEM_USERPTR) is a TTM BO of the GTT domain
 * whose ttm_tt has no pages of its own (TTM_TT_FLAG_EXTERNAL: TTM neither
 * allocates nor swaps them): its pages are those mapped at a range of the
 * creating process's address space. They are not pinned. One
 * mmu_interval_notifier per BO follows the range; the pages are collected
 * with hmm_range_fault() when a job needs them and kept, mapped for the
 * device, until the core mm invalidates the range.
 *
 * Collection: SUBMIT collects the pages of its userptr BOs before it
 * reserves any BO, under the notifier sequence of mmu_interval_read_begin():
 * hmm_range_fault() takes the mmap_lock and may fault pages in, through any
 * driver's fault handler, and vtgpu's takes BO reservations. SUBMIT then
 * places and reserves its BOs, and, under &vtgpu_device.userptr_lock,
 * checks with mmu_interval_read_retry() that the range was not invalidated
 * since; if it was, it starts over, at most VTGPU_USERPTR_MAX_TRIES times
 * before failing with -EAGAIN. Otherwise it installs the pages, binds them
 * in the GART (read-only for a READONLY BO) and queues the job, its fence
 * in the BO's reservation before the lock is released. Pages still valid
 * from an earlier job need no new collection. A range that is not all
 * ordinary memory (VM_IO, VM_PFNMAP or VM_MIXEDMAP, vtgpu's own BO
 * mappings among them) is refused with -EFAULT before anything is
 * faulted, so a userptr never recurses into a driver's fault handler.
 *
 * Invalidation: the notifier callback takes &vtgpu_device.userptr_lock,
 * bumps the notifier sequence, waits for the BO's fences (the jobs
 * queued on the pages), clears the BO's GART entries and unmaps the
 * pages. It takes no reservation and allocates nothing: it runs under the
 * mmap_lock and from memory reclaim. The next job collects the pages
 * again, or fails with -EFAULT when the range is no longer mapped.
 *
 * Lock order: mmap_lock (only around hmm_range_fault() and the VMA check,
 * with no reservation held), then BO reservations, then
 * &vtgpu_device.userptr_lock, which is
 * innermost but for spinlocks. TTM moves of a userptr BO (GTT <-> SYSTEM,
 * under its reservation) take the lock to bind or unbind its GART entries.
 * Nothing under the lock allocates memory, takes a reservation or the
 * mmap_lock, or waits for anything but fences of queued jobs.
 *
 * Lifetime: the notifier holds the mm (mmgrab()); the BO's GEM free waits
 * for its jobs, then removes the notifier, so the engine never touches the
 * pages once nothing tracks them. A userptr BO cannot be mapped through
 * the DRM file nor exported as a dma-buf; pages written by the engine are
 * the process's own, dirtied by the write fault hmm_range_fault() makes
 * for a writable BO.
 *
 * Why not drm_gpusvm_get_pages(), as xe's userptr: the GART binding, the
 * check of the notifier sequence and the job's fence in the reservation
 * must all happen under the one lock the invalidation takes, which would
 * become a &drm_gpusvm's, and the GART state a mirror of its pages.
 */

/**
 * struct vtgpu_userptr - the user memory of a userptr BO
 * @notifier: follows the range in the creator's address space
 * @vtgpu: the device
 * @bo: the BO
 * @start: user address of the range
 * @num_pages: its size in pages
 * @readonly: the engine only reads the pages
 * @dma_addrs: bus addresses of the pages, meaningful while @valid
 * @valid: @dma_addrs map the pages of the range, mapped for the device
 * @placed: the BO has a GTT range, at @gart_start
 * @bound: the GART maps @dma_addrs at @gart_start
 * @gart_start: first aperture page of the BO's GTT range
 *
 * @dma_addrs and what follows are under &vtgpu_device.userptr_lock.
 */
struct vtgpu_userptr {
	struct mmu_interval_notifier notifier;
	struct vtgpu_device *vtgpu;
	struct vtgpu_bo *bo;
	unsigned long start;
	unsigned long num_pages;
	bool readonly;

	dma_addr_t *dma_addrs;
	bool valid;
	bool placed;
	bool bound;
	u64 gart_start;
};

static enum dma_data_direction vtgpu_userptr_dir(struct vtgpu_userptr *up)
{
	return up->readonly ? DMA_TO_DEVICE : DMA_BIDIRECTIONAL;
}

static void vtgpu_userptr_unmap(struct vtgpu_userptr *up,
				const dma_addr_t *addrs, unsigned long count,
				unsigned long attrs)
{
	struct device *dev = up->vtgpu->drm.dev;
	unsigned long i;

	for (i = 0; i < count; i++)
		dma_unmap_page_attrs(dev, addrs[i], PAGE_SIZE,
				     vtgpu_userptr_dir(up), attrs);
}

/* Map the pages in the GART when the BO has both pages and a GTT range. */
static void vtgpu_userptr_gart_bind(struct vtgpu_userptr *up)
{
	struct vtgpu_device *vtgpu = up->vtgpu;

	lockdep_assert_held(&vtgpu->userptr_lock);
	if (up->bound || !up->placed || !up->valid)
		return;
	vtgpu_gart_bind(vtgpu, up->gart_start, up->num_pages, up->dma_addrs,
			!up->readonly);
	up->bound = true;
}

static void vtgpu_userptr_gart_unbind(struct vtgpu_userptr *up)
{
	struct vtgpu_device *vtgpu = up->vtgpu;

	lockdep_assert_held(&vtgpu->userptr_lock);
	if (!up->bound)
		return;
	vtgpu_gart_bind(vtgpu, up->gart_start, up->num_pages, NULL, false);
	up->bound = false;
}

/* Forget the pages: out of the GART, unmapped for the device. */
static void vtgpu_userptr_drop_pages(struct vtgpu_userptr *up)
{
	lockdep_assert_held(&up->vtgpu->userptr_lock);
	vtgpu_userptr_gart_unbind(up);
	if (!up->valid)
		return;
	vtgpu_userptr_unmap(up, up->dma_addrs, up->num_pages, 0);
	WRITE_ONCE(up->valid, false);
}

static bool vtgpu_userptr_invalidate(struct mmu_interval_notifier *mni,
				     const struct mmu_notifier_range *range,
				     unsigned long cur_seq)
{
	struct vtgpu_userptr *up =
		container_of(mni, struct vtgpu_userptr, notifier);
	struct vtgpu_device *vtgpu = up->vtgpu;
	struct dma_resv *resv = up->bo->tbo.base.resv;

	/* Without blocking, only an idle BO can let its pages go. */
	if (mmu_notifier_range_blockable(range)) {
		mutex_lock(&vtgpu->userptr_lock);
	} else {
		if (!mutex_trylock(&vtgpu->userptr_lock))
			return false;
		if (!dma_resv_test_signaled(resv, DMA_RESV_USAGE_BOOKKEEP)) {
			mutex_unlock(&vtgpu->userptr_lock);
			return false;
		}
	}

	mmu_interval_set_seq(mni, cur_seq);
	/*
	 * The jobs committed on the pages finish before the pages go: their
	 * fences are in the reservation before the lock was released.
	 */
	dma_resv_wait_timeout(resv, DMA_RESV_USAGE_BOOKKEEP, false,
			      MAX_SCHEDULE_TIMEOUT);
	vtgpu_userptr_drop_pages(up);
	mutex_unlock(&vtgpu->userptr_lock);

	atomic64_inc(&vtgpu->stats.userptr_invalidations);
	return true;
}

static const struct mmu_interval_notifier_ops vtgpu_userptr_notifier_ops = {
	.invalidate = vtgpu_userptr_invalidate,
};

/*
 * Under the mmap_lock: whether [start, end) is all ordinary memory the
 * engine may use, readable and, unless @readonly, writable. Device memory
 * and other drivers' buffers (VM_IO, VM_PFNMAP, VM_MIXEDMAP), vtgpu's own
 * BO mappings among them, are refused before anything faults.
 */
static int vtgpu_userptr_check_vmas(struct mm_struct *mm, unsigned long start,
				    unsigned long end, bool readonly)
{
	struct vm_area_struct *vma;
	unsigned long addr;

	mmap_assert_locked(mm);
	for (addr = start; addr < end; addr = vma->vm_end) {
		vma = vma_lookup(mm, addr);
		if (!vma || !(vma->vm_flags & VM_READ) ||
		    (vma->vm_flags & (VM_IO | VM_PFNMAP | VM_MIXEDMAP)))
			return -EFAULT;
		if (!readonly && !(vma->vm_flags & VM_WRITE))
			return -EACCES;
	}
	return 0;
}

/**
 * vtgpu_userptr_check_use - whether a job may use a userptr BO
 * @bo: the BO
 * @write: whether the job writes it
 *
 * Returns: 0 for a BO that is not a userptr BO or may be used so; -EACCES
 * for writing a READONLY BO; -EPERM when the caller's address space is not
 * the BO's.
 */
int vtgpu_userptr_check_use(struct vtgpu_bo *bo, bool write)
{
	struct vtgpu_userptr *up = bo->userptr;

	if (!up)
		return 0;
	if (write && up->readonly)
		return -EACCES;
	if (up->notifier.mm != current->mm)
		return -EPERM;
	return 0;
}

/**
 * vtgpu_userptr_get_pages - collect the pages of a userptr BO for a job
 * @bo: the userptr BO, not reserved
 * @pages: where to return them, to be passed to
 *	vtgpu_userptr_commit_pages() and vtgpu_userptr_put_pages()
 *
 * Faults the range in with hmm_range_fault(), under the mmap_lock and no
 * reservation, and maps its pages for the device. Nothing is collected
 * (@pages->dma_addrs stays NULL) while the BO's pages are valid, which
 * vtgpu_userptr_commit_pages() checks again under the lock.
 *
 * Returns: 0; -EFAULT when part of the range is not mapped, not readable
 * or not ordinary memory; -EACCES when a writable BO's range is no longer
 * writable; -EAGAIN when the range kept changing during the collection;
 * -ENOMEM; -EINTR for a fatal signal.
 */
int vtgpu_userptr_get_pages(struct vtgpu_bo *bo,
			    struct vtgpu_userptr_pages *pages)
{
	struct vtgpu_userptr *up = bo->userptr;
	struct vtgpu_device *vtgpu = up->vtgpu;
	struct mm_struct *mm = up->notifier.mm;
	struct hmm_range range = {
		.notifier = &up->notifier,
		.start = up->start,
		.end = up->start + (up->num_pages << PAGE_SHIFT),
		.default_flags = HMM_PFN_REQ_FAULT |
				 (up->readonly ? 0 : HMM_PFN_REQ_WRITE),
	};
	unsigned long timeout, i;
	dma_addr_t *addrs;
	int ret;

	pages->dma_addrs = NULL;
	pages->installed = false;
	/* A hint only: vtgpu_userptr_commit_pages() checks under the lock. */
	if (READ_ONCE(up->valid))
		return 0;

	range.hmm_pfns = kvmalloc_array(up->num_pages, sizeof(*range.hmm_pfns),
					GFP_KERNEL);
	addrs = kvmalloc_array(up->num_pages, sizeof(*addrs), GFP_KERNEL);
	if (!range.hmm_pfns || !addrs) {
		ret = -ENOMEM;
		goto out;
	}

	timeout = jiffies + msecs_to_jiffies(HMM_RANGE_DEFAULT_TIMEOUT);
	do {
		range.notifier_seq = mmu_interval_read_begin(&up->notifier);
		if (mmap_read_lock_killable(mm)) {
			ret = -EINTR;
			goto out;
		}
		ret = vtgpu_userptr_check_vmas(mm, range.start, range.end,
					       up->readonly);
		if (!ret)
			ret = hmm_range_fault(&range);
		mmap_read_unlock(mm);
	} while (ret == -EBUSY && time_before(jiffies, timeout));
	if (ret == -EBUSY)
		ret = -EAGAIN;
	else if (ret == -EPERM)
		/* A write fault on memory made read-only meanwhile. */
		ret = -EACCES;
	if (ret)
		goto out;

	for (i = 0; i < up->num_pages; i++) {
		addrs[i] = dma_map_page(vtgpu->drm.dev,
					hmm_pfn_to_page(range.hmm_pfns[i]), 0,
					PAGE_SIZE, vtgpu_userptr_dir(up));
		if (dma_mapping_error(vtgpu->drm.dev, addrs[i])) {
			vtgpu_userptr_unmap(up, addrs, i,
					    DMA_ATTR_SKIP_CPU_SYNC);
			ret = -ENOMEM;
			goto out;
		}
	}
	atomic64_inc(&vtgpu->stats.userptr_collects);
	pages->dma_addrs = addrs;
	pages->seq = range.notifier_seq;
	addrs = NULL;
out:
	kvfree(addrs);
	kvfree(range.hmm_pfns);
	return ret;
}

/**
 * vtgpu_userptr_put_pages - let go of what vtgpu_userptr_get_pages() got
 * @bo: the userptr BO
 * @pages: the pages; those vtgpu_userptr_commit_pages() installed stay
 *	the BO's
 */
void vtgpu_userptr_put_pages(struct vtgpu_bo *bo,
			     struct vtgpu_userptr_pages *pages)
{
	if (!pages->dma_addrs)
		return;
	/* The device never used these mappings; the pages may be gone. */
	if (!pages->installed)
		vtgpu_userptr_unmap(bo->userptr, pages->dma_addrs,
				    bo->userptr->num_pages,
				    DMA_ATTR_SKIP_CPU_SYNC);
	kvfree(pages->dma_addrs);
	pages->dma_addrs = NULL;
	pages->installed = false;
}

/**
 * vtgpu_userptr_commit_pages - make a userptr BO's pages current for a job
 * @bo: the userptr BO, reserved and placed in GTT
 * @pages: what vtgpu_userptr_get_pages() collected for the job
 *
 * With &vtgpu_device.userptr_lock held, from here until the job's fence is
 * in the BO's reservation: installs @pages unless the BO's own pages are
 * valid, if no invalidation came after their collection, and binds the
 * pages in the GART.
 *
 * Returns: 0, or -EAGAIN when the pages were invalidated since they were
 * collected: the caller drops its reservations and collects them again.
 */
int vtgpu_userptr_commit_pages(struct vtgpu_bo *bo,
			       struct vtgpu_userptr_pages *pages)
{
	struct vtgpu_userptr *up = bo->userptr;

	lockdep_assert_held(&up->vtgpu->userptr_lock);
	dma_resv_assert_held(bo->tbo.base.resv);

	if (!up->valid) {
		if (!pages->dma_addrs ||
		    mmu_interval_read_retry(&up->notifier, pages->seq))
			return -EAGAIN;
		memcpy(up->dma_addrs, pages->dma_addrs,
		       up->num_pages * sizeof(*up->dma_addrs));
		WRITE_ONCE(up->valid, true);
		pages->installed = true;
	}
	/* vtgpu_userptr_place() ran when the BO moved into GTT. */
	if (WARN_ON(!up->placed))
		return -EINVAL;
	vtgpu_userptr_gart_bind(up);
	return 0;
}

/**
 * vtgpu_userptr_place - a userptr BO moved into GTT
 * @up: its user memory
 * @first: the first aperture page of its GTT range
 *
 * Called by the TTM move, under the BO's reservation. Binds the pages in
 * the GART if they are valid; otherwise the next job does.
 */
void vtgpu_userptr_place(struct vtgpu_userptr *up, u64 first)
{
	struct vtgpu_device *vtgpu = up->vtgpu;

	mutex_lock(&vtgpu->userptr_lock);
	vtgpu_userptr_gart_unbind(up);
	up->gart_start = first;
	up->placed = true;
	vtgpu_userptr_gart_bind(up);
	mutex_unlock(&vtgpu->userptr_lock);
}

/**
 * vtgpu_userptr_unplace - a userptr BO leaves GTT
 * @up: its user memory
 *
 * Called by the TTM move or the ttm_tt's teardown, under the BO's
 * reservation, once no job uses the BO. The pages stay valid.
 */
void vtgpu_userptr_unplace(struct vtgpu_userptr *up)
{
	struct vtgpu_device *vtgpu = up->vtgpu;

	mutex_lock(&vtgpu->userptr_lock);
	vtgpu_userptr_gart_unbind(up);
	up->placed = false;
	mutex_unlock(&vtgpu->userptr_lock);
}

/**
 * vtgpu_userptr_create - create a userptr BO and a handle to it
 * @file: the DRM file
 * @vtgpu: the device
 * @addr: start of the range in the current process, page aligned
 * @size: its size, a multiple of the page size, checked by the caller
 * @flags: VTGPU_USERPTR_*
 * @handle: where to return the handle
 *
 * Returns: 0; -EFAULT or -EACCES for a range the BO cannot be made of (see
 * &drm_vtgpu_gem_userptr); -ENOMEM; -EINTR for a fatal signal.
 */
int vtgpu_userptr_create(struct drm_file *file, struct vtgpu_device *vtgpu,
			 u64 addr, u64 size, u32 flags, u32 *handle)
{
	struct mm_struct *mm = current->mm;
	struct vtgpu_userptr *up;
	struct vtgpu_bo *bo;
	int ret;

	up = kzalloc_obj(*up);
	if (!up)
		return -ENOMEM;
	up->vtgpu = vtgpu;
	up->start = addr;
	up->num_pages = size >> PAGE_SHIFT;
	up->readonly = flags & VTGPU_USERPTR_READONLY;
	up->dma_addrs = kvmalloc_array(up->num_pages, sizeof(*up->dma_addrs),
				       GFP_KERNEL);
	if (!up->dma_addrs) {
		ret = -ENOMEM;
		goto err_free;
	}

	/* Refuse what no job could use, before anything is set up. */
	if (mmap_read_lock_killable(mm)) {
		ret = -EINTR;
		goto err_free;
	}
	ret = vtgpu_userptr_check_vmas(mm, addr, addr + size, up->readonly);
	mmap_read_unlock(mm);
	if (ret)
		goto err_free;

	/* From here on, the BO owns @up. */
	ret = vtgpu_bo_create(vtgpu, size, VTGPU_GEM_DOMAIN_GTT,
			      VTGPU_GEM_DOMAIN_GTT, 0, ttm_bo_type_device, NULL,
			      NULL, up, &bo);
	if (ret)
		return ret;
	up->bo = bo;

	ret = mmu_interval_notifier_insert(&up->notifier, mm, addr, size,
					   &vtgpu_userptr_notifier_ops);
	if (ret) {
		/* For vtgpu_userptr_release(): there is nothing to remove. */
		up->notifier.mm = NULL;
		drm_gem_object_put(&bo->tbo.base);
		return ret;
	}

	ret = drm_gem_handle_create(file, &bo->tbo.base, handle);
	drm_gem_object_put(&bo->tbo.base);
	return ret;

err_free:
	vtgpu_userptr_free(up);
	return ret;
}

/**
 * vtgpu_userptr_release - stop following the memory of a userptr BO
 * @bo: the BO, whose last GEM reference is being dropped
 *
 * Waits for the BO's jobs, then removes its notifier and unmaps its pages:
 * once nothing follows the range, the engine must not touch them.
 */
void vtgpu_userptr_release(struct vtgpu_bo *bo)
{
	struct vtgpu_userptr *up = bo->userptr;
	struct vtgpu_device *vtgpu = up->vtgpu;

	dma_resv_wait_timeout(bo->tbo.base.resv, DMA_RESV_USAGE_BOOKKEEP,
			      false, MAX_SCHEDULE_TIMEOUT);
	if (up->notifier.mm)
		mmu_interval_notifier_remove(&up->notifier);

	mutex_lock(&vtgpu->userptr_lock);
	vtgpu_userptr_drop_pages(up);
	mutex_unlock(&vtgpu->userptr_lock);
}

/**
 * vtgpu_userptr_free - free the user memory state of a userptr BO
 * @up: the state, after vtgpu_userptr_release() or before the notifier was
 *	inserted
 */
void vtgpu_userptr_free(struct vtgpu_userptr *up)
{
	kvfree(up->dma_addrs);
	kfree(up);
}

/**
 * vtgpu_userptr_init - set up what userptr BOs of a device share
 * @vtgpu: the device
 *
 * Teaches lockdep that &vtgpu_device.userptr_lock is taken under memory
 * reclaim (by the notifier callback), so that an allocation under it is
 * reported at once rather than when reclaim happens to invalidate a range.
 *
 * Returns: 0 or a negative error code.
 */
int vtgpu_userptr_init(struct vtgpu_device *vtgpu)
{
	int ret;

	ret = drmm_mutex_init(&vtgpu->drm, &vtgpu->userptr_lock);
	if (ret)
		return ret;

	fs_reclaim_acquire(GFP_KERNEL);
	might_lock(&vtgpu->userptr_lock);
	fs_reclaim_release(GFP_KERNEL);
	return 0;
}
ALLOW_ERROR_INJECTION(vtgpu_userptr_init, ERRNO);
