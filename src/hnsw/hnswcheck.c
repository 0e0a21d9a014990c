/*-------------------------------------------------------------------------
 *
 * hnswcheck.c
 *	  vecdb_index_check(): verifies the on-disk invariants of an HNSW index
 *	  (src/README, "Invariants") and, optionally, that every visible heap
 *	  row is indexed.
 *
 * Raises ERRCODE_INDEX_CORRUPTED (XX002) at the first violation; otherwise
 * returns counts.  Locks: AccessShareLock on the index and
 * ShareUpdateExclusiveLock on its table, which keeps VACUUM out (it frees
 * nodes) but lets inserts and scans run; a share lock on each page while
 * it is read.  Links to nodes written after their page was read are
 * confirmed by reading the target again.  What a crash may legally leave
 * (src/README, "What a crash between records leaves") is accepted.
 *
 * Copyright (c) 2026, vecdb developers
 *
 * src/hnsw/hnswcheck.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/heapam.h"
#include "access/xlog.h"
#include "access/tableam.h"
#include "catalog/index.h"
#include "catalog/pg_am.h"
#include "common/hashfn.h"
#include "executor/tuptable.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "hnsw.h"

typedef struct node_entry
{
	uint64		key;
	char		status;
	uint8		level;
	bool		deleted;
	bool		reached;
	uint64		payload_hash;	/* of its filter values */
	bool		has_tenant;		/* tenant key not NULL (a tenant index) */
	uint64		tenant;			/* its slot */
} node_entry;

#define MAX_LIST_STEPS 1000000

#define SH_PREFIX nodeset
#define SH_ELEMENT_TYPE node_entry
#define SH_KEY_TYPE uint64
#define SH_KEY key
#define SH_HASH_KEY(tb, k) HnswHashTid(k)
#define SH_EQUAL(tb, a, b) ((a) == (b))
#define SH_SCOPE static inline
#define SH_DEFINE
#define SH_DECLARE
#include "lib/simplehash.h"

typedef struct tid_entry
{
	uint64		key;
	char		status;
	uint64		node;			/* key of the node holding the heap TID */
} tid_entry;

#define SH_PREFIX tidset
#define SH_ELEMENT_TYPE tid_entry
#define SH_KEY_TYPE uint64
#define SH_KEY key
#define SH_HASH_KEY(tb, k) HnswHashTid(k)
#define SH_EQUAL(tb, a, b) ((a) == (b))
#define SH_SCOPE static inline
#define SH_DEFINE
#define SH_DECLARE
#include "lib/simplehash.h"

typedef struct CheckState
{
	Relation	index;
	HnswIndexInfo *info;
	BlockNumber nblocks;
	nodeset_hash *nodes;
	tidset_hash *heaptids;
	int64		nnodes;
	int64		ndeleted;
	int64		nchunks;
	int64		nheaptids;
	int64		heap_checked;
	int64		ndirpages;		/* tenant directory pages seen by pass A */
	char	   *vec;
} CheckState;

static inline uint64
key_of(BlockNumber blk, OffsetNumber off)
{
	return ((uint64) blk << 16) | off;
}

#define CORRUPT(cs, ...) \
	ereport(ERROR, \
			(errcode(ERRCODE_INDEX_CORRUPTED), \
			 errmsg("index \"%s\" is corrupted", RelationGetRelationName((cs)->index)), \
			 errdetail(__VA_ARGS__)))

static uint64
hash_payload(const char *payload, Size len)
{
	return DatumGetUInt64(hash_bytes_extended((const unsigned char *) payload, (int) len, 0));
}

static uint64
node_payload_hash(CheckState *cs, HnswNode node)
{
	return hash_payload(HnswNodePayload(node, &cs->info->layouts[node->level]),
						cs->info->filter.payload_bytes);
}

/* Notes heap TID t as held by node (blk, off). */
static void
note_heaptid(CheckState *cs, ItemPointer t, uint64 node)
{
	bool		found;

	tidset_insert(cs->heaptids, key_of(ItemPointerGetBlockNumber(t),
									   ItemPointerGetOffsetNumber(t)), &found)->node = node;
	cs->nheaptids++;
}

/* pass A: a tenant list's counts and distance order */
static void
check_tenant_list(CheckState *cs, BlockNumber blk, OffsetNumber off, HnswNode node,
				  const HnswNodeLayout *l)
{
	int			n = HnswListCount(node, l, HNSW_TENANT_LIST);
	int			nsel = HnswListNsel(node, l, HNSW_TENANT_LIST);
	float	   *dists = HnswNodeDists(node, l, HNSW_TENANT_LIST);

	if (n > HnswTenantCap(cs->info) || nsel > n)
		CORRUPT(cs, "Node (%u,%u) has %d tenant links (%d selected), more than %d.",
				blk, off, n, nsel, HnswTenantCap(cs->info));
	for (int i = 1; i < n; i++)
		if (i != nsel && !(dists[i] >= dists[i - 1]))
			CORRUPT(cs, "Node (%u,%u) has tenant links out of distance order.", blk, off);
}

