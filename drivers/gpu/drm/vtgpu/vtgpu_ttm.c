// SPDX-License-Identifier: GPL-2.0-only
/*
 * TTM for vtgpu: the VRAM and GTT managers, the ttm_tt backend that binds
 * pages into the GART, and the moves between domains on the DMA engine.
 */

#include <linux/cgroup_dmem.h>
#include <linux/error-injection.h>
#include <linux/highmem.h>
#include <linux/io-64-nonatomic-lo-hi.h>
#include <linux/io.h>
#include <linux/sched.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#include <drm/drm_drv.h>
#include <drm/drm_managed.h>
#include <drm/drm_prime.h>
#include <drm/drm_print.h>
#include <drm/vtgpu_drm.h>
#include <drm/ttm/ttm_allocation.h>
#include <drm/ttm/ttm_bo.h>
#include <drm/ttm/ttm_range_manager.h>
#include <drm/ttm/ttm_tt.h>

#include "vtgpu_drv.h"

/**
 * DOC: memory management
 *
 * VRAM is managed by TTM's range manager over its pages (and a count of
 * those in use in visible VRAM, &vtgpu_vram_mgr), of which the first
 * visible_vram_size bytes are CPU-visible: BOs created CPU_ACCESS_REQUIRED,
 * or that the CPU faulted on, are placed with lpfn at the end of the
 * visible part, NO_CPU_ACCESS BOs first with fpfn there, in invisible
 * VRAM, and other BOs anywhere, from the bottom up. A CPU fault moves a
 * BO out of invisible VRAM (see vtgpu_bo_fault_reserve_notify()). GTT is
 * managed by TTM's range manager over the part of the GART aperture the
 * driver uses; a BO in GTT has its ttm_tt pages, from the TTM pool, bound
 * in the GART at its resource's offset from the move into GTT until its
 * pages are unpopulated.
 *
 * Moves between VRAM and GTT (and within VRAM) are one COPY on the engine,
 * pipelined: ttm_bo_move_accel_cleanup() hangs the old placement on a
 * ghost object (or, for evictions out of VRAM, on the manager's move
 * fence) until the copy's fence signals. A BO moving into VRAM with
 * nothing to copy, a new one, is cleared with a FILL instead (by the CPU,
 * when it is small, in visible VRAM and its space idle). Moves
 * between VRAM and SYSTEM hop through GTT; moves between GTT and SYSTEM
 * bind or unbind the pages, the latter once the BO is idle. Eviction goes
 * VRAM -> GTT -> SYSTEM, NO_CPU_ACCESS BOs in visible VRAM that the CPU
 * never faulted on trying invisible VRAM first. Under system memory
 * pressure TTM swaps the pages of GTT and SYSTEM BOs out to shmem (the
 * move to SYSTEM unbinds them).
 *
 * VRAM is the dmem cgroup region "drm/<PCI device>/vram": TTM charges
 * each VRAM resource to the allocating task's cgroup and, at its
 * dmem.max, evicts that cgroup's BOs or takes the next placement.
 * Lowering dmem.max below the cgroup's use evicts its BOs at once, in
 * vtgpu_vram_reclaim(); as with amdgpu, a NO_CPU_ACCESS BO evicted from
 * visible VRAM may land in invisible VRAM, charged to the writer's cgroup.
 * The region is unregistered before the managers go, which waits for a
 * running reclaim.
 *
 * Moves and the engine's clears are jobs of the scheduler's kernel entity,
 * after every fence of the BO's reservation; how a failed one is run
 * again, done by the CPU (vtgpu_move_cpu_copy()) or wedges the engine is
 * in DOC: engine.
 *
 * A userptr BO's ttm_tt is TTM_TT_FLAG_EXTERNAL and has no pages: TTM
 * neither allocates nor swaps them. Its moves, GTT <-> SYSTEM only, tell
 * vtgpu_userptr.c where its GTT range is; the GART entries of its pages
 * are written there, under &vtgpu_device.userptr_lock, see DOC: userptr.
 */

/*
 * VRAM is TTM's range manager, whose allocations and frees go through
 * these to count the pages in use in visible VRAM, for debugfs.
 */
static u64 vtgpu_vram_visible_pages(struct vtgpu_device *vtgpu,
				    struct ttm_resource *res)
{
	u64 visible = vtgpu->visible_vram_size >> PAGE_SHIFT;
	u64 start = res->start, end = start + PFN_UP(res->size);

	return start < visible ? min(end, visible) - start : 0;
}

