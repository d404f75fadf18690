// SPDX-License-Identifier: MIT
/*
 * Copyright 2026 The vtgpu authors
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <xf86drm.h>

#include "igt.h"
#include "igt_qmp.h"
#include "igt_vtgpu.h"
#include "vtgpu_drm.h"

IGT_TEST_DESCRIPTION("Hot-unplug of the vtgpu device under clients with "
		     "mapped BOs, dma-bufs and jobs in flight: by a PCI "
		     "remove and rescan, and by QEMU itself (device_del and "
		     "device_add through QMP) as a real hot-unplug.");

#define BO_SIZE (1u << 20)
/* The device's id in QEMU, as ci/run-guest.sh adds it. */
#define QDEV_ID "vtgpu0"

/* The sysfs path of the PCI device behind a DRM file descriptor. */
static void pci_path(int fd, char *path, size_t len)
{
	char link[PATH_MAX];
	struct stat st;

	igt_assert_eq(fstat(fd, &st), 0);
	snprintf(link, sizeof(link), "/sys/dev/char/%u:%u/device",
		 major(st.st_rdev), minor(st.st_rdev));
	igt_assert_f(realpath(link, path), "no %s: %m\n", link);
	igt_assert_lt(strlen(path), len);
}

static void sysfs_write(const char *path, const char *value)
{
	int f = open(path, O_WRONLY);

	igt_assert_f(f >= 0, "cannot open %s: %m\n", path);
	igt_assert_f(write(f, value, strlen(value)) == (ssize_t)strlen(value),
		     "cannot write %s: %m\n", path);
	close(f);
}

/* Wait for the vtgpu render node to come back, for up to 30 s. */
static int reopen_vtgpu(void)
{
	for (int i = 0; i < 300; i++) {
		int fd = __drm_open_driver_render(DRIVER_VTGPU);

		if (fd >= 0)
			return fd;
		usleep(100 * 1000);
	}
	return -1;
}

static void test_unplug_rescan(int fd)
{
	char path[PATH_MAX], remove[PATH_MAX + 8];
	struct drm_vtgpu_getparam gp = { .param = VTGPU_PARAM_VRAM_SIZE };
	struct drm_vtgpu_cmd cmds[8];
	uint32_t vram, gtt, *vptr, *gptr, *dptr, *ptr;
	int dmabuf, fence;

	igt_require(getuid() == 0);
	pci_path(fd, path, sizeof(path));
	igt_info("unplugging %s\n", path);

	vram = vtgpu_gem_create(fd, BO_SIZE, VTGPU_GEM_DOMAIN_VRAM, 0, 0);
	gtt = vtgpu_gem_create(fd, BO_SIZE, VTGPU_GEM_DOMAIN_GTT, 0, 0);
	vptr = vtgpu_gem_mmap(fd, vram, BO_SIZE, PROT_READ | PROT_WRITE);
	gptr = vtgpu_gem_mmap(fd, gtt, BO_SIZE, PROT_READ | PROT_WRITE);
	vptr[0] = 1;
	gptr[0] = 2;
	igt_assert_eq(drmPrimeHandleToFD(fd, gtt, DRM_CLOEXEC | DRM_RDWR,
					 &dmabuf), 0);
	dptr = mmap(NULL, BO_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, dmabuf, 0);
	igt_assert(dptr != MAP_FAILED);

	/* A slow job still in flight when the device goes. */
	for (unsigned int i = 0; i < ARRAY_SIZE(cmds); i++)
		cmds[i] = (struct drm_vtgpu_cmd) {
			.op = VTGPU_CMD_FILL, .dst_handle = vram,
			.size = BO_SIZE, .pattern = i,
		};
	vtgpu_set_engine_delay(fd, 200000);
	fence = vtgpu_submit_cmds(fd, cmds, ARRAY_SIZE(cmds),
				  VTGPU_SUBMIT_OUT_FENCE_FD);

	snprintf(remove, sizeof(remove), "%s/remove", path);
	sysfs_write(remove, "1");

	/* The job is over, one way or another; ioctls fail with ENODEV. */
	igt_assert_eq(vtgpu_fence_wait(fence, 10000), 1);
	igt_info("fence status after unplug: %d\n", vtgpu_fence_status(fence));
	close(fence);
	do_ioctl_err(fd, DRM_IOCTL_VTGPU_GETPARAM, &gp, ENODEV);

	/* Mappings do not fault the process: they read a dummy page now. */
	vptr[1] = 3;
	gptr[1] = 4;
	dptr[1] = 5;
	igt_debug("after unplug: %#x %#x %#x\n", vptr[0], gptr[0], dptr[0]);
	munmap(vptr, BO_SIZE);
	munmap(gptr, BO_SIZE);
	munmap(dptr, BO_SIZE);
	close(dmabuf);
	close(fd);

	/* Bring the device back and use it. */
	sysfs_write("/sys/bus/pci/rescan", "1");
	fd = reopen_vtgpu();
	igt_assert_f(fd >= 0, "vtgpu did not come back after a rescan\n");
	vtgpu_set_engine_delay(fd, 0);
	vram = vtgpu_gem_create(fd, BO_SIZE, VTGPU_GEM_DOMAIN_VRAM, 0, 0);
	vtgpu_fill(fd, vram, 0, BO_SIZE, 0x600d600d);
	vtgpu_gem_wait(fd, vram);
	ptr = vtgpu_gem_mmap(fd, vram, BO_SIZE, PROT_READ);
	for (unsigned int i = 0; i < BO_SIZE / 4; i++)
		igt_assert_eq_u32(ptr[i], 0x600d600d);
	munmap(ptr, BO_SIZE);
	gem_close(fd, vram);
	close(fd);
}

