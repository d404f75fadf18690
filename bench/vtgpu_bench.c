// SPDX-License-Identifier: MIT
/*
 * Copyright 2026 The vtgpu authors
 *
 * vtgpu-bench: the benchmarks of issue 8, run in the guest. Every number
 * vtgpu gets is paired with a named peer measured in the same boot, so
 * that what is reported is a ratio: absolute times under TCG mean little.
 *
 *   P1  fault rate: first-touch pages per second through a mapping of a
 *       BO in visible VRAM, GTT and SYSTEM, for several prefault windows
 *       and madvise() hints, against vgem and anonymous memory
 *   P2  move bandwidth: VRAM -> GTT and back on the engine (4 BOs of
 *       15 MiB; the moves into GTT include allocating and binding the
 *       GTT pages, as an eviction does), against the
 *       same moves done by the CPU (the host's memcpy, the ceiling for
 *       the engine under TCG, is measured by ci/bench.sh)
 *   P3  mmap_lock latency: while a fault waits about a second for a move
 *       behind a busy engine, another thread's mmap()/munmap() latency,
 *       with the RETRY path and with vtgpu.fault_blocking
 *   P4  BO create + mmap + first touch + close rate, against vgem dumb BOs
 *   P5  userptr create + first use of 1 MiB, against udmabuf of a memfd
 *
 * P6, the eviction soak's bytes moved per second, is vtgpu_evict@soak's:
 * ci/bench.sh runs it after this program.
 *
 * Each benchmark takes its samples in rounds, and each round measures
 * vtgpu and its peer one after the other: a host that gets busier or
 * quieter during the run then moves both alike, and the ratio holds.
 * The medians over the rounds are reported.
 *
 * Prints one JSON object per line (see ci/bench-report.py for the table).
 * With --trace FILE first, P2 then runs one more round of each direction,
 * traced (tracefs events and kprobes), and writes the log to FILE: where
 * a move's time goes.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/udmabuf.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <xf86drm.h>

#include "vtgpu_drm.h"

#define PAGE_SZ 4096ull
#define MiB (1ull << 20)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
/* Rounds of P1, P3, P4 and P5. */
#define ROUNDS 5

#define SHMEM_THP "/sys/kernel/mm/transparent_hugepage/shmem_enabled"

#define TRACEFS "/sys/kernel/debug/tracing"

static int vtgpu_fd = -1, vgem_fd = -1;
static char debugfs[256];
/* --trace FILE: where P2's traced round writes its tracefs log. */
static const char *trace_file;

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "vtgpu-bench: ");
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	exit(1);
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static double percentile(double *v, unsigned int n, double p)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[(unsigned int)((n - 1) * p + 0.5)];
}

/* One result: vtgpu's value, the peer's, and what it means. */
static void result(const char *bench, const char *name, const char *unit,
		   double value, const char *peer, double peer_value,
		   const char *extra)
{
	printf("{\"bench\": \"%s\", \"case\": \"%s\", \"unit\": \"%s\", "
	       "\"value\": %.6g, \"peer\": \"%s\", \"peer_value\": %.6g, "
	       "\"ratio\": %.4g%s%s}\n", bench, name, unit, value, peer,
	       peer_value, peer_value > 0 ? value / peer_value : 0,
	       extra ? ", " : "", extra ? extra : "");
	fflush(stdout);
}

/* The first node of driver @name, "card" or "renderD" ones. */
static int open_driver(const char *name, const char *node)
{
	for (int i = 0; i < 192; i++) {
		char path[32];
		drmVersionPtr v;
		int fd;

		snprintf(path, sizeof(path), "/dev/dri/%s%d", node, i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		v = drmGetVersion(fd);
		if (v && !strcmp(v->name, name)) {
			drmFreeVersion(v);
			return fd;
		}
		drmFreeVersion(v);
		close(fd);
	}
	die("no %s render node\n", name);
	return -1;
}

/* The debugfs directory of the vtgpu device: dri/N with name "vtgpu ...". */
static void find_debugfs(void)
{
	for (int i = 0; i < 64; i++) {
		char path[256], name[64] = "";
		FILE *f;

		snprintf(path, sizeof(path), "/sys/kernel/debug/dri/%d/name", i);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (!fgets(name, sizeof(name), f))
			name[0] = 0;
		fclose(f);
		if (!strncmp(name, "vtgpu ", 6)) {
			snprintf(debugfs, sizeof(debugfs),
				 "/sys/kernel/debug/dri/%d", i);
			return;
		}
	}
	die("no vtgpu debugfs directory\n");
}

static void write_file(const char *path, const char *value)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(value, f) < 0 || fclose(f))
		die("write %s: %m\n", path);
}

