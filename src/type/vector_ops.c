/*-------------------------------------------------------------------------
 *
 * vector_ops.c
 *	  Operators and functions on vector: distances, norms, arithmetic,
 *	  comparison (btree support), subvector, concatenation, quantization.
 *
 * Distances go through the dispatched kernels in distance.c, wrapped by
 * typeops.h's generators.  Norm and normalization accumulate in double, as
 * pgvector does.
 *
 * Copyright (c) 2026, vecdb developers
 *
 * src/type/vector_ops.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "utils/float.h"
#include "utils/varbit.h"

#include "kernel/distance.h"
#include "typeops.h"
#include "vector.h"

/* ---- distances ---- */

/* 1 - cos(a, b) through the kernel's one-pass parts */
static inline double
vector_cosine(const Vector *a, const Vector *b)
{
	double		dot,
				na,
				nb;

	vecdb_kernels->cosine_parts(a->x, b->x, a->dim, &dot, &na, &nb);
	return VecdbCosineDistance(dot, na, nb);
}

#define VECTOR_DISTANCE_FN(fname, expr) \
	VECDB_DISTANCE_FN(fname, Vector, PG_GETARG_VECTOR_P, CheckVectorDims, expr)

VECTOR_DISTANCE_FN(l2_distance, sqrt(vecdb_kernels->l2sq(a->x, b->x, a->dim)))
VECTOR_DISTANCE_FN(vector_l2_squared_distance, vecdb_kernels->l2sq(a->x, b->x, a->dim))
VECTOR_DISTANCE_FN(inner_product, vecdb_kernels->dot(a->x, b->x, a->dim))
VECTOR_DISTANCE_FN(vector_negative_inner_product, -vecdb_kernels->dot(a->x, b->x, a->dim))
VECTOR_DISTANCE_FN(cosine_distance, vector_cosine(a, b))
VECTOR_DISTANCE_FN(vector_spherical_distance,
				   VecdbSphericalDistance(vecdb_kernels->dot(a->x, b->x, a->dim)))
VECTOR_DISTANCE_FN(l1_distance, vecdb_kernels->l1(a->x, b->x, a->dim))

/* ---- norms and shape ---- */

PG_FUNCTION_INFO_V1(vector_dims);
Datum
vector_dims(PG_FUNCTION_ARGS)
{
	Vector	   *a = PG_GETARG_VECTOR_P(0);

	PG_RETURN_INT32(a->dim);
}

static double
norm_double(const Vector *a)
{
	double		norm = 0.0;

	for (int i = 0; i < a->dim; i++)
		norm += (double) a->x[i] * (double) a->x[i];
	return sqrt(norm);
}

PG_FUNCTION_INFO_V1(vector_norm);
Datum
vector_norm(PG_FUNCTION_ARGS)
{
	Vector	   *a = PG_GETARG_VECTOR_P(0);

	PG_RETURN_FLOAT8(norm_double(a));
}

/* Unit vector in the direction of a; the zero vector maps to itself. */
PG_FUNCTION_INFO_V1(l2_normalize);
Datum
l2_normalize(PG_FUNCTION_ARGS)
{
	Vector	   *a = PG_GETARG_VECTOR_P(0);
	Vector	   *result = InitVector(a->dim);
	double		norm = norm_double(a);

	if (norm > 0)
	{
		for (int i = 0; i < a->dim; i++)
		{
			result->x[i] = a->x[i] / norm;
			if (isinf(result->x[i]))
				float_overflow_error();
		}
	}
	PG_RETURN_VECTOR_P(result);
}

/* bit string with bit i set when x[i] > 0, most significant bit first */
PG_FUNCTION_INFO_V1(binary_quantize);
Datum
binary_quantize(PG_FUNCTION_ARGS)
{
	Vector	   *a = PG_GETARG_VECTOR_P(0);
	VarBit	   *result = (VarBit *) palloc0(VARBITTOTALLEN(a->dim));
	bits8	   *r = VARBITS(result);

	SET_VARSIZE(result, VARBITTOTALLEN(a->dim));
	VARBITLEN(result) = a->dim;
	for (int i = 0; i < a->dim; i++)
		if (a->x[i] > 0)
			r[i / 8] |= (bits8) (0x80 >> (i % 8));
	PG_RETURN_VARBIT_P(result);
}

