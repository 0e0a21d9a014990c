/*-------------------------------------------------------------------------
 *
 * test_vecparse.c
 *	  Server-free unit test of the vector text parser (src/type/vecparse.c).
 *
 * Plain C, no framework: "make unit" builds and runs it.  Each case parses a
 * literal with maxdim 16000 (VECTOR_MAX_DIM) and compares the status, the
 * dimension count, the out-of-range token span and, where given, the values
 * (bit for bit).  A failed case prints one line; the last line is always
 * "N passed, M failed" and the exit status is non-zero if any case failed.
 *
 * The program runs in the "C" locale, which it never changes; VecParse
 * requires it (strtof).
 *
 * Copyright (c) 2026, vecdb developers
 *
 * test/unit/test_vecparse.c
 *
 *-------------------------------------------------------------------------
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "type/vecparse.h"
#include "unit_rng.h"

#define TEST_MAXDIM 16000
#define TEST_MAXVALS 4

/* TOK_NONE: the case expects no token (tok_start = tok_len = 0) */
#define TOK_NONE 0, 0

typedef struct ParseCase
{
	const char *name;
	const char *lit;
	VecParseStatus status;
	int			dim;
	int			tok_start;
	int			tok_len;
	int			nvals;			/* how many of vals[] to compare, 0 = none */
	float		vals[TEST_MAXVALS];
} ParseCase;