static void set_param(const char *name, const char *value)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/module/vtgpu/parameters/%s", name);
	write_file(path, value);
}

static void set_knob(const char *name, unsigned int value)
{
	char path[300], buf[16];

	snprintf(path, sizeof(path), "%s/%s", debugfs, name);
	snprintf(buf, sizeof(buf), "%u", value);
	write_file(path, buf);
}

static uint64_t stat_get(const char *name)
{
	char path[300], line[128];
	size_t len = strlen(name);
	uint64_t v = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/stats", debugfs);
	f = fopen(path, "r");
	if (!f)
		die("%s: %m\n", path);
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, len) && line[len] == ':')
			v = strtoull(line + len + 1, NULL, 10);
	fclose(f);
	return v;
}

static void do_ioctl(int fd, unsigned long req, void *arg)
{
	if (drmIoctl(fd, req, arg))
		die("ioctl %#lx: %m\n", req);
}

static uint32_t bo_create(uint64_t size, uint32_t domains, uint32_t flags)
{
	struct drm_vtgpu_gem_create c = {
		.size = size, .domains = domains, .flags = flags,
	};

	do_ioctl(vtgpu_fd, DRM_IOCTL_VTGPU_GEM_CREATE, &c);
	return c.handle;
}

static void bo_close(int fd, uint32_t handle)
{
	struct drm_gem_close c = { .handle = handle };

	do_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &c);
}

/*
 * A BO the CPU may map, in invisible VRAM: made while CPU-mappable BOs
 * fill visible VRAM (nine eighths of it), it lands beyond it.
 */
static uint32_t bo_create_invisible(uint64_t size)
{
	struct drm_vtgpu_getparam p = {
		.param = VTGPU_PARAM_VISIBLE_VRAM_SIZE,
	};
	uint32_t filler[9], bo;
	unsigned int i;

	do_ioctl(vtgpu_fd, DRM_IOCTL_VTGPU_GETPARAM, &p);
	for (i = 0; i < 9; i++)
		filler[i] = bo_create(p.value / 8, VTGPU_GEM_DOMAIN_VRAM |
				      VTGPU_GEM_DOMAIN_GTT,
				      VTGPU_GEM_CREATE_CPU_ACCESS_REQUIRED);
	bo = bo_create(size, VTGPU_GEM_DOMAIN_VRAM | VTGPU_GEM_DOMAIN_GTT, 0);
	for (i = 0; i < 9; i++)
		bo_close(vtgpu_fd, filler[i]);
	return bo;
}

static void bo_wait(uint32_t handle)
{
	struct drm_vtgpu_gem_wait w = { .handle = handle };
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	w.timeout_ns = ts.tv_sec * 1000000000LL + ts.tv_nsec + 60000000000LL;
	do_ioctl(vtgpu_fd, DRM_IOCTL_VTGPU_GEM_WAIT, &w);
}

static void *bo_mmap(uint32_t handle, uint64_t size)
{
	struct drm_vtgpu_gem_mmap_offset m = { .handle = handle };
	void *ptr;

	do_ioctl(vtgpu_fd, DRM_IOCTL_VTGPU_GEM_MMAP_OFFSET, &m);
	ptr = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, vtgpu_fd,
		   m.offset);
	if (ptr == MAP_FAILED)
		die("mmap: %m\n");
	return ptr;
}

