/*-------------------------------------------------------------------------
 *
 * distance.h
 *	  Distance kernel API: scalar reference, SIMD kernels, runtime dispatch.
 *
 * This header and distance.c / distance_x86.c are plain C (no backend
 * calls), so the unit test and the micro-benchmark link them without a
 * server.  Every kernel takes two float arrays of n >= 0 elements, with no
 * alignment requirement, and returns its sum as a double.
 *
 * Copyright (c) 2026, vecdb developers
 *
 * src/kernel/distance.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef VECDB_DISTANCE_H
#define VECDB_DISTANCE_H

/* One family of kernels, e.g. the scalar reference or AVX2+FMA. */
typedef struct VecdbKernelSet
{
	const char *name;			/* "scalar", "avx2_fma", ... */
	/* sum of (a[i] - b[i])^2 */
	double		(*l2sq) (const float *a, const float *b, int n);
	/* sum of a[i] * b[i] */
	double		(*dot) (const float *a, const float *b, int n);
	/* sum of |a[i] - b[i]| */
	double		(*l1) (const float *a, const float *b, int n);
	/* dot product and both squared norms, in one pass */
	void		(*cosine_parts) (const float *a, const float *b, int n,
								 double *dot, double *na, double *nb);

	/*
	 * l2sq with early abandoning: the sum (to the precision of l2sq) when it
	 * is at most bound; otherwise some partial sum greater than bound,
	 * computed without reading the rest of the vectors.
	 */
	double		(*l2sq_bounded) (const float *a, const float *b, int n, double bound);
} VecdbKernelSet;

/* floats summed between checks of the bound */
#define VECDB_ABANDON_BLOCK 128

/*
 * The kernels in use.  Set by VecdbKernelsInit() and VecdbKernelsForceScalar();
 * never NULL after VecdbKernelsInit().
 */
extern const VecdbKernelSet *vecdb_kernels;

/* The portable reference: accumulates in double, any CPU. */
extern const VecdbKernelSet vecdb_kernels_scalar;

/*
 * Picks the best kernel family this CPU supports, for vector and (through
 * VecdbHalfKernelsInit, kernel/halfvec.h) for halfvec.  Idempotent.
 */
extern void VecdbKernelsInit(void);

/*
 * force = true selects the scalar reference; false restores the best.  The
 * halfvec family follows.
 */
extern void VecdbKernelsForceScalar(int force);

/* The best kernel family this CPU supports (ignores forcing). */
extern const VecdbKernelSet *VecdbKernelsBest(void);

/*
 * Every kernel family compiled in and supported by this CPU, scalar first.
 * Used by the unit test and the micro-benchmark.  Returns the count.
 */
extern int	VecdbKernelsAvailable(const VecdbKernelSet **sets, int maxsets);

/* Per-architecture entry points; NULL when not compiled in or unsupported. */
extern const VecdbKernelSet *VecdbKernelsX86Avx2(void);
extern const VecdbKernelSet *VecdbKernelsX86Avx512(void);

#endif							/* VECDB_DISTANCE_H */
