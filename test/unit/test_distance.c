/*-------------------------------------------------------------------------
 *
 * test_distance.c
 *	  Server-free differential test of every distance kernel.
 *
 * Every kernel family this CPU supports is compared with a long-double
 * reference for every dimension 1..2048 (4 random pairs each), at start
 * offsets 0..7 floats for each operand (unaligned loads, every tail length),
 * plus fewer dimensions for large, denormal and non-negative values.
 * Two bounds are checked:
 *   - each kernel against the reference, relative to the condition of the
 *     sum (sum of |terms|), within 1e-5;
 *   - the SIMD kernels against the forced-scalar path, the same way, within
 *     1e-6 (the bound for "the two paths agree").
 * Prints "N passed, M failed" and exits non-zero on any failure.
 *
 * Copyright (c) 2026, vecdb developers
 *
 * test/unit/test_distance.c
 *
 *-------------------------------------------------------------------------
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/distance.h"

#define MAXDIM 2048
#define PAD 8

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;

static uint64_t
rng_next(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* uniform in [-1, 1) */
static double
rng_unit(void)
{
	return (double) (rng_next() >> 11) / 4503599627370496.0 - 1.0;
}

/* approximately normal(0, 1): sum of 4 uniforms, scaled */
static float
rng_gauss(void)
{
	return (float) ((rng_unit() + rng_unit() + rng_unit() + rng_unit()) * 0.866);
}

typedef enum
{
	DIST_GAUSS,					/* N(0,1)-ish */
	DIST_BIG,					/* magnitudes near 1e18 */
	DIST_TINY,					/* denormals and tiny values */
	DIST_POSITIVE,				/* [0, 1): e.g. pixel data */
	NDIST
} Dist;

static const char *dist_names[NDIST] = {"gauss", "big", "tiny", "positive"};

static float
draw(Dist d)
{
	switch (d)
	{
		case DIST_GAUSS:
			return rng_gauss();
		case DIST_BIG:
			return (float) (rng_unit() * 1e18);
		case DIST_TINY:
			return (float) (rng_unit() * 1e-39);
		default:
			return (float) ((rng_unit() + 1.0) / 2.0);
	}
}

typedef struct Ref
{
	long double l2sq,
				l2sq_cond,
				dot,
				dot_cond,
				l1,
				na,
				nb;
} Ref;

static void
reference(const float *a, const float *b, int n, Ref *r)
{
	memset(r, 0, sizeof(*r));
	for (int i = 0; i < n; i++)
	{
		long double x = a[i],
					y = b[i],
					d = x - y;

		r->l2sq += d * d;
		r->dot += x * y;
		r->dot_cond += fabsl(x * y);
		r->l1 += fabsl(d);
		r->na += x * x;
		r->nb += y * y;
	}
	r->l2sq_cond = r->l2sq;
}

static int	n_pass = 0,
			n_fail = 0,
			n_fail_reported = 0;

/*
 * Absolute slack for float32 kernels: a product below the smallest float
 * denormal (about 1.4e-45) rounds to zero in float32 arithmetic, so inputs
 * around 1e-39 (DIST_TINY) can only be compared in absolute terms.  The
 * scalar reference works in double and needs none.
 */
static double abs_slack = 0;

static void
check(const char *kernel, const char *metric, const char *dist, int dim, int off,
	  double got, long double want, long double cond, double tol)
{
	long double err = fabsl((long double) got - want);
	long double bound = tol * cond + abs_slack * dim;

	/* a zero condition means an exact zero is expected */
	if (err <= bound || (cond == 0 && got == 0))
		n_pass++;
	else
	{
		n_fail++;
		if (n_fail_reported++ < 20)
			printf("FAIL %s %s dist=%s dim=%d off=%d got=%.17g want=%.17Lg (err %.3Lg > %.3Lg)\n",
				   kernel, metric, dist, dim, off, got, want, err, bound);
	}
}

/* cosine distance from parts, as the SQL function computes it */
static double
cosine_from(double dot, double na, double nb)
{
	double		s = dot / sqrt(na * nb);

	if (isnan(s))
		return s;
	if (s > 1)
		s = 1;
	if (s < -1)
		s = -1;
	return 1 - s;
}

