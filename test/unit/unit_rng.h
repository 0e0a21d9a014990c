/*-------------------------------------------------------------------------
 *
 * unit_rng.h
 *	  Deterministic random numbers for the server-free unit tests.
 *
 * xorshift64* with a fixed seed, so that a failure repeats run after run.
 * Header-only (static functions): each test program has its own stream.
 *
 * Copyright (c) 2026, vecdb developers
 *
 * test/unit/unit_rng.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef VECDB_UNIT_RNG_H
#define VECDB_UNIT_RNG_H

#include <stdint.h>

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;

static inline uint64_t
rng_next(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

/* uniform in [0, n), n > 0 */
static inline int
rng_below(int n)
{
	return (int) (rng_next() % (uint64_t) n);
}

/* uniform in [0, 1), 53 random bits */
static inline double
rng_unit(void)
{
	return (double) (rng_next() >> 11) / 9007199254740992.0;
}

#endif							/* VECDB_UNIT_RNG_H */
