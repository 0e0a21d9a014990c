/*-------------------------------------------------------------------------
 *
 * vector.c
 *	  The vector type: text and binary I/O, typmod, casts.
 *
 * Error texts and SQLSTATEs are pgvector's, so that applications that
 * match on them keep working (see ../shared/reference/pgvector.md 1.11 and
 * the pinned cases in sql/vector_input_errors.sql).
 *
 * Copyright (c) 2026, vecdb developers
 *
 * src/type/vector.c
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
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"

#include "vecparse.h"
#include "vector.h"

/*
 * Allocates a zeroed vector of dim dimensions in the current memory context.
 * The caller has checked dim against VECTOR_MAX_DIM.
 */
Vector *
InitVector(int dim)
{
	Size		size = VECTOR_SIZE(dim);
	Vector	   *result = (Vector *) palloc0(size);

	SET_VARSIZE(result, size);
	result->dim = dim;
	return result;
}

/*
 * The checks and helpers below are shared by the vector types (vector,
 * halfvec, sparsevec): the type's name goes into pgvector's message texts,
 * e.g. "sparsevec must have at least 1 dimension".
 */
void
VecdbCheckDim(const char *typname, int dim, int maxdim)
{
	if (dim < 1)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("%s must have at least 1 dimension", typname)));
	if (dim > maxdim)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s cannot have more than %d dimensions",
						typname, maxdim)));
}

/* value is an element of typname, widened to float */
void
VecdbCheckElement(const char *typname, float value)
{
	if (isnan(value))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("NaN not allowed in %s", typname)));
	if (isinf(value))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("infinite value not allowed in %s", typname)));
}

/* two operands of typname must have the same dimension count */
void
VecdbCheckDims(const char *typname, int adim, int bdim)
{
	if (adim != bdim)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("different %s dimensions %d and %d",
						typname, adim, bdim)));
}

/*
 * Reports the error VecParse (or VecParseBounded) found in lit, as the
 * input function of typname; res->status is not VECPARSE_OK.
 */
void
VecdbReportParseError(const char *typname, const char *lit, int maxdim,
					  const VecParseResult *res)
{
	switch (res->status)
	{
		case VECPARSE_OK:
			break;
		case VECPARSE_NO_OPEN_BRACKET:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid input syntax for type %s: \"%s\"", typname, lit),
					 errdetail("Vector contents must start with \"[\".")));
			break;
		case VECPARSE_EMPTY:
			VecdbCheckDim(typname, 0, maxdim);
			break;
		case VECPARSE_TOO_MANY_DIMS:
			VecdbCheckDim(typname, maxdim + 1, maxdim);
			break;
		case VECPARSE_SYNTAX:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid input syntax for type %s: \"%s\"", typname, lit)));
			break;
		case VECPARSE_OUT_OF_RANGE:
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("\"%s\" is out of range for type %s",
							pnstrdup(lit + res->tok_start, res->tok_len),
							typname)));
			break;
		case VECPARSE_NAN:
			VecdbCheckElement(typname, NAN);
			break;
		case VECPARSE_INFINITE:
			VecdbCheckElement(typname, INFINITY);
			break;
		case VECPARSE_JUNK_AFTER_CLOSE:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid input syntax for type %s: \"%s\"", typname, lit),
					 errdetail("Junk after closing right brace.")));
			break;
	}
}

/* The typmod_in of a dense type: one integer, 1 .. maxdim. */
int32
VecdbTypmodIn(ArrayType *ta, const char *typname, int maxdim)
{
	int32	   *tl;
	int			n;

	tl = ArrayGetIntegerTypmods(ta, &n);
	if (n != 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid type modifier")));
	if (*tl < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("dimensions for type %s must be at least 1", typname)));
	if (*tl > maxdim)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("dimensions for type %s cannot exceed %d",
						typname, maxdim)));
	return *tl;
}

/*
 * The elements of a 1-D integer[], real[], double precision[] or numeric[]
 * without nulls, as floats (rounded as a cast to real would), in a palloc'd
 * array of *n; the caller checks *n and the values.
 */
