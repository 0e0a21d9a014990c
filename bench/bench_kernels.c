/*-------------------------------------------------------------------------
 *
 * bench_kernels.c
 *	  Micro-benchmark: each kernel family versus the scalar reference.
 *
 * For each metric, times calls over a pool of vectors (L2-resident) and
 * reports the median over RUNS runs of ns per call and the speedup against
 * the scalar kernels.  Then the same for the half kernels' squared L2 over
 * halfvec elements of the same dimension, and for the bit kernels' Hamming
 * distance over bit strings of BIT_BENCH_BITS bits (1,536: a
 * binary-quantized 1,536-d embedding).  Usage: bench_kernels [dim] [runs];
 * default 768, 9.
 *
 * Copyright (c) 2026, vecdb developers
 *
 * bench/bench_kernels.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "kernel/bit.h"
#include "kernel/distance.h"
#include "kernel/halfvec.h"

#define POOL 64
#define MAXRUNS 51
#define BIT_BENCH_BITS 1536

static volatile double sink;

static double
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int
cmp_double(const void *a, const void *b)
{
	double		x = *(const double *) a,
				y = *(const double *) b;

	return (x > y) - (x < y);
}

/* metric 0..3: l2sq, dot, cosine parts, l1 */
static double
time_metric(const VecdbKernelSet *k, int metric, float **pool, int dim, long calls)
{
	double		t0 = now_ns(),
				acc = 0;

	for (long c = 0; c < calls; c++)
	{
		const float *a = pool[c % POOL];
		const float *b = pool[(c * 7 + 3) % POOL];
		double		d,
					x,
					y;

		switch (metric)
		{
			case 0:
				acc += k->l2sq(a, b, dim);
				break;
			case 1:
				acc += k->dot(a, b, dim);
				break;
			case 2:
				k->cosine_parts(a, b, dim, &d, &x, &y);
				acc += d + x + y;
				break;
			default:
				acc += k->l1(a, b, dim);
				break;
		}
	}
	sink = acc;
	return (now_ns() - t0) / calls;
}

/* times calls of one kernel family's operation: ns per call */
typedef double (*TimeFn) (const void *kernels, void **pool, size_t n, long calls);

static double
time_hamming(const void *k, void **pool, size_t nbytes, long calls)
{
	double		t0 = now_ns();
	uint64_t	acc = 0;

	for (long c = 0; c < calls; c++)
		acc += ((const VecdbBitKernelSet *) k)->hamming(pool[c % POOL],
														pool[(c * 7 + 3) % POOL], nbytes);
	sink = (double) acc;
	return (now_ns() - t0) / calls;
}

static double
time_half_l2(const void *k, void **pool, size_t dim, long calls)
{
	double		t0 = now_ns(),
				acc = 0;

	for (long c = 0; c < calls; c++)
		acc += ((const VecdbHalfKernelSet *) k)->l2sq(pool[c % POOL],
													  pool[(c * 7 + 3) % POOL], (int) dim);
	sink = acc;
	return (now_ns() - t0) / calls;
}

/*
 * One table row per family: the median of runs of fn over a pool of
 * POOL random inputs of bytes bytes (n elements), against the first
 * (scalar) family.  calls: per run for the scalar family, 10x for others.
 * fill writes one random input.
 */
static void
bench_families(const char *title, const void **sets, const char **names, int nsets,
			   TimeFn fn, size_t bytes, size_t n, long calls, int runs,
			   void (*fill) (void *p, size_t n))
{
	void	   *pool[POOL];
	double		scalar_ns = 0;

	for (int i = 0; i < POOL; i++)
	{
		pool[i] = malloc(bytes);
		fill(pool[i], n);
	}
	printf("\n%s, median of %d runs, ns per call (speedup vs scalar)\n", title, runs);
	for (int k = 0; k < nsets; k++)
	{
		double		t[MAXRUNS];
		long		c = calls * (k == 0 ? 1 : 10);
		double		med;

		fn(sets[k], pool, n, c / 10);	/* warm up */
		for (int r = 0; r < runs; r++)
			t[r] = fn(sets[k], pool, n, c);
		qsort(t, runs, sizeof(double), cmp_double);
		med = t[runs / 2];
		if (k == 0)
			scalar_ns = med;
		printf("%-18s %9.1f (%5.1fx)\n", names[k], med, scalar_ns / med);
	}
	for (int i = 0; i < POOL; i++)
		free(pool[i]);
}

