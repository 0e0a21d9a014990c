/*-------------------------------------------------------------------------
 *
 * bit_x86.c
 *	  x86-64 bit kernels (POPCNT, AVX-512 VPOPCNTDQ) behind target
 *	  attributes.
 *
 * Compiled without -m flags, like distance_x86.c: each kernel carries
 * __attribute__((target(...))) and the probes at the end ask the CPU
 * (__builtin_cpu_supports, which also checks that the OS saves the ZMM
 * registers), so the same object runs on any x86-64 and PGXS's clang
 * bitcode step compiles it too.
 *
 * Each family has one counting loop (x op y for op xor, and, or; bit.h),
 * inlined with a constant op into its Hamming and Jaccard kernels.
 * POPCNT: four independent 64-bit counters over 32-byte blocks (the
 * instruction's latency is 3 cycles, its throughput one per cycle), then
 * whole words, then a last partial word assembled with memcpy.
 * AVX-512: 512-bit loads, VPOPCNTQ per 64-bit lane, lane-wise adds into two
 * accumulators; the tail (under 64 bytes) is one masked load of its whole
 * words, which faults on no byte past the end, plus its last partial word
 * placed in the next lane, so every byte is counted once.
 *
 * Copyright (c) 2026, vecdb developers
 *
 * src/kernel/bit_x86.c
 *
 *-------------------------------------------------------------------------
 */
#include <string.h>

#include "bit.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define VECDB_HAVE_X86_BIT_KERNELS 1
#include <immintrin.h>
#endif

#ifdef VECDB_HAVE_X86_BIT_KERNELS

#define POPCNT_TARGET __attribute__((target("popcnt")))
#define AVX512_POPCNT_TARGET __attribute__((target("avx512f,avx512vpopcntdq")))

/* the 8 bytes at p, any alignment */
VECDB_BIT_INLINE uint64_t
load_word(const uint8_t *p)
{
	uint64_t	w;

	memcpy(&w, p, 8);
	return w;
}

/* the last nbytes % 8 bytes of p[0 .. nbytes), zero-extended to a word */
VECDB_BIT_INLINE uint64_t
last_partial_word(const uint8_t *p, size_t nbytes)
{
	uint64_t	w = 0;
	size_t		rest = nbytes % 8;

	memcpy(&w, p + (nbytes - rest), rest);
	return w;
}

/* ---- POPCNT ---- */

/* set bits of a op b over nbytes bytes */
POPCNT_TARGET VECDB_BIT_INLINE uint64_t
popcnt_count(const uint8_t *a, const uint8_t *b, size_t nbytes, VecdbBitOp op)
{
	uint64_t	c0 = 0,
				c1 = 0,
				c2 = 0,
				c3 = 0;
	size_t		i = 0;

	for (; i + 32 <= nbytes; i += 32)
	{
		c0 += (uint64_t) __builtin_popcountll(VecdbBitWordOp(load_word(a + i), load_word(b + i), op));
		c1 += (uint64_t) __builtin_popcountll(VecdbBitWordOp(load_word(a + i + 8), load_word(b + i + 8), op));
		c2 += (uint64_t) __builtin_popcountll(VecdbBitWordOp(load_word(a + i + 16), load_word(b + i + 16), op));
		c3 += (uint64_t) __builtin_popcountll(VecdbBitWordOp(load_word(a + i + 24), load_word(b + i + 24), op));
	}
	for (; i + 8 <= nbytes; i += 8)
		c0 += (uint64_t) __builtin_popcountll(VecdbBitWordOp(load_word(a + i), load_word(b + i), op));
	if (i < nbytes)
		c1 += (uint64_t) __builtin_popcountll(VecdbBitWordOp(last_partial_word(a, nbytes),
															 last_partial_word(b, nbytes), op));
	return c0 + c1 + c2 + c3;
}

VECDB_BIT_KERNEL_FAMILY(static, popcnt_set, "popcnt", POPCNT_TARGET, popcnt_count);

