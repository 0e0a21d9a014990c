/*-------------------------------------------------------------------------
 *
 * bit.c
 *	  Scalar reference bit kernels and their runtime CPU dispatch.
 *
 * The scalar kernels count bits with a portable branch-free popcount (no
 * compiler builtin, no instruction set assumption), eight bytes at a time
 * through memcpy (any alignment), then byte by byte for the tail; Jaccard's
 * two counts take a pass each.  Counts
 * are exact integers, so every other family must agree with it exactly.
 * Dispatch happens once at load (VecdbBitKernelsInit, called from
 * VecdbKernelsInit); vecdb.force_scalar swaps this table too.
 *
 * Copyright (c) 2026, vecdb developers
 *
 * src/kernel/bit.c
 *
 *-------------------------------------------------------------------------
 */
#include <string.h>

#include "bit.h"

/* number of set bits in x: pairs, nibbles, then a byte sum by multiply */
static inline uint64_t
portable_popcount64(uint64_t x)
{
	x = x - ((x >> 1) & UINT64_C(0x5555555555555555));
	x = (x & UINT64_C(0x3333333333333333)) +
		((x >> 2) & UINT64_C(0x3333333333333333));
	x = (x + (x >> 4)) & UINT64_C(0x0F0F0F0F0F0F0F0F);
	return (x * UINT64_C(0x0101010101010101)) >> 56;
}

/* set bits of a op b over nbytes bytes */
VECDB_BIT_INLINE uint64_t
scalar_count(const uint8_t *a, const uint8_t *b, size_t nbytes, VecdbBitOp op)
{
	uint64_t	count = 0;
	size_t		i = 0;

	for (; i + 8 <= nbytes; i += 8)
	{
		uint64_t	x,
					y;

		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		count += portable_popcount64(VecdbBitWordOp(x, y, op));
	}
	for (; i < nbytes; i++)
		count += portable_popcount64(VecdbBitWordOp(a[i], b[i], op));
	return count;
}

VECDB_BIT_KERNEL_FAMILY(, vecdb_bit_kernels_scalar, "scalar", , scalar_count);

const VecdbBitKernelSet *vecdb_bit_kernels = &vecdb_bit_kernels_scalar;

/*
 * The families this CPU supports, least capable first: the portable one,
 * then each probe's family unless the probe returns NULL.  NEON slots in
 * here.
 */
#define VECDB_BIT_MAX_FAMILIES 3

int
VecdbBitKernelsAvailable(const VecdbBitKernelSet **sets, int maxsets)
{
	const VecdbBitKernelSet *cand[VECDB_BIT_MAX_FAMILIES];
	int			n = 0;

	cand[0] = &vecdb_bit_kernels_scalar;
	cand[1] = VecdbBitKernelsX86Popcnt();
	cand[2] = VecdbBitKernelsX86Avx512();
	for (int i = 0; i < VECDB_BIT_MAX_FAMILIES && n < maxsets; i++)
		if (cand[i] != NULL)
			sets[n++] = cand[i];
	return n;
}

/* The most capable family available: the last one listed. */
const VecdbBitKernelSet *
VecdbBitKernelsBest(void)
{
	const VecdbBitKernelSet *sets[VECDB_BIT_MAX_FAMILIES];

	return sets[VecdbBitKernelsAvailable(sets, VECDB_BIT_MAX_FAMILIES) - 1];
}

void
VecdbBitKernelsInit(void)
{
	vecdb_bit_kernels = VecdbBitKernelsBest();
}

void
VecdbBitKernelsForceScalar(int force)
{
	vecdb_bit_kernels = force ? &vecdb_bit_kernels_scalar : VecdbBitKernelsBest();
}
