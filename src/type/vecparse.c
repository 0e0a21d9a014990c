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
 * Most elements are short decimals ("0.12345678", "-3e-2"), and strtof is
 * the largest cost of reading them.  read_decimal handles those with one
 * exact double operation (Clinger's fast path) and gives every other
 * element to strtof, so each value is the one strtof returns, bit for bit.
 *
 * Copyright (c) 2026, vecdb developers
 *
 * src/type/vecparse.c
 *
 *-------------------------------------------------------------------------
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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

/* 10^0 .. 10^22: every one is exact in a double */
static const double pow10_exact[] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
};

static inline int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * Reads a plain decimal element, [+-]digits[.digits][(e|E)[+-]digits] with
 * at least one digit, when its value can be had exactly as strtof would
 * round it.  Returns 1 and sets *val and *end if so; 0 to leave the element
 * to strtof.
 *
 * Why it is exact: with a mantissa w <= 2^53 and a power of ten 10^k with
 * |k| <= 22, both are doubles exactly, so w * 10^k (or w / 10^k) is the
 * correctly rounded double d of the decimal.  Rounding d to float is the
 * correctly rounded float of the decimal unless d sits exactly halfway
 * between two floats (the decimal may lie just off that midpoint); those
 * go to strtof.  Results are between 1e-22 and 2^53 * 1e22, inside the
 * normal float range, so strtof would set no ERANGE for them.
 */
static inline int
read_decimal(const char *p, float *val, const char **end)
{
	const char *q = p;
	int			neg = 0;
	uint64_t	w = 0;
	int			sig = 0;		/* significant digits in w */
	int			digits = 0;		/* all mantissa digits seen */
	int			scale = 0;		/* power of ten to apply to w */
	double		d;
	uint64_t	bits;

	if (*q == '-' || *q == '+')
		neg = (*q++ == '-');
	for (; is_digit(*q); q++, digits++)
	{
		if (w == 0 && *q == '0')
			continue;
		if (++sig > 19)
			return 0;
		w = w * 10 + (uint64_t) (*q - '0');
	}
	if (*q == '.')
	{
		for (q++; is_digit(*q); q++, digits++)
		{
			scale--;
			if (w == 0 && *q == '0')
				continue;
			if (++sig > 19)
				return 0;
			w = w * 10 + (uint64_t) (*q - '0');
		}
	}
	if (digits == 0)
		return 0;
	if (*q == 'e' || *q == 'E')
	{
		int			eneg = 0;
		int			e = 0;

		q++;
		if (*q == '-' || *q == '+')
			eneg = (*q++ == '-');
		if (!is_digit(*q))
			return 0;			/* "1e": strtof stops before the 'e' */
		for (; is_digit(*q); q++)
		{
			if (e > 9999)
				return 0;
			e = e * 10 + (*q - '0');
		}
		scale += eneg ? -e : e;
	}
	/* anything glued on (hex, "inf", a second dot) is strtof's to judge */
	if (is_digit(*q) || *q == '.' || (*q >= 'a' && *q <= 'z') ||
		(*q >= 'A' && *q <= 'Z') || *q == '_')
		return 0;

	if (w == 0)
		d = 0.0;
	else
	{
		if (w > ((uint64_t) 1 << 53) || scale < -22 || scale > 22)
			return 0;
		d = (double) w;
		d = scale >= 0 ? d * pow10_exact[scale] : d / pow10_exact[-scale];
		memcpy(&bits, &d, sizeof(bits));
		/* 29 of a double's 52 fraction bits are below a float's last one */
		if ((bits & 0x1FFFFFFF) == 0x10000000)
			return 0;
	}
	*val = (float) (neg ? -d : d);
	*end = q;
	return 1;
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
	return VecParseBounded(lit, out, maxdim, INFINITY, res);
}

VecParseStatus
VecParseBounded(const char *lit, float *out, int maxdim, float bound,
				VecParseResult *res)
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
		const char *end;
		float		val;

		if (dim == maxdim)
			return finish(res, VECPARSE_TOO_MANY_DIMS, dim);

		p = skip_space(p);
		/* strtof would skip other whitespace or sign-only text: refuse */
		if (*p == '\0' || *p == ',' || *p == ']')
			return finish(res, VECPARSE_SYNTAX, dim);

		if (!read_decimal(p, &val, &end))
		{
			char	   *send;

			errno = 0;
			val = strtof(p, &send);
			if (send == p)
				return finish(res, VECPARSE_SYNTAX, dim);
			if (errno == ERANGE && isinf(val))
			{
				res->tok_start = (int) (p - lit);
				res->tok_len = (int) (send - p);
				return finish(res, VECPARSE_OUT_OF_RANGE, dim);
			}
			if (isnan(val))
				return finish(res, VECPARSE_NAN, dim);
			if (isinf(val))
				return finish(res, VECPARSE_INFINITE, dim);
			end = send;
		}
		if (fabsf(val) >= bound)
		{
			res->tok_start = (int) (p - lit);
			res->tok_len = (int) (end - p);
			return finish(res, VECPARSE_OUT_OF_RANGE, dim);
		}
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
