/*-------------------------------------------------------------------------
 *
 * hnswvacuum.c
 *	  VACUUM for HNSW: drop dead heap TIDs, keep every live node reachable
 *	  around the nodes left without any, repair their neighbours' links,
 *	  then free them for reuse.
 *
 * The passes over the index (src/README, "HNSW: vacuum"):
 *	 1. remove dead heap TIDs, page by page; a node left with none is
 *		flagged DELETED (still walkable, never chosen as a neighbour again);
 *	 -- under the insert lock in exclusive mode (which also waits out every
 *		insert that read a node before its flag was set): flag the nodes
 *		whose TID lists emptied; move the entry point off a deleted node,
 *		the new entry linked pinned to the old one --
 *	 2. relink: every live node whose pinned path from the entry point runs
 *		through a deleted node gets a pinned link from a node whose path
 *		does not;
 *	 3. repair: every live node linking to a deleted node gets new links:
 *		its other links plus the deleted node's live links, pruned by the
 *		selection heuristic, pinned links kept; if it lost more than an
 *		eighth, each node it links to then is offered a link back; then a
 *		tenant directory entry naming a deleted node names a live node of
 *		its tenant instead, or goes;
 *	 -- wait for inserts again: none can still hold an old entry point --
 *	 4. free the deleted nodes under a cleanup lock, bumping the page epoch
 *		so that stale references (scans) see a version mismatch, then their
 *		chunks and TID lists.
 * At every step every live node is reachable over pinned links, so a scan
 * beside it, or a crash in it, loses no row.
 *
 * Progress is published in the VACUUM progress slots VECDB_PROGRESS_* and
 * shown by the vecdb_stat_progress_vacuum view.
 *
 * Copyright (c) 2026, vecdb developers
 *
 * src/hnsw/hnswvacuum.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/generic_xlog.h"
#include "access/xlog.h"
#include "commands/vacuum.h"
#include "common/hashfn.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/bufmgr.h"
#include "storage/freespace.h"
#include "storage/lmgr.h"
#include "utils/float.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "compat.h"
#include "hnsw.h"

/* progress slots of the VACUUM command not used by core (PG 13 .. 17) */
#define VECDB_PROGRESS_INDEX			14
#define VECDB_PROGRESS_HNSW_PHASE		15
#define VECDB_PROGRESS_BLOCKS_TOTAL		16
#define VECDB_PROGRESS_BLOCKS_DONE		17
#define VECDB_PROGRESS_NODES_DELETED	18
#define VECDB_PROGRESS_NODES_REPAIRED	19

#define HNSW_VACUUM_PHASE_REMOVE	1
#define HNSW_VACUUM_PHASE_RELINK	2
#define HNSW_VACUUM_PHASE_REPAIR	3
#define HNSW_VACUUM_PHASE_FREE		4

#define REPAIR_RETRIES 100

/*
 * A graph of m below REPAIR_DENSE_M is sparse: two hops of its lists offer
 * too few candidates, so each repair searches, for at least
 * REPAIR_SPARSE_CANDIDATES (src/README, "HNSW: vacuum").
 */
#define REPAIR_DENSE_M 16
#define REPAIR_SPARSE_CANDIDATES 64

/* set of node TIDs, with a version: deleted nodes; reached nodes (relink) */
typedef struct tidset_entry
{
	uint64		key;
	char		status;
	uint16		version;
} tidset_entry;

#define SH_PREFIX tidset
#define SH_ELEMENT_TYPE tidset_entry
#define SH_KEY_TYPE uint64
#define SH_KEY key
#define SH_HASH_KEY(tb, k) HnswHashTid(k)
#define SH_EQUAL(tb, a, b) ((a) == (b))
#define SH_SCOPE static inline
#define SH_DEFINE
#define SH_DECLARE
#include "lib/simplehash.h"

/* per tenant value, the live nodes this VACUUM leaves (directory counts) */
typedef struct TenantCount
{
	uint64		value;			/* the hash key */
	int64		nodes;
} TenantCount;

/* a growing array of TIDs */
typedef struct TidArray
{
	ItemPointerData *tids;
	int			n;
	int			cap;
} TidArray;

static void
tidarray_add(TidArray *a, const ItemPointerData *tids, int n)
{
	while (a->n + n > a->cap)
	{
		a->cap *= 2;
		a->tids = repalloc_huge(a->tids, sizeof(ItemPointerData) * a->cap);
	}
	memcpy(a->tids + a->n, tids, sizeof(ItemPointerData) * n);
	a->n += n;
}

typedef struct VacuumState
{
	IndexVacuumInfo *vinfo;
	Relation	index;
	HnswIndexInfo *info;
	IndexBulkDeleteResult *stats;
	IndexBulkDeleteCallback callback;
	void	   *callback_state;
	tidset_hash *deleted;
	HTAB	   *live;			/* TenantCounts, with counts (format 11) */
	tidset_hash *reached;		/* relink: pinned-reachable avoiding deleted */
	ItemPointerData *emptied;	/* nodes whose inline TIDs are all gone but */
	uint16	   *emptied_version;	/* that have TID lists: settled later */
	int			nemptied;
	int			emptied_cap;
	bool		have_live;		/* highest-level live node seen */
	HnswCandidate best;
	int			best_level;
	int64		relinked;
	int64		repaired;
	int			crash_pass;		/* debugging: crash at this pass and step */
	int			crash_step;
	MemoryContext tmpctx;
} VacuumState;

static inline uint64
tid_key(ItemPointer tid)
{
	return ((uint64) ItemPointerGetBlockNumberNoCheck(tid) << 16) |
		ItemPointerGetOffsetNumberNoCheck(tid);
}

static inline bool
is_deleted(VacuumState *vs, ItemPointer tid)
{
	return tidset_lookup(vs->deleted, tid_key(tid)) != NULL;
}

static void
add_deleted(VacuumState *vs, ItemPointer tid, uint16 version)
{
	bool		found;

	tidset_insert(vs->deleted, tid_key(tid), &found)->version = version;
}

/* Counts node as a live node of its tenant (delta 1), or no more (-1). */
static void
count_live(VacuumState *vs, HnswNode node, int delta)
{
	uint64		value;
	bool		found;
	TenantCount *e;

	if (vs->live == NULL ||
		!HnswTenantOf(vs->info, HnswNodePayload(node, &vs->info->layouts[node->level]),
					  &value))
		return;
	e = hash_search(vs->live, &value, HASH_ENTER, &found);
	e->nodes = (found ? e->nodes : 0) + delta;
}

static Buffer
read_block(VacuumState *vs, BlockNumber blkno)
{
	return ReadBufferExtended(vs->index, MAIN_FORKNUM, blkno, RBM_NORMAL,
							  vs->vinfo->strategy);
}

/* waits until no insert that started before now is still running */
static void
wait_for_inserts(Relation index)
{
	LockPage(index, HNSW_INSERT_LOCK_PAGE, ExclusiveLock);
	UnlockPage(index, HNSW_INSERT_LOCK_PAGE, ExclusiveLock);
}

/*
 * Debugging builds: SET vecdb.debug_vacuum_crash = 'pass:step' makes the
 * step-th step of that pass (1 remove, 2 relink, 3 repair, 4 free, 5 the
 * settling under the exclusive lock) end in a PANIC, a crash for the
 * recovery tests (test/t/005_vacuum_crash.pl), after flushing the WAL
 * written so far.
 */
