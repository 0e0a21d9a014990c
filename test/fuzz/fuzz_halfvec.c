/*-------------------------------------------------------------------------
 *
 * fuzz_halfvec.c
 *	  libFuzzer harness for the halfvec text path: VecParseBounded with the
 *	  half bound (src/type/vecparse.c), then float -> half rounding
 *	  (src/kernel/halfvec.c), as halfvec_in does.
 *
 * Built by "make fuzz" with clang -fsanitize=fuzzer,address,undefined.  On
 * top of the sanitizers the harness checks, and aborts when one fails:
 *
 *	- the bounded parse agrees with the unbounded one (VecParse) on every
 *	  input where no element reaches the bound: same status, dim and
 *	  bit-identical floats;
 *	- when the bounded parse reports VECPARSE_OUT_OF_RANGE, its token lies
 *	  inside the input, strtof reads it whole, and its value is an overflow
 *	  or at least VECDB_HALF_OVERFLOW in magnitude; the elements before it
 *	  are the unbounded parse's;
 *	- on VECPARSE_OK every element rounds to a finite half, and every half
 *	  reads back as a float that rounds to the same half;
 *	- rounding is monotonic: x <= y implies half(x) <= half(y) as values.
 *
 * Locale: like fuzz_vecparse, the harness runs in the "C" locale.  The
 * input is copied and NUL-terminated.
 *
 * Copyright (c) 2026, vecdb developers
 *
 * test/fuzz/fuzz_halfvec.c
 *
 *-------------------------------------------------------------------------
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/halfvec.h"
#include "type/vecparse.h"
#include "fuzz_check.h"

#define FUZZ_MAXDIM 16000

static float *bounded;
static float *unbounded;

static void
check_token(const char *lit, size_t len, const VecParseResult *res)
{
	char	   *tok;
	char	   *end;
	float		f;

	FUZZ_CHECK(res->tok_start >= 0 && res->tok_len > 0);
	FUZZ_CHECK((size_t) res->tok_start + (size_t) res->tok_len <= len);
	tok = malloc((size_t) res->tok_len + 1);
	FUZZ_CHECK(tok != NULL);
	memcpy(tok, lit + res->tok_start, (size_t) res->tok_len);
	tok[res->tok_len] = '\0';
	errno = 0;
	f = strtof(tok, &end);
	FUZZ_CHECK(end == tok + res->tok_len);
	FUZZ_CHECK((errno == ERANGE && isinf(f)) ||
			   (isfinite(f) && fabsf(f) >= VECDB_HALF_OVERFLOW));
	free(tok);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	VecParseResult rb,
				ru;
	VecParseStatus sb,
				su;
	char	   *lit;
	size_t		len;

	if (bounded == NULL)
	{
		bounded = malloc(FUZZ_MAXDIM * sizeof(float));
		unbounded = malloc(FUZZ_MAXDIM * sizeof(float));
		FUZZ_CHECK(bounded != NULL && unbounded != NULL);
	}

	lit = malloc(size + 1);
	FUZZ_CHECK(lit != NULL);
	memcpy(lit, data, size);
	lit[size] = '\0';
	len = strlen(lit);

	sb = VecParseBounded(lit, bounded, FUZZ_MAXDIM, VECDB_HALF_OVERFLOW, &rb);
	su = VecParse(lit, unbounded, FUZZ_MAXDIM, &ru);
	FUZZ_CHECK(rb.status == sb && ru.status == su);
	FUZZ_CHECK(rb.dim >= 0 && rb.dim <= FUZZ_MAXDIM);

	if (sb == VECPARSE_OUT_OF_RANGE)
	{
		check_token(lit, len, &rb);
		FUZZ_CHECK(ru.dim >= rb.dim);
		FUZZ_CHECK(memcmp(bounded, unbounded, sizeof(float) * rb.dim) == 0);
	}
	else
	{
		FUZZ_CHECK(su == sb && ru.dim == rb.dim);
		FUZZ_CHECK(memcmp(bounded, unbounded, sizeof(float) * rb.dim) == 0);
	}

	if (sb == VECPARSE_OK)
	{
		FUZZ_CHECK(rb.dim >= 1);
		for (int i = 0; i < rb.dim; i++)
		{
			uint16_t	h = VecdbFloatToHalf(bounded[i]);
			float		back = VecdbHalfToFloat(h);

			FUZZ_CHECK(!VecdbHalfIsNan(h) && !VecdbHalfIsInf(h));
			FUZZ_CHECK(VecdbFloatToHalf(back) == h);
			/* the half is one of the two nearest: within half an ulp */
			FUZZ_CHECK(fabs((double) back - (double) bounded[i]) <=
					   fmax(ldexp(fabs((double) back), -11), ldexp(1.0, -25)));
			if (i > 0)
			{
				float		x = bounded[i - 1],
							y = bounded[i];
				float		hx = VecdbHalfToFloat(VecdbFloatToHalf(x)),
							hy = VecdbHalfToFloat(VecdbFloatToHalf(y));

				FUZZ_CHECK(!(x <= y) || hx <= hy);
			}
		}
	}

	free(lit);
	return 0;
}
