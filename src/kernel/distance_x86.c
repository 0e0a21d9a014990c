/*-------------------------------------------------------------------------
 *
 * distance_x86.c
 *	  x86-64 SIMD kernels (AVX2+FMA, AVX-512F) behind target attributes.
 *
 * The file is compiled without any -m flags: each kernel carries
 * __attribute__((target(...))), and the probes below run the CPU check, so
 * the same binary runs on any x86-64 and PGXS's clang bitcode step builds it
 * too.  Kernels keep 4 independent vector accumulators of float32 (32 or 64
 * partial sums), finish the tail with masked loads so every element lands
 * in a vector lane, and reduce the lanes in double.
 *
 * Copyright (c) 2026, vecdb developers
 *
 * src/kernel/distance_x86.c
 *
 *-------------------------------------------------------------------------
 */
#include <stddef.h>
#include <stdint.h>

#include "distance.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define VECDB_HAVE_X86_KERNELS 1
#include <immintrin.h>
#endif

#ifdef VECDB_HAVE_X86_KERNELS

#define AVX2_TARGET __attribute__((target("avx2,fma")))
#define AVX512_TARGET __attribute__((target("avx512f,avx2,fma")))

/* masks for the tail: loading 8 ints at &tail_mask[8 - r] enables r lanes */
static const int32_t tail_mask[16] = {
	-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0
};

AVX2_TARGET static inline double
avx2_hsum(__m256 v)
{
	__m256d		lo = _mm256_cvtps_pd(_mm256_castps256_ps128(v));
	__m256d		hi = _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1));
	__m256d		s = _mm256_add_pd(lo, hi);
	__m128d		t = _mm_add_pd(_mm256_castpd256_pd128(s),
							   _mm256_extractf128_pd(s, 1));

	return _mm_cvtsd_f64(t) + _mm_cvtsd_f64(_mm_unpackhi_pd(t, t));
}

AVX2_TARGET static double
avx2_l2sq(const float *a, const float *b, int n)
{
	__m256		s0 = _mm256_setzero_ps(),
				s1 = _mm256_setzero_ps(),
				s2 = _mm256_setzero_ps(),
				s3 = _mm256_setzero_ps();
	int			i = 0;

	for (; i + 32 <= n; i += 32)
	{
		__m256		d0 = _mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
		__m256		d1 = _mm256_sub_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8));
		__m256		d2 = _mm256_sub_ps(_mm256_loadu_ps(a + i + 16), _mm256_loadu_ps(b + i + 16));
		__m256		d3 = _mm256_sub_ps(_mm256_loadu_ps(a + i + 24), _mm256_loadu_ps(b + i + 24));

		s0 = _mm256_fmadd_ps(d0, d0, s0);
		s1 = _mm256_fmadd_ps(d1, d1, s1);
		s2 = _mm256_fmadd_ps(d2, d2, s2);
		s3 = _mm256_fmadd_ps(d3, d3, s3);
	}
	for (; i + 8 <= n; i += 8)
	{
		__m256		d = _mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));

		s0 = _mm256_fmadd_ps(d, d, s0);
	}
	if (i < n)
	{
		__m256i		m = _mm256_loadu_si256((const __m256i *) &tail_mask[8 - (n - i)]);
		__m256		d = _mm256_sub_ps(_mm256_maskload_ps(a + i, m), _mm256_maskload_ps(b + i, m));

		s1 = _mm256_fmadd_ps(d, d, s1);
	}
	return avx2_hsum(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
}

AVX2_TARGET static double
avx2_dot(const float *a, const float *b, int n)
{
	__m256		s0 = _mm256_setzero_ps(),
				s1 = _mm256_setzero_ps(),
				s2 = _mm256_setzero_ps(),
				s3 = _mm256_setzero_ps();
	int			i = 0;

	for (; i + 32 <= n; i += 32)
	{
		s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
		s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), s1);
		s2 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 16), _mm256_loadu_ps(b + i + 16), s2);
		s3 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 24), _mm256_loadu_ps(b + i + 24), s3);
	}
	for (; i + 8 <= n; i += 8)
		s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
	if (i < n)
	{
		__m256i		m = _mm256_loadu_si256((const __m256i *) &tail_mask[8 - (n - i)]);

		s1 = _mm256_fmadd_ps(_mm256_maskload_ps(a + i, m), _mm256_maskload_ps(b + i, m), s1);
	}
	return avx2_hsum(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
}

