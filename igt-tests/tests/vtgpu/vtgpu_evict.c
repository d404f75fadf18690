// SPDX-License-Identifier: MIT
/*
 * Copyright 2026 The vtgpu authors
 */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xf86drm.h>

#include "igt.h"
#include "igt_device.h"
#include "igt_sysfs.h"
#include "igt_vtgpu.h"
#include "vtgpu_drm.h"

IGT_TEST_DESCRIPTION("Eviction and swapout of vtgpu BOs: more BOs than "
		     "VRAM, busy and mapped BOs evicted, swapout under a TTM "
		     "page limit, several clients at once, and a soak that "
		     "moves gigabytes between VRAM, GTT and system memory; "
		     "their contents must survive every move.");

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static uint64_t max_u64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

/*
 * The contents of a BO are a function of a seed: dword i of a BO with
 * seed s is pattern(s, i). Copies between BOs copy the seed.
 */
static uint32_t pattern(uint32_t seed, uint64_t i)
{
	uint32_t x = seed + (uint32_t)i * 0x9e3779b9u;

	x ^= x >> 16;
	x *= 0x7feb352du;
	x ^= x >> 15;
	return x;
}

static void write_pattern(uint32_t *ptr, uint64_t size, uint32_t seed)
{
	for (uint64_t i = 0; i < size / 4; i++)
		ptr[i] = pattern(seed, i);
}

/* Returns the number of wrong dwords; logs the first few. */
static uint64_t check_pattern(const uint32_t *ptr, uint64_t size,
			      uint32_t seed, const char *what)
{
	uint64_t wrong = 0;

	for (uint64_t i = 0; i < size / 4; i++) {
		uint32_t expect = pattern(seed, i);

		if (ptr[i] == expect)
			continue;
		if (wrong++ < 4)
			igt_warn("%s: dword %" PRIu64 " is %#x, expected %#x\n",
				 what, i, ptr[i], expect);
	}
	return wrong;
}

/**
 * struct test_bo - a BO and what it should hold
 */
struct test_bo {
	uint32_t handle;
	uint32_t seed;
	bool mappable;
	uint32_t *map;
};

/*
 * A working set of BOs preferring VRAM, and a staging BO in GTT to write
 * and check those the CPU does not map.
 */
struct working_set {
	int fd;
	uint64_t bo_size;
	unsigned int count;
	struct test_bo *bos;
	uint32_t staging;
	uint32_t *staging_map;
	uint64_t wrong;
	uint64_t left_vram;
};

static void ws_init(struct working_set *ws, int fd, uint64_t total,
		    uint64_t bo_size, uint32_t seed)
{
	ws->fd = fd;
	ws->bo_size = bo_size;
	ws->count = total / bo_size;
	ws->bos = calloc(ws->count, sizeof(*ws->bos));
	ws->wrong = 0;
	ws->left_vram = 0;
	igt_assert(ws->bos);

	ws->staging = vtgpu_gem_create(fd, bo_size, VTGPU_GEM_DOMAIN_GTT, 0,
				       VTGPU_GEM_CREATE_CPU_ACCESS_REQUIRED);
	ws->staging_map = vtgpu_gem_mmap(fd, ws->staging, bo_size,
					 PROT_READ | PROT_WRITE);

	/*
	 * Every other BO needs no CPU access and may use all of VRAM; the
	 * others stay in its visible part and are checked through mappings.
	 */
	for (unsigned int i = 0; i < ws->count; i++) {
		struct test_bo *bo = &ws->bos[i];

		bo->mappable = i & 1;
		bo->handle = vtgpu_gem_create(fd, bo_size,
					      VTGPU_GEM_DOMAIN_VRAM |
					      VTGPU_GEM_DOMAIN_GTT,
					      VTGPU_GEM_DOMAIN_VRAM,
					      bo->mappable ? 0 :
					      VTGPU_GEM_CREATE_NO_CPU_ACCESS);
		bo->seed = seed + i;
		if (bo->mappable) {
			bo->map = vtgpu_gem_mmap(fd, bo->handle, bo_size,
						 PROT_READ | PROT_WRITE);
			write_pattern(bo->map, bo_size, bo->seed);
		} else {
			/* The staging BO is free once the last copy is done. */
			vtgpu_gem_wait(fd, ws->staging);
			write_pattern(ws->staging_map, bo_size, bo->seed);
			vtgpu_copy(fd, ws->staging, 0, bo->handle, 0, bo_size);
		}
	}
}

static void ws_check(struct working_set *ws, unsigned int i)
{
	struct test_bo *bo = &ws->bos[i];
	char what[32];

	snprintf(what, sizeof(what), "BO %u", i);
	if (bo->mappable) {
		/* The CPU waits for the copies queued into the BO. */
		vtgpu_gem_wait(ws->fd, bo->handle);
		ws->wrong += check_pattern(bo->map, ws->bo_size, bo->seed, what);
		return;
	}
	vtgpu_copy(ws->fd, bo->handle, 0, ws->staging, 0, ws->bo_size);
	vtgpu_gem_wait(ws->fd, ws->staging);
	ws->wrong += check_pattern(ws->staging_map, ws->bo_size, bo->seed, what);
}

/* Count the BOs that are not in VRAM now: they were evicted. */
static void ws_count_evicted(struct working_set *ws)
{
	uint64_t n = 0;

	for (unsigned int i = 0; i < ws->count; i++)
		n += vtgpu_gem_domain(ws->fd, ws->bos[i].handle) !=
		     VTGPU_GEM_DOMAIN_VRAM;
	ws->left_vram = max_u64(ws->left_vram, n);
}

/*
 * Random work: copy a BO into another, rewrite one through its mapping,
 * check one. Each submission brings its BOs back into VRAM, evicting
 * others.
 */
static void ws_random_ops(struct working_set *ws, unsigned int ops,
			  unsigned int *rand_state)
{
	for (unsigned int n = 0; n < ops; n++) {
		unsigned int i = rand_r(rand_state) % ws->count;
		unsigned int j = rand_r(rand_state) % ws->count;
		struct test_bo *bo = &ws->bos[i];

		switch (rand_r(rand_state) % 4) {
		case 0:
		case 1:
			if (i == j)
				break;
			vtgpu_copy(ws->fd, ws->bos[j].handle, 0, bo->handle, 0,
				   ws->bo_size);
			bo->seed = ws->bos[j].seed;
			break;
		case 2:
			if (!bo->mappable)
				break;
			/* Not under the feet of queued copies from the BO. */
			vtgpu_gem_wait(ws->fd, bo->handle);
			bo->seed = rand_r(rand_state);
			write_pattern(bo->map, ws->bo_size, bo->seed);
			break;
		case 3:
			ws_check(ws, i);
			break;
		}
		if (n % 16 == 0)
			ws_count_evicted(ws);
	}
}

static void ws_fini(struct working_set *ws)
{
	for (unsigned int i = 0; i < ws->count; i++) {
		if (ws->bos[i].map)
			munmap(ws->bos[i].map, ws->bo_size);
		gem_close(ws->fd, ws->bos[i].handle);
	}
	munmap(ws->staging_map, ws->bo_size);
	gem_close(ws->fd, ws->staging);
	free(ws->bos);
}

