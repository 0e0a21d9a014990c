/*-------------------------------------------------------------------------
 *
 * bincode.h
 *	  One-bit codes of float vectors with correction factors: the stored
 *	  form of an index built with quantization = binary.
 *
 * A vector x is measured from a centre c (the mean of the rows the index
 * was built from, for L2 and L1; the origin for IP and cosine), and its
 * residual r = x - c turned by a fixed orthogonal transform P (random
 * signs and Walsh-Hadamard transforms over the dimensions padded to D, a
 * power of two).  The code keeps the sign of each of the D coordinates of
 * P r, |r|, and the inner product of the unit residual with the unit
 * vector of those signs, which makes the estimate of an inner product
 * from the signs unbiased (the RaBitQ estimator, Gao and Long, SIGMOD
 * 2024).  A query is not reduced to signs: it keeps its turned residual
 * at 4 bits a coordinate, so an estimate is four AND-popcounts over the
 * code.  Distances between codes estimate distances between the vectors;
 * an index re-ranks its best candidates with the exact vectors from the
 * table.
 *
 * Copyright (c) 2026, vecdb developers
 *
 * src/type/bincode.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef VECDB_BINCODE_H
#define VECDB_BINCODE_H

#include "type/elemtype.h"

/* VecdbBinCode.form */
#define VECDB_BIN_STORED	1	/* a value's code, as an index stores it */
#define VECDB_BIN_QUERY		2	/* a query's form (VecdbBinQuery), never
								 * stored */

/* bits of the query's coordinates */
#define VECDB_BIN_QUERY_BITS 4

/*
 * Multiple of the estimator's standard error that the lower bound allows
 * for (see bincode.c): the bound holds with probability about 1 - 1e-3
 * for each candidate.
 */
#define VECDB_BIN_EPSILON	3.0

typedef struct VecdbBinCode
{
	float		norm;			/* |x - c| */
	float		ipf;			/* <sign unit vector, unit P r>, in (0, 1];
								 * 0 when norm is 0 */
	uint16		form;			/* VECDB_BIN_STORED */
	uint16		ones;			/* bits set in bits[] */
	uint8		bits[FLEXIBLE_ARRAY_MEMBER];	/* D bits: (P r)[i] > 0,
												 * bit i % 8 of byte i / 8 */
} VecdbBinCode;

typedef struct VecdbBinQuery
{
	float		norm;			/* |q - c| */
	float		ipf;			/* unused, 0 */
	uint16		form;			/* VECDB_BIN_QUERY */
	uint16		unused;
	float		lo;				/* unit P r ~ lo + step * u, u in 0 .. 15 */
	float		step;
	uint32		usum;			/* sum of u */
	uint8		planes[FLEXIBLE_ARRAY_MEMBER];	/* VECDB_BIN_QUERY_BITS
												 * planes of D bits: bit j
												 * of each u */
} VecdbBinQuery;

/* D: the dimensions padded to a power of two, at least 64 */
extern int	VecdbBinPadded(int dims);

#define VECDB_BIN_CODE_SIZE(dims) \
	(offsetof(VecdbBinCode, bits) + (Size) VecdbBinPadded(dims) / 8)

/* the descriptor of the codes (VECDB_ELEM_BINARY) */
extern const VecdbElemType vecdb_bin_code_type;

#endif							/* VECDB_BINCODE_H */
