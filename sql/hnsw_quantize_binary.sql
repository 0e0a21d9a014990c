-- quantization = binary: the graph stores 1-bit codes with correction
-- factors, scans re-rank the best candidates with the table's vectors and
-- return them in exact order
SET enable_seqscan = off;
SELECT setseed(0.5);
-- 20 clusters in 128 dimensions, centres spread around the origin
CREATE TABLE cent AS SELECT k, array_agg(random() * 2 - 1) AS a
FROM generate_series(0, 19) k, generate_series(1, 128) d GROUP BY k;
CREATE TABLE tb (i int, c int, v vector(128)) WITH (autovacuum_enabled = off);
INSERT INTO tb SELECT i, k,
	(SELECT array_agg(cent.a[d] + (random() - 0.5)) FROM generate_series(1, 128) d)::vector
FROM generate_series(1, 2000) i JOIN cent ON k = i % 20;
CREATE INDEX tb_l2 ON tb USING hnsw (v vector_l2_ops) WITH (quantization = binary);
CREATE INDEX tb_ip ON tb USING hnsw (v vector_ip_ops) WITH (quantization = binary);
CREATE INDEX tb_cos ON tb USING hnsw (v vector_cosine_ops) WITH (quantization = binary);
CREATE INDEX tb_l1 ON tb USING hnsw (v vector_l1_ops) WITH (quantization = 'binary');
CREATE INDEX tb_hl2 ON tb USING hnsw ((v::halfvec(128)) halfvec_l2_ops) WITH (quantization = binary);
CREATE INDEX tb_hip ON tb USING hnsw ((v::halfvec(128)) halfvec_ip_ops) WITH (quantization = binary);
CREATE INDEX tb_hcos ON tb USING hnsw ((v::halfvec(128)) halfvec_cosine_ops) WITH (quantization = binary);
CREATE INDEX tb_hl1 ON tb USING hnsw ((v::halfvec(128)) halfvec_l1_ops) WITH (quantization = binary);
SELECT c.relname, k.nodes, k.unreachable_nodes, k.heap_tuples_checked
FROM pg_class c, vecdb_index_check(c.oid::regclass, true) k
WHERE c.relname LIKE 'tb\_%' ORDER BY 1;

