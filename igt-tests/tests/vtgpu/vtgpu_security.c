// SPDX-License-Identifier: MIT
/*
 * Copyright 2026 The vtgpu authors
 */

/*
 * Isolation between the clients of the vtgpu render node, and of memory a
 * job may not touch: a client reaches another's BOs only through PRIME,
 * never through its handles, guessed mmap offsets, FLINK or GEM_OPEN; a
 * READONLY userptr BO is never written; and no command reaches outside
 * the BOs it names. Commands name memory only by handle, offset and size
 * (the kernel turns them into device addresses), so those are what the
 * tests aim at other memory: offsets and sizes past a BO's end, sums that
 * wrap around, and the distance from a BO to its neighbours in VRAM and
 * in the GART, read from debugfs.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <xf86drm.h>

#include "igt.h"
#include "igt_sysfs.h"
#include "igt_vtgpu.h"
#include "vtgpu_drm.h"

IGT_TEST_DESCRIPTION("Isolation of vtgpu clients from each other's BOs, and "
		     "of memory outside the BOs a job names.");

#define PAGE_SZ		4096ull

static int ioctl_err(int fd, unsigned long request, void *arg)
{
	int ret = ioctl(fd, request, arg) ? -errno : 0;

	errno = 0;
	return ret;
}

static void *map_anon(uint64_t size)
{
	void *ptr = mmap(NULL, size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	igt_assert(ptr != MAP_FAILED);
	return ptr;
}

static int try_cmd(int fd, const struct drm_vtgpu_cmd *cmds, unsigned int n)
{
	struct drm_vtgpu_submit submit = {
		.cmds = to_user_pointer(cmds),
		.num_cmds = n,
	};

	return __vtgpu_submit(fd, &submit);
}

static int try_fill(int fd, uint32_t dst, uint64_t offset, uint64_t size)
{
	struct drm_vtgpu_cmd cmd = {
		.op = VTGPU_CMD_FILL, .dst_handle = dst, .dst_offset = offset,
		.size = size, .pattern = 0x66666666,
	};

	return try_cmd(fd, &cmd, 1);
}

static int try_copy(int fd, uint32_t src, uint64_t src_offset, uint32_t dst,
		    uint64_t dst_offset, uint64_t size)
{
	struct drm_vtgpu_cmd cmd = {
		.op = VTGPU_CMD_COPY, .src_handle = src, .dst_handle = dst,
		.src_offset = src_offset, .dst_offset = dst_offset,
		.size = size,
	};

	return try_cmd(fd, &cmd, 1);
}

/* Check that a BO holds @value throughout, reading it through a mapping. */
static void check_bo(int fd, uint32_t handle, uint64_t size, uint32_t value,
		     const char *what)
{
	uint32_t *ptr;

	vtgpu_gem_wait(fd, handle);
	ptr = vtgpu_gem_mmap(fd, handle, size, PROT_READ);
	vtgpu_check_fill(ptr, size, value, what);
	munmap(ptr, size);
}

/*
 * Every way a file names a BO by handle, with a handle that names none of
 * its BOs: -ENOENT (GEM_CLOSE's -EINVAL), and nothing changes.
 */
static void check_no_access(int fd, uint32_t handle, uint32_t own)
{
	struct drm_vtgpu_gem_info info = { .handle = handle };
	struct drm_gem_close cl = { .handle = handle };
	struct drm_prime_handle prime = {
		.handle = handle, .flags = DRM_CLOEXEC | DRM_RDWR, .fd = -1,
	};
	uint64_t offset = 0;

	igt_assert_eq(__vtgpu_gem_info(fd, &info), -ENOENT);
	igt_assert_eq(__vtgpu_gem_mmap_offset(fd, handle, &offset), -ENOENT);
	igt_assert_eq(__vtgpu_gem_wait(fd, handle, 0), -ENOENT);
	igt_assert_eq(try_fill(fd, handle, 0, PAGE_SZ), -ENOENT);
	igt_assert_eq(try_copy(fd, handle, 0, own, 0, PAGE_SZ), -ENOENT);
	igt_assert_eq(try_copy(fd, own, 0, handle, 0, PAGE_SZ), -ENOENT);
	igt_assert_eq(ioctl_err(fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &prime),
		      -ENOENT);
	igt_assert_eq(prime.fd, -1);
	igt_assert_eq(ioctl_err(fd, DRM_IOCTL_GEM_CLOSE, &cl), -EINVAL);
}

