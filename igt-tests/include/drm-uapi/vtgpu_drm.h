/* SPDX-License-Identifier: MIT */
/*
 * Copyright 2026 The vtgpu authors
 */
#ifndef __VTGPU_DRM_H__
#define __VTGPU_DRM_H__

#include "drm.h"

#if defined(__cplusplus)
extern "C" {
#endif

/**
 * DOC: vtgpu uapi
 *
 * vtgpu is a render-only DRM driver for the vtgpu device emulated by QEMU.
 * Its ioctls follow the DRM conventions: fixed-size structures with __u64
 * for pointers and sizes, explicit padding that must be zero, and unknown
 * values rejected with -EINVAL. An ioctl that fails changes nothing: not
 * the kernel's state, and not the output fields of its argument.
 *
 * Buffer objects (BOs) live in one of three domains: VRAM (device memory,
 * of which the first VTGPU_PARAM_VISIBLE_VRAM_SIZE bytes are reachable by
 * the CPU), GTT (system pages mapped into the device's GART) and SYSTEM
 * (system pages the device cannot reach). A BO is created with the domains
 * it may be placed in for use and a preferred one; the kernel moves it
 * between domains as memory pressure and use require, evicting it to GTT
 * or SYSTEM whatever its domains when VRAM runs short, and bringing it
 * back when a job uses it. Where a BO is at a given time is the kernel's
 * business; tests read it in debugfs.
 *
 * vtgpu is a virtual device for testing TTM: this uapi serves igt and
 * libvtgpu, and no other userspace.
 *
 * Structures that may grow start with an @extensions member: a pointer to
 * a chain of &struct drm_vtgpu_extension, none of which is defined yet, so
 * that it must be zero.
 *
 * Common errors: -ENOENT for a handle that names no BO of the file,
 * -EINVAL for anything else malformed (unknown flags or values, non-zero
 * padding, sizes or offsets out of range or overflowing), -ENOMEM when
 * memory runs out, -ENODEV once the device is gone.
 */

#define DRM_VTGPU_GETPARAM		0x00
#define DRM_VTGPU_GEM_CREATE		0x01
#define DRM_VTGPU_GEM_MMAP_OFFSET	0x02
#define DRM_VTGPU_GEM_INFO		0x03
#define DRM_VTGPU_GEM_WAIT		0x04
#define DRM_VTGPU_SUBMIT		0x05
#define DRM_VTGPU_GEM_USERPTR		0x06

#define DRM_IOCTL_VTGPU_GETPARAM \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_VTGPU_GETPARAM, struct drm_vtgpu_getparam)
#define DRM_IOCTL_VTGPU_GEM_CREATE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_VTGPU_GEM_CREATE, \
		 struct drm_vtgpu_gem_create)
#define DRM_IOCTL_VTGPU_GEM_MMAP_OFFSET \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_VTGPU_GEM_MMAP_OFFSET, \
		 struct drm_vtgpu_gem_mmap_offset)
#define DRM_IOCTL_VTGPU_GEM_INFO \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_VTGPU_GEM_INFO, struct drm_vtgpu_gem_info)
#define DRM_IOCTL_VTGPU_GEM_WAIT \
	DRM_IOW(DRM_COMMAND_BASE + DRM_VTGPU_GEM_WAIT, struct drm_vtgpu_gem_wait)
#define DRM_IOCTL_VTGPU_SUBMIT \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_VTGPU_SUBMIT, struct drm_vtgpu_submit)
#define DRM_IOCTL_VTGPU_GEM_USERPTR \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_VTGPU_GEM_USERPTR, \
		 struct drm_vtgpu_gem_userptr)

/**
 * struct drm_vtgpu_extension - a link of an @extensions chain
 *
 * No extension is defined yet: an @extensions pointer must be zero.
 */
struct drm_vtgpu_extension {
	/** @next_extension: pointer to the next link, or zero */
	__u64 next_extension;
	/** @name: which extension this is */
	__u32 name;
	/** @pad: must be zero */
	__u32 pad;
};

/*
 * Parameters for DRM_IOCTL_VTGPU_GETPARAM. Zero is never a parameter, so
 * that a zeroed structure is an error.
 */
