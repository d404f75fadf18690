// SPDX-License-Identifier: GPL-2.0-only
/*
 * vtgpu buffer objects: creation, placement and pinning.
 */

#include <linux/dma-resv.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include <drm/drm_gem.h>
#include <drm/drm_prime.h>
#include <drm/vtgpu_drm.h>
#include <drm/ttm/ttm_bo.h>

#include "vtgpu_drv.h"

/* Domains in the order a BO falls back to them. */
static const u32 vtgpu_domain_order[] = {
	VTGPU_GEM_DOMAIN_VRAM,
	VTGPU_GEM_DOMAIN_GTT,
	VTGPU_GEM_DOMAIN_SYSTEM,
};

static void vtgpu_bo_free(struct vtgpu_bo *bo)
{
	drm_gem_object_release(&bo->tbo.base);
	kfree(bo);
}

static void vtgpu_bo_release_import(struct work_struct *work)
{
	struct vtgpu_bo *bo = container_of(work, struct vtgpu_bo,
					   release_work);

	drm_prime_gem_destroy(&bo->tbo.base, bo->tbo.sg);
	vtgpu_bo_free(bo);
}

static void vtgpu_bo_destroy(struct ttm_buffer_object *tbo)
{
	struct vtgpu_bo *bo = to_vtgpu_bo(tbo);

	if (bo->userptr)
		vtgpu_userptr_free(bo->userptr);
	/*
	 * dma_buf_detach() takes the exporter's reservation, and TTM may
	 * destroy a BO with another reservation held (when an eviction
	 * finds a BO freed while busy): detach from a worker.
	 */
	if (drm_gem_is_imported(&tbo->base)) {
		INIT_WORK(&bo->release_work, vtgpu_bo_release_import);
		queue_work(bdev_to_vtgpu(tbo->bdev)->release_wq,
			   &bo->release_work);
		return;
	}
	vtgpu_bo_free(bo);
}

/**
 * vtgpu_is_vtgpu_bo - whether a TTM BO is a &vtgpu_bo
 * @tbo: the TTM BO
 *
 * TTM hands the driver its own ghost objects too, which hold the old
 * placement of a BO during a pipelined move.
 *
 * Returns: true for a &vtgpu_bo, false for a ghost object.
 */
bool vtgpu_is_vtgpu_bo(struct ttm_buffer_object *tbo)
{
	return tbo->destroy == vtgpu_bo_destroy;
}

/*
 * The places of one domain for a BO, none where it can never fit: TTM
 * would evict everything there before finding out. In VRAM, a BO the CPU
 * maps goes to visible VRAM, a NO_CPU_ACCESS BO to invisible VRAM first,
 * and any other BO anywhere, from the bottom up.
 */
static unsigned int vtgpu_bo_places(struct vtgpu_bo *bo, u32 domain,
				    struct ttm_place *places)
{
	struct vtgpu_device *vtgpu = bdev_to_vtgpu(bo->tbo.bdev);
	u32 visible_pages = vtgpu->visible_vram_size >> PAGE_SHIFT;
	u64 size = bo->tbo.base.size;
	unsigned int n = 0;

	switch (domain) {
	case VTGPU_GEM_DOMAIN_VRAM:
		if (vtgpu_bo_cpu_visible(bo)) {
			if (size <= vtgpu->visible_vram_size)
				places[n++] = (struct ttm_place) {
					.mem_type = TTM_PL_VRAM,
					.lpfn = visible_pages,
				};
			break;
		}
		if (!(bo->flags & VTGPU_GEM_CREATE_NO_CPU_ACCESS)) {
			if (size <= vtgpu->vram_size)
				places[n++] = (struct ttm_place) {
					.mem_type = TTM_PL_VRAM,
				};
			break;
		}
		/* Invisible VRAM first, then from the top of all of it. */
		if (size <= vtgpu->vram_size - vtgpu->visible_vram_size)
			places[n++] = (struct ttm_place) {
				.mem_type = TTM_PL_VRAM, .fpfn = visible_pages,
			};
		if (size <= vtgpu->vram_size)
			places[n++] = (struct ttm_place) {
				.mem_type = TTM_PL_VRAM,
				.flags = TTM_PL_FLAG_TOPDOWN,
			};
		break;
	case VTGPU_GEM_DOMAIN_GTT:
		if (size <= vtgpu->gart.num_entries * VTGPU_PAGE_SIZE)
			places[n++] = (struct ttm_place) {
				.mem_type = TTM_PL_TT,
			};
		break;
	case VTGPU_GEM_DOMAIN_SYSTEM:
		places[n++] = (struct ttm_place) { .mem_type = TTM_PL_SYSTEM };
		break;
	}
	return n;
}

