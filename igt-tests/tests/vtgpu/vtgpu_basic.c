// SPDX-License-Identifier: MIT
/*
 * Copyright 2026 The vtgpu authors
 */

#include <errno.h>
#include <fcntl.h>
#include <linux/dma-buf.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
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
#include "dmabuf_sync_file.h"
#include "sw_sync.h"
#include "vtgpu_drm.h"

IGT_TEST_DESCRIPTION("Basic checks of the vtgpu driver: how it identifies "
		     "itself, the device parameters it reports, and every "
		     "ioctl with good and bad arguments.");

/* What a failed ioctl must leave in the value it would have written. */
#define SENTINEL 0xdeadbeefcafef00dull

static void test_version(int fd)
{
	drmVersionPtr version;

	version = drmGetVersion(fd);
	igt_assert(version);

	igt_info("driver %s %d.%d.%d (%s)\n", version->name,
		 version->version_major, version->version_minor,
		 version->version_patchlevel, version->date);

	igt_assert_f(strcmp(version->name, "vtgpu") == 0,
		     "driver name is \"%s\"\n", version->name);
	igt_assert_eq(version->version_major, 2);

	drmFreeVersion(version);
}

static void test_getparam(int fd)
{
	uint64_t vram, visible, bar, gart, max_cmds, max_syncs, value;

	vram = vtgpu_getparam(fd, VTGPU_PARAM_VRAM_SIZE);
	visible = vtgpu_getparam(fd, VTGPU_PARAM_VISIBLE_VRAM_SIZE);
	bar = vtgpu_pci_resource_len(fd, VTGPU_BAR_VRAM);
	gart = vtgpu_getparam(fd, VTGPU_PARAM_GART_SIZE);
	max_cmds = vtgpu_getparam(fd, VTGPU_PARAM_MAX_SUBMIT_CMDS);
	max_syncs = vtgpu_getparam(fd, VTGPU_PARAM_MAX_SUBMIT_SYNCS);

	igt_info("VRAM %" PRIu64 " bytes, %" PRIu64 " visible, BAR%d %" PRIu64
		 " bytes\n", vram, visible, VTGPU_BAR_VRAM, bar);

	igt_assert_lt_u64(0, visible);
	igt_assert_lte_u64(visible, vram);
	igt_assert_f(is_power_of_two(visible),
		     "visible VRAM size %#" PRIx64 " is not a power of two\n",
		     visible);
	igt_assert_eq_u64(visible, bar);

	/* At least 2 MiB of GART, in whole pages; some commands per job. */
	igt_info("GART %" PRIu64 " bytes, %" PRIu64 " commands and %" PRIu64
		 " syncs per job\n", gart, max_cmds, max_syncs);
	igt_assert_lte_u64(2 << 20, gart);
	igt_assert_eq_u64(gart % 4096, 0);
	igt_assert_lte_u64(1, max_cmds);
	igt_assert_lte_u64(1, max_syncs);

	/* No parameter 0; none past the last. */
	igt_assert_eq(__vtgpu_getparam(fd, 0, &value), -EINVAL);
	igt_assert_eq(__vtgpu_getparam(fd, VTGPU_PARAM_MAX_SUBMIT_SYNCS + 1,
				       &value), -EINVAL);
}

static void test_getparam_invalid(int fd)
{
	static const uint32_t params[] = { 0, 0xffff, 0xffffffff };

	for (unsigned int i = 0; i < ARRAY_SIZE(params); i++) {
		struct drm_vtgpu_getparam gp = {
			.param = params[i],
			.value = SENTINEL,
		};

		igt_debug("param %#x\n", params[i]);
		do_ioctl_err(fd, DRM_IOCTL_VTGPU_GETPARAM, &gp, EINVAL);
		igt_assert_eq_u64(gp.value, SENTINEL);
	}
}

static void test_getparam_nonzero_pad(int fd)
{
	static const uint32_t pads[] = { 1, 0x80000000, 0xffffffff };

	for (unsigned int i = 0; i < ARRAY_SIZE(pads); i++) {
		struct drm_vtgpu_getparam gp = {
			.param = VTGPU_PARAM_VRAM_SIZE,
			.pad = pads[i],
			.value = SENTINEL,
		};

		igt_debug("pad %#x\n", pads[i]);
		do_ioctl_err(fd, DRM_IOCTL_VTGPU_GETPARAM, &gp, EINVAL);
		igt_assert_eq_u64(gp.value, SENTINEL);
	}
}

static const struct {
	const char *name;
	uint32_t domains;
} domain_sets[] = {
	{ "vram", VTGPU_GEM_DOMAIN_VRAM },
	{ "gtt", VTGPU_GEM_DOMAIN_GTT },
	{ "system", VTGPU_GEM_DOMAIN_SYSTEM },
	{ "vram-gtt", VTGPU_GEM_DOMAIN_VRAM | VTGPU_GEM_DOMAIN_GTT },
	{ "all", VTGPU_GEM_DOMAIN_ALL },
};

static void check_pattern(const uint32_t *ptr, uint64_t size, uint32_t value)
{
	for (uint64_t i = 0; i < size / 4; i++)
		igt_assert_f(ptr[i] == value,
			     "dword %" PRIu64 " is %#x, expected %#x\n",
			     i, ptr[i], value);
}

static void test_gem_create(int fd)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(domain_sets); i++) {
		struct drm_vtgpu_gem_create create = {
			.size = 12345,
			.domains = domain_sets[i].domains,
		};
		struct drm_vtgpu_gem_info info;
		uint32_t *ptr;

		igt_debug("domains %s\n", domain_sets[i].name);
		igt_assert_eq(__vtgpu_gem_create(fd, &create), 0);
		igt_assert_neq(create.handle, 0);
		igt_assert_eq_u64(create.size, 16384);

		info = vtgpu_gem_info(fd, create.handle);
		igt_assert_eq_u64(info.size, 16384);
		igt_assert_eq_u32(info.domains, domain_sets[i].domains);
		igt_assert_f(vtgpu_gem_domain(fd, create.handle) & info.domains,
			     "BO in domain %#x, not one of %#x\n",
			     vtgpu_gem_domain(fd, create.handle), info.domains);
		igt_assert_eq_u32(info.preferred & info.domains, info.preferred);
		igt_assert_eq_u32(info.info_flags, 0);

		/* A new BO reads as zero, wherever it is. */
		ptr = vtgpu_gem_mmap(fd, create.handle, create.size, PROT_READ);
		check_pattern(ptr, create.size, 0);
		munmap(ptr, create.size);
		gem_close(fd, create.handle);
	}
}

/*
 * New BOs in visible VRAM read as zero where earlier BOs left a pattern:
 * the small ones that the CPU clears and the larger ones that the engine
 * clears.
 */
static void test_gem_create_cleared(int fd)
{
	static const uint64_t sizes[] = {
		4 << 10, 64 << 10, 256 << 10, (256 << 10) + (4 << 10), 4 << 20,
	};
	uint64_t filler_size = vtgpu_getparam(fd,
					      VTGPU_PARAM_VISIBLE_VRAM_SIZE) / 8;
	uint32_t fillers[VTGPU_VISIBLE_FILLERS], bos[ARRAY_SIZE(sizes)];

	igt_require(filler_size >= 1 << 20);
	vtgpu_fill_visible_vram(fd, fillers);
	for (unsigned int i = 0; i < VTGPU_VISIBLE_FILLERS; i++) {
		uint32_t *ptr = vtgpu_gem_mmap(fd, fillers[i], filler_size,
					       PROT_WRITE);

		memset(ptr, 0x5a, filler_size);
		munmap(ptr, filler_size);
		gem_close(fd, fillers[i]);
	}

	for (unsigned int i = 0; i < ARRAY_SIZE(sizes); i++) {
		struct vtgpu_bo_state state;

		bos[i] = vtgpu_gem_create(fd, sizes[i], VTGPU_GEM_DOMAIN_VRAM, 0,
					  VTGPU_GEM_CREATE_CPU_ACCESS_REQUIRED);
		state = vtgpu_bo_state(fd, bos[i]);
		igt_assert_eq_u32(state.domain, VTGPU_GEM_DOMAIN_VRAM);
		igt_assert(state.visible);
	}
	for (unsigned int i = 0; i < ARRAY_SIZE(sizes); i++) {
		uint32_t *ptr = vtgpu_gem_mmap(fd, bos[i], sizes[i], PROT_READ);

		igt_debug("%" PRIu64 " KiB\n", sizes[i] >> 10);
		check_pattern(ptr, sizes[i], 0);
		munmap(ptr, sizes[i]);
		gem_close(fd, bos[i]);
	}
}

/*
 * A new BO takes the space of one evicted behind a job that waits for a
 * sw_sync fence: its clear must wait for the eviction's copy, which still
 * reads that space, and the evicted BO keeps every byte.
 */
