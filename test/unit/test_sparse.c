/*-------------------------------------------------------------------------
 *
 * test_sparse.c
 *	  Server-free unit test of the sparsevec text parser
 *	  (src/type/sparseparse.c) and the sparse kernels (src/kernel/sparse.c).
 *
 * Plain C, no framework: "make unit" builds and runs it.
 *
 *	- Parser: each case runs SparseParse with pgvector's limits (16000
 *	  elements, 10^9 dimensions) and, when that succeeds, SparseCanonicalize;
 *	  it compares both statuses, nnz, dim, the out-of-range token span and,
 *	  where given, the canonical elements (values bit for bit).  Then random
 *	  vectors are printed in shuffled order with random whitespace and
 *	  zeros, and must parse back to themselves.
 *	- Kernels: for random sparse vectors of many dimensions and densities,
 *	  every kernel must equal, bit for bit, a dense loop over all dimensions
 *	  that sums the same float terms in index order (adding the zero terms
 *	  of absent indices changes no float sum), and lie within the error
 *	  bound of a float sum of that many terms of the sum in long double.
 *
 * A failed check prints one line; the last line is always "N passed, M
 * failed" and the exit status is non-zero if any check failed.  The program
 * runs in the "C" locale, which SparseParse requires (strtof).
 *
 * Copyright (c) 2026, vecdb developers
 *
 * test/unit/test_sparse.c
 *
 *-------------------------------------------------------------------------
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/sparse.h"
#include "type/sparseparse.h"
#include "unit_rng.h"

#define TEST_MAXNNZ 16000
#define TEST_MAXDIM 1000000000
#define TEST_MAXELEMS 4

/* TOK_NONE: the case expects no token (tok_start = tok_len = 0) */
#define TOK_NONE 0, 0

typedef struct ParseCase
{
	const char *name;
	const char *lit;
	SparseParseStatus status;	/* of SparseParse, or of SparseCanonicalize
								 * when SparseParse succeeds */
	int			nnz;			/* -1: not compared */
	int32_t		dim;			/* compared when nnz >= 0 */
	int			tok_start;
	int			tok_len;
	int			nelems;			/* canonical elements to compare */
	SparseElem	elems[TEST_MAXELEMS];
} ParseCase;

