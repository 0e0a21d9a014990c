/*-------------------------------------------------------------------------
 *
 * hnswtids.c
 *	  The heap TIDs of a node: up to HNSW_HEAPTIDS inline, the rest in a
 *	  chain of TID list tuples, so that any number of identical vectors
 *	  share one node (src/README, "Identical vectors").
 *
 * Locking: at most one buffer lock at a time.  Who may add a TID to a
 * node's list tuples without holding the node's page: an insert, which
 * holds the index's insert lock in share mode.  A node with list tuples is
 * flagged DELETED only under that lock in exclusive mode (hnswvacuum.c), so
 * it cannot gain a TID in between; a node without them is flagged under
 * its page lock, which an insert linking a first list tuple also takes.
 * List tuples are freed only with their node (vacuum pass 3).
 *
 * Copyright (c) 2026, vecdb developers
 *
 * src/hnsw/hnswtids.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/rel.h"

#include "hnsw.h"

#define ADD_RETRIES 8
#define FIRST_LIST_CAP 16

/*
 * The list tuple at t on a locked page, if it is one of the node owner's
 * (version); else NULL.
 */
HnswTidList
HnswGetTidList(Page page, ItemPointer t, ItemPointer owner, uint16 version)
{
	OffsetNumber off = ItemPointerGetOffsetNumber(t);
	ItemId		iid;
	HnswTidList list;

	if (off < FirstOffsetNumber || off > PageGetMaxOffsetNumber(page))
		return NULL;
	iid = PageGetItemId(page, off);
	if (!ItemIdIsNormal(iid) || ItemIdGetLength(iid) < HNSW_TIDLIST_HEADER_SIZE)
		return NULL;
	list = (HnswTidList) PageGetItem(page, iid);
	if (list->type != HNSW_TUPLE_TIDLIST || list->ntids > list->cap ||
		ItemIdGetLength(iid) != HnswTidListSize(list->cap) ||
		!ItemPointerEquals(&list->owner, owner) || list->owner_version != version)
		return NULL;
	return list;
}

/*
 * Calls fn for each list tuple of the node (owner, version), from head,
 * with the tuple's page share-locked (exclusively with for_update); fn
 * returns false to stop.  Stops quietly at a tuple that is not the node's
 * (a stale head: the node is gone); raises XX002 on a chain longer than
 * any index can hold.
 */
static void
walk_lists(Relation index, HnswIndexInfo *info, ItemPointer owner, uint16 version,
		   ItemPointerData head, bool for_update,
		   bool (*fn) (void *arg, Buffer buf, ItemPointer t, HnswTidList list), void *arg)
{
	int64		steps = 0;

	while (ItemPointerIsValid(&head))
	{
		Buffer		buf;
		HnswTidList list;
		bool		go_on;

		if (++steps > (int64) MaxBlockNumber)
			ereport(ERROR,
					(errcode(ERRCODE_INDEX_CORRUPTED),
					 errmsg("index \"%s\" has a cycle in the heap TID list of node (%u,%u)",
							RelationGetRelationName(index),
							ItemPointerGetBlockNumber(owner),
							ItemPointerGetOffsetNumber(owner))));
		CHECK_FOR_INTERRUPTS();
		buf = HnswReadBuffer(index, info, ItemPointerGetBlockNumber(&head));
		LockBuffer(buf, for_update ? BUFFER_LOCK_EXCLUSIVE : BUFFER_LOCK_SHARE);
		list = HnswGetTidList(BufferGetPage(buf), &head, owner, version);
		if (list == NULL)
		{
			UnlockReleaseBuffer(buf);
			return;
		}
		go_on = fn(arg, buf, &head, list);
		head = list->next;
		UnlockReleaseBuffer(buf);
		if (!go_on)
			return;
	}
}

typedef struct CollectArg
{
	ItemPointerData *tids;
	int			n;
	int			cap;
	bool		tuples;			/* collect the list tuples, not the heap TIDs */
} CollectArg;

static void
collect_one(CollectArg *a, ItemPointer t)
{
	if (a->n == a->cap)
	{
		a->cap *= 2;
		a->tids = repalloc_huge(a->tids, sizeof(ItemPointerData) * a->cap);
	}
	a->tids[a->n++] = *t;
}

