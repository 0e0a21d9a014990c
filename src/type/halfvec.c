/*-------------------------------------------------------------------------
 *
 * halfvec.c
 *	  The halfvec type: text and binary I/O, typmod, casts.
 *
 * Text input is the vector parser (vecparse.c) with a bound: each element
 * is read as float, exactly as strtof would, and an element that would
 * round to an infinite half is out of range where it is read, so the first
 * problem in the text is the one reported, as in pgvector.  Floats become
 * halves by rounding to nearest even (VecdbFloatToHalf).  Error texts and
 * SQLSTATEs are pgvector's (pinned in sql/halfvec_input_errors.sql).
 *
 * Copyright (c) 2026, vecdb developers
 *
 * src/type/halfvec.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "common/shortest_dec.h"
#include "libpq/pqformat.h"
#include "storage/shmem.h"
#include "utils/array.h"

#include "kernel/halfvec.h"
#include "halfvec.h"
#include "vecparse.h"
#include "vector.h"

/*
 * Allocates a zeroed halfvec of dim dimensions in the current memory
 * context.  The caller has checked dim against HALFVEC_MAX_DIM.
 */
HalfVector *
InitHalfVector(int dim)
{
	Size		size = HALFVEC_SIZE(dim);
	HalfVector *result = (HalfVector *) palloc0(size);

	SET_VARSIZE(result, size);
	result->dim = dim;
	return result;
}

/* dim is a valid halfvec dimension count (1 .. 16000), else 22000/54000 */
void
CheckHalfvecDim(int dim)
{
	VecdbCheckDim("halfvec", dim, HALFVEC_MAX_DIM);
}

/* value is finite, else 22000 (NaN, then infinity, as in pgvector) */
void
CheckHalfvecElement(half value)
{
	VecdbCheckElement("halfvec", VecdbHalfToFloat(value));
}

/* a and b have the same dimension count, else 22000 */
void
CheckHalfvecDims(const HalfVector *a, const HalfVector *b)
{
	VecdbCheckDims("halfvec", a->dim, b->dim);
}

/*
 * value rounded to a half; a finite value too large for a half is an error
 * (22003).  NaN and infinities pass through for CheckHalfvecElement.
 */
half
HalfFromFloatChecked(float value)
{
	half		h = VecdbFloatToHalf(value);

	if (VecdbHalfIsInf(h) && !isinf(value))
	{
		char		buf[FLOAT_SHORTEST_DECIMAL_LEN];

		float_to_shortest_decimal_buf(value, buf);
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("\"%s\" is out of range for type halfvec", buf)));
	}
	return h;
}

/*
 * Text input "[1,2,3]": the first problem in the text is reported, with
 * pgvector's message and SQLSTATE; the result is palloc'd in the current
 * context.
 */
PG_FUNCTION_INFO_V1(halfvec_in);
Datum
halfvec_in(PG_FUNCTION_ARGS)
{
	char	   *lit = PG_GETARG_CSTRING(0);
	int32		typmod = PG_GETARG_INT32(2);
	float		x[HALFVEC_MAX_DIM];
	VecParseResult res;
	HalfVector *result;

	if (VecParseBounded(lit, x, HALFVEC_MAX_DIM, VECDB_HALF_OVERFLOW,
						&res) != VECPARSE_OK)
		VecdbReportParseError("halfvec", lit, HALFVEC_MAX_DIM, &res);

	CheckVectorExpectedDim(typmod, res.dim);
	result = InitHalfVector(res.dim);
	for (int i = 0; i < res.dim; i++)
		result->x[i] = VecdbFloatToHalf(x[i]);
	PG_RETURN_HALFVEC_P(result);
}

/* Each element as the shortest decimal that reads back as the same float. */
PG_FUNCTION_INFO_V1(halfvec_out);
Datum
halfvec_out(PG_FUNCTION_ARGS)
{
	HalfVector *vec = PG_GETARG_HALFVEC_P(0);
	int			dim = vec->dim;
	char	   *buf;
	char	   *ptr;

	/* '[' + dim numbers + (dim - 1) commas + ']' + NUL */
	buf = (char *) palloc(add_size(mul_size(dim, FLOAT_SHORTEST_DECIMAL_LEN + 1), 2));
	ptr = buf;
	*ptr++ = '[';
	for (int i = 0; i < dim; i++)
	{
		if (i > 0)
			*ptr++ = ',';
		ptr += float_to_shortest_decimal_bufn(VecdbHalfToFloat(vec->x[i]), ptr);
	}
	*ptr++ = ']';
	*ptr = '\0';

	PG_FREE_IF_COPY(vec, 0);
	PG_RETURN_CSTRING(buf);
}

/* halfvec(n): one integer, 1 .. 16000, else 22023 */
PG_FUNCTION_INFO_V1(halfvec_typmod_in);
Datum
halfvec_typmod_in(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(VecdbTypmodIn(PG_GETARG_ARRAYTYPE_P(0), "halfvec",
								  HALFVEC_MAX_DIM));
}