static const ParseCase cases[] = {
	/* accepted literals */
	{"simple", "{1:1.5,3:2}/5", SPARSEPARSE_OK, 2, 5, TOK_NONE,
	2, {{0, 1.5f}, {2, 2.0f}}},
	{"empty", "{}/1", SPARSEPARSE_OK, 0, 1, TOK_NONE, 0, {{0, 0}}},
	{"empty with space", "{ }/3", SPARSEPARSE_OK, 0, 3, TOK_NONE, 0, {{0, 0}}},
	{"spaces everywhere", " \t{ 1 : 1.5 ,\n3  :  3.5 }\r/\v5\f ",
	SPARSEPARSE_OK, 2, 5, TOK_NONE, 2, {{0, 1.5f}, {2, 3.5f}}},
	{"unsorted input is sorted", "{3:3,1:1,2:2}/3", SPARSEPARSE_OK, 3, 3,
	TOK_NONE, 3, {{0, 1.0f}, {1, 2.0f}, {2, 3.0f}}},
	{"zeros dropped", "{1:0,2:1,3:-0,4:0.0e5}/4", SPARSEPARSE_OK, 1, 4,
	TOK_NONE, 1, {{1, 1.0f}}},
	{"zero index with zero value is dropped before the range check",
		"{0:0}/1", SPARSEPARSE_OK, 0, 1, TOK_NONE, 0, {{0, 0}}},
	{"duplicate zeros are dropped", "{1:0,1:0,1:5}/1", SPARSEPARSE_OK, 1, 1,
	TOK_NONE, 1, {{0, 5.0f}}},
	{"signed index and dim", "{+2:-2}/+2", SPARSEPARSE_OK, 1, 2, TOK_NONE,
	1, {{1, -2.0f}}},
	{"trailing dot and exponent", "{1:2.,2:1e3,3:-4E-1}/3", SPARSEPARSE_OK, 3, 3,
	TOK_NONE, 3, {{0, 2.0f}, {1, 1000.0f}, {2, -0.4f}}},
	{"hex float value", "{1:0x10}/1", SPARSEPARSE_OK, 1, 1, TOK_NONE,
	1, {{0, 16.0f}}},
	{"float4 max", "{1:3.40282347e+38}/1", SPARSEPARSE_OK, 1, 1, TOK_NONE,
	1, {{0, 3.40282347e+38f}}},
	{"denormal is kept", "{1:1e-40}/1", SPARSEPARSE_OK, 1, 1, TOK_NONE,
	1, {{0, 1e-40f}}},
	{"largest dim", "{1000000000:1}/1000000000", SPARSEPARSE_OK, 1,
		1000000000, TOK_NONE, 1, {{999999999, 1.0f}}},
	{"leading zeros", "{007:1}/0010", SPARSEPARSE_OK, 1, 10, TOK_NONE,
	1, {{6, 1.0f}}},

	/* syntax */
	{"empty string", "", SPARSEPARSE_NO_OPEN_BRACE, 0, 0, TOK_NONE, 0, {{0, 0}}},
	{"blank", "   ", SPARSEPARSE_NO_OPEN_BRACE, 0, 0, TOK_NONE, 0, {{0, 0}}},
	{"vector literal", "[1,2]", SPARSEPARSE_NO_OPEN_BRACE, 0, 0, TOK_NONE, 0, {{0, 0}}},
	{"open brace only", "{", SPARSEPARSE_SYNTAX, 0, 0, TOK_NONE, 0, {{0, 0}}},
	{"open brace and space", "{ ", SPARSEPARSE_SYNTAX, 0, 0, TOK_NONE, 0, {{0, 0}}},
	{"colon without index", "{:1}/1", SPARSEPARSE_SYNTAX, 0, 0, TOK_NONE, 0, {{0, 0}}},
	{"index without colon", "{1,}/1", SPARSEPARSE_SYNTAX, 0, 0, TOK_NONE, 0, {{0, 0}}},
	{"index without value", "{1:}/1", SPARSEPARSE_SYNTAX, 0, 0, TOK_NONE, 0, {{0, 0}}},
	{"comma only", "{,}/1", SPARSEPARSE_SYNTAX, 0, 0, TOK_NONE, 0, {{0, 0}}},
	{"trailing comma", "{1:1,}/1", SPARSEPARSE_SYNTAX, 1, 0, TOK_NONE, 0, {{0, 0}}},
	{"junk in index", "{1a:1}/1", SPARSEPARSE_SYNTAX, 0, 0, TOK_NONE, 0, {{0, 0}}},
	{"junk in value", "{1:1a}/1", SPARSEPARSE_SYNTAX, 1, 0, TOK_NONE, 0, {{0, 0}}},
	{"word value", "{1:hello,2:1}/2", SPARSEPARSE_SYNTAX, 0, 0, TOK_NONE, 0, {{0, 0}}},
	{"float index", "{1.5:1}/2", SPARSEPARSE_SYNTAX, 0, 0, TOK_NONE, 0, {{0, 0}}},
	{"hex index", "{0x1:1}/2", SPARSEPARSE_SYNTAX, 0, 0, TOK_NONE, 0, {{0, 0}}},
	{"sign only index", "{-:1}/2", SPARSEPARSE_SYNTAX, 0, 0, TOK_NONE, 0, {{0, 0}}},
	{"space inside index", "{1 2:1}/2", SPARSEPARSE_SYNTAX, 0, 0, TOK_NONE, 0, {{0, 0}}},
	{"missing separator", "{1:1 2:2}/2", SPARSEPARSE_SYNTAX, 1, 0, TOK_NONE, 0, {{0, 0}}},
	{"semicolon separator", "{1:1;2:2}/2", SPARSEPARSE_SYNTAX, 1, 0, TOK_NONE, 0, {{0, 0}}},
	{"no slash", "{}", SPARSEPARSE_NO_SLASH, 0, 0, TOK_NONE, 0, {{0, 0}}},
	{"junk instead of slash", "{}x5", SPARSEPARSE_NO_SLASH, 0, 0, TOK_NONE, 0, {{0, 0}}},
	{"slash without dim", "{}/", SPARSEPARSE_SYNTAX, 0, 0, TOK_NONE, 0, {{0, 0}}},
	{"word dim", "{}/five", SPARSEPARSE_SYNTAX, 0, 0, TOK_NONE, 0, {{0, 0}}},
	{"junk after dim", "{}/1a", SPARSEPARSE_JUNK_AFTER_DIM, 0, 1, TOK_NONE, 0, {{0, 0}}},
	{"second slash", "{}/1/2", SPARSEPARSE_JUNK_AFTER_DIM, 0, 1, TOK_NONE, 0, {{0, 0}}},
	{"float dim", "{}/1.0", SPARSEPARSE_JUNK_AFTER_DIM, 0, 1, TOK_NONE, 0, {{0, 0}}},
	{"nbsp is not space", "{}/1\xc2\xa0", SPARSEPARSE_JUNK_AFTER_DIM, 0, 1,
	TOK_NONE, 0, {{0, 0}}},

	/* values */
	{"NaN", "{1:NaN,2:1}/2", SPARSEPARSE_NAN, 0, 0, TOK_NONE, 0, {{0, 0}}},
	{"infinity", "{1:Infinity}/2", SPARSEPARSE_INFINITE, 0, 0, TOK_NONE, 0, {{0, 0}}},
	{"minus inf", "{1:-inf}/2", SPARSEPARSE_INFINITE, 0, 0, TOK_NONE, 0, {{0, 0}}},
	{"overflow", "{1:4e38,2:1}/2", SPARSEPARSE_OUT_OF_RANGE, 0, 0, 3, 4, 0, {{0, 0}}},
	{"negative overflow", "{1:1,2: -4e38}/2", SPARSEPARSE_OUT_OF_RANGE, 1, 0,
	8, 5, 0, {{0, 0}}},
	{"underflow to zero", "{1:1e-46}/2", SPARSEPARSE_OUT_OF_RANGE, 0, 0, 3, 5,
	0, {{0, 0}}},
	{"NaN reported before later syntax", "{1:nan,x}/2", SPARSEPARSE_NAN, 0, 0,
	TOK_NONE, 0, {{0, 0}}},
	{"syntax reported before later NaN", "{1:1 x,2:nan}/2", SPARSEPARSE_SYNTAX,
		1, 0, TOK_NONE, 0, {{0, 0}}},

	/* dimensions */
	{"zero dim", "{}/0", SPARSEPARSE_DIM_TOO_SMALL, 0, 0, TOK_NONE, 0, {{0, 0}}},
	{"negative dim", "{}/-1", SPARSEPARSE_DIM_TOO_SMALL, 0, -1, TOK_NONE, 0, {{0, 0}}},
	{"dim over the limit", "{}/1000000001", SPARSEPARSE_DIM_TOO_LARGE, 0,
		1000000001, TOK_NONE, 0, {{0, 0}}},
	{"dim over int32 clamps", "{}/9223372036854775808", SPARSEPARSE_DIM_TOO_LARGE,
		0, INT32_MAX, TOK_NONE, 0, {{0, 0}}},
	{"dim under int32 clamps", "{}/-99999999999999999999", SPARSEPARSE_DIM_TOO_SMALL,
		0, INT32_MIN, TOK_NONE, 0, {{0, 0}}},
	{"junk after dim is reported before its range", "{}/0x",
		SPARSEPARSE_JUNK_AFTER_DIM, 0, 0, TOK_NONE, 0, {{0, 0}}},

	/* indices (SparseCanonicalize) */
	{"index zero", "{0:1}/1", SPARSEPARSE_INDEX_OUT_OF_BOUNDS, 1, 1, TOK_NONE, 0, {{0, 0}}},
	{"index past dim", "{2:1}/1", SPARSEPARSE_INDEX_OUT_OF_BOUNDS, 1, 1, TOK_NONE, 0, {{0, 0}}},
	{"index int32 max", "{2147483647:1}/1", SPARSEPARSE_INDEX_OUT_OF_BOUNDS, 1, 1,
	TOK_NONE, 0, {{0, 0}}},
	{"index over int32", "{2147483648:1}/1", SPARSEPARSE_INDEX_OUT_OF_BOUNDS, 1, 1,
	TOK_NONE, 0, {{0, 0}}},
	{"index int32 min", "{-2147483648:1}/1", SPARSEPARSE_INDEX_OUT_OF_BOUNDS, 1, 1,
	TOK_NONE, 0, {{0, 0}}},
	{"index far below int32", "{-99999999999999999999:1}/1",
		SPARSEPARSE_INDEX_OUT_OF_BOUNDS, 1, 1, TOK_NONE, 0, {{0, 0}}},
	{"duplicate", "{1:1,1:1}/2", SPARSEPARSE_DUPLICATE_INDEX, 2, 2, TOK_NONE, 0, {{0, 0}}},
	{"duplicate apart", "{1:1,2:1,1:1}/2", SPARSEPARSE_DUPLICATE_INDEX, 3, 2,
	TOK_NONE, 0, {{0, 0}}},
	{"out of bounds sorts before a duplicate", "{2:1,2:1,0:1}/2",
		SPARSEPARSE_INDEX_OUT_OF_BOUNDS, 3, 2, TOK_NONE, 0, {{0, 0}}},
	{"duplicate sorts before out of bounds", "{9:1,1:1,1:1}/2",
		SPARSEPARSE_DUPLICATE_INDEX, 3, 2, TOK_NONE, 0, {{0, 0}}},
};