static struct igt_qmp *qmp;
/* device_del was sent, and the device has not been added again since. */
static bool unplugging;
/* QEMU reported the device deleted. */
static bool deleted;

/*
 * device_add's arguments: the driver, the id and the properties the guest
 * was started with (VTGPU_DEVICE, "name=value,..." as for -device), as
 * strings, which device_add parses as -device does.
 */
static char *device_add_args(void)
{
	const char *props = getenv("VTGPU_DEVICE");
	char *args, *copy, *prop, *save = NULL;
	size_t len = 4096;

	args = malloc(len);
	igt_assert(args);
	snprintf(args, len, "{\"driver\": \"vtgpu\", \"id\": \"%s\"",
		 QDEV_ID);
	copy = strdup(props ?: "");
	for (prop = strtok_r(copy, ",", &save); prop;
	     prop = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(prop, '=');

		if (!eq)
			continue;
		*eq = '\0';
		snprintf(args + strlen(args), len - strlen(args),
			 ", \"%s\": \"%s\"", prop, eq + 1);
	}
	free(copy);
	snprintf(args + strlen(args), len - strlen(args), "}");
	return args;
}

static int device_add(char *err, size_t len)
{
	char *args = device_add_args();
	int ret;

	ret = igt_qmp_execute(qmp, "device_add", args, err, len);
	free(args);
	if (ret == 0) {
		unplugging = false;
		deleted = false;
	}
	return ret;
}

/*
 * An exit handler: a subtest that failed between device_del and
 * device_add leaves the device to the tests after it all the same.
 */
static void replug_on_exit(int sig)
{
	int fd;

	if (!qmp || !unplugging)
		return;
	if (!deleted &&
	    !igt_qmp_wait_event(qmp, "DEVICE_DELETED", QDEV_ID, 60000))
		return;
	deleted = true;
	if (device_add(NULL, 0))
		return;
	fd = reopen_vtgpu();
	if (fd >= 0)
		close(fd);
}

static void require_qmp(void)
{
	igt_require(getuid() == 0);
	if (qmp)
		return;
	qmp = igt_qmp_open();
	igt_require_f(qmp, "no QMP monitor on virtio-serial port %s\n",
		      IGT_QMP_PORT);
	igt_install_exit_handler(replug_on_exit);
}

/*
 * Ask QEMU to unplug the device, and wait until it is gone: QEMU reports
 * DEVICE_DELETED once the guest ejected it, after its driver let go.
 */
