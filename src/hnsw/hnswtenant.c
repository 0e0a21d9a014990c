/*-------------------------------------------------------------------------
 *
 * hnswtenant.c
 *	  Tenant lists: in an index declared WITH (tenant = column), every node
 *	  also links to its nearest nodes with the same value of that filter
 *	  column, so a scan for one value walks inside its tenant (src/README,
 *	  "HNSW: tenants").  The option, the build pass that fills the lists,
 *	  the search an insert runs for its own list, and vacuum's repair.
 *
 * Copyright (c) 2026, vecdb developers
 *
 * src/hnsw/hnswtenant.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "storage/shmem.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "hnsw.h"

/*
 * A tenant of at most this many nodes gets its lists at build time from
 * all its pairwise distances (a matrix of this size squared floats, 16 MB);
 * a larger one from a tenant walk per node, as inserts do.
 */
#define TENANT_EXACT_MAX		2048

/*
 * The filter column (0-based) named by the index's tenant option, or -1
 * without one.  Raises 22023 when the option names no filter column or a
 * column whose walk test is not an equality.
 */
int
HnswTenantColumn(Relation index)
{
	const char *name = HnswGetTenantOption(index);
	TupleDesc	desc = RelationGetDescr(index);
	HnswFilterSpec specdata;
	HnswFilterSpec *spec = &specdata;

	if (name == NULL)
		return -1;
	HnswFilterSpecInit(spec, index);
	for (int i = 0; i < spec->nfilters; i++)
	{
		if (strcmp(NameStr(TupleDescAttr(desc, i + 1)->attname), name) != 0)
			continue;
		if (spec->kinds[i] == HNSW_FILTER_SET)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("tenant column \"%s\" of index \"%s\" has type %s, which has no equality test",
							name, RelationGetRelationName(index),
							format_type_be(spec->types[i])),
					 errhint("A tenant column may be smallint, integer, bigint, boolean, text or uuid.")));
		return i;
	}
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("tenant column \"%s\" is not a filter column of index \"%s\"",
					name, RelationGetRelationName(index)),
			 errhint("Name one of the index's columns after the vector column.")));
	return -1;					/* keep the compiler quiet */
}

/* The tenant slot of a node's filter values; false if NULL or no tenant key. */
bool
HnswTenantOf(const HnswIndexInfo *info, const char *payload, uint64 *value)
{
	uint64		nulls;

	if (info->tenant < 0)
		return false;
	memcpy(&nulls, payload, 8);
	if (nulls & (UINT64CONST(1) << info->tenant))
		return false;
	memcpy(value, payload + 8 + 8 * info->tenant, 8);
	return true;
}

/*
 * Makes s a tenant walk when filter tests the index's tenant key for
 * equality with one value (other tests may come with it).
 */
void
HnswTenantSearchInit(HnswSearch *s, const HnswFilter *filter)
{
	if (s->info->tenant < 0 || filter == NULL || filter->impossible)
		return;
	for (int i = 0; i < filter->ntests; i++)
	{
		const HnswFilterTest *t = &filter->tests[i];

		if (t->column == s->info->tenant && t->strategy == HNSW_FILTER_EQ &&
			t->nvalues == 1)
		{
			s->tenant_walk = true;
			s->tenant_value = t->values[0];
			return;
		}
	}
}

/*
 * Whether a scan's tenant walk walks its tenant completely
 * (HnswTenantWalkAll), given the ef it would use otherwise and the node
 * count of its tenant's directory entry (nodes, 0: unknown): if that is
 * above ef but at most HNSW_TENANT_COMPLETE_PER_EF times hnsw.ef_search and
 * at most hnsw.max_scan_tuples, returns that bound, the most members the
 * walk measures; else 0, an ordinary walk.  The count is a hint: too low
 * (a crash, an entry made again), the walk still goes on to the bound.
 */
int
HnswTenantCompleteLimit(int ef, uint32 nodes)
{
	int64		bound = Min((int64) HNSW_TENANT_COMPLETE_PER_EF * hnsw_ef_search,
							(int64) hnsw_max_scan_tuples);

	if (nodes <= (uint32) ef || nodes > bound)
		return 0;
	return (int) bound;
}

/*
 * The ef nearest nodes of tenant value to s's query that a tenant walk
 * finds (at most hnsw.max_scan_tuples nodes measured), sorted, in *found
 * (palloc'd): from the tenant's directory entry, or without one from the
 * entry point.  Returns how many.  Leaves s unfiltered.
 */
