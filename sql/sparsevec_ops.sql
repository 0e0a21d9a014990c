-- sparsevec distances, norm, normalization, comparison and btree support

-- distances: operands with disjoint, shared and missing indices
SELECT l2_distance(a, b), sparsevec_l2_squared_distance(a, b), a <-> b AS op
FROM (VALUES ('{1:3}/3'::sparsevec, '{2:4}/3'::sparsevec),
	('{1:1,2:2,3:3}/3', '{1:1,2:2,3:3}/3'), ('{}/3', '{3:-2}/3'),
	('{1:1,3:3}/3', '{2:2,3:1}/3')) t(a, b);
SELECT inner_product(a, b), sparsevec_negative_inner_product(a, b), a <#> b AS op
FROM (VALUES ('{1:1,3:3,5:5}/5'::sparsevec, '{2:4,3:6,4:8}/5'::sparsevec),
	('{1:1}/2', '{2:1}/2'), ('{}/2', '{1:1}/2'), ('{1:-2,2:0.5}/2', '{1:3,2:4}/2')) t(a, b);
SELECT cosine_distance(a, b), a <=> b AS op
FROM (VALUES ('{1:1,2:2}/2'::sparsevec, '{1:2,2:4}/2'::sparsevec),
	('{1:1}/2', '{2:1}/2'), ('{1:1,2:1}/2', '{1:-1,2:-1}/2'), ('{}/2', '{1:1}/2'),
	('{1:1,2:1}/2', '{1:1.1,2:1.1}/2')) t(a, b);
SELECT l1_distance(a, b), a <+> b AS op
FROM (VALUES ('{1:1,3:3,5:5,7:7,9:9}/9'::sparsevec, '{2:2,4:4,6:6,8:8}/9'::sparsevec),
	('{1:-1}/2', '{1:1}/2'), ('{}/2', '{}/2')) t(a, b);
-- sums in float, in index order, as in pgvector: overflow is infinite
SELECT inner_product('{1:3e38}/1'::sparsevec, '{1:3e38}/1'),
	l1_distance('{1:3e38}/1'::sparsevec, '{1:-3e38}/1'),
	l2_distance('{1:3e38}/2'::sparsevec, '{2:3e38}/2'),
	cosine_distance('{1:3e38}/1'::sparsevec, '{1:3e38}/1');
-- float rounding, not double: 1 + 1e-8 + ... stays 1 in float
SELECT inner_product('{1:1,2:1e-4,3:1e-4}/3'::sparsevec, '{1:1,2:1e-4,3:1e-4}/3') = 1 AS float_sum;

-- the same distances as on the dense vectors, to float precision
CREATE TABLE d (id int, v vector(40));
INSERT INTO d SELECT i, (SELECT array_agg(CASE WHEN (i * 7 + j * 13) % 5 = 0
		THEN ((i * 31 + j * 17) % 23 - 11) / 4.0 ELSE 0 END) FROM generate_series(1, 40) j)
FROM generate_series(1, 30) i;
SELECT count(*) AS pairs,
	max(abs(l2_distance(a.v::sparsevec, b.v::sparsevec) - l2_distance(a.v, b.v))) < 1e-4 AS l2,
	max(abs(inner_product(a.v::sparsevec, b.v::sparsevec) - inner_product(a.v, b.v))) < 1e-4 AS ip,
	max(abs(l1_distance(a.v::sparsevec, b.v::sparsevec) - l1_distance(a.v, b.v))) < 1e-4 AS l1,
	max(abs(cosine_distance(a.v::sparsevec, b.v::sparsevec) - cosine_distance(a.v, b.v)))
		FILTER (WHERE vector_norm(a.v) > 0 AND vector_norm(b.v) > 0) < 1e-6 AS cosine
FROM d a, d b;
SELECT count(*) AS same_norm FROM d WHERE l2_norm(v::sparsevec) = vector_norm(v);
DROP TABLE d;

-- norm and normalization (zeros after underflow are dropped)
SELECT l2_norm('{1:3,2:4}/2'::sparsevec), l2_norm('{}/2'::sparsevec),
	l2_norm('{1:3e38,2:3e38}/2'::sparsevec) > 4e38 AS double_norm;
SELECT l2_normalize('{1:3,2:4}/2'::sparsevec), l2_normalize('{}/5'::sparsevec),
	l2_normalize('{1:-1e-38}/1'::sparsevec);
SELECT l2_normalize('{1:3e38,2:1e-37}/2'::sparsevec);
SELECT l2_norm(l2_normalize('{1:1,2:2,3:3,10:-4}/10'::sparsevec))::numeric(10, 6);

-- comparison: as the dense forms element by element, then dimension
SELECT a, b, sparsevec_cmp(a, b) AS cmp, a < b AS lt, a <= b AS le, a = b AS eq,
	a <> b AS ne, a >= b AS ge, a > b AS gt
FROM (VALUES ('{1:1,2:2}/2'::sparsevec, '{1:1,2:2}/2'::sparsevec),
	('{1:1}/2', '{2:1}/2'), ('{2:-1}/2', '{}/2'), ('{}/2', '{}/3'),
	('{3:1}/3', '{}/2'), ('{1:1}/3', '{1:1}/2'), ('{2:1}/5', '{3:1}/3'),
	('{1:-1}/2', '{2:-1}/2')) t(a, b);
-- agrees with the dense order for every pair of a small set
CREATE TABLE c (v vector);
INSERT INTO c VALUES ('[0,0]'), ('[0,1]'), ('[1,0]'), ('[-1,0]'), ('[0,-1]'), ('[1,1]'),
	('[0]'), ('[1]'), ('[-1]'), ('[0,0,0]'), ('[0,0,1]'), ('[0,1,0]'), ('[0,0,-1]');
SELECT count(*) AS pairs, count(*) FILTER (WHERE sign(sparsevec_cmp(a.v::sparsevec, b.v::sparsevec))
	= sign(vector_cmp(a.v, b.v))) AS agree
FROM c a, c b;
DROP TABLE c;

-- btree: index scans, ORDER BY, DISTINCT, GROUP BY
CREATE TABLE t (v sparsevec);
INSERT INTO t VALUES ('{1:1}/3'), ('{2:1}/3'), ('{}/3'), ('{1:-1}/3'), ('{3:2}/3'),
	('{1:1}/2'), (NULL), ('{2:1}/3');
CREATE INDEX ON t (v);
SET enable_seqscan = off;
SET enable_bitmapscan = off;
EXPLAIN (COSTS OFF) SELECT * FROM t WHERE v = '{2:1}/3';
SELECT * FROM t WHERE v = '{2:1}/3';
SELECT * FROM t WHERE v < '{}/3' ORDER BY v;
RESET enable_seqscan;
RESET enable_bitmapscan;
SELECT * FROM t ORDER BY v;
SELECT v, count(*) FROM t GROUP BY v ORDER BY v;
SELECT count(DISTINCT v) FROM t;
DROP TABLE t;

-- nearest neighbours by sequential scan
CREATE TABLE t (id int, v sparsevec(4));
INSERT INTO t VALUES (1, '{1:1}/4'), (2, '{2:1,3:1}/4'), (3, '{4:-2}/4'), (4, '{}/4');
SELECT id FROM t ORDER BY v <-> '{2:1}/4', id;
SELECT id FROM t ORDER BY v <#> '{2:1,4:-1}/4', id;
SELECT id FROM t ORDER BY v <+> '{1:1,4:1}/4', id;
SELECT id, v <=> '{1:1,2:1}/4' AS d FROM t ORDER BY d, id;
DROP TABLE t;
