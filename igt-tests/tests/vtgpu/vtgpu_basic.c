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
#include <unistd.h>

#include <xf86drm.h>

#include "igt.h"
#include "igt_sysfs.h"
#include "igt_vtgpu.h"
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
	igt_assert_eq(version->version_major, 1);

	drmFreeVersion(version);
}

static void test_getparam(int fd)
{
	uint64_t version, vram, visible, bar, caps, gart, max_cmds;

	version = vtgpu_getparam(fd, VTGPU_PARAM_DEVICE_VERSION);
	vram = vtgpu_getparam(fd, VTGPU_PARAM_VRAM_SIZE);
	visible = vtgpu_getparam(fd, VTGPU_PARAM_VISIBLE_VRAM_SIZE);
	caps = vtgpu_getparam(fd, VTGPU_PARAM_CAPS);
	bar = vtgpu_pci_resource_len(fd, VTGPU_BAR_VRAM);
	gart = vtgpu_getparam(fd, VTGPU_PARAM_GART_SIZE);
	max_cmds = vtgpu_getparam(fd, VTGPU_PARAM_MAX_SUBMIT_CMDS);

	igt_info("device version %#" PRIx64 ", VRAM %" PRIu64 " bytes, "
		 "%" PRIu64 " visible, BAR%d %" PRIu64 " bytes, caps %#" PRIx64 "\n",
		 version, vram, visible, VTGPU_BAR_VRAM, bar, caps);

	/* major << 16 | minor, and nothing above */
	igt_assert_eq_u64(version >> 16, 1);

	igt_assert_lt_u64(0, visible);
	igt_assert_lte_u64(visible, vram);
	igt_assert_f(is_power_of_two(visible),
		     "visible VRAM size %#" PRIx64 " is not a power of two\n",
		     visible);
	igt_assert_eq_u64(visible, bar);

	/* Only the defined capabilities, and FILL, which the driver needs. */
	igt_assert_eq_u64(caps & ~(uint64_t)(VTGPU_CAP_FILL | VTGPU_CAP_INJECT |
					     VTGPU_CAP_MSI), 0);
	igt_assert_f(caps & VTGPU_CAP_FILL, "caps %#" PRIx64 " lack FILL\n",
		     caps);

	/* At least 2 MiB of GART, in whole pages; some commands per job. */
	igt_info("GART %" PRIu64 " bytes, %" PRIu64 " commands per job\n",
		 gart, max_cmds);
	igt_assert_lte_u64(2 << 20, gart);
	igt_assert_eq_u64(gart % 4096, 0);
	igt_assert_lte_u64(1, max_cmds);
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
		igt_assert_f(info.domain & info.domains,
			     "BO in domain %#x, not one of %#x\n",
			     info.domain, info.domains);
		igt_assert_eq_u32(info.preferred & info.domains, info.preferred);

		/* A new BO reads as zero, wherever it is. */
		ptr = vtgpu_gem_mmap(fd, create.handle, create.size, PROT_READ);
		check_pattern(ptr, create.size, 0);
		munmap(ptr, create.size);
		gem_close(fd, create.handle);
	}
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

static bool has_invisible_vram(int fd)
{
	return vtgpu_getparam(fd, VTGPU_PARAM_VISIBLE_VRAM_SIZE) <
	       vtgpu_getparam(fd, VTGPU_PARAM_VRAM_SIZE);
}

static void test_gem_create_placement(int fd)
{
	struct drm_vtgpu_gem_info info;
	uint32_t bo;

	/* CPU-mappable VRAM BOs live in visible VRAM. */
	bo = vtgpu_gem_create(fd, 1 << 20, VTGPU_GEM_DOMAIN_VRAM, 0,
			      VTGPU_GEM_CREATE_CPU_ACCESS_REQUIRED);
	info = vtgpu_gem_info(fd, bo);
	igt_assert_eq_u32(info.domain, VTGPU_GEM_DOMAIN_VRAM);
	igt_assert_f(info.info_flags & VTGPU_GEM_INFO_VISIBLE,
		     "CPU_ACCESS_REQUIRED BO not in visible VRAM (flags %#x)\n",
		     info.info_flags);
	igt_assert_eq_u32(info.create_flags,
			  VTGPU_GEM_CREATE_CPU_ACCESS_REQUIRED);
	gem_close(fd, bo);

	bo = vtgpu_gem_create(fd, 1 << 20, VTGPU_GEM_DOMAIN_ALL, 0, 0);
	info = vtgpu_gem_info(fd, bo);
	igt_assert_eq_u32(info.domain, VTGPU_GEM_DOMAIN_VRAM);
	igt_assert_eq_u32(info.preferred, VTGPU_GEM_DOMAIN_VRAM);
	igt_assert(info.info_flags & VTGPU_GEM_INFO_VISIBLE);
	gem_close(fd, bo);

	/* NO_CPU_ACCESS BOs go to invisible VRAM when there is some. */
	bo = vtgpu_gem_create(fd, 1 << 20, VTGPU_GEM_DOMAIN_VRAM, 0,
			      VTGPU_GEM_CREATE_NO_CPU_ACCESS);
	info = vtgpu_gem_info(fd, bo);
	igt_assert_eq_u32(info.domain, VTGPU_GEM_DOMAIN_VRAM);
	if (has_invisible_vram(fd))
		igt_assert_f(!(info.info_flags & VTGPU_GEM_INFO_VISIBLE),
			     "NO_CPU_ACCESS BO in visible VRAM\n");
	gem_close(fd, bo);

	/* An explicit preference wins over the default order. */
	bo = vtgpu_gem_create(fd, 1 << 20, VTGPU_GEM_DOMAIN_ALL,
			      VTGPU_GEM_DOMAIN_GTT, 0);
	info = vtgpu_gem_info(fd, bo);
	igt_assert_eq_u32(info.domain, VTGPU_GEM_DOMAIN_GTT);
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
}