static int vtgpu_vram_alloc(struct ttm_resource_manager *man,
			    struct ttm_buffer_object *bo,
			    const struct ttm_place *place,
			    struct ttm_resource **res)
{
	struct vtgpu_vram_mgr *mgr = &bdev_to_vtgpu(man->bdev)->vram_mgr;
	int ret;

	ret = mgr->range->alloc(man, bo, place, res);
	if (!ret)
		atomic64_add(vtgpu_vram_visible_pages(bdev_to_vtgpu(man->bdev),
						      *res),
			     &mgr->visible_used);
	return ret;
}

static void vtgpu_vram_free(struct ttm_resource_manager *man,
			    struct ttm_resource *res)
{
	struct vtgpu_vram_mgr *mgr = &bdev_to_vtgpu(man->bdev)->vram_mgr;

	atomic64_sub(vtgpu_vram_visible_pages(bdev_to_vtgpu(man->bdev), res),
		     &mgr->visible_used);
	mgr->range->free(man, res);
}

static bool vtgpu_vram_intersects(struct ttm_resource_manager *man,
				  struct ttm_resource *res,
				  const struct ttm_place *place, size_t size)
{
	return bdev_to_vtgpu(man->bdev)->vram_mgr.range->intersects(man, res,
								   place, size);
}

static bool vtgpu_vram_compatible(struct ttm_resource_manager *man,
				  struct ttm_resource *res,
				  const struct ttm_place *place, size_t size)
{
	return bdev_to_vtgpu(man->bdev)->vram_mgr.range->compatible(man, res,
								   place, size);
}

/* The range manager's state, after the use of visible VRAM. */
static void vtgpu_vram_debug(struct ttm_resource_manager *man,
			     struct drm_printer *p)
{
	struct vtgpu_device *vtgpu = bdev_to_vtgpu(man->bdev);

	drm_printf(p, "size: %llu KiB, used: %llu KiB\n",
		   (man->size << PAGE_SHIFT) >> 10,
		   ttm_resource_manager_usage(man) >> 10);
	drm_printf(p, "visible: %llu KiB, used: %llu KiB\n",
		   vtgpu->visible_vram_size >> 10,
		   (atomic64_read(&vtgpu->vram_mgr.visible_used) <<
		    PAGE_SHIFT) >> 10);
	vtgpu->vram_mgr.range->debug(man, p);
}

static const struct ttm_resource_manager_func vtgpu_vram_funcs = {
	.alloc = vtgpu_vram_alloc,
	.free = vtgpu_vram_free,
	.intersects = vtgpu_vram_intersects,
	.compatible = vtgpu_vram_compatible,
	.debug = vtgpu_vram_debug,
};

static int vtgpu_vram_reclaim(struct dmem_cgroup_pool_state *pool,
			      u64 target_bytes, void *priv)
{
	struct ttm_resource_manager *man = priv;
	int ret, idx;

	if (!drm_dev_enter(&bdev_to_vtgpu(man->bdev)->drm, &idx))
		return -ENODEV;
	ret = ttm_resource_manager_dmem_reclaim(pool, target_bytes, priv);
	drm_dev_exit(idx);
	return ret;
}

static const struct dmem_cgroup_ops vtgpu_vram_dmem_ops = {
	.reclaim = vtgpu_vram_reclaim,
};

/* Before the region is unregistered: TTM charges nothing to it after. */
static void vtgpu_vram_cgroup_fini(struct drm_device *drm, void *man)
{
	ttm_resource_manager_set_dmem_region(man, NULL);
}

/* After vtgpu_ttm_fini()'s action: released first, before the managers. */
static int vtgpu_vram_cgroup_init(struct vtgpu_device *vtgpu)
{
	struct ttm_resource_manager *man =
		ttm_manager_type(&vtgpu->bdev, TTM_PL_VRAM);
	struct dmem_cgroup_region *region;

	region = drmm_cgroup_register_region(&vtgpu->drm, "vram",
					     &(struct dmem_cgroup_init) {
						.size = vtgpu->vram_size,
						.ops = &vtgpu_vram_dmem_ops,
						.reclaim_priv = man,
					     });
	if (IS_ERR(region))
		return PTR_ERR(region);
	ttm_resource_manager_set_dmem_region(man, region);
	return drmm_add_action_or_reset(&vtgpu->drm, vtgpu_vram_cgroup_fini,
					man);
}

