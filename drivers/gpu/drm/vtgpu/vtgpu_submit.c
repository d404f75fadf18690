// SPDX-License-Identifier: GPL-2.0-only
/*
 * vtgpu job submission: DRM_IOCTL_VTGPU_SUBMIT.
 */

#include <linux/dma-fence-chain.h>
#include <linux/dma-resv.h>
#include <linux/file.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/sync_file.h>
#include <linux/uaccess.h>

#include <drm/drm_exec.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_syncobj.h>
#include <drm/vtgpu_drm.h>
#include <drm/ttm/ttm_bo.h>

#include "vtgpu_drv.h"

#define VTGPU_SUBMIT_FLAGS	(VTGPU_SUBMIT_IN_FENCE_FD | \
				 VTGPU_SUBMIT_OUT_FENCE_FD | \
				 VTGPU_SUBMIT_NO_IMPLICIT_SYNC)
/* Room for later versions of &struct drm_vtgpu_sync, within reason. */
#define VTGPU_SUBMIT_MAX_SYNC_STRIDE	256
/* Attempts at placing a job's BOs before giving up with -ENOMEM. */
#define VTGPU_SUBMIT_MAX_TRIES	8

/**
 * struct vtgpu_out_sync - a syncobj a job signals
 * @syncobj: the syncobj, with a reference
 * @chain: for a timeline point, the chain link to add it with, allocated
 *	before the job is queued
 * @point: the timeline point, or 0 for a binary syncobj
 */
struct vtgpu_out_sync {
	struct drm_syncobj *syncobj;
	struct dma_fence_chain *chain;
	u64 point;
};

/**
 * struct vtgpu_submit - the state of one DRM_IOCTL_VTGPU_SUBMIT
 * @vtgpu: the device
 * @cmds: the commands, copied in
 * @num_cmds: their number
 * @src: per command, the index in @bos of its source BO
 * @dst: per command, the index in @bos of its destination BO
 * @bos: the BOs the job uses, each once, with a reference
 * @write: per BO, whether the job writes it
 * @pages: per BO, for a userptr BO, the pages collected for the job
 * @num_bos: number of BOs
 * @has_userptr: whether one of the BOs is a userptr BO
 * @implicit_sync: whether the job syncs with others through its BOs
 * @in_fences: the fences to wait for
 * @num_in_fences: their number
 * @out_syncs: the syncobjs to signal
 * @num_out_syncs: their number
 * @exec: the reservations of the BOs
 */
struct vtgpu_submit {
	struct vtgpu_device *vtgpu;
	struct drm_vtgpu_cmd *cmds;
	unsigned int num_cmds;
	unsigned int *src;
	unsigned int *dst;
	struct vtgpu_bo **bos;
	bool *write;
	struct vtgpu_userptr_pages *pages;
	unsigned int num_bos;
	bool has_userptr;
	bool implicit_sync;
	struct dma_fence **in_fences;
	unsigned int num_in_fences;
	struct vtgpu_out_sync *out_syncs;
	unsigned int num_out_syncs;
	struct drm_exec exec;
};

/* Copy sync @i of an array in, as much of it as the kernel knows. */
static int vtgpu_submit_get_sync(struct drm_vtgpu_submit *args, u64 syncs,
				 unsigned int i, struct drm_vtgpu_sync *sync)
{
	int ret;

	ret = copy_struct_from_user(sync, sizeof(*sync),
				    u64_to_user_ptr(syncs +
						    (u64)i * args->sync_stride),
				    args->sync_stride);
	if (ret)
		return ret;
	return sync->flags ? -EINVAL : 0;
}

/* Check a range against a BO's size. */
static bool vtgpu_range_ok(struct drm_gem_object *obj, u64 offset, u64 size)
{
	u64 end;

	return !check_add_overflow(offset, size, &end) && end <= obj->size;
}

