/*-------------------------------------------------------------------------
 *
 * elemtype.c
 *	  Element-type descriptors of vector, halfvec, bit and sparsevec (see
 *	  elemtype.h).
 *
 * Distances go through the dispatched kernels.  A distance as an index
 * compares it is a float and never NaN: float32 SIMD sums of huge values
 * can overflow to +-Inf, and Inf - Inf is NaN, which would break every
 * comparison; NaN becomes +Infinity.
 *
 * Copyright (c) 2026, vecdb developers
 *
 * src/type/elemtype.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "utils/varbit.h"

#include "kernel/bit.h"
#include "kernel/distance.h"
#include "kernel/halfvec.h"
#include "kernel/sparse.h"
#include "type/elemtype.h"
#include "type/halfvec.h"
#include "type/bincode.h"
#include "type/int8code.h"
#include "type/pqcode.h"
#include "type/sparsevec.h"
#include "type/vector.h"

static float
sane(double d)
{
	return isnan(d) ? (float) INFINITY : (float) d;
}

/* ---- vector: float4 elements ---- */

static Size
float_size(int dims)
{
	return sizeof(float) * (Size) dims;
}

static const void *
float_elements(Pointer datum, int *dims)
{
	Vector	   *v = (Vector *) datum;

	*dims = v->dim;
	return v->x;
}

static Pointer
float_datum(const void *x, int dims)
{
	Vector	   *v = InitVector(dims);

	memcpy(v->x, x, float_size(dims));
	return (Pointer) v;
}

static bool
float_normalize(void *p, int dims)
{
	float	   *x = (float *) p;
	double		norm = 0;

	for (int i = 0; i < dims; i++)
		norm += (double) x[i] * x[i];
	norm = sqrt(norm);
	if (norm == 0 || !isfinite(norm))
		return false;
	for (int i = 0; i < dims; i++)
		x[i] = (float) (x[i] / norm);
	return true;
}

static float
float_distance(VecdbMetric metric, const void *a, const void *b, int dims,
			  const float *params)
{
	switch (metric)
	{
		case VECDB_METRIC_L2:
			return sane(vecdb_kernels->l2sq(a, b, dims));
		case VECDB_METRIC_IP:
		case VECDB_METRIC_COSINE:
			return sane(-vecdb_kernels->dot(a, b, dims));
		case VECDB_METRIC_L1:
			return sane(vecdb_kernels->l1(a, b, dims));
		default:
			return INFINITY;
	}
}

static void
float_to_float(const void *p, int dims, float *out)
{
	memcpy(out, p, sizeof(float) * dims);
}

static bool
float_valid(const void *p, int dims)
{
	const float *x = (const float *) p;

	for (int i = 0; i < dims; i++)
		if (!isfinite(x[i]))
			return false;
	return true;
}

/* ---- halfvec: IEEE binary16 elements ---- */

static Size
half_size(int dims)
{
	return sizeof(uint16) * (Size) dims;
}

static const void *
half_elements(Pointer datum, int *dims)
{
	HalfVector *v = (HalfVector *) datum;

	*dims = v->dim;
	return v->x;
}

static Pointer
half_datum(const void *x, int dims)
{
	HalfVector *v = InitHalfVector(dims);

	memcpy(v->x, x, half_size(dims));
	return (Pointer) v;
}

static bool
half_normalize(void *p, int dims)
{
	uint16	   *x = (uint16 *) p;
	double		norm = 0;

	for (int i = 0; i < dims; i++)
	{
		double		f = VecdbHalfToFloat(x[i]);

		norm += f * f;
	}
	norm = sqrt(norm);
	if (norm == 0 || !isfinite(norm))
		return false;
	for (int i = 0; i < dims; i++)
		x[i] = VecdbFloatToHalf((float) (VecdbHalfToFloat(x[i]) / norm));
	return true;
}

static float
half_distance(VecdbMetric metric, const void *a, const void *b, int dims,
			  const float *params)
{
	switch (metric)
	{
		case VECDB_METRIC_L2:
			return sane(vecdb_half_kernels->l2sq(a, b, dims));
		case VECDB_METRIC_IP:
		case VECDB_METRIC_COSINE:
			return sane(-vecdb_half_kernels->dot(a, b, dims));
		case VECDB_METRIC_L1:
			return sane(vecdb_half_kernels->l1(a, b, dims));
		default:
			return INFINITY;
	}
}

