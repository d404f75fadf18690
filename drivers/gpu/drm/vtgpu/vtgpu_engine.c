// SPDX-License-Identifier: GPL-2.0-only
/*
 * The vtgpu DMA engine: a ring of commands in guest memory fed by
 * drm_sched, one hardware fence per job signalled from the FENCE
 * interrupt, and recovery from errors and hangs by an engine reset.
 */

#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/error-injection.h>
#include <linux/fs.h>
#include <linux/interrupt.h>
#include <linux/io-64-nonatomic-lo-hi.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/slab.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_managed.h>
#include <drm/drm_print.h>

#include "vtgpu_drv.h"

#define VTGPU_RING_SIZE		SZ_256K
#define VTGPU_CMD_SIZE		sizeof(struct vtgpu_cmd)
/* How often a job of the driver's own is run again after a reset. */
#define VTGPU_JOB_MAX_RETRIES	2

static unsigned int vtgpu_timeout_ms = 2000;
module_param_named(timeout_ms, vtgpu_timeout_ms, uint, 0444);
MODULE_PARM_DESC(timeout_ms,
		 "Reset the engine when a job makes no progress for this long (ms, default 2000)");

/**
 * DOC: engine
 *
 * The engine executes one ring of VTGPU_RING_SIZE bytes, fed by one
 * drm_sched scheduler: an entity per file for its submissions, and a
 * kernel entity for the driver's own jobs, the moves and clears of BOs.
 * The scheduler waits for the dependencies (a submission's in-fences and
 * its BOs' fences; all of a BO's fences for a move), for this engine's
 * own only until they are on the ring, which executes in order.
 *
 * run_job() writes a job's commands to the ring, then a FENCE command with
 * the seqno of the job's hardware fence, &vtgpu_job.hw_fence. The FENCE
 * raises an interrupt, whose handler signals every pending hardware fence
 * whose seqno the engine has written to the fence write-back location. A
 * job's credits are its commands: it runs when the ring has room for it.
 *
 * Recovery is timedout_job()'s, when a job made no progress for
 * timeout_ms, or at once when the engine halts on an error (the interrupt
 * handler calls drm_sched_fault()). With the submission work stopped, so
 * that run_job() does not write the ring meanwhile, it resets the engine.
 * The oldest pending job is the one the engine was executing: a job of
 * the driver's own (a move or a clear) is run again, up to
 * VTGPU_JOB_MAX_RETRIES times, since failing it would lose a BO's
 * contents; any other job's fence is signalled with -EIO (error) or
 * -ETIMEDOUT (hang). The other pending jobs had not started: they are
 * written to the ring again, from offset 0, as the reset requires. As xe
 * does, the handler returns DRM_GPU_SCHED_STAT_NO_HANG.
 *
 * A job of the driver's own that the engine failed every time is done by
 * its &vtgpu_job.fallback, the CPU's copy of a move between GTT and
 * visible VRAM, as amdgpu and radeon fall back to ttm_bo_move_memcpy().
 * The handler and the fallback are in the fence signalling path of every
 * pending job: they allocate nothing and take no lock but the engine's
 * (and the scheduler's, to stop and start its work), which
 * dma_fence_begin_signalling() lets lockdep check.
 *
 * One with no fallback (a move from or to invisible VRAM, or a clear) that
 * fails for good leaves its destination holding what an earlier owner of
 * that memory left, and TTM does not look at fence errors. So the engine
 * is wedged (&vtgpu_engine.wedged) before the job's fence signals, as
 * drm-uapi.rst's "Device Wedging" asks: the jobs behind it are cancelled
 * (-ECANCELED), later ones fail with -EIO, faults map a dummy page, and
 * whoever waits for a BO's moves to use its memory (ptrace, an importer,
 * a kernel mapping) gets -EIO. &vtgpu_engine.wedge_work then invalidates
 * every CPU mapping of a BO and sends a "WEDGED=rebind" uevent: binding
 * the driver again resets the device. A register reading all ones means
 * the device went from the bus: the engine is dead at once, its jobs
 * failed with -ENODEV.
 *
 * The interrupt handler and the scheduler signal fences without
 * drm_dev_enter(): a CPU fault waits for a move inside it, and
 * drm_dev_unplug() waits for the fault. The engine stops when the driver
 * unbinds, after the PCI remove's drm_dev_unplug(), in a device-managed
 * action that runs before the interrupt and the registers go: its pending
 * jobs, and those run later, fail with -ENODEV. The scheduler and the
 * kernel entity are DRM-managed and go after the last BO: moves and
 * clears can be queued until then.
 */

