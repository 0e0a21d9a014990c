/*-------------------------------------------------------------------------
 *
 * hnswrerank.c
 *	  Re-ranking for scans of a quantized hnsw index: rows come back in the
 *	  order of their exact distances, measured with the vectors in the
 *	  table.
 *
 * The walk yields nodes in the order of their codes' distances.  Before a
 * node's rows are fetched, its code gives a lower bound of their exact
 * distances (VecdbElemType.lower_bound: the distance between the codes
 * less both codes' error).  Rows fetched so far wait in a min-heap by
 * exact distance; the nearest is returned as soon as it is no farther than
 * the next node's bound, since no row of that node or a later one (farther
 * by codes) can then be nearer.  So a scan fetches about as many rows as
 * it returns plus the few whose bounds overlap, and returns them in exact
 * order.
 *
 * A row is fetched through the table AM under the scan's snapshot
 * (table_index_fetch_tuple, which follows HOT chains, as the executor
 * will), its indexed value computed (FormIndexDatum: the column, or the
 * index expression), formed as the index would before encoding, and
 * measured with the column type's own distance.  Rows the snapshot does
 * not see are dropped: the executor would drop them too.  Every heap TID
 * is measured on its own, so rows whose vectors share a code come back in
 * their exact order.
 *
 * Copyright (c) 2026, vecdb developers
 *
 * src/hnsw/hnswrerank.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/relscan.h"
#include "access/tableam.h"
#include "catalog/index.h"
#include "executor/executor.h"
#include "miscadmin.h"

#include "hnsw.h"
#include "hnsw/hnswrerank.h"

struct HnswRerank
{
	Relation	index;
	HnswIndexInfo *info;
	const char *query;			/* source form; NULL orders nothing */
	const char *qcode;			/* the query as the index stores it */
	char	   *code;			/* a node's code (HnswRerankLowerBound) */
	IndexFetchTableData *fetch;
	TupleTableSlot *slot;
	IndexInfo  *indexinfo;
	EState	   *estate;
	HnswHeap	rows;			/* rows measured, nearest on top: heap TID
								 * and exact distance */
	int64		measured;		/* rows fetched and measured */
};

/*
 * Starts re-ranking for scan, in the current memory context: query in the
 * column type's stored form (HnswFormSource) or NULL, qcode as the index
 * stores it.
 */
HnswRerank *
HnswRerankBegin(IndexScanDesc scan, HnswIndexInfo *info, const char *query,
				const char *qcode)
{
	HnswRerank *r = palloc0(sizeof(HnswRerank));

	if (scan->heapRelation == NULL)
		elog(ERROR, "hnsw re-ranking needs the scan's table");
	r->index = scan->indexRelation;
	r->info = info;
	r->query = query;
	r->qcode = qcode;
	r->code = palloc(info->vecbytes);
	r->fetch = table_index_fetch_begin(scan->heapRelation);
	r->slot = table_slot_create(scan->heapRelation, NULL);
	r->indexinfo = BuildIndexInfo(scan->indexRelation);
	r->estate = CreateExecutorState();
	HnswHeapInit(&r->rows, 64, false);
	return r;
}

void
HnswRerankEnd(HnswRerank *r)
{
	table_index_fetch_end(r->fetch);
	ExecDropSingleTupleTableSlot(r->slot);
	FreeExecutorState(r->estate);
}

/*
 * A lower bound of the exact distances of node c's rows: -Infinity if its
 * code cannot be read (the node is gone or was rewritten), so that its rows
 * are measured before any is returned.
 */
float
HnswRerankLowerBound(HnswRerank *r, const HnswCandidate *c)
{
	ItemPointerData tid = c->tid;

	if (!HnswNodeVectorCopy(r->index, r->info, &tid, c->version, r->code))
		return -INFINITY;
	return r->info->type->lower_bound(r->info->metric, c->dist, r->qcode, r->code,
									  r->info->dims);
}

/*
 * The elements of indexed value value as the index forms them before
 * encoding: in place in the (detoasted) datum, but for cosine a normalized
 * copy (HnswFormSource).  NULL for a value the index does not hold.
 */
static const char *
exact_form(HnswIndexInfo *info, Datum value)
{
	if (info->metric == VECDB_METRIC_COSINE)
		return HnswFormSource(info, value, false, NULL);
	return HnswSourceElements(info, (Pointer) PG_DETOAST_DATUM(value));
}

/*
 * Exact distance of the row at tid to the query into *dist; false when the
 * snapshot sees no row there or its indexed value is NULL.
 */
static bool
measure(HnswRerank *r, ItemPointer tid, Snapshot snapshot, float *dist)
{
	ExprContext *econtext = GetPerTupleExprContext(r->estate);
	ItemPointerData t = *tid;
	bool		call_again = false;
	bool		all_dead = false;
	Datum		values[INDEX_MAX_KEYS];
	bool		isnull[INDEX_MAX_KEYS];
	MemoryContext old;
	const char *x;
	bool		found = false;

	if (!table_index_fetch_tuple(r->fetch, &t, snapshot, r->slot, &call_again, &all_dead))
		return false;
	old = MemoryContextSwitchTo(econtext->ecxt_per_tuple_memory);
	econtext->ecxt_scantuple = r->slot;
	FormIndexDatum(r->indexinfo, r->slot, r->estate, values, isnull);
	if (!isnull[0] && (x = exact_form(r->info, values[0])) != NULL)
	{
		*dist = r->query == NULL ? 0 :
			r->info->source->distance(r->info->metric, r->query, x, r->info->dims, NULL);
		found = true;
	}
	MemoryContextSwitchTo(old);
	ResetExprContext(econtext);
	ExecClearTuple(r->slot);
	r->measured++;
	return found;
}

/* Fetches and measures the row at heap TID tid, if the snapshot sees it. */
void
HnswRerankAdd(HnswRerank *r, ItemPointer tid, Snapshot snapshot)
{
	HnswCandidate row = {0};

	CHECK_FOR_INTERRUPTS();
	row.tid = *tid;
	if (measure(r, tid, snapshot, &row.dist))
		HnswHeapPush(&r->rows, &row);
}

/*
 * The nearest row measured into *tid, if its distance is at most bound;
 * false otherwise (or when none waits).
 */
bool
HnswRerankNext(HnswRerank *r, float bound, ItemPointer tid)
{
	HnswCandidate *top = HnswHeapTop(&r->rows);

	if (top == NULL || top->dist > bound)
		return false;
	*tid = HnswHeapPop(&r->rows).tid;
	return true;
}

/* Rows measured so far. */
int64
HnswRerankMeasured(const HnswRerank *r)
{
	return r->measured;
}
