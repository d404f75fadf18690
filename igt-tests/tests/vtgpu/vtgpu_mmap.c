// SPDX-License-Identifier: MIT
/*
 * Copyright 2026 The vtgpu authors
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <xf86drm.h>

#include "igt.h"
#include "igt_params.h"
#include "igt_vgem.h"
#include "igt_vtgpu.h"
#include "vtgpu_drm.h"

IGT_TEST_DESCRIPTION("CPU mappings of BOs: the fault handler's reservation "
		     "with mmap_lock dropped while it waits, the move of BOs "
		     "out of invisible VRAM, the madvise()-driven prefault "
		     "window, and mappings under fork, ptrace, signals, "
		     "eviction, and ioctls that fault on them.");

#define PAGE_SZ 4096ull
#define VRAM_GTT (VTGPU_GEM_DOMAIN_VRAM | VTGPU_GEM_DOMAIN_GTT)

/* The index of the first dword that differs, or -1. */
static int64_t find_seq_mismatch(const volatile uint32_t *ptr, uint64_t size,
				 uint32_t base)
{
	for (uint64_t i = 0; i < size / 4; i++)
		if (ptr[i] != (uint32_t)(base + i))
			return i;
	return -1;
}

static uint64_t counter(int fd, const char *name)
{
	return vtgpu_debugfs_stat(fd, name);
}

static bool has_invisible_vram(int fd)
{
	return vtgpu_getparam(fd, VTGPU_PARAM_VISIBLE_VRAM_SIZE) <
	       vtgpu_getparam(fd, VTGPU_PARAM_VRAM_SIZE);
}

/*
 * Map the first @pages pages of a BO, without touching them. (A mapping
 * starts at the BO's start; it may be shorter than the BO.)
 */
static void *map_pages(int fd, uint32_t bo, uint64_t pages, int prot)
{
	uint64_t offset;
	void *ptr;

	igt_assert_eq(__vtgpu_gem_mmap_offset(fd, bo, &offset), 0);
	ptr = mmap(NULL, pages * PAGE_SZ, prot, MAP_SHARED, fd, offset);
	igt_assert_f(ptr != MAP_FAILED, "mmap: %m\n");
	return ptr;
}

/* A GTT BO the CPU writes and reads, for what the engine copies. */
struct staging {
	uint32_t handle;
	uint32_t *map;
	uint64_t size;
};

static struct staging staging_create(int fd, uint64_t size)
{
	struct staging st = {
		.handle = vtgpu_gem_create(fd, size, VTGPU_GEM_DOMAIN_GTT, 0, 0),
		.size = size,
	};

	st.map = vtgpu_gem_mmap(fd, st.handle, size, PROT_READ | PROT_WRITE);
	return st;
}

static void staging_destroy(int fd, struct staging *st)
{
	munmap(st->map, st->size);
	gem_close(fd, st->handle);
}

/* Copy @size bytes of @bo into the staging BO with the engine. */
static void staging_read(int fd, struct staging *st, uint32_t bo,
			 uint64_t size)
{
	vtgpu_copy(fd, bo, 0, st->handle, 0, size);
	vtgpu_gem_wait(fd, st->handle);
}

/*
 * Write the sequence from @base into @bo with the engine, and check that
 * the BO lies in invisible VRAM, never touched by the CPU.
 */
static void fill_invisible(int fd, struct staging *st, uint32_t bo,
			   uint64_t size, uint32_t base)
{
	struct vtgpu_bo_state bo_st;

	vtgpu_write_seq(st->map, size, base);
	vtgpu_copy(fd, st->handle, 0, bo, 0, size);
	vtgpu_gem_wait(fd, bo);

	bo_st = vtgpu_bo_state(fd, bo);
	igt_assert_eq_u32(bo_st.domain, VTGPU_GEM_DOMAIN_VRAM);
	igt_assert_f(!bo_st.visible && !bo_st.cpu_accessed,
		     "BO not in invisible VRAM, untouched by the CPU\n");
}

/*
 * A BO the CPU may map, in invisible VRAM, holding the sequence from
 * @base.
 */
static uint32_t invisible_bo(int fd, struct staging *st, uint64_t size,
			     uint32_t domains, uint32_t base)
{
	uint32_t bo = vtgpu_gem_create_invisible(fd, size, domains);

	fill_invisible(fd, st, bo, size, base);
	return bo;
}

/*
 * What the CPU writes through one mapping the engine copies, and what the
 * engine writes the CPU reads through another, for BOs in visible VRAM
 * and in GTT, mapped and faulted in before the engine touches them.
 */
static void test_coherency(int fd)
{
	const uint32_t domains[] = { VTGPU_GEM_DOMAIN_VRAM,
				     VTGPU_GEM_DOMAIN_GTT };
	const uint64_t size = 256 << 10;

	for (unsigned int i = 0; i < ARRAY_SIZE(domains); i++) {
		uint32_t src, dst, *s, *d;

		src = vtgpu_gem_create(fd, size, domains[i], 0,
				       VTGPU_GEM_CREATE_CPU_ACCESS_REQUIRED);
		dst = vtgpu_gem_create(fd, size, domains[i], 0,
				       VTGPU_GEM_CREATE_CPU_ACCESS_REQUIRED);
		s = vtgpu_gem_mmap(fd, src, size, PROT_READ | PROT_WRITE);
		d = vtgpu_gem_mmap(fd, dst, size, PROT_READ | PROT_WRITE);
		vtgpu_check_fill(d, size, 0, "new BO");

		for (uint32_t round = 0; round < 4; round++) {
			vtgpu_write_seq(s, size, round << 24);
			vtgpu_copy(fd, src, 0, dst, 0, size);
			vtgpu_gem_wait(fd, dst);
			vtgpu_check_seq(d, size, round << 24, "copied by the engine");

			vtgpu_fill(fd, dst, PAGE_SZ, PAGE_SZ, 0xc0de0000 + round);
			vtgpu_gem_wait(fd, dst);
			vtgpu_check_fill(d + PAGE_SZ / 4, PAGE_SZ, 0xc0de0000 + round,
				   "filled by the engine");
			vtgpu_check_seq(d, PAGE_SZ, round << 24, "before the fill");
		}
		igt_assert_eq_u32(vtgpu_gem_domain(fd, dst), domains[i]);

		munmap(d, size);
		munmap(s, size);
		gem_close(fd, dst);
		gem_close(fd, src);
	}
}

/*
 * Mappings that reach past the BO are refused; an access the fault
 * handler cannot serve, to a VRAM-only BO larger than visible VRAM,
 * gets SIGBUS and changes nothing.
 */
