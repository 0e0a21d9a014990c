/*-------------------------------------------------------------------------
 *
 * hnswcentre.c
 *	  The centre codes of a quantized hnsw index are measured from: the
 *	  mean of the rows the index is built from.
 *
 * Codes whose element type asks for a centre (VecdbElemType.centred: the
 * binary codes under L2 and L1) code each value's residual from it, so
 * the codes spend their bits on what tells rows apart rather than on what
 * they share.  The build computes it in a pass over the table before the
 * graph's, rounded to binary16 so that it reads back exactly as it was
 * used; the metapage keeps it after its fixed fields (hnsw_page.h), and
 * inserts and scans read it with the metapage.  It is never updated: rows
 * inserted later are coded from the same centre (any fixed centre keeps
 * the estimator unbiased; a good one keeps its error small).  Where it
 * cannot help it is left out and the codes are measured from the origin:
 * an empty table, more dimensions than the metapage holds (about 4,000),
 * or a mean outside binary16's range.
 *
 * Copyright (c) 2026, vecdb developers
 *
 * src/hnsw/hnswcentre.c
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

typedef struct CentreState
{
	HnswIndexInfo *info;
	double	   *sum;
	float	   *x;
	int64		n;
	MemoryContext tmp;
} CentreState;

/* whether a centre of dims binary16 values fits on a metapage of version */
static bool
centre_fits(uint32 version, int dims)
{
	return HnswCentreOffset(version) + sizeof(uint16) * (Size) dims <=
		BLCKSZ - MAXALIGN(sizeof(HnswPageOpaqueData));
}

static void
centre_callback(Relation index, ItemPointer tid, Datum *values, bool *isnull,
				bool tupleIsAlive, void *state)
{
	CentreState *cs = state;
	MemoryContext old;
	char	   *v;

	if (isnull[0])
		return;
	old = MemoryContextSwitchTo(cs->tmp);
	v = HnswFormSource(cs->info, values[0], false, NULL);
	if (v != NULL)
	{
		cs->info->source->to_float(v, cs->info->dims, cs->x);
		for (int i = 0; i < cs->info->dims; i++)
			cs->sum[i] += cs->x[i];
		cs->n++;
	}
	MemoryContextSwitchTo(old);
	MemoryContextReset(cs->tmp);
}

/*
 * Sets info->centre, palloc'd in the current memory context, to the mean
 * of the table's values the index will hold, rounded to binary16, if its
 * codes are measured from one; leaves it NULL otherwise.  Reads the whole
 * table (a build scan).
 */
void
HnswCentreCompute(Relation heap, Relation index, IndexInfo *indexInfo, HnswIndexInfo *info)
{
	CentreState cs;
	float	   *centre;

	info->centre = NULL;
	if (info->type->centred == NULL || !info->type->centred(info->metric) ||
		!centre_fits(HNSW_FORMAT_VERSION, info->dims))
		return;
	cs.info = info;
	cs.sum = palloc0(mul_size(sizeof(double), info->dims));
	cs.x = palloc(mul_size(sizeof(float), info->dims));
	cs.n = 0;
	cs.tmp = AllocSetContextCreate(CurrentMemoryContext, "hnsw centre",
								   ALLOCSET_DEFAULT_SIZES);
	table_index_build_scan(heap, index, indexInfo, true, false, centre_callback, &cs, NULL);
	MemoryContextDelete(cs.tmp);
	if (cs.n == 0)
		return;
	centre = cs.x;
	for (int i = 0; i < info->dims; i++)
	{
		uint16		h = VecdbFloatToHalf((float) (cs.sum[i] / cs.n));

		centre[i] = VecdbHalfToFloat(h);
		if (!isfinite(centre[i]))
			return;
	}
	info->centre = centre;
	pfree(cs.sum);
}

/* Writes info's centre, if any, after the metapage's fields on page. */
void
HnswCentreWrite(Page page, const HnswIndexInfo *info)
{
	uint16	   *h = (uint16 *) ((char *) page + HnswCentreOffset(HNSW_FORMAT_VERSION));

	if (info->centre == NULL)
		return;
	Assert(centre_fits(HNSW_FORMAT_VERSION, info->dims));
	for (int i = 0; i < info->dims; i++)
		h[i] = VecdbFloatToHalf(info->centre[i]);
	HnswPageGetMeta(page)->centred = 1;
	((PageHeader) page)->pd_lower = HnswCentreOffset(HNSW_FORMAT_VERSION) +
		sizeof(uint16) * info->dims;
}

/*
 * The centre of the index's codes, palloc'd in the current memory context,
 * or NULL if they are measured from the origin.  Share-locks the metapage
 * and releases it.  Raises XX002 if the metapage says it holds a centre
 * that cannot fit.
 */
float *
HnswCentreRead(Relation index, int dims)
{
	Buffer		buf = ReadBuffer(index, HNSW_METAPAGE_BLKNO);
	Page		page;
	float	   *centre = NULL;

	LockBuffer(buf, BUFFER_LOCK_SHARE);
	page = BufferGetPage(buf);
	if (HnswPageGetMeta(page)->centred)
	{
		uint32		version = HnswPageGetMeta(page)->version;
		const uint16 *h = (const uint16 *) ((char *) page + HnswCentreOffset(version));

		if (!centre_fits(version, dims) ||
			((PageHeader) page)->pd_lower < HnswCentreOffset(version) + sizeof(uint16) * dims)
			ereport(ERROR,
					(errcode(ERRCODE_INDEX_CORRUPTED),
					 errmsg("index \"%s\" has an inconsistent metapage",
							RelationGetRelationName(index))));
		centre = palloc(mul_size(sizeof(float), dims));
		for (int i = 0; i < dims; i++)
			centre[i] = VecdbHalfToFloat(h[i]);
	}
	UnlockReleaseBuffer(buf);
	return centre;
}
