/*-------------------------------------------------------------------------
 *
 * pqcode.c
 *	  Product-quantization codes (see pqcode.h): codebook training, encoding
 *	  of values and queries, distances, the lower bound, and the
 *	  element-type descriptor an index uses to store and measure them.
 *
 * The index's parameters are the codebooks, a block of VECDB_PQ_SUBDIMS x
 * VECDB_PQ_CENTROIDS floats per subspace, element by element: element j
 * of centroid k of subspace s at (s * VECDB_PQ_SUBDIMS + j) *
 * VECDB_PQ_CENTROIDS + k (the last subspace's elements past the
 * dimensions zero).  So a piece's distances to all 256 centroids are
 * element-wise loops over contiguous rows, which the compiler vectorizes
 * without reordering any sum: a query's table, encoding and k-means's
 * assignment step all take them.  The same centroids follow centroid by
 * centroid (centroid k of subspace s at (s * VECDB_PQ_CENTROIDS + k) *
 * VECDB_PQ_SUBDIMS, after all subspaces' blocks) for the distance between
 * two codes, which reads one centroid from each: one cache line instead of
 * eight (building the graph spends most of its time there).
 * Without parameters (an index built from no rows) every centroid is zero:
 * the codes then tell no rows apart, and the index answers through
 * re-ranking alone.
 *
 * Every metric decomposes over subspaces: squared L2, the inner product
 * and L1 are sums of their pieces' values, and cosine is the inner product
 * of unit vectors (the index codes them normalized).  A value's code names
 * the centroid nearest (L2) to each piece.  With x' the decoded vector (the
 * concatenated centroids) and e2 = |x - x'|, e1 = |x - x'|_1 kept in the
 * code, a query's distance to x' is exact from its table, and
 *
 *	 |q - x| >= |q - x'| - e2;  -q.x >= -q.x' - |q| e2;  |q - x|_1 >=
 *	 |q - x'|_1 - e1
 *
 * bound the exact distance from below for re-ranking, surely (less a
 * margin for float rounding), unlike the binary codes' bound.  Between two
 * codes (building the graph) the distance is the one between their decoded
 * vectors.
 *
 * Copyright (c) 2026, vecdb developers
 *
 * src/type/pqcode.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <float.h>
#include <math.h>

#include "miscadmin.h"
#include "storage/shmem.h"

#include "type/pqcode.h"
#include "type/vector.h"

#define SUB		VECDB_PQ_SUBDIMS
#define K		VECDB_PQ_CENTROIDS

/* the codebooks when there are none: every centroid zero */
static const float zero_block[SUB * K];

static Size
pq_size(int dims)
{
	return VECDB_PQ_CODE_SIZE(dims);
}

static Size
pq_query_size(int dims)
{
	return add_size(offsetof(VecdbPqQuery, table),
					mul_size(sizeof(float) * K, VECDB_PQ_SUBSPACES(dims)));
}

/* floats of one layout of the codebooks */
static Size
layout_size(int dims)
{
	return mul_size((Size) K * SUB, VECDB_PQ_SUBSPACES(dims));
}

/* both layouts */
static Size
pq_params_size(VecdbMetric metric, int dims)
{
	return mul_size(2, layout_size(dims));
}

/* the codebook of subspace s: SUB rows of K floats */
static inline const float *
block(const float *params, int s)
{
	return params ? params + (Size) s * SUB * K : zero_block;
}

/*
 * out[k] = the metric's distance between piece x and centroid k of
 * codebook cb, for all K centroids.  Squared L2, -dot or L1.
 */
static void
piece_table(VecdbMetric metric, const float *pg_restrict cb, const float *x,
			float *pg_restrict out)
{
	memset(out, 0, sizeof(float) * K);
	for (int j = 0; j < SUB; j++)
	{
		const float *pg_restrict c = cb + j * K;
		float		xj = x[j];

		switch (metric)
		{
			case VECDB_METRIC_L2:
				for (int k = 0; k < K; k++)
					out[k] += (xj - c[k]) * (xj - c[k]);
				break;
			case VECDB_METRIC_IP:
			case VECDB_METRIC_COSINE:
				for (int k = 0; k < K; k++)
					out[k] -= xj * c[k];
				break;
			default:
				for (int k = 0; k < K; k++)
					out[k] += fabsf(xj - c[k]);
				break;
		}
	}
}

/*
 * The metric's distance between the pieces decoded from codes x and y of
 * dims dimensions, summed over subspaces; params NULL: zero centroids.
 */