static int vtgpu_vram_mgr_init(struct vtgpu_device *vtgpu)
{
	struct ttm_resource_manager *man;
	int ret;

	ret = ttm_range_man_init(&vtgpu->bdev, TTM_PL_VRAM, false,
				 vtgpu->vram_size >> PAGE_SHIFT);
	if (ret)
		return ret;
	man = ttm_manager_type(&vtgpu->bdev, TTM_PL_VRAM);
	vtgpu->vram_mgr.range = man->func;
	man->func = &vtgpu_vram_funcs;
	return 0;
}

/**
 * vtgpu_gpu_addr - the GPU address of a VRAM or GTT resource
 * @vtgpu: the device
 * @res: the resource
 *
 * Returns: the address the engine reaches the resource's start at.
 */
u64 vtgpu_gpu_addr(struct vtgpu_device *vtgpu, struct ttm_resource *res)
{
	u64 offset = (u64)res->start << PAGE_SHIFT;

	if (res->mem_type == TTM_PL_TT)
		return vtgpu->gart.base + offset;
	return offset;
}

/**
 * vtgpu_res_visible - whether a resource is entirely in visible VRAM
 * @vtgpu: the device
 * @res: the resource
 *
 * Returns: true if the CPU reaches all of it through BAR2.
 */
bool vtgpu_res_visible(struct vtgpu_device *vtgpu, struct ttm_resource *res)
{
	return res->mem_type == TTM_PL_VRAM &&
	       ((u64)res->start << PAGE_SHIFT) + res->size <=
	       vtgpu->visible_vram_size;
}

/**
 * struct vtgpu_tt - a ttm_tt and where it is bound in the GART
 * @ttm: the TTM object, embedded
 * @gart_start: first aperture page it is bound at
 * @bound: whether it is bound
 * @userptr: the user memory of a userptr BO, whose GART binding
 *	vtgpu_userptr.c keeps instead; NULL for other BOs
 */
struct vtgpu_tt {
	struct ttm_tt ttm;
	u64 gart_start;
	bool bound;
	struct vtgpu_userptr *userptr;
};

static struct vtgpu_tt *to_vtgpu_tt(struct ttm_tt *ttm)
{
	return container_of(ttm, struct vtgpu_tt, ttm);
}

static void vtgpu_tt_bind(struct vtgpu_device *vtgpu, struct ttm_tt *ttm,
			  struct ttm_resource *res)
{
	struct vtgpu_tt *gtt = to_vtgpu_tt(ttm);

	if (gtt->userptr) {
		vtgpu_userptr_place(gtt->userptr, res->start);
		return;
	}
	vtgpu_gart_bind(vtgpu, res->start, ttm->num_pages, ttm->dma_address,
			true);
	gtt->gart_start = res->start;
	gtt->bound = true;
}

static void vtgpu_tt_unbind(struct vtgpu_device *vtgpu, struct ttm_tt *ttm)
{
	struct vtgpu_tt *gtt = to_vtgpu_tt(ttm);

	if (gtt->userptr) {
		vtgpu_userptr_unplace(gtt->userptr);
		return;
	}
	if (!gtt->bound)
		return;
	vtgpu_gart_bind(vtgpu, gtt->gart_start, ttm->num_pages, NULL, false);
	gtt->bound = false;
}

static struct ttm_tt *vtgpu_ttm_tt_create(struct ttm_buffer_object *tbo,
					  u32 page_flags)
{
	struct vtgpu_tt *gtt;

	gtt = kzalloc_obj(*gtt);
	if (!gtt)
		return NULL;

	/* The pages of a userptr BO are the user's, see DOC: userptr. */
	if (vtgpu_is_vtgpu_bo(tbo) && to_vtgpu_bo(tbo)->userptr) {
		gtt->userptr = to_vtgpu_bo(tbo)->userptr;
		page_flags |= TTM_TT_FLAG_EXTERNAL;
	}

	/* With the dma_address array, which the GART entries are made of. */
	if (ttm_sg_tt_init(&gtt->ttm, tbo, page_flags, ttm_cached)) {
		kfree(gtt);
		return NULL;
	}
	return &gtt->ttm;
}

static int vtgpu_ttm_tt_populate(struct ttm_device *bdev, struct ttm_tt *ttm,
				 struct ttm_operation_ctx *ctx)
{
	/* Collected for each job, outside the reservation. */
	if (to_vtgpu_tt(ttm)->userptr)
		return 0;
	/* An imported dma-buf: its pages are the exporter's. */
	if (ttm->page_flags & TTM_TT_FLAG_EXTERNAL) {
		if (!ttm->sg)
			return -EINVAL;
		return drm_prime_sg_to_dma_addr_array(ttm->sg, ttm->dma_address,
						      ttm->num_pages);
	}
	return ttm_pool_alloc(&bdev->pool, ttm, ctx);
}

