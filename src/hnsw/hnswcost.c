/*-------------------------------------------------------------------------
 *
 * hnswcost.c
 *	  What vector work costs the planner: the distance functions' cost
 *	  (a planner support function, so a sequential scan that computes a
 *	  distance per row is costed by the vector's size), and the HNSW index
 *	  scan's cost in the same units.
 *
 * Without the support function a distance costs cpu_operator_cost, as any
 * function of cost 1, whatever the dimensions, and reading a vector kept in
 * TOAST costs nothing: a sequential scan over 2,000 rows of 1,536
 * dimensions then looked cheaper than the index scan that was 100 times
 * faster.  The constants below come from bench/planner_crossover.py (see
 * src/README, "HNSW: cost model").
 *
 * Copyright (c) 2026, vecdb developers
 *
 * src/hnsw/hnswcost.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/heaptoast.h"
#include "catalog/pg_attribute.h"
#include "nodes/nodeFuncs.h"
#include "nodes/supportnodes.h"
#include "optimizer/cost.h"
#include "optimizer/optimizer.h"
#include "optimizer/pathnode.h"
#include "parser/parsetree.h"
#include "utils/float.h"
#include "utils/lsyscache.h"
#include "utils/selfuncs.h"
#include "utils/syscache.h"

#include "hnsw.h"
#include "type/vector.h"

/*
 * All in units of cpu_operator_cost, from bench/planner_crossover.py runs
 * on this project's machine (src/README, "HNSW: cost model"), where
 * cpu_operator_cost came to about 5 ns next to PostgreSQL's own estimates
 * of the same sequential scans.
 *
 * A distance over dims dimensions: a call, plus DIST_PER_DIM a dimension.
 */
#define DIST_CALL				50.0
#define DIST_PER_DIM			(1.0 / 24)

/*
 * Reading one vector kept out of line (TOAST): a fixed part (the TOAST
 * index lookup) and a part per TOAST chunk.
 */
#define TOAST_FIXED				250.0
#define TOAST_PER_CHUNK			100.0

/* An index node visited by a search, besides its distance: pin, lock, links. */
#define NODE_VISIT				70.0

/* Cost of one distance over dims dimensions between vectors in memory. */
double
HnswDistanceCost(int dims)
{
	return cpu_operator_cost * (DIST_CALL + DIST_PER_DIM * dims);
}

/* Cost of reading one vector of dims dimensions from TOAST. */
static double
toast_cost(int dims)
{
	double		chunks = ceil((double) VECTOR_SIZE(dims) / TOAST_MAX_CHUNK_SIZE);

	return cpu_operator_cost * (TOAST_FIXED + TOAST_PER_CHUNK * chunks);
}

/*
 * The dimensions of a vector argument: its typmod, or, for a constant, its
 * own.  0 when unknown.
 */
static int
arg_dims(Node *arg)
{
	int32		typmod = exprTypmod(arg);

	if (typmod > 0)
		return typmod;
	if (IsA(arg, Const) && !((Const *) arg)->constisnull &&
		!VARATT_IS_EXTENDED(DatumGetPointer(((Const *) arg)->constvalue)))
		return ((Vector *) DatumGetPointer(((Const *) arg)->constvalue))->dim;
	return 0;
}

/*
 * True if a vector argument is a table column whose values of dims
 * dimensions are stored out of line: storage 'x' or 'e' and a value over
 * the TOAST threshold.
 */
static bool
arg_in_toast(PlannerInfo *root, Node *arg, int dims)
{
	Var		   *var;
	RangeTblEntry *rte;
	HeapTuple	tup;
	char		storage;

	while (IsA(arg, RelabelType))
		arg = (Node *) ((RelabelType *) arg)->arg;
	if (root == NULL || !IsA(arg, Var) || VECTOR_SIZE(dims) <= TOAST_TUPLE_THRESHOLD)
		return false;
	var = (Var *) arg;
	if (var->varlevelsup != 0 || var->varno < 1 || var->varno >= root->simple_rel_array_size ||
		var->varattno <= 0)
		return false;
	rte = root->simple_rte_array[var->varno];
	if (rte == NULL || rte->rtekind != RTE_RELATION)
		return false;
	tup = SearchSysCache2(ATTNUM, ObjectIdGetDatum(rte->relid), Int16GetDatum(var->varattno));
	if (!HeapTupleIsValid(tup))
		return false;
	storage = ((Form_pg_attribute) GETSTRUCT(tup))->attstorage;
	ReleaseSysCache(tup);
	return storage == TYPSTORAGE_EXTENDED || storage == TYPSTORAGE_EXTERNAL;
}

