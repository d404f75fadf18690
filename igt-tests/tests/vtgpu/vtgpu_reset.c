// SPDX-License-Identifier: MIT
/*
 * Copyright 2026 The vtgpu authors
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "igt.h"
#include "igt_device.h"
#include "igt_params.h"
#include "igt_sysfs.h"
#include "igt_vtgpu.h"
#include "vtgpu_drm.h"

IGT_TEST_DESCRIPTION("Engine faults injected through debugfs: a command "
		     "that fails and an engine that hangs. The driver's "
		     "fence timeout or error interrupt resets the engine, "
		     "only the guilty job's fence carries the error, jobs "
		     "queued behind it and every BO's contents survive, "
		     "moves hit by the fault are run again, and the engine "
		     "works afterwards.");

#define BO_SIZE		(1u << 20)
/*
 * The injected failure hits the next command as it executes: slowing
 * the engine down lets the tests queue jobs behind the guilty one before
 * it fails. A hang needs no delay: the engine stops at once. The
 * driver's timeout_ms, 2000 by default, stays well above it.
 */
#define ERROR_DELAY_US	300000
/* Every fence here signals within a few timeouts; be generous. */
#define FENCE_WAIT_MS	60000

struct fault {
	const char *name;	/* in subtest names */
	const char *inject;	/* written to debugfs inject */
	int error;		/* the guilty job's fence error */
	const char *counter;	/* the debugfs stats counter it bumps */
	const char *other;	/* the counter it leaves alone */
};

static const struct fault faults[] = {
	{ "hang", "hang", ETIMEDOUT, "engine_timeouts", "engine_errors" },
	{ "error", "fail", EIO, "engine_errors", "engine_timeouts" },
};

struct counters {
	uint64_t resets, timeouts, errors, retries, failed;
};

static void read_counters(int fd, struct counters *c)
{
	c->resets = vtgpu_debugfs_stat(fd, "engine_resets");
	c->timeouts = vtgpu_debugfs_stat(fd, "engine_timeouts");
	c->errors = vtgpu_debugfs_stat(fd, "engine_errors");
	c->retries = vtgpu_debugfs_stat(fd, "job_retries");
	c->failed = vtgpu_debugfs_stat(fd, "jobs_failed");
}

static uint64_t fault_count(const struct counters *c, const char *counter)
{
	return strcmp(counter, "engine_timeouts") ? c->errors : c->timeouts;
}

/*
 * Arm @f: the next command the engine runs fails, or the engine hangs
 * now. With an error the engine is slowed down until end_fault(), so that
 * jobs submitted meanwhile queue behind the guilty one.
 */
static void begin_fault(int fd, const struct fault *f)
{
	if (f->error == EIO)
		vtgpu_set_engine_delay(fd, ERROR_DELAY_US);
	vtgpu_inject(fd, f->inject);
}

static void end_fault(int fd, const struct fault *f)
{
	if (f->error == EIO)
		vtgpu_set_engine_delay(fd, 0);
}

static int fill_fence(int fd, uint32_t bo, uint32_t pattern)
{
	struct drm_vtgpu_cmd fill = {
		.op = VTGPU_CMD_FILL, .dst_handle = bo, .size = BO_SIZE,
		.pattern = pattern,
	};

	return vtgpu_submit_cmds(fd, &fill, 1, VTGPU_SUBMIT_OUT_FENCE_FD);
}

static int copy_fence(int fd, uint32_t src, uint32_t dst)
{
	struct drm_vtgpu_cmd copy = {
		.op = VTGPU_CMD_COPY, .src_handle = src, .dst_handle = dst,
		.size = BO_SIZE,
	};

	return vtgpu_submit_cmds(fd, &copy, 1, VTGPU_SUBMIT_OUT_FENCE_FD);
}

/* Wait for a fence and check how it signalled: 1, or -error. */
static void expect_fence(int fence, int status, const char *what)
{
	igt_assert_f(vtgpu_fence_wait(fence, FENCE_WAIT_MS) == 1,
		     "%s: fence did not signal\n", what);
	igt_assert_f(vtgpu_fence_status(fence) == status,
		     "%s: fence status %d, expected %d\n", what,
		     vtgpu_fence_status(fence), status);
	close(fence);
}

