/*-------------------------------------------------------------------------
 *
 * hnswinsert.c
 *	  Inserting one vector into the on-disk graph (aminsert, and the build
 *	  once its graph has outgrown memory).
 *
 * Protocol (src/README, "Insert"): hold the index-wide insert lock in share
 * mode (exclusive when the index is empty or the node will be the new top);
 * search as a scan does, remembering distances; give the heap TID to an
 * identical vector's node if there is one; else write the new node with
 * its links in one WAL record (with the metapage when it becomes the entry
 * point), then add back-links one neighbour at a time, the first of them
 * pinned (the node's place in the spanning tree, src/README
 * "Reachability").  Each back-link is decided without any buffer lock
 * held, then written under the neighbour page's exclusive lock only if the
 * list did not change meanwhile; never are two buffer locks held at once
 * except node page + metapage.
 *
 * Copyright (c) 2026, vecdb developers
 *
 * src/hnsw/hnswinsert.c
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

#include "compat.h"
#include "hnsw.h"

#define BACKLINK_RETRIES 8

/* loaded vectors of the candidates of one layer, for the heuristic */
typedef struct CandVectors
{
	HnswIndexInfo *info;
	char	   *vecs;			/* ncands slots of info->vecbytes */
	bool	   *ok;				/* vector loaded */
} CandVectors;

static float
cand_pair_distance(void *arg, int i, int j)
{
	CandVectors *cv = (CandVectors *) arg;
	Size		d = cv->info->vecbytes;

	if (!cv->ok[i] || !cv->ok[j])
		return get_float4_infinity();	/* unknown: never prunes */
	return HnswVecDistance(cv->info, cv->vecs + i * d, cv->vecs + j * d);
}

/*
 * True if the node c holds exactly vec.  The vector cannot change while
 * the version stays, so it is compared without holding a lock.
 */
static bool
same_vector(Relation index, HnswIndexInfo *info, HnswCandidate *c, const char *vec)
{
	char	   *other = palloc(info->vecbytes);
	bool		same = HnswNodeVectorCopy(index, info, &c->tid, c->version, other) &&
		HnswVecEqual(info, other, vec);

	pfree(other);
	return same;
}

/* Whether node c (if still of its version) has these filter values. */
static bool
same_payload(Relation index, HnswIndexInfo *info, HnswCandidate *c, const char *payload)
{
	Buffer		buf;
	HnswNode	node;
	bool		same;

	if (info->filter.payload_bytes == 0)
		return true;
	buf = HnswReadBuffer(index, info, ItemPointerGetBlockNumber(&c->tid));
	LockBuffer(buf, BUFFER_LOCK_SHARE);
	node = HnswGetNode(BufferGetPage(buf), ItemPointerGetOffsetNumber(&c->tid), info);
	same = node != NULL && node->version == c->version &&
		memcmp(HnswNodePayload(node, &info->layouts[node->level]), payload,
			   info->filter.payload_bytes) == 0;
	UnlockReleaseBuffer(buf);
	return same;
}

/*
 * Gives heap_tid to a live node among cands (n, sorted by distance) whose
 * vector is vec and whose filter values are payload, if there is one.  A
 * node can only hold vec if its distance to the query is the query's
 * distance to itself (selfd; up to rounding when the vector is in chunks):
 * those few are compared in full.
 */
static bool
share_identical(Relation index, HnswIndexInfo *info, HnswCandidate *cands, int n,
				const char *vec, const char *payload, float selfd, ItemPointer heap_tid)
{
	float		tol = 1e-5f * (1.0f + fabsf(selfd));
	int			tried = 0;

	for (int i = 0; i < n && tried < 4; i++)
	{
		if (cands[i].deleted || fabsf(cands[i].dist - selfd) > tol)
			continue;
		tried++;
		if (same_vector(index, info, &cands[i], vec) &&
			same_payload(index, info, &cands[i], payload) &&
			HnswAddHeapTid(index, info, &cands[i], heap_tid))
			return true;
	}
	return false;
}