static const char *const status_names[] = {
	"SPARSEPARSE_OK",
	"SPARSEPARSE_TOO_MANY_ELEMENTS",
	"SPARSEPARSE_NO_OPEN_BRACE",
	"SPARSEPARSE_SYNTAX",
	"SPARSEPARSE_OUT_OF_RANGE",
	"SPARSEPARSE_NAN",
	"SPARSEPARSE_INFINITE",
	"SPARSEPARSE_NO_SLASH",
	"SPARSEPARSE_JUNK_AFTER_DIM",
	"SPARSEPARSE_DIM_TOO_SMALL",
	"SPARSEPARSE_DIM_TOO_LARGE",
	"SPARSEPARSE_INDEX_OUT_OF_BOUNDS",
	"SPARSEPARSE_DUPLICATE_INDEX",
};

static int	npassed;
static int	nfailed;

static const char *
status_name(SparseParseStatus st)
{
	if ((int) st >= 0 &&
		(size_t) st < sizeof(status_names) / sizeof(status_names[0]))
		return status_names[st];
	return "(unknown status)";
}

static void
fail(const char *what, const char *name, const char *detail)
{
	printf("FAIL %s %s: %s\n", what, name, detail);
	nfailed++;
}

/*
 * Parses lit with room for SparseParseCapacity(lit) elements (malloc'd,
 * freed by the caller) and canonicalizes when the parse succeeds.
 */