static void
crash_point(VacuumState *vs, int pass)
{
#ifdef USE_ASSERT_CHECKING
	if (vs->crash_pass == pass && --vs->crash_step == 0)
	{
		/* what was logged so far reaches disk, as it may in a real crash */
		XLogFlush(GetXLogInsertRecPtr());
		elog(PANIC, "vecdb.debug_vacuum_crash: crashing in pass %d", pass);
	}
#endif
}

/* ---- pass 1 ---- */

/* Remembers a live node as the entry point's replacement if it is higher. */
static void
note_live(VacuumState *vs, ItemPointer tid, HnswNode node)
{
	if (!vs->have_live || node->level > vs->best_level)
	{
		vs->have_live = true;
		vs->best.tid = *tid;
		vs->best.version = node->version;
		vs->best_level = node->level;
	}
}

/*
 * Pass 1 on one node (in a page registered for WAL): drops its dead inline
 * heap TIDs; flags it DELETED when none is left and it has no TID lists, or
 * remembers it for settle() when it has.  Returns whether it changed.
 */
static bool
vacuum_node(VacuumState *vs, ItemPointer tid, HnswNode node)
{
	int			nkeep = 0;
	bool		changed = false;

	for (int i = 0; i < Min(node->ntids, HNSW_HEAPTIDS); i++)
	{
		if (vs->callback(&node->heaptids[i], vs->callback_state))
			vs->stats->tuples_removed++;
		else
			node->heaptids[nkeep++] = node->heaptids[i];
	}
	changed = nkeep != node->ntids;
	for (int i = nkeep; i < HNSW_HEAPTIDS; i++)
		ItemPointerSetInvalid(&node->heaptids[i]);
	node->ntids = nkeep;
	vs->stats->num_index_tuples += nkeep;
	if (nkeep == 0 && !(node->flags & HNSW_NODE_DELETED))
	{
		if (!ItemPointerIsValid(&node->tidlist))
		{
			node->flags |= HNSW_NODE_DELETED;
			changed = true;
		}
		else
		{
			if (vs->nemptied == vs->emptied_cap)
			{
				vs->emptied_cap *= 2;
				vs->emptied = repalloc_huge(vs->emptied, sizeof(ItemPointerData) * vs->emptied_cap);
				vs->emptied_version = repalloc_huge(vs->emptied_version, sizeof(uint16) * vs->emptied_cap);
			}
			vs->emptied[vs->nemptied] = *tid;
			vs->emptied_version[vs->nemptied++] = node->version;
		}
	}
	if (node->flags & HNSW_NODE_DELETED)
		add_deleted(vs, tid, node->version);
	else
	{
		count_live(vs, node, 1);
		if (nkeep > 0)
			note_live(vs, tid, node);
	}
	return changed;
}

/* Pass 1 on one TID list tuple: drops its dead heap TIDs. */
static bool
vacuum_list(VacuumState *vs, HnswTidList list)
{
	int			nkeep = 0;
	int			n = list->ntids;

	for (int i = 0; i < n; i++)
	{
		if (vs->callback(&list->tids[i], vs->callback_state))
			vs->stats->tuples_removed++;
		else
			list->tids[nkeep++] = list->tids[i];
	}
	for (int i = nkeep; i < n; i++)
		ItemPointerSetInvalid(&list->tids[i]);
	list->ntids = nkeep;
	vs->stats->num_index_tuples += nkeep;
	return nkeep != n;
}

/*
 * Pass 1 on one page: every node and TID list on it.  Exclusive lock, one
 * WAL record if anything changed.
 */
static void
remove_heap_tids(VacuumState *vs, BlockNumber blkno)
{
	Buffer		buf = read_block(vs, blkno);
	Page		page;
	GenericXLogState *state;
	bool		changed = false;

	LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
	page = BufferGetPage(buf);
	if (PageIsNew(page))
	{
		/* left by an extension whose WAL record never came: reusable */
		UnlockReleaseBuffer(buf);
		RecordPageWithFreeSpace(vs->index, blkno, HNSW_MAX_TUPLE_SIZE);
		return;
	}
	if (!HnswPageIsValid(page) || !(HnswPageGetOpaque(page)->flags & HNSW_PAGE_NODES))
	{
		UnlockReleaseBuffer(buf);
		return;
	}
	state = GenericXLogStart(vs->index);
	page = GenericXLogRegisterBuffer(state, buf, 0);
	for (OffsetNumber off = FirstOffsetNumber; off <= PageGetMaxOffsetNumber(page); off++)
	{
		ItemId		iid = PageGetItemId(page, off);
		HnswNode	node = HnswGetNode(page, off, vs->info);
		HnswTidList list;
		ItemPointerData tid;

		ItemPointerSet(&tid, blkno, off);
		if (node != NULL)
			changed |= vacuum_node(vs, &tid, node);
		else if (ItemIdIsNormal(iid) && ItemIdGetLength(iid) >= HNSW_TIDLIST_HEADER_SIZE &&
				 (list = (HnswTidList) PageGetItem(page, iid))->type == HNSW_TUPLE_TIDLIST &&
				 list->ntids <= list->cap &&
				 ItemIdGetLength(iid) == HnswTidListSize(list->cap))
			changed |= vacuum_list(vs, list);
	}
	if (changed)
		GenericXLogFinish(state);
	else
		GenericXLogAbort(state);
	UnlockReleaseBuffer(buf);
}

/* ---- settling, under the insert lock in exclusive mode ---- */

/*
 * True if node can take one more tree edge: its layer-0 list has a free or
 * an unpinned slot, or it has a free rescue slot.
 */
static bool
has_room(VacuumState *vs, HnswNode node)
{
	const HnswNodeLayout *l = &vs->info->layouts[node->level];
	int			count = HnswListCount(node, l, 0);

	if (count < HnswLayerCap(vs->info->m, 0))
		return true;
	for (int i = 0; i < count; i++)
		if (!HnswPinGet(HnswNodePins(node, l), i))
			return true;
	for (int i = 0; i < HNSW_RESCUE_LINKS; i++)
		if (!ItemPointerIsValid(&HnswNodeRescue(node, l)[i]))
			return true;
	return false;
}

/*
 * Calls fn for every node of the index not flagged DELETED nor in the
 * deleted set, with its page share-locked.  Reads every page in order.
 */
static void
each_live_node(VacuumState *vs, void (*fn) (VacuumState *vs, ItemPointer tid, HnswNode node,
											void *arg), void *arg)
{
	BlockNumber nblocks = RelationGetNumberOfBlocks(vs->index);

	for (BlockNumber blkno = HNSW_METAPAGE_BLKNO + 1; blkno < nblocks; blkno++)
	{
		Buffer		buf = read_block(vs, blkno);
		Page		page;

		VecdbVacuumDelayPoint();
		LockBuffer(buf, BUFFER_LOCK_SHARE);
		page = BufferGetPage(buf);
		if (HnswPageIsValid(page) && (HnswPageGetOpaque(page)->flags & HNSW_PAGE_NODES))
			for (OffsetNumber off = FirstOffsetNumber; off <= PageGetMaxOffsetNumber(page); off++)
			{
				HnswNode	node = HnswGetNode(page, off, vs->info);
				ItemPointerData tid;

				ItemPointerSet(&tid, blkno, off);
				if (node != NULL && !(node->flags & HNSW_NODE_DELETED) && !is_deleted(vs, &tid))
					fn(vs, &tid, node, arg);
			}
		UnlockReleaseBuffer(buf);
	}
}