static void vtgpu_ttm_tt_unpopulate(struct ttm_device *bdev,
				    struct ttm_tt *ttm)
{
	vtgpu_tt_unbind(bdev_to_vtgpu(bdev), ttm);
	if (ttm->page_flags & TTM_TT_FLAG_EXTERNAL)
		return;
	ttm_pool_free(&bdev->pool, ttm);
}

static void vtgpu_ttm_tt_destroy(struct ttm_device *bdev, struct ttm_tt *ttm)
{
	vtgpu_tt_unbind(bdev_to_vtgpu(bdev), ttm);
	ttm_tt_fini(ttm);
	kfree(to_vtgpu_tt(ttm));
}

static void vtgpu_evict_flags(struct ttm_buffer_object *tbo,
			      struct ttm_placement *placement)
{
	static const struct ttm_place sys = { .mem_type = TTM_PL_SYSTEM };
	/* GTT where there is room, else evicting there, else SYSTEM. */
	static const struct ttm_place tt_sys[] = {
		{ .mem_type = TTM_PL_TT },
		{ .mem_type = TTM_PL_SYSTEM, .flags = TTM_PL_FLAG_FALLBACK },
	};
	struct vtgpu_device *vtgpu = bdev_to_vtgpu(tbo->bdev);
	struct ttm_resource *res = tbo->resource;

	if (res->mem_type != TTM_PL_VRAM || !vtgpu_is_vtgpu_bo(tbo)) {
		placement->placement = &sys;
		placement->num_placement = 1;
		return;
	}

	placement->placement = tt_sys;
	placement->num_placement = 2;

	/*
	 * A BO that needs no CPU access (and got none), evicted from visible
	 * VRAM, goes to invisible VRAM when there is room there.
	 */
	if ((to_vtgpu_bo(tbo)->flags & VTGPU_GEM_CREATE_NO_CPU_ACCESS) &&
	    !to_vtgpu_bo(tbo)->cpu_accessed &&
	    vtgpu->visible_vram_size < vtgpu->vram_size &&
	    ((u64)res->start << PAGE_SHIFT) < vtgpu->visible_vram_size) {
		placement->placement = vtgpu->evict_invisible;
		placement->num_placement = ARRAY_SIZE(vtgpu->evict_invisible);
	}
}

static void vtgpu_bo_moved(struct ttm_buffer_object *tbo, bool evict,
			   bool copied)
{
	struct vtgpu_device *vtgpu = bdev_to_vtgpu(tbo->bdev);

	if (evict)
		atomic64_inc(&vtgpu->stats.evictions);
	if (copied)
		atomic64_add(tbo->base.size, &vtgpu->stats.bytes_moved);
	if (vtgpu_is_vtgpu_bo(tbo))
		WRITE_ONCE(to_vtgpu_bo(tbo)->mem_type, tbo->resource->mem_type);
}

/* Whether the CPU reaches a resource: in GTT or visible VRAM. */
static bool vtgpu_cpu_reaches(struct vtgpu_device *vtgpu,
			      struct ttm_resource *res)
{
	return res->mem_type == TTM_PL_TT || vtgpu_res_visible(vtgpu, res);
}

/* Copy one page of a move, @src_io or @dst_io the VRAM end(s). */
static void vtgpu_move_cpu_copy_page(struct vtgpu_move_ends *m, pgoff_t i,
				     void __iomem *src_io,
				     void __iomem *dst_io)
{
	unsigned long off = i << PAGE_SHIFT;
	void *src = NULL, *dst = NULL;
	u64 buf[32];
	unsigned int j;

	if (m->src_tt)
		src = kmap_local_page(m->src_tt->pages[i]);
	if (m->dst_tt)
		dst = kmap_local_page(m->dst_tt->pages[i]);

	if (src && dst) {
		memcpy(dst, src, PAGE_SIZE);
	} else if (src) {
		memcpy_toio(dst_io + off, src, PAGE_SIZE);
	} else if (dst) {
		memcpy_fromio(dst, src_io + off, PAGE_SIZE);
	} else {
		for (j = 0; j < PAGE_SIZE; j += sizeof(buf)) {
			memcpy_fromio(buf, src_io + off + j, sizeof(buf));
			memcpy_toio(dst_io + off + j, buf, sizeof(buf));
		}
	}

	if (dst)
		kunmap_local(dst);
	if (src)
		kunmap_local(src);
}

