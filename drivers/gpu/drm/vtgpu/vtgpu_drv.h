/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef __VTGPU_DRV_H__
#define __VTGPU_DRV_H__

#include <linux/dma-fence.h>
#include <linux/list.h>
#include <linux/mm_types.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/workqueue.h>

#include <drm/drm_device.h>
#include <drm/gpu_scheduler.h>
#include <drm/vtgpu_drm.h>
#include <drm/ttm/ttm_bo.h>
#include <drm/ttm/ttm_device.h>
#include <drm/ttm/ttm_placement.h>
#include <drm/ttm/ttm_resource.h>

#include "vtgpu_regs.h"

struct dma_buf_attachment;
struct drm_file;
struct drm_minor;
struct sg_table;
struct vtgpu_bo;
struct vtgpu_device;
struct vtgpu_userptr;

/* Most commands in one submission. */
#define VTGPU_SUBMIT_MAX_CMDS	64
/* Most in-syncs, and most out-syncs, in one submission. */
#define VTGPU_SUBMIT_MAX_SYNCS	64
/* Collections of a job's userptr pages before SUBMIT gives up. */
#define VTGPU_USERPTR_MAX_TRIES	4

/**
 * struct vtgpu_entity - a scheduler entity of the engine
 * @base: the scheduler's entity
 * @push_lock: held from drm_sched_job_arm() to drm_sched_entity_push_job(),
 *	so that the entity's jobs are queued in the order of their fences'
 *	seqnos; innermost but for spinlocks
 */
struct vtgpu_entity {
	struct drm_sched_entity base;
	/* arm to push, see vtgpu_job_push() */
	struct mutex push_lock;
};

/**
 * struct vtgpu_engine - the DMA engine: its ring, scheduler and recovery
 * @sched: the scheduler that feeds the ring
 * @kernel_entity: the entity of the driver's own jobs, moves and clears
 * @tdr_wq: where recovery (timedout_job()) runs: ordered, and allowed
 *	to run under memory pressure, since it signals fences
 * @ring: the ring, coherent DMA memory, VTGPU_RING_SIZE bytes
 * @ring_dma: bus address of @ring
 * @fence_wb: where the engine writes the seqno of each FENCE it executes
 * @fence_wb_dma: bus address of @fence_wb
 * @context: the dma_fence context of the hardware fences
 * @lock: protects what follows, the ring and its registers; the lock of
 *	every hardware fence
 * @next_seqno: seqno of the next hardware fence
 * @pending: jobs in the ring whose hardware fence has not signalled,
 *	oldest first
 * @tail: ring offset just past the last command written
 * @dead: the device is gone: jobs fail at once with -ENODEV
 * @wedged: a job of the driver's own failed for good, leaving a BO it was
 *	to move or clear unwritten: jobs fail at once with -EIO and CPU
 *	faults map a dummy page until the driver is bound again
 * @watch_seqno: completed seqno seen by the previous timeout
 * @watch_head: RING_HEAD seen by the previous timeout
 * @last_done: when the engine last completed a job: the next job on the
 *	ring started then, or when it was queued if later
 * @wedge_work: once wedged, unmaps the BOs and sends the uevent
 */
struct vtgpu_engine {
	struct drm_gpu_scheduler sched;
	struct vtgpu_entity kernel_entity;
	struct workqueue_struct *tdr_wq;
	struct vtgpu_cmd *ring;
	dma_addr_t ring_dma;
	__le64 *fence_wb;
	dma_addr_t fence_wb_dma;
	u64 context;

	/* the pending jobs, the ring, its registers, the fences */
	spinlock_t lock;
	u64 next_seqno;
	struct list_head pending;
	u32 tail;
	bool dead;
	bool wedged;
	u64 watch_seqno;
	u32 watch_head;
	ktime_t last_done;

	struct work_struct wedge_work;
};