/* Bytes of BOs to use: @factor times VRAM, within a quarter of RAM. */
static uint64_t working_set_size(int fd, unsigned int factor)
{
	uint64_t vram = vtgpu_getparam(fd, VTGPU_PARAM_VRAM_SIZE);

	return min_u64(factor * vram, vtgpu_total_ram() / 4);
}

static uint64_t working_bo_size(int fd)
{
	uint64_t visible = vtgpu_getparam(fd, VTGPU_PARAM_VISIBLE_VRAM_SIZE);

	return max_u64(min_u64(visible / 16, 4ull << 20), 256ull << 10);
}

static void test_oversubscribe(int fd)
{
	uint64_t evictions = vtgpu_debugfs_stat(fd, "evictions");
	uint64_t total = working_set_size(fd, 2);
	unsigned int rand_state = 0x5eed;
	struct working_set ws;

	igt_info("%" PRIu64 " MiB of BOs for %" PRIu64 " MiB of VRAM\n",
		 total >> 20, vtgpu_getparam(fd, VTGPU_PARAM_VRAM_SIZE) >> 20);
	ws_init(&ws, fd, total, working_bo_size(fd), 1000);
	ws_count_evicted(&ws);
	ws_random_ops(&ws, 8 * ws.count, &rand_state);

	for (unsigned int i = 0; i < ws.count; i++)
		ws_check(&ws, i);

	igt_info("%" PRIu64 " evictions, at most %" PRIu64 " of %u BOs "
		 "seen out of VRAM\n",
		 vtgpu_debugfs_stat(fd, "evictions") - evictions,
		 ws.left_vram, ws.count);
	igt_assert_eq_u64(ws.wrong, 0);
	igt_assert_f(ws.left_vram > 0, "no BO was ever seen out of VRAM\n");
	igt_assert_lt_u64(evictions, vtgpu_debugfs_stat(fd, "evictions"));
	ws_fini(&ws);
}

static void test_evict_busy(int fd, bool cpu_moves)
{
	const uint64_t size = 1 << 20;
	uint32_t bo, src, pressure[VTGPU_VISIBLE_FILLERS];
	struct drm_vtgpu_cmd cmds[16];
	uint32_t *ptr;
	int fence;

	bo = vtgpu_gem_create(fd, size, VTGPU_GEM_DOMAIN_VRAM |
			      VTGPU_GEM_DOMAIN_GTT, VTGPU_GEM_DOMAIN_VRAM, 0);
	src = vtgpu_gem_create(fd, size, VTGPU_GEM_DOMAIN_GTT, 0, 0);
	ptr = vtgpu_gem_mmap(fd, src, size, PROT_READ | PROT_WRITE);
	write_pattern(ptr, size, 77);
	munmap(ptr, size);
	vtgpu_gem_wait(fd, bo);

	/*
	 * A slow job on the BO: fills, then a copy of the pattern over the
	 * first half and a fill of the second. Still queued when the BO is
	 * evicted: the eviction must copy what the job wrote, after it.
	 */
	for (unsigned int i = 0; i < ARRAY_SIZE(cmds) - 2; i++)
		cmds[i] = (struct drm_vtgpu_cmd) {
			.op = VTGPU_CMD_FILL, .dst_handle = bo, .size = size,
			.pattern = i,
		};
	cmds[14] = (struct drm_vtgpu_cmd) {
		.op = VTGPU_CMD_COPY, .src_handle = src, .dst_handle = bo,
		.size = size / 2,
	};
	cmds[15] = (struct drm_vtgpu_cmd) {
		.op = VTGPU_CMD_FILL, .dst_handle = bo, .dst_offset = size / 2,
		.size = size / 2, .pattern = 0x600dc0de,
	};
	/*
	 * The engine's move is queued behind the job: 16 commands of
	 * 500 ms, of which the eviction needs milliseconds (the rest guards
	 * a loaded host); once the eviction is seen, the delay goes and
	 * only the command under way then takes its time. The CPU's move
	 * waits for the job: 16 commands of 50 ms.
	 */
	/* The CPU makes the moves the engine would, until the end. */
	if (cpu_moves)
		vtgpu_debugfs_set(fd, "move_with_cpu", "Y", "N");
	vtgpu_set_engine_delay(fd, cpu_moves ? 50000 : 500000);
	fence = vtgpu_submit_cmds(fd, cmds, ARRAY_SIZE(cmds),
				  VTGPU_SUBMIT_OUT_FENCE_FD);

	vtgpu_fill_visible_vram(fd, pressure);
	igt_assert_f(vtgpu_gem_domain(fd, bo) != VTGPU_GEM_DOMAIN_VRAM,
		     "the busy BO was not evicted\n");
	/* Read after the eviction was seen: the job was queued through it. */
	if (!cpu_moves)
		igt_assert_f(vtgpu_fence_status(fence) == 0,
			     "the job finished before the eviction\n");
	vtgpu_set_engine_delay(fd, 0);

	igt_assert_eq(vtgpu_fence_wait(fence, 60000), 1);
	igt_assert_eq(vtgpu_fence_status(fence), 1);
	close(fence);
	vtgpu_gem_wait(fd, bo);

	ptr = vtgpu_gem_mmap(fd, bo, size, PROT_READ);
	igt_assert_eq_u64(check_pattern(ptr, size / 2, 77, "copied half"), 0);
	for (uint64_t i = size / 8; i < size / 4; i++)
		igt_assert_eq_u32(ptr[i], 0x600dc0de);
	munmap(ptr, size);

	for (unsigned int i = 0; i < ARRAY_SIZE(pressure); i++)
		gem_close(fd, pressure[i]);
	gem_close(fd, src);
	gem_close(fd, bo);
}

/*
 * A submission that needs room only the eviction of a BO another thread
 * holds reserved can make: that thread evicts a busy BO out of GTT,
 * holding its reservation while it waits for the BO's job. The
 * submission must wait for the reservation, under its acquire context,
 * and place its BO once the eviction is done: not fail with -ENOMEM.
 */
