/*-------------------------------------------------------------------------
 *
 * hnswpage.c
 *	  HNSW page and tuple primitives: node layout, page and metapage
 *	  initialization, free space, the empty index.
 *
 * Nothing here takes locks it does not document; nothing here writes WAL
 * except HnswWriteEmptyIndex and HnswEditFinish.
 *
 * Copyright (c) 2026, vecdb developers
 *
 * src/hnsw/hnswpage.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/generic_xlog.h"
#include "access/xloginsert.h"
#include "miscadmin.h"
#include "storage/freespace.h"
#include "storage/lmgr.h"
#include "utils/rel.h"

#include "hnsw.h"

int
HnswLayerCap(int m, int layer)
{
	return layer == 0 || layer == HNSW_TENANT_LIST ? 2 * m : m;
}

/*
 * Computes the byte offsets of a node tuple of the given level, up to its
 * vector (or the vector's chunk TIDs).  tenant_cap: links of the tenant
 * list, 0 when the index has no tenant key (no bytes at all).
 */
void
HnswNodeLayoutFor(HnswNodeLayout *l, int level, int m, Size payload_bytes, int tenant_cap)
{
	Size		off = HNSW_NODE_HEADER_SIZE;

	Assert(level >= 0 && level <= HNSW_MAX_LEVEL);
	l->level = level;
	l->payload_off = off;
	off += payload_bytes;
	l->tenant_off = off;
	l->tids_off[HNSW_TENANT_LIST] = l->dists_off[HNSW_TENANT_LIST] = off;
	if (tenant_cap > 0)
	{
		off += 4;
		l->tids_off[HNSW_TENANT_LIST] = off;
		off += TYPEALIGN(4, sizeof(ItemPointerData) * tenant_cap);
		l->dists_off[HNSW_TENANT_LIST] = off;
		off += sizeof(float) * tenant_cap;
	}
	l->counts_off = off;
	off += TYPEALIGN(4, 2 * (level + 1));
	l->pins_off = off;
	off += TYPEALIGN(4, (HnswLayerCap(m, 0) + 7) / 8);
	l->rescue_off = off;
	off += TYPEALIGN(4, sizeof(ItemPointerData) * HNSW_RESCUE_LINKS);
	for (int layer = 0; layer <= level; layer++)
	{
		int			cap = HnswLayerCap(m, layer);

		l->tids_off[layer] = off;
		off += TYPEALIGN(4, sizeof(ItemPointerData) * cap);
		l->dists_off[layer] = off;
		off += sizeof(float) * cap;
	}
	l->vector_off = off;
}

/* Whether a vector of vecbytes goes to chunk tuples: inline, no page fits. */
bool
HnswVectorExternal(const HnswNodeLayout *l, Size vecbytes)
{
	return MAXALIGN(l->vector_off + vecbytes) > HNSW_MAX_TUPLE_SIZE;
}

/* Chunk tuples of a vector of vecbytes in a node of layout l: 0 if inline. */
int
HnswVectorChunks(const HnswNodeLayout *l, Size vecbytes)
{
	return HnswVectorExternal(l, vecbytes) ? HnswChunkCount(vecbytes) : 0;
}

/* Bytes of a node tuple of layout l whose vector takes vecbytes. */
Size
HnswNodeSize(const HnswNodeLayout *l, Size vecbytes)
{
	if (!HnswVectorExternal(l, vecbytes))
		return MAXALIGN(l->vector_off + vecbytes);
	return MAXALIGN(l->vector_off + sizeof(ItemPointerData) * HnswChunkCount(vecbytes));
}

/*
 * Sets the header fields of a new node tuple (zeroed, HnswNodeSize bytes)
 * that follow from its layout and vector size.  The caller fills the rest.
 */
void
HnswNodeInit(HnswNode node, const HnswNodeLayout *l, Size vecbytes)
{
	Assert(vecbytes <= HNSW_MAX_VECBYTES);
	node->type = HNSW_TUPLE_NODE;
	node->level = (uint8) l->level;
	node->flags = HnswVectorExternal(l, vecbytes) ? HNSW_NODE_EXTERNAL : 0;
	node->vecbytes = (uint16) vecbytes;
}