/*
 * Writes the new node with its lists (lists[0 .. level]; NULL: none):
 * chunks first (if external), then the node.  When make_entry, the
 * metapage is updated in the node's WAL record so the node and its role
 * as entry point appear together: if it is above the current entry point,
 * or always with force_entry (the caller holds the insert lock
 * exclusively and found no live node to link to).
 */
static void
write_node(Relation index, HnswIndexInfo *info, int level, const char *vec,
		   const char *payload, ItemPointer heap_tid, const HnswList *lists,
		   const HnswList *tenant, bool make_entry, bool force_entry,
		   ItemPointer out_tid, uint16 *out_version)
{
	const HnswNodeLayout *l = &info->layouts[level];
	Size		vecbytes = HnswVecBytes(info, vec);
	Size		size = HnswNodeSize(l, vecbytes);
	char	   *tuple = palloc0(size);
	HnswNode	node = (HnswNode) tuple;

	HnswNodeInit(node, l, vecbytes);
	node->ntids = 1;
	ItemPointerSetInvalid(&node->tidlist);
	node->heaptids[0] = *heap_tid;
	for (int i = 1; i < HNSW_HEAPTIDS; i++)
		ItemPointerSetInvalid(&node->heaptids[i]);
	for (int layer = 0; layer <= level; layer++)
	{
		HnswList	empty = {0};

		HnswListWrite(node, l, layer, HnswLayerCap(info->m, layer),
					  lists ? &lists[layer] : &empty);
	}
	for (int i = 0; i < HNSW_RESCUE_LINKS; i++)
		ItemPointerSetInvalid(&HnswNodeRescue(node, l)[i]);
	if (info->tenant >= 0)
	{
		HnswList	empty = {0};

		HnswListWrite(node, l, HNSW_TENANT_LIST, HnswTenantCap(info), tenant ? tenant : &empty);
	}
	memcpy(HnswNodePayload(node, l), payload, info->filter.payload_bytes);
	if (!HnswNodeIsExternal(node))
		memcpy(HnswNodeVector(node, l), vec, vecbytes);
	else
	{
		ItemPointer chunks = HnswNodeChunks(node, l);
		Size		csize = HNSW_CHUNK_HEADER_SIZE + HNSW_CHUNK_MAX_BYTES;
		HnswChunk	chunk = palloc0(csize);

		for (int c = 0; c < HnswChunkCount(vecbytes); c++)
		{
			Size		nb = HnswChunkBytes(vecbytes, c);

			chunk->type = HNSW_TUPLE_CHUNK;
			chunk->nbytes = (uint16) nb;
			chunk->xmin = GetTopTransactionIdIfAny();
			if (!TransactionIdIsValid(chunk->xmin))
				chunk->xmin = GetCurrentTransactionId();
			memcpy(chunk->x, vec + (Size) c * HNSW_CHUNK_MAX_BYTES, nb);
			chunks[c] = HnswWriteTuple(index, info, (Item) chunk,
									HNSW_CHUNK_HEADER_SIZE + nb, NULL);
		}
		pfree(chunk);
	}

	if (!make_entry)
		*out_tid = HnswWriteTuple(index, info, (Item) tuple, size, out_version);
	else
	{
		Buffer		buf = HnswBufferWithSpace(index, size);
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
		off = PageAddItem(page, (Item) tuple, size, InvalidOffsetNumber, false, false);
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

/*
 * d(X, link k): remembered from the search, else measured and remembered
 * (neighbours of one node share links; the search is over by now).
 */
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
	HnswSearchRemember(a->s, &a->tids[k], c.dist);
	return c.dist;
}

/*
 * The list nb should have on layer so that it links to x: by the rule of
 * HnswBacklinkUpdate with the plain test (each d(x, k) it measures reads a
 * page; src/README, "Selection slack"), or, with force, x in place of the
 * farthest unpinned link.  x is pinned in it as pinmode says (HnswPin; only layer 0 has
 * pins).  Returns false if nb's list should not change (x rejected, or
 * every slot pinned); *out is the new list.
 */
static bool
backlink_list(HnswSearch *s, const HnswList *list, int cap, int layer, ItemPointer x,
			  float d, bool force, HnswPin pinmode, HnswList *out)
{
	int			order[2 * HNSW_MAX_M + 1];
	int			newn;
	int			newsel;
	DiskLinkArg arg = {s, (ItemPointerData *) list->tids};
	int			at = HnswListFind(list, x);
	bool		pin = layer == 0 &&
		(pinmode == HNSW_PIN_ALWAYS ||
		 (pinmode == HNSW_PIN_IF_ROOM && HnswListPins(list) < HNSW_PIN_LIMIT(cap)));

	*out = *list;
	if (at >= 0)
	{
		out->pinned[at] |= pin;
		return out->pinned[at] != list->pinned[at];
	}
	newn = HnswBacklinkUpdate(s->info->metric, false, list->count, list->nsel, cap, list->dists,
							  list->pinned, d, false, disk_link_distance, NULL, &arg, order, &newsel);
	if (newn < 0)
		return force && HnswListPut(out, cap, x, d, pin);
	for (int i = 0; i < newn; i++)
	{
		int			o = order[i];

		out->tids[i] = o < 0 ? *x : list->tids[o];
		out->dists[i] = o < 0 ? d : list->dists[o];
		out->pinned[i] = o < 0 ? pin : list->pinned[o];
	}
	out->count = newn;
	out->nsel = newsel;
	return true;
}

/*
 * Gives neighbour nb a link to the new node x on layer (pinned as pin
 * says).  The new list is decided with no lock held (backlink_list), then
 * written under the page's exclusive lock if the list is unchanged; else
 * decided again.  Holds no buffer lock on entry or exit.  Returns whether
 * nb links to x afterwards; asked to pin, whether it links to x pinned.
 */
bool
HnswAddBacklink(HnswSearch *s, HnswCandidate *nb, int layer, ItemPointer x, float d,
				bool force, HnswPin pin)
{
	HnswIndexInfo *info = s->info;
	int			cap = HnswLayerCap(info->m, layer);
	HnswList   *list = palloc(sizeof(HnswList));
	HnswList   *want = palloc(sizeof(HnswList));
	bool		linked = false;

	for (int attempt = 0; attempt < BACKLINK_RETRIES; attempt++)
	{
		Buffer		buf = HnswReadBuffer(s->index, info, ItemPointerGetBlockNumber(&nb->tid));
		HnswNode	node;
		bool		gone;
		bool		same;
		int			at;

		LockBuffer(buf, BUFFER_LOCK_SHARE);
		node = HnswGetNode(BufferGetPage(buf), ItemPointerGetOffsetNumber(&nb->tid), info);
		gone = node == NULL || node->version != nb->version ||
			!HnswNodeHasList(node, info, layer);
		if (!gone)
			HnswListRead(node, &info->layouts[node->level], layer, cap, list);
		UnlockReleaseBuffer(buf);
		if (gone)
			break;				/* the neighbour went away */
		if (!backlink_list(s, list, cap, layer, x, d, force, pin, want))
		{
			at = HnswListFind(list, x);
			linked = at >= 0 && (pin == HNSW_PIN_NO || list->pinned[at]);
			break;
		}

		buf = HnswReadBuffer(s->index, info, ItemPointerGetBlockNumber(&nb->tid));
		LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
		node = HnswGetNode(BufferGetPage(buf), ItemPointerGetOffsetNumber(&nb->tid), info);
		gone = node == NULL || node->version != nb->version ||
			!HnswNodeHasList(node, info, layer);
		same = !gone && HnswListSame(node, &info->layouts[node->level], layer, cap, list);
		if (same)
		{
			HnswEdit	edit;
			Page		page;

			HnswEditStart(&edit, s->index, info);
			page = HnswEditPage(&edit, buf, false);
			node = HnswGetNode(page, ItemPointerGetOffsetNumber(&nb->tid), info);
			HnswListWrite(node, &info->layouts[node->level], layer, cap, want);
			HnswEditFinish(&edit);
			at = HnswListFind(want, x);
			linked = at >= 0 && (pin == HNSW_PIN_NO || want->pinned[at]);
		}
		UnlockReleaseBuffer(buf);
		if (same || gone)
			break;
		CHECK_FOR_INTERRUPTS();
	}
	pfree(list);
	pfree(want);
	return linked;
}

/*
 * Gives node r a rescue link to x (a tree edge outside its lists), if r is
 * live, has a free rescue slot and no layer-0 link to x yet.  One page
 * edit.  Returns whether r links to x by a rescue link afterwards (not if
 * its list links to x: that link is the one to pin).
 */
bool
HnswAddRescueLink(Relation index, HnswIndexInfo *info, HnswCandidate *r, ItemPointer x)
{
	Buffer		buf = HnswReadBuffer(index, info, ItemPointerGetBlockNumber(&r->tid));
	HnswNode	node;
	ItemPointerData links[HNSW_MAX_LINKS0];
	int			free_slot = -1;
	bool		linked = false;

	LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
	node = HnswGetNode(BufferGetPage(buf), ItemPointerGetOffsetNumber(&r->tid), info);
	if (node != NULL && node->version == r->version && !(node->flags & HNSW_NODE_DELETED) &&
		!ItemPointerEquals(&r->tid, x))
	{
		const HnswNodeLayout *l = &info->layouts[node->level];
		int			n = HnswNodeLinks(node, l, 0, info->m, links);
		int			nlist = HnswListCount(node, l, 0);
		bool		in_list = false;

		for (int i = 0; i < n; i++)
			if (ItemPointerEquals(&links[i], x))
			{
				in_list |= i < nlist;
				linked |= i >= nlist;
			}
		for (int i = HNSW_RESCUE_LINKS - 1; i >= 0; i--)
			if (!ItemPointerIsValid(&HnswNodeRescue(node, l)[i]))
				free_slot = i;
		if (!linked && !in_list && free_slot >= 0)
		{
			HnswEdit	edit;
			Page		page;

			HnswEditStart(&edit, index, info);
			page = HnswEditPage(&edit, buf, false);
			node = HnswGetNode(page, ItemPointerGetOffsetNumber(&r->tid), info);
			HnswNodeRescue(node, l)[free_slot] = *x;
			HnswEditFinish(&edit);
			linked = true;
		}
	}
	UnlockReleaseBuffer(buf);
	return linked;
}

/*
 * Whether tid holds a live node (not deleted); if so, its version goes to
 * *version.  Share-locks and releases the node's page.
 */
static bool
live_node(Relation index, HnswIndexInfo *info, ItemPointer tid, uint16 *version)
{
	Buffer		buf = HnswReadBuffer(index, info, ItemPointerGetBlockNumber(tid));
	HnswNode	node;
	bool		live;

	LockBuffer(buf, BUFFER_LOCK_SHARE);
	node = HnswGetNode(BufferGetPage(buf), ItemPointerGetOffsetNumber(tid), info);
	live = node != NULL && !(node->flags & HNSW_NODE_DELETED);
	if (live)
		*version = node->version;
	UnlockReleaseBuffer(buf);
	return live;
}

/*
 * The live nodes node r (of its version) links to by rescue links, with
 * their versions (for HnswAddRescueLink): how many, into out.  0 if r is
 * gone or deleted.  A descent must stay among live nodes: VACUUM's relink
 * counts what hangs below a deleted node as lost, and a lost node u that
 * it hung below another lost node could end up below its own subtree, in
 * a cycle of tree edges no walk from the entry point enters.
 */
static int
live_rescue_children(Relation index, HnswIndexInfo *info, const HnswCandidate *r,
					 HnswCandidate *out)
{
	Buffer		buf = HnswReadBuffer(index, info, ItemPointerGetBlockNumber(&r->tid));
	HnswNode	node;
	ItemPointerData kids[HNSW_RESCUE_LINKS];
	int			nkids = 0;
	int			n = 0;

	LockBuffer(buf, BUFFER_LOCK_SHARE);
	node = HnswGetNode(BufferGetPage(buf), ItemPointerGetOffsetNumber(&r->tid), info);
	if (node != NULL && node->version == r->version && !(node->flags & HNSW_NODE_DELETED))
		for (int i = 0; i < HNSW_RESCUE_LINKS; i++)
			if (ItemPointerIsValid(&HnswNodeRescue(node, &info->layouts[node->level])[i]))
				kids[nkids++] = HnswNodeRescue(node, &info->layouts[node->level])[i];
	UnlockReleaseBuffer(buf);
	for (int i = 0; i < nkids; i++)
		if (live_node(index, info, &kids[i], &out[n].version))
			out[n++].tid = kids[i];
	return n;
}

/*
 * Gives x a rescue link from a live node down the rescue links of r, each
 * step to a random live child, at most 64 steps.  Returns whether x got
 * one (not if the descent reached a node with no live rescue child).
 */
static bool
rescue_below(Relation index, HnswIndexInfo *info, HnswCandidate r, ItemPointer x)
{
	for (int depth = 0; depth < 64; depth++)
	{
		HnswCandidate kids[HNSW_RESCUE_LINKS];
		int			k = live_rescue_children(index, info, &r, kids);

		if (k == 0)
			return false;
		r = kids[VecdbRandomRange(0, k - 1)];
		if (HnswAddRescueLink(index, info, &r, x))
			return true;
		CHECK_FOR_INTERRUPTS();
	}
	return false;
}

/*
 * Gives x a rescue link from a node near cands (n, live nodes a search
 * found, sorted): the first with a free rescue slot; when they have none,
 * a node down the rescue links of the nearest (rescue_below; of the next
 * when that descent ends without one), so that the rescued nodes under a
 * node grow into a shallow tree rather than filling the nodes a search
 * finds (under inner product, the same few for every small vector).
 * Returns whether x got one.
 */
bool
HnswRescueNear(Relation index, HnswIndexInfo *info, HnswCandidate *cands, int n,
			   ItemPointer x)
{
	for (int i = 0; i < n; i++)
		if (HnswAddRescueLink(index, info, &cands[i], x))
			return true;
	for (int i = 0; i < n; i++)
		if (rescue_below(index, info, cands[i], x))
			return true;
	return false;
}

/*
 * The new node's list on layer (or its tenant list, HNSW_TENANT_LIST): the
 * selection heuristic over found (n, sorted), with the chosen candidates in
 * *sel (palloc'd; unless sel is NULL) for back-links.
 */
void
HnswChooseLinks(Relation index, HnswIndexInfo *info, HnswCandidate *found, int n, int layer,
				HnswCandidate **sel, HnswList *list)
{
	HnswCandidate *chosen;

	int			cap = HnswLayerCap(info->m, layer);
	int		   *idx = palloc(sizeof(int) * cap);
	CandVectors cv;

	cv.info = info;
	cv.vecs = palloc(mul_size(info->vecbytes, Max(n, 1)));
	cv.ok = palloc(sizeof(bool) * Max(n, 1));
	for (int i = 0; i < n; i++)
		cv.ok[i] = HnswNodeVectorCopy(index, info, &found[i].tid, found[i].version,
									  cv.vecs + i * info->vecbytes);
	list->count = HnswSelectNeighbors(info->metric, found, n, cap, cand_pair_distance, &cv, idx,
									  &list->nsel);
	chosen = palloc(sizeof(HnswCandidate) * Max(list->count, 1));
	if (sel)
		*sel = chosen;
	for (int i = 0; i < list->count; i++)
	{
		chosen[i] = found[idx[i]];
		list->tids[i] = found[idx[i]].tid;
		list->dists[i] = found[idx[i]].dist;
		list->pinned[i] = false;
	}
	pfree(cv.vecs);
	pfree(cv.ok);
	pfree(idx);
}

/*
 * Back-links from the chosen neighbours to the new node x.  With
 * need_parent, the first neighbour on layer 0 to take x while under
 * HNSW_PIN_LIMIT pins gets the link pinned: x's place in the spanning
 * tree.  If none does, the nearest node the search found with a free
 * rescue slot links to x by a rescue link; failing that, the nearest with
 * an unpinned slot is made to take x in its list, pinned.
 */
static void
add_backlinks(HnswSearch *s, HnswCandidate **sel, const int *nsel, int top,
			  HnswCandidate *found0, int nfound0, ItemPointer x, bool need_parent)
{
	bool		parent = !need_parent;

	for (int layer = top; layer >= 0; layer--)
		for (int i = 0; i < nsel[layer]; i++)
		{
			HnswPin		pin = layer == 0 && !parent ? HNSW_PIN_IF_ROOM : HNSW_PIN_NO;

			if (HnswAddBacklink(s, &sel[layer][i], layer, x, sel[layer][i].dist, false, pin) &&
				pin != HNSW_PIN_NO)
				parent = true;
		}
	if (!parent)
		parent = HnswRescueNear(s->index, s->info, found0, nfound0, x);
	for (int i = 0; i < nfound0 && !parent; i++)
		parent = HnswAddBacklink(s, &found0[i], 0, x, found0[i].dist, true, HNSW_PIN_ALWAYS);
	if (!parent)
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not link a new node into the graph of index \"%s\"",
						RelationGetRelationName(s->index)),
				 errdetail("Every neighbour found has all its links pinned.")));
}

