/*-------------------------------------------------------------------------
 *
 * hnswscanstats.c
 *	  Cumulative counters of hnsw index scans, per index: scans, nodes
 *	  measured, index pages read, rows returned, iterative rounds, rows
 *	  re-ranked.  vecdb_stat_indexes() reads them, vecdb_stat_reset()
 *	  clears them.
 *
 * With vecdb in shared_preload_libraries the counters are server-wide: a
 * shared-memory hash keyed by (database, index) of vecdb.stat_max_indexes
 * entries under one LWLock, each entry with a spinlock of its own.  A
 * scan whose index finds no free entry adds to the overflow counters
 * (reported with indexrelid 0).  Without it each backend counts its own
 * scans in a local hash, and vecdb_stat_indexes() reports them with scope
 * 'session'.
 *
 * A scan adds its counters once, when it ends (hnswendscan): one shared
 * lock and one spinlock per scan, none per node.  src/README, "HNSW: scan
 * statistics", has the design.
 *
 * Copyright (c) 2026, vecdb developers
 *
 * src/hnsw/hnswscanstats.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "funcapi.h"
#include "miscadmin.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "storage/spin.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"
#include "utils/tuplestore.h"

#include "compat.h"
#include "hnsw.h"

#define SCAN_STATS_TRANCHE		"vecdb scan stats"
#define SCAN_STATS_DEFAULT_MAX	500

bool		vecdb_track_scans = true;
static int	stat_max_indexes = SCAN_STATS_DEFAULT_MAX;

typedef struct ScanStatsKey
{
	Oid			dbid;
	Oid			indexrelid;
} ScanStatsKey;

typedef struct ScanStatsEntry
{
	ScanStatsKey key;
	slock_t		mutex;			/* guards counters (shared hash only) */
	HnswScanCounters counters;
} ScanStatsEntry;

/* the shared-memory header; the hash is ShmemInitHash's */
typedef struct ScanStatsShared
{
	LWLock	   *lock;			/* exclusive to add or remove entries */
	slock_t		mutex;			/* guards overflow */
	HnswScanCounters overflow;	/* scans of indexes that found no entry */
} ScanStatsShared;

static ScanStatsShared *shared = NULL;
static HTAB *shared_hash = NULL;
static HTAB *local_hash = NULL; /* without shared_preload_libraries */

#if PG_VERSION_NUM >= 150000
static shmem_request_hook_type prev_shmem_request_hook = NULL;
#endif
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

static Size
scan_stats_shmem_size(void)
{
	return add_size(MAXALIGN(sizeof(ScanStatsShared)),
					hash_estimate_size(stat_max_indexes, sizeof(ScanStatsEntry)));
}

/* Asks for the shared memory and the lock: postmaster, at preload. */
static void
scan_stats_request(void)
{
#if PG_VERSION_NUM >= 150000
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
#endif
	RequestAddinShmemSpace(scan_stats_shmem_size());
	RequestNamedLWLockTranche(SCAN_STATS_TRANCHE, 1);
}

/* Creates or attaches to the shared header and hash. */
static void
scan_stats_startup(void)
{
	HASHCTL		ctl;
	bool		found;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();
	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	shared = ShmemInitStruct("vecdb scan stats", sizeof(ScanStatsShared), &found);
	if (!found)
	{
		shared->lock = &(GetNamedLWLockTranche(SCAN_STATS_TRANCHE))->lock;
		SpinLockInit(&shared->mutex);
		memset(&shared->overflow, 0, sizeof(HnswScanCounters));
	}
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(ScanStatsKey);
	ctl.entrysize = sizeof(ScanStatsEntry);
	shared_hash = ShmemInitHash("vecdb scan stats hash", stat_max_indexes,
								stat_max_indexes, &ctl, HASH_ELEM | HASH_BLOBS);
	LWLockRelease(AddinShmemInitLock);
}

/*
 * Defines vecdb.track_scans, and at preload vecdb.stat_max_indexes and the
 * shared-memory hooks.  Called from _PG_init.
 */
void
HnswScanStatsInit(void)
{
	DefineCustomBoolVariable("vecdb.track_scans",
							 "Collects cumulative statistics of hnsw index scans.",
							 "The counters are read with vecdb_stat_indexes().",
							 &vecdb_track_scans,
							 true,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);
	if (!process_shared_preload_libraries_in_progress)
		return;
	DefineCustomIntVariable("vecdb.stat_max_indexes",
							"Sets the number of hnsw indexes whose scans are counted server-wide.",
							"Scans of further indexes add to one overflow entry (indexrelid 0).",
							&stat_max_indexes,
							SCAN_STATS_DEFAULT_MAX,
							1,
							1000000,
							PGC_POSTMASTER,
							0,
							NULL, NULL, NULL);
#if PG_VERSION_NUM >= 150000
	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = scan_stats_request;
#else
	scan_stats_request();
#endif
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = scan_stats_startup;
}

