/*-------------------------------------------------------------------------
 *
 * bit_ops.c
 *	  Distances on PostgreSQL's bit type: hamming_distance (<~>) and
 *	  jaccard_distance (<%>).
 *
 * Both take two bit strings of equal length (22000 otherwise, with
 * pgvector's text) and count bits through the dispatched kernels of
 * kernel/bit.h over whole bytes: the padding bits of the last byte are zero
 * in every valid bit value, so they count for nothing.  Empty strings are
 * allowed: Hamming 0, Jaccard 1.
 *
 * Copyright (c) 2026, vecdb developers
 *
 * src/type/bit_ops.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#if PG_VERSION_NUM >= 160000
#include "varatt.h"			/* utils/varbit.h needs it from 18 on */
#endif
#include "utils/varbit.h"

#include "kernel/bit.h"

/* A distance over two equally long byte strings, by a kernel family. */
typedef double (*BitMetric) (const VecdbBitKernelSet *k, const uint8_t *a,
							 const uint8_t *b, size_t nbytes);

static double
hamming_metric(const VecdbBitKernelSet *k, const uint8_t *a, const uint8_t *b,
			   size_t nbytes)
{
	return (double) k->hamming(a, b, nbytes);
}

static double
jaccard_metric(const VecdbBitKernelSet *k, const uint8_t *a, const uint8_t *b,
			   size_t nbytes)
{
	uint64_t	and_count,
				or_count;

	k->jaccard_parts(a, b, nbytes, &and_count, &or_count);
	return VecdbJaccardFromParts(and_count, or_count);
}

/*
 * The body of every bit distance: detoasts both arguments (copies freed with
 * the caller's per-call memory), checks that their lengths agree, and returns
 * the metric by the kernels in use.  Strictness handles NULLs.
 */
static Datum
bit_distance(FunctionCallInfo fcinfo, BitMetric metric)
{
	VarBit	   *a = PG_GETARG_VARBIT_P(0);
	VarBit	   *b = PG_GETARG_VARBIT_P(1);

	if (VARBITLEN(a) != VARBITLEN(b))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("different bit lengths %u and %u",
						(unsigned int) VARBITLEN(a),
						(unsigned int) VARBITLEN(b))));

	PG_RETURN_FLOAT8(metric(vecdb_bit_kernels, VARBITS(a), VARBITS(b),
							VARBITBYTES(a)));
}

/* One SQL-callable function per metric, each only naming its metric. */
#define BIT_DISTANCE_FUNCTION(sqlname, metric) \
	PG_FUNCTION_INFO_V1(sqlname); \
	Datum \
	sqlname(PG_FUNCTION_ARGS) \
	{ \
		return bit_distance(fcinfo, metric); \
	}

/* number of positions where the strings differ */
BIT_DISTANCE_FUNCTION(hamming_distance, hamming_metric)

/* 1 - |a and b| / |a or b|; 1 when no bit is set in both */
BIT_DISTANCE_FUNCTION(jaccard_distance, jaccard_metric)
