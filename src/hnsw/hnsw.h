/*-------------------------------------------------------------------------
 *
 * hnsw.h
 *	  Private header of the vecdb HNSW index access method.
 *
 * The on-disk format is in hnsw_page.h; the design (invariants, locking,
 * WAL) is in src/README.  Prototypes are grouped by the file defining them.
 *
 * Copyright (c) 2026, vecdb developers
 *
 * src/hnsw/hnsw.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef VECDB_HNSW_H
#define VECDB_HNSW_H

#include "access/amapi.h"
#include "access/genam.h"
#include "access/generic_xlog.h"
#include "nodes/execnodes.h"
#include "storage/bufmgr.h"
#include "utils/relcache.h"

#include <math.h>

#include "hnsw_page.h"
#include "type/elemtype.h"
#include "hnsw/hnswfilter.h"

/* reloption bounds and defaults: pgvector's */
#define HNSW_DEFAULT_M				16
#define HNSW_MIN_M					2
#define HNSW_MAX_M					100
#define HNSW_DEFAULT_EF_CONSTRUCTION 64
#define HNSW_MIN_EF_CONSTRUCTION	4
#define HNSW_MAX_EF_CONSTRUCTION	1000
#define HNSW_DEFAULT_EF_SEARCH		40
#define HNSW_MIN_EF_SEARCH			1
#define HNSW_MAX_EF_SEARCH			1000
#define HNSW_MAX_RERANK_CANDIDATES	10000

/*
 * Tree edges a layer-0 list takes as they come (HNSW_PIN_IF_ROOM): a
 * quarter of it, so that no hub's list freezes into tree edges.
 */
#define HNSW_PIN_LIMIT(cap)		Max((cap) / 4, 1)

/* how HnswAddBacklink treats the new link */
typedef enum HnswPin
{
	HNSW_PIN_NO,				/* a plain link */
	HNSW_PIN_IF_ROOM,			/* pinned if the list is under HNSW_PIN_LIMIT */
	HNSW_PIN_ALWAYS				/* pinned (the list's farthest unpinned link
								 * gives way) */
} HnswPin;

/*
 * The tenant list of a node (src/README, "HNSW: tenants") is addressed as a
 * list of this pseudo-layer: HnswListRead, HnswListWrite, HnswAddBacklink
 * treat it as a layer-0 list of 2m links without pins.
 */
#define HNSW_TENANT_LIST			(HNSW_MAX_LEVEL + 1)
#define HNSW_TENANT_MAX_LINKS		(2 * HNSW_MAX_M)

/* layer-0 links of a node, rescue links included */
#define HNSW_MAX_LINKS0			(2 * HNSW_MAX_M + HNSW_RESCUE_LINKS)

/* support procedures, as in pgvector's operator classes */
#define HNSW_DISTANCE_PROC			1
#define HNSW_NORM_PROC				2
#define HNSW_TYPE_INFO_PROC			3

/* index-wide lock on a fake page number: inserts share, vacuum waits */
#define HNSW_INSERT_LOCK_PAGE		0

typedef enum HnswIterativeScan
{
	HNSW_ITERATIVE_SCAN_OFF,
	HNSW_ITERATIVE_SCAN_RELAXED,
	HNSW_ITERATIVE_SCAN_STRICT
} HnswIterativeScan;

/* build phases reported in pg_stat_progress_create_index */
#define HNSW_PHASE_LOAD				2
#define HNSW_PHASE_WRITE			3
#define HNSW_PHASE_INSERT_REST		4

/* values of the quantization reloption */
#define HNSW_QUANT_NONE				0
#define HNSW_QUANT_INT8				1
#define HNSW_QUANT_BINARY			2
#define HNSW_QUANT_PQ				3

typedef struct HnswOptions
{
	int32		vl_len_;		/* varlena header (do not touch directly!) */
	int			m;
	int			ef_construction;
	int			quantization;	/* HNSW_QUANT_* */
	int			tenant;			/* offset of the tenant column's name, or 0 */
} HnswOptions;