static bool
collect_fn(void *arg, Buffer buf, ItemPointer t, HnswTidList list)
{
	CollectArg *a = (CollectArg *) arg;

	if (a->tuples)
		collect_one(a, t);
	else
		for (int i = 0; i < list->ntids; i++)
			collect_one(a, &list->tids[i]);
	return true;
}

/*
 * The heap TIDs of the node at tid, if it still has that version: inline
 * ones first, then its lists'.  Returns how many; *out is palloc'd in the
 * current memory context (NULL when the node is gone or has none).
 */
int
HnswReadHeapTids(Relation index, HnswIndexInfo *info, ItemPointer tid, uint16 version,
				 ItemPointerData **out)
{
	Buffer		buf = HnswReadBuffer(index, info, ItemPointerGetBlockNumber(tid));
	HnswNode	node;
	CollectArg	a = {NULL, 0, 0, false};
	ItemPointerData head;

	LockBuffer(buf, BUFFER_LOCK_SHARE);
	node = HnswGetNode(BufferGetPage(buf), ItemPointerGetOffsetNumber(tid), info);
	if (node == NULL || node->version != version)
	{
		UnlockReleaseBuffer(buf);
		*out = NULL;
		return 0;
	}
	a.cap = HNSW_HEAPTIDS + (ItemPointerIsValid(&node->tidlist) ? FIRST_LIST_CAP : 0);
	a.tids = palloc(sizeof(ItemPointerData) * a.cap);
	a.n = Min(node->ntids, HNSW_HEAPTIDS);
	memcpy(a.tids, node->heaptids, sizeof(ItemPointerData) * a.n);
	head = node->tidlist;
	UnlockReleaseBuffer(buf);
	walk_lists(index, info, tid, version, head, false, collect_fn, &a);
	*out = a.tids;
	return a.n;
}

/*
 * The list tuples of the node (for freeing them with it).  Returns how
 * many; *out palloc'd in the current memory context.
 */
int
HnswListTuples(Relation index, HnswIndexInfo *info, ItemPointer tid, uint16 version,
			   ItemPointerData head, ItemPointerData **out)
{
	CollectArg	a = {palloc(sizeof(ItemPointerData) * 8), 0, 8, true};

	walk_lists(index, info, tid, version, head, false, collect_fn, &a);
	*out = a.tids;
	return a.n;
}

static bool
nonempty_fn(void *arg, Buffer buf, ItemPointer t, HnswTidList list)
{
	*(bool *) arg = list->ntids > 0;
	return list->ntids == 0;
}

/* True if any list tuple of the node holds a heap TID. */
bool
HnswListsHoldTids(Relation index, HnswIndexInfo *info, ItemPointer tid, uint16 version,
				  ItemPointerData head)
{
	bool		any = false;

	walk_lists(index, info, tid, version, head, false, nonempty_fn, &any);
	return any;
}

typedef struct AppendArg
{
	Relation	index;
	HnswIndexInfo *info;
	ItemPointer heap_tid;
	bool		done;
	int			cap;			/* the head's cap, when it was full */
} AppendArg;

/* appends to the head list tuple (exclusively locked) if it has room */
static bool
append_fn(void *arg, Buffer buf, ItemPointer t, HnswTidList list)
{
	AppendArg  *a = (AppendArg *) arg;
	HnswEdit	edit;
	Page		page;

	a->cap = list->cap;
	if (list->ntids < list->cap)
	{
		HnswEditStart(&edit, a->index, a->info);
		page = HnswEditPage(&edit, buf, false);
		list = (HnswTidList) PageGetItem(page, PageGetItemId(page, ItemPointerGetOffsetNumber(t)));
		list->tids[list->ntids++] = *a->heap_tid;
		HnswEditFinish(&edit);
		a->done = true;
	}
	return false;				/* only the head */
}

/* Removes a list tuple nobody links to (one page edit). */
static void
drop_orphan(Relation index, HnswIndexInfo *info, ItemPointer t)
{
	Buffer		buf = HnswReadBuffer(index, info, ItemPointerGetBlockNumber(t));
	HnswEdit	edit;
	Page		page;

	LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
	HnswEditStart(&edit, index, info);
	page = HnswEditPage(&edit, buf, false);
	PageIndexTupleDeleteNoCompact(page, ItemPointerGetOffsetNumber(t));
	PageSetHasFreeLinePointers(page);
	HnswEditFinish(&edit);
	HnswRecordFreeSpace(index, buf);
	UnlockReleaseBuffer(buf);
}

