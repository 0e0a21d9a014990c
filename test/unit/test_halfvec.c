/*-------------------------------------------------------------------------
 *
 * test_halfvec.c
 *	  Server-free test of the half conversions and every half kernel.
 *
 * Conversions:
 *   - half -> float for all 65,536 bit patterns against a reference built
 *     from ldexp;
 *   - float -> half against an independent reference (a binary search for
 *     the nearest half among all finite halves, ties to the even pattern)
 *     for: every float within 16 ulps of every half and of every midpoint
 *     between adjacent halves (ties, subnormals, the overflow edge at
 *     65520), every float from 65504 to 65536, a stride through all 2^32
 *     patterns and a denser one through the subnormal range;
 *   - where the CPU has F16C, against the hardware conversion (vcvtps2ph,
 *     round to nearest even) for every float from 2^-25 to 2^16, the whole
 *     range where rounding happens.
 * Kernels: every half family this CPU supports against a long-double
 * reference for every dimension 1..2048 at every start offset 0..15 of
 * the first operand (the second at 16 further offsets), for two element
 * distributions (N(0,1)-like, and uniform over all finite bit patterns,
 * so subnormals and 65504 appear), with a NaN planted after each vector.
 * Prints "N passed, M failed" last and exits non-zero on any failure.
 *
 * Copyright (c) 2026, vecdb developers
 *
 * test/unit/test_halfvec.c
 *
 *-------------------------------------------------------------------------
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/distance.h"
#include "kernel/halfvec.h"
#include "unit_rng.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define HAVE_X86 1
#endif

#define MAXDIM 2048
#define NOFF 16

static int	n_pass = 0,
			n_fail = 0,
			n_fail_reported = 0;

static void
result(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#include <stdarg.h>

static void
result(int ok, const char *fmt, ...)
{
	va_list		ap;

	if (ok)
	{
		n_pass++;
		return;
	}
	n_fail++;
	if (n_fail_reported++ < 30)
	{
		printf("FAIL ");
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		printf("\n");
	}
}

static uint32_t
fbits(float f)
{
	uint32_t	u;

	memcpy(&u, &f, sizeof(u));
	return u;
}

static float
bitsf(uint32_t u)
{
	float		f;

	memcpy(&f, &u, sizeof(f));
	return f;
}

/* ---- independent references ---- */

/* half -> double by the definition of binary16 */
static double
ref_half_value(uint16_t h)
{
	int			e = (h >> 10) & 0x1F;
	int			m = h & 0x3FF;
	double		v;

	if (e == 0x1F)
		v = m ? NAN : INFINITY;
	else if (e == 0)
		v = ldexp((double) m, -24);
	else
		v = ldexp((double) (m + 1024), e - 25);
	return (h & 0x8000) ? -v : v;
}

/*
 * float -> half by search: positive finite halves are ordered like their
 * bit patterns, so find the last one not above |f|, then pick the nearer
 * of it and the next (65536 stands in for infinity), ties to the even one.
 */
static uint16_t
ref_float_to_half(float f)
{
	double		a = fabs((double) f);
	uint16_t	sign = signbit(f) ? 0x8000 : 0;
	int			lo = 0,
				hi = 0x7BFF;
	double		vlo,
				vhi;

	if (isnan(f))
		return sign | 0x7E00;
	if (a >= 65520.0)
		return sign | 0x7C00;
	while (lo < hi)
	{
		int			mid = (lo + hi + 1) / 2;

		if (ref_half_value((uint16_t) mid) <= a)
			lo = mid;
		else
			hi = mid - 1;
	}
	vlo = ref_half_value((uint16_t) lo);
	if (vlo == a)
		return sign | (uint16_t) lo;
	vhi = lo == 0x7BFF ? 65536.0 : ref_half_value((uint16_t) (lo + 1));
	if (a - vlo < vhi - a)
		return sign | (uint16_t) lo;
	if (a - vlo > vhi - a)
		return sign | (uint16_t) (lo + 1);
	return sign | (uint16_t) ((lo & 1) ? lo + 1 : lo);
}

static void
check_f2h(uint32_t bits)
{
	float		f = bitsf(bits);
	uint16_t	got = VecdbFloatToHalf(f);
	uint16_t	want = ref_float_to_half(f);

	if (isnan(f))
		result(VecdbHalfIsNan(got) && (got & 0x8000) == (want & 0x8000),
			   "f2h NaN 0x%08x -> 0x%04x", bits, got);
	else
		result(got == want, "f2h 0x%08x (%.9g) -> 0x%04x, want 0x%04x",
			   bits, f, got, want);
}

