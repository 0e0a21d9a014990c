/*-------------------------------------------------------------------------
 *
 * hnswbuild.c
 *	  CREATE INDEX for HNSW: build the graph in memory (in parallel when
 *	  workers are available), then write it out page by page in one
 *	  sequential pass.
 *
 * The in-memory graph lives in one arena: local memory for a serial build,
 * a DSM segment shared by the leader and the workers of a parallel build.
 * Node records (layer-0 links and the vector side by side, so a visit
 * touches one block) grow up from the bottom; upper-layer link lists grow
 * down from the top.  The arena is addressed by offsets, so it means the
 * same in every process.
 *
 * Concurrency (parallel build): vectors never change once written; a
 * node's link lists are read and written under one of HNSW_BUILD_STRIPES
 * LWLocks chosen by node id; a new node writes all its own lists before its
 * first back-link makes it reachable; counters and the entry point are
 * under a spinlock; an insert that will become the new top node holds the
 * entry LWLock for its whole duration, so two cannot race.
 *
 * When the arena is full, further rows go to a spool file (one per
 * participant) and are inserted through the ordinary on-disk insert path
 * after the graph has been written, with a NOTICE.
 *
 * Writing: every node's TID is known before any page is written, because
 * tuple sizes depend only on node levels; so links are written once, as
 * final TIDs.  Pages are written straight to the relation's file and are
 * WAL-logged as full page images when the relation needs WAL.
 *
 * Copyright (c) 2026, vecdb developers
 *
 * src/hnsw/hnswbuild.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/parallel.h"
#include "access/relscan.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "access/xloginsert.h"
#include "catalog/index.h"
#include "commands/progress.h"
#include "miscadmin.h"
#include "optimizer/optimizer.h"
#include "optimizer/plancat.h"
#include "pgstat.h"
#include "storage/buffile.h"
#include "storage/bufmgr.h"
#include "storage/freespace.h"
#include "storage/lwlock.h"
#include "storage/sharedfileset.h"
#include "storage/smgr.h"
#include "storage/spin.h"
#include "tcop/tcopprot.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "compat.h"
#include "kernel/distance.h"
#include "hnsw.h"

#define HNSW_BUILD_STRIPES		1024

#define PARALLEL_KEY_SHARED		UINT64CONST(0xA7C1B0D100000001)
#define PARALLEL_KEY_GRAPH		UINT64CONST(0xA7C1B0D100000002)
#define PARALLEL_KEY_QUERY_TEXT	UINT64CONST(0xA7C1B0D100000003)
#define PARALLEL_KEY_PARAMS		UINT64CONST(0xA7C1B0D100000004)

/* header of an in-memory node record; links and vector follow */
typedef struct BuildNode
{
	ItemPointerData heaptids[HNSW_HEAPTIDS];
	uint8		level;
	uint8		ntids;			/* inline heap TIDs */
	uint16		list0[2];		/* layer 0: links in use, selected count */
	uint64		upper_off;		/* arena offset of layers 1..level lists */
	uint64		tids_off;		/* arena offset of its first TID block, or 0 */
	int64		nextra;			/* heap TIDs in TID blocks */
	uint32		rescue[HNSW_RESCUE_LINKS];	/* node ids, NO_RESCUE if unused */
} BuildNode;

#define NO_RESCUE PG_UINT32_MAX
#define RESCUE_EDGE 0xFF		/* parent_layer of a tree edge that is a rescue link */

/* more heap TIDs of one node (identical vectors), in the arena */
#define TIDBLOCK_TIDS 64
typedef struct TidBlock
{
	uint64		next;			/* arena offset of the next block, or 0 */
	int32		n;
	ItemPointerData tids[TIDBLOCK_TIDS];
} TidBlock;

/* the arena's header: same address space meaning in every participant */
typedef struct BuildGraph
{
	slock_t		mutex;			/* protects the fields up to entry_level */
	bool		full;			/* an allocation failed: spool the rest */
	int64		nnodes;
	Size		upper_bottom;	/* upper lists occupy [upper_bottom, size) */
	int64		entry;			/* -1 when empty */
	int			entry_level;
	int64		ntuples;		/* rows added to the graph (progress) */

	bool		concurrent;		/* parallel build: take the locks */
	int			dims;
	Size		vecbytes;		/* most bytes a stored vector takes */
	bool		vec_in_record;	/* fixed-size vectors: in the node record;
								 * else at the top, the record holding its
								 * offset */
	int			m;
	int			cap0;			/* 2m */
	Size		size;			/* of the whole arena */
	Size		nodes_off;		/* where node records start */
	Size		stride;			/* bytes per node record */
	Size		payload_bytes;	/* filter values, at the record's end */
	Size		upper_list_size;	/* uint16 count, uint16 nsel, ids[m],
									 * dists[m] */
	int64		max_nodes;
	LWLock		entry_lock;
	LWLock		locks[HNSW_BUILD_STRIPES];
} BuildGraph;

/* what a parallel build shares besides the graph */
typedef struct HnswBuildShared
{
	Oid			heaprelid;
	Oid			indexrelid;
	bool		isconcurrent;
	int			elemtype;		/* VecdbElemKind of the column */
	int			stored;			/* VecdbElemKind of the stored values */
	int			dims;
	int			m;
	int			ef_construction;
	int			metric;
	int			lock_tranche;
	SharedFileSet fileset;		/* spool files of the participants */
	slock_t		mutex;
	double		reltuples;		/* sums over the participants */
	double		indtuples;
	int			nspool;			/* participants that spooled rows */
	int			spooled[64];	/* their participant numbers */
	int			phase;			/* 0: scan into the graph; 1: insert spools */
	int			next_spool;		/* phase 1: next spool file to claim */
	/* ParallelTableScanDescData follows, MAXALIGNed */
} HnswBuildShared;

#define ParallelTableScanFromShared(s) \
	((ParallelTableScanDesc) ((char *) (s) + MAXALIGN(sizeof(HnswBuildShared))))

/* a node's distance to the query of stamp (see qdist) */
typedef struct DistMemo
{
	uint32		stamp;
	float		dist;
} DistMemo;

/* one participant's view */
typedef struct BuildState
{
	Relation	heap;
	Relation	index;
	HnswIndexInfo info;
	BuildGraph *g;
	char	   *base;			/* == (char *) g */
	uint32	   *visited;		/* epoch tag per node */
	uint32		epoch;
	DistMemo   *memo;			/* per node: distance to the current query */
	uint32		query_no;		/* the current query's memo stamp */
	double		reltuples;		/* rows seen by this participant */
	double		indtuples;		/* rows indexed by this participant */
	char	   *payload;		/* the current row's filter values */
	MemoryContext tmpctx;		/* reset per row */
	MemoryContext buildctx;		/* lives as long as the build */
	bool		leader;			/* reports progress */
	/* the spanning tree (graph_connect): a node's parent and its layer */
	int64	   *parent;
	uint8	   *parent_layer;
	uint8	   *nchildren;		/* tree edges in its layer-0 list */
	/* spool of rows that did not fit */
	BufFile    *spool;
	int64		nspooled;
	HnswBuildShared *shared;	/* NULL in a serial build */
	int			participant;
	bool		wal_now;		/* pages WAL-logged as written (write_graph) */
} BuildState;

/* ---- arena accessors ---- */

static inline BuildNode *
node_at(BuildState *bs, int64 id)
{
	return (BuildNode *) (bs->base + bs->g->nodes_off + id * bs->g->stride);
}

static inline uint32 *
node_ids0(BuildState *bs, BuildNode *n)
{
	return (uint32 *) ((char *) n + MAXALIGN(sizeof(BuildNode)));
}

static inline float *
node_dists0(BuildState *bs, BuildNode *n)
{
	return (float *) (node_ids0(bs, n) + bs->g->cap0);
}

/* the record's last part: the vector, or the arena offset of the vector */
static inline char *
node_slot(BuildState *bs, BuildNode *n)
{
	return (char *) (node_dists0(bs, n) + bs->g->cap0);
}

/* the record's filter values (payload_bytes), after the slot */
static inline char *
node_payload(BuildState *bs, BuildNode *n)
{
	return node_slot(bs, n) + (bs->g->vec_in_record ? bs->g->vecbytes : sizeof(uint64));
}

static inline char *
node_vec(BuildState *bs, int64 id)
{
	char	   *slot = node_slot(bs, node_at(bs, id));

	if (bs->g->vec_in_record)
		return slot;
	return bs->base + *(uint64 *) slot;
}

/* bytes of a stored vector v of the graph */
static inline Size
vec_size(BuildState *bs, const char *v)
{
	return bs->g->vec_in_record ? bs->g->vecbytes : HnswVecBytes(&bs->info, v);
}

/* list of layer (>= 0): header {count, nsel}, ids, dists */
static inline void
node_list(BuildState *bs, int64 id, int layer, uint16 **hdr, uint32 **ids, float **dists)
{
	BuildNode  *n = node_at(bs, id);

	if (layer == 0)
	{
		*hdr = n->list0;
		*ids = node_ids0(bs, n);
		*dists = node_dists0(bs, n);
	}
	else
	{
		char	   *p = bs->base + n->upper_off + (layer - 1) * bs->g->upper_list_size;

		*hdr = (uint16 *) p;
		*ids = (uint32 *) (p + 2 * sizeof(uint16));
		*dists = (float *) (*ids + bs->g->m);
	}
}