/*
 * Byte offsets inside a node tuple of a given level; see hnsw_page.h.  The
 * tuple's size and whether its vector is external depend on the node's
 * vecbytes too (HnswNodeSize, HnswVectorExternal).
 */
typedef struct HnswNodeLayout
{
	int			level;
	Size		payload_off;	/* filter values (hnswfilter.c) */
	Size		tenant_off;		/* tenant list (count, nsel), when the
								 * index has a tenant key */
	Size		counts_off;
	Size		pins_off;		/* layer 0 only */
	Size		rescue_off;
	/* per layer, and the tenant list at HNSW_TENANT_LIST */
	Size		tids_off[HNSW_TENANT_LIST + 1];
	Size		dists_off[HNSW_TENANT_LIST + 1];
	Size		vector_off;		/* the vector, or its chunk TIDs */
} HnswNodeLayout;

/*
 * Facts about one index that never change after build: from the catalogs
 * and the metapage.  Cached in rd_amcache (index's rd_indexcxt).
 */
typedef struct HnswIndexInfo
{
	const VecdbElemType *type;	/* the stored values' element type: the
								 * column's, or codes (quantized) */
	const VecdbElemType *source;	/* the column's element type */
	HnswFilterSpec filter;		/* the filter columns, if any */
	int			tenant;			/* the filter column that is the tenant key
								 * (0-based), -1: none */
	bool		tenant_dir;		/* keeps a tenant directory (a tenant key,
								 * format 10 on) */
	bool		tenant_counts;	/* ... whose entries count the tenant's
								 * nodes (format 11 on) */
	int			dims;
	/*
	 * The codes' parameters (VecdbElemType.params_size; hnswparams.c):
	 * nparams floats, NULL when the index has none (nparams 0, or none
	 * could be trained).  HnswGetIndexInfo's copies share them: they live
	 * as long as the index's relcache entry (HnswParamsCached).
	 */
	float	   *params;
	Size		nparams;
	Size		vecbytes;		/* most bytes a stored vector takes */
	Size		minbytes;		/* fewest (vecbytes for a fixed-size type) */
	int			m;
	int			ef_construction;
	int			max_level;
	VecdbMetric	metric;
	HnswNodeLayout layouts[HNSW_MAX_LEVEL + 1];	/* per node level */
	/* buffer hints of this backend for the index (NULL: none kept) */
	struct HnswBufferHints *hints;
	/*
	 * Inside CREATE INDEX: page edits are not WAL-logged one by one, because
	 * the build logs every page whole at its end (HnswEdit).
	 */
	bool		building;
} HnswIndexInfo;

/*
 * One atomic change to up to two locked pages: a Generic WAL record, or,
 * while building, an in-place edit of the buffers.  Callers change only the
 * pages HnswEditPage returns.
 */
typedef struct HnswEdit
{
	GenericXLogState *state;	/* NULL while building */
	Buffer		bufs[2];
	int			nbufs;
} HnswEdit;


/*
 * A copy of one link list of a node (tids, distances, pins), taken under a
 * buffer lock and written back under one (HnswListRead/HnswListWrite).
 */
typedef struct HnswList
{
	int			count;
	int			nsel;
	ItemPointerData tids[2 * HNSW_MAX_M];
	float		dists[2 * HNSW_MAX_M];
	bool		pinned[2 * HNSW_MAX_M];
} HnswList;

/* a search candidate: a node, the version we saw, its distance to q */
typedef struct HnswCandidate
{
	ItemPointerData tid;
	uint16		version;
	float		dist;
	bool		deleted;		/* node had no live heap TID when read, or
								 * fails the search's filter */
	bool		in_tenant;		/* a tenant walk's node of its tenant */
	uint8		ntenant;		/* of the copied links, the first ntenant
								 * are tenant links */
	int8		links_layer;	/* layer of the copied links, -1: none */
	uint8		nlinks;			/* copied links */
	bool		within;			/* a radius search: inside the radius (a
								 * code's lower bound, when quantized) */
	int32		links_off;		/* their offset in the search's arena */
} HnswCandidate;

