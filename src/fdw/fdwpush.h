/*-------------------------------------------------------------------------
 *
 * fdwpush.h
 *	  What a coordinator adds to the queries it sends postgres_fdw shards:
 *	  LIMIT, hnsw settings, asynchronous fan-out (fdwpush.c).
 *
 * Copyright (c) 2026, vecdb developers
 *
 * src/fdw/fdwpush.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef VECDB_FDWPUSH_H
#define VECDB_FDWPUSH_H

/* defines vecdb.fdw_limit_pushdown and vecdb.fdw_send_settings, and
 * installs the planner hook */
extern void VecdbFdwPushInit(void);

#endif							/* VECDB_FDWPUSH_H */
