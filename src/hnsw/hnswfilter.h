/*-------------------------------------------------------------------------
 *
 * hnswfilter.h
 *	  Filter columns of an HNSW index: the values a node keeps of its row's
 *	  other index columns, and the scan conditions tested on them during
 *	  the graph walk (src/README, "HNSW: filter columns").
 *
 * Copyright (c) 2026, vecdb developers
 *
 * src/hnsw/hnswfilter.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef HNSWFILTER_H
#define HNSWFILTER_H

#include "access/skey.h"
#include "utils/relcache.h"

/* strategy numbers of the filter operator classes */
#define HNSW_FILTER_LT			1
#define HNSW_FILTER_LE			2
#define HNSW_FILTER_EQ			3
#define HNSW_FILTER_GE			4
#define HNSW_FILTER_GT			5
#define HNSW_FILTER_OVERLAP		6	/* array && array */
#define HNSW_FILTER_CONTAINS	7	/* array @> array */
#define HNSW_FILTER_NSTRATEGIES 7

/* how a column's value is kept in its 8-byte slot */
typedef enum HnswFilterKind
{
	HNSW_FILTER_INT,			/* int2, int4, int8: the value, exact */
	HNSW_FILTER_BOOL,			/* 0 or 1, exact */
	HNSW_FILTER_HASH,			/* text, uuid: a 64-bit hash, lossy */
	HNSW_FILTER_SET,			/* arrays: a 64-bit Bloom signature of the
								 * elements, lossy */
	HNSW_FILTER_INCLUDED		/* an INCLUDE column of a fixed-size type
								 * passed by value: its bytes, exact; never
								 * tested */
} HnswFilterKind;

#define HNSW_FILTER_MAX_COLUMNS 31

/*
 * The columns of an index after the first, whose values each node keeps:
 * its filter columns (key columns), then its INCLUDE columns.  Payload
 * bytes per node are 8 (null bits) + 8 per column, or 0 with none.
 */
typedef struct HnswFilterSpec
{
	int			ncolumns;		/* filter and INCLUDE columns */
	int			nfilters;		/* filter columns: the first nfilters */
	Size		payload_bytes;
	HnswFilterKind kinds[HNSW_FILTER_MAX_COLUMNS];
	Oid			types[HNSW_FILTER_MAX_COLUMNS];
	int16		typlens[HNSW_FILTER_MAX_COLUMNS];	/* INCLUDE columns' */
} HnswFilterSpec;

/* one compiled scan condition */
typedef struct HnswFilterTest
{
	int			column;			/* 0-based filter column */
	int			strategy;
	int			nvalues;		/* = ANY: several; an array operand: its
								 * elements' hashes */
	uint64	   *values;
} HnswFilterTest;

/* the compiled conditions of a scan */
typedef struct HnswFilter
{
	int			ntests;
	HnswFilterTest *tests;
	bool		lossy;			/* a match must be rechecked on the heap */
	bool		impossible;		/* no row can match (a NULL operand) */
} HnswFilter;

extern void HnswFilterSpecInit(HnswFilterSpec *spec, Relation index);
extern void HnswFilterForm(const HnswFilterSpec *spec, const Datum *values,
						   const bool *isnull, char *payload);
extern HnswFilter *HnswFilterCompile(const HnswFilterSpec *spec, ScanKey keys, int nkeys);
extern bool HnswFilterMatch(const HnswFilter *f, const char *payload);
extern bool HnswFilterReturnable(const HnswFilterSpec *spec, int column);
extern Datum HnswFilterValue(const HnswFilterSpec *spec, const char *payload, int column,
							 bool *isnull);

#endif							/* HNSWFILTER_H */
