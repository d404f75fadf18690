// SPDX-License-Identifier: MIT
/*
 * Copyright 2026 The vtgpu authors
 */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>

#include <linux/sync_file.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <xf86drm.h>

#include <libvtgpu.h>

#include "igt.h"
#include "igt_device.h"
#include "igt_sysfs.h"
#include "igt_vtgpu.h"

/**
 * SECTION:igt_vtgpu
 * @short_description: vtgpu support library
 * @title: vtgpu
 * @include: igt_vtgpu.h
 *
 * This library provides helpers for writing tests of the vtgpu DRM driver,
 * the render-only driver for the vtgpu device that QEMU emulates (tests
 * open it with drm_open_driver_render(DRIVER_VTGPU)): debugfs access and
 * wrappers of its ioctls. The ioctls go through libvtgpu,
 * the driver's userspace library: the __vtgpu_*() helpers return its
 * 0 or -errno, the others fail the (sub-)test when it is not 0.
 */

/*
 * The libvtgpu device of each file descriptor a test passes, by number. A
 * device of vtgpu_device_from_fd() is nothing but the number, so the one
 * made for a file closed since serves the file that reuses its number.
 */
static struct vtgpu_device *vtgpu_devs[1024];

static struct vtgpu_device *vtgpu_dev(int fd)
{
	igt_assert_f(fd >= 0 && fd < ARRAY_SIZE(vtgpu_devs),
		     "file descriptor %d out of range\n", fd);
	if (!vtgpu_devs[fd])
		igt_assert_eq(vtgpu_device_from_fd(fd, &vtgpu_devs[fd]), 0);
	return vtgpu_devs[fd];
}

/* A libvtgpu return value, errno reset so that igt does not report it. */
static int vtgpu_ret(int ret)
{
	errno = 0;
	return ret;
}

/**
 * vtgpu_total_ram:
 *
 * Returns: the system's RAM in bytes, exactly as the kernel counts it
 * (MemTotal, sysinfo()'s totalram), which TTM's limits derive from.
 */
uint64_t vtgpu_total_ram(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	uint64_t kib = 0;
	char line[128];

	igt_assert(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemTotal: %" SCNu64 " kB", &kib) == 1)
			break;
	fclose(f);
	igt_assert_f(kib, "no MemTotal in /proc/meminfo\n");

	return kib << 10;
}

/**
 * vtgpu_debugfs_dir:
 * @fd: a vtgpu DRM file descriptor
 *
 * Opens the device's debugfs directory with igt_debugfs_dir(), skipping
 * the (sub-)test when there is none (debugfs needs root).
 *
 * Returns: the directory's file descriptor.
 */
int vtgpu_debugfs_dir(int fd)
{
	int dir = igt_debugfs_dir(fd);

	igt_require_f(dir >= 0, "no debugfs directory for the vtgpu device\n");

	return dir;
}

/**
 * vtgpu_debugfs_stat:
 * @fd: a vtgpu DRM file descriptor
 * @name: a counter of the debugfs "stats" file
 *
 * Returns: the counter's value; fails the (sub-)test if there is none.
 */
uint64_t vtgpu_debugfs_stat(int fd, const char *name)
{
	int dir = vtgpu_debugfs_dir(fd);
	char *buf, *line, *save = NULL;
	uint64_t value = 0;
	bool found = false;
	size_t len = strlen(name);

	buf = igt_sysfs_get(dir, "stats");
	close(dir);
	igt_assert_f(buf, "cannot read debugfs stats\n");

	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, name, len) == 0 && line[len] == ':') {
			found = sscanf(line + len + 1, "%" SCNu64, &value) == 1;
			break;
		}
	}
	free(buf);
	igt_assert_f(found, "no counter %s in debugfs stats\n", name);

	return value;
}

/**
 * vtgpu_debugfs_write:
 * @fd: a vtgpu DRM file descriptor
 * @file: a file in the minor's debugfs directory
 * @value: what to write to it
 *
 * Fails the (sub-)test if the write fails.
 */
void vtgpu_debugfs_write(int fd, const char *file, const char *value)
{
	int dir = vtgpu_debugfs_dir(fd);
	int f = openat(dir, file, O_WRONLY);

	close(dir);
	igt_assert_f(f >= 0, "cannot open debugfs %s: %m\n", file);
	igt_assert_f(write(f, value, strlen(value)) == (ssize_t)strlen(value),
		     "cannot write \"%s\" to debugfs %s: %m\n", value, file);
	close(f);
}

static bool usage_eq(const struct vtgpu_usage *a, const struct vtgpu_usage *b)
{
	return a->vram_kib == b->vram_kib && a->gtt_pages == b->gtt_pages &&
	       a->bos == b->bos;
}

/**
 * vtgpu_debugfs_usage:
 * @dir: the debugfs directory of a vtgpu minor, from vtgpu_debugfs_dir()
 *
 * Reads what the driver's memory managers and BO list (debugfs "mm" and
 * "bos") say is in use.
 *
 * Returns: the usage; fails the (sub-)test if the files cannot be read.
 */