/* Total VRAM in bytes, visible and invisible. */
#define VTGPU_PARAM_VRAM_SIZE		1
/* VRAM in bytes the CPU reaches, from offset 0. */
#define VTGPU_PARAM_VISIBLE_VRAM_SIZE	2
/* Bytes of GART aperture the driver uses for GTT placements. */
#define VTGPU_PARAM_GART_SIZE		3
/* Most commands in one DRM_IOCTL_VTGPU_SUBMIT. */
#define VTGPU_PARAM_MAX_SUBMIT_CMDS	4
/* Most in-syncs, and most out-syncs, in one DRM_IOCTL_VTGPU_SUBMIT. */
#define VTGPU_PARAM_MAX_SUBMIT_SYNCS	5

/**
 * struct drm_vtgpu_getparam - argument of DRM_IOCTL_VTGPU_GETPARAM
 *
 * Errors: -EINVAL for an unknown @param or a non-zero @pad.
 */
struct drm_vtgpu_getparam {
	/** @param: in, one of VTGPU_PARAM_* */
	__u32 param;
	/** @pad: must be zero */
	__u32 pad;
	/** @value: out, the parameter's value */
	__u64 value;
};

/* Memory domains, for &drm_vtgpu_gem_create.domains and friends. */
#define VTGPU_GEM_DOMAIN_SYSTEM		0x1
#define VTGPU_GEM_DOMAIN_GTT		0x2
#define VTGPU_GEM_DOMAIN_VRAM		0x4

/*
 * Where in VRAM a BO goes. Without either flag, anywhere, visible VRAM
 * first. A CPU fault on a BO in invisible VRAM moves it to visible VRAM,
 * or to GTT when visible VRAM has no room (VM_FAULT_SIGBUS when it can go
 * to neither: a BO larger than visible VRAM that may not use GTT), and
 * from then on the BO is placed as if created CPU_ACCESS_REQUIRED.
 */
/* The CPU maps the BO: in VRAM, keep it in the visible part. */
#define VTGPU_GEM_CREATE_CPU_ACCESS_REQUIRED	0x1
/*
 * The CPU never maps the BO: in VRAM, prefer the invisible part. The BO
 * cannot be mmap()ed (-EPERM), neither through the DRM file nor through
 * its dma-buf.
 */
#define VTGPU_GEM_CREATE_NO_CPU_ACCESS		0x2

/**
 * struct drm_vtgpu_gem_create - argument of DRM_IOCTL_VTGPU_GEM_CREATE
 *
 * Creates a BO, placed in its preferred domain (evicting other BOs if
 * need be) or, failing that, in another of its domains. Its contents read
 * as zero.
 *
 * Errors: -EINVAL for a non-zero @extensions, a zero @size, a @size
 * larger than every domain the BO may use can hold, no @domains or unknown
 * ones, a @preferred that is not one of @domains, unknown @flags or both
 * CPU access flags; -ENOMEM when no domain has room.
 */
struct drm_vtgpu_gem_create {
	/** @extensions: in, must be zero, see &struct drm_vtgpu_extension */
	__u64 extensions;
	/**
	 * @size: in, the size in bytes; out, the size rounded up to a
	 * multiple of the page size
	 */
	__u64 size;
	/** @domains: in, where the BO may be placed: VTGPU_GEM_DOMAIN_* */
	__u32 domains;
	/**
	 * @preferred: in, one VTGPU_GEM_DOMAIN_* of @domains, or 0 for the
	 * first of VRAM, GTT and SYSTEM in @domains. A job moves its BOs to
	 * their preferred domain; a BO preferring SYSTEM goes to GTT for a
	 * job, or to VRAM if it may not use GTT.
	 */
	__u32 preferred;
	/** @flags: in, VTGPU_GEM_CREATE_* */
	__u32 flags;
	/** @handle: out, the BO's handle */
	__u32 handle;
};

