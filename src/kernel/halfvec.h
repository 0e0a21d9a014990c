/*-------------------------------------------------------------------------
 *
 * halfvec.h
 *	  Half-precision kernels: conversions, scalar reference, SIMD kernels,
 *	  runtime dispatch.
 *
 * Elements are IEEE 754 binary16 values kept as uint16 bit patterns (the
 * halfvec type's storage).  Like distance.h, this header and halfvec.c /
 * halfvec_x86.c are plain C with no backend calls, so the unit test links
 * them without a server.  Every kernel takes two arrays of n >= 0 halves,
 * with no alignment requirement, widens each element to float (exact) and
 * returns its sum as a double.
 *
 * Copyright (c) 2026, vecdb developers
 *
 * src/kernel/halfvec.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef VECDB_KERNEL_HALFVEC_H
#define VECDB_KERNEL_HALFVEC_H

#include <stdint.h>

/* the largest finite half */
#define VECDB_HALF_MAX 65504.0f

/*
 * Finite floats whose magnitude is at least this round to an infinite half
 * (it is halfway between 65504 and 65536, and ties go to the even 65536).
 */
#define VECDB_HALF_OVERFLOW 65520.0f

/* One family of half kernels, e.g. the scalar reference or F16C+FMA. */
typedef struct VecdbHalfKernelSet
{
	const char *name;			/* "scalar", "f16c_fma", ... */
	/* sum of (a[i] - b[i])^2 */
	double		(*l2sq) (const uint16_t *a, const uint16_t *b, int n);
	/* sum of a[i] * b[i] */
	double		(*dot) (const uint16_t *a, const uint16_t *b, int n);
	/* sum of |a[i] - b[i]| */
	double		(*l1) (const uint16_t *a, const uint16_t *b, int n);
	/* dot product and both squared norms, in one pass */
	void		(*cosine_parts) (const uint16_t *a, const uint16_t *b, int n,
								 double *dot, double *na, double *nb);
} VecdbHalfKernelSet;

/*
 * The half kernels in use.  Set by VecdbHalfKernelsInit() and
 * VecdbHalfKernelsForceScalar() (both called by their float counterparts in
 * distance.c); never NULL.
 */
extern const VecdbHalfKernelSet *vecdb_half_kernels;

/* The portable reference: accumulates in double, any CPU. */
extern const VecdbHalfKernelSet vecdb_half_kernels_scalar;

/* Picks the best half family this CPU supports.  Idempotent. */
extern void VecdbHalfKernelsInit(void);

/* force = true selects the scalar reference; false restores the best. */
extern void VecdbHalfKernelsForceScalar(int force);

/* The best half family this CPU supports (ignores forcing). */
extern const VecdbHalfKernelSet *VecdbHalfKernelsBest(void);

/*
 * Every half family compiled in and supported by this CPU, scalar first.
 * Returns the count.
 */
extern int	VecdbHalfKernelsAvailable(const VecdbHalfKernelSet **sets, int maxsets);

/* Per-architecture entry points; NULL when not compiled in or unsupported. */
extern const VecdbHalfKernelSet *VecdbHalfKernelsX86F16c(void);
/* whether the CPU and OS run x86 F16C conversions (with AVX); 0 elsewhere */
extern int	VecdbCpuHasF16c(void);
extern const VecdbHalfKernelSet *VecdbHalfKernelsX86Avx512(void);

/*
 * float -> half, rounding to nearest, ties to even.  Finite floats of
 * magnitude VECDB_HALF_OVERFLOW or more give +-infinity (the caller decides
 * whether that is an error); infinities stay infinite; NaN stays NaN
 * (quiet, keeping the sign and the top payload bits).  Underflow gives a
 * subnormal or a signed zero.
 */
extern uint16_t VecdbFloatToHalf(float f);

/* half -> float: exact for every half, NaN stays NaN. */
extern float VecdbHalfToFloat(uint16_t h);

/* Classification of a half's bit pattern. */
static inline int
VecdbHalfIsNan(uint16_t h)
{
	return (h & 0x7FFF) > 0x7C00;
}

static inline int
VecdbHalfIsInf(uint16_t h)
{
	return (h & 0x7FFF) == 0x7C00;
}

static inline int
VecdbHalfIsZero(uint16_t h)
{
	return (h & 0x7FFF) == 0;
}

#endif							/* VECDB_KERNEL_HALFVEC_H */
