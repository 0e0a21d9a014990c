-- VACUUM keeps recall and reachability.  pgvector's scenario: 10,000
-- random 3-d rows, m = 4, ef_construction = 8, 75% deleted: nearly every
-- list loses most of its links and nearly every node's path from the entry
-- point runs through a deleted node.  After VACUUM every row is reachable
-- and recall@20 at ef_search 20 (200 queries) stays at a fresh build's.

SELECT setseed(0.4242);
CREATE TABLE tv (i int, v vector(3)) WITH (autovacuum_enabled = off);
INSERT INTO tv SELECT i, ARRAY[random(), random(), random()] FROM generate_series(1, 10000) i;
CREATE TABLE tq AS SELECT q, ARRAY[random(), random(), random()]::vector(3) AS v
FROM generate_series(1, 200) q;
CREATE INDEX tv_idx ON tv USING hnsw (v vector_l2_ops) WITH (m = 4, ef_construction = 8);
DELETE FROM tv WHERE i > 2500;
VACUUM tv;
SELECT nodes, deleted_nodes, unreachable_nodes, heap_tuples_checked
FROM vecdb_index_check('tv_idx', true);

SET enable_indexscan = off;
CREATE TEMP TABLE exact AS
SELECT q, array(SELECT i FROM tv ORDER BY tv.v <-> tq.v LIMIT 20) AS ids FROM tq;
RESET enable_indexscan;
SET enable_seqscan = off;
SET hnsw.ef_search = 20;
EXPLAIN (COSTS OFF) SELECT i FROM tv ORDER BY v <-> (SELECT v FROM tq WHERE q = 1) LIMIT 20;
CREATE TEMP TABLE approx AS
SELECT q, array(SELECT i FROM tv ORDER BY tv.v <-> tq.v LIMIT 20) AS ids FROM tq;
RESET enable_seqscan;
RESET hnsw.ef_search;
SELECT avg((SELECT count(*) FROM unnest(a.ids) x WHERE x = ANY (e.ids))) / 20 >= 0.99 AS recall_ok
FROM exact e JOIN approx a USING (q);
DROP TABLE exact, approx;

-- Half of a 64-d table deleted: the same, every row reachable
CREATE TABLE th (i int, v vector(64)) WITH (autovacuum_enabled = off);
INSERT INTO th SELECT i, (SELECT array_agg(random()) FROM generate_series(1, 64) WHERE i > 0)::vector
FROM generate_series(1, 4000) i;
CREATE INDEX th_idx ON th USING hnsw (v vector_l2_ops);
DELETE FROM th WHERE i % 2 = 0;
VACUUM th;
SELECT nodes, deleted_nodes, unreachable_nodes, heap_tuples_checked
FROM vecdb_index_check('th_idx', true);
SET enable_seqscan = off;
SET hnsw.iterative_scan = relaxed_order;
SET hnsw.max_scan_tuples = 100000;
SELECT count(DISTINCT i) FROM (SELECT i FROM th ORDER BY v <-> (SELECT v FROM th LIMIT 1) LIMIT 10000) s;
RESET ALL;
DROP TABLE tv, tq, th;

-- A contiguous half of the points on a line deleted: when the entry point
-- moves to a live node at the edge of the deleted region, the live nodes
-- beyond it must still be relinked (30 builds: random levels put the
-- entry point there in some of them)
CREATE TABLE tl (i int, v vector(2)) WITH (autovacuum_enabled = off);
CREATE TABLE tl_check (unreachable bigint);
\set ECHO none
SELECT stmt FROM generate_series(1, 30) g, LATERAL (VALUES
	(1, 'TRUNCATE tl'),
	(2, 'INSERT INTO tl SELECT i, ARRAY[i, 0] FROM generate_series(1, 300) i'),
	(3, 'CREATE INDEX tl_idx ON tl USING hnsw (v vector_l2_ops)'),
	(4, 'DELETE FROM tl WHERE i BETWEEN 3 AND 150'),
	(5, 'VACUUM tl'),
	(6, 'INSERT INTO tl_check SELECT unreachable_nodes FROM vecdb_index_check(''tl_idx'')'),
	(7, 'DROP INDEX tl_idx')) AS s(k, stmt)
ORDER BY g, k \gexec
\set ECHO all
SELECT count(*) AS builds, count(*) FILTER (WHERE unreachable > 0) AS with_unreachable
FROM tl_check;
DROP TABLE tl, tl_check;
