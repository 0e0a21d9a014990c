/*-------------------------------------------------------------------------
 *
 * simd_x86.h
 *	  One template for the x86 SIMD kernel families of every element type
 *	  and register width.
 *
 * Included by distance_x86.c (float: AVX2+FMA, AVX-512F) and
 * halfvec_x86.c (half: F16C+FMA, AVX-512F) inside their x86 guard, after
 * <immintrin.h>.  VECDB_X86_KERNELS generates static l2sq, dot, l1 and
 * cosine_parts functions over one element type from a register type, its
 * float operations and two loads that widen elements to float lanes:
 *
 *   LOAD(p)      W elements at p
 *   LOADN(p, r)  min(r, W) elements at p (r >= 1), zeros in the other lanes
 *
 * l2sq, dot and l1 keep 4 independent accumulators over blocks of 4W, then
 * single registers into s0, then the tail (fewer than W elements) into the
 * accumulator TAIL; cosine_parts keeps 2 sets of 3 over blocks of 2W, then
 * LOADN to the end.  Lanes are reduced in double by HSUM.  The generated
 * functions carry the attribute TARGET; HSUM and the loads must need no
 * more than it enables.
 *
 * Copyright (c) 2026, vecdb developers
 *
 * src/kernel/simd_x86.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef VECDB_SIMD_X86_H
#define VECDB_SIMD_X86_H

/* lanes of 8 floats summed in double; needs only AVX */
__attribute__((target("avx"))) static inline double
VecdbX86Hsum256(__m256 v)
{
	__m256d		lo = _mm256_cvtps_pd(_mm256_castps256_ps128(v));
	__m256d		hi = _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1));
	__m256d		s = _mm256_add_pd(lo, hi);
	__m128d		t = _mm_add_pd(_mm256_castpd256_pd128(s),
							   _mm256_extractf128_pd(s, 1));

	return _mm_cvtsd_f64(t) + _mm_cvtsd_f64(_mm_unpackhi_pd(t, t));
}

/* lanes of 16 floats summed in double; needs only AVX-512F */
__attribute__((target("avx512f"))) static inline double
VecdbX86Hsum512(__m512 v)
{
	__m512d		lo = _mm512_cvtps_pd(_mm512_castps512_ps256(v));
	__m512d		hi = _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)));

	return _mm512_reduce_add_pd(_mm512_add_pd(lo, hi));
}

/* float operations of each register width, for the template's arguments */
#define VECDB_X86_OPS256 \
	__m256, 8, _mm256_setzero_ps, _mm256_add_ps, _mm256_sub_ps, \
	_mm256_fmadd_ps, VecdbX86Abs256, VecdbX86Hsum256
#define VECDB_X86_OPS512 \
	__m512, 16, _mm512_setzero_ps, _mm512_add_ps, _mm512_sub_ps, \
	_mm512_fmadd_ps, _mm512_abs_ps, VecdbX86Hsum512

__attribute__((target("avx"))) static inline __m256
VecdbX86Abs256(__m256 v)
{
	return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), v);
}

#define VECDB_X86_KERNELS(P, Elem, TARGET, LOAD, LOADN, TAIL, OPS) \
	VECDB_X86_KERNELS_(P, Elem, TARGET, LOAD, LOADN, TAIL, OPS)

#define VECDB_X86_KERNELS_(P, Elem, TARGET, LOAD, LOADN, TAIL, \
						   V, W, ZERO, ADD, SUB, FMA, ABS, HSUM) \
