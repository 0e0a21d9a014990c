/*-------------------------------------------------------------------------
 *
 * hnswsearch.c
 *	  Searching the on-disk graph: candidate heaps, the visited set, node
 *	  reads, the layer search of the HNSW paper (Malkov & Yashunin,
 *	  Algorithm 2) and the greedy descent through upper layers.
 *
 * Locking: every node read pins its page and holds a share lock only while
 * copying what it needs (a distance, a neighbour list).  No function here
 * holds a buffer lock when it returns, and none holds two at once, so the
 * search can run beside inserts and vacuum in any order.  A node read
 * checks the version seen earlier: vacuum bumps it when a slot is reused,
 * and a stale reference is then skipped (src/README, "Versions").
 *
 * Copyright (c) 2026, vecdb developers
 *
 * src/hnsw/hnswsearch.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "common/hashfn.h"
#include "miscadmin.h"
#include "storage/buf_internals.h"
#include "utils/float.h"
#include "utils/rel.h"

#include "kernel/distance.h"
#include "hnsw.h"

/* ---- visited set: node TID -> distance, open addressing ---- */

typedef struct visited_entry
{
	uint64		key;
	char		status;
	float		dist;
} visited_entry;

#define SH_PREFIX visited
#define SH_ELEMENT_TYPE visited_entry
#define SH_KEY_TYPE uint64
#define SH_KEY key
#define SH_HASH_KEY(tb, k) HnswHashTid(k)
#define SH_EQUAL(tb, a, b) ((a) == (b))
#define SH_SCOPE static inline
#define SH_DEFINE
#define SH_DECLARE
#include "lib/simplehash.h"

static inline uint64
tid_key(ItemPointer tid)
{
	return ((uint64) ItemPointerGetBlockNumberNoCheck(tid) << 16) |
		ItemPointerGetOffsetNumberNoCheck(tid);
}

/*
 * Where pin_batch saw a batch entry's tuple, by an unlocked peek: only for
 * prefetching, never read through.
 */
typedef struct HnswPeek
{
	const char *tuple;			/* NULL if the slot held no tuple */
	int			len;
} HnswPeek;

/*
 * A scan's links arena (HnswSearch.links) is allocated in a backend-lifetime
 * context, and the largest freed one of at most SPARE_LINKS links is kept
 * for the next scan (src/README, "HNSW: filter columns"): a filtered
 * walk's arena grows to megabytes, and allocating and freeing that per
 * query had the C library hand the memory back to the kernel and fault it
 * in again every time.  Each scan's holder, in the scan's memory context,
 * gives the arena back when that context goes away (an error:
 * HnswSearchFree does it otherwise).  Other searches (inserts, VACUUM) keep
 * theirs in the caller's memory context, as they register no holder.
 */
#define SPARE_LINKS (1 << 20)

typedef struct HnswLinksHolder
{
	MemoryContextCallback cb;
	ItemPointerData *links;
	int32		cap;
} HnswLinksHolder;

static MemoryContext links_context = NULL;
static ItemPointerData *spare_links = NULL;
static int32 spare_links_cap = 0;

/* Gives an arena back: kept as the spare, or freed. */
static void
links_give_back(ItemPointerData *links, int32 cap)
{
	if (links == NULL)
		return;
	if (cap <= SPARE_LINKS && (spare_links == NULL || cap > spare_links_cap))
	{
		if (spare_links != NULL)
			pfree(spare_links);
		spare_links = links;
		spare_links_cap = cap;
	}
	else
		pfree(links);
}

/* The search's memory context is reset or deleted. */
static void
links_holder_reset(void *arg)
{
	HnswLinksHolder *h = (HnswLinksHolder *) arg;

	links_give_back(h->links, h->cap);
	h->links = NULL;
}

/* ---- candidate heaps ---- */

void
HnswHeapInit(HnswHeap *h, int cap, bool max)
{
	h->cap = Max(cap, 16);
	h->n = 0;
	h->max = max;
	h->items = palloc(sizeof(HnswCandidate) * h->cap);
}

static inline bool
heap_before(const HnswHeap *h, const HnswCandidate *a, const HnswCandidate *b)
{
	return h->max ? a->dist > b->dist : a->dist < b->dist;
}

void
HnswHeapPush(HnswHeap *h, const HnswCandidate *c)
{
	int			i;

	if (h->n == h->cap)
	{
		h->cap *= 2;
		h->items = repalloc(h->items, sizeof(HnswCandidate) * h->cap);
	}
	i = h->n++;
	while (i > 0)
	{
		int			parent = (i - 1) / 2;

		if (!heap_before(h, c, &h->items[parent]))
			break;
		h->items[i] = h->items[parent];
		i = parent;
	}
	h->items[i] = *c;
}

HnswCandidate
HnswHeapPop(HnswHeap *h)
{
	HnswCandidate top = h->items[0];
	HnswCandidate last;
	int			i = 0;

	Assert(h->n > 0);
	last = h->items[--h->n];
	for (;;)
	{
		int			child = 2 * i + 1;

		if (child >= h->n)
			break;
		if (child + 1 < h->n && heap_before(h, &h->items[child + 1], &h->items[child]))
			child++;
		if (!heap_before(h, &h->items[child], &last))
			break;
		h->items[i] = h->items[child];
		i = child;
	}
	if (h->n > 0)
		h->items[i] = last;
	return top;
}

HnswCandidate *
HnswHeapTop(HnswHeap *h)
{
	return h->n > 0 ? &h->items[0] : NULL;
}

/* ---- search state ---- */

