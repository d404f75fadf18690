// SPDX-License-Identifier: MIT
/*
 * Copyright 2026 The vtgpu authors
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/sync_file.h>
#include <xf86drm.h>

#include "igt.h"
#include "igt_vgem.h"
#include "igt_vtgpu.h"
#include "vtgpu_drm.h"

IGT_TEST_DESCRIPTION("userptr BOs: BOs made of a process's memory, used by "
		     "the copy engine with no copy of their own, following "
		     "the address space as it is unmapped, protected, "
		     "copied on write and remapped; device and driver "
		     "mappings refused.");

#define PAGE_SZ 4096ull

static void *map_anon(uint64_t size)
{
	void *ptr = mmap(NULL, size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	igt_assert_f(ptr != MAP_FAILED, "mmap of %" PRIu64 " bytes: %m\n",
		     size);
	return ptr;
}

/* Map fresh anonymous memory over [ptr, ptr + size). */
static void remap_anon(void *ptr, uint64_t size)
{
	void *p = mmap(ptr, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);

	igt_assert_f(p == ptr, "mmap at %p: %m\n", ptr);
}

static int userptr(int fd, void *ptr, uint64_t size, uint32_t flags,
		   uint32_t *handle)
{
	struct drm_vtgpu_gem_userptr arg = {
		.addr = to_user_pointer(ptr),
		.size = size,
		.flags = flags,
	};
	int ret = __vtgpu_gem_userptr(fd, &arg);

	*handle = arg.handle;
	return ret;
}

static int submit_one(int fd, const struct drm_vtgpu_cmd *cmd)
{
	struct drm_vtgpu_submit submit = {
		.cmds = to_user_pointer(cmd),
		.num_cmds = 1,
	};

	return __vtgpu_submit(fd, &submit);
}

/* Queue a copy; returns 0 or -errno. */
static int try_copy(int fd, uint32_t src, uint32_t dst, uint64_t size)
{
	struct drm_vtgpu_cmd cmd = {
		.op = VTGPU_CMD_COPY, .src_handle = src, .dst_handle = dst,
		.size = size,
	};

	return submit_one(fd, &cmd);
}

static int try_fill(int fd, uint32_t dst, uint64_t size, uint32_t pattern)
{
	struct drm_vtgpu_cmd cmd = {
		.op = VTGPU_CMD_FILL, .dst_handle = dst, .size = size,
		.pattern = pattern,
	};

	return submit_one(fd, &cmd);
}

static int sync_file_status(int fence_fd)
{
	struct sync_file_info info = {};

	igt_assert_eq(ioctl(fence_fd, SYNC_IOC_FILE_INFO, &info), 0);
	return info.status;
}

/* A CPU-mapped BO in visible VRAM, to put data in and read it back. */
struct staging {
	uint32_t handle;
	uint32_t *map;
	uint64_t size;
};

static struct staging staging_create(int fd, uint64_t size)
{
	struct staging st = { .size = size };

	st.handle = vtgpu_gem_create(fd, size, VTGPU_GEM_DOMAIN_VRAM |
				     VTGPU_GEM_DOMAIN_GTT,
				     VTGPU_GEM_DOMAIN_VRAM,
				     VTGPU_GEM_CREATE_CPU_ACCESS_REQUIRED);
	st.map = vtgpu_gem_mmap(fd, st.handle, size, PROT_READ | PROT_WRITE);
	return st;
}

/* Copy @bo into the staging BO and wait: the map then shows @bo. */
static void staging_read(int fd, struct staging *st, uint32_t bo,
			 uint64_t size)
{
	vtgpu_copy(fd, bo, 0, st->handle, 0, size);
	vtgpu_gem_wait(fd, st->handle);
}

static void staging_destroy(int fd, struct staging *st)
{
	munmap(st->map, st->size);
	gem_close(fd, st->handle);
}

static uint64_t counter(int fd, const char *name)
{
	return vtgpu_debugfs_stat(fd, name);
}

