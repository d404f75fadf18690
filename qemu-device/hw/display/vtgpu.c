/*
 * vtgpu: a virtual GPU PCI device for driver development
 *
 * This is the foundation of the device: identification registers in
 * BAR0 and VRAM, of which a CPU-visible window is exposed through BAR2.
 * The register map is documented in docs/specs/vtgpu.rst.
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/bitops.h"
#include "qemu/host-utils.h"
#include "qemu/log.h"
#include "qemu/module.h"
#include "qemu/units.h"
#include "qapi/error.h"
#include "hw/pci/pci.h"
#include "hw/qdev-properties.h"
#include "migration/vmstate.h"
#include "qom/object.h"
#include "trace.h"

#define TYPE_VTGPU "vtgpu"
OBJECT_DECLARE_SIMPLE_TYPE(VTGPUState, VTGPU)

#define VTGPU_PCI_DEVICE_ID         0x11f0
#define VTGPU_PCI_REVISION          1

#define VTGPU_BAR_MMIO              0
#define VTGPU_BAR_VRAM              2

#define VTGPU_MMIO_SIZE             (4 * KiB)
#define VTGPU_VRAM_SIZE_MAX         (16 * GiB)
#define VTGPU_VISIBLE_SIZE_MIN      (1 * MiB)

/* BAR0 registers, all 32 bits wide */
#define VTGPU_REG_ID                0x000
#define VTGPU_REG_VERSION           0x004
#define VTGPU_REG_CAPS              0x008
#define VTGPU_REG_VRAM_SIZE_LO      0x010
#define VTGPU_REG_VRAM_SIZE_HI      0x014
#define VTGPU_REG_VISIBLE_SIZE_LO   0x018
#define VTGPU_REG_VISIBLE_SIZE_HI   0x01c

#define VTGPU_ID                    0x56544750 /* "VTGP" */
#define VTGPU_VERSION_MAJOR         1
#define VTGPU_VERSION_MINOR         0
#define VTGPU_VERSION \
    ((VTGPU_VERSION_MAJOR << 16) | VTGPU_VERSION_MINOR)
#define VTGPU_CAPS                  0

struct VTGPUState {
    PCIDevice parent_obj;

    MemoryRegion mmio;
    MemoryRegion vram;
    MemoryRegion vram_bar;

    /* properties */
    uint64_t vram_size;
    uint64_t visible_vram_size;
};

static bool vtgpu_check_sizes(VTGPUState *s, Error **errp)
{
    if (!QEMU_IS_ALIGNED(s->vram_size, MiB)) {
        error_setg(errp, "vram_size must be a multiple of 1 MiB, "
                   "got %" PRIu64 " bytes", s->vram_size);
        return false;
    }
    if (s->vram_size > VTGPU_VRAM_SIZE_MAX) {
        error_setg(errp, "vram_size must be at most 16 GiB, "
                   "got %" PRIu64 " bytes", s->vram_size);
        return false;
    }
    if (!is_power_of_2(s->visible_vram_size)) {
        error_setg(errp, "visible_vram_size must be a power of two, "
                   "got %" PRIu64 " bytes", s->visible_vram_size);
        return false;
    }
    if (s->visible_vram_size < VTGPU_VISIBLE_SIZE_MIN) {
        error_setg(errp, "visible_vram_size must be at least 1 MiB, "
                   "got %" PRIu64 " bytes", s->visible_vram_size);
        return false;
    }
    if (s->visible_vram_size > s->vram_size) {
        error_setg(errp, "visible_vram_size (%" PRIu64 " bytes) must not "
                   "exceed vram_size (%" PRIu64 " bytes)",
                   s->visible_vram_size, s->vram_size);
        return false;
    }
    return true;
}

static uint64_t vtgpu_mmio_read(void *opaque, hwaddr addr, unsigned size)
{
    VTGPUState *s = opaque;
    uint64_t val;

    switch (addr) {
    case VTGPU_REG_ID:
        val = VTGPU_ID;
        break;
    case VTGPU_REG_VERSION:
        val = VTGPU_VERSION;
        break;
    case VTGPU_REG_CAPS:
        val = VTGPU_CAPS;
        break;
    case VTGPU_REG_VRAM_SIZE_LO:
        val = extract64(s->vram_size, 0, 32);
        break;
    case VTGPU_REG_VRAM_SIZE_HI:
        val = extract64(s->vram_size, 32, 32);
        break;
    case VTGPU_REG_VISIBLE_SIZE_LO:
        val = extract64(s->visible_vram_size, 0, 32);
        break;
    case VTGPU_REG_VISIBLE_SIZE_HI:
        val = extract64(s->visible_vram_size, 32, 32);
        break;
    default:
        qemu_log_mask(LOG_GUEST_ERROR,
                      "%s: read from unknown register 0x%03" HWADDR_PRIx "\n",
                      __func__, addr);
        val = 0;
        break;
    }

    trace_vtgpu_mmio_read(addr, val);
    return val;
}