void
HnswInitPage(Page page, uint16 flags)
{
	HnswPageOpaque opaque;

	PageInit(page, BLCKSZ, sizeof(HnswPageOpaqueData));
	opaque = HnswPageGetOpaque(page);
	opaque->flags = flags;
	opaque->epoch = 0;
	opaque->unused = 0;
	opaque->page_id = HNSW_PAGE_ID;
}

/* Writes a metapage for an empty index into page (already a copy). */
void
HnswInitMetaPage(Page page, HnswIndexInfo *info, const ItemPointerData *chunks)
{
	HnswMetaPage meta;

	HnswInitPage(page, HNSW_PAGE_META);
	meta = HnswPageGetMeta(page);
	meta->magic = HNSW_MAGIC;
	meta->version = HNSW_FORMAT_VERSION;
	meta->dims = info->dims;
	meta->m = info->m;
	meta->ef_construction = info->ef_construction;
	meta->metric = (uint8) info->metric;
	meta->elemtype = (uint8) info->type->kind;
	meta->nfilters = (uint8) info->filter.ncolumns;
	meta->tenant = (uint8) (info->tenant + 1);
	meta->max_level = (uint8) info->max_level;
	meta->entry_level = -1;
	ItemPointerSetInvalid(&meta->entry);
	meta->entry_version = 0;
	meta->centred = HNSW_PARAMS_NONE;
	meta->tenant_dir = 0;
	meta->tenant_buckets = 0;
	((PageHeader) page)->pd_lower = ((char *) meta + sizeof(HnswMetaPageData)) - (char *) page;
	HnswParamsWrite(page, info, chunks);
}

/* True if the page carries our special space. */
bool
HnswPageIsValid(Page page)
{
	return !PageIsNew(page) &&
		PageGetSpecialSize(page) == MAXALIGN(sizeof(HnswPageOpaqueData)) &&
		HnswPageGetOpaque(page)->page_id == HNSW_PAGE_ID;
}

/*
 * Reads the metapage into *meta.  Takes and releases a share lock on
 * block 0.  Raises XX002 if it is not ours or of a format version this
 * code does not read.
 */
void
HnswReadMeta(Relation index, HnswMetaPageData *meta)
{
	Buffer		buf = HnswReadBuffer(index, NULL, HNSW_METAPAGE_BLKNO);
	Page		page;

	LockBuffer(buf, BUFFER_LOCK_SHARE);
	page = BufferGetPage(buf);
	if (!HnswPageIsValid(page) ||
		!(HnswPageGetOpaque(page)->flags & HNSW_PAGE_META) ||
		HnswPageGetMeta(page)->magic != HNSW_MAGIC)
		ereport(ERROR,
				(errcode(ERRCODE_INDEX_CORRUPTED),
				 errmsg("index \"%s\" is not a valid vecdb hnsw index",
						RelationGetRelationName(index))));
	if (HnswPageGetMeta(page)->version < HNSW_FORMAT_OLDEST_READ ||
		HnswPageGetMeta(page)->version > HNSW_FORMAT_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INDEX_CORRUPTED),
				 errmsg("index \"%s\" has on-disk format version %u, expected %u",
						RelationGetRelationName(index),
						HnswPageGetMeta(page)->version, HNSW_FORMAT_VERSION),
				 errhint("REINDEX the index.")));
	memcpy(meta, HnswPageGetMeta(page), sizeof(HnswMetaPageData));
	if (meta->version < 10)
	{
		/* those bytes are the centre's, or padding: no directory */
		meta->tenant_dir = 0;
		meta->tenant_buckets = 0;
	}
	UnlockReleaseBuffer(buf);
}

/*
 * Appends a new block to the index and returns it pinned and exclusively
 * locked, contents all zeros.  The caller initializes it under WAL.
 */
Buffer
HnswNewBuffer(Relation index, ForkNumber forknum)
{
	Buffer		buf;

	LockRelationForExtension(index, ExclusiveLock);
	buf = ReadBufferExtended(index, forknum, P_NEW, RBM_NORMAL, NULL);
	LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
	UnlockRelationForExtension(index, ExclusiveLock);
	return buf;
}

/*
 * Writes the metapage of an empty index into the given fork.  For the init
 * fork of an unlogged index, Generic WAL would write nothing (it skips
 * relations that need no WAL), so the page is logged as a full image
 * explicitly: after a crash, the main fork is rebuilt from it.
 */