static void test_out_of_bounds_sigbus(int fd)
{
	uint64_t vram = vtgpu_getparam(fd, VTGPU_PARAM_VRAM_SIZE);
	uint64_t visible = vtgpu_getparam(fd, VTGPU_PARAM_VISIBLE_VRAM_SIZE);
	const uint64_t size = 4 * PAGE_SZ;
	uint64_t offset, sigbus, size_big;
	struct vtgpu_bo_state bo_st;
	struct staging st;
	uint32_t bo, big, *ptr;

	bo = vtgpu_gem_create(fd, size, VTGPU_GEM_DOMAIN_GTT, 0, 0);
	igt_assert_eq(__vtgpu_gem_mmap_offset(fd, bo, &offset), 0);

	/* Longer than the BO, starting inside it, before it, or past it. */
	igt_assert(mmap(NULL, size + PAGE_SZ, PROT_READ, MAP_SHARED, fd,
			offset) == MAP_FAILED);
	igt_assert_eq(errno, EINVAL);
	igt_assert(mmap(NULL, size, PROT_READ, MAP_SHARED, fd,
			offset + PAGE_SZ) == MAP_FAILED);
	igt_assert_eq(errno, EINVAL);
	igt_assert(mmap(NULL, size, PROT_READ, MAP_SHARED, fd,
			offset - PAGE_SZ) == MAP_FAILED);
	igt_assert_eq(errno, EINVAL);
	igt_assert(mmap(NULL, PAGE_SZ, PROT_READ, MAP_SHARED, fd,
			offset + size) == MAP_FAILED);
	igt_assert_eq(errno, EINVAL);
	/* Not from the BO's start either, even inside it. */
	igt_assert(mmap(NULL, PAGE_SZ, PROT_READ, MAP_SHARED, fd,
			offset + size - PAGE_SZ) == MAP_FAILED);
	igt_assert_eq(errno, EINVAL);
	/* The first page alone is fine. */
	vtgpu_fill(fd, bo, 0, PAGE_SZ, 0x1a57);
	vtgpu_gem_wait(fd, bo);
	ptr = mmap(NULL, PAGE_SZ, PROT_READ, MAP_SHARED, fd, offset);
	igt_assert(ptr != MAP_FAILED);
	vtgpu_check_fill(ptr, PAGE_SZ, 0x1a57, "first page");
	/* A mapping cannot grow past the BO either. */
	igt_assert(mremap(ptr, PAGE_SZ, 2 * PAGE_SZ, 0) == MAP_FAILED);
	munmap(ptr, PAGE_SZ);
	gem_close(fd, bo);

	/* Where the CPU cannot reach: SIGBUS, and the BO stays as it was. */
	igt_require_f(vram > visible, "no invisible VRAM\n");
	size_big = visible + PAGE_SZ;
	big = vtgpu_gem_create(fd, size_big, VTGPU_GEM_DOMAIN_VRAM, 0, 0);
	vtgpu_fill(fd, big, 0, size_big, 0xb16b16);
	vtgpu_gem_wait(fd, big);
	sigbus = counter(fd, "cpu_fault_sigbus");

	ptr = vtgpu_gem_mmap(fd, big, size_big, PROT_READ);
	igt_assert_eq(vtgpu_read_signal(ptr), SIGBUS);
	igt_assert_eq(vtgpu_read_signal(ptr + size_big / 4 - 1), SIGBUS);
	munmap(ptr, size_big);
	igt_assert_eq_u64(counter(fd, "cpu_fault_sigbus"), sigbus + 2);

	bo_st = vtgpu_bo_state(fd, big);
	igt_assert_eq_u32(bo_st.domain, VTGPU_GEM_DOMAIN_VRAM);
	igt_assert(!bo_st.cpu_accessed);
	/* Still usable by the engine, contents intact. */
	st = staging_create(fd, PAGE_SZ);
	vtgpu_copy(fd, big, size_big - PAGE_SZ, st.handle, 0, PAGE_SZ);
	vtgpu_gem_wait(fd, st.handle);
	vtgpu_check_fill(st.map, PAGE_SZ, 0xb16b16, "BO after SIGBUS");
	staging_destroy(fd, &st);
	gem_close(fd, big);
}

/*
 * A BO in invisible VRAM, mapped and read: the fault moves
 * it to visible VRAM, once, with its contents, and it stays CPU-visible.
 */
static void test_invisible_migrate(int fd)
{
	const uint64_t size = 1 << 20;
	struct vtgpu_bo_state bo_st;
	struct staging st;
	uint64_t migrations;
	uint32_t bo, *ptr;

	igt_require_f(has_invisible_vram(fd), "no invisible VRAM\n");
	st = staging_create(fd, size);
	bo = invisible_bo(fd, &st, size, VRAM_GTT, 0x1000);
	migrations = counter(fd, "cpu_fault_migrations");

	ptr = vtgpu_gem_mmap(fd, bo, size, PROT_READ | PROT_WRITE);
	vtgpu_check_seq(ptr, size, 0x1000, "through the mapping");
	igt_assert_eq_u64(counter(fd, "cpu_fault_migrations"),
			  migrations + 1);

	bo_st = vtgpu_bo_state(fd, bo);
	igt_assert_eq_u32(bo_st.domain, VTGPU_GEM_DOMAIN_VRAM);
	igt_assert_f(bo_st.visible, "not moved to visible VRAM\n");
	igt_assert(bo_st.cpu_accessed);

	/* The CPU's writes land in the BO the engine sees. */
	vtgpu_write_seq(ptr, size, 0x2000);
	staging_read(fd, &st, bo, size);
	vtgpu_check_seq(st.map, size, 0x2000, "written through the mapping");

	/* A job keeps it in visible VRAM: no second migration. */
	vtgpu_fill(fd, bo, 0, PAGE_SZ, 0x5ee);
	vtgpu_gem_wait(fd, bo);
	igt_assert(vtgpu_bo_state(fd, bo).visible);
	vtgpu_check_fill(ptr, PAGE_SZ, 0x5ee, "after a job");
	igt_assert_eq_u64(counter(fd, "cpu_fault_migrations"),
			  migrations + 1);

	munmap(ptr, size);
	gem_close(fd, bo);
	staging_destroy(fd, &st);
}

/*
 * Visible VRAM full of idle CPU-mappable BOs: the fault on a BO in
 * invisible VRAM moves it to GTT instead of evicting any of them.
 */
