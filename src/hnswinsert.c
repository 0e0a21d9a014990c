/*-------------------------------------------------------------------------
 *
 * hnswinsert.c
 *	  Inserting one vector into the on-disk graph (aminsert, and the build
 *	  once its graph has outgrown memory).
 *
 * Protocol (src/README, "Insert"): hold the index-wide insert lock in share
 * mode (exclusive when the index is empty or the node will be the new top);
 * search as a scan does, remembering distances; write the new node with
 * its links in one WAL record (with the metapage when it becomes the entry
 * point); then add back-links one neighbour at a time.  Each back-link is
 * decided without any buffer lock held, then written under the neighbour
 * page's exclusive lock only if the list did not change meanwhile; never
 * are two buffer locks held at once except node page + metapage.
 *
 * Copyright (c) 2026, vecdb developers
 *
 * src/hnswinsert.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "utils/float.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "hnsw.h"

#define BACKLINK_RETRIES 8

/* loaded vectors of the candidates of one layer, for the heuristic */
typedef struct CandVectors
{
	HnswIndexInfo *info;
	float	   *vecs;			/* ncands x dims */
	bool	   *ok;				/* vector loaded */
} CandVectors;

static float
cand_pair_distance(void *arg, int i, int j)
{
	CandVectors *cv = (CandVectors *) arg;
	int			d = cv->info->dims;

	if (!cv->ok[i] || !cv->ok[j])
		return get_float4_infinity();	/* unknown: never prunes */
	return HnswDistanceFloats(cv->info->metric, cv->vecs + (Size) i * d,
							  cv->vecs + (Size) j * d, d);
}

/*
 * Adds heap_tid to the existing node c if it holds exactly vec and has a
 * free slot.  The vector is compared before locking (it cannot change
 * while the version stays), so only the node's page is locked.
 */
static bool
add_heaptid(Relation index, HnswIndexInfo *info, HnswCandidate *c,
			const float *vec, ItemPointer heap_tid)
{
	float	   *other = palloc(sizeof(float) * info->dims);
	Buffer		buf;
	HnswEdit	edit;
	Page		page;
	HnswNode	node;
	bool		done = false;

	if (!HnswNodeVectorCopy(index, info, &c->tid, c->version, other) ||
		memcmp(other, vec, sizeof(float) * info->dims) != 0)
	{
		pfree(other);
		return false;
	}
	pfree(other);

	buf = HnswReadBuffer(index, info, ItemPointerGetBlockNumber(&c->tid));
	LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
	node = HnswGetNode(BufferGetPage(buf), ItemPointerGetOffsetNumber(&c->tid), info);
	if (node && node->version == c->version && !(node->flags & HNSW_NODE_DELETED) &&
		node->ntids < HNSW_HEAPTIDS)
	{
		HnswEditStart(&edit, index, info);
		page = HnswEditPage(&edit, buf, false);
		node = HnswGetNode(page, ItemPointerGetOffsetNumber(&c->tid), info);
		node->heaptids[node->ntids++] = *heap_tid;
		HnswEditFinish(&edit);
		done = true;
	}
	UnlockReleaseBuffer(buf);
	return done;
}

/* Writes one tuple to a page with room; returns its TID.  One page edit. */
static ItemPointerData
write_tuple(Relation index, HnswIndexInfo *info, Item item, Size size, uint16 *version)
{
	Buffer		buf = HnswBufferWithSpace(index, size);
	bool		fresh = PageIsNew(BufferGetPage(buf));
	HnswEdit	edit;
	Page		page;
	OffsetNumber off;
	ItemPointerData tid;

	HnswEditStart(&edit, index, info);
	page = HnswEditPage(&edit, buf, fresh);
	if (fresh)
		HnswInitPage(page, HNSW_PAGE_NODES);
	if (version)
	{
		((HnswNode) item)->version = HnswPageGetOpaque(page)->epoch;
		*version = HnswPageGetOpaque(page)->epoch;
	}
	off = PageAddItem(page, item, size, InvalidOffsetNumber, false, false);
	if (off == InvalidOffsetNumber)
		elog(ERROR, "failed to add tuple to index \"%s\"", RelationGetRelationName(index));
	HnswEditFinish(&edit);
	ItemPointerSet(&tid, BufferGetBlockNumber(buf), off);
	HnswRecordFreeSpace(index, buf);
	UnlockReleaseBuffer(buf);
	return tid;
}

