// SPDX-License-Identifier: GPL-2.0-only
/*
 * The vtgpu DMA engine: a ring of commands in guest memory, one dma_fence
 * per job signalled from the FENCE interrupt, and recovery from errors and
 * hangs by an engine reset.
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
#include <drm/drm_print.h>

#include "vtgpu_drv.h"

#define VTGPU_RING_SIZE		SZ_256K
#define VTGPU_CMD_SIZE		sizeof(struct vtgpu_cmd)
/* How often a job of the driver's own is run again after a reset. */
#define VTGPU_JOB_MAX_RETRIES	2

static unsigned int vtgpu_timeout_ms = 2000;
module_param_named(timeout_ms, vtgpu_timeout_ms, uint, 0644);
MODULE_PARM_DESC(timeout_ms,
		 "Reset the engine when it makes no progress for this long (ms, default 2000)");

/**
 * DOC: engine
 *
 * The driver talks to the engine through one ring of VTGPU_RING_SIZE
 * bytes. A job is a few commands followed by a FENCE command whose seqno
 * is the seqno of the job's &dma_fence; the FENCE raises an interrupt, and
 * the handler signals every pending job whose seqno the engine has written
 * to the fence write-back location. Jobs execute in ring order, so a job
 * needs no dependency on an earlier job of this engine: only foreign
 * fences are waited for, by the submitter, before the job is committed.
 *
 * Locking: &vtgpu_engine.submit_lock serialises submitters, from the seqno
 * they take to the ring write, so that seqnos are in ring order. It is
 * taken with BO reservations held (moves, submits) and nests inside them;
 * nothing is waited for under it but ring space, that is the oldest
 * pending job, which the interrupt handler or the reset worker complete
 * without taking it. &vtgpu_engine.lock, a spinlock taken from the
 * interrupt handler, protects the pending list, the ring tail and the
 * engine registers, and is the lock of every job fence.
 *
 * Recovery: the watchdog runs while jobs are pending; when neither the
 * seqno nor RING_HEAD moved for timeout_ms, or when the engine reports an
 * error, the reset worker resets the engine. The oldest pending job is the
 * one the engine was executing: a job of the driver's own (a move) is run
 * again, up to VTGPU_JOB_MAX_RETRIES times, since failing it would lose a
 * BO's contents; any other job's fence is signalled with -EIO (error) or
 * -ETIMEDOUT (hang). The other pending jobs had not started and are
 * written to the ring again, from offset 0, as the reset requires, and
 * complete as if nothing had happened.
 *
 * A job of the driver's own that the engine failed every time is done by
 * its &vtgpu_job.fallback, the CPU's copy of a move between GTT and visible
 * VRAM, the way amdgpu and radeon fall back to ttm_bo_move_memcpy(). The
 * engine stays stopped meanwhile (&vtgpu_engine.stalled): the jobs after it
 * may use what it copies, or the VRAM it copies from once it is done.
 *
 * A job of the driver's own with no fallback (a move from or to invisible
 * VRAM, which the CPU does not reach, or a clear) that fails for good
 * leaves its destination unwritten, holding what an earlier owner of that
 * memory left there; TTM does not look at fence errors. So the engine is
 * wedged (&vtgpu_engine.wedged) before the job's fence signals with the
 * error, as drm-uapi.rst's "Device Wedging" asks: the engine stays
 * stopped, the jobs behind it are cancelled (-ECANCELED), later ones fail
 * at once with -EIO, every CPU mapping of a BO is invalidated and faults
 * map a dummy page, whoever waited for a BO's moves to use its memory
 * (ptrace, an importer, a kernel mapping) gets -EIO, and userspace gets a
 * "WEDGED=rebind" uevent: unbinding and binding the driver resets the
 * device.
 *
 * A register reading all ones means the device went from the bus: the
 * engine is then dead at once, its jobs failed with -ENODEV.
 *
 * The interrupt handler, the watchdog and the reset worker signal fences
 * without drm_dev_enter(): a CPU fault waits for a move inside it, and
 * drm_dev_unplug() waits for the fault. They run until the engine stops
 * when the driver unbinds, after the PCI remove's drm_dev_unplug(), in a
 * device-managed action that runs before the interrupt is freed and the
 * registers are unmapped.
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
	struct vtgpu_job *job = to_vtgpu_job(fence);

	return vtgpu_engine_seqno(&job->vtgpu->engine) >= fence->seqno;
}

static const struct dma_fence_ops vtgpu_fence_ops = {
	.get_driver_name = vtgpu_fence_get_driver_name,
	.get_timeline_name = vtgpu_fence_get_timeline_name,
	.signaled = vtgpu_fence_signaled,
};

/**
 * vtgpu_fence_is_ours - whether a fence is a job fence of this device
 * @vtgpu: the device
 * @fence: the fence
 *
 * Jobs of one engine execute in order: a job never waits for an earlier
 * one of the same engine, only for the fences this returns false for.
 */