float *
VecdbArrayToFloats(ArrayType *array, int *n)
{
	Oid			elemtype = ARR_ELEMTYPE(array);
	int16		typlen;
	bool		typbyval;
	char		typalign;
	Datum	   *elems;
	int			nelems;
	float	   *result;

	if (ARR_NDIM(array) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("array must be 1-D")));
	if (ARR_HASNULL(array) && array_contains_nulls(array))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("array must not contain nulls")));
	if (elemtype != INT4OID && elemtype != FLOAT4OID &&
		elemtype != FLOAT8OID && elemtype != NUMERICOID)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("unsupported array type")));

	get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
	deconstruct_array(array, elemtype, typlen, typbyval, typalign,
					  &elems, NULL, &nelems);

	result = (float *) palloc(mul_size(sizeof(float), Max(nelems, 1)));
	for (int i = 0; i < nelems; i++)
	{
		switch (elemtype)
		{
			case INT4OID:
				result[i] = (float) DatumGetInt32(elems[i]);
				break;
			case FLOAT4OID:
				result[i] = DatumGetFloat4(elems[i]);
				break;
			case FLOAT8OID:
				result[i] = (float) DatumGetFloat8(elems[i]);
				break;
			default:			/* NUMERICOID */
				result[i] = DatumGetFloat4(DirectFunctionCall1(numeric_float4,
															   elems[i]));
				break;
		}
	}
	pfree(elems);
	*n = nelems;
	return result;
}

/*
 * Reads the binary header of a dense type (int16 dim, int16 unused that
 * must be 0, network byte order) and checks dim against the type's limit
 * and typmod; returns dim.  The caller reads the elements.
 */
int
VecdbRecvHeader(StringInfo buf, int32 typmod, const char *typname, int maxdim)
{
	int16		dim = (int16) pq_getmsgint(buf, sizeof(int16));
	int16		unused = (int16) pq_getmsgint(buf, sizeof(int16));

	VecdbCheckDim(typname, dim, maxdim);
	CheckVectorExpectedDim(typmod, dim);
	if (unused != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("expected unused to be 0, not %d", unused)));
	return dim;
}

/* Starts a dense type's binary output in buf with its header. */
void
VecdbSendHeader(StringInfo buf, int dim, int unused)
{
	pq_begintypsend(buf);
	pq_sendint16(buf, (uint16) dim);
	pq_sendint16(buf, (uint16) unused);
}

/*
 * The elements subvector(start, count) takes from a vector of dim
 * dimensions, 1-based with substring's clamping (a start below 1 shortens
 * the result): *first (0-based) and *n.  An empty result is the type's
 * "at least 1 dimension" error.
 */
void
VecdbSubvectorRange(const char *typname, int dim, int32 start, int32 count,
					int *first, int *n)
{
	int64		lo,
				hi;

	if (count < 1)
		VecdbCheckDim(typname, 0, dim);
	/* int64 arithmetic: start + count cannot overflow */
	lo = Max((int64) start, 1);
	hi = Min((int64) start + count - 1, (int64) dim);
	if (start > dim || hi < lo)
		VecdbCheckDim(typname, 0, dim);
	*first = (int) (lo - 1);
	*n = (int) (hi - lo + 1);
}

void
CheckVectorDim(int dim)
{
	VecdbCheckDim("vector", dim, VECTOR_MAX_DIM);
}

/* typmod -1 (none) accepts any dimension; the same text for every type */
void
CheckVectorExpectedDim(int32 typmod, int dim)
{
	if (typmod != -1 && typmod != dim)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("expected %d dimensions, not %d", typmod, dim)));
}

void
CheckVectorElement(float value)
{
	VecdbCheckElement("vector", value);
}

void
CheckVectorDims(const Vector *a, const Vector *b)
{
	VecdbCheckDims("vector", a->dim, b->dim);
}