static const char *vtgpu_fence_get_driver_name(struct dma_fence *fence)
{
	return "vtgpu";
}

static const char *vtgpu_fence_get_timeline_name(struct dma_fence *fence)
{
	return "dma-engine";
}

static u64 vtgpu_engine_seqno(struct vtgpu_engine *engine)
{
	return le64_to_cpu(READ_ONCE(*engine->fence_wb));
}

static bool vtgpu_fence_signaled(struct dma_fence *fence)
{
	struct vtgpu_job *job = container_of(fence, struct vtgpu_job, hw_fence);

	return vtgpu_engine_seqno(&job->vtgpu->engine) >= fence->seqno;
}

/* The hardware fence is the first member: dma_fence_free() frees the job. */
static const struct dma_fence_ops vtgpu_fence_ops = {
	.get_driver_name = vtgpu_fence_get_driver_name,
	.get_timeline_name = vtgpu_fence_get_timeline_name,
	.signaled = vtgpu_fence_signaled,
};

static void vtgpu_ring_write(struct vtgpu_engine *engine, struct vtgpu_job *job)
{
	u32 mask = VTGPU_RING_SIZE - 1;
	unsigned int i;

	for (i = 0; i < job->num_cmds; i++) {
		engine->ring[engine->tail / VTGPU_CMD_SIZE] = job->cmds[i];
		engine->tail = (engine->tail + VTGPU_CMD_SIZE) & mask;
	}
}

/*
 * Signal @job's hardware fence and drop the pending list's reference.
 * The engine runs the ring's jobs one after the other: the job ran from
 * the later of its queuing and the previous job's end until now.
 */
static void vtgpu_job_done(struct vtgpu_engine *engine, struct vtgpu_job *job,
			   int error)
{
	ktime_t now = ktime_get();

	lockdep_assert_held(&engine->lock);
	if (job->file)
		atomic64_add(ktime_sub(now, max(job->queued, engine->last_done)),
			     &job->file->engine_ns);
	engine->last_done = now;
	if (error) {
		dma_fence_set_error(&job->hw_fence, error);
		atomic64_inc(&job->vtgpu->stats.jobs_failed);
	}
	dma_fence_signal_locked(&job->hw_fence);
	list_del_init(&job->link);
	dma_fence_put(&job->hw_fence);
}

/* Signal the pending jobs the engine has completed. */
static void vtgpu_engine_retire(struct vtgpu_engine *engine)
{
	u64 seqno = vtgpu_engine_seqno(engine);
	struct vtgpu_job *job, *tmp;

	lockdep_assert_held(&engine->lock);
	list_for_each_entry_safe(job, tmp, &engine->pending, link) {
		if (job->hw_fence.seqno > seqno)
			break;
		vtgpu_job_done(engine, job, 0);
	}
}

/* Fail every pending job with @error, e.g. when the device is gone. */
static void vtgpu_engine_fail_all(struct vtgpu_engine *engine, int error)
{
	struct vtgpu_job *job, *tmp;

	lockdep_assert_held(&engine->lock);
	list_for_each_entry_safe(job, tmp, &engine->pending, link)
		vtgpu_job_done(engine, job, error);
}

/* A register read all ones: the device went from the bus. */
static void vtgpu_engine_gone(struct vtgpu_engine *engine)
{
	lockdep_assert_held(&engine->lock);
	engine->dead = true;
	vtgpu_engine_fail_all(engine, -ENODEV);
}