static inline LWLock *
node_lock(BuildState *bs, int64 id)
{
	return &bs->g->locks[id % HNSW_BUILD_STRIPES];
}

static inline void
lock_node(BuildState *bs, int64 id, LWLockMode mode)
{
	if (bs->g->concurrent)
		LWLockAcquire(node_lock(bs, id), mode);
}

static inline void
unlock_node(BuildState *bs, int64 id)
{
	if (bs->g->concurrent)
		LWLockRelease(node_lock(bs, id));
}

/* copies a node's link ids on layer (rescue links too on 0); returns how many */
static int
copy_links(BuildState *bs, int64 id, int layer, uint32 *out)
{
	uint16	   *hdr;
	uint32	   *ids;
	float	   *dists;
	int			n;

	lock_node(bs, id, LW_SHARED);
	node_list(bs, id, layer, &hdr, &ids, &dists);
	n = hdr[0];
	memcpy(out, ids, sizeof(uint32) * n);
	if (layer == 0)
		for (int i = 0; i < HNSW_RESCUE_LINKS; i++)
			if (node_at(bs, id)->rescue[i] != NO_RESCUE)
				out[n++] = node_at(bs, id)->rescue[i];
	unlock_node(bs, id);
	return n;
}

/*
 * Starts a new query q (an insert's vector, or an unreached node's): the
 * distances qdist measures from here on are remembered until the next.
 */
static void
new_query(BuildState *bs)
{
	if (++bs->query_no == 0)
	{
		memset(bs->memo, 0, sizeof(DistMemo) * bs->g->max_nodes);
		bs->query_no = 1;
	}
}

/*
 * Distance from the current query q to node id: measured once per query
 * (the descent, every layer's search and the back-links of an insert ask
 * for many of the same nodes).
 */
static inline float
qdist(BuildState *bs, const char *q, int64 id)
{
	DistMemo   *m = &bs->memo[id];

	if (m->stamp != bs->query_no)
	{
		m->dist = HnswVecDistance(&bs->info, q, node_vec(bs, id));
		m->stamp = bs->query_no;
	}
	return m->dist;
}

static inline HnswCandidate
mkcand(int64 id, float dist)
{
	HnswCandidate c;

	/* the in-memory graph keys candidates by node id in the block field */
	ItemPointerSet(&c.tid, (BlockNumber) id, FirstOffsetNumber);
	c.version = 0;
	c.dist = dist;
	c.deleted = false;
	c.links_layer = -1;
	c.nlinks = 0;
	c.links_off = -1;
	return c;
}

static inline int64
cand_id(const HnswCandidate *c)
{
	return (int64) ItemPointerGetBlockNumberNoCheck(&c->tid);
}

/* ---- the graph ---- */

/*
 * Bytes of a node record: header, layer-0 links, then the vector of a
 * fixed-size type or the offset of a variable-size one's (at the top),
 * then the filter values.
 */
static Size
record_stride(HnswIndexInfo *info)
{
	bool		in_record = info->minbytes == info->vecbytes;

	return MAXALIGN(MAXALIGN(sizeof(BuildNode)) + sizeof(float) * 4 * info->m +
					(in_record ? info->vecbytes : sizeof(uint64)) +
					info->filter.payload_bytes);
}

/*
 * Bytes of arena for about ntuples nodes at most levels (variable-size
 * vectors counted at their largest).
 */
static Size
graph_size_for(HnswIndexInfo *info, double ntuples)
{
	Size		stride = record_stride(info);
	Size		upper = 2 * sizeof(uint16) + (Size) info->m * (sizeof(uint32) + sizeof(float));
	double		perNode = stride + upper / (double) (info->m - 1) + 1;

	if (info->minbytes != info->vecbytes)
		perNode += MAXALIGN(info->vecbytes);

	return (Size) Min(ntuples * perNode * 1.1 + MAXALIGN(sizeof(BuildGraph)) + 1024 * 1024,
					  (double) MaxAllocHugeSize);
}

/* Formats an arena of size bytes at mem. */
static BuildGraph *
graph_init(void *mem, Size size, HnswIndexInfo *info, bool concurrent, int tranche)
{
	BuildGraph *g = (BuildGraph *) mem;

	size = MAXALIGN_DOWN(size);	/* upper lists grow down from here */
	SpinLockInit(&g->mutex);
	g->full = false;
	g->nnodes = 0;
	g->upper_bottom = size;
	g->entry = -1;
	g->entry_level = -1;
	g->ntuples = 0;
	g->concurrent = concurrent;
	g->dims = info->dims;
	g->vecbytes = info->vecbytes;
	g->vec_in_record = info->minbytes == info->vecbytes;
	g->m = info->m;
	g->cap0 = 2 * info->m;
	g->size = size;
	g->nodes_off = MAXALIGN(sizeof(BuildGraph));
	g->stride = record_stride(info);
	g->payload_bytes = info->filter.payload_bytes;
	g->upper_list_size = 2 * sizeof(uint16) + (Size) g->m * (sizeof(uint32) + sizeof(float));
	g->max_nodes = Min((int64) ((size - g->nodes_off) / g->stride), (int64) MaxBlockNumber);
	if (concurrent)
	{
		LWLockInitialize(&g->entry_lock, tranche);
		for (int i = 0; i < HNSW_BUILD_STRIPES; i++)
			LWLockInitialize(&g->locks[i], tranche);
	}
	return g;
}

/*
 * Allocates a node of the given level for a vector of vecbytes (placed at
 * the top with its upper lists unless it goes in the record); returns -1
 * when the arena is full.
 */
static int64
graph_alloc(BuildState *bs, int level, Size vecbytes)
{
	BuildGraph *g = bs->g;
	Size		upper = level * g->upper_list_size;
	Size		top = upper + (g->vec_in_record ? 0 : MAXALIGN(vecbytes));
	Size		upper_off = 0;
	int64		id = -1;
	BuildNode  *n;

	SpinLockAcquire(&g->mutex);
	if (!g->full)
	{
		if (g->nodes_off + (g->nnodes + 1) * g->stride + top > g->upper_bottom ||
			g->nnodes >= g->max_nodes)
			g->full = true;
		else
		{
			id = g->nnodes++;
			g->upper_bottom -= top;
			upper_off = g->upper_bottom;
		}
	}
	SpinLockRelease(&g->mutex);
	if (id < 0)
		return -1;

	n = node_at(bs, id);
	memset(n, 0, MAXALIGN(sizeof(BuildNode)));
	for (int i = 0; i < HNSW_RESCUE_LINKS; i++)
		n->rescue[i] = NO_RESCUE;
	n->level = level;
	n->upper_off = upper_off;
	if (upper > 0)
		memset(bs->base + upper_off, 0, upper);
	if (!g->vec_in_record)
		*(uint64 *) node_slot(bs, n) = upper_off + upper;
	return id;
}

/* Allocates size bytes at the top of the arena; returns 0 when it is full. */
static Size
graph_alloc_top(BuildState *bs, Size size)
{
	BuildGraph *g = bs->g;
	Size		off = 0;

	size = MAXALIGN(size);
	SpinLockAcquire(&g->mutex);
	if (g->full || g->nodes_off + g->nnodes * g->stride + size > g->upper_bottom)
		g->full = true;
	else
	{
		g->upper_bottom -= size;
		off = g->upper_bottom;
	}
	SpinLockRelease(&g->mutex);
	return off;
}

/*
 * Adds a heap TID to node id (whose vector is the row's): inline if a slot
 * is free, else to its TID blocks.  Returns false when the arena is full.
 */
static bool
graph_add_tid(BuildState *bs, int64 id, ItemPointer tid)
{
	BuildNode  *n = node_at(bs, id);
	bool		ok = true;

	lock_node(bs, id, LW_EXCLUSIVE);
	if (n->ntids < HNSW_HEAPTIDS)
		n->heaptids[n->ntids++] = *tid;
	else
	{
		TidBlock   *b = n->tids_off ? (TidBlock *) (bs->base + n->tids_off) : NULL;

		if (b == NULL || b->n == TIDBLOCK_TIDS)
		{
			Size		off = graph_alloc_top(bs, sizeof(TidBlock));

			if (off == 0)
				ok = false;
			else
			{
				b = (TidBlock *) (bs->base + off);
				b->next = n->tids_off;
				b->n = 0;
				n->tids_off = off;
			}
		}
		if (ok)
		{
			b->tids[b->n++] = *tid;
			n->nextra++;
		}
	}
	unlock_node(bs, id);
	return ok;
}

static inline bool
visit(BuildState *bs, int64 id)
{
	if (bs->visited[id] == bs->epoch)
		return false;
	bs->visited[id] = bs->epoch;
	return true;
}

static void
new_epoch(BuildState *bs)
{
	if (++bs->epoch == 0)
	{
		memset(bs->visited, 0, sizeof(uint32) * bs->g->max_nodes);
		bs->epoch = 1;
	}
}