/*
 * Elements start .. start + count - 1, 1-based, with substring's clamping:
 * a start below 1 shortens the result.  An empty result is an error.
 */
PG_FUNCTION_INFO_V1(subvector);
Datum
subvector(PG_FUNCTION_ARGS)
{
	Vector	   *a = PG_GETARG_VECTOR_P(0);
	int32		start = PG_GETARG_INT32(1);
	int32		count = PG_GETARG_INT32(2);
	int			first;
	int			n;
	Vector	   *result;

	VecdbSubvectorRange("vector", a->dim, start, count, &first, &n);
	result = InitVector(n);
	memcpy(result->x, a->x + first, sizeof(float) * n);
	PG_RETURN_VECTOR_P(result);
}

/* ---- arithmetic ---- */

PG_FUNCTION_INFO_V1(vector_add);
Datum
vector_add(PG_FUNCTION_ARGS)
{
	Vector	   *a = PG_GETARG_VECTOR_P(0);
	Vector	   *b = PG_GETARG_VECTOR_P(1);
	Vector	   *result;

	CheckVectorDims(a, b);
	result = InitVector(a->dim);
	for (int i = 0; i < a->dim; i++)
	{
		result->x[i] = a->x[i] + b->x[i];
		if (isinf(result->x[i]))
			float_overflow_error();
	}
	PG_RETURN_VECTOR_P(result);
}

PG_FUNCTION_INFO_V1(vector_sub);
Datum
vector_sub(PG_FUNCTION_ARGS)
{
	Vector	   *a = PG_GETARG_VECTOR_P(0);
	Vector	   *b = PG_GETARG_VECTOR_P(1);
	Vector	   *result;

	CheckVectorDims(a, b);
	result = InitVector(a->dim);
	for (int i = 0; i < a->dim; i++)
	{
		result->x[i] = a->x[i] - b->x[i];
		if (isinf(result->x[i]))
			float_overflow_error();
	}
	PG_RETURN_VECTOR_P(result);
}

PG_FUNCTION_INFO_V1(vector_mul);
Datum
vector_mul(PG_FUNCTION_ARGS)
{
	Vector	   *a = PG_GETARG_VECTOR_P(0);
	Vector	   *b = PG_GETARG_VECTOR_P(1);
	Vector	   *result;

	CheckVectorDims(a, b);
	result = InitVector(a->dim);
	for (int i = 0; i < a->dim; i++)
	{
		result->x[i] = a->x[i] * b->x[i];
		if (isinf(result->x[i]))
			float_overflow_error();
		if (result->x[i] == 0 && a->x[i] != 0 && b->x[i] != 0)
			float_underflow_error();
	}
	PG_RETURN_VECTOR_P(result);
}

PG_FUNCTION_INFO_V1(vector_concat);
Datum
vector_concat(PG_FUNCTION_ARGS)
{
	Vector	   *a = PG_GETARG_VECTOR_P(0);
	Vector	   *b = PG_GETARG_VECTOR_P(1);
	Vector	   *result;

	CheckVectorDim(a->dim + b->dim);
	result = InitVector(a->dim + b->dim);
	memcpy(result->x, a->x, sizeof(float) * a->dim);
	memcpy(result->x + a->dim, b->x, sizeof(float) * b->dim);
	PG_RETURN_VECTOR_P(result);
}

/* ---- comparison: element by element, then the shorter sorts first ---- */

static int
vector_cmp_internal(const Vector *a, const Vector *b)
{
	int			dim = Min(a->dim, b->dim);

	for (int i = 0; i < dim; i++)
	{
		if (a->x[i] < b->x[i])
			return -1;
		if (a->x[i] > b->x[i])
			return 1;
	}
	if (a->dim != b->dim)
		return a->dim < b->dim ? -1 : 1;
	return 0;
}

VECDB_BTREE_FNS(vector, Vector, PG_GETARG_VECTOR_P, vector_cmp_internal)
