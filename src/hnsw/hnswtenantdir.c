/*-------------------------------------------------------------------------
 *
 * hnswtenantdir.c
 *	  The tenant directory of an index declared WITH (tenant = column): for
 *	  each tenant value, one node of that value where a tenant walk starts,
 *	  so that the walk begins inside its tenant instead of searching the
 *	  general graph for a first member, and (format 11 on) how many nodes
 *	  the tenant has, which decides whether the walk measures all of them
 *	  (src/README, "HNSW: tenants").  Lookup, creation by the build, an
 *	  insert's registration and count, and VACUUM's replacement of entries
 *	  whose node it is about to free and its recount of the tenants.
 *
 * Locking: a reader share-locks one directory page at a time.  A writer
 * changes a bucket only while holding its first page's exclusive lock, so
 * the changes to one bucket are serialized and its chain does not change
 * under a writer that holds that lock.  Directory pages are locked before
 * node pages, never after: nobody holds a node page's lock while locking a
 * directory page.
 *
 * Copyright (c) 2026, vecdb developers
 *
 * src/hnsw/hnswtenantdir.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "commands/vacuum.h"
#include "common/hashfn.h"
#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "storage/freespace.h"
#include "utils/rel.h"

#include "compat.h"
#include "hnsw.h"

/* the share of a bucket page's entries the build fills */
#define DIR_FILL			0.75

/* entries one directory page holds, after its DIRNEXT tuple */
#define DIR_PAGE_ENTRIES \
	((int) ((BLCKSZ - SizeOfPageHeaderData - MAXALIGN(sizeof(HnswPageOpaqueData)) - \
			 MAXALIGN(sizeof(HnswDirNextData)) - sizeof(ItemIdData)) / \
			(MAXALIGN(sizeof(HnswTenantEntryData)) + sizeof(ItemIdData))))

/* nodes VACUUM reads, walking from a freed entry node, for a replacement */
#define DIR_REPLACE_VISITS	64

/* a chain longer than this is a loop (corruption) */
#define DIR_MAX_CHAIN		(1 << 20)

/* The bucket of a tenant value among nbuckets (on disk: do not change). */
uint32
HnswTenantBucket(uint64 value, uint32 nbuckets)
{
	uint32		h = hash_combine(hash_bytes_uint32((uint32) value),
								 hash_bytes_uint32((uint32) (value >> 32)));

	return h % nbuckets;
}

/* Makes page (being edited) an empty directory page, the end of a chain. */
static void
dir_page_init(Page page)
{
	HnswDirNextData next = {HNSW_TUPLE_DIRNEXT, 0, 0, InvalidBlockNumber};

	HnswInitPage(page, HNSW_PAGE_TENANTS);
	if (PageAddItem(page, (Item) &next, sizeof(next), FirstOffsetNumber, false, false) !=
		FirstOffsetNumber)
		elog(ERROR, "failed to initialize a tenant directory page");
}

/* Raises XX002: block blk is not a directory page where one should be. */
static void
dir_corrupt(Relation index, BlockNumber blk)
{
	ereport(ERROR,
			(errcode(ERRCODE_INDEX_CORRUPTED),
			 errmsg("index \"%s\" has a malformed tenant directory page at block %u",
					RelationGetRelationName(index), blk)));
}

/* The DIRNEXT tuple of directory page blk; raises XX002 if it is not one. */
static HnswDirNext
dir_page_next(Relation index, Page page, BlockNumber blk)
{
	ItemId		iid;

	if (HnswPageIsValid(page) && HnswPageGetOpaque(page)->flags == HNSW_PAGE_TENANTS &&
		PageGetMaxOffsetNumber(page) >= FirstOffsetNumber)
	{
		iid = PageGetItemId(page, FirstOffsetNumber);
		if (ItemIdIsNormal(iid) && ItemIdGetLength(iid) == sizeof(HnswDirNextData) &&
			((HnswDirNext) PageGetItem(page, iid))->type == HNSW_TUPLE_DIRNEXT)
			return (HnswDirNext) PageGetItem(page, iid);
	}
	dir_corrupt(index, blk);
	return NULL;				/* keep the compiler quiet */
}

