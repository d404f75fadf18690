// SPDX-License-Identifier: GPL-2.0-only
/*
 * vtgpu: a render-only DRM driver for the vtgpu device that QEMU emulates.
 *
 * The device has VRAM of which only the first part is visible to the CPU
 * through a PCI BAR, a GART through which it reaches system pages, and a
 * DMA copy engine. The driver exists to exercise TTM the way real discrete
 * GPUs do: placement across visible and invisible VRAM, GTT and system
 * memory, eviction on the copy engine, CPU faults that migrate buffers and
 * userptr. Its users are igt tests and benchmarks; there is no display.
 */

#include <linux/bitfield.h>
#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
#include <linux/io-64-nonatomic-lo-hi.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/pci.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_ioctl.h>
#include <drm/drm_print.h>
#include <drm/drm_utils.h>
#include <drm/vtgpu_drm.h>

#include "vtgpu_drv.h"
#include "vtgpu_regs.h"

/**
 * DOC: locking
 *
 * The lock order, outermost first:
 *
 * 1. mmap_lock, taken by the core around CPU faults;
 * 2. BO reservations (&dma_resv, of the reservation_ww_class): the fault
 *    handler takes the faulting BO's; a submission takes all of its BOs'
 *    with drm_exec, one ww acquire context, and places them under it, so
 *    that TTM may wait for the reservation of a BO to evict; elsewhere TTM
 *    takes others with trylock to evict them; a write of dmem.max that
 *    reclaims VRAM (vtgpu_vram_reclaim(), from cgroupfs, under dmem's
 *    SRCU read lock) takes them one at a time;
 * 3. &vtgpu_device.userptr_lock, the notifier lock of userptr BOs: taken
 *    by submissions (from the userptr check until the job is queued and
 *    its fence is in the reservations) and by moves of userptr BOs with
 *    their reservation held, and by the MMU notifier callback, under the
 *    mmap_lock or from memory reclaim, with nothing of the driver's held;
 *    nothing under it allocates memory or takes a reservation or the
 *    mmap_lock (see DOC: userptr);
 * 4. &vtgpu_entity.push_lock, held from arming a job to queuing it on its
 *    entity, and &vtgpu_device.mm_lock, held around the VRAM window's
 *    registers under a reservation: nothing is taken or waited for under
 *    either;
 * 5. spinlocks, innermost: &vtgpu_engine.lock (the hardware fences' lock,
 *    taken from the interrupt handler), the TTM range managers' locks,
 *    &vtgpu_device.bo_lock, TTM's lru_lock; under bo_lock and a file's
 *    table_lock, debugfs takes reservations by trylock only.
 *
 * Nothing the driver does under a reservation takes mmap_lock: user
 * memory is copied in (copy_from_user(), memdup_user()) and the pages of
 * userptr BOs are collected (hmm_range_fault()) before any BO is
 * reserved. Jobs wait for their dependencies (in-fences, other devices'
 * fences) in the scheduler, not in the ioctl. Waits for fences under a
 * reservation or the userptr lock are for jobs already queued, which the
 * scheduler runs and the interrupt handler and the scheduler's timeout
 * handler signal without taking any of the locks above but the spinlocks;
 * the timeout handler is annotated as fence signalling path, and
 * allocates nothing. A queued job may still wait for its dependencies,
 * other drivers' fences among them: a userptr invalidation, from reclaim
 * too, waits that long, as amdgpu's does.
 *
 * Lifetimes: the PCI resources (registers, the ring, the GART table, the
 * interrupt) are device-managed and go when the driver unbinds; PCI
 * remove unplugs the DRM device, then the engine stops, failing its
 * pending jobs, before the interrupt and the registers go. Until then the
 * interrupt handler and the timeout handler run (see DOC: engine); every
 * other hardware access is inside drm_dev_enter(), as BOs, mappings and
 * fences may outlive the device; drm_dev_unplug() waits for them, a
 * dmem.max reclaim waiting for its evictions' fences among them. The
 * scheduler, the TTM device and its managers are DRM-managed and go with
 * the last reference to the DRM device, after the last BO; the dmem
 * cgroup region goes before the managers.
 */

#define DRIVER_NAME	"vtgpu"
#define DRIVER_DESC	"Virtual GPU for QEMU with TTM-managed VRAM"
#define DRIVER_MAJOR	2
#define DRIVER_MINOR	0

/* The interface version this driver is written against: 1.1 and later. */
#define VTGPU_SUPPORTED_MAJOR	1
#define VTGPU_MIN_MINOR		1