bool vtgpu_fence_is_ours(struct vtgpu_device *vtgpu, struct dma_fence *fence)
{
	return fence->context == vtgpu->engine.context;
}

static void vtgpu_ring_write(struct vtgpu_engine *engine, struct vtgpu_job *job)
{
	u32 mask = engine->ring_size - 1;
	unsigned int i;

	job->ring_start = engine->tail;
	for (i = 0; i < job->num_cmds; i++) {
		engine->ring[engine->tail / VTGPU_CMD_SIZE] = job->cmds[i];
		engine->tail = (engine->tail + VTGPU_CMD_SIZE) & mask;
	}
}

/* Bytes the pending jobs occupy in the ring. */
static u32 vtgpu_ring_used(struct vtgpu_engine *engine)
{
	struct vtgpu_job *first;

	lockdep_assert_held(&engine->lock);
	first = list_first_entry_or_null(&engine->pending, struct vtgpu_job,
					 link);
	if (!first)
		return 0;
	return (engine->tail - first->ring_start) & (engine->ring_size - 1);
}

/*
 * Signal the pending jobs the engine has completed, moving them to @done
 * for the caller to put once the lock is dropped.
 */
static void vtgpu_engine_retire(struct vtgpu_engine *engine,
				struct list_head *done)
{
	u64 seqno = vtgpu_engine_seqno(engine);
	struct vtgpu_job *job, *tmp;

	lockdep_assert_held(&engine->lock);
	list_for_each_entry_safe(job, tmp, &engine->pending, link) {
		if (job->base.seqno > seqno)
			break;
		dma_fence_signal_locked(&job->base);
		list_move_tail(&job->link, done);
	}
}

/* Fail every pending job with @error, e.g. when the device is gone. */
static void vtgpu_engine_fail_all(struct vtgpu_engine *engine, int error,
				  struct list_head *done)
{
	struct vtgpu_job *job, *tmp;

	lockdep_assert_held(&engine->lock);
	list_for_each_entry_safe(job, tmp, &engine->pending, link) {
		dma_fence_set_error(&job->base, error);
		dma_fence_signal_locked(&job->base);
		list_move_tail(&job->link, done);
		engine->stats.failed++;
	}
}

/* A register read all ones: the device went from the bus. */
static void vtgpu_engine_gone(struct vtgpu_engine *engine,
			      struct list_head *done)
{
	lockdep_assert_held(&engine->lock);
	engine->dead = true;
	vtgpu_engine_fail_all(engine, -ENODEV, done);
}

static void vtgpu_jobs_put(struct list_head *done)
{
	struct vtgpu_job *job, *tmp;

	list_for_each_entry_safe(job, tmp, done, link) {
		list_del(&job->link);
		dma_fence_put(&job->base);
	}
}