int
main(void)
{
	const VecdbKernelSet *sets[8];
	int			nsets = VecdbKernelsAvailable(sets, 8);
	float	   *abuf = aligned_alloc(64, sizeof(float) * (MAXDIM + PAD) + 64);
	float	   *bbuf = aligned_alloc(64, sizeof(float) * (MAXDIM + PAD) + 64);

	VecdbKernelsInit();
	printf("kernel families:");
	for (int k = 0; k < nsets; k++)
		printf(" %s", sets[k]->name);
	printf(" (in use: %s)\n", vecdb_kernels->name);

	/* forcing works both ways */
	VecdbKernelsForceScalar(1);
	if (vecdb_kernels != &vecdb_kernels_scalar)
		n_fail++, printf("FAIL force scalar did not select scalar\n");
	else
		n_pass++;
	VecdbKernelsForceScalar(0);
	if (vecdb_kernels != VecdbKernelsBest())
		n_fail++, printf("FAIL unforcing did not restore the best kernels\n");
	else
		n_pass++;

	for (int dist = 0; dist < NDIST; dist++)
	{
		for (int iter = 0; iter < 4 * MAXDIM; iter++)
		{
			int			dim = iter / 4 + 1;
			int			rep = iter % 4;
			/* every start offset of a and b, spread over dims and repeats */
			int			off = (dim + rep) % PAD;
			int			boff = (dim / PAD + 3 * rep) % PAD;
			float	   *a = abuf + off;
			float	   *b = bbuf + boff;
			Ref			r;
			double		s_l2,
						s_dot,
						s_l1,
						s_cd,
						s_cna,
						s_cnb;

			/* fewer distinct dims for the slow distributions past 256 */
			if (dist != DIST_GAUSS && (rep > 0 || (dim > 256 && dim % 61 != 0 && dim != MAXDIM)))
				continue;

			for (int i = 0; i < dim; i++)
			{
				a[i] = draw(dist);
				b[i] = draw(dist);
			}
			/* poison the floats after the end: kernels must not read them */
			a[dim] = b[dim] = NAN;
			reference(a, b, dim, &r);

			for (int k = 0; k < nsets; k++)
			{
				const VecdbKernelSet *ks = sets[k];
				double		l2 = ks->l2sq(a, b, dim);
				double		dot = ks->dot(a, b, dim);
				double		l1 = ks->l1(a, b, dim);
				double		cd,
							cna,
							cnb;
				/* DIST_BIG squares overflow float32: SIMD accumulates floats */
				int			overflows = dist == DIST_BIG && k > 0;

				ks->cosine_parts(a, b, dim, &cd, &cna, &cnb);
				abs_slack = (k > 0 && dist == DIST_TINY) ? 2.9e-45 : 0;
				if (!overflows)
				{
					check(ks->name, "l2sq", dist_names[dist], dim, off, l2, r.l2sq, r.l2sq_cond, 1e-5);
					check(ks->name, "dot", dist_names[dist], dim, off, dot, r.dot, r.dot_cond, 1e-5);
					check(ks->name, "cos.dot", dist_names[dist], dim, off, cd, r.dot, r.dot_cond, 1e-5);
					check(ks->name, "cos.na", dist_names[dist], dim, off, cna, r.na, r.na, 1e-5);
					check(ks->name, "cos.nb", dist_names[dist], dim, off, cnb, r.nb, r.nb, 1e-5);
				}
				check(ks->name, "l1", dist_names[dist], dim, off, l1, r.l1, r.l1, 1e-5);
				if (dist != DIST_TINY && !overflows)
				{
					long double want = 1.0L - r.dot / sqrtl(r.na * r.nb);

					check(ks->name, "cosine", dist_names[dist], dim, off,
						  cosine_from(cd, cna, cnb), want, 1.0L, 1e-6);
				}

				/* early abandoning: exact under the bound, above it otherwise */
				if (!overflows && dist != DIST_TINY)
				{
					for (int bi = 0; bi < 3; bi++)
					{
						double		bound = (double) r.l2sq * (bi == 0 ? 0.5 : bi == 1 ? 0.999999 : 2.0);
						double		got = ks->l2sq_bounded(a, b, dim, bound);

						if (got <= bound)
							check(ks->name, "l2sq_bounded", dist_names[dist], dim, off,
								  got, r.l2sq, r.l2sq_cond, 1e-5);
						else if ((long double) bound < r.l2sq * (1 + 1e-5L))
							n_pass++;	/* abandoned, and rightly so */
						else
						{
							n_fail++;
							printf("FAIL %s l2sq_bounded abandoned below bound: dim=%d got=%g bound=%g exact=%Lg\n",
								   ks->name, dim, got, bound, r.l2sq);
						}
					}
				}

				if (k == 0)
				{
					s_l2 = l2;
					s_dot = dot;
					s_l1 = l1;
					s_cd = cd;
					s_cna = cna;
					s_cnb = cnb;
				}
				else if (!overflows)
				{
					/* SIMD versus forced scalar: the 1e-6 agreement bound */
					check(ks->name, "l2sq~scalar", dist_names[dist], dim, off, l2, s_l2, s_l2, 1e-6);
					check(ks->name, "dot~scalar", dist_names[dist], dim, off, dot, s_dot, r.dot_cond, 1e-6);
					check(ks->name, "l1~scalar", dist_names[dist], dim, off, l1, s_l1, s_l1, 1e-6);
					if (dist != DIST_TINY)
						check(ks->name, "cos~scalar", dist_names[dist], dim, off,
							  cosine_from(cd, cna, cnb), cosine_from(s_cd, s_cna, s_cnb), 1.0L, 1e-6);
				}
			}
		}
	}

	/* zero vectors: cosine is NaN, other metrics exact */
	{
		float		z[5] = {0, 0, 0, 0, 0};
		float		o[5] = {1, 2, 3, 4, 5};

		for (int k = 0; k < nsets; k++)
		{
			double		d,
						x,
						y;

			sets[k]->cosine_parts(z, o, 5, &d, &x, &y);
			if (isnan(cosine_from(d, x, y)) && sets[k]->l2sq(z, o, 5) == 55 &&
				sets[k]->l1(z, o, 5) == 15 && sets[k]->dot(z, o, 5) == 0)
				n_pass++;
			else
				n_fail++, printf("FAIL %s zero-vector cases\n", sets[k]->name);
		}
	}

	free(abuf);
	free(bbuf);
	printf("%d passed, %d failed\n", n_pass, n_fail);
	return n_fail == 0 ? 0 : 1;
}