static void test_other_file_handles(void)
{
	int fd = drm_open_driver_render(DRIVER_VTGPU), other = drm_open_driver_render(DRIVER_VTGPU);
	uint32_t bos[3], own;

	for (unsigned int i = 0; i < ARRAY_SIZE(bos); i++) {
		bos[i] = vtgpu_gem_create(fd, 8192, VTGPU_GEM_DOMAIN_ALL, 0, 0);
		vtgpu_fill(fd, bos[i], 0, 8192, 0x11111111 * (i + 1));
	}
	/* The other file's first handle has the number of our first. */
	own = vtgpu_gem_create(other, 8192, VTGPU_GEM_DOMAIN_ALL, 0, 0);
	igt_assert_eq_u32(own, bos[0]);

	for (unsigned int i = 1; i < ARRAY_SIZE(bos); i++)
		check_no_access(other, bos[i], own);

	/* The same number names the other file's own BO, not ours. */
	vtgpu_fill(other, own, 0, 8192, 0x77777777);
	check_bo(other, own, 8192, 0x77777777, "the other file's BO");
	for (unsigned int i = 0; i < ARRAY_SIZE(bos); i++)
		check_bo(fd, bos[i], 8192, 0x11111111 * (i + 1),
			 "a BO the other file aimed at");

	close(other);
	close(fd);
}

static void test_forked_child_handles(void)
{
	int fd = drm_open_driver_render(DRIVER_VTGPU);
	uint32_t bos[4];

	for (unsigned int i = 0; i < ARRAY_SIZE(bos); i++) {
		bos[i] = vtgpu_gem_create(fd, 8192, VTGPU_GEM_DOMAIN_ALL, 0, 0);
		vtgpu_fill(fd, bos[i], 0, 8192, 0x21212121 * (i + 1));
	}
	igt_fork(child, 1) {
		/* A client of its own: the parent's handles are not its. */
		int mine = drm_open_driver_render(DRIVER_VTGPU);
		uint32_t own = vtgpu_gem_create(mine, 8192,
						VTGPU_GEM_DOMAIN_ALL, 0, 0);

		for (unsigned int i = 0; i < ARRAY_SIZE(bos); i++)
			if (bos[i] != own)
				check_no_access(mine, bos[i], own);
		close(mine);
	}
	igt_waitchildren();

	for (unsigned int i = 0; i < ARRAY_SIZE(bos); i++)
		check_bo(fd, bos[i], 8192, 0x21212121 * (i + 1),
			 "a BO a child aimed at");
	close(fd);
}

static int try_mmap(int fd, uint64_t offset, uint64_t len)
{
	void *ptr = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
			 offset);
	int ret = ptr == MAP_FAILED ? -errno : 0;

	if (ptr != MAP_FAILED)
		munmap(ptr, len);
	errno = 0;
	return ret;
}