static void
half_to_float(const void *p, int dims, float *out)
{
	const uint16 *x = (const uint16 *) p;

	for (int i = 0; i < dims; i++)
		out[i] = VecdbHalfToFloat(x[i]);
}

static bool
half_valid(const void *p, int dims)
{
	const uint16 *x = (const uint16 *) p;

	for (int i = 0; i < dims; i++)
		if (VecdbHalfIsNan(x[i]) || VecdbHalfIsInf(x[i]))
			return false;
	return true;
}

/* ---- bit: packed bits ---- */

static Size
bit_size(int dims)
{
	return ((Size) dims + 7) / 8;
}

static Pointer
bit_datum(const void *x, int dims)
{
	VarBit	   *v = palloc0(VARBITTOTALLEN(dims));

	SET_VARSIZE(v, VARBITTOTALLEN(dims));
	VARBITLEN(v) = dims;
	memcpy(VARBITS(v), x, bit_size(dims));
	return (Pointer) v;
}

static const void *
bit_elements(Pointer datum, int *dims)
{
	VarBit	   *v = (VarBit *) datum;

	*dims = VARBITLEN(v);
	return VARBITS(v);
}

static float
bit_distance(VecdbMetric metric, const void *a, const void *b, int dims,
			  const float *params)
{
	size_t		n = bit_size(dims);
	uint64_t	and_count,
				or_count;

	if (metric == VECDB_METRIC_HAMMING)
		return (float) vecdb_bit_kernels->hamming(a, b, n);
	if (metric != VECDB_METRIC_JACCARD)
		return INFINITY;
	vecdb_bit_kernels->jaccard_parts(a, b, n, &and_count, &or_count);
	return (float) VecdbJaccardFromParts(and_count, or_count);
}

static bool
bit_valid(const void *p, int dims)
{
	int			pad = (int) (bit_size(dims) * 8 - dims);

	return pad == 0 || (((const uint8 *) p)[bit_size(dims) - 1] & ((1 << pad) - 1)) == 0;
}

/*
 * ---- sparsevec: its non-zero elements ----
 *
 * The stored form is the datum from nnz on: {nnz, unused, indices[nnz],
 * values[nnz]}, 8 + 8 nnz bytes, so a value takes only what it holds.  An
 * index stores at most SPARSE_INDEX_MAX_NNZ elements of a value
 * (pgvector's limit), which bounds a node near one page.
 */
#define SPARSE_INDEX_MAX_NNZ 1000

typedef struct SparseStored
{
	int32		nnz;
	int32		unused;
	int32		indices[FLEXIBLE_ARRAY_MEMBER];
	/* followed by float values[nnz] */
} SparseStored;

#define SPARSE_STORED_SIZE(nnz) \
	(offsetof(SparseStored, indices) + (sizeof(int32) + sizeof(float)) * (Size) (nnz))
#define SPARSE_STORED_VALUES(s) ((float *) ((s)->indices + (s)->nnz))

static Size
sparse_size(int dims)
{
	return SPARSE_STORED_SIZE(Min(dims, SPARSE_INDEX_MAX_NNZ));
}

/* a negative count (corrupt bytes) reads as a size no value has */
static Size
sparse_value_size(const void *p)
{
	return SPARSE_STORED_SIZE((uint32) ((const SparseStored *) p)->nnz);
}

static const void *
sparse_elements(Pointer datum, int *dims)
{
	SparseVector *v = (SparseVector *) datum;

	*dims = v->dim;
	return &v->nnz;
}

static Pointer
sparse_datum(const void *x, int dims)
{
	const SparseStored *s = (const SparseStored *) x;
	SparseVector *v = InitSparseVector(dims, s->nnz);

	memcpy(&v->nnz, s, SPARSE_STORED_SIZE(s->nnz));
	return (Pointer) v;
}

/*
 * As sparsevec's l2_normalize: norm summed in double, each value divided
 * by it, values that underflow to zero dropped (the value shrinks).
 */
