/*-------------------------------------------------------------------------
 *
 * hnswutils.c
 *	  HNSW helpers: metric from the operator class, the per-index info
 *	  cache, levels, and turning an indexed value into a query vector.
 *
 * Copyright (c) 2026, vecdb developers
 *
 * src/hnsw/hnswutils.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "compat.h"
#include "kernel/distance.h"
#include "hnsw.h"
#include "type/int8code.h"
#include "type/vector.h"

/* the C functions our operator classes name as support procedures */
extern Datum vector_l2_squared_distance(PG_FUNCTION_ARGS);
extern Datum vector_negative_inner_product(PG_FUNCTION_ARGS);
extern Datum l1_distance(PG_FUNCTION_ARGS);
extern Datum vector_norm(PG_FUNCTION_ARGS);
extern Datum halfvec_l2_squared_distance(PG_FUNCTION_ARGS);
extern Datum halfvec_negative_inner_product(PG_FUNCTION_ARGS);
extern Datum halfvec_l1_distance(PG_FUNCTION_ARGS);
extern Datum halfvec_l2_norm(PG_FUNCTION_ARGS);
extern Datum hamming_distance(PG_FUNCTION_ARGS);
extern Datum jaccard_distance(PG_FUNCTION_ARGS);
extern Datum sparsevec_l2_squared_distance(PG_FUNCTION_ARGS);
extern Datum sparsevec_negative_inner_product(PG_FUNCTION_ARGS);
extern Datum sparsevec_l1_distance(PG_FUNCTION_ARGS);
extern Datum sparsevec_l2_norm(PG_FUNCTION_ARGS);

/*
 * An operator class's support procedures (the C functions behind them) and
 * what the index does for it: the element type of the values and the
 * metric.  norm is the normalization procedure, NULL when there is none.
 */
typedef struct HnswOpclassProcs
{
	PGFunction	dist;
	PGFunction	norm;
	VecdbElemKind kind;
	VecdbMetric metric;
} HnswOpclassProcs;

static const HnswOpclassProcs opclass_procs[] = {
	{vector_l2_squared_distance, NULL, VECDB_ELEM_FLOAT, VECDB_METRIC_L2},
	{vector_negative_inner_product, NULL, VECDB_ELEM_FLOAT, VECDB_METRIC_IP},
	{vector_negative_inner_product, vector_norm, VECDB_ELEM_FLOAT, VECDB_METRIC_COSINE},
	{l1_distance, NULL, VECDB_ELEM_FLOAT, VECDB_METRIC_L1},
	{halfvec_l2_squared_distance, NULL, VECDB_ELEM_HALF, VECDB_METRIC_L2},
	{halfvec_negative_inner_product, NULL, VECDB_ELEM_HALF, VECDB_METRIC_IP},
	{halfvec_negative_inner_product, halfvec_l2_norm, VECDB_ELEM_HALF, VECDB_METRIC_COSINE},
	{halfvec_l1_distance, NULL, VECDB_ELEM_HALF, VECDB_METRIC_L1},
	{hamming_distance, NULL, VECDB_ELEM_BIT, VECDB_METRIC_HAMMING},
	{jaccard_distance, NULL, VECDB_ELEM_BIT, VECDB_METRIC_JACCARD},
	{sparsevec_l2_squared_distance, NULL, VECDB_ELEM_SPARSE, VECDB_METRIC_L2},
	{sparsevec_negative_inner_product, NULL, VECDB_ELEM_SPARSE, VECDB_METRIC_IP},
	{sparsevec_negative_inner_product, sparsevec_l2_norm, VECDB_ELEM_SPARSE, VECDB_METRIC_COSINE},
	{sparsevec_l1_distance, NULL, VECDB_ELEM_SPARSE, VECDB_METRIC_L1},
};

/*
 * The metric and element type of an index, from the C functions behind
 * its support procedures.  The index computes distances with the kernels
 * directly, so an operator class naming any other function is refused.
 */
