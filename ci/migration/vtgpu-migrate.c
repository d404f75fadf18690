// SPDX-License-Identifier: MIT
/*
 * The guest side of the live-migration test (ci/migration/run.sh and
 * drive.py).
 *
 * It puts known data in BOs of every placement: CPU-visible VRAM,
 * invisible VRAM, GTT, and userptr BOs of its own memory; queues
 * independent copies on the engine, which the device's engine-delay-us
 * keeps in flight while the VM migrates; and rewrites one mapped VRAM BO over and
 * over until the host says the guest runs on the destination. Then it
 * waits for the jobs and checks every byte.
 *
 * Arguments: the DRM node and the virtio-serial port the host and the
 * guest talk over, a line each:
 *   guest: "ready JOBS BOS"   set up, JOBS jobs queued, BOS BOs to check
 *   host:  "migrated"         the guest now runs on the destination
 *   guest: "busy N"           jobs still queued when "migrated" came
 *   guest: "writer N"         times the writer BO was rewritten meanwhile
 *   guest: "bo NAME EXPECTED BEFORE AFTER SIZE WRONG" for each BO,
 *          then "done WRONG"
 * EXPECTED is the placement the BO was made for ("vram" is either part of
 * VRAM), BEFORE and AFTER where it was before the migration and when it
 * was checked; WRONG counts the bytes that differ from what they must
 * hold.
 */

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "libvtgpu.h"

#define MiB (1024 * 1024)
#define JOB_BO_SIZE (1 * MiB)
#define JOBS 24
#define WAIT_NS (120LL * 1000 * 1000 * 1000)

static struct vtgpu_device *dev;
static int port;
static uint64_t total_wrong;

static void say(const char *fmt, ...)
{
	char line[256];
	va_list ap;
	ssize_t n;
	int len, done;

	va_start(ap, fmt);
	len = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (len >= (int)sizeof(line))
		len = sizeof(line) - 1;
	fputs(line, stdout);
	for (done = 0; done < len; done += n) {
		n = write(port, line + done, len - done);
		if (n <= 0) {
			perror("write to the port");
			return;
		}
	}
}

static void die(const char *what, int err)
{
	say("error %s: %s\n", what, strerror(-err));
	exit(1);
}

/* The data a BO of seed @seed holds: a word per 4 bytes, none alike. */
static uint32_t word(uint32_t seed, uint64_t i)
{
	return (uint32_t)(i * 2654435761u) ^ (seed * 0x9e3779b9u) ^
	       (uint32_t)(i >> 32);
}

static void fill(void *ptr, uint64_t size, uint32_t seed)
{
	uint32_t *p = ptr;
	uint64_t i;

	for (i = 0; i < size / 4; i++)
		p[i] = word(seed, i);
}

/* Bytes of @ptr that differ from the data of @seed. */
static uint64_t wrong_bytes(const void *ptr, uint64_t size, uint32_t seed)
{
	const uint32_t *p = ptr;
	uint64_t i, wrong = 0;
	int b;

	for (i = 0; i < size / 4; i++) {
		uint32_t diff = p[i] ^ word(seed, i);

		for (b = 0; diff && b < 4; b++, diff >>= 8)
			wrong += (diff & 0xff) != 0;
	}
	return wrong;
}

struct bo {
	const char *name;
	/* the placement it was made for, and where it was before migrating */
	const char *expect;
	const char *before;
	uint32_t handle;
	uint64_t size;
	void *map;
};

static const char *expected(uint32_t domain, uint32_t flags)
{
	if (domain == VTGPU_GEM_DOMAIN_GTT)
		return "gtt";
	if (flags & VTGPU_GEM_CREATE_CPU_ACCESS_REQUIRED)
		return "vram-visible";
	if (flags & VTGPU_GEM_CREATE_NO_CPU_ACCESS)
		return "vram-invisible";
	return "vram";
}

static struct bo bo_new(const char *name, uint64_t size, uint32_t domain,
			uint32_t flags)
{
	struct drm_vtgpu_gem_create create = {
		.size = size,
		.domains = domain,
		.preferred = domain,
		.flags = flags,
	};
	struct bo bo = {
		.name = name,
		.expect = expected(domain, flags),
		.size = size,
	};
	int ret = vtgpu_bo_create(dev, &create);

	if (ret)
		die(name, ret);
	bo.handle = create.handle;
	return bo;
}

static void *bo_map(struct bo *bo)
{
	int ret;

	if (!bo->map) {
		ret = vtgpu_bo_mmap(dev, bo->handle, bo->size,
				    PROT_READ | PROT_WRITE, &bo->map);
		if (ret)
			die(bo->name, ret);
	}
	return bo->map;
}

static struct bo bo_userptr(const char *name, uint64_t size)
{
	struct drm_vtgpu_gem_userptr args = { .size = size };
	struct bo bo = { .name = name, .expect = "userptr", .size = size };
	int ret;