/* pass A, one node */
static void
check_node(CheckState *cs, BlockNumber blk, OffsetNumber off, HnswNode node, Size len)
{
	HnswIndexInfo *info = cs->info;
	const HnswNodeLayout *l;
	bool		found;
	node_entry *e;

	if (node->level > info->max_level)
		CORRUPT(cs, "Node (%u,%u) has level %d, above the maximum %d.", blk, off,
				node->level, info->max_level);
	l = &info->layouts[node->level];
	if (node->vecbytes < info->minbytes || node->vecbytes > info->vecbytes)
		CORRUPT(cs, "Node (%u,%u) has a vector of %u bytes, outside %zu to %zu.", blk, off,
				node->vecbytes, info->minbytes, info->vecbytes);
	if (len != HnswNodeSize(l, node->vecbytes))
		CORRUPT(cs, "Node (%u,%u) of level %d has length %zu, expected %zu.", blk, off,
				node->level, len, HnswNodeSize(l, node->vecbytes));
	if (node->flags & ~(HNSW_NODE_DELETED | HNSW_NODE_EXTERNAL))
		CORRUPT(cs, "Node (%u,%u) has unknown flags 0x%x.", blk, off, node->flags);
	if (HnswNodeIsExternal(node) != HnswVectorExternal(l, node->vecbytes))
		CORRUPT(cs, "Node (%u,%u) has a vector storage that does not match its size.", blk, off);
	if (node->ntids > HNSW_HEAPTIDS)
		CORRUPT(cs, "Node (%u,%u) has %d heap TIDs, more than %d.", blk, off, node->ntids,
				HNSW_HEAPTIDS);
	if ((node->flags & HNSW_NODE_DELETED) && node->ntids > 0)
		CORRUPT(cs, "Node (%u,%u) has %d heap TIDs but is flagged deleted.", blk, off,
				node->ntids);
	if (!(node->flags & HNSW_NODE_DELETED) && node->ntids == 0 &&
		!ItemPointerIsValid(&node->tidlist))
		CORRUPT(cs, "Node (%u,%u) has no heap TID but is not flagged deleted.", blk, off);
	for (int i = 0; i < node->ntids; i++)
	{
		if (!ItemPointerIsValid(&node->heaptids[i]))
			CORRUPT(cs, "Node (%u,%u) has an invalid heap TID in slot %d.", blk, off, i);
		note_heaptid(cs, &node->heaptids[i], key_of(blk, off));
	}
	for (int layer = 0; layer <= node->level; layer++)
	{
		int			n = HnswListCount(node, l, layer);
		int			nsel = HnswListNsel(node, l, layer);
		float	   *dists = HnswNodeDists(node, l, layer);

		if (n > HnswLayerCap(info->m, layer))
			CORRUPT(cs, "Node (%u,%u) has %d links on layer %d, more than %d.", blk, off, n,
					layer, HnswLayerCap(info->m, layer));
		if (nsel > n)
			CORRUPT(cs, "Node (%u,%u) has %d selected links of %d on layer %d.", blk, off,
					nsel, n, layer);
		for (int i = 1; i < n; i++)
			if (i != nsel && dists[i] < dists[i - 1])
				CORRUPT(cs, "Node (%u,%u) has links out of distance order on layer %d.",
						blk, off, layer);
		for (int i = n; layer == 0 && i < HnswLayerCap(info->m, 0); i++)
			if (HnswPinGet(HnswNodePins(node, l), i))
				CORRUPT(cs, "Node (%u,%u) pins an unused link slot %d.", blk, off, i);
	}
	if (info->tenant >= 0)
		check_tenant_list(cs, blk, off, node, l);
	if (!HnswNodeIsExternal(node) &&
		HnswVecBytes(info, HnswNodeVector(node, l)) != node->vecbytes)
		CORRUPT(cs, "Node (%u,%u) has a %s value whose size is not the node's %u bytes.",
				blk, off, info->type->name, node->vecbytes);
	if (!HnswNodeIsExternal(node) && !info->type->valid(HnswNodeVector(node, l), info->dims))
		CORRUPT(cs, "Node (%u,%u) has an invalid %s value.", blk, off, info->type->name);
	e = nodeset_insert(cs->nodes, key_of(blk, off), &found);
	e->level = node->level;
	e->deleted = (node->flags & HNSW_NODE_DELETED) != 0;
	e->payload_hash = node_payload_hash(cs, node);
	e->has_tenant = HnswTenantOf(info, HnswNodePayload(node, l), &e->tenant);
	e->reached = false;
	cs->nnodes++;
	if (e->deleted)
		cs->ndeleted++;
}

