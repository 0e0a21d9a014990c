/*-------------------------------------------------------------------------
 *
 * halfvec.h
 *	  The halfvec type: on-disk struct, limits and shared checks.
 *
 * The varlena layout is pgvector's, byte for byte: int32 header, int16 dim,
 * int16 unused (always 0), dim IEEE binary16 values kept as uint16 bit
 * patterns.  Binary send/recv is the same minus the header, in network byte
 * order.  Conversions and distance kernels are in kernel/halfvec.h.
 *
 * Copyright (c) 2026, vecdb developers
 *
 * src/type/halfvec.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef VECDB_HALFVEC_H
#define VECDB_HALFVEC_H

#include "fmgr.h"

#define HALFVEC_MAX_DIM 16000

typedef uint16 half;

typedef struct HalfVector
{
	int32		vl_len_;		/* varlena header (do not touch directly!) */
	int16		dim;			/* number of dimensions */
	int16		unused;			/* reserved, always zero */
	half		x[FLEXIBLE_ARRAY_MEMBER];
} HalfVector;

#define HALFVEC_SIZE(_dim)		(offsetof(HalfVector, x) + sizeof(half) * (_dim))
#define DatumGetHalfVector(x)	((HalfVector *) PG_DETOAST_DATUM(x))
#define PG_GETARG_HALFVEC_P(x)	DatumGetHalfVector(PG_GETARG_DATUM(x))
#define PG_RETURN_HALFVEC_P(x)	PG_RETURN_POINTER(x)

/* halfvec.c */
extern HalfVector *InitHalfVector(int dim);
extern void CheckHalfvecDim(int dim);
extern void CheckHalfvecElement(half value);
extern void CheckHalfvecDims(const HalfVector *a, const HalfVector *b);
extern half HalfFromFloatChecked(float value);

#endif							/* VECDB_HALFVEC_H */
