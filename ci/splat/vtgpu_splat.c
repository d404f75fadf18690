// SPDX-License-Identifier: GPL-2.0-only
/*
 * vtgpu_splat: provokes the kernel reports the run's judge must catch.
 * Loaded only by the ci scripts' own tests (ci/test-ci.sh), never by a
 * normal run: mode=warn fires a WARN, mode=lockdep takes two mutexes in
 * both orders so that lockdep reports a circular dependency (one thread,
 * so nothing actually deadlocks).
 */

#include <linux/bug.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/string.h>

static char *mode = "warn";
module_param(mode, charp, 0444);
MODULE_PARM_DESC(mode, "warn or lockdep");

static DEFINE_MUTEX(splat_a);
static DEFINE_MUTEX(splat_b);

static int __init vtgpu_splat_init(void)
{
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
MODULE_DESCRIPTION("Provokes a WARN or a lockdep report for the ci gate test");
MODULE_LICENSE("GPL");