/* Look a BO up, adding it to the submission's list once. */
static int vtgpu_submit_add_bo(struct vtgpu_submit *s, struct drm_file *file,
			       u32 handle, bool write, unsigned int *index)
{
	struct drm_gem_object *obj;
	unsigned int i;

	obj = drm_gem_object_lookup(file, handle);
	if (!obj)
		return -ENOENT;

	for (i = 0; i < s->num_bos; i++) {
		if (&s->bos[i]->tbo.base == obj) {
			drm_gem_object_put(obj);
			s->write[i] |= write;
			*index = i;
			return 0;
		}
	}

	s->bos[s->num_bos] = gem_to_vtgpu_bo(obj);
	s->write[s->num_bos] = write;
	*index = s->num_bos++;
	return 0;
}

/* Copy the commands in, check them and look their BOs up. */
static int vtgpu_submit_cmds(struct vtgpu_submit *s, struct drm_file *file,
			     u64 user_cmds)
{
	unsigned int n = s->num_cmds, i;
	int ret;

	s->cmds = kvmalloc_array(n, sizeof(*s->cmds), GFP_KERNEL);
	s->src = kvcalloc(n, sizeof(*s->src), GFP_KERNEL);
	s->dst = kvcalloc(n, sizeof(*s->dst), GFP_KERNEL);
	s->bos = kvcalloc(2 * n, sizeof(*s->bos), GFP_KERNEL);
	s->write = kvcalloc(2 * n, sizeof(*s->write), GFP_KERNEL);
	s->pages = kvcalloc(2 * n, sizeof(*s->pages), GFP_KERNEL);
	if (!s->cmds || !s->src || !s->dst || !s->bos || !s->write ||
	    !s->pages)
		return -ENOMEM;

	if (copy_from_user(s->cmds, u64_to_user_ptr(user_cmds),
			   n * sizeof(*s->cmds)))
		return -EFAULT;

	for (i = 0; i < n; i++) {
		struct drm_vtgpu_cmd *cmd = &s->cmds[i];

		if (cmd->flags || cmd->pad || !cmd->size)
			return -EINVAL;
		switch (cmd->op) {
		case VTGPU_CMD_COPY:
			if (cmd->pattern)
				return -EINVAL;
			ret = vtgpu_submit_add_bo(s, file, cmd->src_handle,
						  false, &s->src[i]);
			if (ret)
				return ret;
			break;
		case VTGPU_CMD_FILL:
			if (cmd->src_handle || cmd->src_offset ||
			    !IS_ALIGNED(cmd->dst_offset, 4) ||
			    !IS_ALIGNED(cmd->size, 4))
				return -EINVAL;
			break;
		default:
			return -EINVAL;
		}
		ret = vtgpu_submit_add_bo(s, file, cmd->dst_handle, true,
					  &s->dst[i]);
		if (ret)
			return ret;

		if (!vtgpu_range_ok(&s->bos[s->dst[i]]->tbo.base,
				    cmd->dst_offset, cmd->size) ||
		    (cmd->op == VTGPU_CMD_COPY &&
		     !vtgpu_range_ok(&s->bos[s->src[i]]->tbo.base,
				     cmd->src_offset, cmd->size)))
			return -EINVAL;
	}

	for (i = 0; i < s->num_bos; i++) {
		/* The engine reaches VRAM and GTT only. */
		if (!(s->bos[i]->domains &
		      (VTGPU_GEM_DOMAIN_VRAM | VTGPU_GEM_DOMAIN_GTT)))
			return -EINVAL;
		ret = vtgpu_userptr_check_use(s->bos[i], s->write[i]);
		if (ret)
			return ret;
		s->has_userptr |= !!s->bos[i]->userptr;
	}
	return 0;
}

/* Collect the in-fences: a sync_file and syncobjs' fences at their points. */
static int vtgpu_submit_in_fences(struct vtgpu_submit *s,
				  struct drm_file *file,
				  struct drm_vtgpu_submit *args)
{
	struct drm_vtgpu_sync sync;
	unsigned int i;
	int ret;