struct vtgpu_usage vtgpu_debugfs_usage(int dir)
{
	struct vtgpu_usage u = { ~0ull, ~0ull, ~0ull };
	char *mm = igt_sysfs_get(dir, "mm"), *bos = igt_sysfs_get(dir, "bos");
	char *p;

	igt_assert_f(mm && bos, "cannot read debugfs mm and bos\n");
	p = strstr(mm, "VRAM:\n");
	igt_assert(p && sscanf(p, "VRAM:\nsize: %*u KiB, used: %" SCNu64,
			       &u.vram_kib) == 1);
	p = strstr(mm, "GTT:\n");
	igt_assert(p && (p = strstr(p, "usage: ")) &&
		   sscanf(p, "usage: %" SCNu64, &u.gtt_pages) == 1);
	/* The last line: "N BOs, N KiB". */
	for (p = bos; strchr(p, '\n') && strchr(p, '\n')[1];
	     p = strchr(p, '\n') + 1)
		;
	igt_assert(sscanf(p, "%" SCNu64 " BOs", &u.bos) == 1);
	free(mm);
	free(bos);
	return u;
}

/**
 * vtgpu_debugfs_usage_settled:
 * @dir: the debugfs directory of a vtgpu minor, from vtgpu_debugfs_dir()
 *
 * vtgpu_debugfs_usage() once the BOs freed before the call are gone:
 * when two reads 100 ms apart agree (for at most 30 s).
 *
 * Returns: the usage.
 */
struct vtgpu_usage vtgpu_debugfs_usage_settled(int dir)
{
	struct vtgpu_usage last, now = vtgpu_debugfs_usage(dir);

	for (int i = 0; i < 300; i++) {
		usleep(100 * 1000);
		last = now;
		now = vtgpu_debugfs_usage(dir);
		if (usage_eq(&now, &last))
			break;
	}
	return now;
}

/**
 * vtgpu_assert_usage_back:
 * @dir: the debugfs directory of a vtgpu minor, from vtgpu_debugfs_dir()
 * @base: the usage before the test made its BOs
 *
 * Fails the (sub-)test unless the usage returns to @base, once every BO
 * the test made is closed. Freeing waits for the BOs' jobs: the usage is
 * read again for up to 30 s.
 */
void vtgpu_assert_usage_back(int dir, const struct vtgpu_usage *base)
{
	struct vtgpu_usage now;

	for (int i = 0; i < 300; i++) {
		now = vtgpu_debugfs_usage(dir);
		if (usage_eq(&now, base))
			break;
		usleep(100 * 1000);
	}
	igt_assert_f(usage_eq(&now, base),
		     "after closing everything: VRAM %" PRIu64 " KiB, GTT %" PRIu64 " pages, %" PRIu64 " BOs; before: %" PRIu64 ", %" PRIu64 ", %" PRIu64 "\n",
		     now.vram_kib, now.gtt_pages, now.bos,
		     base->vram_kib, base->gtt_pages, base->bos);
}

/**
 * __vtgpu_getparam:
 * @fd: vtgpu file descriptor
 * @param: one of VTGPU_PARAM_*
 * @value: where to store the parameter's value
 *
 * Queries a device parameter with DRM_IOCTL_VTGPU_GETPARAM. @value is only
 * written on success.
 *
 * Returns: 0 on success, -errno on failure.
 */
int __vtgpu_getparam(int fd, uint32_t param, uint64_t *value)
{
	return vtgpu_ret(vtgpu_query_param(vtgpu_dev(fd), param, value));
}

/**
 * vtgpu_getparam:
 * @fd: vtgpu file descriptor
 * @param: one of VTGPU_PARAM_*
 *
 * Like __vtgpu_getparam(), but fails the (sub-)test if the ioctl fails.
 *
 * Returns: the parameter's value.
 */
uint64_t vtgpu_getparam(int fd, uint32_t param)
{
	uint64_t value = 0;

	igt_assert_eq(__vtgpu_getparam(fd, param, &value), 0);

	return value;
}

/**
 * vtgpu_pci_resource_len:
 * @fd: vtgpu file descriptor
 * @bar: PCI BAR number, e.g. VTGPU_BAR_VRAM
 *
 * Reads the length of a BAR of the PCI device behind @fd from sysfs
 * (/sys/dev/char/MAJOR:MINOR/device/resource, one "start end flags" line per
 * resource). Fails the (sub-)test if the file cannot be read or parsed.
 *
 * Returns: the BAR's length in bytes, 0 for an unimplemented BAR.
 */
