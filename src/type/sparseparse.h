/*-------------------------------------------------------------------------
 *
 * sparseparse.h
 *	  Pure-C parser for the sparsevec text format "{1:1.5,3:2}/5".
 *
 * No palloc, no ereport, no backend headers: the backend wraps it in
 * sparsevec_in (sparsevec.c), and the libFuzzer harness (test/fuzz) runs it
 * alone.  Parsing is split in two so that the caller can check the type
 * modifier between them, which is where pgvector checks it:
 *
 *	SparseParse			syntax, element values, dimension range
 *	(caller)			dimension against the typmod
 *	SparseCanonicalize	sort by index, index range, duplicates
 *
 * Copyright (c) 2026, vecdb developers
 *
 * src/type/sparseparse.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef VECDB_SPARSEPARSE_H
#define VECDB_SPARSEPARSE_H

#include <stdint.h>

typedef enum SparseParseStatus
{
	SPARSEPARSE_OK = 0,
	SPARSEPARSE_TOO_MANY_ELEMENTS,	/* more commas than maxnnz - 1 */
	SPARSEPARSE_NO_OPEN_BRACE,	/* first non-space char is not '{' */
	SPARSEPARSE_SYNTAX,			/* bad index, value, separator or end */
	SPARSEPARSE_OUT_OF_RANGE,	/* value over- or underflows float4 (token
								 * set) */
	SPARSEPARSE_NAN,			/* value is NaN */
	SPARSEPARSE_INFINITE,		/* value is an infinity literal */
	SPARSEPARSE_NO_SLASH,		/* no '/' after the closing '}' */
	SPARSEPARSE_JUNK_AFTER_DIM, /* non-space text after the dimension */
	SPARSEPARSE_DIM_TOO_SMALL,	/* dimension below 1 */
	SPARSEPARSE_DIM_TOO_LARGE,	/* dimension above maxdim */
	/* from SparseCanonicalize */
	SPARSEPARSE_INDEX_OUT_OF_BOUNDS,	/* index outside 1 .. dim */
	SPARSEPARSE_DUPLICATE_INDEX /* the same index twice */
} SparseParseStatus;

/* One stored element: 0-based index and a non-zero, finite value. */
typedef struct SparseElem
{
	int32_t		index;
	float		value;
} SparseElem;

typedef struct SparseParseResult
{
	SparseParseStatus status;
	int			nnz;			/* elements stored in elems[] */
	int32_t		dim;			/* the dimension after '/', clamped to int32 */
	int			tok_start;		/* SPARSEPARSE_OUT_OF_RANGE: offending token */
	int			tok_len;
} SparseParseResult;

/*
 * The most elements lit can hold: one more than its number of commas,
 * counted over the whole string (pgvector's bound, checked before anything
 * else is read).
 */
extern int	SparseParseCapacity(const char *lit);

/*
 * Parses lit into elems[].  Returns SPARSEPARSE_TOO_MANY_ELEMENTS at once if
 * SparseParseCapacity(lit) > maxnnz; otherwise elems must have room for
 * SparseParseCapacity(lit) entries.  Indices are read like strtol in base
 * 10 and kept 0-based (text index - 1), in input order, unchecked; values
 * are read with strtof (the caller runs in the C numeric locale), must be
 * finite and must not over- or underflow to zero, and zeros (including -0)
 * are dropped, as in pgvector.  Whitespace (space, \t, \n, \r, \v, \f) is
 * allowed around every token.  Errors are reported in reading order; the
 * dimension range (1 .. maxdim) is checked last.
 */
extern SparseParseStatus SparseParse(const char *lit, SparseElem *elems,
									 int maxnnz, int32_t maxdim,
									 SparseParseResult *res);

/*
 * Sorts elems[0 .. nnz-1] by index and checks, in sorted order, that every
 * index is in 0 .. dim-1 and none repeats.  Returns the first problem found
 * (SPARSEPARSE_INDEX_OUT_OF_BOUNDS or SPARSEPARSE_DUPLICATE_INDEX) or
 * SPARSEPARSE_OK.
 */
extern SparseParseStatus SparseCanonicalize(SparseElem *elems, int nnz,
											int32_t dim);

#endif							/* VECDB_SPARSEPARSE_H */
