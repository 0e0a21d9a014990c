/*-------------------------------------------------------------------------
 *
 * int8code.c
 *	  8-bit scalar codes (see int8code.h): encoding, and the element-type
 *	  descriptor an index uses to store and measure them.
 *
 * With x = a + b c and y = a' + b' c' element-wise over d dimensions,
 *
 *	 x . y = d a a' + a b' S' + a' b S + b b' (c . c')
 *
 * where S and S' are the code sums: one 8-bit dot product (kernel/int8.h)
 * per distance.  L2 is |x|^2 + |y|^2 - 2 x . y, from the stored squared
 * norms; IP and cosine are -x . y (cosine codes are of unit vectors); L1
 * decodes element by element.
 *
 * Copyright (c) 2026, vecdb developers
 *
 * src/type/int8code.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <float.h>
#include <math.h>

#include "kernel/int8.h"
#include "type/int8code.h"

static Size
code_size(int dims)
{
	return VECDB_INT8_CODE_SIZE(dims);
}

static double
code_dot(const VecdbInt8Code *x, const VecdbInt8Code *y, int dims)
{
	double		cc = vecdb_u8_kernels->dot(x->c, y->c, dims);

	return (double) dims * x->offset * y->offset +
		(double) x->offset * y->scale * y->csum +
		(double) y->offset * x->scale * x->csum +
		(double) x->scale * y->scale * cc;
}

static double
code_l1(const VecdbInt8Code *x, const VecdbInt8Code *y, int dims)
{
	double		s = 0;

	for (int i = 0; i < dims; i++)
		s += fabsf((x->offset + x->scale * x->c[i]) - (y->offset + y->scale * y->c[i]));
	return s;
}

static float
code_distance(VecdbMetric metric, const void *a, const void *b, int dims,
			  const float *params)
{
	const VecdbInt8Code *x = a;
	const VecdbInt8Code *y = b;
	double		d;

	switch (metric)
	{
		case VECDB_METRIC_L2:
			d = (double) x->sqnorm + y->sqnorm - 2 * code_dot(x, y, dims);
			d = Max(d, 0);
			break;
		case VECDB_METRIC_IP:
		case VECDB_METRIC_COSINE:
			d = -code_dot(x, y, dims);
			break;
		case VECDB_METRIC_L1:
			d = code_l1(x, y, dims);
			break;
		default:
			return INFINITY;
	}
	return isnan(d) ? (float) INFINITY : (float) d;
}

/* codes carry what encoding gives them: finite header, matching sum */
static bool
code_valid(const void *p, int dims)
{
	const VecdbInt8Code *x = p;
	uint32		sum = 0;

	if (!isfinite(x->offset) || !isfinite(x->scale) || x->scale < 0 ||
		!isfinite(x->sqnorm) || x->sqnorm < 0)
		return false;
	for (int i = 0; i < dims; i++)
		sum += x->c[i];
	return sum == x->csum;
}

/*
 * A bound on |x - decoded x|: each element within half a step of its
 * code, plus the float rounding of encoding and decoding.
 */
static double
code_error(const VecdbInt8Code *x, int dims)
{
	double		step = 0.5 * x->scale + 1e-6 * (fabs(x->offset) + 255.0 * x->scale);

	return step * sqrt((double) dims);
}

/*
 * A lower bound of the exact distance between the vectors coded as q and
 * x, from approx, the distance between the codes.  L2 by the triangle
 * inequality on |q - x|; IP and cosine from |q.x - q'.x'| <= |q| e_x +
 * e_q |x'| with e the codes' errors; L1 by half a step per element of
 * each.  Less a margin for the float rounding of either distance.
 */
static float
code_lower_bound(VecdbMetric metric, float approx, const void *a, const void *b, int dims)
{
	const VecdbInt8Code *q = a;
	const VecdbInt8Code *x = b;
	double		eq = code_error(q, dims);
	double		ex = code_error(x, dims);
	double		lb,
				r;

	switch (metric)
	{
		case VECDB_METRIC_L2:
			r = sqrt(Max(approx, 0)) - eq - ex;
			lb = r > 0 ? r * r : 0;
			break;
		case VECDB_METRIC_IP:
		case VECDB_METRIC_COSINE:
			lb = approx - ((sqrt(q->sqnorm) + eq) * ex + eq * sqrt(x->sqnorm));
			break;
		case VECDB_METRIC_L1:
			lb = approx - 0.5 * dims * ((double) q->scale + x->scale) * 1.000001;
			break;
		default:
			return -INFINITY;
	}
	lb -= 1e-3 * fabs(approx) + 1e-6;
	return isnan(lb) ? -INFINITY : (float) lb;
}

void
VecdbInt8Encode(const VecdbElemType *src, const void *x, int dims, void *out)
{
	VecdbInt8Code *code = out;
	float	   *f = palloc(sizeof(float) * Max(dims, 1));
	float		lo = INFINITY,
				hi = -INFINITY;
	double		sq = 0;

	Assert(src->to_float != NULL && dims <= VECDB_U8_MAX_N);
	src->to_float(x, dims, f);
	for (int i = 0; i < dims; i++)
	{
		lo = Min(lo, f[i]);
		hi = Max(hi, f[i]);
	}
	code->offset = dims > 0 ? lo : 0;
	/* a range too wide for float (near FLT_MAX) saturates: scale 0 */
	code->scale = dims > 0 && isfinite(hi - lo) ? (hi - lo) / 255.0f : 0;
	code->csum = 0;
	for (int i = 0; i < dims; i++)
	{
		double		q = code->scale > 0 ? rint((f[i] - lo) / code->scale) : 0;
		uint8		c = (uint8) Min(Max(q, 0), 255);
		double		v = (double) code->offset + (double) code->scale * c;

		code->c[i] = c;
		code->csum += c;
		sq += v * v;
	}
	code->sqnorm = isfinite(sq) ? (float) sq : FLT_MAX;
	pfree(f);
}

/* the descriptor's encoder: a query is coded as a value, from the origin */
static void
code_encode(const VecdbElemType *src, const void *x, int dims, VecdbMetric metric,
			const float *params, bool query, void *out)
{
	Assert(params == NULL);
	VecdbInt8Encode(src, x, dims, out);
}

const VecdbElemType vecdb_int8_code_type = {
	VECDB_ELEM_INT8, "int8 code", VECDB_U8_MAX_N,
	code_size, NULL, 0,
	NULL, NULL, code_distance, code_valid, NULL, code_lower_bound,
	code_encode, code_size, NULL, 0, NULL, NULL
};
