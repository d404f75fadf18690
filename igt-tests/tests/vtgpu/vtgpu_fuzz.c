// SPDX-License-Identifier: MIT
/*
 * Copyright 2026 The vtgpu authors
 */

/*
 * A structured ioctl fuzzer for vtgpu.
 *
 * Random calls over every ioctl the vtgpu render node takes (the driver's
 * seven and the DRM core's GEM_CLOSE, PRIME and SYNCOBJ ones, plus the
 * dumb-buffer, FLINK and GEM_OPEN ioctls a render node refuses), with
 * arguments drawn from what matters: live, closed, huge and other files'
 * handles; sizes 0, 1, a page, huge and overflowing; every flag bit and
 * unknown ones; offsets at and past the ends of BOs and u64 sums that
 * wrap; user pointers that are NULL, unmapped, read-only, kernel
 * addresses, misaligned or vtgpu's own mappings; fences that are valid,
 * closed, not fences or -1. The calls are interleaved with mmap()/munmap()
 * of BOs and dma-bufs (touching their pages), mprotect()/remapping of the
 * memory under userptr BOs, fork() (the child makes a few calls of its
 * own and exits), closing and reopening the DRM files, and a timer whose
 * signals interrupt the ioctls.
 *
 * A model of what the process holds predicts each result: a call with
 * valid arguments must succeed, one with invalid arguments must fail with
 * the errno the uapi documents, in the order the driver checks them.
 * Transient failures are allowed where they are legitimate: -ENOMEM,
 * -EAGAIN from a submission with userptr BOs, -ETIMEDOUT from a wait, and
 * -EINTR while the timer runs. When everything is closed, the VRAM and GTT
 * usage debugfs reports must be back where they were.
 *
 * The seed is printed first; --seed replays the same sequence of calls.
 * Determinism is per process and single-threaded: each call is drawn from
 * the random stream and the model, which only the results of earlier
 * calls change, and the kernel hands out handles and file descriptors
 * lowest first. What is not deterministic, and makes a replay diverge
 * from where it happens: where the timer's signals land (which calls fail
 * with -EINTR: a submission that did not happen leaves no out-fence),
 * when jobs complete (GEM_WAIT's -ETIMEDOUT, which changes nothing),
 * memory pressure (-ENOMEM) and userptr collections retried under
 * concurrent invalidation (-EAGAIN). The children of fork() replay too,
 * but their calls are not counted.
 */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <xf86drm.h>

#include "igt.h"
#include "igt_vtgpu.h"
#include "vtgpu_drm.h"

IGT_TEST_DESCRIPTION("Structured random ioctl calls on the vtgpu render node, "
		     "checked against the uapi's documented results.");

#define PAGE_SZ		4096ull
#define SENTINEL	0xdeadbeefcafef00dull

#define MAX_HANDLES	24
#define MAX_CLOSED	16
#define MAX_SYNCOBJS	8
#define MAX_FENCES	8
#define MAX_DMABUFS	6
#define MAX_MAPS	12
#define NUM_ARENAS	6
#define ARENA_MAX_PAGES	16
#define MAX_CMDS	4
#define PROGRESS_CALLS	25000

/* A user address the kernel refuses for any user access. */
#define KERNEL_ADDR	0xffff888000000000ull
/* A file descriptor number the process never has open. */
#define NO_FD		1000

/* A set of errnos, for the failures a call may have besides its own. */
#define E(e)		errno_bit(e)

/* What a GEM object is, as the process created it. */
struct obj {
	uint64_t id;
	uint64_t size;
	uint32_t domains;
	uint32_t preferred;
	uint32_t flags;
	/* For a userptr BO: its arena, else -1. */
	int arena;
	bool readonly;
};

struct handle {
	uint32_t handle;
	struct obj obj;
};

struct syncobj {
	uint32_t handle;
	bool has_fence;
};

/* One open of the render node: a client. */
struct client {
	int fd;
	struct handle h[MAX_HANDLES];
	unsigned int nh;
	uint32_t closed[MAX_CLOSED];
	unsigned int nclosed;
	struct syncobj s[MAX_SYNCOBJS];
	unsigned int ns;
};

struct dmabuf {
	int fd;
	struct obj obj;
};

struct mapping {
	uint8_t *ptr;
	uint64_t len;
};

enum arena_state { ARENA_RW, ARENA_RO, ARENA_NONE };

/* User memory for userptr BOs, between PROT_NONE guard pages. */
struct arena {
	uint8_t *ptr;
	uint64_t size;
	enum arena_state state;
};

enum op {
	OP_GETPARAM,
	OP_CREATE,
	OP_CLOSE,
	OP_MMAP_OFFSET,
	OP_INFO,
	OP_WAIT,
	OP_SUBMIT,
	OP_USERPTR,
	OP_EXPORT,
	OP_IMPORT,
	OP_SYNCOBJ,
	OP_REFUSED,
	OP_BAD_IOCTL,
	OP_MMAP,
	OP_MUNMAP,
	OP_TOUCH,
	OP_ARENA,
	OP_CLOSE_FD,
	OP_FORK,
	OP_REOPEN,
	OP_SIGNALS,
	NUM_OPS
};

static const char *const op_names[NUM_OPS] = {
	"getparam", "gem-create", "gem-close", "mmap-offset", "gem-info",
	"gem-wait", "submit", "userptr", "prime-export", "prime-import",
	"syncobj", "refused", "bad-ioctl", "mmap", "munmap", "touch",
	"arena", "close-fd", "fork", "reopen", "signals",
};

/* Relative weights of the operations. */
static const unsigned int op_weights[NUM_OPS] = {
	[OP_GETPARAM] = 4, [OP_CREATE] = 10, [OP_CLOSE] = 6,
	[OP_MMAP_OFFSET] = 4, [OP_INFO] = 6, [OP_WAIT] = 4,
	[OP_SUBMIT] = 20, [OP_USERPTR] = 6, [OP_EXPORT] = 4,
	[OP_IMPORT] = 4, [OP_SYNCOBJ] = 6, [OP_REFUSED] = 2,
	[OP_BAD_IOCTL] = 3, [OP_MMAP] = 5, [OP_MUNMAP] = 3, [OP_TOUCH] = 4,
	[OP_ARENA] = 3, [OP_CLOSE_FD] = 2, [OP_FORK] = 1, [OP_REOPEN] = 1,
	[OP_SIGNALS] = 1,
};

struct fuzz {
	uint64_t rng;
	uint64_t calls;
	uint64_t hash;
	uint64_t next_obj;
	bool child;
	bool own_only;
	bool signals;
	bool replay;
	unsigned int signal_calls;

	uint64_t vram_size, visible_size, gart_size, system_max, max_cmds;
	uint64_t max_syncs;
	uint64_t params[7];

	struct client c[2];
	struct dmabuf d[MAX_DMABUFS];
	unsigned int nd;
	int fences[MAX_FENCES];
	unsigned int nf;
	struct mapping m[MAX_MAPS];
	unsigned int nm;
	struct arena a[NUM_ARENAS];
	uint8_t *arena_base;
	uint64_t arena_len;
	/* A page the process may read but not write. */
	uint8_t *ro_page;
	/* A mapping of a BO for ioctl data, and its private file. */
	int data_fd;
	uint8_t *data_map;

	uint64_t op_count[NUM_OPS];
	uint64_t op_ns[NUM_OPS];
	uint64_t failed_calls, transient;
};

/*
 * Options: --seed and --calls, or under igt_runner, which passes none,
 * VTGPU_FUZZ_SEED and VTGPU_FUZZ_CALLS.
 */
static uint64_t opt_seed;
static bool opt_seed_set;
static uint64_t opt_calls = 5000;
static bool opt_calls_set;

/* splitmix64, to spread a seed over the state. */
static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* xorshift64*: every operation draws the same numbers whatever happens. */
static uint64_t rnd(struct fuzz *f)
{
	f->rng ^= f->rng >> 12;
	f->rng ^= f->rng << 25;
	f->rng ^= f->rng >> 27;
	return f->rng * 0x2545f4914f6cdd1dull;
}

static unsigned int below(struct fuzz *f, unsigned int n)
{
	return n ? rnd(f) % n : 0;
}

/* true with a probability of @percent %. */
static bool chance(struct fuzz *f, unsigned int percent)
{
	return below(f, 100) < percent;
}

static void mix(struct fuzz *f, uint64_t v)
{
	f->hash = (f->hash ^ v) * 0x100000001b3ull;
}

static uint64_t errno_bit(int e)
{
	/* The errnos that matter are below 63, but for ETIMEDOUT. */
	if (e == ETIMEDOUT)
		return 1ull << 63;
	return e > 0 && e < 63 ? 1ull << e : 0;
}

static void on_alarm(int sig)
{
}

static void timer_arm(bool on)
{
	struct itimerval it = {};

	if (on) {
		it.it_interval.tv_usec = 2000;
		it.it_value.tv_usec = 2000;
	}
	igt_assert_eq(setitimer(ITIMER_REAL, &it, NULL), 0);
}

