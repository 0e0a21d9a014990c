/*-------------------------------------------------------------------------
 *
 * distance_x86.c
 *	  x86-64 SIMD kernels (AVX2+FMA, AVX-512F) behind target attributes.
 *
 * The file is compiled without any -m flags: each kernel carries
 * __attribute__((target(...))), and the probes below run the CPU check, so
 * the same binary runs on any x86-64 and PGXS's clang bitcode step builds it
 * too.  The kernels are simd_x86.h's template: 4 independent vector
 * accumulators of float32 (32 or 64 partial sums), the tail finished with
 * masked loads so every element lands in a vector lane, lanes reduced in
 * double.
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
#include "simd_x86.h"
#endif

#ifdef VECDB_HAVE_X86_KERNELS

#define AVX2_TARGET __attribute__((target("avx2,fma")))
#define AVX512_TARGET __attribute__((target("avx512f,avx2,fma")))

/* masks for the tail: loading 8 ints at &tail_mask[8 - r] enables r lanes */
static const int32_t tail_mask[16] = {
	-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0
};

AVX2_TARGET static inline __m256
avx2_load(const float *p)
{
	return _mm256_loadu_ps(p);
}

/* min(r, 8) floats at p, by masked load: nothing past them is read */
AVX2_TARGET static inline __m256
avx2_loadn(const float *p, int r)
{
	__m256i		m = _mm256_loadu_si256((const __m256i *) &tail_mask[8 - (r < 8 ? r : 8)]);

	return _mm256_maskload_ps(p, m);
}

VECDB_X86_KERNELS(avx2, float, AVX2_TARGET, avx2_load, avx2_loadn, s1,
				  VECDB_X86_OPS256)

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

AVX512_TARGET static inline __m512
avx512_load(const float *p)
{
	return _mm512_loadu_ps(p);
}

/* min(r, 16) floats at p, by masked load: nothing past them is read */
AVX512_TARGET static inline __m512
avx512_loadn(const float *p, int r)
{
	__mmask16	m = r >= 16 ? (__mmask16) 0xFFFF : (__mmask16) ((1u << r) - 1);

	return _mm512_maskz_loadu_ps(m, p);
}

VECDB_X86_KERNELS(avx512, float, AVX512_TARGET, avx512_load, avx512_loadn, s0,
				  VECDB_X86_OPS512)

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
