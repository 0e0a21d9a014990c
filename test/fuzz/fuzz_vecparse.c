/*-------------------------------------------------------------------------
 *
 * fuzz_vecparse.c
 *	  libFuzzer harness for the vector text parser (src/type/vecparse.c).
 *
 * Built by "make fuzz" with clang -fsanitize=fuzzer,address,undefined, so a
 * crash, an out-of-bounds access, a leak or undefined behaviour in VecParse
 * is reported by the sanitizers.  On top of that the harness checks, and
 * aborts when one fails:
 *
 *	- the returned status equals res.status, and 0 <= dim <= maxdim;
 *	- on VECPARSE_OK, 1 <= dim <= maxdim and every value is finite;
 *	- only VECPARSE_OUT_OF_RANGE sets a token, and then the span lies inside
 *	  the input and is a number strtof reads whole as an overflow;
 *	- round trip: the values printed as "[v1,v2,...]" with "%.9g" (enough
 *	  digits to identify any float) parse back as VECPARSE_OK with the same
 *	  dim and bit-identical floats;
 *	- whitespace: the input with whitespace inserted after every '[' and
 *	  before every ']' gets the same status (neither character can belong to
 *	  a number, so each sits where whitespace is allowed or where an error is
 *	  already reported).
 *
 * Locale: the harness does not call setlocale().  A C program starts in the
 * "C" locale, which is what VecParse requires (strtof's decimal point and
 * isspace set) and what the backend runs with for numeric input, so the
 * "%.9g" output here uses '.' as strtof expects.
 *
 * The input is copied and NUL-terminated; an embedded NUL ends the literal
 * there, as it would for a C string coming from the backend.
 *
 * Copyright (c) 2026, vecdb developers
 *
 * test/fuzz/fuzz_vecparse.c
 *
 *-------------------------------------------------------------------------
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "type/vecparse.h"

#define FUZZ_MAXDIM 16000

/*
 * Longest "%.9g" rendering of a float is "-1.17549435e-38" (15 characters);
 * leave room for a separator per value, the brackets and the NUL.
 */
#define FUZZ_VALUE_CHARS 24
#define FUZZ_TEXT_SIZE ((size_t) FUZZ_MAXDIM * FUZZ_VALUE_CHARS + 3)

/* whitespace inserted by the second property: all six allowed characters */
static const char fuzz_space[] = " \t\n\r\v\f";

/* allocated once, on first call */
static float *vals;
static float *vals2;
static char *text;

/*
 * Checks that hold for any parse of lit: the status is recorded in res, dim
 * is within bounds, and a token is set only for VECPARSE_OUT_OF_RANGE.
 */
static void
check_result(const char *lit, size_t len, VecParseStatus st,
			 const VecParseResult *res)
{
	FUZZ_CHECK(res->status == st);
	FUZZ_CHECK(res->dim >= 0 && res->dim <= FUZZ_MAXDIM);

	if (st == VECPARSE_OUT_OF_RANGE)
	{
		char	   *tok;
		char	   *end;
		float		f;

		FUZZ_CHECK(res->tok_start >= 0);
		FUZZ_CHECK(res->tok_len > 0);
		FUZZ_CHECK((size_t) res->tok_start <= len);
		FUZZ_CHECK((size_t) res->tok_len <= len - (size_t) res->tok_start);

		/* the span, read alone, is exactly one overflowing number */
		tok = malloc((size_t) res->tok_len + 1);
		FUZZ_CHECK(tok != NULL);
		memcpy(tok, lit + res->tok_start, (size_t) res->tok_len);
		tok[res->tok_len] = '\0';
		errno = 0;
		f = strtof(tok, &end);
		FUZZ_CHECK(end == tok + res->tok_len);
		FUZZ_CHECK(errno == ERANGE && isinf(f));
		free(tok);
	}
	else
		FUZZ_CHECK(res->tok_start == 0 && res->tok_len == 0);
}

/*
 * Prints vals[0 .. dim-1] into text as a vector literal, parses it back and
 * checks the result is bit-identical.
 */
static void
check_round_trip(int dim)
{
	VecParseResult res;
	VecParseStatus st;
	size_t		pos = 0;
	int			i;

	text[pos++] = '[';
	for (i = 0; i < dim; i++)
	{
		int			n;

		if (i > 0)
			text[pos++] = ',';
		n = snprintf(text + pos, FUZZ_TEXT_SIZE - pos, "%.9g",
					 (double) vals[i]);
		FUZZ_CHECK(n > 0 && (size_t) n < FUZZ_TEXT_SIZE - pos);
		pos += (size_t) n;
	}
	FUZZ_CHECK(pos + 2 <= FUZZ_TEXT_SIZE);
	text[pos++] = ']';
	text[pos] = '\0';

	st = VecParse(text, vals2, FUZZ_MAXDIM, &res);
	check_result(text, pos, st, &res);
	FUZZ_CHECK(st == VECPARSE_OK);
	FUZZ_CHECK(res.dim == dim);
	FUZZ_CHECK(memcmp(vals, vals2, (size_t) dim * sizeof(float)) == 0);
}

/*
 * Inserts whitespace after every '[' and before every ']' of lit and checks
 * that the status does not change.
 */
static void
check_spaces(const char *lit, size_t len, VecParseStatus expected)
{
	VecParseResult res;
	VecParseStatus st;
	size_t		nspace = sizeof(fuzz_space) - 1;
	char	   *spaced;
	size_t		pos = 0;
	size_t		i;

	spaced = malloc(len * (nspace + 1) + 1);
	FUZZ_CHECK(spaced != NULL);
	for (i = 0; i < len; i++)
	{
		if (lit[i] == ']')
		{
			memcpy(spaced + pos, fuzz_space, nspace);
			pos += nspace;
		}
		spaced[pos++] = lit[i];
		if (lit[i] == '[')
		{
			memcpy(spaced + pos, fuzz_space, nspace);
			pos += nspace;
		}
	}
	spaced[pos] = '\0';

	st = VecParse(spaced, vals2, FUZZ_MAXDIM, &res);
	check_result(spaced, pos, st, &res);
	FUZZ_CHECK(st == expected);
	free(spaced);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	VecParseResult res;
	VecParseStatus st;
	char	   *lit;
	size_t		len;
	int			i;

	if (vals == NULL)
	{
		vals = malloc(FUZZ_MAXDIM * sizeof(float));
		vals2 = malloc(FUZZ_MAXDIM * sizeof(float));
		text = malloc(FUZZ_TEXT_SIZE);
		FUZZ_CHECK(vals != NULL && vals2 != NULL && text != NULL);
	}

	lit = malloc(size + 1);
	FUZZ_CHECK(lit != NULL);
	if (size > 0)
		memcpy(lit, data, size);
	lit[size] = '\0';
	len = strlen(lit);

	st = VecParse(lit, vals, FUZZ_MAXDIM, &res);
	check_result(lit, len, st, &res);

	if (st == VECPARSE_OK)
	{
		FUZZ_CHECK(res.dim >= 1 && res.dim <= FUZZ_MAXDIM);
		for (i = 0; i < res.dim; i++)
			FUZZ_CHECK(isfinite(vals[i]));
		check_round_trip(res.dim);
	}

	check_spaces(lit, len, st);

	free(lit);
	return 0;
}