/* binary heap of candidates, min or max by distance */
typedef struct HnswHeap
{
	HnswCandidate *items;
	int			n;
	int			cap;
	bool		max;			/* max-heap when true */
} HnswHeap;

struct visited_hash;

/* On-disk search state; lives in the caller's memory context. */
typedef struct HnswSearch
{
	Relation	index;
	HnswIndexInfo *info;
	const void *query;			/* in the index's stored form */
	struct HnswPeek *peek;		/* per batch entry: tuple seen by pin_batch */
	struct visited_hash *visited;
	int64		visited_count;	/* distinct nodes whose distance was taken */
	bool		keep_distances; /* visited entries remember distances */
	int64		max_visits;		/* stop a layer search at this visited_count
								 * (0: no limit) */
	const HnswFilter *filter;	/* a scan's conditions on filter columns: a
								 * node failing them is walked through like a
								 * deleted one, never returned */
	bool		tenant_walk;	/* the filter tests the tenant key for one
								 * value: follow tenant links (HNSW:
								 * tenants) */
	uint64		tenant_value;	/* that value's slot */
	bool		tenant_inside;	/* this layer search has reached the tenant */
	bool		skip_outsiders; /* ... and then need not measure non-members */
	bool		tenant_only;	/* a walk that started at the tenant's
								 * directory entry: tenant links only */
	bool		walk_all;		/* a complete tenant walk: every member
								 * measured keeps its links */
	bool		may_abandon;	/* a rejected node's distance is not needed */
	bool		matches_only;	/* measure only neighbours that pass the
								 * filter: the expanded node lies beyond a
								 * filtered walk's routing bound
								 * (HnswSearchLayer) */
	bool		abandonable;	/* the metric allows it: L2, or cosine with a
								 * unit query in a scan (HnswSearchInit) */
	ItemPointerData *links;		/* arena of link lists copied while measuring
								 * (in a backend-lifetime context: see
								 * links_reserve) */
	struct HnswLinksHolder *links_holder;	/* frees it with the search's
											 * memory context */
	int32		links_used;
	int32		links_cap;
	char	   *scratch;		/* external vectors are read here
								 * (HnswSearchScratch) */
	HnswHeap   *inside;			/* a radius search (HnswSearchLayer): the
								 * live nodes within radius, or NULL */
	float		radius;			/* the radius, as the index measures */
} HnswSearch;

/* a 64-bit mixer (splitmix64's finalizer) for hash tables keyed by TID */
static inline uint32
HnswHashTid(uint64 k)
{
	k ^= k >> 30;
	k *= UINT64CONST(0xbf58476d1ce4e5b9);
	k ^= k >> 27;
	k *= UINT64CONST(0x94d049bb133111eb);
	k ^= k >> 31;
	return (uint32) k;
}

/* {count, nsel} of the node's list on layer (or its tenant list) */
static inline uint8 *
HnswListHeader(HnswNode node, const HnswNodeLayout *l, int layer)
{
	return (uint8 *) node +
		(layer == HNSW_TENANT_LIST ? l->tenant_off : l->counts_off + 2 * layer);
}

/* per-layer link list header of a node: count and selected count */
#define HnswListCount(node, l, layer)	(HnswListHeader((node), (l), (layer))[0])
#define HnswListNsel(node, l, layer)	(HnswListHeader((node), (l), (layer))[1])

/* pin bit i of a layer's bitmap */
static inline bool
HnswPinGet(const uint8 *bits, int i)
{
	return (bits[i >> 3] >> (i & 7)) & 1;
}

static inline void
HnswPinSet(uint8 *bits, int i, bool on)
{
	if (on)
		bits[i >> 3] |= (uint8) (1 << (i & 7));
	else
		bits[i >> 3] &= (uint8) ~(1 << (i & 7));
}

/*
 * A distance as the index stores and compares it: float, and never NaN
 * (float32 SIMD sums of huge values can overflow to +-Inf and Inf - Inf is
 * NaN, which would break every comparison): NaN becomes +Infinity.
 */