static void test_visible_full_fallback(int fd)
{
	uint64_t visible = vtgpu_getparam(fd, VTGPU_PARAM_VISIBLE_VRAM_SIZE);
	const uint64_t size = 1 << 20;
	uint64_t migrations, evictions;
	struct vtgpu_bo_state bo_st;
	uint32_t filler[8], bo, *ptr;
	struct staging st;

	igt_require_f(has_invisible_vram(fd), "no invisible VRAM\n");
	st = staging_create(fd, size);
	bo = invisible_bo(fd, &st, size, VRAM_GTT, 0x3000);

	for (unsigned int i = 0; i < ARRAY_SIZE(filler); i++) {
		filler[i] = vtgpu_gem_create(fd, visible / ARRAY_SIZE(filler),
					     VTGPU_GEM_DOMAIN_VRAM |
					     VTGPU_GEM_DOMAIN_GTT,
					     VTGPU_GEM_DOMAIN_VRAM,
					     VTGPU_GEM_CREATE_CPU_ACCESS_REQUIRED);
		bo_st = vtgpu_bo_state(fd, filler[i]);
		igt_assert_f(bo_st.visible,
			     "filler %u not in visible VRAM\n", i);
	}
	migrations = counter(fd, "cpu_fault_migrations");
	evictions = counter(fd, "evictions");

	ptr = vtgpu_gem_mmap(fd, bo, size, PROT_READ);
	vtgpu_check_seq(ptr, size, 0x3000, "moved to GTT");
	igt_assert_eq_u32(vtgpu_gem_domain(fd, bo), VTGPU_GEM_DOMAIN_GTT);
	igt_assert_eq_u64(counter(fd, "cpu_fault_migrations"),
			  migrations + 1);
	igt_assert_eq_u64(counter(fd, "evictions"), evictions);
	for (unsigned int i = 0; i < ARRAY_SIZE(filler); i++)
		igt_assert_f(vtgpu_bo_state(fd, filler[i]).visible,
			     "filler %u was evicted\n", i);

	munmap(ptr, size);
	for (unsigned int i = 0; i < ARRAY_SIZE(filler); i++)
		gem_close(fd, filler[i]);
	gem_close(fd, bo);
	staging_destroy(fd, &st);
}

#define FILLED_BO_SIZE (4ull << 20)

/*
 * @count CPU-mappable BOs that prefer VRAM, each with a FILL of @pattern
 * plus its index queued as soon as it is made: once visible VRAM is
 * full, each evicts earlier ones, busy or not.
 */
static uint32_t *create_filled(int fd, unsigned int count, uint32_t pattern)
{
	uint32_t *handles = calloc(count, sizeof(*handles));

	igt_assert(handles);
	for (unsigned int i = 0; i < count; i++) {
		handles[i] = vtgpu_gem_create(fd, FILLED_BO_SIZE,
					      VTGPU_GEM_DOMAIN_VRAM |
					      VTGPU_GEM_DOMAIN_GTT,
					      VTGPU_GEM_DOMAIN_VRAM,
					      VTGPU_GEM_CREATE_CPU_ACCESS_REQUIRED);
		vtgpu_fill(fd, handles[i], 0, FILLED_BO_SIZE, pattern + i);
	}
	return handles;
}

/* Check the BOs of create_filled() through mappings, and close them. */
static void check_filled(int fd, uint32_t *handles, unsigned int count,
			 uint32_t pattern, const char *what)
{
	for (unsigned int i = 0; i < count; i++) {
		uint32_t *ptr;

		vtgpu_gem_wait(fd, handles[i]);
		ptr = vtgpu_gem_mmap(fd, handles[i], FILLED_BO_SIZE, PROT_READ);
		vtgpu_check_fill(ptr, FILLED_BO_SIZE, pattern + i, what);
		munmap(ptr, FILLED_BO_SIZE);
		gem_close(fd, handles[i]);
	}
	free(handles);
}

/* Enough BOs of create_filled() to overflow visible VRAM. */
static unsigned int busy_count(int fd)
{
	return vtgpu_getparam(fd, VTGPU_PARAM_VISIBLE_VRAM_SIZE) /
	       FILLED_BO_SIZE + 2;
}

#define BUSY_PATTERN 0xb5000000u

/*
 * A fault on a VRAM-only BO in invisible VRAM while visible VRAM is full
 * of BOs that are busy and being evicted: the move to visible VRAM must
 * wait for them (with mmap_lock dropped) or evict, never give up. The
 * CPU reads the BO's contents, and the BOs that made way keep theirs.
 */
static void test_invisible_fault_busy(int fd)
{
	const uint64_t size = 1 << 20;
	uint64_t sigbus = counter(fd, "cpu_fault_sigbus");
	unsigned int n = busy_count(fd);
	uint32_t bo, *busy, *ptr;
	struct staging st;

	igt_require_f(has_invisible_vram(fd), "no invisible VRAM\n");
	st = staging_create(fd, size);
	bo = invisible_bo(fd, &st, size, VTGPU_GEM_DOMAIN_VRAM, 0x4000);
	vtgpu_set_engine_delay(fd, 20000);
	busy = create_filled(fd, n, BUSY_PATTERN);

	ptr = vtgpu_gem_mmap(fd, bo, size, PROT_READ);
	igt_assert_f(vtgpu_read_signal(ptr) == 0,
		     "SIGBUS on a BO that could be moved once visible VRAM is idle\n");
	vtgpu_check_seq(ptr, size, 0x4000, "moved out of invisible VRAM");
	igt_assert_eq_u64(counter(fd, "cpu_fault_sigbus"), sigbus);
	igt_assert(vtgpu_bo_state(fd, bo).visible);
	munmap(ptr, size);
	vtgpu_set_engine_delay(fd, 0);

	check_filled(fd, busy, n, BUSY_PATTERN, "BO that made way");
	gem_close(fd, bo);
	staging_destroy(fd, &st);
}

/*
 * The same fault, then, with all its BOs gone, a second client that
 * fills visible VRAM twice over, so that TTM evicts by walking the VRAM
 * manager's LRU: it must hold nothing the fault left behind, and all
 * memory must be free again at the end. In a child, so that an oops
 * there shows as a failure of this subtest.
 */