static void test_basic(int fd)
{
	const uint64_t size = 256 << 10;
	uint64_t collects = counter(fd, "userptr_collects");
	struct staging st = staging_create(fd, size);
	struct drm_vtgpu_gem_info info;
	uint32_t *user = map_anon(size);
	uint32_t bo;

	vtgpu_write_seq(user, size, 0x1000);
	bo = vtgpu_gem_userptr(fd, user, size, 0);
	info = vtgpu_gem_info(fd, bo);
	igt_assert(info.info_flags & VTGPU_GEM_INFO_USERPTR);
	igt_assert_eq_u64(info.size, size);
	igt_assert_eq_u32(info.domains, VTGPU_GEM_DOMAIN_GTT);

	/* From user memory: the engine reads what the CPU wrote. */
	staging_read(fd, &st, bo, size);
	vtgpu_check_seq(st.map, size, 0x1000, "copied from user memory");
	igt_assert_eq_u32(vtgpu_gem_domain(fd, bo), VTGPU_GEM_DOMAIN_GTT);

	/* To user memory: the CPU reads what the engine wrote. */
	vtgpu_write_seq(st.map, size, 0x2000);
	vtgpu_copy(fd, st.handle, 0, bo, 0, size);
	vtgpu_gem_wait(fd, bo);
	vtgpu_check_seq(user, size, 0x2000, "copied to user memory");

	/* A fill at an offset touches only its range. */
	vtgpu_fill(fd, bo, PAGE_SZ, 2 * PAGE_SZ, 0xdeadbeef);
	vtgpu_gem_wait(fd, bo);
	vtgpu_check_seq(user, PAGE_SZ, 0x2000, "before the fill");
	vtgpu_check_fill(user + PAGE_SZ / 4, 2 * PAGE_SZ, 0xdeadbeef, "the fill");
	vtgpu_check_seq(user + 3 * PAGE_SZ / 4, size - 3 * PAGE_SZ,
		  0x2000 + 3 * PAGE_SZ / 4, "after the fill");

	/* The same pages: later CPU writes need no new collection. */
	vtgpu_write_seq(user, size, 0x3000);
	staging_read(fd, &st, bo, size);
	vtgpu_check_seq(st.map, size, 0x3000, "copied again from user memory");
	igt_assert_eq_u64(counter(fd, "userptr_collects"), collects + 1);

	gem_close(fd, bo);
	munmap(user, size);
	staging_destroy(fd, &st);
}

static void test_readonly(int fd)
{
	const uint64_t size = 64 << 10;
	struct staging st = staging_create(fd, size);
	uint32_t *ro = map_anon(size), *rw = map_anon(size);
	uint32_t bo, handle = 0;

	vtgpu_write_seq(ro, size, 0x100);
	igt_assert_eq(mprotect(ro, size, PROT_READ), 0);
	vtgpu_write_seq(rw, size, 0x200);

	/* Memory the process cannot write needs the flag. */
	igt_assert_eq(userptr(fd, ro, size, 0, &handle), -EACCES);
	igt_assert_eq_u32(handle, 0);

	bo = vtgpu_gem_userptr(fd, ro, size, VTGPU_USERPTR_READONLY);
	staging_read(fd, &st, bo, size);
	vtgpu_check_seq(st.map, size, 0x100, "copied from read-only memory");

	/* A READONLY BO is never written, whatever the memory allows. */
	igt_assert_eq(try_copy(fd, st.handle, bo, size), -EACCES);
	igt_assert_eq(try_fill(fd, bo, size, 0), -EACCES);
	gem_close(fd, bo);

	bo = vtgpu_gem_userptr(fd, rw, size, VTGPU_USERPTR_READONLY);
	igt_assert_eq(try_copy(fd, st.handle, bo, size), -EACCES);
	igt_assert_eq(try_fill(fd, bo, size, 0), -EACCES);
	staging_read(fd, &st, bo, size);
	vtgpu_check_seq(st.map, size, 0x200, "copied from a READONLY BO");
	vtgpu_check_seq(rw, size, 0x200, "a READONLY BO after refused writes");
	gem_close(fd, bo);

	munmap(ro, size);
	munmap(rw, size);
	staging_destroy(fd, &st);
}