/*
 * Locks the node's page exclusively and checks it is still (version) and
 * live.  Returns the node, or NULL (lock released) when it is not.
 */
static HnswNode
lock_live_node(Relation index, HnswIndexInfo *info, HnswCandidate *c, Buffer *buf)
{
	HnswNode	node;

	*buf = HnswReadBuffer(index, info, ItemPointerGetBlockNumber(&c->tid));
	LockBuffer(*buf, BUFFER_LOCK_EXCLUSIVE);
	node = HnswGetNode(BufferGetPage(*buf), ItemPointerGetOffsetNumber(&c->tid), info);
	if (node == NULL || node->version != c->version || (node->flags & HNSW_NODE_DELETED))
	{
		UnlockReleaseBuffer(*buf);
		return NULL;
	}
	return node;
}

/*
 * Links a new list tuple holding heap_tid in front of the node's chain,
 * if the chain still starts at head.  Returns true if linked.
 */
static bool
push_list(Relation index, HnswIndexInfo *info, HnswCandidate *c, ItemPointerData head,
		  int cap, ItemPointer heap_tid)
{
	Size		size = HnswTidListSize(cap);
	HnswTidList list = palloc0(size);
	ItemPointerData lt;
	Buffer		buf;
	HnswNode	node;
	bool		linked = false;

	list->type = HNSW_TUPLE_TIDLIST;
	list->cap = cap;
	list->ntids = 1;
	list->owner = c->tid;
	list->owner_version = c->version;
	list->next = head;
	list->tids[0] = *heap_tid;
	lt = HnswWriteTuple(index, info, (Item) list, size, NULL);
	pfree(list);

	node = lock_live_node(index, info, c, &buf);
	if (node != NULL)
	{
		if (ItemPointerEquals(&node->tidlist, &head))
		{
			HnswEdit	edit;
			Page		page;

			HnswEditStart(&edit, index, info);
			page = HnswEditPage(&edit, buf, false);
			node = HnswGetNode(page, ItemPointerGetOffsetNumber(&c->tid), info);
			node->tidlist = lt;
			HnswEditFinish(&edit);
			linked = true;
		}
		UnlockReleaseBuffer(buf);
	}
	if (!linked)
		drop_orphan(index, info, &lt);
	return linked;
}

/*
 * Adds heap_tid to the live node c (its vector identical to the row's):
 * inline if a slot is free, else to the head list tuple if it has room,
 * else in a new list tuple twice the head's size.  Returns false if the
 * node is gone or deleted.  The caller holds the insert lock.
 */
bool
HnswAddHeapTid(Relation index, HnswIndexInfo *info, HnswCandidate *c, ItemPointer heap_tid)
{
	for (int attempt = 0; attempt < ADD_RETRIES; attempt++)
	{
		Buffer		buf;
		HnswNode	node = lock_live_node(index, info, c, &buf);
		ItemPointerData head;
		AppendArg	a = {index, info, heap_tid, false, 0};

		if (node == NULL)
			return false;
		if (node->ntids < HNSW_HEAPTIDS)
		{
			HnswEdit	edit;
			Page		page;

			HnswEditStart(&edit, index, info);
			page = HnswEditPage(&edit, buf, false);
			node = HnswGetNode(page, ItemPointerGetOffsetNumber(&c->tid), info);
			node->heaptids[node->ntids++] = *heap_tid;
			HnswEditFinish(&edit);
			UnlockReleaseBuffer(buf);
			return true;
		}
		head = node->tidlist;
		UnlockReleaseBuffer(buf);

		if (ItemPointerIsValid(&head))
		{
			walk_lists(index, info, &c->tid, c->version, head, true, append_fn, &a);
			if (a.done)
				return true;
		}
		if (push_list(index, info, c, head,
					  a.cap > 0 ? Min(2 * a.cap, HNSW_TIDLIST_MAX_TIDS) : FIRST_LIST_CAP,
					  heap_tid))
			return true;
		CHECK_FOR_INTERRUPTS();
	}
	return false;
}