/*
 * Planner support for the distance functions (l2_distance, the operators'
 * functions, ...): the cost of a call is a distance over the larger of
 * the arguments' known dimensions, plus reading each argument that is a
 * column kept in TOAST.  Unknown dimensions leave the function's own cost.
 */
PG_FUNCTION_INFO_V1(vecdb_distance_support);
Datum
vecdb_distance_support(PG_FUNCTION_ARGS)
{
	Node	   *rawreq = (Node *) PG_GETARG_POINTER(0);
	SupportRequestCost *req;
	List	   *args;
	ListCell   *lc;
	int			dims = 0;
	int			ntoast = 0;

	if (!IsA(rawreq, SupportRequestCost))
		PG_RETURN_POINTER(NULL);
	req = (SupportRequestCost *) rawreq;
	if (req->node == NULL)
		PG_RETURN_POINTER(NULL);
	if (IsA(req->node, OpExpr))
		args = ((OpExpr *) req->node)->args;
	else if (IsA(req->node, FuncExpr))
		args = ((FuncExpr *) req->node)->args;
	else
		PG_RETURN_POINTER(NULL);
	foreach(lc, args)
		dims = Max(dims, arg_dims((Node *) lfirst(lc)));
	if (dims <= 0)
		PG_RETURN_POINTER(NULL);
	foreach(lc, args)
		ntoast += arg_in_toast(req->root, (Node *) lfirst(lc), dims);
	req->startup = 0;
	req->per_tuple = HnswDistanceCost(dims) + ntoast * toast_cost(dims);
	PG_RETURN_POINTER(req);
}

/*
 * The index scan.  Without an ORDER BY on our operator the index is
 * useless: infinite cost.  Otherwise a scan does its work before the first
 * tuple: a layer-0 search with ef = hnsw.ef_search measures about
 * ef_search * m nodes (each expansion reads up to 2m links, about half
 * new), plus a greedy walk of about m nodes per upper layer; never more
 * than the index holds.  Each measured node costs an index tuple, a visit
 * (pin, lock, links), a distance (HnswDistanceCost: the index keeps
 * vectors in its own pages, never in TOAST) and a page access; a vector
 * index is normally cached, so
 * page accesses cost random_page_cost scaled by the share of the index
 * that does not fit effective_cache_size.  A fixed start (metapage, entry
 * point) keeps a sequential scan cheaper on tiny tables.  The total stays
 * a full index scan, so LIMIT scales between the two.  The rows returned
 * are costed by the executor's own evaluation of the ORDER BY expression
 * (the support function above), as for any plan.
 */
void
hnswcostestimate(PlannerInfo *root, IndexPath *path, double loop_count,
				 Cost *indexStartupCost, Cost *indexTotalCost,
				 Selectivity *indexSelectivity, double *indexCorrelation,
				 double *indexPages)
{
	GenericCosts costs;
	IndexOptInfo *info = path->indexinfo;
	double		ntuples;
	double		visited;
	double		pages;
	double		uncached;
	double		per_node;
	int			m;
	int			dims;
	Relation	index;

	if (path->indexorderbys == NIL)
	{
		*indexStartupCost = get_float8_infinity();
		*indexTotalCost = get_float8_infinity();
		*indexSelectivity = 0;
		*indexCorrelation = 0;
		*indexPages = 0;
		return;
	}

	MemSet(&costs, 0, sizeof(costs));
	genericcostestimate(root, path, loop_count, &costs);

	index = index_open(info->indexoid, NoLock);
	m = HnswGetM(index);
	dims = Max(TupleDescAttr(RelationGetDescr(index), 0)->atttypmod, 1);
	index_close(index, NoLock);

	ntuples = Max(info->tuples, 1);
	pages = Max(info->pages, 1);
	visited = (double) hnsw_ef_search * m + m * log(ntuples) / log(Max(m, 2));
	visited = Min(visited, ntuples);
	uncached = pages / (pages + Max(effective_cache_size, 1));
	per_node = cpu_index_tuple_cost + HnswDistanceCost(dims) + cpu_operator_cost * NODE_VISIT +
		random_page_cost * uncached;

	*indexStartupCost = 2 * random_page_cost + visited * per_node;
	*indexTotalCost = Max(costs.indexTotalCost, *indexStartupCost);
	*indexSelectivity = costs.indexSelectivity;
	*indexCorrelation = 0;
	*indexPages = Min(visited, pages);
}
