/*-------------------------------------------------------------------------
 *
 * sparsevec.c
 *	  The sparsevec type: text and binary I/O, typmod, casts.
 *
 * Error texts, SQLSTATEs and the order in which problems are found are
 * pgvector's (pinned in sql/sparsevec_input_errors.sql).  The stored form is
 * canonical: indices strictly increasing and in range, no zero value; text
 * input sorts and drops zeros, binary input and the casts refuse or drop
 * what would break that, so the operators in sparsevec_ops.c can rely on it.
 *
 * Copyright (c) 2026, vecdb developers
 *
 * src/type/sparsevec.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "common/shortest_dec.h"
#include "libpq/pqformat.h"
#include "storage/shmem.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "kernel/halfvec.h"
#include "halfvec.h"
#include "sparseparse.h"
#include "sparsevec.h"
#include "vector.h"

/*
 * Allocates a zeroed sparse vector with room for nnz elements in the
 * current memory context.  The caller has checked dim and nnz.
 */
SparseVector *
InitSparseVector(int dim, int nnz)
{
	Size		size = SPARSEVEC_SIZE(nnz);
	SparseVector *result = (SparseVector *) palloc0(size);

	SET_VARSIZE(result, size);
	result->dim = dim;
	result->nnz = nnz;
	return result;
}

/* the error for more than SPARSEVEC_MAX_NNZ stored elements */
static void
too_many_elements(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("sparsevec cannot have more than %d non-zero elements",
					SPARSEVEC_MAX_NNZ)));
}

/*
 * Checks a count of stored elements against dim and SPARSEVEC_MAX_NNZ, with
 * pgvector's texts; binary input and the casts call it before allocating.
 */
void
CheckSparsevecNnz(int nnz, int dim)
{
	if (nnz < 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("sparsevec cannot have negative number of elements")));
	if (nnz > SPARSEVEC_MAX_NNZ)
		too_many_elements();
	if (nnz > dim)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("sparsevec cannot have more elements than dimensions")));
}

static void
index_out_of_bounds(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_EXCEPTION),
			 errmsg("sparsevec index out of bounds")));
}

static void
duplicate_index(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_EXCEPTION),
			 errmsg("sparsevec indices must not contain duplicates")));
}

static void
invalid_syntax(const char *lit, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type sparsevec: \"%s\"", lit),
			 detail ? errdetail("%s", detail) : 0));
}

/*
 * Text input: parses lit (sparseparse.c), checks the typmod, then sorts and
 * checks the indices; every problem is reported with pgvector's text and
 * SQLSTATE.  The result is canonical, in the current memory context.
 */
PG_FUNCTION_INFO_V1(sparsevec_in);
Datum
sparsevec_in(PG_FUNCTION_ARGS)
{
	char	   *lit = PG_GETARG_CSTRING(0);
	int32		typmod = PG_GETARG_INT32(2);
	int			cap = SparseParseCapacity(lit);
	SparseParseResult res;
	SparseElem *elems;
	SparseVector *result;
	float	   *values;

	if (cap > SPARSEVEC_MAX_NNZ)
		too_many_elements();
	elems = (SparseElem *) palloc(mul_size(cap, sizeof(SparseElem)));

	switch (SparseParse(lit, elems, SPARSEVEC_MAX_NNZ, SPARSEVEC_MAX_DIM, &res))
	{
		case SPARSEPARSE_OK:
			break;
		case SPARSEPARSE_TOO_MANY_ELEMENTS:
			too_many_elements();
			break;
		case SPARSEPARSE_NO_OPEN_BRACE:
			invalid_syntax(lit, "Vector contents must start with \"{\".");
			break;
		case SPARSEPARSE_OUT_OF_RANGE:
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("\"%s\" is out of range for type sparsevec",
							pnstrdup(lit + res.tok_start, res.tok_len))));
			break;
		case SPARSEPARSE_NAN:
			CheckSparsevecElement(NAN);
			break;
		case SPARSEPARSE_INFINITE:
			CheckSparsevecElement(INFINITY);
			break;
		case SPARSEPARSE_NO_SLASH:
			invalid_syntax(lit, "Unexpected end of input.");
			break;
		case SPARSEPARSE_JUNK_AFTER_DIM:
			invalid_syntax(lit, "Junk after closing.");
			break;
		case SPARSEPARSE_DIM_TOO_SMALL:
		case SPARSEPARSE_DIM_TOO_LARGE:
			CheckSparsevecDim(res.dim);
			break;
		default:				/* SPARSEPARSE_SYNTAX */
			invalid_syntax(lit, NULL);
			break;
	}

	CheckVectorExpectedDim(typmod, res.dim);

	switch (SparseCanonicalize(elems, res.nnz, res.dim))
	{
		case SPARSEPARSE_OK:
			break;
		case SPARSEPARSE_DUPLICATE_INDEX:
			duplicate_index();
			break;
		default:				/* SPARSEPARSE_INDEX_OUT_OF_BOUNDS */
			index_out_of_bounds();
			break;
	}

	result = InitSparseVector(res.dim, res.nnz);
	values = SPARSEVEC_VALUES(result);
	for (int i = 0; i < res.nnz; i++)
	{
		result->indices[i] = elems[i].index;
		values[i] = elems[i].value;
	}
	pfree(elems);
	PG_RETURN_SPARSEVEC_P(result);
}

