/*-------------------------------------------------------------------------
 *
 * hnswbuild.c
 *	  CREATE INDEX for HNSW: build the graph in memory, then write it out
 *	  page by page in one sequential pass.
 *
 * The in-memory graph lives in one arena of maintenance_work_mem bytes.
 * Node records (links of layer 0 and the vector, side by side, so a visit
 * touches one cache-friendly block) grow up from the bottom; upper-layer
 * link lists grow down from the top.  When the two meet, the graph built
 * so far is written to disk and the remaining rows go through the ordinary
 * insert path (hnswinsert.c), with a NOTICE.
 *
 * Writing: every node's TID is known before any page is written, because
 * tuple sizes depend only on node levels; so links are written once, as
 * final TIDs.  Pages go through shared buffers and are WAL-logged as full
 * page images (log_newpage_range) when the relation needs WAL.
 *
 * Copyright (c) 2026, vecdb developers
 *
 * src/hnswbuild.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/generic_xlog.h"
#include "access/tableam.h"
#include "access/xloginsert.h"
#include "catalog/index.h"
#include "commands/progress.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/bufmgr.h"
#include "storage/freespace.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "distance.h"
#include "hnsw.h"

/* header of an in-memory node record; links and vector follow */
typedef struct BuildNode
{
	ItemPointerData heaptids[HNSW_HEAPTIDS];
	uint8		level;
	uint8		ntids;
	uint16		list0[2];		/* layer 0: links in use, selected count */
	uint64		upper_off;		/* arena offset of layers 1..level lists */
} BuildNode;

typedef struct BuildGraph
{
	HnswIndexInfo *info;
	int			dims;
	int			m;
	int			cap0;			/* 2m */
	char	   *base;			/* the arena */
	Size		size;
	Size		upper_bottom;	/* upper lists occupy [upper_bottom, size) */
	Size		stride;			/* bytes per node record */
	Size		upper_list_size;	/* one upper layer's list: uint16 count,
									 * uint16 nsel, ids[m], dists[m] */
	int64		nnodes;
	int64		entry;			/* -1 when empty */
	int			entry_level;
	uint32	   *visited;		/* epoch tag per node */
	int64		visited_cap;
	uint32		epoch;
} BuildGraph;

typedef struct BuildState
{
	Relation	heap;
	Relation	index;
	IndexInfo  *indexInfo;
	HnswIndexInfo info;
	BuildGraph	g;
	bool		on_disk;		/* graph flushed: insert the rest on disk */
	double		reltuples;		/* rows seen */
	double		indtuples;		/* rows indexed */
	float	   *qbuf;			/* one vector */
	MemoryContext tmpctx;		/* reset per row */
} BuildState;

/* ---- arena accessors ---- */

static inline BuildNode *
node_at(BuildGraph *g, int64 id)
{
	return (BuildNode *) (g->base + id * g->stride);
}

static inline uint32 *
node_ids0(BuildGraph *g, BuildNode *n)
{
	return (uint32 *) ((char *) n + MAXALIGN(sizeof(BuildNode)));
}

static inline float *
node_dists0(BuildGraph *g, BuildNode *n)
{
	return (float *) (node_ids0(g, n) + g->cap0);
}

static inline float *
node_vec(BuildGraph *g, int64 id)
{
	return node_dists0(g, node_at(g, id)) + g->cap0;
}

/* list of layer (>= 0): header {count, nsel}, ids, dists */
static inline void
node_list(BuildGraph *g, int64 id, int layer, uint16 **hdr, uint32 **ids, float **dists)
{
	BuildNode  *n = node_at(g, id);

	if (layer == 0)
	{
		*hdr = n->list0;
		*ids = node_ids0(g, n);
		*dists = node_dists0(g, n);
	}
	else
	{
		char	   *p = g->base + n->upper_off + (layer - 1) * g->upper_list_size;

		*hdr = (uint16 *) p;
		*ids = (uint32 *) (p + 2 * sizeof(uint16));
		*dists = (float *) (*ids + g->m);
	}
}

static inline float
gdist(BuildGraph *g, const float *q, int64 id)
{
	return HnswDistanceFloats(g->info->metric, q, node_vec(g, id), g->dims);
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
	return c;
}