	bo.map = mmap(NULL, size, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (bo.map == MAP_FAILED)
		die(name, -errno);
	args.addr = (uintptr_t)bo.map;
	ret = vtgpu_bo_userptr(dev, &args);
	if (ret)
		die(name, ret);
	bo.handle = args.handle;
	return bo;
}

/* The drm-client-id of our DRM file, from its fdinfo. */
static unsigned long long client_id(void)
{
	unsigned long long id = 0;
	char path[64], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d",
		 vtgpu_device_fd(dev));
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "drm-client-id: %llu", &id) == 1)
			break;
	fclose(f);
	return id;
}

/*
 * Where the kernel placed a BO, which only debugfs tells: the line of
 * its handle in a vtgpu device's "handles" file.
 */
static const char *domain_name(uint32_t handle)
{
	struct drm_vtgpu_gem_info info = { .handle = handle };
	unsigned long long id = client_id(), line_id;
	const char *name = "?";
	char line[256], where[16];
	unsigned int line_handle;
	glob_t files;
	size_t i;
	int pos;

	if (!vtgpu_bo_info(dev, &info) &&
	    (info.info_flags & VTGPU_GEM_INFO_USERPTR))
		return "userptr";
	if (glob("/sys/kernel/debug/dri/*/handles", 0, NULL, &files))
		return name;
	for (i = 0; i < files.gl_pathc && !strcmp(name, "?"); i++) {
		FILE *f = fopen(files.gl_pathv[i], "r");

		while (f && fgets(line, sizeof(line), f)) {
			if (sscanf(line, "%llu %u %15s%n", &line_id,
				   &line_handle, where, &pos) != 3 ||
			    line_id != id || line_handle != handle)
				continue;
			if (!strcmp(where, "vram"))
				name = strstr(line + pos, " visible") ?
				       "vram-visible" : "vram-invisible";
			else if (!strcmp(where, "gtt"))
				name = "gtt";
			else
				name = "system";
			break;
		}
		if (f)
			fclose(f);
	}
	globfree(&files);
	return name;
}

static void copy(struct bo *src, struct bo *dst, uint64_t size)
{
	struct drm_vtgpu_cmd cmd = {
		.op = VTGPU_CMD_COPY,
		.src_handle = src->handle,
		.dst_handle = dst->handle,
		.size = size,
	};
	struct drm_vtgpu_submit submit = {
		.cmds = (uintptr_t)&cmd,
		.num_cmds = 1,
	};
	int ret = vtgpu_submit(dev, &submit);

	if (ret)
		die("submit", ret);
}

static void bo_idle(struct bo *bo)
{
	struct timespec now;
	int ret;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ret = vtgpu_bo_wait(dev, bo->handle, now.tv_sec * 1000000000LL +
			    now.tv_nsec + WAIT_NS);
	if (ret)
		die(bo->name, ret);
}

static void report(struct bo *bo, const char *after, uint64_t wrong)
{
	say("bo %s %s %s %s %llu %llu\n", bo->name, bo->expect, bo->before,
	    after, (unsigned long long)bo->size, (unsigned long long)wrong);
	total_wrong += wrong;
}

/* Report how many bytes of @bo differ from @seed's data, read by the CPU. */
static void check_mapped(struct bo *bo, uint32_t seed)
{
	const char *after;

	bo_idle(bo);
	after = domain_name(bo->handle);
	report(bo, after, wrong_bytes(bo->map ? bo->map : bo_map(bo),
				      bo->size, seed));
}

/* The same for a BO the CPU does not map: read through a copy into GTT. */
static void check_copied(struct bo *bo, struct bo *readback, uint32_t seed)
{
	const char *after = domain_name(bo->handle);

	copy(bo, readback, bo->size);
	bo_idle(readback);
	report(bo, after, wrong_bytes(bo_map(readback), bo->size, seed));
}

/*
 * Has the host written a whole line? Read what it wrote into @line (of
 * @len bytes, @used so far) without waiting.
 */
static bool host_says(char *line, size_t len, size_t *used)
{
	struct pollfd pfd = { .fd = port, .events = POLLIN };
	ssize_t n;

	if (poll(&pfd, 1, 0) <= 0 || !(pfd.revents & POLLIN))
		return false;
	n = read(port, line + *used, len - 1 - *used);
	if (n <= 0)
		return false;
	*used += n;
	line[*used] = '\0';
	return strchr(line, '\n') || *used == len - 1;
}

