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
#include "catalog/pg_type.h"
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
#include "utils/varbit.h"

#include "hnsw.h"
#include "type/halfvec.h"
#include "type/sparsevec.h"
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

/*
 * Distance work is counted in float dimensions (what DIST_PER_DIM prices).
 * A halfvec element widens into a float lane: one.  Bit kernels count 64
 * bits a word where a float kernel handles two elements a word: a bit is
 * 1/BITS_PER_DIM of one.  A sparse distance is a scalar merge walk with a
 * branch per step over both index lists: a non-zero element is
 * SPARSE_PER_ELEMENT (an estimate from the kernels' loop shapes, not
 * measured by bench/planner_crossover.py).
 */
#define BITS_PER_DIM			32.0
#define SPARSE_PER_ELEMENT		4.0

/* what the planner knows of a value of a distance's argument */
typedef struct ArgSize
{
	double		work;			/* distance work, in float dimensions */
	double		bytes;			/* the datum's size */
} ArgSize;

/* Cost of one distance of work float dimensions between values in memory. */
double
HnswDistanceCost(double work)
{
	return cpu_operator_cost * (DIST_CALL + DIST_PER_DIM * work);
}

/* Cost of reading one value of bytes from TOAST. */
static double
toast_cost(double bytes)
{
	double		chunks = ceil(bytes / TOAST_MAX_CHUNK_SIZE);

	return cpu_operator_cost * (TOAST_FIXED + TOAST_PER_CHUNK * chunks);
}

/*
 * The element type of an argument's type: bit and bit varying by OID,
 * vector, halfvec and sparsevec by name (their OIDs vary).  NULL if none.
 */
static const VecdbElemType *
type_of(Oid typid)
{
	const VecdbElemType *result = NULL;
	HeapTuple	tup;

	if (typid == BITOID || typid == VARBITOID)
		return VecdbElemTypeGet(VECDB_ELEM_BIT);
	tup = SearchSysCache1(TYPEOID, ObjectIdGetDatum(typid));
	if (!HeapTupleIsValid(tup))
		return NULL;
	for (int k = 1; VecdbElemTypeGet(k) != NULL; k++)
		if (strcmp(NameStr(((Form_pg_type) GETSTRUCT(tup))->typname),
				   VecdbElemTypeGet(k)->name) == 0)
			result = VecdbElemTypeGet(k);
	ReleaseSysCache(tup);
	return result;
}

/* Work and bytes of a value of type t of n elements (sparse: non-zeros). */
static ArgSize
size_of(const VecdbElemType *t, double n)
{
	ArgSize		a;

	switch (t->kind)
	{
		case VECDB_ELEM_HALF:
			a.work = n;
			a.bytes = HALFVEC_SIZE(n);
			break;
		case VECDB_ELEM_BIT:
			a.work = n / BITS_PER_DIM;
			a.bytes = VARBITTOTALLEN(n);
			break;
		case VECDB_ELEM_SPARSE:
			a.work = n * SPARSE_PER_ELEMENT;
			a.bytes = SPARSEVEC_SIZE(n);
			break;
		default:
			a.work = n;
			a.bytes = VECTOR_SIZE(n);
			break;
	}
	return a;
}

/*
 * The table column an argument is (through binary-compatible casts), as
 * its relation and attribute number; false if it is none.
 */
static bool
arg_column(PlannerInfo *root, Node *arg, Oid *relid, AttrNumber *attnum)
{
	Var		   *var;
	RangeTblEntry *rte;

	while (IsA(arg, RelabelType))
		arg = (Node *) ((RelabelType *) arg)->arg;
	if (root == NULL || !IsA(arg, Var))
		return false;
	var = (Var *) arg;
	if (var->varlevelsup != 0 || var->varno < 1 || var->varno >= root->simple_rel_array_size ||
		var->varattno <= 0)
		return false;
	rte = root->simple_rte_array[var->varno];
	if (rte == NULL || rte->rtekind != RTE_RELATION)
		return false;
	*relid = rte->relid;
	*attnum = var->varattno;
	return true;
}

