/*-------------------------------------------------------------------------
 *
 * halfvec_ops.c
 *	  Operators and functions on halfvec: distances, norms, arithmetic,
 *	  comparison (btree support), subvector, concatenation, quantization.
 *
 * Distances go through the dispatched half kernels (kernel/halfvec.h),
 * wrapped by typeops.h's generators like vector's.  Arithmetic is done in
 * float on the widened halves and rounded back once: for +, - and * the
 * float result is exact or correctly rounded with enough spare bits that
 * rounding it again to half gives the correctly rounded half, the same
 * as half arithmetic would.  Norms accumulate in double, as pgvector does.
 *
 * Copyright (c) 2026, vecdb developers
 *
 * src/type/halfvec_ops.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "utils/float.h"
#include "utils/varbit.h"

#include "kernel/halfvec.h"
#include "halfvec.h"
#include "typeops.h"
#include "vector.h"

/* ---- distances ---- */

/* 1 - cos(a, b) through the half kernel's one-pass parts */
static inline double
halfvec_cosine(const HalfVector *a, const HalfVector *b)
{
	double		dot,
				na,
				nb;

	vecdb_half_kernels->cosine_parts(a->x, b->x, a->dim, &dot, &na, &nb);
	return VecdbCosineDistance(dot, na, nb);
}

#define HALFVEC_DISTANCE_FN(fname, expr) \
	VECDB_DISTANCE_FN(fname, HalfVector, PG_GETARG_HALFVEC_P, CheckHalfvecDims, expr)

HALFVEC_DISTANCE_FN(halfvec_l2_distance, sqrt(vecdb_half_kernels->l2sq(a->x, b->x, a->dim)))
HALFVEC_DISTANCE_FN(halfvec_l2_squared_distance, vecdb_half_kernels->l2sq(a->x, b->x, a->dim))
HALFVEC_DISTANCE_FN(halfvec_inner_product, vecdb_half_kernels->dot(a->x, b->x, a->dim))
HALFVEC_DISTANCE_FN(halfvec_negative_inner_product, -vecdb_half_kernels->dot(a->x, b->x, a->dim))
HALFVEC_DISTANCE_FN(halfvec_cosine_distance, halfvec_cosine(a, b))
HALFVEC_DISTANCE_FN(halfvec_spherical_distance,
					VecdbSphericalDistance(vecdb_half_kernels->dot(a->x, b->x, a->dim)))
HALFVEC_DISTANCE_FN(halfvec_l1_distance, vecdb_half_kernels->l1(a->x, b->x, a->dim))

/* ---- norms and shape ---- */

PG_FUNCTION_INFO_V1(halfvec_vector_dims);
Datum
halfvec_vector_dims(PG_FUNCTION_ARGS)
{
	HalfVector *a = PG_GETARG_HALFVEC_P(0);

	PG_RETURN_INT32(a->dim);
}

/* the Euclidean norm of a, summed in double */
static double
halfvec_norm_double(const HalfVector *a)
{
	double		norm = 0.0;

	for (int i = 0; i < a->dim; i++)
	{
		double		v = VecdbHalfToFloat(a->x[i]);

		norm += v * v;
	}
	return sqrt(norm);
}

PG_FUNCTION_INFO_V1(halfvec_l2_norm);
Datum
halfvec_l2_norm(PG_FUNCTION_ARGS)
{
	HalfVector *a = PG_GETARG_HALFVEC_P(0);

	PG_RETURN_FLOAT8(halfvec_norm_double(a));
}

/*
 * Unit vector in the direction of a; the zero vector maps to itself.  Each
 * quotient is rounded to float, then to half, as pgvector does.
 */
PG_FUNCTION_INFO_V1(halfvec_l2_normalize);
Datum
halfvec_l2_normalize(PG_FUNCTION_ARGS)
{
	HalfVector *a = PG_GETARG_HALFVEC_P(0);
	HalfVector *result = InitHalfVector(a->dim);
	double		norm = halfvec_norm_double(a);

	if (norm > 0)
	{
		for (int i = 0; i < a->dim; i++)
		{
			float		q = (float) (VecdbHalfToFloat(a->x[i]) / norm);

			result->x[i] = VecdbFloatToHalf(q);
			if (VecdbHalfIsInf(result->x[i]))
				float_overflow_error();
		}
	}
	PG_RETURN_HALFVEC_P(result);
}