static int vtgpu_getparam_ioctl(struct drm_device *drm, void *data,
				struct drm_file *file)
{
	struct vtgpu_device *vtgpu = to_vtgpu(drm);
	struct drm_vtgpu_getparam *args = data;

	if (args->pad)
		return -EINVAL;

	switch (args->param) {
	case VTGPU_PARAM_VRAM_SIZE:
		args->value = vtgpu->vram_size;
		break;
	case VTGPU_PARAM_VISIBLE_VRAM_SIZE:
		args->value = vtgpu->visible_vram_size;
		break;
	case VTGPU_PARAM_GART_SIZE:
		args->value = vtgpu->gart.num_entries * VTGPU_PAGE_SIZE;
		break;
	case VTGPU_PARAM_MAX_SUBMIT_CMDS:
		args->value = VTGPU_SUBMIT_MAX_CMDS;
		break;
	case VTGPU_PARAM_MAX_SUBMIT_SYNCS:
		args->value = VTGPU_SUBMIT_MAX_SYNCS;
		break;
	default:
		return -EINVAL;
	}
	return 0;
}

#define VTGPU_GEM_DOMAINS	(VTGPU_GEM_DOMAIN_SYSTEM | \
				 VTGPU_GEM_DOMAIN_GTT | \
				 VTGPU_GEM_DOMAIN_VRAM)
#define VTGPU_GEM_CREATE_FLAGS	(VTGPU_GEM_CREATE_CPU_ACCESS_REQUIRED | \
				 VTGPU_GEM_CREATE_NO_CPU_ACCESS)
#define VTGPU_USERPTR_FLAGS	VTGPU_USERPTR_READONLY

/* The largest BO that fits in one of the domains it may use. */
static u64 vtgpu_max_bo_size(struct vtgpu_device *vtgpu, u32 domains,
			     u32 flags)
{
	u64 max = 0;

	if (domains & VTGPU_GEM_DOMAIN_VRAM)
		max = flags & VTGPU_GEM_CREATE_CPU_ACCESS_REQUIRED ?
			vtgpu->visible_vram_size : vtgpu->vram_size;
	if (domains & VTGPU_GEM_DOMAIN_GTT)
		max = max(max, vtgpu->gart.num_entries * VTGPU_PAGE_SIZE);
	/* TTM swaps out beyond half of the system memory. */
	if (domains & VTGPU_GEM_DOMAIN_SYSTEM)
		max = max(max, (u64)totalram_pages() << (PAGE_SHIFT - 1));
	return max;
}

static int vtgpu_gem_create_ioctl(struct drm_device *drm, void *data,
				  struct drm_file *file)
{
	struct vtgpu_device *vtgpu = to_vtgpu(drm);
	struct drm_vtgpu_gem_create *args = data;
	u32 preferred = args->preferred;
	struct vtgpu_bo *bo;
	u32 handle;
	u64 size;
	int ret;

	if (args->extensions ||
	    !args->domains || (args->domains & ~VTGPU_GEM_DOMAINS) ||
	    (args->flags & ~VTGPU_GEM_CREATE_FLAGS) ||
	    (args->flags & VTGPU_GEM_CREATE_FLAGS) == VTGPU_GEM_CREATE_FLAGS)
		return -EINVAL;

	if (!preferred)
		preferred = args->domains & VTGPU_GEM_DOMAIN_VRAM ?:
			    args->domains & VTGPU_GEM_DOMAIN_GTT ?:
			    VTGPU_GEM_DOMAIN_SYSTEM;
	if (hweight32(preferred) != 1 || !(preferred & args->domains))
		return -EINVAL;
	if (vtgpu_engine_wedged(vtgpu))
		return -EIO;

	if (!args->size ||
	    args->size > vtgpu_max_bo_size(vtgpu, args->domains, args->flags))
		return -EINVAL;
	size = PAGE_ALIGN(args->size);

	ret = vtgpu_bo_create(vtgpu, size, args->domains, preferred,
			      args->flags, ttm_bo_type_device, NULL, NULL, NULL,
			      &bo);
	/* The uapi has one error for no room and no memory. */
	if (ret)
		return ret == -ENOSPC ? -ENOMEM : ret;

	ret = drm_gem_handle_create(file, &bo->tbo.base, &handle);
	drm_gem_object_put(&bo->tbo.base);
	if (ret)
		return ret;
	args->size = size;
	args->handle = handle;
	return 0;
}

static int vtgpu_gem_mmap_offset_ioctl(struct drm_device *drm, void *data,
				       struct drm_file *file)
{
	struct drm_vtgpu_gem_mmap_offset *args = data;
	struct drm_gem_object *obj;
	int ret = 0;

	if (args->flags)
		return -EINVAL;