/*
 * Check a result: @ret is 0 or -errno, @want the errno it must be (0 for
 * success) and @also the errnos allowed besides (E(errno) bits). Returns
 * whether the call succeeded.
 */
static bool check(struct fuzz *f, const char *what, int ret, int want,
		  uint64_t also)
{
	if (f->signals)
		also |= E(EINTR);

	/*
	 * The prediction goes into the hash, not the result: a transient
	 * failure (a wait that timed out) may come or not in a replay.
	 */
	mix(f, want);
	if (ret != -want) {
		igt_assert_f(ret < 0 && (also & E(-ret)),
			     "seed %" PRIu64 ", call %" PRIu64 ": %s returned %d (%s), expected %d (%s)\n",
			     opt_seed, f->calls, what, ret,
			     ret ? strerror(-ret) : "success", -want,
			     want ? strerror(want) : "success");
		f->transient++;
	}
	if (ret)
		f->failed_calls++;
	return ret == 0;
}

static int fz_ioctl(struct fuzz *f, int fd, unsigned long request, void *arg)
{
	int ret;

	f->calls++;
	ret = ioctl(fd, request, arg) ? -errno : 0;
	errno = 0;
	return ret;
}

/* Handles. */

static struct handle *find_handle(struct client *c, uint32_t handle)
{
	for (unsigned int i = 0; i < c->nh; i++)
		if (c->h[i].handle == handle)
			return &c->h[i];
	return NULL;
}

static struct handle *find_obj(struct client *c, uint64_t id)
{
	for (unsigned int i = 0; i < c->nh; i++)
		if (c->h[i].obj.id == id)
			return &c->h[i];
	return NULL;
}

static void forget_handle(struct client *c, uint32_t handle)
{
	for (unsigned int i = 0; i < c->nh; i++) {
		if (c->h[i].handle != handle)
			continue;
		c->h[i] = c->h[--c->nh];
		if (c->nclosed == MAX_CLOSED)
			memmove(c->closed, c->closed + 1,
				--c->nclosed * sizeof(c->closed[0]));
		c->closed[c->nclosed++] = handle;
		return;
	}
}

static void add_handle(struct fuzz *f, struct client *c, uint32_t handle,
		       const struct obj *obj)
{
	igt_assert_f(handle && !find_handle(c, handle),
		     "seed %" PRIu64 ", call %" PRIu64 ": new handle %u is 0 or in use\n",
		     opt_seed, f->calls, handle);
	igt_assert(c->nh < MAX_HANDLES);
	c->h[c->nh].handle = handle;
	c->h[c->nh].obj = *obj;
	c->nh++;
}

/*
 * A handle of any kind: mostly a live one of @c, else 0, a closed one, a
 * live one of the other client, or a huge one. Returns the handle and, in
 * *@obj, what it names in @c, or NULL when it names nothing there.
 */
static uint32_t pick_handle(struct fuzz *f, struct client *c,
			    struct handle **obj)
{
	struct client *other = &f->c[c == &f->c[0]];
	unsigned int kind = below(f, 100), i = rnd(f);
	uint32_t handle;

	if (kind < 75 && c->nh)
		handle = c->h[i % c->nh].handle;
	else if (kind < 80)
		handle = 0;
	else if (kind < 88 && c->nclosed)
		handle = c->closed[i % c->nclosed];
	else if (kind < 95 && other->nh)
		handle = other->h[i % other->nh].handle;
	else
		handle = 0x80000000u | i;

	*obj = find_handle(c, handle);
	mix(f, handle);
	return handle;
}

static struct client *pick_client(struct fuzz *f)
{
	bool other = chance(f, 25);

	return &f->c[f->own_only || other];
}

/* Userptr arenas. */

static enum arena_state arena_state(struct fuzz *f, int arena)
{
	return f->a[arena].state;
}

static void arena_set(struct fuzz *f, unsigned int i, enum arena_state state,
		      bool remap)
{
	struct arena *a = &f->a[i];
	static const int prot[] = {
		[ARENA_RW] = PROT_READ | PROT_WRITE,
		[ARENA_RO] = PROT_READ,
		[ARENA_NONE] = PROT_NONE,
	};

	if (remap) {
		/* New pages at the same place: the BOs must follow. */
		f->calls += 2;
		igt_assert_eq(munmap(a->ptr, a->size), 0);
		igt_assert(mmap(a->ptr, a->size, prot[state],
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
				-1, 0) == a->ptr);
	} else {
		f->calls++;
		igt_assert_eq(mprotect(a->ptr, a->size, prot[state]), 0);
	}
	a->state = state;
	if (state == ARENA_RW)
		memset(a->ptr, i, a->size);
}

