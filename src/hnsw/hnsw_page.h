/*-------------------------------------------------------------------------
 *
 * hnsw_page.h
 *	  On-disk format of the vecdb HNSW index, and nothing else.
 *
 * See src/README ("On-disk format") for the prose.  Any change here that
 * alters bytes on disk must bump HNSW_FORMAT_VERSION and update the README
 * in the same commit.
 *
 * Copyright (c) 2026, vecdb developers
 *
 * src/hnsw/hnsw_page.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef VECDB_HNSW_PAGE_H
#define VECDB_HNSW_PAGE_H

#include "storage/bufpage.h"
#include "storage/itemptr.h"

#define HNSW_MAGIC				0x56444248	/* "VDBH" */
#define HNSW_FORMAT_VERSION		11
#define HNSW_FORMAT_OLDEST_READ	6		/* the same bytes, without codes (6),
										 * binary codes (7), tenant lists
										 * (6 to 8), pq codes, parameters
										 * in chunks and a tenant directory
										 * (6 to 9), or the directory's node
										 * counts (6 to 10) */
#define HNSW_PAGE_ID			0xFF91		/* last 2 bytes of every page */

#define HNSW_METAPAGE_BLKNO		0

/* ---- special space, on every page ---- */

#define HNSW_PAGE_META			0x0001
#define HNSW_PAGE_NODES			0x0002	/* node and chunk tuples */
#define HNSW_PAGE_TENANTS		0x0004	/* tenant directory tuples */

typedef struct HnswPageOpaqueData
{
	uint16		flags;			/* HNSW_PAGE_* */
	uint16		epoch;			/* bumped each time a slot here is freed */
	uint16		unused;
	uint16		page_id;		/* HNSW_PAGE_ID */
} HnswPageOpaqueData;

typedef HnswPageOpaqueData *HnswPageOpaque;

#define HnswPageGetOpaque(page) ((HnswPageOpaque) PageGetSpecialPointer(page))

/* ---- block 0: the metapage, stored as page contents after the header ---- */

typedef struct HnswMetaPageData
{
	uint32		magic;			/* HNSW_MAGIC */
	uint32		version;		/* HNSW_FORMAT_VERSION */
	uint32		dims;			/* dimensions of every vector */
	uint16		m;				/* max links per upper layer; 2m on layer 0 */
	uint16		ef_construction;
	uint8		metric;			/* VecdbMetric */
	uint8		max_level;		/* level cap of this index */
	int16		entry_level;	/* -1 when the index is empty */
	ItemPointerData entry;		/* entry point node, invalid when empty */
	uint16		entry_version;	/* its version, to detect slot reuse */
	uint8		elemtype;		/* VecdbElemKind of the stored vectors
								 * (VECDB_ELEM_INT8, _BINARY: codes,
								 * quantized) */
	uint8		nfilters;		/* filter columns (hnswfilter.c) */
	uint8		centred;		/* where the codes' parameters are
								 * (HNSW_PARAMS_*; hnswparams.c); zero
								 * before version 8, never 2 before
								 * version 10 */
	uint8		tenant;			/* 1 + the filter column that is the tenant
								 * key (WITH (tenant = ...)), 0: none;
								 * formats 6 to 8 have 0 here */
	/* from version 10 on (older metapages end at tenant_dir): */
	BlockNumber tenant_dir;		/* the tenant directory's first bucket page
								 * (HnswTenantDirPage), 0: none yet */
	uint32		tenant_buckets; /* its bucket pages: tenant_dir onwards */
} HnswMetaPageData;

/* HnswMetaPageData.centred */
#define HNSW_PARAMS_NONE	0	/* the codes have no parameters */
#define HNSW_PARAMS_META	1	/* they follow at HnswParamsOffset, as
								 * binary16 values */
#define HNSW_PARAMS_CHUNKS	2	/* the TIDs of the chunk tuples holding them
								 * (binary16 values, in order) follow at
								 * HnswParamsOffset */

/*
 * Where the codes' parameters (or their chunks' TIDs) start on a metapage
 * of the given format version, from the page's start: after the fields
 * that version has.
 */
#define HnswParamsOffset(version) \
	MAXALIGN(SizeOfPageHeaderData + \
			 ((version) >= 10 ? sizeof(HnswMetaPageData) : \
			  offsetof(HnswMetaPageData, tenant_dir)))