static void submit(const struct drm_vtgpu_cmd *cmds, unsigned int n)
{
	struct drm_vtgpu_submit s = {
		.cmds = (uintptr_t)cmds, .num_cmds = n,
	};

	do_ioctl(vtgpu_fd, DRM_IOCTL_VTGPU_SUBMIT, &s);
}

static void fill(uint32_t handle, uint64_t size, uint32_t pattern)
{
	struct drm_vtgpu_cmd c = {
		.op = VTGPU_CMD_FILL, .dst_handle = handle, .size = size,
		.pattern = pattern,
	};

	submit(&c, 1);
}

static void *vgem_dumb_mmap(uint64_t size, uint32_t *handle)
{
	struct drm_mode_create_dumb c = {
		.width = size / 4, .height = 1, .bpp = 32,
	};
	struct drm_mode_map_dumb m = {};
	void *ptr;

	do_ioctl(vgem_fd, DRM_IOCTL_MODE_CREATE_DUMB, &c);
	m.handle = c.handle;
	do_ioctl(vgem_fd, DRM_IOCTL_MODE_MAP_DUMB, &m);
	ptr = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, vgem_fd,
		   m.offset);
	if (ptr == MAP_FAILED)
		die("vgem mmap: %m\n");
	*handle = c.handle;
	return ptr;
}

/* Write the first dword of every page; pages per second. */
static double touch_pages(volatile uint32_t *ptr, uint64_t size, int advice)
{
	double t0;

	if (advice != MADV_NORMAL && madvise((void *)ptr, size, advice))
		die("madvise: %m\n");
	t0 = now();
	for (uint64_t i = 0; i < size / 4; i += PAGE_SZ / 4)
		ptr[i] = i;
	return size / PAGE_SZ / (now() - t0);
}

enum peer_kind { PEER_VTGPU, PEER_VGEM, PEER_ANON };

/* The domains P1 and P4 measure, each on its own. */
static const struct {
	uint32_t domain;
	const char *name;
} domains[] = {
	{ VTGPU_GEM_DOMAIN_VRAM, "vram" },
	{ VTGPU_GEM_DOMAIN_GTT, "gtt" },
	{ VTGPU_GEM_DOMAIN_SYSTEM, "system" },
};