void
HnswWriteEmptyIndex(Relation index, ForkNumber forknum, HnswIndexInfo *info)
{
	Buffer		buf = HnswNewBuffer(index, forknum);

	Assert(BufferGetBlockNumber(buf) == HNSW_METAPAGE_BLKNO);
	if (forknum == INIT_FORKNUM)
	{
		START_CRIT_SECTION();
		HnswInitMetaPage(BufferGetPage(buf), info, NULL);
		MarkBufferDirty(buf);
		log_newpage_buffer(buf, true);
		END_CRIT_SECTION();
	}
	else
	{
		GenericXLogState *state = GenericXLogStart(index);
		Page		page = GenericXLogRegisterBuffer(state, buf, GENERIC_XLOG_FULL_IMAGE);

		HnswInitMetaPage(page, info, NULL);
		GenericXLogFinish(state);
	}
	UnlockReleaseBuffer(buf);
}

/*
 * The node at off, or NULL if that slot holds no node, or one whose level,
 * vector size or length does not fit this index (so no reader ever walks
 * off a tuple).  An inline vector's own size must be the node's too; an
 * external one is checked when its chunks are read.
 */
HnswNode
HnswGetNode(Page page, OffsetNumber off, const HnswIndexInfo *info)
{
	ItemId		iid;
	HnswNode	node;
	const HnswNodeLayout *l;

	if (off < FirstOffsetNumber || off > PageGetMaxOffsetNumber(page))
		return NULL;
	iid = PageGetItemId(page, off);
	if (!ItemIdIsNormal(iid) || ItemIdGetLength(iid) < sizeof(HnswNodeData))
		return NULL;
	node = (HnswNode) PageGetItem(page, iid);
	if (node->type != HNSW_TUPLE_NODE || node->level > info->max_level ||
		node->vecbytes < info->minbytes || node->vecbytes > info->vecbytes)
		return NULL;
	l = &info->layouts[node->level];
	if (ItemIdGetLength(iid) != HnswNodeSize(l, node->vecbytes) ||
		HnswNodeIsExternal(node) != HnswVectorExternal(l, node->vecbytes))
		return NULL;
	if (!HnswNodeIsExternal(node) && info->minbytes != info->vecbytes &&
		HnswVecBytes(info, HnswNodeVector(node, l)) != node->vecbytes)
		return NULL;
	return node;
}

/* the node's filter values (HnswFilterSpec.payload_bytes) */
char *
HnswNodePayload(HnswNode node, const HnswNodeLayout *l)
{
	return (char *) node + l->payload_off;
}

uint8 *
HnswNodeCounts(HnswNode node, const HnswNodeLayout *l)
{
	return (uint8 *) node + l->counts_off;
}

/* Whether node has a list on layer: its layers, and a tenant index's list. */
bool
HnswNodeHasList(HnswNode node, const HnswIndexInfo *info, int layer)
{
	if (layer == HNSW_TENANT_LIST)
		return info->tenant >= 0;
	return layer <= node->level;
}

/* the pin bits of the node's layer-0 list */
uint8 *
HnswNodePins(HnswNode node, const HnswNodeLayout *l)
{
	return (uint8 *) node + l->pins_off;
}

ItemPointer
HnswNodeRescue(HnswNode node, const HnswNodeLayout *l)
{
	return (ItemPointer) ((char *) node + l->rescue_off);
}

/*
 * Copies the links a search follows from node on layer into out (room for
 * HNSW_MAX_LINKS0): the list's, then on layer 0 the rescue links in use.
 * Returns how many.
 */
int
HnswNodeLinks(HnswNode node, const HnswNodeLayout *l, int layer, int m, ItemPointerData *out)
{
	int			n = Min(HnswListCount(node, l, layer), HnswLayerCap(m, layer));

	memcpy(out, HnswNodeTids(node, l, layer), sizeof(ItemPointerData) * n);
	if (layer == 0)
	{
		ItemPointer rescue = HnswNodeRescue(node, l);

		for (int i = 0; i < HNSW_RESCUE_LINKS; i++)
			if (ItemPointerIsValid(&rescue[i]))
				out[n++] = rescue[i];
	}
	return n;
}

ItemPointer
HnswNodeTids(HnswNode node, const HnswNodeLayout *l, int layer)
{
	return (ItemPointer) ((char *) node + l->tids_off[layer]);
}

float *
HnswNodeDists(HnswNode node, const HnswNodeLayout *l, int layer)
{
	return (float *) ((char *) node + l->dists_off[layer]);
}