/* The entry at off of a directory page, or NULL if that item is none. */
static HnswTenantEntry
dir_entry(Page page, OffsetNumber off)
{
	ItemId		iid = PageGetItemId(page, off);
	HnswTenantEntry e;

	if (!ItemIdIsNormal(iid) || ItemIdGetLength(iid) != sizeof(HnswTenantEntryData))
		return NULL;
	e = (HnswTenantEntry) PageGetItem(page, iid);
	return e->type == HNSW_TUPLE_TENANT ? e : NULL;
}

/* Offset of value's entry on a directory page, or InvalidOffsetNumber. */
static OffsetNumber
dir_page_find(Page page, uint64 value)
{
	for (OffsetNumber off = FirstOffsetNumber + 1; off <= PageGetMaxOffsetNumber(page); off++)
	{
		HnswTenantEntry e = dir_entry(page, off);

		if (e != NULL && e->value == value)
			return off;
	}
	return InvalidOffsetNumber;
}

/*
 * The first page of value's bucket, or InvalidBlockNumber if the index has
 * no directory (an older format, or none created yet).  Reads the metapage.
 */
static BlockNumber
dir_bucket(Relation index, HnswIndexInfo *info, uint64 value)
{
	HnswMetaPageData meta;

	if (!info->tenant_dir)
		return InvalidBlockNumber;
	HnswReadMeta(index, &meta);
	if (meta.tenant_dir == 0 || meta.tenant_buckets == 0)
		return InvalidBlockNumber;
	return meta.tenant_dir + HnswTenantBucket(value, meta.tenant_buckets);
}

/*
 * Directory page blk pinned and locked in mode, unless it is held's page,
 * which the caller has locked already.  dir_release undoes it.
 */
static Buffer
dir_lock(Relation index, HnswIndexInfo *info, BlockNumber blk, Buffer held, int mode)
{
	Buffer		buf;

	if (BufferIsValid(held) && BufferGetBlockNumber(held) == blk)
		return held;
	if (blk == HNSW_METAPAGE_BLKNO)
		dir_corrupt(index, blk);
	buf = HnswReadBuffer(index, info, blk);
	LockBuffer(buf, mode);
	return buf;
}

static void
dir_release(Buffer buf, Buffer held)
{
	if (buf != held)
		UnlockReleaseBuffer(buf);
}

/* where a bucket's chain holds a value, or could take it */
typedef struct DirPos
{
	BlockNumber blk;			/* the entry's page, or Invalid */
	OffsetNumber off;
	HnswTenantEntryData entry;	/* a copy */
	BlockNumber room;			/* first page with room, or Invalid */
	BlockNumber last;			/* the chain's last page */
} DirPos;

/*
 * Looks for value in the chain from head: fills *pos, returns whether
 * found.  Share-locks one page at a time (held: a page the caller has
 * locked already).
 */
static bool
dir_chain_find(Relation index, HnswIndexInfo *info, BlockNumber head, Buffer held,
			   uint64 value, DirPos *pos)
{
	BlockNumber blk = head;

	pos->blk = pos->room = InvalidBlockNumber;
	pos->last = head;
	for (int hops = 0; BlockNumberIsValid(blk); hops++)
	{
		Buffer		buf;
		Page		page;
		BlockNumber next;

		if (hops > DIR_MAX_CHAIN)
			dir_corrupt(index, blk);	/* a loop */
		buf = dir_lock(index, info, blk, held, BUFFER_LOCK_SHARE);
		page = BufferGetPage(buf);
		next = dir_page_next(index, page, blk)->next;
		pos->off = dir_page_find(page, value);
		if (pos->off != InvalidOffsetNumber)
		{
			pos->blk = blk;
			pos->entry = *dir_entry(page, pos->off);
		}
		else if (!BlockNumberIsValid(pos->room) &&
				 PageGetFreeSpace(page) >= MAXALIGN(sizeof(HnswTenantEntryData)))
			pos->room = blk;
		pos->last = blk;
		dir_release(buf, held);
		if (BlockNumberIsValid(pos->blk))
			return true;
		blk = next;
	}
	return false;
}

/*
 * The node where a walk for tenant value starts, from the directory, in
 * *tid and *version, and the tenant's node count in *nodes (a hint; 0 in
 * an index before format 11); false if the directory has no entry for it.
 */