typedef HnswMetaPageData *HnswMetaPage;

#define HnswPageGetMeta(page) ((HnswMetaPage) PageGetContents(page))

/* ---- tuples on node pages ---- */

#define HNSW_TUPLE_NODE			1
#define HNSW_TUPLE_CHUNK		2
#define HNSW_TUPLE_TIDLIST		3
#define HNSW_TUPLE_TENANT		4	/* on a tenant directory page */
#define HNSW_TUPLE_DIRNEXT		5

/*
 * Heap TIDs a node carries inline.  Identical vectors (and non-HOT updates
 * that keep the vector) share one node; TIDs beyond these go to the node's
 * TID list tuples.
 */
#define HNSW_HEAPTIDS			3

/* rescue links of a node, on layer 0 */
#define HNSW_RESCUE_LINKS		2

#define HNSW_NODE_DELETED		0x01	/* no live heap TID; awaiting repair */
#define HNSW_NODE_EXTERNAL		0x02	/* vector is in chunk tuples */

/*
 * A graph node.  Fixed header, then at 4-byte aligned offsets (computed by
 * HnswNodeLayout in hnswpage.c):
 *
 *	 filter values						(hnswfilter.c), if any
 *	 tenant list, only in an index with a tenant key:
 *		 uint8	count, nsel				padded to 4
 *		 ItemPointerData tid[2m]		nearest nodes of the same tenant
 *										value, padded to 4
 *		 float	dist[2m]				their distances to this node
 *	 uint8	list[level + 1][2]			per layer: links in use, and how many
 *										of them the heuristic selected;
 *										padded to 4
 *	 uint8	pins[l][ceil(cap(l) / 8)]	per layer: bit i set when link i is
 *										pinned (see below); padded to 4
 *	 ItemPointerData rescue[2]			layer 0 links outside the lists (see
 *										below), invalid when unused
 *	 for l in 0 .. level:
 *		 ItemPointerData tid[cap(l)]	neighbour node TIDs, padded to 4
 *		 float	dist[cap(l)]			their distances to this node
 *
 *	 inline:	the vector in its element type's stored form, vecbytes
 *				bytes
 *	 external:	ItemPointerData chunk[HnswChunkCount(vecbytes)]
 *
 * A list is ordered: its nsel selected links by ascending distance, then
 * the pruned links kept to fill it, by ascending distance.
 *
 * A node's vector takes vecbytes, its own size: the same for every node of
 * a fixed-size type, what the value holds for a variable-size one
 * (sparsevec: its non-zeros).  The tuple's length follows from level and
 * vecbytes; the vector is external when the inline tuple would not fit a
 * page.
 *
 * cap(0) = 2m, cap(l > 0) = m.  Unused link slots hold an invalid TID.
 *
 * The tenant list (src/README, "HNSW: tenants") is a layer-0 list among the
 * nodes whose tenant column has the same value, ordered like the others,
 * never pinned: the spanning tree needs no tenant link.
 *
 * Pinned links are never dropped to make room: with the rescue links they
 * form a spanning tree rooted at the entry point, so every node stays
 * reachable (src/README, "Reachability").  Rescue links are the tree edges
 * of nodes the selection heuristic keeps out of every list: walked like
 * layer-0 links, never pruned, never counted in a list.
 */
typedef struct HnswNodeData
{
	uint8		type;			/* HNSW_TUPLE_NODE */
	uint8		level;			/* top layer this node is on */
	uint8		flags;			/* HNSW_NODE_* */
	uint8		ntids;			/* inline heap TIDs in use, 0 .. HNSW_HEAPTIDS */
	uint16		version;		/* page epoch when this node was written */
	uint16		vecbytes;		/* bytes of the stored vector */
	ItemPointerData tidlist;	/* first TID list tuple, or invalid */
	ItemPointerData heaptids[HNSW_HEAPTIDS];
} HnswNodeData;

typedef HnswNodeData *HnswNode;

#define HNSW_NODE_HEADER_SIZE	MAXALIGN(sizeof(HnswNodeData))

