/*-------------------------------------------------------------------------
 *
 * fuzz_check.h
 *	  The assertion the libFuzzer harnesses use for their properties.
 *
 * FUZZ_CHECK(cond) reports the file, line and condition on stderr and
 * aborts, which libFuzzer records as a crash with the input that caused it
 * (kept whether or not the build has assertions enabled).
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
