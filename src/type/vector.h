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
#include "lib/stringinfo.h"
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

/* vector.c: checks and helpers shared by the vector types */
struct VecParseResult;
extern void VecdbCheckDim(const char *typname, int dim, int maxdim);
extern void VecdbCheckElement(const char *typname, float value);
extern void VecdbCheckDims(const char *typname, int adim, int bdim);
extern void VecdbReportParseError(const char *typname, const char *lit,
								  int maxdim,
								  const struct VecParseResult *res);
extern int32 VecdbTypmodIn(ArrayType *ta, const char *typname, int maxdim);
extern float *VecdbArrayToFloats(ArrayType *array, int *n);
extern int	VecdbRecvHeader(StringInfo buf, int32 typmod, const char *typname,
							int maxdim);
extern void VecdbSendHeader(StringInfo buf, int dim, int unused);
extern void VecdbSubvectorRange(const char *typname, int dim, int32 start,
								int32 count, int *first, int *n);

/* vector.c: the vector type's own */
extern Vector *InitVector(int dim);
extern void CheckVectorDim(int dim);
extern void CheckVectorExpectedDim(int32 typmod, int dim);
extern void CheckVectorElement(float value);
extern void CheckVectorDims(const Vector *a, const Vector *b);

#endif							/* VECDB_VECTOR_H */
