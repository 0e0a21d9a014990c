/*-------------------------------------------------------------------------
 *
 * halfvec.c
 *	  Half-precision conversions, scalar reference kernels and their
 *	  runtime CPU dispatch.
 *
 * Conversions work on bit patterns, so they give the same answer on every
 * CPU and compiler (no _Float16, no rounding-mode dependence).  The scalar
 * kernels widen each half to float, which is exact, and accumulate in
 * double: every product of two halves is exact in double, so the reference
 * is as accurate as half inputs allow, and the SIMD kernels in
 * halfvec_x86.c are judged against it.
 *
 * Copyright (c) 2026, vecdb developers
 *
 * src/kernel/halfvec.c
 *
 *-------------------------------------------------------------------------
 */
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "halfvec.h"

static inline uint32_t
float_bits(float f)
{
	uint32_t	u;

	memcpy(&u, &f, sizeof(u));
	return u;
}

static inline float
bits_float(uint32_t u)
{
	float		f;

	memcpy(&f, &u, sizeof(f));
	return f;
}

/* Contract in halfvec.h: round to nearest even, overflow to infinity. */
uint16_t
VecdbFloatToHalf(float f)
{
	uint32_t	x = float_bits(f);
	uint16_t	sign = (uint16_t) ((x >> 16) & 0x8000);
	uint32_t	mag = x & 0x7FFFFFFF;

	if (mag >= 0x7F800000)
	{
		if (mag == 0x7F800000)
			return sign | 0x7C00;
		/* NaN: quiet, keep the top payload bits */
		return sign | 0x7E00 | (uint16_t) ((mag >> 13) & 0x03FF);
	}
	if (mag >= 0x477FF000)		/* >= 65520: rounds past 65504 */
		return sign | 0x7C00;
	if (mag >= 0x38800000)		/* >= 2^-14: a normal half */
	{
		/*
		 * Rebias the exponent (127 -> 15) and drop 13 fraction bits,
		 * rounding to nearest even: adding 0xFFF plus the lowest kept bit
		 * carries into the kept bits exactly when the dropped part is above
		 * one half, or is one half and the kept part is odd.  A carry out of
		 * the fraction moves to the next exponent, as it should.
		 */
		uint32_t	r = mag - 0x38000000;

		r += 0x0FFF + ((r >> 13) & 1);
		return sign | (uint16_t) (r >> 13);
	}
	if (mag <= 0x33000000)		/* <= 2^-25: half of the least subnormal */
		return sign;

	/*
	 * Subnormal half: count units of 2^-24.  The float is m * 2^(e - 150)
	 * with the hidden bit in m, so the count is m >> (126 - e), shift 14..24.
	 */
	{
		int			e = (int) (mag >> 23);
		uint32_t	m = (mag & 0x007FFFFF) | 0x00800000;
		int			shift = 126 - e;
		uint32_t	q = m >> shift;
		uint32_t	rem = m & ((1u << shift) - 1);
		uint32_t	halfway = 1u << (shift - 1);

		if (rem > halfway || (rem == halfway && (q & 1)))
			q++;
		return sign | (uint16_t) q;
	}
}

/*
 * half -> float, inline for the scalar kernels.  The exponent and fraction
 * shifted into a float's places make a float 2^112 times too small (a
 * subnormal half lands on a subnormal float), so one exact multiply
 * rebiases both; only infinities and NaNs need their own exponent.
 */
static inline float
half_to_float(uint16_t h)
{
	uint32_t	sign = (uint32_t) (h & 0x8000) << 16;
	uint32_t	mag = (uint32_t) (h & 0x7FFF) << 13;

	if ((h & 0x7C00) == 0x7C00)
		return bits_float(sign | 0x7F800000 | mag | (mag & 0x007FFFFF ? 0x00400000 : 0));
	return bits_float(sign | float_bits(bits_float(mag) * 0x1p112f));
}

/* Contract in halfvec.h: exact; NaN stays NaN (quiet). */
float
VecdbHalfToFloat(uint16_t h)
{
	return half_to_float(h);
}

/* ---- scalar reference ---- */

static double
scalar_l2sq(const uint16_t *a, const uint16_t *b, int n)
{
	double		sum = 0.0;

	for (int i = 0; i < n; i++)
	{
		double		d = (double) half_to_float(a[i]) - (double) half_to_float(b[i]);

		sum += d * d;
	}
	return sum;
}

static double
scalar_dot(const uint16_t *a, const uint16_t *b, int n)
{
	double		sum = 0.0;

	for (int i = 0; i < n; i++)
		sum += (double) half_to_float(a[i]) * (double) half_to_float(b[i]);
	return sum;
}

static double
scalar_l1(const uint16_t *a, const uint16_t *b, int n)
{
	double		sum = 0.0;

	for (int i = 0; i < n; i++)
		sum += fabs((double) half_to_float(a[i]) - (double) half_to_float(b[i]));
	return sum;
}

static void
scalar_cosine_parts(const uint16_t *a, const uint16_t *b, int n,
					double *dot, double *na, double *nb)
{
	double		d = 0.0,
				x = 0.0,
				y = 0.0;

	for (int i = 0; i < n; i++)
	{
		double		ai = half_to_float(a[i]);
		double		bi = half_to_float(b[i]);

		d += ai * bi;
		x += ai * ai;
		y += bi * bi;
	}
	*dot = d;
	*na = x;
	*nb = y;
}

const VecdbHalfKernelSet vecdb_half_kernels_scalar = {
	"scalar",
	scalar_l2sq,
	scalar_dot,
	scalar_l1,
	scalar_cosine_parts
};

const VecdbHalfKernelSet *vecdb_half_kernels = &vecdb_half_kernels_scalar;

/* ---- dispatch ---- */

/* Best half family for this CPU, most capable first. */
const VecdbHalfKernelSet *
VecdbHalfKernelsBest(void)
{
	const VecdbHalfKernelSet *k;

	if ((k = VecdbHalfKernelsX86Avx512()) != NULL)
		return k;
	if ((k = VecdbHalfKernelsX86F16c()) != NULL)
		return k;
	return &vecdb_half_kernels_scalar;
}

void
VecdbHalfKernelsInit(void)
{
	vecdb_half_kernels = VecdbHalfKernelsBest();
}

void
VecdbHalfKernelsForceScalar(int force)
{
	vecdb_half_kernels = force ? &vecdb_half_kernels_scalar : VecdbHalfKernelsBest();
}

int
VecdbHalfKernelsAvailable(const VecdbHalfKernelSet **sets, int maxsets)
{
	const VecdbHalfKernelSet *cand[3];
	int			n = 0;

	cand[0] = &vecdb_half_kernels_scalar;
	cand[1] = VecdbHalfKernelsX86F16c();
	cand[2] = VecdbHalfKernelsX86Avx512();
	for (int i = 0; i < 3 && n < maxsets; i++)
		if (cand[i] != NULL)
			sets[n++] = cand[i];
	return n;
}