static void qmp_unplug(const char *pci)
{
	char err[256] = "";
	int ret;

	igt_qmp_forget_events(qmp);
	ret = igt_qmp_execute(qmp, "device_del", "{\"id\": \"" QDEV_ID "\"}",
			      err, sizeof(err));
	igt_assert_f(ret == 0, "device_del: %d %s\n", ret, err);
	unplugging = true;
	igt_assert_f(igt_qmp_wait_event(qmp, "DEVICE_DELETED", QDEV_ID, 60000),
		     "no DEVICE_DELETED within 60 s\n");
	deleted = true;
	igt_assert_f(access(pci, F_OK) && errno == ENOENT,
		     "%s still there after DEVICE_DELETED\n", pci);
	igt_assert_f(__drm_open_driver_render(DRIVER_VTGPU) < 0,
		     "a vtgpu node is left after the unplug\n");
}

/* Ask QEMU to add the device again; returns a file of the new one. */
static int qmp_replug(void)
{
	char err[256] = "";
	int ret, fd;

	ret = device_add(err, sizeof(err));
	igt_assert_f(ret == 0, "device_add: %d %s\n", ret, err);
	fd = reopen_vtgpu();
	igt_assert_f(fd >= 0, "no vtgpu node 30 s after device_add\n");
	return fd;
}

enum client_kind {
	CLIENT_MMAP,	/* a CPU mapping of a BO in visible VRAM */
	CLIENT_JOBS,	/* slow jobs queued on the engine */
	CLIENT_DMABUF,	/* a mapped dma-buf, imported into vgem */
	NUM_CLIENT_KINDS
};

static const char * const client_names[] = {
	"mmap", "jobs", "dma-buf",
};

#define NUM_JOBS 4
#define CMDS_PER_JOB 8
#define JOB_DELAY_US 500000

/*
 * Slow the engine down and queue NUM_JOBS jobs of CMDS_PER_JOB fills of
 * @bo, 16 s of work, with their out-fences in @fences.
 */
static void submit_slow_jobs(int fd, uint32_t bo, int *fences)
{
	struct drm_vtgpu_cmd cmds[CMDS_PER_JOB];

	for (unsigned int i = 0; i < CMDS_PER_JOB; i++)
		cmds[i] = (struct drm_vtgpu_cmd) {
			.op = VTGPU_CMD_FILL, .dst_handle = bo,
			.size = BO_SIZE, .pattern = i,
		};
	vtgpu_set_engine_delay(fd, JOB_DELAY_US);
	for (unsigned int i = 0; i < NUM_JOBS; i++)
		fences[i] = vtgpu_submit_cmds(fd, cmds, CMDS_PER_JOB,
					      VTGPU_SUBMIT_OUT_FENCE_FD);
}

/* Every dword of @ptr reads 0: the dummy page, no SIGBUS. */
static void check_dummy(const volatile uint32_t *ptr, const char *what)
{
	for (unsigned int i = 0; i < BO_SIZE / 4; i++)
		igt_assert_f(ptr[i] == 0, "%s: dword %u is %#x after the "
			     "unplug, not the dummy page's 0\n", what, i,
			     ptr[i]);
}

static void check_enodev(int fd)
{
	struct drm_vtgpu_getparam gp = { .param = VTGPU_PARAM_VRAM_SIZE };
	struct drm_vtgpu_gem_create create = {
		.size = BO_SIZE, .domains = VTGPU_GEM_DOMAIN_GTT,
	};
	struct drm_vtgpu_cmd fill = {
		.op = VTGPU_CMD_FILL, .dst_handle = 1, .size = 4096,
	};
	struct drm_vtgpu_submit submit = {
		.cmds = to_user_pointer(&fill), .num_cmds = 1,
	};

	do_ioctl_err(fd, DRM_IOCTL_VTGPU_GETPARAM, &gp, ENODEV);
	igt_assert_eq_u64(gp.value, 0);
	do_ioctl_err(fd, DRM_IOCTL_VTGPU_GEM_CREATE, &create, ENODEV);
	igt_assert_eq_u32(create.handle, 0);
	do_ioctl_err(fd, DRM_IOCTL_VTGPU_SUBMIT, &submit, ENODEV);
}

/*
 * One client, in a child of its own: sets up what it holds, says so on
 * @ready, waits on @go until the device is gone, then checks what became
 * of it.
 */