static void
note_live_with_room(VacuumState *vs, ItemPointer tid, HnswNode node, void *arg)
{
	if (!*(bool *) arg || has_room(vs, node))
		note_live(vs, tid, node);
}

/*
 * Finds the highest-level live node of the whole index (with room for one
 * more tree edge, with room).
 */
static void
find_live_node(VacuumState *vs, bool room)
{
	vs->have_live = false;
	each_live_node(vs, note_live_with_room, &room);
}

/*
 * A node pass 1 left with no inline heap TID but with TID lists: if its
 * lists hold none either, flag it DELETED.  No insert runs (it could add a
 * TID to the lists between the look and the flag).
 */
static void
settle_emptied(VacuumState *vs, ItemPointer tid, uint16 version)
{
	Buffer		buf = read_block(vs, ItemPointerGetBlockNumber(tid));
	HnswNode	node;
	ItemPointerData head;
	GenericXLogState *state;

	LockBuffer(buf, BUFFER_LOCK_SHARE);
	node = HnswGetNode(BufferGetPage(buf), ItemPointerGetOffsetNumber(tid), vs->info);
	if (node == NULL || node->version != version || node->ntids > 0 ||
		(node->flags & HNSW_NODE_DELETED))
	{
		UnlockReleaseBuffer(buf);
		return;
	}
	head = node->tidlist;
	LockBuffer(buf, BUFFER_LOCK_UNLOCK);
	if (HnswListsHoldTids(vs->index, vs->info, tid, version, head))
	{
		ReleaseBuffer(buf);
		return;
	}
	LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
	state = GenericXLogStart(vs->index);
	node = HnswGetNode(GenericXLogRegisterBuffer(state, buf, 0),
					   ItemPointerGetOffsetNumber(tid), vs->info);
	node->flags |= HNSW_NODE_DELETED;
	count_live(vs, node, -1);
	GenericXLogFinish(state);
	UnlockReleaseBuffer(buf);
	add_deleted(vs, tid, version);
	crash_point(vs, 5);
}

/*
 * Pins a link from node r (at layer) to u, at distance d from r, making
 * room by dropping r's farthest unpinned link if needed.  Returns whether
 * r links to u pinned afterwards.
 */
static bool
pin_link(VacuumState *vs, HnswCandidate *r, int layer, ItemPointer u, const char *uvec,
		 float d)
{
	HnswSearch	s;
	bool		ok;

	HnswSearchInit(&s, vs->index, vs->info, uvec, true);
	ok = HnswAddBacklink(&s, r, layer, u, d, true, HNSW_PIN_ALWAYS);
	HnswSearchFree(&s);
	return ok;
}

/*
 * Gives live node b a tree edge to r (the old entry point): a pinned
 * layer-0 link, else a rescue link.  Returns whether it did.
 */
static bool
bridge(VacuumState *vs, HnswCandidate *b, ItemPointer r, uint16 rversion)
{
	char	   *rvec = palloc(vs->info->vecbytes);
	char	   *bvec = palloc(vs->info->vecbytes);

	return HnswNodeVectorCopy(vs->index, vs->info, r, rversion, rvec) &&
		HnswNodeVectorCopy(vs->index, vs->info, &b->tid, b->version, bvec) &&
		(pin_link(vs, b, 0, r, rvec, HnswVecDistance(vs->info, rvec, bvec)) ||
		 HnswAddRescueLink(vs->index, vs->info, b, r));
}

/*
 * Moves the entry point off a deleted node R: to the highest-level live
 * node B, which first gets a tree edge to R (bridge), so that what hangs
 * below R stays reachable until relink gives it other parents; if the
 * highest has no room for it, to the highest that has.  Marks the index
 * empty when no live node is left.
 */
static void
move_entry_point(VacuumState *vs)
{
	HnswMetaPageData meta;
	Buffer		buf;
	GenericXLogState *state;
	HnswMetaPage m;

	HnswReadMeta(vs->index, &meta);
	if (meta.entry_level < 0 || !is_deleted(vs, &meta.entry))
		return;
	if (!vs->have_live || is_deleted(vs, &vs->best.tid))
		find_live_node(vs, false);
	if (vs->have_live && !bridge(vs, &vs->best, &meta.entry, meta.entry_version))
	{
		find_live_node(vs, true);
		if (!vs->have_live || !bridge(vs, &vs->best, &meta.entry, meta.entry_version))
			elog(ERROR, "could not link the new entry point of index \"%s\" to the old one",
				 RelationGetRelationName(vs->index));
	}
	if (vs->have_live)
		crash_point(vs, 5);
	buf = ReadBuffer(vs->index, HNSW_METAPAGE_BLKNO);
	LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
	state = GenericXLogStart(vs->index);
	m = HnswPageGetMeta(GenericXLogRegisterBuffer(state, buf, 0));
	if (vs->have_live)
	{
		m->entry = vs->best.tid;
		m->entry_version = vs->best.version;
		m->entry_level = vs->best_level;
	}
	else
	{
		ItemPointerSetInvalid(&m->entry);
		m->entry_version = 0;
		m->entry_level = -1;
	}
	GenericXLogFinish(state);
	UnlockReleaseBuffer(buf);
}

/*
 * Between passes 1 and 2, under the insert lock in exclusive mode (which
 * first waits out every insert that began before the flags were set):
 * flag the emptied nodes, then move the entry point if it was deleted.
 */
static void
settle(VacuumState *vs)
{
	LockPage(vs->index, HNSW_INSERT_LOCK_PAGE, ExclusiveLock);
	for (int i = 0; i < vs->nemptied; i++)
		settle_emptied(vs, &vs->emptied[i], vs->emptied_version[i]);
	move_entry_point(vs);
	UnlockPage(vs->index, HNSW_INSERT_LOCK_PAGE, ExclusiveLock);
}

/* ---- pass 2: relink ---- */

/* walk marker: a live node newly reached over pinned links */
static bool
relink_mark(void *arg, ItemPointer t)
{
	VacuumState *vs = (VacuumState *) arg;
	bool		found;

	if (is_deleted(vs, t))
		return false;
	tidset_insert(vs->reached, tid_key(t), &found);
	return !found;
}

/*
 * If node r's layer-0 list links to u and has fewer than HNSW_PIN_LIMIT
 * pins, pins that link.  Returns whether it is pinned afterwards.
 */
static bool
pin_existing(VacuumState *vs, ItemPointer r, ItemPointer u)
{
	HnswIndexInfo *info = vs->info;
	int			layer = 0;
	int			cap = HnswLayerCap(info->m, layer);
	HnswList	list;

	for (int attempt = 0; attempt < REPAIR_RETRIES; attempt++)
	{
		Buffer		buf = read_block(vs, ItemPointerGetBlockNumber(r));
		HnswNode	node;
		int			at;
		bool		same;

		LockBuffer(buf, BUFFER_LOCK_SHARE);
		node = HnswGetNode(BufferGetPage(buf), ItemPointerGetOffsetNumber(r), info);
		if (node == NULL || node->level < layer || (node->flags & HNSW_NODE_DELETED))
		{
			UnlockReleaseBuffer(buf);
			return false;
		}
		HnswListRead(node, &info->layouts[node->level], layer, cap, &list);
		LockBuffer(buf, BUFFER_LOCK_UNLOCK);
		at = HnswListFind(&list, u);
		if (at < 0 || list.pinned[at] || HnswListPins(&list) >= HNSW_PIN_LIMIT(cap))
		{
			ReleaseBuffer(buf);
			return at >= 0 && list.pinned[at];
		}
		LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
		node = HnswGetNode(BufferGetPage(buf), ItemPointerGetOffsetNumber(r), info);
		same = node != NULL && node->level >= layer &&
			HnswListSame(node, &info->layouts[node->level], layer, cap, &list);
		if (same)
		{
			GenericXLogState *state = GenericXLogStart(vs->index);

			node = HnswGetNode(GenericXLogRegisterBuffer(state, buf, 0),
							   ItemPointerGetOffsetNumber(r), info);
			HnswPinSet(HnswNodePins(node, &info->layouts[node->level]), at, true);
			GenericXLogFinish(state);
		}
		UnlockReleaseBuffer(buf);
		if (same)
			return true;
		CHECK_FOR_INTERRUPTS();
	}
	return false;
}

