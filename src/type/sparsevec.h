/*-------------------------------------------------------------------------
 *
 * sparsevec.h
 *	  The sparsevec type: on-disk struct, limits and shared checks.
 *
 * The varlena layout is pgvector's, byte for byte: int32 header, int32 dim,
 * int32 nnz, int32 unused (always 0), nnz int32 indices (0-based, strictly
 * increasing), then nnz float4 values, none of them zero.  Binary
 * send/recv is the same minus the header, in network byte order.  Text
 * uses 1-based indices: "{1:1.5,3:2}/5".
 *
 * Copyright (c) 2026, vecdb developers
 *
 * src/type/sparsevec.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef VECDB_SPARSEVEC_H
#define VECDB_SPARSEVEC_H

#include "fmgr.h"

#include "vector.h"

#define SPARSEVEC_MAX_DIM 1000000000
#define SPARSEVEC_MAX_NNZ 16000

typedef struct SparseVector
{
	int32		vl_len_;		/* varlena header (do not touch directly!) */
	int32		dim;			/* number of dimensions */
	int32		nnz;			/* number of stored (non-zero) elements */
	int32		unused;			/* reserved, always zero */
	int32		indices[FLEXIBLE_ARRAY_MEMBER];
	/* followed by float values[nnz] */
} SparseVector;

/* nnz is at most SPARSEVEC_MAX_NNZ, so this cannot overflow */
#define SPARSEVEC_SIZE(_nnz) \
	(offsetof(SparseVector, indices) + (sizeof(int32) + sizeof(float)) * (_nnz))
#define SPARSEVEC_VALUES(_v)	((float *) ((_v)->indices + (_v)->nnz))

#define DatumGetSparseVector(x)		((SparseVector *) PG_DETOAST_DATUM(x))
#define PG_GETARG_SPARSEVEC_P(x)	DatumGetSparseVector(PG_GETARG_DATUM(x))
#define PG_RETURN_SPARSEVEC_P(x)	PG_RETURN_POINTER(x)

/* sparsevec.c */
extern SparseVector *InitSparseVector(int dim, int nnz);
extern void CheckSparsevecNnz(int nnz, int dim);

/* the checks shared by every vector type (vector.c), for sparsevec */
#define CheckSparsevecDim(dim) \
	VecdbCheckDim("sparsevec", (dim), SPARSEVEC_MAX_DIM)
#define CheckSparsevecElement(value)	VecdbCheckElement("sparsevec", (value))
#define CheckSparsevecDims(a, b) \
	VecdbCheckDims("sparsevec", (a)->dim, (b)->dim)

#endif							/* VECDB_SPARSEVEC_H */