/* In-memory layer search: the same algorithm as HnswSearchLayer. */
static void
graph_search_layer(BuildState *bs, const char *q, HnswCandidate *entries, int nentries,
				   int ef, int layer, HnswHeap *result)
{
	HnswHeap	cand;
	uint32		ids[HNSW_MAX_LINKS0];
	int			ntodo;

	new_epoch(bs);
	HnswHeapInit(&cand, ef * 4, false);
	for (int i = 0; i < nentries; i++)
	{
		visit(bs, cand_id(&entries[i]));
		HnswHeapPush(&cand, &entries[i]);
		HnswHeapPush(result, &entries[i]);
		if (result->n > ef)
			HnswHeapPop(result);
	}
	while (cand.n > 0)
	{
		HnswCandidate c = HnswHeapPop(&cand);
		int			n;

		if (result->n >= ef && c.dist > HnswHeapTop(result)->dist)
			break;
		n = copy_links(bs, cand_id(&c), layer, ids);
		/* the unvisited ones, their vectors' heads fetched as one batch */
		ntodo = 0;
		for (int i = 0; i < n; i++)
			if (visit(bs, ids[i]))
			{
				ids[ntodo++] = ids[i];
				HnswPrefetchBytes(node_vec(bs, ids[i]), 0, 256);
			}
		for (int i = 0; i < ntodo; i++)
		{
			int64		e = ids[i];
			float		d;

			/* the rest of the vectors ahead, as HnswSearchLayer does */
			for (int j = (i == 0 ? 0 : i + HNSW_PREFETCH_AHEAD);
				 j <= i + HNSW_PREFETCH_AHEAD && j < ntodo; j++)
			{
				const char *v = node_vec(bs, ids[j]);

				HnswPrefetchBytes(v, 256, (int) vec_size(bs, v));
			}
			d = qdist(bs, q, e);
			if (result->n < ef || d < HnswHeapTop(result)->dist)
			{
				HnswCandidate ce = mkcand(e, d);

				HnswHeapPush(&cand, &ce);
				HnswHeapPush(result, &ce);
				if (result->n > ef)
					HnswHeapPop(result);
			}
		}
	}
	pfree(cand.items);
}

typedef struct PairArg
{
	BuildState *bs;
	const HnswCandidate *cands;
} PairArg;

static float
pair_distance(void *arg, int i, int j)
{
	PairArg    *a = (PairArg *) arg;

	return HnswVecDistance(&a->bs->info, node_vec(a->bs, cand_id(&a->cands[i])),
						   node_vec(a->bs, cand_id(&a->cands[j])));
}

typedef struct LinkArg
{
	BuildState *bs;
	const uint32 *ids;
	int64		x;
} LinkArg;

static float
link_distance(void *arg, int k)
{
	LinkArg    *a = (LinkArg *) arg;

	return qdist(a->bs, node_vec(a->bs, a->x), a->ids[k]);
}

/* distance between two of nb's links (index -1: the new node x) */
static float
link_pair_distance(void *arg, int i, int j)
{
	LinkArg    *a = (LinkArg *) arg;
	int64		ni = i < 0 ? a->x : (int64) a->ids[i];
	int64		nj = j < 0 ? a->x : (int64) a->ids[j];

	if (i < 0 || j < 0)
		return qdist(a->bs, node_vec(a->bs, a->x), i < 0 ? nj : ni);
	return HnswVecDistance(&a->bs->info, node_vec(a->bs, ni), node_vec(a->bs, nj));
}

/*
 * Gives node nb (on layer) a link to x at distance d: HnswBacklinkUpdate,
 * under nb's stripe lock (the distances it needs read immutable vectors).
 */
static void
graph_backlink(BuildState *bs, int64 nb, int layer, int64 x, float d)
{
	uint16	   *hdr;
	uint32	   *ids;
	float	   *dists;
	int			cap = HnswLayerCap(bs->g->m, layer);
	int			order[2 * HNSW_MAX_M + 1];
	uint32		oids[2 * HNSW_MAX_M];
	float		odists[2 * HNSW_MAX_M];
	int			newn,
				newsel;
	LinkArg		arg = {bs, NULL, x};

	lock_node(bs, nb, LW_EXCLUSIVE);
	node_list(bs, nb, layer, &hdr, &ids, &dists);
	arg.ids = ids;
	newn = HnswBacklinkUpdate(bs->info.metric, true, hdr[0], hdr[1], cap, dists, NULL, d, false,
							  link_distance, link_pair_distance, &arg, order, &newsel);
	if (newn >= 0)
	{
		memcpy(oids, ids, sizeof(uint32) * hdr[0]);
		memcpy(odists, dists, sizeof(float) * hdr[0]);
		for (int i = 0; i < newn; i++)
		{
			ids[i] = order[i] < 0 ? (uint32) x : oids[order[i]];
			dists[i] = order[i] < 0 ? d : odists[order[i]];
		}
		hdr[0] = newn;
		hdr[1] = newsel;
	}
	unlock_node(bs, nb);
}

/* Writes a new node's vector, filter values and first heap TID. */
static void
graph_fill(BuildState *bs, int64 id, const char *q, ItemPointer heaptid)
{
	BuildNode  *node = node_at(bs, id);

	node->heaptids[0] = *heaptid;
	node->ntids = 1;
	memcpy(node_vec(bs, id), q, vec_size(bs, q));
	memcpy(node_payload(bs, node), bs->payload, bs->g->payload_bytes);
}

/* Greedy walk (ef = 1) for q from node entry down to layer to_level. */
static HnswCandidate
graph_descend(BuildState *bs, const char *q, int64 entry, int from_level, int to_level)
{
	HnswCandidate ep = mkcand(entry, qdist(bs, q, entry));
	uint32		ids[HNSW_MAX_M];

	for (int layer = from_level; layer > to_level; layer--)
	{
		bool		changed = true;

		while (changed)
		{
			int			n = copy_links(bs, cand_id(&ep), layer, ids);

			changed = false;
			for (int i = 0; i < n; i++)
			{
				float		d = qdist(bs, q, ids[i]);

				if (d < ep.dist)
				{
					ep = mkcand(ids[i], d);
					changed = true;
				}
			}
		}
	}
	return ep;
}

/*
 * Adds one vector to the in-memory graph.  Returns false, changing nothing,
 * when the arena is full.
 */
static bool
graph_insert(BuildState *bs, const char *q, ItemPointer heaptid)
{
	BuildGraph *g = bs->g;
	HnswIndexInfo *info = &bs->info;
	int			level = HnswRandomLevel(g->m, info->max_level);
	HnswCandidate ep;
	HnswCandidate *found[HNSW_MAX_LEVEL + 1];
	int			nfound[HNSW_MAX_LEVEL + 1];
	int			nsel[HNSW_MAX_LEVEL + 1];
	int		   *sel[HNSW_MAX_LEVEL + 1];
	int			top;
	int64		id;
	int64		entry;
	int			entry_level;
	bool		top_insert = false;
	bool		ok = true;

	SpinLockAcquire(&g->mutex);
	entry = g->entry;
	entry_level = g->entry_level;
	SpinLockRelease(&g->mutex);

	if (level > entry_level)
	{
		/* the new top node, or the first: one such insert at a time */
		top_insert = true;
		if (g->concurrent)
			LWLockAcquire(&g->entry_lock, LW_EXCLUSIVE);
		SpinLockAcquire(&g->mutex);
		entry = g->entry;
		entry_level = g->entry_level;
		SpinLockRelease(&g->mutex);
	}

	if (entry < 0)
	{
		if ((id = graph_alloc(bs, level, vec_size(bs, q))) < 0)
			ok = false;
		else
		{
			graph_fill(bs, id, q, heaptid);
			SpinLockAcquire(&g->mutex);
			g->entry = id;
			g->entry_level = level;
			g->ntuples++;
			SpinLockRelease(&g->mutex);
		}
		goto done;
	}

	new_query(bs);
	ep = graph_descend(bs, q, entry, entry_level, level);

	/* ef_construction search on each layer the node will live on */
	top = Min(level, entry_level);
	{
		HnswCandidate *entries = &ep;
		int			nentries = 1;

		for (int layer = top; layer >= 0; layer--)
		{
			HnswHeap	w;

			HnswHeapInit(&w, info->ef_construction + 1, true);
			graph_search_layer(bs, q, entries, nentries, info->ef_construction, layer, &w);
			HnswSortCandidates(w.items, w.n);
			found[layer] = w.items;
			nfound[layer] = w.n;
			entries = w.items;
			nentries = w.n;
		}
	}

	/*
	 * An identical vector with the same filter values already indexed
	 * takes the heap TID: it is among the nodes at the query's distance to
	 * itself (the first ones, for a metric where that is 0).
	 */
	{
		float		selfd = HnswVecDistance(info, q, q);

		for (int i = 0; i < nfound[0]; i++)
			if (found[0][i].dist == selfd &&
				HnswVecEqual(info, node_vec(bs, cand_id(&found[0][i])), q) &&
				memcmp(node_payload(bs, node_at(bs, cand_id(&found[0][i]))), bs->payload,
					   bs->g->payload_bytes) == 0)
			{
				ok = graph_add_tid(bs, cand_id(&found[0][i]), heaptid);
				goto done;
			}
	}

	if ((id = graph_alloc(bs, level, vec_size(bs, q))) < 0)
	{
		ok = false;
		goto done;
	}
	graph_fill(bs, id, q, heaptid);

	/* all of the node's own lists first: nobody can see it yet */
	for (int layer = top; layer >= 0; layer--)
	{
		int			cap = HnswLayerCap(g->m, layer);
		PairArg		arg = {bs, found[layer]};
		int			nselected;
		uint16	   *hdr;
		uint32	   *lids;
		float	   *dists;

		sel[layer] = palloc(sizeof(int) * cap);
		nsel[layer] = HnswSelectNeighbors(info->metric, found[layer], nfound[layer], cap,
										  pair_distance, &arg, sel[layer], &nselected);
		lock_node(bs, id, LW_EXCLUSIVE);
		node_list(bs, id, layer, &hdr, &lids, &dists);
		for (int i = 0; i < nsel[layer]; i++)
		{
			lids[i] = (uint32) cand_id(&found[layer][sel[layer][i]]);
			dists[i] = found[layer][sel[layer][i]].dist;
		}
		hdr[0] = nsel[layer];
		hdr[1] = nselected;
		unlock_node(bs, id);
	}
	/* then the back-links, which make it reachable */
	for (int layer = top; layer >= 0; layer--)
		for (int i = 0; i < nsel[layer]; i++)
			graph_backlink(bs, cand_id(&found[layer][sel[layer][i]]), layer, id,
						   found[layer][sel[layer][i]].dist);

	SpinLockAcquire(&g->mutex);
	if (level > g->entry_level)
	{
		g->entry = id;
		g->entry_level = level;
	}
	g->ntuples++;
	SpinLockRelease(&g->mutex);

done:
	if (top_insert && g->concurrent)
		LWLockRelease(&g->entry_lock);
	return ok;
}