static void test_invisible_fault_busy_evict(int fd)
{
	const uint64_t size = 1 << 20;
	int dir = vtgpu_debugfs_dir(fd);
	unsigned int n = busy_count(fd);
	struct vtgpu_usage base;
	uint32_t bo, *busy, *ptr;
	struct staging st;

	igt_require_f(has_invisible_vram(fd), "no invisible VRAM\n");
	base = vtgpu_debugfs_usage_settled(dir);
	st = staging_create(fd, size);
	bo = invisible_bo(fd, &st, size, VTGPU_GEM_DOMAIN_VRAM, 0x5000);
	vtgpu_set_engine_delay(fd, 20000);
	busy = create_filled(fd, n, BUSY_PATTERN);
	ptr = vtgpu_gem_mmap(fd, bo, size, PROT_READ);
	/* Whether this read works is the subtest above's business. */
	(void)vtgpu_read_signal(ptr);
	munmap(ptr, size);
	vtgpu_set_engine_delay(fd, 0);
	for (unsigned int i = 0; i < n; i++)
		gem_close(fd, busy[i]);
	free(busy);
	gem_close(fd, bo);
	staging_destroy(fd, &st);

	/* Twice as many as visible VRAM holds: each evicts one. */
	igt_fork(child, 1) {
		int cfd = drm_open_driver_render(DRIVER_VTGPU);

		check_filled(cfd, create_filled(cfd, 2 * n, 0xe0000000),
			     2 * n, 0xe0000000, "second client's BO");
		close(cfd);
	}
	igt_waitchildren();

	vtgpu_assert_usage_back(dir, &base);
	close(dir);
}

struct mmap_looper {
	pthread_t thread;
	atomic_bool stop;
	atomic_uint_fast64_t loops;
};

/* mmap() and munmap() anonymous memory, counting the pairs. */
static void *mmap_loop(void *arg)
{
	struct mmap_looper *l = arg;

	while (!atomic_load(&l->stop)) {
		void *p = mmap(NULL, PAGE_SZ, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p != MAP_FAILED)
			munmap(p, PAGE_SZ);
		atomic_fetch_add(&l->loops, 1);
		usleep(1000);
	}
	return NULL;
}

/* Generous: the events waited for come within milliseconds when right. */
#define EVENT_WAIT_MS	30000

/*
 * Start @f's fault on @ptr and wait until it sleeps in it; then check that
 * @looper's mmap and munmap go on while it does: the fault waits with
 * mmap_lock dropped, not holding it. The pairs are counted before the
 * fault is seen still waiting, so all of them were made while it waited.
 */
static void fault_and_check_mmap_goes_on(struct vtgpu_faulter *f,
					 const uint32_t *ptr,
					 struct mmap_looper *looper)
{
	uint64_t loops0, loops = 0;
	bool done = false;

	vtgpu_faulter_start(f, ptr);

	loops0 = atomic_load(&looper->loops);
	igt_wait((loops = atomic_load(&looper->loops),
		  done = atomic_load(&f->done),
		  done || loops >= loops0 + 10), EVENT_WAIT_MS, 1);
	igt_assert_f(!done && loops >= loops0 + 10,
		     "%" PRIu64 " mmap/munmap pairs while the fault waited%s\n",
		     loops - loops0, done ? ", then it completed" : "");
	igt_info("%" PRIu64 " mmap/munmap pairs while the fault waited\n",
		 loops - loops0);
}

/*
 * A fault on a BO whose reservation another thread holds for a long
 * time: the eviction of a busy BO out of GTT, which waits for the BO's
 * job. The fault waits too, with mmap_lock dropped (VM_FAULT_RETRY): a
 * third thread keeps mapping and unmapping meanwhile, unhindered. The
 * data read is the job's.
 */
static void test_fault_while_reserved(int fd)
{
	const uint64_t size = 1 << 20;
	uint64_t gtt = vtgpu_getparam(fd, VTGPU_PARAM_GART_SIZE);
	uint64_t retries = counter(fd, "cpu_fault_retries");
	struct mmap_looper looper = {};
	struct vtgpu_faulter faulter = {};
	struct vtgpu_creator creator = {};
	struct drm_vtgpu_cmd cmds[8];
	uint32_t bo, filler, *ptr;
	int fence;

	bo = vtgpu_gem_create(fd, size, VTGPU_GEM_DOMAIN_GTT |
			      VTGPU_GEM_DOMAIN_SYSTEM, VTGPU_GEM_DOMAIN_GTT, 0);
	for (unsigned int i = 0; i < ARRAY_SIZE(cmds); i++)
		cmds[i] = (struct drm_vtgpu_cmd) {
			.op = VTGPU_CMD_FILL, .dst_handle = bo, .size = size,
			.pattern = 0xa0 + i,
		};
	ptr = map_pages(fd, bo, size / PAGE_SZ, PROT_READ);

	/*
	 * About 4 s of engine time on the BO: the checks below need
	 * milliseconds of it; more only guards a loaded host.
	 */
	vtgpu_set_engine_delay(fd, 500000);
	fence = vtgpu_submit_cmds(fd, cmds, ARRAY_SIZE(cmds),
				  VTGPU_SUBMIT_OUT_FENCE_FD);
	/* The eviction sleeps, holding the BO's reservation, for the job. */
	vtgpu_creator_start(&creator, fd, gtt, VTGPU_GEM_DOMAIN_GTT);
	igt_assert_f(vtgpu_fence_status(fence) == 0,
		     "the job finished already\n");

	igt_assert_eq(pthread_create(&looper.thread, NULL, mmap_loop,
				     &looper), 0);
	fault_and_check_mmap_goes_on(&faulter, ptr, &looper);

	vtgpu_faulter_join(&faulter);
	atomic_store(&looper.stop, true);
	igt_assert_eq(pthread_join(looper.thread, NULL), 0);
	filler = vtgpu_creator_join(&creator);
	vtgpu_set_engine_delay(fd, 0);

	igt_assert_f(vtgpu_fence_status(fence) == 1, "job not done\n");
	/* The eviction waited for the job; the fault for the eviction. */
	igt_assert_eq_u32(vtgpu_gem_domain(fd, bo), VTGPU_GEM_DOMAIN_SYSTEM);
	igt_assert_eq_u32(faulter.value, 0xa7);
	igt_assert_lt_u64(retries, counter(fd, "cpu_fault_retries"));
	vtgpu_check_fill(ptr, size, 0xa7, "after the job");

	close(fence);
	munmap(ptr, size);
	gem_close(fd, filler);
	gem_close(fd, bo);
}

/*
 * A fault that must move a BO another device is still writing (a vgem
 * fence imported into the BO's dma-buf): the move waits for that fence,
 * and the fault waits with mmap_lock dropped, not in the move. Another
 * thread's mmap and munmap go on meanwhile; the fault completes once the
 * fence signals, not before.
 */
