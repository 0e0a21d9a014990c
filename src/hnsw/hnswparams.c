/*-------------------------------------------------------------------------
 *
 * hnswparams.c
 *	  The parameters a quantized hnsw index measures its codes with: the
 *	  centre of binary codes, the codebooks of product-quantization codes.
 *
 * Codes whose element type asks for parameters (VecdbElemType.params_size)
 * get them from the build, in a pass over the table before the graph's:
 * the mean of the rows the index is built from and, when the type trains
 * on rows (train_rows), a reservoir sample of them with a fixed seed; the
 * type's train turns these into the parameters (the mean itself for binary
 * codes, k-means codebooks for pq).  They are rounded to binary16 so that
 * they read back exactly as they were used, and kept on the metapage after
 * its fixed fields when they fit there (a centre of up to about 4,000
 * dimensions), else in chunk tuples written before the graph's, whose TIDs
 * follow the metapage's fields (hnsw_page.h).  Inserts and scans read them
 * with the metapage, once per relcache entry.  They are never updated:
 * rows inserted later are coded with the same parameters.  Where they
 * cannot be had they are left out (the codes say how to do without): an
 * empty table, a value outside binary16's range, or chunk TIDs that do not
 * fit on the metapage.
 *
 * Copyright (c) 2026, vecdb developers
 *
 * src/hnsw/hnswparams.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/tableam.h"
#include "miscadmin.h"
#include "storage/shmem.h"
#include "utils/memutils.h"

#include "hnsw.h"
#include "kernel/halfvec.h"

/* most bytes of training sample, whatever the dimensions */
#define HNSW_TRAIN_BYTES	((Size) 64 * 1024 * 1024)

typedef struct ParamsState
{
	HnswIndexInfo *info;
	double	   *sum;
	float	   *x;
	int64		n;
	float	   *sample;			/* cap rows of dims floats, or NULL */
	int			cap;
	uint64		rng;			/* splitmix64 state, fixed seed */
	MemoryContext tmp;
} ParamsState;

/* room for the parameters after the metapage's fields */
static bool
meta_fits(uint32 version, Size bytes)
{
	return HnswParamsOffset(version) + bytes <= BLCKSZ - MAXALIGN(sizeof(HnswPageOpaqueData));
}

/* bytes of the parameters stored as binary16 */
static Size
params_bytes(const HnswIndexInfo *info)
{
	return mul_size(sizeof(uint16), info->nparams);
}

/*
 * Chunk tuples holding the index's parameters: 0 when it has none or they
 * sit on the metapage itself.
 */
int
HnswParamsChunks(const HnswIndexInfo *info)
{
	if (info->params == NULL || meta_fits(HNSW_FORMAT_VERSION, params_bytes(info)))
		return 0;
	return HnswChunkCount(params_bytes(info));
}