static void test_gem_create_cleared_busy(int fd)
{
	uint64_t filler_size = vtgpu_getparam(fd,
					      VTGPU_PARAM_VISIBLE_VRAM_SIZE) / 8;
	struct drm_vtgpu_cmd reads[VTGPU_VISIBLE_FILLERS] = {};
	struct drm_vtgpu_submit submit = {
		.cmds = to_user_pointer(reads),
		.num_cmds = ARRAY_SIZE(reads),
		.flags = VTGPU_SUBMIT_IN_FENCE_FD,
	};
	uint32_t fillers[VTGPU_VISIBLE_FILLERS], dst, bo, *ptr;
	int timeline;

	igt_require_sw_sync();
	dst = vtgpu_gem_create(fd, 4096, VTGPU_GEM_DOMAIN_GTT, 0, 0);
	vtgpu_fill_visible_vram(fd, fillers);
	for (unsigned int i = 0; i < VTGPU_VISIBLE_FILLERS; i++) {
		ptr = vtgpu_gem_mmap(fd, fillers[i], filler_size, PROT_WRITE);
		memset(ptr, 0x5a, filler_size);
		munmap(ptr, filler_size);
		reads[i] = (struct drm_vtgpu_cmd) {
			.op = VTGPU_CMD_COPY, .src_handle = fillers[i],
			.dst_handle = dst, .dst_offset = 4 * i, .size = 4,
		};
	}
	timeline = sw_sync_timeline_create();
	submit.in_fence_fd = sw_sync_timeline_create_fence(timeline, 1);
	igt_assert_eq(__vtgpu_submit(fd, &submit), 0);

	bo = vtgpu_gem_create(fd, 4096, VTGPU_GEM_DOMAIN_VRAM, 0,
			      VTGPU_GEM_CREATE_CPU_ACCESS_REQUIRED);
	sw_sync_timeline_inc(timeline, 1);

	for (unsigned int i = 0; i < VTGPU_VISIBLE_FILLERS; i++) {
		ptr = vtgpu_gem_mmap(fd, fillers[i], filler_size, PROT_READ);
		check_pattern(ptr, filler_size, 0x5a5a5a5a);
		munmap(ptr, filler_size);
		gem_close(fd, fillers[i]);
	}
	ptr = vtgpu_gem_mmap(fd, bo, 4096, PROT_READ);
	check_pattern(ptr, 4096, 0);
	munmap(ptr, 4096);
	close(submit.in_fence_fd);
	close(timeline);
	gem_close(fd, bo);
	gem_close(fd, dst);
}

static void test_gem_mmap(int fd)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(domain_sets); i++) {
		uint32_t handle = vtgpu_gem_create(fd, 65536,
						   domain_sets[i].domains, 0, 0);
		uint32_t *ptr;

		igt_debug("domains %s\n", domain_sets[i].name);
		ptr = vtgpu_gem_mmap(fd, handle, 65536, PROT_READ | PROT_WRITE);
		for (unsigned int j = 0; j < 65536 / 4; j++)
			ptr[j] = j * 2654435761u;
		munmap(ptr, 65536);

		ptr = vtgpu_gem_mmap(fd, handle, 65536, PROT_READ);
		for (unsigned int j = 0; j < 65536 / 4; j++)
			igt_assert_eq_u32(ptr[j], j * 2654435761u);
		munmap(ptr, 65536);
		gem_close(fd, handle);
	}
}

static void test_submit_copy(int fd)
{
	const uint64_t size = 1 << 20;
	uint32_t vram, gtt, vram2;
	uint32_t *ptr;

	vram = vtgpu_gem_create(fd, size, VTGPU_GEM_DOMAIN_VRAM, 0,
				VTGPU_GEM_CREATE_NO_CPU_ACCESS);
	vram2 = vtgpu_gem_create(fd, size, VTGPU_GEM_DOMAIN_VRAM, 0, 0);
	gtt = vtgpu_gem_create(fd, size, VTGPU_GEM_DOMAIN_GTT, 0, 0);

	vtgpu_fill(fd, vram, 0, size, 0x12345678);
	vtgpu_copy(fd, vram, 0, gtt, 0, size);
	vtgpu_gem_wait(fd, gtt);
	ptr = vtgpu_gem_mmap(fd, gtt, size, PROT_READ | PROT_WRITE);
	check_pattern(ptr, size, 0x12345678);

	for (unsigned int j = 0; j < size / 4; j++)
		ptr[j] = j;
	vtgpu_copy(fd, gtt, 0, vram2, 0, size);
	vtgpu_gem_wait(fd, vram2);
	munmap(ptr, size);
	ptr = vtgpu_gem_mmap(fd, vram2, size, PROT_READ);
	for (unsigned int j = 0; j < size / 4; j++)
		igt_assert_eq_u32(ptr[j], j);
	munmap(ptr, size);

	gem_close(fd, vram);
	gem_close(fd, vram2);
	gem_close(fd, gtt);
}

/* The value of a key of /proc/self/fdinfo/FD, in bytes for memory keys. */
static bool fdinfo_get(int fd, const char *key, char *value, size_t len)
{
	char path[64], line[256];
	size_t klen = strlen(key);
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	igt_assert(f);
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, klen) || line[klen] != ':')
			continue;
		found = sscanf(line + klen + 1, " %255[^\n]", value) == 1;
		igt_assert(strlen(value) < len);
		break;
	}
	fclose(f);
	return found;
}

/* drm-STAT-REGION of fdinfo, in bytes (drm-usage-stats.rst's keys). */
static uint64_t fdinfo_size(int fd, const char *stat, const char *region)
{
	char key[64], value[256], unit[8] = "";
	uint64_t v = 0;

	snprintf(key, sizeof(key), "drm-%s-%s", stat, region);
	igt_assert_f(fdinfo_get(fd, key, value, sizeof(value)),
		     "no %s in fdinfo\n", key);
	igt_assert(sscanf(value, "%" SCNu64 " %7s", &v, unit) >= 1);
	if (!strcmp(unit, "KiB"))
		v <<= 10;
	else if (!strcmp(unit, "MiB"))
		v <<= 20;
	return v;
}

static uint64_t fdinfo_memory(int fd, const char *region)
{
	return fdinfo_size(fd, "total", region);
}

static const char * const regions[] = { "vram", "gtt", "system" };

/* fdinfo's drm-engine-copy, in nanoseconds. */
static uint64_t fdinfo_engine_ns(int fd)
{
	char value[256];
	uint64_t ns;

	igt_assert(fdinfo_get(fd, "drm-engine-copy", value, sizeof(value)));
	igt_assert_f(sscanf(value, "%" SCNu64 " ns", &ns) == 1,
		     "drm-engine-copy: %s\n", value);
	return ns;
}

static bool has_invisible_vram(int fd)
{
	return vtgpu_getparam(fd, VTGPU_PARAM_VISIBLE_VRAM_SIZE) <
	       vtgpu_getparam(fd, VTGPU_PARAM_VRAM_SIZE);
}

static void test_gem_create_placement(int fd)
{
	struct drm_vtgpu_gem_info info;
	struct vtgpu_bo_state st;
	uint32_t bo;

	/* CPU-mappable VRAM BOs live in visible VRAM. */
	bo = vtgpu_gem_create(fd, 1 << 20, VTGPU_GEM_DOMAIN_VRAM, 0,
			      VTGPU_GEM_CREATE_CPU_ACCESS_REQUIRED);
	st = vtgpu_bo_state(fd, bo);
	igt_assert_eq_u32(st.domain, VTGPU_GEM_DOMAIN_VRAM);
	igt_assert_f(st.visible,
		     "CPU_ACCESS_REQUIRED BO not in visible VRAM\n");
	igt_assert_eq_u32(vtgpu_gem_info(fd, bo).create_flags,
			  VTGPU_GEM_CREATE_CPU_ACCESS_REQUIRED);
	gem_close(fd, bo);

	bo = vtgpu_gem_create(fd, 1 << 20, VTGPU_GEM_DOMAIN_ALL, 0, 0);
	st = vtgpu_bo_state(fd, bo);
	igt_assert_eq_u32(st.domain, VTGPU_GEM_DOMAIN_VRAM);
	igt_assert_eq_u32(vtgpu_gem_info(fd, bo).preferred,
			  VTGPU_GEM_DOMAIN_VRAM);
	igt_assert(st.visible);
	gem_close(fd, bo);

	/* NO_CPU_ACCESS BOs go to invisible VRAM when there is some. */
	bo = vtgpu_gem_create(fd, 1 << 20, VTGPU_GEM_DOMAIN_VRAM, 0,
			      VTGPU_GEM_CREATE_NO_CPU_ACCESS);
	st = vtgpu_bo_state(fd, bo);
	igt_assert_eq_u32(st.domain, VTGPU_GEM_DOMAIN_VRAM);
	if (has_invisible_vram(fd))
		igt_assert_f(!st.visible,
			     "NO_CPU_ACCESS BO in visible VRAM\n");
	gem_close(fd, bo);

	/* An explicit preference wins over the default order. */
	bo = vtgpu_gem_create(fd, 1 << 20, VTGPU_GEM_DOMAIN_ALL,
			      VTGPU_GEM_DOMAIN_GTT, 0);
	info = vtgpu_gem_info(fd, bo);
	igt_assert_eq_u32(vtgpu_gem_domain(fd, bo), VTGPU_GEM_DOMAIN_GTT);
	igt_assert_eq_u32(info.preferred, VTGPU_GEM_DOMAIN_GTT);
	igt_assert_eq_u32(info.domains, VTGPU_GEM_DOMAIN_ALL);
	gem_close(fd, bo);

	bo = vtgpu_gem_create(fd, 1 << 20, VTGPU_GEM_DOMAIN_SYSTEM, 0, 0);
	igt_assert_eq_u32(vtgpu_gem_domain(fd, bo), VTGPU_GEM_DOMAIN_SYSTEM);
	gem_close(fd, bo);
}

