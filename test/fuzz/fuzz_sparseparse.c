/*-------------------------------------------------------------------------
 *
 * fuzz_sparseparse.c
 *	  libFuzzer harness for the sparsevec text parser
 *	  (src/type/sparseparse.c).
 *
 * Built by "make fuzz" with clang -fsanitize=fuzzer,address,undefined, so a
 * crash, an out-of-bounds access (the element buffer is allocated with
 * exactly SparseParseCapacity entries), a leak or undefined behaviour in
 * SparseParse or SparseCanonicalize is reported by the sanitizers.  On top
 * of that the harness checks, and aborts when one fails:
 *
 *	- the returned status equals res.status and 0 <= nnz <= capacity;
 *	- only SPARSEPARSE_OUT_OF_RANGE sets a token, and then the span lies
 *	  inside the input and is a number strtof reads whole with ERANGE, as
 *	  zero or an infinity;
 *	- after parsing, every stored value is finite and non-zero;
 *	- on SPARSEPARSE_OK, 1 <= dim <= maxdim; after SparseCanonicalize
 *	  succeeds, indices are strictly increasing inside 0 .. dim-1, and a
 *	  second SparseCanonicalize changes nothing;
 *	- round trip: the canonical vector printed as "{i:v,...}/dim" with
 *	  "%.9g" (enough digits for any float) parses back to the same elements,
 *	  bit for bit;
 *	- whitespace: the input with whitespace inserted after every '{', ':',
 *	  ',' and '/' and before every '}' gets the same parse status (none of
 *	  these characters can be part of a number, so each sits where
 *	  whitespace is allowed or where an error is already reported).
 *
 * Locale: the harness does not call setlocale(); a C program starts in the
 * "C" locale, which SparseParse requires (strtof) and "%.9g" matches.
 *
 * The input is copied and NUL-terminated; an embedded NUL ends the literal
 * there, as it would for a C string coming from the backend.
 *
 * Copyright (c) 2026, vecdb developers
 *
 * test/fuzz/fuzz_sparseparse.c
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
#include "type/sparseparse.h"

/* pgvector's limits */
#define FUZZ_MAXNNZ 16000
#define FUZZ_MAXDIM 1000000000

/* "{" + per element "2147483647:-1.17549435e-38," + "}/2147483647" + NUL */
#define FUZZ_ELEM_CHARS 32
#define FUZZ_TEXT_SIZE ((size_t) FUZZ_MAXNNZ * FUZZ_ELEM_CHARS + 16)

static const char fuzz_space[] = " \t\n\r\v\f";

static char *text;

/*
 * Parses lit into a buffer of exactly its capacity (NULL when the element
 * bound is exceeded), checks what holds for any parse, and returns the
 * buffer (the caller frees it).
 */
static SparseElem *
parse_checked(const char *lit, size_t len, SparseParseStatus *status,
			  SparseParseResult *res)
{
	int			cap = SparseParseCapacity(lit);
	SparseElem *elems = NULL;
	SparseParseStatus st;

	FUZZ_CHECK(cap >= 1);
	if (cap <= FUZZ_MAXNNZ)
	{
		elems = malloc(sizeof(SparseElem) * (size_t) cap);
		FUZZ_CHECK(elems != NULL);
	}
	st = SparseParse(lit, elems, FUZZ_MAXNNZ, FUZZ_MAXDIM, res);
	FUZZ_CHECK(res->status == st);
	FUZZ_CHECK(res->nnz >= 0 && res->nnz <= cap);
	if (elems == NULL)
		FUZZ_CHECK(st == SPARSEPARSE_TOO_MANY_ELEMENTS && res->nnz == 0);

	if (st == SPARSEPARSE_OUT_OF_RANGE)
	{
		char	   *tok;
		char	   *end;
		float		f;

		FUZZ_CHECK(res->tok_start >= 0 && res->tok_len > 0);
		FUZZ_CHECK((size_t) res->tok_start <= len);
		FUZZ_CHECK((size_t) res->tok_len <= len - (size_t) res->tok_start);
		tok = malloc((size_t) res->tok_len + 1);
		FUZZ_CHECK(tok != NULL);
		memcpy(tok, lit + res->tok_start, (size_t) res->tok_len);
		tok[res->tok_len] = '\0';
		errno = 0;
		f = strtof(tok, &end);
		FUZZ_CHECK(end == tok + res->tok_len);
		FUZZ_CHECK(errno == ERANGE && (f == 0 || isinf(f)));
		free(tok);
	}
	else
		FUZZ_CHECK(res->tok_start == 0 && res->tok_len == 0);

	for (int i = 0; i < res->nnz; i++)
		FUZZ_CHECK(isfinite(elems[i].value) && elems[i].value != 0);
	if (st == SPARSEPARSE_OK)
		FUZZ_CHECK(res->dim >= 1 && res->dim <= FUZZ_MAXDIM);

	*status = st;
	return elems;
}