/* n halves of uniform random values in [-0.5, 0.5], as embeddings have */
static void
fill_halves(void *p, size_t n)
{
	for (size_t j = 0; j < n; j++)
		((uint16_t *) p)[j] = VecdbFloatToHalf((float) rand() / RAND_MAX - 0.5f);
}

/* n random bytes */
static void
fill_bytes(void *p, size_t n)
{
	for (size_t j = 0; j < n; j++)
		((uint8_t *) p)[j] = (uint8_t) rand();
}

static void
bench_half(int dim, int runs)
{
	const VecdbHalfKernelSet *sets[8];
	const char *names[8];
	int			nsets = VecdbHalfKernelsAvailable(sets, 8);
	char		title[64];

	for (int k = 0; k < nsets; k++)
		names[k] = sets[k]->name;
	snprintf(title, sizeof(title), "halfvec dim=%d, L2", dim);
	bench_families(title, (const void **) sets, names, nsets, time_half_l2,
				   sizeof(uint16_t) * (size_t) dim, (size_t) dim,
				   (long) (2e7 / dim), runs, fill_halves);
}

static void
bench_hamming(int runs)
{
	const VecdbBitKernelSet *sets[8];
	const char *names[8];
	int			nsets = VecdbBitKernelsAvailable(sets, 8);
	char		title[64];

	for (int k = 0; k < nsets; k++)
		names[k] = sets[k]->name;
	snprintf(title, sizeof(title), "bits=%d, Hamming", BIT_BENCH_BITS);
	/* about 20 ms per run for the scalar kernel */
	bench_families(title, (const void **) sets, names, nsets, time_hamming,
				   BIT_BENCH_BITS / 8, BIT_BENCH_BITS / 8, 200000L, runs, fill_bytes);
}

int
main(int argc, char **argv)
{
	int			dim = argc > 1 ? atoi(argv[1]) : 768;
	int			runs = argc > 2 ? atoi(argv[2]) : 9;
	const char *metrics[4] = {"L2", "IP", "cosine", "L1"};
	const VecdbKernelSet *sets[8];
	int			nsets = VecdbKernelsAvailable(sets, 8);
	float	   *pool[POOL];
	double		scalar_ns[4];

	if (dim < 1 || runs < 1 || runs > MAXRUNS)
	{
		fprintf(stderr, "usage: bench_kernels [dim] [runs<=%d]\n", MAXRUNS);
		return 2;
	}
	srand(42);
	for (int i = 0; i < POOL; i++)
	{
		pool[i] = malloc(sizeof(float) * dim);
		for (int j = 0; j < dim; j++)
			pool[i][j] = (float) rand() / RAND_MAX - 0.5f;
	}

	printf("dim=%d, median of %d runs, ns per call (speedup vs scalar)\n", dim, runs);
	printf("%-10s", "kernels");
	for (int m = 0; m < 4; m++)
		printf(" %18s", metrics[m]);
	printf("\n");

	for (int k = 0; k < nsets; k++)
	{
		printf("%-10s", sets[k]->name);
		for (int m = 0; m < 4; m++)
		{
			double		t[MAXRUNS];
			/* about 20 ms per run for the scalar kernels at 768-d */
			long		calls = (long) (2e7 / dim) * (k == 0 ? 1 : 10);
			double		med;

			time_metric(sets[k], m, pool, dim, calls / 10);	/* warm up */
			for (int r = 0; r < runs; r++)
				t[r] = time_metric(sets[k], m, pool, dim, calls);
			qsort(t, runs, sizeof(double), cmp_double);
			med = t[runs / 2];
			if (k == 0)
				scalar_ns[m] = med;
			printf(" %9.1f (%5.1fx)", med, scalar_ns[m] / med);
		}
		printf("\n");
	}
	for (int i = 0; i < POOL; i++)
		free(pool[i]);
	bench_half(dim, runs);
	bench_hamming(runs);
	return 0;
}