AVX2_TARGET static double
avx2_l1(const float *a, const float *b, int n)
{
	const __m256 sign = _mm256_set1_ps(-0.0f);
	__m256		s0 = _mm256_setzero_ps(),
				s1 = _mm256_setzero_ps(),
				s2 = _mm256_setzero_ps(),
				s3 = _mm256_setzero_ps();
	int			i = 0;

	for (; i + 32 <= n; i += 32)
	{
		s0 = _mm256_add_ps(s0, _mm256_andnot_ps(sign, _mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i))));
		s1 = _mm256_add_ps(s1, _mm256_andnot_ps(sign, _mm256_sub_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8))));
		s2 = _mm256_add_ps(s2, _mm256_andnot_ps(sign, _mm256_sub_ps(_mm256_loadu_ps(a + i + 16), _mm256_loadu_ps(b + i + 16))));
		s3 = _mm256_add_ps(s3, _mm256_andnot_ps(sign, _mm256_sub_ps(_mm256_loadu_ps(a + i + 24), _mm256_loadu_ps(b + i + 24))));
	}
	for (; i + 8 <= n; i += 8)
		s0 = _mm256_add_ps(s0, _mm256_andnot_ps(sign, _mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i))));
	if (i < n)
	{
		__m256i		m = _mm256_loadu_si256((const __m256i *) &tail_mask[8 - (n - i)]);

		s1 = _mm256_add_ps(s1, _mm256_andnot_ps(sign, _mm256_sub_ps(_mm256_maskload_ps(a + i, m), _mm256_maskload_ps(b + i, m))));
	}
	return avx2_hsum(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
}

AVX2_TARGET static void
avx2_cosine_parts(const float *a, const float *b, int n,
				  double *dot, double *na, double *nb)
{
	__m256		d0 = _mm256_setzero_ps(),
				d1 = _mm256_setzero_ps(),
				x0 = _mm256_setzero_ps(),
				x1 = _mm256_setzero_ps(),
				y0 = _mm256_setzero_ps(),
				y1 = _mm256_setzero_ps();
	int			i = 0;

	for (; i + 16 <= n; i += 16)
	{
		__m256		va0 = _mm256_loadu_ps(a + i);
		__m256		vb0 = _mm256_loadu_ps(b + i);
		__m256		va1 = _mm256_loadu_ps(a + i + 8);
		__m256		vb1 = _mm256_loadu_ps(b + i + 8);

		d0 = _mm256_fmadd_ps(va0, vb0, d0);
		x0 = _mm256_fmadd_ps(va0, va0, x0);
		y0 = _mm256_fmadd_ps(vb0, vb0, y0);
		d1 = _mm256_fmadd_ps(va1, vb1, d1);
		x1 = _mm256_fmadd_ps(va1, va1, x1);
		y1 = _mm256_fmadd_ps(vb1, vb1, y1);
	}
	for (; i < n; i += 8)
	{
		int			r = n - i < 8 ? n - i : 8;
		__m256i		m = _mm256_loadu_si256((const __m256i *) &tail_mask[8 - r]);
		__m256		va = _mm256_maskload_ps(a + i, m);
		__m256		vb = _mm256_maskload_ps(b + i, m);

		d0 = _mm256_fmadd_ps(va, vb, d0);
		x0 = _mm256_fmadd_ps(va, va, x0);
		y0 = _mm256_fmadd_ps(vb, vb, y0);
	}
	*dot = avx2_hsum(_mm256_add_ps(d0, d1));
	*na = avx2_hsum(_mm256_add_ps(x0, x1));
	*nb = avx2_hsum(_mm256_add_ps(y0, y1));
}