static void test_gem_create_invalid(int fd)
{
	uint64_t vram = vtgpu_getparam(fd, VTGPU_PARAM_VRAM_SIZE);
	uint64_t visible = vtgpu_getparam(fd, VTGPU_PARAM_VISIBLE_VRAM_SIZE);
	const struct {
		const char *what;
		uint64_t size;
		uint32_t domains, preferred, flags;
	} bad[] = {
		{ "zero size", 0, VTGPU_GEM_DOMAIN_ALL, 0, 0 },
		{ "size overflowing a page", ~0ull, VTGPU_GEM_DOMAIN_ALL, 0, 0 },
		{ "size above visible VRAM", visible + 4096,
		  VTGPU_GEM_DOMAIN_VRAM, 0,
		  VTGPU_GEM_CREATE_CPU_ACCESS_REQUIRED },
		{ "size above VRAM", vram + 4096, VTGPU_GEM_DOMAIN_VRAM, 0,
		  VTGPU_GEM_CREATE_NO_CPU_ACCESS },
		{ "no domain", 4096, 0, 0, 0 },
		{ "unknown domain", 4096, 0x8, 0, 0 },
		{ "unknown domain with known ones", 4096,
		  VTGPU_GEM_DOMAIN_ALL | 0x80000000, 0, 0 },
		{ "preferred not in domains", 4096, VTGPU_GEM_DOMAIN_VRAM,
		  VTGPU_GEM_DOMAIN_GTT, 0 },
		{ "two preferred", 4096, VTGPU_GEM_DOMAIN_ALL,
		  VTGPU_GEM_DOMAIN_GTT | VTGPU_GEM_DOMAIN_VRAM, 0 },
		{ "unknown preferred", 4096, VTGPU_GEM_DOMAIN_ALL, 0x8, 0 },
		{ "unknown flag", 4096, VTGPU_GEM_DOMAIN_ALL, 0, 0x4 },
		{ "both CPU access flags", 4096, VTGPU_GEM_DOMAIN_ALL, 0,
		  VTGPU_GEM_CREATE_CPU_ACCESS_REQUIRED |
		  VTGPU_GEM_CREATE_NO_CPU_ACCESS },
	};

	uint64_t memory[3];

	for (unsigned int i = 0; i < ARRAY_SIZE(regions); i++)
		memory[i] = fdinfo_memory(fd, regions[i]);

	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
		struct drm_vtgpu_gem_create create = {
			.size = bad[i].size,
			.domains = bad[i].domains,
			.preferred = bad[i].preferred,
			.flags = bad[i].flags,
			.handle = 0xdeadbeef,
		};

		igt_debug("%s\n", bad[i].what);
		igt_assert_f(__vtgpu_gem_create(fd, &create) == -EINVAL,
			     "%s: not rejected with EINVAL\n", bad[i].what);
		igt_assert_eq_u64(create.size, bad[i].size);
		igt_assert_eq_u32(create.handle, 0xdeadbeef);
	}

	/* No BO was created behind the errors. */
	for (unsigned int i = 0; i < ARRAY_SIZE(regions); i++)
		igt_assert_eq_u64(fdinfo_memory(fd, regions[i]), memory[i]);
}

static void test_gem_mmap_offset_invalid(int fd)
{
	struct drm_vtgpu_gem_mmap_offset arg = {
		.handle = 0xdeadbeef,
		.offset = SENTINEL,
	};
	uint32_t bo;

	do_ioctl_err(fd, DRM_IOCTL_VTGPU_GEM_MMAP_OFFSET, &arg, ENOENT);
	igt_assert_eq_u64(arg.offset, SENTINEL);

	bo = vtgpu_gem_create(fd, 4096, VTGPU_GEM_DOMAIN_ALL, 0, 0);
	arg.handle = bo;
	arg.flags = 1;
	do_ioctl_err(fd, DRM_IOCTL_VTGPU_GEM_MMAP_OFFSET, &arg, EINVAL);
	igt_assert_eq_u64(arg.offset, SENTINEL);

	/* Mapping more than the BO fails. */
	arg.flags = 0;
	do_ioctl(fd, DRM_IOCTL_VTGPU_GEM_MMAP_OFFSET, &arg);
	igt_assert(mmap(NULL, 8192, PROT_READ, MAP_SHARED, fd, arg.offset) ==
		   MAP_FAILED);
	/* Private writable mappings (copy on write) are refused. */
	igt_assert(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd,
			arg.offset) == MAP_FAILED);
	gem_close(fd, bo);

	/* A NO_CPU_ACCESS BO is not for the CPU. */
	arg.handle = vtgpu_gem_create(fd, 4096, VTGPU_GEM_DOMAIN_ALL, 0,
				      VTGPU_GEM_CREATE_NO_CPU_ACCESS);
	arg.offset = SENTINEL;
	do_ioctl_err(fd, DRM_IOCTL_VTGPU_GEM_MMAP_OFFSET, &arg, EPERM);
	igt_assert_eq_u64(arg.offset, SENTINEL);
	gem_close(fd, arg.handle);
}

static void test_gem_info_invalid(int fd)
{
	struct drm_vtgpu_gem_info info = {
		.handle = 0xdeadbeef,
		.size = SENTINEL,
		.domains = 0xdeadbeef,
	};
	uint32_t bo = vtgpu_gem_create(fd, 4096, VTGPU_GEM_DOMAIN_ALL, 0, 0);

	igt_assert_eq(__vtgpu_gem_info(fd, &info), -ENOENT);
	info.handle = 0;
	igt_assert_eq(__vtgpu_gem_info(fd, &info), -ENOENT);

	info.handle = bo;
	info.pad = 1;
	igt_assert_eq(__vtgpu_gem_info(fd, &info), -EINVAL);
	info.pad = 0x80000000;
	igt_assert_eq(__vtgpu_gem_info(fd, &info), -EINVAL);
	igt_assert_eq_u64(info.size, SENTINEL);
	igt_assert_eq_u32(info.domains, 0xdeadbeef);

	/* Closed handles are gone. */
	gem_close(fd, bo);
	info.pad = 0;
	igt_assert_eq(__vtgpu_gem_info(fd, &info), -ENOENT);
}

static void test_gem_wait(int fd)
{
	uint32_t bo = vtgpu_gem_create(fd, 1 << 20, VTGPU_GEM_DOMAIN_ALL, 0, 0);
	struct drm_vtgpu_cmd cmds[4];
	int fence;

	/* A new BO is idle once its clear has run. */
	vtgpu_gem_wait(fd, bo);
	igt_assert_eq(__vtgpu_gem_wait(fd, bo, 0), 0);

	/* Four commands of 250 ms: busy for a second. */
	for (unsigned int i = 0; i < ARRAY_SIZE(cmds); i++)
		cmds[i] = (struct drm_vtgpu_cmd) {
			.op = VTGPU_CMD_FILL, .dst_handle = bo,
			.size = 4096, .pattern = i,
		};
	vtgpu_set_engine_delay(fd, 250000);
	fence = vtgpu_submit_cmds(fd, cmds, ARRAY_SIZE(cmds),
				  VTGPU_SUBMIT_OUT_FENCE_FD);

	igt_assert_eq(__vtgpu_gem_wait(fd, bo, 0), -ETIMEDOUT);
	igt_assert_eq(__vtgpu_gem_wait(fd, bo, vtgpu_deadline(10 * NSEC_PER_MSEC)),
		      -ETIMEDOUT);
	igt_assert_eq(vtgpu_fence_status(fence), 0);
	vtgpu_gem_wait(fd, bo);
	vtgpu_set_engine_delay(fd, 0);
	igt_assert_eq(vtgpu_fence_status(fence), 1);
	igt_assert_eq(__vtgpu_gem_wait(fd, bo, 0), 0);
	close(fence);
	gem_close(fd, bo);
}