/**
 * struct vtgpu_move_ends - where a move copies from and to
 * @src_tt: the source's pages, when it is in GTT; NULL when it is in VRAM
 * @src_offset: the source's offset in VRAM, when it is there
 * @dst_tt: the destination's pages, when it is in GTT; NULL for VRAM
 * @dst_offset: the destination's offset in VRAM, when it is there
 * @size: bytes to copy
 *
 * Both stay until the move's fence signals: the pages with the BO or its
 * ghost, the VRAM with the ghost or behind the VRAM manager's move fence.
 */
struct vtgpu_move_ends {
	struct ttm_tt *src_tt;
	u64 src_offset;
	struct ttm_tt *dst_tt;
	u64 dst_offset;
	u64 size;
};

/**
 * struct vtgpu_job - one job on the engine: commands ending with a FENCE
 * @hw_fence: signalled when the engine has executed the job; set up by
 *	run_job(). First: the job's memory is freed with it, see
 *	vtgpu_free_job()
 * @base: the scheduler's job
 * @vtgpu: the device
 * @file: the DRM file that submitted the job, with a reference; NULL for
 *	a job of the driver's own (a move or a clear), which is retried after
 *	a reset instead of failed, since losing it would lose a BO's data
 * @queued: when run_job() put the job on the ring
 * @link: entry in &vtgpu_engine.pending
 * @retries: how often the job was run again after a reset
 * @fallback: for a job of the driver's own, does its work with the CPU
 *	when the engine failed it VTGPU_JOB_MAX_RETRIES + 1 times; NULL
 *	when the CPU cannot. Called in the fence signalling path, the
 *	engine stopped: it must not allocate memory or take locks.
 *	Returns 0 or a negative error code, the fence's error.
 * @move: what @fallback copies, for a move
 * @num_cmds: number of commands in @cmds
 * @max_cmds: room in @cmds, the FENCE included; the job's credits
 * @cmds: the commands, as written to the ring
 */
struct vtgpu_job {
	struct dma_fence hw_fence;
	struct drm_sched_job base;
	struct vtgpu_device *vtgpu;
	struct vtgpu_file *file;
	ktime_t queued;
	struct list_head link;
	unsigned int retries;
	int (*fallback)(struct vtgpu_job *job);
	struct vtgpu_move_ends move;
	unsigned int num_cmds;
	unsigned int max_cmds;
	struct vtgpu_cmd cmds[];
};

/**
 * struct vtgpu_file - what the driver keeps per DRM file
 * @refcount: the file's reference, and one per job of the file not yet
 *	freed: a job still counts its engine time once the file is closed
 * @entity: the scheduler entity of the file's submissions
 * @engine_ns: nanoseconds the engine spent on the file's jobs, fdinfo's
 *	drm-engine-copy
 */
struct vtgpu_file {
	struct kref refcount;
	struct vtgpu_entity entity;
	atomic64_t engine_ns;
};

/**
 * struct vtgpu_gart - the GART page table
 * @table: the entries, coherent DMA memory
 * @table_dma: bus address of @table
 * @num_entries: number of entries in @table; the driver uses only this
 *	much of the aperture
 * @base: GPU address of the aperture
 */
struct vtgpu_gart {
	__le64 *table;
	dma_addr_t table_dma;
	u64 num_entries;
	u64 base;
};

/**
 * struct vtgpu_vram_mgr - what the driver adds to TTM's range manager of VRAM
 * @range: the range manager's functions, which the driver's call
 * @visible_used: pages allocated in visible VRAM
 *
 * Allocations are contiguous, so that one engine command covers a BO.
 */
struct vtgpu_vram_mgr {
	const struct ttm_resource_manager_func *range;
	atomic64_t visible_used;
};