VecdbMetric
HnswMetricFromIndex(Relation index, const VecdbElemType **type)
{
	FmgrInfo   *dist;
	PGFunction	norm = NULL;

	if (!OidIsValid(index_getprocid(index, 1, HNSW_DISTANCE_PROC)))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("first column of hnsw index \"%s\" must be a vector with a distance operator class",
						RelationGetRelationName(index)),
				 errhint("Index the vector first, for example (embedding vector_l2_ops, category_id).")));
	dist = index_getprocinfo(index, 1, HNSW_DISTANCE_PROC);
	if (OidIsValid(index_getprocid(index, 1, HNSW_NORM_PROC)))
		norm = index_getprocinfo(index, 1, HNSW_NORM_PROC)->fn_addr;
	for (int i = 0; i < lengthof(opclass_procs); i++)
		if (opclass_procs[i].dist == dist->fn_addr && opclass_procs[i].norm == norm)
		{
			*type = VecdbElemTypeGet(opclass_procs[i].kind);
			return opclass_procs[i].metric;
		}
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("operator class of index \"%s\" uses an unsupported distance function",
					RelationGetRelationName(index))));
	return VECDB_METRIC_L2;		/* keep compiler quiet */
}

/*
 * Checks the indexed column: a dimension count within the element type's
 * limit.  Returns the dimensions.
 */
void
HnswCheckColumn(Relation index, const VecdbElemType *type, int *dims)
{
	Form_pg_attribute att = TupleDescAttr(RelationGetDescr(index), 0);

	/* bit varying reaches bit's operator classes as binary-coercible */
	if (type->kind == VECDB_ELEM_BIT && att->atttypid != BITOID)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("type not supported for hnsw index")));
	if (att->atttypmod < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("column does not have dimensions"),
				 errhint("Declare the column with its dimensions, as in %s(768), or index an expression that casts it: USING hnsw ((embedding::%s(768)) ...).",
						 format_type_be(att->atttypid), format_type_be(att->atttypid))));
	if (att->atttypmod > type->max_dims)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("column cannot have more than %d dimensions for hnsw index",
						type->max_dims)));
	*dims = att->atttypmod;
}

/*
 * Highest level whose node tuple still fits one page with a vector of
 * vecbytes, the largest of the index (a smaller vector is inline or has
 * no more chunks), capped at HNSW_MAX_LEVEL.
 */
int
HnswMaxLevelFor(int m, Size payload_bytes, int tenant_cap, Size vecbytes)
{
	for (int level = HNSW_MAX_LEVEL; level > 0; level--)
	{
		HnswNodeLayout l;

		HnswNodeLayoutFor(&l, level, m, payload_bytes, tenant_cap);
		if (HnswNodeSize(&l, vecbytes) <= HNSW_MAX_TUPLE_SIZE)
			return level;
	}
	return 0;
}

/* Draws a node level: floor(-ln(U) / ln(m)), capped. */
int
HnswRandomLevel(int m, int max_level)
{
	double		u = VecdbRandomDouble();
	int			level;

	/* u is in [0, 1): use 1 - u in (0, 1] */
	level = (int) floor(-log(1.0 - u) / log((double) m));
	return Min(level, max_level);
}

/*
 * Fills *info from the index parameters, including the node layouts; the
 * filter columns from the index's catalog entry.
 */
void
HnswFillIndexInfo(HnswIndexInfo *info, Relation index, const VecdbElemType *source,
				  VecdbElemKind stored, int dims, int m, int ef_construction,
				  VecdbMetric metric, int tenant)
{
	const VecdbElemType *type = VecdbElemTypeGet(stored);

	HnswFilterSpecInit(&info->filter, index);
	info->source = source;
	info->type = type;
	info->dims = dims;
	info->params = NULL;
	info->nparams = type->params_size ? type->params_size(metric, dims) : 0;
	info->vecbytes = type->stored_size(dims);
	info->minbytes = type->value_size ? type->stored_size(0) : info->vecbytes;
	Assert(info->vecbytes <= HNSW_MAX_VECBYTES);
	info->m = m;
	info->ef_construction = ef_construction;
	info->metric = metric;
	info->tenant = tenant;
	info->tenant_dir = tenant >= 0;
	info->tenant_counts = tenant >= 0;
	info->max_level = HnswMaxLevelFor(m, info->filter.payload_bytes, HnswTenantCap(info),
									  info->vecbytes);
	info->hints = NULL;
	info->building = false;
	for (int level = 0; level <= HNSW_MAX_LEVEL; level++)
		HnswNodeLayoutFor(&info->layouts[level], level, m, info->filter.payload_bytes,
						  HnswTenantCap(info));
}

/*
 * The facts of the index with metapage meta, in rd_indexcxt; its codes'
 * parameters are kept apart (HnswParamsCached).
 */