	s->in_fences = kcalloc(args->num_in_syncs + 1, sizeof(*s->in_fences),
			       GFP_KERNEL);
	if (!s->in_fences)
		return -ENOMEM;

	if (args->flags & VTGPU_SUBMIT_IN_FENCE_FD) {
		s->in_fences[0] = sync_file_get_fence(args->in_fence_fd);
		if (!s->in_fences[0])
			return -EINVAL;
		s->num_in_fences++;
	}

	for (i = 0; i < args->num_in_syncs; i++) {
		ret = vtgpu_submit_get_sync(args, args->in_syncs, i, &sync);
		if (ret)
			return ret;
		ret = drm_syncobj_find_fence(file, sync.handle, sync.point, 0,
					     &s->in_fences[s->num_in_fences]);
		if (ret)
			return ret;
		s->num_in_fences++;
	}
	return 0;
}

/*
 * Look the out-syncobjs up and allocate the chain links of their timeline
 * points, so that nothing can fail once the job is queued.
 */
static int vtgpu_submit_out_syncs(struct vtgpu_submit *s,
				  struct drm_file *file,
				  struct drm_vtgpu_submit *args)
{
	struct drm_vtgpu_sync sync;
	struct vtgpu_out_sync *out;
	unsigned int i;
	int ret;

	s->out_syncs = kcalloc(args->num_out_syncs, sizeof(*s->out_syncs),
			       GFP_KERNEL);
	if (!s->out_syncs)
		return -ENOMEM;

	for (i = 0; i < args->num_out_syncs; i++) {
		ret = vtgpu_submit_get_sync(args, args->out_syncs, i, &sync);
		if (ret)
			return ret;
		out = &s->out_syncs[s->num_out_syncs];
		out->syncobj = drm_syncobj_find(file, sync.handle);
		if (!out->syncobj)
			return -ENOENT;
		s->num_out_syncs++;
		out->point = sync.point;
		if (sync.point) {
			out->chain = dma_fence_chain_alloc();
			if (!out->chain)
				return -ENOMEM;
		}
	}
	return 0;
}

/* Signal the out-syncobjs with the job's fence. */
static void vtgpu_submit_signal(struct vtgpu_submit *s, struct dma_fence *fence)
{
	struct vtgpu_out_sync *out;
	unsigned int i;

	for (i = 0; i < s->num_out_syncs; i++) {
		out = &s->out_syncs[i];
		if (out->chain) {
			drm_syncobj_add_point(out->syncobj, out->chain, fence,
					      out->point);
			out->chain = NULL;
		} else {
			drm_syncobj_replace_fence(out->syncobj, fence);
		}
	}
}

/*
 * Collect the pages of the userptr BOs, before any BO is reserved: this
 * takes the mmap_lock and may fault, see DOC: userptr.
 */
static int vtgpu_submit_get_pages(struct vtgpu_submit *s)
{
	unsigned int i;
	int ret;

	for (i = 0; i < s->num_bos; i++) {
		if (!s->bos[i]->userptr || s->pages[i].dma_addrs)
			continue;
		ret = vtgpu_userptr_get_pages(s->bos[i], &s->pages[i]);
		if (ret)
			return ret;
	}
	return 0;
}

static void vtgpu_submit_put_pages(struct vtgpu_submit *s)
{
	unsigned int i;

	for (i = 0; i < s->num_bos; i++)
		if (s->bos[i]->userptr)
			vtgpu_userptr_put_pages(s->bos[i], &s->pages[i]);
}

/*
 * With the BOs reserved and the job begun: take the userptr lock and make
 * the pages of the userptr BOs current. The lock is held until the job's
 * fence is in the reservations, so that an invalidation either comes
 * first, and this fails with -EAGAIN, or waits for the job.
 */
