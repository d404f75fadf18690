/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Register map and command format of the vtgpu device, as
 * docs/specs/vtgpu.rst in QEMU defines them (interface version 1.1).
 * QEMU's include/hw/misc/vtgpu_regs.h is the source: every name here is
 * one of its names, with its value (ci/tests/test_regs.py checks it).
 * All registers are 32 bits wide and little-endian; a 64-bit quantity is
 * its _LO register (bits 31:0), with bits 63:32 in the next one.
 */
#ifndef __VTGPU_REGS_H__
#define __VTGPU_REGS_H__

#include <linux/bits.h>
#include <linux/sizes.h>
#include <linux/types.h>

/*
 * An ID of the range QEMU's docs/specs/pci-ids.rst leaves for experimental
 * devices, until an official one (1b36:xxxx) is assigned.
 */
#define VTGPU_PCI_VENDOR_ID		0x1af4
#define VTGPU_PCI_DEVICE_ID		0x10f0

#define VTGPU_BAR_MMIO			0
#define VTGPU_BAR_VRAM			2

#define VTGPU_REG_ID			0x000
#define   VTGPU_ID		0x56544750	/* "VTGP" */
#define VTGPU_REG_VERSION		0x004
#define   VTGPU_VERSION_MAJOR_MASK	GENMASK(31, 16)
#define   VTGPU_VERSION_MINOR_MASK	GENMASK(15, 0)
#define VTGPU_REG_CAPS			0x008
#define   VTGPU_CAPS_FILL		BIT(0)
#define   VTGPU_CAPS_INJECT		BIT(1)
#define VTGPU_REG_VRAM_SIZE_LO		0x010
#define VTGPU_REG_VISIBLE_SIZE_LO	0x018
#define VTGPU_REG_GART_SIZE_LO		0x020
#define VTGPU_REG_GART_BASE_LO		0x028

/* GART page table: gart_size / 4096 little-endian u64 entries. */
#define VTGPU_REG_GART_TABLE_LO		0x040
#define   VTGPU_GART_VALID		BIT_ULL(0)
#define   VTGPU_GART_WRITABLE		BIT_ULL(1)
#define VTGPU_PAGE_SIZE		4096

/* The command ring. */
#define VTGPU_REG_RING_BASE_LO		0x080
#define VTGPU_REG_RING_SIZE		0x088
#define VTGPU_REG_RING_HEAD		0x08c
#define VTGPU_REG_RING_TAIL		0x090
#define VTGPU_REG_DOORBELL		0x094
#define VTGPU_REG_ENGINE_STATUS		0x098
#define   VTGPU_STATUS_BUSY		BIT(0)
#define   VTGPU_STATUS_HALTED		BIT(1)
#define   VTGPU_STATUS_HUNG		BIT(2)
#define VTGPU_REG_ENGINE_RESET		0x09c
#define VTGPU_REG_FENCE_WB_LO		0x0a8

/* Interrupts: the condition is INT_STATUS & INT_MASK. */
#define VTGPU_REG_INT_STATUS		0x0c0
#define VTGPU_REG_INT_MASK		0x0c4
#define VTGPU_REG_INT_ACK		0x0c8
#define   VTGPU_INT_FENCE		BIT(0)
#define   VTGPU_INT_ERROR		BIT(1)

/* Why the engine halted. */
#define VTGPU_REG_ERROR_CODE		0x0e0
#define   VTGPU_ERR_NONE		0
#define   VTGPU_ERR_BAD_COMMAND	1
#define   VTGPU_ERR_BAD_ADDRESS	2
#define   VTGPU_ERR_GART_FAULT	3
#define   VTGPU_ERR_GART_READONLY	4
#define   VTGPU_ERR_BAD_SIZE		5
#define   VTGPU_ERR_DMA_ERROR		6
#define   VTGPU_ERR_INJECTED		7
#define   VTGPU_ERR_BAD_RING		8
#define VTGPU_REG_ERROR_ADDR_LO		0x0e8

/* Test support. */
#define VTGPU_REG_INJECT		0x100
#define   VTGPU_INJECT_NONE		0
#define   VTGPU_INJECT_FAIL_NEXT	1
#define   VTGPU_INJECT_HANG		2
#define VTGPU_REG_ENGINE_DELAY_US	0x104
#define   VTGPU_DELAY_US_MAX	10000000
#define VTGPU_REG_STAT_COMMANDS_LO	0x120
#define VTGPU_REG_STAT_BYTES_LO		0x128

/* A window on all of VRAM, a dword at a time (interface version 1.1). */
#define VTGPU_REG_MM_INDEX_LO		0x140
#define VTGPU_REG_MM_DATA		0x148

/**
 * struct vtgpu_cmd - one engine command, as it sits in the ring
 * @opcode: one of VTGPU_OP_*
 * @flags: VTGPU_FENCE_IRQ for a FENCE, otherwise 0
 * @arg0: COPY source, FILL destination or FENCE seqno
 * @arg1: COPY destination or FILL size
 * @arg2: COPY size or FILL pattern (bits 31:0)
 */
struct vtgpu_cmd {
	__le32 opcode;
	__le32 flags;
	__le64 arg0;
	__le64 arg1;
	__le64 arg2;
};

#define VTGPU_OP_COPY			1
#define VTGPU_OP_FILL			2
#define VTGPU_OP_FENCE			3
#define   VTGPU_FENCE_IRQ		BIT(0)

#endif /* __VTGPU_REGS_H__ */