static void test_bad_args(int fd)
{
	const uint64_t gart = vtgpu_getparam(fd, VTGPU_PARAM_GART_SIZE);
	const uint64_t top = 1ull << 47;
	uint8_t *user = map_anon(4 * PAGE_SZ);
	uint8_t *none = map_anon(PAGE_SZ);
	const struct {
		const char *what;
		uint64_t addr, size;
		uint32_t flags;
		int err;
	} cases[] = {
		{ "unknown flag", to_user_pointer(user), PAGE_SZ, 0x2, -EINVAL },
		{ "all flags", to_user_pointer(user), PAGE_SZ, ~0u, -EINVAL },
		{ "zero size", to_user_pointer(user), 0, 0, -EINVAL },
		{ "unaligned address", to_user_pointer(user) + 64, PAGE_SZ, 0,
		  -EINVAL },
		{ "unaligned size", to_user_pointer(user), PAGE_SZ + 64, 0,
		  -EINVAL },
		{ "wrap-around", -PAGE_SZ, 2 * PAGE_SZ, 0, -EINVAL },
		{ "size wraps", to_user_pointer(user), -PAGE_SZ, 0, -EINVAL },
		{ "beyond the user address space", top, PAGE_SZ, 0, -EINVAL },
		{ "ending beyond the user address space", top - PAGE_SZ,
		  2 * PAGE_SZ, 0, -EINVAL },
		{ "larger than the GART", to_user_pointer(user),
		  gart + PAGE_SZ, 0, -EINVAL },
		{ "address 0", 0, PAGE_SZ, 0, -EFAULT },
		{ "partly unmapped", to_user_pointer(user), 4 * PAGE_SZ, 0,
		  -EFAULT },
		{ "not readable", to_user_pointer(none), PAGE_SZ,
		  VTGPU_USERPTR_READONLY, -EFAULT },
	};

	/* A hole in the middle of the range. */
	igt_assert_eq(munmap(user + 2 * PAGE_SZ, PAGE_SZ), 0);
	igt_assert_eq(mprotect(none, PAGE_SZ, PROT_NONE), 0);

	for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++) {
		struct drm_vtgpu_gem_userptr arg = {
			.addr = cases[i].addr,
			.size = cases[i].size,
			.flags = cases[i].flags,
		};
		int ret = __vtgpu_gem_userptr(fd, &arg);

		igt_assert_f(ret == cases[i].err,
			     "%s: got %d (%s), expected %d (%s)\n",
			     cases[i].what, ret, strerror(-ret), cases[i].err,
			     strerror(-cases[i].err));
		/* A failed ioctl changes nothing, its output included. */
		igt_assert_eq_u32(arg.handle, 0);
	}

	munmap(user, 4 * PAGE_SZ);
	munmap(none, PAGE_SZ);
}

static void test_invalidate_munmap(int fd)
{
	const uint64_t size = 128 << 10;
	uint64_t invalidations = counter(fd, "userptr_invalidations");
	struct staging st = staging_create(fd, size);
	uint32_t *user = map_anon(size);
	uint32_t bo;

	vtgpu_write_seq(user, size, 1);
	bo = vtgpu_gem_userptr(fd, user, size, 0);
	staging_read(fd, &st, bo, size);
	vtgpu_check_seq(st.map, size, 1, "before munmap");

	igt_assert_eq(munmap(user, size), 0);
	igt_assert_lt_u64(invalidations, counter(fd, "userptr_invalidations"));
	igt_assert_eq(try_copy(fd, bo, st.handle, size), -EFAULT);
	igt_assert_eq(try_fill(fd, bo, size, 0), -EFAULT);

	/* Mapped again: the next job uses the new memory. */
	remap_anon(user, size);
	vtgpu_write_seq(user, size, 2);
	staging_read(fd, &st, bo, size);
	vtgpu_check_seq(st.map, size, 2, "after mapping again");

	gem_close(fd, bo);
	munmap(user, size);
	staging_destroy(fd, &st);
}