static inline int64
cand_id(const HnswCandidate *c)
{
	return (int64) ItemPointerGetBlockNumberNoCheck(&c->tid);
}

/* ---- the graph ---- */

/* Sets up an arena of budget bytes in the current memory context. */
static void
graph_init(BuildGraph *g, HnswIndexInfo *info, Size budget)
{
	g->info = info;
	g->dims = info->dims;
	g->m = info->m;
	g->cap0 = 2 * info->m;
	g->stride = MAXALIGN(add_size(MAXALIGN(sizeof(BuildNode)),
								  mul_size(sizeof(float), 2 * g->cap0 + (Size) g->dims)));
	g->upper_list_size = 2 * sizeof(uint16) + (Size) g->m * (sizeof(uint32) + sizeof(float));
	g->size = budget;
	g->base = MemoryContextAllocHuge(CurrentMemoryContext, budget);
	g->upper_bottom = budget;
	g->nnodes = 0;
	g->entry = -1;
	g->entry_level = -1;
	/* enough tags for an arena of level-0 nodes; grown if ever short */
	g->visited_cap = Max(budget / g->stride, 1024);
	g->visited = MemoryContextAllocHuge(CurrentMemoryContext,
										mul_size(sizeof(uint32), g->visited_cap));
	memset(g->visited, 0, sizeof(uint32) * g->visited_cap);
	g->epoch = 0;
}

/* Allocates a node of the given level; returns -1 when the arena is full. */
static int64
graph_alloc(BuildGraph *g, int level)
{
	Size		upper = level * g->upper_list_size;
	Size		nodes_end = (g->nnodes + 1) * g->stride;
	int64		id;
	BuildNode  *n;

	if (nodes_end + upper > g->upper_bottom || g->nnodes >= g->visited_cap ||
		g->nnodes >= (int64) MaxBlockNumber)
		return -1;
	id = g->nnodes++;
	g->upper_bottom -= upper;
	n = node_at(g, id);
	memset(n, 0, MAXALIGN(sizeof(BuildNode)));
	n->level = level;
	n->upper_off = g->upper_bottom;
	if (level > 0)
		memset(g->base + g->upper_bottom, 0, upper);
	return id;
}

static inline bool
visit(BuildGraph *g, int64 id)
{
	if (g->visited[id] == g->epoch)
		return false;
	g->visited[id] = g->epoch;
	return true;
}

static void
new_epoch(BuildGraph *g)
{
	if (++g->epoch == 0)
	{
		memset(g->visited, 0, sizeof(uint32) * g->visited_cap);
		g->epoch = 1;
	}
}