/**
 * struct drm_vtgpu_gem_mmap_offset - argument of
 * DRM_IOCTL_VTGPU_GEM_MMAP_OFFSET
 *
 * Returns the fake offset to mmap() the BO at through the DRM file. A
 * mapping stays valid while the BO moves: its pages are unmapped when it
 * does, and faulted in again from where the BO then is.
 *
 * A mapping starts at that offset and may be shorter than the BO. One
 * larger than the BO, or at an offset naming no BO's start, is refused by
 * mmap() with -EINVAL, a BO of another file (not imported into this
 * one) with -EACCES, and a private writable mapping with -EINVAL.
 *
 * Errors: -ENOENT for a bad @handle; -EINVAL for non-zero @flags; -EPERM
 * for a BO created VTGPU_GEM_CREATE_NO_CPU_ACCESS, a BO imported from
 * another driver (map it through its dma-buf) or one made of user memory
 * with DRM_IOCTL_VTGPU_GEM_USERPTR (the CPU has that memory mapped
 * already).
 */
struct drm_vtgpu_gem_mmap_offset {
	/** @handle: in, the BO */
	__u32 handle;
	/** @flags: in, must be zero */
	__u32 flags;
	/** @offset: out, the offset to pass to mmap() */
	__u64 offset;
};

/* &drm_vtgpu_gem_info.info_flags */
/* The BO was imported from a dma-buf of another driver. */
#define VTGPU_GEM_INFO_IMPORTED		0x1
/* The BO is made of user memory, see DRM_IOCTL_VTGPU_GEM_USERPTR. */
#define VTGPU_GEM_INFO_USERPTR		0x2

/**
 * struct drm_vtgpu_gem_info - argument of DRM_IOCTL_VTGPU_GEM_INFO
 *
 * Tells what a BO is: how it was made, not where it is now.
 *
 * Errors: -ENOENT for a bad @handle; -EINVAL for a non-zero @pad.
 */
struct drm_vtgpu_gem_info {
	/** @handle: in, the BO */
	__u32 handle;
	/** @pad: must be zero */
	__u32 pad;
	/** @size: out, the BO's size in bytes */
	__u64 size;
	/** @domains: out, the domains the BO was created with */
	__u32 domains;
	/** @preferred: out, its preferred domain */
	__u32 preferred;
	/** @create_flags: out, the VTGPU_GEM_CREATE_* it was created with */
	__u32 create_flags;
	/** @info_flags: out, VTGPU_GEM_INFO_* */
	__u32 info_flags;
};

/**
 * struct drm_vtgpu_gem_wait - argument of DRM_IOCTL_VTGPU_GEM_WAIT
 *
 * Waits until the BO is idle: no job and no move on it is pending.
 *
 * Errors: -ENOENT for a bad @handle; -EINVAL for non-zero @flags or a
 * negative @timeout_ns; -ETIMEDOUT when the BO is still busy at
 * @timeout_ns; -EINTR on a signal (or a restart, which waits until the
 * same time).
 */
struct drm_vtgpu_gem_wait {
	/** @handle: in, the BO */
	__u32 handle;
	/** @flags: in, must be zero */
	__u32 flags;
	/**
	 * @timeout_ns: in, until when to wait at most: an absolute
	 * CLOCK_MONOTONIC time in nanoseconds; a time already past, 0 say,
	 * only tests whether the BO is idle
	 */
	__s64 timeout_ns;
};

/* &drm_vtgpu_cmd.op */
/* Copy @size bytes from @src_handle at @src_offset to @dst_handle. */
#define VTGPU_CMD_COPY			1
/* Fill @size bytes of @dst_handle with the 32-bit @pattern. */
#define VTGPU_CMD_FILL			2

/**
 * struct drm_vtgpu_cmd - one command of a DRM_IOCTL_VTGPU_SUBMIT job
 *
 * Ranges must lie inside their BOs. A COPY between overlapping ranges of
 * one BO has an undefined result.
 */
