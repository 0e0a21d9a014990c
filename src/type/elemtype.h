/*-------------------------------------------------------------------------
 *
 * elemtype.h
 *	  Element-type descriptors: what an index needs to know of a vector
 *	  type to store its values and measure distances between them.
 *
 * An index access method never looks inside a vector type.  It asks the
 * descriptor of its column's type for the bytes a stored value of n
 * dimensions takes, for a datum's elements in that stored form, for unit
 * scaling (cosine), and for the distance between two stored values under
 * a metric.  One descriptor per type serves every access method.
 *
 * Copyright (c) 2026, vecdb developers
 *
 * src/type/elemtype.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef VECDB_ELEMTYPE_H
#define VECDB_ELEMTYPE_H

#include "fmgr.h"

/* how an index orders distances (smaller is nearer) */
typedef enum VecdbMetric
{
	VECDB_METRIC_L2 = 1,		/* squared Euclidean */
	VECDB_METRIC_IP = 2,		/* negative inner product */
	VECDB_METRIC_COSINE = 3,	/* negative inner product of unit vectors */
	VECDB_METRIC_L1 = 4,		/* taxicab */
	VECDB_METRIC_HAMMING = 5,	/* differing bits */
	VECDB_METRIC_JACCARD = 6	/* 1 - |a and b| / |a or b| */
} VecdbMetric;

/* the element types; stored in index metapages, so never renumbered */
typedef enum VecdbElemKind
{
	VECDB_ELEM_FLOAT = 1,		/* vector: float4 */
	VECDB_ELEM_HALF = 2,		/* halfvec: IEEE binary16 */
	VECDB_ELEM_BIT = 3,			/* bit: packed bits, most significant first */
	VECDB_ELEM_SPARSE = 4,		/* sparsevec: its non-zero elements */
	VECDB_ELEM_INT8 = 5,		/* 8-bit codes of vector or halfvec values
								 * (int8code.h): stored, never a column */
	VECDB_ELEM_BINARY = 6,		/* 1-bit codes of vector or halfvec values
								 * (bincode.h): stored, never a column */
	VECDB_ELEM_PQ = 7			/* product-quantization codes of vector or
								 * halfvec values (pqcode.h): stored, never
								 * a column */
} VecdbElemKind;

typedef struct VecdbElemType
{
	VecdbElemKind kind;
	const char *name;			/* the SQL type */
	int			max_dims;		/* most dimensions an index column may have */

	/*
	 * Most bytes a stored value of dims dimensions takes in an index.  For
	 * a fixed-size type (value_size NULL) every value takes that much.
	 */
	Size		(*stored_size) (int dims);

	/*
	 * Bytes of stored value x, read from x itself; NULL for a fixed-size
	 * type.  A value larger than stored_size cannot be stored in an index.
	 */
	Size		(*value_size) (const void *x);

	/*
	 * Most non-zero elements an index stores of a value, the bound behind
	 * stored_size (sparse types); 0 for a dense type.
	 */
	int			index_max_nnz;

	/*
	 * A detoasted datum's dimension count and its elements in stored form
	 * (a pointer into the datum: the stored form is the type's own).
	 */
	const void *(*elements) (Pointer datum, int *dims);

	/*
	 * Scales stored value x to unit norm in place; false if its norm is zero
	 * or not finite.  NULL where the type has no norm (bit).  A value may
	 * shrink (elements that underflow to zero are dropped), never grow.
	 */
	bool		(*normalize) (void *x, int dims);

	/*
	 * Distance between stored values under metric, NaN never returned.
	 * params: for codes, the index's parameters (see params_size), NULL for
	 * none; the other types ignore it.
	 */
	float		(*distance) (VecdbMetric metric, const void *a, const void *b,
							 int dims, const float *params);

	/*
	 * Whether stored bytes are a valid value (finite elements, pad bits;
	 * for a sparse type also sorted indices inside dims and no zero).
	 */
	bool		(*valid) (const void *x, int dims);

	/*
	 * Writes stored value x's elements as floats to out[dims]; NULL where
	 * the type cannot be quantized (bit, sparsevec, codes).
	 */
	void		(*to_float) (const void *x, int dims, float *out);

	/*
	 * For a lossy stored form (codes): a lower bound of the exact distance
	 * between the values stored as q and x, given approx, the distance
	 * between q and x themselves.  NULL where stored values are exact.
	 */
	float		(*lower_bound) (VecdbMetric metric, float approx, const void *q,
								const void *x, int dims);

	/*
	 * For codes: encodes value x (dims elements of type src, which has
	 * to_float) under metric with the index's parameters (NULL: none
	 * trained) into out, stored_size(dims) bytes, or when query,
	 * query_size(dims) bytes in the form distance and lower_bound take as
	 * their first argument q.  NULL for the other types.
	 */
	void		(*encode) (const struct VecdbElemType *src, const void *x, int dims,
						   VecdbMetric metric, const float *params, bool query,
						   void *out);
	Size		(*query_size) (int dims);

	/*
	 * For codes: how many floats of parameters an index of metric measures
	 * its codes with (a centre, codebooks), 0 for none; NULL where never.
	 * The build trains them (train) from the mean of the rows and, when
	 * train_rows > 0, a sample of at most that many rows; an index keeps
	 * them rounded to binary16 (hnswparams.c).
	 */
	Size		(*params_size) (VecdbMetric metric, int dims);
	int			train_rows;
	void		(*train) (VecdbMetric metric, int dims, const float *mean,
						  const float *sample, int nsample, float *params);
} VecdbElemType;

/* the descriptor of kind, or NULL if kind is not one of VecdbElemKind */
extern const VecdbElemType *VecdbElemTypeGet(int kind);

/* bytes of stored value x of type t with dims dimensions */
static inline Size
VecdbElemTypeValueSize(const VecdbElemType *t, const void *x, int dims)
{
	return t->value_size ? t->value_size(x) : t->stored_size(dims);
}

/* whether type t is a code kind (an index's stored form, never a column) */
static inline bool
VecdbElemTypeIsCode(const VecdbElemType *t)
{
	return t->encode != NULL;
}

/* whether metric is defined on values of type t */
extern bool VecdbElemTypeHasMetric(const VecdbElemType *t, VecdbMetric metric);

#endif							/* VECDB_ELEMTYPE_H */