/* In-memory layer search: the same algorithm as HnswSearchLayer. */
static void
graph_search_layer(BuildGraph *g, const float *q, HnswCandidate *entries, int nentries,
				   int ef, int layer, HnswHeap *result)
{
	HnswHeap	cand;

	new_epoch(g);
	HnswHeapInit(&cand, ef * 4, false);
	for (int i = 0; i < nentries; i++)
	{
		visit(g, cand_id(&entries[i]));
		HnswHeapPush(&cand, &entries[i]);
		HnswHeapPush(result, &entries[i]);
		if (result->n > ef)
			HnswHeapPop(result);
	}
	while (cand.n > 0)
	{
		HnswCandidate c = HnswHeapPop(&cand);
		uint16	   *hdr;
		uint32	   *ids;
		float	   *dists;
		int			n;

		if (result->n >= ef && c.dist > HnswHeapTop(result)->dist)
			break;
		node_list(g, cand_id(&c), layer, &hdr, &ids, &dists);
		n = hdr[0];
		for (int i = 0; i < n; i++)
		{
			int64		e = ids[i];
			float		d;

			if (!visit(g, e))
				continue;
			d = gdist(g, q, e);
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
	BuildGraph *g;
	const HnswCandidate *cands;
} PairArg;

static float
pair_distance(void *arg, int i, int j)
{
	PairArg    *a = (PairArg *) arg;

	return HnswDistanceFloats(a->g->info->metric, node_vec(a->g, cand_id(&a->cands[i])),
							  node_vec(a->g, cand_id(&a->cands[j])), a->g->dims);
}

typedef struct LinkArg
{
	BuildGraph *g;
	const uint32 *ids;
	int64		x;
} LinkArg;

static float
link_distance(void *arg, int k)
{
	LinkArg    *a = (LinkArg *) arg;

	return HnswDistanceFloats(a->g->info->metric, node_vec(a->g, a->x),
							  node_vec(a->g, a->ids[k]), a->g->dims);
}

/* Gives node nb (on layer) a link to x at distance d: HnswBacklinkUpdate. */
static void
graph_backlink(BuildGraph *g, int64 nb, int layer, int64 x, float d)
{
	uint16	   *hdr;
	uint32	   *ids;
	float	   *dists;
	int			cap = HnswLayerCap(g->m, layer);
	int			order[2 * HNSW_MAX_M + 1];
	uint32		oids[2 * HNSW_MAX_M];
	float		odists[2 * HNSW_MAX_M];
	int			newn,
				newsel;
	LinkArg		arg = {g, NULL, x};

	node_list(g, nb, layer, &hdr, &ids, &dists);
	arg.ids = ids;
	newn = HnswBacklinkUpdate(hdr[0], hdr[1], cap, dists, d, link_distance, &arg,
							  order, &newsel);
	if (newn < 0)
		return;
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

/*
 * Adds one vector to the in-memory graph.  Returns false, changing nothing,
 * when the arena is full.
 */
static bool
graph_insert(BuildGraph *g, const float *q, ItemPointer heaptid)
{
	HnswIndexInfo *info = g->info;
	int			level = HnswRandomLevel(g->m, info->max_level);
	HnswCandidate ep;
	HnswCandidate *found[HNSW_MAX_LEVEL + 1];
	int			nfound[HNSW_MAX_LEVEL + 1];
	int			top;
	int64		id;
	BuildNode  *node;

	if (g->entry < 0)
	{
		if ((id = graph_alloc(g, level)) < 0)
			return false;
		node = node_at(g, id);
		node->heaptids[0] = *heaptid;
		node->ntids = 1;
		memcpy(node_vec(g, id), q, sizeof(float) * g->dims);
		g->entry = id;
		g->entry_level = level;
		return true;
	}

	/* greedy descent to the node's top layer */
	ep = mkcand(g->entry, gdist(g, q, g->entry));
	for (int layer = g->entry_level; layer > level; layer--)
	{
		bool		changed = true;

		while (changed)
		{
			uint16	   *hdr;
			uint32	   *ids;
			float	   *dists;

			changed = false;
			node_list(g, cand_id(&ep), layer, &hdr, &ids, &dists);
			for (int i = 0; i < hdr[0]; i++)
			{
				float		d = gdist(g, q, ids[i]);

				if (d < ep.dist)
				{
					ep = mkcand(ids[i], d);
					changed = true;
				}
			}
		}
	}

	/* ef_construction search on each layer the node will live on */
	top = Min(level, g->entry_level);
	{
		HnswCandidate *entries = &ep;
		int			nentries = 1;

		for (int layer = top; layer >= 0; layer--)
		{
			HnswHeap	w;

			HnswHeapInit(&w, info->ef_construction + 1, true);
			graph_search_layer(g, q, entries, nentries, info->ef_construction, layer, &w);
			HnswSortCandidates(w.items, w.n);
			found[layer] = w.items;
			nfound[layer] = w.n;
			entries = w.items;
			nentries = w.n;
		}
	}

	/* an identical vector already indexed takes the heap TID, if room */
	if (nfound[0] > 0)
	{
		BuildNode  *near = node_at(g, cand_id(&found[0][0]));

		if (near->ntids < HNSW_HEAPTIDS &&
			memcmp(node_vec(g, cand_id(&found[0][0])), q, sizeof(float) * g->dims) == 0)
		{
			near->heaptids[near->ntids++] = *heaptid;
			return true;
		}
	}

	if ((id = graph_alloc(g, level)) < 0)
		return false;
	node = node_at(g, id);
	node->heaptids[0] = *heaptid;
	node->ntids = 1;
	memcpy(node_vec(g, id), q, sizeof(float) * g->dims);

	for (int layer = top; layer >= 0; layer--)
	{
		int			cap = HnswLayerCap(g->m, layer);
		int		   *sel = palloc(sizeof(int) * cap);
		PairArg		arg = {g, found[layer]};
		int			nselected;
		int			nsel = HnswSelectNeighbors(found[layer], nfound[layer], cap,
											   pair_distance, &arg, sel, &nselected);
		uint16	   *hdr;
		uint32	   *ids;
		float	   *dists;

		node_list(g, id, layer, &hdr, &ids, &dists);
		for (int i = 0; i < nsel; i++)
		{
			ids[i] = (uint32) cand_id(&found[layer][sel[i]]);
			dists[i] = found[layer][sel[i]].dist;
		}
		hdr[0] = nsel;
		hdr[1] = nselected;
		for (int i = 0; i < nsel; i++)
			graph_backlink(g, ids[i], layer, id, dists[i]);
		pfree(sel);
	}
	if (level > g->entry_level)
	{
		g->entry = id;
		g->entry_level = level;
	}
	return true;
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

/* Forms the node tuple of node id into buf (zeroed, layout size). */
static void
form_node_tuple(BuildGraph *g, int64 id, const ItemPointerData *tids,
				const ItemPointerData *chunk_tids, char *buf)
{
	BuildNode  *n = node_at(g, id);
	const HnswNodeLayout *l = &g->info->layouts[n->level];
	HnswNode	t = (HnswNode) buf;

	t->type = HNSW_TUPLE_NODE;
	t->level = n->level;
	t->flags = l->external ? HNSW_NODE_EXTERNAL : 0;
	t->ntids = n->ntids;
	t->version = 0;
	t->nchunks = l->nchunks;
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
		int			cnt;
		ItemPointer out = HnswNodeTids(t, l, layer);

		node_list(g, id, layer, &hdr, &ids, &dists);
		cnt = hdr[0];
		HnswListCount(t, l, layer) = (uint8) cnt;
		HnswListNsel(t, l, layer) = (uint8) hdr[1];
		for (int i = 0; i < HnswLayerCap(g->m, layer); i++)
		{
			if (i < cnt)
				out[i] = tids[ids[i]];
			else
				ItemPointerSetInvalid(&out[i]);
		}
		memcpy(HnswNodeDists(t, l, layer), dists, sizeof(float) * cnt);
	}
	if (!l->external)
		memcpy(HnswNodeVector(t, l), node_vec(g, id), sizeof(float) * g->dims);
	else
		memcpy(HnswNodeChunks(t, l), chunk_tids, sizeof(ItemPointerData) * l->nchunks);
}

/* Writes a finished local page image as the next block of the index. */
static void
emit_page(Relation index, Page page, BlockNumber expect)
{
	Buffer		buf = ReadBufferExtended(index, MAIN_FORKNUM, P_NEW, RBM_NORMAL, NULL);

	if (BufferGetBlockNumber(buf) != expect)
		elog(ERROR, "hnsw build: wrote block %u, expected %u",
			 BufferGetBlockNumber(buf), expect);
	LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
	memcpy(BufferGetPage(buf), page, BLCKSZ);
	MarkBufferDirty(buf);
	UnlockReleaseBuffer(buf);
	if (expect != HNSW_METAPAGE_BLKNO)
		RecordPageWithFreeSpace(index, expect, PageGetFreeSpace(page));
}

static void
add_or_fail(Page page, Item item, Size size, ItemPointerData expect)
{
	if (PageAddItem(page, item, size, InvalidOffsetNumber, false, false) !=
		ItemPointerGetOffsetNumber(&expect))
		elog(ERROR, "hnsw build: tuple placed off its planned slot");
}

/*
 * Writes the whole in-memory graph: metapage, then node (and chunk) tuples
 * in node id order.  The index must be empty.
 */
static void
graph_write(BuildState *bs)
{
	BuildGraph *g = &bs->g;
	Relation	index = bs->index;
	ItemPointerData *tids;
	ItemPointerData *chunk_tids = NULL;
	int			nchunks_max = 0;
	PagePacker	p;
	Page		page;
	BlockNumber cur;
	char	   *tuple;
	HnswMetaPage meta;
	const int64 progress_total = g->nnodes;

	pgstat_progress_update_param(PROGRESS_CREATEIDX_SUBPHASE, HNSW_PHASE_WRITE);
	pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_TOTAL, progress_total);
	pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_DONE, 0);

	/* pass 1: every node's TID (and its chunks' TIDs) */
	tids = palloc_extended(mul_size(sizeof(ItemPointerData), Max(g->nnodes, 1)),
						   MCXT_ALLOC_HUGE);
	for (int level = 0; level <= HNSW_MAX_LEVEL; level++)
		nchunks_max = Max(nchunks_max, bs->info.layouts[level].nchunks);
	p.blkno = HNSW_METAPAGE_BLKNO;
	packer_new_page(&p);
	for (int64 id = 0; id < g->nnodes; id++)
	{
		const HnswNodeLayout *l = &bs->info.layouts[node_at(g, id)->level];

		for (int c = 0; c < l->nchunks; c++)
		{
			int			nf = Min(HNSW_CHUNK_MAX_FLOATS, g->dims - c * HNSW_CHUNK_MAX_FLOATS);

			packer_place(&p, HNSW_CHUNK_HEADER_SIZE + sizeof(float) * nf);
		}
		tids[id] = packer_place(&p, l->size);
	}

	/* metapage */
	page = (Page) palloc(BLCKSZ);
	HnswInitMetaPage(page, &bs->info);
	meta = HnswPageGetMeta(page);
	if (g->entry >= 0)
	{
		meta->entry = tids[g->entry];
		meta->entry_level = g->entry_level;
		meta->entry_version = 0;
	}
	emit_page(index, page, HNSW_METAPAGE_BLKNO);

	/* pass 2: the same placement, for real */
	tuple = palloc0(HNSW_MAX_TUPLE_SIZE);
	if (nchunks_max > 0)
		chunk_tids = palloc(sizeof(ItemPointerData) * nchunks_max);
	p.blkno = HNSW_METAPAGE_BLKNO;
	packer_new_page(&p);
	cur = p.blkno;
	HnswInitPage(page, HNSW_PAGE_NODES);
	for (int64 id = 0; id < g->nnodes; id++)
	{
		const HnswNodeLayout *l = &bs->info.layouts[node_at(g, id)->level];
		ItemPointerData tid;

		CHECK_FOR_INTERRUPTS();
		for (int c = 0; c < l->nchunks; c++)
		{
			int			nf = Min(HNSW_CHUNK_MAX_FLOATS, g->dims - c * HNSW_CHUNK_MAX_FLOATS);
			Size		sz = HNSW_CHUNK_HEADER_SIZE + sizeof(float) * nf;
			HnswChunk	chunk = (HnswChunk) tuple;

			tid = packer_place(&p, sz);
			if (p.blkno != cur)
			{
				emit_page(index, page, cur);
				HnswInitPage(page, HNSW_PAGE_NODES);
				cur = p.blkno;
			}
			memset(tuple, 0, sz);
			chunk->type = HNSW_TUPLE_CHUNK;
			chunk->nfloats = nf;
			chunk->xmin = FrozenTransactionId;
			memcpy(chunk->x, node_vec(g, id) + c * HNSW_CHUNK_MAX_FLOATS, sizeof(float) * nf);
			add_or_fail(page, (Item) tuple, sz, tid);
			chunk_tids[c] = tid;
		}
		tid = packer_place(&p, l->size);
		if (p.blkno != cur)
		{
			emit_page(index, page, cur);
			HnswInitPage(page, HNSW_PAGE_NODES);
			cur = p.blkno;
		}
		Assert(ItemPointerEquals(&tid, &tids[id]));
		memset(tuple, 0, l->size);
		form_node_tuple(g, id, tids, chunk_tids, tuple);
		add_or_fail(page, (Item) tuple, l->size, tid);
		if ((id & 1023) == 0)
			pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_DONE, id);
	}
	if (g->nnodes > 0)
		emit_page(index, page, cur);
	pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_DONE, g->nnodes);

	FreeSpaceMapVacuum(index);
	if (RelationNeedsWAL(index))
		log_newpage_range(index, MAIN_FORKNUM, 0, RelationGetNumberOfBlocks(index), true);

	pfree(tuple);
	pfree(page);
	pfree(tids);
	if (chunk_tids)
		pfree(chunk_tids);
}

