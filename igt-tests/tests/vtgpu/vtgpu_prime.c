// SPDX-License-Identifier: MIT
/*
 * Copyright 2026 The vtgpu authors
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <xf86drm.h>

#include "igt.h"
#include "igt_sysfs.h"
#include "igt_vgem.h"
#include "igt_vtgpu.h"
#include "vtgpu_drm.h"

IGT_TEST_DESCRIPTION("Sharing vtgpu BOs through dma-bufs: with vgem both "
		     "ways, with vtgpu itself, and mapped through the dma-buf, "
		     "with implicit synchronisation on foreign fences.");

#define BO_SIZE (1u << 20)

static int export(int fd, uint32_t handle)
{
	int dmabuf = -1;

	igt_assert_eq(drmPrimeHandleToFD(fd, handle, DRM_CLOEXEC | DRM_RDWR,
					 &dmabuf), 0);
	return dmabuf;
}

static uint32_t import(int fd, int dmabuf)
{
	uint32_t handle = 0;

	igt_assert_eq(drmPrimeFDToHandle(fd, dmabuf, &handle), 0);
	return handle;
}

static void *mmap_dmabuf(int dmabuf, uint64_t size, int prot)
{
	void *ptr = mmap(NULL, size, prot, MAP_SHARED, dmabuf, 0);

	igt_assert_f(ptr != MAP_FAILED, "mmap of dma-buf failed: %m\n");
	return ptr;
}

/*
 * Fill @handle on the engine while vgem holds a write fence on it: the
 * fill must land after what vgem's side writes before it signals. A
 * child, standing for vgem's writer, watches the pages through @cpu from
 * just before the fill is submitted (SUBMIT may block on the fence, so
 * the parent cannot say when it is in) for a while: a fill word there
 * would be the engine running ahead of the fence. Then it writes its own
 * pattern over all of them and signals. In the end every word must be
 * the fill's.
 */
static void check_implicit_sync(int fd, uint32_t handle, int vgem,
				struct vgem_bo *vbo, uint32_t *cpu)
{
	const uint32_t fill = 0x5a5a5a5a, vgem_wrote = 0x0bad0bad;
	uint32_t fence = vgem_fence_attach(vgem, vbo, VGEM_FENCE_WRITE);
	int go[2];

	vtgpu_write_seq(cpu, BO_SIZE, 0x1000);
	igt_assert_eq(pipe(go), 0);
	igt_fork(child, 1) {
		struct timespec t0 = {};
		char c;

		igt_assert_eq(read(go[0], &c, 1), 1);
		/*
		 * How long to give a broken driver to run the fill early is
		 * the only time here: a correct one passes with any.
		 */
		igt_gettime(&t0);
		while (igt_nsec_elapsed(&t0) < 200 * NSEC_PER_MSEC)
			for (uint64_t i = 0; i < BO_SIZE / 4; i += 1024)
				igt_assert_f(READ_ONCE(cpu[i]) != fill,
					     "the fill ran before vgem's fence "
					     "signalled (word %" PRIu64 ")\n",
					     i);
		for (uint64_t i = 0; i < BO_SIZE / 4; i++)
			WRITE_ONCE(cpu[i], vgem_wrote);
		vgem_fence_signal(vgem, fence);
	}
	igt_assert_eq(write(go[1], "g", 1), 1);
	vtgpu_fill(fd, handle, 0, BO_SIZE, fill);
	vtgpu_gem_wait(fd, handle);
	igt_waitchildren();
	close(go[0]);
	close(go[1]);

	vtgpu_check_fill(cpu, BO_SIZE, fill, "the fill after vgem's writes");
}