/* First-touch rate of one fresh mapping. */
static double fault_rate(enum peer_kind kind, uint32_t domain,
			 uint64_t size, int advice)
{
	uint32_t handle;
	double rate;
	void *ptr;

	switch (kind) {
	case PEER_VTGPU:
		handle = bo_create(size, domain,
				   domain == VTGPU_GEM_DOMAIN_VRAM ?
				   VTGPU_GEM_CREATE_CPU_ACCESS_REQUIRED : 0);
		bo_wait(handle);
		ptr = bo_mmap(handle, size);
		rate = touch_pages(ptr, size, advice);
		munmap(ptr, size);
		bo_close(vtgpu_fd, handle);
		break;
	case PEER_VGEM:
		ptr = vgem_dumb_mmap(size, &handle);
		rate = touch_pages(ptr, size, advice);
		munmap(ptr, size);
		bo_close(vgem_fd, handle);
		break;
	case PEER_ANON:
	default:
		ptr = mmap(NULL, size, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (ptr == MAP_FAILED)
			die("mmap: %m\n");
		rate = touch_pages(ptr, size, advice);
		munmap(ptr, size);
		break;
	}
	return rate;
}

static const char *advice_name(int advice)
{
	return advice == MADV_RANDOM ? "random" :
	       advice == MADV_SEQUENTIAL ? "sequential" : "default";
}

static void bench_p1(void)
{
	static const struct {
		const char *prefault;
		int advice;
	} policies[] = {
		{ "1", MADV_NORMAL },
		{ "16", MADV_NORMAL },
		{ "64", MADV_NORMAL },
		{ "16", MADV_RANDOM },
		{ "16", MADV_SEQUENTIAL },
	};
	const uint64_t size = 16 * MiB;

	for (unsigned int p = 0; p < ARRAY_SIZE(policies); p++) {
		uint64_t faults[ARRAY_SIZE(domains)] = { 0 };
		double vgem[ROUNDS], anon[ROUNDS];
		double vtgpu[ARRAY_SIZE(domains)][ROUNDS];
		int advice = policies[p].advice;

		set_param("prefault", policies[p].prefault);
		for (unsigned int r = 0; r < ROUNDS; r++) {
			vgem[r] = fault_rate(PEER_VGEM, 0, size, advice);
			anon[r] = fault_rate(PEER_ANON, 0, size, advice);
			for (unsigned int d = 0; d < ARRAY_SIZE(domains); d++) {
				uint64_t f = stat_get("cpu_faults");

				vtgpu[d][r] = fault_rate(PEER_VTGPU,
							 domains[d].domain,
							 size, advice);
				faults[d] += stat_get("cpu_faults") - f;
			}
		}
		for (unsigned int d = 0; d < ARRAY_SIZE(domains); d++) {
			double rate = median(vtgpu[d], ROUNDS);
			double peer = median(vgem, ROUNDS);
			double a = median(anon, ROUNDS);
			char name[64], extra[128];

			snprintf(name, sizeof(name), "%s prefault=%s %s",
				 domains[d].name, policies[p].prefault,
				 advice_name(advice));
			snprintf(extra, sizeof(extra),
				 "\"faults\": %.0f, \"pages\": %llu, "
				 "\"anon\": %.6g, \"anon_ratio\": %.4g",
				 (double)faults[d] / ROUNDS, size / PAGE_SZ, a,
				 rate / a);
			result("P1", name, "pages/s", rate, "vgem", peer,
			       extra);
		}
	}
	set_param("prefault", "16");
}

/* Time a move of every BO in @bos: bytes moved per second. */
static double move_bandwidth(const uint32_t *bos, unsigned int n,
			     uint64_t size, bool to_gtt)
{
	uint64_t bytes = stat_get("bytes_moved");
	char path[300], buf[32];
	double t0, t;
	FILE *f;

	t0 = now();
	if (to_gtt) {
		snprintf(path, sizeof(path), "%s/evict_vram", debugfs);
		f = fopen(path, "r");
		if (!f || !fgets(buf, sizeof(buf), f) || atoi(buf))
			die("evict_vram failed\n");
		fclose(f);
	} else {
		/* A job on each brings it back into VRAM. */
		for (unsigned int i = 0; i < n; i++)
			fill(bos[i], 4, i);
		for (unsigned int i = 0; i < n; i++)
			bo_wait(bos[i]);
	}
	t = now() - t0;
	bytes = stat_get("bytes_moved") - bytes;
	if (bytes < n * size)
		die("moved %" PRIu64 " bytes, expected %" PRIu64 "\n", bytes,
		    n * size);
	return bytes / t;
}

/* A line in the trace, which ci/bench-report.py cuts the log at. */
static void trace_mark(const char *what)
{
	write_file(TRACEFS "/trace_marker", what);
}

/*
 * One more round of each direction on the engine, traced: the kernel's
 * steps of a move (TTM's page pool, the GART, the scheduler's queue and
 * run, the engine's completion) with their times, for ci/bench-report.py
 * to break each direction's time down.
 */
static void p2_trace(const uint32_t *bos, unsigned int n, uint64_t size)
{
	static const char * const events[] = {
		"vtgpu_bench", "gpu_scheduler/drm_sched_job_queue",
		"gpu_scheduler/drm_sched_job_run",
		"gpu_scheduler/drm_sched_job_done",
	};
	char path[256], buf[4096];
	size_t len;
	FILE *in, *out;

	write_file(TRACEFS "/tracing_on", "0");
	write_file(TRACEFS "/trace", "");
	write_file(TRACEFS "/buffer_size_kb", "8192");
	write_file(TRACEFS "/kprobe_events",
		   "p:vtgpu_bench/pool_alloc ttm_pool_alloc\n"
		   "r:vtgpu_bench/pool_alloc_done ttm_pool_alloc\n"
		   "p:vtgpu_bench/gart_bind vtgpu_gart_bind\n"
		   "r:vtgpu_bench/gart_bind_done vtgpu_gart_bind\n"
		   "p:vtgpu_bench/submit vtgpu_submit_ioctl\n"
		   "r:vtgpu_bench/submit_done vtgpu_submit_ioctl\n");
	for (unsigned int i = 0; i < ARRAY_SIZE(events); i++) {
		snprintf(path, sizeof(path), TRACEFS "/events/%s/enable",
			 events[i]);
		write_file(path, "1");
	}
	write_file(TRACEFS "/tracing_on", "1");
	/* VRAM -> GTT, then back. */
	for (unsigned int back = 0; back < 2; back++) {
		bool to_gtt = !back;
		const char *dir = to_gtt ? "vram->gtt" : "gtt->vram";

		snprintf(buf, sizeof(buf), "p2 %s begin", dir);
		trace_mark(buf);
		move_bandwidth(bos, n, size, to_gtt);
		snprintf(buf, sizeof(buf), "p2 %s end %" PRIu64, dir, n * size);
		trace_mark(buf);
	}
	write_file(TRACEFS "/tracing_on", "0");

	in = fopen(TRACEFS "/trace", "r");
	out = fopen(trace_file, "w");
	if (!in || !out)
		die("trace to %s: %m\n", trace_file);
	while ((len = fread(buf, 1, sizeof(buf), in)))
		fwrite(buf, 1, len, out);
	fclose(in);
	if (fclose(out))
		die("trace to %s: %m\n", trace_file);
	for (unsigned int i = 0; i < ARRAY_SIZE(events); i++) {
		snprintf(path, sizeof(path), TRACEFS "/events/%s/enable",
			 events[i]);
		write_file(path, "0");
	}
	write_file(TRACEFS "/kprobe_events", "");
}

static void bench_p2(void)
{
	/* Most of visible VRAM (64 MiB by default), to amortise each move. */
	const uint64_t size = 15 * MiB;
	const unsigned int n = 4, reps = 3;
	double bw[2][2][3];
	uint32_t bos[4];

	for (unsigned int i = 0; i < n; i++) {
		bos[i] = bo_create(size, VTGPU_GEM_DOMAIN_VRAM |
				   VTGPU_GEM_DOMAIN_GTT,
				   VTGPU_GEM_CREATE_CPU_ACCESS_REQUIRED);
		fill(bos[i], size, 0x11111111 * i);
		bo_wait(bos[i]);
	}
	for (unsigned int r = 0; r < reps; r++) {
		for (unsigned int cpu = 0; cpu < 2; cpu++) {
			set_knob("move_with_cpu", cpu);
			bw[cpu][0][r] = move_bandwidth(bos, n, size, true);
			bw[cpu][1][r] = move_bandwidth(bos, n, size, false);
		}
	}
	set_knob("move_with_cpu", 0);
	if (trace_file)
		p2_trace(bos, n, size);
	for (unsigned int dir = 0; dir < 2; dir++)
		result("P2", dir ? "gtt->vram" : "vram->gtt", "bytes/s",
		       median(bw[0][dir], reps), "cpu-memcpy-move",
		       median(bw[1][dir], reps), NULL);
	for (unsigned int i = 0; i < n; i++)
		bo_close(vtgpu_fd, bos[i]);
}

struct looper {
	atomic_bool stop;
	double lat[200000];
	unsigned int n;
};

static void *mmap_loop(void *arg)
{
	struct looper *l = arg;

	while (!atomic_load(&l->stop) && l->n < ARRAY_SIZE(l->lat)) {
		double t0 = now();
		void *p = mmap(NULL, PAGE_SZ, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p != MAP_FAILED)
			munmap(p, PAGE_SZ);
		l->lat[l->n++] = now() - t0;
		usleep(500);
	}
	return NULL;
}

/*
 * One P3 round: adds C's latencies while the fault waits to @l's; returns
 * the fault's wait.
 */
static double p3_round(struct looper *l)
{
	const uint64_t size = MiB;
	struct drm_vtgpu_cmd cmds[10];
	volatile uint32_t *ptr;
	pthread_t thread;
	uint32_t bo;
	double t0, waited;

	/* A BO in invisible VRAM, busy for about a second. */
	bo = bo_create_invisible(size);
	bo_wait(bo);
	set_knob("engine_delay_us", 100000);
	for (unsigned int i = 0; i < ARRAY_SIZE(cmds); i++)
		cmds[i] = (struct drm_vtgpu_cmd) {
			.op = VTGPU_CMD_FILL, .dst_handle = bo, .size = size,
			.pattern = i,
		};
	submit(cmds, ARRAY_SIZE(cmds));
	ptr = bo_mmap(bo, size);

	atomic_store(&l->stop, false);
	if (pthread_create(&thread, NULL, mmap_loop, l))
		die("pthread_create\n");
	usleep(50000);
	/* The fault moves it to visible VRAM, behind the busy engine. */
	t0 = now();
	if (ptr[0] != ARRAY_SIZE(cmds) - 1)
		die("P3: read %#x\n", ptr[0]);
	waited = now() - t0;
	usleep(50000);
	atomic_store(&l->stop, true);
	pthread_join(thread, NULL);
	set_knob("engine_delay_us", 0);
	munmap((void *)ptr, size);
	bo_close(vtgpu_fd, bo);
	return waited;
}

static void bench_p3(void)
{
	/* One per mode: [0] the RETRY path, [1] vtgpu.fault_blocking. */
	static struct looper l[2];
	double waited[2][ROUNDS];

	for (unsigned int r = 0; r < ROUNDS; r++) {
		for (unsigned int blocking = 0; blocking < 2; blocking++) {
			set_param("fault_blocking", blocking ? "1" : "0");
			waited[blocking][r] = p3_round(&l[blocking]);
		}
	}
	set_param("fault_blocking", "0");

	for (unsigned int i = 0; i < 3; i++) {
		static const char * const names[] = { "p50", "p99", "max" };
		static const double p[] = { 0.5, 0.99, 1.0 };
		char extra[96];

		snprintf(extra, sizeof(extra),
			 "\"fault_wait_s\": %.3f, \"fault_wait_blocking_s\": %.3f",
			 median(waited[0], ROUNDS), median(waited[1], ROUNDS));
		result("P3", names[i], "s", percentile(l[0].lat, l[0].n, p[i]),
		       "fault_blocking", percentile(l[1].lat, l[1].n, p[i]),
		       extra);
	}
}

/* Create, map, touch one page, unmap, close: operations per second. */
static double create_rate(enum peer_kind kind, uint32_t domain,
			  unsigned int n)
{
	const uint64_t size = 64 << 10;
	double t0 = now();

	for (unsigned int i = 0; i < n; i++) {
		volatile uint32_t *ptr;
		uint32_t handle;

		if (kind == PEER_VGEM) {
			ptr = vgem_dumb_mmap(size, &handle);
			ptr[0] = i;
			munmap((void *)ptr, size);
			bo_close(vgem_fd, handle);
		} else {
			handle = bo_create(size, domain,
					   VTGPU_GEM_CREATE_CPU_ACCESS_REQUIRED);
			ptr = bo_mmap(handle, size);
			ptr[0] = i;
			munmap((void *)ptr, size);
			bo_close(vtgpu_fd, handle);
		}
	}
	return n / (now() - t0);
}

static void bench_p4(void)
{
	const unsigned int n = 60;
	double vgem[ROUNDS], vtgpu[ARRAY_SIZE(domains)][ROUNDS];

	for (unsigned int r = 0; r < ROUNDS; r++) {
		vgem[r] = create_rate(PEER_VGEM, 0, n);
		for (unsigned int d = 0; d < ARRAY_SIZE(domains); d++)
			vtgpu[d][r] = create_rate(PEER_VTGPU,
						  domains[d].domain, n);
	}
	for (unsigned int d = 0; d < ARRAY_SIZE(domains); d++)
		result("P4", domains[d].name, "ops/s",
		       median(vtgpu[d], ROUNDS), "vgem-dumb",
		       median(vgem, ROUNDS), NULL);
}

/* Copy @src's first @size bytes to @dst and wait. */
static void copy_wait(uint32_t src, uint32_t dst, uint64_t size)
{
	struct drm_vtgpu_cmd c = {
		.op = VTGPU_CMD_COPY, .src_handle = src, .dst_handle = dst,
		.size = size,
	};

	submit(&c, 1);
	bo_wait(dst);
}

static double userptr_rate(uint32_t dst, unsigned int n)
{
	const uint64_t size = MiB;
	char *mem = mmap(NULL, size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	double t0;

	if (mem == MAP_FAILED)
		die("mmap: %m\n");
	memset(mem, 1, size);
	t0 = now();
	for (unsigned int i = 0; i < n; i++) {
		struct drm_vtgpu_gem_userptr u = {
			.addr = (uintptr_t)mem, .size = size,
		};

		do_ioctl(vtgpu_fd, DRM_IOCTL_VTGPU_GEM_USERPTR, &u);
		copy_wait(u.handle, dst, size);
		bo_close(vtgpu_fd, u.handle);
	}
	t0 = n / (now() - t0);
	munmap(mem, size);
	return t0;
}

static double udmabuf_rate(uint32_t dst, unsigned int n)
{
	const uint64_t size = MiB;
	int dev = open("/dev/udmabuf", O_RDWR);
	int memfd = memfd_create("vtgpu-bench", MFD_ALLOW_SEALING);
	double t0;
	char *mem;

	if (dev < 0 || memfd < 0 || ftruncate(memfd, size) ||
	    fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK))
		die("udmabuf setup: %m\n");
	mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	if (mem == MAP_FAILED)
		die("mmap: %m\n");
	memset(mem, 1, size);
	t0 = now();
	for (unsigned int i = 0; i < n; i++) {
		struct udmabuf_create c = {
			.memfd = memfd, .size = size,
		};
		uint32_t handle;
		int dmabuf = ioctl(dev, UDMABUF_CREATE, &c);

		if (dmabuf < 0 || drmPrimeFDToHandle(vtgpu_fd, dmabuf, &handle))
			die("udmabuf import: %m\n");
		copy_wait(handle, dst, size);
		bo_close(vtgpu_fd, handle);
		close(dmabuf);
	}
	t0 = n / (now() - t0);
	munmap(mem, size);
	close(memfd);
	close(dev);
	return t0;
}

static void bench_p5(void)
{
	const unsigned int n = 10;
	uint32_t dst = bo_create(MiB, VTGPU_GEM_DOMAIN_GTT, 0);
	double up[ROUNDS], udma[ROUNDS];

	for (unsigned int r = 0; r < ROUNDS; r++) {
		up[r] = userptr_rate(dst, n);
		udma[r] = udmabuf_rate(dst, n);
	}
	result("P5", "userptr 1 MiB", "ops/s", median(up, ROUNDS), "udmabuf",
	       median(udma, ROUNDS), NULL);
	bo_close(vtgpu_fd, dst);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		void (*fn)(void);
	} benches[] = {
		{ "P1", bench_p1 }, { "P2", bench_p2 }, { "P3", bench_p3 },
		{ "P4", bench_p4 }, { "P5", bench_p5 },
	};

	/*
	 * vgem's shmem pages could be faulted in 2 MiB at a time: pinned to
	 * one page per fault, as vtgpu's, for P1 and P4 (ci/bench-report.py
	 * says so).
	 */
	if (!access(SHMEM_THP, F_OK))
		write_file(SHMEM_THP, "never");

	vtgpu_fd = open_driver("vtgpu", "renderD");
	/* Dumb buffers are a primary node's. */
	vgem_fd = open_driver("vgem", "card");
	find_debugfs();
	if (argc > 2 && !strcmp(argv[1], "--trace")) {
		trace_file = argv[2];
		argc -= 2;
		argv += 2;
	}

	for (unsigned int i = 0; i < ARRAY_SIZE(benches); i++) {
		bool run = argc < 2;

		for (int a = 1; a < argc; a++)
			run |= !strcmp(argv[a], benches[i].name);
		if (!run)
			continue;
		fprintf(stderr, "vtgpu-bench: %s\n", benches[i].name);
		benches[i].fn();
	}
	return 0;
}