static void test_fault_while_foreign_busy(int fd)
{
	const uint64_t size = 256 << 10;
	uint64_t retries = counter(fd, "cpu_fault_retries");
	struct mmap_looper looper = {};
	struct vtgpu_faulter faulter = {};
	struct dma_buf_export_sync_file export = {
		.flags = DMA_BUF_SYNC_WRITE, .fd = -1,
	};
	struct dma_buf_import_sync_file import = {
		.flags = DMA_BUF_SYNC_WRITE,
	};
	struct vgem_bo vbo = { .width = 1024, .height = 1, .bpp = 32 };
	int vgem, vgem_dmabuf, dmabuf;
	struct staging st;
	uint32_t bo, fence, *ptr;

	igt_require_f(has_invisible_vram(fd), "no invisible VRAM\n");
	st = staging_create(fd, size);
	bo = invisible_bo(fd, &st, size, VRAM_GTT, 0x8000);

	/* vgem's unsignalled fence, as a sync_file, into the BO's dma-buf. */
	vgem = drm_open_driver(DRIVER_VGEM);
	vgem_create(vgem, &vbo);
	fence = vgem_fence_attach(vgem, &vbo, VGEM_FENCE_WRITE);
	igt_assert_eq(drmPrimeHandleToFD(vgem, vbo.handle, DRM_CLOEXEC,
					 &vgem_dmabuf), 0);
	igt_assert_eq(ioctl(vgem_dmabuf, DMA_BUF_IOCTL_EXPORT_SYNC_FILE,
			    &export), 0);
	igt_assert_eq(drmPrimeHandleToFD(fd, bo, DRM_CLOEXEC, &dmabuf), 0);
	import.fd = export.fd;
	igt_assert_eq(ioctl(dmabuf, DMA_BUF_IOCTL_IMPORT_SYNC_FILE, &import), 0);

	ptr = map_pages(fd, bo, size / PAGE_SZ, PROT_READ);
	igt_assert_eq(pthread_create(&looper.thread, NULL, mmap_loop,
				     &looper), 0);
	fault_and_check_mmap_goes_on(&faulter, ptr, &looper);

	vgem_fence_signal(vgem, fence);
	vtgpu_faulter_join(&faulter);
	atomic_store(&looper.stop, true);
	igt_assert_eq(pthread_join(looper.thread, NULL), 0);

	igt_assert_eq_u32(faulter.value, 0x8000);
	igt_assert_lt_u64(retries, counter(fd, "cpu_fault_retries"));
	vtgpu_check_seq(ptr, size, 0x8000, "after the foreign fence");
	igt_assert(vtgpu_bo_state(fd, bo).visible);

	munmap(ptr, size);
	close(export.fd);
	close(dmabuf);
	close(vgem_dmabuf);
	gem_close(vgem, vbo.handle);
	close(vgem);
	gem_close(fd, bo);
	staging_destroy(fd, &st);
}

struct toucher {
	pthread_t thread;
	uint32_t *map;
	uint64_t size;
	atomic_bool *stop;
	uint32_t base;
	uint64_t rounds;
	int64_t bad_dword;
	uint32_t bad_value, bad_expected;
};

/* Check the BO holds the last sequence written, then write the next. */
static void *touch_loop(void *arg)
{
	struct toucher *t = arg;

	while (!atomic_load(t->stop)) {
		int64_t i = find_seq_mismatch(t->map, t->size, t->base);

		if (i >= 0) {
			t->bad_dword = i;
			t->bad_value = t->map[i];
			t->bad_expected = t->base + i;
			break;
		}
		t->base += 0x10000;
		vtgpu_write_seq(t->map, t->size, t->base);
		t->rounds++;
	}
	return NULL;
}

/*
 * Threads read and write mapped BOs while others force them in and out
 * of VRAM on a slowed engine: faults meet pipelined moves in flight and
 * wait for them; no byte is lost either way.
 */
static void test_fault_while_evicting(int fd)
{
	uint64_t visible = vtgpu_getparam(fd, VTGPU_PARAM_VISIBLE_VRAM_SIZE);
	const uint64_t size = 256 << 10;
	uint64_t retries = counter(fd, "cpu_fault_retries");
	uint64_t evictions = counter(fd, "evictions");
	struct toucher touchers[4] = {};
	uint32_t scratch, bos[4], pressure[8];
	atomic_bool stop = false;
	unsigned int rounds = 0;
	struct timespec t0;

	scratch = vtgpu_gem_create(fd, size, VTGPU_GEM_DOMAIN_GTT, 0, 0);
	for (unsigned int i = 0; i < ARRAY_SIZE(touchers); i++) {
		struct toucher *t = &touchers[i];

		bos[i] = vtgpu_gem_create(fd, size, VTGPU_GEM_DOMAIN_VRAM |
					  VTGPU_GEM_DOMAIN_GTT,
					  VTGPU_GEM_DOMAIN_VRAM, 0);
		t->map = vtgpu_gem_mmap(fd, bos[i], size,
					PROT_READ | PROT_WRITE);
		t->size = size;
		t->stop = &stop;
		t->base = i << 28;
		t->bad_dword = -1;
		vtgpu_write_seq(t->map, size, t->base);
	}
	for (unsigned int i = 0; i < ARRAY_SIZE(touchers); i++)
		igt_assert_eq(pthread_create(&touchers[i].thread, NULL,
					     touch_loop, &touchers[i]), 0);

	vtgpu_set_engine_delay(fd, 2000);
	igt_gettime(&t0);
	while ((rounds < 8 || counter(fd, "cpu_fault_retries") == retries) &&
	       igt_nsec_elapsed(&t0) / 1e9 < 30) {
		/* A job reading each BO moves it back into VRAM... */
		for (unsigned int i = 0; i < ARRAY_SIZE(bos); i++)
			vtgpu_copy(fd, bos[i], 0, scratch, 0, PAGE_SZ);
		/* ... and filling visible VRAM evicts it to GTT again. */
		for (unsigned int i = 0; i < ARRAY_SIZE(pressure); i++) {
			pressure[i] = vtgpu_gem_create(fd, visible /
						       ARRAY_SIZE(pressure),
						       VTGPU_GEM_DOMAIN_VRAM |
						       VTGPU_GEM_DOMAIN_GTT,
						       VTGPU_GEM_DOMAIN_VRAM,
						       VTGPU_GEM_CREATE_CPU_ACCESS_REQUIRED);
			vtgpu_fill(fd, pressure[i], 0, PAGE_SZ, i);
		}
		for (unsigned int i = 0; i < ARRAY_SIZE(pressure); i++)
			gem_close(fd, pressure[i]);
		rounds++;
	}
	atomic_store(&stop, true);
	for (unsigned int i = 0; i < ARRAY_SIZE(touchers); i++)
		igt_assert_eq(pthread_join(touchers[i].thread, NULL), 0);
	vtgpu_set_engine_delay(fd, 0);

	igt_info("%u rounds, %" PRIu64 " evictions, %" PRIu64
		 " faults retried\n", rounds,
		 counter(fd, "evictions") - evictions,
		 counter(fd, "cpu_fault_retries") - retries);
	for (unsigned int i = 0; i < ARRAY_SIZE(touchers); i++) {
		struct toucher *t = &touchers[i];

		igt_assert_f(t->bad_dword < 0,
			     "BO %u, round %" PRIu64 ": dword %" PRId64
			     " is %#x, expected %#x\n", i, t->rounds,
			     t->bad_dword, t->bad_value, t->bad_expected);
		igt_assert_lt_u64(0, t->rounds);
		munmap(t->map, size);
		gem_close(fd, bos[i]);
	}
	igt_assert_lt_u64(evictions, counter(fd, "evictions"));
	igt_assert_f(counter(fd, "cpu_fault_retries") > retries,
		     "no fault met a move in flight in 30 s\n");
	gem_close(fd, scratch);
}