static void test_submit_held_victim(int fd)
{
	const uint64_t size = 1 << 20;
	uint64_t gtt = vtgpu_getparam(fd, VTGPU_PARAM_GART_SIZE);
	struct drm_vtgpu_cmd fill = {
		.op = VTGPU_CMD_FILL, .size = size, .pattern = 0x5ca1ab1e,
	};
	struct drm_vtgpu_submit submit = {
		.cmds = to_user_pointer(&fill), .num_cmds = 1,
		.flags = VTGPU_SUBMIT_OUT_FENCE_FD,
	};
	struct vtgpu_creator creator = {};
	struct drm_vtgpu_cmd cmds[8];
	uint32_t busy, bo, filler, *ptr;
	int fence, err;

	/* In SYSTEM until used: the submission places it in GTT. */
	bo = vtgpu_gem_create(fd, size, VTGPU_GEM_DOMAIN_GTT |
			      VTGPU_GEM_DOMAIN_SYSTEM, VTGPU_GEM_DOMAIN_SYSTEM,
			      0);
	/* All of GTT, busy for some 4 s of engine time. */
	busy = vtgpu_gem_create(fd, gtt, VTGPU_GEM_DOMAIN_GTT |
				VTGPU_GEM_DOMAIN_SYSTEM, VTGPU_GEM_DOMAIN_GTT, 0);
	for (unsigned int i = 0; i < ARRAY_SIZE(cmds); i++)
		cmds[i] = (struct drm_vtgpu_cmd) {
			.op = VTGPU_CMD_FILL, .dst_handle = busy, .size = size,
			.pattern = i,
		};
	vtgpu_set_engine_delay(fd, 500000);
	fence = vtgpu_submit_cmds(fd, cmds, ARRAY_SIZE(cmds),
				  VTGPU_SUBMIT_OUT_FENCE_FD);

	/* Evicts the busy BO, reserved, waiting for its job; leaves room. */
	vtgpu_creator_start(&creator, fd, gtt - size, VTGPU_GEM_DOMAIN_GTT);
	igt_assert_f(vtgpu_fence_status(fence) == 0,
		     "the job finished already\n");

	fill.dst_handle = bo;
	err = __vtgpu_submit(fd, &submit);
	igt_assert_f(err == 0, "the submission failed with %d (%s) while "
		     "the BO to evict was reserved\n", err, strerror(-err));
	filler = vtgpu_creator_join(&creator);
	vtgpu_set_engine_delay(fd, 0);

	igt_assert_eq(vtgpu_fence_wait(submit.out_fence_fd, 60000), 1);
	igt_assert_eq(vtgpu_fence_status(submit.out_fence_fd), 1);
	ptr = vtgpu_gem_mmap(fd, bo, size, PROT_READ);
	vtgpu_check_fill(ptr, size, 0x5ca1ab1e, "the submission's fill");
	munmap(ptr, size);

	close(submit.out_fence_fd);
	close(fence);
	gem_close(fd, filler);
	gem_close(fd, busy);
	gem_close(fd, bo);
}

/*
 * Two BOs preferring VRAM that do not fit there together, used in turn:
 * if every submission put its BO where it prefers, each would evict the
 * other BO to make room. Once the budget of moves is spent, a submission
 * leaves a BO the engine reaches in GTT where it is: over the rounds far
 * fewer bytes move than such a ping-pong would move, and every job still
 * writes its BO.
 */
static void test_submit_throttles_moves(int fd)
{
	uint64_t vram = vtgpu_getparam(fd, VTGPU_PARAM_VRAM_SIZE);
	const uint64_t size = vram / 8 * 5;
	const unsigned int rounds = 32;
	uint32_t bo[2], *ptr;
	uint64_t moved;

	for (unsigned int i = 0; i < ARRAY_SIZE(bo); i++)
		bo[i] = vtgpu_gem_create(fd, size, VTGPU_GEM_DOMAIN_VRAM |
					 VTGPU_GEM_DOMAIN_GTT,
					 VTGPU_GEM_DOMAIN_VRAM, 0);
	moved = vtgpu_debugfs_stat(fd, "bytes_moved");

	for (unsigned int r = 0; r < rounds; r++)
		vtgpu_fill(fd, bo[r % 2], 0, size, r);
	for (unsigned int i = 0; i < ARRAY_SIZE(bo); i++)
		vtgpu_gem_wait(fd, bo[i]);

	moved = vtgpu_debugfs_stat(fd, "bytes_moved") - moved;
	igt_info("%" PRIu64 " MiB moved in %u rounds on BOs of %" PRIu64
		 " MiB\n", moved >> 20, rounds, size >> 20);
	/* A ping-pong moves two BOs a round. */
	igt_assert_f(moved < rounds / 2 * size,
		     "%" PRIu64 " MiB moved: the BOs evicted each other\n",
		     moved >> 20);

	for (unsigned int i = 0; i < ARRAY_SIZE(bo); i++) {
		ptr = vtgpu_gem_mmap(fd, bo[i], size, PROT_READ);
		vtgpu_check_fill(ptr, size, rounds - 2 + i, "the last fill");
		munmap(ptr, size);
		gem_close(fd, bo[i]);
	}
}

static void test_evict_mmapped(int fd)
{
	const uint64_t size = 2 << 20;
	uint64_t faults = vtgpu_debugfs_stat(fd, "cpu_faults");
	struct vtgpu_bo_state st;
	uint32_t bo, pressure[VTGPU_VISIBLE_FILLERS];
	uint32_t *ptr;

	bo = vtgpu_gem_create(fd, size, VTGPU_GEM_DOMAIN_VRAM |
			      VTGPU_GEM_DOMAIN_GTT, VTGPU_GEM_DOMAIN_VRAM, 0);
	st = vtgpu_bo_state(fd, bo);
	igt_assert_eq_u32(st.domain, VTGPU_GEM_DOMAIN_VRAM);
	igt_assert(st.visible);

	ptr = vtgpu_gem_mmap(fd, bo, size, PROT_READ | PROT_WRITE);
	write_pattern(ptr, size, 1);

	/* Evicted to GTT: the mapping is zapped and faults in GTT pages. */
	vtgpu_fill_visible_vram(fd, pressure);
	igt_assert_eq_u32(vtgpu_gem_domain(fd, bo), VTGPU_GEM_DOMAIN_GTT);
	igt_assert_eq_u64(check_pattern(ptr, size, 1, "after eviction"), 0);
	write_pattern(ptr, size, 2);

	/* Used by a job: back in VRAM, and the mapping follows. */
	for (unsigned int i = 0; i < ARRAY_SIZE(pressure); i++)
		gem_close(fd, pressure[i]);
	vtgpu_fill(fd, bo, size - 4096, 4096, 0xf111f111);
	vtgpu_gem_wait(fd, bo);
	st = vtgpu_bo_state(fd, bo);
	igt_assert_eq_u32(st.domain, VTGPU_GEM_DOMAIN_VRAM);
	igt_assert(st.visible);
	igt_assert_eq_u64(check_pattern(ptr, size - 4096, 2, "back in VRAM"), 0);
	for (uint64_t i = (size - 4096) / 4; i < size / 4; i++)
		igt_assert_eq_u32(ptr[i], 0xf111f111);

	munmap(ptr, size);
	gem_close(fd, bo);
	igt_assert_lt_u64(faults, vtgpu_debugfs_stat(fd, "cpu_faults"));
}