/*
 * Writes the new node: chunks first (if external), then the node.  When
 * make_entry, the metapage is updated in the node's WAL record so the
 * node and its role as entry point appear together: if it is above the
 * current entry point, or always with force_entry (the caller holds the
 * insert lock exclusively and found no live node to link to).
 */
static void
write_node(Relation index, HnswIndexInfo *info, int level, const float *vec,
		   ItemPointer heap_tid, HnswCandidate **sel, int *nsel, int *nselected,
		   bool make_entry, bool force_entry, ItemPointer out_tid, uint16 *out_version)
{
	const HnswNodeLayout *l = &info->layouts[level];
	char	   *tuple = palloc0(l->size);
	HnswNode	node = (HnswNode) tuple;

	node->type = HNSW_TUPLE_NODE;
	node->level = level;
	node->flags = l->external ? HNSW_NODE_EXTERNAL : 0;
	node->ntids = 1;
	node->nchunks = l->nchunks;
	node->heaptids[0] = *heap_tid;
	for (int i = 1; i < HNSW_HEAPTIDS; i++)
		ItemPointerSetInvalid(&node->heaptids[i]);
	for (int layer = 0; layer <= level; layer++)
	{
		ItemPointer tids = HnswNodeTids(node, l, layer);
		float	   *dists = HnswNodeDists(node, l, layer);
		int			n = nsel ? nsel[layer] : 0;

		HnswListCount(node, l, layer) = n;
		HnswListNsel(node, l, layer) = nsel ? nselected[layer] : 0;
		for (int i = 0; i < HnswLayerCap(info->m, layer); i++)
		{
			if (i < n)
			{
				tids[i] = sel[layer][i].tid;
				dists[i] = sel[layer][i].dist;
			}
			else
				ItemPointerSetInvalid(&tids[i]);
		}
	}
	if (!l->external)
		memcpy(HnswNodeVector(node, l), vec, sizeof(float) * info->dims);
	else
	{
		ItemPointer chunks = HnswNodeChunks(node, l);
		Size		csize = HNSW_CHUNK_HEADER_SIZE + sizeof(float) * HNSW_CHUNK_MAX_FLOATS;
		HnswChunk	chunk = palloc0(csize);

		for (int c = 0; c < l->nchunks; c++)
		{
			int			nf = Min(HNSW_CHUNK_MAX_FLOATS, info->dims - c * HNSW_CHUNK_MAX_FLOATS);

			chunk->type = HNSW_TUPLE_CHUNK;
			chunk->nfloats = nf;
			chunk->xmin = GetTopTransactionIdIfAny();
			if (!TransactionIdIsValid(chunk->xmin))
				chunk->xmin = GetCurrentTransactionId();
			memcpy(chunk->x, vec + c * HNSW_CHUNK_MAX_FLOATS, sizeof(float) * nf);
			chunks[c] = write_tuple(index, info, (Item) chunk,
									HNSW_CHUNK_HEADER_SIZE + sizeof(float) * nf, NULL);
		}
		pfree(chunk);
	}

	if (!make_entry)
		*out_tid = write_tuple(index, info, (Item) tuple, l->size, out_version);
	else
	{
		Buffer		buf = HnswBufferWithSpace(index, l->size);
		Buffer		metabuf;
		bool		fresh = PageIsNew(BufferGetPage(buf));
		HnswEdit	edit;
		Page		page;
		Page		metapage;
		HnswMetaPage meta;
		OffsetNumber off;

		/* lock order: node page, then metapage */
		metabuf = ReadBuffer(index, HNSW_METAPAGE_BLKNO);
		LockBuffer(metabuf, BUFFER_LOCK_EXCLUSIVE);
		HnswEditStart(&edit, index, info);
		page = HnswEditPage(&edit, buf, fresh);
		if (fresh)
			HnswInitPage(page, HNSW_PAGE_NODES);
		metapage = HnswEditPage(&edit, metabuf, false);
		node->version = HnswPageGetOpaque(page)->epoch;
		off = PageAddItem(page, (Item) tuple, l->size, InvalidOffsetNumber, false, false);
		if (off == InvalidOffsetNumber)
			elog(ERROR, "failed to add tuple to index \"%s\"", RelationGetRelationName(index));
		ItemPointerSet(out_tid, BufferGetBlockNumber(buf), off);
		*out_version = node->version;
		meta = HnswPageGetMeta(metapage);
		if (meta->entry_level < level || force_entry)
		{
			meta->entry = *out_tid;
			meta->entry_level = level;
			meta->entry_version = node->version;
		}
		HnswEditFinish(&edit);
		HnswRecordFreeSpace(index, buf);
		UnlockReleaseBuffer(metabuf);
		UnlockReleaseBuffer(buf);
	}
	pfree(tuple);
}