/*
 * &vtgpu_job.fallback of a move between GTT and visible VRAM: the CPU
 * copies what the engine failed to. The engine is stopped and the move's
 * ends are still there, see &struct vtgpu_move_ends. In the fence
 * signalling path: visible VRAM is mapped since the probe, and the pages
 * are mapped with kmap_local_page(), so nothing is allocated.
 *
 * Not ttm_move_memcpy(): its iterators need both ends' &struct ttm_resource,
 * and a pipelined eviction (ttm_bo_move_pipeline_evict()) frees the old one
 * as soon as the move is queued. Its VRAM range stays, behind the manager's
 * move fence, so the offsets are all this copy keeps.
 */
static int vtgpu_move_cpu_copy(struct vtgpu_job *job)
{
	struct vtgpu_device *vtgpu = job->vtgpu;
	struct vtgpu_move_ends *m = &job->move;
	void __iomem *src_io = vtgpu->visible_vram + m->src_offset;
	void __iomem *dst_io = vtgpu->visible_vram + m->dst_offset;
	pgoff_t i;

	for (i = 0; i < m->size >> PAGE_SHIFT; i++) {
		vtgpu_move_cpu_copy_page(m, i, src_io, dst_io);
		cond_resched();
	}
	drm_err_ratelimited(&vtgpu->drm,
			    "engine failed a move of %llu KiB: copied by the CPU\n",
			    m->size >> 10);
	return 0;
}

/* Whether a ttm_tt has pages of its own, that the CPU can copy. */
static bool vtgpu_tt_has_pages(struct ttm_tt *ttm)
{
	return ttm && ttm->pages && !(ttm->page_flags & TTM_TT_FLAG_EXTERNAL) &&
	       ttm_tt_is_populated(ttm);
}

/*
 * Let the CPU do a move when the engine fails it for good, if the CPU
 * reaches both ends: GTT and visible VRAM.
 */
static void vtgpu_move_fallback_init(struct vtgpu_job *job,
				     struct ttm_buffer_object *tbo,
				     struct ttm_resource *new_mem)
{
	struct vtgpu_device *vtgpu = bdev_to_vtgpu(tbo->bdev);
	struct ttm_resource *old_mem = tbo->resource;
	struct vtgpu_move_ends *m = &job->move;

	if (!vtgpu_cpu_reaches(vtgpu, old_mem) ||
	    !vtgpu_cpu_reaches(vtgpu, new_mem))
		return;
	if ((old_mem->mem_type == TTM_PL_TT ||
	     new_mem->mem_type == TTM_PL_TT) && !vtgpu_tt_has_pages(tbo->ttm))
		return;

	if (old_mem->mem_type == TTM_PL_TT)
		m->src_tt = tbo->ttm;
	else
		m->src_offset = (u64)old_mem->start << PAGE_SHIFT;
	if (new_mem->mem_type == TTM_PL_TT)
		m->dst_tt = tbo->ttm;
	else
		m->dst_offset = (u64)new_mem->start << PAGE_SHIFT;
	m->size = new_mem->size;
	job->fallback = vtgpu_move_cpu_copy;
}

/*
 * Queue a job of the driver's own that uses the BO, after all the BO's
 * fences: the scheduler waits for them.
 */
static struct dma_fence *vtgpu_move_push(struct ttm_buffer_object *tbo,
					 struct vtgpu_job *job)
{
	int ret;

	ret = drm_sched_job_add_resv_dependencies(&job->base, tbo->base.resv,
						  DMA_RESV_USAGE_BOOKKEEP);
	if (ret) {
		vtgpu_job_free(job);
		return ERR_PTR(ret);
	}
	return vtgpu_job_push(job);
}

/* Queue a copy of the BO from its placement to @new_mem, pipelined. */
static int vtgpu_move_blit(struct ttm_buffer_object *tbo, bool evict,
			   struct ttm_resource *new_mem)
{
	struct vtgpu_device *vtgpu = bdev_to_vtgpu(tbo->bdev);
	struct dma_fence *fence;
	struct vtgpu_job *job;
	int ret;

	job = vtgpu_job_alloc(vtgpu, NULL, 1);
	if (IS_ERR(job))
		return PTR_ERR(job);
	vtgpu_job_add_cmd(job, VTGPU_OP_COPY,
			  vtgpu_gpu_addr(vtgpu, tbo->resource),
			  vtgpu_gpu_addr(vtgpu, new_mem), new_mem->size);
	vtgpu_move_fallback_init(job, tbo, new_mem);
	fence = vtgpu_move_push(tbo, job);
	if (IS_ERR(fence))
		return PTR_ERR(fence);