static HnswIndexInfo *
cache_info(Relation index, const HnswMetaPageData *meta, const VecdbElemType *type,
		   VecdbMetric metric)
{
	HnswIndexInfo *info = MemoryContextAlloc(index->rd_indexcxt, sizeof(HnswIndexInfo));

	HnswFillIndexInfo(info, index, type, meta->elemtype, meta->dims, meta->m,
					  meta->ef_construction, metric, (int) meta->tenant - 1);
	info->tenant_dir = info->tenant >= 0 && meta->version >= 10;
	info->tenant_counts = info->tenant >= 0 && meta->version >= 11;
	info->params = meta->centred ? HnswParamsCached(index, info) : NULL;
	return info;
}

/*
 * Facts about the index: a copy, in the caller's memory context, of what
 * rd_amcache caches (the metapage is read once per relcache entry).  A copy,
 * because a relcache invalidation frees rd_amcache at any lock acquisition,
 * and scans and vacuum hold on to the facts across such points.  The codes'
 * parameters are not copied: valid while the caller keeps the index open.
 */
HnswIndexInfo *
HnswGetIndexInfo(Relation index)
{
	HnswIndexInfo *info;

	if (index->rd_amcache == NULL)
	{
		HnswMetaPageData meta;
		const VecdbElemType *type;
		VecdbMetric metric = HnswMetricFromIndex(index, &type);
		int			dims;

		HnswReadMeta(index, &meta);
		HnswCheckColumn(index, type, &dims);
		if (meta.dims != (uint32) dims || meta.m < HNSW_MIN_M || meta.m > HNSW_MAX_M ||
			meta.nfilters != RelationGetNumberOfAttributes(index) - 1 ||
			meta.tenant > meta.nfilters ||
			meta.ef_construction < HNSW_MIN_EF_CONSTRUCTION ||
			meta.ef_construction > HNSW_MAX_EF_CONSTRUCTION)
			ereport(ERROR,
					(errcode(ERRCODE_INDEX_CORRUPTED),
					 errmsg("index \"%s\" has an inconsistent metapage",
							RelationGetRelationName(index))));
		if ((meta.elemtype != (uint8) type->kind &&
			 (VecdbElemTypeGet(meta.elemtype) == NULL ||
			  !VecdbElemTypeIsCode(VecdbElemTypeGet(meta.elemtype)) ||
			  type->to_float == NULL)) ||
			meta.metric != (uint8) metric)
			ereport(ERROR,
					(errcode(ERRCODE_INDEX_CORRUPTED),
					 errmsg("index \"%s\" was built for another distance metric",
							RelationGetRelationName(index))));
		info = cache_info(index, &meta, type, metric);
		if (info->max_level != meta.max_level)
			ereport(ERROR,
					(errcode(ERRCODE_INDEX_CORRUPTED),
					 errmsg("index \"%s\" has an inconsistent metapage",
							RelationGetRelationName(index))));
		index->rd_amcache = info;
	}
	/* the parameters stay where HnswParamsCached keeps them */
	info = memcpy(palloc(sizeof(HnswIndexInfo)), index->rd_amcache, sizeof(HnswIndexInfo));
	info->hints = HnswGetBufferHints(index);
	return info;
}

/*
 * Distance between two stored vectors of the index, smaller is closer: L2
 * is squared, IP and cosine are negative inner products.
 */
float
HnswVecDistance(const HnswIndexInfo *info, const void *a, const void *b)
{
	return info->type->distance(info->metric, a, b, info->dims, info->params);
}

/* Bytes of stored vector x of the index. */
Size
HnswVecBytes(const HnswIndexInfo *info, const void *x)
{
	return VecdbElemTypeValueSize(info->type, x, info->dims);
}

/* Whether stored vectors a and b are the same value, byte for byte. */
bool
HnswVecEqual(const HnswIndexInfo *info, const void *a, const void *b)
{
	Size		n = HnswVecBytes(info, a);

	return n == HnswVecBytes(info, b) && memcmp(a, b, n) == 0;
}

/* Whether the index stores codes of its column's values. */
bool
HnswQuantized(const HnswIndexInfo *info)
{
	return info->type != info->source;
}

/*
 * Whether a node holds its row's value of the indexed column bit for bit,
 * so that an index-only scan can return it: not codes (quantized), not
 * cosine's unit vectors.
 */
