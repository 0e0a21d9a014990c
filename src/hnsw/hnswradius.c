/*-------------------------------------------------------------------------
 *
 * hnswradius.c
 *	  Radius queries: hands the radius of WHERE dist < r ORDER BY dist to
 *	  the hnsw index scan, so that its walk stops at the radius.
 *
 * The planner has no way to give an index scan a bound on its ORDER BY
 * distance: WHERE embedding <-> $1 < $2 ORDER BY embedding <-> $1 plans an
 * ordered index scan with the condition as a filter.  An ExecutorStart
 * hook looks, once the plan state exists, for hnsw index scans whose filter
 * compares their own ORDER BY expression with a value that does not depend
 * on the row, and notes that value's expression (compiled for the scan
 * node) under the node's ORDER BY scan keys.  The executor begins the index
 * scan later, on its first row, and hands those keys to every amrescan:
 * hnswrescan finds the radius by them (HnswRadiusFind) and evaluates it at
 * the start of each search.  The notes live in the query's memory and are
 * forgotten with it.
 * The filter stays: the scan only stops early, and answers stay the
 * executor's.  vecdb.radius_stop = off turns this off.
 *
 * Copyright (c) 2026, vecdb developers
 *
 * src/hnsw/hnswradius.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/relscan.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/clauses.h"
#include "optimizer/optimizer.h"
#include "optimizer/pathnode.h"
#include "storage/bufmgr.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/rel.h"

#include "hnsw.h"
#include "hnsw_page.h"

static bool radius_stop = true;
static ExecutorStart_hook_type prev_executor_start = NULL;

/* a radius noted for the index scan node whose ORDER BY keys are key */
typedef struct RadiusNote
{
	struct RadiusNote *next;
	ScanKey		key;			/* the node's iss_OrderByKeys */
	MemoryContext cxt;			/* the query's, holding the note */
	HnswRadius	radius;
} RadiusNote;

/* this backend's notes, of every query running */
static RadiusNote *notes = NULL;

/* Forgets the notes of a query whose memory (arg) goes away. */
static void
forget_notes(void *arg)
{
	RadiusNote **p = &notes;

	while (*p != NULL)
	{
		if ((*p)->cxt == (MemoryContext) arg)
			*p = (*p)->next;
		else
			p = &(*p)->next;
	}
}

/*
 * The radius noted for the index scan whose ORDER BY keys are orderbys
 * (as amrescan receives them) into *out; false if none.
 */
bool
HnswRadiusFind(ScanKey orderbys, HnswRadius *out)
{
	for (RadiusNote *n = notes; n != NULL; n = n->next)
	{
		if (n->key == orderbys)
		{
			*out = n->radius;
			return true;
		}
	}
	return false;
}

/*
 * Notes radius r (strict: <) for the index scan node whose ORDER BY keys
 * are keys, in estate's memory.
 */
static void
note_radius(ScanState *node, ScanKey keys, EState *estate, Expr *r, bool strict)
{
	MemoryContext old = MemoryContextSwitchTo(estate->es_query_cxt);
	RadiusNote *n = palloc(sizeof(RadiusNote));
	bool		first = true;

	for (RadiusNote *o = notes; o != NULL; o = o->next)
		first = first && o->cxt != estate->es_query_cxt;
	if (first)
	{
		MemoryContextCallback *cb = palloc(sizeof(MemoryContextCallback));

		cb->func = forget_notes;
		cb->arg = estate->es_query_cxt;
		MemoryContextRegisterResetCallback(estate->es_query_cxt, cb);
	}
	n->key = keys;
	n->cxt = estate->es_query_cxt;
	n->radius.expr = ExecInitExpr(r, &node->ps);
	n->radius.econtext = node->ps.ps_ExprContext;
	n->radius.strict = strict;
	n->next = notes;
	notes = n;
	MemoryContextSwitchTo(old);
}

/* Whether e has the same value for every row of the scan. */
static bool
row_independent(Expr *e)
{
	return !contain_var_clause((Node *) e) &&
		!contain_volatile_functions((Node *) e) &&
		!contain_subplans((Node *) e);
}

/*
 * If clause is dist < r or dist <= r (or r > dist, r >= dist) with r the
 * same for every row, returns r and sets *strict; else NULL.
 */
static Expr *
radius_of(Expr *clause, Expr *dist, bool *strict)
{
	OpExpr	   *op = (OpExpr *) clause;
	Expr	   *left,
			   *right;

	if (!IsA(clause, OpExpr) || list_length(op->args) != 2)
		return NULL;
	left = linitial(op->args);
	right = lsecond(op->args);
	*strict = op->opfuncid == F_FLOAT8LT || op->opfuncid == F_FLOAT8GT;
	if ((op->opfuncid == F_FLOAT8LT || op->opfuncid == F_FLOAT8LE) &&
		equal(left, dist) && row_independent(right))
		return right;
	if ((op->opfuncid == F_FLOAT8GT || op->opfuncid == F_FLOAT8GE) &&
		equal(right, dist) && row_independent(left))
		return left;
	return NULL;
}

