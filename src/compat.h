/*-------------------------------------------------------------------------
 *
 * compat.h
 *	  Shims over the differences between the PostgreSQL major versions
 *	  vecdb builds against (13 to 18), so the code elsewhere names one API.
 *
 * Each shim is the newest version's API (15's where 15 has it), mapped to
 * what older servers offer; on 15 every one is the call it replaces.
 * Include after postgres.h.  src/README, "Portability", lists the versions
 * built and how.
 *
 * Copyright (c) 2026, vecdb developers
 *
 * src/compat.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef VECDB_COMPAT_H
#define VECDB_COMPAT_H

/*
 * Random numbers for the index (levels, rescue choices): the backend's
 * global PRNG from 15 on.  13 and 14 have no common/pg_prng.h; there the
 * backend's random(), which postmaster seeds per backend as 15 seeds
 * pg_global_prng_state, serves.  Neither is touched by setseed().
 */
#if PG_VERSION_NUM >= 150000
#include "common/pg_prng.h"

/* uniform in [0, 1) */
#define VecdbRandomDouble() pg_prng_double(&pg_global_prng_state)
/* uniform in [lo, hi] */
#define VecdbRandomRange(lo, hi) \
	pg_prng_uint64_range(&pg_global_prng_state, (lo), (hi))
#else
static inline double
VecdbRandomDouble(void)
{
	return (double) random() / ((double) MAX_RANDOM_VALUE + 1.0);
}

static inline uint64
VecdbRandomRange(uint64 lo, uint64 hi)
{
	uint64		r = lo + (uint64) (VecdbRandomDouble() * (double) (hi - lo + 1));

	return Min(r, hi);
}
#endif

/* a relation's physical file, as log_newpage takes it: 16 renamed it */
#if PG_VERSION_NUM >= 160000
#define VecdbRelFile(rel) (&(rel)->rd_locator)
#else
#define VecdbRelFile(rel) (&(rel)->rd_node)
#endif

/* VACUUM's cost-based delay: 18 asks whether it is ANALYZE's */
#if PG_VERSION_NUM >= 180000
#define VecdbVacuumDelayPoint() vacuum_delay_point(false)
#else
#define VecdbVacuumDelayPoint() vacuum_delay_point()
#endif

/*
 * Spool files shared by a parallel build's participants.  15 split the
 * FileSet out of SharedFileSet and renamed the BufFile calls after it;
 * VecdbFileSetOf gives what those calls take from a SharedFileSet, and
 * 13 and 14 get 15's names (14's open takes a mode, 13's none; vecdb
 * opens read-only, never missing_ok).
 */
#if PG_VERSION_NUM >= 150000
#define VecdbFileSetOf(sfs) (&(sfs)->fs)
#else
#define VecdbFileSetOf(sfs) (sfs)
#define BufFileCreateFileSet(fs, name) BufFileCreateShared((fs), (name))
#define BufFileExportFileSet(file) BufFileExportShared(file)
#if PG_VERSION_NUM >= 140000
#define BufFileOpenFileSet(fs, name, mode, missing_ok) \
	BufFileOpenShared((fs), (name), (mode))
#else
#define BufFileOpenFileSet(fs, name, mode, missing_ok) \
	BufFileOpenShared((fs), (name))
#endif
#endif

/*
 * Sets up a materialized set-returning result (a tuplestore in
 * rsinfo->setResult, its descriptor in rsinfo->setDesc), as 15.1's
 * InitMaterializedSRF(fcinfo, 0) does; 13, 14 and 15.0 lack it, so vecdb
 * uses this one everywhere (defined in vecdb.c).
 */
#include "fmgr.h"
extern void VecdbMaterializeSRF(FunctionCallInfo fcinfo);

#endif							/* VECDB_COMPAT_H */