/* The guilty job: a FILL of @bo under @f, which fails with @f's error. */
static void guilty_fill(int fd, const struct fault *f, uint32_t bo)
{
	int fence;

	begin_fault(fd, f);
	fence = fill_fence(fd, bo, 0xdeadbeef);
	end_fault(fd, f);
	expect_fence(fence, -f->error, "guilty job");
}

/* A BO, idle, with its placement done (and VRAM cleared). */
static uint32_t create_idle(int fd, uint32_t domain, uint32_t flags)
{
	uint32_t bo = vtgpu_gem_create(fd, BO_SIZE, domain, 0, flags);

	vtgpu_gem_wait(fd, bo);
	return bo;
}

static void write_seq_bo(int fd, uint32_t bo, uint32_t base)
{
	uint32_t *ptr = vtgpu_gem_mmap(fd, bo, BO_SIZE, PROT_WRITE);

	vtgpu_write_seq(ptr, BO_SIZE, base);
	munmap(ptr, BO_SIZE);
}

/*
 * Check a BO's contents through a copy into a GTT BO, which leaves the BO
 * where it is (a CPU fault would move it out of invisible VRAM).
 */
static void check_seq_bo(int fd, uint32_t bo, uint32_t base, const char *what)
{
	uint32_t tmp = create_idle(fd, VTGPU_GEM_DOMAIN_GTT, 0);
	uint32_t *ptr;

	expect_fence(copy_fence(fd, bo, tmp), 1, what);
	ptr = vtgpu_gem_mmap(fd, tmp, BO_SIZE, PROT_READ);
	vtgpu_check_seq(ptr, BO_SIZE, base, what);
	munmap(ptr, BO_SIZE);
	gem_close(fd, tmp);
}

static void check_fill_bo(int fd, uint32_t bo, uint32_t value, const char *what)
{
	uint32_t *ptr = vtgpu_gem_mmap(fd, bo, BO_SIZE, PROT_READ);

	vtgpu_check_fill(ptr, BO_SIZE, value, what);
	munmap(ptr, BO_SIZE);
}

/* The jobs the engine has not completed, from debugfs engine. */
static unsigned int pending_jobs(int fd)
{
	int dir = vtgpu_debugfs_dir(fd);
	char *buf = igt_sysfs_get(dir, "engine"), *line;
	unsigned int pending = 0;

	close(dir);
	igt_assert_f(buf, "cannot read debugfs engine\n");
	line = strstr(buf, "pending jobs:");
	igt_assert_f(line && sscanf(line, "pending jobs: %u", &pending) == 1,
		     "no pending jobs in debugfs engine:\n%s\n", buf);
	free(buf);
	return pending;
}

/*
 * The jobs just queued are behind the guilty one: once the scheduler has
 * written them to the ring, which it does at once, the engine has at
 * least @queued more pending, and the guilty job, whose fence @guilty is,
 * had not completed when they were counted (its fence is read after the
 * count). A hang stops the engine at once; an error comes ERROR_DELAY_US
 * after the guilty job started, time enough to queue behind it.
 */
static void check_queued_behind(int fd, int guilty, unsigned int queued)
{
	unsigned int pending = 0;

	igt_wait((pending = pending_jobs(fd)) >= queued + 1, 1000, 1);
	igt_assert_f(vtgpu_fence_status(guilty) == 0,
		     "the guilty job completed before the jobs were queued "
		     "behind it\n");
	igt_info("%u jobs pending behind the guilty one\n", pending - 1);
	igt_assert_lte(queued + 1, pending);
}

static bool has_invisible_vram(int fd)
{
	return vtgpu_getparam(fd, VTGPU_PARAM_VISIBLE_VRAM_SIZE) <
	       vtgpu_getparam(fd, VTGPU_PARAM_VRAM_SIZE);
}

/*
 * The guilty job is a FILL of its own BO. Its fence carries the fault's
 * error, the engine was reset once for it, by the fault's path.
 */
