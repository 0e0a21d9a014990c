/*-------------------------------------------------------------------------
 *
 * hnswvacuum.c
 *	  VACUUM for HNSW: drop dead heap TIDs, repair the graph around nodes
 *	  left without any, then free their space for reuse.
 *
 * Four passes over the index (src/README, "HNSW: vacuum"):
 *	 1. remove dead heap TIDs, page by page; a node left with none is
 *		flagged DELETED (still walkable, never chosen as a neighbour again);
 *	 -- wait for inserts that started before the flags were set --
 *	 2. move the entry point off a deleted node; give every live node that
 *		links to a deleted node new links: its other links plus the deleted
 *		node's live links, pruned by the selection heuristic;
 *	 -- wait for inserts again: none can still hold an old entry point --
 *	 3. free the deleted nodes under a cleanup lock, bumping the page epoch
 *		so that stale references (scans) see a version mismatch.
 *	 4. with inserts held off, link back every live node that no walk from
 *		the entry point reaches any more.
 *
 * Progress is published in the VACUUM progress slots VECDB_PROGRESS_* and
 * shown by the vecdb_stat_progress_vacuum view.
 *
 * Copyright (c) 2026, vecdb developers
 *
 * src/hnswvacuum.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/generic_xlog.h"
#include "commands/vacuum.h"
#include "common/hashfn.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/bufmgr.h"
#include "storage/freespace.h"
#include "storage/lmgr.h"
#include "utils/float.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "hnsw.h"

/* progress slots of the VACUUM command not used by core (PG 13 .. 17) */
#define VECDB_PROGRESS_HNSW_PHASE		15
#define VECDB_PROGRESS_BLOCKS_TOTAL		16
#define VECDB_PROGRESS_BLOCKS_DONE		17
#define VECDB_PROGRESS_NODES_DELETED	18
#define VECDB_PROGRESS_NODES_REPAIRED	19

#define HNSW_VACUUM_PHASE_REMOVE	1
#define HNSW_VACUUM_PHASE_REPAIR	2
#define HNSW_VACUUM_PHASE_FREE		3
#define HNSW_VACUUM_PHASE_RECONNECT	4

#define REPAIR_RETRIES 100

/* set of deleted node TIDs */
typedef struct deleted_entry
{
	uint64		key;
	char		status;
	uint16		version;
} deleted_entry;

#define SH_PREFIX deleted
#define SH_ELEMENT_TYPE deleted_entry
#define SH_KEY_TYPE uint64
#define SH_KEY key
#define SH_HASH_KEY(tb, k) HnswHashTid(k)
#define SH_EQUAL(tb, a, b) ((a) == (b))
#define SH_SCOPE static inline
#define SH_DEFINE
#define SH_DECLARE
#include "lib/simplehash.h"

/* set of node TIDs reached by a walk (pass 4) */
typedef struct reached_entry
{
	uint64		key;
	char		status;
} reached_entry;

#define SH_PREFIX reached
#define SH_ELEMENT_TYPE reached_entry
#define SH_KEY_TYPE uint64
#define SH_KEY key
#define SH_HASH_KEY(tb, k) HnswHashTid(k)
#define SH_EQUAL(tb, a, b) ((a) == (b))
#define SH_SCOPE static inline
#define SH_DEFINE
#define SH_DECLARE
#include "lib/simplehash.h"