uint64_t vtgpu_pci_resource_len(int fd, unsigned int bar)
{
	uint64_t start = 0, end = 0, flags = 0;
	char *buf, *line, *save = NULL;
	unsigned int i = 0;
	bool found = false;
	int dir;

	dir = igt_sysfs_open(fd);
	igt_assert_f(dir >= 0, "no sysfs directory for fd %d\n", fd);

	buf = igt_sysfs_get(dir, "device/resource");
	close(dir);
	igt_assert_f(buf, "cannot read device/resource\n");

	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save), i++) {
		if (i != bar)
			continue;

		found = sscanf(line, "%" SCNx64 " %" SCNx64 " %" SCNx64,
			       &start, &end, &flags) == 3;
		break;
	}
	free(buf);

	igt_assert_f(found, "no line for BAR%u in device/resource\n", bar);
	igt_debug("BAR%u: %#" PRIx64 "-%#" PRIx64 " flags %#" PRIx64 "\n",
		  bar, start, end, flags);

	if (!end)
		return 0;

	igt_assert_f(end > start, "BAR%u ends (%#" PRIx64 ") before it starts (%#" PRIx64 ")\n",
		     bar, end, start);
	return end - start + 1;
}

/**
 * __vtgpu_gem_create:
 * @fd: vtgpu file descriptor
 * @create: the DRM_IOCTL_VTGPU_GEM_CREATE argument
 *
 * Returns: 0 on success, -errno on failure.
 */
int __vtgpu_gem_create(int fd, struct drm_vtgpu_gem_create *create)
{
	return vtgpu_ret(vtgpu_bo_create(vtgpu_dev(fd), create));
}

/**
 * vtgpu_gem_create:
 * @fd: vtgpu file descriptor
 * @size: size in bytes
 * @domains: VTGPU_GEM_DOMAIN_* the BO may be placed in
 * @preferred: the preferred domain, or 0
 * @flags: VTGPU_GEM_CREATE_*
 *
 * Creates a BO, failing the (sub-)test if that fails.
 *
 * Returns: the BO's handle.
 */
uint32_t vtgpu_gem_create(int fd, uint64_t size, uint32_t domains,
			  uint32_t preferred, uint32_t flags)
{
	struct drm_vtgpu_gem_create create = {
		.size = size,
		.domains = domains,
		.preferred = preferred,
		.flags = flags,
	};

	igt_assert_eq(__vtgpu_gem_create(fd, &create), 0);
	igt_assert(create.handle);

	return create.handle;
}

/**
 * vtgpu_fill_visible_vram:
 * @fd: vtgpu file descriptor
 * @handles: where to store the handles of the VTGPU_VISIBLE_FILLERS BOs
 *
 * Fills visible VRAM with idle CPU-mappable BOs, which may also use GTT,
 * evicting what was there: nine eighths of it, so that it is full
 * whatever else the driver keeps there. The caller closes them.
 */
void vtgpu_fill_visible_vram(int fd, uint32_t *handles)
{
	uint64_t visible = vtgpu_getparam(fd, VTGPU_PARAM_VISIBLE_VRAM_SIZE);

	for (unsigned int i = 0; i < VTGPU_VISIBLE_FILLERS; i++)
		handles[i] = vtgpu_gem_create(fd, visible / 8,
					      VTGPU_GEM_DOMAIN_VRAM |
					      VTGPU_GEM_DOMAIN_GTT,
					      VTGPU_GEM_DOMAIN_VRAM,
					      VTGPU_GEM_CREATE_CPU_ACCESS_REQUIRED);
}

/**
 * vtgpu_evict_vram:
 * @fd: vtgpu file descriptor
 *
 * Evicts every BO from VRAM, as amdgpu_evict_vram does, through debugfs,
 * failing the (sub-)test if that fails.
 */
void vtgpu_evict_vram(int fd)
{
	int dir = vtgpu_debugfs_dir(fd);
	char *ret = igt_sysfs_get(dir, "evict_vram");

	close(dir);
	igt_assert_f(ret, "cannot read debugfs evict_vram\n");
	igt_assert_f(atoi(ret) == 0, "evict_vram: %s\n", ret);
	free(ret);
}

/**
 * vtgpu_gem_create_invisible:
 * @fd: vtgpu file descriptor
 * @size: the BO's size
 * @domains: VTGPU_GEM_DOMAIN_*, VRAM among them
 *
 * Creates a BO the CPU may map, preferring VRAM, in invisible VRAM: made
 * while CPU-mappable BOs fill visible VRAM, it lands beyond it. (A
 * NO_CPU_ACCESS BO goes there by itself, but cannot be mapped.) VRAM is
 * emptied first (debugfs evict_vram), so that the fillers leave no hole
 * between the caller's BOs. Skips the (sub-)test when all of VRAM is
 * visible.
 *
 * Returns: the BO's handle.
 */