static int vtgpu_submit_userptr_lock(struct vtgpu_submit *s)
{
	unsigned int i;
	int ret;

	if (!s->has_userptr)
		return 0;

	mutex_lock(&s->vtgpu->userptr_lock);
	for (i = 0; i < s->num_bos; i++) {
		if (!s->bos[i]->userptr)
			continue;
		ret = vtgpu_userptr_commit_pages(s->bos[i], &s->pages[i]);
		if (ret) {
			mutex_unlock(&s->vtgpu->userptr_lock);
			return ret;
		}
	}
	return 0;
}

/*
 * Add @delta to the budget of moves, which stays between minus and plus a
 * quarter of VRAM, and return the new budget.
 */
static s64 vtgpu_move_budget_add(struct vtgpu_device *vtgpu, s64 delta)
{
	s64 cap = vtgpu->vram_size / 4;
	s64 old = atomic64_read(&vtgpu->move_budget), new;

	do {
		new = clamp(old + delta, -cap, cap);
	} while (!atomic64_try_cmpxchg(&vtgpu->move_budget, &old, new));
	return new;
}

/*
 * Reserve the BOs, then place each where the engine reaches it, under
 * the acquire context: TTM may then wait for the reservation of a BO to
 * evict instead of passing it by. -ENOSPC, no room or a deadlock with
 * another acquire context in an eviction, means starting over with
 * nothing held.
 *
 * A BO in SYSTEM must move. One the engine reaches where it is, in VRAM
 * or GTT, evicts others to move to where it prefers only while the budget
 * of moves lasts, as amdgpu limits the bytes moved per submission:
 * otherwise two clients whose BOs do not fit in VRAM together would evict
 * each other's at every submission. Past the budget, and once starting
 * over, it moves only where there is room. Each submission adds a 64th of
 * VRAM to the budget; the bytes it moves, evictions included, are taken
 * from it.
 */
static int vtgpu_submit_lock(struct vtgpu_submit *s)
{
	struct ttm_operation_ctx ctx = { .interruptible = true };
	struct vtgpu_device *vtgpu = s->vtgpu;
	unsigned int i, tries = 0;
	bool promote = true;
	s64 budget;
	int ret;

	budget = vtgpu_move_budget_add(vtgpu, vtgpu->vram_size / 64);
retry:
	drm_exec_init(&s->exec, DRM_EXEC_INTERRUPTIBLE_WAIT |
		      DRM_EXEC_IGNORE_DUPLICATES, s->num_bos);
	drm_exec_until_all_locked(&s->exec) {
		for (i = 0; i < s->num_bos; i++) {
			ret = drm_exec_prepare_obj(&s->exec,
						   &s->bos[i]->tbo.base, 1);
			drm_exec_retry_on_contention(&s->exec);
			if (ret)
				goto err;
		}
		/* Evictions lock with the ticket: before ww_acquire_done(). */
		for (i = 0; i < s->num_bos; i++) {
			ret = vtgpu_bo_validate_gpu(s->bos[i], &ctx, promote &&
						    (s64)ctx.bytes_moved < budget);
			if (ret)
				goto err;
		}
	}
	vtgpu_move_budget_add(vtgpu, -(s64)ctx.bytes_moved);
	return 0;

err:
	drm_exec_fini(&s->exec);
	if (ret == -ENOSPC && ++tries < VTGPU_SUBMIT_MAX_TRIES) {
		atomic64_inc(&vtgpu->stats.submit_retries);
		promote = false;
		goto retry;
	}
	vtgpu_move_budget_add(vtgpu, -(s64)ctx.bytes_moved);
	if (ret == -ENOSPC)
		return -ENOMEM;
	return ret == -EINTR ? -ERESTARTSYS : ret;
}

/*
 * The job, with the BOs reserved: its commands, at the BOs' addresses, and
 * its dependencies, the in-fences and the fences of the BOs' reservations
 * that its reads and writes must follow.
 */
static struct vtgpu_job *vtgpu_submit_job(struct vtgpu_submit *s,
					  struct drm_file *file)
{
	struct vtgpu_device *vtgpu = s->vtgpu;
	struct vtgpu_job *job;
	unsigned int i;
	int ret;

