/*-------------------------------------------------------------------------
 *
 * hnswscan.c
 *	  Index scans: k-NN by an ORDER BY operator, with iterative scans.
 *
 * The first amgettuple searches layer 0 with ef = hnsw.ef_search and then
 * returns the heap TIDs of the nodes found, nearest first.  With
 * hnsw.iterative_scan on, when those run out the search resumes from the
 * candidates it had set aside (the "discarded" heap), keeping its visited
 * set, until hnsw.max_scan_tuples nodes were measured or the scan's memory
 * passes work_mem * hnsw.scan_mem_multiplier; what remains set aside is
 * then returned in distance order.  strict_order drops a node closer than
 * one already returned, as pgvector does.
 *
 * Scans take no heavyweight lock: stale references are caught by node
 * versions (src/README, "HNSW: locking", Versions).
 *
 * Copyright (c) 2026, vecdb developers
 *
 * src/hnsw/hnswscan.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/relscan.h"
#include "executor/executor.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "utils/float.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "hnsw.h"
#include "hnsw/hnswrerank.h"

typedef struct HnswScanOpaqueData
{
	MemoryContext ctx;			/* reset on rescan */
	HnswIndexInfo *info;
	bool		started;
	char	   *query;			/* in the index's stored form */
	HnswSearch	search;
	HnswFilter *filter;			/* conditions on filter columns, or NULL */
	HnswCandidate *results;		/* sorted, nearest first */
	int			nresults;
	int			pos;
	HnswHeap	discarded;		/* min-heap; iterative scans */
	bool		draining;		/* limits hit: return discarded in order */
	float		last_dist;
	ItemPointerData *tids;		/* of the current node (so->ctx) */
	int			ntids;
	int			tidpos;
	HnswScanCounters count;		/* of the search started last */
	HnswScanCounters total;		/* of the searches before it */
	HnswRerank *rerank;			/* quantized index: exact order, or NULL */
	HnswCandidate cur;			/* the node whose TIDs so->tids holds */
	bool		peeked;			/* quantized: so->tids not yet measured */
	float		peek_lb;		/* their distances' lower bound */
	bool		walk_done;		/* quantized: the walk has no more nodes */
	bool		has_radius;		/* a radius query (hnswradius.c) */
	HnswRadius	radius_expr;	/* its bound, if so */
	/* this search's radius, set by first_search */
	bool		radius_on;
	float		radius;			/* as the index measures, with slack */
	HnswHeap	inside;			/* the nodes within it (HnswSearchLayer) */
	/* an index-only scan (xs_want_itup): the current node's values */
	HeapTuple	hitup;			/* as the index's row type, or NULL */
	char	   *vec;			/* room for a stored vector */
	char	   *payload;		/* room for filter values */
} HnswScanOpaqueData;

/*
 * The counters of this backend's last finished hnsw scan, for
 * vecdb_last_scan().
 */
static struct
{
	Oid			index;
	HnswScanCounters c;
	bool		filtered;
} last_scan;

typedef HnswScanOpaqueData *HnswScanOpaque;

IndexScanDesc
hnswbeginscan(Relation index, int nkeys, int norderbys)
{
	IndexScanDesc scan = RelationGetIndexScan(index, nkeys, norderbys);
	HnswScanOpaque so = palloc0(sizeof(HnswScanOpaqueData));

	so->ctx = AllocSetContextCreate(CurrentMemoryContext, "hnsw scan",
									ALLOCSET_DEFAULT_SIZES);
	scan->opaque = so;
	scan->xs_hitupdesc = RelationGetDescr(index);
	return scan;
}

/*
 * Ends the counters of the search started last, if any: they become
 * vecdb_last_scan()'s and add to the scan's total, which hnswendscan adds
 * to the index's cumulative counters (hnswscanstats.c).
 */
static void
close_counters(IndexScanDesc scan)
{
	HnswScanOpaque so = (HnswScanOpaque) scan->opaque;

	if (!so->started)
		return;
	so->count.scans = 1;
	so->count.nodes = so->search.visited_count;
	so->count.reranked = so->rerank ? HnswRerankMeasured(so->rerank) : 0;
	last_scan.index = RelationGetRelid(scan->indexRelation);
	last_scan.c = so->count;
	last_scan.filtered = so->filter != NULL;
	HnswAddCounters(&so->total, &so->count);
	memset(&so->count, 0, sizeof(HnswScanCounters));
}