static void test_other_file_mmap(void)
{
	const uint64_t size = 16 * PAGE_SZ;
	int fd = drm_open_driver_render(DRIVER_VTGPU), other = drm_open_driver_render(DRIVER_VTGPU);
	uint32_t bo = vtgpu_gem_create(fd, size, VTGPU_GEM_DOMAIN_ALL, 0, 0);
	uint32_t own = vtgpu_gem_create(other, size, VTGPU_GEM_DOMAIN_ALL, 0, 0);
	uint64_t offset, own_offset;
	int ret;

	igt_assert_eq(__vtgpu_gem_mmap_offset(fd, bo, &offset), 0);
	igt_assert_eq(__vtgpu_gem_mmap_offset(other, own, &own_offset), 0);

	/* The exact offset: the BO is not the other file's. */
	igt_assert_eq(try_mmap(other, offset, size), -EACCES);
	igt_assert_eq(try_mmap(other, offset, PAGE_SZ), -EACCES);

	/*
	 * Guesses around it, in pages: each is refused, whatever BO it may
	 * hit; only the other file's own BO, at its exact offset, maps.
	 */
	for (int64_t d = -64; d <= 64; d++) {
		uint64_t guess = offset + d * PAGE_SZ;

		for (uint64_t len = PAGE_SZ; len <= 2 * PAGE_SZ; len += PAGE_SZ) {
			ret = try_mmap(other, guess, len);
			if (guess == own_offset)
				igt_assert_eq(ret, 0);
			else
				igt_assert_f(ret == -EACCES || ret == -EINVAL,
					     "mmap of a guessed offset %+" PRId64 " pages from another file's BO: %d\n",
					     d, ret);
		}
	}

	gem_close(other, own);
	gem_close(fd, bo);
	close(other);
	close(fd);
}

static void test_no_flink(void)
{
	int fd = drm_open_driver_render(DRIVER_VTGPU);
	uint32_t bo = vtgpu_gem_create(fd, PAGE_SZ, VTGPU_GEM_DOMAIN_ALL, 0, 0);
	struct drm_gem_flink flink = { .handle = bo };

	/* Global names would let any client open any BO. */
	igt_assert_eq(ioctl_err(fd, DRM_IOCTL_GEM_FLINK, &flink), -EACCES);
	igt_assert_eq_u32(flink.name, 0);
	for (uint32_t name = 0; name < 64; name++) {
		struct drm_gem_open open = { .name = name };

		igt_assert_eq(ioctl_err(fd, DRM_IOCTL_GEM_OPEN, &open),
			      -EACCES);
		igt_assert_eq_u32(open.handle, 0);
	}
	gem_close(fd, bo);
	close(fd);
}

static void test_prime_only(void)
{
	const uint64_t size = 4 * PAGE_SZ;
	int fd = drm_open_driver_render(DRIVER_VTGPU), other = drm_open_driver_render(DRIVER_VTGPU);
	uint32_t bo = vtgpu_gem_create(fd, size, VTGPU_GEM_DOMAIN_ALL, 0, 0);
	uint32_t pad = vtgpu_gem_create(other, size, VTGPU_GEM_DOMAIN_ALL, 0, 0);
	struct drm_prime_handle prime = {
		.handle = bo, .flags = DRM_CLOEXEC | DRM_RDWR,
	};
	uint64_t offset;
	uint32_t *ptr;
	int dmabuf;

	vtgpu_fill(fd, bo, 0, size, 0x31313131);
	igt_assert_eq(__vtgpu_gem_mmap_offset(fd, bo, &offset), 0);
	igt_assert_eq(try_mmap(other, offset, size), -EACCES);

	igt_assert_eq(ioctl_err(fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &prime), 0);
	dmabuf = prime.fd;
	prime.handle = 0;
	igt_assert_eq(ioctl_err(other, DRM_IOCTL_PRIME_FD_TO_HANDLE, &prime), 0);
	igt_assert_neq_u32(prime.handle, pad);

	/* Through its own handle: the same BO, and its mapping too. */
	check_bo(other, prime.handle, size, 0x31313131, "an imported BO");
	vtgpu_fill(other, prime.handle, 0, size, 0x32323232);
	check_bo(fd, bo, size, 0x32323232, "written by the importer");
	ptr = mmap(NULL, size, PROT_READ, MAP_SHARED, other, offset);
	igt_assert(ptr != MAP_FAILED);
	vtgpu_check_fill(ptr, size, 0x32323232, "mapped by the importer");
	munmap(ptr, size);

	/* Its handle closed, the importer loses the mapping's offset too. */
	gem_close(other, prime.handle);
	igt_assert_eq(try_mmap(other, offset, size), -EACCES);

	close(dmabuf);
	gem_close(other, pad);
	gem_close(fd, bo);
	close(other);
	close(fd);
}