static void
test_conversions(void)
{
	/* half -> float: every pattern */
	for (uint32_t h = 0; h < 65536; h++)
	{
		float		got = VecdbHalfToFloat((uint16_t) h);
		double		want = ref_half_value((uint16_t) h);

		if (isnan(want))
			result(isnan(got) && !!signbit(got) == !!(h & 0x8000),
				   "h2f NaN 0x%04x", h);
		else
			result((double) got == want && !!signbit(got) == !!(h & 0x8000),
				   "h2f 0x%04x -> %.9g, want %.9g", h, got, want);
		/* classification agrees with the value */
		result(VecdbHalfIsNan((uint16_t) h) == !!isnan(want) &&
			   VecdbHalfIsInf((uint16_t) h) == !!isinf(want) &&
			   VecdbHalfIsZero((uint16_t) h) == (want == 0),
			   "classification of 0x%04x", h);
		/* every non-NaN half survives the round trip */
		if (!isnan(want))
			result(VecdbFloatToHalf(got) == h, "round trip 0x%04x", h);
	}

	/* float -> half near every half and every midpoint, both signs */
	for (int h = 0; h < 0x7C00; h++)
	{
		float		v = (float) ref_half_value((uint16_t) h);
		float		next = h == 0x7BFF ? 65536.0f : (float) ref_half_value((uint16_t) (h + 1));
		float		mid = (v + next) / 2;	/* exact: 12 significant bits */

		for (int k = -16; k <= 16; k++)
		{
			for (int neg = 0; neg < 2; neg++)
			{
				uint32_t	s = neg ? 0x80000000u : 0;

				if ((int64_t) fbits(v) + k >= 0)
					check_f2h((uint32_t) ((int64_t) fbits(v) + k) | s);
				check_f2h((uint32_t) ((int64_t) fbits(mid) + k) | s);
			}
		}
	}

	/* the overflow edge: every float from 65504 to 65536 */
	for (uint32_t b = fbits(65504.0f); b <= fbits(65536.0f); b++)
	{
		check_f2h(b);
		check_f2h(b | 0x80000000u);
	}

	/* a stride through all patterns (NaNs, infinities, huge, tiny) */
	for (uint64_t b = 0; b <= 0xFFFFFFFFull; b += 997)
		check_f2h((uint32_t) b);
	check_f2h(0x7F800000);
	check_f2h(0xFF800000);
	check_f2h(0x7FC00000);
	check_f2h(0xFFFFFFFF);

	/* subnormal halves and underflow: 2^-26 .. 2^-14, stride 31 */
	for (uint32_t b = fbits(0x1p-26f); b <= fbits(0x1p-14f); b += 31)
		check_f2h(b);
}

#ifdef HAVE_X86
__attribute__((target("avx,f16c"))) static uint16_t
hw_float_to_half(float f)
{
	return (uint16_t) _cvtss_sh(f, _MM_FROUND_TO_NEAREST_INT);
}

/* every float from 2^-25 to 2^16 against the hardware, one result each */
static void
test_against_hardware(void)
{
	uint32_t	first = fbits(0x1p-25f);
	uint32_t	last = fbits(65536.0f);
	long		bad = 0;
	uint32_t	first_bad = 0;

	if (!VecdbCpuHasF16c())
	{
		printf("no F16C: hardware comparison skipped\n");
		return;
	}
	for (uint32_t b = first; b <= last; b++)
	{
		float		f = bitsf(b);

		if (VecdbFloatToHalf(f) != hw_float_to_half(f) ||
			VecdbFloatToHalf(-f) != hw_float_to_half(-f))
		{
			if (bad++ == 0)
				first_bad = b;
		}
	}
	result(bad == 0, "f2h differs from F16C for %ld floats, first 0x%08x",
		   bad, first_bad);
	printf("F16C agreement: %u floats (each sign)\n", last - first + 1);
}
#endif

/* ---- kernels ---- */

/* uniform in [-1, 1) */
static double
rng_signed(void)
{
	return 2.0 * rng_unit() - 1.0;
}

/* N(0,1)-like, or any finite half bit pattern */
static uint16_t
draw(int dist)
{
	if (dist == 0)
		return VecdbFloatToHalf((float) ((rng_signed() + rng_signed() +
										  rng_signed() + rng_signed()) * 0.866));
	for (;;)
	{
		uint16_t	h = (uint16_t) rng_next();

		if ((h & 0x7C00) != 0x7C00)
			return h;
	}
}

typedef struct Ref
{
	long double l2sq,
				dot,
				dot_cond,
				l1,
				na,
				nb;
} Ref;