void
hnswrescan(IndexScanDesc scan, ScanKey keys, int nkeys, ScanKey orderbys,
		   int norderbys)
{
	HnswScanOpaque so = (HnswScanOpaque) scan->opaque;

	if (keys && scan->numberOfKeys > 0)
		memmove(scan->keyData, keys, scan->numberOfKeys * sizeof(ScanKeyData));
	if (orderbys && scan->numberOfOrderBys > 0)
		memmove(scan->orderByData, orderbys, scan->numberOfOrderBys * sizeof(ScanKeyData));
	close_counters(scan);
	/* the executor passes a node's own ORDER BY keys: they name the query */
	if (orderbys)
		so->has_radius = HnswRadiusFind(orderbys, &so->radius_expr);
	if (so->rerank)
		HnswRerankEnd(so->rerank);
	so->rerank = NULL;
	MemoryContextReset(so->ctx);
	so->started = false;
	so->results = NULL;
	so->nresults = so->pos = 0;
	so->tids = NULL;
	so->ntids = so->tidpos = 0;
	so->draining = false;
	so->peeked = so->walk_done = false;
	so->hitup = NULL;
	so->vec = so->payload = NULL;
}

/*
 * Loads every heap TID of node c (inline and in its lists) into so->tids;
 * false if none.  Runs in so->ctx.
 */
static bool
load_heaptids(IndexScanDesc scan, HnswCandidate *c)
{
	HnswScanOpaque so = (HnswScanOpaque) scan->opaque;

	if (so->tids)
		pfree(so->tids);
	so->ntids = HnswReadHeapTids(scan->indexRelation, so->info, &c->tid, c->version,
								 &so->tids);
	so->tidpos = 0;
	return so->ntids > 0;
}

/*
 * An index-only scan: forms so->hitup, the index's row of node c (its
 * vector, when the index returns it, and its filter and INCLUDE values
 * that a node keeps exactly; NULL for the others, which the planner never
 * asks for: hnswcanreturn).  False if the node is gone.  Runs in so->ctx.
 */
static bool
load_node_row(IndexScanDesc scan, HnswCandidate *c)
{
	HnswScanOpaque so = (HnswScanOpaque) scan->opaque;
	HnswIndexInfo *info = so->info;
	TupleDesc	desc = RelationGetDescr(scan->indexRelation);
	Datum		values[INDEX_MAX_KEYS];
	bool		nulls[INDEX_MAX_KEYS];
	bool		vector = HnswReturnsVector(info);
	uint16		version;
	int			level;
	bool		deleted;

	if (so->vec == NULL)
	{
		so->vec = palloc(info->vecbytes);
		so->payload = palloc(Max(info->filter.payload_bytes, 1));
	}
	if (!HnswNodeRead(scan->indexRelation, info, &c->tid, so->vec, so->payload,
					  &version, &level, &deleted) || version != c->version)
		return false;
	if (so->hitup)
		heap_freetuple(so->hitup);
	nulls[0] = !vector;
	values[0] = vector ?
		PointerGetDatum(info->source->datum(so->vec, info->dims)) : (Datum) 0;
	for (int i = 1; i < desc->natts; i++)
	{
		nulls[i] = !HnswFilterReturnable(&info->filter, i - 1);
		values[i] = nulls[i] ? (Datum) 0 :
			HnswFilterValue(&info->filter, so->payload, i - 1, &nulls[i]);
	}
	so->hitup = heap_form_tuple(desc, values, nulls);
	if (vector)
		pfree(DatumGetPointer(values[0]));
	return true;
}

/*
 * Evaluates the scan's radius into so->radius_on and so->radius and sets
 * up so->search for it; false if no row can be within it: a NULL radius,
 * one below every distance of the metric (all but inner product are at
 * least 0), or a NULL or zero (cosine) query (null_query), whose distances
 * are NULL or NaN.  NaN and +Infinity bound nothing (every distance but
 * NaN is below NaN in PostgreSQL).
 */
static bool
scan_radius(HnswScanOpaque so, const HnswIndexInfo *info, bool null_query)
{
	VecdbMetric metric = info->metric;
	bool		isnull;
	double		r;

	so->radius_on = false;
	if (!so->has_radius)
		return true;
	r = DatumGetFloat8(ExecEvalExprSwitchContext(so->radius_expr.expr,
												 so->radius_expr.econtext, &isnull));
	if (isnull)
		return false;
	if (isnan(r) || isinf(r) > 0)
		return true;
	if (metric != VECDB_METRIC_IP && (r < 0 || (r == 0 && so->radius_expr.strict)))
		return false;
	if (null_query)
		return false;
	so->radius_on = true;
	so->radius = HnswRadiusInIndex(info, r);
	HnswHeapInit(&so->inside, 64, false);
	so->search.inside = &so->inside;
	so->search.radius = so->radius;
	return true;
}