char *
HnswNodeVector(HnswNode node, const HnswNodeLayout *l)
{
	Assert(!HnswNodeIsExternal(node));
	return (char *) node + l->vector_off;
}

/* the chunk TIDs of an external vector, HnswChunkCount(vecbytes) of them */
ItemPointer
HnswNodeChunks(HnswNode node, const HnswNodeLayout *l)
{
	Assert(HnswNodeIsExternal(node));
	return (ItemPointer) ((char *) node + l->vector_off);
}

/*
 * Copies a node's list on layer (cap slots) into *out.  Only layer 0 has
 * pins; the upper layers' links read as unpinned.
 */
void
HnswListRead(HnswNode node, const HnswNodeLayout *l, int layer, int cap, HnswList *out)
{
	const uint8 *pins = HnswNodePins(node, l);

	out->count = Min(HnswListCount(node, l, layer), cap);
	out->nsel = Min(HnswListNsel(node, l, layer), out->count);
	memcpy(out->tids, HnswNodeTids(node, l, layer), sizeof(ItemPointerData) * out->count);
	memcpy(out->dists, HnswNodeDists(node, l, layer), sizeof(float) * out->count);
	for (int i = 0; i < out->count; i++)
		out->pinned[i] = layer == 0 && HnswPinGet(pins, i);
}

/* Writes *list as the node's list on layer; unused slots are cleared. */
void
HnswListWrite(HnswNode node, const HnswNodeLayout *l, int layer, int cap,
			  const HnswList *list)
{
	ItemPointer tids = HnswNodeTids(node, l, layer);
	float	   *dists = HnswNodeDists(node, l, layer);
	uint8	   *pins = HnswNodePins(node, l);

	Assert(list->count <= cap && list->nsel <= list->count);
	for (int i = 0; i < cap; i++)
	{
		if (i < list->count)
		{
			tids[i] = list->tids[i];
			dists[i] = list->dists[i];
		}
		else
		{
			ItemPointerSetInvalid(&tids[i]);
			dists[i] = 0;
		}
		if (layer == 0)
			HnswPinSet(pins, i, i < list->count && list->pinned[i]);
	}
	HnswListCount(node, l, layer) = list->count;
	HnswListNsel(node, l, layer) = list->nsel;
}

/* True if the node's list on layer is still *list (links, counts, pins). */
bool
HnswListSame(HnswNode node, const HnswNodeLayout *l, int layer, int cap,
			 const HnswList *list)
{
	const uint8 *pins = HnswNodePins(node, l);

	if (HnswListCount(node, l, layer) != list->count ||
		HnswListNsel(node, l, layer) != list->nsel ||
		memcmp(HnswNodeTids(node, l, layer), list->tids,
			   sizeof(ItemPointerData) * list->count) != 0)
		return false;
	for (int i = 0; layer == 0 && i < list->count; i++)
		if (HnswPinGet(pins, i) != list->pinned[i])
			return false;
	return true;
}

/* How many links of the list are pinned. */
int
HnswListPins(const HnswList *list)
{
	int			n = 0;

	for (int i = 0; i < list->count; i++)
		n += list->pinned[i];
	return n;
}

/* Position of tid in the list, or -1. */
int
HnswListFind(const HnswList *list, ItemPointer tid)
{
	for (int i = 0; i < list->count; i++)
		if (ItemPointerEquals((ItemPointer) &list->tids[i], tid))
			return i;
	return -1;
}

/*
 * Puts tid (at distance dist from the list's owner) into the list as a
 * pruned link, in distance order; if the list is full, its farthest
 * unpinned link goes first.  A tid already there only gains the pin.
 * Returns false, changing nothing, when every slot is pinned.
 */