static uint64
next_random(uint64 *state)
{
	uint64		z = (*state += UINT64CONST(0x9E3779B97F4A7C15));

	z = (z ^ (z >> 30)) * UINT64CONST(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64CONST(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

/* keeps row x in the reservoir sample with the right probability */
static void
sample_row(ParamsState *ps, const float *x)
{
	int			dims = ps->info->dims;
	int64		slot = ps->n;

	if (slot >= ps->cap)
		slot = (int64) (next_random(&ps->rng) % (uint64) (ps->n + 1));
	if (slot < ps->cap)
		memcpy(ps->sample + slot * dims, x, sizeof(float) * dims);
}

static void
params_callback(Relation index, ItemPointer tid, Datum *values, bool *isnull,
				bool tupleIsAlive, void *state)
{
	ParamsState *ps = state;
	MemoryContext old;
	char	   *v;

	if (isnull[0])
		return;
	old = MemoryContextSwitchTo(ps->tmp);
	v = HnswFormSource(ps->info, values[0], false, NULL);
	if (v != NULL)
	{
		ps->info->source->to_float(v, ps->info->dims, ps->x);
		for (int i = 0; i < ps->info->dims; i++)
			ps->sum[i] += ps->x[i];
		if (ps->sample)
			sample_row(ps, ps->x);
		ps->n++;
	}
	MemoryContextSwitchTo(old);
	MemoryContextReset(ps->tmp);
}

/* whether params rounded to binary16 are all finite; rounds them */
static bool
round_params(float *params, Size n)
{
	for (Size i = 0; i < n; i++)
	{
		params[i] = VecdbHalfToFloat(VecdbFloatToHalf(params[i]));
		if (!isfinite(params[i]))
			return false;
	}
	return true;
}

/* whether the parameters of info can be stored */
static bool
params_fit(const HnswIndexInfo *info)
{
	return meta_fits(HNSW_FORMAT_VERSION, params_bytes(info)) ||
		meta_fits(HNSW_FORMAT_VERSION,
				  mul_size(sizeof(ItemPointerData), HnswChunkCount(params_bytes(info))));
}

/*
 * Sets info->params, palloc'd in the current memory context, to the
 * parameters trained on the table's values the index will hold, if its
 * codes have any; leaves it NULL otherwise.  Reads the whole table (a
 * build scan).
 */
void
HnswParamsCompute(Relation heap, Relation index, IndexInfo *indexInfo, HnswIndexInfo *info)
{
	const VecdbElemType *t = info->type;
	ParamsState ps;
	float	   *mean;

	info->params = NULL;
	if (info->nparams == 0 || !params_fit(info))
		return;
	memset(&ps, 0, sizeof(ps));
	ps.info = info;
	ps.sum = palloc0(mul_size(sizeof(double), info->dims));
	ps.x = palloc(mul_size(sizeof(float), info->dims));
	ps.cap = (int) Min((Size) t->train_rows,
					   HNSW_TRAIN_BYTES / mul_size(sizeof(float), info->dims));
	if (ps.cap > 0)
		ps.sample = palloc_extended(mul_size(mul_size(sizeof(float), info->dims), ps.cap),
									MCXT_ALLOC_HUGE);
	ps.rng = UINT64CONST(0x5644425051434231);	/* "VDBPQCB1" */
	ps.tmp = AllocSetContextCreate(CurrentMemoryContext, "hnsw params",
								   ALLOCSET_DEFAULT_SIZES);
	table_index_build_scan(heap, index, indexInfo, true, false, params_callback, &ps, NULL);
	MemoryContextDelete(ps.tmp);
	if (ps.n == 0)
		return;
	mean = ps.x;
	for (int i = 0; i < info->dims; i++)
		mean[i] = (float) (ps.sum[i] / ps.n);
	info->params = palloc_extended(mul_size(sizeof(float), info->nparams), MCXT_ALLOC_HUGE);
	t->train(info->metric, info->dims, mean, ps.sample, (int) Min(ps.n, ps.cap),
			 info->params);
	if (!round_params(info->params, info->nparams))
		info->params = NULL;
}

/*
 * Writes info's parameters, if any, after the metapage's fields on page:
 * themselves when they fit there, else chunks, the TIDs of the chunk
 * tuples holding them (HnswParamsChunks of them; NULL: an index without
 * its chunks, written with no parameters).
 */
void
HnswParamsWrite(Page page, const HnswIndexInfo *info, const ItemPointerData *chunks)
{
	char	   *at = (char *) page + HnswParamsOffset(HNSW_FORMAT_VERSION);
	Size		n;

	if (info->params == NULL || (HnswParamsChunks(info) > 0 && chunks == NULL))
		return;
	if (HnswParamsChunks(info) == 0)
	{
		for (Size i = 0; i < info->nparams; i++)
			((uint16 *) at)[i] = VecdbFloatToHalf(info->params[i]);
		n = params_bytes(info);
		HnswPageGetMeta(page)->centred = HNSW_PARAMS_META;
	}
	else
	{
		n = sizeof(ItemPointerData) * HnswParamsChunks(info);
		memcpy(at, chunks, n);
		HnswPageGetMeta(page)->centred = HNSW_PARAMS_CHUNKS;
	}
	((PageHeader) page)->pd_lower = HnswParamsOffset(HNSW_FORMAT_VERSION) + n;
}

/*
 * Forms chunk tuple c of info's parameters in buf (HNSW_MAX_TUPLE_SIZE
 * bytes); returns its size.
 */
Size
HnswParamsChunk(const HnswIndexInfo *info, int c, char *buf)
{
	HnswChunk	chunk = (HnswChunk) buf;
	Size		nb = HnswChunkBytes(params_bytes(info), c);
	uint16	   *h = (uint16 *) chunk->x;
	Size		first = (Size) c * HNSW_CHUNK_MAX_BYTES / sizeof(uint16);

	memset(chunk, 0, HNSW_CHUNK_HEADER_SIZE);
	chunk->type = HNSW_TUPLE_CHUNK;
	chunk->nbytes = (uint16) nb;
	chunk->xmin = FrozenTransactionId;
	for (Size i = 0; i < nb / sizeof(uint16); i++)
		h[i] = VecdbFloatToHalf(info->params[first + i]);
	return HNSW_CHUNK_HEADER_SIZE + nb;
}

static void
corrupt_params(Relation index)
{
	ereport(ERROR,
			(errcode(ERRCODE_INDEX_CORRUPTED),
			 errmsg("index \"%s\" has an inconsistent metapage",
					RelationGetRelationName(index))));
}

/*
 * Reads chunk tuple tid of the parameters into h, expecting nbytes.
 * Share-locks its page and releases it; raises XX002 if it is not such a
 * chunk.
 */
static void
read_chunk(Relation index, ItemPointer tid, char *h, Size nbytes)
{
	Buffer		buf;
	Page		page;
	ItemId		iid;
	HnswChunk	chunk = NULL;

	if (ItemPointerGetBlockNumber(tid) >= RelationGetNumberOfBlocks(index))
		corrupt_params(index);
	buf = ReadBuffer(index, ItemPointerGetBlockNumber(tid));
	LockBuffer(buf, BUFFER_LOCK_SHARE);
	page = BufferGetPage(buf);
	if (ItemPointerGetOffsetNumber(tid) <= PageGetMaxOffsetNumber(page))
	{
		iid = PageGetItemId(page, ItemPointerGetOffsetNumber(tid));
		if (ItemIdIsNormal(iid))
			chunk = (HnswChunk) PageGetItem(page, iid);
	}
	if (chunk == NULL || chunk->type != HNSW_TUPLE_CHUNK || chunk->nbytes != nbytes)
	{
		UnlockReleaseBuffer(buf);
		corrupt_params(index);
	}
	memcpy(h, chunk->x, nbytes);
	UnlockReleaseBuffer(buf);
}

/*
 * The parameters of the index's codes, info->nparams floats palloc'd in
 * the current memory context, or NULL if it has none.  Share-locks the
 * metapage and the chunks' pages one at a time and releases them.  Raises
 * XX002 if the metapage says it holds parameters that cannot be there.
 */
float *
HnswParamsRead(Relation index, const HnswIndexInfo *info)
{
	Buffer		buf = ReadBuffer(index, HNSW_METAPAGE_BLKNO);
	Page		page;
	uint8		where;
	Size		bytes = params_bytes(info);
	int			nchunks = HnswChunkCount(bytes);
	char	   *h = NULL;
	ItemPointerData *tids = NULL;
	float	   *params = NULL;

	LockBuffer(buf, BUFFER_LOCK_SHARE);
	page = BufferGetPage(buf);
	where = HnswPageGetMeta(page)->centred;
	if (where != 0)
	{
		uint32		version = HnswPageGetMeta(page)->version;
		Size		at = HnswParamsOffset(version);
		Size		need = where == HNSW_PARAMS_META ? bytes :
			sizeof(ItemPointerData) * (Size) nchunks;

		if (info->nparams == 0 || where > HNSW_PARAMS_CHUNKS ||
			!meta_fits(version, need) ||
			((PageHeader) page)->pd_lower < at + need)
		{
			UnlockReleaseBuffer(buf);
			corrupt_params(index);
		}
		h = palloc_extended(bytes, MCXT_ALLOC_HUGE);
		if (where == HNSW_PARAMS_META)
			memcpy(h, (char *) page + at, bytes);
		else
			tids = memcpy(palloc(need), (char *) page + at, need);
	}
	UnlockReleaseBuffer(buf);
	if (h == NULL)
		return NULL;
	for (int c = 0; tids != NULL && c < nchunks; c++)
		read_chunk(index, &tids[c], h + (Size) c * HNSW_CHUNK_MAX_BYTES,
				   HnswChunkBytes(bytes, c));
	params = palloc_extended(mul_size(sizeof(float), info->nparams), MCXT_ALLOC_HUGE);
	for (Size i = 0; i < info->nparams; i++)
		params[i] = VecdbHalfToFloat(((uint16 *) h)[i]);
	pfree(h);
	return params;
}

/*
 * The parameters this backend has read, one entry per index: each lives in
 * a memory context of its own under the index's rd_indexcxt, so that a
 * relcache flush (which frees only rd_amcache) does not make them read or
 * copied again, and they go when the relcache entry goes (the context's
 * callback unlinks the entry).  An entry for another relfilenode of the
 * same index (REINDEX, TRUNCATE) is dropped and read afresh.
 */
typedef struct ParamsEntry
{
	struct ParamsEntry *next;
	Oid			relid;
	Oid			relfilenode;
	MemoryContext cxt;
	float	   *params;
	MemoryContextCallback cb;
} ParamsEntry;

static ParamsEntry *params_entries = NULL;

static void
params_forget(void *arg)
{
	for (ParamsEntry **p = &params_entries; *p != NULL; p = &(*p)->next)
		if (*p == arg)
		{
			*p = (*p)->next;
			return;
		}
}

/*
 * The parameters of the index's codes (HnswParamsRead), or NULL if it has
 * none, kept for as long as the index's relcache entry lives: valid while
 * the caller keeps the index open.
 */
float *
HnswParamsCached(Relation index, const HnswIndexInfo *info)
{
	ParamsEntry *e;
	MemoryContext cxt;
	MemoryContext old;
	float	   *read;
	float	   *params;

	for (e = params_entries; e != NULL; e = e->next)
		if (e->relid == RelationGetRelid(index))
			break;
	if (e != NULL && e->relfilenode == index->rd_rel->relfilenode &&
		e->cxt->parent == index->rd_indexcxt)
		return e->params;
	if (e != NULL)
		MemoryContextDelete(e->cxt);
	read = HnswParamsRead(index, info);
	cxt = AllocSetContextCreate(index->rd_indexcxt, "hnsw params", ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(cxt);
	params = read ? memcpy(palloc_extended(mul_size(sizeof(float), info->nparams),
										   MCXT_ALLOC_HUGE),
						   read, sizeof(float) * info->nparams) : NULL;
	e = palloc(sizeof(ParamsEntry));
	MemoryContextSwitchTo(old);
	if (read)
		pfree(read);
	e->relid = RelationGetRelid(index);
	e->relfilenode = index->rd_rel->relfilenode;
	e->cxt = cxt;
	e->params = params;
	e->cb.func = params_forget;
	e->cb.arg = e;
	MemoryContextRegisterResetCallback(cxt, &e->cb);
	e->next = params_entries;
	params_entries = e;
	return params;
}