int
HnswTenantSearch(HnswSearch *s, uint64 value, int ef, HnswCandidate **found)
{
	HnswFilterTest test = {s->info->tenant, HNSW_FILTER_EQ, 1, &value};
	HnswFilter	f = {1, &test, false, false};
	HnswCandidate entry,
				ep;
	int			level;
	uint32		nodes;
	HnswHeap	entries,
				w;

	HnswHeapInit(&w, ef + 1, true);
	*found = w.items;
	HnswSearchResetVisited(s);
	s->filter = &f;
	s->tenant_walk = true;
	s->tenant_value = value;
	s->max_visits = s->visited_count + hnsw_max_scan_tuples;
	HnswHeapInit(&entries, 2, false);
	s->tenant_only = HnswTenantEntryPoint(s, &ep, &nodes);
	if (s->tenant_only)
		HnswHeapPush(&entries, &ep);	/* start inside the tenant */
	else if (HnswSearchEntry(s, &entry, &level))
	{
		ep = HnswGreedyDescend(s, entry, level, 0);
		HnswHeapPush(&entries, &ep);
		if (!ItemPointerEquals(&entry.tid, &ep.tid))
			HnswHeapPush(&entries, &entry);
	}
	if (entries.n > 0)
	{
		HnswSearchLayer(s, &entries, ef, 0, &w, NULL);
		HnswSortCandidates(w.items, w.n);
	}
	pfree(entries.items);
	s->filter = NULL;
	s->tenant_walk = false;
	s->tenant_only = false;
	s->max_visits = 0;
	return w.n;
}

/*
 * Writes list as the tenant list of node tid (if it still has version), if
 * that list is still old (NULL: whatever it is).  One page edit (WAL-logged
 * unless building).  Returns false if the node or its list changed.
 */
bool
HnswTenantWrite(Relation index, HnswIndexInfo *info, ItemPointer tid, uint16 version,
				const HnswList *old, const HnswList *list)
{
	Buffer		buf = HnswReadBuffer(index, info, ItemPointerGetBlockNumber(tid));
	HnswNode	node;
	bool		ok;

	LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
	node = HnswGetNode(BufferGetPage(buf), ItemPointerGetOffsetNumber(tid), info);
	ok = node != NULL && node->version == version &&
		(old == NULL ||
		 HnswListSame(node, &info->layouts[node->level], HNSW_TENANT_LIST, HnswTenantCap(info), old));
	if (ok)
	{
		HnswEdit	edit;
		Page		page;

		HnswEditStart(&edit, index, info);
		page = HnswEditPage(&edit, buf, false);
		node = HnswGetNode(page, ItemPointerGetOffsetNumber(tid), info);
		HnswListWrite(node, &info->layouts[node->level], HNSW_TENANT_LIST, HnswTenantCap(info), list);
		HnswEditFinish(&edit);
	}
	UnlockReleaseBuffer(buf);
	return ok;
}

/*
 * Reads the tenant list of node tid into *list, if the node still has
 * version (any version when version is NULL).  Share-locks and releases.
 */
bool
HnswTenantRead(Relation index, HnswIndexInfo *info, ItemPointer tid, const uint16 *version,
			HnswList *list)
{
	Buffer		buf = HnswReadBuffer(index, info, ItemPointerGetBlockNumber(tid));
	HnswNode	node;
	bool		ok;

	LockBuffer(buf, BUFFER_LOCK_SHARE);
	node = HnswGetNode(BufferGetPage(buf), ItemPointerGetOffsetNumber(tid), info);
	ok = node != NULL && (version == NULL || node->version == *version);
	if (ok)
		HnswListRead(node, &info->layouts[node->level], HNSW_TENANT_LIST, HnswTenantCap(info), list);
	UnlockReleaseBuffer(buf);
	return ok;
}

/*
 * Appends node t to cands[n] measured from s's query, unless it is self,
 * already there, gone or deleted.  Returns the new count.
 */
static int
add_candidate(HnswSearch *s, HnswCandidate *cands, int n, ItemPointer t, ItemPointer self)
{
	bool		deleted;
	int			level;

	if (!ItemPointerIsValid(t) || (self && ItemPointerEquals(t, self)))
		return n;
	for (int i = 0; i < n; i++)
		if (ItemPointerEquals(&cands[i].tid, t))
			return n;
	if (!HnswNodeDistance(s, t, &cands[n], &deleted, &level) || deleted)
		return n;
	return n + 1;
}