/*
 * A wait interrupted by signals every 2 ms restarts until the same time:
 * a timeout relative to each restart would never expire, and the wait
 * would only end with the job, a second later.
 */
static void test_gem_wait_restart(int fd)
{
	uint32_t bo = vtgpu_gem_create(fd, 4096, VTGPU_GEM_DOMAIN_ALL, 0, 0);
	struct drm_vtgpu_cmd fill = {
		.op = VTGPU_CMD_FILL, .dst_handle = bo, .size = 4096,
	};
	int ret;

	vtgpu_gem_wait(fd, bo);
	vtgpu_set_engine_delay(fd, 1000000);
	vtgpu_submit_cmds(fd, &fill, 1, 0);

	igt_fork_signal_helper();
	ret = __vtgpu_gem_wait(fd, bo, vtgpu_deadline(100 * NSEC_PER_MSEC));
	igt_stop_signal_helper();

	igt_assert_eq(ret, -ETIMEDOUT);
	igt_assert_eq(__vtgpu_gem_wait(fd, bo, 0), -ETIMEDOUT);
	vtgpu_gem_wait(fd, bo);
	vtgpu_set_engine_delay(fd, 0);
	gem_close(fd, bo);
}

static void test_gem_wait_invalid(int fd)
{
	uint32_t bo = vtgpu_gem_create(fd, 4096, VTGPU_GEM_DOMAIN_ALL, 0, 0);
	struct drm_vtgpu_gem_wait wait = { .handle = bo, .flags = 1 };

	do_ioctl_err(fd, DRM_IOCTL_VTGPU_GEM_WAIT, &wait, EINVAL);
	wait.flags = 0;
	wait.timeout_ns = -1;
	do_ioctl_err(fd, DRM_IOCTL_VTGPU_GEM_WAIT, &wait, EINVAL);
	wait.timeout_ns = 0;
	wait.handle = 0xdeadbeef;
	do_ioctl_err(fd, DRM_IOCTL_VTGPU_GEM_WAIT, &wait, ENOENT);
	gem_close(fd, bo);
}

static void test_submit_fill(int fd)
{
	const uint64_t size = 256 << 10;

	for (unsigned int i = 0; i < ARRAY_SIZE(domain_sets); i++) {
		uint32_t domains = domain_sets[i].domains;
		uint32_t bo, *ptr;

		if (!(domains & (VTGPU_GEM_DOMAIN_VRAM | VTGPU_GEM_DOMAIN_GTT)))
			continue;
		igt_debug("domains %s\n", domain_sets[i].name);

		bo = vtgpu_gem_create(fd, size, domains, 0, 0);
		/* A fill in the middle, at an offset that is not page aligned */
		vtgpu_fill(fd, bo, 4100, 8192, 0xc0ffee00 + i);
		vtgpu_gem_wait(fd, bo);

		ptr = vtgpu_gem_mmap(fd, bo, size, PROT_READ);
		check_pattern(ptr, 4100, 0);
		check_pattern(ptr + 4100 / 4, 8192, 0xc0ffee00 + i);
		check_pattern(ptr + (4100 + 8192) / 4, size - 4100 - 8192, 0);
		munmap(ptr, size);
		gem_close(fd, bo);
	}
}

static void test_submit_placement(int fd)
{
	const struct {
		uint32_t domains, preferred, used_in;
	} cases[] = {
		/* SYSTEM is out of the engine's reach: GTT is closest. */
		{ VTGPU_GEM_DOMAIN_ALL, VTGPU_GEM_DOMAIN_SYSTEM,
		  VTGPU_GEM_DOMAIN_GTT },
		{ VTGPU_GEM_DOMAIN_SYSTEM | VTGPU_GEM_DOMAIN_VRAM,
		  VTGPU_GEM_DOMAIN_SYSTEM, VTGPU_GEM_DOMAIN_VRAM },
		{ VTGPU_GEM_DOMAIN_ALL, VTGPU_GEM_DOMAIN_GTT,
		  VTGPU_GEM_DOMAIN_GTT },
		{ VTGPU_GEM_DOMAIN_ALL, VTGPU_GEM_DOMAIN_VRAM,
		  VTGPU_GEM_DOMAIN_VRAM },
	};

	for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++) {
		uint32_t bo = vtgpu_gem_create(fd, 65536, cases[i].domains,
					       cases[i].preferred, 0);
		uint32_t *ptr;

		igt_assert_eq_u32(vtgpu_gem_domain(fd, bo), cases[i].preferred);
		ptr = vtgpu_gem_mmap(fd, bo, 65536, PROT_READ | PROT_WRITE);
		ptr[0] = 0xfeedface;
		vtgpu_fill(fd, bo, 4096, 4096, 0x3c3c3c3c);
		vtgpu_gem_wait(fd, bo);
		igt_assert_eq_u32(vtgpu_gem_domain(fd, bo), cases[i].used_in);
		igt_assert_eq_u32(ptr[0], 0xfeedface);
		check_pattern(ptr + 1024, 4096, 0x3c3c3c3c);
		munmap(ptr, 65536);
		gem_close(fd, bo);
	}
}