/* pass A: every page, every tuple */
static void
check_pages(CheckState *cs)
{
	for (BlockNumber blk = HNSW_METAPAGE_BLKNO + 1; blk < cs->nblocks; blk++)
	{
		Buffer		buf;
		Page		page;
		PageHeader	ph;
		OffsetNumber maxoff;

		CHECK_FOR_INTERRUPTS();
		buf = ReadBuffer(cs->index, blk);
		LockBuffer(buf, BUFFER_LOCK_SHARE);
		page = BufferGetPage(buf);
		ph = (PageHeader) page;
		if (PageIsNew(page))
		{
			/* an extension that crashed before its WAL record: legal */
			UnlockReleaseBuffer(buf);
			continue;
		}
		if (!HnswPageIsValid(page))
			CORRUPT(cs, "Block %u has no vecdb hnsw special space.", blk);
		if (HnswPageGetOpaque(page)->flags == HNSW_PAGE_TENANTS && cs->info->tenant_dir)
		{
			/* checked by check_tenant_dir, bucket by bucket */
			cs->ndirpages++;
			UnlockReleaseBuffer(buf);
			continue;
		}
		if (HnswPageGetOpaque(page)->flags != HNSW_PAGE_NODES)
			CORRUPT(cs, "Block %u has page flags 0x%x, expected a node page.", blk,
					HnswPageGetOpaque(page)->flags);
		if (ph->pd_lower < SizeOfPageHeaderData || ph->pd_lower > ph->pd_upper ||
			ph->pd_upper > ph->pd_special || ph->pd_special != BLCKSZ - MAXALIGN(sizeof(HnswPageOpaqueData)))
			CORRUPT(cs, "Block %u has bad page bounds (lower %u, upper %u, special %u).", blk,
					ph->pd_lower, ph->pd_upper, ph->pd_special);
		maxoff = PageGetMaxOffsetNumber(page);
		for (OffsetNumber off = FirstOffsetNumber; off <= maxoff; off++)
		{
			ItemId		iid = PageGetItemId(page, off);
			char	   *item;

			if (!ItemIdIsUsed(iid))
				continue;
			if (!ItemIdIsNormal(iid) || ItemIdGetOffset(iid) + ItemIdGetLength(iid) > ph->pd_special ||
				ItemIdGetOffset(iid) < ph->pd_upper || ItemIdGetLength(iid) < 4)
				CORRUPT(cs, "Item (%u,%u) has a bad line pointer.", blk, off);
			item = PageGetItem(page, iid);
			if (item[0] == HNSW_TUPLE_NODE && ItemIdGetLength(iid) >= sizeof(HnswNodeData))
				check_node(cs, blk, off, (HnswNode) item, ItemIdGetLength(iid));
			else if (item[0] == HNSW_TUPLE_TIDLIST)
			{
				HnswTidList t = (HnswTidList) item;

				if (ItemIdGetLength(iid) < HNSW_TIDLIST_HEADER_SIZE || t->cap == 0 ||
					t->ntids > t->cap || ItemIdGetLength(iid) != HnswTidListSize(t->cap))
					CORRUPT(cs, "TID list (%u,%u) has length %u for %u of %u TIDs.", blk, off,
							ItemIdGetLength(iid), t->ntids, t->cap);
			}
			else if (item[0] == HNSW_TUPLE_CHUNK)
			{
				HnswChunk	c = (HnswChunk) item;

				if (ItemIdGetLength(iid) != HNSW_CHUNK_HEADER_SIZE + c->nbytes ||
					c->nbytes == 0 || c->nbytes > HNSW_CHUNK_MAX_BYTES)
					CORRUPT(cs, "Chunk (%u,%u) has length %u for %u bytes.", blk, off,
							ItemIdGetLength(iid), c->nbytes);
				cs->nchunks++;
			}
			else
				CORRUPT(cs, "Item (%u,%u) has unknown tuple type %d.", blk, off, item[0]);
		}
		UnlockReleaseBuffer(buf);
	}
}