static inline float
HnswSaneDistance(double d)
{
	return isnan(d) ? (float) INFINITY : (float) d;
}

/* chunk tuples of an external vector of vecbytes bytes */
static inline int
HnswChunkCount(Size vecbytes)
{
	return (int) ((vecbytes + HNSW_CHUNK_MAX_BYTES - 1) / HNSW_CHUNK_MAX_BYTES);
}

/* whether a node's vector is in chunk tuples */
static inline bool
HnswNodeIsExternal(HnswNode node)
{
	return (node->flags & HNSW_NODE_EXTERNAL) != 0;
}

/* bytes of chunk c of an external vector of vecbytes bytes */
static inline Size
HnswChunkBytes(Size vecbytes, int c)
{
	return Min((Size) HNSW_CHUNK_MAX_BYTES, vecbytes - (Size) c * HNSW_CHUNK_MAX_BYTES);
}

/* batch entries ahead of the one measured whose vectors are prefetched */
#define HNSW_PREFETCH_AHEAD 2

/*
 * Prefetches bytes [from, to) at p.  Always inlined: GCC deems a function
 * that only prefetches pure, and drops calls to it.
 */
static pg_attribute_always_inline void
HnswPrefetchBytes(const void *p, int from, int to)
{
	for (int o = from; o < to; o += 64)
		__builtin_prefetch((const char *) p + o);
}

/*
 * A filtered walk (not a tenant walk, radius search or iterative scan) that
 * holds ef_search matches routes through failing nodes only while they are
 * nearer than its HNSW_FILTER_ROUTE_PERCENT * ef_search / 100 nearest
 * matches, and may go on converging until it has measured
 * HNSW_FILTER_CONVERGE_FACTOR times hnsw.max_scan_tuples nodes (src/README,
 * "HNSW: filter columns").
 */
#define HNSW_FILTER_ROUTE_PERCENT	75
#define HNSW_FILTER_CONVERGE_FACTOR	2

/*
 * A scan's tenant walk measures its whole tenant when the tenant's node
 * count is at most this many times hnsw.ef_search (HnswTenantCompleteLimit).
 */
#define HNSW_TENANT_COMPLETE_PER_EF	32

/* links of a node's tenant list: 2m, as on layer 0; 0 without a tenant key */
static inline int
HnswTenantCap(const HnswIndexInfo *info)
{
	return info->tenant >= 0 ? 2 * info->m : 0;
}

/*
 * What hnsw index scans did, summed over scans: a scan's own (hnswscan.c),
 * an index's since the last reset (hnswscanstats.c).
 */
typedef struct HnswScanCounters
{
	int64		scans;			/* searches started (a rescan starts one) */
	int64		nodes;			/* distinct nodes whose distance was taken */
	int64		pages;			/* index buffers read, hits and misses alike */
	int64		rows;			/* heap TIDs returned */
	int64		rounds;			/* searches resumed (iterative scan) */
	int64		reranked;		/* rows fetched to re-rank (quantized) */
} HnswScanCounters;

static inline void
HnswAddCounters(HnswScanCounters *to, const HnswScanCounters *c)
{
	to->scans += c->scans;
	to->nodes += c->nodes;
	to->pages += c->pages;
	to->rows += c->rows;
	to->rounds += c->rounds;
	to->reranked += c->reranked;
}

/* GUCs (hnsw.c) */
extern int	hnsw_ef_search;
extern int	hnsw_rerank_candidates;
extern int	hnsw_iterative_scan;
extern int	hnsw_max_scan_tuples;
extern double hnsw_scan_mem_multiplier;
#ifdef USE_ASSERT_CHECKING
extern char *vecdb_debug_vacuum_crash;
#endif

/* hnsw.c */
extern void HnswInitGucs(void);
extern int	HnswGetM(Relation index);
extern int	HnswGetEfConstruction(Relation index);
extern int	HnswGetQuantization(Relation index);
extern const char *HnswGetTenantOption(Relation index);
extern VecdbElemKind HnswStoredKind(Relation index, const VecdbElemType *source);
extern int	HnswWalkEf(const HnswIndexInfo *info);