static void vtgpu_watchdog_arm(struct vtgpu_engine *engine)
{
	mod_delayed_work(system_wq, &engine->watchdog,
			 msecs_to_jiffies(max(vtgpu_timeout_ms, 10U)));
}

static irqreturn_t vtgpu_irq_handler(int irq, void *arg)
{
	struct vtgpu_device *vtgpu = arg;
	struct vtgpu_engine *engine = &vtgpu->engine;
	LIST_HEAD(done);
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
	vtgpu_engine_retire(engine, &done);
	spin_unlock(&engine->lock);
	if (status & VTGPU_INT_ERROR)
		queue_work(system_highpri_wq, &engine->reset_work);

	vtgpu_jobs_put(&done);
	return IRQ_HANDLED;
}

/*
 * The watchdog: retires what the engine completed (in case an interrupt
 * was lost) and, when it made no progress at all since the last run,
 * declares a hang.
 */
static void vtgpu_watchdog_work(struct work_struct *work)
{
	struct vtgpu_engine *engine =
		container_of(to_delayed_work(work), struct vtgpu_engine,
			     watchdog);
	struct vtgpu_device *vtgpu =
		container_of(engine, struct vtgpu_device, engine);
	LIST_HEAD(done);
	u64 seqno;
	u32 head;

	spin_lock_irq(&engine->lock);
	vtgpu_engine_retire(engine, &done);
	if (!list_empty(&engine->pending) && !engine->dead &&
	    !engine->wedged && !engine->stalled) {
		seqno = vtgpu_engine_seqno(engine);
		head = ioread32(vtgpu->mmio + VTGPU_REG_RING_HEAD);
		if (head == U32_MAX) {
			vtgpu_engine_gone(engine, &done);
		} else if (seqno == engine->watch_seqno &&
			   head == engine->watch_head) {
			engine->hung = true;
			queue_work(system_highpri_wq, &engine->reset_work);
		} else {
			engine->watch_seqno = seqno;
			engine->watch_head = head;
			vtgpu_watchdog_arm(engine);
		}
	}
	spin_unlock_irq(&engine->lock);

	vtgpu_jobs_put(&done);
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

/*
 * Run a job's fallback, the engine stopped: called and returning with
 * &vtgpu_engine.lock held, which it drops meanwhile. The job stays the
 * oldest pending one; commits meanwhile only write the ring's memory.
 */
static int vtgpu_job_fallback(struct vtgpu_engine *engine,
			      struct vtgpu_job *job)
	__must_hold(&engine->lock)
{
	int ret;

	engine->stalled = true;
	spin_unlock_irq(&engine->lock);
	ret = job->fallback(job);
	spin_lock_irq(&engine->lock);
	engine->stalled = false;
	if (!ret)
		engine->stats.fallbacks++;
	return ret;
}

/* Reset the engine and write the jobs that survive to the ring again. */
static void vtgpu_reset_work(struct work_struct *work)
{
	struct vtgpu_engine *engine =
		container_of(work, struct vtgpu_engine, reset_work);
	struct vtgpu_device *vtgpu =
		container_of(engine, struct vtgpu_device, engine);
	struct vtgpu_job *guilty, *job;
	u32 status, code, head;
	LIST_HEAD(done);
	u64 addr, seqno;
	int error = 0, idx;

	spin_lock_irq(&engine->lock);
	if (engine->dead || engine->wedged) {
		spin_unlock_irq(&engine->lock);
		return;
	}
	status = ioread32(vtgpu->mmio + VTGPU_REG_ENGINE_STATUS);
	if (status == U32_MAX) {
		vtgpu_engine_gone(engine, &done);
		spin_unlock_irq(&engine->lock);
		vtgpu_jobs_put(&done);
		return;
	}
	if (!(status & VTGPU_STATUS_HALTED) && !engine->hung) {
		spin_unlock_irq(&engine->lock);
		return;
	}
	code = ioread32(vtgpu->mmio + VTGPU_REG_ERROR_CODE);
	head = ioread32(vtgpu->mmio + VTGPU_REG_RING_HEAD);
	addr = lo_hi_readq(vtgpu->mmio + VTGPU_REG_ERROR_ADDR_LO);
	/* A slow job may have moved on since the watchdog gave up on it. */
	if (!(status & VTGPU_STATUS_HALTED) &&
	    (head != engine->watch_head ||
	     vtgpu_engine_seqno(engine) != engine->watch_seqno)) {
		engine->hung = false;
		vtgpu_watchdog_arm(engine);
		spin_unlock_irq(&engine->lock);
		return;
	}
	iowrite32(1, vtgpu->mmio + VTGPU_REG_ENGINE_RESET);

	engine->stats.resets++;
	if (status & VTGPU_STATUS_HALTED)
		engine->stats.errors++;
	else
		engine->stats.timeouts++;
	engine->hung = false;

	/* What completed before the reset is done; the next job is guilty. */
	vtgpu_engine_retire(engine, &done);
	guilty = list_first_entry_or_null(&engine->pending, struct vtgpu_job,
					  link);
	if (status & VTGPU_STATUS_HALTED)
		drm_err_ratelimited(&vtgpu->drm,
				    "engine error: %s at ring offset %#x, address %#llx, job %llu\n",
				    vtgpu_error_name(code), head, addr,
				    guilty ? guilty->base.seqno : 0);
	else
		drm_err_ratelimited(&vtgpu->drm,
				    "engine hang at ring offset %#x, job %llu\n",
				    head, guilty ? guilty->base.seqno : 0);

	if (guilty && guilty->kernel && guilty->retries < VTGPU_JOB_MAX_RETRIES) {
		guilty->retries++;
		engine->stats.retries++;
	} else if (guilty) {
		error = status & VTGPU_STATUS_HALTED ? -EIO : -ETIMEDOUT;
		if (guilty->kernel && guilty->fallback)
			error = vtgpu_job_fallback(engine, guilty);
		if (error) {
			dma_fence_set_error(&guilty->base, error);
			engine->stats.failed++;
			/* Before the fence signals, see vtgpu_engine_wedged(). */
			if (guilty->kernel)
				WRITE_ONCE(engine->wedged, true);
		}
		dma_fence_signal_locked(&guilty->base);
		list_move_tail(&guilty->link, &done);
	}

	if (engine->wedged) {
		seqno = guilty->base.seqno;
		vtgpu_engine_fail_all(engine, -ECANCELED, &done);
		engine->tail = 0;
		spin_unlock_irq(&engine->lock);

		drm_err(&vtgpu->drm,
			"job %llu of the driver failed for good: %d; the device is wedged until the driver is bound again\n",
			seqno, error);
		/* Faults now map a dummy page: drop what was mapped. */
		unmap_mapping_range(vtgpu->drm.anon_inode->i_mapping, 0, 0, 1);
		if (drm_dev_enter(&vtgpu->drm, &idx)) {
			drm_dev_wedged_event(&vtgpu->drm,
					     DRM_WEDGE_RECOVERY_REBIND, NULL);
			drm_dev_exit(idx);
		}
		vtgpu_jobs_put(&done);
		return;
	}

	/* RING_HEAD and RING_TAIL are 0 now: rewrite the ring from there. */
	engine->tail = 0;
	list_for_each_entry(job, &engine->pending, link)
		vtgpu_ring_write(engine, job);
	if (engine->tail) {
		iowrite32(engine->tail, vtgpu->mmio + VTGPU_REG_RING_TAIL);
		iowrite32(1, vtgpu->mmio + VTGPU_REG_DOORBELL);
		engine->watch_seqno = vtgpu_engine_seqno(engine);
		engine->watch_head = U32_MAX;
		vtgpu_watchdog_arm(engine);
	}
	spin_unlock_irq(&engine->lock);

	vtgpu_jobs_put(&done);
}

/**
 * vtgpu_job_alloc - allocate a job
 * @vtgpu: the device
 * @num_cmds: how many COPY and FILL commands the job will hold
 * @kernel: a job of the driver's own, see &vtgpu_job.kernel
 *
 * Fill the job with vtgpu_job_copy() and vtgpu_job_fill(), then submit it
 * with vtgpu_job_submit() or vtgpu_job_begin() and vtgpu_job_commit(); or
 * free it with vtgpu_job_free() before vtgpu_job_begin().
 *
 * Returns: the job, or NULL when out of memory.
 */
struct vtgpu_job *vtgpu_job_alloc(struct vtgpu_device *vtgpu,
				  unsigned int num_cmds, bool kernel)
{
	struct vtgpu_job *job;

	job = kzalloc(struct_size(job, cmds, num_cmds + 1), GFP_KERNEL);
	if (!job)
		return NULL;

	job->vtgpu = vtgpu;
	job->kernel = kernel;
	job->max_cmds = num_cmds + 1;
	INIT_LIST_HEAD(&job->link);
	return job;
}

/**
 * vtgpu_job_free - free a job that was never begun
 * @job: the job
 */
void vtgpu_job_free(struct vtgpu_job *job)
{
	kfree(job);
}

static struct vtgpu_cmd *vtgpu_job_next(struct vtgpu_job *job, u32 opcode)
{
	struct vtgpu_cmd *cmd;

	if (WARN_ON(job->num_cmds + 1 >= job->max_cmds))
		return NULL;
	cmd = &job->cmds[job->num_cmds++];
	cmd->opcode = cpu_to_le32(opcode);
	return cmd;
}

/**
 * vtgpu_job_copy - append a COPY command to a job
 * @job: the job
 * @src: GPU address of the source
 * @dst: GPU address of the destination
 * @size: bytes to copy, not 0
 */
void vtgpu_job_copy(struct vtgpu_job *job, u64 src, u64 dst, u64 size)
{
	struct vtgpu_cmd *cmd = vtgpu_job_next(job, VTGPU_OP_COPY);

	if (!cmd)
		return;
	cmd->arg0 = cpu_to_le64(src);
	cmd->arg1 = cpu_to_le64(dst);
	cmd->arg2 = cpu_to_le64(size);
}

/**
 * vtgpu_job_fill - append a FILL command to a job
 * @job: the job
 * @dst: GPU address of the destination
 * @size: bytes to fill, not 0, a multiple of 4
 * @pattern: the 32-bit pattern
 */
void vtgpu_job_fill(struct vtgpu_job *job, u64 dst, u64 size, u32 pattern)
{
	struct vtgpu_cmd *cmd = vtgpu_job_next(job, VTGPU_OP_FILL);

	if (!cmd)
		return;
	cmd->arg0 = cpu_to_le64(dst);
	cmd->arg1 = cpu_to_le64(size);
	cmd->arg2 = cpu_to_le64(pattern);
}

/**
 * vtgpu_job_begin - reserve ring space and a seqno for a job
 * @job: the job, filled
 * @interruptible: whether the wait for ring space may be interrupted
 *
 * On success the job's fence is initialised and &vtgpu_engine.submit_lock
 * is held: the caller prepares what must not fail once the job runs (an
 * out-fence file, for instance), then calls vtgpu_job_commit() or, to give
 * up, vtgpu_job_abort(). Either way it owns a reference to the fence.
 *
 * Returns: 0, -ERESTARTSYS when interrupted, -ENODEV when the device is
 * gone, -EIO when it is wedged. On failure nothing changed and the job is
 * still to be freed with vtgpu_job_free().
 */
int vtgpu_job_begin(struct vtgpu_job *job, bool interruptible)
{
	struct vtgpu_engine *engine = &job->vtgpu->engine;
	u32 need = (job->num_cmds + 1) * VTGPU_CMD_SIZE;
	struct dma_fence *oldest;
	long ret;

	if (!interruptible)
		mutex_lock(&engine->submit_lock);
	else if (mutex_lock_interruptible(&engine->submit_lock))
		return -ERESTARTSYS;

	for (;;) {
		spin_lock_irq(&engine->lock);
		if (engine->dead || engine->wedged) {
			ret = engine->dead ? -ENODEV : -EIO;
			spin_unlock_irq(&engine->lock);
			break;
		}
		/* The ring holds at most ring_size - VTGPU_CMD_SIZE bytes. */
		if (vtgpu_ring_used(engine) + need < engine->ring_size) {
			spin_unlock_irq(&engine->lock);
			ret = 0;
			break;
		}
		oldest = &list_first_entry(&engine->pending, struct vtgpu_job,
					   link)->base;
		dma_fence_get(oldest);
		spin_unlock_irq(&engine->lock);

		ret = dma_fence_wait(oldest, interruptible);
		dma_fence_put(oldest);
		if (ret)
			break;
	}
	if (ret) {
		mutex_unlock(&engine->submit_lock);
		return ret;
	}

	dma_fence_init(&job->base, &vtgpu_fence_ops, &engine->lock,
		       engine->context, engine->next_seqno);
	return 0;
}

/**
 * vtgpu_job_commit - write a begun job to the ring and start the engine
 * @job: the job, begun with vtgpu_job_begin()
 *
 * Releases &vtgpu_engine.submit_lock. The caller keeps its reference to
 * the job's fence; the fence signals, with an error if the job failed,
 * when the job is done.
 */
void vtgpu_job_commit(struct vtgpu_job *job)
{
	struct vtgpu_device *vtgpu = job->vtgpu;
	struct vtgpu_engine *engine = &vtgpu->engine;
	struct vtgpu_cmd *fence = &job->cmds[job->num_cmds++];
	unsigned long flags;
	int idx;

	fence->opcode = cpu_to_le32(VTGPU_OP_FENCE);
	fence->flags = cpu_to_le32(VTGPU_FENCE_IRQ);
	fence->arg0 = cpu_to_le64(job->base.seqno);
	engine->next_seqno++;

	spin_lock_irqsave(&engine->lock, flags);
	engine->stats.jobs++;
	if (engine->dead || engine->wedged ||
	    !drm_dev_enter(&vtgpu->drm, &idx)) {
		dma_fence_set_error(&job->base,
				    engine->wedged ? -EIO : -ENODEV);
		dma_fence_signal_locked(&job->base);
		engine->stats.failed++;
		spin_unlock_irqrestore(&engine->lock, flags);
		mutex_unlock(&engine->submit_lock);
		return;
	}

	if (list_empty(&engine->pending)) {
		engine->watch_seqno = vtgpu_engine_seqno(engine);
		engine->watch_head = U32_MAX;
		vtgpu_watchdog_arm(engine);
	}
	dma_fence_get(&job->base);
	list_add_tail(&job->link, &engine->pending);
	vtgpu_ring_write(engine, job);
	/* The reset worker writes the ring again when the stall is over. */
	if (!engine->stalled) {
		/* The ring is coherent memory: commands land before the tail. */
		iowrite32(engine->tail, vtgpu->mmio + VTGPU_REG_RING_TAIL);
		iowrite32(1, vtgpu->mmio + VTGPU_REG_DOORBELL);
	}
	drm_dev_exit(idx);
	spin_unlock_irqrestore(&engine->lock, flags);
	mutex_unlock(&engine->submit_lock);
}

/**
 * vtgpu_job_abort - give up a begun job
 * @job: the job, begun with vtgpu_job_begin()
 *
 * Releases &vtgpu_engine.submit_lock and the job's seqno; the caller drops
 * its reference to the job's fence, which nobody else may have seen.
 */
void vtgpu_job_abort(struct vtgpu_job *job)
{
	mutex_unlock(&job->vtgpu->engine.submit_lock);
}

/**
 * vtgpu_job_submit - begin and commit a job
 * @job: the job, filled
 * @interruptible: whether the wait for ring space may be interrupted
 *
 * Returns: 0 with the caller owning a reference to the job's fence, or an
 * error from vtgpu_job_begin() with the job freed.
 */
int vtgpu_job_submit(struct vtgpu_job *job, bool interruptible)
{
	int ret;

	ret = vtgpu_job_begin(job, interruptible);
	if (ret) {
		vtgpu_job_free(job);
		return ret;
	}
	vtgpu_job_commit(job);
	return 0;
}

/*
 * Run one FENCE job through the ring: the engine and its interrupt work.
 * Not inlined, so that a test can make it fail (ALLOW_ERROR_INJECTION()):
 * the one probe error path with the engine running.
 */
static noinline int vtgpu_engine_ring_test(struct vtgpu_device *vtgpu)
{
	struct vtgpu_job *job;
	long ret;

	job = vtgpu_job_alloc(vtgpu, 0, true);
	if (!job)
		return -ENOMEM;
	ret = vtgpu_job_submit(job, false);
	if (ret)
		return ret;

	ret = dma_fence_wait_timeout(&job->base, false,
				     msecs_to_jiffies(vtgpu_timeout_ms));
	if (ret == 0)
		ret = -ETIMEDOUT;
	else if (ret > 0)
		ret = job->base.error;
	dma_fence_put(&job->base);
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
	iowrite32(engine->ring_size, mmio + VTGPU_REG_RING_SIZE);
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
	LIST_HEAD(done);

	spin_lock_irq(&engine->lock);
	engine->dead = true;
	spin_unlock_irq(&engine->lock);

	/* The interrupt handler may still queue them: disable, not cancel. */
	disable_delayed_work_sync(&engine->watchdog);
	disable_work_sync(&engine->reset_work);

	iowrite32(0, mmio + VTGPU_REG_INT_MASK);
	iowrite32(1, mmio + VTGPU_REG_ENGINE_RESET);
	iowrite32(0, mmio + VTGPU_REG_RING_SIZE);
	lo_hi_writeq(0, mmio + VTGPU_REG_FENCE_WB_LO);

	spin_lock_irq(&engine->lock);
	vtgpu_engine_retire(engine, &done);
	vtgpu_engine_fail_all(engine, -ENODEV, &done);
	spin_unlock_irq(&engine->lock);
	vtgpu_jobs_put(&done);
}

/**
 * vtgpu_engine_init - set up the ring, the fences and the interrupt
 * @vtgpu: the device, with its registers mapped and bus mastering on
 *
 * Everything is device-managed: what was set up is undone when the probe
 * fails or the driver unbinds, the engine stopped first.
 *
 * Returns: 0 or a negative error code.
 */
int vtgpu_engine_init(struct vtgpu_device *vtgpu)
{
	struct vtgpu_engine *engine = &vtgpu->engine;
	struct pci_dev *pdev = to_pci_dev(vtgpu->drm.dev);
	int ret;

	mutex_init(&engine->submit_lock);
	spin_lock_init(&engine->lock);
	INIT_LIST_HEAD(&engine->pending);
	INIT_DELAYED_WORK(&engine->watchdog, vtgpu_watchdog_work);
	INIT_WORK(&engine->reset_work, vtgpu_reset_work);
	engine->context = dma_fence_context_alloc(1);
	engine->next_seqno = 1;

	engine->ring_size = VTGPU_RING_SIZE;
	engine->ring = dmam_alloc_coherent(&pdev->dev, engine->ring_size,
					   &engine->ring_dma, GFP_KERNEL);
	engine->fence_wb = dmam_alloc_coherent(&pdev->dev, PAGE_SIZE,
					       &engine->fence_wb_dma,
					       GFP_KERNEL);
	if (!engine->ring || !engine->fence_wb)
		return -ENOMEM;

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