/* ---- reachability: the spanning tree ---- */

/* true if r's list link on layer to id is id's tree edge */
static inline bool
tree_edge(BuildState *bs, int64 r, int layer, int64 id)
{
	return bs->parent[id] == r && bs->parent_layer[id] == layer;
}

/*
 * reached id through r's link on layer (RESCUE_EDGE: a rescue link).  A
 * list takes at most HNSW_PIN_LIMIT tree edges: beyond, id waits to be
 * reached some other way (or adopted).
 */
static inline void
reach(BuildState *bs, bool *reached, int64 *queue, int64 *tail, int64 r, int layer, int64 id)
{
	if (reached[id])
		return;
	if (layer == 0)
	{
		if (bs->nchildren[r] >= HNSW_PIN_LIMIT(bs->g->cap0))
			return;
		bs->nchildren[r]++;
	}
	reached[id] = true;
	bs->parent[id] = r;
	bs->parent_layer[id] = layer;
	queue[(*tail)++] = id;
}

/*
 * Breadth-first from start over the layer-0 links and the rescue links
 * (what a layer-0 search follows): each node first reached gets the link
 * it was reached by as its tree edge (parent).  queue has room for every
 * node.
 */
static void
grow_tree(BuildState *bs, int64 start, bool *reached, int64 *queue)
{
	int64		head = 0,
				tail = 0;

	reached[start] = true;
	queue[tail++] = start;
	while (head < tail)
	{
		int64		x = queue[head++];
		BuildNode  *n = node_at(bs, x);
		uint16	   *hdr;
		uint32	   *ids;
		float	   *dists;

		if ((head & 4095) == 0)
			CHECK_FOR_INTERRUPTS();
		node_list(bs, x, 0, &hdr, &ids, &dists);
		for (int k = 0; k < hdr[0]; k++)
			reach(bs, reached, queue, &tail, x, 0, ids[k]);
		for (int i = 0; i < HNSW_RESCUE_LINKS; i++)
			if (n->rescue[i] != NO_RESCUE)
				reach(bs, reached, queue, &tail, x, RESCUE_EDGE, n->rescue[i]);
	}
}

/*
 * Gives reached node r a rescue link to id, its tree edge, if r has a free
 * rescue slot and no link to id yet.  Returns whether it did.
 */
static bool
rescue_link(BuildState *bs, int64 r, int64 id)
{
	BuildNode  *n = node_at(bs, r);
	uint16	   *hdr;
	uint32	   *ids;
	float	   *dists;

	if (r == id)
		return false;
	node_list(bs, r, 0, &hdr, &ids, &dists);
	for (int k = 0; k < hdr[0]; k++)
		if (ids[k] == id)
			return false;
	for (int i = 0; i < HNSW_RESCUE_LINKS; i++)
		if (n->rescue[i] == NO_RESCUE)
		{
			n->rescue[i] = (uint32) id;
			bs->parent[id] = r;
			bs->parent_layer[id] = RESCUE_EDGE;
			return true;
		}
	return false;
}

/*
 * The last resort: gives reached node r a layer-0 list link to id at
 * distance d, in place of its farthest link that is no tree edge (whose
 * target stays reachable through its own), and makes it id's tree edge.
 * Returns false, changing nothing, if every link of r is a tree edge.
 */
static bool
tree_link(BuildState *bs, int64 r, int64 id, float d)
{
	uint16	   *hdr;
	uint32	   *ids;
	float	   *dists;
	int			n,
				nsel,
				pos,
				victim;

	node_list(bs, r, 0, &hdr, &ids, &dists);
	n = hdr[0];
	nsel = hdr[1];
	for (victim = n - 1; victim >= 0 && tree_edge(bs, r, 0, ids[victim]); victim--)
		;
	if (victim < 0)
		return false;
	memmove(ids + victim, ids + victim + 1, sizeof(uint32) * (n - victim - 1));
	memmove(dists + victim, dists + victim + 1, sizeof(float) * (n - victim - 1));
	n--;
	if (victim < nsel)
		nsel--;
	for (pos = n; pos > nsel && dists[pos - 1] > d; pos--)
	{
		ids[pos] = ids[pos - 1];
		dists[pos] = dists[pos - 1];
	}
	ids[pos] = (uint32) id;
	dists[pos] = d;
	hdr[0] = n + 1;
	hdr[1] = nsel;
	bs->parent[id] = r;
	bs->parent_layer[id] = 0;
	bs->nchildren[r]++;
	return true;
}

/* the unreached node id's nearest reached nodes by a search (all it finds are) */
static HnswHeap
search_reached(BuildState *bs, int64 id)
{
	HnswCandidate ep;
	HnswHeap	w;

	new_query(bs);
	ep = graph_descend(bs, node_vec(bs, id), bs->g->entry, bs->g->entry_level, 0);
	HnswHeapInit(&w, bs->info.ef_construction + 1, true);
	graph_search_layer(bs, node_vec(bs, id), &ep, 1, bs->info.ef_construction, 0, &w);
	HnswSortCandidates(w.items, w.n);
	return w;
}

/*
 * Links an unreached node id from a reached one by a rescue link: the
 * nearest reached node with a free rescue slot in its own layer-0 list,
 * else among the nearest a search finds, else one of the reached nodes
 * (lenders, a stack: the walk's first tree and the nodes adopted since,
 * popped when their slots are full).  Only if all that fails does a list
 * link give way (tree_link).  Returns false if nothing could take it;
 * *searched is set when a search was needed.
 */
static bool
adopt(BuildState *bs, int64 id, const bool *reached, int64 *frontier, int64 *nfrontier,
	  bool *searched)
{
	uint16	   *hdr;
	uint32	   *ids;
	float	   *dists;
	HnswHeap	w;

	*searched = false;
	node_list(bs, id, 0, &hdr, &ids, &dists);
	for (int k = 0; k < hdr[0]; k++)	/* nearest first, selected then pruned */
		if (reached[ids[k]] && rescue_link(bs, ids[k], id))
			return true;
	*searched = true;
	w = search_reached(bs, id);
	for (int i = 0; i < w.n; i++)
		if (reached[cand_id(&w.items[i])] && rescue_link(bs, cand_id(&w.items[i]), id))
			return true;
	for (; *nfrontier > 0; (*nfrontier)--)
		if (rescue_link(bs, frontier[*nfrontier - 1], id))
			return true;
	for (int i = 0; i < w.n; i++)
		if (reached[cand_id(&w.items[i])] && tree_link(bs, cand_id(&w.items[i]), id, w.items[i].dist))
			return true;
	return false;
}

/*
 * Before the graph is written: a spanning tree of the graph, rooted at the
 * entry point, whose edges are written pinned so that no later change
 * drops them (src/README, "Reachability").  A breadth-first walk gives
 * every node it reaches a tree edge; HNSW's back-link rule can leave a node
 * that no walk reaches (every list that linked to it dropped it later: a
 * few nodes in ten thousand under L2, most of the small-norm ones under
 * inner product), and each such node gets a rescue link from a reached
 * node as its tree edge, its own subtree then grown from it.  Nothing a
 * search relies on changes, and one pass over the nodes is enough.  Leader
 * only, no worker running.
 */
