/*-------------------------------------------------------------------------
 *
 * halfvec_x86.c
 *	  x86-64 half-precision kernels (F16C+FMA, AVX-512F) behind target
 *	  attributes.
 *
 * Compiled without -m flags, like distance_x86.c: each kernel carries
 * __attribute__((target(...))) and the probes at the bottom check the CPU.
 * The kernels are simd_x86.h's template, as for float: halves are widened
 * to float in registers (vcvtph2ps, exact), then summed with float FMAs in
 * 4 independent accumulators; lanes are reduced in double.  The tail
 * (fewer halves than a register holds) is copied into a zeroed buffer
 * first: a masked 16-bit load would need AVX-512BW, and a zero pair adds
 * nothing to any of the sums.
 *
 * Copyright (c) 2026, vecdb developers
 *
 * src/kernel/halfvec_x86.c
 *
 *-------------------------------------------------------------------------
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "halfvec.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define VECDB_HAVE_X86_HALF_KERNELS 1
#include <cpuid.h>
#include <immintrin.h>
#include "simd_x86.h"
#endif

#ifdef VECDB_HAVE_X86_HALF_KERNELS

#define F16C_TARGET __attribute__((target("avx,f16c,fma")))
#define AVX512H_TARGET __attribute__((target("avx512f,avx,f16c,fma")))

/* ---- F16C + FMA: 8 halves per register ---- */

F16C_TARGET static inline __m256
f16c_load(const uint16_t *p)
{
	return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *) p));
}

/* min(r, 8) halves at p, zero-padded */
F16C_TARGET static inline __m256
f16c_loadn(const uint16_t *p, int r)
{
	uint16_t	buf[8] = {0};

	if (r >= 8)
		return f16c_load(p);
	memcpy(buf, p, sizeof(uint16_t) * r);
	return f16c_load(buf);
}

VECDB_X86_KERNELS(f16c, uint16_t, F16C_TARGET, f16c_load, f16c_loadn, s1,
				  VECDB_X86_OPS256)

static const VecdbHalfKernelSet f16c_set = {
	"f16c_fma",
	f16c_l2sq,
	f16c_dot,
	f16c_l1,
	f16c_cosine_parts
};

/* ---- AVX-512F: 16 halves per register ---- */

AVX512H_TARGET static inline __m512
avx512h_load(const uint16_t *p)
{
	return _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *) p));
}

/* min(r, 16) halves at p, zero-padded */
AVX512H_TARGET static inline __m512
avx512h_loadn(const uint16_t *p, int r)
{
	uint16_t	buf[16] = {0};

	if (r >= 16)
		return avx512h_load(p);
	memcpy(buf, p, sizeof(uint16_t) * r);
	return avx512h_load(buf);
}

VECDB_X86_KERNELS(avx512h, uint16_t, AVX512H_TARGET, avx512h_load,
				  avx512h_loadn, s0, VECDB_X86_OPS512)

static const VecdbHalfKernelSet avx512h_set = {
	"avx512f",
	avx512h_l2sq,
	avx512h_dot,
	avx512h_l1,
	avx512h_cosine_parts
};

/*
 * F16C has no __builtin_cpu_supports name in every compiler (clang 14
 * lacks it), so it is read from CPUID leaf 1 directly.  The AVX check
 * (which includes the OS's saving of the YMM state) comes from the builtin:
 * the F16C instructions work on YMM registers.
 */
int
VecdbCpuHasF16c(void)
{
	unsigned int eax,
				ebx,
				ecx,
				edx;

	__builtin_cpu_init();
	if (!__builtin_cpu_supports("avx") ||
		!__get_cpuid(1, &eax, &ebx, &ecx, &edx))
		return 0;
	return (ecx & bit_F16C) != 0;
}

const VecdbHalfKernelSet *
VecdbHalfKernelsX86F16c(void)
{
	__builtin_cpu_init();
	if (__builtin_cpu_supports("fma") && VecdbCpuHasF16c())
		return &f16c_set;
	return NULL;
}

const VecdbHalfKernelSet *
VecdbHalfKernelsX86Avx512(void)
{
	__builtin_cpu_init();
	if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma") &&
		VecdbCpuHasF16c())
		return &avx512h_set;
	return NULL;
}

#else							/* !VECDB_HAVE_X86_HALF_KERNELS */

int
VecdbCpuHasF16c(void)
{
	return 0;
}

const VecdbHalfKernelSet *
VecdbHalfKernelsX86F16c(void)
{
	return NULL;
}

const VecdbHalfKernelSet *
VecdbHalfKernelsX86Avx512(void)
{
	return NULL;
}

#endif