static double
code_distance(VecdbMetric metric, const VecdbPqCode *x, const VecdbPqCode *y,
			  int dims, const float *params)
{
	const float *rows = params ? params + layout_size(dims) : NULL;
	double		d = 0;

	for (int s = 0; s < VECDB_PQ_SUBSPACES(dims) && rows != NULL; s++)
	{
		const float *u = rows + ((Size) s * K + x->c[s]) * SUB;
		const float *v = rows + ((Size) s * K + y->c[s]) * SUB;
		float		p = 0;

		for (int j = 0; j < SUB; j++)
		{
			if (metric == VECDB_METRIC_L2)
				p += (u[j] - v[j]) * (u[j] - v[j]);
			else if (metric == VECDB_METRIC_L1)
				p += fabsf(u[j] - v[j]);
			else
				p -= u[j] * v[j];
		}
		d += p;
	}
	return d;
}

/* the centroid of codebook cb nearest (L2) to piece x */
static int
nearest(const float *cb, const float *x)
{
	float		t[K];
	int			best = 0;

	piece_table(VECDB_METRIC_L2, cb, x, t);
	for (int k = 1; k < K; k++)
		if (t[k] < t[best])
			best = k;
	return best;
}

/* value x as floats, zero-padded to whole subspaces, palloc'd */
static float *
padded_floats(const VecdbElemType *src, const void *x, int dims)
{
	float	   *f = palloc0(mul_size(sizeof(float) * SUB, Max(VECDB_PQ_SUBSPACES(dims), 1)));

	src->to_float(x, dims, f);
	return f;
}

static void
encode_value(VecdbPqCode *code, const float *f, int dims, const float *params)
{
	double		e2 = 0,
				e1 = 0;

	memset(code, 0, offsetof(VecdbPqCode, c));
	code->form = VECDB_PQ_STORED;
	for (int s = 0; s < VECDB_PQ_SUBSPACES(dims); s++)
	{
		const float *cb = block(params, s);
		int			k = nearest(cb, f + s * SUB);

		code->c[s] = (uint8) k;
		for (int j = 0; j < SUB; j++)
		{
			double		r = (double) f[s * SUB + j] - cb[j * K + k];

			e2 += r * r;
			e1 += fabs(r);
		}
	}
	/* rounded up: the bound must not shrink through float rounding */
	e2 = sqrt(e2) * (1 + 1e-6);
	e1 = e1 * (1 + 1e-6);
	code->err2 = e2 < FLT_MAX ? (float) e2 : INFINITY;
	code->err1 = e1 < FLT_MAX ? (float) e1 : INFINITY;
}

static void
encode_query(VecdbPqQuery *q, const float *f, int dims, VecdbMetric metric,
			 const float *params)
{
	double		norm = 0;

	memset(q, 0, offsetof(VecdbPqQuery, table));
	q->form = VECDB_PQ_QUERY;
	for (int s = 0; s < VECDB_PQ_SUBSPACES(dims); s++)
		piece_table(metric, block(params, s), f + s * SUB, q->table + (Size) s * K);
	for (int i = 0; i < dims; i++)
		norm += (double) f[i] * f[i];
	q->norm = (float) sqrt(norm);
}

static void
pq_encode(const VecdbElemType *src, const void *x, int dims, VecdbMetric metric,
		  const float *params, bool query, void *out)
{
	float	   *f = padded_floats(src, x, dims);

	if (query)
		encode_query(out, f, dims, metric, params);
	else
		encode_value(out, f, dims, params);
	pfree(f);
}

/* the distance between q (a query's form or a code) and code x */
static float
pq_distance(VecdbMetric metric, const void *a, const void *b, int dims,
			const float *params)
{
	const VecdbPqCode *x = b;
	int			nsub = VECDB_PQ_SUBSPACES(dims);
	double		d = 0;

	if (((const VecdbPqQuery *) a)->form == VECDB_PQ_QUERY)
	{
		const float *t = ((const VecdbPqQuery *) a)->table;

		for (int s = 0; s < nsub; s++)
			d += t[s * K + x->c[s]];
	}
	else
		d = code_distance(metric, a, x, dims, params);
	if (metric == VECDB_METRIC_L2 || metric == VECDB_METRIC_L1)
		d = Max(d, 0);
	return isnan(d) ? (float) INFINITY : (float) d;
}

/*
 * A lower bound of the exact distance between query a (its query form)
 * and the value coded as b, from approx, the distance between a and b's
 * decoded vector (see the file's comment), less a margin for float
 * rounding.  -Infinity when a is not a query's form.
 */