static void test_evict_to_invisible(int fd)
{
	uint64_t vram = vtgpu_getparam(fd, VTGPU_PARAM_VRAM_SIZE);
	uint64_t visible = vtgpu_getparam(fd, VTGPU_PARAM_VISIBLE_VRAM_SIZE);
	uint64_t chunk = (vram - visible) / 4;
	const uint64_t size = 1 << 20;
	uint32_t filler[4], bo, staging, pressure[VTGPU_VISIBLE_FILLERS];
	struct vtgpu_bo_state st;
	uint32_t *ptr;

	igt_require_f(visible < vram, "all of VRAM is visible\n");

	/* Invisible VRAM full: a NO_CPU_ACCESS BO lands in visible VRAM. */
	for (unsigned int i = 0; i < ARRAY_SIZE(filler); i++)
		filler[i] = vtgpu_gem_create(fd, chunk, VTGPU_GEM_DOMAIN_VRAM |
					     VTGPU_GEM_DOMAIN_GTT,
					     VTGPU_GEM_DOMAIN_VRAM,
					     VTGPU_GEM_CREATE_NO_CPU_ACCESS);
	bo = vtgpu_gem_create(fd, size, VTGPU_GEM_DOMAIN_VRAM |
			      VTGPU_GEM_DOMAIN_GTT, VTGPU_GEM_DOMAIN_VRAM,
			      VTGPU_GEM_CREATE_NO_CPU_ACCESS);
	st = vtgpu_bo_state(fd, bo);
	igt_assert_eq_u32(st.domain, VTGPU_GEM_DOMAIN_VRAM);
	igt_assert_f(st.visible,
		     "the BO did not land in visible VRAM\n");
	vtgpu_fill(fd, bo, 0, size, 0x1e1e1e1e);

	/* Room in invisible VRAM again, then pressure on the visible part. */
	for (unsigned int i = 0; i < ARRAY_SIZE(filler); i++) {
		vtgpu_gem_wait(fd, filler[i]);
		gem_close(fd, filler[i]);
	}
	vtgpu_fill_visible_vram(fd, pressure);

	/* Evicted, but to invisible VRAM rather than to GTT. */
	st = vtgpu_bo_state(fd, bo);
	igt_assert_eq_u32(st.domain, VTGPU_GEM_DOMAIN_VRAM);
	igt_assert_f(!st.visible,
		     "the BO is still in visible VRAM\n");

	staging = vtgpu_gem_create(fd, size, VTGPU_GEM_DOMAIN_GTT, 0, 0);
	vtgpu_copy(fd, bo, 0, staging, 0, size);
	vtgpu_gem_wait(fd, staging);
	ptr = vtgpu_gem_mmap(fd, staging, size, PROT_READ);
	for (uint64_t i = 0; i < size / 4; i++)
		igt_assert_eq_u32(ptr[i], 0x1e1e1e1e);
	munmap(ptr, size);

	for (unsigned int i = 0; i < ARRAY_SIZE(pressure); i++)
		gem_close(fd, pressure[i]);
	gem_close(fd, staging);
	gem_close(fd, bo);
}

#define TTM_PAGES_LIMIT "/sys/module/ttm/parameters/pages_limit"
static char saved_pages_limit[32];

/* Write the saved limit back; false if that failed. */
static bool write_pages_limit(void)
{
	int f = open(TTM_PAGES_LIMIT, O_WRONLY);
	bool ok;

	if (f < 0)
		return false;
	ok = write(f, saved_pages_limit, strlen(saved_pages_limit)) > 0;
	close(f);
	return ok;
}

/* An exit handler may not assert: it restores what it can. */
static void restore_pages_limit_at_exit(int sig)
{
	write_pages_limit();
}

static void restore_pages_limit(void)
{
	igt_assert(write_pages_limit());
}

/* TTM swaps BOs out when its pages exceed its limit: lower it. */
static void lower_pages_limit(uint64_t limit)
{
	char buf[32];
	ssize_t len;
	int f;

	f = open(TTM_PAGES_LIMIT, O_RDWR);
	igt_require_f(f >= 0, "no %s\n", TTM_PAGES_LIMIT);
	len = read(f, saved_pages_limit, sizeof(saved_pages_limit) - 1);
	igt_assert_lt(0, len);
	saved_pages_limit[len] = 0;
	igt_install_exit_handler(restore_pages_limit_at_exit);
	snprintf(buf, sizeof(buf), "%" PRIu64, limit / 4096);
	igt_assert_lt(0, pwrite(f, buf, strlen(buf), 0));
	close(f);
}

static void test_swapout(int fd)
{
	const uint64_t bo_size = 4 << 20, limit = 32 << 20;
	uint64_t swapouts = vtgpu_debugfs_stat(fd, "swapouts");
	unsigned int count = 3 * limit / bo_size, swapped = 0;
	uint32_t handles[3 * (32 << 20) / (4 << 20)];
	uint64_t wrong = 0;

	lower_pages_limit(limit);

	/* GTT and SYSTEM BOs, three times the limit. */
	for (unsigned int i = 0; i < count; i++) {
		uint32_t domains = i & 1 ? VTGPU_GEM_DOMAIN_GTT :
					   VTGPU_GEM_DOMAIN_SYSTEM;
		uint32_t *ptr;

		handles[i] = vtgpu_gem_create(fd, bo_size, domains, 0, 0);
		ptr = vtgpu_gem_mmap(fd, handles[i], bo_size,
				     PROT_READ | PROT_WRITE);
		write_pattern(ptr, bo_size, 500 + i);
		munmap(ptr, bo_size);
	}
	for (unsigned int i = 0; i < count; i++)
		swapped += !!vtgpu_bo_state(fd, handles[i]).swapped;

	/* Reading them swaps them in, and others out. */
	for (unsigned int i = 0; i < count; i++) {
		uint32_t *ptr = vtgpu_gem_mmap(fd, handles[i], bo_size,
					       PROT_READ);
		char what[32];

		snprintf(what, sizeof(what), "BO %u", i);
		wrong += check_pattern(ptr, bo_size, 500 + i, what);
		munmap(ptr, bo_size);
	}
	/* And the engine still sees the right contents of GTT BOs. */
	vtgpu_copy(fd, handles[1], 0, handles[3], 0, bo_size);
	vtgpu_gem_wait(fd, handles[3]);
	{
		uint32_t *ptr = vtgpu_gem_mmap(fd, handles[3], bo_size,
					       PROT_READ);

		wrong += check_pattern(ptr, bo_size, 501, "copy");
		munmap(ptr, bo_size);
	}

	for (unsigned int i = 0; i < count; i++)
		gem_close(fd, handles[i]);
	restore_pages_limit();

	igt_info("%u of %u BOs swapped out after writing, %" PRIu64
		 " swapouts\n", swapped, count,
		 vtgpu_debugfs_stat(fd, "swapouts") - swapouts);
	igt_assert_eq_u64(wrong, 0);
	igt_assert_f(swapped > 0, "no BO was swapped out\n");
	igt_assert_lt_u64(swapouts, vtgpu_debugfs_stat(fd, "swapouts"));
}

static void test_concurrent_clients(int fd)
{
	const unsigned int clients = 4;
	uint64_t total = working_set_size(fd, 2) / clients;
	uint64_t evictions = vtgpu_debugfs_stat(fd, "evictions");

	igt_fork(child, clients) {
		unsigned int rand_state = 0xc0ffee + child;
		int cfd = drm_open_driver_render(DRIVER_VTGPU);
		struct working_set ws;

		ws_init(&ws, cfd, total, working_bo_size(cfd),
			10000 * (child + 1));
		ws_random_ops(&ws, 4 * ws.count, &rand_state);
		for (unsigned int i = 0; i < ws.count; i++)
			ws_check(&ws, i);
		igt_assert_eq_u64(ws.wrong, 0);
		ws_fini(&ws);
		close(cfd);
	}
	igt_waitchildren();

	igt_assert_lt_u64(evictions, vtgpu_debugfs_stat(fd, "evictions"));
}