static void live_client(enum client_kind kind, int ready, int go)
{
	int fd = drm_open_driver_render(DRIVER_VTGPU), vgem = -1, dmabuf = -1;
	int fences[NUM_JOBS];
	uint32_t *ptr = NULL, *dptr = NULL, bo, vbo_handle = 0;
	char c = kind;

	switch (kind) {
	case CLIENT_MMAP:
		bo = vtgpu_gem_create(fd, BO_SIZE, VTGPU_GEM_DOMAIN_VRAM, 0,
				      VTGPU_GEM_CREATE_CPU_ACCESS_REQUIRED);
		ptr = vtgpu_gem_mmap(fd, bo, BO_SIZE, PROT_READ | PROT_WRITE);
		vtgpu_write_seq(ptr, BO_SIZE, 1);
		igt_assert(vtgpu_bo_state(fd, bo).visible);
		break;
	case CLIENT_JOBS:
		bo = vtgpu_gem_create(fd, BO_SIZE, VTGPU_GEM_DOMAIN_VRAM, 0, 0);
		vtgpu_gem_wait(fd, bo);
		submit_slow_jobs(fd, bo, fences);
		break;
	case CLIENT_DMABUF:
		bo = vtgpu_gem_create(fd, BO_SIZE, VTGPU_GEM_DOMAIN_GTT, 0, 0);
		ptr = vtgpu_gem_mmap(fd, bo, BO_SIZE, PROT_WRITE);
		vtgpu_write_seq(ptr, BO_SIZE, 2);
		munmap(ptr, BO_SIZE);
		ptr = NULL;
		igt_assert_eq(drmPrimeHandleToFD(fd, bo, DRM_CLOEXEC | DRM_RDWR,
						 &dmabuf), 0);
		/*
		 * vgem attaches (and so pins the BO); it maps no imported
		 * BO, so the mapping is the dma-buf's own.
		 */
		vgem = drm_open_driver(DRIVER_VGEM);
		igt_assert_eq(drmPrimeFDToHandle(vgem, dmabuf, &vbo_handle), 0);
		igt_assert(vtgpu_bo_state(fd, bo).pinned);
		dptr = mmap(NULL, BO_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
			    dmabuf, 0);
		igt_assert(dptr != MAP_FAILED);
		vtgpu_check_seq(dptr, BO_SIZE, 2, "dma-buf mapping");
		break;
	default:
		igt_assert(!"unknown client");
	}

	igt_assert_eq(write(ready, &c, 1), 1);
	igt_assert_eq(read(go, &c, 1), 1);
	igt_info("%s client: the device is gone\n", client_names[kind]);

	switch (kind) {
	case CLIENT_MMAP:
		check_dummy(ptr, "VRAM mapping");
		vtgpu_write_seq(ptr, BO_SIZE, 3);
		munmap(ptr, BO_SIZE);
		break;
	case CLIENT_JOBS:
		/* Each job ends, the last at least with the device's end. */
		for (unsigned int i = 0; i < NUM_JOBS; i++) {
			igt_assert_f(vtgpu_fence_wait(fences[i], 10000) == 1,
				     "job %u still pending\n", i);
			igt_info("job %u: fence status %d\n", i,
				 vtgpu_fence_status(fences[i]));
			igt_assert(vtgpu_fence_status(fences[i]) == 1 ||
				   vtgpu_fence_status(fences[i]) == -ENODEV);
		}
		igt_assert_eq(vtgpu_fence_status(fences[NUM_JOBS - 1]),
			      -ENODEV);
		for (unsigned int i = 0; i < NUM_JOBS; i++)
			close(fences[i]);
		break;
	case CLIENT_DMABUF:
		check_dummy(dptr, "dma-buf mapping");
		vtgpu_write_seq(dptr, BO_SIZE, 5);
		munmap(dptr, BO_SIZE);
		close(dmabuf);
		/* vgem's import outlived the exporter's device. */
		gem_close(vgem, vbo_handle);
		close(vgem);
		break;
	default:
		break;
	}
	check_enodev(fd);
	close(fd);
}