/* hnswparams.c */
extern void HnswParamsCompute(Relation heap, Relation index, struct IndexInfo *indexInfo,
							  HnswIndexInfo *info);
extern int	HnswParamsChunks(const HnswIndexInfo *info);
extern Size HnswParamsChunk(const HnswIndexInfo *info, int c, char *buf);
extern void HnswParamsWrite(Page page, const HnswIndexInfo *info,
							const ItemPointerData *chunks);
extern float *HnswParamsRead(Relation index, const HnswIndexInfo *info);
extern float *HnswParamsCached(Relation index, const HnswIndexInfo *info);

/* hnswcost.c */
extern double HnswDistanceCost(double work);
extern void hnswcostestimate(struct PlannerInfo *root, struct IndexPath *path,
							 double loop_count, Cost *indexStartupCost,
							 Cost *indexTotalCost, Selectivity *indexSelectivity,
							 double *indexCorrelation, double *indexPages);

/* hnswutils.c */
extern VecdbMetric HnswMetricFromIndex(Relation index, const VecdbElemType **type);
extern HnswIndexInfo *HnswGetIndexInfo(Relation index);
extern void HnswFillIndexInfo(HnswIndexInfo *info, Relation index, const VecdbElemType *source,
							  VecdbElemKind stored, int dims, int m, int ef_construction,
							  VecdbMetric metric, int tenant);
extern int	HnswMaxLevelFor(int m, Size payload_bytes, int tenant_cap, Size vecbytes);
extern int	HnswRandomLevel(int m, int max_level);
extern char *HnswFormValue(HnswIndexInfo *info, Datum value, bool to_store, Size *bytes);
extern const void *HnswSourceElements(HnswIndexInfo *info, Pointer v);
extern char *HnswEncodeSource(HnswIndexInfo *info, char *x);
extern char *HnswFormSource(HnswIndexInfo *info, Datum value, bool to_store, Size *bytes);
extern bool HnswQuantized(const HnswIndexInfo *info);
extern bool HnswReturnsVector(const HnswIndexInfo *info);
extern float HnswVecDistance(const HnswIndexInfo *info, const void *a, const void *b);
extern Size HnswVecBytes(const HnswIndexInfo *info, const void *x);
extern bool HnswVecEqual(const HnswIndexInfo *info, const void *a, const void *b);
extern void HnswCheckColumn(Relation index, const VecdbElemType *type, int *dims);

/*
 * The heuristic's slack under L2, cosine and inner product (hnswutils.c,
 * covers): a selected link covers a candidate only if this many times its
 * distance to it, measured from the metric's zero, is below the
 * candidate's distance to the list's owner.  Measured on Fashion-MNIST
 * (src/README, "HNSW: build").
 */
#define HNSW_PRUNE_SLACK 1.05f

/* distance between candidates i and j of an array, for the heuristic */
typedef float (*HnswPairDistance) (void *arg, int i, int j);
extern int	HnswSelectNeighbors(VecdbMetric metric, const HnswCandidate *cands,
								int ncands, int cap, HnswPairDistance pair,
								void *arg, int *out, int *nselected);
extern void HnswSortCandidates(HnswCandidate *cands, int n);

/* distance from the new node to existing link k, for HnswBacklinkSlot */
typedef float (*HnswLinkDistance) (void *arg, int k);
extern int	HnswBacklinkUpdate(VecdbMetric metric, bool slack, int count, int nsel,
							   int cap, const float *dists,
							   const bool *pinned, float dnew, bool xpin,
							   HnswLinkDistance linkdist, HnswPairDistance pairdist,
							   void *arg, int *order, int *new_nsel);
typedef bool (*HnswWalkMark) (void *arg, ItemPointer tid);
extern void HnswWalkTree(Relation index, HnswIndexInfo *info,
						 BufferAccessStrategy strategy, ItemPointer entry,
						 HnswWalkMark mark, void *arg);

/* hnswpage.c */
extern void HnswNodeLayoutFor(HnswNodeLayout *layout, int level, int m, Size payload_bytes,
							  int tenant_cap);