bool
HnswTenantDirFind(Relation index, HnswIndexInfo *info, uint64 value, ItemPointer tid,
				  uint16 *version, uint32 *nodes)
{
	BlockNumber head = dir_bucket(index, info, value);
	DirPos		pos;

	if (!BlockNumberIsValid(head) ||
		!dir_chain_find(index, info, head, InvalidBuffer, value, &pos))
		return false;
	*tid = pos.entry.node;
	*version = pos.entry.version;
	*nodes = info->tenant_counts ? pos.entry.nodes : 0;
	return true;
}

/*
 * The tenant walk s's start from the directory, measured, in *out, and the
 * tenant's node count in *nodes (a hint, 0: unknown): false if the index
 * has no entry for the tenant or its node is gone, has another version or
 * holds another value (then the walk starts from the entry point, as
 * without a directory).
 */
bool
HnswTenantEntryPoint(HnswSearch *s, HnswCandidate *out, uint32 *nodes)
{
	ItemPointerData tid;
	uint16		version;
	bool		deleted;
	int			level;

	if (!s->tenant_walk ||
		!HnswTenantDirFind(s->index, s->info, s->tenant_value, &tid, &version, nodes) ||
		ItemPointerGetBlockNumber(&tid) == HNSW_METAPAGE_BLKNO)
		return false;
	return HnswNodeDistance(s, &tid, out, &deleted, &level) &&
		out->version == version && out->in_tenant;
}

/*
 * Whether the node at tid is a live node of tenant value (and has
 * *version, if not NULL); its version in *got.  Share-locks and releases.
 */
static bool
node_holds(Relation index, HnswIndexInfo *info, ItemPointer tid, uint64 value,
		   const uint16 *version, uint16 *got)
{
	Buffer		buf;
	HnswNode	node;
	uint64		v;
	bool		ok;

	if (!ItemPointerIsValid(tid) || ItemPointerGetBlockNumber(tid) == HNSW_METAPAGE_BLKNO ||
		ItemPointerGetBlockNumber(tid) >= RelationGetNumberOfBlocks(index))
		return false;
	buf = HnswReadBuffer(index, info, ItemPointerGetBlockNumber(tid));
	LockBuffer(buf, BUFFER_LOCK_SHARE);
	node = HnswGetNode(BufferGetPage(buf), ItemPointerGetOffsetNumber(tid), info);
	ok = node != NULL && !(node->flags & HNSW_NODE_DELETED) &&
		(version == NULL || node->version == *version) &&
		HnswTenantOf(info, HnswNodePayload(node, &info->layouts[node->level]), &v) &&
		v == value;
	if (ok && got)
		*got = node->version;
	UnlockReleaseBuffer(buf);
	return ok;
}

/*
 * Writes entry e into directory page blk: over the item at off, or as a
 * new item (InvalidOffsetNumber; the page has room).  One page edit.
 */
static void
dir_put(Relation index, HnswIndexInfo *info, Buffer held, BlockNumber blk, OffsetNumber off,
		const HnswTenantEntryData *e)
{
	Buffer		buf = dir_lock(index, info, blk, held, BUFFER_LOCK_EXCLUSIVE);
	HnswEdit	edit;
	Page		page;

	HnswEditStart(&edit, index, info);
	page = HnswEditPage(&edit, buf, false);
	if (off != InvalidOffsetNumber)
		memcpy(dir_entry(page, off), e, sizeof(*e));
	else if (PageAddItem(page, (Item) e, sizeof(*e), InvalidOffsetNumber, false, false) ==
			 InvalidOffsetNumber)
		elog(ERROR, "failed to add a tenant directory entry to index \"%s\"",
			 RelationGetRelationName(index));
	HnswEditFinish(&edit);
	dir_release(buf, held);
}

/*
 * Appends a page holding entry e to the chain whose last page is last.
 * One edit of the new page and the last one.
 */