static void test_invalidate_mprotect(int fd)
{
	const uint64_t size = 128 << 10;
	uint64_t invalidations = counter(fd, "userptr_invalidations");
	struct staging st = staging_create(fd, size);
	uint32_t *user = map_anon(size);
	uint32_t bo;

	vtgpu_write_seq(user, size, 7);
	bo = vtgpu_gem_userptr(fd, user, size, 0);
	staging_read(fd, &st, bo, size);
	vtgpu_check_seq(st.map, size, 7, "before mprotect");

	/* A writable BO needs writable memory, even to be read. */
	igt_assert_eq(mprotect(user, size, PROT_READ), 0);
	igt_assert_lt_u64(invalidations, counter(fd, "userptr_invalidations"));
	igt_assert_eq(try_copy(fd, bo, st.handle, size), -EACCES);
	igt_assert_eq(try_copy(fd, st.handle, bo, size), -EACCES);

	invalidations = counter(fd, "userptr_invalidations");
	igt_assert_eq(mprotect(user, size, PROT_NONE), 0);
	igt_assert_lt_u64(invalidations, counter(fd, "userptr_invalidations"));
	igt_assert_eq(try_copy(fd, bo, st.handle, size), -EFAULT);

	/* Writable again: usable again, with the same contents. */
	igt_assert_eq(mprotect(user, size, PROT_READ | PROT_WRITE), 0);
	staging_read(fd, &st, bo, size);
	vtgpu_check_seq(st.map, size, 7, "after mprotect back");
	vtgpu_fill(fd, bo, 0, size, 0x77777777);
	vtgpu_gem_wait(fd, bo);
	vtgpu_check_fill(user, size, 0x77777777, "filled after mprotect back");

	gem_close(fd, bo);
	munmap(user, size);
	staging_destroy(fd, &st);
}

static void test_fork_cow(int fd)
{
	const uint64_t size = 128 << 10;
	struct staging st = staging_create(fd, size);
	uint32_t *user = map_anon(size);
	uint64_t invalidations;
	int to_child[2], to_parent[2];
	uint32_t bo;
	char c = 0;

	vtgpu_write_seq(user, size, 10);
	bo = vtgpu_gem_userptr(fd, user, size, 0);
	staging_read(fd, &st, bo, size);
	vtgpu_check_seq(st.map, size, 10, "before fork");

	igt_assert_eq(pipe(to_child), 0);
	igt_assert_eq(pipe(to_parent), 0);
	invalidations = counter(fd, "userptr_invalidations");
	igt_fork(child, 1) {
		/* The child's writes go to its own copy of the pages. */
		vtgpu_write_seq(user, size, 20);
		igt_assert_eq(write(to_parent[1], &c, 1), 1);
		igt_assert_eq(read(to_child[0], &c, 1), 1);
		/* And the parent's BO never writes into the child's copy. */
		vtgpu_check_seq(user, size, 20, "the child's copy");
	}
	igt_assert_eq(read(to_parent[0], &c, 1), 1);
	/* fork() write-protected the parent's pages: an invalidation. */
	igt_assert_lt_u64(invalidations, counter(fd, "userptr_invalidations"));

	staging_read(fd, &st, bo, size);
	vtgpu_check_seq(st.map, size, 10, "after the child wrote");

	vtgpu_write_seq(user, size, 30);
	staging_read(fd, &st, bo, size);
	vtgpu_check_seq(st.map, size, 30, "after the parent wrote");

	vtgpu_fill(fd, bo, 0, size, 0x30303030);
	vtgpu_gem_wait(fd, bo);
	vtgpu_check_fill(user, size, 0x30303030, "the parent's memory, filled");

	igt_assert_eq(write(to_child[1], &c, 1), 1);
	igt_waitchildren();

	gem_close(fd, bo);
	munmap(user, size);
	staging_destroy(fd, &st);
	close(to_child[0]);
	close(to_child[1]);
	close(to_parent[0]);
	close(to_parent[1]);
}