uint32_t vtgpu_gem_create_invisible(int fd, uint64_t size, uint32_t domains)
{
	uint32_t filler[VTGPU_VISIBLE_FILLERS], bo;
	struct vtgpu_bo_state st;

	igt_require_f(vtgpu_getparam(fd, VTGPU_PARAM_VISIBLE_VRAM_SIZE) <
		      vtgpu_getparam(fd, VTGPU_PARAM_VRAM_SIZE),
		      "all of VRAM is visible\n");
	vtgpu_evict_vram(fd);
	vtgpu_fill_visible_vram(fd, filler);
	bo = vtgpu_gem_create(fd, size, domains, VTGPU_GEM_DOMAIN_VRAM, 0);
	for (unsigned int i = 0; i < ARRAY_SIZE(filler); i++)
		gem_close(fd, filler[i]);

	st = vtgpu_bo_state(fd, bo);
	igt_assert_f(st.domain == VTGPU_GEM_DOMAIN_VRAM && !st.visible,
		     "BO %u not in invisible VRAM\n", bo);

	return bo;
}

/**
 * __vtgpu_gem_mmap_offset:
 * @fd: vtgpu file descriptor
 * @handle: a BO handle
 * @offset: where to store the mmap offset
 *
 * Returns: 0 on success, -errno on failure.
 */
int __vtgpu_gem_mmap_offset(int fd, uint32_t handle, uint64_t *offset)
{
	return vtgpu_ret(vtgpu_bo_mmap_offset(vtgpu_dev(fd), handle, offset));
}

/**
 * vtgpu_gem_mmap:
 * @fd: vtgpu file descriptor
 * @handle: a BO handle
 * @size: bytes to map
 * @prot: PROT_* of the mapping
 *
 * Maps a BO, shared, failing the (sub-)test if that fails.
 *
 * Returns: the mapping.
 */
void *vtgpu_gem_mmap(int fd, uint32_t handle, uint64_t size, int prot)
{
	void *ptr = NULL;
	int ret;

	ret = vtgpu_bo_mmap(vtgpu_dev(fd), handle, size, prot, &ptr);
	igt_assert_f(ret == 0, "mmap of BO %u failed: %s\n", handle,
		     strerror(-ret));

	return ptr;
}

/**
 * __vtgpu_gem_info:
 * @fd: vtgpu file descriptor
 * @info: the DRM_IOCTL_VTGPU_GEM_INFO argument
 *
 * Returns: 0 on success, -errno on failure.
 */
int __vtgpu_gem_info(int fd, struct drm_vtgpu_gem_info *info)
{
	return vtgpu_ret(vtgpu_bo_info(vtgpu_dev(fd), info));
}

/**
 * vtgpu_gem_info:
 * @fd: vtgpu file descriptor
 * @handle: a BO handle
 *
 * Returns: what the BO is, failing the (sub-)test if the query fails.
 */
struct drm_vtgpu_gem_info vtgpu_gem_info(int fd, uint32_t handle)
{
	struct drm_vtgpu_gem_info info = { .handle = handle };

	igt_assert_eq(__vtgpu_gem_info(fd, &info), 0);

	return info;
}

/* The drm-client-id of a DRM file, from its fdinfo. */
static uint64_t vtgpu_client_id(int fd)
{
	char path[64], line[256];
	uint64_t id = 0;
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	igt_assert_f(f, "cannot open %s: %m\n", path);
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "drm-client-id: %" SCNu64, &id) == 1;
	fclose(f);
	igt_assert_f(found, "no drm-client-id in %s\n", path);

	return id;
}

/*
 * The line of @handle of the file of drm-client-id @id in the debugfs
 * file "handles", after the two ids; NULL if there is none.
 */
static char *handle_line(int dir, uint64_t id, uint32_t handle)
{
	char *buf = igt_sysfs_get(dir, "handles"), *line, *save = NULL;
	char *found = NULL;
	uint32_t line_handle;
	uint64_t line_id;
	int pos;

	igt_assert_f(buf, "cannot read debugfs handles\n");
	for (line = strtok_r(buf, "\n", &save); line && !found;
	     line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "%" SCNu64 " %" SCNu32 "%n", &line_id,
			   &line_handle, &pos) == 2 &&
		    line_id == id && line_handle == handle)
			found = strdup(line + pos);
	}
	free(buf);

	return found;
}

/**
 * vtgpu_bo_state:
 * @fd: vtgpu file descriptor
 * @handle: a BO handle
 *
 * Reads where the kernel placed a BO in the debugfs file "handles" (the
 * uapi does not tell), failing the (sub-)test if it has no such handle.
 * While someone else has the BO reserved the file says "busy": reads
 * again then, for up to ten seconds.
 *
 * Returns: the BO's state now.
 */
struct vtgpu_bo_state vtgpu_bo_state(int fd, uint32_t handle)
{
	static const struct {
		const char *name;
		uint32_t domain;
	} domains[] = {
		{ "vram", VTGPU_GEM_DOMAIN_VRAM },
		{ "gtt", VTGPU_GEM_DOMAIN_GTT },
		{ "system", VTGPU_GEM_DOMAIN_SYSTEM },
	};
	uint64_t id = vtgpu_client_id(fd);
	int dir = vtgpu_debugfs_dir(fd);
	struct vtgpu_bo_state st = {};
	char domain[16] = "";
	char *line;