static void
dir_extend(Relation index, HnswIndexInfo *info, Buffer held, BlockNumber last,
		   const HnswTenantEntryData *e)
{
	Buffer		nbuf = HnswNewBuffer(index, MAIN_FORKNUM);
	Buffer		lbuf = dir_lock(index, info, last, held, BUFFER_LOCK_EXCLUSIVE);
	HnswEdit	edit;
	Page		page;

	HnswEditStart(&edit, index, info);
	page = HnswEditPage(&edit, nbuf, true);
	dir_page_init(page);
	if (PageAddItem(page, (Item) e, sizeof(*e), InvalidOffsetNumber, false, false) ==
		InvalidOffsetNumber)
		elog(ERROR, "failed to add a tenant directory entry to index \"%s\"",
			 RelationGetRelationName(index));
	page = HnswEditPage(&edit, lbuf, false);
	dir_page_next(index, page, last)->next = BufferGetBlockNumber(nbuf);
	HnswEditFinish(&edit);
	dir_release(lbuf, held);
	UnlockReleaseBuffer(nbuf);
}

/*
 * Creates the directory: enough bucket pages for ntenants values filled to
 * DIR_FILL, consecutive blocks, then the metapage names them.  Unless an
 * index has one already (two inserts racing to create it: the loser's
 * fresh page goes to the free space map, for nodes).  Each page one edit;
 * the last with the metapage.  Holds no lock on entry or exit.
 */
void
HnswTenantDirCreate(Relation index, HnswIndexInfo *info, int64 ntenants)
{
	uint32		nbuckets = (uint32) Max(1, ceil(ntenants / (DIR_PAGE_ENTRIES * DIR_FILL)));
	BlockNumber first = InvalidBlockNumber;

	for (uint32 i = 0; i < nbuckets; i++)
	{
		Buffer		buf = HnswNewBuffer(index, MAIN_FORKNUM);
		Buffer		mbuf = InvalidBuffer;
		HnswEdit	edit;

		first = i == 0 ? BufferGetBlockNumber(buf) : first;
		if (BufferGetBlockNumber(buf) != first + i)
			elog(ERROR, "tenant directory pages of index \"%s\" are not consecutive",
				 RelationGetRelationName(index));
		if (i == nbuckets - 1)
		{
			mbuf = ReadBuffer(index, HNSW_METAPAGE_BLKNO);
			LockBuffer(mbuf, BUFFER_LOCK_EXCLUSIVE);
			if (HnswPageGetMeta(BufferGetPage(mbuf))->tenant_dir != 0)
			{
				Assert(nbuckets == 1);
				UnlockReleaseBuffer(mbuf);
				RecordPageWithFreeSpace(index, first, BLCKSZ - SizeOfPageHeaderData -
										MAXALIGN(sizeof(HnswPageOpaqueData)));
				UnlockReleaseBuffer(buf);
				return;
			}
		}
		HnswEditStart(&edit, index, info);
		dir_page_init(HnswEditPage(&edit, buf, true));
		if (BufferIsValid(mbuf))
		{
			HnswMetaPage meta = HnswPageGetMeta(HnswEditPage(&edit, mbuf, false));

			meta->tenant_dir = first;
			meta->tenant_buckets = nbuckets;
		}
		HnswEditFinish(&edit);
		if (BufferIsValid(mbuf))
			UnlockReleaseBuffer(mbuf);
		UnlockReleaseBuffer(buf);
	}
}

/* a + b, at most PG_UINT32_MAX */
static uint32
add_sat(uint32 a, uint32 b)
{
	return a > PG_UINT32_MAX - b ? PG_UINT32_MAX : a + b;
}

/*
 * Makes the node tid (version) value's entry, unless the entry there is a
 * live node of that value, and adds nodes to the tenant's count (format 11
 * on).  Creates the directory if the index has none yet.  Holds the
 * bucket's first page exclusively meanwhile; one page edit (two when the
 * chain grows), none if nothing changes.  No lock held on entry or exit.
 */
