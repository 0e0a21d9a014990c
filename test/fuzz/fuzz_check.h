/*-------------------------------------------------------------------------
 *
 * fuzz_check.h
 *	  The property check shared by the libFuzzer harnesses.
 *
 * FUZZ_CHECK(cond) aborts with the file, line and condition when cond is
 * false, so libFuzzer saves the input as a crash.
 *
 * Copyright (c) 2026, vecdb developers
 *
 * test/fuzz/fuzz_check.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef VECDB_FUZZ_CHECK_H
#define VECDB_FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define FUZZ_CHECK(cond) \
	do { \
		if (!(cond)) \
		{ \
			fprintf(stderr, "%s: check failed at line %d: %s\n", \
					__FILE__, __LINE__, #cond); \
			abort(); \
		} \
	} while (0)

#endif							/* VECDB_FUZZ_CHECK_H */
