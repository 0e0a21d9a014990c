-- quantization = pq: the graph stores product-quantization codes (a byte
-- per 8 dimensions, k-means codebooks trained by the build and kept in
-- the index), scans measure them through a per-query distance table and
-- re-rank the best candidates with the table's vectors, in exact order
SET enable_seqscan = off;
SELECT setseed(0.25);
-- 20 clusters in 64 dimensions
CREATE TABLE pcent AS SELECT k, array_agg(random() * 2 - 1) AS a
FROM generate_series(0, 19) k, generate_series(1, 64) d GROUP BY k;
CREATE TABLE tp (i int, v vector(64)) WITH (autovacuum_enabled = off);
INSERT INTO tp SELECT i,
	(SELECT array_agg(pcent.a[d] + (random() - 0.5)) FROM generate_series(1, 64) d)::vector
FROM generate_series(1, 1500) i JOIN pcent ON k = i % 20;
CREATE INDEX tp_l2 ON tp USING hnsw (v vector_l2_ops) WITH (quantization = pq);
CREATE INDEX tp_ip ON tp USING hnsw (v vector_ip_ops) WITH (quantization = pq);
CREATE INDEX tp_cos ON tp USING hnsw (v vector_cosine_ops) WITH (quantization = pq);
CREATE INDEX tp_l1 ON tp USING hnsw (v vector_l1_ops) WITH (quantization = pq);
CREATE INDEX tp_hl2 ON tp USING hnsw ((v::halfvec(64)) halfvec_l2_ops) WITH (quantization = pq);
CREATE INDEX tp_hcos ON tp USING hnsw ((v::halfvec(64)) halfvec_cosine_ops) WITH (quantization = pq);
-- the codebooks: 8 subspaces of 256 centroids of 8 binary16 values, in two
-- layouts, 64 KB in 9 chunk tuples that belong to no node
SELECT c.relname, k.nodes, k.chunks, k.unreachable_nodes, k.heap_tuples_checked
FROM pg_class c, vecdb_index_check(c.oid::regclass, true) k
WHERE c.relname LIKE 'tp\_%' ORDER BY 1;