/* ---- the heap scan ---- */

static void
build_callback(Relation index, ItemPointer tid, Datum *values, bool *isnull,
			   bool tupleIsAlive, void *state)
{
	BuildState *bs = (BuildState *) state;
	MemoryContext old;

	bs->reltuples++;
	if (isnull[0])
		return;

	old = MemoryContextSwitchTo(bs->tmpctx);
	if (HnswFormQuery(&bs->info, values[0], bs->qbuf))
	{
		if (!bs->on_disk && !graph_insert(&bs->g, bs->qbuf, tid))
		{
			ereport(NOTICE,
					(errmsg("hnsw graph no longer fits into maintenance_work_mem after " INT64_FORMAT " tuples",
							(int64) bs->indtuples),
					 errdetail("Building will take significantly more time."),
					 errhint("Increase maintenance_work_mem to speed up builds.")));
			MemoryContextSwitchTo(old);
			graph_write(bs);
			old = MemoryContextSwitchTo(bs->tmpctx);
			bs->on_disk = true;
			pgstat_progress_update_param(PROGRESS_CREATEIDX_SUBPHASE, HNSW_PHASE_INSERT_REST);
		}
		if (bs->on_disk)
			HnswInsertVector(index, &bs->info, bs->qbuf, tid, true);
		bs->indtuples++;
		pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_DONE, (int64) bs->indtuples);
	}
	MemoryContextSwitchTo(old);
	MemoryContextReset(bs->tmpctx);
}

