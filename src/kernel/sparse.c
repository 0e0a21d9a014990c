/*-------------------------------------------------------------------------
 *
 * sparse.c
 *	  Scalar kernels over sparse vectors: one merge walk for every metric.
 *
 * sparse_merge walks both sorted index lists once and adds one float term
 * per index of the union (dot: per index of the intersection).  The three
 * exported sparse-sparse kernels are that walk with a constant metric, which
 * the compiler folds, so there is one loop to get right.
 *
 * Scalar only.  A SIMD merge (vector compares of index blocks) or a gather
 * for the sparse-dense case would change the order of the float additions
 * and so the results' last bits, which must stay pgvector's; nnz is small
 * (at most 16000) and the walk is bound by its branches, not arithmetic.
 *
 * Copyright (c) 2026, vecdb developers
 *
 * src/kernel/sparse.c
 *
 *-------------------------------------------------------------------------
 */
#include <math.h>

#include "sparse.h"

typedef enum SparseMetric
{
	SPARSE_DOT,
	SPARSE_L2SQ,
	SPARSE_L1
} SparseMetric;

/* the term for an index both vectors hold */
static inline float
term_both(SparseMetric m, float x, float y)
{
	float		d;

	switch (m)
	{
		case SPARSE_DOT:
			return x * y;
		case SPARSE_L2SQ:
			d = x - y;
			return d * d;
		default:
			return fabsf(x - y);
	}
}

/* the term for an index only one vector holds (the other is 0) */
static inline float
term_one(SparseMetric m, float x)
{
	return m == SPARSE_L2SQ ? x * x : fabsf(x);
}

static inline float
sparse_merge(SparseMetric m, const int32_t *ai, const float *ax, int an,
			 const int32_t *bi, const float *bx, int bn)
{
	float		sum = 0.0f;
	int			i = 0,
				j = 0;

	while (i < an && j < bn)
	{
		if (ai[i] == bi[j])
			sum += term_both(m, ax[i++], bx[j++]);
		else if (ai[i] < bi[j])
		{
			if (m != SPARSE_DOT)
				sum += term_one(m, ax[i]);
			i++;
		}
		else
		{
			if (m != SPARSE_DOT)
				sum += term_one(m, bx[j]);
			j++;
		}
	}
	if (m != SPARSE_DOT)
	{
		for (; i < an; i++)
			sum += term_one(m, ax[i]);
		for (; j < bn; j++)
			sum += term_one(m, bx[j]);
	}
	return sum;
}

float
VecdbSparseDot(const int32_t *ai, const float *ax, int an,
			   const int32_t *bi, const float *bx, int bn)
{
	return sparse_merge(SPARSE_DOT, ai, ax, an, bi, bx, bn);
}

float
VecdbSparseL2sq(const int32_t *ai, const float *ax, int an,
				const int32_t *bi, const float *bx, int bn)
{
	return sparse_merge(SPARSE_L2SQ, ai, ax, an, bi, bx, bn);
}

float
VecdbSparseL1(const int32_t *ai, const float *ax, int an,
			  const int32_t *bi, const float *bx, int bn)
{
	return sparse_merge(SPARSE_L1, ai, ax, an, bi, bx, bn);
}

float
VecdbSparseNormSq(const float *x, int n)
{
	float		sum = 0.0f;

	for (int i = 0; i < n; i++)
		sum += x[i] * x[i];
	return sum;
}

float
VecdbSparseDenseDot(const int32_t *ai, const float *ax, int an, const float *b)
{
	float		sum = 0.0f;

	for (int i = 0; i < an; i++)
		sum += ax[i] * b[ai[i]];
	return sum;
}

float
VecdbSparseDenseL2sq(const int32_t *ai, const float *ax, int an,
					 const float *b, int dim)
{
	float		sum = 0.0f;
	int			i = 0;

	for (int k = 0; k < dim; k++)
	{
		float		d = b[k];

		if (i < an && ai[i] == k)
			d = ax[i++] - d;
		sum += d * d;
	}
	return sum;
}
