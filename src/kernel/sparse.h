/*-------------------------------------------------------------------------
 *
 * sparse.h
 *	  Distance kernels over sparse vectors (sorted index lists).
 *
 * Plain C, no backend calls, so the unit test links them without a server.
 * A sparse operand is three things: indices[] (0-based, strictly
 * increasing), values[] and their count nnz >= 0.  The kernels walk two
 * index lists in one merge, in ascending index order, and accumulate in
 * float, one term at a time: that is the order and precision pgvector uses,
 * so the results are pgvector's bit for bit (including +Infinity when a sum
 * passes FLT_MAX, where the dense scalar kernels, which sum in double, stay
 * finite).
 *
 * Copyright (c) 2026, vecdb developers
 *
 * src/kernel/sparse.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef VECDB_SPARSE_H
#define VECDB_SPARSE_H

#include <stdint.h>

/* A kernel between two sparse vectors a and b of the same dimension. */
typedef float (*VecdbSparseKernel) (const int32_t *ai, const float *ax, int an,
									const int32_t *bi, const float *bx, int bn);

/* sum of a[k] * b[k] over the indices both hold */
extern float VecdbSparseDot(const int32_t *ai, const float *ax, int an,
							const int32_t *bi, const float *bx, int bn);

/* sum of (a[k] - b[k])^2 over the union of the indices (a missing one is 0) */
extern float VecdbSparseL2sq(const int32_t *ai, const float *ax, int an,
							 const int32_t *bi, const float *bx, int bn);

/* sum of |a[k] - b[k]| over the union of the indices */
extern float VecdbSparseL1(const int32_t *ai, const float *ax, int an,
						   const int32_t *bi, const float *bx, int bn);

/* sum of x[k]^2 for k < n, in float, in order (cosine's norms) */
extern float VecdbSparseNormSq(const float *x, int n);

/*
 * Sparse a against dense b[0 .. dim-1]; every index of a must be below dim.
 * Same order and precision: ascending index, float accumulation.
 */
extern float VecdbSparseDenseDot(const int32_t *ai, const float *ax, int an,
								 const float *b);
extern float VecdbSparseDenseL2sq(const int32_t *ai, const float *ax, int an,
								  const float *b, int dim);

#endif							/* VECDB_SPARSE_H */