/*
 * The tenant list for a node of tenant value whose vector is s's query: the
 * heuristic over the ef_construction nearest members a tenant walk finds
 * and, for an existing node self, the links it has.  The chosen candidates
 * (for back-links) in *sel, palloc'd; returns their count.
 */
int
HnswTenantChoose(HnswSearch *s, uint64 value, ItemPointer self, HnswList *list,
				 HnswCandidate **sel)
{
	HnswIndexInfo *info = s->info;
	HnswCandidate *found;
	int			nfound = HnswTenantSearch(s, value, info->ef_construction, &found);
	HnswCandidate *cands = palloc(sizeof(HnswCandidate) * (nfound + HnswTenantCap(info)));
	int			n = 0;
	HnswList	cur;

	for (int i = 0; i < nfound; i++)
		if (!self || !ItemPointerEquals(&found[i].tid, self))
			cands[n++] = found[i];
	if (self && HnswTenantRead(s->index, info, self, NULL, &cur))
		for (int i = 0; i < cur.count; i++)
			n = add_candidate(s, cands, n, &cur.tids[i], self);
	HnswSortCandidates(cands, n);
	HnswChooseLinks(s->index, info, cands, n, HNSW_TENANT_LIST, sel, list);
	return list->count;
}

/* Offers node x a place in the tenant list of each of sel[0 .. n - 1]. */
void
HnswTenantBacklinks(HnswSearch *s, HnswCandidate *sel, int n, ItemPointer x)
{
	for (int i = 0; i < n; i++)
		HnswAddBacklink(s, &sel[i], HNSW_TENANT_LIST, x, sel[i].dist, false, HNSW_PIN_NO);
}

/* ---- build ---- */

/* a node of the index with its tenant value */
typedef struct TenantMember
{
	uint64		value;
	ItemPointerData tid;
	uint16		version;
} TenantMember;

static int
cmp_member(const void *a, const void *b)
{
	const TenantMember *x = a;
	const TenantMember *y = b;

	if (x->value != y->value)
		return x->value < y->value ? -1 : 1;
	return ItemPointerCompare((ItemPointer) &x->tid, (ItemPointer) &y->tid);
}

/* Every live node with a non-NULL tenant value, in *out; returns how many. */
static int64
collect_members(Relation index, HnswIndexInfo *info, TenantMember **out)
{
	BlockNumber nblocks = RelationGetNumberOfBlocks(index);
	int64		n = 0,
				cap = 1024;
	TenantMember *m = palloc_extended(sizeof(TenantMember) * cap, MCXT_ALLOC_HUGE);

	for (BlockNumber blk = HNSW_METAPAGE_BLKNO + 1; blk < nblocks; blk++)
	{
		Buffer		buf = HnswReadBuffer(index, info, blk);
		Page		page;

		LockBuffer(buf, BUFFER_LOCK_SHARE);
		page = BufferGetPage(buf);
		for (OffsetNumber off = FirstOffsetNumber;
			 HnswPageIsValid(page) && (HnswPageGetOpaque(page)->flags & HNSW_PAGE_NODES) &&
			 off <= PageGetMaxOffsetNumber(page); off++)
		{
			HnswNode	node = HnswGetNode(page, off, info);
			uint64		v;

			if (node == NULL || (node->flags & HNSW_NODE_DELETED) ||
				!HnswTenantOf(info, HnswNodePayload(node, &info->layouts[node->level]), &v))
				continue;
			if (n == cap)
			{
				cap *= 2;
				m = repalloc_huge(m, sizeof(TenantMember) * cap);
			}
			m[n].value = v;
			ItemPointerSet(&m[n].tid, blk, off);
			m[n].version = node->version;
			n++;
		}
		UnlockReleaseBuffer(buf);
		CHECK_FOR_INTERRUPTS();
	}
	qsort(m, n, sizeof(TenantMember), cmp_member);
	*out = m;
	return n;
}

/* all pairwise distances of a small tenant's members */
typedef struct TenantMatrix
{
	int			n;
	float	   *d;				/* n x n */
	const int  *ids;			/* candidate i is member ids[i] */
} TenantMatrix;

static float
matrix_pair(void *arg, int i, int j)
{
	TenantMatrix *tm = arg;

	return tm->d[(Size) tm->ids[i] * tm->n + tm->ids[j]];
}

typedef struct MatrixLink
{
	TenantMatrix *tm;
	int			x;				/* the new link's member */
	const ItemPointerData *tids;	/* the members' TIDs */
	const HnswList *list;
	const int  *member_of;		/* link k's member (list order) */
} MatrixLink;