static const ParseCase cases[] = {
	/* accepted literals */
	{"simple", "[1,2,3]", VECPARSE_OK, 3, TOK_NONE, 3, {1.0f, 2.0f, 3.0f}},
	{"one element", "[42]", VECPARSE_OK, 1, TOK_NONE, 1, {42.0f}},
	{"signs and dots", "[-1.5,+3,.5,5.]", VECPARSE_OK, 4, TOK_NONE,
	4, {-1.5f, 3.0f, 0.5f, 5.0f}},
	{"exponents", "[1e3,2E-2,-4e+1]", VECPARSE_OK, 3, TOK_NONE,
	3, {1000.0f, 0.02f, -40.0f}},
	{"negative zero", "[-0]", VECPARSE_OK, 1, TOK_NONE, 1, {-0.0f}},
	{"float ties to even", "[16777217,16777219,-16777217]", VECPARSE_OK, 3,
	TOK_NONE, 3, {16777216.0f, 16777220.0f, -16777216.0f}},
	{"huge exponents on zero and one", "[0e99999999999999999999,1e-99999999999999999999]",
	VECPARSE_OK, 2, TOK_NONE, 2, {0.0f, 0.0f}},
	{"float4 max", "[3.40282347e+38,-3.40282347e+38]", VECPARSE_OK, 2,
	TOK_NONE, 2, {3.40282347e+38f, -3.40282347e+38f}},
	{"hex float", "[0x10,0x1.8p1,-0X1P-2]", VECPARSE_OK, 3, TOK_NONE,
	3, {16.0f, 3.0f, -0.25f}},
	{"underflow to zero", "[1e-50]", VECPARSE_OK, 1, TOK_NONE, 1, {0.0f}},
	{"negative underflow", "[-1e-50]", VECPARSE_OK, 1, TOK_NONE, 1, {-0.0f}},
	{"underflow to denormal", "[1e-45]", VECPARSE_OK, 1, TOK_NONE,
	1, {1.40129846e-45f}},
	{"hex denormal", "[0x1p-149]", VECPARSE_OK, 1, TOK_NONE,
	1, {1.40129846e-45f}},

	/* whitespace: the six allowed characters, everywhere allowed */
	{"space", " [ 1 , 2 ] ", VECPARSE_OK, 2, TOK_NONE, 2, {1.0f, 2.0f}},
	{"tab", "\t[\t1\t,\t2\t]\t", VECPARSE_OK, 2, TOK_NONE, 2, {1.0f, 2.0f}},
	{"newline", "\n[\n1\n,\n2\n]\n", VECPARSE_OK, 2, TOK_NONE,
	2, {1.0f, 2.0f}},
	{"carriage return", "\r[\r1\r,\r2\r]\r", VECPARSE_OK, 2, TOK_NONE,
	2, {1.0f, 2.0f}},
	{"vertical tab", "\v[\v1\v,\v2\v]\v", VECPARSE_OK, 2, TOK_NONE,
	2, {1.0f, 2.0f}},
	{"form feed", "\f[\f1\f,\f2\f]\f", VECPARSE_OK, 2, TOK_NONE,
	2, {1.0f, 2.0f}},
	{"mixed whitespace", " \t\n\r\v\f[ \t\n\r\v\f1 \t\n\r\v\f] \t\n\r\v\f",
	VECPARSE_OK, 1, TOK_NONE, 1, {1.0f}},

	/* whitespace: anything else is not whitespace */
	{"nbsp before element", "[\xc2\xa0" "1]", VECPARSE_SYNTAX, 0, TOK_NONE,
	0, {0}},
	{"nbsp before bracket", "\xa0[1]", VECPARSE_NO_OPEN_BRACKET, 0, TOK_NONE,
	0, {0}},
	{"file separator after element", "[1\x1c]", VECPARSE_SYNTAX, 1, TOK_NONE,
	0, {0}},
	{"nbsp after close", "[1]\xa0", VECPARSE_JUNK_AFTER_CLOSE, 1, TOK_NONE,
	0, {0}},
	{"space between sign and digits", "[- 1]", VECPARSE_SYNTAX, 0, TOK_NONE,
	0, {0}},

	/* VECPARSE_NO_OPEN_BRACKET */
	{"empty string", "", VECPARSE_NO_OPEN_BRACKET, 0, TOK_NONE, 0, {0}},
	{"only whitespace", " \t\n", VECPARSE_NO_OPEN_BRACKET, 0, TOK_NONE,
	0, {0}},
	{"no bracket", "1,2,3", VECPARSE_NO_OPEN_BRACKET, 0, TOK_NONE, 0, {0}},
	{"brace", "{1,2}", VECPARSE_NO_OPEN_BRACKET, 0, TOK_NONE, 0, {0}},

	/* VECPARSE_EMPTY */
	{"empty", "[]", VECPARSE_EMPTY, 0, TOK_NONE, 0, {0}},
	{"empty with spaces", " [ \t ] ", VECPARSE_EMPTY, 0, TOK_NONE, 0, {0}},

	/* VECPARSE_SYNTAX */
	{"open only", "[", VECPARSE_SYNTAX, 0, TOK_NONE, 0, {0}},
	{"unterminated", "[1,2", VECPARSE_SYNTAX, 2, TOK_NONE, 0, {0}},
	{"trailing comma", "[1,]", VECPARSE_SYNTAX, 1, TOK_NONE, 0, {0}},
	{"leading comma", "[,1]", VECPARSE_SYNTAX, 0, TOK_NONE, 0, {0}},
	{"double comma", "[1,,2]", VECPARSE_SYNTAX, 1, TOK_NONE, 0, {0}},
	{"missing comma", "[1 2]", VECPARSE_SYNTAX, 1, TOK_NONE, 0, {0}},
	{"letters", "[abc]", VECPARSE_SYNTAX, 0, TOK_NONE, 0, {0}},
	{"bare sign", "[-]", VECPARSE_SYNTAX, 0, TOK_NONE, 0, {0}},
	{"bare dot", "[.]", VECPARSE_SYNTAX, 0, TOK_NONE, 0, {0}},
	{"digit separator", "[1_000]", VECPARSE_SYNTAX, 1, TOK_NONE, 0, {0}},
	{"hex prefix only", "[0x]", VECPARSE_SYNTAX, 1, TOK_NONE, 0, {0}},
	{"nested bracket", "[[1]]", VECPARSE_SYNTAX, 0, TOK_NONE, 0, {0}},
	{"semicolon", "[1;2]", VECPARSE_SYNTAX, 1, TOK_NONE, 0, {0}},

	/* VECPARSE_OUT_OF_RANGE, with the token span */
	{"overflow", "[1e39]", VECPARSE_OUT_OF_RANGE, 0, 1, 4, 0, {0}},
	/* 2^32 as an exponent: an int that wrapped would read it as 1e0 */
	{"exponent past int range", "[1e4294967296]", VECPARSE_OUT_OF_RANGE, 0, 1, 12, 0, {0}},
	{"negative overflow", "[1, -1e39 ,2]", VECPARSE_OUT_OF_RANGE, 1, 4, 5,
	0, {0}},
	{"overflow after spaces", "  [ 7 ,\t3.5e38]", VECPARSE_OUT_OF_RANGE, 1,
	8, 6, 0, {0}},
	{"hex overflow", "[0x1p128]", VECPARSE_OUT_OF_RANGE, 0, 1, 7, 0, {0}},
	{"just above float4 max", "[3.40282357e+38]", VECPARSE_OUT_OF_RANGE, 0,
	1, 14, 0, {0}},

	/* VECPARSE_NAN */
	{"nan", "[nan]", VECPARSE_NAN, 0, TOK_NONE, 0, {0}},
	{"NaN mixed case", "[1,NaN]", VECPARSE_NAN, 1, TOK_NONE, 0, {0}},
	{"nan payload", "[-nan(123)]", VECPARSE_NAN, 0, TOK_NONE, 0, {0}},

	/* VECPARSE_INFINITE */
	{"inf", "[inf]", VECPARSE_INFINITE, 0, TOK_NONE, 0, {0}},
	{"-Infinity", "[1,-Infinity]", VECPARSE_INFINITE, 1, TOK_NONE, 0, {0}},

	/* VECPARSE_JUNK_AFTER_CLOSE */
	{"junk after close", "[1]x", VECPARSE_JUNK_AFTER_CLOSE, 1, TOK_NONE,
	0, {0}},
	{"second vector", "[1] [2]", VECPARSE_JUNK_AFTER_CLOSE, 1, TOK_NONE,
	0, {0}},
	{"extra close", "[1,2]]", VECPARSE_JUNK_AFTER_CLOSE, 2, TOK_NONE, 0, {0}},

	/* errors are reported in reading order */
	{"nan before syntax", "[nan,x", VECPARSE_NAN, 0, TOK_NONE, 0, {0}},
	{"inf before junk", "[inf]junk", VECPARSE_INFINITE, 0, TOK_NONE, 0, {0}},
	{"range before nan", "[1e39,nan]", VECPARSE_OUT_OF_RANGE, 0, 1, 4,
	0, {0}},
	{"nan before range", "[nan,1e39]", VECPARSE_NAN, 0, TOK_NONE, 0, {0}},
	{"syntax before nan", "[1,,nan]", VECPARSE_SYNTAX, 1, TOK_NONE, 0, {0}},
	{"syntax before range", "[x,1e39]", VECPARSE_SYNTAX, 0, TOK_NONE, 0, {0}},
	{"range before junk", "[1e39]x", VECPARSE_OUT_OF_RANGE, 0, 1, 4, 0, {0}},
	{"bracket before empty", "x[]", VECPARSE_NO_OPEN_BRACKET, 0, TOK_NONE,
	0, {0}},
};

