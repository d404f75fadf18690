// SPDX-License-Identifier: GPL-2.0-only
/*
 * The vtgpu GART: a page table in guest memory that maps the pages of the
 * GART aperture, in the engine's address space, to guest pages.
 */

#include <linux/dma-mapping.h>
#include <linux/error-injection.h>
#include <linux/io-64-nonatomic-lo-hi.h>
#include <linux/pci.h>

#include <drm/drm_drv.h>
#include <drm/drm_print.h>

#include "vtgpu_drv.h"

/* GART entries per CPU page. */
#define VTGPU_GART_PER_PAGE	(PAGE_SIZE / VTGPU_PAGE_SIZE)

/**
 * DOC: GART
 *
 * The device reads the GART entries from guest memory on every access and
 * has no TLB: binding is writing entries before the doorbell of the jobs
 * that use them, unbinding is clearing them once no pending job does. The
 * table is one coherent allocation; when the whole aperture's table cannot
 * be had, the driver uses a smaller part of the aperture (the GTT manager
 * is sized from &vtgpu_gart.num_entries).
 *
 * The table is device-managed memory, freed when the driver unbinds: every
 * write to it is inside drm_dev_enter(), as the BOs whose pages it maps
 * may outlive the device.
 */

/* Take the table away from the device before it is freed. */
static void vtgpu_gart_disable(void *arg)
{
	struct vtgpu_device *vtgpu = arg;

	lo_hi_writeq(0, vtgpu->mmio + VTGPU_REG_GART_TABLE_LO);
}

/**
 * vtgpu_gart_init - allocate the GART table and hand it to the device
 * @vtgpu: the device
 *
 * The device gives the table back when the probe fails or the driver
 * unbinds.
 *
 * Returns: 0 or -ENOMEM.
 */
int vtgpu_gart_init(struct vtgpu_device *vtgpu)
{
	struct vtgpu_gart *gart = &vtgpu->gart;
	struct device *dev = vtgpu->drm.dev;
	u64 entries = vtgpu->gart_size / VTGPU_PAGE_SIZE;

	BUILD_BUG_ON(PAGE_SIZE % VTGPU_PAGE_SIZE);

	/* At least one page of table, that is 2 MiB of aperture. */
	for (; entries >= PAGE_SIZE / sizeof(u64); entries /= 2) {
		gart->table = dmam_alloc_coherent(dev, entries * sizeof(u64),
						  &gart->table_dma,
						  GFP_KERNEL | __GFP_NOWARN);
		if (gart->table)
			break;
	}
	if (!gart->table)
		return -ENOMEM;

	gart->num_entries = entries;
	gart->base = lo_hi_readq(vtgpu->mmio + VTGPU_REG_GART_BASE_LO);
	if (entries * VTGPU_PAGE_SIZE < vtgpu->gart_size)
		drm_info(&vtgpu->drm, "using %llu MiB of the %llu MiB GART aperture\n",
			 (entries * VTGPU_PAGE_SIZE) >> 20,
			 vtgpu->gart_size >> 20);

	lo_hi_writeq(gart->table_dma, vtgpu->mmio + VTGPU_REG_GART_TABLE_LO);
	return devm_add_action_or_reset(dev, vtgpu_gart_disable, vtgpu);
}
ALLOW_ERROR_INJECTION(vtgpu_gart_init, ERRNO);

/**
 * vtgpu_gart_bind - map pages into the aperture, or unmap them
 * @vtgpu: the device
 * @first: first CPU page of the aperture
 * @count: number of CPU pages
 * @addrs: the pages' bus addresses, or NULL to unmap the pages there
 * @writable: whether the engine may write through the mapping (not for NULL)
 *
 * A mapping is in effect for the jobs committed after this returns; no
 * job still pending may use pages unmapped.
 */
void vtgpu_gart_bind(struct vtgpu_device *vtgpu, u64 first, u64 count,
		     const dma_addr_t *addrs, bool writable)
{
	__le64 *entry = vtgpu->gart.table + first * VTGPU_GART_PER_PAGE;
	u64 flags = VTGPU_GART_VALID;
	u64 i, j;
	int idx;

	if (WARN_ON((first + count) * VTGPU_GART_PER_PAGE >
		    vtgpu->gart.num_entries))
		return;
	if (!drm_dev_enter(&vtgpu->drm, &idx))
		return;

	if (writable)
		flags |= VTGPU_GART_WRITABLE;
	for (i = 0; i < count; i++)
		for (j = 0; j < VTGPU_GART_PER_PAGE; j++)
			*entry++ = addrs ?
				cpu_to_le64((addrs[i] + j * VTGPU_PAGE_SIZE) |
					    flags) : 0;
	drm_dev_exit(idx);
}