static irqreturn_t vtgpu_irq_handler(int irq, void *arg)
{
	struct vtgpu_device *vtgpu = arg;
	struct vtgpu_engine *engine = &vtgpu->engine;
	u32 status;

	status = ioread32(vtgpu->mmio + VTGPU_REG_INT_STATUS);
	/* All ones: the device went from the bus. */
	if (status == U32_MAX)
		return IRQ_NONE;
	status &= VTGPU_INT_FENCE | VTGPU_INT_ERROR;
	if (!status)
		return IRQ_NONE;
	/* Acknowledge first: a fence completing after this raises a new one. */
	iowrite32(status, vtgpu->mmio + VTGPU_REG_INT_ACK);

	spin_lock(&engine->lock);
	vtgpu_engine_retire(engine);
	spin_unlock(&engine->lock);
	if (status & VTGPU_INT_ERROR)
		drm_sched_fault(&engine->sched);
	return IRQ_HANDLED;
}

static const char *vtgpu_error_name(u32 code)
{
	static const char * const names[] = {
		[VTGPU_ERR_NONE] = "none",
		[VTGPU_ERR_BAD_COMMAND] = "bad command",
		[VTGPU_ERR_BAD_ADDRESS] = "bad address",
		[VTGPU_ERR_GART_FAULT] = "GART fault",
		[VTGPU_ERR_GART_READONLY] = "GART read-only",
		[VTGPU_ERR_BAD_SIZE] = "bad size",
		[VTGPU_ERR_DMA_ERROR] = "DMA error",
		[VTGPU_ERR_INJECTED] = "injected",
		[VTGPU_ERR_BAD_RING] = "bad ring",
	};

	return code < ARRAY_SIZE(names) ? names[code] : "unknown";
}

/* Outside the signalling path: unmap the BOs, tell userspace. */
static void vtgpu_wedge_work(struct work_struct *work)
{
	struct vtgpu_device *vtgpu =
		container_of(work, struct vtgpu_device, engine.wedge_work);
	int idx;

	/* Faults now map a dummy page: drop what was mapped. */
	unmap_mapping_range(vtgpu->drm.anon_inode->i_mapping, 0, 0, 1);
	if (drm_dev_enter(&vtgpu->drm, &idx)) {
		drm_dev_wedged_event(&vtgpu->drm, DRM_WEDGE_RECOVERY_REBIND,
				     NULL);
		drm_dev_exit(idx);
	}
}

/*
 * Whether the engine moved on since the last look: a slow job is not a
 * hung one.
 */
static bool vtgpu_engine_progressed(struct vtgpu_engine *engine, u32 head)
{
	u64 seqno = vtgpu_engine_seqno(engine);

	if (seqno == engine->watch_seqno && head == engine->watch_head)
		return false;
	engine->watch_seqno = seqno;
	engine->watch_head = head;
	return true;
}

/*
 * The guilty job failed for good: give up on it, or have the CPU do it.
 * Called and returning with &vtgpu_engine.lock held, which it drops while
 * the fallback runs; the engine is reset and run_job() stopped meanwhile.
 */
static void vtgpu_job_give_up(struct vtgpu_engine *engine,
			      struct vtgpu_job *job, int error)
	__must_hold(&engine->lock)
{
	if (!job->file && job->fallback) {
		spin_unlock_irq(&engine->lock);
		error = job->fallback(job);
		spin_lock_irq(&engine->lock);
		if (!error)
			atomic64_inc(&job->vtgpu->stats.job_fallbacks);
	}
	/* Before the fence signals, see vtgpu_engine_wedged(). */
	if (error && !job->file)
		WRITE_ONCE(engine->wedged, true);
	vtgpu_job_done(engine, job, error);
}