/* Takes the search result heap into so->results, sorted. */
static void
take_results(HnswScanOpaque so, HnswHeap *w)
{
	HnswSortCandidates(w->items, w->n);
	so->results = w->items;
	so->nresults = w->n;
	so->pos = 0;
}

/*
 * Whether the scan resumes its search when the results run out: an
 * iterative scan does, but not a radius search, which went on until no
 * node within the radius was left to reach.
 */
static inline bool
iterative(HnswScanOpaque so)
{
	return hnsw_iterative_scan != HNSW_ITERATIVE_SCAN_OFF && !so->radius_on;
}

/*
 * A tenant walk whose tenant has a directory entry starts there, inside the
 * tenant, instead of descending from the entry point: searches layer 0
 * from it, following tenant links only (unless iterative), and takes the
 * results.  A tenant whose entry counts few enough nodes is walked
 * completely instead (HnswTenantCompleteLimit, HnswTenantWalkAll), by
 * tenant links only; an iterative scan then sets the entry point aside, so
 * that it may go on to members only general links reach.  False, having
 * searched nothing, if the scan is no tenant walk or the directory gives
 * no start.
 */
static bool
tenant_start(HnswScanOpaque so, HnswIndexInfo *info)
{
	HnswCandidate ep;
	HnswHeap	entries,
				w;
	uint32		nodes;
	int			all;
	HnswHeap   *discarded = iterative(so) ? &so->discarded : NULL;

	if (!HnswTenantEntryPoint(&so->search, &ep, &nodes))
		return false;
	all = HnswTenantCompleteLimit(HnswWalkEf(info), nodes);
	so->search.tenant_only = !iterative(so) || all > 0;
	HnswHeapInit(&w, HnswWalkEf(info) + 1, true);
	if (all > 0)
		HnswTenantWalkAll(&so->search, &ep, all, HnswWalkEf(info), &w, discarded);
	else
	{
		HnswHeapInit(&entries, 1, false);
		HnswHeapPush(&entries, &ep);
		HnswSearchLayer(&so->search, &entries, HnswWalkEf(info), 0, &w, discarded);
		pfree(entries.items);
	}
	if (discarded && all > 0)
	{
		HnswCandidate entry;
		int			level;

		/* unless the walk met it */
		if (HnswSearchEntry(&so->search, &entry, &level))
			HnswSearchSetAside(&so->search, discarded, &entry);
	}
	take_results(so, so->radius_on ? &so->inside : &w);
	return true;
}

static void
first_search(IndexScanDesc scan)
{
	HnswScanOpaque so = (HnswScanOpaque) scan->opaque;
	Relation	index = scan->indexRelation;
	HnswIndexInfo *info = HnswGetIndexInfo(index);
	Datum		value = scan->orderByData[0].sk_argument;
	HnswCandidate ep;
	HnswCandidate entry;
	int			ep_level;
	HnswHeap	w;
	char	   *exact = NULL;	/* the query before encoding */

	so->info = info;

	/*
	 * A NULL or zero (cosine) query orders nothing: every distance ties, so
	 * the zero vector (all bytes zero, in every element type) serves, and
	 * rows come back in an arbitrary order.  A query may hold more non-zero
	 * elements than the index stores.
	 */
	so->query = NULL;
	if (!(scan->orderByData[0].sk_flags & SK_ISNULL) &&
		(exact = HnswFormSource(info, value, false, NULL)) != NULL)
		so->query = HnswEncodeSource(info, exact);
	if (so->query == NULL)
		so->query = palloc0(info->vecbytes);
	if (HnswQuantized(info))
		so->rerank = HnswRerankBegin(scan, info, exact, so->query);

	HnswSearchInit(&so->search, index, info, so->query, false);
	HnswHeapInit(&so->discarded, 64, false);
	so->last_dist = -get_float4_infinity();
	so->filter = NULL;
	if (!scan_radius(so, info, exact == NULL))
		return;					/* no row can be within: return none */
	if (scan->numberOfKeys > 0)
	{
		so->filter = HnswFilterCompile(&info->filter, scan->keyData, scan->numberOfKeys);
		so->search.filter = so->filter;
		HnswTenantSearchInit(&so->search, so->filter);
		/* a walk for ef matches stops where an iterative scan would */
		so->search.max_visits = hnsw_max_scan_tuples;
		if (so->filter->impossible)
		{
			so->draining = true;	/* no row can match: return none */
			return;
		}
	}
	if (tenant_start(so, info))
		return;
	if (!HnswSearchEntry(&so->search, &ep, &ep_level))
		return;
	entry = ep;
	ep = HnswGreedyDescend(&so->search, ep, ep_level, 0);

	/*
	 * An iterative scan may go on until it has met every node: from the
	 * entry point, the layer-0 tree edges reach them all (src/README,
	 * "Reachability"), so it is set aside as a place to resume from.  A
	 * filtered walk goes on until it has ef matches, which may lie where
	 * no link from the query's neighbourhood leads (a filter correlated
	 * with the vectors): it starts from the entry point too.
	 */
	{
		HnswHeap	entries;
		bool		other = !ItemPointerEquals(&entry.tid, &ep.tid);

		HnswHeapInit(&entries, 2, false);
		HnswHeapPush(&entries, &ep);
		if (other && so->filter != NULL)
			HnswHeapPush(&entries, &entry);
		else if (other && iterative(so))
			HnswSearchSetAside(&so->search, &so->discarded, &entry);
		HnswHeapInit(&w, HnswWalkEf(info) + 1, true);
		HnswSearchLayer(&so->search, &entries, HnswWalkEf(info), 0, &w,
						iterative(so) ? &so->discarded : NULL);
	}
	/* a radius search returns the nodes within; the band only led there */
	take_results(so, so->radius_on ? &so->inside : &w);
}