static void
graph_connect(BuildState *bs)
{
	BuildGraph *g = bs->g;
	int64		n = g->nnodes;
	int64		linked = 0;
	int64		searched = 0;
	int64		nfrontier = 0;
	bool	   *reached;
	int64	   *queue;
	int64	   *frontier;

	bs->parent = palloc_extended(mul_size(sizeof(int64), Max(n, 1)), MCXT_ALLOC_HUGE);
	bs->parent_layer = palloc_extended(mul_size(sizeof(uint8), Max(n, 1)), MCXT_ALLOC_HUGE);
	bs->nchildren = palloc_extended(mul_size(sizeof(uint8), Max(n, 1)),
									MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
	memset(bs->parent, 0xFF, sizeof(int64) * n);	/* -1: no parent */
	if (n == 0 || g->entry < 0)
		return;
	reached = palloc_extended(mul_size(sizeof(bool), n), MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
	queue = palloc_extended(mul_size(sizeof(int64), n), MCXT_ALLOC_HUGE);
	frontier = palloc_extended(mul_size(sizeof(int64), n), MCXT_ALLOC_HUGE);
	grow_tree(bs, g->entry, reached, queue);
	for (int64 id = 0; id < n; id++)
		if (reached[id])
			frontier[nfrontier++] = id;
	for (int64 id = 0; id < n; id++)
	{
		bool		s;

		if ((id & 1023) == 0)
			CHECK_FOR_INTERRUPTS();
		if (reached[id])
			continue;
		if (!adopt(bs, id, reached, frontier, &nfrontier, &s))
			ereport(ERROR,
					(errcode(ERRCODE_INTERNAL_ERROR),
					 errmsg("hnsw build could not link node " INT64_FORMAT " into the graph", id)));
		linked++;
		searched += s;
		frontier[nfrontier++] = id;
		grow_tree(bs, id, reached, queue);
	}
	ereport(DEBUG1,
			(errmsg_internal("hnsw build: linked " INT64_FORMAT " unreachable nodes in one pass (" INT64_FORMAT " needed a search)",
							 linked, searched)));
	pfree(reached);
	pfree(queue);
	pfree(frontier);
}

/* ---- writing the graph ---- */

typedef struct PagePacker
{
	BlockNumber blkno;			/* page being filled */
	int			lower;			/* simulated pd_lower */
	int			upper;			/* simulated pd_upper */
	OffsetNumber next;			/* next offset on the page */
} PagePacker;

static void
packer_new_page(PagePacker *p)
{
	p->blkno++;
	p->lower = SizeOfPageHeaderData;
	p->upper = BLCKSZ - MAXALIGN(sizeof(HnswPageOpaqueData));
	p->next = FirstOffsetNumber;
}

/* Reserves room for a tuple as PageAddItem would; returns its TID. */
static ItemPointerData
packer_place(PagePacker *p, Size size)
{
	ItemPointerData tid;

	if (p->lower + (int) sizeof(ItemIdData) > p->upper - (int) MAXALIGN(size))
		packer_new_page(p);
	p->lower += sizeof(ItemIdData);
	p->upper -= MAXALIGN(size);
	ItemPointerSet(&tid, p->blkno, p->next);
	p->next++;
	return tid;
}

/* bytes of node id's tuple */
static Size
node_tuple_size(BuildState *bs, int64 id)
{
	const HnswNodeLayout *l = &bs->info.layouts[node_at(bs, id)->level];

	return HnswNodeSize(l, vec_size(bs, node_vec(bs, id)));
}

/*
 * Forms the node tuple of node id into buf (zeroed, node_tuple_size):
 * links as final TIDs (tids[]), tree edges pinned, its chunks and TID list
 * head.
 */
static void
form_node_tuple(BuildState *bs, int64 id, const ItemPointerData *tids,
				const ItemPointerData *chunk_tids, ItemPointerData tidlist, char *buf)
{
	BuildNode  *n = node_at(bs, id);
	const HnswNodeLayout *l = &bs->info.layouts[n->level];
	HnswNode	t = (HnswNode) buf;
	Size		vecbytes = vec_size(bs, node_vec(bs, id));

	HnswNodeInit(t, l, vecbytes);
	t->ntids = n->ntids;
	t->version = 0;
	t->tidlist = tidlist;
	for (int i = 0; i < HNSW_HEAPTIDS; i++)
	{
		if (i < n->ntids)
			t->heaptids[i] = n->heaptids[i];
		else
			ItemPointerSetInvalid(&t->heaptids[i]);
	}
	for (int layer = 0; layer <= n->level; layer++)
	{
		uint16	   *hdr;
		uint32	   *ids;
		float	   *dists;
		HnswList	list;

		node_list(bs, id, layer, &hdr, &ids, &dists);
		list.count = hdr[0];
		list.nsel = hdr[1];
		for (int i = 0; i < list.count; i++)
		{
			list.tids[i] = tids[ids[i]];
			list.dists[i] = dists[i];
			list.pinned[i] = tree_edge(bs, id, layer, ids[i]);
		}
		HnswListWrite(t, l, layer, HnswLayerCap(bs->g->m, layer), &list);
	}
	for (int i = 0; i < HNSW_RESCUE_LINKS; i++)
	{
		if (n->rescue[i] != NO_RESCUE)
			HnswNodeRescue(t, l)[i] = tids[n->rescue[i]];
		else
			ItemPointerSetInvalid(&HnswNodeRescue(t, l)[i]);
	}
	if (bs->info.tenant >= 0)
	{
		HnswList	empty = {0};

		/* filled by build_tenant_lists once every node is on disk */
		HnswListWrite(t, l, HNSW_TENANT_LIST, HnswTenantCap(&bs->info), &empty);
	}
	memcpy(HnswNodePayload(t, l), node_payload(bs, n), bs->g->payload_bytes);
	if (!HnswNodeIsExternal(t))
		memcpy(HnswNodeVector(t, l), node_vec(bs, id), vecbytes);
	else
		memcpy(HnswNodeChunks(t, l), chunk_tids,
			   sizeof(ItemPointerData) * HnswChunkCount(vecbytes));
}

/*
 * Writes page as block expect of the index being built, the block after the
 * last one written: straight to the relation's file (smgrextend), as
 * nbtree's and GiST's sorted builds do, not through shared buffers (which
 * would extend the file by a zero page per block, then hold every page of
 * the graph in a buffer of its own to be written again later).  wal:
 * WAL-log it now, a full-page image of the local copy; else finish_index
 * logs the relation's pages at the end.  finish_index syncs the file.
 */
static void
emit_page(Relation index, Page page, BlockNumber expect, bool wal)
{
	Assert(smgrnblocks(RelationGetSmgr(index), MAIN_FORKNUM) == expect);
	if (wal)
		log_newpage(VecdbRelFile(index), MAIN_FORKNUM, expect, page, true);
	PageSetChecksumInplace(page, expect);
	smgrextend(RelationGetSmgr(index), MAIN_FORKNUM, expect, (char *) page, true);
	if (expect != HNSW_METAPAGE_BLKNO)
		RecordPageWithFreeSpace(index, expect, PageGetFreeSpace(page));
}

/*
 * Writes tuples in packing order: each goes to the page being filled, the
 * page to the index when the next tuple does not fit.  With index NULL it
 * only places them (the first pass, which learns every node's TID).
 */
typedef struct PageWriter
{
	Relation	index;
	bool		wal;			/* emit_page's */
	PagePacker	p;
	Page		page;
	BlockNumber cur;
} PageWriter;

static void
writer_init(PageWriter *w, Relation index, Page page, bool wal)
{
	w->index = index;
	w->wal = wal;
	w->page = page;
	w->p.blkno = HNSW_METAPAGE_BLKNO;
	packer_new_page(&w->p);
	w->cur = w->p.blkno;
	if (index)
		HnswInitPage(page, HNSW_PAGE_NODES);
}

static ItemPointerData
writer_add(PageWriter *w, Item item, Size size)
{
	ItemPointerData tid = packer_place(&w->p, size);

	if (w->index == NULL)
		return tid;
	if (w->p.blkno != w->cur)
	{
		emit_page(w->index, w->page, w->cur, w->wal);
		HnswInitPage(w->page, HNSW_PAGE_NODES);
		w->cur = w->p.blkno;
	}
	if (PageAddItem(w->page, item, size, InvalidOffsetNumber, false, false) !=
		ItemPointerGetOffsetNumber(&tid))
		elog(ERROR, "hnsw build: tuple placed off its planned slot");
	return tid;
}

static void
writer_finish(PageWriter *w)
{
	if (w->index && PageGetMaxOffsetNumber(w->page) > 0)
		emit_page(w->index, w->page, w->cur, w->wal);
}

/*
 * Writes node id's satellite tuples: its vector's chunks (TIDs to
 * chunk_tids) and the TID lists holding the heap TIDs beyond its inline
 * ones (returns the head of their chain).  buf is scratch room for a tuple.
 */
static ItemPointerData
write_satellites(BuildState *bs, PageWriter *w, int64 id, ItemPointerData owner,
				 ItemPointerData *chunk_tids, char *buf)
{
	BuildNode  *n = node_at(bs, id);
	const HnswNodeLayout *l = &bs->info.layouts[n->level];
	Size		vecbytes = vec_size(bs, node_vec(bs, id));
	int			nchunks = HnswVectorChunks(l, vecbytes);
	ItemPointerData head;
	uint64		boff = n->tids_off;
	int			bpos = 0;

	for (int c = 0; c < nchunks; c++)
	{
		Size		nb = HnswChunkBytes(vecbytes, c);
		HnswChunk	chunk = (HnswChunk) buf;

		memset(chunk, 0, HNSW_CHUNK_HEADER_SIZE);
		chunk->type = HNSW_TUPLE_CHUNK;
		chunk->nbytes = (uint16) nb;
		chunk->xmin = FrozenTransactionId;
		memcpy(chunk->x, node_vec(bs, id) + (Size) c * HNSW_CHUNK_MAX_BYTES, nb);
		chunk_tids[c] = writer_add(w, (Item) chunk, HNSW_CHUNK_HEADER_SIZE + nb);
	}
	ItemPointerSetInvalid(&head);
	for (int64 left = n->nextra; left > 0;)
	{
		int			cnt = (int) Min(left, (int64) HNSW_TIDLIST_MAX_TIDS);
		HnswTidList list = (HnswTidList) buf;

		memset(list, 0, HNSW_TIDLIST_HEADER_SIZE);
		list->type = HNSW_TUPLE_TIDLIST;
		list->ntids = list->cap = cnt;
		list->owner = owner;
		list->owner_version = 0;
		list->next = head;
		for (int i = 0; i < cnt; i++)
		{
			TidBlock   *b = (TidBlock *) (bs->base + boff);

			list->tids[i] = b->tids[bpos++];
			if (bpos == b->n)
			{
				boff = b->next;
				bpos = 0;
			}
		}
		head = writer_add(w, (Item) list, HnswTidListSize(cnt));
		left -= cnt;
	}
	return head;
}

/*
 * Writes the whole in-memory graph: metapage, then each node's satellite
 * tuples and the node, in node id order.  The index must be empty.  Two
 * passes over the same placement: the first learns every node's TID (tuple
 * sizes depend only on levels and heap TID counts), so links are written
 * once, as final TIDs.
 */
static void
graph_write(BuildState *bs)
{
	BuildGraph *g = bs->g;
	ItemPointerData *tids;
	ItemPointerData *params;
	ItemPointerData chunk_tids[HNSW_MAX_VECBYTES / HNSW_CHUNK_MAX_BYTES + 1];
	PageWriter	w;
	Page		page = (Page) palloc(BLCKSZ);
	char	   *tuple = palloc0(HNSW_MAX_TUPLE_SIZE);
	HnswMetaPage meta;

	pgstat_progress_update_param(PROGRESS_CREATEIDX_SUBPHASE, HNSW_PHASE_WRITE);
	pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_TOTAL, g->nnodes);
	pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_DONE, 0);

	/* pass 1: every node's TID, after the codes' parameters' chunks */
	tids = palloc_extended(mul_size(sizeof(ItemPointerData), Max(g->nnodes, 1)),
						   MCXT_ALLOC_HUGE);
	params = palloc(sizeof(ItemPointerData) * Max(HnswParamsChunks(&bs->info), 1));
	writer_init(&w, NULL, NULL, false);
	for (int c = 0; c < HnswParamsChunks(&bs->info); c++)
		params[c] = packer_place(&w.p, HnswParamsChunk(&bs->info, c, tuple));
	for (int64 id = 0; id < g->nnodes; id++)
	{
		BuildNode  *n = node_at(bs, id);
		const HnswNodeLayout *l = &bs->info.layouts[n->level];
		Size		vecbytes = vec_size(bs, node_vec(bs, id));

		for (int c = 0; c < HnswVectorChunks(l, vecbytes); c++)
			packer_place(&w.p, HNSW_CHUNK_HEADER_SIZE + HnswChunkBytes(vecbytes, c));
		for (int64 left = n->nextra; left > 0; left -= HNSW_TIDLIST_MAX_TIDS)
			packer_place(&w.p, HnswTidListSize(Min(left, (int64) HNSW_TIDLIST_MAX_TIDS)));
		tids[id] = packer_place(&w.p, node_tuple_size(bs, id));
	}

	/* metapage */
	HnswInitMetaPage(page, &bs->info, params);
	meta = HnswPageGetMeta(page);
	if (g->entry >= 0)
	{
		meta->entry = tids[g->entry];
		meta->entry_level = g->entry_level;
		meta->entry_version = 0;
	}
	emit_page(bs->index, page, HNSW_METAPAGE_BLKNO, bs->wal_now);

	/* pass 2: the same placement, for real */
	writer_init(&w, bs->index, page, bs->wal_now);
	for (int c = 0; c < HnswParamsChunks(&bs->info); c++)
	{
		Size		size = HnswParamsChunk(&bs->info, c, tuple);
		ItemPointerData tid PG_USED_FOR_ASSERTS_ONLY = writer_add(&w, (Item) tuple, size);

		Assert(ItemPointerEquals(&tid, &params[c]));
	}
	for (int64 id = 0; id < g->nnodes; id++)
	{
		Size		size = node_tuple_size(bs, id);
		ItemPointerData head;
		ItemPointerData tid PG_USED_FOR_ASSERTS_ONLY;

		CHECK_FOR_INTERRUPTS();
		head = write_satellites(bs, &w, id, tids[id], chunk_tids, tuple);
		memset(tuple, 0, size);
		form_node_tuple(bs, id, tids, chunk_tids, head, tuple);
		tid = writer_add(&w, (Item) tuple, size);
		Assert(ItemPointerEquals(&tid, &tids[id]));
		if ((id & 1023) == 0)
			pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_DONE, id);
	}
	writer_finish(&w);
	pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_DONE, g->nnodes);

	pfree(tuple);
	pfree(page);
	pfree(tids);
	pfree(params);
}