static void test_self_mmap(int fd)
{
	const uint64_t size = 64 << 10;
	struct staging st = staging_create(fd, size);
	uint32_t gtt, bo, handle = 0;
	uint64_t offset = 0;
	uint32_t *map, *user, *p;

	/* A mapping of a vtgpu BO, faulted in. */
	gtt = vtgpu_gem_create(fd, size, VTGPU_GEM_DOMAIN_GTT, 0, 0);
	map = vtgpu_gem_mmap(fd, gtt, size, PROT_READ | PROT_WRITE);
	vtgpu_write_seq(map, size, 40);

	igt_assert_eq(userptr(fd, map, size, 0, &handle), -EFAULT);
	igt_assert_eq(userptr(fd, map, size, VTGPU_USERPTR_READONLY, &handle),
		      -EFAULT);
	igt_assert_eq_u32(handle, 0);

	/* Part ordinary memory, part a vtgpu mapping. */
	user = map_anon(2 * size);
	igt_assert_eq(__vtgpu_gem_mmap_offset(fd, gtt, &offset), 0);
	p = mmap(user + size / 4, size, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_FIXED, fd, offset);
	igt_assert(p == user + size / 4);
	igt_assert_eq(userptr(fd, user, 2 * size, 0, &handle), -EFAULT);
	munmap(user, 2 * size);

	/* A vtgpu mapping put over the range after the BO was made. */
	user = map_anon(size);
	vtgpu_write_seq(user, size, 41);
	bo = vtgpu_gem_userptr(fd, user, size, 0);
	staging_read(fd, &st, bo, size);
	vtgpu_check_seq(st.map, size, 41, "before the vtgpu mapping");
	p = mmap(user, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
		 fd, offset);
	igt_assert(p == user);
	vtgpu_check_seq(user, size, 40, "the vtgpu mapping");
	igt_assert_eq(try_copy(fd, bo, st.handle, size), -EFAULT);
	igt_assert_eq(try_copy(fd, gtt, bo, size), -EFAULT);

	gem_close(fd, bo);
	munmap(user, size);
	munmap(map, size);
	gem_close(fd, gtt);
	staging_destroy(fd, &st);
}

static void test_vgem_mmap(int fd)
{
	int vgem = drm_open_driver(DRIVER_VGEM);
	struct vgem_bo vbo = { .width = 64, .height = 256, .bpp = 32 };
	uint32_t handle = 0;
	uint32_t *map;

	vgem_create(vgem, &vbo);
	map = vgem_mmap(vgem, &vbo, PROT_READ | PROT_WRITE);
	vtgpu_write_seq(map, vbo.size, 50);

	igt_assert_eq(userptr(fd, map, vbo.size, 0, &handle), -EFAULT);
	igt_assert_eq(userptr(fd, map, vbo.size, VTGPU_USERPTR_READONLY,
			      &handle), -EFAULT);
	igt_assert_eq_u32(handle, 0);

	munmap(map, vbo.size);
	close(vgem);
}

/*
 * munmap() of the memory of a BO a job is writing waits for the job: the
 * job completes, successfully, into the old pages, which are freed only
 * then; what is mapped at the range next is new memory.
 */
static void test_munmap_during_copy(int fd)
{
	const uint64_t size = 256 << 10;
	struct staging st = staging_create(fd, size);
	uint32_t *user = map_anon(size);
	struct drm_vtgpu_cmd cmds[5];
	uint32_t bo;
	int fence;

	vtgpu_write_seq(st.map, size, 60);
	bo = vtgpu_gem_userptr(fd, user, size, 0);
	vtgpu_copy(fd, st.handle, 0, bo, 0, size);
	vtgpu_gem_wait(fd, bo);
	vtgpu_check_seq(user, size, 60, "before the slow job");

	for (unsigned int i = 0; i < ARRAY_SIZE(cmds) - 1; i++)
		cmds[i] = (struct drm_vtgpu_cmd) {
			.op = VTGPU_CMD_FILL, .dst_handle = bo, .size = size,
			.pattern = i,
		};
	cmds[4] = (struct drm_vtgpu_cmd) {
		.op = VTGPU_CMD_COPY, .src_handle = st.handle,
		.dst_handle = bo, .size = size,
	};
	vtgpu_set_engine_delay(fd, 200000);
	fence = vtgpu_submit_cmds(fd, cmds, ARRAY_SIZE(cmds),
				  VTGPU_SUBMIT_OUT_FENCE_FD);
	igt_assert_f(sync_file_status(fence) == 0,
		     "the job finished at once: engine too fast\n");

	igt_assert_eq(munmap(user, size), 0);
	igt_assert_f(sync_file_status(fence) == 1,
		     "munmap returned before the job completed (status %d)\n",
		     sync_file_status(fence));
	vtgpu_set_engine_delay(fd, 0);
	close(fence);

	igt_assert_eq(try_copy(fd, bo, st.handle, size), -EFAULT);
	remap_anon(user, size);
	staging_read(fd, &st, bo, size);
	vtgpu_check_fill(st.map, size, 0, "new memory at the range");

	gem_close(fd, bo);
	munmap(user, size);
	staging_destroy(fd, &st);
}