/* looks up a link target, re-reading it if written after its page was read */
static node_entry *
find_target(CheckState *cs, ItemPointer t)
{
	node_entry *e = nodeset_lookup(cs->nodes, key_of(ItemPointerGetBlockNumber(t),
													   ItemPointerGetOffsetNumber(t)));

	if (e == NULL && ItemPointerGetBlockNumber(t) < RelationGetNumberOfBlocks(cs->index))
	{
		Buffer		buf = ReadBuffer(cs->index, ItemPointerGetBlockNumber(t));
		HnswNode	node;

		LockBuffer(buf, BUFFER_LOCK_SHARE);
		node = HnswGetNode(BufferGetPage(buf), ItemPointerGetOffsetNumber(t), cs->info);
		if (node && node->level <= cs->info->max_level)
		{
			bool		found;

			e = nodeset_insert(cs->nodes, key_of(ItemPointerGetBlockNumber(t),
												 ItemPointerGetOffsetNumber(t)), &found);
			e->level = node->level;
			e->deleted = (node->flags & HNSW_NODE_DELETED) != 0;
			e->reached = false;
			e->payload_hash = node_payload_hash(cs, node);
			e->has_tenant = HnswTenantOf(cs->info,
										 HnswNodePayload(node, &cs->info->layouts[node->level]),
										 &e->tenant);
		}
		UnlockReleaseBuffer(buf);
	}
	return e;
}

/*
 * Link i of node tid on layer.  A live node's links go to nodes on that
 * layer; a deleted node's only somewhere inside the index, as a crash in
 * vacuum's last pass may have freed their targets before it.
 */
static void
check_link(CheckState *cs, ItemPointer tid, bool deleted, int layer,
		   ItemPointerData *links, int i)
{
	BlockNumber blk = ItemPointerGetBlockNumber(tid);
	OffsetNumber off = ItemPointerGetOffsetNumber(tid);
	ItemPointerData t = links[i];
	node_entry *e;

	if (!ItemPointerIsValid(&t))
		CORRUPT(cs, "Node (%u,%u) has an invalid link %d on layer %d.", blk, off, i, layer);
	if (ItemPointerEquals(&t, tid))
		CORRUPT(cs, "Node (%u,%u) links to itself on layer %d.", blk, off, layer);
	for (int j = 0; j < i; j++)
		if (ItemPointerEquals(&t, &links[j]))
			CORRUPT(cs, "Node (%u,%u) links twice to (%u,%u) on layer %d.", blk, off,
					ItemPointerGetBlockNumber(&t), ItemPointerGetOffsetNumber(&t), layer);
	if (ItemPointerGetBlockNumber(&t) == HNSW_METAPAGE_BLKNO ||
		ItemPointerGetBlockNumber(&t) >= RelationGetNumberOfBlocks(cs->index))
		CORRUPT(cs, "Node (%u,%u) links outside the index, to (%u,%u).", blk, off,
				ItemPointerGetBlockNumber(&t), ItemPointerGetOffsetNumber(&t));
	if (deleted)
		return;
	e = find_target(cs, &t);
	if (e == NULL)
		CORRUPT(cs, "Node (%u,%u) links on layer %d to (%u,%u), which is not a node.",
				blk, off, layer, ItemPointerGetBlockNumber(&t), ItemPointerGetOffsetNumber(&t));
	if (e->level < layer)
		CORRUPT(cs, "Node (%u,%u) links on layer %d to (%u,%u), a node of level %d.",
				blk, off, layer, ItemPointerGetBlockNumber(&t), ItemPointerGetOffsetNumber(&t),
				e->level);
}

/*
 * The tenant links of node tid: each as check_link checks a layer-0 link,
 * and, from a live node, to a node of the same tenant value.
 */
static void
check_tenant_links(CheckState *cs, ItemPointer tid, bool deleted, ItemPointerData *links,
				   int n)
{
	node_entry *self = find_target(cs, tid);

	for (int i = 0; i < n; i++)
	{
		node_entry *e;

		check_link(cs, tid, deleted, 0, links, i);
		if (deleted)
			continue;
		e = find_target(cs, &links[i]);
		if (self == NULL || !self->has_tenant || !e->has_tenant || e->tenant != self->tenant)
			CORRUPT(cs, "Node (%u,%u) has a tenant link to (%u,%u), a node of another tenant.",
					ItemPointerGetBlockNumber(tid), ItemPointerGetOffsetNumber(tid),
					ItemPointerGetBlockNumber(&links[i]), ItemPointerGetOffsetNumber(&links[i]));
	}
}

/*
 * The TID lists of node tid (version): a chain of list tuples that are the
 * node's, holding valid heap TIDs (none if the node is deleted).  Their
 * TIDs join the set heapallindexed checks against.
 */