static void test_vtgpu_to_vgem(int fd)
{
	int vgem = drm_open_driver(DRIVER_VGEM);
	struct vtgpu_bo_state st;
	struct vgem_bo vbo = { .size = BO_SIZE };
	uint32_t bo, *ptr;
	int dmabuf;

	bo = vtgpu_gem_create(fd, BO_SIZE, VTGPU_GEM_DOMAIN_VRAM |
			      VTGPU_GEM_DOMAIN_GTT, VTGPU_GEM_DOMAIN_VRAM, 0);
	vtgpu_fill(fd, bo, 0, BO_SIZE, 0x12345678);
	igt_assert_eq_u32(vtgpu_gem_domain(fd, bo), VTGPU_GEM_DOMAIN_VRAM);

	/* vgem attaches: the BO goes to GTT, pinned, contents kept. */
	dmabuf = export(fd, bo);
	vbo.handle = import(vgem, dmabuf);
	st = vtgpu_bo_state(fd, bo);
	igt_assert_eq_u32(st.domain, VTGPU_GEM_DOMAIN_GTT);
	igt_assert(st.pinned);

	ptr = mmap_dmabuf(dmabuf, BO_SIZE, PROT_READ | PROT_WRITE);
	vtgpu_check_fill(ptr, BO_SIZE, 0x12345678, __func__);

	/* A job on the shared BO waits for vgem's fence on it. */
	check_implicit_sync(fd, bo, vgem, &vbo, ptr);
	vtgpu_write_seq(ptr, BO_SIZE, 7);
	munmap(ptr, BO_SIZE);

	/* vgem lets go: the BO is unpinned, and may move again. */
	gem_close(vgem, vbo.handle);
	close(dmabuf);
	igt_assert(!vtgpu_bo_state(fd, bo).pinned);
	vtgpu_fill(fd, bo, 0, 4096, 0);
	vtgpu_gem_wait(fd, bo);
	igt_assert_eq_u32(vtgpu_gem_domain(fd, bo), VTGPU_GEM_DOMAIN_VRAM);
	ptr = vtgpu_gem_mmap(fd, bo, BO_SIZE, PROT_READ);
	vtgpu_check_fill(ptr, 4096, 0, __func__);
	vtgpu_check_seq(ptr + 1024, BO_SIZE - 4096, 7 + 1024, __func__);
	munmap(ptr, BO_SIZE);

	gem_close(fd, bo);
	close(vgem);
}

static void test_vgem_to_vtgpu(int fd)
{
	int vgem = drm_open_driver(DRIVER_VGEM);
	struct vgem_bo vbo = { .width = 1024, .height = BO_SIZE / 4096,
			       .bpp = 32 };
	struct drm_vtgpu_gem_info info;
	struct drm_vtgpu_gem_mmap_offset arg = {};
	uint32_t imported, bo, *vptr, *ptr;
	int dmabuf;

	vgem_create(vgem, &vbo);
	igt_assert_eq_u64(vbo.size, BO_SIZE);
	vptr = vgem_mmap(vgem, &vbo, PROT_READ | PROT_WRITE);
	vtgpu_write_seq(vptr, BO_SIZE, 1000);

	dmabuf = export(vgem, vbo.handle);
	imported = import(fd, dmabuf);
	close(dmabuf);
	info = vtgpu_gem_info(fd, imported);
	igt_assert(info.info_flags & VTGPU_GEM_INFO_IMPORTED);
	igt_assert_eq_u64(info.size, BO_SIZE);
	igt_assert_eq_u32(info.domains, VTGPU_GEM_DOMAIN_GTT);

	/* The pages are vgem's: map them there, not here. */
	arg.handle = imported;
	do_ioctl_err(fd, DRM_IOCTL_VTGPU_GEM_MMAP_OFFSET, &arg, EPERM);

	/* The engine reads them... */
	bo = vtgpu_gem_create(fd, BO_SIZE, VTGPU_GEM_DOMAIN_VRAM, 0, 0);
	vtgpu_copy(fd, imported, 0, bo, 0, BO_SIZE);
	vtgpu_gem_wait(fd, bo);
	igt_assert_eq_u32(vtgpu_gem_domain(fd, imported), VTGPU_GEM_DOMAIN_GTT);
	ptr = vtgpu_gem_mmap(fd, bo, BO_SIZE, PROT_READ);
	vtgpu_check_seq(ptr, BO_SIZE, 1000, __func__);
	munmap(ptr, BO_SIZE);

	/* ... and writes them, after vgem's fence on them. */
	check_implicit_sync(fd, imported, vgem, &vbo, vptr);

	munmap(vptr, BO_SIZE);
	gem_close(fd, imported);
	gem_close(fd, bo);
	gem_close(vgem, vbo.handle);
	close(vgem);
}

