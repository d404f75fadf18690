// SPDX-License-Identifier: MIT
/*
 * vtgpu-info: print what a vtgpu device and its driver tell about
 * themselves: the device parameters (GETPARAM), memory by domain (fdinfo,
 * and the memory managers in debugfs), the driver's counters (debugfs) and
 * the module parameters. Built on libvtgpu.
 *
 * Copyright 2026 The vtgpu authors
 */

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "libvtgpu.h"

#define KEY_WIDTH	24

static const char usage[] =
	"Usage: vtgpu-info [OPTION]... [DEVICE]\n"
	"Print the parameters, memory use and counters of a vtgpu device.\n"
	"\n"
	"DEVICE is a DRM node of the vtgpu driver, such as /dev/dri/renderD128;\n"
	"the default is its first render node. The output has one section per\n"
	"source, each line a key and its value:\n"
	"\n"
	"  device parameters   DRM_IOCTL_VTGPU_GETPARAM\n"
	"  memory              this file's fdinfo (drm-total-* and the rest), and the VRAM\n"
	"                      and GTT managers (debugfs mm)\n"
	"  driver counters     debugfs stats (/sys/kernel/debug/dri/MINOR)\n"
	"  module parameters   /sys/module/vtgpu/parameters\n"
	"\n"
	"Sizes are in bytes, with MiB in parentheses. debugfs needs root; a\n"
	"section whose source is missing says so and the others are printed.\n"
	"\n"
	"Options:\n"
	"  -c, --clients   also list every process's vtgpu files and the\n"
	"                  memory of their BOs by domain (/proc/PID/fdinfo)\n"
	"  -h, --help      print this help and exit\n"
	"\n"
	"Exit status: 0, or 1 when no vtgpu device could be opened or queried.\n";

