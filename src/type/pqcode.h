/*-------------------------------------------------------------------------
 *
 * pqcode.h
 *	  Product-quantization codes of float vectors: the stored form of an
 *	  index built with quantization = pq.
 *
 * The dimensions are cut into subspaces of VECDB_PQ_SUBDIMS consecutive
 * elements (the last one shorter when the dimensions are not a multiple);
 * each subspace has VECDB_PQ_CENTROIDS centroids, trained by k-means on a
 * sample of the rows when the index is built (the index's parameters,
 * VecdbElemType.params_size).  A code keeps, per subspace, the number of
 * the centroid nearest to the vector's piece (one byte), and how far the
 * vector is from the concatenated centroids (its L2 and L1 norms of the
 * residual), which makes a sound lower bound of the exact distance for
 * re-ranking.  A query is not coded: its form is a table of its distances
 * to every centroid of every subspace, so a distance to a code is one
 * table look-up per subspace (asymmetric distance computation).
 *
 * Copyright (c) 2026, vecdb developers
 *
 * src/type/pqcode.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef VECDB_PQCODE_H
#define VECDB_PQCODE_H

#include "type/elemtype.h"

#define VECDB_PQ_SUBDIMS	8	/* elements a subspace */
#define VECDB_PQ_CENTROIDS	256 /* centroids a subspace: one byte a code */
#define VECDB_PQ_TRAIN_ROWS 8192	/* most rows k-means trains on */
#define VECDB_PQ_ITERATIONS 10	/* k-means rounds */

/*
 * Most dimensions: the TIDs of the codebooks' chunks must fit on the
 * metapage (hnswparams.c).  8,000 dimensions: 1,000 subspaces, 8 KB each
 * as binary16 in both layouts (pqcode.c), 1,006 chunks, 6,036 bytes of
 * TIDs.
 */
#define VECDB_PQ_MAX_DIM	8000

/* VecdbPqCode.form */
#define VECDB_PQ_STORED		1	/* a value's code, as an index stores it */
#define VECDB_PQ_QUERY		2	/* a query's form (VecdbPqQuery), never
								 * stored */

typedef struct VecdbPqCode
{
	uint16		form;			/* VECDB_PQ_STORED */
	uint16		unused;
	float		err2;			/* |x - decoded x|, rounded up */
	float		err1;			/* |x - decoded x|_1, rounded up */
	uint8		c[FLEXIBLE_ARRAY_MEMBER];	/* centroid of each subspace */
} VecdbPqCode;

typedef struct VecdbPqQuery
{
	uint16		form;			/* VECDB_PQ_QUERY */
	uint16		unused;
	float		norm;			/* |q| */
	float		unused2;
	float		table[FLEXIBLE_ARRAY_MEMBER];	/* [subspace][centroid]: the
												 * metric's distance between
												 * q's piece and the centroid */
} VecdbPqQuery;

/* subspaces of dims dimensions */
#define VECDB_PQ_SUBSPACES(dims) (((dims) + VECDB_PQ_SUBDIMS - 1) / VECDB_PQ_SUBDIMS)

#define VECDB_PQ_CODE_SIZE(dims) \
	(offsetof(VecdbPqCode, c) + (Size) VECDB_PQ_SUBSPACES(dims))

/* the descriptor of the codes (VECDB_ELEM_PQ) */
extern const VecdbElemType vecdb_pq_code_type;

#endif							/* VECDB_PQCODE_H */