/* Reset the engine and write the jobs that survive to the ring again. */
static void vtgpu_engine_recover(struct vtgpu_device *vtgpu)
{
	struct vtgpu_engine *engine = &vtgpu->engine;
	u32 status, code, head;
	struct vtgpu_job *guilty, *job;
	u64 addr, seqno;

	spin_lock_irq(&engine->lock);
	if (engine->dead || engine->wedged)
		goto out;
	status = ioread32(vtgpu->mmio + VTGPU_REG_ENGINE_STATUS);
	head = ioread32(vtgpu->mmio + VTGPU_REG_RING_HEAD);
	if (status == U32_MAX || head == U32_MAX) {
		vtgpu_engine_gone(engine);
		goto out;
	}
	/* A lost interrupt, or a slow job: nothing to reset. */
	vtgpu_engine_retire(engine);
	if (list_empty(&engine->pending) ||
	    (!(status & VTGPU_STATUS_HALTED) &&
	     vtgpu_engine_progressed(engine, head)))
		goto out;

	code = ioread32(vtgpu->mmio + VTGPU_REG_ERROR_CODE);
	addr = lo_hi_readq(vtgpu->mmio + VTGPU_REG_ERROR_ADDR_LO);
	iowrite32(1, vtgpu->mmio + VTGPU_REG_ENGINE_RESET);
	atomic64_inc(&vtgpu->stats.engine_resets);
	atomic64_inc(status & VTGPU_STATUS_HALTED ? &vtgpu->stats.engine_errors :
		     &vtgpu->stats.engine_timeouts);

	/* What completed before the reset is done; the next job is guilty. */
	vtgpu_engine_retire(engine);
	guilty = list_first_entry_or_null(&engine->pending, struct vtgpu_job,
					  link);
	seqno = guilty ? guilty->hw_fence.seqno : 0;
	if (status & VTGPU_STATUS_HALTED)
		drm_err_ratelimited(&vtgpu->drm,
				    "engine error: %s at ring offset %#x, address %#llx, job %llu\n",
				    vtgpu_error_name(code), head, addr, seqno);
	else
		drm_err_ratelimited(&vtgpu->drm,
				    "engine hang at ring offset %#x, job %llu\n",
				    head, seqno);

	if (guilty && !guilty->file &&
	    guilty->retries < VTGPU_JOB_MAX_RETRIES) {
		guilty->retries++;
		atomic64_inc(&vtgpu->stats.job_retries);
	} else if (guilty) {
		vtgpu_job_give_up(engine, guilty,
				  status & VTGPU_STATUS_HALTED ? -EIO :
								 -ETIMEDOUT);
		/* Stopped while the fallback ran. */
		if (engine->dead)
			goto out;
	}

	/* RING_HEAD and RING_TAIL are 0 now: start from there. */
	engine->tail = 0;
	engine->watch_head = U32_MAX;
	if (engine->wedged) {
		vtgpu_engine_fail_all(engine, -ECANCELED);
		spin_unlock_irq(&engine->lock);
		drm_err(&vtgpu->drm,
			"job %llu of the driver failed for good; the device is wedged until the driver is bound again\n",
			seqno);
		queue_work(system_dfl_wq, &engine->wedge_work);
		return;
	}
	list_for_each_entry(job, &engine->pending, link)
		vtgpu_ring_write(engine, job);
	if (engine->tail) {
		iowrite32(engine->tail, vtgpu->mmio + VTGPU_REG_RING_TAIL);
		iowrite32(1, vtgpu->mmio + VTGPU_REG_DOORBELL);
	}
out:
	spin_unlock_irq(&engine->lock);
}

static struct vtgpu_job *to_vtgpu_job(struct drm_sched_job *sched_job)
{
	return container_of(sched_job, struct vtgpu_job, base);
}

static struct dma_fence *vtgpu_run_job(struct drm_sched_job *sched_job)
{
	struct vtgpu_job *job = to_vtgpu_job(sched_job);
	struct vtgpu_device *vtgpu = job->vtgpu;
	struct vtgpu_engine *engine = &vtgpu->engine;
	struct vtgpu_cmd *fence;
	unsigned long flags;