bool
HnswReturnsVector(const HnswIndexInfo *info)
{
	return !HnswQuantized(info) && info->metric != VECDB_METRIC_COSINE &&
		info->source->datum != NULL;
}

/*
 * The elements of detoasted datum v of the column's type, in place; raises
 * an error if it has other dimensions than the index.
 */
const void *
HnswSourceElements(HnswIndexInfo *info, Pointer v)
{
	int			dims;
	const void *x = info->source->elements(v, &dims);

	if (dims != info->dims)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("expected %d dimensions, not %d", info->dims, dims)));
	return x;
}

/*
 * The elements of datum value in the column type's stored form (normalized
 * for cosine), in memory palloc'd in the current context, with their size
 * in *bytes if bytes is not NULL (at most info->vecbytes when to_store, for
 * an index of the column's own values).  Returns NULL when the value cannot
 * be indexed (a zero vector under cosine), like pgvector.  Raises an error
 * on a dimension mismatch, and, when the value is to be stored (build,
 * insert), on more non-zero elements than the index stores (a query may
 * have more).
 */
char *
HnswFormSource(HnswIndexInfo *info, Datum value, bool to_store, Size *bytes)
{
	const VecdbElemType *t = info->source;
	Pointer		v = (Pointer) PG_DETOAST_DATUM(value);
	const void *x = HnswSourceElements(info, v);
	Size		n = VecdbElemTypeValueSize(t, x, info->dims);
	char	   *out;

	if (to_store && t->index_max_nnz > 0 && n > info->vecbytes)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s cannot have more than %d non-zero elements for hnsw index",
						t->name, t->index_max_nnz)));
	out = palloc(n);
	memcpy(out, x, n);
	if (v != DatumGetPointer(value))
		pfree(v);
	if (info->metric == VECDB_METRIC_COSINE && !t->normalize(out, info->dims))
	{
		pfree(out);
		return NULL;
	}
	if (bytes)
		*bytes = VecdbElemTypeValueSize(t, out, info->dims);
	return out;
}

/*
 * Value x in HnswFormSource's form coded, palloc'd: as the index stores it,
 * or as a query to measure stored codes from (VecdbElemType.encode).
 */
static char *
encode(HnswIndexInfo *info, const char *x, bool query)
{
	const VecdbElemType *t = info->type;
	char	   *code = palloc(query ? t->query_size(info->dims) : info->vecbytes);

	t->encode(info->source, x, info->dims, info->metric, info->params, query, code);
	return code;
}

/*
 * Query x in HnswFormSource's form as scans measure the index's vectors
 * with: x itself, or its query form in a quantized index.
 */
char *
HnswEncodeSource(HnswIndexInfo *info, char *x)
{
	if (!HnswQuantized(info))
		return x;
	return encode(info, x, true);
}

/*
 * Datum value as the index stores it: HnswFormSource's form, or its code
 * in a quantized index.  NULL and errors as HnswFormSource.
 */
char *
HnswFormValue(HnswIndexInfo *info, Datum value, bool to_store, Size *bytes)
{
	char	   *x = HnswFormSource(info, value, to_store, bytes);
	char	   *code;

	if (x == NULL || !HnswQuantized(info))
		return x;
	code = encode(info, x, false);
	pfree(x);
	if (bytes)
		*bytes = info->vecbytes;
	return code;
}

static int
cmp_candidate(const void *a, const void *b)
{
	float		x = ((const HnswCandidate *) a)->dist;
	float		y = ((const HnswCandidate *) b)->dist;

	return (x > y) - (x < y);
}

/* Sorts candidates by ascending distance. */
void
HnswSortCandidates(HnswCandidate *cands, int n)
{
	qsort(cands, n, sizeof(HnswCandidate), cmp_candidate);
}

/*
 * Whether a selected link at distance dlink from a candidate covers it, the
 * candidate being at distance dbase from the list's owner: the heuristic's
 * test, with slack.  The plain test (dlink < dbase) prunes every candidate
 * that lies nearer some selected link than the owner; with slack a link
 * covers only if HNSW_PRUNE_SLACK times its distance, measured from the
 * metric's zero (see cover_zero), is still below the owner's, so that a
 * candidate about as near the link as the owner stays selected: selected
 * links are the ones back-links drop last (src/README, "HNSW: build").
 * The slack only ever keeps a candidate the plain test would prune: under
 * inner product dlink + zero may be negative, where scaling it up would
 * make covering easier.  zero is NaN where the metric has none: the plain
 * test.
 */
