// SPDX-License-Identifier: GPL-2.0-only
/*
 * vtgpu_splat: provokes the kernel reports the run's judge must catch.
 * Loaded only by the ci scripts' own test (ci/test-gate.sh), never by a
 * normal run: mode=warn fires a WARN, mode=lockdep takes two mutexes in
 * both orders so that lockdep reports a circular dependency (one thread,
 * so nothing actually deadlocks). On the soak kernel, mode=kasan reads one
 * byte past a kmalloc()ed buffer and mode=leak drops its only pointers to
 * eight, for KASAN and kmemleak to report.
 */

#include <linux/bug.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>

static char *mode = "warn";
module_param(mode, charp, 0444);
MODULE_PARM_DESC(mode, "warn, lockdep, kasan or leak");

static DEFINE_MUTEX(splat_a);
static DEFINE_MUTEX(splat_b);

static int __init vtgpu_splat_init(void)
{
	size_t size = 123;
	char *p;

	if (!strcmp(mode, "warn")) {
		WARN(1, "vtgpu_splat: deliberate warning\n");
	} else if (!strcmp(mode, "lockdep")) {
		mutex_lock(&splat_a);
		mutex_lock(&splat_b);
		mutex_unlock(&splat_b);
		mutex_unlock(&splat_a);

		mutex_lock(&splat_b);
		mutex_lock(&splat_a);
		mutex_unlock(&splat_a);
		mutex_unlock(&splat_b);
	} else if (!strcmp(mode, "kasan")) {
		p = kmalloc(size, GFP_KERNEL);
		if (!p)
			return -ENOMEM;
		/* Keep the compiler from seeing the overflow coming. */
		OPTIMIZER_HIDE_VAR(p);
		pr_info("vtgpu_splat: past the end: %d\n", READ_ONCE(p[size]));
		kfree(p);
	} else if (!strcmp(mode, "leak")) {
		/*
		 * Eight: a stale copy of the last pointer, on a stack that the
		 * kernel keeps cached for the next task, can hide that one.
		 */
		for (int i = 0; i < 8; i++) {
			p = kmalloc(size, GFP_KERNEL);
			if (!p)
				return -ENOMEM;
			strscpy(p, "vtgpu_splat: deliberate leak", size);
		}
	} else {
		return -EINVAL;
	}
	return 0;
}

static void __exit vtgpu_splat_exit(void)
{
}

module_init(vtgpu_splat_init);
module_exit(vtgpu_splat_exit);
MODULE_DESCRIPTION("Provokes a kernel report for the ci gate test");
MODULE_LICENSE("GPL");