/*
 * Set up &vtgpu_bo.placement: @preferred only, other BOs evicted to make
 * room there; with @fallback, the other @domains too when that fails
 * (TTM_PL_FLAG_FALLBACK: only once evicting from @preferred failed), in
 * which a BO already placed then stays unless there is room in @preferred
 * without evicting. Returns the number of places, 0 when the BO fits none:
 * never validate with an empty placement, which would drop the BO's
 * contents.
 */
static unsigned int vtgpu_bo_placement(struct vtgpu_bo *bo, u32 domains,
				       u32 preferred, bool fallback)
{
	struct ttm_place *places = bo->places;
	unsigned int i, n, first;

	n = vtgpu_bo_places(bo, preferred, places);
	bo->placement.placement = places;
	bo->placement.num_placement = n;
	if (!fallback)
		return n;

	first = n;
	for (i = 0; i < ARRAY_SIZE(vtgpu_domain_order); i++) {
		u32 domain = vtgpu_domain_order[i];

		if ((domains & domain) && domain != preferred)
			n += vtgpu_bo_places(bo, domain, places + n);
	}
	for (i = first; i < n; i++)
		places[i].flags |= TTM_PL_FLAG_FALLBACK;
	bo->placement.num_placement = n;
	return n;
}

/*
 * Place a reserved BO in @preferred, evicting other BOs if need be, or
 * else in another of @domains. -EINVAL when it fits none of them.
 */
static int vtgpu_bo_validate(struct vtgpu_bo *bo, u32 domains, u32 preferred,
			     struct ttm_operation_ctx *ctx)
{
	int ret;

	if (vtgpu_bo_placement(bo, domains, preferred, false)) {
		ret = ttm_bo_validate(&bo->tbo, &bo->placement, ctx);
		if (ret != -ENOSPC || domains == preferred)
			return ret;
	}

	if (!vtgpu_bo_placement(bo, domains, preferred, true))
		return -EINVAL;
	return ttm_bo_validate(&bo->tbo, &bo->placement, ctx);
}

/**
 * vtgpu_bo_validate_gpu - place a BO where the engine reaches it
 * @bo: the BO, reserved with a ww acquire context
 * @ctx: the operation context; its bytes_moved counts the moves made
 * @promote: evict others to move the BO to its preferred domain
 *
 * With @promote, the BO moves to its preferred domain (GTT for one
 * preferring SYSTEM, if it may use GTT), evicting if need be. Without, a
 * BO in VRAM or GTT moves there only if there is room, and otherwise
 * stays; one in SYSTEM goes to its preferred domain, evicting if need be,
 * or else to the other of VRAM and GTT it may use. A pinned BO stays. TTM evicts under the
 * BO's acquire context, where -ENOSPC may stand for a deadlock: the caller
 * backs off on -ENOSPC, dropping every reservation, and tries again.
 *
 * Returns: 0, -EINVAL for a BO that fits none of VRAM and GTT it may use,
 * -ENOSPC when no room can be made (or to back off), -ENOMEM when out of
 * memory, -ERESTARTSYS when interrupted.
 */
int vtgpu_bo_validate_gpu(struct vtgpu_bo *bo, struct ttm_operation_ctx *ctx,
			  bool promote)
{
	u32 domains = bo->domains &
		(VTGPU_GEM_DOMAIN_VRAM | VTGPU_GEM_DOMAIN_GTT);
	u32 preferred = bo->preferred;
	unsigned int n = 0;

	if (!domains)
		return -EINVAL;
	if (bo->tbo.pin_count)
		return 0;
	/* A BO preferring SYSTEM keeps to system pages: GTT if it may. */
	if (!(preferred & domains))
		preferred = domains & VTGPU_GEM_DOMAIN_GTT ?: VTGPU_GEM_DOMAIN_VRAM;
	if (promote)
		n = vtgpu_bo_placement(bo, domains, preferred, false);
	if (!n)
		n = vtgpu_bo_placement(bo, domains, preferred, true);
	if (!n)
		return -EINVAL;
	return ttm_bo_validate(&bo->tbo, &bo->placement, ctx);
}