static void test_fence_error(int fd, const struct fault *f)
{
	uint32_t bo = create_idle(fd, VTGPU_GEM_DOMAIN_VRAM, 0);
	struct counters before, after;

	read_counters(fd, &before);
	guilty_fill(fd, f, bo);
	read_counters(fd, &after);

	igt_assert_eq_u64(after.resets, before.resets + 1);
	igt_assert_eq_u64(fault_count(&after, f->counter),
			  fault_count(&before, f->counter) + 1);
	igt_assert_eq_u64(fault_count(&after, f->other),
			  fault_count(&before, f->other));
	igt_assert_eq_u64(after.failed, before.failed + 1);
	gem_close(fd, bo);
}

#define NUM_QUEUED 4

/*
 * Jobs queued behind the guilty one, by @fd: fills of their own BOs in
 * VRAM and GTT, and a copy. They complete as if nothing had happened.
 */
struct queued {
	uint32_t bo[NUM_QUEUED], src, dst;
	int fence[NUM_QUEUED + 1];
};

static void queued_init(int fd, struct queued *q)
{
	for (int i = 0; i < NUM_QUEUED; i++)
		q->bo[i] = create_idle(fd, i & 1 ? VTGPU_GEM_DOMAIN_GTT :
					   VTGPU_GEM_DOMAIN_VRAM, 0);
	q->src = create_idle(fd, VTGPU_GEM_DOMAIN_GTT, 0);
	q->dst = create_idle(fd, VTGPU_GEM_DOMAIN_VRAM,
			     VTGPU_GEM_CREATE_CPU_ACCESS_REQUIRED);
	write_seq_bo(fd, q->src, 0x5eed0000);
}

static void queued_submit(int fd, struct queued *q)
{
	for (int i = 0; i < NUM_QUEUED; i++)
		q->fence[i] = fill_fence(fd, q->bo[i], 0xc0de0000 + i);
	q->fence[NUM_QUEUED] = copy_fence(fd, q->src, q->dst);
}

static void queued_check(int fd, struct queued *q)
{
	char what[32];

	for (int i = 0; i <= NUM_QUEUED; i++) {
		snprintf(what, sizeof(what), "queued job %d", i);
		expect_fence(q->fence[i], 1, what);
	}
	for (int i = 0; i < NUM_QUEUED; i++) {
		snprintf(what, sizeof(what), "queued fill %d", i);
		check_fill_bo(fd, q->bo[i], 0xc0de0000 + i, what);
		gem_close(fd, q->bo[i]);
	}
	check_seq_bo(fd, q->dst, 0x5eed0000, "queued copy");
	gem_close(fd, q->src);
	gem_close(fd, q->dst);
}

static void test_queued_jobs(int fd, const struct fault *f)
{
	uint32_t bo = create_idle(fd, VTGPU_GEM_DOMAIN_VRAM, 0);
	struct counters before, after;
	struct queued q;
	int fence;

	queued_init(fd, &q);
	read_counters(fd, &before);
	begin_fault(fd, f);
	fence = fill_fence(fd, bo, 0xdeadbeef);
	queued_submit(fd, &q);
	check_queued_behind(fd, fence, NUM_QUEUED + 1);
	end_fault(fd, f);

	expect_fence(fence, -f->error, "guilty job");
	queued_check(fd, &q);
	read_counters(fd, &after);
	igt_assert_eq_u64(after.resets, before.resets + 1);
	igt_assert_eq_u64(after.failed, before.failed + 1);
	gem_close(fd, bo);
}

/*
 * Another client, a process of its own, queues its jobs while the guilty
 * one is on the engine: they complete; only the guilty job fails.
 */
static void test_other_client(int fd, const struct fault *f)
{
	uint32_t bo = create_idle(fd, VTGPU_GEM_DOMAIN_VRAM, 0);
	struct counters before, after;
	int go[2], ready[2], fence;
	char c = 0;

	igt_assert_eq(pipe(go), 0);
	igt_assert_eq(pipe(ready), 0);
	igt_fork(child, 1) {
		int other = drm_open_driver_render(DRIVER_VTGPU);
		struct queued q;

		queued_init(other, &q);
		igt_assert_eq(write(ready[1], &c, 1), 1);
		igt_assert_eq(read(go[0], &c, 1), 1);
		queued_submit(other, &q);
		igt_assert_eq(write(ready[1], &c, 1), 1);
		queued_check(other, &q);
		close(other);
	}

	igt_assert_eq(read(ready[0], &c, 1), 1);
	read_counters(fd, &before);
	begin_fault(fd, f);
	fence = fill_fence(fd, bo, 0xdeadbeef);
	igt_assert_eq(write(go[1], &c, 1), 1);
	igt_assert_eq(read(ready[0], &c, 1), 1);
	check_queued_behind(fd, fence, NUM_QUEUED + 1);
	end_fault(fd, f);

	expect_fence(fence, -f->error, "guilty job");
	igt_waitchildren();
	read_counters(fd, &after);
	igt_assert_eq_u64(after.resets, before.resets + 1);
	igt_assert_eq_u64(after.failed, before.failed + 1);

	close(go[0]);
	close(go[1]);
	close(ready[0]);
	close(ready[1]);
	gem_close(fd, bo);
}