typedef struct VacuumState
{
	IndexVacuumInfo *vinfo;
	Relation	index;
	HnswIndexInfo *info;
	IndexBulkDeleteResult *stats;
	IndexBulkDeleteCallback callback;
	void	   *callback_state;
	deleted_hash *deleted;
	bool		have_live;		/* highest-level live node seen */
	HnswCandidate best;
	int			best_level;
	int64		repaired;
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
	return deleted_lookup(vs->deleted, tid_key(tid)) != NULL;
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
 * Pass 1 on one page: drop dead heap TIDs; flag nodes left with none.
 * Exclusive lock on the page, one WAL record if anything changed.
 */
static void
remove_heap_tids(VacuumState *vs, BlockNumber blkno)
{
	Buffer		buf = read_block(vs, blkno);
	Page		page;
	GenericXLogState *state = NULL;
	OffsetNumber maxoff;

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
	maxoff = PageGetMaxOffsetNumber(page);
	for (OffsetNumber off = FirstOffsetNumber; off <= maxoff; off++)
	{
		HnswNode	node = HnswGetNode(page, off, vs->info);
		ItemPointerData keep[HNSW_HEAPTIDS];
		int			nkeep = 0;
		ItemPointerData tid;

		if (node == NULL)
			continue;
		ItemPointerSet(&tid, blkno, off);
		for (int i = 0; i < Min(node->ntids, HNSW_HEAPTIDS); i++)
		{
			if (vs->callback(&node->heaptids[i], vs->callback_state))
				vs->stats->tuples_removed++;
			else
				keep[nkeep++] = node->heaptids[i];
		}
		if (nkeep != node->ntids || (nkeep == 0 && !(node->flags & HNSW_NODE_DELETED)))
		{
			if (state == NULL)
			{
				state = GenericXLogStart(vs->index);
				page = GenericXLogRegisterBuffer(state, buf, 0);
				node = HnswGetNode(page, off, vs->info);
			}
			memcpy(node->heaptids, keep, sizeof(ItemPointerData) * nkeep);
			for (int i = nkeep; i < HNSW_HEAPTIDS; i++)
				ItemPointerSetInvalid(&node->heaptids[i]);
			node->ntids = nkeep;
			if (nkeep == 0)
				node->flags |= HNSW_NODE_DELETED;
		}
		if (node->flags & HNSW_NODE_DELETED)
		{
			bool		found;
			deleted_entry *e = deleted_insert(vs->deleted, tid_key(&tid), &found);

			e->version = node->version;
		}
		else
		{
			vs->stats->num_index_tuples += nkeep;
			if (!vs->have_live || node->level > vs->best_level)
			{
				vs->have_live = true;
				vs->best.tid = tid;
				vs->best.version = node->version;
				vs->best_level = node->level;
			}
		}
	}
	if (state)
		GenericXLogFinish(state);
	UnlockReleaseBuffer(buf);
}

/* Finds the highest-level live node of the whole index (pass 1 may have
 * missed nodes written beside it). */
static void
find_live_node(VacuumState *vs)
{
	BlockNumber nblocks = RelationGetNumberOfBlocks(vs->index);

	for (BlockNumber blkno = HNSW_METAPAGE_BLKNO + 1; blkno < nblocks; blkno++)
	{
		Buffer		buf = read_block(vs, blkno);
		Page		page;

		LockBuffer(buf, BUFFER_LOCK_SHARE);
		page = BufferGetPage(buf);
		if (HnswPageIsValid(page) && (HnswPageGetOpaque(page)->flags & HNSW_PAGE_NODES))
		{
			for (OffsetNumber off = FirstOffsetNumber; off <= PageGetMaxOffsetNumber(page); off++)
			{
				HnswNode	node = HnswGetNode(page, off, vs->info);

				if (node && !(node->flags & HNSW_NODE_DELETED) &&
					(!vs->have_live || node->level > vs->best_level))
				{
					vs->have_live = true;
					ItemPointerSet(&vs->best.tid, blkno, off);
					vs->best.version = node->version;
					vs->best_level = node->level;
				}
			}
		}
		UnlockReleaseBuffer(buf);
		vacuum_delay_point();
	}
}

/*
 * Moves the entry point off a deleted node: to the highest-level live node
 * (or marks the index empty when there is none).  Runs under the insert
 * lock in exclusive mode, so no insert reads the old entry point while it
 * changes, and none can add a live node that the choice would miss.
 */
static void
repair_entry_point(VacuumState *vs)
{
	Buffer		buf;
	HnswMetaPage meta;
	bool		deleted_entry;

	LockPage(vs->index, HNSW_INSERT_LOCK_PAGE, ExclusiveLock);
	buf = ReadBuffer(vs->index, HNSW_METAPAGE_BLKNO);
	LockBuffer(buf, BUFFER_LOCK_SHARE);
	meta = HnswPageGetMeta(BufferGetPage(buf));
	deleted_entry = meta->entry_level >= 0 && is_deleted(vs, &meta->entry);
	LockBuffer(buf, BUFFER_LOCK_UNLOCK);

	if (deleted_entry)
	{
		GenericXLogState *state;
		Page		page;

		/* nodes inserted during pass 1 may be the only live ones */
		if (!vs->have_live)
			find_live_node(vs);
		LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
		state = GenericXLogStart(vs->index);
		page = GenericXLogRegisterBuffer(state, buf, 0);
		meta = HnswPageGetMeta(page);
		if (vs->have_live)
		{
			meta->entry = vs->best.tid;
			meta->entry_version = vs->best.version;
			meta->entry_level = vs->best_level;
		}
		else
		{
			ItemPointerSetInvalid(&meta->entry);
			meta->entry_version = 0;
			meta->entry_level = -1;
		}
		GenericXLogFinish(state);
		LockBuffer(buf, BUFFER_LOCK_UNLOCK);
	}
	ReleaseBuffer(buf);
	UnlockPage(vs->index, HNSW_INSERT_LOCK_PAGE, ExclusiveLock);
}

typedef struct RepairArg
{
	VacuumState *vs;
	float	   *vecs;
	bool	   *ok;
} RepairArg;

static float
repair_pair_distance(void *arg, int i, int j)
{
	RepairArg  *a = (RepairArg *) arg;
	int			d = a->vs->info->dims;

	if (!a->ok[i] || !a->ok[j])
		return get_float4_infinity();
	return HnswDistanceFloats(a->vs->info->metric, a->vecs + (Size) i * d,
							  a->vecs + (Size) j * d, d);
}

/*
 * Gives the node at tid (version, level) new links on every layer where it
 * links to a deleted node.  Its vector is the query; candidates are its live
 * links and the live links of its deleted neighbours.  Each layer's new
 * list is written under the page's exclusive lock only if the list is
 * unchanged since read; else recomputed.  Holds no lock on entry or exit.
 */
static void
repair_node(VacuumState *vs, ItemPointer tid, uint16 version, int level)
{
	HnswIndexInfo *info = vs->info;
	float	   *vec = palloc(sizeof(float) * info->dims);

	if (!HnswNodeVectorCopy(vs->index, info, tid, version, vec))
		return;

	for (int layer = 0; layer <= level; layer++)
	{
		int			cap = HnswLayerCap(info->m, layer);
		ItemPointerData *tids = palloc(sizeof(ItemPointerData) * cap);
		float	   *dists = palloc(sizeof(float) * cap);
		ItemPointerData *nb = palloc(sizeof(ItemPointerData) * cap);

		for (int attempt = 0;; attempt++)
		{
			int			n = HnswNodeNeighbors(vs->index, info, tid, version, layer, tids, dists);
			HnswCandidate *cands;
			int			ncands = 0;
			/* enough to choose from, bounded in time and memory */
			int			maxc = Max(info->ef_construction, 2 * cap);
			bool		any_deleted = false;
			int		   *sel;
			int			nsel;
			int			nselected;
			RepairArg	arg;
			Buffer		buf;
			HnswNode	node;
			bool		same;

			for (int i = 0; i < n; i++)
				if (is_deleted(vs, &tids[i]))
					any_deleted = true;
			if (!any_deleted)
				break;
			if (attempt >= REPAIR_RETRIES)
				ereport(ERROR,
						(errcode(ERRCODE_LOCK_NOT_AVAILABLE),
						 errmsg("could not repair hnsw graph of index \"%s\" at (%u,%u) after %d attempts",
								RelationGetRelationName(vs->index),
								ItemPointerGetBlockNumber(tid),
								ItemPointerGetOffsetNumber(tid), attempt)));
			CHECK_FOR_INTERRUPTS();

			/* candidates: live links, then live links of deleted links */
			cands = palloc(sizeof(HnswCandidate) * (maxc + cap));
			for (int i = 0; i < n; i++)
			{
				if (is_deleted(vs, &tids[i]) || !ItemPointerIsValid(&tids[i]))
					continue;
				cands[ncands].tid = tids[i];
				cands[ncands].dist = dists[i];
				cands[ncands].version = 0;	/* filled below */
				cands[ncands].deleted = false;
				cands[ncands].links_layer = -1;
				ncands++;
			}
			for (int i = 0; i < n; i++)
			{
				deleted_entry *d = deleted_lookup(vs->deleted, tid_key(&tids[i]));
				int			nn;

				if (d == NULL)
					continue;
				nn = HnswNodeNeighbors(vs->index, info, &tids[i], d->version, layer, nb, NULL);
				for (int j = 0; j < nn && ncands < maxc; j++)
				{
					bool		dup = ItemPointerEquals(&nb[j], tid) || !ItemPointerIsValid(&nb[j]) ||
						is_deleted(vs, &nb[j]);

					for (int k = 0; k < ncands && !dup; k++)
						dup = ItemPointerEquals(&cands[k].tid, &nb[j]);
					if (dup)
						continue;
					cands[ncands].tid = nb[j];
					cands[ncands].dist = get_float4_nan();
					cands[ncands].deleted = false;
					cands[ncands].links_layer = -1;
					ncands++;
				}
			}

			/* measure every candidate (versions and new distances) */
			arg.vs = vs;
			arg.vecs = palloc(mul_size(mul_size(sizeof(float), info->dims), Max(ncands, 1)));
			arg.ok = palloc(sizeof(bool) * Max(ncands, 1));
			for (int k = 0; k < ncands; k++)
			{
				float	   *cv = arg.vecs + (Size) k * info->dims;
				uint16		cversion;
				int			clevel;
				bool		cdel;

				/* one read: the vector, then the distance from it */
				arg.ok[k] = false;
				if (!HnswNodeRead(vs->index, info, &cands[k].tid, cv, &cversion, &clevel, &cdel) ||
					cdel || clevel < layer)
				{
					cands[k].dist = get_float4_infinity();
					continue;
				}
				cands[k].version = cversion;
				cands[k].dist = HnswDistanceFloats(info->metric, vec, cv, info->dims);
				arg.ok[k] = true;
			}
			/* drop the unusable ones, then select */
			{
				int			w = 0;

				for (int k = 0; k < ncands; k++)
				{
					if (!arg.ok[k])
						continue;
					cands[w] = cands[k];
					memmove(arg.vecs + (Size) w * info->dims, arg.vecs + (Size) k * info->dims,
							sizeof(float) * info->dims);
					arg.ok[w] = true;
					w++;
				}
				ncands = w;
			}
			/* sort with vectors: selection sort by index permutation */
			{
				int		   *perm = palloc(sizeof(int) * Max(ncands, 1));
				HnswCandidate *sorted = palloc(sizeof(HnswCandidate) * Max(ncands, 1));
				float	   *svecs = palloc(mul_size(mul_size(sizeof(float), info->dims), Max(ncands, 1)));

				for (int k = 0; k < ncands; k++)
				{
					sorted[k] = cands[k];
					sorted[k].version = (uint16) k;	/* remember origin */
				}
				HnswSortCandidates(sorted, ncands);
				for (int k = 0; k < ncands; k++)
				{
					perm[k] = sorted[k].version;
					sorted[k].version = cands[perm[k]].version;
					memcpy(svecs + (Size) k * info->dims, arg.vecs + (Size) perm[k] * info->dims,
						   sizeof(float) * info->dims);
				}
				pfree(arg.vecs);
				arg.vecs = svecs;
				pfree(cands);
				cands = sorted;
				pfree(perm);
			}
			sel = palloc(sizeof(int) * cap);
			nsel = HnswSelectNeighbors(cands, ncands, cap, repair_pair_distance, &arg, sel,
									   &nselected);

			/* write if the list is still what we read */
			buf = ReadBuffer(vs->index, ItemPointerGetBlockNumber(tid));
			LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
			node = HnswGetNode(BufferGetPage(buf), ItemPointerGetOffsetNumber(tid), vs->info);
			same = node != NULL && node->version == version;
			if (same)
			{
				const HnswNodeLayout *l = &info->layouts[node->level];

				same = HnswListCount(node, l, layer) == n &&
					memcmp(HnswNodeTids(node, l, layer), tids, sizeof(ItemPointerData) * n) == 0;
			}
			if (same)
			{
				GenericXLogState *state = GenericXLogStart(vs->index);
				Page		page = GenericXLogRegisterBuffer(state, buf, 0);
				const HnswNodeLayout *l;
				ItemPointer otids;
				float	   *odists;

				node = HnswGetNode(page, ItemPointerGetOffsetNumber(tid), vs->info);
				l = &info->layouts[node->level];
				otids = HnswNodeTids(node, l, layer);
				odists = HnswNodeDists(node, l, layer);
				for (int k = 0; k < cap; k++)
				{
					if (k < nsel)
					{
						otids[k] = cands[sel[k]].tid;
						odists[k] = cands[sel[k]].dist;
					}
					else
					{
						ItemPointerSetInvalid(&otids[k]);
						odists[k] = 0;
					}
				}
				HnswListCount(node, l, layer) = nsel;
				HnswListNsel(node, l, layer) = nselected;
				GenericXLogFinish(state);
			}
			UnlockReleaseBuffer(buf);
			pfree(sel);
			pfree(arg.vecs);
			pfree(arg.ok);
			pfree(cands);
			if (same)
			{
				vs->repaired++;
				break;
			}
			if (node == NULL || node->version != version)
				break;			/* the node itself went away */
		}
		pfree(tids);
		pfree(dists);
		pfree(nb);
	}
	pfree(vec);
}

/* Pass 2 on one page: repair each live node that links to a deleted one. */
static void
repair_page(VacuumState *vs, BlockNumber blkno)
{
	Buffer		buf = read_block(vs, blkno);
	Page		page;
	OffsetNumber maxoff;
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
	maxoff = PageGetMaxOffsetNumber(page);
	for (OffsetNumber off = FirstOffsetNumber; off <= maxoff; off++)
	{
		HnswNode	node = HnswGetNode(page, off, vs->info);
		const HnswNodeLayout *l;
		bool		affected = false;

		if (node == NULL || (node->flags & HNSW_NODE_DELETED) ||
			node->level > vs->info->max_level)
			continue;
		l = &vs->info->layouts[node->level];
		for (int layer = 0; layer <= node->level && !affected; layer++)
		{
			ItemPointer tids = HnswNodeTids(node, l, layer);
			int			n = Min(HnswListCount(node, l, layer), HnswLayerCap(vs->info->m, layer));

			for (int i = 0; i < n && !affected; i++)
				affected = is_deleted(vs, &tids[i]);
		}
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

		repair_node(vs, &todo[i], versions[i], levels[i]);
		MemoryContextSwitchTo(old);
		MemoryContextReset(vs->tmpctx);
		pgstat_progress_update_param(VECDB_PROGRESS_NODES_REPAIRED, vs->repaired);
	}
}

/*
 * Pass 3 on one page: free the deleted nodes (and the chunks of external
 * ones, which may sit on other pages: collected into *chunks).  Cleanup
 * lock: no other backend has the page pinned while bytes move.
 */
static void
free_page(VacuumState *vs, BlockNumber blkno, ItemPointerData **chunks, int *nchunks,
		  int *chunkcap)
{
	Buffer		buf = read_block(vs, blkno);
	Page		page;
	OffsetNumber maxoff;
	GenericXLogState *state = NULL;
	bool		any = false;

	LockBuffer(buf, BUFFER_LOCK_SHARE);
	page = BufferGetPage(buf);
	if (HnswPageIsValid(page) && (HnswPageGetOpaque(page)->flags & HNSW_PAGE_NODES))
	{
		maxoff = PageGetMaxOffsetNumber(page);
		for (OffsetNumber off = FirstOffsetNumber; off <= maxoff && !any; off++)
		{
			ItemPointerData tid;

			ItemPointerSet(&tid, blkno, off);
			any = is_deleted(vs, &tid) && HnswGetNode(page, off, vs->info) != NULL;
		}
	}
	LockBuffer(buf, BUFFER_LOCK_UNLOCK);
	if (!any)
	{
		ReleaseBuffer(buf);
		return;
	}

	LockBufferForCleanup(buf);
	page = BufferGetPage(buf);
	maxoff = PageGetMaxOffsetNumber(page);
	for (OffsetNumber off = FirstOffsetNumber; off <= maxoff; off++)
	{
		ItemPointerData tid;
		deleted_entry *d;
		HnswNode	node;

		ItemPointerSet(&tid, blkno, off);
		d = deleted_lookup(vs->deleted, tid_key(&tid));
		if (d == NULL)
			continue;
		node = HnswGetNode(page, off, vs->info);
		if (node == NULL || node->version != d->version || !(node->flags & HNSW_NODE_DELETED))
			continue;
		if (state == NULL)
		{
			state = GenericXLogStart(vs->index);
			page = GenericXLogRegisterBuffer(state, buf, 0);
			node = HnswGetNode(page, off, vs->info);
		}
		if (node->flags & HNSW_NODE_EXTERNAL)
		{
			const HnswNodeLayout *l = &vs->info->layouts[node->level];

			for (int c = 0; c < l->nchunks; c++)
			{
				if (*nchunks == *chunkcap)
				{
					*chunkcap *= 2;
					*chunks = repalloc(*chunks, sizeof(ItemPointerData) * *chunkcap);
				}
				(*chunks)[(*nchunks)++] = HnswNodeChunks(node, l)[c];
			}
		}
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

/* Frees the chunk tuples of freed external nodes, page by page. */
static void
free_chunks(VacuumState *vs, ItemPointerData *chunks, int nchunks)
{
	qsort(chunks, nchunks, sizeof(ItemPointerData), cmp_tid);
	for (int i = 0; i < nchunks;)
	{
		BlockNumber blkno = ItemPointerGetBlockNumber(&chunks[i]);
		Buffer		buf = read_block(vs, blkno);
		GenericXLogState *state;
		Page		page;

		LockBufferForCleanup(buf);
		state = GenericXLogStart(vs->index);
		page = GenericXLogRegisterBuffer(state, buf, 0);
		for (; i < nchunks && ItemPointerGetBlockNumber(&chunks[i]) == blkno; i++)
		{
			OffsetNumber off = ItemPointerGetOffsetNumber(&chunks[i]);
			ItemId		iid;

			if (off > PageGetMaxOffsetNumber(page))
				continue;
			iid = PageGetItemId(page, off);
			if (ItemIdIsNormal(iid) &&
				((HnswChunk) PageGetItem(page, iid))->type == HNSW_TUPLE_CHUNK)
				PageIndexTupleDeleteNoCompact(page, off);
		}
		PageSetHasFreeLinePointers(page);
		HnswPageGetOpaque(page)->epoch++;
		GenericXLogFinish(state);
		HnswRecordFreeSpace(vs->index, buf);
		UnlockReleaseBuffer(buf);
	}
}

/*
 * Pass 4: reconnect.  Repairs can leave a live node that no list links to
 * any more (its last in-link went to a nearer node), and no search can
 * then return it.  With inserts held off (each holds the insert lock in
 * share mode throughout, so none is half done), walk the graph from the
 * entry point over every layer, then give each live node not reached a
 * layer-0 link from the nearest node a search for its vector finds (the
 * insert's forced back-link).  A forced link replaces a list's farthest
 * link, which can cut off another node, so the walk repeats, up to
 * RECONNECT_PASSES times.  No vacuum_delay_point while the insert lock is
 * held: the cost-based sleep it owes comes at the next one after.
 */
#define RECONNECT_PASSES 3
#define RECONNECT_TRIES 8

/* walk marker: adds the node to the set of reached ones */
static bool
reconnect_mark(void *arg, ItemPointer t)
{
	bool		found;

	reached_insert((reached_hash *) arg, tid_key(t), &found);
	return !found;
}

/* the set of nodes reachable from the entry point, or NULL if there is none */
static reached_hash *
walk_reachable(VacuumState *vs)
{
	HnswMetaPageData meta;
	reached_hash *reached;

	HnswReadMeta(vs->index, &meta);
	if (meta.entry_level < 0 || !ItemPointerIsValid(&meta.entry))
		return NULL;
	reached = reached_create(CurrentMemoryContext, 1024, NULL);
	HnswWalkReachable(vs->index, vs->info, vs->vinfo->strategy, &meta.entry,
					  reconnect_mark, reached);
	return reached;
}

/* links the live node at tid from its nearest reachable node; true if done */
static bool
reconnect_node(VacuumState *vs, ItemPointer tid, int pass)
{
	HnswIndexInfo *info = vs->info;
	float	   *vec = palloc(sizeof(float) * info->dims);
	uint16		version;
	int			level;
	bool		deleted;
	bool		linked = false;
	HnswSearch	s;
	HnswCandidate ep;
	int			ep_level;

	if (!HnswNodeRead(vs->index, info, tid, vec, &version, &level, &deleted) || deleted)
		return false;
	HnswSearchInit(&s, vs->index, info, vec, true);
	if (HnswSearchEntry(&s, &ep, &ep_level))
	{
		HnswHeap	entries;
		HnswHeap	w;
		int			tried = 0;
		int			skip = pass;

		ep = HnswGreedyDescend(&s, ep, ep_level, 0);
		HnswHeapInit(&entries, 1, false);
		HnswHeapPush(&entries, &ep);
		HnswHeapInit(&w, info->ef_construction + 1, true);
		HnswSearchLayer(&s, &entries, info->ef_construction, 0, &w, NULL);
		HnswSortCandidates(w.items, w.n);

		/* the nearest few, by the back-link rule; if none takes it, force */
		for (int i = 0; i < w.n && !linked && tried < RECONNECT_TRIES; i++)
			if (!ItemPointerEquals(&w.items[i].tid, tid) && !w.items[i].deleted)
			{
				linked = HnswAddBacklink(&s, &w.items[i], 0, tid, w.items[i].dist, false);
				tried++;
			}
		for (int i = 0; i < w.n && !linked; i++)
			if (!ItemPointerEquals(&w.items[i].tid, tid) && !w.items[i].deleted &&
				skip-- <= 0)
				linked = HnswAddBacklink(&s, &w.items[i], 0, tid, w.items[i].dist, true);
	}
	HnswSearchFree(&s);
	return linked;
}

static int64
reconnect(VacuumState *vs)
{
	MemoryContext passctx = AllocSetContextCreate(CurrentMemoryContext, "hnsw reconnect",
												  ALLOCSET_DEFAULT_SIZES);
	int64		total = 0;

	LockPage(vs->index, HNSW_INSERT_LOCK_PAGE, ExclusiveLock);
	for (int pass = 0; pass < RECONNECT_PASSES; pass++)
	{
		MemoryContext old = MemoryContextSwitchTo(passctx);
		reached_hash *reached = walk_reachable(vs);
		BlockNumber nblocks = RelationGetNumberOfBlocks(vs->index);
		ItemPointerData *lost;
		int			nlost = 0,
					lostcap = 16;
		int64		linked = 0;

		if (reached == NULL)
		{
			MemoryContextSwitchTo(old);
			break;
		}
		lost = palloc(sizeof(ItemPointerData) * lostcap);
		for (BlockNumber blkno = HNSW_METAPAGE_BLKNO + 1; blkno < nblocks; blkno++)
		{
			Buffer		buf = read_block(vs, blkno);
			Page		page;

			CHECK_FOR_INTERRUPTS();
			LockBuffer(buf, BUFFER_LOCK_SHARE);
			page = BufferGetPage(buf);
			if (HnswPageIsValid(page) && (HnswPageGetOpaque(page)->flags & HNSW_PAGE_NODES))
			{
				OffsetNumber maxoff = PageGetMaxOffsetNumber(page);

				for (OffsetNumber off = FirstOffsetNumber; off <= maxoff; off++)
				{
					HnswNode	node = HnswGetNode(page, off, vs->info);
					ItemPointerData tid;

					ItemPointerSet(&tid, blkno, off);
					if (node == NULL || (node->flags & HNSW_NODE_DELETED) ||
						reached_lookup(reached, tid_key(&tid)) != NULL)
						continue;
					if (nlost == lostcap)
					{
						lostcap *= 2;
						lost = repalloc_huge(lost, sizeof(ItemPointerData) * lostcap);
					}
					lost[nlost++] = tid;
				}
			}
			UnlockReleaseBuffer(buf);
		}
		for (int i = 0; i < nlost; i++)
		{
			CHECK_FOR_INTERRUPTS();
			if (reconnect_node(vs, &lost[i], pass))
				linked++;
		}
		MemoryContextSwitchTo(old);
		MemoryContextReset(passctx);
		ereport(vs->vinfo->message_level,
				(errmsg_internal("index \"%s\": reconnect pass %d: %d nodes unreachable, %lld linked",
								 RelationGetRelationName(vs->index), pass + 1, nlost,
								 (long long) linked)));
		total += linked;
		if (linked == 0)
			break;
	}
	UnlockPage(vs->index, HNSW_INSERT_LOCK_PAGE, ExclusiveLock);
	MemoryContextDelete(passctx);
	return total;
}

IndexBulkDeleteResult *
hnswbulkdelete(IndexVacuumInfo *vinfo, IndexBulkDeleteResult *stats,
			   IndexBulkDeleteCallback callback, void *callback_state)
{
	VacuumState vs;
	BlockNumber nblocks;
	MemoryContext vacctx;
	MemoryContext old;
	int64		reconnected;

	if (stats == NULL)
		stats = (IndexBulkDeleteResult *) palloc0(sizeof(IndexBulkDeleteResult));

	vacctx = AllocSetContextCreate(CurrentMemoryContext, "hnsw vacuum",
								   ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(vacctx);
	memset(&vs, 0, sizeof(vs));
	vs.vinfo = vinfo;
	vs.index = vinfo->index;
	vs.info = HnswGetIndexInfo(vinfo->index);
	vs.stats = stats;
	vs.callback = callback;
	vs.callback_state = callback_state;
	vs.deleted = deleted_create(vacctx, 1024, NULL);
	vs.tmpctx = AllocSetContextCreate(vacctx, "hnsw vacuum node", ALLOCSET_DEFAULT_SIZES);

	/* pass 1 */
	nblocks = RelationGetNumberOfBlocks(vs.index);
	stats->num_index_tuples = 0;
	pgstat_progress_update_param(VECDB_PROGRESS_HNSW_PHASE, HNSW_VACUUM_PHASE_REMOVE);
	pgstat_progress_update_param(VECDB_PROGRESS_BLOCKS_TOTAL, nblocks);
	for (BlockNumber blkno = HNSW_METAPAGE_BLKNO + 1; blkno < nblocks; blkno++)
	{
		vacuum_delay_point();
		remove_heap_tids(&vs, blkno);
		pgstat_progress_update_param(VECDB_PROGRESS_BLOCKS_DONE, blkno + 1);
	}
	pgstat_progress_update_param(VECDB_PROGRESS_NODES_DELETED, vs.deleted->members);
	ereport(vinfo->message_level,
			(errmsg("index \"%s\": removed %.0f heap TIDs, %u nodes to repair around",
					RelationGetRelationName(vs.index), stats->tuples_removed,
					vs.deleted->members)));

	if (vs.deleted->members > 0)
	{
		/* pass 2 */
		/* its exclusive insert lock also waits out inserts begun before */
		repair_entry_point(&vs);
		nblocks = RelationGetNumberOfBlocks(vs.index);
		pgstat_progress_update_param(VECDB_PROGRESS_HNSW_PHASE, HNSW_VACUUM_PHASE_REPAIR);
		pgstat_progress_update_param(VECDB_PROGRESS_BLOCKS_TOTAL, nblocks);
		for (BlockNumber blkno = HNSW_METAPAGE_BLKNO + 1; blkno < nblocks; blkno++)
		{
			vacuum_delay_point();
			repair_page(&vs, blkno);
			pgstat_progress_update_param(VECDB_PROGRESS_BLOCKS_DONE, blkno + 1);
		}

		/* pass 3 */
		wait_for_inserts(vs.index);
		pgstat_progress_update_param(VECDB_PROGRESS_HNSW_PHASE, HNSW_VACUUM_PHASE_FREE);
		{
			int			chunkcap = 64;
			int			nchunks = 0;
			ItemPointerData *chunks = palloc(sizeof(ItemPointerData) * chunkcap);

			for (BlockNumber blkno = HNSW_METAPAGE_BLKNO + 1; blkno < nblocks; blkno++)
			{
				vacuum_delay_point();
				free_page(&vs, blkno, &chunks, &nchunks, &chunkcap);
				/* the chunks of the nodes just freed, at once: a cancel
				 * between the two leaks no more than one page's worth */
				if (nchunks > 0)
					free_chunks(&vs, chunks, nchunks);
				nchunks = 0;
				pgstat_progress_update_param(VECDB_PROGRESS_BLOCKS_DONE, blkno + 1);
			}
		}
		FreeSpaceMapVacuum(vs.index);

		/* pass 4 */
		pgstat_progress_update_param(VECDB_PROGRESS_HNSW_PHASE, HNSW_VACUUM_PHASE_RECONNECT);
		reconnected = reconnect(&vs);
		ereport(vinfo->message_level,
				(errmsg("index \"%s\": repaired %lld links lists, freed %u nodes, reconnected %lld unreachable nodes",
						RelationGetRelationName(vs.index), (long long) vs.repaired,
						vs.deleted->members, (long long) reconnected)));
	}

	MemoryContextSwitchTo(old);
	MemoryContextDelete(vacctx);
	stats->num_pages = RelationGetNumberOfBlocks(vinfo->index);
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
