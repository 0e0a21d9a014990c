-- HNSW: exact answers on small data for every operator class, EXPLAIN,
-- NULLs and zero vectors, inserts after build, the cost model.

CREATE TABLE items (id int PRIMARY KEY, v vector(3));
INSERT INTO items VALUES
	(1, '[1,1,1]'), (2, '[2,2,2]'), (3, '[1,1,2]'), (4, '[-1,-1,-1]'), (5, '[0,0,0]'),
	(6, '[3,0,0]'), (7, NULL), (8, '[0,-2,1]'), (9, '[5,5,5]'), (10, '[1,0,0]');

SET enable_seqscan = off;

CREATE INDEX items_l2 ON items USING hnsw (v vector_l2_ops);
EXPLAIN (COSTS OFF) SELECT id FROM items ORDER BY v <-> '[1,1,1]' LIMIT 3;
SELECT id, round((v <-> '[1,1,1]')::numeric, 4) AS d FROM items ORDER BY v <-> '[1,1,1]' LIMIT 3;
SELECT id FROM items ORDER BY v <-> '[4,4,4]' LIMIT 3;
-- every non-NULL row comes back, NULL never does
SELECT count(*) FROM (SELECT id FROM items ORDER BY v <-> '[0,0,0]' LIMIT 100) s;
DROP INDEX items_l2;

CREATE INDEX items_ip ON items USING hnsw (v vector_ip_ops);
EXPLAIN (COSTS OFF) SELECT id FROM items ORDER BY v <#> '[1,1,1]' LIMIT 3;
SELECT id, v <#> '[1,1,1]' AS d FROM items ORDER BY v <#> '[1,1,1]' LIMIT 3;
DROP INDEX items_ip;

CREATE INDEX items_cos ON items USING hnsw (v vector_cosine_ops);
EXPLAIN (COSTS OFF) SELECT id FROM items ORDER BY v <=> '[1,1,1]' LIMIT 3;
-- ties (1, 2, 9 are all parallel to the query) come in any order: sort them
SELECT array_agg(id ORDER BY id) FROM (SELECT id FROM items ORDER BY v <=> '[1,1,1]' LIMIT 3) s;
-- the zero vector (id 5) is not indexed for cosine, as in pgvector
SELECT count(*) FROM (SELECT id FROM items ORDER BY v <=> '[1,1,1]' LIMIT 100) s;
-- a zero query vector returns rows in no particular order
SELECT count(*) FROM (SELECT id FROM items ORDER BY v <=> '[0,0,0]' LIMIT 100) s;
DROP INDEX items_cos;

CREATE INDEX items_l1 ON items USING hnsw (v vector_l1_ops);
EXPLAIN (COSTS OFF) SELECT id FROM items ORDER BY v <+> '[1,1,1]' LIMIT 3;
SELECT id, v <+> '[1,1,1]' AS d FROM items ORDER BY v <+> '[1,1,1]' LIMIT 3;
DROP INDEX items_l1;

-- index on an empty table, then inserts (including the first node)
CREATE TABLE empty_t (id int, v vector(2));
CREATE INDEX ON empty_t USING hnsw (v vector_l2_ops);
SELECT id FROM empty_t ORDER BY v <-> '[0,0]' LIMIT 1;
INSERT INTO empty_t VALUES (1, '[1,1]');
SELECT id FROM empty_t ORDER BY v <-> '[0,0]' LIMIT 1;
INSERT INTO empty_t SELECT i, ARRAY[i, -i] FROM generate_series(2, 300) i;
INSERT INTO empty_t VALUES (1000, NULL);
SELECT id FROM empty_t ORDER BY v <-> '[10.1,-10.1]' LIMIT 3;
SELECT count(*) FROM (SELECT id FROM empty_t ORDER BY v <-> '[0,0]' LIMIT 40) s;
SELECT nodes, deleted_nodes, heap_tids, heap_tuples_checked FROM vecdb_index_check('empty_t_v_idx', true);