/*
 * Touch one dword in each of the first @pages pages of a BO, mapped
 * alone, under @advice; check the number of faults against @window.
 */
static void check_prefault(int fd, uint32_t bo, uint64_t pages, int advice,
			   uint64_t window)
{
	uint64_t faults, mapped;
	volatile uint32_t *ptr;

	ptr = map_pages(fd, bo, pages, PROT_READ);
	if (advice != MADV_NORMAL)
		igt_assert_eq(madvise((void *)ptr, pages * PAGE_SZ, advice), 0);

	faults = counter(fd, "cpu_faults");
	mapped = counter(fd, "cpu_fault_pages");
	for (uint64_t i = 0; i < pages; i++)
		igt_assert_eq_u32(ptr[i * PAGE_SZ / 4],
				  (uint32_t)(i * PAGE_SZ / 4));
	faults = counter(fd, "cpu_faults") - faults;
	mapped = counter(fd, "cpu_fault_pages") - mapped;
	munmap((void *)ptr, pages * PAGE_SZ);

	igt_debug("%" PRIu64 " pages, window %" PRIu64 ": %" PRIu64
		  " faults, %" PRIu64 " pages mapped\n",
		  pages, window, faults, mapped);
	igt_assert_eq_u64(faults, DIV_ROUND_UP(pages, window));
	/* Never past the end of the mapping. */
	igt_assert_eq_u64(mapped, pages);
}

static unsigned int param(int fd, const char *name)
{
	char *value = __igt_params_get(fd, name);
	unsigned int v;

	igt_assert_f(value, "no module parameter %s\n", name);
	v = strtoul(value, NULL, 0);
	free(value);
	return v;
}

/* An idle BO of @pages pages in @domain holding the dword index sequence. */
static uint32_t prefault_bo(int fd, uint32_t domain, uint64_t pages)
{
	uint32_t bo = vtgpu_gem_create(fd, pages * PAGE_SZ, domain, 0,
				       VTGPU_GEM_CREATE_CPU_ACCESS_REQUIRED);
	uint32_t *ptr = vtgpu_gem_mmap(fd, bo, pages * PAGE_SZ,
				       PROT_READ | PROT_WRITE);

	vtgpu_write_seq(ptr, pages * PAGE_SZ, 0);
	munmap(ptr, pages * PAGE_SZ);
	vtgpu_gem_wait(fd, bo);
	return bo;
}

static void test_prefault(int fd, int advice)
{
	const uint32_t domains[] = { VTGPU_GEM_DOMAIN_VRAM,
				     VTGPU_GEM_DOMAIN_GTT };
	const uint64_t pages = 512;

	for (unsigned int i = 0; i < ARRAY_SIZE(domains); i++) {
		uint32_t bo = prefault_bo(fd, domains[i], pages);
		uint64_t window;

		switch (advice) {
		case MADV_RANDOM:
			/* Only the page faulted on. */
			check_prefault(fd, bo, pages, advice, 1);
			check_prefault(fd, bo, 7, advice, 1);
			break;
		case MADV_SEQUENTIAL:
			window = param(fd, "prefault_sequential");
			igt_assert_lte(16 * param(fd, "prefault"), window);
			check_prefault(fd, bo, pages, advice, window);
			/* Clamped to the end of the mapping. */
			check_prefault(fd, bo, 32, advice, window);
			break;
		default:
			window = param(fd, "prefault");
			igt_assert_lte(1, window);
			check_prefault(fd, bo, pages, advice, window);
			check_prefault(fd, bo, window + 1, advice, window);
			check_prefault(fd, bo, window / 2 + 1, advice, window);
			/* The module parameter sets the window. */
			igt_assert(igt_params_save_and_set(fd, "prefault", "4"));
			check_prefault(fd, bo, pages, advice, 4);
			igt_assert(igt_params_set(fd, "prefault", "%" PRIu64,
						  window));
			break;
		}
		gem_close(fd, bo);
	}
}

/* A child reads and writes the parent's BO through the inherited mapping. */
static void test_fork(int fd)
{
	const uint64_t size = 1 << 20;
	uint32_t bo = vtgpu_gem_create(fd, size, VTGPU_GEM_DOMAIN_VRAM |
				       VTGPU_GEM_DOMAIN_GTT, 0, 0);
	uint32_t *ptr = vtgpu_gem_mmap(fd, bo, size, PROT_READ | PROT_WRITE);

	vtgpu_write_seq(ptr, size / 2, 0x4000);
	igt_fork(child, 1) {
		vtgpu_check_seq(ptr, size / 2, 0x4000, "in the child");
		vtgpu_write_seq(ptr + size / 8, size / 2, 0x5000);
	}
	igt_waitchildren();
	vtgpu_check_seq(ptr + size / 8, size / 2, 0x5000, "written by the child");

	/* Moved while the child runs: its next faults find the new place. */
	vtgpu_fill(fd, bo, 0, PAGE_SZ, 0x600d);
	vtgpu_gem_wait(fd, bo);
	igt_fork(child, 1) {
		vtgpu_check_fill(ptr, PAGE_SZ, 0x600d, "engine fill, in the child");
		vtgpu_check_seq(ptr + size / 8, size / 2, 0x5000, "in the child");
	}
	igt_waitchildren();

	munmap(ptr, size);
	gem_close(fd, bo);
}

/*
 * /proc/self/mem (what ptrace's PEEK and POKE use) reaches mapped BOs in
 * visible VRAM, GTT and invisible VRAM, in place: VRAM through the
 * device's MM_INDEX/MM_DATA window, whatever the alignment.
 */