	for (unsigned int try = 0;; try++) {
		line = handle_line(dir, id, handle);
		igt_assert_f(line, "no BO of handle %u in debugfs handles\n",
			     handle);
		if (strcmp(line, " busy") || try == 10000)
			break;
		free(line);
		usleep(1000);
	}
	close(dir);

	sscanf(line, "%15s", domain);
	for (unsigned int i = 0; i < ARRAY_SIZE(domains); i++)
		if (!strcmp(domain, domains[i].name))
			st.domain = domains[i].domain;
	st.visible = !!strstr(line, " visible");
	st.pinned = !!strstr(line, " pinned");
	st.swapped = !!strstr(line, " swapped");
	st.cpu_accessed = !!strstr(line, " cpu-accessed");
	igt_assert_f(st.domain, "BO of handle %u:%s\n", handle, line);
	free(line);

	return st;
}

/**
 * vtgpu_gem_domain:
 * @fd: vtgpu file descriptor
 * @handle: a BO handle
 *
 * Returns: the VTGPU_GEM_DOMAIN_* the BO is in now, see vtgpu_bo_state().
 */
uint32_t vtgpu_gem_domain(int fd, uint32_t handle)
{
	return vtgpu_bo_state(fd, handle).domain;
}

/**
 * vtgpu_deadline:
 * @timeout_ns: a duration in nanoseconds
 *
 * Returns: the CLOCK_MONOTONIC time @timeout_ns from now, in nanoseconds,
 * for &drm_vtgpu_gem_wait.timeout_ns.
 */
int64_t vtgpu_deadline(int64_t timeout_ns)
{
	struct timespec now;

	igt_assert_eq(clock_gettime(CLOCK_MONOTONIC, &now), 0);

	return now.tv_sec * NSEC_PER_SEC + now.tv_nsec + timeout_ns;
}

/**
 * __vtgpu_gem_wait:
 * @fd: vtgpu file descriptor
 * @handle: a BO handle
 * @timeout_ns: until when to wait at most, see vtgpu_deadline()
 *
 * Returns: 0 when the BO is idle, -errno on failure.
 */
int __vtgpu_gem_wait(int fd, uint32_t handle, int64_t timeout_ns)
{
	return vtgpu_ret(vtgpu_bo_wait(vtgpu_dev(fd), handle, timeout_ns));
}

/**
 * vtgpu_gem_wait:
 * @fd: vtgpu file descriptor
 * @handle: a BO handle
 *
 * Waits (up to 60 seconds) for a BO to be idle, failing the (sub-)test if
 * it is not.
 */
void vtgpu_gem_wait(int fd, uint32_t handle)
{
	igt_assert_eq(__vtgpu_gem_wait(fd, handle, vtgpu_deadline(60ll * NSEC_PER_SEC)),
		      0);
}

/**
 * __vtgpu_gem_userptr:
 * @fd: vtgpu file descriptor
 * @userptr: the DRM_IOCTL_VTGPU_GEM_USERPTR argument
 *
 * Returns: 0 on success, -errno on failure.
 */
int __vtgpu_gem_userptr(int fd, struct drm_vtgpu_gem_userptr *userptr)
{
	return vtgpu_ret(vtgpu_bo_userptr(vtgpu_dev(fd), userptr));
}

/**
 * vtgpu_gem_userptr:
 * @fd: vtgpu file descriptor
 * @ptr: start of the user memory, page aligned
 * @size: its size, a multiple of the page size
 * @flags: VTGPU_USERPTR_*
 *
 * Creates a BO made of the memory at @ptr, failing the (sub-)test if that
 * fails.
 *
 * Returns: the BO's handle.
 */
uint32_t vtgpu_gem_userptr(int fd, void *ptr, uint64_t size, uint32_t flags)
{
	struct drm_vtgpu_gem_userptr userptr = {
		.addr = to_user_pointer(ptr),
		.size = size,
		.flags = flags,
	};

	igt_assert_eq(__vtgpu_gem_userptr(fd, &userptr), 0);
	igt_assert(userptr.handle);

	return userptr.handle;
}

/**
 * __vtgpu_submit:
 * @fd: vtgpu file descriptor
 * @submit: the DRM_IOCTL_VTGPU_SUBMIT argument
 *
 * Returns: 0 on success, -errno on failure.
 */
int __vtgpu_submit(int fd, struct drm_vtgpu_submit *submit)
{
	return vtgpu_ret(vtgpu_submit(vtgpu_dev(fd), submit));
}

/**
 * vtgpu_submit_cmds:
 * @fd: vtgpu file descriptor
 * @cmds: the commands
 * @count: how many
 * @flags: VTGPU_SUBMIT_*; with VTGPU_SUBMIT_OUT_FENCE_FD the out-fence is
 *	returned
 *
 * Submits a job, failing the (sub-)test if that fails.
 *
 * Returns: the out-fence sync_file with VTGPU_SUBMIT_OUT_FENCE_FD, else -1.
 */