	spin_lock_irqsave(&engine->lock, flags);
	if (engine->dead || engine->wedged) {
		spin_unlock_irqrestore(&engine->lock, flags);
		return ERR_PTR(engine->dead ? -ENODEV : -EIO);
	}
	dma_fence_init(&job->hw_fence, &vtgpu_fence_ops, &engine->lock,
		       engine->context, engine->next_seqno++);
	fence = &job->cmds[job->num_cmds++];
	fence->opcode = cpu_to_le32(VTGPU_OP_FENCE);
	fence->flags = cpu_to_le32(VTGPU_FENCE_IRQ);
	fence->arg0 = cpu_to_le64(job->hw_fence.seqno);

	atomic64_inc(&vtgpu->stats.jobs);
	job->queued = ktime_get();
	dma_fence_get(&job->hw_fence);
	list_add_tail(&job->link, &engine->pending);
	vtgpu_ring_write(engine, job);
	/* The ring is coherent memory: commands land before the tail. */
	iowrite32(engine->tail, vtgpu->mmio + VTGPU_REG_RING_TAIL);
	iowrite32(1, vtgpu->mmio + VTGPU_REG_DOORBELL);
	spin_unlock_irqrestore(&engine->lock, flags);

	/* The scheduler's reference. */
	return dma_fence_get(&job->hw_fence);
}

static enum drm_gpu_sched_stat
vtgpu_timedout_job(struct drm_sched_job *sched_job)
{
	struct vtgpu_device *vtgpu = to_vtgpu_job(sched_job)->vtgpu;
	struct drm_gpu_scheduler *sched = &vtgpu->engine.sched;
	bool cookie;

	/* Stopped: drm_sched_fini() may run, the work items must stay off. */
	if (READ_ONCE(vtgpu->engine.dead))
		return DRM_GPU_SCHED_STAT_NO_HANG;

	cookie = dma_fence_begin_signalling();
	drm_sched_wqueue_stop(sched);
	vtgpu_engine_recover(vtgpu);
	drm_sched_wqueue_start(sched);

	dma_fence_end_signalling(cookie);
	/* The job goes back on the pending list, freed once it signals. */
	return DRM_GPU_SCHED_STAT_NO_HANG;
}

static void vtgpu_free_job(struct drm_sched_job *sched_job)
{
	struct vtgpu_job *job = to_vtgpu_job(sched_job);

	drm_sched_job_cleanup(sched_job);
	if (job->file)
		vtgpu_file_put(job->file);
	/* Never run: no fence holds the job. */
	if (!test_bit(DMA_FENCE_FLAG_INITIALIZED_BIT, &job->hw_fence.flags))
		kfree(job);
	else
		dma_fence_put(&job->hw_fence);
}

/* drm_sched_fini() with jobs left: only once the engine is stopped. */
static void vtgpu_cancel_job(struct drm_sched_job *sched_job)
{
	struct vtgpu_job *job = to_vtgpu_job(sched_job);
	struct vtgpu_engine *engine = &job->vtgpu->engine;

	spin_lock_irq(&engine->lock);
	if (!list_empty(&job->link))
		vtgpu_job_done(engine, job, -ECANCELED);
	spin_unlock_irq(&engine->lock);
}

static const struct drm_sched_backend_ops vtgpu_sched_ops = {
	.run_job = vtgpu_run_job,
	.timedout_job = vtgpu_timedout_job,
	.free_job = vtgpu_free_job,
	.cancel_job = vtgpu_cancel_job,
};

static void vtgpu_file_release(struct kref *kref)
{
	kfree(container_of(kref, struct vtgpu_file, refcount));
}

/**
 * vtgpu_file_put - drop a reference to a &vtgpu_file
 * @vfile: the file's state
 */
void vtgpu_file_put(struct vtgpu_file *vfile)
{
	kref_put(&vfile->refcount, vtgpu_file_release);
}

/**
 * vtgpu_job_alloc - allocate a job
 * @vtgpu: the device
 * @file: the file submitting it, or NULL for a job of the driver's own
 *	(a move or a clear), see &vtgpu_job.file
 * @num_cmds: how many COPY and FILL commands the job will hold
 *
 * Fill the job with vtgpu_job_add_cmd(), add its dependencies to
 * &vtgpu_job.base, then queue it with vtgpu_job_push(), or free it with
 * vtgpu_job_free().
 *
 * Returns: the job, or an ERR_PTR().
 */