-- recall@10 against exact answers, 20 queries per operator and type
CREATE TEMP TABLE q AS SELECT i AS q, v FROM tb WHERE i % 100 = 3;
-- (exact: a sequential scan; with both scans disabled, 18 would order by
-- the index, the one disabled node either way)
RESET enable_seqscan;
SET enable_indexscan = off;
CREATE TEMP TABLE exact AS
SELECT q.q, array(SELECT i FROM tb ORDER BY tb.v <-> q.v, i LIMIT 10) AS l2,
	array(SELECT i FROM tb ORDER BY tb.v <#> q.v, i LIMIT 10) AS ip,
	array(SELECT i FROM tb ORDER BY tb.v <=> q.v, i LIMIT 10) AS cos,
	array(SELECT i FROM tb ORDER BY tb.v <+> q.v, i LIMIT 10) AS l1,
	array(SELECT i FROM tb ORDER BY tb.v::halfvec(128) <-> q.v::halfvec(128), i LIMIT 10) AS hl2,
	array(SELECT i FROM tb ORDER BY tb.v::halfvec(128) <#> q.v::halfvec(128), i LIMIT 10) AS hip,
	array(SELECT i FROM tb ORDER BY tb.v::halfvec(128) <=> q.v::halfvec(128), i LIMIT 10) AS hcos,
	array(SELECT i FROM tb ORDER BY tb.v::halfvec(128) <+> q.v::halfvec(128), i LIMIT 10) AS hl1
FROM q;
RESET enable_indexscan;
SET enable_seqscan = off;
CREATE FUNCTION approx() RETURNS TABLE (q int, l2 int[], ip int[], cos int[], l1 int[],
	hl2 int[], hip int[], hcos int[], hl1 int[]) LANGUAGE sql AS $$
SELECT q.q, array(SELECT i FROM tb ORDER BY tb.v <-> q.v LIMIT 10),
	array(SELECT i FROM tb ORDER BY tb.v <#> q.v LIMIT 10),
	array(SELECT i FROM tb ORDER BY tb.v <=> q.v LIMIT 10),
	array(SELECT i FROM tb ORDER BY tb.v <+> q.v LIMIT 10),
	array(SELECT i FROM tb ORDER BY tb.v::halfvec(128) <-> q.v::halfvec(128) LIMIT 10),
	array(SELECT i FROM tb ORDER BY tb.v::halfvec(128) <#> q.v::halfvec(128) LIMIT 10),
	array(SELECT i FROM tb ORDER BY tb.v::halfvec(128) <=> q.v::halfvec(128) LIMIT 10),
	array(SELECT i FROM tb ORDER BY tb.v::halfvec(128) <+> q.v::halfvec(128) LIMIT 10)
FROM q $$;
CREATE FUNCTION recall(threshold float8) RETURNS TABLE (l2 bool, ip bool, cos bool, l1 bool,
	hl2 bool, hip bool, hcos bool, hl1 bool) LANGUAGE sql AS $$
SELECT avg((SELECT count(*) FROM unnest(a.l2) x WHERE x = ANY (e.l2))) / 10 >= threshold,
	avg((SELECT count(*) FROM unnest(a.ip) x WHERE x = ANY (e.ip))) / 10 >= threshold,
	avg((SELECT count(*) FROM unnest(a.cos) x WHERE x = ANY (e.cos))) / 10 >= threshold,
	avg((SELECT count(*) FROM unnest(a.l1) x WHERE x = ANY (e.l1))) / 10 >= threshold,
	avg((SELECT count(*) FROM unnest(a.hl2) x WHERE x = ANY (e.hl2))) / 10 >= threshold,
	avg((SELECT count(*) FROM unnest(a.hip) x WHERE x = ANY (e.hip))) / 10 >= threshold,
	avg((SELECT count(*) FROM unnest(a.hcos) x WHERE x = ANY (e.hcos))) / 10 >= threshold,
	avg((SELECT count(*) FROM unnest(a.hl1) x WHERE x = ANY (e.hl1))) / 10 >= threshold
FROM exact e JOIN approx() a USING (q) $$;
-- the codes' estimates alone pick the candidates: ef_search 40, each
-- re-ranked
SET hnsw.ef_search = 40;
-- (the query a generic plan's parameter: EXPLAIN prints it alike on every
-- version)
PREPARE knn(vector) AS SELECT i FROM tb ORDER BY v <=> $1 LIMIT 10;
SET plan_cache_mode = force_generic_plan;
EXPLAIN (COSTS OFF) EXECUTE knn(array_fill(1, ARRAY[128])::vector);
RESET plan_cache_mode;
DEALLOCATE knn;
SELECT * FROM recall(0.7);
-- and with four times as many candidates re-ranked, nearly all
SET hnsw.rerank_candidates = 160;
SELECT * FROM recall(0.97);
RESET hnsw.ef_search;
RESET hnsw.rerank_candidates;

-- rows come back in exact distance order, the order a seq scan gives the
-- same rows, for every metric
CREATE FUNCTION same_order(op text, qi int) RETURNS bool LANGUAGE plpgsql AS $$
DECLARE
	got int[];
	seq int[];
BEGIN
	SET LOCAL enable_seqscan = off;
	EXECUTE format('SELECT array_agg(i) FROM (SELECT i FROM tb ORDER BY v %s (SELECT v FROM tb WHERE i = %s) LIMIT 40) s', op, qi) INTO got;
	SET LOCAL enable_seqscan = on;
	SET LOCAL enable_indexscan = off;
	EXECUTE format('SELECT array_agg(i ORDER BY d, i) FROM (SELECT i, v %s (SELECT v FROM tb WHERE i = %s) AS d FROM tb WHERE i = ANY (%L)) s', op, qi, got) INTO seq;
	RETURN cardinality(got) = 40 AND got = seq;
END $$;
SELECT same_order('<->', 77) AS l2, same_order('<#>', 78) AS ip,
	same_order('<=>', 79) AS cos, same_order('<+>', 80) AS l1;

-- inserts after the build are coded from the build's centre and found
INSERT INTO tb SELECT i, k,
	(SELECT array_agg(cent.a[d] + (random() - 0.5)) FROM generate_series(1, 128) d)::vector
FROM generate_series(2001, 2400) i JOIN cent ON k = i % 20;
SET hnsw.ef_search = 40;
SET hnsw.rerank_candidates = 160;
RESET enable_seqscan;
SET enable_indexscan = off;
CREATE TEMP TABLE ins_exact AS
SELECT array(SELECT i FROM tb ORDER BY v <-> (SELECT v FROM tb WHERE i = 2345), i LIMIT 10) AS e;
RESET enable_indexscan;
SET enable_seqscan = off;
SELECT count(*) >= 9 AS inserted_found FROM ins_exact, (
	SELECT i FROM tb ORDER BY v <-> (SELECT v FROM tb WHERE i = 2345) LIMIT 10) s
WHERE i = ANY (e);
SELECT (SELECT i FROM tb ORDER BY v <-> (SELECT v FROM tb WHERE i = 2345) LIMIT 1) = 2345 AS self_first;

-- deletes and VACUUM
DROP INDEX tb_ip, tb_cos, tb_l1, tb_hl2, tb_hip, tb_hcos, tb_hl1;
DELETE FROM tb WHERE i % 3 = 0;
VACUUM tb;
SELECT k.nodes, k.deleted_nodes, k.unreachable_nodes, k.heap_tuples_checked
FROM vecdb_index_check('tb_l2', true) k;
SELECT count(*) FROM (SELECT i FROM tb ORDER BY v <-> (SELECT v FROM tb WHERE i = 5) LIMIT 10) s WHERE i % 3 = 0;
RESET hnsw.ef_search;
RESET hnsw.rerank_candidates;

-- a bit a dimension: at 768 dimensions the index is a fraction of one of
-- full vectors, and smaller than one of int8 codes
CREATE TABLE ts (i int, v vector(768));
INSERT INTO ts SELECT i, (SELECT array_agg(random()) FROM generate_series(1, 768) WHERE i > 0)::vector
FROM generate_series(1, 1000) i;
CREATE INDEX ts_b ON ts USING hnsw (v vector_l2_ops) WITH (quantization = binary);
CREATE INDEX ts_q ON ts USING hnsw (v vector_l2_ops) WITH (quantization = int8);
CREATE INDEX ts_f ON ts USING hnsw (v vector_l2_ops);
SELECT pg_relation_size('ts_b')::float8 / pg_relation_size('ts_f') < 0.25 AS much_smaller,
	pg_relation_size('ts_b') < pg_relation_size('ts_q') AS smaller_than_int8;

-- what cannot be quantized
CREATE TABLE tbits (b bit(64));
CREATE INDEX ON tbits USING hnsw (b bit_hamming_ops) WITH (quantization = binary);
CREATE TABLE tsp (s sparsevec(64));
CREATE INDEX ON tsp USING hnsw (s sparsevec_l2_ops) WITH (quantization = binary);
SET hnsw.rerank_candidates = -1;
RESET enable_seqscan;
DROP TABLE tb, cent, ts, tbits, tsp;
DROP FUNCTION approx(), recall(float8), same_order(text, int);
