/*-------------------------------------------------------------------------
 *
 * bincode.c
 *	  One-bit codes (see bincode.h): the turn, encoding, the estimator and
 *	  its bound, and the element-type descriptor an index uses to store and
 *	  measure them.
 *
 * The turn P is two rounds of (flip the sign of coordinate i when bit 0 of
 * a hash of (round, i) is set; Walsh-Hadamard transform scaled by
 * 1/sqrt(D)): orthogonal, so it keeps norms and inner products, costs
 * 2 D log D additions, and spreads each vector's energy over all D
 * coordinates whatever the data's own axes.  The signs are fixed (a
 * constant seed), part of the format: every index turns the same way.
 *
 * Estimator.  Let o = P r / |r| be a unit residual, b its code's bits and
 * o' = (2 b - 1) / sqrt(D) the unit sign vector, ipf = <o', o>.  For a
 * unit query direction u, <o', u> / ipf estimates <o, u> without bias when
 * the turn is random, with a standard error of sqrt(1 - ipf^2) / ipf /
 * sqrt(D - 1) (RaBitQ's analysis).  The query's coordinates are held at 4
 * bits (u ~ lo + step k), so
 *
 *	 sqrt(D) <o', u> = 2 lo |b| + 2 step <b, k> - D lo - step sum(k)
 *
 * with <b, k> = sum_j 2^j popcount(b and plane_j): four AND-popcounts
 * (kernel/bit.h).  Rounding the query adds at most a standard error of
 * step / sqrt(12) / ipf.  Then with nx, nq the residual norms:
 *
 *	 L2 = nx^2 + nq^2 - 2 nx nq est;  IP, cosine = -nx nq est
 *
 * and L1, which the codes cannot estimate, is walked by sqrt of the L2
 * estimate (L1 >= L2 norm: its bound stays a bound).  Between two codes
 * (building the graph) the estimate is <o'x, o'y> / (ipf_x ipf_y), from
 * one Hamming distance.
 *
 * The lower bound adds VECDB_BIN_EPSILON standard errors to the estimated
 * cosine: it holds for a candidate with probability about 1 - 1e-3 (a
 * normal tail at 3 sigma), not surely; and L2 is never below (nx - nq)^2.
 *
 * Copyright (c) 2026, vecdb developers
 *
 * src/type/bincode.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <float.h>
#include <math.h>

#include "port/pg_bitutils.h"
#include "storage/shmem.h"

#include "kernel/bit.h"
#include "type/bincode.h"
#include "type/vector.h"

#define TURN_SEED	UINT64CONST(0x5644424231424954)	/* "VDBB1BIT" */
#define TURN_ROUNDS 2

int
VecdbBinPadded(int dims)
{
	int			d = 64;

	while (d < dims)
		d *= 2;
	return d;
}

static Size
bin_size(int dims)
{
	return VECDB_BIN_CODE_SIZE(dims);
}

static Size
bin_query_size(int dims)
{
	return offsetof(VecdbBinQuery, planes) +
		(Size) VECDB_BIN_QUERY_BITS * VecdbBinPadded(dims) / 8;
}

/* a centre (dims floats) for L2 and L1; the origin for IP and cosine */
static Size
bin_params_size(VecdbMetric metric, int dims)
{
	return metric == VECDB_METRIC_L2 || metric == VECDB_METRIC_L1 ? (Size) dims : 0;
}

/* the centre is the mean of the rows */
static void
bin_train(VecdbMetric metric, int dims, const float *mean, const float *sample,
		  int nsample, float *params)
{
	memcpy(params, mean, sizeof(float) * (Size) dims);
}

