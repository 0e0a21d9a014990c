-- HNSW on halfvec through the element-type descriptor: 2 bytes an element
SET enable_seqscan = off;
CREATE TABLE th (i int, v halfvec(32)) WITH (autovacuum_enabled = off);
INSERT INTO th SELECT i, (SELECT array_agg(random() - 0.5) FROM generate_series(1, 32) WHERE i > 0)::halfvec
FROM generate_series(1, 3000) i;
CREATE INDEX th_l2 ON th USING hnsw (v halfvec_l2_ops);
CREATE INDEX th_ip ON th USING hnsw (v halfvec_ip_ops);
CREATE INDEX th_cos ON th USING hnsw (v halfvec_cosine_ops);
CREATE INDEX th_l1 ON th USING hnsw (v halfvec_l1_ops);
SELECT c.relname, k.nodes, k.unreachable_nodes, k.heap_tuples_checked
FROM pg_class c, vecdb_index_check(c.oid::regclass, true) k
WHERE c.relname IN ('th_l2', 'th_ip', 'th_cos', 'th_l1') ORDER BY 1;

-- recall@10 against exact answers, 20 queries per operator, ef_search 100
CREATE TEMP TABLE q AS SELECT i AS q, v FROM th WHERE i % 150 = 0;
SET enable_indexscan = off;
CREATE TEMP TABLE exact AS
SELECT q.q, array(SELECT i FROM th ORDER BY th.v <-> q.v LIMIT 10) AS l2,
	array(SELECT i FROM th ORDER BY th.v <#> q.v LIMIT 10) AS ip,
	array(SELECT i FROM th ORDER BY th.v <=> q.v LIMIT 10) AS cos,
	array(SELECT i FROM th ORDER BY th.v <+> q.v LIMIT 10) AS l1
FROM q;
RESET enable_indexscan;
SET hnsw.ef_search = 100;
EXPLAIN (COSTS OFF) SELECT i FROM th ORDER BY v <=> (SELECT v FROM th WHERE i = 1) LIMIT 10;
CREATE TEMP TABLE approx AS
SELECT q.q, array(SELECT i FROM th ORDER BY th.v <-> q.v LIMIT 10) AS l2,
	array(SELECT i FROM th ORDER BY th.v <#> q.v LIMIT 10) AS ip,
	array(SELECT i FROM th ORDER BY th.v <=> q.v LIMIT 10) AS cos,
	array(SELECT i FROM th ORDER BY th.v <+> q.v LIMIT 10) AS l1
FROM q;
SELECT avg((SELECT count(*) FROM unnest(a.l2) x WHERE x = ANY (e.l2))) / 10 >= 0.95 AS l2_ok,
	avg((SELECT count(*) FROM unnest(a.ip) x WHERE x = ANY (e.ip))) / 10 >= 0.95 AS ip_ok,
	avg((SELECT count(*) FROM unnest(a.cos) x WHERE x = ANY (e.cos))) / 10 >= 0.95 AS cos_ok,
	avg((SELECT count(*) FROM unnest(a.l1) x WHERE x = ANY (e.l1))) / 10 >= 0.95 AS l1_ok
FROM exact e JOIN approx a USING (q);
RESET hnsw.ef_search;

-- deletes and VACUUM
DELETE FROM th WHERE i % 2 = 0;
VACUUM th;
SELECT nodes, deleted_nodes, unreachable_nodes, heap_tuples_checked FROM vecdb_index_check('th_cos', true);

-- the pattern for large models: a vector column indexed as halfvec keeps a
-- 3,072-dimension node inline in one page (no chunk tuples)
CREATE TABLE tb (i int, v vector(3072));
INSERT INTO tb SELECT i, (SELECT array_agg(random() - 0.5) FROM generate_series(1, 3072) WHERE i > 0)::vector
FROM generate_series(1, 30) i;
CREATE INDEX tb_idx ON tb USING hnsw ((v::halfvec(3072)) halfvec_cosine_ops);
SELECT nodes, chunks, unreachable_nodes FROM vecdb_index_check('tb_idx');
SELECT i FROM tb ORDER BY v::halfvec(3072) <=> (SELECT v FROM tb WHERE i = 7)::halfvec(3072) LIMIT 1;

-- a zero vector is not indexed under cosine, and a query for one orders nothing
INSERT INTO th VALUES (0, array_fill(0, ARRAY[32])::halfvec);
SELECT count(*) FROM (SELECT i FROM th ORDER BY v <=> array_fill(0, ARRAY[32])::halfvec LIMIT 5) s;
RESET enable_seqscan;
DROP TABLE th, tb;
