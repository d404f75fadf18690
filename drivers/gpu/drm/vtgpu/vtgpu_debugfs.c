// SPDX-License-Identifier: GPL-2.0-only
/*
 * vtgpu debugfs: the memory managers, the BOs, counters, and knobs of the
 * device for tests.
 */

#include <linux/debugfs.h>
#include <linux/idr.h>
#include <linux/io-64-nonatomic-lo-hi.h>
#include <linux/seq_file.h>
#include <linux/string_choices.h>
#include <linux/uaccess.h>

#include <drm/drm_debugfs.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_print.h>
#include <drm/vtgpu_drm.h>
#include <drm/ttm/ttm_tt.h>

#include "vtgpu_drv.h"

static struct vtgpu_device *node_to_vtgpu(struct seq_file *m)
{
	struct drm_info_node *node = m->private;

	return to_vtgpu(node->minor->dev);
}

static int vtgpu_debugfs_mm(struct seq_file *m, void *unused)
{
	struct vtgpu_device *vtgpu = node_to_vtgpu(m);
	struct ttm_resource_manager *vram =
		ttm_manager_type(&vtgpu->bdev, TTM_PL_VRAM);
	struct drm_printer p = drm_seq_file_printer(m);

	drm_printf(&p, "VRAM:\n");
	vram->func->debug(vram, &p);
	drm_printf(&p, "GTT:\n");
	ttm_resource_manager_debug(ttm_manager_type(&vtgpu->bdev, TTM_PL_TT),
				   &p);
	return 0;
}

static const char *vtgpu_mem_type_name(u32 mem_type)
{
	static const char * const names[] = {
		[TTM_PL_SYSTEM] = "system", [TTM_PL_TT] = "gtt",
		[TTM_PL_VRAM] = "vram",
	};

	return mem_type < ARRAY_SIZE(names) ? names[mem_type] : "none";
}

static int vtgpu_debugfs_bos(struct seq_file *m, void *unused)
{
	struct vtgpu_device *vtgpu = node_to_vtgpu(m);
	u64 count = 0, total = 0;
	struct vtgpu_bo *bo;

	seq_puts(m, "size      domain placement          pin domains flags\n");
	spin_lock(&vtgpu->bo_lock);
	list_for_each_entry(bo, &vtgpu->bo_list, link) {
		struct ttm_buffer_object *tbo = &bo->tbo;

		seq_printf(m, "%8zuK %-6s ", tbo->base.size >> 10,
			   vtgpu_mem_type_name(READ_ONCE(bo->mem_type)));
		/* Where exactly, when the BO is not being worked on. */
		if (dma_resv_trylock(tbo->base.resv)) {
			if (tbo->resource->mem_type != TTM_PL_SYSTEM)
				seq_printf(m, "%#8lx+%-8lu ",
					   tbo->resource->start,
					   PFN_UP(tbo->resource->size));
			else
				seq_printf(m, "%-18s ", "-");
			dma_resv_unlock(tbo->base.resv);
		} else {
			seq_printf(m, "%-18s ", "(busy)");
		}
		seq_printf(m, "%3u %#7x %#5x%s%s\n", tbo->pin_count,
			   bo->domains, bo->flags,
			   drm_gem_is_imported(&tbo->base) ? " imported" : "",
			   bo->userptr ? " userptr" : "");
		count++;
		total += tbo->base.size;
	}
	spin_unlock(&vtgpu->bo_lock);
	seq_printf(m, "%llu BOs, %llu KiB\n", count, total >> 10);
	return 0;
}

/*
 * One handle's BO: where it is, and how it is held there; "busy" while
 * someone else has it reserved (a move, a submission, a fault).
 */
static void vtgpu_debugfs_show_handle(struct seq_file *m, u64 client_id,
				      int handle, struct vtgpu_bo *bo)
{
	struct vtgpu_device *vtgpu = to_vtgpu(bo->tbo.base.dev);
	struct ttm_buffer_object *tbo = &bo->tbo;

	if (!dma_resv_trylock(tbo->base.resv)) {
		seq_printf(m, "%llu %d busy\n", client_id, handle);
		return;
	}
	seq_printf(m, "%llu %d %s%s%s%s%s\n", client_id, handle,
		   vtgpu_mem_type_name(tbo->resource->mem_type),
		   vtgpu_res_visible(vtgpu, tbo->resource) ? " visible" : "",
		   tbo->pin_count ? " pinned" : "",
		   tbo->ttm && ttm_tt_is_swapped(tbo->ttm) ? " swapped" : "",
		   bo->cpu_accessed ? " cpu-accessed" : "");
	dma_resv_unlock(tbo->base.resv);
}