IndexBuildResult *
hnswbuild(Relation heap, Relation index, IndexInfo *indexInfo)
{
	IndexBuildResult *result;
	BuildState	bs;
	MemoryContext graphctx;
	MemoryContext old;
	int			dims;
	int			m = HnswGetM(index);
	int			efc = HnswGetEfConstruction(index);
	double		reltuples;

	if (RelationGetNumberOfBlocks(index) != 0)
		elog(ERROR, "index \"%s\" already contains data", RelationGetRelationName(index));
	HnswCheckColumn(index, &dims);
	if (efc < 2 * m)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("ef_construction must be greater than or equal to 2 * m")));

	memset(&bs, 0, sizeof(bs));
	bs.heap = heap;
	bs.index = index;
	bs.indexInfo = indexInfo;
	HnswFillIndexInfo(&bs.info, dims, m, efc, HnswMetricFromIndex(index));

	graphctx = AllocSetContextCreate(CurrentMemoryContext, "hnsw build graph",
									 ALLOCSET_DEFAULT_SIZES);
	bs.tmpctx = AllocSetContextCreate(CurrentMemoryContext, "hnsw build tuple",
									  ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(graphctx);
	bs.qbuf = palloc(sizeof(float) * dims);
	graph_init(&bs.g, &bs.info, (Size) maintenance_work_mem * 1024);
	MemoryContextSwitchTo(old);

	pgstat_progress_update_param(PROGRESS_CREATEIDX_SUBPHASE, HNSW_PHASE_LOAD);
	pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_TOTAL,
								 (int64) Max(heap->rd_rel->reltuples, 0));
	reltuples = table_index_build_scan(heap, index, indexInfo, true, true,
									   build_callback, &bs, NULL);

	if (!bs.on_disk)
	{
		old = MemoryContextSwitchTo(graphctx);
		graph_write(&bs);
		MemoryContextSwitchTo(old);
	}

	MemoryContextDelete(graphctx);
	MemoryContextDelete(bs.tmpctx);

	result = (IndexBuildResult *) palloc(sizeof(IndexBuildResult));
	result->heap_tuples = reltuples;
	result->index_tuples = bs.indtuples;
	return result;
}

/* The empty index of an unlogged table: a metapage in the init fork. */
void
hnswbuildempty(Relation index)
{
	HnswIndexInfo info;
	int			dims;

	HnswCheckColumn(index, &dims);
	HnswFillIndexInfo(&info, dims, HnswGetM(index), HnswGetEfConstruction(index),
					  HnswMetricFromIndex(index));
	HnswWriteEmptyIndex(index, INIT_FORKNUM, &info);
}