static SparseParseStatus
parse_full(const char *lit, SparseElem **elems, SparseParseResult *res)
{
	SparseParseStatus st;
	int			cap = SparseParseCapacity(lit);

	*elems = malloc(sizeof(SparseElem) * (size_t) (cap < TEST_MAXNNZ ? cap : TEST_MAXNNZ));
	memset(res, 0x7f, sizeof(*res));
	st = SparseParse(lit, *elems, TEST_MAXNNZ, TEST_MAXDIM, res);
	if (st != res->status)
		return (SparseParseStatus) -1;
	if (st == SPARSEPARSE_OK)
		st = SparseCanonicalize(*elems, res->nnz, res->dim);
	return st;
}

static void
run_case(const ParseCase *c)
{
	SparseParseResult res;
	SparseParseStatus st;
	SparseElem *elems;
	char		detail[200];

	st = parse_full(c->lit, &elems, &res);
	if (st != c->status)
	{
		snprintf(detail, sizeof(detail), "status %s, expected %s",
				 status_name(st), status_name(c->status));
		fail("parse", c->name, detail);
	}
	else if (c->nnz >= 0 && res.nnz != c->nnz)
	{
		snprintf(detail, sizeof(detail), "nnz %d, expected %d", res.nnz, c->nnz);
		fail("parse", c->name, detail);
	}
	else if (c->nnz >= 0 && res.dim != c->dim)
	{
		snprintf(detail, sizeof(detail), "dim %d, expected %d",
				 (int) res.dim, (int) c->dim);
		fail("parse", c->name, detail);
	}
	else if (res.tok_start != c->tok_start || res.tok_len != c->tok_len)
	{
		snprintf(detail, sizeof(detail), "token at %d length %d, expected %d, %d",
				 res.tok_start, res.tok_len, c->tok_start, c->tok_len);
		fail("parse", c->name, detail);
	}
	else
	{
		for (int i = 0; i < c->nelems; i++)
		{
			if (elems[i].index != c->elems[i].index ||
				memcmp(&elems[i].value, &c->elems[i].value, sizeof(float)) != 0)
			{
				snprintf(detail, sizeof(detail), "element %d is %d:%.9g, expected %d:%.9g",
						 i, (int) elems[i].index, (double) elems[i].value,
						 (int) c->elems[i].index, (double) c->elems[i].value);
				fail("parse", c->name, detail);
				free(elems);
				return;
			}
		}
		npassed++;
	}
	free(elems);
}