enum { VISIBLE, INVISIBLE, GTT, SYSTEM, MAPPED, NUM_PLACES };

static const char * const place_names[NUM_PLACES] = {
	"visible VRAM", "invisible VRAM", "GTT", "SYSTEM", "mapped VRAM",
};

/*
 * One BO in each placement with its own sequence: visible VRAM, invisible
 * VRAM (written by a copy, the CPU cannot reach it), GTT, SYSTEM, and a
 * visible VRAM BO the test keeps mapped throughout.
 */
struct placed {
	uint32_t bo[NUM_PLACES];
	uint32_t domain[NUM_PLACES];
	uint32_t *map;
};

static void placed_init(int fd, struct placed *p)
{
	uint32_t src;

	p->bo[VISIBLE] = create_idle(fd, VTGPU_GEM_DOMAIN_VRAM,
				     VTGPU_GEM_CREATE_CPU_ACCESS_REQUIRED);
	p->bo[INVISIBLE] = create_idle(fd, VTGPU_GEM_DOMAIN_VRAM,
				       VTGPU_GEM_CREATE_NO_CPU_ACCESS);
	p->bo[GTT] = create_idle(fd, VTGPU_GEM_DOMAIN_GTT, 0);
	p->bo[SYSTEM] = create_idle(fd, VTGPU_GEM_DOMAIN_SYSTEM, 0);
	p->bo[MAPPED] = create_idle(fd, VTGPU_GEM_DOMAIN_VRAM,
				    VTGPU_GEM_CREATE_CPU_ACCESS_REQUIRED);

	for (int i = 0; i < NUM_PLACES; i++)
		if (i != INVISIBLE && i != MAPPED)
			write_seq_bo(fd, p->bo[i], i << 24);
	src = create_idle(fd, VTGPU_GEM_DOMAIN_GTT, 0);
	write_seq_bo(fd, src, INVISIBLE << 24);
	expect_fence(copy_fence(fd, src, p->bo[INVISIBLE]), 1, "setup copy");
	gem_close(fd, src);
	p->map = vtgpu_gem_mmap(fd, p->bo[MAPPED], BO_SIZE,
				PROT_READ | PROT_WRITE);
	vtgpu_write_seq(p->map, BO_SIZE, MAPPED << 24);

	for (int i = 0; i < NUM_PLACES; i++)
		p->domain[i] = vtgpu_gem_domain(fd, p->bo[i]);
	igt_assert_eq_u32(p->domain[VISIBLE], VTGPU_GEM_DOMAIN_VRAM);
	igt_assert(vtgpu_bo_state(fd, p->bo[VISIBLE]).visible);
	igt_assert_eq_u32(p->domain[INVISIBLE], VTGPU_GEM_DOMAIN_VRAM);
	igt_assert(!vtgpu_bo_state(fd, p->bo[INVISIBLE]).visible);
	igt_assert_eq_u32(p->domain[GTT], VTGPU_GEM_DOMAIN_GTT);
	igt_assert_eq_u32(p->domain[SYSTEM], VTGPU_GEM_DOMAIN_SYSTEM);
}