static const char *const status_names[] = {
	"VECPARSE_OK",
	"VECPARSE_NO_OPEN_BRACKET",
	"VECPARSE_EMPTY",
	"VECPARSE_TOO_MANY_DIMS",
	"VECPARSE_SYNTAX",
	"VECPARSE_OUT_OF_RANGE",
	"VECPARSE_NAN",
	"VECPARSE_INFINITE",
	"VECPARSE_JUNK_AFTER_CLOSE",
};

static float out[TEST_MAXDIM];
static int	npassed;
static int	nfailed;

static const char *
status_name(VecParseStatus st)
{
	if ((int) st >= 0 &&
		(size_t) st < sizeof(status_names) / sizeof(status_names[0]))
		return status_names[st];
	return "(unknown status)";
}

/*
 * Runs one case; prints one line if it fails.
 */
static void
run_case(const ParseCase *c)
{
	VecParseResult res;
	VecParseStatus st;
	int			i;

	memset(&res, 0x7f, sizeof(res));
	st = VecParse(c->lit, out, TEST_MAXDIM, &res);

	if (st != c->status || res.status != st)
	{
		printf("FAIL %s: status %s (res.status %s), expected %s\n",
			   c->name, status_name(st), status_name(res.status),
			   status_name(c->status));
		nfailed++;
		return;
	}
	if (res.dim != c->dim)
	{
		printf("FAIL %s: dim %d, expected %d\n", c->name, res.dim, c->dim);
		nfailed++;
		return;
	}
	if (res.tok_start != c->tok_start || res.tok_len != c->tok_len)
	{
		printf("FAIL %s: token at %d length %d, expected at %d length %d\n",
			   c->name, res.tok_start, res.tok_len, c->tok_start, c->tok_len);
		nfailed++;
		return;
	}
	for (i = 0; i < c->nvals; i++)
	{
		if (memcmp(&out[i], &c->vals[i], sizeof(float)) != 0)
		{
			printf("FAIL %s: value %d is %.9g, expected %.9g\n",
				   c->name, i, (double) out[i], (double) c->vals[i]);
			nfailed++;
			return;
		}
	}
	npassed++;
}