/* Writes the decimal form of v at ptr; returns its length (no NUL counted). */
static int
append_int(char *ptr, int32 v)
{
#if PG_VERSION_NUM >= 140000
	return pg_ltoa(v, ptr);
#else
	pg_ltoa(v, ptr);
	return strlen(ptr);
#endif
}

/* Text output: 1-based indices, each value as the shortest exact decimal. */
PG_FUNCTION_INFO_V1(sparsevec_out);
Datum
sparsevec_out(PG_FUNCTION_ARGS)
{
	SparseVector *svec = PG_GETARG_SPARSEVEC_P(0);
	float	   *values = SPARSEVEC_VALUES(svec);
	char	   *buf;
	char	   *ptr;

	/*
	 * Per element: an index (11 chars with sign), ':', a float (at most
	 * FLOAT_SHORTEST_DECIMAL_LEN - 1) and ','; then "{}/", the dimension
	 * and the NUL.
	 */
	buf = (char *) palloc(add_size(mul_size(svec->nnz,
											13 + FLOAT_SHORTEST_DECIMAL_LEN),
								   16));
	ptr = buf;
	*ptr++ = '{';
	for (int i = 0; i < svec->nnz; i++)
	{
		if (i > 0)
			*ptr++ = ',';
		ptr += append_int(ptr, svec->indices[i] + 1);
		*ptr++ = ':';
		ptr += float_to_shortest_decimal_bufn(values[i], ptr);
	}
	*ptr++ = '}';
	*ptr++ = '/';
	ptr += append_int(ptr, svec->dim);
	*ptr = '\0';

	PG_FREE_IF_COPY(svec, 0);
	PG_RETURN_CSTRING(buf);
}

PG_FUNCTION_INFO_V1(sparsevec_typmod_in);
Datum
sparsevec_typmod_in(PG_FUNCTION_ARGS)
{
	ArrayType  *ta = PG_GETARG_ARRAYTYPE_P(0);

	PG_RETURN_INT32(VecdbTypmodIn(ta, "sparsevec", SPARSEVEC_MAX_DIM));
}

/*
 * Binary input: int32 dim, int32 nnz, int32 unused (must be 0), nnz int32
 * 0-based indices (strictly increasing), nnz non-zero float4 values, all in
 * network byte order.  Core checks that the whole message was consumed.
 */
PG_FUNCTION_INFO_V1(sparsevec_recv);
Datum
sparsevec_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int32		typmod = PG_GETARG_INT32(2);
	int32		dim;
	int32		nnz;
	int32		unused;
	SparseVector *result;
	float	   *values;

	dim = (int32) pq_getmsgint(buf, sizeof(int32));
	nnz = (int32) pq_getmsgint(buf, sizeof(int32));
	unused = (int32) pq_getmsgint(buf, sizeof(int32));

	CheckSparsevecDim(dim);
	CheckSparsevecNnz(nnz, dim);
	CheckVectorExpectedDim(typmod, dim);
	if (unused != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("expected unused to be 0, not %d", unused)));

	result = InitSparseVector(dim, nnz);
	values = SPARSEVEC_VALUES(result);
	for (int i = 0; i < nnz; i++)
	{
		int32		index = (int32) pq_getmsgint(buf, sizeof(int32));

		result->indices[i] = index;
		if (index < 0 || index >= dim)
			index_out_of_bounds();
		if (i > 0 && index < result->indices[i - 1])
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("sparsevec indices must be in ascending order")));
		if (i > 0 && index == result->indices[i - 1])
			duplicate_index();
	}
	for (int i = 0; i < nnz; i++)
	{
		values[i] = pq_getmsgfloat4(buf);
		CheckSparsevecElement(values[i]);
		if (values[i] == 0)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("binary representation of sparsevec cannot contain zero values")));
	}
	PG_RETURN_SPARSEVEC_P(result);
}