typedef struct DiskLinkArg
{
	HnswSearch *s;
	ItemPointerData *tids;
} DiskLinkArg;

/* d(X, link k): remembered from the search, else measured */
static float
disk_link_distance(void *arg, int k)
{
	DiskLinkArg *a = (DiskLinkArg *) arg;
	HnswCandidate c;
	float		d;
	int			level;

	if (HnswSearchVisitedDistance(a->s, &a->tids[k], &d))
		return d;
	if (!ItemPointerIsValid(&a->tids[k]) ||
		!HnswNodeDistance(a->s, &a->tids[k], &c, NULL, &level))
		return get_float4_infinity();	/* a dead link: covers nothing */
	return c.dist;
}

/*
 * Gives neighbour nb a link to the new node x on layer, by the rule of
 * HnswBacklinkUpdate.  The new list is decided with no lock held, then
 * written under the page's exclusive lock if the list is unchanged; else
 * decided again.  Holds no buffer lock on entry or exit.
 *
 * The rule may leave x out of a full list.  With force, x then takes the
 * list's last slot (its farthest pruned link, which a selected link
 * covers): the caller's way to give x at least one way in.  Returns
 * whether nb links to x afterwards.
 */
bool
HnswAddBacklink(HnswSearch *s, HnswCandidate *nb, int layer, ItemPointer x, float d,
				bool force)
{
	HnswIndexInfo *info = s->info;
	bool		linked = false;
	int			cap = HnswLayerCap(info->m, layer);
	ItemPointerData *tids = palloc(sizeof(ItemPointerData) * cap);
	float	   *dists = palloc(sizeof(float) * cap);
	int		   *order = palloc(sizeof(int) * (cap + 1));

	for (int attempt = 0; attempt < BACKLINK_RETRIES; attempt++)
	{
		int			n;
		int			nsel = 0;
		DiskLinkArg arg = {s, tids};
		int			newn;
		int			newsel;
		Buffer		buf;
		HnswNode	node;
		bool		same;

		/* read the list and its selected count under a share lock */
		buf = HnswReadBuffer(s->index, info, ItemPointerGetBlockNumber(&nb->tid));
		LockBuffer(buf, BUFFER_LOCK_SHARE);
		node = HnswGetNode(BufferGetPage(buf), ItemPointerGetOffsetNumber(&nb->tid), info);
		if (node == NULL || node->version != nb->version || layer > node->level ||
			node->level > info->max_level)
		{
			UnlockReleaseBuffer(buf);
			break;				/* the neighbour went away */
		}
		{
			const HnswNodeLayout *l = &info->layouts[node->level];

			n = Min(HnswListCount(node, l, layer), cap);
			nsel = Min(HnswListNsel(node, l, layer), n);
			memcpy(tids, HnswNodeTids(node, l, layer), sizeof(ItemPointerData) * n);
			memcpy(dists, HnswNodeDists(node, l, layer), sizeof(float) * n);
		}
		UnlockReleaseBuffer(buf);

		for (int i = 0; i < n; i++)
			if (ItemPointerEquals(&tids[i], x))
			{
				linked = true;
				goto done;
			}
		newn = HnswBacklinkUpdate(n, nsel, cap, dists, d, disk_link_distance, NULL, &arg,
								  order, &newsel);
		if (newn < 0)
		{
			/* x was left out, so the list is full: x replaces the last link */
			if (!force || n < 1)
				break;
			for (int i = 0; i < n - 1; i++)
				order[i] = i;
			order[n - 1] = -1;
			newn = n;
			newsel = Min(nsel, n - 1);
		}

		buf = HnswReadBuffer(s->index, info, ItemPointerGetBlockNumber(&nb->tid));
		LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
		node = HnswGetNode(BufferGetPage(buf), ItemPointerGetOffsetNumber(&nb->tid), info);
		same = node != NULL && node->version == nb->version && layer <= node->level;
		if (same)
		{
			const HnswNodeLayout *l = &info->layouts[node->level];

			same = HnswListCount(node, l, layer) == n &&
				HnswListNsel(node, l, layer) == nsel &&
				memcmp(HnswNodeTids(node, l, layer), tids, sizeof(ItemPointerData) * n) == 0;
		}
		if (same)
		{
			HnswEdit	edit;
			Page		page;
			const HnswNodeLayout *l;
			ItemPointer otids;
			float	   *odists;

			HnswEditStart(&edit, s->index, info);
			page = HnswEditPage(&edit, buf, false);
			node = HnswGetNode(page, ItemPointerGetOffsetNumber(&nb->tid), info);
			l = &info->layouts[node->level];
			otids = HnswNodeTids(node, l, layer);
			odists = HnswNodeDists(node, l, layer);
			for (int i = 0; i < cap; i++)
			{
				if (i < newn)
				{
					otids[i] = order[i] < 0 ? *x : tids[order[i]];
					odists[i] = order[i] < 0 ? d : dists[order[i]];
				}
				else
				{
					ItemPointerSetInvalid(&otids[i]);
					odists[i] = 0;
				}
			}
			HnswListCount(node, l, layer) = newn;
			HnswListNsel(node, l, layer) = newsel;
			HnswEditFinish(&edit);
			UnlockReleaseBuffer(buf);
			linked = true;
			break;
		}
		UnlockReleaseBuffer(buf);
		if (node == NULL || node->version != nb->version)
			break;
		CHECK_FOR_INTERRUPTS();
	}
done:
	pfree(tids);
	pfree(dists);
	pfree(order);
	return linked;
}

