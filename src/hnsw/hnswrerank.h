/*-------------------------------------------------------------------------
 *
 * hnswrerank.h
 *	  Re-ranking of a quantized hnsw index's candidates with the table's
 *	  vectors (hnswrerank.c).
 *
 * Copyright (c) 2026, vecdb developers
 *
 * src/hnsw/hnswrerank.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef VECDB_HNSWRERANK_H
#define VECDB_HNSWRERANK_H

#include "access/relscan.h"

typedef struct HnswRerank HnswRerank;
struct HnswIndexInfo;
struct HnswCandidate;

extern HnswRerank *HnswRerankBegin(IndexScanDesc scan, struct HnswIndexInfo *info,
								   const char *query, const char *qcode);
extern void HnswRerankEnd(HnswRerank *r);
extern float HnswRerankLowerBound(HnswRerank *r, const struct HnswCandidate *c);
extern void HnswRerankAdd(HnswRerank *r, ItemPointer tid, Snapshot snapshot);
extern bool HnswRerankNext(HnswRerank *r, float bound, ItemPointer tid);
extern int64 HnswRerankMeasured(const HnswRerank *r);

#endif							/* VECDB_HNSWRERANK_H */