static void vtgpu_mmio_write(void *opaque, hwaddr addr, uint64_t val,
                             unsigned size)
{
    trace_vtgpu_mmio_write(addr, val);

    switch (addr) {
    case VTGPU_REG_ID:
    case VTGPU_REG_VERSION:
    case VTGPU_REG_CAPS:
    case VTGPU_REG_VRAM_SIZE_LO:
    case VTGPU_REG_VRAM_SIZE_HI:
    case VTGPU_REG_VISIBLE_SIZE_LO:
    case VTGPU_REG_VISIBLE_SIZE_HI:
        qemu_log_mask(LOG_GUEST_ERROR,
                      "%s: write to read-only register 0x%03" HWADDR_PRIx
                      " ignored\n", __func__, addr);
        break;
    default:
        qemu_log_mask(LOG_GUEST_ERROR,
                      "%s: write to unknown register 0x%03" HWADDR_PRIx
                      " ignored\n", __func__, addr);
        break;
    }
}

static const MemoryRegionOps vtgpu_mmio_ops = {
    .read = vtgpu_mmio_read,
    .write = vtgpu_mmio_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {
        .min_access_size = 4,
        .max_access_size = 4,
    },
    .impl = {
        .min_access_size = 4,
        .max_access_size = 4,
    },
};

static void vtgpu_realize(PCIDevice *pdev, Error **errp)
{
    ERRP_GUARD();
    VTGPUState *s = VTGPU(pdev);

    if (!vtgpu_check_sizes(s, errp)) {
        return;
    }

    memory_region_init_io(&s->mmio, OBJECT(s), &vtgpu_mmio_ops, s,
                          "vtgpu.mmio", VTGPU_MMIO_SIZE);
    pci_register_bar(pdev, VTGPU_BAR_MMIO, PCI_BASE_ADDRESS_SPACE_MEMORY,
                     &s->mmio);

    /*
     * All of VRAM is one RAM block, migrated as such.  Only its first
     * visible_vram_size bytes are CPU-visible through BAR2.
     */
    memory_region_init_ram(&s->vram, OBJECT(s), "vtgpu.vram", s->vram_size,
                           errp);
    if (*errp) {
        return;
    }
    memory_region_init_alias(&s->vram_bar, OBJECT(s), "vtgpu.vram-bar",
                             &s->vram, 0, s->visible_vram_size);
    pci_register_bar(pdev, VTGPU_BAR_VRAM,
                     PCI_BASE_ADDRESS_SPACE_MEMORY |
                     PCI_BASE_ADDRESS_MEM_TYPE_64 |
                     PCI_BASE_ADDRESS_MEM_PREFETCH,
                     &s->vram_bar);
}

static Property vtgpu_properties[] = {
    DEFINE_PROP_SIZE("vram_size", VTGPUState, vram_size, 256 * MiB),
    DEFINE_PROP_SIZE("visible_vram_size", VTGPUState, visible_vram_size,
                     64 * MiB),
    DEFINE_PROP_END_OF_LIST(),
};

static const VMStateDescription vmstate_vtgpu = {
    .name = TYPE_VTGPU,
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (VMStateField[]) {
        VMSTATE_PCI_DEVICE(parent_obj, VTGPUState),
        VMSTATE_END_OF_LIST()
    },
};

static void vtgpu_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIDeviceClass *k = PCI_DEVICE_CLASS(klass);

    k->realize = vtgpu_realize;
    k->vendor_id = PCI_VENDOR_ID_QEMU;
    k->device_id = VTGPU_PCI_DEVICE_ID;
    k->revision = VTGPU_PCI_REVISION;
    k->class_id = PCI_CLASS_DISPLAY_OTHER;

    dc->desc = "vtgpu virtual GPU";
    dc->vmsd = &vmstate_vtgpu;
    set_bit(DEVICE_CATEGORY_DISPLAY, dc->categories);
    device_class_set_props(dc, vtgpu_properties);
    object_class_property_set_description(klass, "vram_size",
        "Total VRAM size: a multiple of 1 MiB, at most 16 GiB");
    object_class_property_set_description(klass, "visible_vram_size",
        "Size of the CPU-visible VRAM window (BAR2): a power of two, "
        "at least 1 MiB, at most vram_size");
}

static const TypeInfo vtgpu_info = {
    .name = TYPE_VTGPU,
    .parent = TYPE_PCI_DEVICE,
    .instance_size = sizeof(VTGPUState),
    .class_init = vtgpu_class_init,
    .interfaces = (InterfaceInfo[]) {
        { INTERFACE_CONVENTIONAL_PCI_DEVICE },
        { },
    },
};

static void vtgpu_register_types(void)
{
    type_register_static(&vtgpu_info);
}

type_init(vtgpu_register_types)