/* The NOTICE pgvector users know, when the arena overflowed. */
static void
report_overflow(BuildGraph *g)
{
	if (g->full)
		ereport(NOTICE,
				(errmsg("hnsw graph no longer fits into maintenance_work_mem after " INT64_FORMAT " tuples",
						g->ntuples),
				 errdetail("Building will take significantly more time."),
				 errhint("Increase maintenance_work_mem to speed up builds.")));
}

/*
 * The leader, no worker running: say if the arena overflowed, make every
 * node reachable, write the pages.
 */
static void
write_graph(BuildState *bs)
{
	report_overflow(bs->g);
	/* pages edited after the write (spooled rows, tenant lists) are logged at the end */
	bs->wal_now = RelationNeedsWAL(bs->index) && !bs->g->full && bs->info.tenant < 0;
	graph_connect(bs);
	graph_write(bs);
}

/* ---- the heap scan ---- */

/*
 * Appends a row that did not fit to this participant's spool: its heap
 * TID, its vector's size, its vector, its filter values.
 */
static void
spool_row(BuildState *bs, ItemPointer tid, const char *vec)
{
	Size		vecbytes = vec_size(bs, vec);

	if (bs->spool == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(bs->buildctx);

		if (bs->shared)
		{
			char		name[64];

			snprintf(name, sizeof(name), "hnsw-spool-%d", bs->participant);
			bs->spool = BufFileCreateFileSet(VecdbFileSetOf(&bs->shared->fileset), name);
		}
		else
			bs->spool = BufFileCreateTemp(false);
		MemoryContextSwitchTo(old);
	}
	BufFileWrite(bs->spool, tid, sizeof(ItemPointerData));
	BufFileWrite(bs->spool, &vecbytes, sizeof(vecbytes));
	BufFileWrite(bs->spool, unconstify(char *, vec), vecbytes);
	BufFileWrite(bs->spool, bs->payload, bs->info.filter.payload_bytes);
	bs->nspooled++;
}

static void
build_callback(Relation index, ItemPointer tid, Datum *values, bool *isnull,
			   bool tupleIsAlive, void *state)
{
	BuildState *bs = (BuildState *) state;
	MemoryContext old;
	char	   *vec;

	bs->reltuples++;
	if (isnull[0])
		return;

	old = MemoryContextSwitchTo(bs->tmpctx);
	vec = HnswFormValue(&bs->info, values[0], true, NULL);
	if (vec != NULL)
	{
		HnswFilterForm(&bs->info.filter, values + 1, isnull + 1, bs->payload);
		if (bs->g->full || !graph_insert(bs, vec, tid))
			spool_row(bs, tid, vec);
		bs->indtuples++;
		if (bs->leader && ((int64) bs->indtuples & 255) == 0)
		{
			int64		done;

			SpinLockAcquire(&bs->g->mutex);
			done = bs->g->ntuples;
			SpinLockRelease(&bs->g->mutex);
			pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_DONE, done);
		}
	}
	MemoryContextSwitchTo(old);
	MemoryContextReset(bs->tmpctx);
}