TARGET static double \
P##_l2sq(const Elem *a, const Elem *b, int n) \
{ \
	V			s0 = ZERO(), s1 = ZERO(), s2 = ZERO(), s3 = ZERO(); \
	int			i = 0; \
\
	for (; i + 4 * W <= n; i += 4 * W) \
	{ \
		V			d0 = SUB(LOAD(a + i), LOAD(b + i)); \
		V			d1 = SUB(LOAD(a + i + W), LOAD(b + i + W)); \
		V			d2 = SUB(LOAD(a + i + 2 * W), LOAD(b + i + 2 * W)); \
		V			d3 = SUB(LOAD(a + i + 3 * W), LOAD(b + i + 3 * W)); \
\
		s0 = FMA(d0, d0, s0); \
		s1 = FMA(d1, d1, s1); \
		s2 = FMA(d2, d2, s2); \
		s3 = FMA(d3, d3, s3); \
	} \
	for (; i + W <= n; i += W) \
	{ \
		V			d = SUB(LOAD(a + i), LOAD(b + i)); \
\
		s0 = FMA(d, d, s0); \
	} \
	if (i < n) \
	{ \
		V			d = SUB(LOADN(a + i, n - i), LOADN(b + i, n - i)); \
\
		TAIL = FMA(d, d, TAIL); \
	} \
	return HSUM(ADD(ADD(s0, s1), ADD(s2, s3))); \
} \
\
TARGET static double \
P##_dot(const Elem *a, const Elem *b, int n) \
{ \
	V			s0 = ZERO(), s1 = ZERO(), s2 = ZERO(), s3 = ZERO(); \
	int			i = 0; \
\
	for (; i + 4 * W <= n; i += 4 * W) \
	{ \
		s0 = FMA(LOAD(a + i), LOAD(b + i), s0); \
		s1 = FMA(LOAD(a + i + W), LOAD(b + i + W), s1); \
		s2 = FMA(LOAD(a + i + 2 * W), LOAD(b + i + 2 * W), s2); \
		s3 = FMA(LOAD(a + i + 3 * W), LOAD(b + i + 3 * W), s3); \
	} \
	for (; i + W <= n; i += W) \
		s0 = FMA(LOAD(a + i), LOAD(b + i), s0); \
	if (i < n) \
		TAIL = FMA(LOADN(a + i, n - i), LOADN(b + i, n - i), TAIL); \
	return HSUM(ADD(ADD(s0, s1), ADD(s2, s3))); \
} \
\
TARGET static double \
P##_l1(const Elem *a, const Elem *b, int n) \
{ \
	V			s0 = ZERO(), s1 = ZERO(), s2 = ZERO(), s3 = ZERO(); \
	int			i = 0; \
\
	for (; i + 4 * W <= n; i += 4 * W) \
	{ \
		s0 = ADD(s0, ABS(SUB(LOAD(a + i), LOAD(b + i)))); \
		s1 = ADD(s1, ABS(SUB(LOAD(a + i + W), LOAD(b + i + W)))); \
		s2 = ADD(s2, ABS(SUB(LOAD(a + i + 2 * W), LOAD(b + i + 2 * W)))); \
		s3 = ADD(s3, ABS(SUB(LOAD(a + i + 3 * W), LOAD(b + i + 3 * W)))); \
	} \
	for (; i + W <= n; i += W) \
		s0 = ADD(s0, ABS(SUB(LOAD(a + i), LOAD(b + i)))); \
	if (i < n) \
		TAIL = ADD(TAIL, ABS(SUB(LOADN(a + i, n - i), LOADN(b + i, n - i)))); \
	return HSUM(ADD(ADD(s0, s1), ADD(s2, s3))); \
} \
\
TARGET static void \
P##_cosine_parts(const Elem *a, const Elem *b, int n, \
				 double *dot, double *na, double *nb) \
{ \
	V			d0 = ZERO(), d1 = ZERO(), x0 = ZERO(), x1 = ZERO(), \
				y0 = ZERO(), y1 = ZERO(); \
	int			i = 0; \
\
	for (; i + 2 * W <= n; i += 2 * W) \
	{ \
		V			va0 = LOAD(a + i); \
		V			vb0 = LOAD(b + i); \
		V			va1 = LOAD(a + i + W); \
		V			vb1 = LOAD(b + i + W); \
\
		d0 = FMA(va0, vb0, d0); \
		x0 = FMA(va0, va0, x0); \
		y0 = FMA(vb0, vb0, y0); \
		d1 = FMA(va1, vb1, d1); \
		x1 = FMA(va1, va1, x1); \
		y1 = FMA(vb1, vb1, y1); \
	} \
	for (; i < n; i += W) \
	{ \
		V			va = LOADN(a + i, n - i); \
		V			vb = LOADN(b + i, n - i); \
\
		d0 = FMA(va, vb, d0); \
		x0 = FMA(va, va, x0); \
		y0 = FMA(vb, vb, y0); \
	} \
	*dot = HSUM(ADD(d0, d1)); \
	*na = HSUM(ADD(x0, x1)); \
	*nb = HSUM(ADD(y0, y1)); \
}

#endif							/* VECDB_SIMD_X86_H */
