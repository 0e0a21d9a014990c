/*-------------------------------------------------------------------------
 *
 * vecdb.c
 *	  Module entry: PG_MODULE_MAGIC, _PG_init (settings, kernel dispatch,
 *	  the planner hook of fdw/fdwpush.c, the executor hook of
 *	  hnsw/hnswradius.c, the scan statistics' shared memory of
 *	  hnsw/hnswscanstats.c)
 *	  and the vecdb_* introspection functions.
 *
 * Copyright (c) 2026, vecdb developers
 *
 * src/vecdb.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/tuplestore.h"
#include "utils/builtins.h"
#include "utils/guc.h"

#include "compat.h"
#include "kernel/bit.h"
#include "kernel/distance.h"
#include "kernel/halfvec.h"
#include "hnsw/hnsw.h"
#include "fdw/fdwpush.h"

PG_MODULE_MAGIC;

#define VECDB_VERSION_STR "0.3.0"

static bool vecdb_force_scalar = false;

static void
assign_force_scalar(bool newval, void *extra)
{
	VecdbKernelsForceScalar(newval);
}

void		_PG_init(void);

void
_PG_init(void)
{
	VecdbKernelsInit();
	HnswInitGucs();
	HnswScanStatsInit();
	HnswRadiusInit();
	VecdbFdwPushInit();

	DefineCustomBoolVariable("vecdb.force_scalar",
							 "Uses the portable scalar distance kernels instead of SIMD ones.",
							 "For testing and diagnosis: results agree with the SIMD kernels "
							 "to about 1e-6 relative, at a fraction of the speed.",
							 &vecdb_force_scalar,
							 false,
							 PGC_USERSET,
							 0,
							 NULL,
							 assign_force_scalar,
							 NULL);
#if PG_VERSION_NUM >= 150000
	MarkGUCPrefixReserved("vecdb");
#else
	EmitWarningsOnPlaceholders("vecdb");
#endif
}

PG_FUNCTION_INFO_V1(vecdb_version);
Datum
vecdb_version(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(VECDB_VERSION_STR));
}

/*
 * Sets up a materialized result set (compat.h).  Done by hand rather than
 * with InitMaterializedSRF, which PostgreSQL 13, 14 and 15.0 lack: one code
 * path for every supported version.
 */
void
VecdbMaterializeSRF(FunctionCallInfo fcinfo)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	TupleDesc	tupdesc;
	MemoryContext old;

	if (rsinfo == NULL || !IsA(rsinfo, ReturnSetInfo) ||
		!(rsinfo->allowedModes & SFRM_Materialize))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("set-valued function called in context that cannot accept a set")));
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	old = MemoryContextSwitchTo(rsinfo->econtext->ecxt_per_query_memory);
	rsinfo->returnMode = SFRM_Materialize;
	rsinfo->setDesc = CreateTupleDescCopy(tupdesc);
	rsinfo->setResult = tuplestore_begin_heap(true, false, work_mem);
	MemoryContextSwitchTo(old);
}

/* Appends one vecdb_kernels() row. */
static void
put_kernel_row(ReturnSetInfo *rsinfo, const char *family, const char *name,
			   bool in_use, bool best)
{
	Datum		values[4];
	bool		nulls[4] = {false, false, false, false};

	values[0] = CStringGetTextDatum(name);
	values[1] = BoolGetDatum(in_use);
	values[2] = BoolGetDatum(best);
	values[3] = CStringGetTextDatum(family);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
}

/*
 * vecdb_kernels(): one row per kernel family this CPU supports, with
 * whether it is the one in use by this backend and whether it is the best;
 * the float kernels (distance.h) first, then the half kernels (halfvec.h),
 * then the bit kernels (bit.h).
 */
PG_FUNCTION_INFO_V1(vecdb_kernels_info);
Datum
vecdb_kernels_info(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	const VecdbKernelSet *sets[8];
	const VecdbKernelSet *best = VecdbKernelsBest();
	const VecdbHalfKernelSet *hsets[8];
	const VecdbHalfKernelSet *hbest = VecdbHalfKernelsBest();
	const VecdbBitKernelSet *bitsets[8];
	const VecdbBitKernelSet *bitbest = VecdbBitKernelsBest();
	int			n;

	VecdbMaterializeSRF(fcinfo);
	n = VecdbKernelsAvailable(sets, lengthof(sets));
	for (int i = 0; i < n; i++)
		put_kernel_row(rsinfo, "float", sets[i]->name,
					   sets[i] == vecdb_kernels, sets[i] == best);
	n = VecdbHalfKernelsAvailable(hsets, lengthof(hsets));
	for (int i = 0; i < n; i++)
		put_kernel_row(rsinfo, "half", hsets[i]->name,
					   hsets[i] == vecdb_half_kernels, hsets[i] == hbest);
	n = VecdbBitKernelsAvailable(bitsets, lengthof(bitsets));
	for (int i = 0; i < n; i++)
		put_kernel_row(rsinfo, "bit", bitsets[i]->name,
					   bitsets[i] == vecdb_bit_kernels, bitsets[i] == bitbest);
	return (Datum) 0;
}