int vtgpu_submit_cmds(int fd, const struct drm_vtgpu_cmd *cmds,
		      unsigned int count, uint32_t flags)
{
	struct drm_vtgpu_submit submit = {
		.cmds = to_user_pointer(cmds),
		.num_cmds = count,
		.flags = flags,
	};

	igt_assert_eq(__vtgpu_submit(fd, &submit), 0);

	return flags & VTGPU_SUBMIT_OUT_FENCE_FD ? submit.out_fence_fd : -1;
}

/**
 * vtgpu_copy:
 * @fd: vtgpu file descriptor
 * @src: source BO
 * @src_offset: offset in @src
 * @dst: destination BO
 * @dst_offset: offset in @dst
 * @size: bytes to copy
 *
 * Queues a copy on the engine.
 */
void vtgpu_copy(int fd, uint32_t src, uint64_t src_offset, uint32_t dst,
		uint64_t dst_offset, uint64_t size)
{
	struct drm_vtgpu_cmd cmd = {
		.op = VTGPU_CMD_COPY,
		.src_handle = src,
		.dst_handle = dst,
		.src_offset = src_offset,
		.dst_offset = dst_offset,
		.size = size,
	};

	vtgpu_submit_cmds(fd, &cmd, 1, 0);
}

/**
 * vtgpu_fill:
 * @fd: vtgpu file descriptor
 * @dst: destination BO
 * @offset: offset in @dst, a multiple of 4
 * @size: bytes to fill, a multiple of 4
 * @pattern: the 32-bit pattern
 *
 * Queues a fill on the engine.
 */
void vtgpu_fill(int fd, uint32_t dst, uint64_t offset, uint64_t size,
		uint32_t pattern)
{
	struct drm_vtgpu_cmd cmd = {
		.op = VTGPU_CMD_FILL,
		.dst_handle = dst,
		.dst_offset = offset,
		.size = size,
		.pattern = pattern,
	};

	vtgpu_submit_cmds(fd, &cmd, 1, 0);
}

/**
 * vtgpu_fence_wait:
 * @fence_fd: a sync_file
 * @timeout_ms: how long to wait at most, -1 for ever
 *
 * Returns: 1 if the fence signalled, 0 on timeout.
 */
int vtgpu_fence_wait(int fence_fd, int timeout_ms)
{
	struct pollfd pfd = { .fd = fence_fd, .events = POLLIN };
	int ret;

	do {
		ret = poll(&pfd, 1, timeout_ms);
	} while (ret < 0 && (errno == EINTR || errno == EAGAIN));
	igt_assert_f(ret >= 0, "poll on fence %d failed: %m\n", fence_fd);

	return ret;
}

/**
 * vtgpu_fence_status:
 * @fence_fd: a sync_file
 *
 * Returns: 1 if the fence signalled, 0 if it is still pending, the
 * negative error it signalled with otherwise.
 */
int vtgpu_fence_status(int fence_fd)
{
	struct sync_file_info info = {};

	igt_assert_eq(ioctl(fence_fd, SYNC_IOC_FILE_INFO, &info), 0);

	return info.status;
}

/* The debugfs knobs the tests set, and what an exit handler sets back. */
static struct {
	int dir;
	const char *file;
	const char *reset;
} knobs[4];
static unsigned int num_knobs;

/*
 * An exit handler: no assertions. The device may be gone (unplugged),
 * and then there is nothing to reset.
 */
static void reset_knobs(int sig)
{
	for (unsigned int i = 0; i < num_knobs; i++) {
		int f = openat(knobs[i].dir, knobs[i].file, O_WRONLY);

		if (f < 0)
			continue;
		if (write(f, knobs[i].reset, strlen(knobs[i].reset)) < 0)
			igt_debug("could not reset %s: %m\n", knobs[i].file);
		close(f);
	}
}

/**
 * vtgpu_debugfs_set:
 * @fd: vtgpu file descriptor
 * @file: a knob in the device's debugfs directory
 * @value: what to write to it
 * @reset: what to write to it when the test exits
 *
 * Sets a debugfs knob for the rest of the (sub-)test: the first call for
 * @file installs an exit handler that writes @reset, so that a failed
 * subtest does not leave the knob set for the tests after it.
 */
void vtgpu_debugfs_set(int fd, const char *file, const char *value,
		       const char *reset)
{
	unsigned int i;

	for (i = 0; i < num_knobs && strcmp(knobs[i].file, file); i++)
		;
	if (i == num_knobs) {
		igt_assert(i < ARRAY_SIZE(knobs));
		knobs[i].dir = vtgpu_debugfs_dir(fd);
		knobs[i].file = file;
		knobs[i].reset = reset;
		if (!num_knobs++)
			igt_install_exit_handler(reset_knobs);
	}
	vtgpu_debugfs_write(fd, file, value);
}