/* Every BO has its contents; @same_place: and is where it was. */
static void placed_check(int fd, struct placed *p, bool same_place)
{
	uint32_t *ptr;

	vtgpu_check_seq(p->map, BO_SIZE, MAPPED << 24, place_names[MAPPED]);
	munmap(p->map, BO_SIZE);
	for (int i = 0; i < NUM_PLACES; i++) {
		if (same_place)
			igt_assert_f(vtgpu_gem_domain(fd, p->bo[i]) ==
				     p->domain[i], "%s BO moved\n",
				     place_names[i]);
		if (i == INVISIBLE) {
			check_seq_bo(fd, p->bo[i], i << 24, place_names[i]);
		} else {
			ptr = vtgpu_gem_mmap(fd, p->bo[i], BO_SIZE, PROT_READ);
			vtgpu_check_seq(ptr, BO_SIZE, i << 24, place_names[i]);
			munmap(ptr, BO_SIZE);
		}
		gem_close(fd, p->bo[i]);
	}
}

/* A fault on a job that touches none of them leaves every BO intact. */
static void test_bo_contents(int fd, const struct fault *f)
{
	uint32_t bo = create_idle(fd, VTGPU_GEM_DOMAIN_VRAM, 0);
	struct counters before, after;
	struct placed p;

	igt_require(has_invisible_vram(fd));
	placed_init(fd, &p);
	read_counters(fd, &before);
	guilty_fill(fd, f, bo);
	read_counters(fd, &after);
	igt_assert_eq_u64(after.resets, before.resets + 1);

	placed_check(fd, &p, true);
	gem_close(fd, bo);
}

/*
 * The fault hits the first move of an eviction of all of VRAM (debugfs
 * evict_vram): the driver runs the move again after the reset instead of
 * failing it, so the evicted BOs keep their contents and no job fails.
 */
static void test_eviction(int fd, const struct fault *f)
{
	struct counters before, after;
	struct placed p;
	char *ret;
	int dir;

	igt_require(has_invisible_vram(fd));
	placed_init(fd, &p);
	dir = vtgpu_debugfs_dir(fd);
	read_counters(fd, &before);
	/* No slowing down: the moves are the next commands the engine runs. */
	vtgpu_inject(fd, f->inject);
	ret = igt_sysfs_get(dir, "evict_vram");
	close(dir);
	igt_assert_f(ret && atoi(ret) == 0, "evict_vram: %s\n", ret);
	free(ret);
	read_counters(fd, &after);

	/* The move was run again, and nothing failed. */
	igt_assert_eq_u64(after.retries, before.retries + 1);
	igt_assert_eq_u64(after.failed, before.failed);
	igt_assert_eq_u64(after.resets, before.resets + 1);
	igt_assert_eq_u64(fault_count(&after, f->counter),
			  fault_count(&before, f->counter) + 1);
	for (int i = 0; i < NUM_PLACES; i++)
		if (p.domain[i] == VTGPU_GEM_DOMAIN_VRAM)
			igt_assert_f(vtgpu_gem_domain(fd, p.bo[i]) !=
				     VTGPU_GEM_DOMAIN_VRAM,
				     "%s BO not evicted\n", place_names[i]);
	placed_check(fd, &p, false);
}

/*
 * The guilty job is one of the driver's own, which the engine runs again
 * after a reset: arm @f again after each reset that does so, until one
 * does not (the job failed for good, or its fallback did the work).
 * Returns how many times the job was hit.
 */
static unsigned int hit_every_retry(int fd, const struct fault *f,
				    const struct counters *before)
{
	uint64_t seen_resets = before->resets, seen_retries = before->retries;
	struct counters now;
	unsigned int hits = 1;

	for (int ms = 0; ; ms += 2) {
		igt_assert_f(ms < FENCE_WAIT_MS, "no reset after %u hits\n",
			     hits);
		read_counters(fd, &now);
		if (now.resets == seen_resets) {
			usleep(2000);
			continue;
		}
		seen_resets = now.resets;
		if (now.retries == seen_retries)
			return hits;
		seen_retries = now.retries;
		vtgpu_inject(fd, f->inject);
		hits++;
	}
}

/*
 * The fault hits a move each time the engine runs it, the first time and
 * every retry: the driver gives up on the engine and the CPU copies the BO
 * from visible VRAM to GTT instead. The engine is slowed down so that the
 * test injects the next fault before the retry's copy runs.
 */