	ret = ttm_bo_move_accel_cleanup(tbo, fence, evict, true, new_mem);
	if (ret)
		/* The copy must not write into space given back. */
		dma_fence_wait(fence, false);
	else
		atomic64_inc(&vtgpu->stats.moves);
	dma_fence_put(fence);
	return ret;
}

/*
 * The CPU clears new BOs of up to this size in visible VRAM: a FILL costs
 * a pass through the scheduler, an interrupt and, at the BO's first CPU
 * fault, a wait for it, which on the QEMU device take longer than a
 * memset of a few pages.
 */
#define VTGPU_CPU_CLEAR_MAX	SZ_256K

/*
 * Clear a small new BO's space in visible VRAM with the CPU, unless a
 * fence still holds it. A new BO has no fences of its own: TTM added the
 * VRAM manager's last pipelined eviction, which may still read the space.
 * Falls back to the engine after an unplug, whose FILL then fails.
 */
static bool vtgpu_move_clear_cpu(struct ttm_buffer_object *tbo,
				 struct ttm_resource *new_mem)
{
	struct vtgpu_device *vtgpu = bdev_to_vtgpu(tbo->bdev);
	int idx;

	if (new_mem->size > VTGPU_CPU_CLEAR_MAX ||
	    !vtgpu_res_visible(vtgpu, new_mem) ||
	    !dma_resv_test_signaled(tbo->base.resv, DMA_RESV_USAGE_BOOKKEEP) ||
	    !drm_dev_enter(&vtgpu->drm, &idx))
		return false;

	memset_io(vtgpu->visible_vram + ((u64)new_mem->start << PAGE_SHIFT),
		  0, new_mem->size);
	/* Seen by the engine's next job and other CPUs' mappings. */
	wmb();
	drm_dev_exit(idx);
	return true;
}

/* A BO with no contents yet moves into VRAM: clear its space instead. */
static int vtgpu_move_clear(struct ttm_buffer_object *tbo,
			    struct ttm_resource *new_mem)
{
	struct vtgpu_device *vtgpu = bdev_to_vtgpu(tbo->bdev);
	struct dma_fence *fence;
	struct vtgpu_job *job;

	if (!vtgpu_move_clear_cpu(tbo, new_mem)) {
		job = vtgpu_job_alloc(vtgpu, NULL, 1);
		if (IS_ERR(job))
			return PTR_ERR(job);
		vtgpu_job_add_cmd(job, VTGPU_OP_FILL,
				  vtgpu_gpu_addr(vtgpu, new_mem), new_mem->size,
				  0);
		fence = vtgpu_move_push(tbo, job);
		if (IS_ERR(fence))
			return PTR_ERR(fence);
		/* ttm_bo_handle_move_mem() reserved the slot. */
		dma_resv_add_fence(tbo->base.resv, fence, DMA_RESV_USAGE_KERNEL);
		dma_fence_put(fence);
	}
	ttm_bo_move_null(tbo, new_mem);
	atomic64_inc(&vtgpu->stats.clears);
	return 0;
}

/* Whether a BO in SYSTEM has contents: pages, present or swapped out. */
static bool vtgpu_tt_has_data(struct ttm_tt *ttm)
{
	return ttm && (ttm_tt_is_populated(ttm) || ttm_tt_is_swapped(ttm));
}

static int vtgpu_bo_move(struct ttm_buffer_object *tbo, bool evict,
			 struct ttm_operation_ctx *ctx,
			 struct ttm_resource *new_mem, struct ttm_place *hop)
{
	struct vtgpu_device *vtgpu = bdev_to_vtgpu(tbo->bdev);
	struct ttm_resource *old_mem = tbo->resource;
	u32 old_type = old_mem ? old_mem->mem_type : TTM_PL_SYSTEM;
	u32 new_type = new_mem->mem_type;
	bool copied = true;
	int ret = 0;

	if (WARN_ON_ONCE(tbo->pin_count))
		return -EINVAL;

	/* Out of GTT, but not by a copy: unbind once idle. */
	if (old_type == TTM_PL_TT && new_type != TTM_PL_VRAM) {
		ret = ttm_bo_wait_ctx(tbo, ctx);
		if (ret)
			return ret;
		vtgpu_tt_unbind(vtgpu, tbo->ttm);
	}
	/* ttm_bo_handle_move_mem() populated the pages. */
	if (new_type == TTM_PL_TT)
		vtgpu_tt_bind(vtgpu, tbo->ttm, new_mem);

