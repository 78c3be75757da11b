/*
 * bench.h — what the C benchmarks share: a monotonic clock in
 * microseconds and sorting measured times, for their percentiles.
 */
#ifndef HOTLINE_BENCH_H
#define HOTLINE_BENCH_H

#include <stdlib.h>
#include <time.h>

static inline double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static inline int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Sorts v (n of them) in place; the caller reads its percentiles. */
static inline void sort_d(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_d);
}

#endif