/*
 * The soak: at least soak_bytes moved by the driver (its bytes_moved
 * counter) between visible and invisible VRAM, GTT and system memory,
 * every BO checked after every round. Set with --soak-bytes, or under
 * igt_runner, which passes no options, with VTGPU_SOAK_BYTES.
 */
static uint64_t soak_bytes = 256ull << 20;
static bool soak_bytes_set;

/**
 * enum soak_kind - how a soak BO is created and reached
 * @SOAK_MAPPED: no placement flag, kept mapped: written and checked by
 *	the CPU (faults move it out of invisible VRAM), copied by the GPU
 * @SOAK_GPU: NO_CPU_ACCESS, in invisible VRAM first: written and checked
 *	by the GPU only
 * @SOAK_UNMAPPED: no placement flag, written by GPU fills and by copies
 *	of patterns the CPU wrote into the staging BO, now and then checked
 *	through a new mapping when in invisible VRAM, which moves it out
 */
enum soak_kind { SOAK_MAPPED, SOAK_GPU, SOAK_UNMAPPED, SOAK_KINDS };

/* A soak BO's contents: pattern(seed, i), or seed in every dword. */
struct soak_bo {
	uint32_t handle;
	enum soak_kind kind;
	uint32_t seed;
	bool fill;
	uint32_t *map;
};

struct soak {
	int fd;
	uint64_t bo_size;
	unsigned int count;
	struct soak_bo *bos;
	uint32_t staging;
	uint32_t *staging_map;
	unsigned int rand_state;
	uint64_t wrong;
	uint64_t checked;
	uint64_t peeks;
	uint64_t replaced;
	uint64_t evict_all;
};

static uint32_t soak_expect(const struct soak_bo *bo, uint64_t i)
{
	return bo->fill ? bo->seed : pattern(bo->seed, i);
}

/* Wrong bytes in @ptr for what @bo should hold; logs the first few. */
static uint64_t soak_compare(const struct soak_bo *bo, const uint32_t *ptr,
			     uint64_t size, unsigned int index)
{
	uint64_t wrong = 0, words = 0;

	for (uint64_t i = 0; i < size / 4; i++) {
		uint32_t expect = soak_expect(bo, i), diff = ptr[i] ^ expect;

		if (!diff)
			continue;
		for (unsigned int b = 0; b < 4; b++)
			wrong += !!(diff & (0xffu << (8 * b)));
		if (words++ < 4)
			igt_warn("soak BO %u (kind %d, seed %#x%s): dword %"
				 PRIu64 " is %#x, expected %#x\n", index,
				 bo->kind, bo->seed, bo->fill ? " fill" : "",
				 i, ptr[i], expect);
	}
	return wrong;
}

static void soak_create(struct soak *s, unsigned int i, enum soak_kind kind)
{
	struct soak_bo *bo = &s->bos[i];

	bo->kind = kind;
	bo->handle = vtgpu_gem_create(s->fd, s->bo_size,
				      VTGPU_GEM_DOMAIN_VRAM |
				      VTGPU_GEM_DOMAIN_GTT,
				      VTGPU_GEM_DOMAIN_VRAM,
				      kind == SOAK_GPU ?
				      VTGPU_GEM_CREATE_NO_CPU_ACCESS : 0);
	bo->map = NULL;
	bo->seed = rand_r(&s->rand_state);
	bo->fill = false;

	switch (kind) {
	case SOAK_MAPPED:
		bo->map = vtgpu_gem_mmap(s->fd, bo->handle, s->bo_size,
					 PROT_READ | PROT_WRITE);
		write_pattern(bo->map, s->bo_size, bo->seed);
		break;
	case SOAK_GPU:
	case SOAK_UNMAPPED:
		/* The staging BO is free once its last copy is done. */
		vtgpu_gem_wait(s->fd, s->staging);
		write_pattern(s->staging_map, s->bo_size, bo->seed);
		vtgpu_copy(s->fd, s->staging, 0, bo->handle, 0, s->bo_size);
		break;
	default:
		igt_assert(0);
	}
}

static void soak_destroy(struct soak *s, unsigned int i)
{
	struct soak_bo *bo = &s->bos[i];

	if (bo->map)
		munmap(bo->map, s->bo_size);
	gem_close(s->fd, bo->handle);
	bo->map = NULL;
}

/* Check one BO: through its mapping, or a copy into the staging BO. */
static void soak_check(struct soak *s, unsigned int i)
{
	struct soak_bo *bo = &s->bos[i];

	if (bo->map) {
		/* The CPU waits for the copies queued into the BO. */
		vtgpu_gem_wait(s->fd, bo->handle);
		s->wrong += soak_compare(bo, bo->map, s->bo_size, i);
	} else {
		vtgpu_copy(s->fd, bo->handle, 0, s->staging, 0, s->bo_size);
		vtgpu_gem_wait(s->fd, s->staging);
		s->wrong += soak_compare(bo, s->staging_map, s->bo_size, i);
	}
	s->checked++;
}

/*
 * Check a BO the CPU may map but does not, in invisible VRAM, through a
 * new mapping: the fault moves it where the CPU reaches it. It is placed
 * as CPU-accessed from then on, so it is replaced by a new BO of its kind.
 */
static bool soak_invisible(struct soak *s, unsigned int i)
{
	struct vtgpu_bo_state st;

	if (s->bos[i].kind != SOAK_UNMAPPED)
		return false;
	st = vtgpu_bo_state(s->fd, s->bos[i].handle);
	return st.domain == VTGPU_GEM_DOMAIN_VRAM && !st.visible;
}

static void soak_peek(struct soak *s, unsigned int first)
{
	struct soak_bo *bo;
	unsigned int i, n;
	uint32_t *ptr;

	/* The first unmapped BO in invisible VRAM from @first on. */
	for (n = 0, i = first; n < s->count; n++, i = (i + 1) % s->count) {
		if (!soak_invisible(s, i))
			continue;
		/* The GPU's writes first: the fault must not find it busy. */
		vtgpu_gem_wait(s->fd, s->bos[i].handle);
		if (soak_invisible(s, i))
			break;
	}
	if (n == s->count)
		return;
	bo = &s->bos[i];

	ptr = vtgpu_gem_mmap(s->fd, bo->handle, s->bo_size, PROT_READ);
	s->wrong += soak_compare(bo, ptr, s->bo_size, i);
	munmap(ptr, s->bo_size);
	s->checked++;
	s->peeks++;

	soak_destroy(s, i);
	soak_create(s, i, bo->kind);
	s->replaced++;
}

/* Evict all of VRAM through debugfs, as amdgpu_evict_vram does. */
static void soak_evict_vram(struct soak *s)
{
	vtgpu_evict_vram(s->fd);
	s->evict_all++;
}