struct drm_vtgpu_cmd {
	/** @op: VTGPU_CMD_COPY or VTGPU_CMD_FILL */
	__u32 op;
	/** @flags: must be zero */
	__u32 flags;
	/** @src_handle: COPY: the source BO; FILL: must be zero */
	__u32 src_handle;
	/** @dst_handle: the destination BO */
	__u32 dst_handle;
	/** @src_offset: COPY: offset in the source BO; FILL: must be zero */
	__u64 src_offset;
	/** @dst_offset: offset in the destination BO; FILL: a multiple of 4 */
	__u64 dst_offset;
	/** @size: bytes, not zero; FILL: a multiple of 4 */
	__u64 size;
	/** @pattern: FILL: the pattern; COPY: must be zero */
	__u32 pattern;
	/** @pad: must be zero */
	__u32 pad;
};

/**
 * struct drm_vtgpu_sync - a syncobj a job waits for or signals
 *
 * The in-syncs and out-syncs of &struct drm_vtgpu_submit are arrays of
 * these, &drm_vtgpu_submit.sync_stride bytes apart: a later version may
 * grow the structure, and the kernel reads as much of each element as it
 * knows, requiring the rest to be zero.
 */
struct drm_vtgpu_sync {
	/** @handle: the syncobj */
	__u32 handle;
	/** @flags: must be zero */
	__u32 flags;
	/**
	 * @point: the timeline point to wait for or to signal, or 0 for a
	 * binary syncobj: wait for its fence, or replace it
	 */
	__u64 point;
};

/* &drm_vtgpu_submit.flags */
/* @in_fence_fd is a sync_file the job waits for. */
#define VTGPU_SUBMIT_IN_FENCE_FD	0x1
/* Return a sync_file of the job's completion in @out_fence_fd. */
#define VTGPU_SUBMIT_OUT_FENCE_FD	0x2
/*
 * No implicit sync: the job waits only for its in-fences and the kernel's
 * moves of its BOs, not for other jobs using them, and other jobs do not
 * wait for it through its BOs either, nor do the importers of their
 * dma-bufs (DMA_BUF_IOCTL_EXPORT_SYNC_FILE does not see it). Moves,
 * evictions and DRM_IOCTL_VTGPU_GEM_WAIT still wait for it; a BO that
 * must move for the job first waits for everything on it.
 */
#define VTGPU_SUBMIT_NO_IMPLICIT_SYNC	0x4

/**
 * struct drm_vtgpu_submit - argument of DRM_IOCTL_VTGPU_SUBMIT
 *
 * Queues a job of COPY and FILL commands on the DMA engine. The job runs
 * after its in-fences (a sync_file and syncobjs, binary or timeline) and,
 * unless VTGPU_SUBMIT_NO_IMPLICIT_SYNC, after the work already queued on
 * the BOs it uses (implicit sync through their reservations); its
 * commands run in order. Its completion is reported through out-fences:
 * a sync_file, syncobjs, or both; a job the engine failed on signals its
 * fences with an error (-EIO, or -ETIMEDOUT for a hang). The ioctl never
 * waits for a fence: it queues the job behind them.
 *
 * A userptr BO (see DRM_IOCTL_VTGPU_GEM_USERPTR) has its pages collected
 * again for the job if its range changed since its last job; the job then
 * uses the memory mapped at the range when it is submitted.
 *
 * Errors: -EINVAL for a non-zero @extensions, unknown @flags, non-zero
 * @pad, no commands or more than VTGPU_PARAM_MAX_SUBMIT_CMDS, more than
 * VTGPU_PARAM_MAX_SUBMIT_SYNCS in-syncs or out-syncs, with syncs a
 * @sync_stride smaller than &struct drm_vtgpu_sync or larger than 256
 * bytes, a bad command (see
 * &drm_vtgpu_cmd), a BO that may use neither VRAM nor GTT or fits neither
 * (a CPU-mappable BO larger than visible VRAM, say), a bad @in_fence_fd,
 * non-zero sync @flags or an in-sync without a fence at its point; -E2BIG
 * for a sync whose bytes past those the kernel knows are not zero;
 * -ENOENT for a handle naming no BO or syncobj; -EFAULT for a bad @cmds,
 * @in_syncs or @out_syncs pointer, or for a userptr BO whose range is no
 * longer entirely mapped with ordinary memory; -EACCES for a
 * VTGPU_USERPTR_READONLY BO as a destination, or for any other userptr BO
 * whose range is no longer writable; -EPERM for a userptr BO of another
 * process's address space; -EAGAIN when the range of a userptr BO kept
 * changing while the job was being prepared (libdrm's drmIoctl()
 * retries); -ENOMEM when the BOs cannot all be placed where the
 * engine reaches them.
 */
