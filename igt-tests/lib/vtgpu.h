/* SPDX-License-Identifier: MIT */
/*
 * Copyright 2026 The vtgpu authors
 */

#ifndef VTGPU_H
#define VTGPU_H

#include <stdint.h>

#include "vtgpu_drm.h"

/**
 * VTGPU_PCI_VENDOR_ID:
 *
 * PCI vendor ID of the vtgpu device QEMU emulates.
 */
#define VTGPU_PCI_VENDOR_ID	0x1234

/**
 * VTGPU_PCI_DEVICE_ID:
 *
 * PCI device ID of the vtgpu device QEMU emulates.
 */
#define VTGPU_PCI_DEVICE_ID	0x11f0

/**
 * VTGPU_BAR_VRAM:
 *
 * The PCI BAR through which the CPU reaches the visible part of VRAM.
 */
#define VTGPU_BAR_VRAM		2

int __drm_open_vtgpu(void);
int drm_open_vtgpu(void);

int __vtgpu_getparam(int fd, uint32_t param, uint64_t *value);
uint64_t vtgpu_getparam(int fd, uint32_t param);

uint64_t vtgpu_pci_resource_len(int fd, unsigned int bar);

#endif /* VTGPU_H */