/* bit string with bit i set when x[i] > 0, most significant bit first */
PG_FUNCTION_INFO_V1(halfvec_binary_quantize);
Datum
halfvec_binary_quantize(PG_FUNCTION_ARGS)
{
	HalfVector *a = PG_GETARG_HALFVEC_P(0);
	VarBit	   *result = (VarBit *) palloc0(VARBITTOTALLEN(a->dim));
	bits8	   *r = VARBITS(result);

	SET_VARSIZE(result, VARBITTOTALLEN(a->dim));
	VARBITLEN(result) = a->dim;
	for (int i = 0; i < a->dim; i++)
		if (VecdbHalfToFloat(a->x[i]) > 0)
			r[i / 8] |= (bits8) (0x80 >> (i % 8));
	PG_RETURN_VARBIT_P(result);
}

/* Elements start .. start + count - 1, 1-based, clamped like subvector's. */
PG_FUNCTION_INFO_V1(halfvec_subvector);
Datum
halfvec_subvector(PG_FUNCTION_ARGS)
{
	HalfVector *a = PG_GETARG_HALFVEC_P(0);
	int32		start = PG_GETARG_INT32(1);
	int32		count = PG_GETARG_INT32(2);
	int			first;
	int			n;
	HalfVector *result;

	VecdbSubvectorRange("halfvec", a->dim, start, count, &first, &n);
	result = InitHalfVector(n);
	memcpy(result->x, a->x + first, sizeof(half) * n);
	PG_RETURN_HALFVEC_P(result);
}

/* ---- arithmetic ---- */

typedef enum HalfvecArith
{
	HALFVEC_ADD,
	HALFVEC_SUB,
	HALFVEC_MUL
} HalfvecArith;

/*
 * a op b element by element, rounded to half; an infinite result is an
 * overflow error, and a zero product of nonzero elements an underflow
 * error, as for float4 (and pgvector).
 */
static HalfVector *
halfvec_arith(const HalfVector *a, const HalfVector *b, HalfvecArith op)
{
	HalfVector *result;

	CheckHalfvecDims(a, b);
	result = InitHalfVector(a->dim);
	for (int i = 0; i < a->dim; i++)
	{
		float		x = VecdbHalfToFloat(a->x[i]);
		float		y = VecdbHalfToFloat(b->x[i]);
		float		r;

		r = op == HALFVEC_ADD ? x + y : op == HALFVEC_SUB ? x - y : x * y;
		result->x[i] = VecdbFloatToHalf(r);
		if (VecdbHalfIsInf(result->x[i]))
			float_overflow_error();
		if (op == HALFVEC_MUL && VecdbHalfIsZero(result->x[i]) &&
			!VecdbHalfIsZero(a->x[i]) && !VecdbHalfIsZero(b->x[i]))
			float_underflow_error();
	}
	return result;
}

#define HALFVEC_ARITH_FN(fname, op) \
PG_FUNCTION_INFO_V1(fname); \
Datum \
fname(PG_FUNCTION_ARGS) \
{ \
	PG_RETURN_HALFVEC_P(halfvec_arith(PG_GETARG_HALFVEC_P(0), \
									  PG_GETARG_HALFVEC_P(1), op)); \
}

HALFVEC_ARITH_FN(halfvec_add, HALFVEC_ADD)
HALFVEC_ARITH_FN(halfvec_sub, HALFVEC_SUB)
HALFVEC_ARITH_FN(halfvec_mul, HALFVEC_MUL)

/* a then b; more than 16000 dimensions in all is 54000 */
PG_FUNCTION_INFO_V1(halfvec_concat);
Datum
halfvec_concat(PG_FUNCTION_ARGS)
{
	HalfVector *a = PG_GETARG_HALFVEC_P(0);
	HalfVector *b = PG_GETARG_HALFVEC_P(1);
	HalfVector *result;

	CheckHalfvecDim(a->dim + b->dim);
	result = InitHalfVector(a->dim + b->dim);
	memcpy(result->x, a->x, sizeof(half) * a->dim);
	memcpy(result->x + a->dim, b->x, sizeof(half) * b->dim);
	PG_RETURN_HALFVEC_P(result);
}

/* ---- comparison: element by element, then the shorter sorts first ---- */

/*
 * Three-way comparison by value (so -0 equals 0), element by element, then
 * by dimension count.
 */
static int
halfvec_cmp_internal(const HalfVector *a, const HalfVector *b)
{
	int			dim = Min(a->dim, b->dim);

	for (int i = 0; i < dim; i++)
	{
		float		x = VecdbHalfToFloat(a->x[i]);
		float		y = VecdbHalfToFloat(b->x[i]);

		if (x < y)
			return -1;
		if (x > y)
			return 1;
	}
	if (a->dim != b->dim)
		return a->dim < b->dim ? -1 : 1;
	return 0;
}

VECDB_BTREE_FNS(halfvec, HalfVector, PG_GETARG_HALFVEC_P, halfvec_cmp_internal)
