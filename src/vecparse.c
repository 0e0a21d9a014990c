/*-------------------------------------------------------------------------
 *
 * vecparse.c
 *	  Pure-C parser for the vector text format.
 *
 * Grammar: space* '[' space* elem (space* ',' space* elem)* space* ']' space*
 * where elem is anything strtof accepts (decimal, exponent, hex float,
 * "inf", "nan").  The checks run in reading order so that the first problem
 * in the text is the one reported, which is what pgvector users see.
 *
 * Copyright (c) 2026, vecdb developers
 *
 * src/vecparse.c
 *
 *-------------------------------------------------------------------------
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "vecparse.h"

static inline int
vec_isspace(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
		c == '\v' || c == '\f';
}

static inline const char *
skip_space(const char *p)
{
	while (vec_isspace(*p))
		p++;
	return p;
}

static VecParseStatus
finish(VecParseResult *res, VecParseStatus status, int dim)
{
	res->status = status;
	res->dim = dim;
	return status;
}

VecParseStatus
VecParse(const char *lit, float *out, int maxdim, VecParseResult *res)
{
	const char *p = skip_space(lit);
	int			dim = 0;

	res->tok_start = res->tok_len = 0;

	if (*p != '[')
		return finish(res, VECPARSE_NO_OPEN_BRACKET, 0);
	p = skip_space(p + 1);
	if (*p == ']')
		return finish(res, VECPARSE_EMPTY, 0);

	for (;;)
	{
		char	   *end;
		float		val;

		if (dim == maxdim)
			return finish(res, VECPARSE_TOO_MANY_DIMS, dim);

		p = skip_space(p);
		/* strtof would skip other whitespace or sign-only text: refuse */
		if (*p == '\0' || *p == ',' || *p == ']')
			return finish(res, VECPARSE_SYNTAX, dim);

		errno = 0;
		val = strtof(p, &end);
		if (end == p)
			return finish(res, VECPARSE_SYNTAX, dim);
		if (errno == ERANGE && isinf(val))
		{
			res->tok_start = (int) (p - lit);
			res->tok_len = (int) (end - p);
			return finish(res, VECPARSE_OUT_OF_RANGE, dim);
		}
		if (isnan(val))
			return finish(res, VECPARSE_NAN, dim);
		if (isinf(val))
			return finish(res, VECPARSE_INFINITE, dim);
		out[dim++] = val;

		p = skip_space(end);
		if (*p == ',')
			p++;
		else if (*p == ']')
		{
			p++;
			break;
		}
		else
			return finish(res, VECPARSE_SYNTAX, dim);
	}

	p = skip_space(p);
	if (*p != '\0')
		return finish(res, VECPARSE_JUNK_AFTER_CLOSE, dim);
	return finish(res, VECPARSE_OK, dim);
}
