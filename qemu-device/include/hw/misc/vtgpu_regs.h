/*
 * vtgpu: the register interface of the vtgpu PCI device
 *
 * Register offsets and bits, error codes, the command format and the GART
 * entry format of docs/specs/vtgpu.rst, shared by the device model
 * (hw/misc/vtgpu.c) and its qtest (tests/qtest/vtgpu-test.c).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_MISC_VTGPU_REGS_H
#define HW_MISC_VTGPU_REGS_H

#include "qemu/bitops.h"
#include "qemu/units.h"

/*
 * PCI identity: an ID of the range docs/specs/pci-ids.rst leaves for
 * experimental devices, until an official one (1b36:xxxx) is assigned.
 */
#define VTGPU_PCI_VENDOR_ID         0x1af4 /* PCI_VENDOR_ID_REDHAT_QUMRANET */
#define VTGPU_PCI_DEVICE_ID         0x10f0
#define VTGPU_PCI_REVISION          1

/* BAR0: the registers; BAR2: the CPU-visible part of VRAM */
#define VTGPU_BAR_MMIO              0
#define VTGPU_BAR_VRAM              2

/* The GART aperture in the engine's address space; its pages */
#define VTGPU_GART_BASE             (1ULL << 40)
#define VTGPU_PAGE_SIZE             4096
/* RING_SIZE: a power of two in this range */
#define VTGPU_RING_SIZE_MIN         (4 * KiB)
#define VTGPU_RING_SIZE_MAX         (1 * MiB)
/* ENGINE_DELAY_US: at most 10 s per command */
#define VTGPU_DELAY_US_MAX          10000000

/* BAR0 registers, all 32 bits wide */
#define VTGPU_REG_ID                0x000
#define VTGPU_REG_VERSION           0x004
#define VTGPU_REG_CAPS              0x008
#define VTGPU_REG_VRAM_SIZE_LO      0x010
#define VTGPU_REG_VRAM_SIZE_HI      0x014
#define VTGPU_REG_VISIBLE_SIZE_LO   0x018
#define VTGPU_REG_VISIBLE_SIZE_HI   0x01c
#define VTGPU_REG_GART_SIZE_LO      0x020
#define VTGPU_REG_GART_SIZE_HI      0x024
#define VTGPU_REG_GART_BASE_LO      0x028
#define VTGPU_REG_GART_BASE_HI      0x02c
#define VTGPU_REG_GART_TABLE_LO     0x040
#define VTGPU_REG_GART_TABLE_HI     0x044
#define VTGPU_REG_RING_BASE_LO      0x080
#define VTGPU_REG_RING_BASE_HI      0x084
#define VTGPU_REG_RING_SIZE         0x088
#define VTGPU_REG_RING_HEAD         0x08c
#define VTGPU_REG_RING_TAIL         0x090
#define VTGPU_REG_DOORBELL          0x094
#define VTGPU_REG_ENGINE_STATUS     0x098
#define VTGPU_REG_ENGINE_RESET      0x09c
#define VTGPU_REG_FENCE_SEQNO_LO    0x0a0
#define VTGPU_REG_FENCE_SEQNO_HI    0x0a4
#define VTGPU_REG_FENCE_WB_LO       0x0a8
#define VTGPU_REG_FENCE_WB_HI       0x0ac
#define VTGPU_REG_INT_STATUS        0x0c0
#define VTGPU_REG_INT_MASK          0x0c4
#define VTGPU_REG_INT_ACK           0x0c8
#define VTGPU_REG_ERROR_CODE        0x0e0
#define VTGPU_REG_ERROR_HEAD        0x0e4
#define VTGPU_REG_ERROR_ADDR_LO     0x0e8
#define VTGPU_REG_ERROR_ADDR_HI     0x0ec
#define VTGPU_REG_INJECT            0x100
#define VTGPU_REG_ENGINE_DELAY_US   0x104
#define VTGPU_REG_STAT_COMMANDS_LO  0x120
#define VTGPU_REG_STAT_COMMANDS_HI  0x124
#define VTGPU_REG_STAT_BYTES_LO     0x128
#define VTGPU_REG_STAT_BYTES_HI     0x12c
#define VTGPU_REG_STAT_MAX_BURST_LO 0x130
#define VTGPU_REG_STAT_MAX_BURST_HI 0x134
#define VTGPU_REG_MM_INDEX_LO       0x140
#define VTGPU_REG_MM_INDEX_HI       0x144
#define VTGPU_REG_MM_DATA           0x148

/* Values of ID, VERSION and CAPS */
#define VTGPU_ID                    0x56544750 /* "VTGP" */
#define VTGPU_VERSION_MAJOR         1
#define VTGPU_VERSION_MINOR         1
#define VTGPU_VERSION \
    ((VTGPU_VERSION_MAJOR << 16) | VTGPU_VERSION_MINOR)
#define VTGPU_VERSION_MAJOR_MASK    MAKE_64BIT_MASK(16, 16)
#define VTGPU_VERSION_MINOR_MASK    MAKE_64BIT_MASK(0, 16)

#define VTGPU_CAPS_FILL             BIT(0)
#define VTGPU_CAPS_INJECT           BIT(1)
#define VTGPU_CAPS_MSI              BIT(2)
#define VTGPU_CAPS \
    (VTGPU_CAPS_FILL | VTGPU_CAPS_INJECT | VTGPU_CAPS_MSI)

/* ENGINE_STATUS */
#define VTGPU_STATUS_BUSY           BIT(0)
#define VTGPU_STATUS_HALTED         BIT(1)
#define VTGPU_STATUS_HUNG           BIT(2)

/* INT_STATUS, INT_MASK and INT_ACK */
#define VTGPU_INT_FENCE             BIT(0)
#define VTGPU_INT_ERROR             BIT(1)
#define VTGPU_INT_ALL               (VTGPU_INT_FENCE | VTGPU_INT_ERROR)

/* INJECT */
#define VTGPU_INJECT_NONE           0
#define VTGPU_INJECT_FAIL_NEXT      1
#define VTGPU_INJECT_HANG           2

/* ERROR_CODE */
#define VTGPU_ERR_NONE              0
#define VTGPU_ERR_BAD_COMMAND       1
#define VTGPU_ERR_BAD_ADDRESS       2
#define VTGPU_ERR_GART_FAULT        3
#define VTGPU_ERR_GART_READONLY     4
#define VTGPU_ERR_BAD_SIZE          5
#define VTGPU_ERR_DMA_ERROR         6
#define VTGPU_ERR_INJECTED          7
#define VTGPU_ERR_BAD_RING          8

/* GART entries */
#define VTGPU_GART_VALID            BIT_ULL(0)
#define VTGPU_GART_WRITABLE         BIT_ULL(1)
#define VTGPU_GART_RESERVED         MAKE_64BIT_MASK(2, 10)
#define VTGPU_GART_ADDR_MASK        (~MAKE_64BIT_MASK(0, 12))

/* Commands: 32 bytes, opcode, flags, arg0..arg2, little-endian */
#define VTGPU_CMD_SIZE              32
#define VTGPU_OP_NOP                0
#define VTGPU_OP_COPY               1
#define VTGPU_OP_FILL               2
#define VTGPU_OP_FENCE              3
#define VTGPU_FENCE_IRQ             BIT(0)

#endif /* HW_MISC_VTGPU_REGS_H */