/*
 * Searches from ep (at ep_level) for the new node's neighbours on layers
 * top .. 0 with ef_construction: found[layer], sorted, nfound[layer].
 */
static void
search_layers(HnswSearch *s, HnswCandidate ep, int top, HnswCandidate **found, int *nfound)
{
	HnswHeap	entries;

	HnswHeapInit(&entries, 1, false);
	HnswHeapPush(&entries, &ep);
	for (int layer = top; layer >= 0; layer--)
	{
		HnswHeap	w;

		HnswSearchResetVisited(s);
		HnswHeapInit(&w, s->info->ef_construction + 1, true);
		HnswSearchLayer(s, &entries, s->info->ef_construction, layer, &w, NULL);
		HnswSortCandidates(w.items, w.n);
		found[layer] = w.items;
		nfound[layer] = w.n;
		entries = w;			/* next layer starts from these */
	}
}

/* A cheap search (ef 2) near vec for an identical vector to share. */
static bool
share_nearby(HnswSearch *s, HnswCandidate ep, int ep_level, const char *vec,
			 const char *payload, float selfd,
			 ItemPointer heap_tid)
{
	HnswHeap	entries,
				w;
	HnswCandidate near = HnswGreedyDescend(s, ep, ep_level, 0);
	bool		shared;

	HnswHeapInit(&entries, 1, false);
	HnswHeapPush(&entries, &near);
	HnswHeapInit(&w, 4, true);
	HnswSearchLayer(s, &entries, 2, 0, &w, NULL);
	HnswSortCandidates(w.items, w.n);
	shared = share_identical(s->index, s->info, w.items, w.n, vec, payload, selfd, heap_tid);
	HnswSearchResetVisited(s);
	return shared;
}