/* Read a byte from a pipe, failing the subtest after @timeout_ms. */
static void read_byte(int fd, int timeout_ms, const char *what)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char c;

	igt_assert_f(poll(&pfd, 1, timeout_ms) == 1, "no %s within %d ms\n",
		     what, timeout_ms);
	igt_assert_f(read(fd, &c, 1) == 1, "no %s: %m\n", what);
}

static void test_qmp_unplug_live(void)
{
	int ready[2], go[2], fd;
	char pci[PATH_MAX], c = 0;

	require_qmp();
	fd = drm_open_driver_render(DRIVER_VTGPU);
	pci_path(fd, pci, sizeof(pci));
	igt_assert_eq(pipe(ready), 0);
	igt_assert_eq(pipe(go), 0);

	igt_fork(child, NUM_CLIENT_KINDS)
		live_client(child, ready[1], go[0]);
	/* A client that failed to set up fails the subtest. */
	for (int i = 0; i < NUM_CLIENT_KINDS; i++)
		read_byte(ready[0], 120000, "client ready");

	igt_info("device_del %s (%s) under %d clients\n", QDEV_ID, pci,
		 NUM_CLIENT_KINDS);
	qmp_unplug(pci);
	for (int i = 0; i < NUM_CLIENT_KINDS; i++)
		igt_assert_eq(write(go[1], &c, 1), 1);
	igt_waitchildren();
	check_enodev(fd);
	close(fd);
	close(ready[0]);
	close(ready[1]);
	close(go[0]);
	close(go[1]);

	/* The tests after this one want their device back. */
	close(qmp_replug());
}

#define MOVE_PATTERN 0x5eed5eed

/*
 * A CPU fault waits inside the driver for a move that slow jobs hold up
 * when QEMU unplugs the device: the removal waits for the fault, which
 * must see its move complete rather than wait forever.
 */
static void test_qmp_unplug_fault_waiting(void)
{
	struct vtgpu_faulter f = {};
	int fd, fences[NUM_JOBS];
	char pci[PATH_MAX];
	uint32_t bo, busy, *ptr;

	require_qmp();
	fd = drm_open_driver_render(DRIVER_VTGPU);
	pci_path(fd, pci, sizeof(pci));

	/* In invisible VRAM: a CPU fault moves it with the engine. */
	bo = vtgpu_gem_create_invisible(fd, BO_SIZE, VTGPU_GEM_DOMAIN_VRAM |
					VTGPU_GEM_DOMAIN_GTT);
	vtgpu_fill(fd, bo, 0, BO_SIZE, MOVE_PATTERN);
	vtgpu_gem_wait(fd, bo);
	igt_assert(!vtgpu_bo_state(fd, bo).visible);
	ptr = vtgpu_gem_mmap(fd, bo, BO_SIZE, PROT_READ);

	/* Slow jobs ahead of the move. */
	busy = vtgpu_gem_create(fd, BO_SIZE, VTGPU_GEM_DOMAIN_GTT, 0, 0);
	submit_slow_jobs(fd, busy, fences);

	vtgpu_faulter_start(&f, ptr);

	igt_info("device_del %s (%s) under a fault waiting for a move\n",
		 QDEV_ID, pci);
	qmp_unplug(pci);
	vtgpu_faulter_join(&f);
	/*
	 * The device was marked unplugged while the fault waited, with 16 s
	 * of jobs ahead of its move: once that completed, the fault was
	 * retried, and mapped the dummy page.
	 */
	igt_info("the fault read %#x\n", f.value);
	igt_assert_f(f.value == 0, "the fault read %#x, not the dummy "
		     "page's 0 (the BO holds %#x)\n", f.value, MOVE_PATTERN);
	for (unsigned int i = 0; i < NUM_JOBS; i++) {
		igt_assert_eq(vtgpu_fence_wait(fences[i], 0), 1);
		close(fences[i]);
	}
	check_enodev(fd);
	munmap(ptr, BO_SIZE);
	close(fd);

	close(qmp_replug());
}