/*
 * Elements of a column's values: the dimensions (typmod) of a dense type;
 * for a sparse one the non-zeros its average width in the statistics
 * holds.  The statistics count a value kept out of line as its TOAST
 * pointer (18 bytes): a width below one element's value means such values,
 * taken as the smallest value over the TOAST threshold.  0 when unknown.
 */
static double
column_elements(const VecdbElemType *t, Oid relid, AttrNumber attnum, int32 typmod)
{
	double		width;

	if (t->kind != VECDB_ELEM_SPARSE)
		return Max(typmod, 0);
	if (attnum <= 0)
		return 0;
	width = get_attavgwidth(relid, attnum);
	if (width <= 0)
		return 0;
	if (width < SPARSEVEC_SIZE(1))
		return (TOAST_TUPLE_THRESHOLD - SPARSEVEC_SIZE(0)) / (sizeof(int32) + sizeof(float)) + 1;
	return (width - SPARSEVEC_SIZE(0)) / (sizeof(int32) + sizeof(float));
}

/*
 * The size of an argument of type t: a constant's own, else the column's
 * (typmod, or the statistics for a sparse type), else the typmod.  False
 * when unknown.
 */
static bool
arg_size(PlannerInfo *root, const VecdbElemType *t, Node *arg, ArgSize *out)
{
	int32		typmod = exprTypmod(arg);
	Oid			relid;
	AttrNumber	attnum;
	double		n = 0;

	if (IsA(arg, Const) && !((Const *) arg)->constisnull &&
		!VARATT_IS_EXTENDED(DatumGetPointer(((Const *) arg)->constvalue)))
	{
		Pointer		p = DatumGetPointer(((Const *) arg)->constvalue);
		int			dims;

		if (t->kind == VECDB_ELEM_SPARSE)
			n = ((SparseVector *) p)->nnz;
		else
		{
			t->elements(p, &dims);
			n = dims;
		}
	}
	else if (arg_column(root, arg, &relid, &attnum))
		n = column_elements(t, relid, attnum, typmod);
	else if (t->kind != VECDB_ELEM_SPARSE)
		n = Max(typmod, 0);
	if (n <= 0)
		return false;
	*out = size_of(t, n);
	return true;
}

/*
 * True if a vector argument is a table column whose values of bytes are
 * stored out of line: storage 'x' or 'e' and a value over the TOAST
 * threshold.
 */
static bool
arg_in_toast(PlannerInfo *root, Node *arg, double bytes)
{
	Oid			relid;
	AttrNumber	attnum;
	HeapTuple	tup;
	char		storage;

	if (bytes <= TOAST_TUPLE_THRESHOLD || !arg_column(root, arg, &relid, &attnum))
		return false;
	tup = SearchSysCache2(ATTNUM, ObjectIdGetDatum(relid), Int16GetDatum(attnum));
	if (!HeapTupleIsValid(tup))
		return false;
	storage = ((Form_pg_attribute) GETSTRUCT(tup))->attstorage;
	ReleaseSysCache(tup);
	return storage == TYPSTORAGE_EXTENDED || storage == TYPSTORAGE_EXTERNAL;
}

/*
 * Planner support for the distance functions of every type (l2_distance,
 * the operators' functions, hamming_distance, ...): the cost of a call is
 * the distance work of the larger argument, plus reading each argument
 * that is a column kept in TOAST.  An argument of unknown size leaves the
 * function's own cost.
 */