/* a non-zero float of varied sign and magnitude (10^-3 .. 10^3) */
static float
rng_value(void)
{
	double		u = rng_unit();
	float		v = (float) (pow(10.0, u * 6.0 - 3.0) * (rng_below(2) ? -1 : 1));

	return v != 0 ? v : 1.0f;
}

/*
 * Fills a random sparse vector of dimension dim with about density * dim
 * elements (at most maxnnz): sorted indices in idx, values in val, and the
 * dense form in dense[0 .. dim-1].  Returns nnz.
 */
static int
random_sparse(int dim, double density, int maxnnz, int32_t *idx, float *val,
			  float *dense)
{
	int			nnz = 0;

	memset(dense, 0, sizeof(float) * (size_t) dim);
	for (int k = 0; k < dim && nnz < maxnnz; k++)
	{
		if (rng_unit() < density)
		{
			idx[nnz] = k;
			val[nnz] = rng_value();
			dense[k] = val[nnz];
			nnz++;
		}
	}
	return nnz;
}

/* ---- parser round trip ---- */

/*
 * Prints random vectors with their elements shuffled, random whitespace
 * and zero elements at unused indices mixed in, and checks that parsing
 * and canonicalizing gives back the same vector, bit for bit.
 */
static void
test_round_trip(void)
{
	enum
	{
		MAXD = 300
	};
	static int32_t idx[MAXD];
	static float val[MAXD];
	static float dense[MAXD];
	static int	order[2 * MAXD];
	static char text[2 * MAXD * 48 + 64];
	const char *spaces[] = {"", " ", "\t", "\n ", "\r\v\f"};

	for (int iter = 0; iter < 400; iter++)
	{
		int			dim = 1 + rng_below(MAXD);
		int			nnz = random_sparse(dim, (double) rng_below(100) / 100.0,
										MAXD, idx, val, dense);
		int			nitems = 0;
		size_t		pos = 0;
		SparseParseResult res;
		SparseParseStatus st;
		SparseElem *elems;
		int			ok;

		/* items: stored elements, plus zeros at some empty indices */
		for (int i = 0; i < nnz; i++)
			order[nitems++] = i;
		for (int k = 0; k < dim; k++)
			if (dense[k] == 0 && rng_below(8) == 0)
				order[nitems++] = -1 - k;
		for (int i = nitems - 1; i > 0; i--)
		{
			int			j = rng_below(i + 1);
			int			t = order[i];

			order[i] = order[j];
			order[j] = t;
		}

		pos += (size_t) sprintf(text + pos, "%s{", spaces[rng_below(5)]);
		for (int i = 0; i < nitems; i++)
		{
			const char *s = spaces[rng_below(5)];

			if (order[i] >= 0)
				pos += (size_t) sprintf(text + pos, "%s%s%d%s:%s%.9g%s", i ? "," : "",
										s, (int) idx[order[i]] + 1, s, s,
										(double) val[order[i]], s);
			else
				pos += (size_t) sprintf(text + pos, "%s%d:%s", i ? "," : "",
										-order[i], rng_below(2) ? "0" : "-0.0");
		}
		pos += (size_t) sprintf(text + pos, "}%s/%s%d%s", spaces[rng_below(5)],
								spaces[rng_below(5)], dim, spaces[rng_below(5)]);

		st = parse_full(text, &elems, &res);
		ok = st == SPARSEPARSE_OK && res.nnz == nnz && res.dim == dim;
		for (int i = 0; ok && i < nnz; i++)
			ok = elems[i].index == idx[i] &&
				memcmp(&elems[i].value, &val[i], sizeof(float)) == 0;
		if (ok)
			npassed++;
		else
			fail("round trip", text, status_name(st));
		free(elems);
	}
}