PG_FUNCTION_INFO_V1(sparsevec_send);
Datum
sparsevec_send(PG_FUNCTION_ARGS)
{
	SparseVector *svec = PG_GETARG_SPARSEVEC_P(0);
	float	   *values = SPARSEVEC_VALUES(svec);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendint32(&buf, svec->dim);
	pq_sendint32(&buf, svec->nnz);
	pq_sendint32(&buf, svec->unused);
	for (int i = 0; i < svec->nnz; i++)
		pq_sendint32(&buf, svec->indices[i]);
	for (int i = 0; i < svec->nnz; i++)
		pq_sendfloat4(&buf, values[i]);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* Cast sparsevec to sparsevec(n): only checks the dimension count. */
PG_FUNCTION_INFO_V1(sparsevec);
Datum
sparsevec(PG_FUNCTION_ARGS)
{
	SparseVector *svec = PG_GETARG_SPARSEVEC_P(0);
	int32		typmod = PG_GETARG_INT32(1);

	CheckVectorExpectedDim(typmod, svec->dim);
	PG_RETURN_SPARSEVEC_P(svec);
}

/*
 * The sparse form of x[0 .. dim-1], keeping the elements that are not zero
 * (NaN and infinities included: the caller checks them if it must).  dim
 * has been checked.
 */
static SparseVector *
sparse_from_dense(const float *x, int dim)
{
	SparseVector *result;
	float	   *values;
	int			nnz = 0;

	for (int i = 0; i < dim; i++)
		nnz += (x[i] != 0);
	CheckSparsevecNnz(nnz, dim);

	result = InitSparseVector(dim, nnz);
	values = SPARSEVEC_VALUES(result);
	nnz = 0;
	for (int i = 0; i < dim; i++)
	{
		if (x[i] != 0)
		{
			result->indices[nnz] = i;
			values[nnz++] = x[i];
		}
	}
	return result;
}

/* Cast vector to sparsevec (implicit, as in pgvector). */
PG_FUNCTION_INFO_V1(vector_to_sparsevec);
Datum
vector_to_sparsevec(PG_FUNCTION_ARGS)
{
	Vector	   *vec = PG_GETARG_VECTOR_P(0);
	int32		typmod = PG_GETARG_INT32(1);

	CheckSparsevecDim(vec->dim);
	CheckVectorExpectedDim(typmod, vec->dim);
	PG_RETURN_SPARSEVEC_P(sparse_from_dense(vec->x, vec->dim));
}

/* Cast sparsevec to vector: the vector type's dimension limit applies. */
PG_FUNCTION_INFO_V1(sparsevec_to_vector);
Datum
sparsevec_to_vector(PG_FUNCTION_ARGS)
{
	SparseVector *svec = PG_GETARG_SPARSEVEC_P(0);
	int32		typmod = PG_GETARG_INT32(1);
	float	   *values = SPARSEVEC_VALUES(svec);
	Vector	   *result;

	CheckVectorDim(svec->dim);
	CheckVectorExpectedDim(typmod, svec->dim);

	result = InitVector(svec->dim);
	for (int i = 0; i < svec->nnz; i++)
		result->x[svec->indices[i]] = values[i];
	PG_RETURN_VECTOR_P(result);
}

/* Cast halfvec to sparsevec (implicit, as in pgvector): values widened. */
PG_FUNCTION_INFO_V1(halfvec_to_sparsevec);
Datum
halfvec_to_sparsevec(PG_FUNCTION_ARGS)
{
	HalfVector *vec = PG_GETARG_HALFVEC_P(0);
	int32		typmod = PG_GETARG_INT32(1);
	float	   *x;
	SparseVector *result;

	CheckSparsevecDim(vec->dim);
	CheckVectorExpectedDim(typmod, vec->dim);
	x = (float *) palloc(sizeof(float) * vec->dim);
	for (int i = 0; i < vec->dim; i++)
		x[i] = VecdbHalfToFloat(vec->x[i]);
	result = sparse_from_dense(x, vec->dim);
	pfree(x);
	PG_RETURN_SPARSEVEC_P(result);
}

/*
 * Cast sparsevec to halfvec: the halfvec type's dimension limit applies,
 * and each value is rounded to half (out of range is an error).
 */
PG_FUNCTION_INFO_V1(sparsevec_to_halfvec);
Datum
sparsevec_to_halfvec(PG_FUNCTION_ARGS)
{
	SparseVector *svec = PG_GETARG_SPARSEVEC_P(0);
	int32		typmod = PG_GETARG_INT32(1);
	float	   *values = SPARSEVEC_VALUES(svec);
	HalfVector *result;

	CheckHalfvecDim(svec->dim);
	CheckVectorExpectedDim(typmod, svec->dim);

	result = InitHalfVector(svec->dim);
	for (int i = 0; i < svec->nnz; i++)
		result->x[svec->indices[i]] = HalfFromFloatChecked(values[i]);
	PG_RETURN_HALFVEC_P(result);
}

/*
 * Cast integer[], real[], double precision[] or numeric[] to sparsevec.
 * As in pgvector, the count of non-zero elements is checked before their
 * values, so a too-long array with a NaN reports the count.
 */
PG_FUNCTION_INFO_V1(array_to_sparsevec);
Datum
array_to_sparsevec(PG_FUNCTION_ARGS)
{
	ArrayType  *array = PG_GETARG_ARRAYTYPE_P(0);
	int32		typmod = PG_GETARG_INT32(1);
	SparseVector *result;
	float	   *x;
	float	   *values;
	int			n;

	x = VecdbArrayToFloats(array, &n);
	CheckSparsevecDim(n);
	CheckVectorExpectedDim(typmod, n);
	result = sparse_from_dense(x, n);
	pfree(x);

	values = SPARSEVEC_VALUES(result);
	for (int i = 0; i < result->nnz; i++)
		CheckSparsevecElement(values[i]);
	PG_RETURN_SPARSEVEC_P(result);
}