PG_FUNCTION_INFO_V1(vecdb_distance_support);
Datum
vecdb_distance_support(PG_FUNCTION_ARGS)
{
	Node	   *rawreq = (Node *) PG_GETARG_POINTER(0);
	SupportRequestCost *req;
	List	   *args;
	ListCell   *lc;
	ArgSize		sizes[2];
	int			n = 0;
	double		work = 0;
	double		toast = 0;

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
	{
		Node	   *arg = (Node *) lfirst(lc);
		const VecdbElemType *t = type_of(exprType(arg));

		if (t == NULL || n >= lengthof(sizes) || !arg_size(req->root, t, arg, &sizes[n]))
			PG_RETURN_POINTER(NULL);
		work = Max(work, sizes[n].work);
		toast += arg_in_toast(req->root, arg, sizes[n].bytes) ? toast_cost(sizes[n].bytes) : 0;
		n++;
	}
	req->startup = 0;
	req->per_tuple = HnswDistanceCost(work) + toast;
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
 * (the support function above), as for any plan.  Conditions on filter
 * columns leave only a share of the nodes (their selectivity) able to fill
 * the result: the walk measures about half that many times more, up to the
 * whole index, so that a very selective filter makes an exact plan cheaper.
 * A quantized index measures codes (a quarter of the work, estimated; the
 * same for one-bit codes, whose four AND-popcounts cost about what a
 * float kernel does on a quarter of the bytes, and for pq codes, a table
 * look-up per 8 dimensions after the query's table) over a walk of
 * max(ef_search, hnsw.rerank_candidates), and then re-ranks that many rows:
 * a heap fetch and a full distance each.
 */
#define FILTER_WALK_SHARE 0.5

/*
 * A tenant walk meets a first member after about 1/selectivity nodes (a
 * geometric count, when members are spread like the rest): if four times
 * that is more than hnsw.max_scan_tuples, the walk may stop first (in
 * about 1 of 50 queries at exactly four times).
 */
#define TENANT_FIRST_MARGIN 4.0

/*
 * Selectivity of the table's conditions that are not the path's index
 * conditions, nor its radius condition (which ends the walk, not prolongs
 * it).
 */
static Selectivity
executor_selectivity(PlannerInfo *root, IndexPath *path, RestrictInfo *radius)
{
	List	   *quals = NIL;
	ListCell   *lc;

	foreach(lc, path->indexinfo->rel->baserestrictinfo)
	{
		RestrictInfo *rinfo = lfirst_node(RestrictInfo, lc);
		ListCell   *ic;
		bool		indexed = rinfo == radius;

		foreach(ic, path->indexclauses)
			indexed |= ((IndexClause *) lfirst(ic))->rinfo == rinfo;
		if (!indexed)
			quals = lappend(quals, rinfo);
	}
	return clauselist_selectivity(root, quals, path->indexinfo->rel->relid, JOIN_INNER, NULL);
}

/*
 * Selectivity of the path's equality condition on the index's tenant key
 * (src/README, "HNSW: tenants"), or 0 when it has none: such a walk, once
 * inside the tenant, measures members only.  *directory: whether the index
 * keeps a tenant directory.
 */
static Selectivity
tenant_selectivity(PlannerInfo *root, IndexPath *path, Relation index, bool *directory)
{
	HnswIndexInfo *hinfo = HnswGetIndexInfo(index);
	int			tenant = hinfo->tenant;
	ListCell   *lc;

	*directory = hinfo->tenant_dir;
	pfree(hinfo);
	if (tenant < 0)
		return 0;
	foreach(lc, path->indexclauses)
	{
		IndexClause *ic = lfirst(lc);
		Expr	   *clause = ic->rinfo->clause;

		if (ic->indexcol == tenant + 1 && IsA(clause, OpExpr) &&
			get_op_opfamily_strategy(((OpExpr *) clause)->opno,
									 path->indexinfo->opfamily[ic->indexcol]) == HNSW_FILTER_EQ)
			return clauselist_selectivity(root, list_make1(ic->rinfo),
										  path->indexinfo->rel->relid, JOIN_INNER, NULL);
	}
	return 0;
}

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
	double		work = 0;
	double		rerank = 0;
	int			ef = hnsw_ef_search;	/* candidates the walk keeps */
	Form_pg_attribute att;
	const VecdbElemType *type;
	Relation	index;
	Selectivity tenant_sel;
	bool		tenant_directory;
	Selectivity selectivity;
	double		within;			/* share of rows within a radius, or -1 */
	RestrictInfo *radius;

	if (path->indexorderbys == NIL)
	{
#if PG_VERSION_NUM >= 180000
		/*
		 * 18 ranks paths by disabled nodes before cost: a SET enable_seqscan
		 * = off would otherwise make this infinite-cost path win.
		 */
		path->path.disabled_nodes += 2;
#endif
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
	att = TupleDescAttr(RelationGetDescr(index), 0);
	type = type_of(att->atttypid);
	if (type != NULL)
	{
		/* an expression (indexkeys 0) has no statistics: its typmod */
		Oid			relid = planner_rt_fetch(info->rel->relid, root)->relid;

		work = size_of(type, column_elements(type, relid, info->indexkeys[0],
											 att->atttypmod)).work;
	}
	if (HnswGetQuantization(index) != HNSW_QUANT_NONE)
	{
		/*
		 * Codes: a quarter of a float's work (an estimate); then the walk's
		 * candidates fetched and measured in full.
		 */
		ef = Max(hnsw_ef_search, hnsw_rerank_candidates);
		rerank = ef * (cpu_tuple_cost + HnswDistanceCost(work));
		work /= 4;
	}
	tenant_sel = tenant_selectivity(root, path, index, &tenant_directory);
	within = HnswRadiusPlanShare(root, path, index, &radius);
	index_close(index, NoLock);

	ntuples = Max(info->tuples, 1);
	pages = Max(info->pages, 1);
	visited = (double) ef * m + m * log(ntuples) / log(Max(m, 2));
	/*
	 * With conditions on the table, the walk measures about half of
	 * 1/selectivity times more nodes to find as many rows that pass them
	 * (0.5: measured at 1% on 100,000 clustered 768-d rows,
	 * bench/filtered.py), never fewer.  Conditions the executor applies
	 * count too: a scan that leaves them to the executor finds that many
	 * rows only by walking as far (an iterative scan), or returns fewer.
	 */
	selectivity = costs.indexSelectivity * executor_selectivity(root, path, radius);
	/*
	 * A tenant walk: about 1/selectivity nodes to meet the first member
	 * (none when the index has a tenant directory: the walk starts
	 * inside), then a walk among members, as long as the other conditions
	 * make it.  A walk that may reach hnsw.max_scan_tuples before it meets
	 * a member returns nothing: costed as the whole index, so an exact plan
	 * wins.
	 */
	if (tenant_sel > 0)
	{
		double		first = tenant_directory ? 0 : 1.0 / Max(tenant_sel, 1.0 / ntuples);

		visited += first * TENANT_FIRST_MARGIN > hnsw_max_scan_tuples ? ntuples : first;
		selectivity = Min(selectivity / tenant_sel, 1.0);
	}
	visited = Max(visited, visited * FILTER_WALK_SHARE / Max(selectivity, 1.0 / ntuples));
	visited = Min(visited, ntuples);
	uncached = pages / (pages + Max(effective_cache_size, 1));
	per_node = cpu_index_tuple_cost + HnswDistanceCost(work) + cpu_operator_cost * NODE_VISIT +
		random_page_cost * uncached;

	*indexStartupCost = 2 * random_page_cost + visited * per_node + rerank;
	*indexTotalCost = Max(costs.indexTotalCost, *indexStartupCost);
	*indexSelectivity = costs.indexSelectivity;
	if (within >= 0)
	{
		/*
		 * A radius walk measures about m more nodes for each row within
		 * (its neighbours), re-ranks those rows too, returns them and ends.
		 */
		within *= ntuples;
		visited = Min(visited + within * m, ntuples);
		*indexStartupCost = 2 * random_page_cost + visited * per_node +
			(rerank > 0 ? rerank + within * (cpu_tuple_cost + HnswDistanceCost(work * 4)) : 0);
		*indexTotalCost = *indexStartupCost;
		*indexSelectivity *= Min((within + ef) / ntuples, 1.0);
	}
	*indexCorrelation = 0;
	*indexPages = Min(visited, pages);
}