/*
 * Closing the last handle of a userptr BO whose job still runs waits for
 * the job: once the BO no longer follows the memory, the engine must not
 * touch it.
 */
static void test_close_busy(int fd)
{
	const uint64_t size = 256 << 10;
	uint32_t *user = map_anon(size);
	struct drm_vtgpu_cmd cmds[4];
	uint32_t bo;
	int fence;

	bo = vtgpu_gem_userptr(fd, user, size, 0);
	for (unsigned int i = 0; i < ARRAY_SIZE(cmds); i++)
		cmds[i] = (struct drm_vtgpu_cmd) {
			.op = VTGPU_CMD_FILL, .dst_handle = bo, .size = size,
			.pattern = 0x80 + i,
		};
	vtgpu_set_engine_delay(fd, 200000);
	fence = vtgpu_submit_cmds(fd, cmds, ARRAY_SIZE(cmds),
				  VTGPU_SUBMIT_OUT_FENCE_FD);
	igt_assert_f(sync_file_status(fence) == 0,
		     "the job finished at once: engine too fast\n");

	gem_close(fd, bo);
	igt_assert_f(sync_file_status(fence) == 1,
		     "the close returned before the job completed (status %d)\n",
		     sync_file_status(fence));
	vtgpu_set_engine_delay(fd, 0);
	close(fence);
	vtgpu_check_fill(user, size, 0x83, "the memory after the job");

	/* Nothing follows the memory any more: unmapping it is harmless. */
	munmap(user, size);
}

/*
 * Fill the GART with read-only userptr BOs over untouched memory (the zero
 * page, so they cost no memory): a userptr BO in use before is evicted,
 * and comes back when used, with its memory's current contents.
 */
static void test_evict(int fd)
{
	const uint64_t gart = vtgpu_getparam(fd, VTGPU_PARAM_GART_SIZE);
	const uint64_t size = 1 << 20, hog_size = gart / 4;
	uint64_t evictions = counter(fd, "evictions");
	struct staging st = staging_create(fd, size);
	uint32_t *user = map_anon(size);
	uint32_t bo, hogs[4];
	void *hog_mem[4];
	unsigned int in_gtt = 0;

	vtgpu_write_seq(user, size, 70);
	bo = vtgpu_gem_userptr(fd, user, size, 0);
	staging_read(fd, &st, bo, size);
	vtgpu_check_seq(st.map, size, 70, "before eviction");

	for (unsigned int i = 0; i < ARRAY_SIZE(hogs); i++) {
		hog_mem[i] = map_anon(hog_size);
		hogs[i] = vtgpu_gem_userptr(fd, hog_mem[i], hog_size,
					    VTGPU_USERPTR_READONLY);
		staging_read(fd, &st, hogs[i], PAGE_SZ);
		vtgpu_check_fill(st.map, PAGE_SZ, 0, "a GART hog");
	}
	igt_assert_eq_u32(vtgpu_gem_domain(fd, bo), VTGPU_GEM_DOMAIN_SYSTEM);
	igt_assert_lt_u64(evictions, counter(fd, "evictions"));

	/* Written by the CPU while out of the GART, read by the engine. */
	vtgpu_write_seq(user, size, 71);
	staging_read(fd, &st, bo, size);
	vtgpu_check_seq(st.map, size, 71, "back in the GART");
	igt_assert_eq_u32(vtgpu_gem_domain(fd, bo), VTGPU_GEM_DOMAIN_GTT);

	/* Written by the engine after the move back. */
	vtgpu_write_seq(st.map, size, 72);
	vtgpu_copy(fd, st.handle, 0, bo, 0, size);
	vtgpu_gem_wait(fd, bo);
	vtgpu_check_seq(user, size, 72, "written by the engine");

	for (unsigned int i = 0; i < ARRAY_SIZE(hogs); i++)
		in_gtt += vtgpu_gem_domain(fd, hogs[i]) == VTGPU_GEM_DOMAIN_GTT;
	igt_assert_f(in_gtt < ARRAY_SIZE(hogs), "no hog was evicted\n");

	for (unsigned int i = 0; i < ARRAY_SIZE(hogs); i++) {
		gem_close(fd, hogs[i]);
		munmap(hog_mem[i], hog_size);
	}
	gem_close(fd, bo);
	munmap(user, size);
	staging_destroy(fd, &st);
}

