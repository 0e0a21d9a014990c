/*-------------------------------------------------------------------------
 *
 * vector.h
 *	  The vector type: on-disk struct, limits and shared checks.
 *
 * The varlena layout is pgvector's, byte for byte: int32 header, int16 dim,
 * int16 unused (always 0), dim float4 values.  Binary send/recv is the same
 * minus the header, in network byte order.
 *
 * Copyright (c) 2026, vecdb developers
 *
 * src/type/vector.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef VECDB_VECTOR_H
#define VECDB_VECTOR_H

#include "fmgr.h"
#include "utils/array.h"

#define VECTOR_MAX_DIM 16000

typedef struct Vector
{
	int32		vl_len_;		/* varlena header (do not touch directly!) */
	int16		dim;			/* number of dimensions */
	int16		unused;			/* reserved, always zero */
	float		x[FLEXIBLE_ARRAY_MEMBER];
} Vector;

#define VECTOR_SIZE(_dim)		(offsetof(Vector, x) + sizeof(float) * (_dim))
#define DatumGetVector(x)		((Vector *) PG_DETOAST_DATUM(x))
#define PG_GETARG_VECTOR_P(x)	DatumGetVector(PG_GETARG_DATUM(x))
#define PG_RETURN_VECTOR_P(x)	PG_RETURN_POINTER(x)

/* vector.c */
extern Vector *InitVector(int dim);
extern void CheckTypeDim(const char *typname, int64 dim, int maxdim);
extern void CheckTypeElement(const char *typname, float value);
extern void CheckTypeDims(const char *typname, int adim, int bdim);
extern void CheckVectorExpectedDim(int32 typmod, int dim);

#define CheckVectorDim(dim)			CheckTypeDim("vector", (dim), VECTOR_MAX_DIM)
#define CheckVectorElement(value)	CheckTypeElement("vector", (value))
#define CheckVectorDims(a, b)		CheckTypeDims("vector", (a)->dim, (b)->dim)
extern int32 VectorTypmodIn(ArrayType *ta, const char *typname, int maxdim);
extern int	DeconstructVectorArray(ArrayType *array, Datum **elems,
								   Oid *elemtype);
extern float VectorArrayElement(Datum elem, Oid elemtype);

#endif							/* VECDB_VECTOR_H */