/*
 * A tree edge for live node u (vector vec) from the nearest reached nodes
 * a search finds: an existing link of theirs pinned, else a rescue link
 * (HnswRescueNear), else a pinned link in place of their farthest
 * unpinned one.  When the search finds no reached node (the entry point
 * moved next to a deleted region that cut off everything else), the
 * entry point itself, always reached, takes u: the rounds that follow
 * adopt u's neighbours through u.
 */
static bool
adopt_by_search(VacuumState *vs, ItemPointer u, const char *vec)
{
	HnswSearch	s;
	HnswCandidate ep,
				entry;
	int			ep_level;
	bool		done = false;
	HnswHeap	entries,
				w;
	int			n = 0;

	HnswSearchInit(&s, vs->index, vs->info, vec, true);
	if (!HnswSearchEntry(&s, &ep, &ep_level))
	{
		HnswSearchFree(&s);
		return false;
	}
	entry = ep;
	ep = HnswGreedyDescend(&s, ep, ep_level, 0);
	HnswHeapInit(&entries, 1, false);
	HnswHeapPush(&entries, &ep);
	HnswHeapInit(&w, vs->info->ef_construction + 1, true);
	HnswSearchLayer(&s, &entries, vs->info->ef_construction, 0, &w, NULL);
	HnswSortCandidates(w.items, w.n);
	for (int i = 0; i < w.n; i++)	/* the reached ones, u left out */
		if (!ItemPointerEquals(&w.items[i].tid, u) &&
			tidset_lookup(vs->reached, tid_key(&w.items[i].tid)) != NULL)
			w.items[n++] = w.items[i];
	if (n == 0 && !ItemPointerEquals(&entry.tid, u) &&
		tidset_lookup(vs->reached, tid_key(&entry.tid)) != NULL)
		w.items[n++] = entry;
	for (int i = 0; i < n && !done; i++)
		done = pin_existing(vs, &w.items[i].tid, u);
	if (!done)
		done = HnswRescueNear(vs->index, vs->info, w.items, n, u);
	for (int i = 0; i < n && !done; i++)
		done = HnswAddBacklink(&s, &w.items[i], 0, u, w.items[i].dist, true, HNSW_PIN_ALWAYS);
	HnswSearchFree(&s);
	return done;
}

/*
 * Gives live node u a tree edge from a node reached over tree edges
 * avoiding deleted nodes (vs->reached): one of u's own neighbours that
 * already links to it gets the link pinned; or, with search, one found by
 * a search for u's vector (adopt_by_search).  Returns false if none could
 * take it.
 */
static bool
adopt(VacuumState *vs, ItemPointer u, bool search)
{
	HnswIndexInfo *info = vs->info;
	char	   *vec = palloc(info->vecbytes);
	ItemPointerData links[HNSW_MAX_LINKS0];
	int			nlinks;
	uint16		version;
	int			level;
	bool		deleted;

	if (!HnswNodeRead(vs->index, info, u, vec, NULL, &version, &level, &deleted) || deleted)
		return true;			/* gone, or nothing to keep reachable */
	nlinks = HnswNodeNeighbors(vs->index, info, u, version, 0, links);
	for (int i = 0; i < nlinks; i++)
		if (tidset_lookup(vs->reached, tid_key(&links[i])) != NULL &&
			pin_existing(vs, &links[i], u))
			return true;
	return search && adopt_by_search(vs, u, vec);
}

/*
 * One round over the lost nodes not reached yet: each that can be adopted
 * (adopt) joins vs->reached with its pinned subtree.  With search, stops
 * after an eighth of those still unreached were adopted (at least one):
 * the cheap rounds take it from there.  Stopping after the first made the
 * rounds quadratic where adoptions bring small subtrees along (inner
 * product around deleted hubs: 1,500 of 4,500 deleted took 20 s).
 * Returns how many were adopted.
 */
static int
adopt_round(VacuumState *vs, ItemPointerData *lost, int nlost, bool search)
{
	int			adopted = 0;
	int			unreached = 0;

	for (int i = 0; i < nlost; i++)
		unreached += tidset_lookup(vs->reached, tid_key(&lost[i])) == NULL;
	for (int i = 0; i < nlost; i++)
	{
		MemoryContext old;
		bool		ok;

		if (tidset_lookup(vs->reached, tid_key(&lost[i])) != NULL)
			continue;
		VecdbVacuumDelayPoint();
		old = MemoryContextSwitchTo(vs->tmpctx);
		ok = adopt(vs, &lost[i], search);
		MemoryContextSwitchTo(old);
		MemoryContextReset(vs->tmpctx);
		if (!ok)
			continue;
		adopted++;
		vs->relinked++;
		HnswWalkTree(vs->index, vs->info, vs->vinfo->strategy, &lost[i], relink_mark, vs);
		crash_point(vs, 2);
		if (search && adopted >= Max(unreached / 8, 1))
			break;
	}
	return adopted;
}

static void
collect_unreached(VacuumState *vs, ItemPointer tid, HnswNode node, void *arg)
{
	TidArray   *a = (TidArray *) arg;

	if (tidset_lookup(vs->reached, tid_key(tid)) == NULL)
		tidarray_add(a, tid, 1);
}

/*
 * Pass 2: every live node must keep a pinned path from the entry point that
 * avoids deleted nodes before pass 3 drops the links into them.  Walk the
 * pinned links from the entry point, not entering deleted nodes; then the
 * live nodes not reached are adopted, those a reached neighbour links to
 * first (rounds of adopt_round, each adoption bringing its pinned subtree
 * along), the rest through a search, one at a time.  Inserts run
 * meanwhile: a new node's parent is live, and either reached or one of the
 * nodes adopted here.
 */
static void
relink(VacuumState *vs)
{
	HnswMetaPageData meta;
	TidArray	lost = {palloc(sizeof(ItemPointerData) * 64), 0, 64};
	bool		search = false;

	HnswReadMeta(vs->index, &meta);
	if (meta.entry_level < 0)
		return;
	vs->reached = tidset_create(CurrentMemoryContext, 1024, NULL);
	HnswWalkTree(vs->index, vs->info, vs->vinfo->strategy, &meta.entry, relink_mark, vs);
	each_live_node(vs, collect_unreached, &lost);
	for (;;)
	{
		if (adopt_round(vs, lost.tids, lost.n, search) > 0)
			search = false;
		else if (!search)
			search = true;
		else
			break;
	}
	for (int i = 0; i < lost.n; i++)
		if (tidset_lookup(vs->reached, tid_key(&lost.tids[i])) == NULL &&
			!is_deleted(vs, &lost.tids[i]))
			ereport(WARNING,
					(errcode(ERRCODE_INTERNAL_ERROR),
					 errmsg("could not relink node (%u,%u) of index \"%s\"",
							ItemPointerGetBlockNumber(&lost.tids[i]),
							ItemPointerGetOffsetNumber(&lost.tids[i]),
							RelationGetRelationName(vs->index))));
	pfree(lost.tids);
	tidset_destroy(vs->reached);
	vs->reached = NULL;
}