void
HnswTenantDirAdd(Relation index, HnswIndexInfo *info, uint64 value, ItemPointer tid,
				 uint16 version, uint32 nodes)
{
	BlockNumber head = dir_bucket(index, info, value);
	HnswTenantEntryData e;
	Buffer		hbuf;
	DirPos		pos;

	if (!info->tenant_dir)
		return;
	memset(&e, 0, sizeof(e));
	e.type = HNSW_TUPLE_TENANT;
	e.version = version;
	e.node = *tid;
	e.value = value;
	e.nodes = info->tenant_counts ? nodes : 0;
	if (!BlockNumberIsValid(head))
	{
		HnswTenantDirCreate(index, info, 0);
		head = dir_bucket(index, info, value);
	}
	hbuf = dir_lock(index, info, head, InvalidBuffer, BUFFER_LOCK_EXCLUSIVE);
	if (dir_chain_find(index, info, head, hbuf, value, &pos))
	{
		bool		live = node_holds(index, info, &pos.entry.node, value,
									  &pos.entry.version, NULL);

		if (live)
		{
			e.node = pos.entry.node;
			e.version = pos.entry.version;
		}
		e.nodes = info->tenant_counts ? add_sat(pos.entry.nodes, nodes) : 0;
		if (!live || (info->tenant_counts && nodes > 0))
			dir_put(index, info, hbuf, pos.blk, pos.off, &e);
	}
	else if (BlockNumberIsValid(pos.room))
		dir_put(index, info, hbuf, pos.room, InvalidOffsetNumber, &e);
	else
		dir_extend(index, info, hbuf, pos.last, &e);
	UnlockReleaseBuffer(hbuf);
}

/*
 * After an insert wrote node tid (version) with filter values payload:
 * registers it as its tenant's start if the directory has no live entry
 * for that value (the tenant's first row, or its entry node is deleted),
 * and counts it (format 11 on: then every insert of a node edits its
 * tenant's entry).  Before format 11, a look without locking first, as
 * most rows find their tenant there.
 */
void
HnswTenantRegister(Relation index, HnswIndexInfo *info, const char *payload,
				   ItemPointer tid, uint16 version)
{
	uint64		value;
	ItemPointerData etid;
	uint16		eversion;

	uint32		nodes;

	if (!info->tenant_dir || !HnswTenantOf(info, payload, &value))
		return;
	if (!info->tenant_counts &&
		HnswTenantDirFind(index, info, value, &etid, &eversion, &nodes) &&
		node_holds(index, info, &etid, value, &eversion, NULL))
		return;
	HnswTenantDirAdd(index, info, value, tid, version, 1);
}

/* ---- VACUUM ---- */

typedef struct DirVacuum
{
	Relation	index;
	HnswIndexInfo *info;
	const HnswDirVacuumCallbacks *cb;
} DirVacuum;

static bool
queued(ItemPointerData *q, int n, ItemPointer t)
{
	for (int i = 0; i < n; i++)
		if (ItemPointerEquals(&q[i], t))
			return true;
	return false;
}

/*
 * A live node of value to replace entry node tid, which VACUUM is about to
 * free: the first found by a breadth-first walk of tenant links from tid
 * through nodes VACUUM deletes (at most DIR_REPLACE_VISITS of them read),
 * in *out; false if none.
 */
static bool
replacement(DirVacuum *dv, uint64 value, ItemPointer tid, HnswTenantEntryData *out)
{
	ItemPointerData q[DIR_REPLACE_VISITS];
	int			n = 0;

	q[n++] = *tid;
	for (int head = 0; head < n; head++)
	{
		HnswList	list;

		if (!HnswTenantRead(dv->index, dv->info, &q[head], NULL, &list))
			continue;
		for (int i = 0; i < list.count; i++)
		{
			ItemPointer t = &list.tids[i];

			if (!ItemPointerIsValid(t) || queued(q, n, t))
				continue;
			if (!dv->cb->deleted(dv->cb->arg, t) &&
				node_holds(dv->index, dv->info, t, value, NULL, &out->version))
			{
				out->node = *t;
				return true;
			}
			if (n < DIR_REPLACE_VISITS)
				q[n++] = *t;
		}
	}
	return false;
}

/*
 * One directory page of a bucket whose first page the caller holds
 * exclusively (held): each entry whose node VACUUM deletes is pointed at a
 * replacement or removed, and each count of a tenant VACUUM met becomes
 * the live nodes it met.  One page edit for all the page's changes, if
 * any.  Returns the next page of the chain.
 */
