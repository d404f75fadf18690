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

#include <linux/io-64-nonatomic-lo-hi.h>
#include <linux/module.h>
#include <linux/pci.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_ioctl.h>
#include <drm/vtgpu_drm.h>

#include "vtgpu_drv.h"
#include "vtgpu_regs.h"

#define DRIVER_NAME	"vtgpu"
#define DRIVER_DESC	"Virtual GPU for QEMU with TTM-managed VRAM"
#define DRIVER_DATE	"20261121"
#define DRIVER_MAJOR	1
#define DRIVER_MINOR	0

/* The interface major version this driver is written against. */
#define VTGPU_SUPPORTED_MAJOR	1

static int vtgpu_getparam_ioctl(struct drm_device *drm, void *data,
				struct drm_file *file)
{
	struct vtgpu_device *vtgpu = to_vtgpu(drm);
	struct drm_vtgpu_getparam *args = data;

	if (args->pad)
		return -EINVAL;

	switch (args->param) {
	case VTGPU_PARAM_DEVICE_VERSION:
		args->value = vtgpu->version;
		break;
	case VTGPU_PARAM_VRAM_SIZE:
		args->value = vtgpu->vram_size;
		break;
	case VTGPU_PARAM_VISIBLE_VRAM_SIZE:
		args->value = vtgpu->visible_vram_size;
		break;
	case VTGPU_PARAM_CAPS:
		args->value = vtgpu->caps;
		break;
	default:
		return -EINVAL;
	}
	return 0;
}

static const struct drm_ioctl_desc vtgpu_ioctls[] = {
	DRM_IOCTL_DEF_DRV(VTGPU_GETPARAM, vtgpu_getparam_ioctl, DRM_RENDER_ALLOW),
};

DEFINE_DRM_GEM_FOPS(vtgpu_fops);

static const struct drm_driver vtgpu_driver = {
	.driver_features	= DRIVER_GEM | DRIVER_RENDER,
	.ioctls			= vtgpu_ioctls,
	.num_ioctls		= ARRAY_SIZE(vtgpu_ioctls),
	.fops			= &vtgpu_fops,
	.name			= DRIVER_NAME,
	.desc			= DRIVER_DESC,
	.date			= DRIVER_DATE,
	.major			= DRIVER_MAJOR,
	.minor			= DRIVER_MINOR,
};

/* Read the identification registers and check them against BAR2. */
static int vtgpu_identify(struct vtgpu_device *vtgpu, struct pci_dev *pdev)
{
	struct drm_device *drm = &vtgpu->drm;
	u32 id = ioread32(vtgpu->mmio + VTGPU_REG_ID);

	if (id != VTGPU_ID_MAGIC) {
		drm_err(drm, "not a vtgpu device (id %#010x)\n", id);
		return -ENODEV;
	}

	vtgpu->version = ioread32(vtgpu->mmio + VTGPU_REG_VERSION);
	if (VTGPU_VERSION_MAJOR(vtgpu->version) != VTGPU_SUPPORTED_MAJOR) {
		drm_err(drm, "unsupported device version %u.%u\n",
			VTGPU_VERSION_MAJOR(vtgpu->version),
			VTGPU_VERSION_MINOR(vtgpu->version));
		return -ENODEV;
	}

	vtgpu->caps = ioread32(vtgpu->mmio + VTGPU_REG_CAPS);
	vtgpu->vram_size = lo_hi_readq(vtgpu->mmio + VTGPU_REG_VRAM_SIZE_LO);
	vtgpu->visible_vram_size =
		lo_hi_readq(vtgpu->mmio + VTGPU_REG_VISIBLE_SIZE_LO);

	if (!vtgpu->visible_vram_size ||
	    vtgpu->visible_vram_size > vtgpu->vram_size ||
	    vtgpu->visible_vram_size > pci_resource_len(pdev, VTGPU_BAR_VRAM)) {
		drm_err(drm, "inconsistent VRAM sizes: %llu visible of %llu, BAR2 %llu\n",
			vtgpu->visible_vram_size, vtgpu->vram_size,
			(u64)pci_resource_len(pdev, VTGPU_BAR_VRAM));
		return -ENODEV;
	}

	drm_info(drm, "vtgpu %u.%u: %llu MiB VRAM, %llu MiB CPU-visible\n",
		 VTGPU_VERSION_MAJOR(vtgpu->version),
		 VTGPU_VERSION_MINOR(vtgpu->version),
		 vtgpu->vram_size >> 20, vtgpu->visible_vram_size >> 20);
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

	ret = pcim_iomap_regions(pdev, BIT(VTGPU_BAR_MMIO), DRIVER_NAME);
	if (ret)
		return ret;
	vtgpu->mmio = pcim_iomap_table(pdev)[VTGPU_BAR_MMIO];

	ret = vtgpu_identify(vtgpu, pdev);
	if (ret)
		return ret;

	pci_set_drvdata(pdev, &vtgpu->drm);
	return drm_dev_register(&vtgpu->drm, 0);
}

static void vtgpu_pci_remove(struct pci_dev *pdev)
{
	struct drm_device *drm = pci_get_drvdata(pdev);

	drm_dev_unplug(drm);
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