/*
 * Builds "[1,1,...,1]" with ndim elements (each ",1" is two characters).
 */
static char *
make_ones(int ndim)
{
	char	   *lit = malloc((size_t) ndim * 2 + 2);
	char	   *p = lit;
	int			i;

	if (lit == NULL)
	{
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	*p++ = '[';
	for (i = 0; i < ndim; i++)
	{
		if (i > 0)
			*p++ = ',';
		*p++ = '1';
	}
	*p++ = ']';
	*p = '\0';
	return lit;
}

/*
 * The dimension limit: exactly maxdim elements is accepted, one more is
 * VECPARSE_TOO_MANY_DIMS, and so is any longer literal, even one with an
 * error past the limit.
 */
static void
run_dim_cases(void)
{
	ParseCase	c;
	char	   *lit;
	char	   *bad;
	size_t		len;

	memset(&c, 0, sizeof(c));

	lit = make_ones(TEST_MAXDIM);
	c.name = "exactly 16000 dims";
	c.lit = lit;
	c.status = VECPARSE_OK;
	c.dim = TEST_MAXDIM;
	c.nvals = 1;
	c.vals[0] = 1.0f;
	run_case(&c);
	if (out[TEST_MAXDIM - 1] != 1.0f)
	{
		printf("FAIL exactly 16000 dims: last value %.9g\n",
			   (double) out[TEST_MAXDIM - 1]);
		nfailed++;
	}
	free(lit);

	lit = make_ones(TEST_MAXDIM + 1);
	c.name = "16001 dims";
	c.lit = lit;
	c.status = VECPARSE_TOO_MANY_DIMS;
	c.dim = TEST_MAXDIM;
	c.nvals = 0;
	run_case(&c);

	/* an error in element 16001 comes after the limit is hit */
	len = strlen(lit);
	bad = malloc(len + 8);
	if (bad == NULL)
	{
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	memcpy(bad, lit, len - 2);	/* drop the last "1]" */
	strcpy(bad + len - 2, "nan]");
	c.name = "16001 dims, nan last";
	c.lit = bad;
	c.status = VECPARSE_TOO_MANY_DIMS;
	run_case(&c);
	free(bad);
	free(lit);

	/* a smaller maxdim is honoured too */
	{
		VecParseResult res;
		VecParseStatus st;

		st = VecParse("[1,2,3]", out, 2, &res);
		if (st != VECPARSE_TOO_MANY_DIMS || res.dim != 2)
		{
			printf("FAIL maxdim 2: status %s dim %d, expected "
				   "VECPARSE_TOO_MANY_DIMS dim 2\n", status_name(st), res.dim);
			nfailed++;
		}
		else
			npassed++;

		st = VecParse("[1,2]", out, 2, &res);
		if (st != VECPARSE_OK || res.dim != 2)
		{
			printf("FAIL maxdim 2 exact: status %s dim %d, expected "
				   "VECPARSE_OK dim 2\n", status_name(st), res.dim);
			nfailed++;
		}
		else
			npassed++;
	}
}

/* ---- agreement with strtof on generated elements ---- */

/* a random finite float, any sign and exponent, sometimes denormal */
static float
random_float(void)
{
	for (;;)
	{
		uint32_t	bits = (uint32_t) rng_next();
		float		f;

		memcpy(&f, &bits, sizeof(f));
		if (isfinite(f))
			return f;
	}
}

/* a random plain decimal: digits, maybe a dot, maybe an exponent */
static void
random_decimal(char *buf)
{
	char	   *p = buf;
	int			ndig = 1 + rng_below(22);
	int			dot = rng_below(ndig + 2) - 1;	/* -1: no dot */

	if (rng_below(3) == 0)
		*p++ = rng_below(2) ? '-' : '+';
	for (int i = 0; i < ndig; i++)
	{
		if (i == dot)
			*p++ = '.';
		/* leading zeros now and then */
		*p++ = (char) ('0' + ((i < 3 && rng_below(4) == 0) ? 0 : rng_below(10)));
	}
	if (dot == ndig)
		*p++ = '.';
	if (rng_below(2))
	{
		*p++ = rng_below(2) ? 'e' : 'E';
		if (rng_below(2))
			*p++ = rng_below(2) ? '-' : '+';
		p += sprintf(p, "%d", rng_below(rng_below(4) == 0 ? 60 : 25));
	}
	*p = '\0';
}

/*
 * A decimal near the midpoint of two adjacent floats, printed with 12 to
 * 17 digits: some of these parse to exactly the midpoint as a double while
 * not being it, which only strtof can round right.
 */
static void
near_midpoint(char *buf)
{
	float		f = random_float();
	double		m;

	if (f == 0 || isinf(nextafterf(f, INFINITY)))
		f = 1.5f;
	/* keep most of them where the fast path applies */
	if (rng_below(4) != 0)
		f = ldexpf(frexpf(f, &(int) {0}), rng_below(120) - 70);
	m = ((double) f + (double) nextafterf(f, INFINITY)) / 2;
	sprintf(buf, "%.*g", 12 + rng_below(6), m);
}

/*
 * Parses literals of generated elements and compares every value, bit for
 * bit, with strtof on the element alone.  Elements strtof cannot take as a
 * finite float (overflow) are not generated.
 */
static void
run_strtof_agreement(void)
{
	enum
	{
		PER_LITERAL = 50, LITERALS = 20000
	};
	static char lit[PER_LITERAL * 48 + 4];
	static char tok[PER_LITERAL][40];
	static const char *const fmts[] = {"%.9g", "%.8g", "%.6g", "%.3g", "%.17g", "%.4e", "%a", "%.7f"};
	int			bad = 0;

	for (int n = 0; n < LITERALS; n++)
	{
		char	   *p = lit;
		VecParseResult res;
		VecParseStatus st;

		*p++ = '[';
		for (int i = 0; i < PER_LITERAL; i++)
		{
			int			kind = rng_below(3);

			for (;;)
			{
				char	   *end;
				float		v;

				if (kind == 0)
					snprintf(tok[i], sizeof(tok[i]), fmts[rng_below(8)], (double) random_float());
				else if (kind == 1)
					random_decimal(tok[i]);
				else
					near_midpoint(tok[i]);
				v = strtof(tok[i], &end);
				if (*end == '\0' && isfinite(v) && strlen(tok[i]) < 40)
					break;
			}
			if (i > 0)
				p += sprintf(p, "%s", rng_below(8) == 0 ? ", " : ",");
			p += sprintf(p, "%s", tok[i]);
		}
		*p++ = ']';
		*p = '\0';

		st = VecParse(lit, out, TEST_MAXDIM, &res);
		if (st != VECPARSE_OK || res.dim != PER_LITERAL)
		{
			printf("FAIL strtof agreement: status %s dim %d for %s\n",
				   status_name(st), res.dim, lit);
			nfailed++;
			continue;
		}
		for (int i = 0; i < PER_LITERAL; i++)
		{
			float		want = strtof(tok[i], NULL);

			if (memcmp(&want, &out[i], sizeof(float)) != 0)
			{
				if (bad++ < 10)
					printf("FAIL strtof agreement: \"%s\" read as %a, strtof gives %a\n",
						   tok[i], (double) out[i], (double) want);
				nfailed++;
			}
			else
				npassed++;
		}
	}
}

int
main(void)
{
	size_t		i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i]);
	run_dim_cases();
	run_strtof_agreement();

	printf("%d passed, %d failed\n", npassed, nfailed);
	return nfailed == 0 ? 0 : 1;
}