struct drm_vtgpu_submit {
	/** @extensions: in, must be zero, see &struct drm_vtgpu_extension */
	__u64 extensions;
	/** @cmds: in, pointer to an array of &struct drm_vtgpu_cmd */
	__u64 cmds;
	/** @in_syncs: in, pointer to the syncs the job waits for */
	__u64 in_syncs;
	/** @out_syncs: in, pointer to the syncs the job signals */
	__u64 out_syncs;
	/** @num_cmds: in, the number of commands */
	__u32 num_cmds;
	/** @num_in_syncs: in, the number of in-syncs */
	__u32 num_in_syncs;
	/** @num_out_syncs: in, the number of out-syncs */
	__u32 num_out_syncs;
	/**
	 * @sync_stride: in, the distance in bytes between syncs, normally
	 * sizeof(struct drm_vtgpu_sync)
	 */
	__u32 sync_stride;
	/** @flags: in, VTGPU_SUBMIT_* */
	__u32 flags;
	/** @in_fence_fd: in, with VTGPU_SUBMIT_IN_FENCE_FD: a sync_file */
	__s32 in_fence_fd;
	/** @out_fence_fd: out, with VTGPU_SUBMIT_OUT_FENCE_FD: a sync_file */
	__s32 out_fence_fd;
	/** @pad: must be zero */
	__u32 pad;
	/**
	 * @seqno: out, the job's sequence number, increasing with each job
	 * of the DRM file
	 */
	__u64 seqno;
};

/* &drm_vtgpu_gem_userptr.flags */
/*
 * The engine only reads the memory: the BO may be a COPY source, never a
 * destination. Needed for memory the process cannot write.
 */
#define VTGPU_USERPTR_READONLY		0x1

/**
 * struct drm_vtgpu_gem_userptr - argument of DRM_IOCTL_VTGPU_GEM_USERPTR
 *
 * Creates a BO whose pages are the process's memory at [@addr, @addr +
 * @size): a job that uses it reads and writes that memory directly, with
 * no copy. The memory must be ordinary anonymous or file-backed memory:
 * not a mapping of device memory or of another driver's buffer (VM_IO,
 * VM_PFNMAP or VM_MIXEDMAP), which includes the mappings of vtgpu BOs. The
 * pages are not pinned: the BO follows the range as it is unmapped,
 * remapped, protected, copied on write after fork() or migrated, each
 * change waiting for the BO's pending jobs first; the next job collects
 * the pages mapped then, or fails if there are none (see
 * &drm_vtgpu_submit). Only the process that created the BO can use it in
 * jobs.
 *
 * A userptr BO lives in GTT while jobs use it, in SYSTEM otherwise; it
 * cannot be mapped through the DRM file (DRM_IOCTL_VTGPU_GEM_MMAP_OFFSET
 * fails with -EPERM) nor exported as a dma-buf (-EPERM): its pages belong
 * to a process's address space and can be replaced at any time, which an
 * importer could not follow.
 *
 * Errors: -EINVAL for unknown @flags, a zero @size, an @addr or @size that
 * is not a multiple of the page size, a range that wraps around or ends
 * beyond the user address space, or a @size larger than
 * VTGPU_PARAM_GART_SIZE; -EFAULT when part of the range is not mapped, is
 * not readable, or is not ordinary memory; -EACCES when part of it is not
 * writable and @flags lacks VTGPU_USERPTR_READONLY; -ENOMEM.
 */
struct drm_vtgpu_gem_userptr {
	/** @addr: in, the start of the range, page aligned */
	__u64 addr;
	/** @size: in, its size in bytes, a multiple of the page size */
	__u64 size;
	/** @flags: in, VTGPU_USERPTR_* */
	__u32 flags;
	/** @handle: out, the BO's handle */
	__u32 handle;
};

#if defined(__cplusplus)
}
#endif

#endif /* __VTGPU_DRM_H__ */