static float
matrix_link(void *arg, int k)
{
	MatrixLink *a = arg;

	return a->tm->d[(Size) a->x * a->tm->n + a->member_of[k]];
}

/* Member i's list: the heuristic over its nearest efc fellow members. */
static void
exact_list(HnswIndexInfo *info, TenantMatrix *tm, int i, const TenantMember *mem,
		   HnswList *list, int *ids)
{
	HnswCandidate *c = palloc(sizeof(HnswCandidate) * tm->n);
	int			nc = 0;
	int			idx[HNSW_TENANT_MAX_LINKS];
	int			n;

	for (int j = 0; j < tm->n; j++)
	{
		if (j == i)
			continue;
		memset(&c[nc], 0, sizeof(HnswCandidate));
		c[nc].tid = mem[j].tid;
		c[nc].version = mem[j].version;
		c[nc].dist = tm->d[(Size) i * tm->n + j];
		c[nc].links_off = j;	/* the member, for the pair distances */
		nc++;
	}
	HnswSortCandidates(c, nc);
	nc = Min(nc, info->ef_construction);
	for (int k = 0; k < nc; k++)
		ids[k] = c[k].links_off;
	tm->ids = ids;
	n = HnswSelectNeighbors(info->metric, c, nc, HnswTenantCap(info), matrix_pair, tm, idx,
							&list->nsel);
	list->count = n;
	for (int k = 0; k < n; k++)
	{
		list->tids[k] = c[idx[k]].tid;
		list->dists[k] = c[idx[k]].dist;
		list->pinned[k] = false;
	}
	pfree(c);
}

