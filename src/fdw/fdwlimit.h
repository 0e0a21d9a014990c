/*-------------------------------------------------------------------------
 *
 * fdwlimit.h
 *	  LIMIT pushdown into postgres_fdw scans below a Limit node and
 *	  asynchronous fan-out of their Merge Append (fdwlimit.c).
 *
 * Copyright (c) 2026, vecdb developers
 *
 * src/fdw/fdwlimit.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef VECDB_FDWLIMIT_H
#define VECDB_FDWLIMIT_H

/* defines vecdb.fdw_limit_pushdown and installs the planner hook */
extern void VecdbFdwLimitInit(void);

#endif							/* VECDB_FDWLIMIT_H */