static void
check_lists(CheckState *cs, ItemPointer tid, uint16 version, bool deleted,
			ItemPointerData head)
{
	for (int steps = 0; ItemPointerIsValid(&head); steps++)
	{
		Buffer		buf;
		HnswTidList list;

		if (steps > MAX_LIST_STEPS ||
			ItemPointerGetBlockNumber(&head) == HNSW_METAPAGE_BLKNO ||
			ItemPointerGetBlockNumber(&head) >= RelationGetNumberOfBlocks(cs->index))
			CORRUPT(cs, "Node (%u,%u) has a TID list chain that leaves the index or loops.",
					ItemPointerGetBlockNumber(tid), ItemPointerGetOffsetNumber(tid));
		buf = ReadBuffer(cs->index, ItemPointerGetBlockNumber(&head));
		LockBuffer(buf, BUFFER_LOCK_SHARE);
		list = HnswGetTidList(BufferGetPage(buf), &head, tid, version);
		if (list == NULL)
			CORRUPT(cs, "Node (%u,%u) has a TID list pointer to (%u,%u), which is not its list.",
					ItemPointerGetBlockNumber(tid), ItemPointerGetOffsetNumber(tid),
					ItemPointerGetBlockNumber(&head), ItemPointerGetOffsetNumber(&head));
		if (deleted && list->ntids > 0)
			CORRUPT(cs, "Deleted node (%u,%u) has %u heap TIDs in its list (%u,%u).",
					ItemPointerGetBlockNumber(tid), ItemPointerGetOffsetNumber(tid),
					list->ntids, ItemPointerGetBlockNumber(&head),
					ItemPointerGetOffsetNumber(&head));
		for (int i = 0; i < list->ntids; i++)
		{
			if (!ItemPointerIsValid(&list->tids[i]))
				CORRUPT(cs, "TID list (%u,%u) has an invalid heap TID in slot %d.",
						ItemPointerGetBlockNumber(&head), ItemPointerGetOffsetNumber(&head), i);
			note_heaptid(cs, &list->tids[i],
						 key_of(ItemPointerGetBlockNumber(tid), ItemPointerGetOffsetNumber(tid)));
		}
		head = list->next;
		UnlockReleaseBuffer(buf);
	}
}

/* pass B: links, TID lists and external vectors of one node */
static void
check_links(CheckState *cs, BlockNumber blk, OffsetNumber off)
{
	HnswIndexInfo *info = cs->info;
	Buffer		buf = ReadBuffer(cs->index, blk);
	HnswNode	node;
	const HnswNodeLayout *l;
	ItemPointerData links[HNSW_MAX_LEVEL + 1][HNSW_MAX_LINKS0];
	int			nlinks[HNSW_MAX_LEVEL + 1];
	int			nlist0;
	ItemPointerData tenant[HNSW_TENANT_MAX_LINKS];
	int			ntenant;
	ItemPointerData tid;
	ItemPointerData head;
	int			level;
	uint16		version;
	bool		deleted;
	bool		external;

	LockBuffer(buf, BUFFER_LOCK_SHARE);
	node = HnswGetNode(BufferGetPage(buf), off, cs->info);
	if (node == NULL)
	{
		UnlockReleaseBuffer(buf);
		return;
	}
	level = node->level;
	l = &info->layouts[level];
	external = HnswNodeIsExternal(node);
	version = node->version;
	deleted = (node->flags & HNSW_NODE_DELETED) != 0;
	head = node->tidlist;
	ItemPointerSet(&tid, blk, off);
	for (int layer = 0; layer <= level; layer++)
	{
		for (int i = 0; i < HnswListCount(node, l, layer); i++)
			if (isnan(HnswNodeDists(node, l, layer)[i]))
				CORRUPT(cs, "Node (%u,%u) has a NaN link distance on layer %d.", blk, off, layer);
		nlinks[layer] = HnswNodeLinks(node, l, layer, info->m, links[layer]);
	}
	nlist0 = HnswListCount(node, l, 0);
	ntenant = info->tenant >= 0 ? HnswListCount(node, l, HNSW_TENANT_LIST) : 0;
	memcpy(tenant, HnswNodeTids(node, l, HNSW_TENANT_LIST), sizeof(ItemPointerData) * ntenant);
	UnlockReleaseBuffer(buf);
	check_tenant_links(cs, &tid, deleted, tenant, ntenant);

	/* the lists, then on layer 0 the rescue links (which may repeat a list's) */
	for (int layer = 0; layer <= level; layer++)
		for (int i = 0; i < (layer == 0 ? nlist0 : nlinks[layer]); i++)
			check_link(cs, &tid, deleted, layer, links[layer], i);
	for (int i = nlist0; i < nlinks[0]; i++)
		check_link(cs, &tid, deleted, 0, links[0] + nlist0, i - nlist0);
	check_lists(cs, &tid, version, deleted, head);

	/* external vectors: all chunks present, right total, valid */
	if (external && HnswNodeVectorCopy(cs->index, info, &tid, version, cs->vec) &&
		!info->type->valid(cs->vec, info->dims))
		CORRUPT(cs, "Node (%u,%u) has an invalid %s value.", blk, off, info->type->name);
}