	job = vtgpu_job_alloc(vtgpu, file, s->num_cmds);
	if (IS_ERR(job))
		return job;

	for (i = 0; i < s->num_cmds; i++) {
		struct drm_vtgpu_cmd *cmd = &s->cmds[i];
		u64 dst = vtgpu_gpu_addr(vtgpu, s->bos[s->dst[i]]->tbo.resource) +
			  cmd->dst_offset;

		if (cmd->op == VTGPU_CMD_COPY)
			vtgpu_job_add_cmd(job, VTGPU_OP_COPY,
					  vtgpu_gpu_addr(vtgpu,
							 s->bos[s->src[i]]->tbo.resource) +
					  cmd->src_offset, dst, cmd->size);
		else
			vtgpu_job_add_cmd(job, VTGPU_OP_FILL, dst, cmd->size,
					  cmd->pattern);
	}

	for (i = 0; i < s->num_in_fences; i++) {
		ret = drm_sched_job_add_dependency(&job->base,
						   dma_fence_get(s->in_fences[i]));
		if (ret)
			goto err;
	}
	for (i = 0; i < s->num_bos; i++) {
		struct drm_gem_object *obj = &s->bos[i]->tbo.base;

		/* Without implicit sync, the kernel's moves and clears only. */
		if (s->implicit_sync)
			ret = drm_sched_job_add_implicit_dependencies(&job->base,
								      obj,
								      s->write[i]);
		else
			ret = drm_sched_job_add_resv_dependencies(&job->base,
								  obj->resv,
								  DMA_RESV_USAGE_KERNEL);
		if (ret)
			goto err;
	}
	return job;

err:
	vtgpu_job_free(job);
	return ERR_PTR(ret);
}

static void vtgpu_submit_fini(struct vtgpu_submit *s)
{
	unsigned int i;

	for (i = 0; i < s->num_in_fences; i++)
		dma_fence_put(s->in_fences[i]);
	kfree(s->in_fences);
	for (i = 0; i < s->num_out_syncs; i++) {
		dma_fence_chain_free(s->out_syncs[i].chain);
		drm_syncobj_put(s->out_syncs[i].syncobj);
	}
	kfree(s->out_syncs);
	if (s->pages)
		vtgpu_submit_put_pages(s);
	for (i = 0; i < s->num_bos; i++)
		drm_gem_object_put(&s->bos[i]->tbo.base);
	kvfree(s->pages);
	kvfree(s->write);
	kvfree(s->bos);
	kvfree(s->dst);
	kvfree(s->src);
	kvfree(s->cmds);
}

/**
 * vtgpu_submit_ioctl - DRM_IOCTL_VTGPU_SUBMIT
 * @drm: the DRM device
 * @data: &struct drm_vtgpu_submit
 * @file: the DRM file
 *
 * User memory is copied in and the pages of userptr BOs collected before
 * any BO is reserved; the job then waits for its in-fences and its BOs'
 * fences in the scheduler, never here. When the pages of a userptr BO
 * were invalidated meanwhile, everything is undone and done again, up to
 * VTGPU_USERPTR_MAX_TRIES times. The out-fence file is made once the job
 * is queued, as msm and etnaviv do: if that fails, the job runs all the
 * same, its fence still in the out-syncobjs and the BOs.
 *
 * Returns: 0 or a negative error code.
 */
int vtgpu_submit_ioctl(struct drm_device *drm, void *data,
		       struct drm_file *file)
{
	struct vtgpu_device *vtgpu = to_vtgpu(drm);
	struct drm_vtgpu_submit *args = data;
	struct vtgpu_submit s = { .vtgpu = vtgpu };
	enum dma_resv_usage read, write;
	struct dma_fence *fence = NULL;
	struct sync_file *sync_file;
	struct vtgpu_job *job;
	unsigned int i, tries;
	int out_fd = -1;
	int ret;