void
HnswSearchInit(HnswSearch *s, Relation index, HnswIndexInfo *info,
			   const void *query, bool keep_distances)
{
	s->index = index;
	s->info = info;
	s->query = query;
	s->visited = visited_create(CurrentMemoryContext, 256, NULL);
	s->peek = palloc(sizeof(HnswPeek) * (HNSW_MAX_LINKS0 + HNSW_TENANT_MAX_LINKS));
	s->visited_count = 0;
	s->keep_distances = keep_distances;
	s->may_abandon = false;
	s->matches_only = false;
	s->filter = NULL;
	s->tenant_walk = false;
	s->tenant_value = 0;
	s->tenant_inside = false;
	s->skip_outsiders = false;
	s->tenant_only = false;
	s->walk_all = false;
	s->max_visits = 0;

	/*
	 * Early abandoning needs a distance that only grows as terms are added.
	 * L2 is one.  Cosine compares unit vectors (the index stores them
	 * normalized), and for unit vectors -dot = |q - v|^2 / 2 - 1, so a scan
	 * with a unit query can measure L2 instead, bounded the same way.  An
	 * insert keeps its cosine distances exact (they go into link lists).
	 */
	s->abandonable = info->metric == VECDB_METRIC_L2 &&
		info->type->kind == VECDB_ELEM_FLOAT;
	if (info->metric == VECDB_METRIC_COSINE && info->type->kind == VECDB_ELEM_FLOAT &&
		!keep_distances)
	{
		double		nn = vecdb_kernels->dot(query, query, info->dims);

		s->abandonable = fabs(nn - 1.0) < 1e-4;
	}
	s->links = NULL;
	s->links_used = 0;
	s->links_cap = 0;
	s->links_holder = NULL;
	if (!keep_distances)
	{
		/* a scan: one per scan memory context (inserts and VACUUM make many) */
		s->links_holder = palloc0(sizeof(HnswLinksHolder));
		s->links_holder->cb.func = links_holder_reset;
		s->links_holder->cb.arg = s->links_holder;
		MemoryContextRegisterResetCallback(CurrentMemoryContext, &s->links_holder->cb);
	}
	s->scratch = NULL;
	s->inside = NULL;
	s->radius = get_float4_infinity();
}

/*
 * A buffer of info->vecbytes (the largest vector) for external vectors read
 * while measuring, allocated once per search (a vector over 8 KB would
 * otherwise cost a malloc and a free for each node measured).
 */
char *
HnswSearchScratch(HnswSearch *s)
{
	if (s->scratch == NULL)
		s->scratch = palloc(s->info->vecbytes);
	return s->scratch;
}

void
HnswSearchFree(HnswSearch *s)
{
	visited_destroy(s->visited);
	s->visited = NULL;
	if (s->links_holder != NULL)
	{
		links_give_back(s->links, s->links_cap);
		s->links_holder->links = NULL;
	}
	else if (s->links != NULL)
		pfree(s->links);
	s->links = NULL;
	if (s->scratch)
		pfree(s->scratch);
	s->scratch = NULL;
	pfree(s->peek);
	s->peek = NULL;
}

/*
 * Remembers the distance from the query to node tid, measured elsewhere,
 * for HnswSearchVisitedDistance (the node counts as visited).
 */
void
HnswSearchRemember(HnswSearch *s, ItemPointer tid, float dist)
{
	bool		found;

	visited_insert(s->visited, tid_key(tid), &found)->dist = dist;
}

/* Distance to the query of an already-visited node, if remembered. */
bool
HnswSearchVisitedDistance(HnswSearch *s, ItemPointer tid, float *dist)
{
	visited_entry *e = visited_lookup(s->visited, tid_key(tid));

	if (e == NULL || !s->keep_distances || isnan(e->dist))
		return false;
	*dist = e->dist;
	return true;
}

/*
 * Buffer hints: for each index this backend reads, the buffer each block
 * was last seen in, so ReadRecentBuffer can skip the buffer mapping table.
 * Kept in a backend-lifetime hash keyed by relfilenode, not in rd_amcache
 * (which a relcache invalidation frees); never freed, and never wrong: a
 * stale hint just fails ReadRecentBuffer's tag check.
 */
#if PG_VERSION_NUM >= 140000 && PG_VERSION_NUM < 160000
typedef struct HnswBufferHints
{
	RelFileNode key;
	Buffer	   *recent;
	BlockNumber cap;
} HnswBufferHints;

static HTAB *hints_hash = NULL;
#endif

