/*-------------------------------------------------------------------------
 *
 * vecparse.h
 *	  Pure-C parser for the vector text format "[1,2,3]".
 *
 * No palloc, no ereport, no backend headers: the backend wraps it in
 * vector_in (vector.c), and the libFuzzer harness (test/fuzz) runs it alone.
 *
 * Copyright (c) 2026, vecdb developers
 *
 * src/type/vecparse.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef VECDB_VECPARSE_H
#define VECDB_VECPARSE_H

typedef enum VecParseStatus
{
	VECPARSE_OK = 0,
	VECPARSE_NO_OPEN_BRACKET,	/* first non-space char is not '[' */
	VECPARSE_EMPTY,				/* "[]": no element */
	VECPARSE_TOO_MANY_DIMS,		/* more than maxdim elements */
	VECPARSE_SYNTAX,			/* bad element, separator or end of input */
	VECPARSE_OUT_OF_RANGE,		/* element overflows float4 or the bound
								 * (token set) */
	VECPARSE_NAN,				/* element is NaN */
	VECPARSE_INFINITE,			/* element is an infinity literal */
	VECPARSE_JUNK_AFTER_CLOSE	/* non-space text after the closing ']' */
} VecParseStatus;

typedef struct VecParseResult
{
	VecParseStatus status;
	int			dim;			/* elements stored in out[] */
	int			tok_start;		/* VECPARSE_OUT_OF_RANGE: offending token */
	int			tok_len;
} VecParseResult;

/*
 * Parses lit into out[0 .. maxdim-1].  Elements are read like float4in
 * (strtof, so the caller must run in the C numeric locale, as the backend
 * does), must be finite, and underflow to zero or a denormal quietly, as in
 * pgvector.  Whitespace (space, \t, \n, \r, \v, \f) is allowed around
 * brackets and elements.  Errors are reported in the order the text is read.
 */
extern VecParseStatus VecParse(const char *lit, float *out, int maxdim,
							   VecParseResult *res);

/*
 * VecParse for an element type narrower than float (halfvec): a finite
 * element whose magnitude is bound or more is VECPARSE_OUT_OF_RANGE, with
 * its token, at the point where it is read.  VecParse is this with an
 * infinite bound.
 */
extern VecParseStatus VecParseBounded(const char *lit, float *out, int maxdim,
									  float bound, VecParseResult *res);

#endif							/* VECDB_VECPARSE_H */