/**
 * struct vtgpu_stats - counters, for debugfs
 * @evictions: BOs evicted
 * @bytes_moved: bytes moved by the engine (or by the CPU) between domains
 * @moves: moves done on the engine
 * @clears: VRAM allocations cleared, by the engine or the CPU
 * @cpu_faults: CPU page faults on BO mappings, retried ones included
 * @cpu_fault_pages: pages the fault handler had TTM map, prefaulted ones
 *	included
 * @cpu_fault_migrations: BOs moved out of invisible VRAM for the CPU
 * @cpu_fault_retries: faults that returned VM_FAULT_RETRY, having dropped
 *	mmap_lock to wait for a reservation or a move
 * @cpu_fault_sigbus: faults that got SIGBUS
 * @swapouts: BOs swapped out
 * @submit_retries: submissions that had to place their BOs again
 * @userptr_invalidations: invalidations of userptr ranges by the core mm
 * @userptr_collects: collections of userptr pages with hmm_range_fault()
 * @userptr_retries: submissions that collected userptr pages again
 *	because they were invalidated meanwhile
 * @jobs: jobs committed to the ring
 * @job_retries: jobs of the driver's own run again after a reset
 * @job_fallbacks: jobs of the driver's own done by the CPU after the
 *	engine failed them for good
 * @jobs_failed: jobs completed with an error
 * @engine_resets: engine resets
 * @engine_timeouts: resets because the engine made no progress in time
 * @engine_errors: resets because the engine halted on an error
 */
struct vtgpu_stats {
	atomic64_t evictions;
	atomic64_t bytes_moved;
	atomic64_t moves;
	atomic64_t clears;
	atomic64_t cpu_faults;
	atomic64_t cpu_fault_pages;
	atomic64_t cpu_fault_migrations;
	atomic64_t cpu_fault_retries;
	atomic64_t cpu_fault_sigbus;
	atomic64_t swapouts;
	atomic64_t submit_retries;
	atomic64_t userptr_invalidations;
	atomic64_t userptr_collects;
	atomic64_t userptr_retries;
	atomic64_t jobs;
	atomic64_t job_retries;
	atomic64_t job_fallbacks;
	atomic64_t jobs_failed;
	atomic64_t engine_resets;
	atomic64_t engine_timeouts;
	atomic64_t engine_errors;
};

/**
 * struct vtgpu_device - one vtgpu PCI function
 * @drm: the DRM device, embedded
 * @mmio: BAR0, the device's registers
 * @caps: capability bits read from BAR0 at probe, VTGPU_CAPS_*
 * @vram_size: total VRAM in bytes
 * @visible_vram_size: VRAM in bytes reachable through BAR2, from offset 0
 * @vram_base: bus address of BAR2
 * @visible_vram: visible VRAM, mapped write-combined, for the CPU's clears
 *	and copies where nothing may be allocated (a move's fallback)
 * @gart_size: size of the GART aperture in bytes, as the device reports it
 * @engine: the DMA engine
 * @gart: the GART
 * @bdev: the TTM device
 * @vram_mgr: the count of visible VRAM in use, see &struct vtgpu_vram_mgr
 * @release_wq: where imported BOs let go of their dma-bufs, see
 *	vtgpu_bo_destroy()
 * @stats: counters
 * @bo_lock: protects @bo_list
 * @bo_list: every BO of the device (&vtgpu_bo.link), for debugfs
 * @mmap_file: lazily created file that dma-buf mappings are moved to, so
 *	that moves unmap them along with the DRM file's, see vtgpu_gem_mmap()
 * @evict_invisible: eviction placement of a NO_CPU_ACCESS BO in visible
 *	VRAM: invisible VRAM, then GTT, then SYSTEM
 * @userptr_lock: the notifier lock of userptr BOs, see DOC: userptr
 * @mm_lock: serializes the users of the MM_INDEX/MM_DATA window on VRAM,
 *	see vtgpu_vram_access()
 * @move_budget: bytes submissions may still move to put BOs where they
 *	prefer, see vtgpu_submit_lock()
 * @move_with_cpu: debugfs knob for benchmarks: moves between GTT and
 *	visible VRAM are CPU copies instead of engine jobs
 */
struct vtgpu_device {
	struct drm_device drm;
	void __iomem *mmio;
	u32 caps;
	u64 vram_size;
	u64 visible_vram_size;
	resource_size_t vram_base;
	void __iomem *visible_vram;
	u64 gart_size;

	struct vtgpu_engine engine;
	struct vtgpu_gart gart;