int main(int argc, char **argv)
{
	struct bo visible, invisible, gtt, staging, readback, writer;
	struct bo user_src, from_user, user_dst, src[JOBS], dst[JOBS];
	char line[64] = "";
	size_t used = 0;
	uint32_t generation = 0;
	unsigned int i, busy = 0;
	int ret;

	if (argc != 3) {
		fprintf(stderr, "usage: %s DRM-NODE PORT\n", argv[0]);
		return 2;
	}
	port = open(argv[2], O_RDWR);
	if (port < 0) {
		perror(argv[2]);
		return 1;
	}
	ret = vtgpu_device_open(argv[1], &dev);
	if (ret)
		die(argv[1], ret);

	/* Known data in each placement. */
	visible = bo_new("visible", 8 * MiB, VTGPU_GEM_DOMAIN_VRAM,
			 VTGPU_GEM_CREATE_CPU_ACCESS_REQUIRED);
	fill(bo_map(&visible), visible.size, 1);
	gtt = bo_new("gtt", 8 * MiB, VTGPU_GEM_DOMAIN_GTT, 0);
	fill(bo_map(&gtt), gtt.size, 3);
	staging = bo_new("staging", 8 * MiB, VTGPU_GEM_DOMAIN_GTT, 0);
	fill(bo_map(&staging), staging.size, 2);
	readback = bo_new("readback", 8 * MiB, VTGPU_GEM_DOMAIN_GTT, 0);
	bo_map(&readback);
	invisible = bo_new("invisible", 8 * MiB, VTGPU_GEM_DOMAIN_VRAM,
			   VTGPU_GEM_CREATE_NO_CPU_ACCESS);
	copy(&staging, &invisible, invisible.size);
	bo_idle(&invisible);

	/* User memory, read and written by the engine. */
	user_src = bo_userptr("userptr-src", 4 * MiB);
	fill(user_src.map, user_src.size, 4);
	from_user = bo_new("from-userptr", 4 * MiB, VTGPU_GEM_DOMAIN_VRAM,
			   VTGPU_GEM_CREATE_NO_CPU_ACCESS);
	user_dst = bo_userptr("userptr-dst", 4 * MiB);

	/*
	 * The BO the CPU rewrites during the migration, made and mapped now:
	 * making it later would wait for the queued jobs (its clear goes
	 * after them on the engine).
	 */
	writer = bo_new("writer", 4 * MiB, VTGPU_GEM_DOMAIN_VRAM,
			VTGPU_GEM_CREATE_CPU_ACCESS_REQUIRED);
	fill(bo_map(&writer), writer.size, 100);

	/*
	 * Jobs in flight: independent copies (a job waits for the jobs on
	 * its BOs when it is submitted), from GTT and visible VRAM the CPU
	 * filled into every placement, and the userptr copies.
	 */
	for (i = 0; i < JOBS; i++) {
		static const uint32_t domains[] = {
			VTGPU_GEM_DOMAIN_VRAM, VTGPU_GEM_DOMAIN_GTT,
			VTGPU_GEM_DOMAIN_VRAM,
		};
		static char names[JOBS][2][16];

		snprintf(names[i][0], sizeof(names[i][0]), "src-%u", i);
		snprintf(names[i][1], sizeof(names[i][1]), "dst-%u", i);
		src[i] = bo_new(names[i][0], JOB_BO_SIZE,
				domains[(i + 1) % 3], 0);
		fill(bo_map(&src[i]), JOB_BO_SIZE, 10 + i);
		dst[i] = bo_new(names[i][1], JOB_BO_SIZE, domains[i % 3],
				i % 3 == 0 ? VTGPU_GEM_CREATE_NO_CPU_ACCESS : 0);
	}
	for (i = 0; i < JOBS; i++)
		copy(&src[i], &dst[i], JOB_BO_SIZE);
	copy(&user_src, &from_user, from_user.size);
	copy(&visible, &user_dst, user_dst.size);

	writer.before = domain_name(writer.handle);
	visible.before = domain_name(visible.handle);
	gtt.before = domain_name(gtt.handle);
	invisible.before = domain_name(invisible.handle);
	for (i = 0; i < JOBS; i++)
		dst[i].before = domain_name(dst[i].handle);
	from_user.before = domain_name(from_user.handle);
	user_dst.before = domain_name(user_dst.handle);
	say("ready %u %u\n", JOBS + 2, JOBS + 6);

	/* Rewrite a mapped VRAM BO until the host says it is done. */
	do {
		fill(writer.map, writer.size, 100 + ++generation);
	} while (!host_says(line, sizeof(line), &used));
	if (strcmp(line, "migrated\n")) {
		say("error host said %s\n", line);
		return 1;
	}
	for (i = 0; i < JOBS; i++)
		busy += vtgpu_bo_wait(dev, dst[i].handle, 0) == -ETIMEDOUT;
	busy += vtgpu_bo_wait(dev, user_dst.handle, 0) == -ETIMEDOUT;
	say("busy %u\n", busy);
	say("writer %u\n", generation);

	check_mapped(&writer, 100 + generation);
	check_mapped(&visible, 1);
	check_mapped(&gtt, 3);
	check_copied(&invisible, &readback, 2);
	for (i = 0; i < JOBS; i++)
		check_copied(&dst[i], &readback, 10 + i);
	check_copied(&from_user, &readback, 4);
	check_mapped(&user_dst, 1);
	say("done %llu\n", (unsigned long long)total_wrong);
	vtgpu_device_destroy(dev);
	return total_wrong ? 1 : 0;
}