static void test_ptrace_access(int fd)
{
	const uint64_t size = 64 << 10;
	struct staging st = staging_create(fd, size);
	const uint8_t bytes[6] = { 1, 2, 3, 4, 5, 6 };
	uint8_t back[12], expect[12];
	struct vtgpu_bo_state bo_st;
	uint32_t bos[3], buf[256];
	unsigned int n = 0;
	int mem;

	mem = open("/proc/self/mem", O_RDWR);
	igt_assert_f(mem >= 0, "/proc/self/mem: %m\n");

	bos[n++] = vtgpu_gem_create(fd, size, VTGPU_GEM_DOMAIN_VRAM, 0,
				    VTGPU_GEM_CREATE_CPU_ACCESS_REQUIRED);
	bos[n++] = vtgpu_gem_create(fd, size, VTGPU_GEM_DOMAIN_GTT, 0, 0);
	if (has_invisible_vram(fd))
		bos[n++] = invisible_bo(fd, &st, size, VRAM_GTT, 0);

	for (unsigned int i = 0; i < n; i++) {
		uint32_t domain, *ptr;
		off_t at;

		vtgpu_write_seq(st.map, size, 0x7000 + (i << 16));
		vtgpu_copy(fd, st.handle, 0, bos[i], 0, size);
		vtgpu_gem_wait(fd, bos[i]);
		domain = vtgpu_gem_domain(fd, bos[i]);

		/* Mapped, never touched: no page table entry to follow. */
		ptr = vtgpu_gem_mmap(fd, bos[i], size, PROT_READ | PROT_WRITE);
		at = (off_t)(uintptr_t)ptr + PAGE_SZ - 512;
		igt_assert_eq(pread(mem, buf, sizeof(buf), at), sizeof(buf));
		vtgpu_check_seq(buf, sizeof(buf), 0x7000 + (i << 16) +
			  (PAGE_SZ - 512) / 4, "read through /proc/self/mem");

		vtgpu_write_seq(buf, sizeof(buf), 0x9000 + i);
		igt_assert_eq(pwrite(mem, buf, sizeof(buf), at), sizeof(buf));
		staging_read(fd, &st, bos[i], size);
		vtgpu_check_seq((uint32_t *)((char *)st.map + PAGE_SZ - 512),
			  sizeof(buf), 0x9000 + i,
			  "written through /proc/self/mem");

		/*
		 * Bytes starting and ending inside dwords: the partial ones
		 * are merged, as the engine sees too.
		 */
		igt_assert_eq(pwrite(mem, bytes, sizeof(bytes), at + 1),
			      sizeof(bytes));
		igt_assert_eq(pread(mem, back, sizeof(back), at), sizeof(back));
		memcpy(expect, buf, sizeof(expect));
		memcpy(expect + 1, bytes, sizeof(bytes));
		igt_assert(!memcmp(back, expect, sizeof(back)));
		staging_read(fd, &st, bos[i], size);
		igt_assert(!memcmp((char *)st.map + PAGE_SZ - 512, expect,
				   sizeof(expect)));

		/* Invisible VRAM is read and written in place. */
		bo_st = vtgpu_bo_state(fd, bos[i]);
		igt_assert_eq_u32(bo_st.domain, domain);
		igt_assert(!bo_st.cpu_accessed);
		igt_assert(i < 2 || !bo_st.visible);
		vtgpu_check_seq(ptr, PAGE_SZ - 512, 0x7000 + (i << 16),
			  "next to the write");
		igt_debug("BO %u: domain %#x, then %#x\n", i, domain,
			  vtgpu_gem_domain(fd, bos[i]));
		munmap(ptr, size);
	}

	for (unsigned int i = 0; i < n; i++)
		gem_close(fd, bos[i]);
	close(mem);
	staging_destroy(fd, &st);
}

/*
 * Faults that wait for moves and ioctls that wait for jobs, under a storm
 * of signals: the interrupted waits are restarted and the data is right.
 */
static void test_signal_storm(int fd)
{
	const uint64_t size = 256 << 10;
	struct staging st = staging_create(fd, size);
	uint64_t retries = counter(fd, "cpu_fault_retries");
	bool invisible = has_invisible_vram(fd);

	vtgpu_set_engine_delay(fd, 20000);
	igt_fork_signal_helper();
	for (uint32_t i = 0; i < 16; i++) {
		uint32_t bo, *ptr;

		if (invisible) {
			/* The fault moves it behind the slowed copy. */
			bo = invisible_bo(fd, &st, size, VRAM_GTT, i << 20);
		} else {
			bo = vtgpu_gem_create(fd, size, VTGPU_GEM_DOMAIN_GTT,
					      0, 0);
			vtgpu_write_seq(st.map, size, i << 20);
			vtgpu_copy(fd, st.handle, 0, bo, 0, size);
		}
		vtgpu_fill(fd, bo, 0, PAGE_SZ, 0xf00 + i);
		ptr = vtgpu_gem_mmap(fd, bo, size, PROT_READ | PROT_WRITE);
		vtgpu_gem_wait(fd, bo);
		vtgpu_check_fill(ptr, PAGE_SZ, 0xf00 + i, "filled under signals");
		vtgpu_check_seq(ptr + PAGE_SZ / 4, size - PAGE_SZ,
			  (i << 20) + PAGE_SZ / 4, "copied under signals");
		munmap(ptr, size);
		gem_close(fd, bo);
	}
	igt_stop_signal_helper();
	vtgpu_set_engine_delay(fd, 0);
	igt_info("%" PRIu64 " faults retried\n",
		 counter(fd, "cpu_fault_retries") - retries);
	staging_destroy(fd, &st);
}

/*
 * ioctls whose arguments live in vtgpu mappings not yet faulted in: the
 * kernel faults on them while copying them in or out, the fault takes
 * the BO's reservation under mmap_lock, and the ioctl then reserves the
 * same BO. With copies made before any reservation this completes and
 * lockdep stays quiet (seed 001's inversion).
 */