extern bool HnswVectorExternal(const HnswNodeLayout *l, Size vecbytes);
extern int	HnswVectorChunks(const HnswNodeLayout *l, Size vecbytes);
extern Size HnswNodeSize(const HnswNodeLayout *l, Size vecbytes);
extern void HnswNodeInit(HnswNode node, const HnswNodeLayout *l, Size vecbytes);
extern void HnswInitPage(Page page, uint16 flags);
extern void HnswInitMetaPage(Page page, HnswIndexInfo *info, const ItemPointerData *chunks);
extern bool HnswPageIsValid(Page page);
extern Buffer HnswNewBuffer(Relation index, ForkNumber forknum);
extern void HnswWriteEmptyIndex(Relation index, ForkNumber forknum, HnswIndexInfo *info);
extern HnswNode HnswGetNode(Page page, OffsetNumber off, const HnswIndexInfo *info);
extern uint8 *HnswNodeCounts(HnswNode node, const HnswNodeLayout *l);
extern bool HnswNodeHasList(HnswNode node, const HnswIndexInfo *info, int layer);
extern uint8 *HnswNodePins(HnswNode node, const HnswNodeLayout *l);
extern ItemPointer HnswNodeRescue(HnswNode node, const HnswNodeLayout *l);
extern int	HnswNodeLinks(HnswNode node, const HnswNodeLayout *l, int layer, int m,
						  ItemPointerData *out);
extern void HnswListRead(HnswNode node, const HnswNodeLayout *l, int layer, int cap,
						 HnswList *out);
extern void HnswListWrite(HnswNode node, const HnswNodeLayout *l, int layer, int cap,
						  const HnswList *list);
extern bool HnswListSame(HnswNode node, const HnswNodeLayout *l, int layer, int cap,
						 const HnswList *list);
extern int	HnswListFind(const HnswList *list, ItemPointer tid);
extern int	HnswListPins(const HnswList *list);
extern bool HnswListPut(HnswList *list, int cap, ItemPointer tid, float dist, bool pinned);
extern ItemPointer HnswNodeTids(HnswNode node, const HnswNodeLayout *l, int layer);
extern float *HnswNodeDists(HnswNode node, const HnswNodeLayout *l, int layer);
extern char *HnswNodeVector(HnswNode node, const HnswNodeLayout *l);
extern char *HnswNodePayload(HnswNode node, const HnswNodeLayout *l);
extern ItemPointer HnswNodeChunks(HnswNode node, const HnswNodeLayout *l);
extern int	HnswLayerCap(int m, int layer);
extern void HnswReadMeta(Relation index, HnswMetaPageData *meta);
extern void HnswRecordFreeSpace(Relation index, Buffer buf);
extern Buffer HnswBufferWithSpace(Relation index, Size size);
extern ItemPointerData HnswWriteTuple(Relation index, HnswIndexInfo *info, Item item,
									  Size size, uint16 *version);
extern void HnswEditStart(HnswEdit *e, Relation index, const HnswIndexInfo *info);
extern Page HnswEditPage(HnswEdit *e, Buffer buf, bool new_page);
extern void HnswEditFinish(HnswEdit *e);

/* hnswsearch.c */
extern int64 hnsw_pages_read;
extern struct HnswBufferHints *HnswGetBufferHints(Relation index);
extern Buffer HnswReadBuffer(Relation index, HnswIndexInfo *info, BlockNumber blkno);
extern void HnswHeapInit(HnswHeap *h, int cap, bool max);
extern void HnswHeapPush(HnswHeap *h, const HnswCandidate *c);
extern HnswCandidate HnswHeapPop(HnswHeap *h);
extern HnswCandidate *HnswHeapTop(HnswHeap *h);
extern void HnswSearchInit(HnswSearch *s, Relation index, HnswIndexInfo *info,
						   const void *query, bool keep_distances);