/* walk marker: a node of the checked set, reached for the first time */
static bool
check_mark(void *arg, ItemPointer t)
{
	node_entry *e = find_target((CheckState *) arg, t);

	if (e == NULL || e->reached)
		return false;
	e->reached = true;
	return true;
}

/* true if any heap TID of node key holds a row visible to snapshot */
static bool
holds_visible_row(CheckState *cs, Relation heap, Snapshot snapshot, uint64 key)
{
	ItemPointerData tid;
	ItemPointerData *tids;
	HnswCandidate c;
	int			n;
	bool		visible = false;
	IndexFetchTableData *fetch = table_index_fetch_begin(heap);
	TupleTableSlot *slot = table_slot_create(heap, NULL);

	ItemPointerSet(&tid, (BlockNumber) (key >> 16), (OffsetNumber) (key & 0xFFFF));
	if (HnswNodeRead(cs->index, cs->info, &tid, cs->vec, NULL, &c.version, &n, &c.deleted))
	{
		n = HnswReadHeapTids(cs->index, cs->info, &tid, c.version, &tids);
		for (int i = 0; i < n && !visible; i++)
		{
			bool		call_again = false;
			bool		all_dead = false;

			visible = table_index_fetch_tuple(fetch, &tids[i], snapshot, slot,
											  &call_again, &all_dead);
		}
	}
	ExecDropSingleTupleTableSlot(slot);
	table_index_fetch_end(fetch);
	return visible;
}

/* ---- the tenant directory ---- */

typedef struct DirCheck
{
	CheckState *cs;
	uint32		nbuckets;
	tidset_hash *values;		/* the tenant values met, as keys */
	int64		pages;
} DirCheck;

/*
 * Entry e on directory page blk: a node of the entry's version that holds
 * its value (it may be deleted, awaiting VACUUM, which replaces it).
 */
static void
check_dir_node(CheckState *cs, BlockNumber blk, HnswTenantEntry e)
{
	BlockNumber nblk = ItemPointerGetBlockNumber(&e->node);
	Buffer		buf;
	HnswNode	node;
	uint64		v;
	bool		ok;

	if (nblk == HNSW_METAPAGE_BLKNO || nblk >= RelationGetNumberOfBlocks(cs->index))
		CORRUPT(cs, "Tenant directory page %u names (%u,%u), outside the index.", blk, nblk,
				ItemPointerGetOffsetNumber(&e->node));
	buf = ReadBuffer(cs->index, nblk);
	LockBuffer(buf, BUFFER_LOCK_SHARE);
	node = HnswGetNode(BufferGetPage(buf), ItemPointerGetOffsetNumber(&e->node), cs->info);
	ok = node != NULL && node->version == e->version &&
		HnswTenantOf(cs->info, HnswNodePayload(node, &cs->info->layouts[node->level]), &v) &&
		v == e->value;
	UnlockReleaseBuffer(buf);
	if (!ok)
		CORRUPT(cs, "Tenant directory page %u names (%u,%u) version %u, not a node of its tenant.",
				blk, nblk, ItemPointerGetOffsetNumber(&e->node), e->version);
}

/* one directory page of bucket b: its entries' buckets, values and nodes */
static void
check_dir_page(void *arg, BlockNumber blk, uint32 b, Page page)
{
	DirCheck   *dc = arg;

	dc->pages++;
	for (OffsetNumber off = FirstOffsetNumber + 1; off <= PageGetMaxOffsetNumber(page); off++)
	{
		ItemId		iid = PageGetItemId(page, off);
		HnswTenantEntry e = (HnswTenantEntry) PageGetItem(page, iid);
		bool		found;

		if (!ItemIdIsNormal(iid) || ItemIdGetLength(iid) != sizeof(HnswTenantEntryData) ||
			e->type != HNSW_TUPLE_TENANT)
			CORRUPT(dc->cs, "Item (%u,%u) is not a tenant directory entry.", blk, off);
		if (HnswTenantBucket(e->value, dc->nbuckets) != b)
			CORRUPT(dc->cs, "Tenant directory page %u of bucket %u holds a value of bucket %u.",
					blk, b, HnswTenantBucket(e->value, dc->nbuckets));
		tidset_insert(dc->values, e->value, &found);
		if (found)
			CORRUPT(dc->cs, "Tenant directory page %u holds a second entry for one value.", blk);
		check_dir_node(dc->cs, blk, e);
	}
}