/**
 * vtgpu_bo_fault_reserve_notify - bring a BO where the CPU reaches it
 * @bo: the BO, reserved
 * @no_wait_gpu: neither wait for the GPU nor evict
 *
 * Called by the CPU fault handler before it looks up the BO's pages, as
 * amdgpu, radeon and nouveau do. A BO in invisible VRAM moves to visible
 * VRAM if there is room without evicting, or else to GTT, evicting there
 * if need be: a CPU access is not worth VRAM evictions. A BO that may not
 * use GTT goes to visible VRAM, evicting there. The move is pipelined:
 * the fault handler waits for it, with mmap_lock dropped on the first
 * try. With @no_wait_gpu, which that first try passes, the BO moves only
 * where there is room at once and nothing to wait for (fences of other
 * devices, an earlier move out of the place). The BO is then
 * CPU-accessed: its VRAM placements stay in visible VRAM.
 *
 * Lock order: mmap_lock (read), the BO's reservation, then whatever
 * ttm_bo_validate() takes; other BOs are evicted only by trylock.
 *
 * Returns: 0 when the CPU can reach the BO (or its move there is queued);
 * -EBUSY (only with @no_wait_gpu) or -ERESTARTSYS to try again; -EPERM for
 * a pinned BO in invisible VRAM, -E2BIG for one that fits nowhere the CPU
 * reaches, -ENOSPC when no room can be made (with @no_wait_gpu: at once),
 * -ENOMEM when out of memory.
 */
int vtgpu_bo_fault_reserve_notify(struct vtgpu_bo *bo, bool no_wait_gpu)
{
	struct ttm_operation_ctx ctx = {
		.interruptible = true, .no_wait_gpu = no_wait_gpu,
	};
	struct ttm_buffer_object *tbo = &bo->tbo;
	struct vtgpu_device *vtgpu = bdev_to_vtgpu(tbo->bdev);
	struct ttm_placement *placement = &bo->placement;
	bool cpu_accessed = bo->cpu_accessed;
	unsigned int i, n, gtt;
	int ret;

	dma_resv_assert_held(tbo->base.resv);

	if (tbo->resource->mem_type != TTM_PL_VRAM ||
	    vtgpu_res_visible(vtgpu, tbo->resource)) {
		bo->cpu_accessed = true;
		return 0;
	}
	if (tbo->pin_count)
		return -EPERM;

	bo->cpu_accessed = true;
	n = vtgpu_bo_places(bo, VTGPU_GEM_DOMAIN_VRAM, bo->places);
	gtt = 0;
	if (bo->domains & VTGPU_GEM_DOMAIN_GTT)
		gtt = vtgpu_bo_places(bo, VTGPU_GEM_DOMAIN_GTT, bo->places + n);
	if (!n && !gtt) {
		/* Larger than visible VRAM, and not allowed in GTT. */
		bo->cpu_accessed = cpu_accessed;
		return -E2BIG;
	}

	/*
	 * With @no_wait_gpu: visible VRAM or GTT, where there is room now
	 * (TTM_PL_FLAG_DESIRED: never evicting). Else visible VRAM where
	 * there is room, then GTT evicting (TTM_PL_FLAG_FALLBACK); visible
	 * VRAM evicting for a BO that may not use GTT.
	 */
	for (i = 0; i < n + gtt; i++) {
		if (no_wait_gpu || (gtt && i < n))
			bo->places[i].flags |= TTM_PL_FLAG_DESIRED;
		else if (gtt)
			bo->places[i].flags |= TTM_PL_FLAG_FALLBACK;
	}
	placement->placement = bo->places;
	placement->num_placement = n + gtt;

	ret = ttm_bo_validate(tbo, placement, &ctx);
	if (ret) {
		bo->cpu_accessed = cpu_accessed;
		return ret;
	}

	atomic64_inc(&vtgpu->stats.cpu_fault_migrations);
	return 0;
}

/**
 * vtgpu_bo_pin_gtt - move a BO to GTT and pin it there
 * @bo: the BO, reserved
 *
 * For sharing through a dma-buf (&drm_gem_object_funcs.pin, which the
 * core calls with the reservation held): its pages stay put until
 * ttm_bo_unpin().
 *
 * Returns: 0 or a negative error code.
 */