#define STRESS_BOS	16
#define STRESS_SIZE	(64 << 10)

struct stress {
	uint8_t *mem;
	atomic_bool stop;
	unsigned int remaps;
};

/* Replace the memory of random BOs, by MAP_FIXED or munmap and mmap. */
static void *stress_remapper(void *arg)
{
	struct stress *s = arg;
	unsigned int seed = 1;

	while (!atomic_load(&s->stop)) {
		unsigned int i = rand_r(&seed) % STRESS_BOS;
		uint8_t *p = s->mem + i * STRESS_SIZE;

		if (rand_r(&seed) & 1)
			munmap(p, STRESS_SIZE);
		if (mmap(p, STRESS_SIZE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != p)
			break;
		memset(p, i, STRESS_SIZE);
		s->remaps++;
		usleep(1000);
	}
	return NULL;
}

static void test_stress(int fd)
{
	uint64_t invalidations = counter(fd, "userptr_invalidations");
	struct staging st = staging_create(fd, STRESS_SIZE);
	struct stress s = { .mem = map_anon(STRESS_BOS * STRESS_SIZE) };
	unsigned int ok = 0, efault = 0, seed = 2;
	uint32_t bos[STRESS_BOS];
	struct timespec t0;
	pthread_t thread;

	for (unsigned int i = 0; i < STRESS_BOS; i++) {
		memset(s.mem + i * STRESS_SIZE, i, STRESS_SIZE);
		bos[i] = vtgpu_gem_userptr(fd, s.mem + i * STRESS_SIZE,
					   STRESS_SIZE, 0);
	}

	igt_assert_eq(pthread_create(&thread, NULL, stress_remapper, &s), 0);
	igt_gettime(&t0);
	while (igt_nsec_elapsed(&t0) / 1e9 < 5) {
		unsigned int i = rand_r(&seed) % STRESS_BOS;
		unsigned int j = rand_r(&seed) % STRESS_BOS;
		struct drm_vtgpu_cmd cmds[2] = {
			{ .op = VTGPU_CMD_COPY, .src_handle = bos[i],
			  .dst_handle = st.handle, .size = STRESS_SIZE },
			{ .op = VTGPU_CMD_COPY, .src_handle = st.handle,
			  .dst_handle = bos[j], .size = STRESS_SIZE },
		};
		struct drm_vtgpu_submit submit = {
			.cmds = to_user_pointer(cmds),
			.num_cmds = i == j ? 1 : 2,
		};
		int ret = __vtgpu_submit(fd, &submit);

		/* The range may be unmapped for a moment: EFAULT. */
		igt_assert_f(ret == 0 || ret == -EFAULT,
			     "submit failed with %d (%s)\n", ret,
			     strerror(-ret));
		ok += ret == 0;
		efault += ret == -EFAULT;
	}
	atomic_store(&s.stop, true);
	igt_assert_eq(pthread_join(thread, NULL), 0);
	igt_info("%u jobs, %u EFAULT, %u remaps\n", ok, efault, s.remaps);
	igt_assert_lt(0, ok);
	igt_assert_lt(0, s.remaps);
	igt_assert_lt_u64(invalidations, counter(fd, "userptr_invalidations"));

	/* After the storm, every BO is its memory. */
	for (unsigned int i = 0; i < STRESS_BOS; i++) {
		uint8_t *p = s.mem + i * STRESS_SIZE;

		for (unsigned int k = 0; k < STRESS_SIZE / 4; k++)
			((uint32_t *)p)[k] = i << 24 | k;
		staging_read(fd, &st, bos[i], STRESS_SIZE);
		for (unsigned int k = 0; k < STRESS_SIZE / 4; k++)
			igt_assert_f(st.map[k] == (i << 24 | k),
				     "BO %u, dword %u is %#x\n", i, k,
				     st.map[k]);
		gem_close(fd, bos[i]);
	}
	munmap(s.mem, STRESS_BOS * STRESS_SIZE);
	staging_destroy(fd, &st);
}

static void test_no_prime_no_mmap(int fd)
{
	const uint64_t size = 64 << 10;
	uint32_t *user = map_anon(size);
	uint64_t offset = 0;
	int dmabuf = -1;
	uint32_t bo;

	bo = vtgpu_gem_userptr(fd, user, size, 0);
	igt_assert_eq(drmPrimeHandleToFD(fd, bo, DRM_CLOEXEC | DRM_RDWR,
					 &dmabuf), -1);
	igt_assert_eq(errno, EPERM);
	igt_assert_eq(dmabuf, -1);
	igt_assert_eq(__vtgpu_gem_mmap_offset(fd, bo, &offset), -EPERM);

	gem_close(fd, bo);
	munmap(user, size);
}

igt_main
{
	int fd = -1;

	igt_fixture {
		fd = drm_open_driver_render(DRIVER_VTGPU);
		igt_require(getuid() == 0);
		vtgpu_debugfs_write(fd, "engine_delay_us", "0");
	}

	igt_describe("Copy from a userptr BO to a VRAM BO and back, fill a "
		     "part of it, and check the user memory itself each way.");
	igt_subtest("basic")
		test_basic(fd);

	igt_describe("Read-only memory makes only READONLY BOs, which the "
		     "engine reads; a job writing a READONLY BO is refused "
		     "with EACCES and the memory stays as it was.");
	igt_subtest("readonly")
		test_readonly(fd);

	igt_describe("Unknown flags, zero or unaligned sizes and addresses, "
		     "wrap-around, ranges beyond the user address space or "
		     "the GART give EINVAL; unmapped or unreadable memory "
		     "EFAULT; no handle is returned.");
	igt_subtest("bad-args")
		test_bad_args(fd);

	igt_describe("munmap of a userptr BO's memory invalidates it: jobs "
		     "fail with EFAULT until memory is mapped there again, "
		     "and then use that memory.");
	igt_subtest("invalidate-munmap")
		test_invalidate_munmap(fd);

	igt_describe("mprotect invalidates a userptr BO: read-only memory "
		     "gives EACCES and inaccessible memory EFAULT for a "
		     "writable BO, until the protection is restored.");
	igt_subtest("invalidate-mprotect")
		test_invalidate_mprotect(fd);

	igt_describe("After fork, the child's writes do not show in the "
		     "parent's userptr BO, the parent's do, and the engine "
		     "writes the parent's memory, not the child's.");
	igt_subtest("fork-cow")
		test_fork_cow(fd);

	igt_describe("A userptr over a mapping of a vtgpu BO, in part or "
		     "mapped over the range later, fails with EFAULT without "
		     "entering the fault handler (and lockdep stays quiet).");
	igt_subtest("self-mmap")
		test_self_mmap(fd);

	igt_describe("A userptr over a mapping of a vgem BO, another "
		     "driver's buffer, fails with EFAULT.");
	igt_subtest("vgem-mmap")
		test_vgem_mmap(fd);

	igt_describe("munmap while a slow job writes the memory waits for "
		     "the job, which succeeds; the range then holds new "
		     "memory, and the BO needs it mapped to be used.");
	igt_subtest("munmap-during-copy")
		test_munmap_during_copy(fd);

	igt_describe("Closing a userptr BO while a slow job writes it waits "
		     "for the job, which completes into the memory.");
	igt_subtest("close-busy")
		test_close_busy(fd);

	igt_describe("Fill the GART with read-only userptr BOs: a userptr "
		     "BO is evicted and comes back with its memory's current "
		     "contents, both ways.");
	igt_subtest("evict")
		test_evict(fd);

	igt_describe("Copy between 16 userptr BOs while another thread "
		     "unmaps and remaps their memory: jobs succeed or fail "
		     "with EFAULT, and every BO is its memory afterwards.");
	igt_subtest("stress")
		test_stress(fd);

	igt_describe("A userptr BO can be neither exported as a dma-buf nor "
		     "mapped through the DRM file: both EPERM.");
	igt_subtest("no-prime-no-mmap")
		test_no_prime_no_mmap(fd);

	igt_fixture
		close(fd);
}
