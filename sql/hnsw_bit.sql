-- HNSW on bit strings: Hamming and Jaccard operator classes, through the
-- element-type descriptor (stored as packed bits)
SET enable_seqscan = off;
CREATE TABLE tb (i int, b bit(128)) WITH (autovacuum_enabled = off);
INSERT INTO tb SELECT i, (SELECT string_agg(CASE WHEN random() < 0.3 THEN '1' ELSE '0' END, '')
	FROM generate_series(1, 128) WHERE i > 0)::bit(128)
FROM generate_series(1, 3000) i;
CREATE INDEX tb_ham ON tb USING hnsw (b bit_hamming_ops);
CREATE INDEX tb_jac ON tb USING hnsw (b bit_jaccard_ops);
SELECT nodes, unreachable_nodes, heap_tuples_checked FROM vecdb_index_check('tb_ham', true);
SELECT nodes, unreachable_nodes, heap_tuples_checked FROM vecdb_index_check('tb_jac', true);
EXPLAIN (COSTS OFF) SELECT i FROM tb ORDER BY b <~> (SELECT b FROM tb WHERE i = 1) LIMIT 10;
EXPLAIN (COSTS OFF) SELECT i FROM tb ORDER BY b <%> (SELECT b FROM tb WHERE i = 1) LIMIT 10;

-- answers: every distance the index returns is at most the exact 10th
-- (ties make ids ambiguous); 20 queries per metric
CREATE TEMP TABLE q AS SELECT i AS q, b FROM tb WHERE i % 150 = 0;
SET enable_indexscan = off;
CREATE TEMP TABLE exact AS
SELECT q.q, (SELECT max(d) FROM (SELECT tb.b <~> q.b AS d FROM tb ORDER BY 1 LIMIT 10) s) AS ham10,
	(SELECT max(d) FROM (SELECT tb.b <%> q.b AS d FROM tb ORDER BY 1 LIMIT 10) s) AS jac10
FROM q;
RESET enable_indexscan;
SET hnsw.ef_search = 100;
SELECT avg((SELECT count(*) FROM (SELECT tb.b <~> q.b AS d FROM tb ORDER BY tb.b <~> q.b LIMIT 10) s
	WHERE d <= e.ham10)) / 10 >= 0.95 AS hamming_ok,
	avg((SELECT count(*) FROM (SELECT tb.b <%> q.b AS d FROM tb ORDER BY tb.b <%> q.b LIMIT 10) s
	WHERE d <= e.jac10)) / 10 >= 0.95 AS jaccard_ok
FROM q JOIN exact e USING (q);
-- the index returns each row once, nearest first
SELECT count(*), count(DISTINCT i) FROM (SELECT i FROM tb ORDER BY b <~> (SELECT b FROM tb WHERE i = 7) LIMIT 40) s;
RESET hnsw.ef_search;

-- inserts, deletes and VACUUM
INSERT INTO tb SELECT i, (SELECT string_agg(CASE WHEN random() < 0.3 THEN '1' ELSE '0' END, '')
	FROM generate_series(1, 128) WHERE i > 0)::bit(128)
FROM generate_series(3001, 3500) i;
DELETE FROM tb WHERE i % 3 = 0;
VACUUM tb;
SELECT nodes, deleted_nodes, unreachable_nodes, heap_tuples_checked FROM vecdb_index_check('tb_ham', true);
SELECT nodes, deleted_nodes, unreachable_nodes, heap_tuples_checked FROM vecdb_index_check('tb_jac', true);

-- long strings sit in chunk tuples
CREATE TABLE tl (i int, b bit(64000));
INSERT INTO tl SELECT i, (repeat('01', 32000 - i) || repeat('1', 2 * i))::bit(64000) FROM generate_series(1, 20) i;
CREATE INDEX ON tl USING hnsw (b bit_hamming_ops);
CREATE INDEX tl_idx ON tl USING hnsw (b bit_jaccard_ops);
SELECT nodes, chunks > 0 AS external, unreachable_nodes FROM vecdb_index_check('tl_idx');
SELECT array_agg(i ORDER BY i), array_agg(d ORDER BY i) FROM (
	SELECT i, b <~> (SELECT b FROM tl WHERE i = 5) AS d FROM tl
	ORDER BY b <~> (SELECT b FROM tl WHERE i = 5) LIMIT 3) s;

-- refused
CREATE TABLE tv (b varbit(8));
CREATE INDEX ON tv USING hnsw (b bit_hamming_ops);
CREATE TABLE tn (b bit(64001));
CREATE INDEX ON tn USING hnsw (b bit_hamming_ops);
CREATE INDEX ON tb USING hnsw (b bit_hamming_ops) WITH (m = 1);
RESET enable_seqscan;
DROP TABLE tb, tl, tv, tn;