/* This backend's hash of counters by index, created on first use. */
static HTAB *
get_local_hash(void)
{
	HASHCTL		ctl;

	if (local_hash != NULL)
		return local_hash;
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(ScanStatsKey);
	ctl.entrysize = sizeof(ScanStatsEntry);
	ctl.hcxt = TopMemoryContext;
	local_hash = hash_create("vecdb scan stats (session)", 16, &ctl,
							 HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	return local_hash;
}

/*
 * The shared entry of key, entered if there is room; NULL when the hash is
 * full.  Called and returns with shared->lock held, shared or exclusive:
 * it may release and retake it exclusive to enter the key.
 */
static ScanStatsEntry *
shared_entry(const ScanStatsKey *key, bool *exclusive)
{
	ScanStatsEntry *e = hash_search(shared_hash, key, HASH_FIND, NULL);
	bool		found;

	if (e != NULL || *exclusive)
		return e;
	LWLockRelease(shared->lock);
	LWLockAcquire(shared->lock, LW_EXCLUSIVE);
	*exclusive = true;
	e = hash_search(shared_hash, key, HASH_FIND, NULL);
	if (e != NULL || hash_get_num_entries(shared_hash) >= stat_max_indexes)
		return e;
	e = hash_search(shared_hash, key, HASH_ENTER_NULL, &found);
	if (e != NULL && !found)
	{
		SpinLockInit(&e->mutex);
		memset(&e->counters, 0, sizeof(HnswScanCounters));
	}
	return e;
}

/*
 * Adds the counters of a finished scan of index indexrelid (in this
 * database), unless vecdb.track_scans is off.  Shared: takes the LWLock
 * (shared, exclusive only to enter a new index) and the entry's spinlock,
 * and releases both; nothing is allocated.  Session: the local hash, in
 * TopMemoryContext.
 */
void
HnswScanStatsAdd(Oid indexrelid, const HnswScanCounters *c)
{
	ScanStatsKey key;
	ScanStatsEntry *e;
	bool		found;
	bool		exclusive = false;

	if (!vecdb_track_scans || c->scans == 0)
		return;
	memset(&key, 0, sizeof(key));
	key.dbid = MyDatabaseId;
	key.indexrelid = indexrelid;
	if (shared == NULL)
	{
		e = hash_search(get_local_hash(), &key, HASH_ENTER, &found);
		if (!found)
			memset(&e->counters, 0, sizeof(HnswScanCounters));
		HnswAddCounters(&e->counters, c);
		return;
	}
	LWLockAcquire(shared->lock, LW_SHARED);
	e = shared_entry(&key, &exclusive);
	SpinLockAcquire(e ? &e->mutex : &shared->mutex);
	HnswAddCounters(e ? &e->counters : &shared->overflow, c);
	SpinLockRelease(e ? &e->mutex : &shared->mutex);
	LWLockRelease(shared->lock);
}

/* Appends one vecdb_stat_indexes() row. */
static void
put_row(ReturnSetInfo *rsinfo, Oid indexrelid, const HnswScanCounters *c)
{
	Datum		values[8];
	bool		nulls[8] = {0};

	values[0] = ObjectIdGetDatum(indexrelid);
	values[1] = Int64GetDatum(c->scans);
	values[2] = Int64GetDatum(c->nodes);
	values[3] = Int64GetDatum(c->pages);
	values[4] = Int64GetDatum(c->rows);
	values[5] = Int64GetDatum(c->rounds);
	values[6] = Int64GetDatum(c->reranked);
	values[7] = CStringGetTextDatum(shared ? "server" : "session");
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
}

/*
 * vecdb_stat_indexes(): one row per hnsw index of this database scanned
 * since the last reset (server-wide, or by this session when vecdb is not
 * preloaded), and the overflow row (indexrelid 0) if it counted any scan.
 */
PG_FUNCTION_INFO_V1(vecdb_stat_indexes);
Datum
vecdb_stat_indexes(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	HTAB	   *h = shared ? shared_hash : get_local_hash();
	HASH_SEQ_STATUS seq;
	ScanStatsEntry *e;
	HnswScanCounters c;

	VecdbMaterializeSRF(fcinfo);
	if (shared)
		LWLockAcquire(shared->lock, LW_SHARED);
	hash_seq_init(&seq, h);
	while ((e = hash_seq_search(&seq)) != NULL)
	{
		if (e->key.dbid != MyDatabaseId)
			continue;
		if (shared)
			SpinLockAcquire(&e->mutex);
		c = e->counters;
		if (shared)
			SpinLockRelease(&e->mutex);
		put_row(rsinfo, e->key.indexrelid, &c);
	}
	if (shared)
	{
		SpinLockAcquire(&shared->mutex);
		c = shared->overflow;
		SpinLockRelease(&shared->mutex);
		LWLockRelease(shared->lock);
		if (c.scans > 0)
			put_row(rsinfo, InvalidOid, &c);
	}
	return (Datum) 0;
}

/*
 * vecdb_stat_reset(): clears every counter: server-wide (all databases and
 * the overflow) when vecdb is preloaded, else this session's.  Not granted
 * to PUBLIC by the install script.
 */
PG_FUNCTION_INFO_V1(vecdb_stat_reset);
Datum
vecdb_stat_reset(PG_FUNCTION_ARGS)
{
	HTAB	   *h = shared ? shared_hash : get_local_hash();
	HASH_SEQ_STATUS seq;
	ScanStatsEntry *e;

	if (shared)
		LWLockAcquire(shared->lock, LW_EXCLUSIVE);
	hash_seq_init(&seq, h);
	while ((e = hash_seq_search(&seq)) != NULL)
		hash_search(h, &e->key, HASH_REMOVE, NULL);
	if (shared)
	{
		SpinLockAcquire(&shared->mutex);
		memset(&shared->overflow, 0, sizeof(HnswScanCounters));
		SpinLockRelease(&shared->mutex);
		LWLockRelease(shared->lock);
	}
	PG_RETURN_VOID();
}
