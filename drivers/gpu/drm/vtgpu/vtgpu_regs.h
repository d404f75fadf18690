/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Register map of the vtgpu device, as docs/specs/vtgpu.rst in QEMU
 * defines it. All registers are 32 bits wide and little-endian.
 */
#ifndef __VTGPU_REGS_H__
#define __VTGPU_REGS_H__

/* QEMU's vendor ID for its own emulated devices, like edu and bochs. */
#define VTGPU_PCI_VENDOR_ID		0x1234
#define VTGPU_PCI_DEVICE_ID		0x11f0

#define VTGPU_BAR_MMIO			0
#define VTGPU_BAR_VRAM			2

#define VTGPU_REG_ID			0x000
#define   VTGPU_ID_MAGIC		0x56544750	/* "VTGP" */
#define VTGPU_REG_VERSION		0x004
#define   VTGPU_VERSION_MAJOR(v)	((v) >> 16)
#define   VTGPU_VERSION_MINOR(v)	((v) & 0xffff)
#define VTGPU_REG_CAPS			0x008
#define VTGPU_REG_VRAM_SIZE_LO		0x010
#define VTGPU_REG_VRAM_SIZE_HI		0x014
#define VTGPU_REG_VISIBLE_SIZE_LO	0x018
#define VTGPU_REG_VISIBLE_SIZE_HI	0x01c

#endif /* __VTGPU_REGS_H__ */