/* ---- pass 3: repair ---- */

typedef struct RepairArg
{
	VacuumState *vs;
	const HnswCandidate *cands;
	const char *vecs;			/* candidate k's vector at cands[k].links_off */
} RepairArg;

static float
repair_pair_distance(void *arg, int i, int j)
{
	RepairArg  *a = (RepairArg *) arg;
	Size		d = a->vs->info->vecbytes;

	return HnswVecDistance(a->vs->info, a->vecs + a->cands[i].links_off * d,
						   a->vecs + a->cands[j].links_off * d);
}

static void
add_candidate(HnswCandidate *cands, int *n, ItemPointer tid)
{
	for (int k = 0; k < *n; k++)
		if (ItemPointerEquals(&cands[k].tid, tid))
			return;
	memset(&cands[*n], 0, sizeof(HnswCandidate));
	cands[*n].tid = *tid;
	(*n)++;
}

/*
 * Candidates for node tid's new list on layer: its live links, then the
 * live links of its deleted links, up to maxc, taken in rounds: each
 * deleted link's nearest not yet taken, then each one's next (its list is
 * in HNSW order, selected links first), so that every lost link's
 * neighbourhood is offered, not only the first few lost links' whole lists
 * (src/README, "HNSW: vacuum").
 */
static int
gather_candidates(VacuumState *vs, ItemPointer tid, HnswList *list, int layer,
				  HnswCandidate *cands, int maxc)
{
	ItemPointerData *nb = palloc(mul_size(sizeof(ItemPointerData) * HNSW_MAX_LINKS0,
										  Max(list->count, 1)));
	int		   *nn = palloc0(sizeof(int) * Max(list->count, 1));
	int			most = 0;
	int			n = 0;

	for (int i = 0; i < list->count; i++)
	{
		tidset_entry *d = tidset_lookup(vs->deleted, tid_key(&list->tids[i]));

		if (d == NULL)
			add_candidate(cands, &n, &list->tids[i]);
		else
			nn[i] = HnswNodeNeighbors(vs->index, vs->info, &list->tids[i], d->version, layer,
									  nb + i * HNSW_MAX_LINKS0);
		most = Max(most, nn[i]);
	}
	for (int j = 0; j < most && n < maxc; j++)
		for (int i = 0; i < list->count && n < maxc; i++)
		{
			ItemPointer c = &nb[i * HNSW_MAX_LINKS0 + j];

			if (j < nn[i] && !ItemPointerEquals(c, tid) && !is_deleted(vs, c))
				add_candidate(cands, &n, c);
		}
	pfree(nb);
	pfree(nn);
	return n;
}

/*
 * Measures the candidates from vec: their vectors go to vecs (candidate k
 * keeps its row in links_off), their distances and versions into cands.
 * Drops the ones gone, deleted or below layer; sorts the rest.  Returns how
 * many are left.
 */
static int
measure_candidates(VacuumState *vs, const char *vec, int layer, HnswCandidate *cands,
				   int n, char *vecs)
{
	HnswIndexInfo *info = vs->info;
	int			w = 0;

	for (int k = 0; k < n; k++)
	{
		char	   *cv = vecs + w * info->vecbytes;
		int			clevel;
		bool		cdel;

		if (!HnswNodeRead(vs->index, info, &cands[k].tid, cv, NULL, &cands[k].version, &clevel, &cdel) ||
			cdel || (layer != HNSW_TENANT_LIST && clevel < layer))
			continue;
		cands[w] = cands[k];
		cands[w].dist = HnswVecDistance(info, vec, cv);
		cands[w].links_off = w;
		w++;
	}
	HnswSortCandidates(cands, w);
	return w;
}

/*
 * Candidates for node tid (vector vec) on layer by a search from the entry
 * point, as an insert finds its neighbours (deleted nodes walked through,
 * never returned): up to maxc, measured (measure_candidates).
 */
static int
search_candidates(VacuumState *vs, HnswSearch *s, ItemPointer tid, const char *vec,
				  int layer, HnswCandidate *cands, char *vecs, int maxc)
{
	HnswHeap	entries,
				w;
	HnswCandidate ep;
	int			ep_level;
	int			k = 0;

	if (HnswSearchEntry(s, &ep, &ep_level))
	{
		ep = HnswGreedyDescend(s, ep, ep_level, layer);
		HnswHeapInit(&entries, 1, false);
		HnswHeapPush(&entries, &ep);
		HnswHeapInit(&w, maxc + 2, true);
		HnswSearchLayer(s, &entries, maxc + 1, layer, &w, NULL);
		HnswSortCandidates(w.items, w.n);
		for (int i = 0; i < w.n && k < maxc; i++)
			if (!ItemPointerEquals(&w.items[i].tid, tid))
			{
				memset(&cands[k], 0, sizeof(HnswCandidate));
				cands[k++].tid = w.items[i].tid;
			}
	}
	return measure_candidates(vs, vec, layer, cands, k, vecs);
}

/*
 * The new list from measured candidates: the selection heuristic, then
 * every live pinned link of the old list put back (pinned) if it was left
 * out, candidate or not (a search need not have found it).
 */
static void
select_list(VacuumState *vs, HnswCandidate *cands, int n, const char *vecs,
			HnswList *old, int cap, HnswList *out)
{
	int			sel[2 * HNSW_MAX_M];
	RepairArg	arg = {vs, cands, vecs};

	out->count = HnswSelectNeighbors(vs->info->metric, cands, n, cap, repair_pair_distance, &arg,
									 sel, &out->nsel);
	for (int k = 0; k < out->count; k++)
	{
		int			at = HnswListFind(old, &cands[sel[k]].tid);

		out->tids[k] = cands[sel[k]].tid;
		out->dists[k] = cands[sel[k]].dist;
		out->pinned[k] = at >= 0 && old->pinned[at];
	}
	for (int i = 0; i < old->count; i++)
	{
		if (!old->pinned[i] || is_deleted(vs, &old->tids[i]) ||
			HnswListFind(out, &old->tids[i]) >= 0)
			continue;
		/* the stored distance is exact: the node's own to that link */
		if (!HnswListPut(out, cap, &old->tids[i], old->dists[i], true))
			elog(ERROR, "hnsw repair found a list with every link pinned");
	}
}

/*
 * Writes list as node tid's list on layer if the list is still old.
 * Returns 1 if written, 0 if the list changed meanwhile, -1 if the node is
 * gone.
 */
static int
write_if_same(VacuumState *vs, ItemPointer tid, uint16 version, int layer,
			  const HnswList *old, const HnswList *list)
{
	HnswIndexInfo *info = vs->info;
	int			cap = HnswLayerCap(info->m, layer);
	Buffer		buf = read_block(vs, ItemPointerGetBlockNumber(tid));
	HnswNode	node;
	int			result;

	LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
	node = HnswGetNode(BufferGetPage(buf), ItemPointerGetOffsetNumber(tid), info);
	if (node == NULL || node->version != version)
		result = -1;
	else if (!HnswListSame(node, &info->layouts[node->level], layer, cap, old))
		result = 0;
	else
	{
		GenericXLogState *state = GenericXLogStart(vs->index);

		node = HnswGetNode(GenericXLogRegisterBuffer(state, buf, 0),
						   ItemPointerGetOffsetNumber(tid), info);
		HnswListWrite(node, &info->layouts[node->level], layer, cap, list);
		GenericXLogFinish(state);
		result = 1;
	}
	UnlockReleaseBuffer(buf);
	return result;
}