extern void HnswSearchFree(HnswSearch *s);
extern char *HnswSearchScratch(HnswSearch *s);
extern void HnswSearchResetVisited(HnswSearch *s);
extern void HnswSearchSetAside(HnswSearch *s, HnswHeap *discarded, HnswCandidate *c);
extern bool HnswSearchVisitedDistance(HnswSearch *s, ItemPointer tid, float *dist);
extern void HnswSearchRemember(HnswSearch *s, ItemPointer tid, float dist);
extern bool HnswNodeDistance(HnswSearch *s, ItemPointer tid, HnswCandidate *out,
							 bool *deleted, int *level);
extern int	HnswNodeNeighbors(Relation index, HnswIndexInfo *info, ItemPointer tid,
							  uint16 version, int layer, ItemPointerData *out);
extern bool HnswNodeRead(Relation index, HnswIndexInfo *info, ItemPointer tid,
						 char *out, char *payload, uint16 *version, int *level,
						 bool *deleted);
extern bool HnswNodeVectorCopy(Relation index, HnswIndexInfo *info, ItemPointer tid,
							   uint16 version, char *out);
extern bool HnswSearchEntry(HnswSearch *s, HnswCandidate *ep, int *ep_level);
extern void HnswSearchLayer(HnswSearch *s, HnswHeap *entries, int ef, int layer,
							HnswHeap *result, HnswHeap *discarded);
extern void HnswTenantWalkAll(HnswSearch *s, HnswCandidate *entry, int limit, int ef,
							  HnswHeap *result, HnswHeap *discarded);
extern HnswCandidate HnswGreedyDescend(HnswSearch *s, HnswCandidate ep,
									   int from_level, int to_level);

/* hnswtids.c */
extern HnswTidList HnswGetTidList(Page page, ItemPointer t, ItemPointer owner, uint16 version);
extern int	HnswReadHeapTids(Relation index, HnswIndexInfo *info, ItemPointer tid,
							 uint16 version, ItemPointerData **out);
extern int	HnswListTuples(Relation index, HnswIndexInfo *info, ItemPointer tid,
						   uint16 version, ItemPointerData head, ItemPointerData **out);
extern bool HnswListsHoldTids(Relation index, HnswIndexInfo *info, ItemPointer tid,
							  uint16 version, ItemPointerData head);
extern bool HnswAddHeapTid(Relation index, HnswIndexInfo *info, HnswCandidate *c,
						   ItemPointer heap_tid);

/* hnswbuild.c */
extern IndexBuildResult *hnswbuild(Relation heap, Relation index, IndexInfo *indexInfo);
extern void hnswbuildempty(Relation index);

/* hnswinsert.c */
extern bool hnswinsert(Relation index, Datum *values, bool *isnull,
					   ItemPointer heap_tid, Relation heap,
					   IndexUniqueCheck checkUnique,
#if PG_VERSION_NUM >= 140000
					   bool indexUnchanged,
#endif
					   IndexInfo *indexInfo);
extern void HnswInsertVector(Relation index, HnswIndexInfo *info, const char *vec,
							 const char *payload, ItemPointer heap_tid,
							 bool try_duplicate_first);
extern void HnswChooseLinks(Relation index, HnswIndexInfo *info, HnswCandidate *found,
							int n, int layer, HnswCandidate **sel, HnswList *list);
extern bool HnswAddBacklink(HnswSearch *s, HnswCandidate *nb, int layer, ItemPointer x,
							float d, bool force, HnswPin pin);
extern bool HnswAddRescueLink(Relation index, HnswIndexInfo *info, HnswCandidate *r,
							  ItemPointer x);
extern bool HnswRescueNear(Relation index, HnswIndexInfo *info, HnswCandidate *cands,
						   int n, ItemPointer x);

/* hnswscan.c */
extern IndexScanDesc hnswbeginscan(Relation index, int nkeys, int norderbys);
extern void hnswrescan(IndexScanDesc scan, ScanKey keys, int nkeys,
					   ScanKey orderbys, int norderbys);
extern bool hnswgettuple(IndexScanDesc scan, ScanDirection dir);
extern void hnswendscan(IndexScanDesc scan);

