/*-------------------------------------------------------------------------
 *
 * distance.c
 *	  Scalar reference kernels and the runtime CPU dispatch.
 *
 * The scalar kernels accumulate in double: products of two floats are exact
 * in double, so the reference is as accurate as float inputs allow and the
 * SIMD kernels are judged against it.  Dispatch happens once at load
 * (VecdbKernelsInit); the SQL setting vecdb.force_scalar swaps the table.
 *
 * Copyright (c) 2026, vecdb developers
 *
 * src/kernel/distance.c
 *
 *-------------------------------------------------------------------------
 */
#include <math.h>
#include <stddef.h>

#include "bit.h"
#include "int8.h"
#include "distance.h"
#include "halfvec.h"

static double
scalar_l2sq(const float *a, const float *b, int n)
{
	double		sum = 0.0;

	for (int i = 0; i < n; i++)
	{
		double		d = (double) a[i] - (double) b[i];

		sum += d * d;
	}
	return sum;
}

static double
scalar_dot(const float *a, const float *b, int n)
{
	double		sum = 0.0;

	for (int i = 0; i < n; i++)
		sum += (double) a[i] * (double) b[i];
	return sum;
}

static double
scalar_l1(const float *a, const float *b, int n)
{
	double		sum = 0.0;

	for (int i = 0; i < n; i++)
		sum += fabs((double) a[i] - (double) b[i]);
	return sum;
}

static void
scalar_cosine_parts(const float *a, const float *b, int n,
					double *dot, double *na, double *nb)
{
	double		d = 0.0,
				x = 0.0,
				y = 0.0;

	for (int i = 0; i < n; i++)
	{
		d += (double) a[i] * (double) b[i];
		x += (double) a[i] * (double) a[i];
		y += (double) b[i] * (double) b[i];
	}
	*dot = d;
	*na = x;
	*nb = y;
}

static double
scalar_l2sq_bounded(const float *a, const float *b, int n, double bound)
{
	double		sum = 0.0;

	for (int i = 0; i < n; i += VECDB_ABANDON_BLOCK)
	{
		int			end = n - i < VECDB_ABANDON_BLOCK ? n : i + VECDB_ABANDON_BLOCK;

		for (int j = i; j < end; j++)
		{
			double		d = (double) a[j] - (double) b[j];

			sum += d * d;
		}
		if (sum > bound)
			return sum;
	}
	return sum;
}

const VecdbKernelSet vecdb_kernels_scalar = {
	"scalar",
	scalar_l2sq,
	scalar_dot,
	scalar_l1,
	scalar_cosine_parts,
	scalar_l2sq_bounded
};

const VecdbKernelSet *vecdb_kernels = &vecdb_kernels_scalar;

/*
 * Best family for this CPU, most capable first.  AVX-512 and NEON slot in
 * here when they are written; each probe returns NULL when unsupported.
 */
const VecdbKernelSet *
VecdbKernelsBest(void)
{
	const VecdbKernelSet *k;

	if ((k = VecdbKernelsX86Avx512()) != NULL)
		return k;
	if ((k = VecdbKernelsX86Avx2()) != NULL)
		return k;
	return &vecdb_kernels_scalar;
}

void
VecdbKernelsInit(void)
{
	vecdb_kernels = VecdbKernelsBest();
	VecdbHalfKernelsInit();
	VecdbBitKernelsInit();
	VecdbU8KernelsInit();
}

void
VecdbKernelsForceScalar(int force)
{
	vecdb_kernels = force ? &vecdb_kernels_scalar : VecdbKernelsBest();
	VecdbHalfKernelsForceScalar(force);
	VecdbBitKernelsForceScalar(force);
	VecdbU8KernelsForceScalar(force);
}

int
VecdbKernelsAvailable(const VecdbKernelSet **sets, int maxsets)
{
	const VecdbKernelSet *cand[3];
	int			n = 0;

	cand[0] = &vecdb_kernels_scalar;
	cand[1] = VecdbKernelsX86Avx2();
	cand[2] = VecdbKernelsX86Avx512();
	for (int i = 0; i < 3 && n < maxsets; i++)
		if (cand[i] != NULL)
			sets[n++] = cand[i];
	return n;
}
