-- Identical vectors: one node per distinct vector holds every heap TID
-- (three inline, the rest in TID list tuples), so an index scan returns
-- all of them, whatever ef_search, and every node stays reachable.

SET enable_seqscan = off;

-- 10,000 copies of one vector, built: one node, every row returned
CREATE TABLE dup (id int, v vector(3));
INSERT INTO dup SELECT g, '[1,2,3]' FROM generate_series(1, 10000) g;
CREATE INDEX dup_idx ON dup USING hnsw (v vector_l2_ops);
SELECT nodes, heap_tids, unreachable_nodes, heap_tuples_checked
FROM vecdb_index_check('dup_idx', true);
SET hnsw.iterative_scan = relaxed_order;
SELECT count(*), count(DISTINCT id) FROM (SELECT id FROM dup ORDER BY v <-> '[1,2,3]' LIMIT 100000) s;
RESET hnsw.iterative_scan;
-- even without iterative scan: the one node carries them all
SELECT count(*) FROM (SELECT id FROM dup ORDER BY v <-> '[1,2,3]') s;

-- VACUUM drops dead TIDs from the lists; the node stays while one is left
DELETE FROM dup WHERE id % 10 <> 0;
VACUUM dup;
SELECT nodes, deleted_nodes, heap_tids, heap_tuples_checked
FROM vecdb_index_check('dup_idx', true);
SELECT count(*) FROM (SELECT id FROM dup ORDER BY v <-> '[1,2,3]') s;
-- new copies reuse the emptied list room and the node
INSERT INTO dup SELECT g, '[1,2,3]' FROM generate_series(20001, 20500) g;
SELECT nodes, heap_tids FROM vecdb_index_check('dup_idx', true);
-- a node whose rows are all gone, inline and in lists, is freed
DELETE FROM dup;
VACUUM dup;
SELECT pages > 0 AS has_pages, nodes, deleted_nodes, heap_tids FROM vecdb_index_check('dup_idx', true);
INSERT INTO dup VALUES (1, '[1,2,3]'), (2, '[3,2,1]');
SELECT id FROM dup ORDER BY v <-> '[1,2,3]' LIMIT 5;
DROP TABLE dup;

-- 1,000 copies inserted one at a time into an empty index: one node
CREATE TABLE dup (id int, v vector(3));
CREATE INDEX dup_idx ON dup USING hnsw (v vector_l2_ops);
DO $$
BEGIN
	FOR i IN 1..1000 LOOP
		INSERT INTO dup VALUES (i, '[0,0,0]');
	END LOOP;
END
$$;
SELECT nodes, heap_tids, unreachable_nodes, heap_tuples_checked
FROM vecdb_index_check('dup_idx', true);
SELECT count(*) FROM (SELECT id FROM dup ORDER BY v <-> '[0,0,0]') s;
DROP TABLE dup;

-- pgvector's case: 20 copies, ef_search 1 and 2 return all 20
CREATE TABLE t20 (v vector(3));
INSERT INTO t20 SELECT '[1,1,1]' FROM generate_series(1, 20);
CREATE INDEX ON t20 USING hnsw (v vector_l2_ops);
SET hnsw.ef_search = 1;
SELECT count(*) FROM (SELECT * FROM t20 ORDER BY v <-> '[1,1,1]') s;
SET hnsw.ef_search = 2;
SELECT count(*) FROM (SELECT * FROM t20 ORDER BY v <-> '[1,1,1]') s;
RESET hnsw.ef_search;
DROP TABLE t20;

-- Duplicate-heavy data under every metric: 50 distinct vectors, 40 copies
-- each, built and then inserted; every row comes back, nodes = 50
CREATE TABLE dm (id int, v vector(8));
CREATE FUNCTION dm_vec(k int) RETURNS vector LANGUAGE sql IMMUTABLE AS $$
	SELECT array_agg(((k * 7919 + j * 104729) % 1000) / 100.0 + 0.5 ORDER BY j)::vector(8)
	FROM generate_series(1, 8) j
$$;
INSERT INTO dm SELECT g, dm_vec(g % 50) FROM generate_series(1, 1000) g;
CREATE INDEX dm_l2 ON dm USING hnsw (v vector_l2_ops);
CREATE INDEX dm_ip ON dm USING hnsw (v vector_ip_ops);
CREATE INDEX dm_cos ON dm USING hnsw (v vector_cosine_ops);
CREATE INDEX dm_l1 ON dm USING hnsw (v vector_l1_ops);
INSERT INTO dm SELECT g, dm_vec(g % 50) FROM generate_series(1001, 2000) g;
SELECT i.relname, c.nodes, c.heap_tids, c.unreachable_nodes, c.heap_tuples_checked
FROM pg_class i, vecdb_index_check(i.oid, true) c
WHERE i.relname IN ('dm_l2', 'dm_ip', 'dm_cos', 'dm_l1') ORDER BY 1;
SET hnsw.iterative_scan = relaxed_order;
SET hnsw.ef_search = 10;
SELECT (SELECT count(*) FROM (SELECT id FROM dm ORDER BY v <-> dm_vec(3) LIMIT 5000) s) AS l2,
	(SELECT count(*) FROM (SELECT id FROM dm ORDER BY v <#> dm_vec(3) LIMIT 5000) s) AS ip,
	(SELECT count(*) FROM (SELECT id FROM dm ORDER BY v <=> dm_vec(3) LIMIT 5000) s) AS cos,
	(SELECT count(*) FROM (SELECT id FROM dm ORDER BY v <+> dm_vec(3) LIMIT 5000) s) AS l1;
-- the nearest 40 rows under L2 are exactly the copies of the query
SELECT count(*) FILTER (WHERE v = dm_vec(3)) AS copies
FROM (SELECT v FROM dm ORDER BY v <-> dm_vec(3) LIMIT 40) s;
RESET hnsw.iterative_scan;
RESET hnsw.ef_search;
DROP TABLE dm;
DROP FUNCTION dm_vec;

-- Large vectors (in chunks) share a node the same way
CREATE TABLE dx (id int, v vector(2100));
INSERT INTO dx SELECT g, array_fill((g % 3)::real + 1, ARRAY[2100])::vector FROM generate_series(1, 30) g;
CREATE INDEX dx_idx ON dx USING hnsw (v vector_l2_ops);
INSERT INTO dx SELECT g, array_fill((g % 3)::real + 1, ARRAY[2100])::vector FROM generate_series(31, 60) g;
SELECT nodes, chunks, heap_tids, unreachable_nodes, heap_tuples_checked
FROM vecdb_index_check('dx_idx', true);
SELECT count(*) FROM (SELECT id FROM dx ORDER BY v <-> array_fill(2::real, ARRAY[2100])::vector LIMIT 100) s;
DROP TABLE dx;
