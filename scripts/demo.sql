-- scripts/demo.sql: what the demo shows.
\pset footer off
CREATE EXTENSION IF NOT EXISTS vecdb;
SELECT vecdb_version() AS vecdb, family, name AS distance_kernels FROM vecdb_kernels() WHERE in_use;

SET client_min_messages = warning;
DROP TABLE IF EXISTS items;
RESET client_min_messages;
CREATE TABLE items (id bigserial PRIMARY KEY, label text, embedding vector(3));

-- 5,000 points on three clusters, deterministic
SELECT setseed(0.42) \gset
INSERT INTO items (label, embedding)
SELECT 'cluster ' || c,
       ARRAY[c * 10 + random(), c * 10 + random(), c * 10 + random()]::vector(3)
FROM generate_series(1, 5000) i, LATERAL (SELECT i % 3 AS c) s;
SELECT count(*) AS rows_loaded FROM items;

\echo
\echo 5 nearest neighbours of [10.5,10.5,10.5] by L2 distance (<->):
SELECT id, label, embedding, round((embedding <-> '[10.5,10.5,10.5]')::numeric, 4) AS l2
FROM items ORDER BY embedding <-> '[10.5,10.5,10.5]' LIMIT 5;

\echo 3 nearest by cosine distance (<=>) to [1,0,0]:
SELECT id, label, embedding, round((embedding <=> '[1,0,0]')::numeric, 6) AS cosine
FROM items ORDER BY embedding <=> '[1,0,0]' LIMIT 3;

\echo Average vector per cluster:
SELECT label, avg(embedding) AS centroid FROM items GROUP BY label ORDER BY label;

\echo An HNSW index, and the plan that uses it:
CREATE INDEX items_embedding_idx ON items USING hnsw (embedding vector_l2_ops) WITH (m = 16, ef_construction = 64);
SET hnsw.ef_search = 40;
EXPLAIN (COSTS OFF) SELECT id FROM items ORDER BY embedding <-> '[10.5,10.5,10.5]' LIMIT 5;
SELECT id, label, embedding, round((embedding <-> '[10.5,10.5,10.5]')::numeric, 4) AS l2
FROM items ORDER BY embedding <-> '[10.5,10.5,10.5]' LIMIT 5;

\echo With a selective filter, an iterative scan still returns LIMIT rows:
SET hnsw.iterative_scan = relaxed_order;
SELECT id, label, round((embedding <-> '[10.5,10.5,10.5]')::numeric, 4) AS l2
FROM items WHERE label = 'cluster 2' ORDER BY embedding <-> '[10.5,10.5,10.5]' LIMIT 3;

\echo Filter columns: the condition is tested inside the graph walk (Index Cond;
\echo the index is forced here: on 5,000 rows of 3 numbers a sequential scan is cheaper):
RESET hnsw.iterative_scan;
SET enable_seqscan = off;
CREATE INDEX items_filtered_idx ON items USING hnsw (embedding vector_l2_ops, label);
EXPLAIN (COSTS OFF) SELECT id FROM items WHERE label = 'cluster 2'
ORDER BY embedding <-> '[10.5,10.5,10.5]' LIMIT 3;
SELECT id, label, round((embedding <-> '[10.5,10.5,10.5]')::numeric, 4) AS l2
FROM items WHERE label = 'cluster 2' ORDER BY embedding <-> '[10.5,10.5,10.5]' LIMIT 3;
SELECT nodes_measured, rows_returned FROM vecdb_last_scan();
RESET enable_seqscan;

\echo The structure check, the shape of the graph and its estimated recall at 10:
SELECT * FROM vecdb_index_check('items_embedding_idx', true);
SELECT format_version, live_nodes, levels, nodes_per_level,
	array(SELECT round(d::numeric, 1) FROM unnest(avg_degree) d) AS avg_degree, min_degree
FROM vecdb_index_stats('items_embedding_idx');
SELECT round(vecdb_recall('items_embedding_idx', sample => 50)::numeric, 3) AS recall_at_10;