	obj = drm_gem_object_lookup(file, args->handle);
	if (!obj)
		return -ENOENT;

	if (!vtgpu_bo_mappable(gem_to_vtgpu_bo(obj)))
		ret = -EPERM;
	else
		args->offset = drm_vma_node_offset_addr(&obj->vma_node);
	drm_gem_object_put(obj);
	return ret;
}

static int vtgpu_gem_info_ioctl(struct drm_device *drm, void *data,
				struct drm_file *file)
{
	struct drm_vtgpu_gem_info *args = data;
	struct drm_gem_object *obj;
	struct vtgpu_bo *bo;
	u32 info = 0;

	if (args->pad)
		return -EINVAL;

	obj = drm_gem_object_lookup(file, args->handle);
	if (!obj)
		return -ENOENT;
	bo = gem_to_vtgpu_bo(obj);

	if (drm_gem_is_imported(obj))
		info |= VTGPU_GEM_INFO_IMPORTED;
	if (bo->userptr)
		info |= VTGPU_GEM_INFO_USERPTR;
	args->size = obj->size;
	args->domains = bo->domains;
	args->preferred = bo->preferred;
	args->create_flags = bo->flags;
	args->info_flags = info;
	drm_gem_object_put(obj);
	return 0;
}

static int vtgpu_gem_wait_ioctl(struct drm_device *drm, void *data,
				struct drm_file *file)
{
	struct drm_vtgpu_gem_wait *args = data;
	struct drm_gem_object *obj;
	long timeout, lret;
	int ret = 0;

	if (args->flags || args->timeout_ns < 0)
		return -EINVAL;

	obj = drm_gem_object_lookup(file, args->handle);
	if (!obj)
		return -ENOENT;

	/* Absolute, so that a restart after a signal waits no longer. */
	timeout = drm_timeout_abs_to_jiffies(args->timeout_ns);
	if (!timeout) {
		if (!dma_resv_test_signaled(obj->resv, DMA_RESV_USAGE_BOOKKEEP))
			ret = -ETIMEDOUT;
		goto out;
	}

	lret = dma_resv_wait_timeout(obj->resv, DMA_RESV_USAGE_BOOKKEEP, true,
				     timeout);
	if (lret == 0)
		ret = -ETIMEDOUT;
	else if (lret < 0)
		ret = lret;
out:
	drm_gem_object_put(obj);
	return ret;
}

static int vtgpu_gem_userptr_ioctl(struct drm_device *drm, void *data,
				   struct drm_file *file)
{
	struct vtgpu_device *vtgpu = to_vtgpu(drm);
	struct drm_vtgpu_gem_userptr *args = data;
	u32 handle;
	u64 end;
	int ret;

	if ((args->flags & ~VTGPU_USERPTR_FLAGS) || !args->size ||
	    !PAGE_ALIGNED(args->addr) || !PAGE_ALIGNED(args->size) ||
	    check_add_overflow(args->addr, args->size, &end) ||
	    !access_ok(u64_to_user_ptr(args->addr), args->size) ||
	    args->size > vtgpu->gart.num_entries * VTGPU_PAGE_SIZE)
		return -EINVAL;
	if (vtgpu_engine_wedged(vtgpu))
		return -EIO;

	ret = vtgpu_userptr_create(file, vtgpu, args->addr, args->size,
				   args->flags, &handle);
	if (ret)
		return ret;
	args->handle = handle;
	return 0;
}