/*
 * A BO's placement from debugfs "bos": "SIZEK DOMAIN START+PAGES ...",
 * START the first page in VRAM or in the GART aperture. Sizes are chosen
 * unique to find the BOs. Returns the first page.
 */
static uint64_t bo_start(int fd, uint64_t size, const char *domain)
{
	int dir = vtgpu_debugfs_dir(fd);
	char *bos = igt_sysfs_get(dir, "bos"), *line, *save = NULL;
	uint64_t start = ~0ull;

	close(dir);
	igt_assert(bos);
	for (line = strtok_r(bos, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		uint64_t kib, first, pages;
		char dom[16];

		if (sscanf(line, " %" SCNu64 "K %15s %" SCNx64 "+%" SCNu64,
			   &kib, dom, &first, &pages) != 4)
			continue;
		if (kib << 10 == size && !strcmp(dom, domain)) {
			igt_assert_f(start == ~0ull,
				     "two %" PRIu64 "K BOs in %s\n", kib, domain);
			igt_assert_eq_u64(pages * PAGE_SZ, size);
			start = first;
		}
	}
	free(bos);
	igt_assert_f(start != ~0ull, "no %" PRIu64 " byte BO in %s in debugfs\n",
		     size, domain);
	return start;
}

/*
 * A target BO between two guards of another client, all in one domain:
 * every command on the target that reaches past it, or wraps around, or
 * aims at the guards' device addresses, is refused, and nothing outside
 * the target changes; then a full FILL and COPY change the target only.
 */
static void test_outside_bo(uint32_t domain, const char *name)
{
	/* Unusual sizes, to find the BOs in debugfs. */
	const uint64_t gsize = 37 * PAGE_SZ, tsize = 41 * PAGE_SZ;
	const uint64_t ssize = 43 * PAGE_SZ;
	int fd = drm_open_driver_render(DRIVER_VTGPU), other = drm_open_driver_render(DRIVER_VTGPU);
	uint32_t guard[2], target, scratch;
	uint64_t gstart[2], tstart;
	const struct {
		uint64_t offset, size;
	} bad[] = {
		{ tsize, 4 },
		{ tsize - 4, 8 },
		{ 0, tsize + 4 },
		{ tsize - PAGE_SZ, 2 * PAGE_SZ },
		{ tsize + PAGE_SZ, PAGE_SZ },
		{ ~0ull - 3, 8 },
		{ ~0ull - PAGE_SZ + 1, 2 * PAGE_SZ },
		{ 4, ~0ull - 3 },
		{ 1ull << 63, PAGE_SZ },
		{ 0, ~0ull & ~3ull },
	};
	struct drm_vtgpu_cmd cmds[2];

	guard[0] = vtgpu_gem_create(other, gsize, domain, 0, 0);
	target = vtgpu_gem_create(fd, tsize, domain, 0, 0);
	guard[1] = vtgpu_gem_create(other, gsize + PAGE_SZ, domain, 0, 0);
	scratch = vtgpu_gem_create(fd, ssize, VTGPU_GEM_DOMAIN_ALL, 0, 0);
	vtgpu_fill(other, guard[0], 0, gsize, 0xaaaaaaaa);
	vtgpu_fill(other, guard[1], 0, gsize + PAGE_SZ, 0xbbbbbbbb);
	vtgpu_fill(fd, target, 0, tsize, 0x77777777);
	vtgpu_fill(fd, scratch, 0, ssize, 0x55555555);
	vtgpu_gem_wait(other, guard[0]);
	vtgpu_gem_wait(other, guard[1]);
	vtgpu_gem_wait(fd, target);
	vtgpu_gem_wait(fd, scratch);
	igt_assert_eq_u32(vtgpu_gem_domain(fd, target), domain);

	gstart[0] = bo_start(fd, gsize, name);
	gstart[1] = bo_start(fd, gsize + PAGE_SZ, name);
	tstart = bo_start(fd, tsize, name);
	igt_info("%s: guards at pages %#" PRIx64 " and %#" PRIx64 ", target at %#" PRIx64 "\n",
		 name, gstart[0], gstart[1], tstart);

	for (unsigned int i = 0; i < ARRAY_SIZE(bad) + 2; i++) {
		uint64_t off, size;

		if (i < ARRAY_SIZE(bad)) {
			off = bad[i].offset;
			size = bad[i].size;
		} else {
			/* The distance to a guard, as an offset. */
			off = (gstart[i - ARRAY_SIZE(bad)] - tstart) * PAGE_SZ;
			size = PAGE_SZ;
		}
		igt_debug("offset %#" PRIx64 ", size %#" PRIx64 "\n", off, size);

		/* A valid command first: the job is refused whole. */
		cmds[0] = (struct drm_vtgpu_cmd) {
			.op = VTGPU_CMD_FILL, .dst_handle = target,
			.size = PAGE_SZ, .pattern = 0x12345678,
		};
		cmds[1] = (struct drm_vtgpu_cmd) {
			.op = VTGPU_CMD_FILL, .dst_handle = target,
			.dst_offset = off, .size = size,
			.pattern = 0x66666666,
		};
		igt_assert_eq(try_cmd(fd, cmds, 2), -EINVAL);
		/* Written from the target, from outside it, into scratch. */
		igt_assert_eq(try_copy(fd, scratch, 0, target, off, size),
			      -EINVAL);
		igt_assert_eq(try_copy(fd, target, off, scratch, 0, size),
			      -EINVAL);
		/* Read from outside the target. */
		igt_assert_eq(try_copy(fd, target, off, target, 0, size),
			      -EINVAL);
	}

	check_bo(other, guard[0], gsize, 0xaaaaaaaa, "the guard before");
	check_bo(other, guard[1], gsize + PAGE_SZ, 0xbbbbbbbb,
		 "the guard after");
	check_bo(fd, target, tsize, 0x77777777, "the target");
	check_bo(fd, scratch, ssize, 0x55555555, "the scratch BO");

	/* Right at the edges: only the target changes. */
	vtgpu_fill(fd, target, 0, tsize, 0x88888888);
	vtgpu_copy(fd, target, 0, scratch, 0, tsize);
	check_bo(fd, scratch, tsize, 0x88888888, "a copy of the whole target");
	check_bo(other, guard[0], gsize, 0xaaaaaaaa, "the guard before");
	check_bo(other, guard[1], gsize + PAGE_SZ, 0xbbbbbbbb,
		 "the guard after");

	gem_close(fd, scratch);
	gem_close(fd, target);
	gem_close(other, guard[1]);
	gem_close(other, guard[0]);
	close(other);
	close(fd);
}

/*
 * A userptr BO over the middle of an anonymous mapping: commands past its
 * range are refused, and the pages around it never change.
 */
static void test_userptr_outside(void)
{
	const uint64_t size = 4 * PAGE_SZ;
	int fd = drm_open_driver_render(DRIVER_VTGPU);
	uint8_t *mem = map_anon(size + 2 * PAGE_SZ);
	uint32_t *range = (uint32_t *)(mem + PAGE_SZ);
	uint32_t bo, scratch;

	memset(mem, 0xaa, PAGE_SZ);
	memset(mem + PAGE_SZ + size, 0xbb, PAGE_SZ);
	vtgpu_write_seq(range, size, 1000);
	bo = vtgpu_gem_userptr(fd, range, size, 0);
	scratch = vtgpu_gem_create(fd, 2 * size, VTGPU_GEM_DOMAIN_ALL, 0, 0);
	vtgpu_fill(fd, scratch, 0, 2 * size, 0x55555555);

	igt_assert_eq(try_fill(fd, bo, size, 4), -EINVAL);
	igt_assert_eq(try_fill(fd, bo, size - 4, 8), -EINVAL);
	igt_assert_eq(try_fill(fd, bo, ~0ull - 3, 8), -EINVAL);
	igt_assert_eq(try_copy(fd, scratch, 0, bo, 0, size + 4), -EINVAL);
	igt_assert_eq(try_copy(fd, scratch, 0, bo, size, PAGE_SZ), -EINVAL);
	igt_assert_eq(try_copy(fd, bo, 0, scratch, 0, size + PAGE_SZ),
		      -EINVAL);
	igt_assert_eq(try_copy(fd, bo, ~0ull - PAGE_SZ + 1, scratch, 0,
			       2 * PAGE_SZ), -EINVAL);
	check_bo(fd, scratch, 2 * size, 0x55555555, "scratch after refusals");
	vtgpu_check_seq(range, size, 1000, "the range after refusals");

	/* All of it, right to both ends: the neighbours stay. */
	vtgpu_fill(fd, bo, 0, size, 0x99999999);
	vtgpu_gem_wait(fd, bo);
	vtgpu_check_fill(range, size, 0x99999999, "the filled range");
	for (uint64_t i = 0; i < PAGE_SZ; i++) {
		igt_assert_eq(mem[i], 0xaa);
		igt_assert_eq(mem[PAGE_SZ + size + i], 0xbb);
	}

	gem_close(fd, scratch);
	gem_close(fd, bo);
	munmap(mem, size + 2 * PAGE_SZ);
	close(fd);
}

/* Reading debugfs evict_vram evicts every BO from VRAM. */
static void evict_vram(int fd)
{
	int dir = vtgpu_debugfs_dir(fd);
	char *ret = igt_sysfs_get(dir, "evict_vram");

	close(dir);
	igt_assert(ret);
	igt_assert_eq(atoi(ret), 0);
	free(ret);
}

static uint64_t checksum(const uint8_t *p, uint64_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (uint64_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

/*
 * A READONLY userptr BO over writable memory, moved out of the GART and
 * back and used as a source throughout: every write to it is refused, in
 * a job of valid commands too, and the memory never changes.
 */
static void test_readonly_userptr(void)
{
	const uint64_t size = 64 * PAGE_SZ;
	int fd = drm_open_driver_render(DRIVER_VTGPU);
	const uint64_t gart = vtgpu_getparam(fd, VTGPU_PARAM_GART_SIZE);
	const uint64_t hog_size = gart / 4;
	uint8_t *mem = map_anon(size);
	uint32_t ro, dst, hogs[4];
	void *hog_mem[4];
	uint64_t sum, evictions = vtgpu_debugfs_stat(fd, "evictions");
	struct drm_vtgpu_cmd cmds[2];

	for (uint64_t i = 0; i < size; i++)
		mem[i] = i * 7 + (i >> 12);
	sum = checksum(mem, size);
	ro = vtgpu_gem_userptr(fd, mem, size, VTGPU_USERPTR_READONLY);
	dst = vtgpu_gem_create(fd, size, VTGPU_GEM_DOMAIN_ALL, 0, 0);

	for (unsigned int round = 0; round < 2; round++) {
		/* Used as a source: in the GART. */
		vtgpu_copy(fd, ro, 0, dst, 0, size);
		vtgpu_gem_wait(fd, dst);
		igt_assert_eq_u32(vtgpu_gem_domain(fd, ro), VTGPU_GEM_DOMAIN_GTT);

		/* Every write refused, a valid command before it or not. */
		cmds[0] = (struct drm_vtgpu_cmd) {
			.op = VTGPU_CMD_FILL, .dst_handle = dst,
			.size = PAGE_SZ, .pattern = 1,
		};
		cmds[1] = (struct drm_vtgpu_cmd) {
			.op = VTGPU_CMD_COPY, .src_handle = dst,
			.dst_handle = ro, .size = PAGE_SZ,
		};
		igt_assert_eq(try_cmd(fd, cmds, 2), -EACCES);
		igt_assert_eq(try_fill(fd, ro, 0, size), -EACCES);
		igt_assert_eq(try_copy(fd, dst, 0, ro, 0, size), -EACCES);
		igt_assert_eq(try_copy(fd, ro, 0, ro, PAGE_SZ, PAGE_SZ),
			      -EACCES);

		/* Out of the GART: read-only hogs take it all. */
		for (unsigned int i = 0; i < ARRAY_SIZE(hogs); i++) {
			hog_mem[i] = map_anon(hog_size);
			hogs[i] = vtgpu_gem_userptr(fd, hog_mem[i], hog_size,
						    VTGPU_USERPTR_READONLY);
			vtgpu_copy(fd, hogs[i], 0, dst, 0, PAGE_SZ);
		}
		vtgpu_gem_wait(fd, dst);
		igt_assert_neq_u32(vtgpu_gem_domain(fd, ro),
				   VTGPU_GEM_DOMAIN_VRAM);
		/* VRAM moves around too; a userptr BO is never there. */
		evict_vram(fd);
		for (unsigned int i = 0; i < ARRAY_SIZE(hogs); i++) {
			gem_close(fd, hogs[i]);
			munmap(hog_mem[i], hog_size);
		}
		igt_assert_eq_u64(checksum(mem, size), sum);
	}
	igt_assert_lt_u64(evictions, vtgpu_debugfs_stat(fd, "evictions"));

	/* What the engine read all along is the memory. */
	vtgpu_copy(fd, ro, 0, dst, 0, size);
	vtgpu_gem_wait(fd, dst);
	{
		uint8_t *ptr = vtgpu_gem_mmap(fd, dst, size, PROT_READ);

		igt_assert(memcmp(ptr, mem, size) == 0);
		munmap(ptr, size);
	}
	igt_assert_eq_u64(checksum(mem, size), sum);

	gem_close(fd, dst);
	gem_close(fd, ro);
	munmap(mem, size);
	close(fd);
}

igt_main
{
	igt_fixture {
		int fd = drm_open_driver_render(DRIVER_VTGPU);

		close(fd);
	}

	igt_describe("Another open of the render node cannot name this "
		     "file's BOs by their handles: every ioctl fails with "
		     "ENOENT (GEM_CLOSE with EINVAL) and the BOs do not "
		     "change, while the same numbers name its own BOs.");
	igt_subtest("other-file-handles")
		test_other_file_handles();

	igt_describe("A forked child with its own open of the render node "
		     "cannot name its parent's BOs by their handles.");
	igt_subtest("forked-child-handles")
		test_forked_child_handles();

	igt_describe("Another file cannot map this file's BOs, neither at "
		     "their fake offsets nor at any offset guessed around "
		     "them: EACCES or EINVAL, never a mapping.");
	igt_subtest("other-file-mmap")
		test_other_file_mmap();

	igt_describe("The render node refuses FLINK and GEM_OPEN: no global "
		     "names through which any client opens any BO.");
	igt_subtest("no-flink")
		test_no_flink();

	igt_describe("PRIME is the way to share a BO: imported, the other "
		     "file reads, writes and maps it, and loses the mapping "
		     "when it closes its handle.");
	igt_subtest("prime-only")
		test_prime_only();

	igt_describe("Commands reaching past a VRAM BO, wrapping around, or "
		     "aimed at the device addresses of other clients' BOs "
		     "next to it are refused, and those BOs do not change.");
	igt_subtest("outside-bo-vram")
		test_outside_bo(VTGPU_GEM_DOMAIN_VRAM, "vram");

	igt_describe("Commands reaching past a GTT BO, wrapping around, or "
		     "aimed at the GART addresses of other clients' BOs next "
		     "to it are refused, and those BOs do not change.");
	igt_subtest("outside-bo-gtt")
		test_outside_bo(VTGPU_GEM_DOMAIN_GTT, "gtt");

	igt_describe("Commands past a userptr BO's range are refused, and the "
		     "memory around the range never changes.");
	igt_subtest("outside-userptr")
		test_userptr_outside();

	igt_describe("A READONLY userptr BO over writable memory is never "
		     "written: not by a job with it as destination (refused "
		     "whole), nor across moves out of the GART and back.");
	igt_subtest("readonly-userptr-never-written")
		test_readonly_userptr();
}