struct vtgpu_job *vtgpu_job_alloc(struct vtgpu_device *vtgpu,
				  struct drm_file *file, unsigned int num_cmds)
{
	struct vtgpu_file *vfile = file ? file->driver_priv : NULL;
	struct drm_sched_entity *entity;
	struct vtgpu_job *job;
	int ret;

	/* dma_fence_free() of the hardware fence frees the job. */
	BUILD_BUG_ON(offsetof(struct vtgpu_job, hw_fence));
	job = kzalloc(struct_size(job, cmds, num_cmds + 1), GFP_KERNEL);
	if (!job)
		return ERR_PTR(-ENOMEM);

	job->vtgpu = vtgpu;
	job->file = vfile;
	job->max_cmds = num_cmds + 1;
	INIT_LIST_HEAD(&job->link);

	entity = vfile ? &vfile->entity.base : &vtgpu->engine.kernel_entity.base;
	ret = drm_sched_job_init(&job->base, entity, job->max_cmds, file,
				 file ? file->client_id : 0);
	if (ret) {
		kfree(job);
		return ERR_PTR(ret);
	}
	if (vfile)
		kref_get(&vfile->refcount);
	return job;
}

/**
 * vtgpu_job_free - free a job that was never pushed
 * @job: the job
 */
void vtgpu_job_free(struct vtgpu_job *job)
{
	drm_sched_job_cleanup(&job->base);
	if (job->file)
		vtgpu_file_put(job->file);
	kfree(job);
}

/**
 * vtgpu_job_add_cmd - append a command to a job
 * @job: the job
 * @opcode: VTGPU_OP_COPY or VTGPU_OP_FILL
 * @arg0: COPY: source GPU address; FILL: destination GPU address
 * @arg1: COPY: destination GPU address; FILL: size, a multiple of 4
 * @arg2: COPY: size; FILL: 32-bit pattern
 *
 * A size of 0, or a FILL size not a multiple of 4, halts the engine.
 */
void vtgpu_job_add_cmd(struct vtgpu_job *job, u32 opcode, u64 arg0,
		       u64 arg1, u64 arg2)
{
	struct vtgpu_cmd *cmd;

	if (WARN_ON(job->num_cmds + 1 >= job->max_cmds))
		return;
	cmd = &job->cmds[job->num_cmds++];
	cmd->opcode = cpu_to_le32(opcode);
	cmd->arg0 = cpu_to_le64(arg0);
	cmd->arg1 = cpu_to_le64(arg1);
	cmd->arg2 = cpu_to_le64(arg2);
}

/**
 * vtgpu_job_push - queue a job on its entity
 * @job: the job, filled, its dependencies added
 *
 * Cannot fail: the job runs once its dependencies signal, or fails with
 * -EIO when the device is wedged or -ENODEV when it is gone; the scheduler
 * frees it.
 *
 * Returns: a reference to the job's finished fence, for the caller to put.
 */
struct dma_fence *vtgpu_job_push(struct vtgpu_job *job)
{
	struct vtgpu_entity *entity =
		container_of(job->base.entity, struct vtgpu_entity, base);
	struct dma_fence *fence;

	/* Queue order is seqno order: submitters may race. */
	mutex_lock(&entity->push_lock);
	drm_sched_job_arm(&job->base);
	fence = dma_fence_get(&job->base.s_fence->finished);
	drm_sched_entity_push_job(&job->base);
	mutex_unlock(&entity->push_lock);
	return fence;
}

/**
 * vtgpu_entity_init - set up a scheduler entity of the engine
 * @vtgpu: the device
 * @entity: the entity
 * @priority: its priority
 *
 * Returns: 0 or a negative error code.
 */
int vtgpu_entity_init(struct vtgpu_device *vtgpu, struct vtgpu_entity *entity,
		      enum drm_sched_priority priority)
{
	struct drm_gpu_scheduler *sched = &vtgpu->engine.sched;

