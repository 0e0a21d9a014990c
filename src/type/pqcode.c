/*-------------------------------------------------------------------------
 *
 * pqcode.c
 *	  Product-quantization codes (see pqcode.h): codebook training, encoding
 *	  of values and queries, distances, the lower bound, and the
 *	  element-type descriptor an index uses to store and measure them.
 *
 * The index's parameters are the codebooks: for subspace s and centroid k,
 * VECDB_PQ_SUBDIMS floats at ((s * VECDB_PQ_CENTROIDS) + k) *
 * VECDB_PQ_SUBDIMS, the last subspace's elements past the dimensions zero.
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

#include "type/pqcode.h"
#include "type/vector.h"

#define SUB		VECDB_PQ_SUBDIMS
#define K		VECDB_PQ_CENTROIDS

static const float zero_centroid[SUB];

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

static Size
pq_params_size(VecdbMetric metric, int dims)
{
	return mul_size((Size) K * SUB, VECDB_PQ_SUBSPACES(dims));
}

/* centroid k of subspace s */
static inline const float *
centroid(const float *params, int s, int k)
{
	return params ? params + ((Size) s * K + k) * SUB : zero_centroid;
}

/* the metric's distance between two pieces of SUB elements */
static inline float
piece_distance(VecdbMetric metric, const float *a, const float *b)
{
	float		d = 0;

	switch (metric)
	{
		case VECDB_METRIC_L2:
			for (int j = 0; j < SUB; j++)
				d += (a[j] - b[j]) * (a[j] - b[j]);
			return d;
		case VECDB_METRIC_IP:
		case VECDB_METRIC_COSINE:
			for (int j = 0; j < SUB; j++)
				d -= a[j] * b[j];
			return d;
		case VECDB_METRIC_L1:
			for (int j = 0; j < SUB; j++)
				d += fabsf(a[j] - b[j]);
			return d;
		default:
			return INFINITY;
	}
}

/* the centroid of subspace s nearest (L2) to piece x */
static int
nearest(const float *params, int s, const float *x)
{
	int			best = 0;
	float		bestd = INFINITY;

	for (int k = 0; k < K; k++)
	{
		float		d = piece_distance(VECDB_METRIC_L2, x, centroid(params, s, k));

		if (d < bestd)
		{
			bestd = d;
			best = k;
		}
	}
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
		int			k = nearest(params, s, f + s * SUB);
		const float *c = centroid(params, s, k);

		code->c[s] = (uint8) k;
		for (int j = 0; j < SUB; j++)
		{
			double		r = (double) f[s * SUB + j] - c[j];

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
		for (int k = 0; k < K; k++)
			q->table[s * K + k] = piece_distance(metric, f + s * SUB,
												 centroid(params, s, k));
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
	{
		const VecdbPqCode *y = a;

		for (int s = 0; s < nsub; s++)
			d += piece_distance(metric, centroid(params, s, y->c[s]),
								centroid(params, s, x->c[s]));
	}
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
 * One round of k-means over n pieces pts[n][SUB] with centroids cb[K][SUB]:
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
		int			k = nearest(cb, 0, p);

		count[k]++;
		for (int j = 0; j < SUB; j++)
			sum[k * SUB + j] += p[j];
	}
	for (int k = 0; k < K; k++)
	{
		const float *p = pts + (Size) (((int64) k * 7919 + round) % n) * SUB;

		for (int j = 0; j < SUB; j++)
			cb[k * SUB + j] = count[k] > 0 ? (float) (sum[k * SUB + j] / count[k]) : p[j];
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
			memcpy(cb + k * SUB, pts + (Size) (k % nsample) * SUB, sizeof(float) * SUB);
		for (int round = 0; round < VECDB_PQ_ITERATIONS; round++)
		{
			CHECK_FOR_INTERRUPTS();
			kmeans_round(pts, nsample, cb, round, sum, count);
		}
	}
	pfree(pts);
	pfree(sum);
	pfree(count);
}

const VecdbElemType vecdb_pq_code_type = {
	VECDB_ELEM_PQ, "pq code", VECTOR_MAX_DIM,
	pq_size, NULL, 0,
	NULL, NULL, pq_distance, pq_valid, NULL, pq_lower_bound,
	pq_encode, pq_query_size, pq_params_size, VECDB_PQ_TRAIN_ROWS, pq_train
};