static void test_submit_invalid(int fd)
{
	uint64_t max_cmds = vtgpu_getparam(fd, VTGPU_PARAM_MAX_SUBMIT_CMDS);
	uint32_t src = vtgpu_gem_create(fd, 8192, VTGPU_GEM_DOMAIN_ALL, 0, 0);
	uint32_t dst = vtgpu_gem_create(fd, 8192, VTGPU_GEM_DOMAIN_ALL, 0, 0);
	uint32_t sys = vtgpu_gem_create(fd, 8192, VTGPU_GEM_DOMAIN_SYSTEM, 0, 0);
	const struct drm_vtgpu_cmd copy = {
		.op = VTGPU_CMD_COPY, .src_handle = src, .dst_handle = dst,
		.size = 4096,
	};
	const struct drm_vtgpu_cmd fill = {
		.op = VTGPU_CMD_FILL, .dst_handle = dst, .size = 4096,
		.pattern = 0x55555555,
	};
	struct {
		const char *what;
		struct drm_vtgpu_cmd cmd;
		int err;
	} bad[] = {
		{ "op 0", copy, EINVAL },
		{ "unknown op", copy, EINVAL },
		{ "flags", copy, EINVAL },
		{ "pad", copy, EINVAL },
		{ "zero size", copy, EINVAL },
		{ "pattern in a copy", copy, EINVAL },
		{ "source beyond its BO", copy, EINVAL },
		{ "destination beyond its BO", copy, EINVAL },
		{ "size beyond the BOs", copy, EINVAL },
		{ "offset + size overflowing", copy, EINVAL },
		{ "bad source handle", copy, ENOENT },
		{ "bad destination handle", copy, ENOENT },
		{ "destination in SYSTEM only", copy, EINVAL },
		{ "source in a fill", fill, EINVAL },
		{ "source offset in a fill", fill, EINVAL },
		{ "fill offset not a multiple of 4", fill, EINVAL },
		{ "fill size not a multiple of 4", fill, EINVAL },
		{ "fill beyond its BO", fill, EINVAL },
	};
	struct drm_vtgpu_cmd *many;
	struct drm_vtgpu_submit submit;
	uint64_t max_syncs = vtgpu_getparam(fd, VTGPU_PARAM_MAX_SUBMIT_SYNCS);
	struct drm_vtgpu_sync *syncs = calloc(max_syncs + 1, sizeof(*syncs));
	uint32_t syncobj, big, *ptr;
	struct drm_vtgpu_cmd big_fill;
	unsigned int i = 0;
	uint64_t jobs;

	bad[i++].cmd.op = 0;
	bad[i++].cmd.op = 3;
	bad[i++].cmd.flags = 1;
	bad[i++].cmd.pad = 1;
	bad[i++].cmd.size = 0;
	bad[i++].cmd.pattern = 1;
	bad[i++].cmd.src_offset = 8192 - 4095;
	bad[i++].cmd.dst_offset = 4097;
	bad[i++].cmd.size = 8192 + 4096;
	bad[i].cmd.dst_offset = ~0ull - 4095;
	bad[i++].cmd.size = 8192;
	bad[i++].cmd.src_handle = 0xdeadbeef;
	bad[i++].cmd.dst_handle = 0;
	bad[i++].cmd.dst_handle = sys;
	bad[i++].cmd.src_handle = src;
	bad[i++].cmd.src_offset = 4;
	bad[i++].cmd.dst_offset = 2;
	bad[i++].cmd.size = 4094;
	bad[i++].cmd.dst_offset = 8192 - 4092;
	igt_assert_eq(i, ARRAY_SIZE(bad));

	/* Known contents, to check that failed submissions change nothing. */
	vtgpu_fill(fd, src, 0, 8192, 0x11111111);
	vtgpu_fill(fd, dst, 0, 8192, 0x22222222);
	vtgpu_gem_wait(fd, dst);
	jobs = vtgpu_debugfs_stat(fd, "jobs");

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		struct drm_vtgpu_cmd cmds[2] = { fill, bad[i].cmd };

		/* The bad command comes second: the first must not run. */
		submit = (struct drm_vtgpu_submit) {
			.cmds = to_user_pointer(cmds), .num_cmds = 2,
			.flags = VTGPU_SUBMIT_OUT_FENCE_FD,
			.out_fence_fd = -2, .seqno = SENTINEL,
		};
		igt_debug("%s\n", bad[i].what);
		igt_assert_f(__vtgpu_submit(fd, &submit) == -bad[i].err,
			     "%s: not rejected with %s\n", bad[i].what,
			     strerror(bad[i].err));
		igt_assert_eq(submit.out_fence_fd, -2);
		igt_assert_eq_u64(submit.seqno, SENTINEL);
	}

	/* Bad submissions. */
	submit = (struct drm_vtgpu_submit) {
		.cmds = to_user_pointer(&fill), .num_cmds = 1,
		.flags = 0x8, .seqno = SENTINEL,
	};
	igt_assert_eq(__vtgpu_submit(fd, &submit), -EINVAL);
	submit.flags = 0;
	submit.extensions = to_user_pointer(&fill);
	igt_assert_eq(__vtgpu_submit(fd, &submit), -EINVAL);
	submit.extensions = 0;
	submit.pad = 1;
	igt_assert_eq(__vtgpu_submit(fd, &submit), -EINVAL);
	submit.pad = 0;
	submit.num_cmds = 0;
	igt_assert_eq(__vtgpu_submit(fd, &submit), -EINVAL);
	many = calloc(max_cmds + 1, sizeof(*many));
	for (i = 0; i <= max_cmds; i++)
		many[i] = fill;
	submit.cmds = to_user_pointer(many);
	submit.num_cmds = max_cmds + 1;
	igt_assert_eq(__vtgpu_submit(fd, &submit), -EINVAL);
	free(many);

	submit.cmds = to_user_pointer(&fill);
	submit.num_cmds = 1;
	submit.sync_stride = sizeof(*syncs);
	submit.num_in_syncs = max_syncs + 1;
	submit.in_syncs = to_user_pointer(syncs);
	igt_assert_eq(__vtgpu_submit(fd, &submit), -EINVAL);
	submit.num_in_syncs = 1;
	igt_assert_eq(__vtgpu_submit(fd, &submit), -ENOENT);
	/* A syncobj without a fence is no in-fence. */
	igt_assert_eq(drmSyncobjCreate(fd, 0, &syncobj), 0);
	syncs[0].handle = syncobj;
	igt_assert_eq(__vtgpu_submit(fd, &submit), -EINVAL);
	submit.sync_stride = sizeof(*syncs) - 1;
	igt_assert_eq(__vtgpu_submit(fd, &submit), -EINVAL);
	submit.sync_stride = 257;
	igt_assert_eq(__vtgpu_submit(fd, &submit), -EINVAL);
	submit.sync_stride = sizeof(*syncs);
	submit.in_syncs = 8;
	igt_assert_eq(__vtgpu_submit(fd, &submit), -EFAULT);
	submit.num_in_syncs = 0;
	submit.cmds = 8;
	igt_assert_eq(__vtgpu_submit(fd, &submit), -EFAULT);
	submit.cmds = to_user_pointer(&fill);
	submit.out_syncs = to_user_pointer(syncs);
	submit.num_out_syncs = max_syncs + 1;
	igt_assert_eq(__vtgpu_submit(fd, &submit), -EINVAL);
	submit.num_out_syncs = 1;
	syncs[0].handle = 0xdeadbeef;
	igt_assert_eq(__vtgpu_submit(fd, &submit), -ENOENT);
	syncs[0].handle = syncobj;
	syncs[0].flags = 1;
	igt_assert_eq(__vtgpu_submit(fd, &submit), -EINVAL);
	syncs[0].flags = 0;
	submit.out_syncs = 8;
	igt_assert_eq(__vtgpu_submit(fd, &submit), -EFAULT);
	submit.num_out_syncs = 0;
	submit.flags = VTGPU_SUBMIT_IN_FENCE_FD;
	submit.in_fence_fd = -1;
	igt_assert_eq(__vtgpu_submit(fd, &submit), -EINVAL);
	submit.in_fence_fd = fd;
	igt_assert_eq(__vtgpu_submit(fd, &submit), -EINVAL);
	igt_assert_eq_u64(submit.seqno, SENTINEL);
	drmSyncobjDestroy(fd, syncobj);
	free(syncs);

	/* Not a single job reached the engine. */
	igt_assert_eq_u64(vtgpu_debugfs_stat(fd, "jobs"), jobs);
	ptr = vtgpu_gem_mmap(fd, dst, 8192, PROT_READ);
	check_pattern(ptr, 8192, 0x22222222);
	munmap(ptr, 8192);

	/* A BO that fits none of the domains the engine reaches. */
	big = vtgpu_gem_create(fd, vtgpu_getparam(fd, VTGPU_PARAM_VISIBLE_VRAM_SIZE) +
			       4096, VTGPU_GEM_DOMAIN_VRAM |
			       VTGPU_GEM_DOMAIN_SYSTEM, 0,
			       VTGPU_GEM_CREATE_CPU_ACCESS_REQUIRED);
	igt_assert_eq_u32(vtgpu_gem_domain(fd, big), VTGPU_GEM_DOMAIN_SYSTEM);
	big_fill = fill;
	big_fill.dst_handle = big;
	submit = (struct drm_vtgpu_submit) {
		.cmds = to_user_pointer(&big_fill), .num_cmds = 1,
	};
	igt_assert_eq(__vtgpu_submit(fd, &submit), -EINVAL);
	gem_close(fd, big);

	gem_close(fd, sys);
	gem_close(fd, dst);
	gem_close(fd, src);
}

/* A job of one FILL of the whole 1 MiB @bo with @pattern. */
static void fill_job(struct drm_vtgpu_cmd *fill,
		     struct drm_vtgpu_submit *submit, uint32_t bo,
		     uint32_t pattern, uint32_t flags)
{
	*fill = (struct drm_vtgpu_cmd) {
		.op = VTGPU_CMD_FILL, .dst_handle = bo, .size = 1 << 20,
		.pattern = pattern,
	};
	*submit = (struct drm_vtgpu_submit) {
		.cmds = to_user_pointer(fill), .num_cmds = 1, .flags = flags,
	};
}

static void test_submit_fences(int fd)
{
	uint32_t bo = vtgpu_gem_create(fd, 1 << 20, VTGPU_GEM_DOMAIN_ALL, 0, 0);
	struct drm_vtgpu_submit submit;
	struct drm_vtgpu_sync sync = {};
	struct drm_vtgpu_cmd fill;
	uint32_t syncobj, *ptr;
	uint64_t seqno;
	int fence;

	/*
	 * An out-fence file and an out-syncobj; seqnos increase. The engine
	 * is slowed down: a fence signalled before its job is done would
	 * show as a BO without the fill.
	 */
	fill_job(&fill, &submit, bo, 1, VTGPU_SUBMIT_OUT_FENCE_FD);
	vtgpu_set_engine_delay(fd, 100000);
	igt_assert_eq(drmSyncobjCreate(fd, 0, &syncobj), 0);
	sync.handle = syncobj;
	submit.out_syncs = to_user_pointer(&sync);
	submit.num_out_syncs = 1;
	submit.sync_stride = sizeof(sync);
	igt_assert_eq(__vtgpu_submit(fd, &submit), 0);
	fence = submit.out_fence_fd;
	seqno = submit.seqno;
	igt_assert_lte(0, fence);
	igt_assert_eq(vtgpu_fence_wait(fence, 10000), 1);
	igt_assert_eq(vtgpu_fence_status(fence), 1);
	igt_assert_eq(drmSyncobjWait(fd, &syncobj, 1, INT64_MAX, 0, NULL), 0);
	/* Signalled means done: the fill is in the BO. */
	ptr = vtgpu_gem_mmap(fd, bo, 1 << 20, PROT_READ);
	check_pattern(ptr, 1 << 20, 1);

	/* The out-fences as in-fences of the next job. */
	fill.pattern = 2;
	submit.flags = VTGPU_SUBMIT_IN_FENCE_FD | VTGPU_SUBMIT_OUT_FENCE_FD;
	submit.in_fence_fd = fence;
	submit.in_syncs = to_user_pointer(&sync);
	submit.num_in_syncs = 1;
	submit.num_out_syncs = 0;
	igt_assert_eq(__vtgpu_submit(fd, &submit), 0);
	igt_assert_lt_u64(seqno, submit.seqno);
	igt_assert_neq(submit.out_fence_fd, fence);
	close(fence);
	igt_assert_eq(vtgpu_fence_wait(submit.out_fence_fd, 10000), 1);
	close(submit.out_fence_fd);
	check_pattern(ptr, 1 << 20, 2);
	munmap(ptr, 1 << 20);
	vtgpu_set_engine_delay(fd, 0);

	drmSyncobjDestroy(fd, syncobj);
	gem_close(fd, bo);
}