	mutex_init(&entity->push_lock);
	return drm_sched_entity_init(&entity->base, priority, &sched, 1, NULL);
}

/**
 * vtgpu_entity_fini - tear down a scheduler entity, once its jobs ran
 * @entity: the entity
 */
void vtgpu_entity_fini(struct vtgpu_entity *entity)
{
	drm_sched_entity_destroy(&entity->base);
	mutex_destroy(&entity->push_lock);
}

/*
 * Run an empty job through the ring: the engine and its interrupt work.
 * Not inlined, so that a test can make it fail (ALLOW_ERROR_INJECTION()):
 * the one probe error path with the engine running.
 */
static noinline int vtgpu_engine_ring_test(struct vtgpu_device *vtgpu)
{
	struct dma_fence *fence;
	struct vtgpu_job *job;
	long ret;

	job = vtgpu_job_alloc(vtgpu, NULL, 0);
	if (IS_ERR(job))
		return PTR_ERR(job);
	fence = vtgpu_job_push(job);

	ret = dma_fence_wait_timeout(fence, false,
				     msecs_to_jiffies(vtgpu_timeout_ms));
	if (ret == 0)
		ret = -ETIMEDOUT;
	else if (ret > 0)
		ret = fence->error;
	dma_fence_put(fence);
	if (ret)
		drm_err(&vtgpu->drm, "ring test failed: %ld\n", ret);
	return ret;
}
ALLOW_ERROR_INJECTION(vtgpu_engine_ring_test, ERRNO);

static void vtgpu_engine_hw_init(struct vtgpu_device *vtgpu)
{
	struct vtgpu_engine *engine = &vtgpu->engine;
	void __iomem *mmio = vtgpu->mmio;

	iowrite32(1, mmio + VTGPU_REG_ENGINE_RESET);
	*engine->fence_wb = cpu_to_le64(engine->next_seqno - 1);
	lo_hi_writeq(engine->fence_wb_dma, mmio + VTGPU_REG_FENCE_WB_LO);
	lo_hi_writeq(engine->ring_dma, mmio + VTGPU_REG_RING_BASE_LO);
	iowrite32(VTGPU_RING_SIZE, mmio + VTGPU_REG_RING_SIZE);
	iowrite32(VTGPU_INT_FENCE | VTGPU_INT_ERROR, mmio + VTGPU_REG_INT_ACK);
	iowrite32(VTGPU_INT_FENCE | VTGPU_INT_ERROR, mmio + VTGPU_REG_INT_MASK);
}

/**
 * vtgpu_engine_wedged - whether a job of the driver's own failed for good
 * @vtgpu: the device
 *
 * The engine is wedged before the failed job's fence signals: a caller
 * that waited for the fences of a BO's moves and then sees false knows
 * that they wrote what they were to write. See DOC: engine.
 *
 * Returns: true once the engine is wedged.
 */
bool vtgpu_engine_wedged(struct vtgpu_device *vtgpu)
{
	/* Pairs with the fence signalling after @wedged was set. */
	smp_rmb();
	return READ_ONCE(vtgpu->engine.wedged);
}

/*
 * Stop the engine for good, when the driver unbinds (after the PCI
 * remove's drm_dev_unplug()) or its probe fails: fail the jobs it had not
 * completed with -ENODEV; later jobs fail at once.
 */
static void vtgpu_engine_stop(void *arg)
{
	struct vtgpu_device *vtgpu = arg;
	struct vtgpu_engine *engine = &vtgpu->engine;
	void __iomem *mmio = vtgpu->mmio;

	/* run_job() and recovery touch no register from here on. */
	spin_lock_irq(&engine->lock);
	engine->dead = true;
	spin_unlock_irq(&engine->lock);
	flush_workqueue(engine->tdr_wq);
	disable_work_sync(&engine->wedge_work);

	iowrite32(0, mmio + VTGPU_REG_INT_MASK);
	iowrite32(1, mmio + VTGPU_REG_ENGINE_RESET);
	iowrite32(0, mmio + VTGPU_REG_RING_SIZE);
	lo_hi_writeq(0, mmio + VTGPU_REG_FENCE_WB_LO);

	spin_lock_irq(&engine->lock);
	vtgpu_engine_retire(engine);
	vtgpu_engine_fail_all(engine, -ENODEV);
	spin_unlock_irq(&engine->lock);
}

