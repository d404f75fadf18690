/* SPDX-License-Identifier: MIT */
/*
 * Copyright 2026 The vtgpu authors
 */

#ifndef IGT_VTGPU_H
#define IGT_VTGPU_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "vtgpu_drm.h"

/**
 * VTGPU_PCI_VENDOR_ID:
 *
 * PCI vendor ID of the vtgpu device QEMU emulates: the range QEMU's
 * docs/specs/pci-ids.rst leaves for experimental devices, as QEMU's
 * include/hw/misc/vtgpu_regs.h says.
 */
#define VTGPU_PCI_VENDOR_ID	0x1af4

/**
 * VTGPU_PCI_DEVICE_ID:
 *
 * PCI device ID of the vtgpu device QEMU emulates.
 */
#define VTGPU_PCI_DEVICE_ID	0x10f0

/**
 * VTGPU_BAR_VRAM:
 *
 * The PCI BAR through which the CPU reaches the visible part of VRAM.
 */
#define VTGPU_BAR_VRAM		2

/**
 * VTGPU_GEM_DOMAIN_ALL:
 *
 * Every memory domain.
 */
#define VTGPU_GEM_DOMAIN_ALL	(VTGPU_GEM_DOMAIN_SYSTEM | \
				 VTGPU_GEM_DOMAIN_GTT | \
				 VTGPU_GEM_DOMAIN_VRAM)

/**
 * VTGPU_VISIBLE_FILLERS:
 *
 * How many BOs vtgpu_fill_visible_vram() makes.
 */
#define VTGPU_VISIBLE_FILLERS	9

/**
 * vtgpu_usage:
 * @vram_kib: VRAM in use, KiB
 * @gtt_pages: GTT pages in use
 * @bos: BOs alive
 *
 * Memory in use, as the driver's debugfs reports it.
 */
struct vtgpu_usage {
	uint64_t vram_kib;
	uint64_t gtt_pages;
	uint64_t bos;
};

uint64_t vtgpu_total_ram(void);

int vtgpu_debugfs_dir(int fd);
struct vtgpu_usage vtgpu_debugfs_usage(int dir);
struct vtgpu_usage vtgpu_debugfs_usage_settled(int dir);
void vtgpu_assert_usage_back(int dir, const struct vtgpu_usage *base);
uint64_t vtgpu_debugfs_stat(int fd, const char *name);
void vtgpu_debugfs_write(int fd, const char *file, const char *value);
void vtgpu_debugfs_set(int fd, const char *file, const char *value,
		       const char *reset);

int __vtgpu_getparam(int fd, uint32_t param, uint64_t *value);
uint64_t vtgpu_getparam(int fd, uint32_t param);

uint64_t vtgpu_pci_resource_len(int fd, unsigned int bar);

int __vtgpu_gem_create(int fd, struct drm_vtgpu_gem_create *create);
uint32_t vtgpu_gem_create(int fd, uint64_t size, uint32_t domains,
			  uint32_t preferred, uint32_t flags);
void vtgpu_fill_visible_vram(int fd, uint32_t *handles);
void vtgpu_evict_vram(int fd);
uint32_t vtgpu_gem_create_invisible(int fd, uint64_t size, uint32_t domains);
int __vtgpu_gem_mmap_offset(int fd, uint32_t handle, uint64_t *offset);
void *vtgpu_gem_mmap(int fd, uint32_t handle, uint64_t size, int prot);
int __vtgpu_gem_info(int fd, struct drm_vtgpu_gem_info *info);
struct drm_vtgpu_gem_info vtgpu_gem_info(int fd, uint32_t handle);

/**
 * vtgpu_bo_state:
 * @domain: the VTGPU_GEM_DOMAIN_* the BO is in
 * @visible: it is in VRAM, entirely in its CPU-visible part
 * @pinned: it is pinned (shared through a dma-buf)
 * @swapped: its pages are swapped out
 * @cpu_accessed: the CPU faulted on it: in VRAM, it stays visible
 *
 * Where the kernel placed a BO, as debugfs tells, see vtgpu_bo_state().
 */
struct vtgpu_bo_state {
	uint32_t domain;
	bool visible;
	bool pinned;
	bool swapped;
	bool cpu_accessed;
};

struct vtgpu_bo_state vtgpu_bo_state(int fd, uint32_t handle);
uint32_t vtgpu_gem_domain(int fd, uint32_t handle);
int64_t vtgpu_deadline(int64_t timeout_ns);
int __vtgpu_gem_wait(int fd, uint32_t handle, int64_t timeout_ns);
void vtgpu_gem_wait(int fd, uint32_t handle);

int __vtgpu_gem_userptr(int fd, struct drm_vtgpu_gem_userptr *userptr);
uint32_t vtgpu_gem_userptr(int fd, void *ptr, uint64_t size, uint32_t flags);

int __vtgpu_submit(int fd, struct drm_vtgpu_submit *submit);
int vtgpu_submit_cmds(int fd, const struct drm_vtgpu_cmd *cmds,
		      unsigned int count, uint32_t flags);
void vtgpu_copy(int fd, uint32_t src, uint64_t src_offset, uint32_t dst,
		uint64_t dst_offset, uint64_t size);
void vtgpu_fill(int fd, uint32_t dst, uint64_t offset, uint64_t size,
		uint32_t pattern);
int vtgpu_fence_wait(int fence_fd, int timeout_ms);
int vtgpu_fence_status(int fence_fd);
void vtgpu_set_engine_delay(int fd, unsigned int us);
void vtgpu_inject(int fd, const char *fault);
void vtgpu_require_inject(int fd);

/**
 * vtgpu_faulter:
 * @thread: the thread
 * @ptr: the mapping it reads the first dword of
 * @tid: its thread id, once it runs
 * @value: what it read
 * @done: whether the read completed
 *
 * A thread taking a fault on a mapping, see vtgpu_faulter_start().
 */
struct vtgpu_faulter {
	pthread_t thread;
	const uint32_t *ptr;
	atomic_int tid;
	uint32_t value;
	atomic_bool done;
};

void vtgpu_faulter_start(struct vtgpu_faulter *f, const uint32_t *ptr);
uint32_t vtgpu_faulter_join(struct vtgpu_faulter *f);

/**
 * struct vtgpu_creator:
 *
 * A thread creating a BO whose placement evicts, see
 * vtgpu_creator_start().
 */
struct vtgpu_creator {
	pthread_t thread;
	int fd;
	struct drm_vtgpu_gem_create create;
	int err;
	atomic_int tid;
	atomic_bool done;
};

void vtgpu_creator_start(struct vtgpu_creator *c, int fd, uint64_t size,
			 uint32_t domain);
uint32_t vtgpu_creator_join(struct vtgpu_creator *c);
int vtgpu_rebind(int fd);
int vtgpu_read_signal(const volatile uint32_t *ptr);
bool vtgpu_thread_sleeps(int tid);

void vtgpu_write_seq(uint32_t *ptr, uint64_t size, uint32_t base);
void vtgpu_check_seq(const uint32_t *ptr, uint64_t size, uint32_t base,
		     const char *what);
void vtgpu_check_fill(const uint32_t *ptr, uint64_t size, uint32_t value,
		      const char *what);

#endif /* IGT_VTGPU_H */