struct submitter {
	int fd;
	struct drm_vtgpu_submit *submit;
	int err;
	atomic_bool done;
};

static void *submit_thread(void *arg)
{
	struct submitter *s = arg;

	s->err = __vtgpu_submit(s->fd, s->submit);
	atomic_store(&s->done, true);
	return NULL;
}

/*
 * A job whose in-fence, another driver's, has not signalled is queued,
 * not waited for: SUBMIT returns, and the job runs once the fence
 * signals. The submission runs in a thread so that a SUBMIT that waits
 * fails the test rather than hangs it.
 */
static void test_submit_in_fence_queued(int fd)
{
	uint32_t bo = vtgpu_gem_create(fd, 1 << 20, VTGPU_GEM_DOMAIN_ALL, 0, 0);
	struct drm_vtgpu_submit submit;
	struct submitter s = { .fd = fd, .submit = &submit };
	struct drm_vtgpu_cmd fill;
	pthread_t thread;
	uint32_t *ptr;
	int timeline;
	bool queued;

	igt_require_sw_sync();
	fill_job(&fill, &submit, bo, 0xfeedf00d,
		 VTGPU_SUBMIT_IN_FENCE_FD | VTGPU_SUBMIT_OUT_FENCE_FD);
	timeline = sw_sync_timeline_create();
	submit.in_fence_fd = sw_sync_timeline_create_fence(timeline, 1);

	igt_assert_eq(pthread_create(&thread, NULL, submit_thread, &s), 0);
	queued = igt_wait(atomic_load(&s.done), 30000, 1);
	/* Let a waiting SUBMIT go before failing. */
	if (!queued)
		sw_sync_timeline_inc(timeline, 1);
	igt_assert_eq(pthread_join(thread, NULL), 0);
	igt_assert_f(queued, "SUBMIT waited for its in-fence\n");
	igt_assert_eq(s.err, 0);
	igt_assert_f(vtgpu_fence_status(submit.out_fence_fd) == 0,
		     "the job ran before its in-fence signalled\n");

	sw_sync_timeline_inc(timeline, 1);
	igt_assert_eq(vtgpu_fence_wait(submit.out_fence_fd, 10000), 1);
	igt_assert_eq(vtgpu_fence_status(submit.out_fence_fd), 1);
	ptr = vtgpu_gem_mmap(fd, bo, 1 << 20, PROT_READ);
	check_pattern(ptr, 1 << 20, 0xfeedf00d);
	munmap(ptr, 1 << 20);

	close(submit.out_fence_fd);
	close(submit.in_fence_fd);
	close(timeline);
	gem_close(fd, bo);
}

/* Inject an engine error or hang; the job fails, the next ones work. */
static void test_engine_recovery(int fd, const char *inject, int error)
{
	uint32_t bo = vtgpu_gem_create(fd, 1 << 20, VTGPU_GEM_DOMAIN_ALL, 0, 0);
	struct drm_vtgpu_cmd fill = {
		.op = VTGPU_CMD_FILL, .dst_handle = bo, .size = 1 << 20,
		.pattern = 0xabababab,
	};
	uint64_t resets = vtgpu_debugfs_stat(fd, "engine_resets");
	uint32_t *ptr;
	int fence;

	vtgpu_require_inject(fd);
	vtgpu_gem_wait(fd, bo);

	vtgpu_inject(fd, inject);
	fence = vtgpu_submit_cmds(fd, &fill, 1, VTGPU_SUBMIT_OUT_FENCE_FD);
	igt_assert_eq(vtgpu_fence_wait(fence, 30000), 1);
	igt_assert_eq(vtgpu_fence_status(fence), -error);
	close(fence);
	igt_assert_lt_u64(resets, vtgpu_debugfs_stat(fd, "engine_resets"));

	/* The engine works again. */
	fill.pattern = 0x12121212;
	fence = vtgpu_submit_cmds(fd, &fill, 1, VTGPU_SUBMIT_OUT_FENCE_FD);
	igt_assert_eq(vtgpu_fence_wait(fence, 30000), 1);
	igt_assert_eq(vtgpu_fence_status(fence), 1);
	close(fence);

	ptr = vtgpu_gem_mmap(fd, bo, 1 << 20, PROT_READ);
	check_pattern(ptr, 1 << 20, 0x12121212);
	munmap(ptr, 1 << 20);
	gem_close(fd, bo);
}

/*
 * Timeline syncobjs: a job waiting for a point another driver's fence
 * signals (a sw_sync fence transferred to point 5) runs only after it,
 * and signals its own point, 7. A point nobody has put a fence at yet is
 * no in-fence.
 */
static void test_submit_timeline(int fd)
{
	uint32_t bo = vtgpu_gem_create(fd, 1 << 20, VTGPU_GEM_DOMAIN_ALL, 0, 0);
	struct drm_vtgpu_sync in = { .point = 5 }, out = { .point = 7 };
	uint64_t point = 7, signalled;
	struct drm_vtgpu_submit submit;
	struct drm_vtgpu_cmd fill;
	int timeline, foreign;
	uint32_t tmp, *ptr;

	igt_require_sw_sync();
	igt_assert_eq(drmSyncobjCreate(fd, 0, &in.handle), 0);
	out.handle = in.handle;
	fill_job(&fill, &submit, bo, 0x51515151, VTGPU_SUBMIT_OUT_FENCE_FD);
	submit.sync_stride = sizeof(in);
	submit.in_syncs = to_user_pointer(&in);
	submit.num_in_syncs = 1;
	igt_assert_eq(__vtgpu_submit(fd, &submit), -EINVAL);

	timeline = sw_sync_timeline_create();
	foreign = sw_sync_timeline_create_fence(timeline, 1);
	igt_assert_eq(drmSyncobjCreate(fd, 0, &tmp), 0);
	igt_assert_eq(drmSyncobjImportSyncFile(fd, tmp, foreign), 0);
	igt_assert_eq(drmSyncobjTransfer(fd, in.handle, 5, tmp, 0, 0), 0);
	vtgpu_gem_wait(fd, bo);

	submit.out_syncs = to_user_pointer(&out);
	submit.num_out_syncs = 1;
	igt_assert_eq(__vtgpu_submit(fd, &submit), 0);
	igt_assert_eq(vtgpu_fence_wait(submit.out_fence_fd, 500), 0);
	igt_assert_eq(drmSyncobjQuery(fd, &in.handle, &signalled, 1), 0);
	igt_assert_eq_u64(signalled, 0);

	sw_sync_timeline_inc(timeline, 1);
	igt_assert_eq(drmSyncobjTimelineWait(fd, &in.handle, &point, 1,
					     INT64_MAX, 0, NULL), 0);
	igt_assert_eq(drmSyncobjQuery(fd, &in.handle, &signalled, 1), 0);
	igt_assert_eq_u64(signalled, 7);
	igt_assert_eq(vtgpu_fence_status(submit.out_fence_fd), 1);
	ptr = vtgpu_gem_mmap(fd, bo, 1 << 20, PROT_READ);
	check_pattern(ptr, 1 << 20, 0x51515151);
	munmap(ptr, 1 << 20);

	close(submit.out_fence_fd);
	close(foreign);
	close(timeline);
	drmSyncobjDestroy(fd, tmp);
	drmSyncobjDestroy(fd, in.handle);
	gem_close(fd, bo);
}

/*
 * Syncs sync_stride apart: a larger structure of a later uapi is read as
 * far as the kernel knows it, if the rest is zero.
 */
static void test_submit_sync_stride(int fd)
{
	uint32_t bo = vtgpu_gem_create(fd, 1 << 20, VTGPU_GEM_DOMAIN_ALL, 0, 0);
	struct {
		struct drm_vtgpu_sync sync;
		uint64_t future;
	} syncs[2] = {};
	struct drm_vtgpu_submit submit;
	struct drm_vtgpu_cmd fill;

	igt_assert_eq(drmSyncobjCreate(fd, 0, &syncs[0].sync.handle), 0);
	igt_assert_eq(drmSyncobjCreate(fd, 0, &syncs[1].sync.handle), 0);
	fill_job(&fill, &submit, bo, 0x61616161, 0);
	submit.out_syncs = to_user_pointer(syncs);
	submit.num_out_syncs = 2;
	submit.sync_stride = sizeof(syncs[0]);

	syncs[1].future = 1;
	igt_assert_eq(__vtgpu_submit(fd, &submit), -E2BIG);
	syncs[1].future = 0;
	igt_assert_eq(__vtgpu_submit(fd, &submit), 0);

	/* Both syncobjs, the second one 24 bytes on, got the job's fence. */
	igt_assert_eq(drmSyncobjWait(fd, &syncs[0].sync.handle, 1, INT64_MAX,
				     0, NULL), 0);
	igt_assert_eq(drmSyncobjWait(fd, &syncs[1].sync.handle, 1, INT64_MAX,
				     0, NULL), 0);

	drmSyncobjDestroy(fd, syncs[0].sync.handle);
	drmSyncobjDestroy(fd, syncs[1].sync.handle);
	gem_close(fd, bo);
}