bool
HnswListPut(HnswList *list, int cap, ItemPointer tid, float dist, bool pinned)
{
	int			at = HnswListFind(list, tid);
	int			pos;

	if (at >= 0)
	{
		list->pinned[at] |= pinned;
		return true;
	}
	if (list->count >= cap)
	{
		int			victim = -1;

		for (int i = list->count - 1; i >= 0 && victim < 0; i--)
			if (!list->pinned[i])
				victim = i;
		if (victim < 0)
			return false;
		for (int i = victim; i < list->count - 1; i++)
		{
			list->tids[i] = list->tids[i + 1];
			list->dists[i] = list->dists[i + 1];
			list->pinned[i] = list->pinned[i + 1];
		}
		list->count--;
		if (victim < list->nsel)
			list->nsel--;
	}
	pos = list->count;
	while (pos > list->nsel && list->dists[pos - 1] > dist)
	{
		list->tids[pos] = list->tids[pos - 1];
		list->dists[pos] = list->dists[pos - 1];
		list->pinned[pos] = list->pinned[pos - 1];
		pos--;
	}
	list->tids[pos] = *tid;
	list->dists[pos] = dist;
	list->pinned[pos] = pinned;
	list->count++;
	return true;
}

/*
 * Records buf's free space in the FSM (a hint; not WAL-logged), and
 * propagates it to the FSM's upper levels at once, so the next
 * GetPageWithFreeSpace can find the page (as BRIN does).
 */
void
HnswRecordFreeSpace(Relation index, Buffer buf)
{
	BlockNumber blkno = BufferGetBlockNumber(buf);

	RecordPageWithFreeSpace(index, blkno, PageGetFreeSpace(BufferGetPage(buf)));
	FreeSpaceMapVacuumRange(index, blkno, blkno + 1);
}

/*
 * Returns a buffer, pinned and exclusively locked, whose page has room for
 * a tuple of size bytes (plus its line pointer).  It is either an existing
 * node page found through the FSM or a fresh block, all zeros
 * (PageIsNew), that the caller must initialize in its WAL record.
 *
 * Holds no other lock on entry; the caller must not hold any either.
 */
Buffer
HnswBufferWithSpace(Relation index, Size size)
{
	BlockNumber blkno;
	int			tries = 0;

	Assert(size <= HNSW_MAX_TUPLE_SIZE);
	while ((blkno = GetPageWithFreeSpace(index, size + sizeof(ItemIdData))) != InvalidBlockNumber &&
		   tries++ < 16)
	{
		Buffer		buf = ReadBuffer(index, blkno);
		Page		page;
		Size		avail;

		LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
		page = BufferGetPage(buf);
		if (PageIsNew(page))
			return buf;
		if (HnswPageIsValid(page) && (HnswPageGetOpaque(page)->flags & HNSW_PAGE_NODES))
		{
			avail = PageGetFreeSpace(page);
			if (avail >= size)
				return buf;
		}
		else
			avail = 0;
		UnlockReleaseBuffer(buf);
		RecordPageWithFreeSpace(index, blkno, avail);
	}
	return HnswNewBuffer(index, MAIN_FORKNUM);
}

/*
 * Writes one tuple to a page with room (HnswBufferWithSpace) and returns
 * its TID.  One page edit.  With version, the tuple is a node: its version
 * becomes the page's epoch (also returned).  Holds no lock on entry or exit.
 */
ItemPointerData
HnswWriteTuple(Relation index, HnswIndexInfo *info, Item item, Size size, uint16 *version)
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
 * Page edits.  Outside a build an edit is one Generic WAL record (the pages
 * change atomically at HnswEditFinish).  Inside CREATE INDEX the buffers are
 * changed in place and marked dirty: the build WAL-logs every page whole at
 * its end, and a crash before commit drops the new relation anyway.  The
 * caller holds each buffer's exclusive lock from HnswEditPage to
 * HnswEditFinish.
 */
void
HnswEditStart(HnswEdit *e, Relation index, const HnswIndexInfo *info)
{
	e->state = info->building ? NULL : GenericXLogStart(index);
	e->nbufs = 0;
}

/* The page of buf to change; new_page: its old contents do not matter. */
Page
HnswEditPage(HnswEdit *e, Buffer buf, bool new_page)
{
	if (e->nbufs >= (int) lengthof(e->bufs))
		elog(ERROR, "too many buffers in one hnsw page edit");
	e->bufs[e->nbufs++] = buf;
	if (e->state == NULL)
		return BufferGetPage(buf);
	return GenericXLogRegisterBuffer(e->state, buf, new_page ? GENERIC_XLOG_FULL_IMAGE : 0);
}

void
HnswEditFinish(HnswEdit *e)
{
	if (e->state != NULL)
		GenericXLogFinish(e->state);
	else
		for (int i = 0; i < e->nbufs; i++)
			MarkBufferDirty(e->bufs[i]);
	e->state = NULL;
	e->nbufs = 0;
}