/* The dma-bufs alive in the system, as debugfs dma_buf/bufinfo counts them. */
static int dmabuf_count(void)
{
	int dir = open("/sys/kernel/debug/dma_buf", O_RDONLY | O_DIRECTORY);
	char *info, *total;
	int count = -1;

	igt_require_f(dir >= 0, "no debugfs dma_buf directory\n");
	info = igt_sysfs_get(dir, "bufinfo");
	close(dir);
	igt_assert_f(info, "cannot read debugfs dma_buf/bufinfo\n");
	/* The last line: each buffer has a "Total N devices attached" too. */
	total = strrchr(info, 'T');
	igt_assert(total && sscanf(total, "Total %d objects", &count) == 1);
	free(info);
	return count;
}

/*
 * The count once the dma-bufs released before the call are gone (freeing
 * an import waits for its jobs, and then for a worker): when two reads
 * 100 ms apart agree, for at most 5 s.
 */
static int dmabuf_count_settled(void)
{
	int last, now = dmabuf_count();

	for (int i = 0; i < 50; i++) {
		usleep(100 * 1000);
		last = now;
		now = dmabuf_count();
		if (now == last)
			break;
	}
	return now;
}

/* Wait for up to 5 s (the last put may be a worker's) for @count dma-bufs. */
static void assert_dmabuf_count(int count)
{
	int now = dmabuf_count();

	for (int i = 0; i < 50 && now != count; i++) {
		usleep(100 * 1000);
		now = dmabuf_count();
	}
	igt_assert_f(now == count,
		     "%d dma-bufs alive after the import was released, %d before\n",
		     now, count);
}

/*
 * One vgem buffer imported many times into one file (one BO, one handle),
 * then every handle and file let go: its dma-buf must be freed.
 */
static void test_import_release(int fd)
{
	int vgem = drm_open_driver(DRIVER_VGEM);
	struct vgem_bo vbo = { .width = 1024, .height = BO_SIZE / 4096,
			       .bpp = 32 };
	int before = dmabuf_count_settled(), dmabuf;
	uint32_t handle;

	vgem_create(vgem, &vbo);
	dmabuf = export(vgem, vbo.handle);
	igt_assert_eq(dmabuf_count(), before + 1);
	handle = import(fd, dmabuf);
	for (unsigned int i = 1; i < 32; i++)
		igt_assert_eq_u32(import(fd, dmabuf), handle);
	igt_assert(vtgpu_gem_info(fd, handle).info_flags &
		   VTGPU_GEM_INFO_IMPORTED);

	gem_close(fd, handle);
	close(dmabuf);
	gem_close(vgem, vbo.handle);
	close(vgem);
	assert_dmabuf_count(before);
}

/*
 * An import closed while a slow job still writes it, then evicted from
 * GTT by a BO the size of the GTT: TTM frees it from within that
 * eviction, with the new BO's reservation held. The job's data reaches
 * the exporter's pages, and the dma-buf is still released, without
 * taking the exporter's reservation under another one.
 */
static void test_import_release_busy(int fd)
{
	uint64_t gtt = vtgpu_getparam(fd, VTGPU_PARAM_GART_SIZE);
	int vgem = drm_open_driver(DRIVER_VGEM);
	struct vgem_bo vbo = { .width = 1024, .height = BO_SIZE / 4096,
			       .bpp = 32 };
	int before = dmabuf_count_settled(), dmabuf;
	uint32_t handle, filler, *vptr;

	vgem_create(vgem, &vbo);
	vptr = vgem_mmap(vgem, &vbo, PROT_READ);
	dmabuf = export(vgem, vbo.handle);
	handle = import(fd, dmabuf);
	close(dmabuf);

	vtgpu_set_engine_delay(fd, 500000);
	vtgpu_fill(fd, handle, 0, BO_SIZE, 0x0b5e55ed);
	gem_close(fd, handle);
	filler = vtgpu_gem_create(fd, gtt, VTGPU_GEM_DOMAIN_GTT, 0, 0);
	vtgpu_set_engine_delay(fd, 0);
	gem_close(fd, filler);
	vtgpu_check_fill(vptr, BO_SIZE, 0x0b5e55ed, "filled through the import");

	munmap(vptr, BO_SIZE);
	gem_close(vgem, vbo.handle);
	close(vgem);
	assert_dmabuf_count(before);
}