/*
 * A BO carries another driver's unsignalled write fence (a sw_sync fence
 * put in its dma-buf): a job using it waits for that fence, unless
 * submitted with VTGPU_SUBMIT_NO_IMPLICIT_SYNC. The BO stays where it is:
 * a move for the job would wait for every fence on it, the foreign one
 * too.
 */
static void test_submit_no_implicit_sync(int fd)
{
	uint32_t bo = vtgpu_gem_create(fd, 1 << 20, VTGPU_GEM_DOMAIN_ALL, 0, 0);
	int timeline, foreign, dmabuf, implicit, explicit;
	struct drm_vtgpu_submit submit;
	struct drm_vtgpu_cmd fill;
	uint32_t *ptr;

	igt_require_sw_sync();
	timeline = sw_sync_timeline_create();
	foreign = sw_sync_timeline_create_fence(timeline, 1);
	vtgpu_gem_wait(fd, bo);
	dmabuf = prime_handle_to_fd(fd, bo);
	dmabuf_import_sync_file(dmabuf, DMA_BUF_SYNC_WRITE, foreign);

	fill_job(&fill, &submit, bo, 0x71717171,
		 VTGPU_SUBMIT_OUT_FENCE_FD | VTGPU_SUBMIT_NO_IMPLICIT_SYNC);
	igt_assert_eq(__vtgpu_submit(fd, &submit), 0);
	explicit = submit.out_fence_fd;
	igt_assert_eq(vtgpu_fence_wait(explicit, 10000), 1);
	igt_assert_eq(vtgpu_fence_status(explicit), 1);
	ptr = vtgpu_gem_mmap(fd, bo, 1 << 20, PROT_READ);
	check_pattern(ptr, 1 << 20, 0x71717171);

	/* The same job with implicit sync waits for the foreign fence. */
	fill_job(&fill, &submit, bo, 0x72727272, VTGPU_SUBMIT_OUT_FENCE_FD);
	igt_assert_eq(__vtgpu_submit(fd, &submit), 0);
	implicit = submit.out_fence_fd;
	igt_assert_eq(vtgpu_fence_wait(implicit, 500), 0);
	sw_sync_timeline_inc(timeline, 1);
	igt_assert_eq(vtgpu_fence_wait(implicit, 10000), 1);
	igt_assert_eq(vtgpu_fence_status(implicit), 1);
	check_pattern(ptr, 1 << 20, 0x72727272);

	munmap(ptr, 1 << 20);
	close(implicit);
	close(explicit);
	close(foreign);
	close(dmabuf);
	close(timeline);
	gem_close(fd, bo);
}

/*
 * drm-engine-copy: the engine time of a file's jobs. A job the device
 * delays by 4 x 50 ms adds at least that much to its file's, at most the
 * time from its submission to its end, and nothing to another file's.
 */
static void test_fdinfo_engine(int fd)
{
	int other = drm_open_driver_render(DRIVER_VTGPU);
	uint32_t bo = vtgpu_gem_create(fd, 4096, VTGPU_GEM_DOMAIN_ALL, 0, 0);
	struct drm_vtgpu_cmd fill[4];
	uint64_t before, other_before, elapsed;
	struct timespec start = {};
	int fence;

	for (unsigned int i = 0; i < ARRAY_SIZE(fill); i++)
		fill[i] = (struct drm_vtgpu_cmd) {
			.op = VTGPU_CMD_FILL, .dst_handle = bo, .size = 4096,
			.pattern = i,
		};
	vtgpu_gem_wait(fd, bo);
	before = fdinfo_engine_ns(fd);
	other_before = fdinfo_engine_ns(other);

	vtgpu_set_engine_delay(fd, 50000);
	igt_nsec_elapsed(&start);
	fence = vtgpu_submit_cmds(fd, fill, ARRAY_SIZE(fill),
				  VTGPU_SUBMIT_OUT_FENCE_FD);
	igt_assert_eq(vtgpu_fence_wait(fence, 30000), 1);
	elapsed = igt_nsec_elapsed(&start);
	vtgpu_set_engine_delay(fd, 0);
	close(fence);

	igt_info("engine time %" PRIu64 " ns of %" PRIu64 " ns elapsed\n",
		 fdinfo_engine_ns(fd) - before, elapsed);
	igt_assert_lte_u64(before + 4 * 50 * NSEC_PER_MSEC,
			   fdinfo_engine_ns(fd));
	igt_assert_lte_u64(fdinfo_engine_ns(fd), before + elapsed);
	igt_assert_eq_u64(fdinfo_engine_ns(other), other_before);

	gem_close(fd, bo);
	close(other);
}

/* A render-only driver: no dumb buffers, even on the primary node. */
static void test_no_dumb_buffers(void)
{
	int card = drm_open_driver(DRIVER_VTGPU);
	struct drm_mode_create_dumb create = {
		.width = 640, .height = 480, .bpp = 32,
	};
	uint64_t cap = SENTINEL;

	/* Without modesetting, DRM does not answer for dumb buffers. */
	if (drmGetCap(card, DRM_CAP_DUMB_BUFFER, &cap))
		igt_assert_eq(errno, EOPNOTSUPP);
	else
		igt_assert_eq_u64(cap, 0);
	/* DRM's own error, no BO: what else it writes depends on its version. */
	do_ioctl_err(card, DRM_IOCTL_MODE_CREATE_DUMB, &create, ENOSYS);
	close(card);
}

static void test_fdinfo(int fd)
{
	int fd2 = drm_open_driver_render(DRIVER_VTGPU);
	char value[256], id1[32], id2[32];
	uint64_t fd_total[ARRAY_SIZE(regions)];
	uint32_t vram, gtt, sys;

	igt_assert(fdinfo_get(fd2, "drm-driver", value, sizeof(value)));
	igt_assert_f(!strcmp(value, "vtgpu"), "drm-driver is %s\n", value);
	igt_assert(fdinfo_get(fd, "drm-client-id", id1, sizeof(id1)));
	igt_assert(fdinfo_get(fd2, "drm-client-id", id2, sizeof(id2)));
	igt_assert_f(strcmp(id1, id2), "two files share client id %s\n", id1);
	igt_assert(fdinfo_get(fd2, "drm-pdev", value, sizeof(value)));

	igt_assert_eq_u64(fdinfo_memory(fd2, "vram"), 0);
	igt_assert_eq_u64(fdinfo_memory(fd2, "gtt"), 0);
	igt_assert_eq_u64(fdinfo_memory(fd2, "system"), 0);
	for (unsigned int i = 0; i < ARRAY_SIZE(regions); i++)
		fd_total[i] = fdinfo_memory(fd, regions[i]);

	vram = vtgpu_gem_create(fd2, 1 << 20, VTGPU_GEM_DOMAIN_VRAM, 0, 0);
	gtt = vtgpu_gem_create(fd2, 2 << 20, VTGPU_GEM_DOMAIN_GTT, 0, 0);
	sys = vtgpu_gem_create(fd2, 3 << 20, VTGPU_GEM_DOMAIN_SYSTEM, 0, 0);
	igt_assert_eq_u64(fdinfo_memory(fd2, "vram"), 1 << 20);
	igt_assert_eq_u64(fdinfo_memory(fd2, "gtt"), 2 << 20);
	igt_assert_eq_u64(fdinfo_memory(fd2, "system"), 3 << 20);
	igt_assert_eq_u64(fdinfo_size(fd2, "resident", "vram"), 1 << 20);
	igt_assert_eq_u64(fdinfo_size(fd2, "resident", "gtt"), 2 << 20);
	igt_assert_eq_u64(fdinfo_size(fd2, "shared", "vram"), 0);
	/* Only the standard keys: drm-memory-* is deprecated. */
	igt_assert(!fdinfo_get(fd2, "drm-memory-vram", value, sizeof(value)));
	/* The other file's BOs are not this one's: its totals did not move. */
	for (unsigned int i = 0; i < ARRAY_SIZE(regions); i++)
		igt_assert_eq_u64(fdinfo_memory(fd, regions[i]), fd_total[i]);

	gem_close(fd2, vram);
	gem_close(fd2, gtt);
	gem_close(fd2, sys);
	igt_assert_eq_u64(fdinfo_memory(fd2, "vram"), 0);
	close(fd2);
}