	if (args->extensions || (args->flags & ~VTGPU_SUBMIT_FLAGS) ||
	    args->pad || !args->num_cmds ||
	    args->num_cmds > VTGPU_SUBMIT_MAX_CMDS ||
	    args->num_in_syncs > VTGPU_SUBMIT_MAX_SYNCS ||
	    args->num_out_syncs > VTGPU_SUBMIT_MAX_SYNCS ||
	    ((args->num_in_syncs || args->num_out_syncs) &&
	     (args->sync_stride < sizeof(struct drm_vtgpu_sync) ||
	      args->sync_stride > VTGPU_SUBMIT_MAX_SYNC_STRIDE)))
		return -EINVAL;
	s.num_cmds = args->num_cmds;
	s.implicit_sync = !(args->flags & VTGPU_SUBMIT_NO_IMPLICIT_SYNC);

	ret = vtgpu_submit_cmds(&s, file, args->cmds);
	if (ret)
		goto out;
	ret = vtgpu_submit_in_fences(&s, file, args);
	if (ret)
		goto out;
	ret = vtgpu_submit_out_syncs(&s, file, args);
	if (ret)
		goto out;
	if (args->flags & VTGPU_SUBMIT_OUT_FENCE_FD) {
		out_fd = get_unused_fd_flags(O_CLOEXEC);
		if (out_fd < 0) {
			ret = out_fd;
			goto out;
		}
	}
	if (vtgpu_engine_wedged(vtgpu)) {
		ret = -EIO;
		goto out;
	}

	for (tries = 1;; tries++) {
		ret = vtgpu_submit_get_pages(&s);
		if (ret)
			goto out;
		ret = vtgpu_submit_lock(&s);
		if (ret)
			goto out;

		job = vtgpu_submit_job(&s, file);
		if (IS_ERR(job)) {
			ret = PTR_ERR(job);
			drm_exec_fini(&s.exec);
			goto out;
		}
		ret = vtgpu_submit_userptr_lock(&s);
		if (!ret)
			break;

		/* Invalidated since collected: start over. */
		vtgpu_job_free(job);
		drm_exec_fini(&s.exec);
		vtgpu_submit_put_pages(&s);
		if (ret != -EAGAIN || tries == VTGPU_USERPTR_MAX_TRIES)
			goto out;
		atomic64_inc(&vtgpu->stats.userptr_retries);
	}
	fence = vtgpu_job_push(job);
	args->seqno = fence->seqno;

	/*
	 * Reads first: BOs sharing a reservation (imports of one dma-buf)
	 * then take one fence slot, a later write replacing the read.
	 * Without implicit sync, the fence is for moves and waits only.
	 */
	read = s.implicit_sync ? DMA_RESV_USAGE_READ : DMA_RESV_USAGE_BOOKKEEP;
	write = s.implicit_sync ? DMA_RESV_USAGE_WRITE : DMA_RESV_USAGE_BOOKKEEP;
	for (i = 0; i < s.num_bos; i++)
		if (!s.write[i])
			dma_resv_add_fence(s.bos[i]->tbo.base.resv, fence, read);
	for (i = 0; i < s.num_bos; i++) {
		if (s.write[i])
			dma_resv_add_fence(s.bos[i]->tbo.base.resv, fence,
					   write);
		ttm_bo_move_to_lru_tail_unlocked(&s.bos[i]->tbo);
	}
	if (s.has_userptr)
		mutex_unlock(&vtgpu->userptr_lock);
	vtgpu_submit_signal(&s, fence);
	drm_exec_fini(&s.exec);

	if (out_fd >= 0) {
		sync_file = sync_file_create(fence);
		if (!sync_file) {
			ret = -ENOMEM;
			goto out;
		}
		fd_install(out_fd, sync_file->file);
		args->out_fence_fd = out_fd;
		out_fd = -1;
	}

out:
	dma_fence_put(fence);
	if (out_fd >= 0)
		put_unused_fd(out_fd);
	vtgpu_submit_fini(&s);
	return ret;
}