/* l2sq in blocks of VECDB_ABANDON_BLOCK floats, stopping once past bound */
AVX2_TARGET static double
avx2_l2sq_bounded(const float *a, const float *b, int n, double bound)
{
	double		sum = 0;
	int			i = 0;

	for (; i + VECDB_ABANDON_BLOCK <= n; i += VECDB_ABANDON_BLOCK)
	{
		sum += avx2_l2sq(a + i, b + i, VECDB_ABANDON_BLOCK);
		if (sum > bound)
			return sum;
	}
	if (i < n)
		sum += avx2_l2sq(a + i, b + i, n - i);
	return sum;
}

static const VecdbKernelSet avx2_set = {
	"avx2_fma",
	avx2_l2sq,
	avx2_dot,
	avx2_l1,
	avx2_cosine_parts,
	avx2_l2sq_bounded
};

/* ---- AVX-512F ---- */

AVX512_TARGET static inline double
avx512_hsum(__m512 v)
{
	__m512d		lo = _mm512_cvtps_pd(_mm512_castps512_ps256(v));
	__m512d		hi = _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)));

	return _mm512_reduce_add_pd(_mm512_add_pd(lo, hi));
}

AVX512_TARGET static double
avx512_l2sq(const float *a, const float *b, int n)
{
	__m512		s0 = _mm512_setzero_ps(),
				s1 = _mm512_setzero_ps(),
				s2 = _mm512_setzero_ps(),
				s3 = _mm512_setzero_ps();
	int			i = 0;

	for (; i + 64 <= n; i += 64)
	{
		__m512		d0 = _mm512_sub_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i));
		__m512		d1 = _mm512_sub_ps(_mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16));
		__m512		d2 = _mm512_sub_ps(_mm512_loadu_ps(a + i + 32), _mm512_loadu_ps(b + i + 32));
		__m512		d3 = _mm512_sub_ps(_mm512_loadu_ps(a + i + 48), _mm512_loadu_ps(b + i + 48));

		s0 = _mm512_fmadd_ps(d0, d0, s0);
		s1 = _mm512_fmadd_ps(d1, d1, s1);
		s2 = _mm512_fmadd_ps(d2, d2, s2);
		s3 = _mm512_fmadd_ps(d3, d3, s3);
	}
	for (; i < n; i += 16)
	{
		__mmask16	m = n - i >= 16 ? (__mmask16) 0xFFFF : (__mmask16) ((1u << (n - i)) - 1);
		__m512		d = _mm512_sub_ps(_mm512_maskz_loadu_ps(m, a + i), _mm512_maskz_loadu_ps(m, b + i));

		s0 = _mm512_fmadd_ps(d, d, s0);
	}
	return avx512_hsum(_mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3)));
}

AVX512_TARGET static double
avx512_dot(const float *a, const float *b, int n)
{
	__m512		s0 = _mm512_setzero_ps(),
				s1 = _mm512_setzero_ps(),
				s2 = _mm512_setzero_ps(),
				s3 = _mm512_setzero_ps();
	int			i = 0;

	for (; i + 64 <= n; i += 64)
	{
		s0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), s0);
		s1 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16), s1);
		s2 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 32), _mm512_loadu_ps(b + i + 32), s2);
		s3 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 48), _mm512_loadu_ps(b + i + 48), s3);
	}
	for (; i < n; i += 16)
	{
		__mmask16	m = n - i >= 16 ? (__mmask16) 0xFFFF : (__mmask16) ((1u << (n - i)) - 1);

		s0 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, a + i), _mm512_maskz_loadu_ps(m, b + i), s0);
	}
	return avx512_hsum(_mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3)));
}

AVX512_TARGET static double
avx512_l1(const float *a, const float *b, int n)
{
	__m512		s0 = _mm512_setzero_ps(),
				s1 = _mm512_setzero_ps(),
				s2 = _mm512_setzero_ps(),
				s3 = _mm512_setzero_ps();
	int			i = 0;

	for (; i + 64 <= n; i += 64)
	{
		s0 = _mm512_add_ps(s0, _mm512_abs_ps(_mm512_sub_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i))));
		s1 = _mm512_add_ps(s1, _mm512_abs_ps(_mm512_sub_ps(_mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16))));
		s2 = _mm512_add_ps(s2, _mm512_abs_ps(_mm512_sub_ps(_mm512_loadu_ps(a + i + 32), _mm512_loadu_ps(b + i + 32))));
		s3 = _mm512_add_ps(s3, _mm512_abs_ps(_mm512_sub_ps(_mm512_loadu_ps(a + i + 48), _mm512_loadu_ps(b + i + 48))));
	}
	for (; i < n; i += 16)
	{
		__mmask16	m = n - i >= 16 ? (__mmask16) 0xFFFF : (__mmask16) ((1u << (n - i)) - 1);

		s0 = _mm512_add_ps(s0, _mm512_abs_ps(_mm512_sub_ps(_mm512_maskz_loadu_ps(m, a + i), _mm512_maskz_loadu_ps(m, b + i))));
	}
	return avx512_hsum(_mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3)));
}