/* Resumes an iterative scan; false when it must stop searching. */
static bool
resume_search(IndexScanDesc scan)
{
	HnswScanOpaque so = (HnswScanOpaque) scan->opaque;
	Size		limit = (Size) (work_mem * 1024.0 * hnsw_scan_mem_multiplier);
	HnswHeap	entries,
				w;

	/* the links arena lives outside so->ctx (links_reserve): count it too */
	if (so->discarded.n == 0 ||
		so->search.visited_count >= hnsw_max_scan_tuples ||
		MemoryContextMemAllocated(so->ctx, true) +
		(Size) so->search.links_cap * sizeof(ItemPointerData) > limit)
		return false;

	HnswHeapInit(&entries, HnswWalkEf(so->info), false);
	while (entries.n < HnswWalkEf(so->info) && so->discarded.n > 0)
	{
		HnswCandidate c = HnswHeapPop(&so->discarded);

		HnswHeapPush(&entries, &c);
	}
	HnswHeapInit(&w, HnswWalkEf(so->info) + 1, true);
	HnswSearchLayer(&so->search, &entries, HnswWalkEf(so->info), 0, &w, &so->discarded);
	pfree(entries.items);
	take_results(so, &w);
	so->count.rounds++;
	return true;
}

/* Next node to return, or false when the scan is over. */
static bool
next_node(IndexScanDesc scan, HnswCandidate *out)
{
	HnswScanOpaque so = (HnswScanOpaque) scan->opaque;

	for (;;)
	{
		CHECK_FOR_INTERRUPTS();
		if (so->pos < so->nresults)
		{
			*out = so->results[so->pos++];
			return true;
		}
		if (!iterative(so))
			return false;
		if (!so->draining && resume_search(scan))
			continue;
		so->draining = true;
		if (so->discarded.n == 0)
			return false;
		*out = HnswHeapPop(&so->discarded);
		return true;
	}
}

/*
 * Advances to the next node to return and loads its heap TIDs into
 * so->tids (the node into so->cur); false when the scan is over.  Runs in
 * so->ctx.
 */
static bool
next_live_node(IndexScanDesc scan)
{
	HnswScanOpaque so = (HnswScanOpaque) scan->opaque;
	HnswCandidate c;

	for (;;)
	{
		if (!next_node(scan, &c))
			return false;
		if (c.deleted)
			continue;
		if (hnsw_iterative_scan == HNSW_ITERATIVE_SCAN_STRICT && c.dist < so->last_dist)
			continue;
		if (!load_heaptids(scan, &c))
			continue;
		if (scan->xs_want_itup && !load_node_row(scan, &c))
			continue;
		so->last_dist = Max(so->last_dist, c.dist);
		so->cur = c;
		return true;
	}
}

/* The next heap TID in the order of the walk's distances. */
static bool
next_walk_tid(IndexScanDesc scan, ItemPointer tid)
{
	HnswScanOpaque so = (HnswScanOpaque) scan->opaque;

	while (so->tidpos >= so->ntids)
		if (!next_live_node(scan))
			return false;
	*tid = so->tids[so->tidpos++];
	return true;
}