/* the element count bound comes before anything else, as in pgvector */
static void
test_capacity(void)
{
	size_t		n = 16000;
	char	   *lit = malloc(n + 8);
	SparseElem *elems = malloc(sizeof(SparseElem) * TEST_MAXNNZ);
	SparseParseResult res;

	/* 15999 commas: 16000 elements fit; 16000 commas do not */
	memset(lit, ',', n);
	lit[0] = 'x';
	lit[n] = '\0';
	if (SparseParseCapacity(lit) == 16000 &&
		SparseParse(lit, elems, TEST_MAXNNZ, TEST_MAXDIM, &res) == SPARSEPARSE_NO_OPEN_BRACE)
		npassed++;
	else
		fail("capacity", "15999 commas", "not read as a literal");
	lit[0] = ',';
	if (SparseParseCapacity(lit) == 16001 &&
		SparseParse(lit, elems, TEST_MAXNNZ, TEST_MAXDIM, &res) == SPARSEPARSE_TOO_MANY_ELEMENTS)
		npassed++;
	else
		fail("capacity", "16000 commas", "not refused for its count");
	free(lit);
	free(elems);
}

/* ---- kernels ---- */

/* the dense loops the kernels must equal: float sums in index order */
static void
dense_reference(const float *a, const float *b, int dim, float *dot,
				float *l2sq, float *l1, long double *ldot, long double *ll2,
				long double *ll1, long double *mag)
{
	*dot = *l2sq = *l1 = 0.0f;
	*ldot = *ll2 = *ll1 = *mag = 0.0L;
	for (int k = 0; k < dim; k++)
	{
		float		d = a[k] - b[k];
		long double ld = (long double) a[k] - (long double) b[k];

		*dot += a[k] * b[k];
		*l2sq += d * d;
		*l1 += fabsf(d);
		*ldot += (long double) a[k] * b[k];
		*ll2 += ld * ld;
		*ll1 += fabsl(ld);
		*mag += fabsl((long double) a[k] * b[k]);
	}
}

/*
 * got must equal want bit for bit, and lie within the bound of a float sum
 * of nterms rounded terms, (nterms + 3) * 2^-24 * mag, of exact.
 */
static void
check_kernel(const char *what, int dim, int nterms, float got, float want,
			 long double exact, long double mag)
{
	char		detail[200];
	long double tol = (long double) (nterms + 3) * ldexpl(1.0L, -24) * mag;

	if (memcmp(&got, &want, sizeof(float)) != 0)
	{
		snprintf(detail, sizeof(detail), "dim %d: %.9g, dense loop %.9g",
				 dim, (double) got, (double) want);
		fail("kernel", what, detail);
	}
	else if (fabsl((long double) got - exact) > tol)
	{
		snprintf(detail, sizeof(detail), "dim %d: %.9g, long double %.12Lg",
				 dim, (double) got, exact);
		fail("kernel", what, detail);
	}
	else
		npassed++;
}