/* position of member j's TID among mem (sorted by TID within a group) */
static int
member_index(const TenantMember *mem, int n, ItemPointer tid)
{
	int			lo = 0,
				hi = n - 1;

	while (lo <= hi)
	{
		int			mid = (lo + hi) / 2;
		int			c = ItemPointerCompare((ItemPointer) &mem[mid].tid, tid);

		if (c == 0)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

/* Offers member x to member y's list (in memory), as a back-link would. */
static void
exact_backlink(HnswIndexInfo *info, TenantMatrix *tm, const TenantMember *mem, HnswList *lists,
			   int x, int y)
{
	HnswList   *list = &lists[y];
	int			member_of[HNSW_TENANT_MAX_LINKS];
	int			order[2 * HNSW_MAX_M + 1];
	int			newsel;
	int			newn;
	MatrixLink	arg = {tm, x, NULL, list, member_of};
	HnswList	old = *list;

	if (HnswListFind(list, (ItemPointer) &mem[x].tid) >= 0)
		return;
	for (int k = 0; k < list->count; k++)
		member_of[k] = member_index(mem, tm->n, &list->tids[k]);
	newn = HnswBacklinkUpdate(info->metric, true, list->count, list->nsel, HnswTenantCap(info),
							  list->dists, NULL,
							  tm->d[(Size) x * tm->n + y], false, matrix_link, NULL, &arg,
							  order, &newsel);
	if (newn < 0)
		return;
	for (int k = 0; k < newn; k++)
	{
		list->tids[k] = order[k] < 0 ? mem[x].tid : old.tids[order[k]];
		list->dists[k] = order[k] < 0 ? tm->d[(Size) x * tm->n + y] : old.dists[order[k]];
		list->pinned[k] = false;
	}
	list->count = newn;
	list->nsel = newsel;
}

/* The member (of n) whose distances to the others sum least. */
static int
medoid(const TenantMatrix *tm, const bool *ok)
{
	int			best = 0;
	double		bestsum = get_float8_infinity();

	for (int i = 0; i < tm->n; i++)
	{
		double		sum = 0;

		for (int j = 0; j < tm->n && ok[i]; j++)
			sum += ok[j] ? tm->d[(Size) i * tm->n + j] : 0;
		if (ok[i] && sum < bestsum)
		{
			best = i;
			bestsum = sum;
		}
	}
	return best;
}

/*
 * The lists of a tenant of n <= TENANT_EXACT_MAX members (mem, sorted by
 * TID): every pairwise distance, each member's list chosen from its nearest
 * efc, then back-links offered as an insert would.  Returns the medoid,
 * the tenant's start in the directory.
 */
static int
exact_group(Relation index, HnswIndexInfo *info, const TenantMember *mem, int n)
{
	char	   *vecs = palloc_extended(mul_size(info->vecbytes, n), MCXT_ALLOC_HUGE);
	TenantMatrix tm;
	HnswList   *lists = palloc_extended(mul_size(sizeof(HnswList), n), MCXT_ALLOC_HUGE);
	int		   *ids = palloc(sizeof(int) * Max(n, 1));
	bool	   *ok = palloc(sizeof(bool) * n);
	int			start;

	tm.n = n;
	tm.d = palloc_extended(mul_size(mul_size(sizeof(float), n), n), MCXT_ALLOC_HUGE);
	for (int i = 0; i < n; i++)
		ok[i] = HnswNodeVectorCopy(index, info, (ItemPointer) &mem[i].tid, mem[i].version,
								   vecs + (Size) i * info->vecbytes);
	for (int i = 0; i < n; i++)
	{
		CHECK_FOR_INTERRUPTS();
		for (int j = i; j < n; j++)
		{
			float		d = ok[i] && ok[j] ?
				HnswVecDistance(info, vecs + (Size) i * info->vecbytes,
								vecs + (Size) j * info->vecbytes) : get_float4_infinity();

			tm.d[(Size) i * n + j] = tm.d[(Size) j * n + i] = d;
		}
	}
	for (int i = 0; i < n; i++)
		exact_list(info, &tm, i, mem, &lists[i], ids);
	for (int i = 0; i < n; i++)
		for (int k = 0; k < lists[i].nsel; k++)
			exact_backlink(info, &tm, mem, lists,
						   i, member_index(mem, n, &lists[i].tids[k]));
	for (int i = 0; i < n; i++)
		HnswTenantWrite(index, info, (ItemPointer) &mem[i].tid, mem[i].version, NULL, &lists[i]);
	start = medoid(&tm, ok);
	pfree(vecs);
	pfree(tm.d);
	pfree(lists);
	pfree(ids);
	pfree(ok);
	return start;
}

/*
 * The lists of a large tenant: each member's from a tenant walk for its
 * vector, with back-links, as an insert makes them.
 */
static void
walked_group(Relation index, HnswIndexInfo *info, const TenantMember *mem, int n)
{
	char	   *vec = palloc(info->vecbytes);

	for (int i = 0; i < n; i++)
	{
		HnswSearch	s;
		HnswList	list;
		HnswCandidate *sel;
		int			nsel;

		CHECK_FOR_INTERRUPTS();
		if (!HnswNodeVectorCopy(index, info, (ItemPointer) &mem[i].tid, mem[i].version, vec))
			continue;
		HnswSearchInit(&s, index, info, vec, true);
		nsel = HnswTenantChoose(&s, mem[i].value, (ItemPointer) &mem[i].tid, &list, &sel);
		if (HnswTenantWrite(index, info, (ItemPointer) &mem[i].tid, mem[i].version, NULL,
							&list))
			HnswTenantBacklinks(&s, sel, nsel, (ItemPointer) &mem[i].tid);
		HnswSearchFree(&s);
	}
	pfree(vec);
}

/* the number of distinct values among n members sorted by value */
static int64
count_values(const TenantMember *mem, int64 n)
{
	int64		count = 0;

	for (int64 i = 0; i < n; i++)
		count += i == 0 || mem[i].value != mem[i - 1].value;
	return count;
}

/*
 * Fills the tenant list of every node of a freshly written graph and the
 * tenant directory (the build's last pass, before rows that overflowed
 * memory are inserted, which make their own and register their tenants).
 * A tenant's start is the medoid of a group with all pairwise distances,
 * else its first member; its entry counts the group's nodes.  Page edits
 * in place (info->building).
 */
void
HnswTenantBuildLists(Relation index, HnswIndexInfo *info)
{
	TenantMember *mem;
	int64		n = collect_members(index, info, &mem);
	int64		start = 0;

	if (info->tenant_dir)
		HnswTenantDirCreate(index, info, count_values(mem, n));
	while (start < n)
	{
		int64		end = start + 1;
		int			first = 0;
		MemoryContext ctx = AllocSetContextCreate(CurrentMemoryContext, "hnsw tenant",
												  ALLOCSET_DEFAULT_SIZES);
		MemoryContext old = MemoryContextSwitchTo(ctx);

		while (end < n && mem[end].value == mem[start].value)
			end++;
		if (end - start <= TENANT_EXACT_MAX)
			first = exact_group(index, info, mem + start, (int) (end - start));
		else
			walked_group(index, info, mem + start, (int) (end - start));
		HnswTenantDirAdd(index, info, mem[start + first].value, &mem[start + first].tid,
						 mem[start + first].version, (uint32) (end - start));
		MemoryContextSwitchTo(old);
		MemoryContextDelete(ctx);
		start = end;
	}
	pfree(mem);
}