	if (old_type != TTM_PL_VRAM && new_type != TTM_PL_VRAM) {
		ttm_bo_move_null(tbo, new_mem);
		copied = false;
	} else if (old_type == TTM_PL_SYSTEM && !vtgpu_tt_has_data(tbo->ttm)) {
		ret = vtgpu_move_clear(tbo, new_mem);
		copied = false;
	} else if (old_type == TTM_PL_SYSTEM || new_type == TTM_PL_SYSTEM) {
		/* The engine reaches VRAM and GTT only. */
		hop->fpfn = 0;
		hop->lpfn = 0;
		hop->mem_type = TTM_PL_TT;
		hop->flags = TTM_PL_FLAG_TEMPORARY;
		return -EMULTIHOP;
	} else if (READ_ONCE(vtgpu->move_with_cpu) &&
		   vtgpu_cpu_reaches(vtgpu, old_mem) &&
		   vtgpu_cpu_reaches(vtgpu, new_mem)) {
		/* The CPU copies now: after the jobs on the BO, not beside. */
		ret = ttm_bo_wait_ctx(tbo, ctx) ?:
		      ttm_bo_move_memcpy(tbo, ctx, new_mem);
	} else {
		ret = vtgpu_move_blit(tbo, evict, new_mem);
	}
	if (!ret)
		vtgpu_bo_moved(tbo, evict, copied);
	return ret;
}

static int vtgpu_io_mem_reserve(struct ttm_device *bdev,
				struct ttm_resource *mem)
{
	struct vtgpu_device *vtgpu = bdev_to_vtgpu(bdev);

	switch (mem->mem_type) {
	case TTM_PL_SYSTEM:
	case TTM_PL_TT:
		return 0;
	case TTM_PL_VRAM:
		/* Only the visible part is behind BAR2. */
		if (!vtgpu_res_visible(vtgpu, mem))
			return -EINVAL;
		mem->bus.offset = vtgpu->vram_base +
				  ((u64)mem->start << PAGE_SHIFT);
		mem->bus.is_iomem = true;
		mem->bus.caching = ttm_write_combined;
		return 0;
	default:
		return -EINVAL;
	}
}

/**
 * vtgpu_vram_access - CPU access to a BO in VRAM, for ptrace
 * @tbo: the BO, reserved and idle, in VRAM
 * @offset: where in the BO
 * @buf: the caller's buffer
 * @len: bytes to access
 * @write: whether to write @buf to the BO, else read the BO into it
 *
 * Through the device's MM_INDEX/MM_DATA window, a dword at a time, as
 * amdgpu_device_mm_access() does: it reaches invisible VRAM too, so the
 * BO stays where it is. Partial dwords are read, merged and written back.
 *
 * Returns: @len, or -ENODEV once the device is gone.
 */
int vtgpu_vram_access(struct ttm_buffer_object *tbo, unsigned long offset,
		      void *buf, int len, bool write)
{
	struct vtgpu_device *vtgpu = bdev_to_vtgpu(tbo->bdev);
	u64 pos = ((u64)tbo->resource->start << PAGE_SHIFT) + offset;
	u8 *bytes = buf;
	__le32 dword = 0;
	int done, n, idx;

	if (!drm_dev_enter(&vtgpu->drm, &idx))
		return -ENODEV;
	mutex_lock(&vtgpu->mm_lock);
	for (done = 0; done < len; done += n, pos += n) {
		unsigned int skip = pos & 3;

		n = min_t(int, 4 - skip, len - done);
		lo_hi_writeq(pos - skip, vtgpu->mmio + VTGPU_REG_MM_INDEX_LO);
		if (!write || n < 4)
			dword = cpu_to_le32(ioread32(vtgpu->mmio +
						     VTGPU_REG_MM_DATA));
		if (write) {
			memcpy((u8 *)&dword + skip, bytes + done, n);
			iowrite32(le32_to_cpu(dword),
				  vtgpu->mmio + VTGPU_REG_MM_DATA);
		} else {
			memcpy(bytes + done, (u8 *)&dword + skip, n);
		}
	}
	mutex_unlock(&vtgpu->mm_lock);
	drm_dev_exit(idx);
	return len;
}

static void vtgpu_delete_mem_notify(struct ttm_buffer_object *tbo)
{
	if (vtgpu_is_vtgpu_bo(tbo))
		WRITE_ONCE(to_vtgpu_bo(tbo)->mem_type, TTM_NUM_MEM_TYPES);
}