static void test_move_fallback(int fd, const struct fault *f)
{
	uint32_t bo = create_idle(fd, VTGPU_GEM_DOMAIN_VRAM,
				  VTGPU_GEM_CREATE_CPU_ACCESS_REQUIRED);
	struct counters before, now;
	unsigned int hits;
	uint64_t fallbacks;
	uint32_t *ptr;

	igt_assert(vtgpu_bo_state(fd, bo).visible);
	write_seq_bo(fd, bo, 0xfa110000);
	read_counters(fd, &before);
	fallbacks = vtgpu_debugfs_stat(fd, "job_fallbacks");

	vtgpu_set_engine_delay(fd, ERROR_DELAY_US);
	vtgpu_inject(fd, f->inject);
	igt_fork(child, 1) {
		int dir = vtgpu_debugfs_dir(fd);
		char *ret = igt_sysfs_get(dir, "evict_vram");

		igt_assert_f(ret && atoi(ret) == 0, "evict_vram: %s\n", ret);
		free(ret);
		close(dir);
	}

	hits = hit_every_retry(fd, f, &before);
	igt_waitchildren();
	vtgpu_set_engine_delay(fd, 0);
	read_counters(fd, &now);
	igt_info("%u hits on the move, %" PRIu64 " resets\n", hits,
		 now.resets - before.resets);

	igt_assert_lt(1, hits);
	igt_assert_eq_u64(now.resets, before.resets + hits);
	igt_assert_eq_u64(vtgpu_debugfs_stat(fd, "job_fallbacks"),
			  fallbacks + 1);
	igt_assert_eq_u64(now.failed, before.failed);
	igt_assert_eq_u32(vtgpu_gem_domain(fd, bo), VTGPU_GEM_DOMAIN_GTT);
	ptr = vtgpu_gem_mmap(fd, bo, BO_SIZE, PROT_READ);
	vtgpu_check_seq(ptr, BO_SIZE, 0xfa110000, "evicted BO");
	munmap(ptr, BO_SIZE);
	gem_close(fd, bo);
}

/* Fill and copy, between every placement the engine reaches. */
static void check_engine_works(int fd)
{
	uint32_t gtt = create_idle(fd, VTGPU_GEM_DOMAIN_GTT, 0);
	uint32_t vis = create_idle(fd, VTGPU_GEM_DOMAIN_VRAM,
				   VTGPU_GEM_CREATE_CPU_ACCESS_REQUIRED);
	uint32_t inv = create_idle(fd, VTGPU_GEM_DOMAIN_VRAM,
				   VTGPU_GEM_CREATE_NO_CPU_ACCESS);
	uint32_t out = create_idle(fd, VTGPU_GEM_DOMAIN_GTT, 0);

	expect_fence(fill_fence(fd, vis, 0x600d600d), 1, "fill");
	check_fill_bo(fd, vis, 0x600d600d, "fill");
	write_seq_bo(fd, gtt, 0x1000);
	expect_fence(copy_fence(fd, gtt, inv), 1, "copy to VRAM");
	expect_fence(copy_fence(fd, inv, out), 1, "copy from VRAM");
	check_fill_bo(fd, vis, 0x600d600d, "fill");
	check_seq_bo(fd, out, 0x1000, "copies");

	gem_close(fd, gtt);
	gem_close(fd, vis);
	gem_close(fd, inv);
	gem_close(fd, out);
}

/* Fault after fault, the engine comes back each time. */
static void test_recovery(int fd, const struct fault *f)
{
	uint32_t bo = create_idle(fd, VTGPU_GEM_DOMAIN_VRAM, 0);
	struct counters before, after;

	read_counters(fd, &before);
	for (int i = 0; i < 3; i++) {
		guilty_fill(fd, f, bo);
		check_engine_works(fd);
	}
	read_counters(fd, &after);
	igt_assert_eq_u64(after.resets, before.resets + 3);
	gem_close(fd, bo);
}

/* Whether debugfs engine says "wedged: yes". */
static bool engine_wedged(int fd)
{
	int dir = vtgpu_debugfs_dir(fd);
	char *buf = igt_sysfs_get(dir, "engine");
	bool wedged;

	close(dir);
	igt_assert_f(buf, "cannot read debugfs engine\n");
	wedged = strstr(buf, "wedged: yes");
	free(buf);
	return wedged;
}

