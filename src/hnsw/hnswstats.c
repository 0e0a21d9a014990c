/*-------------------------------------------------------------------------
 *
 * hnswstats.c
 *	  vecdb_index_graph(): the shape of an HNSW graph, read page by page
 *	  under share locks -- nodes per level, average and minimum degree per
 *	  layer of the live nodes, the bytes their vectors take.  The SQL
 *	  function vecdb_index_stats() adds what vecdb_index_check() counts
 *	  (pages, deleted nodes, heap TIDs, unreachable nodes).
 *
 * A concurrent insert may be seen half way (a node without its back-links
 * yet): the figures describe the pages as read, not one instant.
 *
 * Copyright (c) 2026, vecdb developers
 *
 * src/hnsw/hnswstats.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/relation.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "hnsw.h"

typedef struct GraphStats
{
	int64		nodes[HNSW_MAX_LEVEL + 1];	/* live nodes of each level */
	int64		links[HNSW_MAX_LEVEL + 1];	/* links of live nodes, per layer */
	int			min_links[HNSW_MAX_LEVEL + 1];
	int64		live;
	int64		vector_bytes;
	int64		external;
	int			max_level;
} GraphStats;

static void
count_node(GraphStats *g, HnswIndexInfo *info, HnswNode node)
{
	const HnswNodeLayout *l = &info->layouts[node->level];

	if (node->flags & HNSW_NODE_DELETED)
		return;
	g->live++;
	g->nodes[node->level]++;
	g->max_level = Max(g->max_level, node->level);
	g->vector_bytes += node->vecbytes;
	g->external += HnswNodeIsExternal(node) ? 1 : 0;
	for (int layer = 0; layer <= node->level; layer++)
	{
		int			n = Min(HnswListCount(node, l, layer), HnswLayerCap(info->m, layer));

		g->links[layer] += n;
		g->min_links[layer] = Min(g->min_links[layer], n);
	}
}

static void
scan_pages(Relation index, HnswIndexInfo *info, GraphStats *g)
{
	BlockNumber nblocks = RelationGetNumberOfBlocks(index);
	BufferAccessStrategy bas = GetAccessStrategy(BAS_BULKREAD);

	for (BlockNumber blk = HNSW_METAPAGE_BLKNO + 1; blk < nblocks; blk++)
	{
		Buffer		buf = ReadBufferExtended(index, MAIN_FORKNUM, blk, RBM_NORMAL, bas);
		Page		page;

		CHECK_FOR_INTERRUPTS();
		LockBuffer(buf, BUFFER_LOCK_SHARE);
		page = BufferGetPage(buf);
		if (HnswPageIsValid(page) && (HnswPageGetOpaque(page)->flags & HNSW_PAGE_NODES))
			for (OffsetNumber off = FirstOffsetNumber; off <= PageGetMaxOffsetNumber(page); off++)
			{
				HnswNode	node = HnswGetNode(page, off, info);

				if (node != NULL)
					count_node(g, info, node);
			}
		UnlockReleaseBuffer(buf);
	}
	FreeAccessStrategy(bas);
}

/* an array of n int8, float8 or int4 Datums */
static Datum
make_array(Datum *elems, int n, Oid type)
{
	int16		typlen;
	bool		typbyval;
	char		typalign;

	get_typlenbyvalalign(type, &typlen, &typbyval, &typalign);
	return PointerGetDatum(construct_array(elems, n, type, typlen, typbyval, typalign));
}

PG_FUNCTION_INFO_V1(vecdb_index_graph);
Datum
vecdb_index_graph(PG_FUNCTION_ARGS)
{
	Oid			indexoid = PG_GETARG_OID(0);
	Relation	index = relation_open(indexoid, AccessShareLock);
	HnswIndexInfo *info;
	HnswMetaPageData meta;
	GraphStats	g = {0};
	TupleDesc	tupdesc;
	Datum		values[7];
	bool		nulls[7] = {0};
	Datum		per_level[HNSW_MAX_LEVEL + 1];
	Datum		avg[HNSW_MAX_LEVEL + 1];
	Datum		min[HNSW_MAX_LEVEL + 1];
	int			nlayers;

	if (index->rd_rel->relkind != RELKIND_INDEX || index->rd_indam->ambuild != hnswbuild)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not a vecdb hnsw index", RelationGetRelationName(index))));
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	HnswReadMeta(index, &meta);
	info = HnswGetIndexInfo(index);
	for (int l = 0; l <= HNSW_MAX_LEVEL; l++)
		g.min_links[l] = INT_MAX;
	scan_pages(index, info, &g);

	nlayers = g.live > 0 ? g.max_level + 1 : 0;
	for (int l = 0; l < nlayers; l++)
	{
		int64		on_layer = 0;	/* live nodes of level l or above */

		for (int k = l; k <= g.max_level; k++)
			on_layer += g.nodes[k];
		per_level[l] = Int64GetDatum(g.nodes[l]);
		avg[l] = Float8GetDatum((double) g.links[l] / on_layer);
		min[l] = Int32GetDatum(g.min_links[l]);
	}
	values[0] = Int32GetDatum(meta.version);
	values[1] = Int64GetDatum(g.live);
	values[2] = make_array(per_level, nlayers, INT8OID);
	values[3] = make_array(avg, nlayers, FLOAT8OID);
	values[4] = make_array(min, nlayers, INT4OID);
	values[5] = Float8GetDatum(g.live > 0 ? (double) g.vector_bytes / g.live : 0);
	values[6] = Int64GetDatum(g.external);
	relation_close(index, AccessShareLock);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