/* Prints the canonical vector, parses it back and compares. */
static void
check_round_trip(const SparseElem *elems, int nnz, int32_t dim)
{
	SparseParseResult res;
	SparseParseStatus st;
	SparseElem *back;
	size_t		pos = 0;

	text[pos++] = '{';
	for (int i = 0; i < nnz; i++)
	{
		int			n = snprintf(text + pos, FUZZ_TEXT_SIZE - pos, "%s%d:%.9g",
								 i > 0 ? "," : "", (int) elems[i].index + 1,
								 (double) elems[i].value);

		FUZZ_CHECK(n > 0 && (size_t) n < FUZZ_TEXT_SIZE - pos);
		pos += (size_t) n;
	}
	pos += (size_t) snprintf(text + pos, FUZZ_TEXT_SIZE - pos, "}/%d", (int) dim);
	FUZZ_CHECK(pos < FUZZ_TEXT_SIZE);

	back = parse_checked(text, pos, &st, &res);
	FUZZ_CHECK(st == SPARSEPARSE_OK);
	FUZZ_CHECK(SparseCanonicalize(back, res.nnz, res.dim) == SPARSEPARSE_OK);
	FUZZ_CHECK(res.nnz == nnz && res.dim == dim);
	FUZZ_CHECK(nnz == 0 || memcmp(back, elems, sizeof(SparseElem) * (size_t) nnz) == 0);
	free(back);
}

/* Inserts whitespace around the punctuation; the status must not change. */
static void
check_spaces(const char *lit, size_t len, SparseParseStatus expected)
{
	SparseParseResult res;
	SparseParseStatus st;
	size_t		nspace = sizeof(fuzz_space) - 1;
	char	   *spaced = malloc(len * (nspace + 1) + 1);
	SparseElem *elems;
	size_t		pos = 0;

	FUZZ_CHECK(spaced != NULL);
	for (size_t i = 0; i < len; i++)
	{
		if (lit[i] == '}')
		{
			memcpy(spaced + pos, fuzz_space, nspace);
			pos += nspace;
		}
		spaced[pos++] = lit[i];
		if (lit[i] == '{' || lit[i] == ':' || lit[i] == ',' || lit[i] == '/')
		{
			memcpy(spaced + pos, fuzz_space, nspace);
			pos += nspace;
		}
	}
	spaced[pos] = '\0';

	elems = parse_checked(spaced, pos, &st, &res);
	FUZZ_CHECK(st == expected);
	free(elems);
	free(spaced);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	SparseParseResult res;
	SparseParseStatus st;
	SparseElem *elems;
	char	   *lit;
	size_t		len;

	if (text == NULL)
	{
		text = malloc(FUZZ_TEXT_SIZE);
		FUZZ_CHECK(text != NULL);
	}

	lit = malloc(size + 1);
	FUZZ_CHECK(lit != NULL);
	if (size > 0)
		memcpy(lit, data, size);
	lit[size] = '\0';
	len = strlen(lit);

	elems = parse_checked(lit, len, &st, &res);
	if (st == SPARSEPARSE_OK &&
		SparseCanonicalize(elems, res.nnz, res.dim) == SPARSEPARSE_OK)
	{
		SparseElem *copy = malloc(sizeof(SparseElem) * (size_t) (res.nnz + 1));

		FUZZ_CHECK(copy != NULL);
		for (int i = 0; i < res.nnz; i++)
		{
			FUZZ_CHECK(elems[i].index >= 0 && elems[i].index < res.dim);
			FUZZ_CHECK(i == 0 || elems[i - 1].index < elems[i].index);
		}
		memcpy(copy, elems, sizeof(SparseElem) * (size_t) res.nnz);
		FUZZ_CHECK(SparseCanonicalize(copy, res.nnz, res.dim) == SPARSEPARSE_OK);
		FUZZ_CHECK(res.nnz == 0 ||
				   memcmp(copy, elems, sizeof(SparseElem) * (size_t) res.nnz) == 0);
		free(copy);
		check_round_trip(elems, res.nnz, res.dim);
	}
	free(elems);

	check_spaces(lit, len, st);

	free(lit);
	return 0;
}
