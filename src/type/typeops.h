/*-------------------------------------------------------------------------
 *
 * typeops.h
 *	  Generators for the SQL-callable functions that every vector type has
 *	  in the same shape: distances and comparison operators.
 *
 * All are functions of two arguments of one type (VECDB_BINARY_FN).  A
 * distance wrapper checks that their dimensions agree and returns one
 * kernel expression as float8; a comparison wrapper returns a test on the
 * type's three-way comparison.
 * Writing them through these macros keeps the types' wrappers identical
 * except for what really differs (the type, the check, the kernel).
 *
 * Copyright (c) 2026, vecdb developers
 *
 * src/type/typeops.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef VECDB_TYPEOPS_H
#define VECDB_TYPEOPS_H

#include <math.h>

#include "fmgr.h"
#include "utils/float.h"

/*
 * Defines the SQL-callable function fname(type, type): a and b are the
 * arguments, read by getarg(n) as Type *, and the rest is the body (which
 * may start with declarations).
 */
#define VECDB_BINARY_FN(fname, Type, getarg, ...) \
PG_FUNCTION_INFO_V1(fname); \
Datum \
fname(PG_FUNCTION_ARGS) \
{ \
	Type	   *a = getarg(0); \
	Type	   *b = getarg(1); \
	__VA_ARGS__ \
}

/*
 * A distance: checkdims(a, b) raises the type's dimension mismatch error,
 * and expr computes the float8 result from a and b.
 */
#define VECDB_DISTANCE_FN(fname, Type, getarg, checkdims, expr) \
	VECDB_BINARY_FN(fname, Type, getarg, \
					checkdims(a, b); \
					PG_RETURN_FLOAT8(expr);)

/*
 * A comparison: ret is a PG_RETURN_* over c, the result of cmpfn(a, b)
 * (negative, zero or positive).
 */
#define VECDB_CMP_FN(fname, Type, getarg, cmpfn, ret) \
	VECDB_BINARY_FN(fname, Type, getarg, \
					int c = cmpfn(a, b); \
\
					PG_FREE_IF_COPY(a, 0); \
					PG_FREE_IF_COPY(b, 1); \
					ret;)

/*
 * Defines the btree comparison operators and support function of a type:
 * prefix_lt .. prefix_gt and prefix_cmp, over cmpfn.
 */
#define VECDB_BTREE_FNS(prefix, Type, getarg, cmpfn) \
VECDB_CMP_FN(prefix##_lt, Type, getarg, cmpfn, PG_RETURN_BOOL(c < 0)) \
VECDB_CMP_FN(prefix##_le, Type, getarg, cmpfn, PG_RETURN_BOOL(c <= 0)) \
VECDB_CMP_FN(prefix##_eq, Type, getarg, cmpfn, PG_RETURN_BOOL(c == 0)) \
VECDB_CMP_FN(prefix##_ne, Type, getarg, cmpfn, PG_RETURN_BOOL(c != 0)) \
VECDB_CMP_FN(prefix##_ge, Type, getarg, cmpfn, PG_RETURN_BOOL(c >= 0)) \
VECDB_CMP_FN(prefix##_gt, Type, getarg, cmpfn, PG_RETURN_BOOL(c > 0)) \
VECDB_CMP_FN(prefix##_cmp, Type, getarg, cmpfn, PG_RETURN_INT32(c))

/*
 * 1 - cos(a, b) from the dot product and the squared norms, clamped to
 * [0, 2]; NaN when either norm is zero, as in pgvector.
 */
static inline double
VecdbCosineDistance(double dot, double na, double nb)
{
	double		sim = dot / sqrt(na * nb);

	if (isnan(sim))
		return get_float8_nan();
	if (sim > 1.0)
		sim = 1.0;
	else if (sim < -1.0)
		sim = -1.0;
	return 1.0 - sim;
}

/* acos(dot) / pi for unit vectors: the angle as a fraction of pi. */
static inline double
VecdbSphericalDistance(double dot)
{
	if (dot > 1.0)
		dot = 1.0;
	else if (dot < -1.0)
		dot = -1.0;
	return acos(dot) / M_PI;
}

#endif							/* VECDB_TYPEOPS_H */