static void test_self_import(int fd)
{
	int fd2 = drm_open_driver_render(DRIVER_VTGPU);
	uint32_t bo, again, other, *ptr, *ptr2;
	int dmabuf;

	bo = vtgpu_gem_create(fd, BO_SIZE, VTGPU_GEM_DOMAIN_ALL, 0, 0);
	dmabuf = export(fd, bo);

	/* Into the same file: the same BO, the same handle. */
	again = import(fd, dmabuf);
	igt_assert_eq_u32(again, bo);
	igt_assert(!(vtgpu_gem_info(fd, bo).info_flags &
		     VTGPU_GEM_INFO_IMPORTED));

	/* Into another file: the same BO, not pinned, not "imported". */
	other = import(fd2, dmabuf);
	close(dmabuf);
	igt_assert(!(vtgpu_gem_info(fd2, other).info_flags &
		     VTGPU_GEM_INFO_IMPORTED));
	igt_assert(!vtgpu_bo_state(fd2, other).pinned);

	ptr = vtgpu_gem_mmap(fd, bo, BO_SIZE, PROT_READ | PROT_WRITE);
	ptr2 = vtgpu_gem_mmap(fd2, other, BO_SIZE, PROT_READ | PROT_WRITE);
	vtgpu_write_seq(ptr, BO_SIZE, 42);
	vtgpu_check_seq(ptr2, BO_SIZE, 42, __func__);
	vtgpu_fill(fd2, other, 0, BO_SIZE, 0x77777777);
	vtgpu_gem_wait(fd, bo);
	vtgpu_check_fill(ptr, BO_SIZE, 0x77777777, __func__);
	munmap(ptr, BO_SIZE);
	munmap(ptr2, BO_SIZE);

	/* The BO lives on in the other file. */
	gem_close(fd, bo);
	vtgpu_fill(fd2, other, 0, BO_SIZE, 0x88888888);
	vtgpu_gem_wait(fd2, other);
	gem_close(fd2, other);
	close(fd2);
}