static void
test_kernels(void)
{
	static const int dims[] = {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33,
	63, 64, 65, 100, 127, 128, 129, 255, 256, 1000, 1024, 4096, 16000, 100000};
	static const double densities[] = {0.0, 0.01, 0.1, 0.5, 0.9, 1.0};
	int			maxdim = 100000;
	int32_t    *ai = malloc(sizeof(int32_t) * (size_t) maxdim);
	int32_t    *bi = malloc(sizeof(int32_t) * (size_t) maxdim);
	float	   *ax = malloc(sizeof(float) * (size_t) maxdim);
	float	   *bx = malloc(sizeof(float) * (size_t) maxdim);
	float	   *a = malloc(sizeof(float) * (size_t) maxdim);
	float	   *b = malloc(sizeof(float) * (size_t) maxdim);

	for (size_t di = 0; di < sizeof(dims) / sizeof(dims[0]); di++)
	{
		for (size_t da = 0; da < sizeof(densities) / sizeof(densities[0]); da++)
		{
			for (size_t db = 0; db < sizeof(densities) / sizeof(densities[0]); db++)
			{
				int			dim = dims[di];
				int			an = random_sparse(dim, densities[da], TEST_MAXNNZ, ai, ax, a);
				int			bn = random_sparse(dim, densities[db], TEST_MAXNNZ, bi, bx, b);
				float		dot,
							l2sq,
							l1,
							na = 0.0f;
				long double ldot,
							ll2,
							ll1,
							mag,
							lna = 0.0L;

				/* share some indices with equal values: exact zeros */
				if (an > 0 && bn > 0 && rng_below(2))
				{
					for (int i = 0, j = 0; i < an && j < bn;)
					{
						if (ai[i] == bi[j])
						{
							bx[j] = ax[i];
							b[bi[j]] = ax[i];
							i++, j++;
						}
						else if (ai[i] < bi[j])
							i++;
						else
							j++;
					}
				}

				dense_reference(a, b, dim, &dot, &l2sq, &l1, &ldot, &ll2, &ll1, &mag);
				check_kernel("dot", dim, an + bn, VecdbSparseDot(ai, ax, an, bi, bx, bn),
							 dot, ldot, mag);
				check_kernel("dot (swapped)", dim, an + bn, VecdbSparseDot(bi, bx, bn, ai, ax, an),
							 dot, ldot, mag);
				check_kernel("l2sq", dim, an + bn, VecdbSparseL2sq(ai, ax, an, bi, bx, bn),
							 l2sq, ll2, ll2);
				check_kernel("l2sq (swapped)", dim, an + bn, VecdbSparseL2sq(bi, bx, bn, ai, ax, an),
							 l2sq, ll2, ll2);
				check_kernel("l1", dim, an + bn, VecdbSparseL1(ai, ax, an, bi, bx, bn),
							 l1, ll1, ll1);
				check_kernel("sparse-dense dot", dim, an + bn, VecdbSparseDenseDot(ai, ax, an, b),
							 dot, ldot, mag);
				check_kernel("sparse-dense l2sq", dim, dim,
							 VecdbSparseDenseL2sq(ai, ax, an, b, dim), l2sq, ll2, ll2);

				for (int k = 0; k < dim; k++)
				{
					na += a[k] * a[k];
					lna += (long double) a[k] * a[k];
				}
				check_kernel("norm", dim, an, VecdbSparseNormSq(ax, an), na, lna, lna);
			}
		}
	}

	/* float accumulation: overflow to infinity, as in pgvector */
	{
		int32_t		i0[1] = {0};
		float		big[1] = {3e38f};
		float		neg[1] = {-3e38f};

		if (isinf(VecdbSparseDot(i0, big, 1, i0, big, 1)) &&
			isinf(VecdbSparseL1(i0, big, 1, i0, neg, 1)) &&
			isinf(VecdbSparseNormSq(big, 1)))
			npassed++;
		else
			fail("kernel", "overflow", "a float sum past FLT_MAX is not infinite");
	}

	free(ai);
	free(bi);
	free(ax);
	free(bx);
	free(a);
	free(b);
}

int
main(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i]);
	test_capacity();
	test_round_trip();
	test_kernels();

	printf("%d passed, %d failed\n", npassed, nfailed);
	return nfailed == 0 ? 0 : 1;
}