struct HnswBufferHints *
HnswGetBufferHints(Relation index)
{
#if PG_VERSION_NUM >= 140000 && PG_VERSION_NUM < 160000
	HnswBufferHints *h;
	bool		found;

	if (hints_hash == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(RelFileNode);
		ctl.entrysize = sizeof(HnswBufferHints);
		ctl.hcxt = TopMemoryContext;
		hints_hash = hash_create("vecdb hnsw buffer hints", 16, &ctl,
								 HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}
	h = hash_search(hints_hash, &index->rd_node, HASH_ENTER, &found);
	if (!found)
	{
		h->recent = NULL;
		h->cap = 0;
	}
	return h;
#else
	return NULL;
#endif
}

/*
 * Index buffers this backend read through HnswReadBuffer: a scan's share
 * is the growth during its calls (hnswscan.c).
 */
int64		hnsw_pages_read = 0;

/*
 * ReadBuffer, trying the block's hinted buffer first (info may be NULL: no
 * hints).  Counts the read in hnsw_pages_read.
 */
Buffer
HnswReadBuffer(Relation index, HnswIndexInfo *info, BlockNumber blkno)
{
	Buffer		buf;

#if PG_VERSION_NUM >= 140000 && PG_VERSION_NUM < 160000
	HnswBufferHints *h = info ? info->hints : NULL;

	hnsw_pages_read++;

	if (h != NULL && blkno < h->cap && BufferIsValid(h->recent[blkno]) &&
		ReadRecentBuffer(index->rd_node, MAIN_FORKNUM, blkno, h->recent[blkno]))
		return h->recent[blkno];
	buf = ReadBuffer(index, blkno);
	if (h != NULL && blkno < (BlockNumber) (1 << 24))
	{
		if (blkno >= h->cap)
		{
			BlockNumber newcap = Max(Max(blkno + 1, h->cap * 2), 1024);

			if (h->recent == NULL)
				h->recent = MemoryContextAllocZero(TopMemoryContext, sizeof(Buffer) * newcap);
			else
			{
				h->recent = repalloc(h->recent, sizeof(Buffer) * newcap);
				memset(h->recent + h->cap, 0, sizeof(Buffer) * (newcap - h->cap));
			}
			h->cap = newcap;
		}
		h->recent[blkno] = buf;
	}
#else
	hnsw_pages_read++;
	buf = ReadBuffer(index, blkno);
#endif
	return buf;
}

/*
 * Before a batch is pinned: if the block's hinted buffer is known, prefetch
 * its buffer header (pinning writes it) and the line pointer at off.  Only
 * addresses are computed -- nothing is read -- so a stale hint costs a
 * wasted prefetch, never a wrong answer.  Always inlined: GCC deems a
 * function that only prefetches pure, and drops calls to it.
 */
static pg_attribute_always_inline void
prefetch_hinted(HnswIndexInfo *info, BlockNumber blkno, OffsetNumber off)
{
#if PG_VERSION_NUM >= 140000 && PG_VERSION_NUM < 160000
	HnswBufferHints *h = info ? info->hints : NULL;

	if (h != NULL && blkno < h->cap && BufferIsValid(h->recent[blkno]) &&
		!BufferIsLocal(h->recent[blkno]))
	{
		Buffer		b = h->recent[blkno];

		__builtin_prefetch(GetBufferDescriptor(b - 1));
		__builtin_prefetch(PageGetItemId((Page) BufferGetBlock(b), off));
	}
#endif
}

/*
 * Reads the chunk tuples of an external vector of vecbytes bytes into out.
 * Raises XX002 if a chunk is missing or malformed, or if the bytes read
 * are not a value of that size.
 */
static void
read_chunks(Relation index, HnswIndexInfo *info, const ItemPointerData *chunks,
			Size vecbytes, char *out)
{
	int			nchunks = HnswChunkCount(vecbytes);
	Size		done = 0;

	for (int i = 0; i < nchunks; i++)
	{
		Buffer		buf = HnswReadBuffer(index, info, ItemPointerGetBlockNumber(&chunks[i]));
		Page		page;
		ItemId		iid;
		HnswChunk	chunk;
		int			n;

		if (ItemPointerGetBlockNumber(&chunks[i]) == HNSW_METAPAGE_BLKNO)
			ereport(ERROR,
					(errcode(ERRCODE_INDEX_CORRUPTED),
					 errmsg("index \"%s\" has a vector chunk pointer to its metapage",
							RelationGetRelationName(index))));

		LockBuffer(buf, BUFFER_LOCK_SHARE);
		page = BufferGetPage(buf);
		chunk = NULL;
		n = 0;
		if (ItemPointerGetOffsetNumber(&chunks[i]) <= PageGetMaxOffsetNumber(page))
		{
			iid = PageGetItemId(page, ItemPointerGetOffsetNumber(&chunks[i]));
			if (ItemIdIsNormal(iid) && ItemIdGetLength(iid) >= HNSW_CHUNK_HEADER_SIZE)
			{
				chunk = (HnswChunk) PageGetItem(page, iid);
				n = chunk->nbytes;
				if (ItemIdGetLength(iid) != HNSW_CHUNK_HEADER_SIZE + n)
					chunk = NULL;
			}
		}
		if (chunk == NULL || chunk->type != HNSW_TUPLE_CHUNK ||
			done + n > vecbytes)
			ereport(ERROR,
					(errcode(ERRCODE_INDEX_CORRUPTED),
					 errmsg("index \"%s\" has a missing or malformed vector chunk at (%u,%u)",
							RelationGetRelationName(index),
							ItemPointerGetBlockNumber(&chunks[i]),
							ItemPointerGetOffsetNumber(&chunks[i]))));
		memcpy(out + done, chunk->x, n);
		done += n;
		UnlockReleaseBuffer(buf);
	}
	if (done != vecbytes || HnswVecBytes(info, out) != vecbytes)
		ereport(ERROR,
				(errcode(ERRCODE_INDEX_CORRUPTED),
				 errmsg("index \"%s\" has a vector of %zu bytes, expected %zu",
						RelationGetRelationName(index), done, vecbytes)));
}

/*
 * The vector of an external node: buf is pinned and share-locked on entry
 * and released on exit.  The chunk TIDs are copied and the lock dropped,
 * but the pin kept while the chunks are read, so vacuum's cleanup lock
 * cannot free node and chunks under us.  Returns the distance to query
 * (if not NULL) and copies the vector to out (if not NULL).
 */
static float
read_external(Relation index, HnswIndexInfo *info, Buffer buf, HnswNode node,
			  const HnswNodeLayout *l, const void *query, char *out)
{
	ItemPointerData chunks[HNSW_MAX_VECBYTES / HNSW_CHUNK_MAX_BYTES + 1];
	Size		vecbytes = node->vecbytes;
	char	   *vec = out ? out : palloc(vecbytes);
	float		dist = 0;

	memcpy(chunks, HnswNodeChunks(node, l), sizeof(ItemPointerData) * HnswChunkCount(vecbytes));
	LockBuffer(buf, BUFFER_LOCK_UNLOCK);
	read_chunks(index, info, chunks, vecbytes, vec);
	ReleaseBuffer(buf);
	if (query)
		dist = HnswVecDistance(info, query, vec);
	if (vec != out)
		pfree(vec);
	return dist;
}

/* Whether node's tenant key holds the tenant walk's value. */
static inline bool
tenant_member(HnswSearch *s, HnswNode node)
{
	uint64		v;

	return HnswTenantOf(s->info, HnswNodePayload(node, &s->info->layouts[node->level]), &v) &&
		v == s->tenant_value;
}

/* Fills what a candidate takes from its node tuple; no links kept yet. */
static inline void
candidate_from_node(HnswSearch *s, HnswCandidate *out, ItemPointer tid, HnswNode node)
{
	out->tid = *tid;
	out->version = node->version;
	out->deleted = (node->flags & HNSW_NODE_DELETED) != 0 ||
		(s->filter != NULL &&
		 !HnswFilterMatch(s->filter, HnswNodePayload(node, &s->info->layouts[node->level])));
	out->in_tenant = s->tenant_walk && tenant_member(s, node);
	out->ntenant = 0;
	out->links_layer = -1;
	out->nlinks = 0;
	out->links_off = -1;
	out->within = false;
}

/*
 * For a radius search, marks whether the node just measured (its stored
 * value at vec) may hold rows within the radius: its distance is at most
 * the radius, or for a lossy stored form (codes, which never abandon), the
 * lower bound of its rows' exact distances is.  An abandoned distance is
 * below the exact one but above the search's bound, the farthest of the
 * band beyond the radius (HnswSearchLayer): never within, rightly.
 */
static inline void
mark_within(HnswSearch *s, HnswCandidate *c, const char *vec)
{
	const VecdbElemType *t = s->info->type;
	float		d = c->dist;

	if (s->inside == NULL)
		return;
	if (t->lower_bound != NULL)
		d = t->lower_bound(s->info->metric, d, s->query, vec, s->info->dims);
	c->within = d <= s->radius;
}

/*
 * Distance from the query to an inline vector.  Exact, unless the search
 * may abandon (see HnswSearchLayer): then a node farther than bound may get
 * some partial sum above bound instead.  A cosine search that may abandon
 * measures every node as -dot through L2 (HnswSearchInit), so all its
 * distances round alike.
 */
static inline float
inline_distance(HnswSearch *s, const char *vec, float bound)
{
	HnswIndexInfo *info = s->info;

	if (s->may_abandon && info->metric == VECDB_METRIC_COSINE)
		return HnswSaneDistance(vecdb_kernels->l2sq_bounded(s->query, (const float *) vec,
															info->dims,
															2.0 * ((double) bound + 1.0)) / 2.0 - 1.0);
	if (s->may_abandon && bound < get_float4_infinity())
		return (float) vecdb_kernels->l2sq_bounded(s->query, (const float *) vec, info->dims,
												   bound);
	return HnswVecDistance(info, s->query, vec);
}

/*
 * Distance from the query to the node at tid.  Fills out (tid, version,
 * dist, deleted) and *level.  Returns false if the slot holds no node any
 * more.  Pins and share-locks the node's page while reading; releases both.
 */
bool
HnswNodeDistance(HnswSearch *s, ItemPointer tid, HnswCandidate *out,
				 bool *deleted, int *level)
{
	HnswIndexInfo *info = s->info;
	Buffer		buf = HnswReadBuffer(s->index, info, ItemPointerGetBlockNumber(tid));
	HnswNode	node;
	const HnswNodeLayout *l;

	LockBuffer(buf, BUFFER_LOCK_SHARE);
	node = HnswGetNode(BufferGetPage(buf), ItemPointerGetOffsetNumber(tid), info);
	if (node == NULL)
	{
		UnlockReleaseBuffer(buf);
		return false;
	}
	l = &info->layouts[node->level];
	candidate_from_node(s, out, tid, node);
	*level = node->level;
	if (deleted)
		*deleted = out->deleted;
	if (!HnswNodeIsExternal(node))
	{
		out->dist = inline_distance(s, HnswNodeVector(node, l), get_float4_infinity());
		mark_within(s, out, HnswNodeVector(node, l));
		UnlockReleaseBuffer(buf);
	}
	else
	{
		out->dist = read_external(s->index, info, buf, node, l, s->query,
								  HnswSearchScratch(s));
		mark_within(s, out, s->scratch);
	}
	s->visited_count++;
	return true;
}

/*
 * Copies the vector of the node at tid into out (room for info->vecbytes;
 * HnswVecBytes tells the vector's own size), and its filter values into
 * payload unless that is NULL (info->filter.payload_bytes), whatever its
 * version, and reports version, level and deletion.  Share-locks and
 * releases; returns false if the slot holds no node.
 */
bool
HnswNodeRead(Relation index, HnswIndexInfo *info, ItemPointer tid, char *out,
			 char *payload, uint16 *version, int *level, bool *deleted)
{
	Buffer		buf = HnswReadBuffer(index, info, ItemPointerGetBlockNumber(tid));
	HnswNode	node;
	const HnswNodeLayout *l;

	LockBuffer(buf, BUFFER_LOCK_SHARE);
	node = HnswGetNode(BufferGetPage(buf), ItemPointerGetOffsetNumber(tid), info);
	if (node == NULL)
	{
		UnlockReleaseBuffer(buf);
		return false;
	}
	l = &info->layouts[node->level];
	*version = node->version;
	*level = node->level;
	*deleted = (node->flags & HNSW_NODE_DELETED) != 0;
	if (payload != NULL)
		memcpy(payload, HnswNodePayload(node, l), info->filter.payload_bytes);
	if (!HnswNodeIsExternal(node))
	{
		memcpy(out, HnswNodeVector(node, l), node->vecbytes);
		UnlockReleaseBuffer(buf);
	}
	else
		read_external(index, info, buf, node, l, NULL, out);
	return true;
}

/*
 * Copies the vector of the node at tid (if it still has that version) into
 * out (info->vecbytes).  Share-locks and releases; returns false if the node
 * is gone.
 */
bool
HnswNodeVectorCopy(Relation index, HnswIndexInfo *info, ItemPointer tid,
				   uint16 version, char *out)
{
	uint16		v;
	int			level;
	bool		deleted;

	return HnswNodeRead(index, info, tid, out, NULL, &v, &level, &deleted) && v == version;
}

/*
 * Copies the links of the node at tid on one layer into out (room for
 * HNSW_MAX_LINKS0): what a search follows, rescue links included
 * (HnswNodeLinks).  Returns how many; 0 if the node is gone, has another
 * version, or is not on that layer.  Share-locks and releases the page.
 */
int
HnswNodeNeighbors(Relation index, HnswIndexInfo *info, ItemPointer tid,
				  uint16 version, int layer, ItemPointerData *out)
{
	Buffer		buf = HnswReadBuffer(index, info, ItemPointerGetBlockNumber(tid));
	HnswNode	node;
	int			n = 0;

	LockBuffer(buf, BUFFER_LOCK_SHARE);
	node = HnswGetNode(BufferGetPage(buf), ItemPointerGetOffsetNumber(tid), info);
	if (node != NULL && node->version == version && HnswNodeHasList(node, info, layer) &&
		node->level <= info->max_level)
	{
		n = HnswNodeLinks(node, &info->layouts[node->level], layer, info->m, out);
	}
	UnlockReleaseBuffer(buf);
	return n;
}

/* Marks tid visited; returns false if it already was. */
static inline bool
visit(HnswSearch *s, ItemPointer tid)
{
	bool		found;
	visited_entry *e = visited_insert(s->visited, tid_key(tid), &found);

	if (!found)
		e->dist = get_float4_nan();
	return !found;
}

static inline void
remember(HnswSearch *s, const HnswCandidate *c)
{
	if (s->keep_distances)
	{
		visited_entry *e = visited_lookup(s->visited, tid_key((ItemPointer) &c->tid));

		if (e)
			e->dist = c->dist;
	}
}

/*
 * Reads the entry point from the metapage and measures it.  Returns false
 * when the index is empty.  Retries if vacuum replaced the entry point
 * between our metapage read and the node read.
 */
bool
HnswSearchEntry(HnswSearch *s, HnswCandidate *ep, int *ep_level)
{
	for (int attempt = 0; attempt < 1000; attempt++)
	{
		HnswMetaPageData meta;
		int			level;

		HnswReadMeta(s->index, &meta);
		if (meta.entry_level < 0 || !ItemPointerIsValid(&meta.entry))
			return false;
		if (HnswNodeDistance(s, &meta.entry, ep, NULL, &level) &&
			ep->version == meta.entry_version)
		{
			*ep_level = meta.entry_level;
			return true;
		}
		CHECK_FOR_INTERRUPTS();
	}
	ereport(ERROR,
			(errcode(ERRCODE_INDEX_CORRUPTED),
			 errmsg("index \"%s\" has an entry point that does not exist",
					RelationGetRelationName(s->index))));
	return false;
}

/* room for n more links in the search's arena */
static inline void
links_reserve(HnswSearch *s, int n)
{
	if (s->links_used + n > s->links_cap)
	{
		int32		newcap = Max(s->links_cap * 2, s->links_used + n + 1024);

		if (s->links_holder == NULL)
		{
			/* not a scan: the arena is the caller's memory context's */
			s->links = s->links == NULL ? palloc(sizeof(ItemPointerData) * newcap) :
				repalloc_huge(s->links, sizeof(ItemPointerData) * newcap);
			s->links_cap = newcap;
			return;
		}
		if (s->links == NULL && spare_links != NULL)
		{
			s->links = spare_links;
			s->links_cap = spare_links_cap;
			spare_links = NULL;
		}
		if (s->links == NULL)
		{
			if (links_context == NULL)
				links_context = AllocSetContextCreate(TopMemoryContext, "vecdb hnsw links",
													  ALLOCSET_DEFAULT_SIZES);
			s->links = MemoryContextAllocExtended(links_context,
												  sizeof(ItemPointerData) * newcap,
												  MCXT_ALLOC_HUGE);
			s->links_cap = newcap;
		}
		else if (s->links_used + n > s->links_cap)
		{
			s->links = repalloc_huge(s->links, sizeof(ItemPointerData) * newcap);
			s->links_cap = newcap;
		}
		s->links_holder->links = s->links;
		s->links_holder->cap = s->links_cap;
	}
}

/*
 * The links a search follows from node c on layer into out (room for
 * HNSW_MAX_LINKS0 + HNSW_TENANT_MAX_LINKS): in a tenant walk, a member's tenant links
 * first (c->ntenant of them), then the layer's (HnswNodeLinks), unless the
 * walk follows tenant links only.
 */
static int
walk_links(HnswSearch *s, HnswCandidate *c, HnswNode node, const HnswNodeLayout *l,
		   int layer, ItemPointerData *out)
{
	int			nt = 0;

	if (layer == 0 && c->in_tenant)
	{
		nt = Min(HnswListCount(node, l, HNSW_TENANT_LIST), HnswTenantCap(s->info));
		memcpy(out, HnswNodeTids(node, l, HNSW_TENANT_LIST), sizeof(ItemPointerData) * nt);
		if (s->tenant_only)
		{
			c->ntenant = (uint8) nt;
			return nt;
		}
	}
	c->ntenant = (uint8) nt;
	return nt + HnswNodeLinks(node, l, layer, s->info->m, out + nt);
}

/*
 * walk_links of node c read from its page: 0 if the node is gone, has
 * another version, or is not on that layer.  Share-locks and releases.
 */
static int
read_walk_links(HnswSearch *s, HnswCandidate *c, int layer, ItemPointerData *out)
{
	Buffer		buf = HnswReadBuffer(s->index, s->info, ItemPointerGetBlockNumber(&c->tid));
	HnswNode	node;
	int			n = 0;

	LockBuffer(buf, BUFFER_LOCK_SHARE);
	node = HnswGetNode(BufferGetPage(buf), ItemPointerGetOffsetNumber(&c->tid), s->info);
	if (node != NULL && node->version == c->version && layer <= node->level)
		n = walk_links(s, c, node, &s->info->layouts[node->level], layer, out);
	UnlockReleaseBuffer(buf);
	return n;
}

/* Copies node's links on layer into the search's arena, noted in c. */
static void
keep_links(HnswSearch *s, HnswCandidate *c, HnswNode node, const HnswNodeLayout *l,
		   int layer)
{
	int			n;

	links_reserve(s, HNSW_MAX_LINKS0 + HNSW_TENANT_MAX_LINKS);
	n = walk_links(s, c, node, l, layer, s->links + s->links_used);
	c->links_layer = layer;
	c->nlinks = n;
	c->links_off = s->links_used;
	s->links_used += n;
}

/*
 * Measures one node of a layer search whose page is already pinned (buf;
 * released here).  When the node is close enough to become a candidate
 * (dist < bound), its links on this layer are copied into the arena under
 * the same lock, so expanding it later reads no page.  Returns false if
 * the slot holds no usable node.
 */
static bool
measure_pinned(HnswSearch *s, Buffer buf, ItemPointer tid, int layer, float bound,
			   HnswCandidate *out)
{
	HnswIndexInfo *info = s->info;
	HnswNode	node;
	const HnswNodeLayout *l;

	LockBuffer(buf, BUFFER_LOCK_SHARE);
	node = HnswGetNode(BufferGetPage(buf), ItemPointerGetOffsetNumber(tid), info);
	if (node == NULL || node->level < layer)
	{
		UnlockReleaseBuffer(buf);
		return false;
	}
	l = &info->layouts[node->level];
	candidate_from_node(s, out, tid, node);
	if (s->matches_only && out->deleted)
	{
		/* beyond the routing bound: a failing node is neither measured nor followed */
		UnlockReleaseBuffer(buf);
		out->dist = get_float4_infinity();
		return true;
	}
	if (s->skip_outsiders && s->tenant_inside && !out->in_tenant)
	{
		/* a tenant walk inside its tenant never needs this node's distance */
		UnlockReleaseBuffer(buf);
		out->dist = get_float4_infinity();
		return true;
	}
	if (!HnswNodeIsExternal(node))
	{
		out->dist = inline_distance(s, HnswNodeVector(node, l), bound);
		mark_within(s, out, HnswNodeVector(node, l));
		if (out->dist < bound || out->within || s->walk_all)
			keep_links(s, out, node, l, layer);
		UnlockReleaseBuffer(buf);
	}
	else
	{
		/* read_external releases the page: take the links first */
		keep_links(s, out, node, l, layer);
		out->dist = read_external(s->index, info, buf, node, l, s->query,
								  HnswSearchScratch(s));
		mark_within(s, out, s->scratch);
	}
	s->visited_count++;
	return true;
}

/*
 * Pins the pages of a batch of nodes about to be measured and prefetches
 * each one's line pointer and tuple head, so the cache misses of the batch
 * overlap; notes where each tuple lies in s->peek.  measure_pinned then
 * locks, measures and releases each.
 */
static void
pin_batch(HnswSearch *s, const ItemPointerData *todo, int ntodo, Buffer *bufs)
{
	for (int i = 0; i < ntodo; i++)
		prefetch_hinted(s->info, ItemPointerGetBlockNumber(&todo[i]),
						ItemPointerGetOffsetNumber(&todo[i]));
	for (int i = 0; i < ntodo; i++)
	{
		Page		page;

		bufs[i] = HnswReadBuffer(s->index, s->info, ItemPointerGetBlockNumber(&todo[i]));
		page = BufferGetPage(bufs[i]);
		__builtin_prefetch(PageGetItemId(page, ItemPointerGetOffsetNumber(&todo[i])));
	}
	for (int i = 0; i < ntodo; i++)
	{
		Page		page = BufferGetPage(bufs[i]);
		OffsetNumber off = ItemPointerGetOffsetNumber(&todo[i]);
		HnswPeek   *p = &s->peek[i];

		/* an unlocked peek, only to prefetch: the lock is taken later */
		p->tuple = NULL;
		if (off <= PageGetMaxOffsetNumber(page))
		{
			ItemId		iid = PageGetItemId(page, off);

			/* within the page: prefetch_ahead may read the filter slots */
			if (ItemIdIsNormal(iid) && ItemIdGetOffset(iid) + ItemIdGetLength(iid) <= BLCKSZ)
			{
				p->tuple = (char *) page + ItemIdGetOffset(iid);
				p->len = ItemIdGetLength(iid);
				HnswPrefetchBytes(p->tuple, 0, 256);
			}
		}
	}
}

/*
 * Before batch entry i is measured: prefetches the rest of the tuple
 * HNSW_PREFETCH_AHEAD entries on (at i = 0, of every entry up to there),
 * beyond the head pin_batch fetched, so that one vector's cache misses
 * overlap the arithmetic on the ones before it.  Not the vector of a node
 * that s->matches_only will not measure: its filter slots, in the head,
 * are tested unlocked, which can only waste or skip a prefetch.
 */
static pg_attribute_always_inline void
prefetch_ahead(HnswSearch *s, int i, int ntodo)
{
	for (int j = (i == 0 ? 0 : i + HNSW_PREFETCH_AHEAD);
		 j <= i + HNSW_PREFETCH_AHEAD && j < ntodo; j++)
	{
		const HnswPeek *p = &s->peek[j];

		if (p->tuple == NULL)
			continue;
		if (s->matches_only &&
			p->len >= HNSW_NODE_HEADER_SIZE + (int) s->info->filter.payload_bytes &&
			!HnswFilterMatch(s->filter, p->tuple + HNSW_NODE_HEADER_SIZE))
			continue;
		HnswPrefetchBytes(p->tuple, 256, p->len);
	}
}

static inline void
push_result(HnswSearch *s, HnswHeap *result, int ef, const HnswCandidate *c,
			HnswHeap *discarded)
{
	if (s->inside != NULL && c->within)
	{
		HnswHeapPush(s->inside, c);
		return;
	}
	HnswHeapPush(result, c);
	if (result->n > ef)
	{
		HnswCandidate out = HnswHeapPop(result);

		if (discarded)
			HnswHeapPush(discarded, &out);
	}
}

/*
 * A complete tenant walk's queue: every member it met, in the order met,
 * those from head on still to measure; and its own visited set, an open
 * addressing table of node keys (0, the metapage's block, is no node) with
 * room for twice the most members the walk queues (limit), so it never
 * grows: the walk checks 2m links per member, most of them met before.
 */
typedef struct TenantQueue
{
	ItemPointerData *tids;
	int			n;
	int			limit;
	uint64	   *keys;
	uint32		mask;
} TenantQueue;

/* Queues tid unless it was met before or the queue is full. */
static inline void
queue_tid(TenantQueue *q, ItemPointer tid)
{
	uint64		key = tid_key(tid);
	uint32		i = HnswHashTid(key) & q->mask;

	if (q->n >= q->limit || key == 0)
		return;
	while (q->keys[i] != 0)
	{
		if (q->keys[i] == key)
			return;
		i = (i + 1) & q->mask;
	}
	q->keys[i] = key;
	q->tids[q->n++] = *tid;
}

/*
 * Queues member c's tenant links: those copied when it was measured, else
 * read from its page.
 */
static void
queue_tenant_links(HnswSearch *s, HnswCandidate *c, TenantQueue *q)
{
	const ItemPointerData *links;

	if (c->links_layer != 0 || c->links_off < 0)
	{
		links_reserve(s, HNSW_MAX_LINKS0 + HNSW_TENANT_MAX_LINKS);
		c->links_off = s->links_used;
		c->nlinks = read_walk_links(s, c, 0, s->links + c->links_off);
	}
	links = s->links + c->links_off;
	for (int i = 0; i < c->ntenant; i++)
		if (ItemPointerIsValid(&links[i]))
			queue_tid(q, (ItemPointer) &links[i]);
}

/*
 * A complete tenant walk (src/README, "HNSW: tenants"): from entry, a
 * member of s's tenant already measured and not yet visited, measures
 * every member that tenant links reach, breadth first, at most limit of
 * them, and keeps the ef nearest live ones in result (a max-heap); the
 * others go to discarded, if not NULL (an iterative scan); a radius search
 * keeps every live member within in s->inside.  No candidate
 * heap: each member's tenant links are queued as it is measured, copied
 * under its page's lock, and the arena holds one batch's.  Pages of
 * non-members are never read.  The members measured are visited in s.
 */
void
HnswTenantWalkAll(HnswSearch *s, HnswCandidate *entry, int limit, int ef, HnswHeap *result,
				  HnswHeap *discarded)
{
	Buffer	   *bufs = palloc(sizeof(Buffer) * (HNSW_MAX_LINKS0 + HNSW_TENANT_MAX_LINKS));
	uint32		size = pg_nextpower2_32((uint32) Max(limit, 32) * 2);
	TenantQueue q = {palloc(sizeof(ItemPointerData) * limit), 0, limit,
	palloc0(sizeof(uint64) * size), size - 1};
	int			head = 1;
	int32		arena = s->links_used;

	s->tenant_only = s->tenant_inside = s->skip_outsiders = s->walk_all = true;
	s->may_abandon = s->abandonable && discarded == NULL && !s->keep_distances &&
		s->inside == NULL;
	queue_tid(&q, &entry->tid);
	if (!entry->deleted)
		push_result(s, result, ef, entry, discarded);
	entry->links_layer = -1;	/* read its tenant links */
	queue_tenant_links(s, entry, &q);
	while (head < q.n)
	{
		int			ntodo = Min(q.n - head, HNSW_MAX_LINKS0 + HNSW_TENANT_MAX_LINKS);
		ItemPointerData *todo = q.tids + head;

		CHECK_FOR_INTERRUPTS();
		head += ntodo;
		s->links_used = arena;
		pin_batch(s, todo, ntodo, bufs);
		for (int i = 0; i < ntodo; i++)
		{
			HnswCandidate e;
			float		bound = result->n < ef ? get_float4_infinity() :
				HnswHeapTop(result)->dist;

			prefetch_ahead(s, i, ntodo);
			if (!measure_pinned(s, bufs[i], &todo[i], 0, bound, &e) || !e.in_tenant)
				continue;
			if (!e.deleted &&
				(e.within || result->n < ef || e.dist < HnswHeapTop(result)->dist))
				push_result(s, result, ef, &e, discarded);
			else if (discarded)
				HnswHeapPush(discarded, &e);
			queue_tenant_links(s, &e, &q);
		}
	}
	for (int i = 0; i < q.n; i++)
		visit(s, &q.tids[i]);
	s->links_used = arena;
	s->skip_outsiders = s->walk_all = false;
	pfree(q.tids);
	pfree(q.keys);
	pfree(bufs);
}

/*
 * The nearest matches whose farthest is a filtered walk's routing bound
 * (HNSW_FILTER_ROUTE_PERCENT of ef), or 0: no such bound, in a walk with
 * no filter, on an upper layer, a tenant walk, a radius search, or one that
 * sets nodes aside for an iterative scan.
 */
static inline int
route_count(HnswSearch *s, int layer, int ef, const HnswHeap *discarded)
{
	if (s->filter == NULL || layer != 0 || discarded != NULL || s->tenant_walk ||
		s->inside != NULL || s->keep_distances)
		return 0;
	return Max(1, ef * HNSW_FILTER_ROUTE_PERCENT / 100);
}

/* Notes a match found: route keeps the nroute nearest (a max-heap). */
static inline void
route_note(HnswHeap *route, int nroute, const HnswCandidate *c)
{
	if (nroute == 0 || c->deleted)
		return;
	HnswHeapPush(route, c);
	if (route->n > nroute)
		(void) HnswHeapPop(route);
}

/*
 * Whether a layer search must stop measuring: at s->max_visits nodes (0:
 * no limit), or in a filtered walk with a routing bound (route_count) that
 * already holds ef matches, at HNSW_FILTER_CONVERGE_FACTOR times that.
 */
static inline bool
visits_spent(HnswSearch *s, int nroute, const HnswHeap *result, int ef)
{
	int64		limit = s->max_visits;

	if (limit == 0)
		return false;
	if (nroute > 0 && result->n >= ef)
		limit *= HNSW_FILTER_CONVERGE_FACTOR;
	return s->visited_count >= limit;
}

/*
 * HNSW layer search.  entries: start nodes, distances known.  Fills result
 * (a max-heap) with up to ef nearest live nodes on this layer; deleted
 * nodes are walked through but never returned.  Nodes measured that fell
 * out of the result (or never made it), deleted ones included, go to
 * discarded, if not NULL: iterative scans resume from them.
 *
 * A radius search (s->inside set, no discarded) keeps every live node within
 * s->radius in s->inside, and expands every node within it, besides the ef
 * nearest nodes beyond it in result: a band that carries the walk across a
 * gap to more nodes within.  The walk ends when every candidate left is
 * beyond the radius and farther than the whole band, so it measures the
 * nodes within the radius and their neighbours, however large the graph.
 * (Under codes "within" is by each node's lower bound, which need not grow
 * with the code distance: candidates after the end are still popped, and
 * those within expanded.)
 *
 * A filtered walk's failing nodes route it like deleted ones, but once it
 * holds ef matches, a candidate farther than its nroute nearest matches
 * (route_count) measures only those of its neighbours that pass the
 * filter: failing ones are read for their filter slots only, and not
 * followed (src/README, "HNSW: filter columns").
 *
 * Expanding a candidate reads its links (usually copied when it was
 * measured), then pins every unvisited neighbour's page and prefetches its
 * line pointer and tuple before measuring them one by one, so the cache
 * misses of a batch overlap.
 */
void
HnswSearchLayer(HnswSearch *s, HnswHeap *entries, int ef, int layer,
				HnswHeap *result, HnswHeap *discarded)
{
	HnswHeap	cand;
	ItemPointerData *nbrs = palloc(sizeof(ItemPointerData) * (HNSW_MAX_LINKS0 + HNSW_TENANT_MAX_LINKS));
	ItemPointerData *todo = palloc(sizeof(ItemPointerData) * (HNSW_MAX_LINKS0 + HNSW_TENANT_MAX_LINKS));
	Buffer	   *bufs = palloc(sizeof(Buffer) * (HNSW_MAX_LINKS0 + HNSW_TENANT_MAX_LINKS));
	int			nroute = route_count(s, layer, ef, discarded);
	HnswHeap	route;

	/*
	 * Under L2, a node that cannot enter the result may stop being measured
	 * as soon as its partial distance passes the bound -- unless its exact
	 * distance is wanted later (set aside for an iterative scan, or
	 * remembered by an insert).
	 */
	s->may_abandon = s->abandonable && discarded == NULL &&
		!s->keep_distances;
	s->tenant_inside = false;
	s->skip_outsiders = s->tenant_walk && layer == 0 && discarded == NULL &&
		!s->keep_distances;
	HnswHeapInit(&cand, ef * 4, false);
	HnswHeapInit(&route, nroute + 1, true);
	for (int i = 0; i < entries->n; i++)
	{
		HnswCandidate *e = &entries->items[i];

		visit(s, &e->tid);
		remember(s, e);
		HnswHeapPush(&cand, e);
		s->tenant_inside |= e->in_tenant;
		if (!e->deleted)
			push_result(s, result, ef, e, discarded);
		route_note(&route, nroute, e);
	}

	while (cand.n > 0)
	{
		HnswCandidate c = HnswHeapPop(&cand);
		const ItemPointerData *links;
		int			n;
		int			ntodo = 0;
		bool		beyond = result->n >= ef && !c.within &&
			c.dist > HnswHeapTop(result)->dist;
		bool		spent = visits_spent(s, nroute, result, ef);

		/* a radius search: a later candidate may yet be within (codes) */
		if (beyond && !spent && s->inside != NULL)
			continue;
		if (beyond || spent)
		{
			/*
			 * Everything left is farther (or the search may measure no more
			 * nodes).  Each live candidate is already in the result or set
			 * aside (it entered both heaps together); deleted ones are set
			 * aside too, as places to resume from.
			 */
			if (discarded)
			{
				do
				{
					if (c.deleted)
						HnswHeapPush(discarded, &c);
					if (cand.n == 0)
						break;
					c = HnswHeapPop(&cand);
				} while (true);
			}
			break;
		}

		CHECK_FOR_INTERRUPTS();
		if (s->tenant_inside && !c.in_tenant)
		{
			/* inside the tenant, the walk leaves it no more */
			if (discarded)
				HnswHeapPush(discarded, &c);
			continue;
		}
		if (c.links_layer == layer && c.links_off >= 0)
		{
			links = s->links + c.links_off;
			n = c.nlinks;
		}
		else
		{
			n = read_walk_links(s, &c, layer, nbrs);
			links = nbrs;
		}
		/*
		 * A member's other links help only until ef matches are found, and
		 * not at all in a walk that started inside the tenant.
		 */
		if (c.in_tenant && (result->n >= ef || s->tenant_only))
			n = Min(n, c.ntenant);
		s->matches_only = nroute > 0 && result->n >= ef && route.n >= nroute &&
			c.dist > HnswHeapTop(&route)->dist;
		for (int i = 0; i < n; i++)
		{
			ItemPointerData t = links[i];

			if (ItemPointerIsValid(&t) && visit(s, &t))
				todo[ntodo++] = t;
		}

		pin_batch(s, todo, ntodo, bufs);
		for (int i = 0; i < ntodo; i++)
		{
			HnswCandidate e;
			float		bound = result->n < ef ? get_float4_infinity() : HnswHeapTop(result)->dist;

			prefetch_ahead(s, i, ntodo);
			if (!measure_pinned(s, bufs[i], &todo[i], layer, bound, &e))
				continue;
			remember(s, &e);
			if (s->tenant_inside && !e.in_tenant)
			{
				if (discarded)
					HnswHeapPush(discarded, &e);
				continue;
			}
			if (e.within || result->n < ef || e.dist < HnswHeapTop(result)->dist)
			{
				HnswHeapPush(&cand, &e);
				s->tenant_inside |= e.in_tenant;
				if (!e.deleted)
					push_result(s, result, ef, &e, discarded);
				route_note(&route, nroute, &e);
			}
			else if (discarded)
				HnswHeapPush(discarded, &e);	/* deleted too: a way on */
		}
	}
	pfree(cand.items);
	pfree(route.items);
	pfree(nbrs);
	pfree(todo);
	pfree(bufs);
	s->skip_outsiders = false;
	s->matches_only = false;

	/*
	 * Candidates set aside wait for a later call, maybe never: they forget
	 * their copied links (expanding one reads its page again), so that the
	 * arena holds one call's links, not those of every node an iterative
	 * scan ever measured.
	 */
	if (discarded)
	{
		for (int i = 0; i < discarded->n; i++)
		{
			discarded->items[i].links_layer = -1;
			discarded->items[i].links_off = -1;
		}
		s->links_used = 0;
	}
}

/*
 * Greedy walk (ef = 1) from ep down through layers from_level .. to_level
 * + 1, as in the paper's Algorithm 5.  Returns the closest node found;
 * may return a deleted node (it is still a good place to start).  Does not
 * use the visited set: upper layers are small.
 */
HnswCandidate
HnswGreedyDescend(HnswSearch *s, HnswCandidate ep, int from_level, int to_level)
{
	HnswIndexInfo *info = s->info;
	ItemPointerData *nbrs = palloc(sizeof(ItemPointerData) * info->m);
	ItemPointerData *todo = palloc(sizeof(ItemPointerData) * info->m);
	Buffer	   *bufs = palloc(sizeof(Buffer) * info->m);
	bool		saved_abandon = s->may_abandon;

	/* only a closer node matters here, so measuring may stop early */
	s->may_abandon = s->abandonable;
	for (int layer = from_level; layer > to_level; layer--)
	{
		int			n = HnswNodeNeighbors(s->index, info, &ep.tid, ep.version, layer, nbrs);

		for (;;)
		{
			HnswCandidate best = ep;
			int			ntodo = 0;

			CHECK_FOR_INTERRUPTS();
			for (int i = 0; i < n; i++)
				if (ItemPointerIsValid(&nbrs[i]) && !ItemPointerEquals(&nbrs[i], &ep.tid))
					todo[ntodo++] = nbrs[i];
			pin_batch(s, todo, ntodo, bufs);
			for (int i = 0; i < ntodo; i++)
			{
				HnswCandidate e;

				prefetch_ahead(s, i, ntodo);
				/* a closer node's links on this layer come with it */
				if (measure_pinned(s, bufs[i], &todo[i], layer, best.dist, &e) &&
					e.dist < best.dist)
					best = e;
			}
			if (ItemPointerEquals(&best.tid, &ep.tid))
				break;
			ep = best;
			if (ep.links_layer == layer && ep.links_off >= 0)
			{
				n = Min(ep.nlinks, info->m);
				memcpy(nbrs, s->links + ep.links_off, sizeof(ItemPointerData) * n);
			}
			else
				n = HnswNodeNeighbors(s->index, info, &ep.tid, ep.version, layer, nbrs);
		}
	}
	s->may_abandon = saved_abandon;
	pfree(nbrs);
	pfree(todo);
	pfree(bufs);
	return ep;
}

/*
 * Sets node c (measured) aside in discarded as a place for an iterative
 * scan to resume from, and marks it visited so that it is not met again.
 */
void
HnswSearchSetAside(HnswSearch *s, HnswHeap *discarded, HnswCandidate *c)
{
	if (visit(s, &c->tid))
	{
		c->links_layer = -1;
		c->links_off = -1;
		HnswHeapPush(discarded, c);
	}
}

/* Forgets visited nodes: each layer of an insert searches afresh. */
void
HnswSearchResetVisited(HnswSearch *s)
{
	visited_reset(s->visited);
}