/*
 * The tenant directory (src/README, "HNSW: tenants"): every page pass A
 * saw is in a bucket's chain, and every entry is in its value's bucket,
 * the only one for its value, and names a node of that value and version.
 */
static void
check_tenant_dir(CheckState *cs, HnswMetaPageData *meta, MemoryContext ctx)
{
	DirCheck	dc = {cs, meta->tenant_buckets, tidset_create(ctx, 1024, NULL), 0};

	if (!cs->info->tenant_dir)
		return;
	if (meta->tenant_dir == 0 && meta->tenant_buckets != 0)
		CORRUPT(cs, "Metapage has %u tenant buckets but no tenant directory.",
				meta->tenant_buckets);
	if (meta->tenant_dir != 0 && meta->tenant_buckets == 0)
		CORRUPT(cs, "Metapage has a tenant directory of no buckets.");
	HnswTenantDirEach(cs->index, cs->info, check_dir_page, &dc);
	if (dc.pages < cs->ndirpages)
		CORRUPT(cs, "The index has %lld tenant directory pages, its buckets reach %lld.",
				(long long) cs->ndirpages, (long long) dc.pages);
}

/*
 * Reachability from the entry point over pinned links, the spanning tree
 * every node must hang in (src/README, "Reachability"): the number of
 * nodes holding a row visible to snapshot that the tree does not reach.
 * (A node of an insert that never committed may hang outside it.)
 */
static int64
count_unreachable(CheckState *cs, HnswMetaPageData *meta, Relation heap, Snapshot snapshot)
{
	nodeset_iterator it;
	node_entry *e;
	int64		unreached = 0;

	if (meta->entry_level < 0 || find_target(cs, &meta->entry) == NULL)
		return 0;
	HnswWalkTree(cs->index, cs->info, NULL, &meta->entry, check_mark, cs);
	nodeset_start_iterate(cs->nodes, &it);
	while ((e = nodeset_iterate(cs->nodes, &it)) != NULL)
		if (!e->reached && !e->deleted && holds_visible_row(cs, heap, snapshot, e->key))
			unreached++;
	return unreached;
}

static void
heap_check_callback(Relation index, ItemPointer tid, Datum *values, bool *isnull,
					bool tupleIsAlive, void *state)
{
	CheckState *cs = (CheckState *) state;
	char	   *vec;
	tid_entry  *t;
	node_entry *n;
	char	   *payload;

	if (isnull[0] || (vec = HnswFormValue(cs->info, values[0], false, NULL)) == NULL)
		return;
	pfree(vec);
	cs->heap_checked++;
	t = tidset_lookup(cs->heaptids, key_of(ItemPointerGetBlockNumber(tid),
										   ItemPointerGetOffsetNumber(tid)));
	if (t == NULL)
		CORRUPT(cs, "Heap tuple (%u,%u) is not in the index.",
				ItemPointerGetBlockNumber(tid), ItemPointerGetOffsetNumber(tid));
	payload = palloc(Max(cs->info->filter.payload_bytes, 1));
	HnswFilterForm(&cs->info->filter, values + 1, isnull + 1, payload);
	n = nodeset_lookup(cs->nodes, t->node);
	if (n != NULL &&
		n->payload_hash != hash_payload(payload, cs->info->filter.payload_bytes))
		CORRUPT(cs, "Heap tuple (%u,%u) has filter values other than its node (%u,%u) holds.",
				ItemPointerGetBlockNumber(tid), ItemPointerGetOffsetNumber(tid),
				(unsigned) (t->node >> 16), (unsigned) (t->node & 0xFFFF));
	pfree(payload);
}