static void arenas_init(struct fuzz *f)
{
	uint64_t off = PAGE_SZ;

	f->arena_len = PAGE_SZ;
	for (unsigned int i = 0; i < NUM_ARENAS; i++)
		f->arena_len += ((1ull << i) % ARENA_MAX_PAGES + 1) * PAGE_SZ +
				PAGE_SZ;
	/* Everything PROT_NONE: the guards between the arenas stay so. */
	f->arena_base = mmap(NULL, f->arena_len, PROT_NONE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	igt_assert(f->arena_base != MAP_FAILED);
	for (unsigned int i = 0; i < NUM_ARENAS; i++) {
		f->a[i].ptr = f->arena_base + off;
		f->a[i].size = ((1ull << i) % ARENA_MAX_PAGES + 1) * PAGE_SZ;
		off += f->a[i].size + PAGE_SZ;
		arena_set(f, i, ARENA_RW, false);
	}

	f->ro_page = mmap(NULL, PAGE_SZ, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	igt_assert(f->ro_page != MAP_FAILED);
	igt_assert_eq(mprotect(f->ro_page, PAGE_SZ, PROT_READ), 0);
}

/* Pointers: where an ioctl's argument or array lives. */

enum ptr_kind { PTR_OK, PTR_RO, PTR_MISALIGNED, PTR_MAPPING, PTR_NULL,
		PTR_UNMAPPED, PTR_KERNEL, NUM_PTR_KINDS };

static bool ptr_bad(enum ptr_kind kind)
{
	return kind >= PTR_NULL;
}

/*
 * Where to put @len bytes of @data for the kernel to read: mostly @data
 * itself, else read-only memory, a misaligned copy, a mapping of a vtgpu
 * BO, or pointers the kernel must refuse with -EFAULT. @scratch has room
 * for @len + 8 bytes; @slot (0 or 1) says which half of the read-only
 * page and of the mapping to use, for two arrays of one call.
 */
static uint64_t place_data(struct fuzz *f, const void *data, size_t len,
			   void *scratch, unsigned int slot,
			   enum ptr_kind *kindp)
{
	enum ptr_kind kind = chance(f, 80) ? PTR_OK : below(f, NUM_PTR_KINDS);
	unsigned int i = rnd(f);
	uint64_t ptr = to_user_pointer(data);

	switch (kind) {
	case PTR_OK:
		break;
	case PTR_RO:
		/* The read-only page holds a copy: write it once. */
		igt_assert_eq(mprotect(f->ro_page, PAGE_SZ,
				       PROT_READ | PROT_WRITE), 0);
		memcpy(f->ro_page + slot * PAGE_SZ / 2, data, len);
		igt_assert_eq(mprotect(f->ro_page, PAGE_SZ, PROT_READ), 0);
		ptr = to_user_pointer(f->ro_page) + slot * PAGE_SZ / 2;
		break;
	case PTR_MISALIGNED:
		memcpy((uint8_t *)scratch + 1 + i % 7, data, len);
		ptr = to_user_pointer(scratch) + 1 + i % 7;
		break;
	case PTR_MAPPING:
		/*
		 * A BO's mapping: the kernel's copy faults through vtgpu.
		 * The BO is one no job writes, of a file of its own.
		 */
		memcpy(f->data_map + slot * PAGE_SZ / 2, data, len);
		ptr = to_user_pointer(f->data_map) + slot * PAGE_SZ / 2;
		break;
	case PTR_NULL:
		ptr = 0;
		break;
	case PTR_UNMAPPED:
		/* The guard page before the first arena. */
		ptr = to_user_pointer(f->arena_base);
		break;
	case PTR_KERNEL:
		ptr = KERNEL_ADDR + (i & 0xfff8);
		break;
	default:
		kind = PTR_OK;
	}
	mix(f, kind);
	*kindp = kind;
	return ptr;
}

/* Fences and dma-bufs. */

static void add_fence(struct fuzz *f, int fd)
{
	if (f->nf == MAX_FENCES) {
		close(f->fences[0]);
		memmove(f->fences, f->fences + 1, --f->nf * sizeof(int));
	}
	f->fences[f->nf++] = fd;
}

static void add_dmabuf(struct fuzz *f, int fd, const struct obj *obj)
{
	if (f->nd == MAX_DMABUFS) {
		close(f->d[0].fd);
		memmove(f->d, f->d + 1, --f->nd * sizeof(f->d[0]));
	}
	f->d[f->nd].fd = fd;
	f->d[f->nd].obj = *obj;
	f->nd++;
}

enum fd_kind { FD_VALID, FD_MINUS_ONE, FD_CLOSED, FD_DRM, FD_OTHER };

/*
 * A file descriptor that should be a sync_file: mostly one, else -1, one
 * not open, the DRM file, or a dma-buf. Returns whether it is a sync_file.
 */
static bool pick_fence(struct fuzz *f, int *fd)
{
	unsigned int kind = below(f, 100), i = rnd(f);

	if (kind < 80 && f->nf) {
		*fd = f->fences[i % f->nf];
		mix(f, FD_VALID);
		return true;
	}
	if (kind < 85)
		*fd = -1;
	else if (kind < 90)
		*fd = NO_FD + i % 64;
	else if (kind < 95 || !f->nd)
		*fd = f->c[0].fd;
	else
		*fd = f->d[i % f->nd].fd;
	mix(f, FD_MINUS_ONE + kind / 5);
	return false;
}

static void add_mapping(struct fuzz *f, void *ptr, uint64_t len)
{
	if (f->nm == MAX_MAPS) {
		f->calls++;
		igt_assert_eq(munmap(f->m[0].ptr, f->m[0].len), 0);
		memmove(f->m, f->m + 1, --f->nm * sizeof(f->m[0]));
	}
	f->m[f->nm].ptr = ptr;
	f->m[f->nm].len = len;
	f->nm++;
}

/* The operations. */

static void op_getparam(struct fuzz *f)
{
	struct client *c = pick_client(f);
	uint32_t param = chance(f, 85) ? below(f, 8) : rnd(f);
	struct drm_vtgpu_getparam gp = {
		.param = param,
		.pad = chance(f, 5) ? rnd(f) | 1 : 0,
		.value = SENTINEL,
	};
	int want = gp.pad || !param || param > VTGPU_PARAM_MAX_SUBMIT_SYNCS ?
		   EINVAL : 0;

	if (check(f, "GETPARAM", fz_ioctl(f, c->fd, DRM_IOCTL_VTGPU_GETPARAM,
					  &gp), want, 0))
		igt_assert_eq_u64(gp.value, f->params[param]);
	else
		igt_assert_eq_u64(gp.value, SENTINEL);
}

/* GEM_CREATE's result, computed as the uapi documents it. */
static int create_result(struct fuzz *f, const struct drm_vtgpu_gem_create *a,
			 uint32_t *preferred, uint64_t *maxp)
{
	const uint32_t cpu = VTGPU_GEM_CREATE_CPU_ACCESS_REQUIRED |
			     VTGPU_GEM_CREATE_NO_CPU_ACCESS;
	uint64_t max = 0;

	if (a->extensions ||
	    !a->domains || (a->domains & ~VTGPU_GEM_DOMAIN_ALL) ||
	    (a->flags & ~cpu) || (a->flags & cpu) == cpu)
		return EINVAL;
	*preferred = a->preferred;
	if (!*preferred)
		*preferred = a->domains & VTGPU_GEM_DOMAIN_VRAM ?:
			     a->domains & VTGPU_GEM_DOMAIN_GTT ?:
			     VTGPU_GEM_DOMAIN_SYSTEM;
	if (__builtin_popcount(*preferred) != 1 || !(*preferred & a->domains))
		return EINVAL;

	if (a->domains & VTGPU_GEM_DOMAIN_VRAM)
		max = a->flags & VTGPU_GEM_CREATE_CPU_ACCESS_REQUIRED ?
		      f->visible_size : f->vram_size;
	if (a->domains & VTGPU_GEM_DOMAIN_GTT)
		max = max > f->gart_size ? max : f->gart_size;
	if (a->domains & VTGPU_GEM_DOMAIN_SYSTEM)
		max = max > f->system_max ? max : f->system_max;
	*maxp = max;
	return !a->size || a->size > max ? EINVAL : 0;
}

static void close_one(struct fuzz *f, struct client *c, unsigned int i)
{
	struct drm_gem_close cl = { .handle = c->h[i].handle };

	check(f, "GEM_CLOSE", fz_ioctl(f, c->fd, DRM_IOCTL_GEM_CLOSE, &cl), 0,
	      0);
	forget_handle(c, cl.handle);
}

static void op_create(struct fuzz *f)
{
	struct client *c = pick_client(f);
	const uint64_t sizes[] = {
		0, 1, 100, PAGE_SZ - 1, PAGE_SZ, PAGE_SZ + 1, 2 * PAGE_SZ,
		64 << 10, (1 << 20) + 7, 4 << 20, 16 << 20,
		f->visible_size + 1, f->vram_size, f->vram_size + 1,
		f->gart_size + PAGE_SZ, 1ull << 50, ~0ull, ~0ull - PAGE_SZ + 2,
	};
	/* Mostly small sizes: they are what jobs and mappings use. */
	unsigned int si = chance(f, 70) ? 3 + below(f, 7) :
			  below(f, ARRAY_SIZE(sizes));
	unsigned int dk = below(f, 100), pk = below(f, 100), fk = below(f, 100);
	uint32_t r = rnd(f), preferred = 0;
	uint64_t max = 0;
	struct drm_vtgpu_gem_create cr = {
		.size = sizes[si],
		.domains = dk < 90 ? 1 + r % 7 :
			   dk < 95 ? 0 : (1 + r % 7) | 1u << (3 + r % 29),
		.preferred = pk < 50 ? 0 : pk < 90 ? 1u << (r % 3) :
			     pk < 95 ? 3 : 1u << (r % 32),
		.flags = fk < 60 ? 0 : fk < 75 ? 1 : fk < 90 ? 2 :
			 fk < 95 ? 3 : 1u << (r % 32),
		.extensions = chance(f, 2) ? rnd(f) | 1 : 0,
		.handle = 0xdeadbeef,
	};
	bool big_ok = chance(f, 2);
	int want = create_result(f, &cr, &preferred, &max);
	struct obj obj;

	/*
	 * A valid size above 16 MiB is mostly made the first invalid one:
	 * the boundary is what matters, and hundreds of MiB to clear or
	 * allocate would slow everything down.
	 */
	if (!want && cr.size > (16 << 20) && !big_ok) {
		cr.size = max + 1;
		want = EINVAL;
	}
	obj = (struct obj) {
		.id = ++f->next_obj, .size = (cr.size + PAGE_SZ - 1) & ~(PAGE_SZ - 1),
		.domains = cr.domains, .preferred = preferred,
		.flags = cr.flags, .arena = -1,
	};

	mix(f, cr.size);
	mix(f, cr.domains | (uint64_t)cr.preferred << 8 | (uint64_t)cr.flags << 16);
	if (c->nh == MAX_HANDLES)
		close_one(f, c, r % c->nh);

	if (!check(f, "GEM_CREATE", fz_ioctl(f, c->fd,
					     DRM_IOCTL_VTGPU_GEM_CREATE, &cr),
		   want, E(ENOMEM))) {
		igt_assert_eq_u32(cr.handle, 0xdeadbeef);
		return;
	}
	igt_assert_eq_u64(cr.size, obj.size);
	add_handle(f, c, cr.handle, &obj);
	/* Large BOs only come and go: they would crowd the others out. */
	if (obj.size > (16 << 20))
		close_one(f, c, c->nh - 1);
}

static void op_close(struct fuzz *f)
{
	struct client *c = pick_client(f);
	struct handle *h;
	struct drm_gem_close cl = { .handle = pick_handle(f, c, &h) };

	if (check(f, "GEM_CLOSE", fz_ioctl(f, c->fd, DRM_IOCTL_GEM_CLOSE, &cl),
		  h ? 0 : EINVAL, 0))
		forget_handle(c, cl.handle);
}

/* The result of MMAP_OFFSET for @h (NULL: no BO) with @flags. */
static int mmap_offset_result(struct handle *h, uint32_t flags)
{
	if (flags)
		return EINVAL;
	if (!h)
		return ENOENT;
	return h->obj.arena >= 0 ||
	       (h->obj.flags & VTGPU_GEM_CREATE_NO_CPU_ACCESS) ? EPERM : 0;
}

static void op_mmap_offset(struct fuzz *f)
{
	struct client *c = pick_client(f);
	struct handle *h;
	struct drm_vtgpu_gem_mmap_offset mo = {
		.handle = pick_handle(f, c, &h),
		.flags = chance(f, 10) ? 1u << below(f, 32) : 0,
		.offset = SENTINEL,
	};

	if (!check(f, "GEM_MMAP_OFFSET",
		   fz_ioctl(f, c->fd, DRM_IOCTL_VTGPU_GEM_MMAP_OFFSET, &mo),
		   mmap_offset_result(h, mo.flags), 0))
		igt_assert_eq_u64(mo.offset, SENTINEL);
	else
		igt_assert(mo.offset && !(mo.offset % PAGE_SZ));
}

static void op_info(struct fuzz *f)
{
	struct client *c = pick_client(f);
	struct handle *h;
	struct drm_vtgpu_gem_info info = {
		.handle = pick_handle(f, c, &h),
		.pad = chance(f, 5) ? rnd(f) | 1 : 0,
		.size = SENTINEL,
	};
	int want = info.pad ? EINVAL : h ? 0 : ENOENT;

	if (!check(f, "GEM_INFO", fz_ioctl(f, c->fd, DRM_IOCTL_VTGPU_GEM_INFO,
					   &info), want, 0)) {
		igt_assert_eq_u64(info.size, SENTINEL);
		return;
	}
	igt_assert_eq_u64(info.size, h->obj.size);
	igt_assert_eq_u32(info.domains, h->obj.domains);
	igt_assert_eq_u32(info.preferred, h->obj.preferred);
	igt_assert_eq_u32(info.create_flags, h->obj.flags);
	igt_assert_eq(!!(info.info_flags & VTGPU_GEM_INFO_USERPTR),
		      h->obj.arena >= 0);
	igt_assert(!(info.info_flags & VTGPU_GEM_INFO_IMPORTED));
}

static void op_wait(struct fuzz *f)
{
	struct client *c = pick_client(f);
	const int64_t timeouts[] = {
		0, 1, 1000000, vtgpu_deadline(10000000), -1, INT64_MIN,
	};
	struct handle *h;
	struct drm_vtgpu_gem_wait w = {
		.handle = pick_handle(f, c, &h),
		.flags = chance(f, 5) ? 1u << below(f, 32) : 0,
		.timeout_ns = timeouts[below(f, ARRAY_SIZE(timeouts))],
	};
	int want = w.flags || w.timeout_ns < 0 ? EINVAL : h ? 0 : ENOENT;

	check(f, "GEM_WAIT", fz_ioctl(f, c->fd, DRM_IOCTL_VTGPU_GEM_WAIT, &w),
	      want, want ? 0 : E(ETIMEDOUT));
}

/* One random command, and what is wrong with it in the driver's order. */
struct cmd_model {
	struct handle *src, *dst;
	int err;
};

static void random_cmd(struct fuzz *f, struct client *c,
		       struct drm_vtgpu_cmd *cmd, struct cmd_model *m)
{
	unsigned int ok = below(f, 100), rk = below(f, 100);
	uint64_t r = rnd(f), size, off, dsize;

	memset(cmd, 0, sizeof(*cmd));
	memset(m, 0, sizeof(*m));
	cmd->op = ok < 47 ? VTGPU_CMD_COPY : ok < 94 ? VTGPU_CMD_FILL :
		  ok < 97 ? 0 : r >> 32;
	cmd->dst_handle = pick_handle(f, c, &m->dst);
	if (cmd->op == VTGPU_CMD_COPY || chance(f, 3))
		cmd->src_handle = pick_handle(f, c, &m->src);
	else
		pick_handle(f, c, &m->src);
	cmd->flags = chance(f, 3);
	cmd->pad = chance(f, 3) ? r | 1 : 0;
	if (cmd->op != VTGPU_CMD_COPY || chance(f, 3))
		cmd->pattern = r >> 16;

	/* Offsets and sizes around the destination's end. */
	dsize = m->dst ? m->dst->obj.size : 2 * PAGE_SZ;
	size = (1 + (r >> 8) % 4) * 1024;
	if (size > dsize)
		size = dsize;
	off = ((r >> 20) % (dsize - size + 1)) & ~3ull;
	if (rk < 70) {
		/* inside */
	} else if (rk < 75) {
		off = dsize - size;
	} else if (rk < 80) {
		off = dsize - size + 4;
	} else if (rk < 83) {
		off = dsize;
	} else if (rk < 86) {
		size = 0;
	} else if (rk < 89) {
		off = ~0ull - PAGE_SZ + 1;
		size = 2 * PAGE_SZ;
	} else if (rk < 92) {
		size = dsize + PAGE_SZ;
		off = 0;
	} else if (rk < 95) {
		off |= 1 + r % 3;
	} else {
		size |= 1 + r % 3;
	}
	cmd->dst_offset = off;
	cmd->size = size;
	if (cmd->op == VTGPU_CMD_COPY) {
		uint64_t ssize = m->src ? m->src->obj.size : 2 * PAGE_SZ;

		cmd->src_offset = chance(f, 90) && size <= ssize ?
				  ((r >> 40) % (ssize - size + 1)) : ssize - size + PAGE_SZ;
	} else if (chance(f, 3)) {
		cmd->src_offset = PAGE_SZ;
	}
	mix(f, cmd->op);
	mix(f, cmd->dst_offset);
	mix(f, cmd->src_offset);
	mix(f, cmd->size);
}

static bool range_ok(uint64_t off, uint64_t size, uint64_t bo_size)
{
	uint64_t end;

	return !__builtin_add_overflow(off, size, &end) && end <= bo_size;
}

/* The error of a command's own checks (before the BO-wide ones). */
static int cmd_error(const struct drm_vtgpu_cmd *cmd, const struct cmd_model *m)
{
	if (cmd->flags || cmd->pad || !cmd->size)
		return EINVAL;
	switch (cmd->op) {
	case VTGPU_CMD_COPY:
		if (cmd->pattern)
			return EINVAL;
		if (!m->src)
			return ENOENT;
		break;
	case VTGPU_CMD_FILL:
		if (cmd->src_handle || cmd->src_offset ||
		    cmd->dst_offset % 4 || cmd->size % 4)
			return EINVAL;
		break;
	default:
		return EINVAL;
	}
	if (!m->dst)
		return ENOENT;
	if (!range_ok(cmd->dst_offset, cmd->size, m->dst->obj.size) ||
	    (cmd->op == VTGPU_CMD_COPY &&
	     !range_ok(cmd->src_offset, cmd->size, m->src->obj.size)))
		return EINVAL;
	return 0;
}

/* A BO a job uses, once, with whether it writes it. */
struct job_bo {
	struct obj *obj;
	bool write;
};

static unsigned int job_add_bo(struct job_bo *bos, unsigned int n,
			       struct obj *obj, bool write)
{
	for (unsigned int i = 0; i < n; i++) {
		if (bos[i].obj->id == obj->id) {
			bos[i].write |= write;
			return n;
		}
	}
	bos[n].obj = obj;
	bos[n].write = write;
	return n + 1;
}

static struct syncobj *find_syncobj(struct client *c, uint32_t handle)
{
	for (unsigned int i = 0; i < c->ns; i++)
		if (c->s[i].handle == handle)
			return &c->s[i];
	return NULL;
}

static uint32_t pick_syncobj(struct fuzz *f, struct client *c,
			     struct syncobj **s)
{
	unsigned int kind = below(f, 100), i = rnd(f);
	uint32_t handle = kind < 85 && c->ns ? c->s[i % c->ns].handle :
			  kind < 92 ? 0 : i | 0x40000000u;

	*s = find_syncobj(c, handle);
	mix(f, handle);
	return handle;
}

static void op_submit(struct fuzz *f)
{
	struct client *c = pick_client(f);
	unsigned int nk = below(f, 100), n, nb = 0, i;
	struct drm_vtgpu_cmd cmds[MAX_CMDS], scratch[MAX_CMDS + 1];
	struct cmd_model m[MAX_CMDS];
	struct job_bo bos[2 * MAX_CMDS];
	struct drm_vtgpu_sync in_syncs[3] = {}, out_sync = {};
	struct drm_vtgpu_sync sync_scratch[4];
	struct syncobj *in_s[3], *out_s = NULL;
	enum ptr_kind cmds_kind, sync_kind = PTR_OK;
	bool fence_ok = true, has_userptr = false;
	struct drm_vtgpu_submit s = {
		.out_fence_fd = -2,
		.seqno = SENTINEL,
	};
	int want = 0, in_fd;

	n = nk < 90 ? 1 + below(f, MAX_CMDS) : 0;
	for (i = 0; i < MAX_CMDS; i++)
		random_cmd(f, c, &cmds[i], &m[i]);
	s.num_cmds = nk < 90 ? n : nk < 95 ? 0 :
		     nk < 98 ? f->max_cmds + 1 : 0x80000000u;
	s.cmds = place_data(f, cmds, n * sizeof(cmds[0]), scratch, 0,
			    &cmds_kind);

	s.flags = below(f, 8);
	if (chance(f, 3))
		s.flags |= 1u << (3 + below(f, 29));
	s.extensions = chance(f, 2) ? rnd(f) | 1 : 0;
	s.pad = chance(f, 2) ? rnd(f) | 1 : 0;
	s.sync_stride = chance(f, 3) ? below(f, sizeof(in_syncs[0])) :
			chance(f, 2) ? 257 + below(f, 1u << 20) :
			sizeof(in_syncs[0]);
	fence_ok = pick_fence(f, &in_fd);
	s.in_fence_fd = s.flags & VTGPU_SUBMIT_IN_FENCE_FD ? in_fd : rnd(f);

	s.num_in_syncs = chance(f, 20) ? 1 + below(f, 3) : 0;
	for (i = 0; i < 3; i++) {
		in_syncs[i].handle = pick_syncobj(f, c, &in_s[i]);
		in_syncs[i].flags = chance(f, 3) ? 1u << below(f, 32) : 0;
	}
	if (s.num_in_syncs)
		s.in_syncs = place_data(f, in_syncs,
					s.num_in_syncs * sizeof(in_syncs[0]),
					sync_scratch, 1, &sync_kind);
	else if (chance(f, 5))
		s.in_syncs = KERNEL_ADDR;
	if (chance(f, 2))
		s.num_in_syncs = f->max_syncs + 1;
	if (chance(f, 20)) {
		out_sync.handle = pick_syncobj(f, c, &out_s);
		out_sync.flags = chance(f, 3) ? 1u << below(f, 32) : 0;
		s.out_syncs = to_user_pointer(&out_sync);
		s.num_out_syncs = 1;
	}
	/* A child does not change the syncobjs it shares with its parent. */
	if (f->child && !f->own_only) {
		s.num_out_syncs = 0;
		out_s = NULL;
	}

	/* What the driver says, in the order it checks. */
	if (s.extensions || (s.flags & ~7u) || s.pad || !s.num_cmds ||
	    s.num_cmds > f->max_cmds || s.num_in_syncs > f->max_syncs ||
	    ((s.num_in_syncs || s.num_out_syncs) &&
	     (s.sync_stride < sizeof(in_syncs[0]) || s.sync_stride > 256))) {
		want = EINVAL;
		goto call;
	}
	if (ptr_bad(cmds_kind)) {
		want = EFAULT;
		goto call;
	}
	for (i = 0; i < n && !want; i++) {
		want = cmd_error(&cmds[i], &m[i]);
		if (!want && cmds[i].op == VTGPU_CMD_COPY)
			nb = job_add_bo(bos, nb, &m[i].src->obj, false);
		if (!want)
			nb = job_add_bo(bos, nb, &m[i].dst->obj, true);
	}
	for (i = 0; i < nb && !want; i++) {
		if (!(bos[i].obj->domains & (VTGPU_GEM_DOMAIN_VRAM |
					     VTGPU_GEM_DOMAIN_GTT)))
			want = EINVAL;
		else if (bos[i].obj->arena >= 0 && bos[i].write &&
			 bos[i].obj->readonly)
			want = EACCES;
		else if (bos[i].obj->arena >= 0 && f->child)
			want = EPERM;
		has_userptr |= bos[i].obj->arena >= 0;
	}
	if (want)
		goto call;
	if ((s.flags & VTGPU_SUBMIT_IN_FENCE_FD) && !fence_ok) {
		want = EINVAL;
		goto call;
	}
	if (s.num_in_syncs && ptr_bad(sync_kind)) {
		want = EFAULT;
		goto call;
	}
	for (i = 0; i < s.num_in_syncs && !want; i++)
		want = in_syncs[i].flags ? EINVAL : !in_s[i] ? ENOENT :
		       !in_s[i]->has_fence ? EINVAL : 0;
	if (want)
		goto call;
	if (s.num_out_syncs) {
		want = out_sync.flags ? EINVAL : !out_s ? ENOENT : 0;
		if (want)
			goto call;
	}
	for (i = 0; i < nb && !want; i++) {
		enum arena_state st;

		if (bos[i].obj->arena < 0)
			continue;
		st = arena_state(f, bos[i].obj->arena);
		if (st == ARENA_NONE)
			want = EFAULT;
		else if (st == ARENA_RO && !bos[i].obj->readonly)
			want = EACCES;
	}

call:
	igt_debug("SUBMIT %u cmds (%d), flags %#x, %u in-syncs (%d), %u out-syncs, stride %u: want %d\n",
		  s.num_cmds, cmds_kind, s.flags, s.num_in_syncs, sync_kind,
		  s.num_out_syncs, s.sync_stride, want);
	for (i = 0; i < n; i++)
		igt_debug("  op %u flags %u pad %u src %u+%#" PRIx64 " dst %u+%#" PRIx64 " size %#" PRIx64 " pattern %#x\n",
			  cmds[i].op, cmds[i].flags, cmds[i].pad,
			  cmds[i].src_handle, (uint64_t)cmds[i].src_offset,
			  cmds[i].dst_handle, (uint64_t)cmds[i].dst_offset,
			  (uint64_t)cmds[i].size, cmds[i].pattern);
	if (!check(f, "SUBMIT", fz_ioctl(f, c->fd, DRM_IOCTL_VTGPU_SUBMIT, &s),
		   want, E(ENOMEM) | (has_userptr ? E(EAGAIN) : 0))) {
		igt_assert_eq(s.out_fence_fd, -2);
		igt_assert_eq_u64(s.seqno, SENTINEL);
		return;
	}
	igt_assert_neq_u64(s.seqno, SENTINEL);
	if (s.flags & VTGPU_SUBMIT_OUT_FENCE_FD) {
		igt_assert_lte(0, s.out_fence_fd);
		add_fence(f, s.out_fence_fd);
	} else {
		igt_assert_eq(s.out_fence_fd, -2);
	}
	if (out_s)
		out_s->has_fence = true;
}

static void op_userptr(struct fuzz *f)
{
	struct client *c = pick_client(f);
	unsigned int ai = below(f, NUM_ARENAS), ak = below(f, 100);
	unsigned int sk = below(f, 100), fk = below(f, 100);
	struct arena *a = &f->a[ai];
	uint64_t r = rnd(f);
	struct drm_vtgpu_gem_userptr up = {
		.addr = to_user_pointer(a->ptr),
		.size = a->size,
		.flags = fk < 50 ? 0 : fk < 95 ? VTGPU_USERPTR_READONLY :
			 1u << (1 + r % 31),
		.handle = 0xdeadbeef,
	};
	/*
	 * What the range covers: the arena, the arena and the guard page
	 * after it, or something else that is no ordinary memory.
	 */
	enum { MEM_ARENA, MEM_ARENA_GUARD, MEM_OTHER } mem = MEM_ARENA;
	struct obj obj = { .arena = ai };
	uint64_t end;
	int want;

	if (ak < 75) {
		/* the arena, or its tail */
		if (a->size > PAGE_SZ && chance(f, 30)) {
			up.addr += PAGE_SZ;
			up.size -= PAGE_SZ;
		}
	} else if (ak < 80) {
		up.addr += 64;
	} else if (ak < 84) {
		up.addr = 0;
		up.size = PAGE_SZ;
		mem = MEM_OTHER;
	} else if (ak < 88) {
		up.addr = KERNEL_ADDR;
	} else if (ak < 92) {
		up.size += PAGE_SZ;
		mem = MEM_ARENA_GUARD;
	} else if (ak < 96 && f->nm) {
		up.addr = to_user_pointer(f->m[r % f->nm].ptr);
		up.size = PAGE_SZ;
		mem = MEM_OTHER;
	} else {
		up.addr = (1ull << 47) - PAGE_SZ;
		up.size = 2 * PAGE_SZ;
	}
	if (sk < 3)
		up.size = 0;
	else if (sk < 6)
		up.size += 100;
	else if (sk < 8)
		up.size = f->gart_size + PAGE_SZ;
	else if (sk < 10)
		up.size = -PAGE_SZ;
	mix(f, up.addr - to_user_pointer(f->arena_base));
	mix(f, up.size);
	mix(f, up.flags);

	if ((up.flags & ~VTGPU_USERPTR_READONLY) || !up.size ||
	    up.addr % PAGE_SZ || up.size % PAGE_SZ ||
	    __builtin_add_overflow(up.addr, up.size, &end) ||
	    end > (1ull << 47) - PAGE_SZ || up.size > f->gart_size)
		want = EINVAL;
	else if (mem == MEM_OTHER || a->state == ARENA_NONE)
		want = EFAULT;
	/* The driver checks the arena's VMA before the guard's. */
	else if (a->state == ARENA_RO && !up.flags)
		want = EACCES;
	else
		want = mem == MEM_ARENA_GUARD ? EFAULT : 0;

	if (!want && c->nh == MAX_HANDLES)
		close_one(f, c, r % c->nh);
	if (!check(f, "GEM_USERPTR", fz_ioctl(f, c->fd,
					      DRM_IOCTL_VTGPU_GEM_USERPTR, &up),
		   want, E(ENOMEM))) {
		igt_assert_eq_u32(up.handle, 0xdeadbeef);
		return;
	}
	obj.id = ++f->next_obj;
	obj.size = up.size;
	obj.domains = VTGPU_GEM_DOMAIN_GTT;
	obj.preferred = VTGPU_GEM_DOMAIN_GTT;
	obj.readonly = up.flags & VTGPU_USERPTR_READONLY;
	add_handle(f, c, up.handle, &obj);
}

/* A flag bit PRIME_HANDLE_TO_FD does not know. */
static uint32_t bad_prime_flag(struct fuzz *f)
{
	uint32_t flag = 1u << below(f, 32);

	return flag & (DRM_CLOEXEC | DRM_RDWR) ? 0x4 : flag;
}

static void op_export(struct fuzz *f)
{
	struct client *c = pick_client(f);
	struct handle *h;
	struct drm_prime_handle p = {
		.handle = pick_handle(f, c, &h),
		/*
		 * Always RDWR: a BO's dma-buf is made once, by its first
		 * export, and later exports share its file and mode.
		 */
		.flags = chance(f, 90) ? DRM_RDWR | (chance(f, 50) ? DRM_CLOEXEC : 0) :
			 bad_prime_flag(f),
		.fd = -2,
	};
	int want = p.flags & ~(DRM_CLOEXEC | DRM_RDWR) ? EINVAL :
		   !h ? ENOENT : h->obj.arena >= 0 ? EPERM : 0;

	if (!check(f, "PRIME_HANDLE_TO_FD",
		   fz_ioctl(f, c->fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &p), want,
		   E(ENOMEM))) {
		igt_assert_eq(p.fd, -2);
		return;
	}
	igt_assert_lte(0, p.fd);
	add_dmabuf(f, p.fd, &h->obj);
}

static void op_import(struct fuzz *f)
{
	struct client *c = pick_client(f);
	unsigned int kind = below(f, 100), i = rnd(f);
	struct dmabuf *d = NULL;
	struct drm_prime_handle p = { .handle = 0xdeadbeef };
	struct handle *h;
	int want;

	if (kind < 80 && f->nd) {
		d = &f->d[i % f->nd];
		p.fd = d->fd;
		want = 0;
	} else if (kind < 85) {
		p.fd = -1;
		want = EBADF;
	} else if (kind < 90) {
		p.fd = NO_FD + i % 64;
		want = EBADF;
	} else if (kind < 95 || !f->nf) {
		p.fd = c->fd;
		want = EINVAL;
	} else {
		p.fd = f->fences[i % f->nf];
		want = EINVAL;
	}
	mix(f, kind);
	if (d && c->nh == MAX_HANDLES)
		close_one(f, c, i % c->nh);

	if (!check(f, "PRIME_FD_TO_HANDLE",
		   fz_ioctl(f, c->fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &p), want,
		   E(ENOMEM))) {
		igt_assert_eq_u32(p.handle, 0xdeadbeef);
		return;
	}
	/*
	 * The handle this file got the dma-buf's BO under before, or a new
	 * one: a file that has a handle to the BO from elsewhere gets a
	 * second one.
	 */
	h = find_handle(c, p.handle);
	if (h)
		igt_assert_eq_u64(h->obj.id, d->obj.id);
	else
		add_handle(f, c, p.handle, &d->obj);
}

static void op_syncobj(struct fuzz *f)
{
	struct client *c = pick_client(f);
	unsigned int what = below(f, 4), fk = below(f, 100);
	struct syncobj *s;
	uint32_t handle = pick_syncobj(f, c, &s);
	int fence_fd, want;
	bool fence_ok = pick_fence(f, &fence_fd);
	uint32_t pad = chance(f, 5);

	mix(f, what);
	switch (what) {
	case 0: {
		struct drm_syncobj_create cr = {
			.flags = fk < 50 ? 0 : fk < 95 ? DRM_SYNCOBJ_CREATE_SIGNALED :
				 1u << (1 + fk % 31),
			.handle = 0xdeadbeef,
		};

		want = cr.flags & ~DRM_SYNCOBJ_CREATE_SIGNALED ? EINVAL : 0;
		if (!want && c->ns == MAX_SYNCOBJS) {
			struct drm_syncobj_destroy d = { .handle = c->s[0].handle };

			check(f, "SYNCOBJ_DESTROY",
			      fz_ioctl(f, c->fd, DRM_IOCTL_SYNCOBJ_DESTROY, &d),
			      0, 0);
			c->s[0] = c->s[--c->ns];
		}
		if (!check(f, "SYNCOBJ_CREATE",
			   fz_ioctl(f, c->fd, DRM_IOCTL_SYNCOBJ_CREATE, &cr),
			   want, E(ENOMEM))) {
			igt_assert_eq_u32(cr.handle, 0xdeadbeef);
			break;
		}
		igt_assert(cr.handle && !find_syncobj(c, cr.handle));
		c->s[c->ns].handle = cr.handle;
		c->s[c->ns].has_fence = cr.flags & DRM_SYNCOBJ_CREATE_SIGNALED;
		c->ns++;
		break;
	}
	case 1: {
		/*
		 * Not handle 0: on 7.3, SYNCOBJ_DESTROY of handle 0 fails but
		 * marks index 0 of the file's handle xarray free (xa_erase()
		 * on an XA_FLAGS_ALLOC1 xarray), and the next SYNCOBJ_CREATE
		 * returns handle 0. A DRM core bug, not the driver's.
		 */
		struct drm_syncobj_destroy d = {
			.handle = handle ?: 0x40000000u, .pad = pad,
		};

		want = pad || !s ? EINVAL : 0;
		if (check(f, "SYNCOBJ_DESTROY",
			  fz_ioctl(f, c->fd, DRM_IOCTL_SYNCOBJ_DESTROY, &d),
			  want, 0))
			*s = c->s[--c->ns];
		break;
	}
	case 2: {
		/*
		 * Export the fence as a sync_file. Bit 1 is no invalid flag:
		 * it is DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_TIMELINE in 7.3 (not
		 * in 6.12).
		 */
		struct drm_syncobj_handle e = {
			.handle = handle, .pad = pad, .fd = -2,
			.flags = fk < 90 ? DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE :
				 1u << (2 + fk % 30),
		};

		want = pad || e.flags != DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE ?
		       EINVAL : !s ? ENOENT : 0;
		if (!want && !s->has_fence)
			want = EINVAL;
		if (check(f, "SYNCOBJ_HANDLE_TO_FD",
			  fz_ioctl(f, c->fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &e),
			  want, E(ENOMEM)))
			add_fence(f, e.fd);
		else
			igt_assert_eq(e.fd, -2);
		break;
	}
	default: {
		/* Import a sync_file into the syncobj. */
		struct drm_syncobj_handle im = {
			.handle = handle, .pad = pad, .fd = fence_fd,
			.flags = DRM_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE,
		};

		want = pad ? EINVAL : !fence_ok ? EINVAL : !s ? ENOENT : 0;
		if (check(f, "SYNCOBJ_FD_TO_HANDLE",
			  fz_ioctl(f, c->fd, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, &im),
			  want, 0))
			s->has_fence = true;
		break;
	}
	}
}

/* What a render node refuses: dumb buffers, FLINK and GEM_OPEN. */
static void op_refused(struct fuzz *f)
{
	struct client *c = pick_client(f);
	unsigned int what = below(f, 5);
	struct handle *h;
	uint32_t handle = pick_handle(f, c, &h);
	union {
		struct drm_mode_create_dumb create;
		struct drm_mode_map_dumb map;
		struct drm_mode_destroy_dumb destroy;
		struct drm_gem_flink flink;
		struct drm_gem_open open;
	} u;
	static const unsigned long requests[] = {
		DRM_IOCTL_MODE_CREATE_DUMB, DRM_IOCTL_MODE_MAP_DUMB,
		DRM_IOCTL_MODE_DESTROY_DUMB, DRM_IOCTL_GEM_FLINK,
		DRM_IOCTL_GEM_OPEN,
	};

	memset(&u, 0, sizeof(u));
	switch (what) {
	case 0:
		u.create.width = 64;
		u.create.height = 64;
		u.create.bpp = 32;
		break;
	case 1:
		u.map.handle = handle;
		break;
	case 2:
		u.destroy.handle = handle;
		break;
	case 3:
		u.flink.handle = handle;
		break;
	default:
		u.open.name = 1 + below(f, 4);
		break;
	}
	mix(f, what);
	check(f, "render-node-refused ioctl",
	      fz_ioctl(f, c->fd, requests[what], &u), EACCES, 0);
}

/* Unknown ioctl numbers, and known ones with bad argument pointers. */
static void op_bad_ioctl(struct fuzz *f)
{
	struct client *c = pick_client(f);
	unsigned int what = below(f, 3), nr = below(f, 7);
	static const unsigned long requests[] = {
		DRM_IOCTL_VTGPU_GETPARAM, DRM_IOCTL_VTGPU_GEM_CREATE,
		DRM_IOCTL_VTGPU_GEM_MMAP_OFFSET, DRM_IOCTL_VTGPU_GEM_INFO,
		DRM_IOCTL_VTGPU_GEM_WAIT, DRM_IOCTL_VTGPU_SUBMIT,
		DRM_IOCTL_VTGPU_GEM_USERPTR,
	};
	static const uint64_t bad[] = {
		0, 8, KERNEL_ADDR, ~0ull - 7,
	};
	uint64_t arg[8] = {};
	uint64_t ptr = bad[below(f, ARRAY_SIZE(bad))];

	mix(f, what);
	if (what == 0) {
		/* Past the driver's ioctls, up to DRM_COMMAND_END. */
		unsigned long req = DRM_IOWR(DRM_COMMAND_BASE + 7 + below(f, 0x60 - 7),
					     uint64_t[8]);

		check(f, "unknown ioctl", fz_ioctl(f, c->fd, req, arg),
		      EINVAL, 0);
	} else if (what == 1) {
		check(f, "ioctl with a bad argument pointer",
		      fz_ioctl(f, c->fd, requests[nr], from_user_pointer(ptr)),
		      EFAULT, 0);
	} else {
		/*
		 * GETPARAM with a shorter argument: DRM zero-extends it, so
		 * param 0 and then -EINVAL. Bad sizes of the others too.
		 */
		unsigned long req = DRM_IOC(DRM_IOC_READWRITE, DRM_IOCTL_BASE,
					    DRM_COMMAND_BASE + DRM_VTGPU_GETPARAM,
					    4 * below(f, 2));

		check(f, "short GETPARAM", fz_ioctl(f, c->fd, req, arg),
		      EINVAL, 0);
	}
}

/*
 * Fault in up to 8 pages spread over a mapping, the last one included:
 * write the first byte, read the last. What they hold is not checked:
 * jobs may be writing the BO.
 */
static void touch(uint8_t *ptr, uint64_t len, uint8_t v)
{
	uint64_t pages = len / PAGE_SZ, step = (pages + 7) / 8;

	for (uint64_t page = pages - 1; page < pages; page -= step) {
		volatile uint8_t *p = ptr + page * PAGE_SZ;

		p[0] = v;
		(void)p[PAGE_SZ - 1];
	}
}

static void op_mmap(struct fuzz *f)
{
	struct client *c = pick_client(f);
	unsigned int kind = below(f, 100), lk = below(f, 100), i = rnd(f);
	struct client *other = &f->c[c == &f->c[0]];
	bool shared = !chance(f, 5), misplaced = chance(f, 5);
	struct drm_vtgpu_gem_mmap_offset mo = {};
	struct dmabuf *d = NULL;
	struct handle *h = NULL;
	uint64_t size, len;
	int fd, want;
	void *ptr;

	if (kind < 15 && f->nd) {
		/* A dma-buf, at offset 0. */
		d = &f->d[i % f->nd];
		fd = d->fd;
		size = d->obj.size;
	} else {
		/* A BO, at the offset its own file or the other one gives. */
		struct client *from = kind < 25 ? other : c;

		if (!from->nh) {
			mix(f, 0);
			return;
		}
		h = &from->h[i % from->nh];
		mo.handle = h->handle;
		if (!check(f, "GEM_MMAP_OFFSET",
			   fz_ioctl(f, from->fd, DRM_IOCTL_VTGPU_GEM_MMAP_OFFSET,
				    &mo), mmap_offset_result(h, 0), 0))
			return;
		fd = c->fd;
		size = h->obj.size;
		/* Inside the BO: a one-page BO's next page may be another's. */
		misplaced &= size > PAGE_SZ;
		if (misplaced)
			mo.offset += PAGE_SZ;
	}
	len = lk < 60 ? size : lk < 80 ? (size / 2 + PAGE_SZ - 1) & ~(PAGE_SZ - 1) :
	      lk < 90 ? size + PAGE_SZ : 0;

	/* In the order mmap() and the driver check. */
	if (!len)
		want = EINVAL;
	else if (len > size || (h && misplaced))
		want = EINVAL;
	else if (h && !find_obj(c, h->obj.id))
		/* Only files with a handle to the BO may map it. */
		want = EACCES;
	else if (d && (d->obj.flags & VTGPU_GEM_CREATE_NO_CPU_ACCESS))
		/* vtgpu's mmap refuses it before looking at the mapping. */
		want = EPERM;
	else if (!shared)
		want = EINVAL;
	else
		want = 0;
	mix(f, len);
	mix(f, shared);

	f->calls++;
	ptr = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   shared ? MAP_SHARED : MAP_PRIVATE, fd, mo.offset);
	if (!check(f, "mmap", ptr == MAP_FAILED ? -errno : 0, want,
		   E(ENOMEM))) {
		errno = 0;
		return;
	}
	add_mapping(f, ptr, len);
	touch(ptr, len, i);
}

static void op_munmap(struct fuzz *f)
{
	unsigned int i = rnd(f);

	if (!f->nm)
		return;
	i %= f->nm;
	f->calls++;
	igt_assert_eq(munmap(f->m[i].ptr, f->m[i].len), 0);
	f->m[i] = f->m[--f->nm];
}

static void op_touch(struct fuzz *f)
{
	unsigned int i = rnd(f);

	if (f->nm)
		touch(f->m[i % f->nm].ptr, f->m[i % f->nm].len, i >> 8);
}

static void op_arena(struct fuzz *f)
{
	unsigned int i = below(f, NUM_ARENAS), what = below(f, 100);

	mix(f, i << 8 | what);
	if (what < 40)
		arena_set(f, i, ARENA_RW, what < 20);
	else if (what < 80)
		arena_set(f, i, ARENA_RO, false);
	else
		arena_set(f, i, ARENA_NONE, false);
}

static void op_close_fd(struct fuzz *f)
{
	unsigned int i = rnd(f);

	if (chance(f, 50) && f->nf) {
		i %= f->nf;
		f->calls++;
		close(f->fences[i]);
		f->fences[i] = f->fences[--f->nf];
	} else if (f->nd) {
		i %= f->nd;
		f->calls++;
		close(f->d[i].fd);
		f->d[i] = f->d[--f->nd];
	}
}

static void client_open(struct fuzz *f, struct client *c)
{
	memset(c, 0, sizeof(*c));
	c->fd = drm_open_driver_render(DRIVER_VTGPU);
	f->calls++;
}

static void client_close(struct fuzz *f, struct client *c)
{
	f->calls++;
	close(c->fd);
	c->fd = -1;
	c->nh = 0;
	c->ns = 0;
}

static void op_reopen(struct fuzz *f)
{
	struct client *c = pick_client(f);

	mix(f, c == &f->c[1]);
	client_close(f, c);
	client_open(f, c);
}

static void op_signals(struct fuzz *f)
{
	f->signal_calls = 20 + below(f, 200);
	if (f->replay)
		return;
	f->signals = true;
	timer_arm(true);
}

static void run_one(struct fuzz *f, enum op op);

/*
 * fork(): the child makes a few calls with the files it shares with the
 * parent, none of which creates or closes a handle there (that would be
 * the parent's too), and some with a file of its own; its userptr BOs are
 * not its own (-EPERM).
 */
static void op_fork(struct fuzz *f)
{
	static const enum op child_ops[] = {
		OP_GETPARAM, OP_MMAP_OFFSET, OP_INFO, OP_WAIT, OP_SUBMIT,
		OP_MMAP, OP_TOUCH, OP_BAD_IOCTL, OP_REFUSED,
	};
	uint64_t seed = rnd(f);

	/* A fork costs a hundred calls' time under TCG: a quarter of them. */
	if (!chance(f, 25))
		return;
	if (f->signals)
		timer_arm(false);
	igt_fork(child, 1) {
		f->child = true;
		f->signals = false;
		f->rng = splitmix(&seed) | 1;
		for (unsigned int i = 0; i < 8; i++)
			run_one(f, child_ops[below(f, ARRAY_SIZE(child_ops))]);

		/* A client of its own: create, use, close. */
		client_close(f, &f->c[1]);
		client_open(f, &f->c[1]);
		f->own_only = true;
		for (unsigned int i = 0; i < 8; i++) {
			static const enum op own[] = {
				OP_CREATE, OP_SUBMIT, OP_INFO, OP_CLOSE,
				OP_SYNCOBJ, OP_MMAP,
			};

			run_one(f, own[below(f, ARRAY_SIZE(own))]);
		}
	}
	igt_waitchildren();
	f->calls++;
	if (f->signals)
		timer_arm(true);
}

static void run_one(struct fuzz *f, enum op op)
{
	struct timespec start = {};

	igt_nsec_elapsed(&start);
	f->op_count[op]++;
	mix(f, op);
	switch (op) {
	case OP_GETPARAM: op_getparam(f); break;
	case OP_CREATE: op_create(f); break;
	case OP_CLOSE: op_close(f); break;
	case OP_MMAP_OFFSET: op_mmap_offset(f); break;
	case OP_INFO: op_info(f); break;
	case OP_WAIT: op_wait(f); break;
	case OP_SUBMIT: op_submit(f); break;
	case OP_USERPTR: op_userptr(f); break;
	case OP_EXPORT: op_export(f); break;
	case OP_IMPORT: op_import(f); break;
	case OP_SYNCOBJ: op_syncobj(f); break;
	case OP_REFUSED: op_refused(f); break;
	case OP_BAD_IOCTL: op_bad_ioctl(f); break;
	case OP_MMAP: op_mmap(f); break;
	case OP_MUNMAP: op_munmap(f); break;
	case OP_TOUCH: op_touch(f); break;
	case OP_ARENA: op_arena(f); break;
	case OP_CLOSE_FD: op_close_fd(f); break;
	case OP_FORK: op_fork(f); break;
	case OP_REOPEN: op_reopen(f); break;
	case OP_SIGNALS: op_signals(f); break;
	default: break;
	}
	f->op_ns[op] += igt_nsec_elapsed(&start);
}

static enum op pick_op(struct fuzz *f)
{
	unsigned int total = 0, r;
	int op;

	for (op = 0; op < NUM_OPS; op++)
		total += op_weights[op];
	r = below(f, total);
	for (op = 0; op < NUM_OPS - 1; op++) {
		if (r < op_weights[op])
			break;
		r -= op_weights[op];
	}
	return op;
}

static void fuzz_init(struct fuzz *f, uint64_t seed, bool replay)
{
	memset(f, 0, sizeof(*f));
	f->rng = splitmix(&seed) | 1;
	f->hash = 0xcbf29ce484222325ull;
	f->replay = replay;
	client_open(f, &f->c[0]);
	client_open(f, &f->c[1]);

	for (uint32_t p = 1; p <= VTGPU_PARAM_MAX_SUBMIT_SYNCS; p++)
		f->params[p] = vtgpu_getparam(f->c[0].fd, p);
	f->vram_size = f->params[VTGPU_PARAM_VRAM_SIZE];
	f->visible_size = f->params[VTGPU_PARAM_VISIBLE_VRAM_SIZE];
	f->gart_size = f->params[VTGPU_PARAM_GART_SIZE];
	f->max_cmds = f->params[VTGPU_PARAM_MAX_SUBMIT_CMDS];
	f->max_syncs = f->params[VTGPU_PARAM_MAX_SUBMIT_SYNCS];
	/* TTM swaps out beyond half of the system memory. */
	f->system_max = vtgpu_total_ram() / 2;

	arenas_init(f);

	f->data_fd = drm_open_driver_render(DRIVER_VTGPU);
	f->data_map = vtgpu_gem_mmap(f->data_fd,
				     vtgpu_gem_create(f->data_fd, PAGE_SZ,
						      VTGPU_GEM_DOMAIN_ALL, 0, 0),
				     PAGE_SZ, PROT_READ | PROT_WRITE);
}

/* Let go of everything: mappings, fences, dma-bufs, files, memory. */
static void fuzz_fini(struct fuzz *f)
{
	if (f->signals)
		timer_arm(false);
	f->signals = false;
	for (unsigned int i = 0; i < f->nm; i++)
		igt_assert_eq(munmap(f->m[i].ptr, f->m[i].len), 0);
	for (unsigned int i = 0; i < f->nf; i++)
		close(f->fences[i]);
	for (unsigned int i = 0; i < f->nd; i++)
		close(f->d[i].fd);
	f->nm = f->nf = f->nd = 0;
	for (unsigned int i = 0; i < 2; i++)
		client_close(f, &f->c[i]);
	igt_assert_eq(munmap(f->arena_base, f->arena_len), 0);
	igt_assert_eq(munmap(f->ro_page, PAGE_SZ), 0);
	igt_assert_eq(munmap(f->data_map, PAGE_SZ), 0);
	close(f->data_fd);
}

/*
 * Runs until @calls calls are made. A long run (the soak's takes hours
 * under KASAN) says every PROGRESS_CALLS calls how far it got, in its
 * output and in the kernel log, so that a run cut short or hung shows
 * where.
 */
static void fuzz_loop(struct fuzz *f, uint64_t calls)
{
	uint64_t next = PROGRESS_CALLS;
	struct timespec start = {};

	igt_nsec_elapsed(&start);
	while (f->calls < calls) {
		run_one(f, pick_op(f));
		if (f->signals && !--f->signal_calls) {
			timer_arm(false);
			f->signals = false;
		}
		if (f->calls >= next && !f->replay) {
			char line[128];

			snprintf(line, sizeof(line),
				 "seed %" PRIu64 ": %" PRIu64 " of %" PRIu64 " calls, %.0f s\n",
				 opt_seed, f->calls, calls,
				 igt_nsec_elapsed(&start) / 1e9);
			igt_info("%s", line);
			igt_kmsg(KMSG_INFO "vtgpu_fuzz: %s", line);
			next += PROGRESS_CALLS;
		}
	}
}

static void print_stats(struct fuzz *f, double secs)
{
	igt_info("seed %" PRIu64 ": %" PRIu64 " calls in %.1f s (%.0f calls/s), "
		 "%" PRIu64 " failed as expected, %" PRIu64 " transient\n",
		 opt_seed, f->calls, secs, f->calls / (secs > 0 ? secs : 1),
		 f->failed_calls - f->transient, f->transient);
	for (int op = 0; op < NUM_OPS; op++)
		igt_info("  %-12s %8" PRIu64 " ops %8.3f s\n", op_names[op],
			 f->op_count[op], f->op_ns[op] / 1e9);
}

static void test_ioctls(void)
{
	struct fuzz *f = calloc(1, sizeof(*f));
	struct vtgpu_usage base;
	struct timespec start = {};
	int fd = drm_open_driver_render(DRIVER_VTGPU);
	int dir = vtgpu_debugfs_dir(fd);
	double secs;

	close(fd);
	base = vtgpu_debugfs_usage(dir);
	igt_info("baseline: VRAM %" PRIu64 " KiB, GTT %" PRIu64 " pages, %" PRIu64 " BOs\n",
		 base.vram_kib, base.gtt_pages, base.bos);

	igt_nsec_elapsed(&start);
	fuzz_init(f, opt_seed, false);
	fuzz_loop(f, opt_calls);
	fuzz_fini(f);
	secs = igt_nsec_elapsed(&start) / 1e9;
	print_stats(f, secs);

	vtgpu_assert_usage_back(dir, &base);
	close(dir);
	free(f);
}

/* The hash of a run's calls and results, without signals. */
static uint64_t replay_hash(uint64_t seed, uint64_t calls)
{
	struct fuzz *f = calloc(1, sizeof(*f));
	uint64_t hash;

	fuzz_init(f, seed, true);
	fuzz_loop(f, calls);
	hash = f->hash;
	fuzz_fini(f);
	free(f);
	return hash;
}

static void test_seed_replay(void)
{
	const uint64_t calls = 1500;
	uint64_t a = replay_hash(opt_seed, calls);
	uint64_t b = replay_hash(opt_seed, calls);
	uint64_t c = replay_hash(opt_seed + 1, calls);

	igt_info("seed %" PRIu64 ": hash %#" PRIx64 " twice %#" PRIx64 ", seed + 1: %#" PRIx64 "\n",
		 opt_seed, a, b, c);
	igt_assert_eq_u64(a, b);
	/* The hash says something: another seed gives another. */
	igt_assert_neq_u64(a, c);
}

static int opt_handler(int opt, int opt_index, void *data)
{
	char *end;

	switch (opt) {
	case 's':
		opt_seed = strtoull(optarg, &end, 0);
		opt_seed_set = true;
		break;
	case 'n':
		opt_calls = strtoull(optarg, &end, 0);
		opt_calls_set = true;
		break;
	default:
		return IGT_OPT_HANDLER_ERROR;
	}
	return *end ? IGT_OPT_HANDLER_ERROR : IGT_OPT_HANDLER_SUCCESS;
}

static const struct option long_opts[] = {
	{ "seed", required_argument, NULL, 's' },
	{ "calls", required_argument, NULL, 'n' },
	{ NULL, 0, NULL, 0 },
};

static const char help_str[] =
	"  --seed=N\tThe random seed (default: from the time); replays a run\n"
	"  --calls=N\tCalls the ioctls subtest makes (default 5000)\n"
	"The environment's VTGPU_FUZZ_SEED and VTGPU_FUZZ_CALLS stand for\n"
	"options not given.\n";

/* An option not given on the command line, from the environment. */
static void option_from_env(const char *name, uint64_t *value, bool *set)
{
	const char *env = getenv(name);
	char *end;

	if (*set || !env)
		return;
	*value = strtoull(env, &end, 0);
	igt_assert_f(*env && !*end, "%s=%s is not a number\n", name, env);
	*set = true;
}

igt_main_args(NULL, long_opts, help_str, opt_handler, NULL)
{
	igt_fixture {
		struct sigaction sa = { .sa_handler = on_alarm };
		int fd = drm_open_driver_render(DRIVER_VTGPU);

		close(fd);
		option_from_env("VTGPU_FUZZ_SEED", &opt_seed, &opt_seed_set);
		option_from_env("VTGPU_FUZZ_CALLS", &opt_calls, &opt_calls_set);
		if (!opt_seed_set)
			opt_seed = (uint64_t)time(NULL) * 1000003u ^ getpid();
		igt_info("Seed: %" PRIu64 " (replay with --seed=%" PRIu64 " or VTGPU_FUZZ_SEED), calls: %" PRIu64 "\n",
			 opt_seed, opt_seed, opt_calls);
		/* No SA_RESTART: interrupted ioctls return -EINTR. */
		igt_assert_eq(sigaction(SIGALRM, &sa, NULL), 0);
	}

	igt_describe("Make random calls over every ioctl of the render node "
		     "with valid and invalid handles, sizes, flags, offsets, "
		     "pointers and fences, among mmap/munmap, fork, reopened "
		     "files and signals; each call must give the result the "
		     "uapi documents, and once everything is closed VRAM and "
		     "GTT usage must be back at their baseline.");
	igt_subtest("ioctls")
		test_ioctls();

	igt_describe("Run the same seed twice and another once, without "
		     "signals: the same seed must make the same calls with the "
		     "same results, another seed others.");
	igt_subtest("seed-replay")
		test_seed_replay();
}