/* whether round's sign flips coordinate i (splitmix64's finalizer) */
static bool
flips(int round, int i)
{
	uint64		z = TURN_SEED + ((uint64) round << 32) + (uint64) i;

	z = (z ^ (z >> 30)) * UINT64CONST(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64CONST(0x94d049bb133111eb);
	z ^= z >> 31;
	return (z & 1) != 0;
}

/* y = P y over D coordinates */
static void
turn(float *y, int D)
{
	float		scale = (float) (1.0 / sqrt((double) D));

	for (int round = 0; round < TURN_ROUNDS; round++)
	{
		for (int i = 0; i < D; i++)
			if (flips(round, i))
				y[i] = -y[i];
		for (int len = 1; len < D; len *= 2)
			for (int i = 0; i < D; i += 2 * len)
				for (int j = i; j < i + len; j++)
				{
					float		a = y[j];
					float		b = y[j + len];

					y[j] = a + b;
					y[j + len] = a - b;
				}
		for (int i = 0; i < D; i++)
			y[i] *= scale;
	}
}

/*
 * P (x - centre) over D coordinates, palloc'd; its norm into *norm (0 if
 * the residual is zero).
 */
static float *
turned(const VecdbElemType *src, const void *x, int dims, const float *centre, int D,
	   double *norm)
{
	float	   *y = palloc0(mul_size(sizeof(float), D));
	double		n = 0;

	src->to_float(x, dims, y);
	if (centre)
		for (int i = 0; i < dims; i++)
			y[i] -= centre[i];
	turn(y, D);
	for (int i = 0; i < D; i++)
		n += (double) y[i] * y[i];
	*norm = sqrt(n);
	return y;
}

static void
encode_value(VecdbBinCode *code, const float *y, int D, double norm)
{
	double		l1 = 0;

	memset(code->bits, 0, (Size) D / 8);
	code->ones = 0;
	for (int i = 0; i < D; i++)
	{
		l1 += fabs(y[i]);
		if (y[i] > 0)
		{
			code->bits[i / 8] |= (uint8) (1 << (i % 8));
			code->ones++;
		}
	}
	code->form = VECDB_BIN_STORED;
	code->norm = isfinite(norm) ? (float) norm : FLT_MAX;
	code->ipf = norm > 0 && isfinite(norm) ?
		(float) Min(l1 / (sqrt((double) D) * norm), 1.0) : 0;
}

static void
encode_query(VecdbBinQuery *q, const float *y, int D, double norm)
{
	float		lo = INFINITY,
				hi = -INFINITY;
	double		inv = norm > 0 && isfinite(norm) ? 1.0 / norm : 0;
	int			top = (1 << VECDB_BIN_QUERY_BITS) - 1;

	for (int i = 0; i < D; i++)
	{
		lo = Min(lo, (float) (y[i] * inv));
		hi = Max(hi, (float) (y[i] * inv));
	}
	memset(q, 0, offsetof(VecdbBinQuery, planes));
	memset(q->planes, 0, (Size) VECDB_BIN_QUERY_BITS * (Size) D / 8);
	q->form = VECDB_BIN_QUERY;
	q->norm = isfinite(norm) ? (float) norm : FLT_MAX;
	q->lo = lo;
	q->step = (hi - lo) / top;
	for (int i = 0; i < D; i++)
	{
		double		k = q->step > 0 ? rint((y[i] * inv - lo) / q->step) : 0;
		int			u = (int) Min(Max(k, 0), top);

		q->usum += u;
		for (int j = 0; j < VECDB_BIN_QUERY_BITS; j++)
			if (u & (1 << j))
				q->planes[j * (D / 8) + i / 8] |= (uint8) (1 << (i % 8));
	}
}

static void
bin_encode(const VecdbElemType *src, const void *x, int dims, VecdbMetric metric,
		   const float *centre, bool query, void *out)
{
	int			D = VecdbBinPadded(dims);
	double		norm;
	float	   *y = turned(src, x, dims, centre, D, &norm);

	if (query)
		encode_query(out, y, D, norm);
	else
		encode_value(out, y, D, norm);
	pfree(y);
}

/*
 * The estimated cosine of the residuals of q (a query's form or a code)
 * and code x, in [-1, 1], and into *err its standard error (query form)
 * or 0.
 */
static double
estimate(const void *a, const VecdbBinCode *x, int D, double *err)
{
	const VecdbBinCode *y = a;
	const VecdbBinQuery *q = a;
	size_t		nbytes = (Size) D / 8;
	double		est;

	*err = 0;
	if (x->ipf <= 0)
		return 0;
	if (y->form == VECDB_BIN_QUERY)
	{
		uint64		bk = 0;
		double		dot;

		for (int j = 0; j < VECDB_BIN_QUERY_BITS; j++)
			bk += vecdb_bit_kernels->and_count(x->bits, q->planes + j * nbytes, nbytes) << j;
		dot = (2.0 * q->lo * x->ones + 2.0 * q->step * bk - (double) D * q->lo -
			   (double) q->step * q->usum) / sqrt((double) D);
		est = dot / x->ipf;
		*err = VECDB_BIN_EPSILON *
			(sqrt(Max(1.0 - (double) x->ipf * x->ipf, 0)) / sqrt((double) D - 1) +
			 q->step / sqrt(12.0)) / x->ipf;
	}
	else
	{
		uint64		ham = vecdb_bit_kernels->hamming(x->bits, y->bits, nbytes);

		if (y->ipf <= 0)
			return 0;
		est = ((double) D - 2.0 * ham) / D / ((double) x->ipf * y->ipf);
	}
	return Min(Max(est, -1.0), 1.0);
}

/* the distance under metric of residual norms nq, nx with cosine cos */
static double
from_cosine(VecdbMetric metric, double nq, double nx, double cos)
{
	double		l2 = Max(nq * nq + nx * nx - 2 * nq * nx * cos, (nq - nx) * (nq - nx));

	switch (metric)
	{
		case VECDB_METRIC_L2:
			return l2;
		case VECDB_METRIC_IP:
		case VECDB_METRIC_COSINE:
			return -nq * nx * cos;
		case VECDB_METRIC_L1:
			return sqrt(l2);
		default:
			return INFINITY;
	}
}

static float
bin_distance(VecdbMetric metric, const void *a, const void *b, int dims,
			 const float *params)
{
	const VecdbBinCode *q = a;
	const VecdbBinCode *x = b;
	double		err;
	double		d = from_cosine(metric, q->norm, x->norm,
								estimate(a, x, VecdbBinPadded(dims), &err));

	return isnan(d) ? (float) INFINITY : (float) d;
}

/*
 * A lower bound, with probability about 1 - 1e-3 (VECDB_BIN_EPSILON), of
 * the exact distance between query a (its query form) and the value coded
 * as b: the estimated cosine raised by its error allowance, less a margin
 * for float rounding.  -Infinity when a is not a query's form.
 */
static float
bin_lower_bound(VecdbMetric metric, float approx, const void *a, const void *b, int dims)
{
	const VecdbBinQuery *q = a;
	const VecdbBinCode *x = b;
	double		err;
	double		cos;
	double		lb;

	if (q->form != VECDB_BIN_QUERY)
		return -INFINITY;
	cos = estimate(a, x, VecdbBinPadded(dims), &err);
	if (x->ipf <= 0)
		cos = 1;				/* a zero residual: nothing estimated */
	lb = from_cosine(metric, q->norm, x->norm, Min(cos + err, 1.0));
	lb -= 1e-3 * fabs(lb) + 1e-6;
	return isnan(lb) ? -INFINITY : (float) lb;
}

/* codes carry what encoding gives them: finite factors, matching count */
static bool
bin_valid(const void *p, int dims)
{
	const VecdbBinCode *x = p;
	int			D = VecdbBinPadded(dims);
	int			ones = 0;

	if (x->form != VECDB_BIN_STORED || !isfinite(x->norm) || x->norm < 0 ||
		!(x->ipf >= 0 && x->ipf <= 1))
		return false;
	for (int i = 0; i < D / 8; i++)
		ones += pg_popcount32(x->bits[i]);
	return ones == x->ones;
}

const VecdbElemType vecdb_bin_code_type = {
	VECDB_ELEM_BINARY, "binary code", VECTOR_MAX_DIM,
	bin_size, NULL, 0,
	NULL, NULL, bin_distance, bin_valid, NULL, bin_lower_bound,
	bin_encode, bin_query_size, bin_params_size, 0, bin_train, NULL
};