PG_FUNCTION_INFO_V1(vecdb_index_check);
Datum
vecdb_index_check(PG_FUNCTION_ARGS)
{
	Oid			indexoid = PG_GETARG_OID(0);
	bool		heapallindexed = PG_GETARG_BOOL(1);
	Oid			heapoid = IndexGetRelation(indexoid, true);
	Relation	heap = NULL;
	Relation	index;
	CheckState	cs;
	HnswMetaPageData meta;
	Snapshot	snapshot = InvalidSnapshot;
	MemoryContext ctx;
	MemoryContext old;
	int64		unreachable;
	TupleDesc	tupdesc;
	Datum		values[7];
	bool		nulls[7] = {0};
	int			dims;
	const VecdbElemType *type;
	LOCKMODE	heaplock;

	if (!OidIsValid(heapoid) && get_rel_name(indexoid) == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("relation with OID %u does not exist", indexoid)));
	if (!OidIsValid(heapoid))
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not an index", get_rel_name(indexoid))));
	/*
	 * ShareUpdateExclusiveLock keeps VACUUM out; a standby cannot take it, and
	 * there replay may change the index under the check.
	 */
	heaplock = RecoveryInProgress() ? AccessShareLock : ShareUpdateExclusiveLock;
	heap = table_open(heapoid, heaplock);
	index = index_open(indexoid, AccessShareLock);
	if (index->rd_rel->relkind != RELKIND_INDEX || index->rd_indam->ambuild != hnswbuild)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not a vecdb hnsw index", RelationGetRelationName(index))));
	if (RELATION_IS_OTHER_TEMP(index))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot check temporary indexes of other sessions")));
	if (!index->rd_index->indisvalid || !index->rd_index->indisready)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("cannot check index \"%s\"", RelationGetRelationName(index)),
				 errdetail("Index is not valid or not ready.")));
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");

	ctx = AllocSetContextCreate(CurrentMemoryContext, "vecdb_index_check", ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(ctx);
	memset(&cs, 0, sizeof(cs));
	cs.index = index;

	/* metapage */
	HnswReadMeta(index, &meta);
	HnswMetricFromIndex(index, &type);
	HnswCheckColumn(index, type, &dims);
	if (meta.dims != (uint32) dims)
		CORRUPT(&cs, "Metapage says %u dimensions, the column has %d.", meta.dims, dims);
	if (meta.m != HnswGetM(index) || meta.m < HNSW_MIN_M || meta.m > HNSW_MAX_M)
		CORRUPT(&cs, "Metapage says m = %u, the index option is %d.", meta.m, HnswGetM(index));
	cs.info = HnswGetIndexInfo(index);
	cs.vec = palloc(cs.info->vecbytes);

	snapshot = RegisterSnapshot(GetTransactionSnapshot());

	cs.nblocks = RelationGetNumberOfBlocks(index);
	cs.nodes = nodeset_create(ctx, 1024, NULL);
	cs.heaptids = tidset_create(ctx, 1024, NULL);
	check_pages(&cs);

	/* entry point */
	if (meta.entry_level >= 0)
	{
		node_entry *e = find_target(&cs, &meta.entry);

		if (e == NULL)
			CORRUPT(&cs, "Entry point (%u,%u) is not a node.",
					ItemPointerGetBlockNumber(&meta.entry), ItemPointerGetOffsetNumber(&meta.entry));
		if (e->level != meta.entry_level)
			CORRUPT(&cs, "Entry point (%u,%u) has level %d, the metapage says %d.",
					ItemPointerGetBlockNumber(&meta.entry), ItemPointerGetOffsetNumber(&meta.entry),
					e->level, meta.entry_level);
	}
	else if (ItemPointerIsValid(&meta.entry))
		CORRUPT(&cs, "Metapage of an empty index has an entry point.");

	/* links of every node seen */
	{
		nodeset_iterator it;
		node_entry *e;
		uint64	   *keys = palloc_extended(sizeof(uint64) * Max(cs.nodes->members, 1), MCXT_ALLOC_HUGE);
		int64		n = 0;

		nodeset_start_iterate(cs.nodes, &it);
		while ((e = nodeset_iterate(cs.nodes, &it)) != NULL)
			keys[n++] = e->key;
		for (int64 i = 0; i < n; i++)
		{
			CHECK_FOR_INTERRUPTS();
			check_links(&cs, (BlockNumber) (keys[i] >> 16), (OffsetNumber) (keys[i] & 0xFFFF));
		}
	}
	check_tenant_dir(&cs, &meta, ctx);
	unreachable = count_unreachable(&cs, &meta, heap, snapshot);

	if (heapallindexed)
	{
		IndexInfo  *indexInfo = BuildIndexInfo(index);
		TableScanDesc scan = table_beginscan_strat(heap, snapshot, 0, NULL, true, false);

		indexInfo->ii_Concurrent = true;	/* do not wait on other transactions */
		table_index_build_scan(heap, index, indexInfo, true, false,
							   heap_check_callback, &cs, scan);
	}
	UnregisterSnapshot(snapshot);

	values[0] = Int64GetDatum(cs.nblocks);
	values[1] = Int64GetDatum(cs.nnodes);
	values[2] = Int64GetDatum(cs.ndeleted);
	values[3] = Int64GetDatum(cs.nheaptids);
	values[4] = Int64GetDatum(cs.nchunks);
	values[5] = Int64GetDatum(unreachable);
	if (heapallindexed)
		values[6] = Int64GetDatum(cs.heap_checked);
	else
		nulls[6] = true;

	MemoryContextSwitchTo(old);
	MemoryContextDelete(ctx);
	index_close(index, AccessShareLock);
	table_close(heap, heaplock);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