static void vtgpu_swap_notify(struct ttm_buffer_object *tbo)
{
	atomic64_inc(&bdev_to_vtgpu(tbo->bdev)->stats.swapouts);
}

static void vtgpu_release_notify(struct ttm_buffer_object *tbo)
{
	struct vtgpu_device *vtgpu = bdev_to_vtgpu(tbo->bdev);

	if (!vtgpu_is_vtgpu_bo(tbo))
		return;
	spin_lock(&vtgpu->bo_lock);
	list_del_init(&to_vtgpu_bo(tbo)->link);
	spin_unlock(&vtgpu->bo_lock);
}

static struct ttm_device_funcs vtgpu_ttm_funcs = {
	.ttm_tt_create = vtgpu_ttm_tt_create,
	.ttm_tt_populate = vtgpu_ttm_tt_populate,
	.ttm_tt_unpopulate = vtgpu_ttm_tt_unpopulate,
	.ttm_tt_destroy = vtgpu_ttm_tt_destroy,
	.eviction_valuable = ttm_bo_eviction_valuable,
	.evict_flags = vtgpu_evict_flags,
	.move = vtgpu_bo_move,
	.io_mem_reserve = vtgpu_io_mem_reserve,
	.delete_mem_notify = vtgpu_delete_mem_notify,
	.swap_notify = vtgpu_swap_notify,
	.release_notify = vtgpu_release_notify,
};

static void vtgpu_ttm_fini(struct drm_device *drm, void *arg)
{
	struct vtgpu_device *vtgpu = arg;

	/* Only a BO leaked by TTM or the driver can be left: say so. */
	drm_WARN_ON(drm, ttm_range_man_fini(&vtgpu->bdev, TTM_PL_VRAM));
	drm_WARN_ON(drm, ttm_range_man_fini(&vtgpu->bdev, TTM_PL_TT));
	ttm_device_fini(&vtgpu->bdev);
	/* After the last BO is destroyed: imports queue their release. */
	destroy_workqueue(vtgpu->release_wq);
}

/**
 * vtgpu_ttm_init - set up the TTM device and its managers
 * @vtgpu: the device, with its GART set up
 *
 * Torn down when the DRM device is released, after the last BO is gone.
 *
 * Returns: 0 or a negative error code.
 */
int vtgpu_ttm_init(struct vtgpu_device *vtgpu)
{
	struct drm_device *drm = &vtgpu->drm;
	u64 visible_pages = vtgpu->visible_vram_size >> PAGE_SHIFT;
	int ret;

	ret = drmm_mutex_init(drm, &vtgpu->mm_lock);
	if (ret)
		return ret;
	vtgpu->release_wq = alloc_workqueue("vtgpu_release", WQ_UNBOUND, 0);
	if (!vtgpu->release_wq)
		return -ENOMEM;
	ret = ttm_device_init(&vtgpu->bdev, &vtgpu_ttm_funcs, drm->dev,
			      drm->anon_inode->i_mapping,
			      drm->vma_offset_manager,
			      TTM_ALLOCATION_PROPAGATE_ENOSPC);
	if (ret) {
		destroy_workqueue(vtgpu->release_wq);
		return ret;
	}

	ret = vtgpu_vram_mgr_init(vtgpu);
	if (!ret)
		ret = ttm_range_man_init(&vtgpu->bdev, TTM_PL_TT, true,
					 vtgpu->gart.num_entries *
					 VTGPU_PAGE_SIZE >> PAGE_SHIFT);
	if (ret) {
		vtgpu_ttm_fini(drm, vtgpu);
		return ret;
	}

	/* Invisible VRAM where there is room, then as tt_sys. */
	vtgpu->evict_invisible[0].fpfn = visible_pages;
	vtgpu->evict_invisible[0].mem_type = TTM_PL_VRAM;
	vtgpu->evict_invisible[0].flags = TTM_PL_FLAG_DESIRED;
	vtgpu->evict_invisible[1].mem_type = TTM_PL_TT;
	vtgpu->evict_invisible[2].mem_type = TTM_PL_SYSTEM;
	vtgpu->evict_invisible[2].flags = TTM_PL_FLAG_FALLBACK;

	ret = drmm_add_action_or_reset(drm, vtgpu_ttm_fini, vtgpu);
	if (ret)
		return ret;
	return vtgpu_vram_cgroup_init(vtgpu);
}
ALLOW_ERROR_INJECTION(vtgpu_ttm_init, ERRNO);