#define SECRET 0x5ec2e75e

/*
 * Fill visible VRAM with SECRET through the CPU, then give it back: what
 * the next owner of that memory must never see.
 */
static void leave_secret_in_visible_vram(int fd)
{
	uint64_t size = vtgpu_getparam(fd, VTGPU_PARAM_VISIBLE_VRAM_SIZE) / 8;
	uint32_t fillers[VTGPU_VISIBLE_FILLERS];

	vtgpu_fill_visible_vram(fd, fillers);
	for (unsigned int i = 0; i < VTGPU_VISIBLE_FILLERS; i++) {
		uint32_t *ptr = vtgpu_gem_mmap(fd, fillers[i], size,
					       PROT_WRITE);

		for (uint64_t j = 0; j < size / 4; j++)
			ptr[j] = SECRET;
		munmap(ptr, size);
		gem_close(fd, fillers[i]);
	}
}

static uint64_t count_secret(const uint32_t *ptr, uint64_t size)
{
	uint64_t n = 0;

	for (uint64_t i = 0; i < size / 4; i++)
		n += ptr[i] == SECRET;
	return n;
}

static const struct fault *fault_named(const char *name)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(faults); i++)
		if (!strcmp(faults[i].name, name))
			return &faults[i];
	igt_assert_f(false, "no fault %s\n", name);
	return NULL;
}

/* The device's PCI slot while a subtest may leave it wedged. */
static char wedged_slot[NAME_MAX];

/*
 * An exit handler: a subtest that failed with the device wedged leaves it
 * bound again to the tests after it. No assertions.
 */
static void rebind_if_wedged(int sig)
{
	const char *files[] = { "unbind", "bind" };
	int dir;

	if (!wedged_slot[0])
		return;
	dir = open("/sys/bus/pci/drivers/vtgpu", O_RDONLY | O_DIRECTORY);
	for (unsigned int i = 0; dir >= 0 && i < ARRAY_SIZE(files); i++)
		if (!igt_sysfs_set(dir, files[i], wedged_slot))
			igt_debug("cannot %s vtgpu\n", files[i]);
	if (dir >= 0)
		close(dir);
}

/*
 * A new BO in visible VRAM, all of it left holding SECRET, whose clear the
 * engine fails every time it runs: no one may read the old bytes. The
 * device wedges: a mapping made before reads the dummy page too, as
 * drm-uapi.rst's "Device Wedging" asks, and ioctls fail with -EIO. It is
 * bound again at the end. Returns the new file.
 */
static int test_failed_clear(int fd)
{
	const struct fault *f = fault_named("error");
	/* Larger than what the CPU clears itself. */
	uint64_t size = max(vtgpu_getparam(fd, VTGPU_PARAM_VISIBLE_VRAM_SIZE) / 8,
			    (uint64_t)1 << 20);
	struct drm_vtgpu_cmd copy = { .op = VTGPU_CMD_COPY, .size = BO_SIZE };
	struct drm_vtgpu_submit submit = {
		.cmds = to_user_pointer(&copy), .num_cmds = 1,
	};
	struct drm_vtgpu_gem_create create = {
		.size = size, .domains = VTGPU_GEM_DOMAIN_GTT,
	};
	uint32_t bo, out, *ptr, *out_ptr;
	struct counters before, now;
	unsigned int hits;
	uint64_t secrets;

	igt_assert(!engine_wedged(fd));
	igt_device_get_pci_slot_name(fd, wedged_slot);
	igt_install_exit_handler(rebind_if_wedged);
	out = create_idle(fd, VTGPU_GEM_DOMAIN_GTT, 0);
	out_ptr = vtgpu_gem_mmap(fd, out, BO_SIZE, PROT_READ | PROT_WRITE);
	vtgpu_write_seq(out_ptr, BO_SIZE, 0x0a7e0000);
	leave_secret_in_visible_vram(fd);
	read_counters(fd, &before);

	begin_fault(fd, f);
	bo = vtgpu_gem_create(fd, size, VTGPU_GEM_DOMAIN_VRAM, 0,
			      VTGPU_GEM_CREATE_CPU_ACCESS_REQUIRED);
	hits = hit_every_retry(fd, f, &before);
	end_fault(fd, f);
	read_counters(fd, &now);
	igt_info("%u hits on the clear, %" PRIu64 " resets\n", hits,
		 now.resets - before.resets);
	igt_assert_lt(1, hits);
	igt_assert_eq_u64(now.failed, before.failed + 1);

	ptr = vtgpu_gem_mmap(fd, bo, size, PROT_READ);
	igt_assert_eq(vtgpu_read_signal(ptr), 0);
	secrets = count_secret(ptr, size);
	igt_assert_f(!secrets, "%" PRIu64 " of the %" PRIu64 " dwords of the "
		     "BO whose clear failed hold the previous owner's data\n",
		     secrets, size / 4);
	vtgpu_check_fill(ptr, size, 0, "BO whose clear failed (dummy page)");
	munmap(ptr, size);

	igt_assert(engine_wedged(fd));
	vtgpu_check_fill(out_ptr, BO_SIZE, 0, "mapping made before the wedge");
	munmap(out_ptr, BO_SIZE);
	/* Nor may the engine copy the old bytes anywhere. */
	copy.src_handle = bo;
	copy.dst_handle = out;
	igt_assert_eq(__vtgpu_submit(fd, &submit), -EIO);
	igt_assert_eq(__vtgpu_gem_create(fd, &create), -EIO);

	/* Binding the driver again brings the device back. */
	vtgpu_inject(fd, "none");
	gem_close(fd, bo);
	gem_close(fd, out);
	fd = vtgpu_rebind(fd);
	wedged_slot[0] = '\0';
	igt_assert(!engine_wedged(fd));
	check_engine_works(fd);
	return fd;
}

