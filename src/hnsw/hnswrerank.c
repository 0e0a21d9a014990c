/*-------------------------------------------------------------------------
 *
 * hnswrerank.c
 *	  Re-ranking for scans of a quantized hnsw index: the candidates the
 *	  walk found nearest by their codes are measured again with the vectors
 *	  in the table, and returned in exact distance order.
 *
 * A batch collects heap TIDs; HnswRerankSort fetches each row through the
 * table AM under the scan's snapshot (following HOT chains, as the executor
 * will), computes the indexed value (the column, or the index expression),
 * forms it as the index would before quantizing, and measures it with the
 * column type's own distance.  Rows the snapshot does not see are dropped:
 * the executor would drop them too.  Every heap TID is measured on its own,
 * so rows whose vectors share a code come back in their exact order.
 *
 * Copyright (c) 2026, vecdb developers
 *
 * src/hnsw/hnswrerank.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/relscan.h"
#include "access/tableam.h"
#include "catalog/index.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "utils/float.h"

#include "hnsw.h"
#include "hnsw/hnswrerank.h"

struct HnswRerank
{
	HnswIndexInfo *info;
	const char *query;			/* source form; NULL orders nothing */
	IndexFetchTableData *fetch;
	TupleTableSlot *slot;
	IndexInfo  *indexinfo;
	EState	   *estate;
	HnswRerankItem *items;
	int			n;
	int			cap;
	int			pos;
	int64		measured;		/* rows fetched and measured */
};

/*
 * Starts re-ranking for scan, in the current memory context; query in the
 * column type's stored form (HnswFormSource), or NULL.
 */
HnswRerank *
HnswRerankBegin(IndexScanDesc scan, HnswIndexInfo *info, const char *query)
{
	HnswRerank *r = palloc0(sizeof(HnswRerank));

	if (scan->heapRelation == NULL)
		elog(ERROR, "hnsw re-ranking needs the scan's table");
	r->info = info;
	r->query = query;
	r->fetch = table_index_fetch_begin(scan->heapRelation);
	r->slot = table_slot_create(scan->heapRelation, NULL);
	r->indexinfo = BuildIndexInfo(scan->indexRelation);
	r->estate = CreateExecutorState();
	r->cap = 64;
	r->items = palloc(sizeof(HnswRerankItem) * r->cap);
	return r;
}

void
HnswRerankEnd(HnswRerank *r)
{
	table_index_fetch_end(r->fetch);
	ExecDropSingleTupleTableSlot(r->slot);
	FreeExecutorState(r->estate);
}

/* Empties the batch. */
void
HnswRerankReset(HnswRerank *r)
{
	r->n = r->pos = 0;
}

/* Adds heap TID tid to the batch. */
void
HnswRerankAdd(HnswRerank *r, ItemPointer tid)
{
	if (r->n == r->cap)
	{
		r->cap *= 2;
		r->items = repalloc(r->items, sizeof(HnswRerankItem) * r->cap);
	}
	r->items[r->n].tid = *tid;
	r->items[r->n].dist = 0;
	r->n++;
}

/*
 * The elements of indexed value value as the index forms them before
 * encoding: in place in the (detoasted) datum, but for cosine a normalized
 * copy (HnswFormSource).  NULL for a value the index does not hold.
 */
static const char *
exact_form(HnswIndexInfo *info, Datum value)
{
	Pointer		v;
	int			dims;
	const char *x;

	if (info->metric == VECDB_METRIC_COSINE)
		return HnswFormSource(info, value, false, NULL);
	v = (Pointer) PG_DETOAST_DATUM(value);
	x = info->source->elements(v, &dims);
	if (dims != info->dims)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("expected %d dimensions, not %d", info->dims, dims)));
	return x;
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
			r->info->source->distance(r->info->metric, r->query, x, r->info->dims);
		found = true;
	}
	MemoryContextSwitchTo(old);
	ResetExprContext(econtext);
	ExecClearTuple(r->slot);
	r->measured++;
	return found;
}

static int
cmp_item(const void *a, const void *b)
{
	float		x = ((const HnswRerankItem *) a)->dist;
	float		y = ((const HnswRerankItem *) b)->dist;

	if (x != y)
		return (x > y) - (x < y);
	return ItemPointerCompare((ItemPointer) &((const HnswRerankItem *) a)->tid,
							  (ItemPointer) &((const HnswRerankItem *) b)->tid);
}

/* Measures the batch and sorts it by exact distance. */
void
HnswRerankSort(HnswRerank *r, Snapshot snapshot)
{
	int			kept = 0;

	for (int i = 0; i < r->n; i++)
	{
		CHECK_FOR_INTERRUPTS();
		if (measure(r, &r->items[i].tid, snapshot, &r->items[kept].dist))
			r->items[kept++].tid = r->items[i].tid;
	}
	r->n = kept;
	qsort(r->items, r->n, sizeof(HnswRerankItem), cmp_item);
	r->pos = 0;
}

/* The batch's next heap TID into *tid; false when it is used up. */
bool
HnswRerankNext(HnswRerank *r, ItemPointer tid)
{
	if (r->pos >= r->n)
		return false;
	*tid = r->items[r->pos++].tid;
	return true;
}

/* Rows measured so far. */
int64
HnswRerankMeasured(const HnswRerank *r)
{
	return r->measured;
}