/*
 * The BO of each handle of each DRM file, by the file's drm-client-id
 * (see fdinfo): what tests check of where the kernel put a BO.
 */
static int vtgpu_debugfs_handles(struct seq_file *m, void *unused)
{
	struct drm_device *drm = &node_to_vtgpu(m)->drm;
	struct drm_gem_object *obj;
	struct drm_file *file;
	int handle;

	mutex_lock(&drm->filelist_mutex);
	list_for_each_entry(file, &drm->filelist, lhead) {
		spin_lock(&file->table_lock);
		idr_for_each_entry(&file->object_idr, obj, handle)
			vtgpu_debugfs_show_handle(m, file->client_id, handle,
						  gem_to_vtgpu_bo(obj));
		spin_unlock(&file->table_lock);
	}
	mutex_unlock(&drm->filelist_mutex);
	return 0;
}

#define VTGPU_STAT(name) \
	seq_printf(m, #name ": %lld\n", atomic64_read(&vtgpu->stats.name))

static int vtgpu_debugfs_stats(struct seq_file *m, void *unused)
{
	struct vtgpu_device *vtgpu = node_to_vtgpu(m);
	int idx;

	VTGPU_STAT(evictions);
	VTGPU_STAT(bytes_moved);
	VTGPU_STAT(moves);
	VTGPU_STAT(clears);
	VTGPU_STAT(cpu_faults);
	VTGPU_STAT(cpu_fault_pages);
	VTGPU_STAT(cpu_fault_migrations);
	VTGPU_STAT(cpu_fault_retries);
	VTGPU_STAT(cpu_fault_sigbus);
	VTGPU_STAT(swapouts);
	VTGPU_STAT(submit_retries);
	VTGPU_STAT(userptr_invalidations);
	VTGPU_STAT(userptr_collects);
	VTGPU_STAT(userptr_retries);
	VTGPU_STAT(jobs);
	VTGPU_STAT(job_retries);
	VTGPU_STAT(job_fallbacks);
	VTGPU_STAT(jobs_failed);
	VTGPU_STAT(engine_resets);
	VTGPU_STAT(engine_timeouts);
	VTGPU_STAT(engine_errors);
#undef VTGPU_STAT

	if (drm_dev_enter(&vtgpu->drm, &idx)) {
		seq_printf(m, "device_commands: %llu\n",
			   lo_hi_readq(vtgpu->mmio + VTGPU_REG_STAT_COMMANDS_LO));
		seq_printf(m, "device_bytes: %llu\n",
			   lo_hi_readq(vtgpu->mmio + VTGPU_REG_STAT_BYTES_LO));
		drm_dev_exit(idx);
	}
	return 0;
}

static int vtgpu_debugfs_engine(struct seq_file *m, void *unused)
{
	struct vtgpu_device *vtgpu = node_to_vtgpu(m);
	struct vtgpu_engine *engine = &vtgpu->engine;
	u32 status = 0, head = 0;
	int idx;

	if (drm_dev_enter(&vtgpu->drm, &idx)) {
		status = ioread32(vtgpu->mmio + VTGPU_REG_ENGINE_STATUS);
		head = ioread32(vtgpu->mmio + VTGPU_REG_RING_HEAD);
		drm_dev_exit(idx);
	}

	/* "wedged: yes" once the mappings are gone, too. */
	flush_work(&engine->wedge_work);
	spin_lock_irq(&engine->lock);
	seq_printf(m, "status: %#x\nhead: %#x\ntail: %#x\n", status, head,
		   engine->tail);
	seq_printf(m, "completed seqno: %llu\npending jobs: %zu\n",
		   le64_to_cpu(READ_ONCE(*engine->fence_wb)),
		   list_count_nodes(&engine->pending));
	seq_printf(m, "wedged: %s\n", str_yes_no(engine->wedged));
	spin_unlock_irq(&engine->lock);
	return 0;
}

/*
 * Evict every BO from VRAM and wait for the moves, like amdgpu's
 * amdgpu_evict_vram: what a benchmark of the move path times.
 */
static int vtgpu_debugfs_evict_vram(struct seq_file *m, void *unused)
{
	struct vtgpu_device *vtgpu = node_to_vtgpu(m);
	struct ttm_resource_manager *man =
		ttm_manager_type(&vtgpu->bdev, TTM_PL_VRAM);
	int ret, idx;

	if (!drm_dev_enter(&vtgpu->drm, &idx))
		return -ENODEV;
	ret = ttm_resource_manager_evict_all(&vtgpu->bdev, man);
	drm_dev_exit(idx);
	seq_printf(m, "%d\n", ret);
	return 0;
}

static const struct drm_info_list vtgpu_debugfs_list[] = {
	{ "mm", vtgpu_debugfs_mm },
	{ "bos", vtgpu_debugfs_bos },
	{ "handles", vtgpu_debugfs_handles },
	{ "stats", vtgpu_debugfs_stats },
	{ "engine", vtgpu_debugfs_engine },
	{ "evict_vram", vtgpu_debugfs_evict_vram },
};

/* Write a register of the device from user input, for tests. */
static int vtgpu_debugfs_write_reg(struct vtgpu_device *vtgpu, u32 reg,
				   u32 value)
{
	int idx;

	if (!drm_dev_enter(&vtgpu->drm, &idx))
		return -ENODEV;
	iowrite32(value, vtgpu->mmio + reg);
	drm_dev_exit(idx);
	return 0;
}

static int vtgpu_engine_delay_get(void *data, u64 *val)
{
	struct vtgpu_device *vtgpu = data;
	int idx;

	if (!drm_dev_enter(&vtgpu->drm, &idx))
		return -ENODEV;
	*val = ioread32(vtgpu->mmio + VTGPU_REG_ENGINE_DELAY_US);
	drm_dev_exit(idx);
	return 0;
}

static int vtgpu_engine_delay_set(void *data, u64 val)
{
	if (val > VTGPU_DELAY_US_MAX)
		return -EINVAL;
	return vtgpu_debugfs_write_reg(data, VTGPU_REG_ENGINE_DELAY_US, val);
}

DEFINE_DEBUGFS_ATTRIBUTE(vtgpu_engine_delay_fops, vtgpu_engine_delay_get,
			 vtgpu_engine_delay_set, "%llu\n");

/*
 * "fail": the next command fails; "hang": the engine hangs until reset;
 * "none": cancel an injection not yet taken (a hang stays until reset).
 */
static ssize_t vtgpu_inject_write(struct file *file, const char __user *ubuf,
				  size_t len, loff_t *ppos)
{
	static const char * const injects[] = {
		[VTGPU_INJECT_NONE] = "none", [VTGPU_INJECT_FAIL_NEXT] = "fail",
		[VTGPU_INJECT_HANG] = "hang",
	};
	struct vtgpu_device *vtgpu = file->private_data;
	char buf[8] = {};
	int inject, ret;

	if (!(vtgpu->caps & VTGPU_CAPS_INJECT))
		return -ENODEV;
	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;

	inject = sysfs_match_string(injects, buf);
	if (inject < 0)
		return inject;
	ret = vtgpu_debugfs_write_reg(vtgpu, VTGPU_REG_INJECT, inject);
	return ret ?: len;
}

static const struct file_operations vtgpu_inject_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = vtgpu_inject_write,
	.llseek = noop_llseek,
};

/**
 * vtgpu_debugfs_init - &drm_driver.debugfs_init
 * @minor: the DRM minor to add the files to
 *
 * The files are described in Documentation/gpu/vtgpu.rst; the knobs
 * (engine_delay_us, inject, move_with_cpu) are for tests and benchmarks.
 */
void vtgpu_debugfs_init(struct drm_minor *minor)
{
	struct vtgpu_device *vtgpu = to_vtgpu(minor->dev);

	drm_debugfs_create_files(vtgpu_debugfs_list,
				 ARRAY_SIZE(vtgpu_debugfs_list),
				 minor->debugfs_root, minor);
	debugfs_create_file_unsafe("engine_delay_us", 0600, minor->debugfs_root,
				   vtgpu, &vtgpu_engine_delay_fops);
	debugfs_create_file("inject", 0200, minor->debugfs_root, vtgpu,
			    &vtgpu_inject_fops);
	debugfs_create_bool("move_with_cpu", 0600, minor->debugfs_root,
			    &vtgpu->move_with_cpu);
}