/*
 * Binary input: int16 dim, int16 unused (must be 0), dim halves as uint16,
 * all in network byte order.  Core checks that the whole message was
 * consumed.
 */
PG_FUNCTION_INFO_V1(halfvec_recv);
Datum
halfvec_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int			dim;
	HalfVector *result;

	dim = VecdbRecvHeader(buf, PG_GETARG_INT32(2), "halfvec", HALFVEC_MAX_DIM);
	result = InitHalfVector(dim);
	for (int i = 0; i < dim; i++)
	{
		result->x[i] = (half) pq_getmsgint(buf, sizeof(half));
		CheckHalfvecElement(result->x[i]);
	}
	PG_RETURN_HALFVEC_P(result);
}

/* Binary output: the layout halfvec_recv reads, as bytea. */
PG_FUNCTION_INFO_V1(halfvec_send);
Datum
halfvec_send(PG_FUNCTION_ARGS)
{
	HalfVector *vec = PG_GETARG_HALFVEC_P(0);
	StringInfoData buf;

	VecdbSendHeader(&buf, vec->dim, vec->unused);
	for (int i = 0; i < vec->dim; i++)
		pq_sendint16(&buf, vec->x[i]);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* Cast halfvec to halfvec(n): only checks the dimension count. */
PG_FUNCTION_INFO_V1(halfvec);
Datum
halfvec(PG_FUNCTION_ARGS)
{
	HalfVector *vec = PG_GETARG_HALFVEC_P(0);
	int32		typmod = PG_GETARG_INT32(1);

	CheckVectorExpectedDim(typmod, vec->dim);
	PG_RETURN_HALFVEC_P(vec);
}

/*
 * Cast integer[], real[], double precision[] or numeric[] to halfvec.  As in
 * pgvector, every element is rounded (out of range is an error) before any
 * is checked for NaN or infinity.
 */
PG_FUNCTION_INFO_V1(array_to_halfvec);
Datum
array_to_halfvec(PG_FUNCTION_ARGS)
{
	ArrayType  *array = PG_GETARG_ARRAYTYPE_P(0);
	int32		typmod = PG_GETARG_INT32(1);
	HalfVector *result;
	float	   *values;
	int			n;

	values = VecdbArrayToFloats(array, &n);
	CheckHalfvecDim(n);
	CheckVectorExpectedDim(typmod, n);

	result = InitHalfVector(n);
	for (int i = 0; i < n; i++)
		result->x[i] = HalfFromFloatChecked(values[i]);
	for (int i = 0; i < n; i++)
		CheckHalfvecElement(result->x[i]);
	pfree(values);
	PG_RETURN_HALFVEC_P(result);
}

/* Cast halfvec to real[]: exact. */
PG_FUNCTION_INFO_V1(halfvec_to_float4);
Datum
halfvec_to_float4(PG_FUNCTION_ARGS)
{
	HalfVector *vec = PG_GETARG_HALFVEC_P(0);
	Datum	   *d = (Datum *) palloc(mul_size(sizeof(Datum), vec->dim));

	for (int i = 0; i < vec->dim; i++)
		d[i] = Float4GetDatum(VecdbHalfToFloat(vec->x[i]));
	PG_RETURN_POINTER(construct_array(d, vec->dim, FLOAT4OID,
									  sizeof(float4), true,
									  TYPALIGN_INT));
}

/* Cast vector to halfvec: each element rounded, out of range an error. */
PG_FUNCTION_INFO_V1(vector_to_halfvec);
Datum
vector_to_halfvec(PG_FUNCTION_ARGS)
{
	Vector	   *vec = PG_GETARG_VECTOR_P(0);
	int32		typmod = PG_GETARG_INT32(1);
	HalfVector *result;

	CheckHalfvecDim(vec->dim);
	CheckVectorExpectedDim(typmod, vec->dim);

	result = InitHalfVector(vec->dim);
	for (int i = 0; i < vec->dim; i++)
		result->x[i] = HalfFromFloatChecked(vec->x[i]);
	PG_RETURN_HALFVEC_P(result);
}

/* Cast halfvec to vector: exact. */
PG_FUNCTION_INFO_V1(halfvec_to_vector);
Datum
halfvec_to_vector(PG_FUNCTION_ARGS)
{
	HalfVector *vec = PG_GETARG_HALFVEC_P(0);
	int32		typmod = PG_GETARG_INT32(1);
	Vector	   *result;

	CheckVectorDim(vec->dim);
	CheckVectorExpectedDim(typmod, vec->dim);

	result = InitVector(vec->dim);
	for (int i = 0; i < vec->dim; i++)
		result->x[i] = VecdbHalfToFloat(vec->x[i]);
	PG_RETURN_VECTOR_P(result);
}
