/*-------------------------------------------------------------------------
 *
 * unit_rng.h
 *	  The deterministic random numbers the kernel unit tests draw from.
 *
 * An xorshift64 generator with a fixed seed, so every run of a test sees
 * the same inputs and a failure can be reproduced.  Header-only: each test
 * program has its own state.
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
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* uniform in [-1, 1) */
static inline double
rng_unit(void)
{
	return (double) (rng_next() >> 11) / 4503599627370496.0 - 1.0;
}

/* approximately normal(0, 1): sum of 4 uniforms, scaled */
static inline double
rng_gauss(void)
{
	return (rng_unit() + rng_unit() + rng_unit() + rng_unit()) * 0.866;
}

#endif							/* VECDB_UNIT_RNG_H */