PG_FUNCTION_INFO_V1(vector_in);
Datum
vector_in(PG_FUNCTION_ARGS)
{
	char	   *lit = PG_GETARG_CSTRING(0);
	int32		typmod = PG_GETARG_INT32(2);
	float		x[VECTOR_MAX_DIM];
	VecParseResult res;
	Vector	   *result;

	if (VecParse(lit, x, VECTOR_MAX_DIM, &res) != VECPARSE_OK)
		VecdbReportParseError("vector", lit, VECTOR_MAX_DIM, &res);

	CheckVectorExpectedDim(typmod, res.dim);
	result = InitVector(res.dim);
	memcpy(result->x, x, sizeof(float) * res.dim);
	PG_RETURN_VECTOR_P(result);
}

PG_FUNCTION_INFO_V1(vector_out);
Datum
vector_out(PG_FUNCTION_ARGS)
{
	Vector	   *vector = PG_GETARG_VECTOR_P(0);
	int			dim = vector->dim;
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
		ptr += float_to_shortest_decimal_bufn(vector->x[i], ptr);
	}
	*ptr++ = ']';
	*ptr = '\0';

	PG_FREE_IF_COPY(vector, 0);
	PG_RETURN_CSTRING(buf);
}

PG_FUNCTION_INFO_V1(vector_typmod_in);
Datum
vector_typmod_in(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(VecdbTypmodIn(PG_GETARG_ARRAYTYPE_P(0), "vector",
								  VECTOR_MAX_DIM));
}

/*
 * Binary input: int16 dim, int16 unused (must be 0), dim float4, all in
 * network byte order.  Core checks that the whole message was consumed.
 */
PG_FUNCTION_INFO_V1(vector_recv);
Datum
vector_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int			dim;
	Vector	   *result;

	dim = VecdbRecvHeader(buf, PG_GETARG_INT32(2), "vector", VECTOR_MAX_DIM);
	result = InitVector(dim);
	for (int i = 0; i < dim; i++)
	{
		result->x[i] = pq_getmsgfloat4(buf);
		CheckVectorElement(result->x[i]);
	}
	PG_RETURN_VECTOR_P(result);
}

PG_FUNCTION_INFO_V1(vector_send);
Datum
vector_send(PG_FUNCTION_ARGS)
{
	Vector	   *vec = PG_GETARG_VECTOR_P(0);
	StringInfoData buf;

	VecdbSendHeader(&buf, vec->dim, vec->unused);
	for (int i = 0; i < vec->dim; i++)
		pq_sendfloat4(&buf, vec->x[i]);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* Cast vector to vector(n): only checks the dimension count. */
PG_FUNCTION_INFO_V1(vector);
Datum
vector(PG_FUNCTION_ARGS)
{
	Vector	   *vec = PG_GETARG_VECTOR_P(0);
	int32		typmod = PG_GETARG_INT32(1);

	CheckVectorExpectedDim(typmod, vec->dim);
	PG_RETURN_VECTOR_P(vec);
}

/* Cast integer[], real[], double precision[] or numeric[] to vector. */
PG_FUNCTION_INFO_V1(array_to_vector);
Datum
array_to_vector(PG_FUNCTION_ARGS)
{
	ArrayType  *array = PG_GETARG_ARRAYTYPE_P(0);
	int32		typmod = PG_GETARG_INT32(1);
	Vector	   *result;
	float	   *values;
	int			n;

	values = VecdbArrayToFloats(array, &n);
	CheckVectorDim(n);
	CheckVectorExpectedDim(typmod, n);

	result = InitVector(n);
	for (int i = 0; i < n; i++)
	{
		result->x[i] = values[i];
		CheckVectorElement(result->x[i]);
	}
	pfree(values);
	PG_RETURN_VECTOR_P(result);
}

/* Cast vector to real[]. */
PG_FUNCTION_INFO_V1(vector_to_float4);
Datum
vector_to_float4(PG_FUNCTION_ARGS)
{
	Vector	   *vec = PG_GETARG_VECTOR_P(0);
	Datum	   *d = (Datum *) palloc(mul_size(sizeof(Datum), vec->dim));

	for (int i = 0; i < vec->dim; i++)
		d[i] = Float4GetDatum(vec->x[i]);
	PG_RETURN_POINTER(construct_array(d, vec->dim, FLOAT4OID,
									  sizeof(float4), true,
									  TYPALIGN_INT));
}