/**
 * vtgpu_set_engine_delay:
 * @fd: vtgpu file descriptor
 * @us: microseconds each engine command takes, 0 for none
 *
 * Slows the engine down through debugfs, to keep jobs in flight; back to
 * full speed when the test exits.
 */
void vtgpu_set_engine_delay(int fd, unsigned int us)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%u", us);
	vtgpu_debugfs_set(fd, "engine_delay_us", buf, "0");
}

/**
 * vtgpu_inject:
 * @fd: vtgpu file descriptor
 * @fault: what debugfs inject takes: "fail" (the next command fails),
 *	"hang" (the engine stops) or "none"
 *
 * Injects an engine fault, cleared when the test exits. The driver logs
 * the error and the reset it makes, as it must for a real one: igt_runner
 * is told to expect those messages for the rest of the subtest.
 */
void vtgpu_inject(int fd, const char *fault)
{
	/* No backslashes: the kernel log would escape them. */
	if (strcmp(fault, "none"))
		igt_emit_ignore_dmesg_regex("vtgpu [^ ]+: [[]drm[]] [*]ERROR[*] "
					    "(engine error: |engine hang at |"
					    "job [0-9]+ of the driver failed|"
					    "engine failed a move of )");
	vtgpu_debugfs_set(fd, "inject", fault, "none");
}

/**
 * vtgpu_require_inject:
 * @fd: a vtgpu DRM file descriptor
 *
 * Skips the (sub-)test unless the device can inject engine faults: the
 * debugfs file "inject" refuses even "none" with ENODEV otherwise.
 */
void vtgpu_require_inject(int fd)
{
	int dir = vtgpu_debugfs_dir(fd);
	int f = openat(dir, "inject", O_WRONLY);
	int err = 0;

	close(dir);
	igt_require_f(f >= 0, "no debugfs inject: %m\n");
	if (write(f, "none", 4) != 4)
		err = errno;
	close(f);
	igt_require_f(err != ENODEV, "the device cannot inject faults\n");
	igt_assert_f(!err, "cannot write debugfs inject: %s\n", strerror(err));
}

/**
 * vtgpu_rebind:
 * @fd: vtgpu file descriptor, closed here
 *
 * Unbinds the driver from the device and binds it again: the recovery a
 * wedged device asks for ("WEDGED=rebind").
 *
 * Returns: a render node file of the device bound again.
 */
int vtgpu_rebind(int fd)
{
	char slot[NAME_MAX];
	int dir;

	igt_device_get_pci_slot_name(fd, slot);
	close(fd);
	dir = open("/sys/bus/pci/drivers/vtgpu", O_RDONLY | O_DIRECTORY);
	igt_assert_f(dir >= 0, "no vtgpu PCI driver in sysfs: %m\n");
	igt_assert_f(igt_sysfs_set(dir, "unbind", slot),
		     "cannot unbind vtgpu from %s\n", slot);
	igt_assert_f(igt_sysfs_set(dir, "bind", slot),
		     "cannot bind vtgpu to %s\n", slot);
	close(dir);
	return drm_open_driver_render(DRIVER_VTGPU);
}

static sigjmp_buf sigbus_jmp;

static void sigbus_handler(int sig)
{
	siglongjmp(sigbus_jmp, sig);
}

/**
 * vtgpu_read_signal:
 * @ptr: a dword of a mapping
 *
 * Reads the dword, catching SIGBUS.
 *
 * Returns: SIGBUS when the read raised it, else 0.
 */
int vtgpu_read_signal(const volatile uint32_t *ptr)
{
	struct sigaction sa = { .sa_handler = sigbus_handler }, old_bus;
	int sig;

	igt_assert_eq(sigaction(SIGBUS, &sa, &old_bus), 0);
	sig = sigsetjmp(sigbus_jmp, 1);
	if (!sig)
		(void)*ptr;
	igt_assert_eq(sigaction(SIGBUS, &old_bus, NULL), 0);
	return sig;
}

/**
 * vtgpu_thread_sleeps:
 * @tid: a thread of this process
 *
 * Returns: whether the thread sleeps, in the kernel: /proc's S or D.
 */
bool vtgpu_thread_sleeps(int tid)
{
	char path[64], buf[256], *state;
	FILE *f;
	bool ret;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	f = fopen(path, "r");
	if (!f)
		return false;
	ret = fgets(buf, sizeof(buf), f) && (state = strrchr(buf, ')')) &&
	      (state[2] == 'S' || state[2] == 'D');
	fclose(f);
	return ret;
}

/*
 * Start @fn(@arg) in a thread that stores its tid in @tid and sets @done
 * when it returns, and wait until it sleeps in the driver (for up to
 * 30 s), failing the (sub-)test if it returns instead: "the @what".
 */
