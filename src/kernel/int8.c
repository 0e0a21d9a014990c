/*-------------------------------------------------------------------------
 *
 * int8.c
 *	  8-bit code kernels (see int8.h): the scalar reference, the x86 AVX2
 *	  and AVX-512 kernels behind target attributes, and dispatch.
 *
 * The AVX2 kernel widens 16 codes of each array to 16-bit lanes and
 * multiplies and adds adjacent pairs into 32-bit lanes (VPMADDWD), two
 * accumulators over blocks of 32; the tail runs scalar.  A pair's sum is at
 * most 2 * 255 * 255, so no lane overflows before the total would.  The
 * AVX-512 kernel (AVX512BW, and VL for the tail) does the same 32 codes at
 * a time, two accumulators over blocks of 64, and its tail of fewer than 32
 * codes as one more step with masked loads (masked-off bytes are not read,
 * so no byte past either array is touched).
 *
 * Copyright (c) 2026, vecdb developers
 *
 * src/kernel/int8.c
 *
 *-------------------------------------------------------------------------
 */
#include "int8.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define VECDB_HAVE_X86_U8_KERNELS 1
#include <immintrin.h>
#endif

static uint32_t
scalar_dot(const uint8_t *a, const uint8_t *b, int n)
{
	uint32_t	s = 0;

	for (int i = 0; i < n; i++)
		s += (uint32_t) a[i] * b[i];
	return s;
}

const VecdbU8KernelSet vecdb_u8_kernels_scalar = {"scalar", scalar_dot};

#ifdef VECDB_HAVE_X86_U8_KERNELS

#define AVX2_TARGET __attribute__((target("avx2")))

AVX2_TARGET static inline __m256i
widen16(const uint8_t *p)
{
	return _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *) p));
}

AVX2_TARGET static uint32_t
avx2_dot(const uint8_t *a, const uint8_t *b, int n)
{
	__m256i		s0 = _mm256_setzero_si256();
	__m256i		s1 = _mm256_setzero_si256();
	__m128i		t;
	int			i = 0;
	uint32_t	s;

	for (; i + 32 <= n; i += 32)
	{
		s0 = _mm256_add_epi32(s0, _mm256_madd_epi16(widen16(a + i), widen16(b + i)));
		s1 = _mm256_add_epi32(s1, _mm256_madd_epi16(widen16(a + i + 16), widen16(b + i + 16)));
	}
	for (; i + 16 <= n; i += 16)
		s0 = _mm256_add_epi32(s0, _mm256_madd_epi16(widen16(a + i), widen16(b + i)));
	s0 = _mm256_add_epi32(s0, s1);
	t = _mm_add_epi32(_mm256_castsi256_si128(s0), _mm256_extracti128_si256(s0, 1));
	t = _mm_add_epi32(t, _mm_shuffle_epi32(t, _MM_SHUFFLE(1, 0, 3, 2)));
	t = _mm_add_epi32(t, _mm_shuffle_epi32(t, _MM_SHUFFLE(2, 3, 0, 1)));
	s = (uint32_t) _mm_cvtsi128_si32(t);
	return s + scalar_dot(a + i, b + i, n - i);
}

static const VecdbU8KernelSet avx2_set = {"avx2", avx2_dot};

#define AVX512_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx2")))

AVX512_TARGET static inline __m512i
madd32(__m256i a, __m256i b)
{
	return _mm512_madd_epi16(_mm512_cvtepu8_epi16(a), _mm512_cvtepu8_epi16(b));
}

AVX512_TARGET static uint32_t
avx512_dot(const uint8_t *a, const uint8_t *b, int n)
{
	__m512i		s0 = _mm512_setzero_si512();
	__m512i		s1 = _mm512_setzero_si512();
	int			i = 0;

	for (; i + 64 <= n; i += 64)
	{
		s0 = _mm512_add_epi32(s0, madd32(_mm256_loadu_si256((const __m256i *) (a + i)),
										 _mm256_loadu_si256((const __m256i *) (b + i))));
		s1 = _mm512_add_epi32(s1, madd32(_mm256_loadu_si256((const __m256i *) (a + i + 32)),
										 _mm256_loadu_si256((const __m256i *) (b + i + 32))));
	}
	for (; i + 32 <= n; i += 32)
		s0 = _mm512_add_epi32(s0, madd32(_mm256_loadu_si256((const __m256i *) (a + i)),
										 _mm256_loadu_si256((const __m256i *) (b + i))));
	if (i < n)
	{
		__mmask32	m = (__mmask32) ((1u << (n - i)) - 1);

		s1 = _mm512_add_epi32(s1, madd32(_mm256_maskz_loadu_epi8(m, a + i),
										 _mm256_maskz_loadu_epi8(m, b + i)));
	}
	return (uint32_t) _mm512_reduce_add_epi32(_mm512_add_epi32(s0, s1));
}

static const VecdbU8KernelSet avx512_set = {"avx512", avx512_dot};

static const VecdbU8KernelSet *
x86_avx2(void)
{
	__builtin_cpu_init();
	return __builtin_cpu_supports("avx2") ? &avx2_set : NULL;
}

static const VecdbU8KernelSet *
x86_avx512(void)
{
	__builtin_cpu_init();
	return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
		__builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx2") ?
		&avx512_set : NULL;
}

#else

static const VecdbU8KernelSet *
x86_avx2(void)
{
	return NULL;
}

static const VecdbU8KernelSet *
x86_avx512(void)
{
	return NULL;
}

#endif

const VecdbU8KernelSet *vecdb_u8_kernels = &vecdb_u8_kernels_scalar;

int
VecdbU8KernelsAvailable(const VecdbU8KernelSet **sets, int maxsets)
{
	int			n = 0;

	if (n < maxsets)
		sets[n++] = &vecdb_u8_kernels_scalar;
	if (n < maxsets && x86_avx2() != NULL)
		sets[n++] = x86_avx2();
	if (n < maxsets && x86_avx512() != NULL)
		sets[n++] = x86_avx512();
	return n;
}

static const VecdbU8KernelSet *
best(void)
{
	const VecdbU8KernelSet *sets[3];

	return sets[VecdbU8KernelsAvailable(sets, 3) - 1];
}

void
VecdbU8KernelsInit(void)
{
	vecdb_u8_kernels = best();
}

void
VecdbU8KernelsForceScalar(int force)
{
	vecdb_u8_kernels = force ? &vecdb_u8_kernels_scalar : best();
}