static void test_dmabuf_mmap(int fd)
{
	uint32_t bo, invisible, nocpu, pressure[VTGPU_VISIBLE_FILLERS], *ptr;
	int dmabuf;

	bo = vtgpu_gem_create(fd, BO_SIZE, VTGPU_GEM_DOMAIN_VRAM |
			      VTGPU_GEM_DOMAIN_GTT, VTGPU_GEM_DOMAIN_VRAM, 0);
	dmabuf = export(fd, bo);
	ptr = mmap_dmabuf(dmabuf, BO_SIZE, PROT_READ | PROT_WRITE);
	vtgpu_write_seq(ptr, BO_SIZE, 3);
	igt_assert_eq_u32(vtgpu_gem_domain(fd, bo), VTGPU_GEM_DOMAIN_VRAM);

	/*
	 * Nothing attached, nothing pinned: the BO is evicted, and the
	 * dma-buf mapping must follow it like any other.
	 */
	vtgpu_fill_visible_vram(fd, pressure);
	igt_assert_eq_u32(vtgpu_gem_domain(fd, bo), VTGPU_GEM_DOMAIN_GTT);
	vtgpu_check_seq(ptr, BO_SIZE, 3, __func__);
	vtgpu_write_seq(ptr, BO_SIZE, 4);
	for (unsigned int i = 0; i < ARRAY_SIZE(pressure); i++)
		gem_close(fd, pressure[i]);

	/* And back into VRAM. */
	vtgpu_fill(fd, bo, 0, 4096, 0xeeeeeeee);
	vtgpu_gem_wait(fd, bo);
	igt_assert_eq_u32(vtgpu_gem_domain(fd, bo), VTGPU_GEM_DOMAIN_VRAM);
	vtgpu_check_fill(ptr, 4096, 0xeeeeeeee, __func__);
	vtgpu_check_seq(ptr + 1024, BO_SIZE - 4096, 4 + 1024, __func__);

	/* The mapping outlives the dma-buf fd and the handle. */
	close(dmabuf);
	gem_close(fd, bo);
	vtgpu_check_fill(ptr, 4096, 0xeeeeeeee, __func__);
	munmap(ptr, BO_SIZE);

	/* A NO_CPU_ACCESS BO cannot be mapped through its dma-buf. */
	nocpu = vtgpu_gem_create(fd, BO_SIZE, VTGPU_GEM_DOMAIN_ALL, 0,
				 VTGPU_GEM_CREATE_NO_CPU_ACCESS);
	dmabuf = export(fd, nocpu);
	igt_assert(mmap(NULL, BO_SIZE, PROT_READ, MAP_SHARED, dmabuf, 0) ==
		   MAP_FAILED);
	igt_assert_eq(errno, EPERM);
	close(dmabuf);
	gem_close(fd, nocpu);

	/*
	 * A BO in invisible VRAM mapped through a dma-buf: the fault moves
	 * it out of invisible VRAM like one through the DRM file.
	 */
	invisible = vtgpu_gem_create_invisible(fd, BO_SIZE,
					       VTGPU_GEM_DOMAIN_ALL);
	vtgpu_fill(fd, invisible, 0, BO_SIZE, 0xabcdabcd);
	dmabuf = export(fd, invisible);
	ptr = mmap_dmabuf(dmabuf, BO_SIZE, PROT_READ);
	vtgpu_check_fill(ptr, BO_SIZE, 0xabcdabcd, __func__);
	igt_assert(vtgpu_bo_state(fd, invisible).cpu_accessed);
	munmap(ptr, BO_SIZE);
	close(dmabuf);
	gem_close(fd, invisible);
}

igt_main
{
	int fd = -1;

	igt_fixture
		fd = drm_open_driver_render(DRIVER_VTGPU);

	igt_describe("Share a vtgpu BO with vgem: it is pinned in GTT while "
		     "attached, its contents are seen through the dma-buf, and "
		     "a vtgpu job waits for vgem's fence on it.");
	igt_subtest("vtgpu-to-vgem")
		test_vtgpu_to_vgem(fd);

	igt_describe("Import a vgem BO: the engine reads and writes its "
		     "pages, after vgem's fence on it, and vtgpu refuses to "
		     "map it itself.");
	igt_subtest("vgem-to-vtgpu")
		test_vgem_to_vtgpu(fd);

	igt_describe("Import a vgem dma-buf 32 times into one file, then close "
		     "the handle, the dma-buf and vgem's BO: the dma-buf is "
		     "freed, the import holding no reference on it.");
	igt_subtest("import-release")
		test_import_release(fd);

	igt_describe("Close an import while a job writes it and evict it from "
		     "GTT: the job's data reaches the exporter and the dma-buf "
		     "is freed, without a lock inversion.");
	igt_subtest("import-release-busy")
		test_import_release_busy(fd);

	igt_describe("Import a vtgpu dma-buf into the same file (same handle) "
		     "and into another file (the same BO, shared contents).");
	igt_subtest("self-import")
		test_self_import(fd);

	igt_describe("Map a vtgpu BO through its dma-buf, evict it and bring "
		     "it back: the mapping follows, also for a BO the fault "
		     "moves out of invisible VRAM; a NO_CPU_ACCESS BO cannot "
		     "be mapped.");
	igt_subtest("dmabuf-mmap")
		test_dmabuf_mmap(fd);

	igt_fixture
		close(fd);
}