static void start_sleeper(pthread_t *thread, void *(*fn)(void *), void *arg,
			  atomic_int *tid, atomic_bool *done, const char *what)
{
	igt_assert_eq(pthread_create(thread, NULL, fn, arg), 0);
	igt_assert_f(igt_wait(atomic_load(tid) &&
			      vtgpu_thread_sleeps(atomic_load(tid)),
			      30000, 1) || atomic_load(done),
		     "the %s neither slept nor finished\n", what);
	igt_assert_f(!atomic_load(done), "the %s did not wait\n", what);
}

static void *fault_first_word(void *arg)
{
	struct vtgpu_faulter *f = arg;

	atomic_store(&f->tid, gettid());
	f->value = READ_ONCE(f->ptr[0]);
	atomic_store(&f->done, true);
	return NULL;
}

/**
 * vtgpu_faulter_start:
 * @f: the faulter, zeroed
 * @ptr: a mapping whose first fault is to wait in the driver
 *
 * Starts a thread that reads @ptr[0], taking the fault, and waits until it
 * sleeps in it (for up to 30 s), failing the (sub-)test if the fault
 * completes instead. vtgpu_faulter_join() waits for the read.
 */
void vtgpu_faulter_start(struct vtgpu_faulter *f, const uint32_t *ptr)
{
	f->ptr = ptr;
	start_sleeper(&f->thread, fault_first_word, f, &f->tid, &f->done,
		      "faulting thread");
}

/**
 * vtgpu_faulter_join:
 * @f: a faulter started with vtgpu_faulter_start()
 *
 * Returns: what the faulting thread read.
 */
uint32_t vtgpu_faulter_join(struct vtgpu_faulter *f)
{
	igt_assert_eq(pthread_join(f->thread, NULL), 0);
	return f->value;
}

static void *create_bo(void *arg)
{
	struct vtgpu_creator *c = arg;

	atomic_store(&c->tid, gettid());
	c->err = __vtgpu_gem_create(c->fd, &c->create);
	atomic_store(&c->done, true);
	return NULL;
}

/**
 * vtgpu_creator_start:
 * @c: the creator, zeroed
 * @fd: the vtgpu file
 * @size: the BO's size
 * @domain: the one domain the BO may use, where it is placed at once
 *
 * Starts a thread that creates the BO and waits until it sleeps in the
 * driver (for up to 30 s): in an eviction that waits for the busy BO it
 * holds reserved. Fails the (sub-)test if the creation completes instead.
 * vtgpu_creator_join() waits for it.
 */
void vtgpu_creator_start(struct vtgpu_creator *c, int fd, uint64_t size,
			 uint32_t domain)
{
	c->fd = fd;
	c->create = (struct drm_vtgpu_gem_create) {
		.size = size, .domains = domain, .preferred = domain,
	};
	start_sleeper(&c->thread, create_bo, c, &c->tid, &c->done,
		      "creating thread");
}

/**
 * vtgpu_creator_join:
 * @c: a creator started with vtgpu_creator_start()
 *
 * Returns: the handle of the BO created, failing the (sub-)test if the
 * creation failed.
 */
uint32_t vtgpu_creator_join(struct vtgpu_creator *c)
{
	igt_assert_eq(pthread_join(c->thread, NULL), 0);
	igt_assert_eq(c->err, 0);
	return c->create.handle;
}

/**
 * vtgpu_write_seq:
 * @ptr: where to write
 * @size: bytes to write, a multiple of 4
 * @base: the first dword's value
 *
 * Writes the dwords base, base + 1, ... : a pattern in which a misplaced
 * or stale page shows.
 */
void vtgpu_write_seq(uint32_t *ptr, uint64_t size, uint32_t base)
{
	for (uint64_t i = 0; i < size / 4; i++)
		ptr[i] = base + i;
}

/**
 * vtgpu_check_seq:
 * @ptr: what to check
 * @size: bytes to check, a multiple of 4
 * @base: the first dword's expected value
 * @what: what is checked, for the failure message
 *
 * Asserts that @ptr holds what vtgpu_write_seq() wrote with @base.
 */
void vtgpu_check_seq(const uint32_t *ptr, uint64_t size, uint32_t base,
		     const char *what)
{
	for (uint64_t i = 0; i < size / 4; i++)
		igt_assert_f(ptr[i] == (uint32_t)(base + i),
			     "%s: dword %" PRIu64 " is %#x, expected %#x\n",
			     what, i, ptr[i], (uint32_t)(base + i));
}

/**
 * vtgpu_check_fill:
 * @ptr: what to check
 * @size: bytes to check, a multiple of 4
 * @value: the expected value of every dword
 * @what: what is checked, for the failure message
 */
void vtgpu_check_fill(const uint32_t *ptr, uint64_t size, uint32_t value,
		      const char *what)
{
	for (uint64_t i = 0; i < size / 4; i++)
		igt_assert_f(ptr[i] == value,
			     "%s: dword %" PRIu64 " is %#x, expected %#x\n",
			     what, i, ptr[i], value);
}