/*
 * The new node's tenant list (empty without a tenant key or value): chosen
 * from a tenant walk by ts, which stays open for the back-links when
 * *ntsel > 0.
 */
static void
tenant_choose(HnswSearch *ts, Relation index, HnswIndexInfo *info, const char *vec,
			  const char *payload, HnswList *tenant, HnswCandidate **tsel, int *ntsel)
{
	uint64		value;

	if (!HnswTenantOf(info, payload, &value))
		return;
	HnswSearchInit(ts, index, info, vec, true);
	*ntsel = HnswTenantChoose(ts, value, NULL, tenant, tsel);
	if (*ntsel == 0)
		HnswSearchFree(ts);
}

/*
 * Inserts vec (index form: normalized for cosine) for heap_tid.  With
 * try_duplicate_first, a cheap search first looks for an identical vector
 * to share (a non-HOT update that did not change the vector).
 */
void
HnswInsertVector(Relation index, HnswIndexInfo *info, const char *vec, const char *payload,
				 ItemPointer heap_tid, bool try_duplicate_first)
{
	LOCKMODE	lockmode = ShareLock;
	HnswSearch	s;
	HnswCandidate entry;
	HnswCandidate ep;
	int			ep_level;
	int			level = HnswRandomLevel(info->m, info->max_level);
	float		selfd = HnswVecDistance(info, vec, vec);
	HnswCandidate *found[HNSW_MAX_LEVEL + 1];
	int			nfound[HNSW_MAX_LEVEL + 1] = {0};
	HnswCandidate *sel[HNSW_MAX_LEVEL + 1];
	int			nsel[HNSW_MAX_LEVEL + 1] = {0};
	HnswList   *lists = palloc0(sizeof(HnswList) * (level + 1));
	int			top;
	ItemPointerData xtid;
	uint16		xversion;
	bool		make_entry;
	bool		retried = false;
	HnswSearch	ts;
	HnswList	tenant = {0};
	HnswCandidate *tsel = NULL;
	int			ntsel = 0;

	LockPage(index, HNSW_INSERT_LOCK_PAGE, lockmode);
	HnswSearchInit(&s, index, info, vec, true);
retry:
	if (!HnswSearchEntry(&s, &entry, &ep_level) || level > ep_level)
	{
		/* empty index, or a new top node: one such insert at a time */
		UnlockPage(index, HNSW_INSERT_LOCK_PAGE, lockmode);
		lockmode = ExclusiveLock;
		LockPage(index, HNSW_INSERT_LOCK_PAGE, lockmode);
		if (!HnswSearchEntry(&s, &entry, &ep_level))
		{
			write_node(index, info, level, vec, payload, heap_tid, NULL, NULL, true, false,
					   &xtid, &xversion);
			HnswTenantRegister(index, info, payload, &xtid, xversion);
			goto finish;
		}
	}
	if (try_duplicate_first &&
		share_nearby(&s, entry, ep_level, vec, payload, selfd, heap_tid))
		goto finish;

	ep = HnswGreedyDescend(&s, entry, ep_level, level);
	top = Min(level, ep_level);
	search_layers(&s, ep, top, found, nfound);

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
	if (share_identical(index, info, found[0], nfound[0], vec, payload, selfd, heap_tid))
		goto finish;

	for (int layer = top; layer >= 0; layer--)
	{
		HnswChooseLinks(index, info, found[layer], nfound[layer], layer, &sel[layer],
					 &lists[layer]);
		nsel[layer] = lists[layer].count;
	}

	/*
	 * A new entry point is the spanning tree's new root: its layer-0 list
	 * links, pinned, to the old one, so everything stays reachable from it.
	 */
	make_entry = level > ep_level || nfound[0] == 0;
	if (make_entry &&
		!HnswListPut(&lists[0], HnswLayerCap(info->m, 0), &entry.tid, entry.dist, true))
		elog(ERROR, "new hnsw node has no room for its link to the old entry point");
	tenant_choose(&ts, index, info, vec, payload, &tenant, &tsel, &ntsel);
	write_node(index, info, level, vec, payload, heap_tid, lists, &tenant, make_entry,
			   nfound[0] == 0, &xtid, &xversion);
	add_backlinks(&s, sel, nsel, top, found[0], nfound[0], &xtid, !make_entry);
	if (ntsel > 0)
	{
		HnswTenantBacklinks(&ts, tsel, ntsel, &xtid);
		HnswSearchFree(&ts);
	}
	HnswTenantRegister(index, info, payload, &xtid, xversion);

finish:
	HnswSearchFree(&s);
	UnlockPage(index, HNSW_INSERT_LOCK_PAGE, lockmode);
}

bool
hnswinsert(Relation index, Datum *values, bool *isnull, ItemPointer heap_tid,
		   Relation heap, IndexUniqueCheck checkUnique,
#if PG_VERSION_NUM >= 140000
		   bool indexUnchanged,
#endif
		   IndexInfo *indexInfo)
{
#if PG_VERSION_NUM < 140000
	bool		indexUnchanged = false;	/* 13 gives no such hint */
#endif
	MemoryContext ctx;
	MemoryContext old;
	HnswIndexInfo *info;
	char	   *vec;

	if (isnull[0])
		return false;

	ctx = AllocSetContextCreate(CurrentMemoryContext, "hnsw insert",
								ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(ctx);
	info = HnswGetIndexInfo(index);
	vec = HnswFormValue(info, values[0], true, NULL);
	if (vec != NULL)
	{
		char	   *payload = palloc(Max(info->filter.payload_bytes, 1));

		HnswFilterForm(&info->filter, values + 1, isnull + 1, payload);
		HnswInsertVector(index, info, vec, payload, heap_tid, indexUnchanged);
	}
	MemoryContextSwitchTo(old);
	MemoryContextDelete(ctx);
	return false;
}
