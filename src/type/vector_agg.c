/*-------------------------------------------------------------------------
 *
 * vector_agg.c
 *	  avg(vector) and avg(halfvec) support: transition, combine and final
 *	  functions.
 *
 * The state is a float8[] {n, sum_1, ..., sum_dim}, the same for both
 * types; the initial state '{0}' (length 1) means "no rows yet".  sum()
 * needs nothing here: it uses vector_add (halfvec_add) as both transition
 * and combine function.
 *
 * Inside an aggregate the transition function updates its state array in
 * place (like core's float8_accum), so avg() costs no allocation per row.
 *
 * Copyright (c) 2026, vecdb developers
 *
 * src/type/vector_agg.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "storage/shmem.h"
#include "utils/array.h"
#include "utils/float.h"

#include "halfvec.h"
#include "kernel/halfvec.h"
#include "vector.h"

/*
 * Validates a state array and returns its values; *dim gets the number of
 * dimensions it holds (0 for the empty state '{0}').  The arrays come from
 * our own functions unless a user calls them by hand, so this is an
 * ereport, not an elog.  Rejected: anything but a 1-D float8 array of at
 * least one element without nulls (as in pgvector), a count that is not a
 * whole number >= 0, and a zero count with nonzero sums.  The dimensions
 * are checked against the type where a vector is made or added.
 */
static float8 *
CheckStateArray(ArrayType *state, const char *caller, int *dim)
{
	float8	   *v;
	int			len;

	if (ARR_NDIM(state) != 1 || ARR_HASNULL(state) ||
		ARR_ELEMTYPE(state) != FLOAT8OID || ARR_DIMS(state)[0] < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: expected state array", caller)));
	len = ARR_DIMS(state)[0];
	v = (float8 *) ARR_DATA_PTR(state);
	if (!(v[0] >= 0) || v[0] != floor(v[0]) || isinf(v[0]))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: expected state array", caller)));
	if (v[0] == 0)
	{
		for (int i = 1; i < len; i++)
			if (v[i] != 0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("%s: expected state array", caller)));
	}
	*dim = len - 1;
	return v;
}

/* A fresh state array {n, values...} of dim + 1 zeros, then filled. */
static ArrayType *
NewStateArray(int dim)
{
	Size		size = add_size(ARR_OVERHEAD_NONULLS(1),
								mul_size(sizeof(float8), dim + 1));
	ArrayType  *a = (ArrayType *) palloc0(size);

	SET_VARSIZE(a, size);
	a->ndim = 1;
	a->dataoffset = 0;
	a->elemtype = FLOAT8OID;
	ARR_DIMS(a)[0] = dim + 1;
	ARR_LBOUND(a)[0] = 1;
	return a;
}

static inline float8
AddChecked(float8 a, float8 b)
{
	float8		r = a + b;

	if (isinf(r))
		float_overflow_error();
	return r;
}

/* element i of a float (fx) or half (hx) vector, as float8 */
static inline float8
StateElement(const float *fx, const half *hx, int i)
{
	return fx != NULL ? (float8) fx[i] : (float8) VecdbHalfToFloat(hx[i]);
}

/*
 * The transition function of avg() for both dense types: adds the vector
 * of dim elements (fx or hx, the other NULL) to the state in argument 0.
 * Inside an aggregate the state is updated in place.
 */