static bool
sparse_normalize(void *p, int dims)
{
	SparseStored *s = (SparseStored *) p;
	float	   *x = SPARSE_STORED_VALUES(s);
	double		norm = sqrt(vecdb_kernels_scalar.dot(x, x, s->nnz));
	int			nnz = 0;

	if (norm == 0 || !isfinite(norm))
		return false;
	for (int i = 0; i < s->nnz; i++)
	{
		float		v = (float) (x[i] / norm);

		if (v != 0)
		{
			s->indices[nnz] = s->indices[i];
			x[nnz++] = v;
		}
	}

	/* the values follow the indices: move them down to the new count */
	memmove(s->indices + nnz, x, sizeof(float) * nnz);
	s->nnz = nnz;
	return true;
}

static float
sparse_distance(VecdbMetric metric, const void *a, const void *b, int dims,
			  const float *params)
{
	const SparseStored *x = (const SparseStored *) a;
	const SparseStored *y = (const SparseStored *) b;
	const float *xv = SPARSE_STORED_VALUES(x);
	const float *yv = SPARSE_STORED_VALUES(y);

	switch (metric)
	{
		case VECDB_METRIC_L2:
			return sane(VecdbSparseL2sq(x->indices, xv, x->nnz, y->indices, yv, y->nnz));
		case VECDB_METRIC_IP:
		case VECDB_METRIC_COSINE:
			return sane(-(double) VecdbSparseDot(x->indices, xv, x->nnz,
												 y->indices, yv, y->nnz));
		case VECDB_METRIC_L1:
			return sane(VecdbSparseL1(x->indices, xv, x->nnz, y->indices, yv, y->nnz));
		default:
			return INFINITY;
	}
}

static bool
sparse_valid(const void *p, int dims)
{
	const SparseStored *s = (const SparseStored *) p;
	const float *x = SPARSE_STORED_VALUES(s);

	if (s->nnz < 0 || s->nnz > Min(dims, SPARSE_INDEX_MAX_NNZ) || s->unused != 0)
		return false;
	for (int i = 0; i < s->nnz; i++)
		if (s->indices[i] < (i > 0 ? s->indices[i - 1] + 1 : 0) ||
			s->indices[i] >= dims || x[i] == 0 || !isfinite(x[i]))
			return false;
	return true;
}

static const VecdbElemType elem_types[] = {
	{VECDB_ELEM_FLOAT, "vector", VECTOR_MAX_DIM,
		float_size, NULL, 0,
	float_elements, float_normalize, float_distance, float_valid, float_to_float, NULL,
	NULL, NULL, NULL, 0, NULL, float_datum},
	{VECDB_ELEM_HALF, "halfvec", HALFVEC_MAX_DIM,
		half_size, NULL, 0,
	half_elements, half_normalize, half_distance, half_valid, half_to_float, NULL,
	NULL, NULL, NULL, 0, NULL, half_datum},
	{VECDB_ELEM_BIT, "bit", 64000,
		bit_size, NULL, 0,
	bit_elements, NULL, bit_distance, bit_valid, NULL, NULL,
	NULL, NULL, NULL, 0, NULL, bit_datum},
	{VECDB_ELEM_SPARSE, "sparsevec", SPARSEVEC_MAX_DIM,
		sparse_size, sparse_value_size, SPARSE_INDEX_MAX_NNZ,
	sparse_elements, sparse_normalize, sparse_distance, sparse_valid, NULL, NULL,
	NULL, NULL, NULL, 0, NULL, sparse_datum},
};

const VecdbElemType *
VecdbElemTypeGet(int kind)
{
	for (int i = 0; i < lengthof(elem_types); i++)
		if ((int) elem_types[i].kind == kind)
			return &elem_types[i];
	if (kind == VECDB_ELEM_INT8)
		return &vecdb_int8_code_type;
	if (kind == VECDB_ELEM_BINARY)
		return &vecdb_bin_code_type;
	if (kind == VECDB_ELEM_PQ)
		return &vecdb_pq_code_type;
	return NULL;
}

bool
VecdbElemTypeHasMetric(const VecdbElemType *t, VecdbMetric metric)
{
	if (t->kind == VECDB_ELEM_BIT)
		return metric == VECDB_METRIC_HAMMING || metric == VECDB_METRIC_JACCARD;
	return metric >= VECDB_METRIC_L2 && metric <= VECDB_METRIC_L1;
}