	struct ttm_device bdev;
	struct vtgpu_vram_mgr vram_mgr;
	struct workqueue_struct *release_wq;
	struct vtgpu_stats stats;

	/* protects bo_list */
	spinlock_t bo_lock;
	struct list_head bo_list;

	struct file *mmap_file;
	struct ttm_place evict_invisible[3];

	/* the pages and GART state of userptr BOs, see DOC: userptr */
	struct mutex userptr_lock;
	/* the MM_INDEX/MM_DATA window's registers */
	struct mutex mm_lock;

	atomic64_t move_budget;
	bool move_with_cpu;
};

/**
 * struct vtgpu_bo - a buffer object
 * @tbo: the TTM BO, embedding the GEM object
 * @link: entry in &vtgpu_device.bo_list
 * @domains: VTGPU_GEM_DOMAIN_* it may be placed in for use
 * @preferred: the VTGPU_GEM_DOMAIN_* it prefers
 * @flags: VTGPU_GEM_CREATE_*
 * @mem_type: a copy of tbo.resource->mem_type for lockless readers
 *	(fdinfo, debugfs), TTM_NUM_MEM_TYPES once the memory is released
 * @cpu_accessed: the CPU faulted on the BO: its VRAM placements are in
 *	visible VRAM from then on; under the reservation
 * @placement: scratch placement, under the reservation
 * @places: the places of @placement
 * @userptr: for a userptr BO, the user memory it is made of; NULL for
 *	any other BO
 * @release_work: for an import, lets go of its dma-buf once TTM is done
 *	with it
 */
struct vtgpu_bo {
	struct ttm_buffer_object tbo;
	struct list_head link;
	u32 domains;
	u32 preferred;
	u32 flags;
	u32 mem_type;
	bool cpu_accessed;
	struct ttm_placement placement;
	struct ttm_place places[4];
	struct vtgpu_userptr *userptr;
	struct work_struct release_work;
};

/**
 * struct vtgpu_userptr_pages - pages of a userptr BO collected for a job
 * @dma_addrs: their bus addresses; NULL when nothing was collected
 * @seq: the notifier sequence they were collected under
 * @installed: they became the BO's pages: they are no longer the
 *	collector's to unmap
 */
struct vtgpu_userptr_pages {
	dma_addr_t *dma_addrs;
	unsigned long seq;
	bool installed;
};

static inline struct vtgpu_device *to_vtgpu(struct drm_device *drm)
{
	return container_of(drm, struct vtgpu_device, drm);
}

static inline struct vtgpu_device *bdev_to_vtgpu(struct ttm_device *bdev)
{
	return container_of(bdev, struct vtgpu_device, bdev);
}

static inline struct vtgpu_bo *to_vtgpu_bo(struct ttm_buffer_object *tbo)
{
	return container_of(tbo, struct vtgpu_bo, tbo);
}

static inline struct vtgpu_bo *gem_to_vtgpu_bo(struct drm_gem_object *obj)
{
	return container_of(obj, struct vtgpu_bo, tbo.base);
}

/* Whether the BO's VRAM placements must be in visible VRAM. */
static inline bool vtgpu_bo_cpu_visible(struct vtgpu_bo *bo)
{
	return bo->cpu_accessed ||
	       (bo->flags & VTGPU_GEM_CREATE_CPU_ACCESS_REQUIRED);
}

/*
 * Whether the CPU may map the BO: not a NO_CPU_ACCESS one, nor one of
 * another driver's (mapped through its dma-buf) or of user memory.
 */
static inline bool vtgpu_bo_mappable(struct vtgpu_bo *bo)
{
	return !(bo->flags & VTGPU_GEM_CREATE_NO_CPU_ACCESS) &&
	       !drm_gem_is_imported(&bo->tbo.base) && !bo->userptr;
}

/* vtgpu_engine.c */
int vtgpu_engine_init(struct vtgpu_device *vtgpu);
void vtgpu_file_put(struct vtgpu_file *vfile);
bool vtgpu_engine_wedged(struct vtgpu_device *vtgpu);
struct vtgpu_job *vtgpu_job_alloc(struct vtgpu_device *vtgpu,
				  struct drm_file *file, unsigned int num_cmds);