static void soak_op(struct soak *s)
{
	unsigned int i = rand_r(&s->rand_state) % s->count;
	unsigned int j = rand_r(&s->rand_state) % s->count;
	struct soak_bo *bo = &s->bos[i];

	switch (rand_r(&s->rand_state) % 8) {
	case 0:
	case 1:
	case 2:
		/* Both into VRAM, evicting others. */
		if (i == j)
			break;
		vtgpu_copy(s->fd, s->bos[j].handle, 0, bo->handle, 0,
			   s->bo_size);
		bo->seed = s->bos[j].seed;
		bo->fill = s->bos[j].fill;
		break;
	case 3:
		bo->seed = rand_r(&s->rand_state);
		bo->fill = true;
		vtgpu_fill(s->fd, bo->handle, 0, s->bo_size, bo->seed);
		break;
	case 4:
		/* A CPU write: through the BO's mapping, or staged. */
		bo->seed = rand_r(&s->rand_state);
		bo->fill = false;
		if (bo->map) {
			/* Not under the feet of queued copies from the BO. */
			vtgpu_gem_wait(s->fd, bo->handle);
			write_pattern(bo->map, s->bo_size, bo->seed);
		} else {
			vtgpu_gem_wait(s->fd, s->staging);
			write_pattern(s->staging_map, s->bo_size, bo->seed);
			vtgpu_copy(s->fd, s->staging, 0, bo->handle, 0,
				   s->bo_size);
		}
		break;
	case 5:
		soak_peek(s, i);
		break;
	case 6:
		/* Destroyed and created again, as another kind. */
		soak_destroy(s, i);
		soak_create(s, i, rand_r(&s->rand_state) % SOAK_KINDS);
		s->replaced++;
		break;
	case 7:
		if (rand_r(&s->rand_state) % 16 == 0)
			soak_evict_vram(s);
		else
			soak_check(s, i);
		break;
	}
}

static int parse_size(const char *arg, uint64_t *size)
{
	char *end;
	unsigned long long v = strtoull(arg, &end, 0);

	switch (*end) {
	case 'G':
	case 'g':
		v <<= 10;
		/* fallthrough */
	case 'M':
	case 'm':
		v <<= 10;
		/* fallthrough */
	case 'K':
	case 'k':
		v <<= 10;
		end++;
		break;
	}
	if (end == arg || *end || !v)
		return -EINVAL;
	*size = v;
	return 0;
}

static int opt_handler(int opt, int opt_index, void *data)
{
	switch (opt) {
	case 'b':
		if (parse_size(optarg, &soak_bytes))
			return IGT_OPT_HANDLER_ERROR;
		soak_bytes_set = true;
		return IGT_OPT_HANDLER_SUCCESS;
	default:
		return IGT_OPT_HANDLER_ERROR;
	}
}

static const struct option long_opts[] = {
	{ "soak-bytes", required_argument, NULL, 'b' },
	{ 0, 0, 0, 0 },
};

static const char help_str[] =
	"  --soak-bytes=SIZE\tbytes the soak subtest moves at least "
	"(suffixes K, M, G; default 256M; or VTGPU_SOAK_BYTES)\n";

static void test_soak(int fd)
{
	uint64_t total = working_set_size(fd, 2);
	uint64_t moved0 = vtgpu_debugfs_stat(fd, "bytes_moved");
	uint64_t evictions = vtgpu_debugfs_stat(fd, "evictions");
	uint64_t migrations = vtgpu_debugfs_stat(fd, "cpu_fault_migrations");
	uint64_t swapouts = vtgpu_debugfs_stat(fd, "swapouts");
	uint64_t moved = 0;
	unsigned int round = 0;
	struct timespec start = {};
	struct soak s = {
		.fd = fd,
		.bo_size = working_bo_size(fd),
		.rand_state = 0x50a4,
	};

	/* GTT and SYSTEM BOs swap out past half the working set. */
	lower_pages_limit(total / 2);

	s.count = total / s.bo_size;
	s.bos = calloc(s.count, sizeof(*s.bos));
	igt_assert(s.bos);
	s.staging = vtgpu_gem_create(fd, s.bo_size, VTGPU_GEM_DOMAIN_GTT, 0,
				     VTGPU_GEM_CREATE_CPU_ACCESS_REQUIRED);
	s.staging_map = vtgpu_gem_mmap(fd, s.staging, s.bo_size,
				       PROT_READ | PROT_WRITE);
	igt_info("soak: %u BOs of %" PRIu64 " KiB for %" PRIu64
		 " MiB of VRAM (%" PRIu64 " MiB visible), moving %" PRIu64
		 " MiB\n", s.count, s.bo_size >> 10,
		 vtgpu_getparam(fd, VTGPU_PARAM_VRAM_SIZE) >> 20,
		 vtgpu_getparam(fd, VTGPU_PARAM_VISIBLE_VRAM_SIZE) >> 20,
		 soak_bytes >> 20);
	for (unsigned int i = 0; i < s.count; i++)
		soak_create(&s, i, i % SOAK_KINDS);

	/* make bench reads the rate off the rounds (P6). */
	igt_nsec_elapsed(&start);
	while (moved < soak_bytes) {
		/* A round ends early once the target is reached. */
		for (unsigned int n = 1; n <= 2 * s.count; n++) {
			soak_op(&s);
			if (n % 16 == 0 &&
			    vtgpu_debugfs_stat(fd, "bytes_moved") - moved0 >=
			    soak_bytes)
				break;
		}
		soak_evict_vram(&s);
		for (unsigned int i = 0; i < s.count; i++)
			soak_check(&s, i);
		moved = vtgpu_debugfs_stat(fd, "bytes_moved") - moved0;
		igt_info("soak round %u: moved %" PRIu64 " MiB in %.3f s, %"
			 PRIu64 " bytes wrong\n", ++round, moved >> 20,
			 igt_nsec_elapsed(&start) / 1e9, s.wrong);
		if (s.wrong)
			break;
	}

	for (unsigned int i = 0; i < s.count; i++)
		soak_destroy(&s, i);
	munmap(s.staging_map, s.bo_size);
	gem_close(fd, s.staging);
	free(s.bos);
	restore_pages_limit();

	igt_info("soak: %u rounds, %" PRIu64 " checks, %" PRIu64
		 " evictions, %" PRIu64 " CPU fault migrations (%" PRIu64
		 " peeks), %" PRIu64 " swapouts, %" PRIu64 " BOs replaced, %"
		 PRIu64 " evict_vram\n", round, s.checked,
		 vtgpu_debugfs_stat(fd, "evictions") - evictions,
		 vtgpu_debugfs_stat(fd, "cpu_fault_migrations") - migrations,
		 s.peeks, vtgpu_debugfs_stat(fd, "swapouts") - swapouts,
		 s.replaced, s.evict_all);
	igt_info("moved %" PRIu64 " bytes, %" PRIu64 " bytes wrong\n",
		 moved, s.wrong);
	igt_assert_eq_u64(s.wrong, 0);
	igt_assert_lte_u64(soak_bytes, moved);
	igt_assert_lt_u64(evictions, vtgpu_debugfs_stat(fd, "evictions"));
	igt_assert_lt_u64(migrations,
			  vtgpu_debugfs_stat(fd, "cpu_fault_migrations"));
}

