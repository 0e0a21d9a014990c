-- quantization = int8: the graph stores 8-bit codes, scans re-rank the
-- best candidates with the table's vectors and return them in exact order
SET enable_seqscan = off;
SELECT setseed(0.25);
CREATE TABLE tq (i int, c int, v vector(64)) WITH (autovacuum_enabled = off);
-- 20 clusters
INSERT INTO tq SELECT i, i % 20,
	(SELECT array_agg((i % 20) * 0.05 + (random() - 0.5) * 0.4 + (d % 5) * 0.1)
	 FROM generate_series(1, 64) d WHERE i > 0)::vector
FROM generate_series(1, 4000) i;
CREATE INDEX tq_l2 ON tq USING hnsw (v vector_l2_ops) WITH (quantization = int8);
CREATE INDEX tq_ip ON tq USING hnsw (v vector_ip_ops) WITH (quantization = int8);
CREATE INDEX tq_cos ON tq USING hnsw (v vector_cosine_ops) WITH (quantization = int8);
CREATE INDEX tq_l1 ON tq USING hnsw (v vector_l1_ops) WITH (quantization = 'int8');
CREATE INDEX tq_half ON tq USING hnsw ((v::halfvec(64)) halfvec_l2_ops) WITH (quantization = int8);
SELECT c.relname, k.nodes, k.unreachable_nodes, k.heap_tuples_checked
FROM pg_class c, vecdb_index_check(c.oid::regclass, true) k
WHERE c.relname LIKE 'tq\_%' ORDER BY 1;