void vtgpu_job_free(struct vtgpu_job *job);
void vtgpu_job_add_cmd(struct vtgpu_job *job, u32 opcode, u64 arg0,
		       u64 arg1, u64 arg2);
struct dma_fence *vtgpu_job_push(struct vtgpu_job *job);
int vtgpu_entity_init(struct vtgpu_device *vtgpu, struct vtgpu_entity *entity,
		      enum drm_sched_priority priority);
void vtgpu_entity_fini(struct vtgpu_entity *entity);

/* vtgpu_ttm.c */
int vtgpu_ttm_init(struct vtgpu_device *vtgpu);
u64 vtgpu_gpu_addr(struct vtgpu_device *vtgpu, struct ttm_resource *res);
bool vtgpu_res_visible(struct vtgpu_device *vtgpu, struct ttm_resource *res);
int vtgpu_vram_access(struct ttm_buffer_object *tbo, unsigned long offset,
		      void *buf, int len, bool write);

/* vtgpu_bo.c */
int vtgpu_bo_create(struct vtgpu_device *vtgpu, u64 size, u32 domains,
		    u32 preferred, u32 flags, enum ttm_bo_type type,
		    struct sg_table *sg, struct dma_resv *resv,
		    struct vtgpu_userptr *userptr, struct vtgpu_bo **pbo);
bool vtgpu_is_vtgpu_bo(struct ttm_buffer_object *tbo);
int vtgpu_bo_validate_gpu(struct vtgpu_bo *bo, struct ttm_operation_ctx *ctx,
			  bool promote);
int vtgpu_bo_fault_reserve_notify(struct vtgpu_bo *bo, bool no_wait_gpu);
int vtgpu_bo_pin_gtt(struct vtgpu_bo *bo);
int vtgpu_bo_wait_moved(struct vtgpu_bo *bo, bool interruptible);

/* vtgpu_gem.c */
extern const struct drm_gem_object_funcs vtgpu_gem_object_funcs;
struct drm_gem_object *
vtgpu_gem_prime_import_sg_table(struct drm_device *drm,
				struct dma_buf_attachment *attach,
				struct sg_table *sgt);

/* vtgpu_mmap.c */
extern const struct vm_operations_struct vtgpu_gem_vm_ops;

/* vtgpu_submit.c */
int vtgpu_submit_ioctl(struct drm_device *drm, void *data,
		       struct drm_file *file);

/* vtgpu_userptr.c */
int vtgpu_userptr_init(struct vtgpu_device *vtgpu);
int vtgpu_userptr_create(struct drm_file *file, struct vtgpu_device *vtgpu,
			 u64 addr, u64 size, u32 flags, u32 *handle);
void vtgpu_userptr_release(struct vtgpu_bo *bo);
void vtgpu_userptr_free(struct vtgpu_userptr *up);
int vtgpu_userptr_check_use(struct vtgpu_bo *bo, bool write);
int vtgpu_userptr_get_pages(struct vtgpu_bo *bo,
			    struct vtgpu_userptr_pages *pages);
void vtgpu_userptr_put_pages(struct vtgpu_bo *bo,
			     struct vtgpu_userptr_pages *pages);
int vtgpu_userptr_commit_pages(struct vtgpu_bo *bo,
			       struct vtgpu_userptr_pages *pages);
void vtgpu_userptr_place(struct vtgpu_userptr *up, u64 first);
void vtgpu_userptr_unplace(struct vtgpu_userptr *up);

/* vtgpu_debugfs.c */
void vtgpu_debugfs_init(struct drm_minor *minor);

/* vtgpu_gart.c */
int vtgpu_gart_init(struct vtgpu_device *vtgpu);
void vtgpu_gart_bind(struct vtgpu_device *vtgpu, u64 first, u64 count,
		     const dma_addr_t *addrs, bool writable);

#endif /* __VTGPU_DRV_H__ */