static const struct {
	const char *name;
	void (*fn)(int fd, const struct fault *f);
	const char *describe;
} tests[] = {
	{ "fence-error", test_fence_error,
	  "Check that the guilty job's fence signals with the fault's error "
	  "(-ETIMEDOUT for a hang, after the fence timeout; -EIO for an "
	  "error) and that debugfs stats count one reset of that kind." },
	{ "queued-jobs", test_queued_jobs,
	  "Check that jobs queued behind the guilty one complete without an "
	  "error and with the right contents after the reset." },
	{ "other-client", test_other_client,
	  "Check that another client's jobs, queued while the guilty job is "
	  "on the engine, complete correctly: only the guilty job fails." },
	{ "bo-contents", test_bo_contents,
	  "Check that BOs in visible and invisible VRAM, GTT and SYSTEM, and "
	  "a mapped one, keep their contents and placement across the "
	  "fault." },
	{ "eviction", test_eviction,
	  "Check that an eviction of VRAM whose move the fault hits is run "
	  "again after the reset: every evicted BO keeps its contents and no "
	  "job fails." },
	{ "move-fallback", test_move_fallback,
	  "Check that a move from visible VRAM to GTT that the fault hits "
	  "each time it runs, retries included, is done by the CPU: the BO "
	  "keeps its contents and no job fails." },
	{ "recovery", test_recovery,
	  "Check that the engine fills and copies correctly between VRAM and "
	  "GTT after each of several faults in a row." },
};

igt_main
{
	int fd = -1;

	igt_fixture {
		fd = drm_open_driver_render(DRIVER_VTGPU);
		igt_require(getuid() == 0);
		vtgpu_require_inject(fd);
		vtgpu_set_engine_delay(fd, 0);
	}

	for (unsigned int t = 0; t < ARRAY_SIZE(tests); t++) {
		for (unsigned int i = 0; i < ARRAY_SIZE(faults); i++) {
			igt_describe_f("%s (engine %s)", tests[t].describe,
				       faults[i].name);
			igt_subtest_f("%s-%s", faults[i].name, tests[t].name)
				tests[t].fn(fd, &faults[i]);
		}
	}

	igt_describe("Check that a clear of new VRAM that the engine fails "
		     "each time it runs, retries included, never shows what "
		     "an earlier owner left there: the device wedges, every "
		     "mapping reads the dummy page, jobs and BO creation fail "
		     "with -EIO, and binding the driver again brings the "
		     "device back.");
	igt_subtest("failed-clear-wedges")
		fd = test_failed_clear(fd);

	igt_fixture
		close(fd);
}