static BlockNumber
vacuum_dir_page(DirVacuum *dv, Buffer held, BlockNumber blk, int64 *changed)
{
	Buffer		buf = dir_lock(dv->index, dv->info, blk, held, BUFFER_LOCK_EXCLUSIVE);
	BlockNumber next = dir_page_next(dv->index, BufferGetPage(buf), blk)->next;
	HnswEdit	edit;
	Page		page = NULL;

	for (OffsetNumber off = PageGetMaxOffsetNumber(BufferGetPage(buf));
		 off > FirstOffsetNumber; off--)
	{
		HnswTenantEntry e = dir_entry(page ? page : BufferGetPage(buf), off);
		HnswTenantEntryData r;
		bool		dead;
		bool		met;
		uint32		nodes = 0;

		if (e == NULL)
			continue;
		dead = dv->cb->deleted(dv->cb->arg, &e->node);
		met = dv->info->tenant_counts && dv->cb->live(dv->cb->arg, e->value, &nodes);
		if (!dead && (!met || nodes == e->nodes))
			continue;
		r = *e;
		if (met)
			r.nodes = nodes;
		if (page == NULL)
		{
			HnswEditStart(&edit, dv->index, dv->info);
			page = HnswEditPage(&edit, buf, false);
		}
		if (dead && !replacement(dv, e->value, &e->node, &r))
			PageIndexTupleDelete(page, off);
		else
			memcpy(dir_entry(page, off), &r, sizeof(r));
		(*changed)++;
	}
	if (page != NULL)
		HnswEditFinish(&edit);
	dir_release(buf, held);
	return next;
}

/*
 * VACUUM, after repair and before it frees the deleted nodes: every entry
 * whose node cb->deleted says is deleted gets a live node of its tenant
 * near the old one, or is removed when none is found (the tenant's next
 * insert registers again), and every count of a tenant VACUUM met becomes
 * what cb->live says it counted (format 11).  (A VACUUM that crashed before this step
 * left its nodes flagged; the next one deletes them again, and so comes
 * here for their entries before it frees them.)  Holds each bucket's
 * first page exclusively while it goes through the bucket.  Returns the
 * entries changed.
 */
int64
HnswTenantDirVacuum(Relation index, HnswIndexInfo *info, const HnswDirVacuumCallbacks *cb)
{
	DirVacuum	dv = {index, info, cb};
	HnswMetaPageData meta;
	int64		changed = 0;

	if (!info->tenant_dir)
		return 0;
	HnswReadMeta(index, &meta);
	for (uint32 b = 0; meta.tenant_dir != 0 && b < meta.tenant_buckets; b++)
	{
		BlockNumber blk = meta.tenant_dir + b;
		Buffer		hbuf = dir_lock(index, info, blk, InvalidBuffer, BUFFER_LOCK_EXCLUSIVE);

		VecdbVacuumDelayPoint();
		for (int hops = 0; BlockNumberIsValid(blk); hops++)
		{
			if (hops > DIR_MAX_CHAIN)
				dir_corrupt(index, blk);	/* a loop */
			blk = vacuum_dir_page(&dv, hbuf, blk, &changed);
		}
		UnlockReleaseBuffer(hbuf);
	}
	return changed;
}

/* ---- the checker ---- */

/*
 * Calls fn for every page of every bucket of the directory, in chain
 * order, with the page share-locked.  Raises XX002 where a chain leads to
 * a page that is not a directory page, or loops.
 */
void
HnswTenantDirEach(Relation index, HnswIndexInfo *info, HnswTenantDirVisit fn, void *arg)
{
	HnswMetaPageData meta;
	BlockNumber nblocks = RelationGetNumberOfBlocks(index);

	HnswReadMeta(index, &meta);
	if (!info->tenant_dir || meta.tenant_dir == 0)
		return;
	if ((uint64) meta.tenant_dir + meta.tenant_buckets > nblocks)
		dir_corrupt(index, meta.tenant_dir);
	for (uint32 b = 0; b < meta.tenant_buckets; b++)
	{
		BlockNumber blk = meta.tenant_dir + b;

		for (BlockNumber hops = 0; BlockNumberIsValid(blk); hops++)
		{
			Buffer		buf;
			BlockNumber next;

			CHECK_FOR_INTERRUPTS();
			if (hops > nblocks || blk >= nblocks)
				dir_corrupt(index, blk);
			buf = dir_lock(index, info, blk, InvalidBuffer, BUFFER_LOCK_SHARE);
			next = dir_page_next(index, BufferGetPage(buf), blk)->next;
			fn(arg, blk, b, BufferGetPage(buf));
			UnlockReleaseBuffer(buf);
			blk = next;
		}
	}
}