/*
 * The dmem cgroup: VRAM is the region "drm/<PCI slot>/vram". The test
 * makes a cgroup below the root of cgroup2 and runs a child in it, which
 * makes the BOs; the parent sets the limits, as a cgroup's manager would.
 */
#define CGROUP_ROOT "/sys/fs/cgroup"

struct dmem_cgroup {
	char region[NAME_MAX + 16];
	int dir;
};

static char dmem_cgroup_path[64];

__attribute__((format(printf, 3, 4)))
static void cgroup_write(int dir, const char *file, const char *fmt, ...)
{
	char buf[NAME_MAX + 64];
	va_list ap;
	int fd, len;

	va_start(ap, fmt);
	len = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fd = openat(dir, file, O_WRONLY);
	igt_assert_f(fd >= 0, "open %s: %m\n", file);
	igt_assert_f(write(fd, buf, len) == len, "write '%s' to %s: %m\n",
		     buf, file);
	close(fd);
}

/* The value of @region in a dmem.* file: a number, or ~0 for "max". */
static uint64_t dmem_value(int dir, const char *file, const char *region)
{
	char *text = igt_sysfs_get(dir, file), *line, *save = NULL;
	size_t len = strlen(region);
	uint64_t value = 0;
	bool found = false;

	igt_assert_f(text, "cannot read %s\n", file);
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, region, len) || line[len] != ' ')
			continue;
		found = true;
		value = strcmp(line + len + 1, "max") ?
			strtoull(line + len + 1, NULL, 0) : ~0ull;
	}
	free(text);
	igt_assert_f(found, "%s lists no region %s\n", file, region);
	return value;
}

static void dmem_cgroup_remove(int sig)
{
	if (dmem_cgroup_path[0])
		rmdir(dmem_cgroup_path);
	dmem_cgroup_path[0] = '\0';
}

/* Makes the cgroup, with the dmem controller, removed at exit. */
static void dmem_cgroup_create(struct dmem_cgroup *cg, int fd)
{
	char slot[NAME_MAX], *controllers;
	int root;

	root = open(CGROUP_ROOT, O_RDONLY | O_DIRECTORY);
	igt_require_f(root >= 0, "no %s\n", CGROUP_ROOT);
	controllers = igt_sysfs_get(root, "cgroup.controllers");
	igt_require_f(controllers && strstr(controllers, "dmem"),
		      "no cgroup2 with the dmem controller at %s\n",
		      CGROUP_ROOT);
	free(controllers);

	igt_device_get_pci_slot_name(fd, slot);
	snprintf(cg->region, sizeof(cg->region), "drm/%s/vram", slot);
	igt_assert_eq_u64(dmem_value(root, "dmem.capacity", cg->region),
			  vtgpu_getparam(fd, VTGPU_PARAM_VRAM_SIZE));

	cgroup_write(root, "cgroup.subtree_control", "+dmem");
	snprintf(dmem_cgroup_path, sizeof(dmem_cgroup_path),
		 CGROUP_ROOT "/vtgpu-evict-%d", getpid());
	igt_install_exit_handler(dmem_cgroup_remove);
	igt_assert_f(!mkdir(dmem_cgroup_path, 0755), "mkdir %s: %m\n",
		     dmem_cgroup_path);
	cg->dir = open(dmem_cgroup_path, O_RDONLY | O_DIRECTORY);
	igt_assert(cg->dir >= 0);
	close(root);
}

static void dmem_cgroup_destroy(struct dmem_cgroup *cg)
{
	close(cg->dir);
	igt_assert_f(!rmdir(dmem_cgroup_path), "rmdir %s: %m\n",
		     dmem_cgroup_path);
	dmem_cgroup_path[0] = '\0';
}

/* In the child: moves it into the cgroup and opens a file of its own. */
static int dmem_cgroup_join(struct dmem_cgroup *cg)
{
	cgroup_write(cg->dir, "cgroup.procs", "0");
	return drm_open_driver_render(DRIVER_VTGPU);
}

static uint64_t dmem_current(struct dmem_cgroup *cg)
{
	return dmem_value(cg->dir, "dmem.current", cg->region);
}

/*
 * Fails unless the cgroup is uncharged: BOs and ghost objects with jobs
 * in flight are freed later, so it is read again for up to 30 s.
 */
static void dmem_assert_uncharged(struct dmem_cgroup *cg)
{
	uint64_t charged = dmem_current(cg);

	for (int i = 0; charged && i < 300; i++) {
		usleep(100 * 1000);
		charged = dmem_current(cg);
	}
	igt_assert_eq_u64(charged, 0);
}

static void dmem_set_max(struct dmem_cgroup *cg, uint64_t max)
{
	cgroup_write(cg->dir, "dmem.max", "%s %" PRIu64, cg->region, max);
	igt_assert_eq_u64(dmem_value(cg->dir, "dmem.max", cg->region), max);
}

#define DMEM_BOS 6
#define DMEM_BO_SIZE (8ull << 20)

/* Creates BOs preferring VRAM, each filled by the engine with its index. */
static void dmem_create_filled(int fd, uint32_t *bos)
{
	for (unsigned int i = 0; i < DMEM_BOS; i++) {
		bos[i] = vtgpu_gem_create(fd, DMEM_BO_SIZE,
					  VTGPU_GEM_DOMAIN_VRAM |
					  VTGPU_GEM_DOMAIN_GTT,
					  VTGPU_GEM_DOMAIN_VRAM, 0);
		vtgpu_fill(fd, bos[i], 0, DMEM_BO_SIZE, 0xd0e30000 + i);
		vtgpu_gem_wait(fd, bos[i]);
	}
}

/* Checks and closes the BOs; returns how many were in VRAM. */
static unsigned int dmem_check_close(int fd, uint32_t *bos)
{
	unsigned int in_vram = 0;

	for (unsigned int i = 0; i < DMEM_BOS; i++) {
		uint32_t *ptr;

		if (vtgpu_gem_domain(fd, bos[i]) == VTGPU_GEM_DOMAIN_VRAM)
			in_vram++;
		ptr = vtgpu_gem_mmap(fd, bos[i], DMEM_BO_SIZE, PROT_READ);
		vtgpu_check_fill(ptr, DMEM_BO_SIZE, 0xd0e30000 + i, "dmem BO");
		munmap(ptr, DMEM_BO_SIZE);
		gem_close(fd, bos[i]);
	}
	return in_vram;
}

static void test_dmem_uncharge(int fd)
{
	struct dmem_cgroup cg;

	dmem_cgroup_create(&cg, fd);
	igt_fork(child, 1) {
		int cfd = dmem_cgroup_join(&cg);
		uint32_t bos[DMEM_BOS];

		dmem_create_filled(cfd, bos);
		igt_assert_eq_u64(dmem_current(&cg), DMEM_BOS * DMEM_BO_SIZE);
		dmem_check_close(cfd, bos);
		dmem_assert_uncharged(&cg);
		close(cfd);
	}
	igt_waitchildren();
	dmem_cgroup_destroy(&cg);
}