static void test_ioctl_from_mmap(int fd)
{
	const uint64_t size = 64 << 10;
	struct staging st = staging_create(fd, size);
	bool invisible = has_invisible_vram(fd);
	struct drm_vtgpu_submit submit;
	struct drm_vtgpu_cmd fill = {
		.op = VTGPU_CMD_FILL, .dst_offset = PAGE_SZ, .size = PAGE_SZ,
		.pattern = 0xfeedf00d,
	};
	struct drm_vtgpu_gem_info *info;
	uint32_t bo, *ptr;

	/* The commands of a job, in the BO the job writes. */
	if (invisible) {
		bo = invisible_bo(fd, &st, size, VRAM_GTT, 0);
	} else {
		bo = vtgpu_gem_create(fd, size, VTGPU_GEM_DOMAIN_GTT, 0, 0);
	}
	fill.dst_handle = bo;
	memcpy(st.map, &fill, sizeof(fill));
	vtgpu_copy(fd, st.handle, 0, bo, 0, PAGE_SZ);
	vtgpu_gem_wait(fd, bo);

	ptr = map_pages(fd, bo, size / PAGE_SZ, PROT_READ | PROT_WRITE);
	submit = (struct drm_vtgpu_submit) {
		.cmds = to_user_pointer(ptr), .num_cmds = 1,
	};
	igt_assert_eq(__vtgpu_submit(fd, &submit), 0);
	vtgpu_gem_wait(fd, bo);
	vtgpu_check_fill(ptr + PAGE_SZ / 4, PAGE_SZ, 0xfeedf00d, "filled");
	if (invisible)
		igt_assert(vtgpu_bo_state(fd, bo).visible);
	munmap(ptr, size);

	/* The argument itself in a fresh mapping of the BO it names. */
	info = map_pages(fd, bo, 1, PROT_READ | PROT_WRITE);
	*info = (struct drm_vtgpu_gem_info) { .handle = bo };
	munmap(info, PAGE_SZ);
	info = map_pages(fd, bo, 1, PROT_READ | PROT_WRITE);
	igt_assert_eq(drmIoctl(fd, DRM_IOCTL_VTGPU_GEM_INFO, info), 0);
	igt_assert_eq_u64(info->size, size);
	igt_assert_eq_u32(info->domains,
			  invisible ? VRAM_GTT : VTGPU_GEM_DOMAIN_GTT);
	munmap(info, PAGE_SZ);

	/* A userptr BO of anonymous memory, asked for from a mapping. */
	{
		struct drm_vtgpu_gem_userptr *arg;
		void *anon = mmap(NULL, size, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		igt_assert(anon != MAP_FAILED);
		arg = map_pages(fd, st.handle, 1, PROT_READ | PROT_WRITE);
		*arg = (struct drm_vtgpu_gem_userptr) {
			.addr = to_user_pointer(anon), .size = size,
		};
		igt_assert_eq(drmIoctl(fd, DRM_IOCTL_VTGPU_GEM_USERPTR, arg),
			      0);
		vtgpu_fill(fd, arg->handle, 0, size, 0x5ca1ab1e);
		vtgpu_gem_wait(fd, arg->handle);
		vtgpu_check_fill(anon, size, 0x5ca1ab1e, "userptr filled");
		gem_close(fd, arg->handle);
		munmap(arg, PAGE_SZ);
		munmap(anon, size);
	}

	gem_close(fd, bo);
	staging_destroy(fd, &st);
}

igt_main
{
	int fd = -1;

	igt_fixture
		fd = drm_open_driver_render(DRIVER_VTGPU);

	igt_describe("Check that what the CPU writes through a mapping the "
		     "engine copies, and what the engine writes the CPU reads "
		     "back, in visible VRAM and GTT.");
	igt_subtest("coherency")
		test_coherency(fd);

	igt_describe("Check that mappings reaching past a BO are refused, and "
		     "that an access the CPU cannot be given (a VRAM-only BO "
		     "larger than visible VRAM) gets SIGBUS and changes "
		     "nothing.");
	igt_subtest("out-of-bounds-sigbus")
		test_out_of_bounds_sigbus(fd);

	igt_describe("Check that a fault on a BO in invisible VRAM moves it "
		     "to visible VRAM once, contents intact, and that it "
		     "stays CPU-visible.");
	igt_subtest("invisible-migrate")
		test_invisible_migrate(fd);

	igt_describe("Check that with visible VRAM full, a fault on a BO in "
		     "invisible VRAM moves it to GTT without evicting the BOs "
		     "in visible VRAM.");
	igt_subtest("visible-full-fallback")
		test_visible_full_fallback(fd);

	igt_describe("Check that a fault on a BO in invisible VRAM, while "
		     "visible VRAM is full of busy BOs being evicted, waits "
		     "or evicts and maps the BO, contents intact, rather than "
		     "raising SIGBUS.");
	igt_subtest("invisible-fault-busy")
		test_invisible_fault_busy(fd);

	igt_describe("Check that after such a fault, with its BOs closed, "
		     "another client's evictions from visible VRAM succeed "
		     "and all memory is free again: the fault left no "
		     "resource behind.");
	igt_subtest("invisible-fault-busy-evict")
		test_invisible_fault_busy_evict(fd);

	igt_describe("Check that a fault on a BO reserved by a long eviction "
		     "waits with mmap_lock dropped: another thread's mmap and "
		     "munmap go on meanwhile, and the data read is the job's.");
	igt_subtest("fault-while-reserved")
		test_fault_while_reserved(fd);

	igt_describe("Check that a fault that must move a BO another device is "
		     "still writing waits for that with mmap_lock dropped: "
		     "another thread's mmap and munmap go on meanwhile.");
	igt_subtest("fault-while-foreign-busy")
		test_fault_while_foreign_busy(fd);

	igt_describe("Check that CPU reads and writes racing pipelined "
		     "evictions of the mapped BOs never lose or corrupt "
		     "data.");
	igt_subtest("fault-while-evicting")
		test_fault_while_evicting(fd);

	igt_describe("Check that without madvise() a fault maps the "
		     "vtgpu.prefault pages from the faulting one, never past "
		     "the end of the mapping.");
	igt_subtest("prefault-default")
		test_prefault(fd, MADV_NORMAL);

	igt_describe("Check that under MADV_RANDOM a fault maps only the page "
		     "faulted on.");
	igt_subtest("prefault-random")
		test_prefault(fd, MADV_RANDOM);

	igt_describe("Check that under MADV_SEQUENTIAL a fault maps the "
		     "vtgpu.prefault_sequential pages from the faulting one, "
		     "at least 16 times the default window.");
	igt_subtest("prefault-sequential")
		test_prefault(fd, MADV_SEQUENTIAL);

	igt_describe("Check that a forked child reads and writes the parent's "
		     "BO through the inherited mapping, also after a move.");
	igt_subtest("fork")
		test_fork(fd);

	igt_describe("Check that /proc/self/mem reads and writes mapped BOs in "
		     "visible VRAM, GTT and invisible VRAM, unaligned bytes "
		     "too, without moving them.");
	igt_subtest("ptrace-access")
		test_ptrace_access(fd);

	igt_describe("Check that faults waiting for moves and ioctls waiting "
		     "for jobs survive a storm of signals with correct data.");
	igt_subtest("signal-storm")
		test_signal_storm(fd);

	igt_describe("Check that ioctls whose arguments live in unfaulted "
		     "vtgpu mappings, of the BOs they use, complete without a "
		     "lock inversion.");
	igt_subtest("ioctl-from-mmap")
		test_ioctl_from_mmap(fd);

	igt_fixture
		close(fd);
}