static void test_gem_info_invalid(int fd)
{
	struct drm_vtgpu_gem_info info = {
		.handle = 0xdeadbeef,
		.size = SENTINEL,
		.domain = 0xdeadbeef,
	};
	uint32_t bo = vtgpu_gem_create(fd, 4096, VTGPU_GEM_DOMAIN_ALL, 0, 0);

	igt_assert_eq(__vtgpu_gem_info(fd, &info), -ENOENT);
	info.handle = 0;
	igt_assert_eq(__vtgpu_gem_info(fd, &info), -ENOENT);

	info.handle = bo;
	info.pad = 1;
	igt_assert_eq(__vtgpu_gem_info(fd, &info), -EINVAL);
	info.pad = 0;
	info.pad2 = 0x80000000;
	igt_assert_eq(__vtgpu_gem_info(fd, &info), -EINVAL);
	igt_assert_eq_u64(info.size, SENTINEL);
	igt_assert_eq_u32(info.domain, 0xdeadbeef);

	/* Closed handles are gone. */
	gem_close(fd, bo);
	info.pad2 = 0;
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
	igt_assert_eq(__vtgpu_gem_wait(fd, bo, 10 * 1000 * 1000), -ETIMEDOUT);
	igt_assert_eq(vtgpu_fence_status(fence), 0);
	vtgpu_gem_wait(fd, bo);
	vtgpu_set_engine_delay(fd, 0);
	igt_assert_eq(vtgpu_fence_status(fence), 1);
	igt_assert_eq(__vtgpu_gem_wait(fd, bo, 0), 0);
	close(fence);
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
	uint32_t handles[65] = {}, syncobj, big, *ptr;
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
		.flags = 0x4, .seqno = SENTINEL,
	};
	igt_assert_eq(__vtgpu_submit(fd, &submit), -EINVAL);
	submit.flags = 0;
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
	submit.num_in_syncobjs = 65;
	submit.in_syncobjs = to_user_pointer(handles);
	igt_assert_eq(__vtgpu_submit(fd, &submit), -EINVAL);
	submit.num_in_syncobjs = 1;
	igt_assert_eq(__vtgpu_submit(fd, &submit), -ENOENT);
	/* A syncobj without a fence is no in-fence. */
	igt_assert_eq(drmSyncobjCreate(fd, 0, &syncobj), 0);
	handles[0] = syncobj;
	igt_assert_eq(__vtgpu_submit(fd, &submit), -EINVAL);
	submit.in_syncobjs = 8;
	igt_assert_eq(__vtgpu_submit(fd, &submit), -EFAULT);
	submit.num_in_syncobjs = 0;
	submit.cmds = 8;
	igt_assert_eq(__vtgpu_submit(fd, &submit), -EFAULT);
	submit.cmds = to_user_pointer(&fill);
	submit.out_syncobj = 0xdeadbeef;
	igt_assert_eq(__vtgpu_submit(fd, &submit), -ENOENT);
	submit.out_syncobj = 0;
	submit.flags = VTGPU_SUBMIT_IN_FENCE_FD;
	submit.in_fence_fd = -1;
	igt_assert_eq(__vtgpu_submit(fd, &submit), -EINVAL);
	submit.in_fence_fd = fd;
	igt_assert_eq(__vtgpu_submit(fd, &submit), -EINVAL);
	igt_assert_eq_u64(submit.seqno, SENTINEL);
	drmSyncobjDestroy(fd, syncobj);

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
	struct drm_vtgpu_cmd fill;
	uint32_t syncobj, in_handle, *ptr;
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
	submit.out_syncobj = syncobj;
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
	in_handle = syncobj;
	submit.in_syncobjs = to_user_pointer(&in_handle);
	submit.num_in_syncobjs = 1;
	submit.out_syncobj = 0;
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

	igt_require(vtgpu_getparam(fd, VTGPU_PARAM_CAPS) & VTGPU_CAP_INJECT);
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

static void test_dumb_buffer(void)
{
	int card = drm_open_driver(DRIVER_VTGPU);
	struct drm_mode_create_dumb create = {
		.width = 640, .height = 480, .bpp = 32,
	};
	struct drm_mode_map_dumb map = {};
	struct drm_mode_destroy_dumb destroy = {};
	uint32_t *ptr;

	do_ioctl(card, DRM_IOCTL_MODE_CREATE_DUMB, &create);
	igt_assert_neq(create.handle, 0);
	igt_assert_lte_u64(640 * 4, create.pitch);
	igt_assert_lte_u64((uint64_t)create.pitch * 480, create.size);

	map.handle = create.handle;
	do_ioctl(card, DRM_IOCTL_MODE_MAP_DUMB, &map);
	ptr = mmap(NULL, create.size, PROT_READ | PROT_WRITE, MAP_SHARED, card,
		   map.offset);
	igt_assert(ptr != MAP_FAILED);
	check_pattern(ptr, create.size, 0);
	for (uint64_t i = 0; i < create.size / 4; i++)
		ptr[i] = i;
	for (uint64_t i = 0; i < create.size / 4; i++)
		igt_assert_eq_u32(ptr[i], i);
	munmap(ptr, create.size);

	destroy.handle = create.handle;
	do_ioctl(card, DRM_IOCTL_MODE_DESTROY_DUMB, &destroy);
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

	igt_describe("Check that dumb buffers can be created, mapped, written "
		     "and read on the primary node.");
	igt_subtest("dumb-buffer")
		test_dumb_buffer();

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