/*
 * The next heap TID of a quantized index, in exact distance order
 * (hnswrerank.c): the rows measured so far wait until the nearest of them
 * is no farther than the lower bound of the next node's rows; until then
 * that node's rows are measured too.
 */
static bool
next_reranked_tid(IndexScanDesc scan, ItemPointer tid)
{
	HnswScanOpaque so = (HnswScanOpaque) scan->opaque;

	for (;;)
	{
		if (!so->peeked && !so->walk_done)
		{
			so->walk_done = !next_live_node(scan);
			so->peeked = !so->walk_done;
			if (so->peeked)
				so->peek_lb = HnswRerankLowerBound(so->rerank, &so->cur);
		}
		if (HnswRerankNext(so->rerank, !so->walk_done ? so->peek_lb :
						   so->radius_on ? so->radius : INFINITY, tid))
			return true;
		if (so->walk_done)
			return false;
		for (int i = 0; i < so->ntids; i++)
			HnswRerankAdd(so->rerank, &so->tids[i], scan->xs_snapshot);
		so->peeked = false;
	}
}

bool
hnswgettuple(IndexScanDesc scan, ScanDirection dir)
{
	HnswScanOpaque so = (HnswScanOpaque) scan->opaque;
	MemoryContext old;
	bool		found;
	int64		pages = hnsw_pages_read;

	if (!so->started)
	{
		if (scan->numberOfOrderBys == 0 || scan->orderByData == NULL)
			elog(ERROR, "cannot scan hnsw index without order");
		if (!IsMVCCSnapshot(scan->xs_snapshot))
			elog(ERROR, "non-MVCC snapshots are not supported with hnsw");
		old = MemoryContextSwitchTo(so->ctx);
		first_search(scan);
		MemoryContextSwitchTo(old);
		so->started = true;
		/* hnswcanreturn never lets a quantized index return its vector */
		if (scan->xs_want_itup && so->rerank)
			elog(ERROR, "index-only scan of a quantized hnsw index");
#if PG_VERSION_NUM >= 150000
		pgstat_count_index_scan(scan->indexRelation);
#endif
	}

	old = MemoryContextSwitchTo(so->ctx);
	CHECK_FOR_INTERRUPTS();
	if (so->rerank)
		found = next_reranked_tid(scan, &scan->xs_heaptid);
	else
		found = next_walk_tid(scan, &scan->xs_heaptid);
	MemoryContextSwitchTo(old);
	so->count.pages += hnsw_pages_read - pages;
	if (!found)
		return false;

	so->count.rows++;
	scan->xs_recheck = so->filter != NULL && so->filter->lossy;
	scan->xs_recheckorderby = false;
	scan->xs_hitup = scan->xs_want_itup ? so->hitup : NULL;
	return true;
}

void
hnswendscan(IndexScanDesc scan)
{
	HnswScanOpaque so = (HnswScanOpaque) scan->opaque;

	close_counters(scan);
	HnswScanStatsAdd(RelationGetRelid(scan->indexRelation), &so->total);
	if (so->rerank)
		HnswRerankEnd(so->rerank);

	MemoryContextDelete(so->ctx);
	pfree(so);
	scan->opaque = NULL;
}

/*
 * vecdb_last_scan(): the counters of this backend's last finished hnsw
 * index scan (a rescan, as of a nested loop, counts from its last start).
 * The columns 0.3.0 added come last, so that 0.2.0's definition (five
 * columns, kept by a database created under the name vector before 0.3.0:
 * README, "Installing as vector") reads its five.
 */
PG_FUNCTION_INFO_V1(vecdb_last_scan);
Datum
vecdb_last_scan(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	Datum		values[7];
	bool		nulls[7] = {0};

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	if (!OidIsValid(last_scan.index))
		PG_RETURN_NULL();
	values[0] = ObjectIdGetDatum(last_scan.index);
	if (tupdesc->natts > lengthof(values))
		elog(ERROR, "vecdb_last_scan has %d columns, expected at most %d",
			 tupdesc->natts, (int) lengthof(values));
	values[1] = Int64GetDatum(last_scan.c.nodes);
	values[2] = Int64GetDatum(last_scan.c.rows);
	values[3] = Int64GetDatum(last_scan.c.rounds);
	values[4] = BoolGetDatum(last_scan.filtered);
	values[5] = Int64GetDatum(last_scan.c.pages);
	values[6] = Int64GetDatum(last_scan.c.reranked);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