/* Create, fill, copy and read back BOs in VRAM and GTT. */
static void check_device_works(int fd)
{
	uint32_t gtt = vtgpu_gem_create(fd, BO_SIZE, VTGPU_GEM_DOMAIN_GTT, 0, 0);
	uint32_t vram = vtgpu_gem_create(fd, BO_SIZE, VTGPU_GEM_DOMAIN_VRAM, 0,
					 VTGPU_GEM_CREATE_NO_CPU_ACCESS);
	uint32_t out = vtgpu_gem_create(fd, BO_SIZE, VTGPU_GEM_DOMAIN_GTT, 0, 0);
	uint32_t *ptr;

	ptr = vtgpu_gem_mmap(fd, gtt, BO_SIZE, PROT_WRITE);
	vtgpu_write_seq(ptr, BO_SIZE, 0x600d0000);
	munmap(ptr, BO_SIZE);
	vtgpu_copy(fd, gtt, 0, vram, 0, BO_SIZE);
	vtgpu_fill(fd, vram, 0, 4096, 0x600d600d);
	vtgpu_copy(fd, vram, 0, out, 0, BO_SIZE);
	vtgpu_gem_wait(fd, out);
	ptr = vtgpu_gem_mmap(fd, out, BO_SIZE, PROT_READ);
	vtgpu_check_fill(ptr, 4096, 0x600d600d, "fill");
	vtgpu_check_seq(ptr + 1024, BO_SIZE - 4096, 0x600d0000 + 1024, "copy");
	munmap(ptr, BO_SIZE);
	gem_close(fd, gtt);
	gem_close(fd, vram);
	gem_close(fd, out);
}

static void node_name(int fd, char *name, size_t len)
{
	struct stat st;

	igt_assert_eq(fstat(fd, &st), 0);
	snprintf(name, len, "%u:%u", major(st.st_rdev), minor(st.st_rdev));
}

static void test_qmp_replug(void)
{
	char pci[PATH_MAX], pci2[PATH_MAX], node[32], node2[32];
	uint64_t vram;
	int fd;

	require_qmp();
	fd = drm_open_driver_render(DRIVER_VTGPU);
	pci_path(fd, pci, sizeof(pci));
	node_name(fd, node, sizeof(node));
	vram = vtgpu_getparam(fd, VTGPU_PARAM_VRAM_SIZE);
	close(fd);

	qmp_unplug(pci);
	fd = qmp_replug();
	pci_path(fd, pci2, sizeof(pci2));
	node_name(fd, node2, sizeof(node2));
	igt_info("before: %s node %s; after: %s node %s\n", pci, node, pci2,
		 node2);
	/* The same properties as the guest started with. */
	igt_assert_eq_u64(vtgpu_getparam(fd, VTGPU_PARAM_VRAM_SIZE), vram);
	check_device_works(fd);
	close(fd);
}

igt_main
{
	igt_describe("Remove the PCI device while a client has mapped BOs, a "
		     "mapped dma-buf and a job in flight: the job ends, ioctls "
		     "fail with ENODEV, mappings stay harmless, and the device "
		     "works again after a PCI rescan.");
	igt_subtest("unplug-rescan")
		test_unplug_rescan(drm_open_driver_render(DRIVER_VTGPU));

	igt_describe("Unplug the device through QEMU (QMP device_del, an ACPI "
		     "eject) while other processes hold a CPU mapping of a "
		     "VRAM BO, slow jobs in flight, and a mapped dma-buf "
		     "imported into vgem: the mappings read the dummy "
		     "page's zeros and take writes, the jobs' fences signal "
		     "with -ENODEV, ioctls on the old files fail with ENODEV; "
		     "then device_add brings the device back.");
	igt_subtest("qmp-unplug-live")
		test_qmp_unplug_live();

	igt_describe("Unplug the device through QEMU while a CPU fault "
		     "waits in the driver for a move held up by slow jobs: "
		     "the unplug completes, the fault reads the moved BO or "
		     "the dummy page, and the jobs' fences signal.");
	igt_subtest("qmp-unplug-fault-waiting")
		test_qmp_unplug_fault_waiting();

	igt_describe("Unplug the device through QEMU and add it again with "
		     "QMP device_add: the new device has the same VRAM and "
		     "creates, fills and copies BOs correctly.");
	igt_subtest("qmp-replug")
		test_qmp_replug();
}