-- recall@10 against exact answers (a sequential scan), 15 queries
CREATE TEMP TABLE pq_q AS SELECT i AS q, v FROM tp WHERE i % 100 = 7;
RESET enable_seqscan;
SET enable_indexscan = off;
CREATE TEMP TABLE pq_exact AS
SELECT q.q, array(SELECT i FROM tp ORDER BY tp.v <-> q.v, i LIMIT 10) AS l2,
	array(SELECT i FROM tp ORDER BY tp.v <#> q.v, i LIMIT 10) AS ip,
	array(SELECT i FROM tp ORDER BY tp.v <=> q.v, i LIMIT 10) AS cos,
	array(SELECT i FROM tp ORDER BY tp.v <+> q.v, i LIMIT 10) AS l1,
	array(SELECT i FROM tp ORDER BY tp.v::halfvec(64) <-> q.v::halfvec(64), i LIMIT 10) AS hl2,
	array(SELECT i FROM tp ORDER BY tp.v::halfvec(64) <=> q.v::halfvec(64), i LIMIT 10) AS hcos
FROM pq_q q;
RESET enable_indexscan;
SET enable_seqscan = off;
CREATE FUNCTION pq_recall(threshold float8) RETURNS TABLE (l2 bool, ip bool, cos bool,
	l1 bool, hl2 bool, hcos bool) LANGUAGE sql AS $$
WITH a AS (
	SELECT q.q, array(SELECT i FROM tp ORDER BY tp.v <-> q.v LIMIT 10) AS l2,
		array(SELECT i FROM tp ORDER BY tp.v <#> q.v LIMIT 10) AS ip,
		array(SELECT i FROM tp ORDER BY tp.v <=> q.v LIMIT 10) AS cos,
		array(SELECT i FROM tp ORDER BY tp.v <+> q.v LIMIT 10) AS l1,
		array(SELECT i FROM tp ORDER BY tp.v::halfvec(64) <-> q.v::halfvec(64) LIMIT 10) AS hl2,
		array(SELECT i FROM tp ORDER BY tp.v::halfvec(64) <=> q.v::halfvec(64) LIMIT 10) AS hcos
	FROM pq_q q)
SELECT avg((SELECT count(*) FROM unnest(a.l2) x WHERE x = ANY (e.l2))) / 10 >= threshold,
	avg((SELECT count(*) FROM unnest(a.ip) x WHERE x = ANY (e.ip))) / 10 >= threshold,
	avg((SELECT count(*) FROM unnest(a.cos) x WHERE x = ANY (e.cos))) / 10 >= threshold,
	avg((SELECT count(*) FROM unnest(a.l1) x WHERE x = ANY (e.l1))) / 10 >= threshold,
	avg((SELECT count(*) FROM unnest(a.hl2) x WHERE x = ANY (e.hl2))) / 10 >= threshold,
	avg((SELECT count(*) FROM unnest(a.hcos) x WHERE x = ANY (e.hcos))) / 10 >= threshold
FROM pq_exact e JOIN a USING (q) $$;
-- 100 candidates, each re-ranked: the exact top 10 among them
SET hnsw.ef_search = 40;
SET hnsw.rerank_candidates = 100;
SELECT * FROM pq_recall(0.95);

-- rows come back in exact distance order, for every metric: the order a
-- sequential scan gives the same rows
CREATE FUNCTION pq_same_order(op text, qi int) RETURNS bool LANGUAGE plpgsql AS $$
DECLARE
	got int[];
	seq int[];
BEGIN
	SET LOCAL enable_seqscan = off;
	EXECUTE format('SELECT array_agg(i) FROM (SELECT i FROM tp ORDER BY v %s (SELECT v FROM tp WHERE i = %s) LIMIT 30) s', op, qi) INTO got;
	SET LOCAL enable_seqscan = on;
	SET LOCAL enable_indexscan = off;
	EXECUTE format('SELECT array_agg(i ORDER BY d, i) FROM (SELECT i, v %s (SELECT v FROM tp WHERE i = %s) AS d FROM tp WHERE i = ANY (%L)) s', op, qi, got) INTO seq;
	RETURN cardinality(got) = 30 AND got = seq;
END $$;
SELECT pq_same_order('<->', 77) AS l2, pq_same_order('<#>', 78) AS ip,
	pq_same_order('<=>', 79) AS cos, pq_same_order('<+>', 80) AS l1;

-- inserts after the build are coded with the build's codebooks and found
INSERT INTO tp SELECT i,
	(SELECT array_agg(pcent.a[d] + (random() - 0.5)) FROM generate_series(1, 64) d)::vector
FROM generate_series(1501, 1800) i JOIN pcent ON k = i % 20;
RESET enable_seqscan;
SET enable_indexscan = off;
CREATE TEMP TABLE pq_ins AS
SELECT array(SELECT i FROM tp ORDER BY v <-> (SELECT v FROM tp WHERE i = 1777), i LIMIT 10) AS e;
RESET enable_indexscan;
SET enable_seqscan = off;
SELECT count(*) >= 9 AS inserted_found FROM pq_ins, (
	SELECT i FROM tp ORDER BY v <-> (SELECT v FROM tp WHERE i = 1777) LIMIT 10) s
WHERE i = ANY (e);
SELECT k.nodes, k.chunks, k.heap_tuples_checked FROM vecdb_index_check('tp_l2', true) k;

-- deletes and VACUUM: the codebooks' chunks stay, deleted rows are gone
DROP INDEX tp_ip, tp_cos, tp_l1, tp_hl2, tp_hcos;
DELETE FROM tp WHERE i % 3 = 0;
VACUUM tp;
SELECT k.nodes, k.deleted_nodes, k.chunks, k.unreachable_nodes, k.heap_tuples_checked
FROM vecdb_index_check('tp_l2', true) k;
SELECT count(*) FROM (SELECT i FROM tp ORDER BY v <-> (SELECT v FROM tp WHERE i = 5) LIMIT 10) s
WHERE i % 3 = 0;
SELECT pq_same_order('<->', 101) AS l2_after_vacuum;

-- an index built on an empty table has no codebooks (every code alike):
-- it still answers in exact order, by re-ranking
CREATE TABLE tpe (i int, v vector(20));
CREATE INDEX tpe_l2 ON tpe USING hnsw (v vector_l2_ops) WITH (quantization = pq);
INSERT INTO tpe SELECT i, (SELECT array_agg(random()) FROM generate_series(1, 20) WHERE i > 0)::vector
FROM generate_series(1, 300) i;
SET hnsw.rerank_candidates = 300;
SELECT array(SELECT i FROM tpe ORDER BY v <-> (SELECT v FROM tpe WHERE i = 9) LIMIT 5) =
	array(SELECT i FROM (SELECT i, v <-> (SELECT v FROM tpe WHERE i = 9) AS d FROM tpe
		ORDER BY d, i LIMIT 5) s) AS empty_build_exact;
SELECT k.nodes, k.chunks, k.heap_tuples_checked FROM vecdb_index_check('tpe_l2', true) k;
RESET hnsw.ef_search;
RESET hnsw.rerank_candidates;

-- a byte per 8 dimensions: at 768 dimensions 108-byte codes, 16 nodes a
-- page against 2 of full vectors, plus the codebooks' 96 x 8 KB (97
-- chunks, a page each), a fixed cost
CREATE TABLE tps (i int, v vector(768));
INSERT INTO tps SELECT i, (SELECT array_agg(random()) FROM generate_series(1, 768) WHERE i > 0)::vector
FROM generate_series(1, 600) i;
CREATE INDEX tps_p ON tps USING hnsw (v vector_l2_ops) WITH (quantization = pq);
CREATE INDEX tps_f ON tps USING hnsw (v vector_l2_ops);
SELECT k.chunks, (pg_relation_size('tps_p') - k.chunks * current_setting('block_size')::int)::float8
	/ pg_relation_size('tps_f') < 0.2 AS graph_much_smaller
FROM vecdb_index_check('tps_p') k;

-- what cannot be quantized
CREATE INDEX ON tp USING hnsw (v vector_l2_ops) WITH (quantization = pq8);
-- (the codebooks' chunk TIDs must fit on the metapage)
CREATE TABLE tpbig (v vector(8001));
CREATE INDEX ON tpbig USING hnsw (v vector_l2_ops) WITH (quantization = pq);
CREATE TABLE tpbits (b bit(64));
CREATE INDEX ON tpbits USING hnsw (b bit_hamming_ops) WITH (quantization = pq);
CREATE TABLE tpsp (s sparsevec(64));
CREATE INDEX ON tpsp USING hnsw (s sparsevec_l2_ops) WITH (quantization = pq);
RESET enable_seqscan;
DROP TABLE tp, pcent, tpe, tps, tpbits, tpsp, tpbig;
DROP FUNCTION pq_recall(float8), pq_same_order(text, int);