/* node tid's list on layer (false if the node is gone) */
static bool
read_list(VacuumState *vs, ItemPointer tid, uint16 version, int layer, HnswList *list)
{
	Buffer		buf = read_block(vs, ItemPointerGetBlockNumber(tid));
	HnswNode	node;
	bool		ok;

	LockBuffer(buf, BUFFER_LOCK_SHARE);
	node = HnswGetNode(BufferGetPage(buf), ItemPointerGetOffsetNumber(tid), vs->info);
	ok = node != NULL && node->version == version && HnswNodeHasList(node, vs->info, layer);
	if (ok)
		HnswListRead(node, &vs->info->layouts[node->level], layer,
					 HnswLayerCap(vs->info->m, layer), list);
	UnlockReleaseBuffer(buf);
	return ok;
}

/*
 * After node tid got a new list on layer: each node it links to is offered
 * a link back, by the insert's rule, so that the repaired node is found
 * from its neighbourhood too.  s (from tid's vector) remembers the
 * distances measured for the repair, and the measured candidates' (n).
 */
static void
backlink(HnswSearch *s, ItemPointer tid, int layer, HnswList *list,
		 HnswCandidate *cands, int n)
{
	for (int k = 0; k < n; k++)
		HnswSearchRemember(s, &cands[k].tid, cands[k].dist);
	for (int i = 0; i < list->count; i++)
		for (int k = 0; k < n; k++)
			if (ItemPointerEquals(&cands[k].tid, &list->tids[i]))
			{
				HnswAddBacklink(s, &cands[k], layer, tid, cands[k].dist, false, HNSW_PIN_NO);
				break;
			}
}

/*
 * Gives node tid (vector vec) a new list on layer if it links to a deleted
 * node there: decided with no lock held, written if the list did not
 * change meanwhile, else decided again.  layer may be HNSW_TENANT_LIST: a
 * tenant index's list, whose two hops are all of the node's tenant.
 * Candidates from two hops (gather_candidates); a search for a list that
 * lost more than half and whose two hops fell short of maxc, and for every
 * list of a sparse graph (REPAIR_DENSE_M).  Back-links once it lost more
 * than an eighth (src/README, "HNSW: vacuum", measured on Fashion-MNIST).
 */
static void
repair_layer(VacuumState *vs, ItemPointer tid, uint16 version, const char *vec, int layer)
{
	HnswIndexInfo *info = vs->info;
	int			cap = HnswLayerCap(info->m, layer);
	bool		sparse = info->m < REPAIR_DENSE_M;
	int			maxc = Max(Max(info->ef_construction, 2 * cap),
						   sparse ? REPAIR_SPARSE_CANDIDATES : 0);
	HnswList   *old = palloc(sizeof(HnswList));
	HnswList   *list = palloc(sizeof(HnswList));
	HnswCandidate *cands = palloc(sizeof(HnswCandidate) * (maxc + cap));
	char	   *vecs = palloc(mul_size(info->vecbytes, maxc + cap));

	for (int attempt = 0;; attempt++)
	{
		int			ndeleted = 0;
		int			n;
		int			written;
		bool		search;
		HnswSearch	s;

		if (!read_list(vs, tid, version, layer, old))
			break;
		for (int i = 0; i < old->count; i++)
			ndeleted += is_deleted(vs, &old->tids[i]);
		if (ndeleted == 0)
			break;
		if (attempt >= REPAIR_RETRIES)
			ereport(ERROR,
					(errcode(ERRCODE_LOCK_NOT_AVAILABLE),
					 errmsg("could not repair hnsw graph of index \"%s\" at (%u,%u) after %d attempts",
							RelationGetRelationName(vs->index),
							ItemPointerGetBlockNumber(tid),
							ItemPointerGetOffsetNumber(tid), attempt)));
		CHECK_FOR_INTERRUPTS();
		HnswSearchInit(&s, vs->index, info, vec, true);
		/* a tenant list takes two hops only: a search would leave the tenant */
		search = sparse && layer != HNSW_TENANT_LIST;
		if (!search)
		{
			n = gather_candidates(vs, tid, old, layer, cands, maxc);
			search = ndeleted * 2 > old->count && n < maxc && layer != HNSW_TENANT_LIST;
		}
		if (search)
			n = search_candidates(vs, &s, tid, vec, layer, cands, vecs, maxc);
		else
			n = measure_candidates(vs, vec, layer, cands, n, vecs);
		select_list(vs, cands, n, vecs, old, cap, list);
		written = write_if_same(vs, tid, version, layer, old, list);
		if (written == 1)
		{
			vs->repaired++;
			if (ndeleted * 8 > old->count)
				backlink(&s, tid, layer, list, cands, n);
		}
		HnswSearchFree(&s);
		if (written != 0)
			return;
	}
}

/* Clears node tid's rescue links to deleted nodes (relink made them useless). */
static void
drop_dead_rescue(VacuumState *vs, ItemPointer tid, uint16 version)
{
	Buffer		buf = read_block(vs, ItemPointerGetBlockNumber(tid));
	HnswNode	node;
	GenericXLogState *state = NULL;

	LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
	node = HnswGetNode(BufferGetPage(buf), ItemPointerGetOffsetNumber(tid), vs->info);
	for (int i = 0; node != NULL && node->version == version && i < HNSW_RESCUE_LINKS; i++)
	{
		ItemPointer rescue = HnswNodeRescue(node, &vs->info->layouts[node->level]);

		if (!ItemPointerIsValid(&rescue[i]) || !is_deleted(vs, &rescue[i]))
			continue;
		if (state == NULL)
		{
			state = GenericXLogStart(vs->index);
			node = HnswGetNode(GenericXLogRegisterBuffer(state, buf, 0),
							   ItemPointerGetOffsetNumber(tid), vs->info);
			rescue = HnswNodeRescue(node, &vs->info->layouts[node->level]);
		}
		ItemPointerSetInvalid(&rescue[i]);
	}
	if (state)
		GenericXLogFinish(state);
	UnlockReleaseBuffer(buf);
}

/* Whether node's tenant list links to a deleted node. */
static bool
tenant_affected(VacuumState *vs, HnswNode node, const HnswNodeLayout *l)
{
	int			n = Min(HnswListCount(node, l, HNSW_TENANT_LIST), HnswTenantCap(vs->info));
	ItemPointer tids = HnswNodeTids(node, l, HNSW_TENANT_LIST);

	for (int i = 0; i < n; i++)
		if (is_deleted(vs, &tids[i]))
			return true;
	return false;
}