static void vtgpu_engine_fini(struct drm_device *drm, void *arg)
{
	struct vtgpu_engine *engine = arg;

	vtgpu_entity_fini(&engine->kernel_entity);
	drm_sched_fini(&engine->sched);
}

/**
 * vtgpu_engine_init - set up the ring, the scheduler and the interrupt
 * @vtgpu: the device, with its registers mapped and bus mastering on
 *
 * The hardware side is device-managed, stopped when the probe fails or
 * the driver unbinds; the scheduler is DRM-managed and stays until the
 * last BO is gone.
 *
 * Returns: 0 or a negative error code.
 */
int vtgpu_engine_init(struct vtgpu_device *vtgpu)
{
	struct vtgpu_engine *engine = &vtgpu->engine;
	struct pci_dev *pdev = to_pci_dev(vtgpu->drm.dev);
	struct drm_sched_init_args args = {
		.ops = &vtgpu_sched_ops,
		.num_rqs = DRM_SCHED_PRIORITY_COUNT,
		.credit_limit = VTGPU_RING_SIZE / VTGPU_CMD_SIZE - 1,
		.timeout = msecs_to_jiffies(max(vtgpu_timeout_ms, 10U)),
		.name = "vtgpu",
		.dev = vtgpu->drm.dev,
	};
	struct drm_gpu_scheduler *sched = &engine->sched;
	int ret;

	BUILD_BUG_ON_NOT_POWER_OF_2(VTGPU_RING_SIZE);
	spin_lock_init(&engine->lock);
	INIT_LIST_HEAD(&engine->pending);
	INIT_WORK(&engine->wedge_work, vtgpu_wedge_work);
	engine->context = dma_fence_context_alloc(1);
	engine->next_seqno = 1;
	engine->watch_head = U32_MAX;

	engine->ring = dmam_alloc_coherent(&pdev->dev, VTGPU_RING_SIZE,
					   &engine->ring_dma, GFP_KERNEL);
	engine->fence_wb = dmam_alloc_coherent(&pdev->dev, PAGE_SIZE,
					       &engine->fence_wb_dma,
					       GFP_KERNEL);
	if (!engine->ring || !engine->fence_wb)
		return -ENOMEM;

	/* Recovery signals fences: it must run under memory pressure. */
	engine->tdr_wq = drmm_alloc_ordered_workqueue(&vtgpu->drm,
						      "vtgpu-tdr", WQ_MEM_RECLAIM);
	if (IS_ERR(engine->tdr_wq))
		return PTR_ERR(engine->tdr_wq);
	args.timeout_wq = engine->tdr_wq;
	ret = drm_sched_init(sched, &args);
	if (ret)
		return ret;
	ret = vtgpu_entity_init(vtgpu, &engine->kernel_entity,
				DRM_SCHED_PRIORITY_KERNEL);
	if (ret) {
		drm_sched_fini(sched);
		return ret;
	}
	ret = drmm_add_action_or_reset(&vtgpu->drm, vtgpu_engine_fini, engine);
	if (ret)
		return ret;

	ret = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSI | PCI_IRQ_INTX);
	if (ret < 0)
		return ret;
	ret = devm_request_irq(&pdev->dev, pci_irq_vector(pdev, 0),
			       vtgpu_irq_handler, IRQF_SHARED, "vtgpu", vtgpu);
	if (ret)
		return ret;

	vtgpu_engine_hw_init(vtgpu);
	/* Released before the interrupt: the engine stops first. */
	ret = devm_add_action_or_reset(&pdev->dev, vtgpu_engine_stop, vtgpu);
	if (ret)
		return ret;

	return vtgpu_engine_ring_test(vtgpu);
}
ALLOW_ERROR_INJECTION(vtgpu_engine_init, ERRNO);