-- duplicates share nodes: every copy is still returned
CREATE TABLE dup (id int, v vector(2));
INSERT INTO dup SELECT i, '[1,1]' FROM generate_series(1, 12) i;
INSERT INTO dup SELECT i, ARRAY[i, i] FROM generate_series(13, 40) i;
CREATE INDEX ON dup USING hnsw (v vector_l2_ops);
INSERT INTO dup SELECT i, '[1,1]' FROM generate_series(41, 50) i;
SELECT count(*) FROM (SELECT id FROM dup ORDER BY v <-> '[1,1]' LIMIT 22) s WHERE id <= 12 OR id > 40;
SELECT nodes < heap_tids AS shared FROM vecdb_index_check('dup_v_idx', true);

-- the query may be NULL: rows come back, order undefined
SELECT count(*) FROM (SELECT id FROM dup ORDER BY v <-> NULL LIMIT 5) s;

-- a query of the wrong dimension is an error
SELECT id FROM dup ORDER BY v <-> '[1,1,1]' LIMIT 1;

-- without ORDER BY the index is never used
EXPLAIN (COSTS OFF) SELECT id FROM items WHERE v IS NOT NULL;
RESET enable_seqscan;

-- the cost model: a tiny table is sorted, a larger one uses the index
EXPLAIN (COSTS OFF) SELECT id FROM dup ORDER BY v <-> '[3,3]' LIMIT 5;
CREATE TABLE big (id int, v vector(8));
INSERT INTO big SELECT i, ARRAY[sin(i), cos(i), sin(2*i), cos(2*i), sin(3*i), cos(3*i), sin(5*i), cos(5*i)]
FROM generate_series(1, 20000) i;
CREATE INDEX big_idx ON big USING hnsw (v vector_l2_ops);
ANALYZE big;
EXPLAIN (COSTS OFF) SELECT id FROM big ORDER BY v <-> '[1,0,0,1,0,1,0,1]' LIMIT 10;

-- unlogged and temporary tables
CREATE UNLOGGED TABLE ul (id int, v vector(2));
CREATE INDEX ON ul USING hnsw (v vector_l2_ops);
INSERT INTO ul SELECT i, ARRAY[i, 0] FROM generate_series(1, 50) i;
SET enable_seqscan = off;
SELECT id FROM ul ORDER BY v <-> '[7.1,0]' LIMIT 2;
CREATE TEMP TABLE tt (id int, v vector(2));
INSERT INTO tt SELECT i, ARRAY[0, i] FROM generate_series(1, 50) i;
CREATE INDEX ON tt USING hnsw (v vector_l2_ops);
SELECT id FROM tt ORDER BY v <-> '[0,9.1]' LIMIT 2;
RESET enable_seqscan;

-- an expression index (unconstrained column cast to a dimension)
CREATE TABLE mixed (id int, v vector);
INSERT INTO mixed VALUES (1, '[1,2]'), (2, '[1,2,3]'), (3, '[2,2]'), (4, '[3,2]');
CREATE INDEX ON mixed USING hnsw ((v::vector(2)) vector_l2_ops) WHERE vector_dims(v) = 2;
SET enable_seqscan = off;
SELECT id FROM mixed WHERE vector_dims(v) = 2 ORDER BY v::vector(2) <-> '[3,2]' LIMIT 2;
RESET enable_seqscan;

DROP TABLE items, empty_t, dup, big, ul, tt, mixed;

-- a non-HOT UPDATE that keeps the vector adds the new heap TID to the
-- existing node (no new node, no full search)
CREATE TABLE upd (id int, tag int, v vector(3));
CREATE INDEX upd_tag ON upd (tag);
INSERT INTO upd SELECT i, 0, ARRAY[i, i % 7, i % 13] FROM generate_series(1, 200) i;
CREATE INDEX upd_v ON upd USING hnsw (v vector_l2_ops);
SELECT nodes, heap_tids FROM vecdb_index_check('upd_v');
UPDATE upd SET tag = 1;
SELECT nodes, heap_tids, heap_tuples_checked FROM vecdb_index_check('upd_v', true);
VACUUM upd;
SELECT nodes, heap_tids, heap_tuples_checked FROM vecdb_index_check('upd_v', true);
-- changing the vector does make a new node
UPDATE upd SET v = v + '[1000,0,0]' WHERE id <= 10;
SELECT nodes, heap_tids FROM vecdb_index_check('upd_v');
SET enable_seqscan = off;
SELECT id FROM upd ORDER BY v <-> '[1005,5,5]' LIMIT 1;
RESET enable_seqscan;
DROP TABLE upd;