int vtgpu_bo_pin_gtt(struct vtgpu_bo *bo)
{
	struct ttm_operation_ctx ctx = { .interruptible = true };
	struct ttm_buffer_object *tbo = &bo->tbo;
	int ret = 0;

	dma_resv_assert_held(tbo->base.resv);

	if (!tbo->pin_count)
		ret = vtgpu_bo_validate(bo, VTGPU_GEM_DOMAIN_GTT,
					VTGPU_GEM_DOMAIN_GTT, &ctx);
	/* Importers take the pages as they are: written, or not at all. */
	if (!ret)
		ret = vtgpu_bo_wait_moved(bo, true);
	if (!ret)
		ttm_bo_pin(tbo);
	return ret;
}

/**
 * vtgpu_bo_wait_moved - wait for a BO's moves and check that they wrote it
 * @bo: the BO, reserved
 * @interruptible: whether the wait may be interrupted
 *
 * For those who use the BO's memory without waiting for its moves
 * themselves: ptrace, an importer's pages, a kernel mapping.
 *
 * Returns: 0, -EIO when the engine is wedged (a move or clear may have
 * left the BO unwritten, see DOC: engine), or -ERESTARTSYS.
 */
int vtgpu_bo_wait_moved(struct vtgpu_bo *bo, bool interruptible)
{
	long ret;

	dma_resv_assert_held(bo->tbo.base.resv);
	ret = dma_resv_wait_timeout(bo->tbo.base.resv, DMA_RESV_USAGE_KERNEL,
				    interruptible, MAX_SCHEDULE_TIMEOUT);
	if (ret < 0)
		return ret;
	return vtgpu_engine_wedged(bdev_to_vtgpu(bo->tbo.bdev)) ? -EIO : 0;
}

/**
 * vtgpu_bo_create - create a BO
 * @vtgpu: the device
 * @size: its size, a multiple of the page size
 * @domains: VTGPU_GEM_DOMAIN_* it may be placed in
 * @preferred: the one of @domains to place it in
 * @flags: VTGPU_GEM_CREATE_*
 * @type: ttm_bo_type_device, or ttm_bo_type_sg for an import
 * @sg: for an import, the exporter's pages
 * @resv: for an import, the exporter's reservation, locked
 * @userptr: for a userptr BO, its user memory, which the BO owns from
 *	here on, also on failure; NULL for any other BO
 * @pbo: where to return the BO, with one reference
 *
 * A new BO is placed in @preferred, evicting others if need be, or else
 * in another of its domains; an import or a userptr BO stays in SYSTEM
 * until it is used.
 *
 * Returns: 0 or a negative error code.
 */
int vtgpu_bo_create(struct vtgpu_device *vtgpu, u64 size, u32 domains,
		    u32 preferred, u32 flags, enum ttm_bo_type type,
		    struct sg_table *sg, struct dma_resv *resv,
		    struct vtgpu_userptr *userptr, struct vtgpu_bo **pbo)
{
	static const struct ttm_place sys_place = {
		.mem_type = TTM_PL_SYSTEM,
	};
	static struct ttm_placement sys_placement = {
		.num_placement = 1,
		.placement = &sys_place,
	};
	struct ttm_operation_ctx ctx = { .interruptible = true };
	struct vtgpu_bo *bo;
	int ret;

	bo = kzalloc_obj(*bo);
	if (!bo) {
		if (userptr)
			vtgpu_userptr_free(userptr);
		return -ENOMEM;
	}

	drm_gem_private_object_init(&vtgpu->drm, &bo->tbo.base, size);
	bo->tbo.base.funcs = &vtgpu_gem_object_funcs;
	INIT_LIST_HEAD(&bo->link);
	bo->domains = domains;
	bo->preferred = preferred;
	bo->flags = flags;
	bo->mem_type = TTM_PL_SYSTEM;
	bo->userptr = userptr;

	/* On failure, this calls vtgpu_bo_destroy(). */
	ret = ttm_bo_init_reserved(&vtgpu->bdev, &bo->tbo, type,
				   &sys_placement, 0, &ctx, sg, resv,
				   vtgpu_bo_destroy);
	if (ret)
		return ret;

	if (type == ttm_bo_type_device && !userptr)
		ret = vtgpu_bo_validate(bo, domains, preferred, &ctx);
	if (!resv)
		ttm_bo_unreserve(&bo->tbo);
	if (ret) {
		drm_gem_object_put(&bo->tbo.base);
		return ret;
	}

	spin_lock(&vtgpu->bo_lock);
	list_add_tail(&bo->link, &vtgpu->bo_list);
	spin_unlock(&vtgpu->bo_lock);

	*pbo = bo;
	return 0;
}