static const struct drm_ioctl_desc vtgpu_ioctls[] = {
	DRM_IOCTL_DEF_DRV(VTGPU_GETPARAM, vtgpu_getparam_ioctl, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(VTGPU_GEM_CREATE, vtgpu_gem_create_ioctl,
			  DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(VTGPU_GEM_MMAP_OFFSET, vtgpu_gem_mmap_offset_ioctl,
			  DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(VTGPU_GEM_INFO, vtgpu_gem_info_ioctl,
			  DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(VTGPU_GEM_WAIT, vtgpu_gem_wait_ioctl,
			  DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(VTGPU_SUBMIT, vtgpu_submit_ioctl, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(VTGPU_GEM_USERPTR, vtgpu_gem_userptr_ioctl,
			  DRM_RENDER_ALLOW),
};

/*
 * fdinfo's memory keys (Documentation/gpu/drm-usage-stats.rst) for the
 * file's BOs, by the domain each is in now: drm-total-vram, -gtt and
 * -system, with -shared, and for VRAM and GTT -resident (what is there
 * is resident) and -active (a fence pending on the BO); and the time the
 * engine spent on the file's jobs, drm-engine-copy.
 */
static void vtgpu_show_fdinfo(struct drm_printer *p, struct drm_file *file)
{
	struct vtgpu_file *vfile = file->driver_priv;
	static const char * const region[] = {
		[TTM_PL_SYSTEM] = "system",
		[TTM_PL_TT] = "gtt",
		[TTM_PL_VRAM] = "vram",
	};
	struct drm_memory_stats stats[ARRAY_SIZE(region)] = {};
	struct drm_gem_object *obj;
	u32 mem_type;
	int id;

	spin_lock(&file->table_lock);
	idr_for_each_entry(&file->object_idr, obj, id) {
		struct drm_memory_stats *s;

		mem_type = READ_ONCE(gem_to_vtgpu_bo(obj)->mem_type);
		if (mem_type >= ARRAY_SIZE(region))
			continue;
		s = &stats[mem_type];
		if (drm_gem_object_is_shared_for_memory_stats(obj))
			s->shared += obj->size;
		else
			s->private += obj->size;
		s->resident += obj->size;
		if (!dma_resv_test_signaled(obj->resv, DMA_RESV_USAGE_BOOKKEEP))
			s->active += obj->size;
	}
	spin_unlock(&file->table_lock);

	for (mem_type = 0; mem_type < ARRAY_SIZE(region); mem_type++)
		drm_print_memory_stats(p, &stats[mem_type],
				       mem_type == TTM_PL_SYSTEM ? 0 :
				       DRM_GEM_OBJECT_RESIDENT |
				       DRM_GEM_OBJECT_ACTIVE,
				       region[mem_type]);
	drm_printf(p, "drm-engine-copy:\t%lld ns\n",
		   atomic64_read(&vfile->engine_ns));
}

static int vtgpu_open(struct drm_device *drm, struct drm_file *file)
{
	struct vtgpu_file *vfile;
	int ret;

	vfile = kzalloc_obj(*vfile);
	if (!vfile)
		return -ENOMEM;
	kref_init(&vfile->refcount);
	ret = vtgpu_entity_init(to_vtgpu(drm), &vfile->entity,
				DRM_SCHED_PRIORITY_NORMAL);
	if (ret) {
		kfree(vfile);
		return ret;
	}
	file->driver_priv = vfile;
	return 0;
}

/*
 * The file's queued jobs still run; its entity goes once they did, the
 * rest once they are freed.
 */
static void vtgpu_postclose(struct drm_device *drm, struct drm_file *file)
{
	struct vtgpu_file *vfile = file->driver_priv;

	vtgpu_entity_fini(&vfile->entity);
	vtgpu_file_put(vfile);
}

static const struct file_operations vtgpu_fops = {
	.owner		= THIS_MODULE,
	DRM_GEM_FOPS,
	.show_fdinfo	= drm_show_fdinfo,
};

static const struct drm_driver vtgpu_driver = {
	.driver_features	= DRIVER_GEM | DRIVER_RENDER | DRIVER_SYNCOBJ |
				  DRIVER_SYNCOBJ_TIMELINE,
	.open			= vtgpu_open,
	.postclose		= vtgpu_postclose,
	.ioctls			= vtgpu_ioctls,
	.num_ioctls		= ARRAY_SIZE(vtgpu_ioctls),
	.fops			= &vtgpu_fops,
	.show_fdinfo		= vtgpu_show_fdinfo,
	.gem_prime_import_sg_table = vtgpu_gem_prime_import_sg_table,
#ifdef CONFIG_DEBUG_FS
	.debugfs_init		= vtgpu_debugfs_init,
#endif
	.name			= DRIVER_NAME,
	.desc			= DRIVER_DESC,
	.major			= DRIVER_MAJOR,
	.minor			= DRIVER_MINOR,
};

/* Read the identification registers and check them against BAR2. */
static int vtgpu_identify(struct vtgpu_device *vtgpu, struct pci_dev *pdev)
{
	struct drm_device *drm = &vtgpu->drm;
	u32 id = ioread32(vtgpu->mmio + VTGPU_REG_ID);
	u32 version, major, minor;

	if (id != VTGPU_ID) {
		drm_err(drm, "not a vtgpu device (id %#010x)\n", id);
		return -ENODEV;
	}

	version = ioread32(vtgpu->mmio + VTGPU_REG_VERSION);
	major = FIELD_GET(VTGPU_VERSION_MAJOR_MASK, version);
	minor = FIELD_GET(VTGPU_VERSION_MINOR_MASK, version);
	if (major != VTGPU_SUPPORTED_MAJOR || minor < VTGPU_MIN_MINOR) {
		drm_err(drm, "unsupported device version %u.%u\n", major, minor);
		return -ENODEV;
	}

	vtgpu->caps = ioread32(vtgpu->mmio + VTGPU_REG_CAPS);
	vtgpu->vram_size = lo_hi_readq(vtgpu->mmio + VTGPU_REG_VRAM_SIZE_LO);
	vtgpu->visible_vram_size =
		lo_hi_readq(vtgpu->mmio + VTGPU_REG_VISIBLE_SIZE_LO);
	vtgpu->gart_size = lo_hi_readq(vtgpu->mmio + VTGPU_REG_GART_SIZE_LO);
	vtgpu->vram_base = pci_resource_start(pdev, VTGPU_BAR_VRAM);

	if (!vtgpu->visible_vram_size ||
	    vtgpu->visible_vram_size > vtgpu->vram_size ||
	    vtgpu->visible_vram_size > pci_resource_len(pdev, VTGPU_BAR_VRAM)) {
		drm_err(drm, "inconsistent VRAM sizes: %llu visible of %llu, BAR2 %llu\n",
			vtgpu->visible_vram_size, vtgpu->vram_size,
			(u64)pci_resource_len(pdev, VTGPU_BAR_VRAM));
		return -ENODEV;
	}
	if (!(vtgpu->caps & VTGPU_CAPS_FILL) ||
	    vtgpu->gart_size < SZ_2M || !is_power_of_2(vtgpu->gart_size)) {
		drm_err(drm, "unsupported device: caps %#x, GART %llu bytes\n",
			vtgpu->caps, vtgpu->gart_size);
		return -ENODEV;
	}

	drm_info(drm, "vtgpu %u.%u: %llu MiB VRAM, %llu MiB CPU-visible\n",
		 major, minor, vtgpu->vram_size >> 20,
		 vtgpu->visible_vram_size >> 20);
	return 0;
}

static int vtgpu_pci_probe(struct pci_dev *pdev, const struct pci_device_id *ent)
{
	struct vtgpu_device *vtgpu;
	int ret;

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;

	vtgpu = devm_drm_dev_alloc(&pdev->dev, &vtgpu_driver,
				   struct vtgpu_device, drm);
	if (IS_ERR(vtgpu))
		return PTR_ERR(vtgpu);

	vtgpu->mmio = pcim_iomap_region(pdev, VTGPU_BAR_MMIO, DRIVER_NAME);
	if (IS_ERR(vtgpu->mmio))
		return PTR_ERR(vtgpu->mmio);

	ret = vtgpu_identify(vtgpu, pdev);
	if (ret)
		return ret;

	ret = pcim_request_region(pdev, VTGPU_BAR_VRAM, DRIVER_NAME);
	if (ret)
		return ret;
	vtgpu->visible_vram = devm_ioremap_wc(&pdev->dev, vtgpu->vram_base,
					      vtgpu->visible_vram_size);
	if (!vtgpu->visible_vram)
		return -ENOMEM;
	ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
	if (ret)
		return ret;
	pci_set_master(pdev);

	ret = vtgpu_gart_init(vtgpu);
	if (ret)
		return ret;
	ret = vtgpu_engine_init(vtgpu);
	if (ret)
		return ret;

	spin_lock_init(&vtgpu->bo_lock);
	INIT_LIST_HEAD(&vtgpu->bo_list);
	ret = vtgpu_userptr_init(vtgpu);
	if (ret)
		return ret;
	ret = vtgpu_ttm_init(vtgpu);
	if (ret)
		return ret;

	pci_set_drvdata(pdev, &vtgpu->drm);
	return drm_dev_register(&vtgpu->drm, 0);
}

/*
 * Unplug first: BOs, mappings and fences may outlive the device. What the
 * probe set up is device-managed and undone once this returns.
 */
static void vtgpu_pci_remove(struct pci_dev *pdev)
{
	drm_dev_unplug(pci_get_drvdata(pdev));
}

static const struct pci_device_id vtgpu_pci_ids[] = {
	{ PCI_DEVICE(VTGPU_PCI_VENDOR_ID, VTGPU_PCI_DEVICE_ID) },
	{ }
};
MODULE_DEVICE_TABLE(pci, vtgpu_pci_ids);

static struct pci_driver vtgpu_pci_driver = {
	.name		= DRIVER_NAME,
	.id_table	= vtgpu_pci_ids,
	.probe		= vtgpu_pci_probe,
	.remove		= vtgpu_pci_remove,
};
module_pci_driver(vtgpu_pci_driver);

MODULE_AUTHOR("The vtgpu authors");
MODULE_DESCRIPTION(DRIVER_DESC);
MODULE_LICENSE("GPL");