static void
reference(const uint16_t *a, const uint16_t *b, int n, Ref *r)
{
	memset(r, 0, sizeof(*r));
	for (int i = 0; i < n; i++)
	{
		long double x = ref_half_value(a[i]),
					y = ref_half_value(b[i]),
					d = x - y;

		r->l2sq += d * d;
		r->dot += x * y;
		r->dot_cond += fabsl(x * y);
		r->l1 += fabsl(d);
		r->na += x * x;
		r->nb += y * y;
	}
}

static void
check(const char *kernel, const char *metric, int dist, int dim, int off,
	  double got, long double want, long double cond, double tol)
{
	long double err = fabsl((long double) got - want);

	result(err <= tol * cond || (cond == 0 && got == 0),
		   "%s %s dist=%d dim=%d off=%d got=%.17g want=%.17Lg",
		   kernel, metric, dist, dim, off, got, want);
}

static void
test_kernels(void)
{
	const VecdbHalfKernelSet *sets[8];
	int			nsets = VecdbHalfKernelsAvailable(sets, 8);
	uint16_t   *abuf = aligned_alloc(64, sizeof(uint16_t) * (MAXDIM + 2 * NOFF) + 64);
	uint16_t   *bbuf = aligned_alloc(64, sizeof(uint16_t) * (MAXDIM + 2 * NOFF) + 64);

	printf("halfvec kernel families:");
	for (int k = 0; k < nsets; k++)
		printf(" %s", sets[k]->name);
	printf(" (in use: %s)\n", vecdb_half_kernels->name);

	for (int dist = 0; dist < 2; dist++)
	{
		for (int dim = 1; dim <= MAXDIM; dim++)
		{
			for (int off = 0; off < NOFF; off++)
			{
				int			boff = (off * 5 + dim) % NOFF;
				uint16_t   *a = abuf + off;
				uint16_t   *b = bbuf + boff;
				Ref			r;

				/* the wide distribution at fewer dimensions past 256 */
				if (dist == 1 && dim > 256 && dim % 61 != 0 && dim != MAXDIM)
					continue;
				for (int i = 0; i < dim; i++)
				{
					a[i] = draw(dist);
					b[i] = draw(dist);
				}
				a[dim] = b[dim] = 0x7E00;	/* NaN: must not be read */
				reference(a, b, dim, &r);

				for (int k = 0; k < nsets; k++)
				{
					const VecdbHalfKernelSet *ks = sets[k];
					/* the scalar reference sums in double */
					double		tol = k == 0 ? 1e-12 : 1e-5;
					double		cd,
								cna,
								cnb;

					check(ks->name, "l2sq", dist, dim, off, ks->l2sq(a, b, dim), r.l2sq, r.l2sq, tol);
					check(ks->name, "dot", dist, dim, off, ks->dot(a, b, dim), r.dot, r.dot_cond, tol);
					check(ks->name, "l1", dist, dim, off, ks->l1(a, b, dim), r.l1, r.l1, tol);
					ks->cosine_parts(a, b, dim, &cd, &cna, &cnb);
					check(ks->name, "cos.dot", dist, dim, off, cd, r.dot, r.dot_cond, tol);
					check(ks->name, "cos.na", dist, dim, off, cna, r.na, r.na, tol);
					check(ks->name, "cos.nb", dist, dim, off, cnb, r.nb, r.nb, tol);
				}
			}
		}
	}

	/* zero vector: cosine parts are exact zeros; the others exact */
	{
		uint16_t	z[5] = {0, 0, 0, 0, 0};
		uint16_t	o[5];

		for (int i = 0; i < 5; i++)
			o[i] = VecdbFloatToHalf((float) (i + 1));
		for (int k = 0; k < nsets; k++)
		{
			double		d,
						x,
						y;

			sets[k]->cosine_parts(z, o, 5, &d, &x, &y);
			result(d == 0 && x == 0 && y == 55 && sets[k]->l2sq(z, o, 5) == 55 &&
				   sets[k]->l1(z, o, 5) == 15 && sets[k]->dot(z, o, 5) == 0,
				   "%s zero-vector cases", sets[k]->name);
		}
	}

	free(abuf);
	free(bbuf);
}

int
main(void)
{
	VecdbKernelsInit();

	/* the float dispatch carries the half family along */
	result(vecdb_half_kernels == VecdbHalfKernelsBest(), "init picks the best half family");
	VecdbKernelsForceScalar(1);
	result(vecdb_half_kernels == &vecdb_half_kernels_scalar, "force scalar selects half scalar");
	VecdbKernelsForceScalar(0);
	result(vecdb_half_kernels == VecdbHalfKernelsBest(), "unforcing restores the best half family");

	test_conversions();
#ifdef HAVE_X86
	test_against_hardware();
#endif
	test_kernels();

	printf("%d passed, %d failed\n", n_pass, n_fail);
	return n_fail == 0 ? 0 : 1;
}
