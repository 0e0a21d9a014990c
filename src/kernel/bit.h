/*-------------------------------------------------------------------------
 *
 * bit.h
 *	  Bit-string kernel API: Hamming and Jaccard counts, scalar reference,
 *	  POPCNT and AVX-512 VPOPCNTDQ kernels, runtime dispatch.
 *
 * This header and bit.c / bit_x86.c are plain C (no backend calls), like
 * distance.h, so the unit test and the micro-benchmark link them without a
 * server.  Every kernel takes two byte arrays of nbytes >= 0 bytes, with no
 * alignment requirement, and counts bits over whole bytes: the caller sees
 * to it that padding bits past the string's length are zero in both (as
 * PostgreSQL's bit type guarantees), so they count for nothing.
 *
 * Copyright (c) 2026, vecdb developers
 *
 * src/kernel/bit.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef VECDB_BIT_H
#define VECDB_BIT_H

#include <stddef.h>
#include <stdint.h>

/* One family of bit kernels, e.g. the scalar reference or POPCNT. */
typedef struct VecdbBitKernelSet
{
	const char *name;			/* "scalar", "popcnt", ... */
	/* popcount(a xor b) */
	uint64_t	(*hamming) (const uint8_t *a, const uint8_t *b, size_t nbytes);
	/* popcount(a and b) and popcount(a or b) */
	void		(*jaccard_parts) (const uint8_t *a, const uint8_t *b,
								  size_t nbytes, uint64_t *and_count,
								  uint64_t *or_count);
	/* popcount(a and b) */
	uint64_t	(*and_count) (const uint8_t *a, const uint8_t *b, size_t nbytes);
} VecdbBitKernelSet;

/*
 * The word operations the kernels count set bits of.  Each family writes
 * one counting loop, inlined with a constant operation into each kernel, so
 * Jaccard counts AND and OR in two passes over the (cache-resident) strings.
 */
typedef enum VecdbBitOp
{
	VECDB_BIT_XOR,
	VECDB_BIT_AND,
	VECDB_BIT_OR
} VecdbBitOp;

/*
 * For the counting loops and their helpers: inlined into each kernel even
 * where the compiler would rather call, so the op is a constant there.
 */
#if defined(__GNUC__) || defined(__clang__)
#define VECDB_BIT_INLINE static inline __attribute__((always_inline))
#else
#define VECDB_BIT_INLINE static inline
#endif

/* x op y: the word whose set bits are counted */
VECDB_BIT_INLINE uint64_t
VecdbBitWordOp(uint64_t x, uint64_t y, VecdbBitOp op)
{
	switch (op)
	{
		case VECDB_BIT_XOR:
			return x ^ y;
		case VECDB_BIT_AND:
			return x & y;
		default:
			return x | y;
	}
}

/*
 * Defines a family's kernels, <count>_hamming, <count>_jaccard_parts and
 * <count>_and,
 * and its VecdbBitKernelSet setname (storage class storage, name label) from
 * its counting loop count(a, b, nbytes, op), a static inline function the
 * compiler specializes for each constant op.  attrs are the kernels'
 * target attributes (empty for the portable family).
 */
#define VECDB_BIT_KERNEL_FAMILY(storage, setname, label, attrs, count) \
	attrs static uint64_t \
	count##_hamming(const uint8_t *a, const uint8_t *b, size_t nbytes) \
	{ \
		return count(a, b, nbytes, VECDB_BIT_XOR); \
	} \
	attrs static void \
	count##_jaccard_parts(const uint8_t *a, const uint8_t *b, size_t nbytes, \
						  uint64_t *and_count, uint64_t *or_count) \
	{ \
		*and_count = count(a, b, nbytes, VECDB_BIT_AND); \
		*or_count = count(a, b, nbytes, VECDB_BIT_OR); \
	} \
	attrs static uint64_t \
	count##_and(const uint8_t *a, const uint8_t *b, size_t nbytes) \
	{ \
		return count(a, b, nbytes, VECDB_BIT_AND); \
	} \
	storage const VecdbBitKernelSet setname = { \
		label, count##_hamming, count##_jaccard_parts, count##_and \
	}

/*
 * The bit kernels in use.  Set by VecdbBitKernelsInit() and
 * VecdbBitKernelsForceScalar(); never NULL (the scalar family until
 * VecdbBitKernelsInit() runs).
 */
extern const VecdbBitKernelSet *vecdb_bit_kernels;

/* The portable reference: a branch-free popcount per 64-bit word. */
extern const VecdbBitKernelSet vecdb_bit_kernels_scalar;

/*
 * Picks the best bit kernel family this CPU supports.  Idempotent.
 * VecdbKernelsInit() calls it, and VecdbKernelsForceScalar() calls
 * VecdbBitKernelsForceScalar(), so one setting switches every family.
 */
extern void VecdbBitKernelsInit(void);

/* force = true selects the scalar reference; false restores the best. */
extern void VecdbBitKernelsForceScalar(int force);

/* The best bit kernel family this CPU supports (ignores forcing). */
extern const VecdbBitKernelSet *VecdbBitKernelsBest(void);

/*
 * Every bit kernel family compiled in and supported by this CPU, scalar
 * first and the most capable last.  Used by the unit test, the
 * micro-benchmark and vecdb_kernels().  Returns the count.
 */
extern int	VecdbBitKernelsAvailable(const VecdbBitKernelSet **sets, int maxsets);

/* Per-architecture entry points; NULL when not compiled in or unsupported. */
extern const VecdbBitKernelSet *VecdbBitKernelsX86Popcnt(void);
extern const VecdbBitKernelSet *VecdbBitKernelsX86Avx512(void);

/*
 * Jaccard distance from its parts: 1 - |a and b| / |a or b|, and 1 when the
 * strings share no set bit (two all-zero strings included), as pgvector
 * defines it.  The one formula the SQL function and the tests share.
 */
static inline double
VecdbJaccardFromParts(uint64_t and_count, uint64_t or_count)
{
	if (and_count == 0)
		return 1.0;
	return 1.0 - (double) and_count / (double) or_count;
}

#endif							/* VECDB_BIT_H */