/* Pass 3 on one page: repair each live node that links to a deleted one. */
static void
repair_page(VacuumState *vs, BlockNumber blkno)
{
	Buffer		buf = read_block(vs, blkno);
	Page		page;
	ItemPointerData todo[MaxOffsetNumber];
	uint16		versions[MaxOffsetNumber];
	int			levels[MaxOffsetNumber];
	int			ntodo = 0;

	LockBuffer(buf, BUFFER_LOCK_SHARE);
	page = BufferGetPage(buf);
	if (!HnswPageIsValid(page) || !(HnswPageGetOpaque(page)->flags & HNSW_PAGE_NODES))
	{
		UnlockReleaseBuffer(buf);
		return;
	}
	for (OffsetNumber off = FirstOffsetNumber; off <= PageGetMaxOffsetNumber(page); off++)
	{
		HnswNode	node = HnswGetNode(page, off, vs->info);
		const HnswNodeLayout *l;
		bool		affected = false;

		if (node == NULL || (node->flags & HNSW_NODE_DELETED))
			continue;
		l = &vs->info->layouts[node->level];
		for (int layer = 0; layer <= node->level && !affected; layer++)
		{
			ItemPointerData links[HNSW_MAX_LINKS0];
			int			n = HnswNodeLinks(node, l, layer, vs->info->m, links);

			for (int i = 0; i < n && !affected; i++)
				affected = is_deleted(vs, &links[i]);
		}
		if (!affected && vs->info->tenant >= 0)
			affected = tenant_affected(vs, node, l);
		if (affected)
		{
			ItemPointerSet(&todo[ntodo], blkno, off);
			versions[ntodo] = node->version;
			levels[ntodo] = node->level;
			ntodo++;
		}
	}
	UnlockReleaseBuffer(buf);

	for (int i = 0; i < ntodo; i++)
	{
		MemoryContext old = MemoryContextSwitchTo(vs->tmpctx);
		char	   *vec = palloc(vs->info->vecbytes);

		if (HnswNodeVectorCopy(vs->index, vs->info, &todo[i], versions[i], vec))
		{
			for (int layer = 0; layer <= levels[i]; layer++)
				repair_layer(vs, &todo[i], versions[i], vec, layer);
			if (vs->info->tenant >= 0)
				repair_layer(vs, &todo[i], versions[i], vec, HNSW_TENANT_LIST);
		}
		drop_dead_rescue(vs, &todo[i], versions[i]);
		MemoryContextSwitchTo(old);
		MemoryContextReset(vs->tmpctx);
		pgstat_progress_update_param(VECDB_PROGRESS_NODES_REPAIRED, vs->repaired);
		crash_point(vs, 3);
	}
}

/* ---- pass 4: free ---- */

/*
 * The TID list tuples of the deleted nodes on a page: read before the page
 * is locked for cleanup (their chains do not change: a deleted node never
 * gains a heap TID).  False if the page holds no deleted node to free.
 */
static bool
page_lists(VacuumState *vs, BlockNumber blkno, Buffer buf, TidArray *out)
{
	Page		page;
	bool		any = false;

	LockBuffer(buf, BUFFER_LOCK_SHARE);
	page = BufferGetPage(buf);
	if (HnswPageIsValid(page) && (HnswPageGetOpaque(page)->flags & HNSW_PAGE_NODES))
		for (OffsetNumber off = FirstOffsetNumber; off <= PageGetMaxOffsetNumber(page); off++)
		{
			HnswNode	node = HnswGetNode(page, off, vs->info);
			ItemPointerData tid;
			ItemPointerData head;
			ItemPointerData *lists;
			uint16		version;
			int			n;

			ItemPointerSet(&tid, blkno, off);
			if (node == NULL || !is_deleted(vs, &tid) || !(node->flags & HNSW_NODE_DELETED))
				continue;
			any = true;
			head = node->tidlist;
			version = node->version;
			if (!ItemPointerIsValid(&head))
				continue;
			LockBuffer(buf, BUFFER_LOCK_UNLOCK);
			n = HnswListTuples(vs->index, vs->info, &tid, version, head, &lists);
			tidarray_add(out, lists, n);
			pfree(lists);
			LockBuffer(buf, BUFFER_LOCK_SHARE);
			page = BufferGetPage(buf);
		}
	LockBuffer(buf, BUFFER_LOCK_UNLOCK);
	return any;
}

/*
 * Pass 4 on one page: free the deleted nodes, collecting into *sat their
 * satellite tuples (chunks of external vectors, TID lists), which may sit
 * on other pages.  Cleanup lock: no other backend has the page pinned
 * while bytes move.
 */
static void
free_page(VacuumState *vs, BlockNumber blkno, TidArray *sat)
{
	Buffer		buf = read_block(vs, blkno);
	Page		page;
	GenericXLogState *state = NULL;

	if (!page_lists(vs, blkno, buf, sat))
	{
		ReleaseBuffer(buf);
		return;
	}
	LockBufferForCleanup(buf);
	page = BufferGetPage(buf);
	for (OffsetNumber off = FirstOffsetNumber; off <= PageGetMaxOffsetNumber(page); off++)
	{
		ItemPointerData tid;
		tidset_entry *d;
		HnswNode	node;

		ItemPointerSet(&tid, blkno, off);
		d = tidset_lookup(vs->deleted, tid_key(&tid));
		node = d ? HnswGetNode(page, off, vs->info) : NULL;
		if (node == NULL || node->version != d->version || !(node->flags & HNSW_NODE_DELETED))
			continue;
		if (state == NULL)
		{
			state = GenericXLogStart(vs->index);
			page = GenericXLogRegisterBuffer(state, buf, 0);
			node = HnswGetNode(page, off, vs->info);
		}
		if (node->flags & HNSW_NODE_EXTERNAL)
			tidarray_add(sat, HnswNodeChunks(node, &vs->info->layouts[node->level]),
						 HnswChunkCount(node->vecbytes));
		PageIndexTupleDeleteNoCompact(page, off);
	}
	if (state)
	{
		/* let PageAddItem reuse the freed line pointers */
		PageSetHasFreeLinePointers(page);
		HnswPageGetOpaque(page)->epoch++;
		GenericXLogFinish(state);
	}
	HnswRecordFreeSpace(vs->index, buf);
	UnlockReleaseBuffer(buf);
}

static int
cmp_tid(const void *a, const void *b)
{
	return ItemPointerCompare((ItemPointer) a, (ItemPointer) b);
}

/* Frees satellite tuples (chunks, TID lists) of freed nodes, page by page. */
static void
free_satellites(VacuumState *vs, TidArray *sat)
{
	qsort(sat->tids, sat->n, sizeof(ItemPointerData), cmp_tid);
	for (int i = 0; i < sat->n;)
	{
		BlockNumber blkno = ItemPointerGetBlockNumber(&sat->tids[i]);
		Buffer		buf = read_block(vs, blkno);
		GenericXLogState *state;
		Page		page;

		LockBufferForCleanup(buf);
		state = GenericXLogStart(vs->index);
		page = GenericXLogRegisterBuffer(state, buf, 0);
		for (; i < sat->n && ItemPointerGetBlockNumber(&sat->tids[i]) == blkno; i++)
		{
			OffsetNumber off = ItemPointerGetOffsetNumber(&sat->tids[i]);
			ItemId		iid;
			uint8		type;

			if (off > PageGetMaxOffsetNumber(page))
				continue;
			iid = PageGetItemId(page, off);
			if (!ItemIdIsNormal(iid))
				continue;
			type = *(uint8 *) PageGetItem(page, iid);
			if (type == HNSW_TUPLE_CHUNK || type == HNSW_TUPLE_TIDLIST)
				PageIndexTupleDeleteNoCompact(page, off);
		}
		PageSetHasFreeLinePointers(page);
		HnswPageGetOpaque(page)->epoch++;
		GenericXLogFinish(state);
		HnswRecordFreeSpace(vs->index, buf);
		UnlockReleaseBuffer(buf);
	}
	sat->n = 0;
}