static void test_debugfs(int fd)
{
	static const char * const files[] = { "mm", "bos", "stats", "engine" };
	int dir = vtgpu_debugfs_dir(fd);
	uint32_t bo = vtgpu_gem_create(fd, 1 << 20, VTGPU_GEM_DOMAIN_ALL, 0, 0);

	for (unsigned int i = 0; i < ARRAY_SIZE(files); i++) {
		char *buf = igt_sysfs_get(dir, files[i]);

		igt_assert_f(buf && *buf, "debugfs %s is empty\n", files[i]);
		igt_debug("%s:\n%s\n", files[i], buf);
		if (!strcmp(files[i], "mm"))
			igt_assert(strstr(buf, "VRAM:") && strstr(buf, "GTT:") &&
				   strstr(buf, "visible:"));
		free(buf);
	}
	igt_assert_lte_u64(1, vtgpu_debugfs_stat(fd, "clears"));
	igt_assert_lte_u64(1, vtgpu_debugfs_stat(fd, "jobs"));
	gem_close(fd, bo);
	close(dir);
}

static void test_pci_ids(int fd)
{
	unsigned int vendor = 0, device = 0;
	int dir;

	dir = igt_sysfs_open(fd);
	igt_assert_fd(dir);

	igt_assert_eq(igt_sysfs_scanf(dir, "device/vendor", "%x", &vendor), 1);
	igt_assert_eq(igt_sysfs_scanf(dir, "device/device", "%x", &device), 1);
	close(dir);

	igt_info("PCI ID %04x:%04x\n", vendor, device);
	igt_assert_eq_u32(vendor, VTGPU_PCI_VENDOR_ID);
	igt_assert_eq_u32(device, VTGPU_PCI_DEVICE_ID);
}

igt_main
{
	int fd = -1;

	igt_fixture {
		fd = drm_open_driver_render(DRIVER_VTGPU);
		/* A previous subtest may have failed with the engine slowed. */
		if (getuid() == 0)
			vtgpu_set_engine_delay(fd, 0);
	}

	igt_describe("Check that the driver reports its name as vtgpu and "
		     "major version 1.");
	igt_subtest("version")
		test_version(fd);

	igt_describe("Check the device parameters: interface major version 1, "
		     "CPU-visible VRAM a non-empty power of two no larger than "
		     "VRAM and as large as the VRAM BAR, and only known "
		     "capabilities, FILL among them.");
	igt_subtest("getparam")
		test_getparam(fd);

	igt_describe("Check that querying parameter 0 or an unknown parameter "
		     "fails with EINVAL and leaves the value untouched.");
	igt_subtest("getparam-invalid")
		test_getparam_invalid(fd);

	igt_describe("Check that a query with non-zero padding fails with "
		     "EINVAL and leaves the value untouched.");
	igt_subtest("getparam-nonzero-pad")
		test_getparam_nonzero_pad(fd);

	igt_describe("Check that the device's PCI vendor and device IDs are "
		     "those of the vtgpu device.");
	igt_subtest("pci-ids")
		test_pci_ids(fd);

	igt_describe("Check that BOs of every domain set can be created, are "
		     "rounded up to pages, are placed in one of their domains "
		     "and read as zero.");
	igt_subtest("gem-create")
		test_gem_create(fd);

	igt_describe("Check that new BOs in visible VRAM, small ones cleared "
		     "by the CPU and larger ones by the engine, read as zero "
		     "where earlier BOs left a pattern.");
	igt_subtest("gem-create-cleared")
		test_gem_create_cleared(fd);

	igt_describe("Check that a new BO's clear waits for the eviction of "
		     "its space's last owner, queued behind a job that waits "
		     "for a fence, and that the evicted BO keeps its bytes.");
	igt_subtest("gem-create-cleared-busy")
		test_gem_create_cleared_busy(fd);

	igt_describe("Check that what the CPU writes through a mapping of a "
		     "BO of every domain set reads back through another.");
	igt_subtest("gem-mmap")
		test_gem_mmap(fd);

	igt_describe("Check where new BOs are placed: CPU-mappable ones in "
		     "visible VRAM, NO_CPU_ACCESS ones in invisible VRAM, and "
		     "in the preferred domain when one is given.");
	igt_subtest("gem-create-placement")
		test_gem_create_placement(fd);

	igt_describe("Check that every bad GEM_CREATE argument fails with "
		     "EINVAL and leaves the output fields untouched.");
	igt_subtest("gem-create-invalid")
		test_gem_create_invalid(fd);

	igt_describe("Check that GEM_MMAP_OFFSET rejects bad handles and flags, "
		     "and that mappings larger than the BO or copy-on-write "
		     "fail.");
	igt_subtest("gem-mmap-offset-invalid")
		test_gem_mmap_offset_invalid(fd);

	igt_describe("Check that GEM_INFO rejects bad handles and non-zero "
		     "padding without writing its output.");
	igt_subtest("gem-info-invalid")
		test_gem_info_invalid(fd);

	igt_describe("Check that GEM_WAIT reports a BO busy with a slow job "
		     "until the job is done, and idle afterwards.");
	igt_subtest("gem-wait")
		test_gem_wait(fd);

	igt_describe("Check that GEM_WAIT rejects bad flags, negative "
		     "timeouts and bad handles.");
	igt_subtest("gem-wait-invalid")
		test_gem_wait_invalid(fd);

	igt_describe("Check that GEM_WAIT's absolute timeout expires although "
		     "signals keep interrupting and restarting the wait.");
	igt_subtest("gem-wait-restart")
		test_gem_wait_restart(fd);

	igt_describe("Check that FILL writes its range and only it, in BOs of "
		     "every domain set the engine reaches.");
	igt_subtest("submit-fill")
		test_submit_fill(fd);

	igt_describe("Check that FILL and COPY jobs between VRAM and GTT BOs "
		     "produce the expected contents.");
	igt_subtest("submit-copy")
		test_submit_copy(fd);

	igt_describe("Check where a job moves its BOs: to their preferred "
		     "domain, to GTT for BOs preferring SYSTEM, with their "
		     "contents.");
	igt_subtest("submit-placement")
		test_submit_placement(fd);

	igt_describe("Check that every bad command and bad submission fails "
		     "with its documented error, runs nothing and writes no "
		     "output.");
	igt_subtest("submit-invalid")
		test_submit_invalid(fd);

	igt_describe("Check out-fences (sync_file and syncobj) and their use "
		     "as in-fences of a later job.");
	igt_subtest("submit-fences")
		test_submit_fences(fd);

	igt_describe("Check that a job whose in-fence has not signalled is "
		     "queued: SUBMIT returns, and the job runs once the fence "
		     "signals.");
	igt_subtest("submit-in-fence-queued")
		test_submit_in_fence_queued(fd);

	igt_describe("Check that a job the engine fails on signals its fence "
		     "with -EIO and that the engine works afterwards.");
	igt_subtest("engine-error")
		test_engine_recovery(fd, "fail", EIO);

	igt_describe("Check that a job the engine hangs on is failed with "
		     "-ETIMEDOUT by the reset and that the engine works "
		     "afterwards.");
	igt_subtest("engine-hang")
		test_engine_recovery(fd, "hang", ETIMEDOUT);

	igt_describe("Check that a job signals a timeline syncobj point and "
		     "that a job waiting for that point runs after it.");
	igt_subtest("submit-timeline")
		test_submit_timeline(fd);

	igt_describe("Check that syncs are read sync_stride apart, the bytes "
		     "past the known structure required to be zero.");
	igt_subtest("submit-sync-stride")
		test_submit_sync_stride(fd);

	igt_describe("Check that a job with VTGPU_SUBMIT_NO_IMPLICIT_SYNC does "
		     "not wait for a foreign fence in its BO's reservation, "
		     "and that one without it does.");
	igt_subtest("submit-no-implicit-sync")
		test_submit_no_implicit_sync(fd);

	igt_describe("Check that the driver, render-only, has no dumb "
		     "buffers.");
	igt_subtest("no-dumb-buffers")
		test_no_dumb_buffers();

	igt_describe("Check fdinfo's drm-engine-copy: a job the device delays "
		     "adds its engine time to its file's, none to another "
		     "file's.");
	igt_subtest("fdinfo-engine")
		test_fdinfo_engine(fd);

	igt_describe("Check fdinfo: the driver name, a client id per file, and "
		     "the memory of the file's BOs by domain.");
	igt_subtest("fdinfo")
		test_fdinfo(fd);

	igt_describe("Check that the debugfs files show the managers, the BOs, "
		     "counters and the engine.");
	igt_subtest("debugfs")
		test_debugfs(fd);

	igt_fixture
		close(fd);
}