/* hnswtenant.c */
extern int	HnswTenantColumn(Relation index);
extern bool HnswTenantOf(const HnswIndexInfo *info, const char *payload, uint64 *value);
extern void HnswTenantSearchInit(HnswSearch *s, const HnswFilter *filter);
extern int	HnswTenantSearch(HnswSearch *s, uint64 value, int ef, HnswCandidate **found);
extern bool HnswTenantWrite(Relation index, HnswIndexInfo *info, ItemPointer tid,
							uint16 version, const HnswList *old, const HnswList *list);
extern int	HnswTenantChoose(HnswSearch *s, uint64 value, ItemPointer self, HnswList *list,
							 HnswCandidate **sel);
extern void HnswTenantBacklinks(HnswSearch *s, HnswCandidate *sel, int n, ItemPointer x);
extern void HnswTenantBuildLists(Relation index, HnswIndexInfo *info);
extern bool HnswTenantRead(Relation index, HnswIndexInfo *info, ItemPointer tid,
						   const uint16 *version, HnswList *list);
/* hnswtenantdir.c */
extern bool HnswTenantDirFind(Relation index, HnswIndexInfo *info, uint64 value,
							  ItemPointer tid, uint16 *version, uint32 *nodes);
extern bool HnswTenantEntryPoint(HnswSearch *s, HnswCandidate *out, uint32 *nodes);
extern void HnswTenantRegister(Relation index, HnswIndexInfo *info, const char *payload,
							   ItemPointer tid, uint16 version);
extern void HnswTenantDirAdd(Relation index, HnswIndexInfo *info, uint64 value,
							 ItemPointer tid, uint16 version, uint32 nodes);
extern void HnswTenantDirCreate(Relation index, HnswIndexInfo *info, int64 ntenants);
/* VACUUM's view of the nodes it frees, for HnswTenantDirVacuum */
typedef struct HnswDirVacuumCallbacks
{
	bool		(*deleted) (void *arg, ItemPointer tid);	/* frees node tid */
	bool		(*live) (void *arg, uint64 value, uint32 *nodes);	/* the live
																	 * nodes of
																	 * value it
																	 * met */
	void	   *arg;
} HnswDirVacuumCallbacks;
extern int64 HnswTenantDirVacuum(Relation index, HnswIndexInfo *info,
								 const HnswDirVacuumCallbacks *cb);
extern int	HnswTenantCompleteLimit(int ef, uint32 nodes);
typedef void (*HnswTenantDirVisit) (void *arg, BlockNumber blk, uint32 bucket, Page page);
extern void HnswTenantDirEach(Relation index, HnswIndexInfo *info, HnswTenantDirVisit fn,
							  void *arg);
extern uint32 HnswTenantBucket(uint64 value, uint32 nbuckets);
/* hnswscanstats.c */
extern bool vecdb_track_scans;
extern void HnswScanStatsInit(void);
extern void HnswScanStatsAdd(Oid indexrelid, const HnswScanCounters *c);
/* hnswradius.c */
/* a radius query's bound: WHERE dist < expr (<= unless strict) */
typedef struct HnswRadius
{
	ExprState  *expr;
	ExprContext *econtext;		/* to evaluate expr in */
	bool		strict;
} HnswRadius;
extern void HnswRadiusInit(void);
extern bool HnswRadiusFind(ScanKey orderbys, HnswRadius *out);
extern float HnswRadiusInIndex(const HnswIndexInfo *info, double r);
struct RestrictInfo;
extern double HnswRadiusPlanShare(struct PlannerInfo *root, struct IndexPath *path,
								  Relation index, struct RestrictInfo **radius);

/* hnswvacuum.c */
extern IndexBulkDeleteResult *hnswbulkdelete(IndexVacuumInfo *info,
											 IndexBulkDeleteResult *stats,
											 IndexBulkDeleteCallback callback,
											 void *callback_state);
extern IndexBulkDeleteResult *hnswvacuumcleanup(IndexVacuumInfo *info,
												IndexBulkDeleteResult *stats);

#endif							/* VECDB_HNSW_H */