static void test_dmem_max(int fd)
{
	struct dmem_cgroup cg;

	dmem_cgroup_create(&cg, fd);
	dmem_set_max(&cg, 2 * DMEM_BO_SIZE);
	igt_fork(child, 1) {
		int cfd = dmem_cgroup_join(&cg);
		uint32_t bos[DMEM_BOS];

		/* Past the limit, BOs take GTT or push out the cgroup's own. */
		dmem_create_filled(cfd, bos);
		igt_info("dmem.current %" PRIu64 " KiB\n",
			 dmem_current(&cg) >> 10);
		igt_assert_lte_u64(dmem_current(&cg), 2 * DMEM_BO_SIZE);
		igt_assert_lt_u64(0, dmem_current(&cg));
		igt_assert_lte(dmem_check_close(cfd, bos), 2);
		close(cfd);
	}
	igt_waitchildren();
	dmem_cgroup_destroy(&cg);
}

static void test_dmem_reclaim(int fd)
{
	struct dmem_cgroup cg;
	int filled[2], checked[2];
	char c = 0;

	dmem_cgroup_create(&cg, fd);
	igt_assert(!pipe(filled) && !pipe(checked));
	igt_fork(child, 1) {
		int cfd = dmem_cgroup_join(&cg);
		uint32_t bos[DMEM_BOS];

		close(filled[0]);
		close(checked[1]);
		dmem_create_filled(cfd, bos);
		igt_assert_lte_u64(DMEM_BOS * DMEM_BO_SIZE, dmem_current(&cg));
		igt_assert_eq(write(filled[1], &c, 1), 1);
		igt_assert_eq(read(checked[0], &c, 1), 1);
		igt_assert_lte(dmem_check_close(cfd, bos), 1);
		close(cfd);
	}

	/* Either reads end when the other side exits. */
	close(filled[1]);
	close(checked[0]);
	/* The write returns once the child's BOs are evicted below it. */
	igt_assert_eq(read(filled[0], &c, 1), 1);
	dmem_set_max(&cg, DMEM_BO_SIZE);
	igt_info("dmem.current %" PRIu64 " KiB\n", dmem_current(&cg) >> 10);
	igt_assert_lte_u64(dmem_current(&cg), DMEM_BO_SIZE);
	igt_assert_eq(write(checked[1], &c, 1), 1);
	igt_waitchildren();
	close(filled[0]);
	close(checked[1]);
	dmem_cgroup_destroy(&cg);
}

igt_main_args("", long_opts, help_str, opt_handler, NULL)
{
	int fd = -1;

	igt_fixture {
		const char *env = getenv("VTGPU_SOAK_BYTES");

		if (!soak_bytes_set && env)
			igt_assert_f(!parse_size(env, &soak_bytes),
				     "VTGPU_SOAK_BYTES=%s is not a size\n", env);
		fd = drm_open_driver_render(DRIVER_VTGPU);
		igt_require(getuid() == 0);
		vtgpu_set_engine_delay(fd, 0);
	}

	igt_describe("Create twice as much as VRAM in BOs with known "
		     "contents, copy, rewrite and check them at random, and "
		     "check that evictions happened and no byte is wrong.");
	igt_subtest("oversubscribe-vram")
		test_oversubscribe(fd);

	igt_describe("Evict a BO whose job is still queued on a slowed "
		     "engine, and check that it ends up with what the job "
		     "wrote.");
	igt_subtest("evict-busy")
		test_evict_busy(fd, false);

	igt_describe("Evict a BO whose job is still queued on a slowed "
		     "engine with the CPU making the moves (debugfs "
		     "move_with_cpu), and check that it ends up with what the "
		     "job wrote: the CPU copy waits for the job.");
	igt_subtest("evict-busy-cpu-move") {
		test_evict_busy(fd, true);
		vtgpu_debugfs_write(fd, "move_with_cpu", "N");
	}

	igt_describe("Submit a job whose BO needs room that only the "
		     "eviction of a BO another thread holds reserved can "
		     "make, and check that the submission waits for it and "
		     "its job writes the BO, instead of failing with -ENOMEM.");
	igt_subtest("submit-held-victim")
		test_submit_held_victim(fd);

	igt_describe("Fill two BOs that prefer VRAM but do not fit there "
		     "together in turn, and check that submissions do not "
		     "evict each other's BO every time and every fill lands.");
	igt_subtest("submit-throttles-moves")
		test_submit_throttles_moves(fd);

	igt_describe("Evict a BO mapped by the CPU to GTT and bring it back "
		     "to VRAM, and check that the mapping follows it with the "
		     "right contents both ways.");
	igt_subtest("evict-mmapped")
		test_evict_mmapped(fd);

	igt_describe("Evict a NO_CPU_ACCESS BO from visible VRAM and check "
		     "that it goes to invisible VRAM, with its contents, rather "
		     "than out of VRAM.");
	igt_subtest("evict-to-invisible")
		test_evict_to_invisible(fd);

	igt_describe("Lower TTM's page limit and write three times as much "
		     "in GTT and SYSTEM BOs, and check that BOs were swapped "
		     "out and come back intact.");
	igt_subtest("swapout")
		test_swapout(fd);

	igt_describe("Run four clients at once, each with half of VRAM in "
		     "BOs, copying and checking at random: no byte may be "
		     "wrong.");
	igt_subtest("concurrent-clients")
		test_concurrent_clients(fd);

	igt_describe("Move at least --soak-bytes or VTGPU_SOAK_BYTES "
		     "(default 256 MiB) between "
		     "visible and invisible VRAM, GTT and system memory, as "
		     "the driver counts them: copies, fills, CPU writes, "
		     "evictions of all of VRAM, CPU faults on BOs in "
		     "invisible VRAM, BOs destroyed and created, swapout; "
		     "check every BO after every round: no byte may be "
		     "wrong.");
	igt_subtest("soak")
		test_soak(fd);

	igt_describe("Fill six BOs in VRAM in a cgroup of their own, and "
		     "check that the cgroup's dmem.current on vtgpu's VRAM "
		     "region is their size, and back at zero once they are "
		     "closed.");
	igt_subtest("dmem-uncharge")
		test_dmem_uncharge(fd);

	igt_describe("In a cgroup whose dmem.max holds two BOs, create and "
		     "fill six that prefer VRAM, and check that dmem.current "
		     "stays within the limit, at most two BOs are in VRAM and "
		     "every BO has its contents.");
	igt_subtest("dmem-max")
		test_dmem_max(fd);

	igt_describe("Fill six BOs in VRAM in a cgroup, lower its dmem.max "
		     "below their size from outside it, and check that the "
		     "write evicts them to within the limit with their "
		     "contents.");
	igt_subtest("dmem-reclaim")
		test_dmem_reclaim(fd);

	igt_fixture
		close(fd);
}