/* Sets up a participant's local state around the shared (or local) graph. */
static void
init_state(BuildState *bs, Relation heap, Relation index, HnswIndexInfo *info,
		   BuildGraph *g)
{
	memset(bs, 0, sizeof(*bs));
	bs->heap = heap;
	bs->index = index;
	bs->info = *info;
	bs->g = g;
	bs->base = (char *) g;
	bs->visited = palloc_extended(mul_size(sizeof(uint32), Max(g->max_nodes, 1)),
								  MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
	bs->epoch = 0;
	bs->memo = palloc_extended(mul_size(sizeof(DistMemo), Max(g->max_nodes, 1)),
							   MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
	bs->query_no = 0;
	bs->tmpctx = AllocSetContextCreate(CurrentMemoryContext, "hnsw build tuple",
									   ALLOCSET_DEFAULT_SIZES);
	bs->buildctx = CurrentMemoryContext;
	bs->payload = palloc0(Max(info->filter.payload_bytes, 1));
}

/*
 * The last step of every build: free space known to the FSM's upper levels;
 * when the relation needs WAL, every page WAL-logged whole unless the write
 * did (logged: no page edit of the build was logged on its own, HnswEdit),
 * then the file synced, since emit_page's writes bypassed shared buffers
 * and so no checkpoint will flush them.
 */
static void
finish_index(Relation index, bool logged)
{
	FreeSpaceMapVacuum(index);
	if (RelationNeedsWAL(index))
	{
		if (!logged)
			log_newpage_range(index, MAIN_FORKNUM, 0, RelationGetNumberOfBlocks(index), true);
		smgrimmedsync(RelationGetSmgr(index), MAIN_FORKNUM);
	}
}

/*
 * The tenant lists of a graph just written (an index with a tenant key):
 * a pass over the pages, with the build's unlogged page edits.
 */
static void
build_tenant_lists(BuildState *bs)
{
	if (bs->info.tenant < 0)
		return;
	bs->info.building = true;
	bs->info.hints = HnswGetBufferHints(bs->index);
	HnswTenantBuildLists(bs->index, &bs->info);
}

/*
 * Inserts the rows of one spool file through the on-disk insert path, with
 * the build's shortcuts: page edits unlogged (finish_index logs the pages),
 * buffer hints, and no separate search for a duplicate first (the insert
 * still gives an identical vector's node the heap TID, as a build does).
 */
static void
insert_spooled(BuildState *bs, BufFile *file)
{
	ItemPointerData tid;
	Size		vecbytes;
	Size		pbytes = bs->info.filter.payload_bytes;
	char	   *vec = palloc(bs->info.vecbytes);

	bs->info.building = true;
	bs->info.hints = HnswGetBufferHints(bs->index);

	if (BufFileSeek(file, 0, 0, SEEK_SET) != 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not rewind hnsw build spool file")));
	for (;;)
	{
		MemoryContext old;

		if (BufFileRead(file, &tid, sizeof(tid)) != sizeof(tid))
			break;
		if (BufFileRead(file, &vecbytes, sizeof(vecbytes)) != sizeof(vecbytes) ||
			vecbytes > bs->info.vecbytes ||
			BufFileRead(file, vec, vecbytes) != vecbytes ||
			BufFileRead(file, bs->payload, pbytes) != pbytes)
			ereport(ERROR,
					(errcode_for_file_access(),
					 errmsg("could not read hnsw build spool file")));
		CHECK_FOR_INTERRUPTS();
		old = MemoryContextSwitchTo(bs->tmpctx);
		HnswInsertVector(bs->index, &bs->info, vec, bs->payload, &tid, false);
		MemoryContextSwitchTo(old);
		MemoryContextReset(bs->tmpctx);
	}
	pfree(vec);
}

/* A participant's scan is over: share its counts and its spool file. */
static void
finish_scan(BuildState *bs)
{
	HnswBuildShared *shared = bs->shared;

	if (bs->spool)
		BufFileExportFileSet(bs->spool);
	SpinLockAcquire(&shared->mutex);
	shared->reltuples += bs->reltuples;
	shared->indtuples += bs->indtuples;
	if (bs->nspooled > 0 && shared->nspool < (int) lengthof(shared->spooled))
		shared->spooled[shared->nspool++] = bs->participant;
	SpinLockRelease(&shared->mutex);
	if (bs->spool)
		BufFileClose(bs->spool);
	/* pgvector's texts, which users match */
	if (bs->leader)
		ereport(DEBUG1, (errmsg_internal("leader processed " INT64_FORMAT " tuples",
										 (int64) bs->reltuples)));
	else
		ereport(DEBUG1, (errmsg_internal("worker processed " INT64_FORMAT " tuples",
										 (int64) bs->reltuples)));
	bs->spool = NULL;
}

/*
 * Phase 1 of a parallel build that overflowed: claim spool files one at a
 * time and insert their rows on disk, beside the other participants (the
 * on-disk insert path is concurrent).
 */
static void
insert_spools(BuildState *bs)
{
	HnswBuildShared *shared = bs->shared;

	for (;;)
	{
		int			i;
		char		name[64];
		BufFile    *file;

		SpinLockAcquire(&shared->mutex);
		i = shared->next_spool < shared->nspool ? shared->next_spool++ : -1;
		SpinLockRelease(&shared->mutex);
		if (i < 0)
			break;
		snprintf(name, sizeof(name), "hnsw-spool-%d", shared->spooled[i]);
		file = BufFileOpenFileSet(VecdbFileSetOf(&shared->fileset), name, O_RDONLY, false);
		insert_spooled(bs, file);
		BufFileClose(file);
	}
}

/* ---- parallel build ---- */

PGDLLEXPORT void HnswParallelBuildMain(dsm_segment *seg, shm_toc *toc);

/* Runs in each worker: scan a share of the heap into the shared graph. */
void
HnswParallelBuildMain(dsm_segment *seg, shm_toc *toc)
{
	HnswBuildShared *shared = shm_toc_lookup(toc, PARALLEL_KEY_SHARED, false);
	BuildGraph *g = shm_toc_lookup(toc, PARALLEL_KEY_GRAPH, false);
	char	   *sharedquery = shm_toc_lookup(toc, PARALLEL_KEY_QUERY_TEXT, true);
	float	   *params = shm_toc_lookup(toc, PARALLEL_KEY_PARAMS, true);
	LOCKMODE	heapLockmode = shared->isconcurrent ? ShareUpdateExclusiveLock : ShareLock;
	LOCKMODE	indexLockmode = shared->isconcurrent ? RowExclusiveLock : AccessExclusiveLock;
	Relation	heap;
	Relation	index;
	IndexInfo  *indexInfo;
	HnswIndexInfo info;
	BuildState	bs;
	TableScanDesc scan;

	if (sharedquery)
		debug_query_string = sharedquery;
	pgstat_report_activity(STATE_RUNNING, debug_query_string);

	LWLockRegisterTranche(shared->lock_tranche, "hnsw build");
	SharedFileSetAttach(&shared->fileset, seg);

	heap = table_open(shared->heaprelid, heapLockmode);
	index = index_open(shared->indexrelid, indexLockmode);
	HnswFillIndexInfo(&info, index, VecdbElemTypeGet(shared->elemtype),
					  (VecdbElemKind) shared->stored, shared->dims, shared->m,
					  shared->ef_construction, (VecdbMetric) shared->metric,
					  HnswTenantColumn(index));
	info.params = params;
	init_state(&bs, heap, index, &info, g);
	bs.shared = shared;
	bs.participant = ParallelWorkerNumber + 1;

	if (shared->phase == 1)
	{
		insert_spools(&bs);
		index_close(index, indexLockmode);
		table_close(heap, heapLockmode);
		return;
	}

	indexInfo = BuildIndexInfo(index);
	indexInfo->ii_Concurrent = shared->isconcurrent;
	scan = table_beginscan_parallel(heap, ParallelTableScanFromShared(shared));
	table_index_build_scan(heap, index, indexInfo, true, true, build_callback, &bs, scan);

	finish_scan(&bs);

	index_close(index, indexLockmode);
	table_close(heap, heapLockmode);
}

/* How many workers to ask for: 0 for a serial build. */
static int
choose_workers(Relation heap, Relation index, IndexInfo *indexInfo, double ntuples,
			   int dims)
{
	int			nworkers;

	if (max_parallel_maintenance_workers <= 0 || !IsUnderPostmaster ||
		RelationUsesLocalBuffers(heap))
		return 0;
	nworkers = plan_create_index_workers(RelationGetRelid(heap), RelationGetRelid(index));
	/*
	 * The planner sizes workers by heap pages, but vectors live mostly in
	 * TOAST: a table of large vectors looks tiny.  When the index has no
	 * expressions or predicate (so nothing else stands in the way), size by
	 * the vector data instead.
	 */
	if (nworkers == 0 && indexInfo->ii_Expressions == NIL &&
		indexInfo->ii_Predicate == NIL && RelationGetParallelWorkers(heap, -1) != 0 &&
		ntuples * dims >= 1000000)
		nworkers = max_parallel_maintenance_workers;
	if (RelationGetParallelWorkers(heap, -1) > 0)
		nworkers = Min(nworkers, RelationGetParallelWorkers(heap, -1));
	return Min(nworkers, 63);
}

/* Undoes parallel_build's setup, on every way out. */
static void
end_parallel(ParallelContext *pcxt, Snapshot snapshot)
{
	if (IsMVCCSnapshot(snapshot))
		UnregisterSnapshot(snapshot);
	DestroyParallelContext(pcxt);
	ExitParallelMode();
}

/*
 * Builds the graph with nworkers workers plus the leader.  Returns false
 * (nothing done) if no worker could be launched, for a serial build.
 */
static bool
parallel_build(Relation heap, Relation index, IndexInfo *indexInfo, HnswIndexInfo *info,
			   int nworkers, Size graphsize, double *reltuples, double *indtuples)
{
	ParallelContext *pcxt;
	Snapshot	snapshot;
	Size		sharedsize;
	HnswBuildShared *shared;
	BuildGraph *g;
	BuildState	bs;
	TableScanDesc scan;
	int			tranche = LWLockNewTrancheId();
	char	   *querycopy;
	Size		querylen;

	EnterParallelMode();
	pcxt = CreateParallelContext("vecdb", "HnswParallelBuildMain", nworkers);

	snapshot = indexInfo->ii_Concurrent ? RegisterSnapshot(GetTransactionSnapshot()) : SnapshotAny;
	sharedsize = add_size(MAXALIGN(sizeof(HnswBuildShared)),
						  table_parallelscan_estimate(heap, snapshot));
	shm_toc_estimate_chunk(&pcxt->estimator, sharedsize);
	shm_toc_estimate_chunk(&pcxt->estimator, graphsize);
	querylen = debug_query_string ? strlen(debug_query_string) : 0;
	shm_toc_estimate_chunk(&pcxt->estimator, querylen + 1);
	if (info->params)
		shm_toc_estimate_chunk(&pcxt->estimator, mul_size(sizeof(float), info->nparams));
	shm_toc_estimate_keys(&pcxt->estimator, 4);
	InitializeParallelDSM(pcxt);
	if (pcxt->seg == NULL)
	{
		end_parallel(pcxt, snapshot);
		return false;
	}

	shared = shm_toc_allocate(pcxt->toc, sharedsize);
	memset(shared, 0, sizeof(HnswBuildShared));
	shared->heaprelid = RelationGetRelid(heap);
	shared->indexrelid = RelationGetRelid(index);
	shared->isconcurrent = indexInfo->ii_Concurrent;
	shared->dims = info->dims;
	shared->elemtype = info->source->kind;
	shared->stored = info->type->kind;
	shared->m = info->m;
	shared->ef_construction = info->ef_construction;
	shared->metric = info->metric;
	shared->lock_tranche = tranche;
	SpinLockInit(&shared->mutex);
	SharedFileSetInit(&shared->fileset, pcxt->seg);
	table_parallelscan_initialize(heap, ParallelTableScanFromShared(shared), snapshot);
	shm_toc_insert(pcxt->toc, PARALLEL_KEY_SHARED, shared);

	LWLockRegisterTranche(tranche, "hnsw build");
	g = graph_init(shm_toc_allocate(pcxt->toc, graphsize), graphsize, info, true, tranche);
	shm_toc_insert(pcxt->toc, PARALLEL_KEY_GRAPH, g);

	querycopy = shm_toc_allocate(pcxt->toc, querylen + 1);
	if (querylen > 0)
		memcpy(querycopy, debug_query_string, querylen + 1);
	else
		querycopy[0] = '\0';
	shm_toc_insert(pcxt->toc, PARALLEL_KEY_QUERY_TEXT, querycopy);
	if (info->params)
	{
		float	   *params = shm_toc_allocate(pcxt->toc, sizeof(float) * info->nparams);

		memcpy(params, info->params, sizeof(float) * info->nparams);
		shm_toc_insert(pcxt->toc, PARALLEL_KEY_PARAMS, params);
	}

	LaunchParallelWorkers(pcxt);
	if (pcxt->nworkers_launched == 0)
	{
		WaitForParallelWorkersToFinish(pcxt);
		end_parallel(pcxt, snapshot);
		return false;
	}
	ereport(DEBUG1,
			(errmsg_internal("using %d parallel workers", pcxt->nworkers_launched)));

	/* the leader takes part */
	init_state(&bs, heap, index, info, g);
	bs.shared = shared;
	bs.participant = 0;
	bs.leader = true;
	scan = table_beginscan_parallel(heap, ParallelTableScanFromShared(shared));
	table_index_build_scan(heap, index, indexInfo, true, true, build_callback, &bs, scan);
	finish_scan(&bs);

	WaitForParallelWorkersToFinish(pcxt);

	/* write the graph, then the rows that did not fit */
	g->concurrent = false;
	write_graph(&bs);
	build_tenant_lists(&bs);
	if (shared->nspool > 0)
	{
		/* the workers come back to insert the spooled rows with the leader */
		pgstat_progress_update_param(PROGRESS_CREATEIDX_SUBPHASE, HNSW_PHASE_INSERT_REST);
		shared->phase = 1;
		shared->next_spool = 0;
		ReinitializeParallelDSM(pcxt);
		LaunchParallelWorkers(pcxt);
		insert_spools(&bs);
		WaitForParallelWorkersToFinish(pcxt);
	}
	finish_index(index, bs.wal_now);
	*reltuples = shared->reltuples;
	*indtuples = shared->indtuples;

	end_parallel(pcxt, snapshot);
	return true;
}

/*
 * Whether the table's statistics know its row count: from 14 a table never
 * vacuumed or analyzed has reltuples -1; 13 leaves 0 there, with 0 pages.
 */
static bool
rel_tuples_known(Relation heap)
{
#if PG_VERSION_NUM >= 140000
	return heap->rd_rel->reltuples >= 0;
#else
	return heap->rd_rel->relpages > 0;
#endif
}

IndexBuildResult *
hnswbuild(Relation heap, Relation index, IndexInfo *indexInfo)
{
	IndexBuildResult *result;
	HnswIndexInfo info;
	MemoryContext buildctx;
	MemoryContext old;
	const VecdbElemType *type;
	VecdbMetric metric;
	int			dims;
	int			m = HnswGetM(index);
	int			efc = HnswGetEfConstruction(index);
	double		reltuples = 0;
	double		indtuples = 0;
	BlockNumber pages;
	double		tuples;
	double		allvisfrac;
	Size		budget = (Size) maintenance_work_mem * 1024;
	Size		graphsize;
	int			nworkers;

	if (RelationGetNumberOfBlocks(index) != 0)
		elog(ERROR, "index \"%s\" already contains data", RelationGetRelationName(index));
	metric = HnswMetricFromIndex(index, &type);
	HnswCheckColumn(index, type, &dims);
	if (efc < 2 * m)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("ef_construction must be greater than or equal to 2 * m")));
	HnswFillIndexInfo(&info, index, type, HnswStoredKind(index, type), dims, m, efc, metric,
					  HnswTenantColumn(index));

	buildctx = AllocSetContextCreate(CurrentMemoryContext, "hnsw build",
									 ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(buildctx);

	estimate_rel_size(heap, NULL, &pages, &tuples, &allvisfrac);
	pgstat_progress_update_param(PROGRESS_CREATEIDX_SUBPHASE, HNSW_PHASE_LOAD);
	pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_TOTAL, (int64) Max(tuples, 0));

	/* codes measured with parameters need them before the first row is coded */
	HnswParamsCompute(heap, index, indexInfo, &info);
	nworkers = choose_workers(heap, index, indexInfo, tuples, dims);
	/*
	 * The shared graph is a DSM segment of fixed size: size it for the rows
	 * the statistics promise, with room to spare, when there are statistics;
	 * a table never analyzed gets the whole budget (its size estimate comes
	 * from heap pages, which say little about vectors stored in TOAST).
	 */
	if (nworkers > 0 && rel_tuples_known(heap))
		graphsize = Min(budget, graph_size_for(&info, Max(heap->rd_rel->reltuples * 1.2, 1000)));
	else
		graphsize = budget;
	if (nworkers == 0 ||
		!parallel_build(heap, index, indexInfo, &info, nworkers, graphsize,
						&reltuples, &indtuples))
	{
		/* serial */
		BuildState	bs;
		BuildGraph *g = graph_init(MemoryContextAllocHuge(CurrentMemoryContext, budget),
								   budget, &info, false, 0);

		init_state(&bs, heap, index, &info, g);
		bs.leader = true;
		reltuples = table_index_build_scan(heap, index, indexInfo, true, true,
										   build_callback, &bs, NULL);
		write_graph(&bs);
		build_tenant_lists(&bs);
		if (bs.spool)
		{
			pgstat_progress_update_param(PROGRESS_CREATEIDX_SUBPHASE, HNSW_PHASE_INSERT_REST);
			insert_spooled(&bs, bs.spool);
			BufFileClose(bs.spool);
		}
		finish_index(index, bs.wal_now);
		indtuples = bs.indtuples;
	}

	MemoryContextSwitchTo(old);
	MemoryContextDelete(buildctx);

	result = (IndexBuildResult *) palloc(sizeof(IndexBuildResult));
	result->heap_tuples = reltuples;
	result->index_tuples = indtuples;
	return result;
}

/* The empty index of an unlogged table: a metapage in the init fork. */
void
hnswbuildempty(Relation index)
{
	HnswIndexInfo info;
	const VecdbElemType *type;
	VecdbMetric metric = HnswMetricFromIndex(index, &type);
	int			dims;

	HnswCheckColumn(index, type, &dims);
	HnswFillIndexInfo(&info, index, type, HnswStoredKind(index, type), dims, HnswGetM(index),
					  HnswGetEfConstruction(index), metric, HnswTenantColumn(index));
	HnswWriteEmptyIndex(index, INIT_FORKNUM, &info);
}