static ArrayType *
AccumState(FunctionCallInfo fcinfo, const char *caller,
		   const float *fx, const half *hx, int vdim)
{
	ArrayType  *state = PG_GETARG_ARRAYTYPE_P(0);
	float8	   *sv;
	int			dim;
	ArrayType  *result;
	float8	   *rv;

	sv = CheckStateArray(state, caller, &dim);
	if (dim == 0)
	{
		/* '{0}': the first row; a count without values is malformed */
		if (sv[0] != 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: expected state array", caller)));
		result = NewStateArray(vdim);
		rv = (float8 *) ARR_DATA_PTR(result);
		rv[0] = 1;
		for (int i = 0; i < vdim; i++)
			rv[i + 1] = StateElement(fx, hx, i);
		return result;
	}

	CheckVectorExpectedDim(dim, vdim);
	if (AggCheckCallContext(fcinfo, NULL))
		result = state;			/* ours to modify */
	else
	{
		result = NewStateArray(dim);
		memcpy(ARR_DATA_PTR(result), sv, sizeof(float8) * (dim + 1));
	}
	rv = (float8 *) ARR_DATA_PTR(result);
	rv[0] += 1;
	for (int i = 0; i < dim; i++)
		rv[i + 1] = AddChecked(rv[i + 1], StateElement(fx, hx, i));
	return result;
}

/*
 * The final function's common part: the state's values, or NULL for a
 * state of no rows; *dim has been checked as typname's dimensions.
 */
static float8 *
AvgState(ArrayType *state, const char *caller, const char *typname,
		 int maxdim, int *dim)
{
	float8	   *sv = CheckStateArray(state, caller, dim);

	if (sv[0] == 0)
		return NULL;			/* no rows: SQL's avg() of nothing */
	VecdbCheckDim(typname, *dim, maxdim);
	return sv;
}

PG_FUNCTION_INFO_V1(vector_accum);
Datum
vector_accum(PG_FUNCTION_ARGS)
{
	Vector	   *vec = PG_GETARG_VECTOR_P(1);

	PG_RETURN_ARRAYTYPE_P(AccumState(fcinfo, "vector_accum", vec->x, NULL,
									 vec->dim));
}

PG_FUNCTION_INFO_V1(halfvec_accum);
Datum
halfvec_accum(PG_FUNCTION_ARGS)
{
	HalfVector *vec = PG_GETARG_HALFVEC_P(1);

	PG_RETURN_ARRAYTYPE_P(AccumState(fcinfo, "halfvec_accum", NULL, vec->x,
									 vec->dim));
}

/*
 * Combines two partial states; shared by avg(vector) and avg(halfvec) (the
 * SQL function halfvec_combine is this one, as in pgvector).
 */
PG_FUNCTION_INFO_V1(vector_combine);
Datum
vector_combine(PG_FUNCTION_ARGS)
{
	ArrayType  *s1 = PG_GETARG_ARRAYTYPE_P(0);
	ArrayType  *s2 = PG_GETARG_ARRAYTYPE_P(1);
	float8	   *v1,
			   *v2,
			   *rv;
	int			d1,
				d2;
	ArrayType  *result;

	v1 = CheckStateArray(s1, "vector_combine", &d1);
	v2 = CheckStateArray(s2, "vector_combine", &d2);
	if (d1 > 0)
		CheckVectorDim(d1);
	if (d2 > 0)
		CheckVectorDim(d2);
	if (d2 == 0)
		PG_RETURN_ARRAYTYPE_P(s1);
	if (d1 == 0)
	{
		result = NewStateArray(d2);
		memcpy(ARR_DATA_PTR(result), v2, sizeof(float8) * (d2 + 1));
		PG_RETURN_ARRAYTYPE_P(result);
	}

	CheckVectorExpectedDim(d1, d2);
	result = NewStateArray(d1);
	rv = (float8 *) ARR_DATA_PTR(result);
	rv[0] = v1[0] + v2[0];
	for (int i = 1; i <= d1; i++)
		rv[i] = AddChecked(v1[i], v2[i]);
	PG_RETURN_ARRAYTYPE_P(result);
}

PG_FUNCTION_INFO_V1(vector_avg);
Datum
vector_avg(PG_FUNCTION_ARGS)
{
	float8	   *sv;
	int			dim;
	Vector	   *result;

	sv = AvgState(PG_GETARG_ARRAYTYPE_P(0), "vector_avg", "vector",
				  VECTOR_MAX_DIM, &dim);
	if (sv == NULL)
		PG_RETURN_NULL();

	result = InitVector(dim);
	for (int i = 0; i < dim; i++)
	{
		result->x[i] = (float) (sv[i + 1] / sv[0]);
		CheckVectorElement(result->x[i]);
	}
	PG_RETURN_VECTOR_P(result);
}

/* Each mean is rounded to float, then to half, as pgvector does. */
PG_FUNCTION_INFO_V1(halfvec_avg);
Datum
halfvec_avg(PG_FUNCTION_ARGS)
{
	float8	   *sv;
	int			dim;
	HalfVector *result;

	sv = AvgState(PG_GETARG_ARRAYTYPE_P(0), "halfvec_avg", "halfvec",
				  HALFVEC_MAX_DIM, &dim);
	if (sv == NULL)
		PG_RETURN_NULL();

	result = InitHalfVector(dim);
	for (int i = 0; i < dim; i++)
	{
		result->x[i] = HalfFromFloatChecked((float) (sv[i + 1] / sv[0]));
		CheckHalfvecElement(result->x[i]);
	}
	PG_RETURN_HALFVEC_P(result);
}