static inline bool
covers(bool slack, float dlink, float dbase, float zero)
{
	if (!slack || isnan(zero))
		return dlink < dbase;
	return dlink < dbase && HNSW_PRUNE_SLACK * (dlink + zero) < dbase + zero;
}

/*
 * What covers adds to candidate c's distances so that they count from
 * c's distance to itself: -d(c, c).  L2: 0.  Cosine (the negative inner
 * product of unit vectors): 1, so that the test reads on 1 - cos.  Inner
 * product: c's squared norm (pair(arg, i, i)), so that the test reads on
 * <c, c - x>: the cosine rule for unit vectors, and on any scale.
 * The linear metrics (L1, Hamming, Jaccard) were not measured: NaN.
 */
static inline float
cover_zero(VecdbMetric metric, bool slack, HnswPairDistance pair, void *arg, int i)
{
	if (!slack)
		return 0;
	switch (metric)
	{
		case VECDB_METRIC_L2:
			return 0;
		case VECDB_METRIC_COSINE:
			return 1.0f;
		case VECDB_METRIC_IP:
			return pair != NULL ? -pair(arg, i, i) : NAN;
		default:
			return NAN;
	}
}

/*
 * Neighbour selection heuristic (HNSW paper, Algorithm 4, keeping pruned
 * connections): walking the candidates from the closest, select one unless
 * an already selected candidate covers it (see covers); then fill the
 * remaining slots with the pruned candidates, closest first.  cands must
 * be sorted by distance to the base.  Writes up to cap indexes to out[] in
 * list order (selected, then pruned) and the number selected to
 * *nselected; returns how many were written.
 */
int
HnswSelectNeighbors(VecdbMetric metric, const HnswCandidate *cands, int ncands, int cap,
					HnswPairDistance pair, void *arg, int *out, int *nselected)
{
	int			n = 0;
	int			npruned = 0;
	int		   *pruned = palloc(sizeof(int) * Max(ncands, 1));

	for (int i = 0; i < ncands; i++)
	{
		bool		keep = n < cap;
		float		zero = keep && n > 0 ? cover_zero(metric, true, pair, arg, i) : 0;

		for (int j = 0; j < n && keep; j++)
			if (covers(true, pair(arg, i, out[j]), cands[i].dist, zero))
				keep = false;
		if (keep)
			out[n++] = i;
		else
			pruned[npruned++] = i;
	}
	*nselected = n;
	for (int i = 0; i < npruned && n < cap; i++)
		out[n++] = pruned[i];
	pfree(pruned);
	return n;
}

/*
 * HnswBacklinkUpdate's second pass after a demotion: sel[] (ns, X among them
 * as -1) and prn[] (np) are in distance order; re-run the heuristic's test
 * on the pruned links that a demoted link may have covered, promoting those
 * no selected link closer than them covers any more.  A list kept in HNSW
 * order has every pruned link covered by a closer selected one, so a pruned
 * link closer than the nearest demoted one (dmin) keeps its cover and is not
 * measured: the result is that of testing every pruned link.  X, which
 * demoted its neighbours and is likely near what they covered, is tested
 * first (its distances are usually known to the caller).
 */
static void
retest_pruned(VecdbMetric metric, bool slack, const float *dists, float dnew, float dmin,
			  HnswPairDistance pairdist, void *arg, int *sel, int *ns, int *prn, int *np)
{
	int			all[2 * HNSW_MAX_M + 1];
	bool		was_sel[2 * HNSW_MAX_M + 1];
	int			na = 0,
				i = 0,
				j = 0;
	bool		x_sel = false;

#define DIST_OF(i) ((i) < 0 ? dnew : dists[i])
	while (i < *ns || j < *np)
	{
		was_sel[na] = j >= *np || (i < *ns && DIST_OF(sel[i]) <= DIST_OF(prn[j]));
		all[na] = was_sel[na] ? sel[i++] : prn[j++];
		na++;
	}
	*ns = *np = 0;
	for (int a = 0; a < na; a++)
	{
		bool		keep = was_sel[a];
		float		da = DIST_OF(all[a]);

		if (!keep && da >= dmin)
		{
			float		zero = cover_zero(metric, slack, pairdist, arg, all[a]);

			keep = !(x_sel && covers(slack, pairdist(arg, all[a], -1), da, zero));
			for (int b = 0; b < *ns && keep; b++)
				if (sel[b] >= 0 && covers(slack, pairdist(arg, all[a], sel[b]), da, zero))
					keep = false;
		}
		if (keep)
		{
			x_sel |= all[a] < 0;
			sel[(*ns)++] = all[a];
		}
		else
			prn[(*np)++] = all[a];
	}
#undef DIST_OF
}

