// SPDX-License-Identifier: MIT
/*
 * Copyright 2026 The vtgpu authors
 *
 * host-memcpy: the host's memcpy() bandwidth, the ceiling for the vtgpu
 * engine's copies under TCG (QEMU runs them as memcpy() on the host).
 * Copies 64 MiB, the size P2 moves, five times; prints the median in
 * bytes per second as one JSON line.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SIZE (64u << 20)
#define REPS 5

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(void)
{
	char *src = malloc(SIZE), *dst = malloc(SIZE);
	double bw[REPS];

	if (!src || !dst)
		return 1;
	memset(src, 1, SIZE);
	memset(dst, 2, SIZE);
	for (int i = 0; i < REPS; i++) {
		double t0 = now();

		memcpy(dst, src, SIZE);
		bw[i] = SIZE / (now() - t0);
		src[i] = dst[SIZE - 1 - i];
	}
	qsort(bw, REPS, sizeof(*bw), cmp);
	printf("{\"bench\": \"host\", \"case\": \"memcpy\", \"unit\": \"bytes/s\", "
	       "\"value\": %.6g}\n", bw[REPS / 2]);
	return 0;
}
