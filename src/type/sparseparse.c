/*-------------------------------------------------------------------------
 *
 * sparseparse.c
 *	  Pure-C parser for the sparsevec text format.
 *
 * Grammar, with space* allowed around every token:
 *
 *	'{' [ index ':' value (',' index ':' value)* ] '}' '/' dim
 *
 * index and dim are base-10 integers with an optional sign (what strtol
 * reads); value is anything strtof reads.  The problems are reported in the
 * order pgvector reports them, so that users see the same error for the
 * same text: first the element count (commas), then syntax and values in
 * reading order, then the dimension, then (SparseCanonicalize, after the
 * caller's typmod check) index range and duplicates in sorted order.
 *
 * Copyright (c) 2026, vecdb developers
 *
 * src/type/sparseparse.c
 *
 *-------------------------------------------------------------------------
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>

#include "sparseparse.h"

/* integers are read up to this magnitude, then saturate (beyond int32) */
#define SPARSEPARSE_INT_SATURATE ((int64_t) 1 << 40)

static inline int
sparse_isspace(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
		c == '\v' || c == '\f';
}

static inline const char *
skip_space(const char *p)
{
	while (sparse_isspace(*p))
		p++;
	return p;
}

/*
 * Reads [+-]digits at p as strtol(p, &end, 10) would after whitespace,
 * saturating the magnitude at SPARSEPARSE_INT_SATURATE (the callers clamp
 * to int32 anyway).  Returns 0 when there is no digit; else 1 with *val and
 * *end set.
 */
static int
read_int(const char *p, int64_t *val, const char **end)
{
	int			neg = 0;
	int64_t		v = 0;
	const char *q;

	if (*p == '+' || *p == '-')
		neg = (*p++ == '-');
	for (q = p; *q >= '0' && *q <= '9'; q++)
	{
		if (v < SPARSEPARSE_INT_SATURATE)
			v = v * 10 + (*q - '0');
	}
	if (q == p)
		return 0;
	*val = neg ? -v : v;
	*end = q;
	return 1;
}

static SparseParseStatus
finish(SparseParseResult *res, SparseParseStatus status, int nnz)
{
	res->status = status;
	res->nnz = nnz;
	return status;
}

int
SparseParseCapacity(const char *lit)
{
	int			n = 1;

	for (; *lit != '\0'; lit++)
	{
		if (*lit == ',' && n < INT_MAX)
			n++;
	}
	return n;
}

SparseParseStatus
SparseParse(const char *lit, SparseElem *elems, int maxnnz, int32_t maxdim,
			SparseParseResult *res)
{
	const char *p;
	int			cap = SparseParseCapacity(lit);
	int			nnz = 0;
	int64_t		dim;

	res->tok_start = res->tok_len = 0;
	res->dim = 0;

	if (cap > maxnnz)
		return finish(res, SPARSEPARSE_TOO_MANY_ELEMENTS, 0);

	p = skip_space(lit);
	if (*p != '{')
		return finish(res, SPARSEPARSE_NO_OPEN_BRACE, 0);
	p = skip_space(p + 1);

	if (*p == '}')
		p++;
	else
	{
		for (;;)
		{
			int64_t		index;
			float		value;
			char	   *vend;
			const char *iend;

			p = skip_space(p);
			if (!read_int(p, &index, &iend))
				return finish(res, SPARSEPARSE_SYNTAX, nnz);
			p = skip_space(iend);
			if (*p != ':')
				return finish(res, SPARSEPARSE_SYNTAX, nnz);
			p = skip_space(p + 1);

			errno = 0;
			value = strtof(p, &vend);
			if (vend == p)
				return finish(res, SPARSEPARSE_SYNTAX, nnz);
			if (errno == ERANGE && (value == 0 || isinf(value)))
			{
				res->tok_start = (int) (p - lit);
				res->tok_len = (int) (vend - p);
				return finish(res, SPARSEPARSE_OUT_OF_RANGE, nnz);
			}
			if (isnan(value))
				return finish(res, SPARSEPARSE_NAN, nnz);
			if (isinf(value))
				return finish(res, SPARSEPARSE_INFINITE, nnz);

			/* zeros are not stored; -0 == 0 too */
			if (value != 0)
			{
				/* cannot happen: each element but the first follows a comma */
				if (nnz >= cap)
					return finish(res, SPARSEPARSE_TOO_MANY_ELEMENTS, nnz);
				/* clamp so that index - 1 stays inside int32 */
				if (index > INT32_MAX)
					index = INT32_MAX;
				else if (index < (int64_t) INT32_MIN + 1)
					index = (int64_t) INT32_MIN + 1;
				elems[nnz].index = (int32_t) (index - 1);
				elems[nnz].value = value;
				nnz++;
			}

			p = skip_space(vend);
			if (*p == ',')
				p++;
			else if (*p == '}')
			{
				p++;
				break;
			}
			else
				return finish(res, SPARSEPARSE_SYNTAX, nnz);
		}
	}

	p = skip_space(p);
	if (*p != '/')
		return finish(res, SPARSEPARSE_NO_SLASH, nnz);
	p = skip_space(p + 1);
	if (!read_int(p, &dim, &p))
		return finish(res, SPARSEPARSE_SYNTAX, nnz);
	if (dim > INT32_MAX)
		dim = INT32_MAX;
	else if (dim < INT32_MIN)
		dim = INT32_MIN;
	res->dim = (int32_t) dim;

	p = skip_space(p);
	if (*p != '\0')
		return finish(res, SPARSEPARSE_JUNK_AFTER_DIM, nnz);
	if (dim < 1)
		return finish(res, SPARSEPARSE_DIM_TOO_SMALL, nnz);
	if (dim > maxdim)
		return finish(res, SPARSEPARSE_DIM_TOO_LARGE, nnz);
	return finish(res, SPARSEPARSE_OK, nnz);
}

static int
compare_index(const void *a, const void *b)
{
	int32_t		ia = ((const SparseElem *) a)->index;
	int32_t		ib = ((const SparseElem *) b)->index;

	return (ia > ib) - (ia < ib);
}

SparseParseStatus
SparseCanonicalize(SparseElem *elems, int nnz, int32_t dim)
{
	int			sorted = 1;

	/* input is usually in order already: skip the sort then */
	for (int i = 1; i < nnz && sorted; i++)
		sorted = elems[i - 1].index < elems[i].index;
	if (!sorted)
		qsort(elems, (size_t) nnz, sizeof(SparseElem), compare_index);

	for (int i = 0; i < nnz; i++)
	{
		if (elems[i].index < 0 || elems[i].index >= dim)
			return SPARSEPARSE_INDEX_OUT_OF_BOUNDS;
		if (i > 0 && elems[i].index == elems[i - 1].index)
			return SPARSEPARSE_DUPLICATE_INDEX;
	}
	return SPARSEPARSE_OK;
}