/*
 * Adds a back-link to a new node X (at distance dnew from the list's owner
 * N) to a list kept in HNSW order: nsel selected links, then pruned links,
 * each by ascending distance (see HnswSelectNeighbors).  Incremental form
 * of re-running the heuristic on the list plus X, "covers" as there:
 *	 - X is selected unless a closer selected link k covers it (by d(X, k)
 *	   against dnew);
 *	 - a selected X demotes the farther selected links it covers (by
 *	   d(k, X) against d(k, N)) to pruned;
 *	 - a list over cap then loses its farthest unpinned pruned link (or,
 *	   with none, its farthest unpinned selected one).  pinned (NULL: none)
 *	   flags the old links that must stay; xpin, whether X must.
 * Only d(X, k) for selected links is needed, which the insert has usually
 * measured already.  slack false: the paper's plain test instead of covers'
 * (fewer links stay selected, so fewer d(X, k) are measured: see src/README,
 * "Selection slack").  Writes the new list order to order[] (index of an old
 * link, or -1 for X) and its selected count to *new_nsel; returns the new
 * count, or -1 when the list stays as it is (X would be dropped, or every
 * link is pinned).
 */
int
HnswBacklinkUpdate(VecdbMetric metric, bool slack, int count, int nsel, int cap,
				   const float *dists, const bool *pinned,
				   float dnew, bool xpin, HnswLinkDistance linkdist,
				   HnswPairDistance pairdist, void *arg, int *order, int *new_nsel)
{
	int			sel[2 * HNSW_MAX_M + 1];
	int			prn[2 * HNSW_MAX_M + 1];
	int			ns = 0,
				np = 0,
				n = 0;
	bool		x_selected = true;
	bool		any_demoted = false;
	float		dmin_demoted = 0;
	float		xzero = NAN;	/* X's zero for covers, once needed */
	bool		demote[2 * HNSW_MAX_M];
	float		dx[2 * HNSW_MAX_M];

	Assert(count <= cap && nsel <= count && cap <= 2 * HNSW_MAX_M);

	/*
	 * Only links closer than X can cover it: measure those until one does
	 * (then nothing is demoted and no other d(X, k) is needed); the others
	 * only for a selected X.
	 */
	for (int k = 0; k < nsel && x_selected; k++)
		if (dists[k] < dnew)
		{
			dx[k] = linkdist(arg, k);
			if (isnan(xzero))
				xzero = cover_zero(metric, slack, pairdist, arg, -1);
			x_selected = !covers(slack, dx[k], dnew, xzero);
		}
	for (int k = 0; k < nsel; k++)
	{
		if (x_selected && dists[k] >= dnew)
			dx[k] = linkdist(arg, k);
		demote[k] = x_selected && dists[k] > dnew &&
			covers(slack, dx[k], dists[k], cover_zero(metric, slack, pairdist, arg, k));
		if (demote[k] && !any_demoted)
			dmin_demoted = dists[k];
		any_demoted |= demote[k];
	}

	/* merge selected (kept) with X, and pruned (old + demoted) with X */
	for (int k = 0; k < nsel; k++)
		if (!demote[k])
			sel[ns++] = k;
	for (int k = nsel; k < count; k++)
		prn[np++] = k;
	for (int k = 0; k < nsel; k++)
		if (demote[k])
			prn[np++] = k;

#define DIST_OF(i) ((i) < 0 ? dnew : dists[i])
#define PIN_OF(i) ((i) < 0 ? xpin : (pinned != NULL && pinned[i]))
	/* insertion by distance: lists are short */
	{
		int		   *list = x_selected ? sel : prn;
		int		   *len = x_selected ? &ns : &np;
		int			pos = *len;

		while (pos > 0 && DIST_OF(list[pos - 1]) > dnew)
		{
			list[pos] = list[pos - 1];
			pos--;
		}
		list[pos] = -1;
		(*len)++;
	}
	/* demoted links were appended to pruned: restore distance order */
	for (int i = 1; i < np; i++)
	{
		int			v = prn[i];
		int			j = i;

		while (j > 0 && DIST_OF(prn[j - 1]) > DIST_OF(v))
		{
			prn[j] = prn[j - 1];
			j--;
		}
		prn[j] = v;
	}

	/*
	 * A demoted link no longer covers the pruned links it did: with pair
	 * distances at hand (the in-memory build), give those that may have
	 * lost their cover the heuristic's test again.
	 */
	if (any_demoted && pairdist != NULL)
		retest_pruned(metric, slack, dists, dnew, dmin_demoted, pairdist, arg, sel, &ns, prn,
					  &np);

	/* over capacity: drop the farthest unpinned link, pruned ones first */
	while (ns + np > cap)
	{
		int		   *list = prn;
		int		   *len = &np;
		int			k = np - 1;

		while (k >= 0 && PIN_OF(prn[k]))
			k--;
		if (k < 0)
		{
			list = sel;
			len = &ns;
			for (k = ns - 1; k >= 0 && PIN_OF(sel[k]); k--)
				;
			if (k < 0)
				return -1;		/* every link pinned: no room */
		}
		memmove(list + k, list + k + 1, sizeof(int) * (*len - k - 1));
		(*len)--;
	}
#undef PIN_OF
#undef DIST_OF

	for (int i = 0; i < ns; i++)
		order[n++] = sel[i];
	*new_nsel = n;
	for (int i = 0; i < np; i++)
		order[n++] = prn[i];

	/* unchanged unless X made it into the list */
	for (int i = 0; i < n; i++)
		if (order[i] < 0)
			return n;
	return -1;
}

