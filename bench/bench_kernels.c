/*-------------------------------------------------------------------------
 *
 * bench_kernels.c
 *	  Micro-benchmark: each kernel family versus the scalar reference.
 *
 * For each metric, times calls over a pool of vectors (L2-resident) and
 * reports the median over RUNS runs of ns per call and the speedup against
 * the scalar kernels.  Then the same for the bit kernels' Hamming distance
 * over bit strings of BIT_BENCH_BITS bits (1,536: a binary-quantized
 * 1,536-d embedding).  Usage: bench_kernels [dim] [runs]; default 768, 9.
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

/* Hamming distance over a pool of bit strings: ns per call */
static double
time_hamming(const VecdbBitKernelSet *k, uint8_t **pool, size_t nbytes, long calls)
{
	double		t0 = now_ns();
	uint64_t	acc = 0;

	for (long c = 0; c < calls; c++)
		acc += k->hamming(pool[c % POOL], pool[(c * 7 + 3) % POOL], nbytes);
	sink = (double) acc;
	return (now_ns() - t0) / calls;
}

/* the Hamming table: each bit family, median of runs, against scalar */
static void
bench_hamming(int runs)
{
	const VecdbBitKernelSet *sets[8];
	int			nsets = VecdbBitKernelsAvailable(sets, 8);
	size_t		nbytes = BIT_BENCH_BITS / 8;
	uint8_t    *pool[POOL];
	double		scalar_ns = 0;

	for (int i = 0; i < POOL; i++)
	{
		pool[i] = malloc(nbytes);
		for (size_t j = 0; j < nbytes; j++)
			pool[i][j] = (uint8_t) rand();
	}
	printf("\nbits=%d, Hamming, median of %d runs, ns per call (speedup vs scalar)\n",
		   BIT_BENCH_BITS, runs);
	for (int k = 0; k < nsets; k++)
	{
		double		t[MAXRUNS];
		/* about 20 ms per run for the scalar kernel */
		long		calls = 200000L * (k == 0 ? 1 : 10);
		double		med;

		time_hamming(sets[k], pool, nbytes, calls / 10);	/* warm up */
		for (int r = 0; r < runs; r++)
			t[r] = time_hamming(sets[k], pool, nbytes, calls);
		qsort(t, runs, sizeof(double), cmp_double);
		med = t[runs / 2];
		if (k == 0)
			scalar_ns = med;
		printf("%-18s %9.1f (%5.1fx)\n", sets[k]->name, med, scalar_ns / med);
	}
	for (int i = 0; i < POOL; i++)
		free(pool[i]);
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
	bench_hamming(runs);
	return 0;
}