/*
 * A piece of a vector too large to sit inline in its node.  xmin is the
 * inserting transaction (FrozenTransactionId from a build): recorded so
 * that a future sweep can tell an orphaned chunk from one whose node is
 * still being written (see README, "Limits").
 */
typedef struct HnswChunkData
{
	uint8		type;			/* HNSW_TUPLE_CHUNK */
	uint8		unused;
	uint16		nbytes;			/* bytes of the vector that follow */
	TransactionId xmin;
	char		x[FLEXIBLE_ARRAY_MEMBER];
} HnswChunkData;

typedef HnswChunkData *HnswChunk;

#define HNSW_CHUNK_HEADER_SIZE	offsetof(HnswChunkData, x)

/*
 * More heap TIDs of one node: a chain from the node's tidlist through next.
 * owner and owner_version name the node, so a reader holding a stale
 * pointer (a slot freed and reused) notices.  ntids <= cap; a tuple keeps
 * its cap for life and is freed only with its node.
 */
typedef struct HnswTidListData
{
	uint8		type;			/* HNSW_TUPLE_TIDLIST */
	uint8		unused;
	uint16		ntids;			/* TIDs in use */
	uint16		cap;			/* TID slots in this tuple */
	uint16		owner_version;
	ItemPointerData owner;		/* the node */
	ItemPointerData next;		/* next list tuple, or invalid */
	ItemPointerData tids[FLEXIBLE_ARRAY_MEMBER];
} HnswTidListData;

typedef HnswTidListData *HnswTidList;

#define HNSW_TIDLIST_HEADER_SIZE offsetof(HnswTidListData, tids)
#define HnswTidListSize(cap) \
	(HNSW_TIDLIST_HEADER_SIZE + sizeof(ItemPointerData) * (Size) (cap))

/*
 * The tenant directory (src/README, "HNSW: tenants"): bucket pages
 * tenant_dir .. tenant_dir + tenant_buckets - 1 (flags HNSW_PAGE_TENANTS),
 * a tenant value in bucket hash(value) mod tenant_buckets, each bucket a
 * chain of pages.  Every directory page holds at offset 1 a DIRNEXT tuple
 * naming the chain's next page, then TENANT tuples: a value, one node of
 * that value, where a walk for the tenant starts, and (from format 11) how
 * many nodes the value has: a hint kept by build, inserts and VACUUM, which
 * decides whether a walk measures the whole tenant.
 */
typedef struct HnswTenantEntryData
{
	uint8		type;			/* HNSW_TUPLE_TENANT */
	uint8		unused;
	uint16		version;		/* the node's version */
	ItemPointerData node;
	uint16		unused2;
	uint32		nodes;			/* the tenant's nodes, a hint (format 11;
								 * before: padding, not read) */
	uint64		value;			/* the tenant slot (hnswfilter.c) */
} HnswTenantEntryData;

typedef HnswTenantEntryData *HnswTenantEntry;

typedef struct HnswDirNextData
{
	uint8		type;			/* HNSW_TUPLE_DIRNEXT */
	uint8		unused;
	uint16		unused2;
	BlockNumber next;			/* next page of the bucket, or Invalid */
} HnswDirNextData;

typedef HnswDirNextData *HnswDirNext;

/* largest tuple that fits an empty page, line pointer included */
#define HNSW_MAX_TUPLE_SIZE \
	MAXALIGN_DOWN(BLCKSZ - SizeOfPageHeaderData - \
				  MAXALIGN(sizeof(HnswPageOpaqueData)) - sizeof(ItemIdData))

/* vector bytes per chunk: a multiple of 8, so no element straddles two */
#define HNSW_CHUNK_MAX_BYTES \
	((int) TYPEALIGN_DOWN(8, HNSW_MAX_TUPLE_SIZE - HNSW_CHUNK_HEADER_SIZE))

/* largest stored vector (HnswNodeData.vecbytes) */
#define HNSW_MAX_VECBYTES		PG_UINT16_MAX

#define HNSW_TIDLIST_MAX_TIDS \
	((int) ((HNSW_MAX_TUPLE_SIZE - HNSW_TIDLIST_HEADER_SIZE) / sizeof(ItemPointerData)))

/* absolute level cap; a per-index cap may be lower so every node fits */
#define HNSW_MAX_LEVEL			16

#endif							/* VECDB_HNSW_PAGE_H */