/*
 * A radius r of the ORDER BY operator's distance as the index measures
 * distances (src/README, "Metrics"), loosened for the rounding of either
 * distance: by 1e-4 (relative, and absolute near zero), or 4e-3 for
 * halfvec, whose unit vectors (cosine) the index rounds to halves.
 */
float
HnswRadiusInIndex(const HnswIndexInfo *info, double r)
{
	VecdbMetric metric = info->metric;
	double		slack = info->source->kind == VECDB_ELEM_HALF ? 4e-3 : 1e-4;
	double		b;

	switch (metric)
	{
		case VECDB_METRIC_L2:
			b = r < 0 ? -1.0 : r * r;
			break;
		case VECDB_METRIC_COSINE:
			b = r - 1.0;
			break;
		default:
			b = r;
			break;
	}
	return (float) (b + slack * (fabs(b) + 1.0));
}


/* ---- at plan time: the share of rows within a radius ---- */

/* index pages a plan-time estimate reads, at most */
#define RADIUS_SAMPLE_PAGES 32

/* The TIDs of the nodes on index page blkno into tids; their count. */
static int
page_nodes(Relation index, HnswIndexInfo *info, BlockNumber blkno, ItemPointerData *tids)
{
	Buffer		buf = HnswReadBuffer(index, info, blkno);
	Page		page;
	int			n = 0;

	LockBuffer(buf, BUFFER_LOCK_SHARE);
	page = BufferGetPage(buf);
	if (HnswPageIsValid(page) && (HnswPageGetOpaque(page)->flags & HNSW_PAGE_NODES))
	{
		OffsetNumber maxoff = PageGetMaxOffsetNumber(page);

		for (OffsetNumber off = FirstOffsetNumber; off <= maxoff; off++)
		{
			if (HnswGetNode(page, off, info) != NULL)
			{
				ItemPointerSet(&tids[n], blkno, off);
				n++;
			}
		}
	}
	UnlockReleaseBuffer(buf);
	return n;
}

/*
 * The share of the index's live nodes within radius r (the operator's
 * terms) of query, counted over every node of up to RADIUS_SAMPLE_PAGES
 * index pages: all of a smaller index, else pages drawn by a fixed
 * sequence, so that planning the same query twice gives the same plan.
 * Smoothed so that a sample with no node within still leaves some; -1 when
 * the query has no vector form or no node was read.
 */
static double
sampled_share(Relation index, Datum query, double r)
{
	HnswIndexInfo *info = HnswGetIndexInfo(index);
	BlockNumber pages = RelationGetNumberOfBlocks(index) - 1;	/* not the metapage */
	ItemPointerData *tids;
	HnswSearch	s;
	char	   *exact;
	float		bound = HnswRadiusInIndex(info, r);
	uint64		x = UINT64CONST(0x9E3779B97F4A7C15);
	int			seen = 0;
	int			inside = 0;

	if (pages == 0 || (exact = HnswFormSource(info, query, false, NULL)) == NULL)
		return -1;
	HnswSearchInit(&s, index, info, HnswEncodeSource(info, exact), true);
	tids = palloc(sizeof(ItemPointerData) * MaxOffsetNumber);
	for (BlockNumber i = 0; i < Min(pages, RADIUS_SAMPLE_PAGES); i++)
	{
		BlockNumber blkno = i + 1;
		int			n;

		if (pages > RADIUS_SAMPLE_PAGES)
		{
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			blkno = 1 + x % pages;
		}
		n = page_nodes(index, info, blkno, tids);
		for (int j = 0; j < n; j++)
		{
			HnswCandidate c;
			bool		deleted;
			int			level;

			if (HnswNodeDistance(&s, &tids[j], &c, &deleted, &level) && !deleted)
			{
				seen++;
				inside += c.dist <= bound;
			}
		}
		CHECK_FOR_INTERRUPTS();
	}
	HnswSearchFree(&s);
	pfree(tids);
	return seen == 0 ? -1 : (inside + 0.5) / (seen + 1.0);
}

/*
 * For an hnsw index path ordered by one distance, dist, of a query that
 * wants all its rows, when the table has a radius condition on dist
 * (radius_of) and both the query and the radius are known at plan time
 * (constants, or the parameters of a custom plan):
 * the estimated share of rows within the radius, with the condition in
 * *radius.  Otherwise, or with vecdb.radius_stop off, -1 and NULL.
 */