static float
pq_lower_bound(VecdbMetric metric, float approx, const void *a, const void *b, int dims)
{
	const VecdbPqQuery *q = a;
	const VecdbPqCode *x = b;
	double		lb,
				r;

	if (q->form != VECDB_PQ_QUERY)
		return -INFINITY;
	switch (metric)
	{
		case VECDB_METRIC_L2:
			r = sqrt(Max(approx, 0)) - x->err2;
			lb = r > 0 ? r * r : 0;
			break;
		case VECDB_METRIC_IP:
		case VECDB_METRIC_COSINE:
			lb = approx - (double) q->norm * x->err2;
			break;
		case VECDB_METRIC_L1:
			lb = approx - x->err1;
			break;
		default:
			return -INFINITY;
	}
	lb -= 1e-3 * fabs(approx) + 1e-6;
	return isnan(lb) ? -INFINITY : (float) lb;
}

/* codes carry what encoding gives them: the form, residual norms */
static bool
pq_valid(const void *p, int dims)
{
	const VecdbPqCode *x = p;

	return x->form == VECDB_PQ_STORED && x->unused == 0 &&
		x->err2 >= 0 && x->err1 >= 0 && !isnan(x->err2) && !isnan(x->err1);
}

/*
 * One round of k-means over n pieces pts[n][SUB] with codebook cb:
 * assigns each piece to its nearest centroid, moves each centroid to the
 * mean of its pieces; a centroid with none takes piece (k * 7919 + round)
 * mod n, so that no centroid stays unused.
 */
static void
kmeans_round(const float *pts, int n, float *cb, int round, double *sum, int *count)
{
	memset(sum, 0, sizeof(double) * K * SUB);
	memset(count, 0, sizeof(int) * K);
	for (int i = 0; i < n; i++)
	{
		const float *p = pts + (Size) i * SUB;
		int			k = nearest(cb, p);

		count[k]++;
		for (int j = 0; j < SUB; j++)
			sum[k * SUB + j] += p[j];
	}
	for (int k = 0; k < K; k++)
	{
		const float *p = pts + (Size) (((int64) k * 7919 + round) % n) * SUB;

		for (int j = 0; j < SUB; j++)
			cb[j * K + k] = count[k] > 0 ? (float) (sum[k * SUB + j] / count[k]) : p[j];
	}
}

/*
 * Trains the codebooks on sample[nsample][dims]: per subspace, k-means
 * from the first K sample rows (the sample is a random one; fewer rows are
 * repeated), VECDB_PQ_ITERATIONS rounds.  Checks for interrupts.
 */
static void
pq_train(VecdbMetric metric, int dims, const float *mean, const float *sample,
		 int nsample, float *params)
{
	int			nsub = VECDB_PQ_SUBSPACES(dims);
	float	   *pts = palloc(mul_size(sizeof(float) * SUB, Max(nsample, 1)));
	double	   *sum = palloc(sizeof(double) * K * SUB);
	int		   *count = palloc(sizeof(int) * K);

	memset(params, 0, sizeof(float) * pq_params_size(metric, dims));
	for (int s = 0; s < nsub && nsample > 0; s++)
	{
		int			len = Min(SUB, dims - s * SUB);
		float	   *cb = params + (Size) s * K * SUB;

		memset(pts, 0, sizeof(float) * SUB * (Size) nsample);
		for (int i = 0; i < nsample; i++)
			memcpy(pts + (Size) i * SUB, sample + (Size) i * dims + s * SUB,
				   sizeof(float) * len);
		for (int k = 0; k < K; k++)
			for (int j = 0; j < SUB; j++)
				cb[j * K + k] = pts[(Size) (k % nsample) * SUB + j];
		for (int round = 0; round < VECDB_PQ_ITERATIONS; round++)
		{
			CHECK_FOR_INTERRUPTS();
			kmeans_round(pts, nsample, cb, round, sum, count);
		}
		for (int k = 0; k < K; k++)
			for (int j = 0; j < SUB; j++)
				params[layout_size(dims) + ((Size) s * K + k) * SUB + j] = cb[j * K + k];
	}
	pfree(pts);
	pfree(sum);
	pfree(count);
}

const VecdbElemType vecdb_pq_code_type = {
	VECDB_ELEM_PQ, "pq code", VECDB_PQ_MAX_DIM,
	pq_size, NULL, 0,
	NULL, NULL, pq_distance, pq_valid, NULL, pq_lower_bound,
	pq_encode, pq_query_size, pq_params_size, VECDB_PQ_TRAIN_ROWS, pq_train, NULL
};