/*
 * Inserts vec (index form: normalized for cosine) for heap_tid.  With
 * try_duplicate_first, a cheap search first looks for an identical vector
 * to share (a non-HOT update that did not change the vector).
 */
void
HnswInsertVector(Relation index, HnswIndexInfo *info, const float *vec,
				 ItemPointer heap_tid, bool try_duplicate_first)
{
	LOCKMODE	lockmode = ShareLock;
	HnswSearch	s;
	HnswCandidate ep;
	int			ep_level;
	int			level = HnswRandomLevel(info->m, info->max_level);
	HnswCandidate *found[HNSW_MAX_LEVEL + 1];
	int			nfound[HNSW_MAX_LEVEL + 1] = {0};
	HnswCandidate *sel[HNSW_MAX_LEVEL + 1];
	int			nsel[HNSW_MAX_LEVEL + 1];
	int			nselected[HNSW_MAX_LEVEL + 1];
	int			top;
	ItemPointerData xtid;
	uint16		xversion;
	bool		make_entry;
	bool		retried = false;

	LockPage(index, HNSW_INSERT_LOCK_PAGE, lockmode);
	HnswSearchInit(&s, index, info, vec, true);
retry:
	if (!HnswSearchEntry(&s, &ep, &ep_level) || level > ep_level)
	{
		/* empty index, or a new top node: one such insert at a time */
		UnlockPage(index, HNSW_INSERT_LOCK_PAGE, lockmode);
		lockmode = ExclusiveLock;
		LockPage(index, HNSW_INSERT_LOCK_PAGE, lockmode);
		if (!HnswSearchEntry(&s, &ep, &ep_level))
		{
			write_node(index, info, level, vec, heap_tid, NULL, NULL, NULL, true,
					   false, &xtid, &xversion);
			goto finish;
		}
	}

	if (try_duplicate_first)
	{
		HnswHeap	entries,
					w;
		HnswCandidate near = HnswGreedyDescend(&s, ep, ep_level, 0);

		HnswHeapInit(&entries, 1, false);
		HnswHeapPush(&entries, &near);
		HnswHeapInit(&w, 4, true);
		HnswSearchLayer(&s, &entries, 2, 0, &w, NULL);
		HnswSortCandidates(w.items, w.n);
		for (int i = 0; i < w.n; i++)
		{
			if (add_heaptid(index, info, &w.items[i], vec, heap_tid))
				goto finish;
		}
		HnswSearchResetVisited(&s);
	}

	ep = HnswGreedyDescend(&s, ep, ep_level, level);
	top = Min(level, ep_level);
	{
		HnswHeap	entries;

		HnswHeapInit(&entries, 1, false);
		HnswHeapPush(&entries, &ep);
		for (int layer = top; layer >= 0; layer--)
		{
			HnswHeap	w;

			HnswSearchResetVisited(&s);
			HnswHeapInit(&w, info->ef_construction + 1, true);
			HnswSearchLayer(&s, &entries, info->ef_construction, layer, &w, NULL);
			HnswSortCandidates(w.items, w.n);
			found[layer] = w.items;
			nfound[layer] = w.n;
			entries = w;		/* next layer starts from these */
		}
	}

	/*
	 * No live node found: every node we reached is deleted and awaiting
	 * vacuum.  Search again with the insert lock exclusive (vacuum moves the
	 * entry point under it); if still nothing, this node becomes the entry
	 * point, so it cannot end up unreachable.
	 */
	if (nfound[0] == 0 && !retried)
	{
		retried = true;
		if (lockmode != ExclusiveLock)
		{
			UnlockPage(index, HNSW_INSERT_LOCK_PAGE, lockmode);
			lockmode = ExclusiveLock;
			LockPage(index, HNSW_INSERT_LOCK_PAGE, lockmode);
		}
		HnswSearchResetVisited(&s);
		goto retry;
	}

	/* an identical live vector takes the heap TID instead */
	for (int i = 0; i < Min(nfound[0], 2); i++)
	{
		if (found[0][i].dist <= found[0][0].dist &&
			add_heaptid(index, info, &found[0][i], vec, heap_tid))
			goto finish;
	}

	for (int layer = top; layer >= 0; layer--)
	{
		int			cap = HnswLayerCap(info->m, layer);
		int			nc = nfound[layer];
		int		   *idx = palloc(sizeof(int) * cap);
		CandVectors cv;

		cv.info = info;
		cv.vecs = palloc(mul_size(mul_size(sizeof(float), info->dims), Max(nc, 1)));
		cv.ok = palloc(sizeof(bool) * Max(nc, 1));
		for (int i = 0; i < nc; i++)
			cv.ok[i] = HnswNodeVectorCopy(index, info, &found[layer][i].tid,
										  found[layer][i].version,
										  cv.vecs + (Size) i * info->dims);
		nsel[layer] = HnswSelectNeighbors(found[layer], nc, cap, cand_pair_distance, &cv, idx,
										  &nselected[layer]);
		sel[layer] = palloc(sizeof(HnswCandidate) * Max(nsel[layer], 1));
		for (int i = 0; i < nsel[layer]; i++)
			sel[layer][i] = found[layer][idx[i]];
		pfree(cv.vecs);
		pfree(cv.ok);
		pfree(idx);
	}
	for (int layer = top + 1; layer <= level; layer++)
		nsel[layer] = nselected[layer] = 0;

	make_entry = level > ep_level || nfound[0] == 0;
	write_node(index, info, level, vec, heap_tid, sel, nsel, nselected, make_entry,
			   nfound[0] == 0, &xtid, &xversion);

	/*
	 * Back-links.  On layer 0, if no neighbour kept one (each list was full
	 * of nearer links), the nearest neighbour is made to take x, so that a
	 * search reaching it can reach x: without that, x could only be found
	 * through nodes inserted after it.
	 */
	for (int layer = top; layer >= 0; layer--)
	{
		bool		linked = false;

		for (int i = 0; i < nsel[layer]; i++)
			linked |= HnswAddBacklink(&s, &sel[layer][i], layer, &xtid, sel[layer][i].dist,
								   false);
		if (layer == 0 && !linked)
			for (int i = 0; i < nsel[0] && !linked; i++)
				linked = HnswAddBacklink(&s, &sel[0][i], 0, &xtid, sel[0][i].dist, true);
	}

finish:
	HnswSearchFree(&s);
	UnlockPage(index, HNSW_INSERT_LOCK_PAGE, lockmode);
}

bool
hnswinsert(Relation index, Datum *values, bool *isnull, ItemPointer heap_tid,
		   Relation heap, IndexUniqueCheck checkUnique, bool indexUnchanged,
		   IndexInfo *indexInfo)
{
	MemoryContext ctx;
	MemoryContext old;
	HnswIndexInfo *info;
	float	   *vec;

	if (isnull[0])
		return false;

	ctx = AllocSetContextCreate(CurrentMemoryContext, "hnsw insert",
								ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(ctx);
	info = HnswGetIndexInfo(index);
	vec = palloc(sizeof(float) * info->dims);
	if (HnswFormQuery(info, values[0], vec))
		HnswInsertVector(index, info, vec, heap_tid, indexUnchanged);
	MemoryContextSwitchTo(old);
	MemoryContextDelete(ctx);
	return false;
}