double
HnswRadiusPlanShare(PlannerInfo *root, IndexPath *path, Relation index, RestrictInfo **radius)
{
	OpExpr	   *dist;
	Node	   *query;
	ListCell   *lc;

	*radius = NULL;
	/*
	 * Only when every row is wanted (no LIMIT, no cursor fraction): a
	 * radius walk does all its work before the first row, so under a LIMIT
	 * its honest cost would trade the index for a sequential scan whenever
	 * most rows lie within, where pgvector's plans (and tests) keep the
	 * index; there the k-NN walk's costing stands, as before.
	 */
	if (!radius_stop || root->tuple_fraction > 0 || list_length(path->indexorderbys) != 1)
		return -1;
	dist = linitial(path->indexorderbys);
	if (!IsA(dist, OpExpr) || list_length(dist->args) != 2)
		return -1;
	query = estimate_expression_value(root, lsecond(dist->args));
	if (!IsA(query, Const) || ((Const *) query)->constisnull)
		return -1;
	foreach(lc, path->indexinfo->rel->baserestrictinfo)
	{
		RestrictInfo *rinfo = lfirst_node(RestrictInfo, lc);
		bool		strict;
		Expr	   *r = radius_of(rinfo->clause, (Expr *) dist, &strict);
		Node	   *value;
		double		share;

		if (r == NULL)
			continue;
		value = estimate_expression_value(root, (Node *) r);
		if (!IsA(value, Const) || ((Const *) value)->constisnull)
			return -1;
		share = sampled_share(index, ((Const *) query)->constvalue,
							  DatumGetFloat8(((Const *) value)->constvalue));
		if (share >= 0)
			*radius = rinfo;
		return share;
	}
	return -1;
}

/*
 * For an hnsw index scan (plain or index-only) ordered by one distance,
 * orderby, whose filter bounds that distance, notes the bound for the scan
 * under its ORDER BY keys.  The first such condition wins.  An index-only
 * scan's ORDER BY and filter both name the index's columns (INDEX_VAR
 * Vars), as a plain scan's indexorderbyorig and filter both name the
 * table's, so equal() matches them either way.
 */
static void
pass_radius(ScanState *node, Relation index, List *orderby, ScanKey keys, EState *estate)
{
	Expr	   *dist;
	ListCell   *lc;

	if (index == NULL || index->rd_indam->amgettuple != hnswgettuple ||
		list_length(orderby) != 1 || keys == NULL)
		return;
	dist = linitial(orderby);
	foreach(lc, node->ps.plan->qual)
	{
		bool		strict;
		Expr	   *r = radius_of(lfirst(lc), dist, &strict);

		if (r != NULL)
		{
			note_radius(node, keys, estate, r, strict);
			return;
		}
	}
}

static bool
find_radius_scans(PlanState *ps, void *context)
{
	if (ps == NULL)
		return false;
	if (IsA(ps, IndexScanState))
	{
		IndexScanState *s = (IndexScanState *) ps;

		pass_radius(&s->ss, s->iss_RelationDesc,
					((IndexScan *) ps->plan)->indexorderbyorig, s->iss_OrderByKeys,
					(EState *) context);
	}
	else if (IsA(ps, IndexOnlyScanState))
	{
		IndexOnlyScanState *s = (IndexOnlyScanState *) ps;

		pass_radius(&s->ss, s->ioss_RelationDesc,
					((IndexOnlyScan *) ps->plan)->indexorderby, s->ioss_OrderByKeys,
					(EState *) context);
	}
	return planstate_tree_walker(ps, find_radius_scans, context);
}

static void
radius_executor_start(QueryDesc *queryDesc, int eflags)
{
	if (prev_executor_start)
		prev_executor_start(queryDesc, eflags);
	else
		standard_ExecutorStart(queryDesc, eflags);
	if (radius_stop && !(eflags & EXEC_FLAG_EXPLAIN_ONLY))
		find_radius_scans(queryDesc->planstate, queryDesc->estate);
}

/* Defines vecdb.radius_stop and installs the hook; from _PG_init. */
void
HnswRadiusInit(void)
{
	DefineCustomBoolVariable("vecdb.radius_stop",
							 "Stops an hnsw index scan at the radius of WHERE distance < radius.",
							 "A query ordered by a distance whose WHERE clause bounds the "
							 "same distance walks the graph only as far as the bound.",
							 &radius_stop,
							 true,
							 PGC_USERSET,
							 0,
							 NULL,
							 NULL,
							 NULL);
	prev_executor_start = ExecutorStart_hook;
	ExecutorStart_hook = radius_executor_start;
}
