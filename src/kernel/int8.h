/*-------------------------------------------------------------------------
 *
 * int8.h
 *	  8-bit code kernel API: the dot product of two arrays of unsigned
 *	  8-bit codes, scalar reference, AVX2 kernel, runtime dispatch.
 *
 * Plain C (no backend calls), like distance.h, so the unit test links it
 * without a server.  The sum is exact: n <= 33,000 codes of at most 255
 * keep it below 2^32.
 *
 * Copyright (c) 2026, vecdb developers
 *
 * src/kernel/int8.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef VECDB_INT8_H
#define VECDB_INT8_H

#include <stdint.h>

/* most codes a kernel sums without overflowing its 32-bit total */
#define VECDB_U8_MAX_N 33000

typedef struct VecdbU8KernelSet
{
	const char *name;			/* "scalar", "avx2" */
	/* sum of a[i] * b[i] */
	uint32_t	(*dot) (const uint8_t *a, const uint8_t *b, int n);
} VecdbU8KernelSet;

/* the kernels in use: set by VecdbU8KernelsInit, never NULL after it */
extern const VecdbU8KernelSet *vecdb_u8_kernels;
extern const VecdbU8KernelSet vecdb_u8_kernels_scalar;

extern void VecdbU8KernelsInit(void);
extern void VecdbU8KernelsForceScalar(int force);

/* every family this CPU runs, scalar first; returns the count */
extern int	VecdbU8KernelsAvailable(const VecdbU8KernelSet **sets, int maxsets);

#endif							/* VECDB_INT8_H */
