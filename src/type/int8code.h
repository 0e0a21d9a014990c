/*-------------------------------------------------------------------------
 *
 * int8code.h
 *	  8-bit scalar codes of float vectors: the stored form of an index built
 *	  with quantization = int8.
 *
 * A code approximates each element x[i] of a vector as offset + scale *
 * c[i], c[i] in 0 .. 255, with offset and scale the vector's own (its
 * smallest element and its range / 255), so no training pass is needed and
 * a code never goes stale.  It also carries the squared norm of the vector
 * it stands for and the sum of its codes, so the dot product of two codes
 * needs one integer dot product of the 8-bit arrays.  Distances between
 * codes estimate distances between the vectors; an index re-ranks its best
 * candidates with the exact vectors from the table.
 *
 * Copyright (c) 2026, vecdb developers
 *
 * src/type/int8code.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef VECDB_INT8CODE_H
#define VECDB_INT8CODE_H

#include "type/elemtype.h"

typedef struct VecdbInt8Code
{
	float		offset;			/* the value of code 0 */
	float		scale;			/* the step between codes; 0 if all equal */
	float		sqnorm;			/* squared norm of the decoded vector */
	uint32		csum;			/* sum of c[] */
	uint8		c[FLEXIBLE_ARRAY_MEMBER];
} VecdbInt8Code;

#define VECDB_INT8_CODE_SIZE(dims)	(offsetof(VecdbInt8Code, c) + (Size) (dims))

/* the descriptor of the codes (VECDB_ELEM_INT8) */
extern const VecdbElemType vecdb_int8_code_type;

/*
 * Encodes stored value x (dims elements of source type src, which must
 * have to_float) into out, VECDB_INT8_CODE_SIZE(dims) bytes.
 */
extern void VecdbInt8Encode(const VecdbElemType *src, const void *x, int dims, void *out);

#endif							/* VECDB_INT8CODE_H */