/* ---- AVX-512 VPOPCNTDQ ---- */

/*
 * The tail p[0 .. nbytes), nbytes < 64, in one register: its whole words in
 * lanes 0 .. nbytes / 8 - 1 (masked load: no access past them), its last
 * partial word, if any, in the next lane, zeros elsewhere.
 */
AVX512_POPCNT_TARGET VECDB_BIT_INLINE __m512i
avx512_load_tail(const uint8_t *p, size_t nbytes)
{
	unsigned	words = (unsigned) (nbytes / 8);
	__m512i		v = _mm512_maskz_loadu_epi64((__mmask8) ((1u << words) - 1), p);

	if (nbytes % 8 != 0)
		v = _mm512_mask_set1_epi64(v, (__mmask8) (1u << words),
								   (long long) last_partial_word(p, nbytes));
	return v;
}

/* per 64-bit lane: the set bits of x op y */
AVX512_POPCNT_TARGET VECDB_BIT_INLINE __m512i
avx512_popcnt_op(__m512i x, __m512i y, VecdbBitOp op)
{
	switch (op)
	{
		case VECDB_BIT_XOR:
			return _mm512_popcnt_epi64(_mm512_xor_si512(x, y));
		case VECDB_BIT_AND:
			return _mm512_popcnt_epi64(_mm512_and_si512(x, y));
		default:
			return _mm512_popcnt_epi64(_mm512_or_si512(x, y));
	}
}

/* set bits of a op b over nbytes bytes */
AVX512_POPCNT_TARGET VECDB_BIT_INLINE uint64_t
avx512_count(const uint8_t *a, const uint8_t *b, size_t nbytes, VecdbBitOp op)
{
	__m512i		s0 = _mm512_setzero_si512(),
				s1 = _mm512_setzero_si512();
	size_t		i = 0;

	for (; i + 128 <= nbytes; i += 128)
	{
		s0 = _mm512_add_epi64(s0, avx512_popcnt_op(_mm512_loadu_si512(a + i),
												   _mm512_loadu_si512(b + i), op));
		s1 = _mm512_add_epi64(s1, avx512_popcnt_op(_mm512_loadu_si512(a + i + 64),
												   _mm512_loadu_si512(b + i + 64), op));
	}
	if (i + 64 <= nbytes)
	{
		s0 = _mm512_add_epi64(s0, avx512_popcnt_op(_mm512_loadu_si512(a + i),
												   _mm512_loadu_si512(b + i), op));
		i += 64;
	}
	if (i < nbytes)
		s1 = _mm512_add_epi64(s1, avx512_popcnt_op(avx512_load_tail(a + i, nbytes - i),
												   avx512_load_tail(b + i, nbytes - i), op));
	return (uint64_t) _mm512_reduce_add_epi64(_mm512_add_epi64(s0, s1));
}

VECDB_BIT_KERNEL_FAMILY(static, avx512_set, "avx512_vpopcntdq", AVX512_POPCNT_TARGET,
						avx512_count);

const VecdbBitKernelSet *
VecdbBitKernelsX86Popcnt(void)
{
	__builtin_cpu_init();
	if (__builtin_cpu_supports("popcnt"))
		return &popcnt_set;
	return NULL;
}

const VecdbBitKernelSet *
VecdbBitKernelsX86Avx512(void)
{
	__builtin_cpu_init();
	if (__builtin_cpu_supports("avx512f") &&
		__builtin_cpu_supports("avx512vpopcntdq"))
		return &avx512_set;
	return NULL;
}

#else							/* !VECDB_HAVE_X86_BIT_KERNELS */

const VecdbBitKernelSet *
VecdbBitKernelsX86Popcnt(void)
{
	return NULL;
}

const VecdbBitKernelSet *
VecdbBitKernelsX86Avx512(void)
{
	return NULL;
}

#endif