-- recall@10 against exact answers, 20 queries per operator, ef_search 100
-- (the clusters point almost the same way: cosine needs it)
-- (exact: a sequential scan; with both scans disabled, 18 would order by
-- the index, the one disabled node either way)
CREATE TEMP TABLE q AS SELECT i AS q, v FROM tq WHERE i % 200 = 3;
RESET enable_seqscan;
SET enable_indexscan = off;
CREATE TEMP TABLE exact AS
SELECT q.q, array(SELECT i FROM tq ORDER BY tq.v <-> q.v, i LIMIT 10) AS l2,
	array(SELECT i FROM tq ORDER BY tq.v <#> q.v, i LIMIT 10) AS ip,
	array(SELECT i FROM tq ORDER BY tq.v <=> q.v, i LIMIT 10) AS cos,
	array(SELECT i FROM tq ORDER BY tq.v <+> q.v, i LIMIT 10) AS l1,
	array(SELECT i FROM tq ORDER BY tq.v::halfvec(64) <-> q.v::halfvec(64), i LIMIT 10) AS half
FROM q;
RESET enable_indexscan;
SET enable_seqscan = off;
SET hnsw.ef_search = 100;
-- the query as a parameter of a generic plan: EXPLAIN prints it alike on
-- every version
PREPARE knn(vector) AS SELECT i FROM tq ORDER BY v <=> $1 LIMIT 10;
SET plan_cache_mode = force_generic_plan;
EXPLAIN (COSTS OFF) EXECUTE knn(array_fill(1, ARRAY[64])::vector);
RESET plan_cache_mode;
DEALLOCATE knn;
CREATE TEMP TABLE approx AS
SELECT q.q, array(SELECT i FROM tq ORDER BY tq.v <-> q.v LIMIT 10) AS l2,
	array(SELECT i FROM tq ORDER BY tq.v <#> q.v LIMIT 10) AS ip,
	array(SELECT i FROM tq ORDER BY tq.v <=> q.v LIMIT 10) AS cos,
	array(SELECT i FROM tq ORDER BY tq.v <+> q.v LIMIT 10) AS l1,
	array(SELECT i FROM tq ORDER BY tq.v::halfvec(64) <-> q.v::halfvec(64) LIMIT 10) AS half
FROM q;
SELECT avg((SELECT count(*) FROM unnest(a.l2) x WHERE x = ANY (e.l2))) / 10 >= 0.95 AS l2_ok,
	avg((SELECT count(*) FROM unnest(a.ip) x WHERE x = ANY (e.ip))) / 10 >= 0.95 AS ip_ok,
	avg((SELECT count(*) FROM unnest(a.cos) x WHERE x = ANY (e.cos))) / 10 >= 0.95 AS cos_ok,
	avg((SELECT count(*) FROM unnest(a.l1) x WHERE x = ANY (e.l1))) / 10 >= 0.95 AS l1_ok,
	avg((SELECT count(*) FROM unnest(a.half) x WHERE x = ANY (e.half))) / 10 >= 0.95 AS half_ok
FROM exact e JOIN approx a USING (q);
RESET hnsw.ef_search;

-- rows come back in exact distance order, not in the codes' order, for
-- every metric
SELECT bool_and(d >= prev) AS exact_order FROM (
	SELECT d, lag(d, 1, 0::float8) OVER (ORDER BY n) AS prev FROM (
		SELECT row_number() OVER () AS n, d FROM (
			SELECT v <-> (SELECT v FROM tq WHERE i = 77) AS d FROM tq
			ORDER BY v <-> (SELECT v FROM tq WHERE i = 77) LIMIT 40) s) s2) s3;
SELECT bool_and(d >= prev) AS exact_order_ip FROM (
	SELECT d, lag(d, 1, '-Infinity'::float8) OVER (ORDER BY n) AS prev FROM (
		SELECT row_number() OVER () AS n, d FROM (
			SELECT v <#> (SELECT v FROM tq WHERE i = 78) AS d FROM tq
			ORDER BY v <#> (SELECT v FROM tq WHERE i = 78) LIMIT 40) s) s2) s3;
SELECT bool_and(d >= prev) AS exact_order_cos FROM (
	SELECT d, lag(d, 1, '-Infinity'::float8) OVER (ORDER BY n) AS prev FROM (
		SELECT row_number() OVER () AS n, d FROM (
			SELECT v <=> (SELECT v FROM tq WHERE i = 79) AS d FROM tq
			ORDER BY v <=> (SELECT v FROM tq WHERE i = 79) LIMIT 40) s) s2) s3;
SELECT bool_and(d >= prev) AS exact_order_l1 FROM (
	SELECT d, lag(d, 1, '-Infinity'::float8) OVER (ORDER BY n) AS prev FROM (
		SELECT row_number() OVER () AS n, d FROM (
			SELECT v <+> (SELECT v FROM tq WHERE i = 80) AS d FROM tq
			ORDER BY v <+> (SELECT v FROM tq WHERE i = 80) LIMIT 40) s) s2) s3;

-- vectors closer together than a code step share one code (one node), and
-- only re-ranking tells them apart: the nearest are the last inserted
CREATE TABLE tc (i int, v vector(8));
INSERT INTO tc SELECT i, ARRAY[1 + (200 - i) * 1e-5, 0, 0, 0, 0, 0, 0, 2]::vector
FROM generate_series(1, 200) i;
CREATE INDEX ON tc USING hnsw (v vector_l2_ops) WITH (quantization = int8);
SELECT nodes, heap_tids FROM vecdb_index_check('tc_v_idx');
SELECT array_agg(i) FROM (SELECT i FROM tc ORDER BY v <-> '[1,0,0,0,0,0,0,2]' LIMIT 5) s;

-- a snapshot's rows only: deleted rows are not returned, inserted ones are
BEGIN;
DELETE FROM tc WHERE i > 190;
SELECT array_agg(i) FROM (SELECT i FROM tc ORDER BY v <-> '[1,0,0,0,0,0,0,2]' LIMIT 5) s;
ROLLBACK;
INSERT INTO tc VALUES (0, '[1,0,0,0,0,0,0,2]');
SELECT array_agg(i) FROM (SELECT i FROM tc ORDER BY v <-> '[1,0,0,0,0,0,0,2]' LIMIT 3) s;

-- an iterative scan still reaches every row, each once
SET hnsw.iterative_scan = relaxed_order;
SELECT count(*), count(DISTINCT i) FROM (SELECT i FROM tq ORDER BY v <-> (SELECT v FROM tq WHERE i = 5) LIMIT 4000) s;
RESET hnsw.iterative_scan;

-- filter columns, inserts, deletes and VACUUM
DROP INDEX tq_ip, tq_cos, tq_l1, tq_half;
CREATE INDEX tq_f ON tq USING hnsw (v vector_l2_ops, c) WITH (quantization = int8);
INSERT INTO tq SELECT i, i % 20, (SELECT array_agg(random()) FROM generate_series(1, 64) WHERE i > 0)::vector
FROM generate_series(4001, 4500) i;
SELECT count(*), bool_and(c = 3) FROM (SELECT i, c FROM tq WHERE c = 3 ORDER BY v <-> (SELECT v FROM tq WHERE i = 3) LIMIT 10) s;
DELETE FROM tq WHERE i % 3 = 0;
VACUUM tq;
SELECT c.relname, k.nodes, k.deleted_nodes, k.unreachable_nodes, k.heap_tuples_checked
FROM pg_class c, vecdb_index_check(c.oid::regclass, true) k
WHERE c.relname IN ('tq_l2', 'tq_f') ORDER BY 1;
SELECT count(*) FROM (SELECT i FROM tq ORDER BY v <-> (SELECT v FROM tq WHERE i = 5) LIMIT 10) s WHERE i % 3 = 0;

-- the codes take a quarter of the vector: at 384 dimensions the index is
-- under half the size of one of full vectors
CREATE TABLE ts (i int, v vector(384));
INSERT INTO ts SELECT i, (SELECT array_agg(random()) FROM generate_series(1, 384) WHERE i > 0)::vector
FROM generate_series(1, 1000) i;
CREATE INDEX ts_q ON ts USING hnsw (v vector_l2_ops) WITH (quantization = int8);
CREATE INDEX ts_f ON ts USING hnsw (v vector_l2_ops);
SELECT pg_relation_size('ts_q')::float8 / pg_relation_size('ts_f') < 0.5 AS smaller;

-- what cannot be quantized
CREATE INDEX ON tq USING hnsw (v vector_l2_ops) WITH (quantization = int4);
CREATE TABLE tbits (b bit(64));
CREATE INDEX ON tbits USING hnsw (b bit_hamming_ops) WITH (quantization = int8);
CREATE TABLE tsp (s sparsevec(64));
CREATE INDEX ON tsp USING hnsw (s sparsevec_l2_ops) WITH (quantization = int8);
RESET enable_seqscan;
DROP TABLE tq, tc, ts, tbits, tsp;