static void kv(const char *key, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void kv(const char *key, const char *fmt, ...)
{
	va_list ap;

	printf("  %-*s ", KEY_WIDTH, key);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static void size_kv(const char *key, uint64_t bytes)
{
	kv(key, "%" PRIu64 " (%" PRIu64 " MiB)", bytes, bytes >> 20);
}

static int print_params(struct vtgpu_device *dev)
{
	struct vtgpu_device_info info;
	int ret;

	ret = vtgpu_query_info(dev, &info);
	if (ret) {
		fprintf(stderr, "vtgpu-info: GETPARAM: %s\n", strerror(-ret));
		return ret;
	}

	printf("device parameters (GETPARAM):\n");
	size_kv("vram_size", info.vram_size);
	size_kv("visible_vram_size", info.visible_vram_size);
	size_kv("gart_size", info.gart_size);
	kv("max_submit_cmds", "%u", info.max_submit_cmds);
	kv("max_submit_syncs", "%u", info.max_submit_syncs);
	return 0;
}

/* Print the "drm-" lines of an fdinfo file; false if it has none. */
static bool print_fdinfo(const char *path)
{
	char line[256];
	bool any = false;
	FILE *f;

	f = fopen(path, "r");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		char *key = line, *value;

		if (strncmp(line, "drm-", 4))
			continue;
		value = strchr(line, ':');
		if (!value)
			continue;
		*value++ = '\0';
		while (isspace((unsigned char)*value))
			value++;
		value[strcspn(value, "\n")] = '\0';
		kv(key, "%s", value);
		any = true;
	}
	fclose(f);
	return any;
}

static void print_memory(int fd, unsigned int minor)
{
	char path[64], line[256];
	const char *section = "";
	FILE *f;

	printf("memory of this file by domain (fdinfo):\n");
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	if (!print_fdinfo(path))
		printf("  (no drm- keys in %s)\n", path);

	snprintf(path, sizeof(path), "/sys/kernel/debug/dri/%u/mm", minor);
	printf("memory managers (%s):\n", path);
	f = fopen(path, "r");
	if (!f) {
		printf("  (%s)\n", strerror(errno));
		return;
	}
	/*
	 * "VRAM:" "size: S KiB, used: U KiB" "visible: S KiB, used: U KiB"
	 * "GTT:" ... "  size: PAGES" "  usage: BYTES" ...
	 */
	while (fgets(line, sizeof(line), f)) {
		unsigned long long a, b;

		if (!strcmp(line, "VRAM:\n") || !strcmp(line, "GTT:\n")) {
			section = line[0] == 'V' ? "vram" : "gtt";
			continue;
		}
		if (!strcmp(section, "vram") &&
		    sscanf(line, "size: %llu KiB, used: %llu KiB", &a, &b) == 2) {
			size_kv("vram_total", a << 10);
			size_kv("vram_used", b << 10);
		} else if (!strcmp(section, "vram") &&
			   sscanf(line, "visible: %llu KiB, used: %llu KiB",
				  &a, &b) == 2) {
			size_kv("visible_vram_total", a << 10);
			size_kv("visible_vram_used", b << 10);
		} else if (!strcmp(section, "gtt") &&
			   sscanf(line, " size: %llu", &a) == 1) {
			size_kv("gtt_total", a * (uint64_t)getpagesize());
		} else if (!strcmp(section, "gtt") &&
			   sscanf(line, " usage: %llu", &a) == 1) {
			size_kv("gtt_used", a);
		}
	}
	fclose(f);
}

/* Print a "key: value" file, as the debugfs stats file is. */
static void print_keyvalues(const char *title, const char *path)
{
	char line[256];
	FILE *f;

	printf("%s (%s):\n", title, path);
	f = fopen(path, "r");
	if (!f) {
		printf("  (%s)\n", strerror(errno));
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		char *value = strchr(line, ':');

		if (!value)
			continue;
		*value++ = '\0';
		value += strspn(value, " \t");
		value[strcspn(value, "\n")] = '\0';
		kv(line, "%s", value);
	}
	fclose(f);
}

/* One line per file of a directory: its name and its one-line content. */
static void print_dir(const char *title, const char *dir)
{
	struct dirent **names;
	char path[PATH_MAX], value[128];
	int n, i;

	printf("%s (%s):\n", title, dir);
	n = scandir(dir, &names, NULL, alphasort);
	if (n < 0) {
		printf("  (%s)\n", strerror(errno));
		return;
	}
	for (i = 0; i < n; i++) {
		FILE *f;

		if (names[i]->d_name[0] == '.')
			goto next;
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		f = fopen(path, "r");
		if (!f)
			goto next;
		if (fgets(value, sizeof(value), f)) {
			value[strcspn(value, "\n")] = '\0';
			kv(names[i]->d_name, "%s", value);
		}
		fclose(f);
next:
		free(names[i]);
	}
	free(names);
}

/* Every vtgpu file of every process: /proc/PID/fdinfo/FD. */
static void print_clients(void)
{
	struct dirent *p, *d;
	DIR *proc, *fds;
	char path[600], line[256];

	printf("clients (/proc/PID/fdinfo):\n");
	proc = opendir("/proc");
	if (!proc) {
		printf("  (%s)\n", strerror(errno));
		return;
	}
	while ((p = readdir(proc))) {
		if (!isdigit((unsigned char)p->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/fdinfo", p->d_name);
		fds = opendir(path);
		if (!fds)
			continue;
		while ((d = readdir(fds))) {
			bool vtgpu = false;
			FILE *f;

			if (d->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "/proc/%s/fdinfo/%s",
				 p->d_name, d->d_name);
			f = fopen(path, "r");
			if (!f)
				continue;
			while (fgets(line, sizeof(line), f))
				if (!strcmp(line, "drm-driver:\tvtgpu\n"))
					vtgpu = true;
			fclose(f);
			if (!vtgpu)
				continue;
			printf("  pid %s fd %s:\n", p->d_name, d->d_name);
			print_fdinfo(path);
		}
		closedir(fds);
	}
	closedir(proc);
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "clients", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	struct vtgpu_device *dev;
	const char *path = NULL;
	bool clients = false;
	char dir[64], node[64];
	struct stat st;
	int opt, ret, fd;

	while ((opt = getopt_long(argc, argv, "ch", options, NULL)) != -1) {
		switch (opt) {
		case 'c':
			clients = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 1;
		}
	}
	if (optind < argc - 1) {
		fputs(usage, stderr);
		return 1;
	}
	if (optind == argc - 1)
		path = argv[optind];

	ret = vtgpu_device_open(path, &dev);
	if (ret) {
		fprintf(stderr, "vtgpu-info: %s: %s\n",
			path ?: "no vtgpu render node", strerror(-ret));
		return 1;
	}
	fd = vtgpu_device_fd(dev);
	if (fstat(fd, &st)) {
		perror("vtgpu-info: fstat");
		vtgpu_device_destroy(dev);
		return 1;
	}

	snprintf(dir, sizeof(dir), "/proc/self/fd/%d", fd);
	ret = readlink(dir, node, sizeof(node) - 1);
	node[ret > 0 ? ret : 0] = '\0';
	printf("device: %s (minor %u)\n", node, minor(st.st_rdev));
	ret = print_params(dev);
	if (ret) {
		vtgpu_device_destroy(dev);
		return 1;
	}
	print_memory(fd, minor(st.st_rdev));
	snprintf(dir, sizeof(dir), "/sys/kernel/debug/dri/%u/stats",
		 minor(st.st_rdev));
	print_keyvalues("driver counters", dir);
	print_dir("module parameters", "/sys/module/vtgpu/parameters");
	if (clients)
		print_clients();

	vtgpu_device_destroy(dev);
	return 0;
}