/*
 * Breadth-first walk of the spanning tree from entry: over the tree edges,
 * the pinned layer-0 links and the rescue links (src/README,
 * "Reachability"), which a layer-0 search can follow too.  mark(arg, tid)
 * is called for the entry and for every tree edge's target; it returns
 * true when the node is newly reached and its edges are to be followed.
 * Pages are read through strategy (may be NULL), each under a share lock
 * held only while its edges are copied.
 */
void
HnswWalkTree(Relation index, HnswIndexInfo *info, BufferAccessStrategy strategy,
			 ItemPointer entry, HnswWalkMark mark, void *arg)
{
	int64		head = 0,
				tail = 0,
				cap = 1024;
	ItemPointerData *queue;
	ItemPointerData links[HNSW_MAX_LINKS0];

	if (!mark(arg, entry))
		return;
	queue = palloc(sizeof(ItemPointerData) * cap);
	queue[tail++] = *entry;
	while (head < tail)
	{
		ItemPointerData t = queue[head++];
		Buffer		buf;
		HnswNode	node;
		int			n = 0;

		CHECK_FOR_INTERRUPTS();
		buf = ReadBufferExtended(index, MAIN_FORKNUM, ItemPointerGetBlockNumber(&t),
								 RBM_NORMAL, strategy);
		LockBuffer(buf, BUFFER_LOCK_SHARE);
		node = HnswGetNode(BufferGetPage(buf), ItemPointerGetOffsetNumber(&t), info);
		if (node != NULL)
		{
			const HnswNodeLayout *l = &info->layouts[node->level];
			int			c = Min(HnswListCount(node, l, 0), HnswLayerCap(info->m, 0));

			for (int i = 0; i < c; i++)
				if (HnswPinGet(HnswNodePins(node, l), i))
					links[n++] = HnswNodeTids(node, l, 0)[i];
			for (int i = 0; i < HNSW_RESCUE_LINKS; i++)
				if (ItemPointerIsValid(&HnswNodeRescue(node, l)[i]))
					links[n++] = HnswNodeRescue(node, l)[i];
		}
		UnlockReleaseBuffer(buf);
		for (int i = 0; i < n; i++)
		{
			if (!ItemPointerIsValid(&links[i]) || !mark(arg, &links[i]))
				continue;
			if (tail == cap)
			{
				cap *= 2;
				queue = repalloc_huge(queue, sizeof(ItemPointerData) * cap);
			}
			queue[tail++] = links[i];
		}
	}
	pfree(queue);
}