AVX512_TARGET static void
avx512_cosine_parts(const float *a, const float *b, int n,
					double *dot, double *na, double *nb)
{
	__m512		d0 = _mm512_setzero_ps(),
				d1 = _mm512_setzero_ps(),
				x0 = _mm512_setzero_ps(),
				x1 = _mm512_setzero_ps(),
				y0 = _mm512_setzero_ps(),
				y1 = _mm512_setzero_ps();
	int			i = 0;

	for (; i + 32 <= n; i += 32)
	{
		__m512		va0 = _mm512_loadu_ps(a + i);
		__m512		vb0 = _mm512_loadu_ps(b + i);
		__m512		va1 = _mm512_loadu_ps(a + i + 16);
		__m512		vb1 = _mm512_loadu_ps(b + i + 16);

		d0 = _mm512_fmadd_ps(va0, vb0, d0);
		x0 = _mm512_fmadd_ps(va0, va0, x0);
		y0 = _mm512_fmadd_ps(vb0, vb0, y0);
		d1 = _mm512_fmadd_ps(va1, vb1, d1);
		x1 = _mm512_fmadd_ps(va1, va1, x1);
		y1 = _mm512_fmadd_ps(vb1, vb1, y1);
	}
	for (; i < n; i += 16)
	{
		__mmask16	m = n - i >= 16 ? (__mmask16) 0xFFFF : (__mmask16) ((1u << (n - i)) - 1);
		__m512		va = _mm512_maskz_loadu_ps(m, a + i);
		__m512		vb = _mm512_maskz_loadu_ps(m, b + i);

		d0 = _mm512_fmadd_ps(va, vb, d0);
		x0 = _mm512_fmadd_ps(va, va, x0);
		y0 = _mm512_fmadd_ps(vb, vb, y0);
	}
	*dot = avx512_hsum(_mm512_add_ps(d0, d1));
	*na = avx512_hsum(_mm512_add_ps(x0, x1));
	*nb = avx512_hsum(_mm512_add_ps(y0, y1));
}

AVX512_TARGET static double
avx512_l2sq_bounded(const float *a, const float *b, int n, double bound)
{
	double		sum = 0;
	int			i = 0;

	for (; i + VECDB_ABANDON_BLOCK <= n; i += VECDB_ABANDON_BLOCK)
	{
		sum += avx512_l2sq(a + i, b + i, VECDB_ABANDON_BLOCK);
		if (sum > bound)
			return sum;
	}
	if (i < n)
		sum += avx512_l2sq(a + i, b + i, n - i);
	return sum;
}

static const VecdbKernelSet avx512_set = {
	"avx512f",
	avx512_l2sq,
	avx512_dot,
	avx512_l1,
	avx512_cosine_parts,
	avx512_l2sq_bounded
};

const VecdbKernelSet *
VecdbKernelsX86Avx2(void)
{
	__builtin_cpu_init();
	if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
		return &avx2_set;
	return NULL;
}

const VecdbKernelSet *
VecdbKernelsX86Avx512(void)
{
	__builtin_cpu_init();
	if (__builtin_cpu_supports("avx512f") &&
		__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
		return &avx512_set;
	return NULL;
}

#else							/* !VECDB_HAVE_X86_KERNELS */

const VecdbKernelSet *
VecdbKernelsX86Avx2(void)
{
	return NULL;
}

const VecdbKernelSet *
VecdbKernelsX86Avx512(void)
{
	return NULL;
}

#endif