/* ---- the passes ---- */

/* for the tenant directory: whether this VACUUM frees node tid */
static bool
dir_deleted(void *arg, ItemPointer tid)
{
	return is_deleted((VacuumState *) arg, tid);
}

/*
 * for the tenant directory: the live nodes of value pass 1 met and this
 * VACUUM leaves, in *nodes; false if it met none
 */
static bool
dir_live(void *arg, uint64 value, uint32 *nodes)
{
	VacuumState *vs = (VacuumState *) arg;
	TenantCount *e = vs->live ? hash_search(vs->live, &value, HASH_FIND, NULL) : NULL;

	if (e == NULL)
		return false;
	*nodes = (uint32) Min(Max(e->nodes, 0), PG_UINT32_MAX);
	return true;
}

static void
progress_phase(int phase, BlockNumber nblocks)
{
	pgstat_progress_update_param(VECDB_PROGRESS_HNSW_PHASE, phase);
	pgstat_progress_update_param(VECDB_PROGRESS_BLOCKS_TOTAL, nblocks);
	pgstat_progress_update_param(VECDB_PROGRESS_BLOCKS_DONE, 0);
}

/* Runs fn on every page after the metapage, with delay points and progress. */
static void
each_page(VacuumState *vs, BlockNumber nblocks, int pass,
		  void (*fn) (VacuumState *vs, BlockNumber blkno))
{
	for (BlockNumber blkno = HNSW_METAPAGE_BLKNO + 1; blkno < nblocks; blkno++)
	{
		VecdbVacuumDelayPoint();
		fn(vs, blkno);
		pgstat_progress_update_param(VECDB_PROGRESS_BLOCKS_DONE, blkno + 1);
		if (pass > 0)
			crash_point(vs, pass);
	}
}

/* pass 4 on one page, its satellites at once: a cancel leaks little */
static void
free_page_and_satellites(VacuumState *vs, BlockNumber blkno)
{
	TidArray	sat = {palloc(sizeof(ItemPointerData) * 64), 0, 64};

	free_page(vs, blkno, &sat);
	if (sat.n > 0)
	{
		crash_point(vs, 4);
		free_satellites(vs, &sat);
	}
	pfree(sat.tids);
}

static void
init_state(VacuumState *vs, IndexVacuumInfo *vinfo, IndexBulkDeleteResult *stats,
		   IndexBulkDeleteCallback callback, void *callback_state, MemoryContext ctx)
{
	memset(vs, 0, sizeof(*vs));
	vs->vinfo = vinfo;
	vs->index = vinfo->index;
	vs->info = HnswGetIndexInfo(vinfo->index);
	vs->stats = stats;
	vs->callback = callback;
	vs->callback_state = callback_state;
	vs->deleted = tidset_create(ctx, 1024, NULL);
	vs->live = NULL;
	if (vs->info->tenant_counts)
	{
		HASHCTL		ctl = {.keysize = sizeof(uint64), .entrysize = sizeof(TenantCount),
		.hcxt = ctx};

		vs->live = hash_create("hnsw vacuum tenant counts", 64, &ctl,
							   HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}
	vs->emptied_cap = 16;
	vs->emptied = palloc(sizeof(ItemPointerData) * vs->emptied_cap);
	vs->emptied_version = palloc(sizeof(uint16) * vs->emptied_cap);
	vs->tmpctx = AllocSetContextCreate(ctx, "hnsw vacuum node", ALLOCSET_DEFAULT_SIZES);
#ifdef USE_ASSERT_CHECKING
	if (vecdb_debug_vacuum_crash && vecdb_debug_vacuum_crash[0])
		(void) sscanf(vecdb_debug_vacuum_crash, "%d:%d", &vs->crash_pass, &vs->crash_step);
#endif
}

IndexBulkDeleteResult *
hnswbulkdelete(IndexVacuumInfo *vinfo, IndexBulkDeleteResult *stats,
			   IndexBulkDeleteCallback callback, void *callback_state)
{
	VacuumState vs;
	MemoryContext vacctx;
	MemoryContext old;
	BlockNumber nblocks;

	if (stats == NULL)
		stats = (IndexBulkDeleteResult *) palloc0(sizeof(IndexBulkDeleteResult));
	vacctx = AllocSetContextCreate(CurrentMemoryContext, "hnsw vacuum", ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(vacctx);
	init_state(&vs, vinfo, stats, callback, callback_state, vacctx);

	nblocks = RelationGetNumberOfBlocks(vs.index);
	stats->num_index_tuples = 0;
	pgstat_progress_update_param(VECDB_PROGRESS_INDEX, RelationGetRelid(vs.index));
	progress_phase(HNSW_VACUUM_PHASE_REMOVE, nblocks);
	each_page(&vs, nblocks, 1, remove_heap_tids);
	ereport(vinfo->message_level,
			(errmsg("index \"%s\": removed %.0f heap TIDs, %u nodes to repair around",
					RelationGetRelationName(vs.index), stats->tuples_removed,
					vs.deleted->members + vs.nemptied)));

	if (vs.deleted->members > 0 || vs.nemptied > 0)
	{
		settle(&vs);
		pgstat_progress_update_param(VECDB_PROGRESS_NODES_DELETED, vs.deleted->members);
		nblocks = RelationGetNumberOfBlocks(vs.index);
		progress_phase(HNSW_VACUUM_PHASE_RELINK, nblocks);
		relink(&vs);
		progress_phase(HNSW_VACUUM_PHASE_REPAIR, nblocks);
		each_page(&vs, nblocks, 0, repair_page);
		{
			HnswDirVacuumCallbacks cb = {dir_deleted, dir_live, &vs};

			HnswTenantDirVacuum(vs.index, vs.info, &cb);
		}
		wait_for_inserts(vs.index);
		progress_phase(HNSW_VACUUM_PHASE_FREE, nblocks);
		each_page(&vs, nblocks, 4, free_page_and_satellites);
		FreeSpaceMapVacuum(vs.index);
		ereport(vinfo->message_level,
				(errmsg("index \"%s\": relinked %lld nodes, repaired %lld link lists, freed %u nodes",
						RelationGetRelationName(vs.index), (long long) vs.relinked,
						(long long) vs.repaired, vs.deleted->members)));
	}

	MemoryContextSwitchTo(old);
	MemoryContextDelete(vacctx);
	stats->num_pages = RelationGetNumberOfBlocks(vinfo->index);
	pgstat_progress_update_param(VECDB_PROGRESS_HNSW_PHASE, 0);
	pgstat_progress_update_param(VECDB_PROGRESS_INDEX, InvalidOid);
	return stats;
}

IndexBulkDeleteResult *
hnswvacuumcleanup(IndexVacuumInfo *info, IndexBulkDeleteResult *stats)
{
	if (info->analyze_only)
		return stats;
	if (stats == NULL)
	{
		/* no bulk delete ran: report the heap's count as an estimate */
		stats = (IndexBulkDeleteResult *) palloc0(sizeof(IndexBulkDeleteResult));
		stats->num_index_tuples = info->num_heap_tuples;
		stats->estimated_count = info->estimated_count;
		FreeSpaceMapVacuum(info->index);
	}
	stats->num_pages = RelationGetNumberOfBlocks(info->index);
	return stats;
}
