-- vecdb_index_stats: the shape of an hnsw graph and the checker's counts
SELECT setseed(0.5);
CREATE TABLE st (id int, v vector(16));
INSERT INTO st SELECT g, (SELECT array_agg(random()) FROM generate_series(1, 16) WHERE g > 0)
FROM generate_series(1, 2000) g;
CREATE INDEX st_idx ON st USING hnsw (v vector_l2_ops) WITH (m = 8);
SELECT format_version, live_nodes, deleted_nodes, heap_tids, unreachable_nodes,
	levels >= 2 AS several_levels,
	(SELECT sum(n) FROM unnest(nodes_per_level) n) = live_nodes AS levels_add_up,
	avg_degree[1] BETWEEN 8 AND 16 AS layer0_avg_degree_ok,
	min_degree[1] >= 1 AS every_node_linked,
	avg_degree[2] BETWEEN 1 AND 8 AS layer1_avg_degree_ok,
	bytes_per_vector, external_vectors, pages > 1 AS has_pages
FROM vecdb_index_stats('st_idx');
DELETE FROM st WHERE id % 4 = 0;
SELECT live_nodes, deleted_nodes, heap_tids FROM vecdb_index_stats('st_idx');
VACUUM st;
SELECT live_nodes, deleted_nodes, heap_tids, unreachable_nodes, min_degree[1] >= 1 AS every_node_linked
FROM vecdb_index_stats('st_idx');
-- an empty index, and what is not an hnsw index
CREATE TABLE st_empty (v vector(3));
CREATE INDEX st_empty_idx ON st_empty USING hnsw (v vector_l2_ops);
SELECT live_nodes, levels, nodes_per_level, unreachable_nodes FROM vecdb_index_stats('st_empty_idx');
CREATE INDEX st_btree ON st (id);
SELECT * FROM vecdb_index_stats('st_btree');
-- superusers only, as the checker
CREATE ROLE vecdb_stats_user;
SET ROLE vecdb_stats_user;
SELECT * FROM vecdb_index_stats('st_idx');
-- the VACUUM progress view is readable by all, as core's are
SELECT count(*) >= 0 AS readable FROM vecdb_stat_progress_vacuum;
RESET ROLE;
SELECT attname FROM pg_attribute
WHERE attrelid = 'vecdb_stat_progress_vacuum'::regclass AND attnum > 0 ORDER BY attnum;
DROP ROLE vecdb_stats_user;
DROP TABLE st, st_empty;

-- vecdb_recall: recall@k of the index at the session's settings
SELECT setseed(0.75);
CREATE TABLE rc (id int, v vector(8));
INSERT INTO rc SELECT g, (SELECT array_agg(random()) FROM generate_series(1, 8) WHERE g > 0)
FROM generate_series(1, 3000) g;
CREATE INDEX rc_idx ON rc USING hnsw (v vector_l2_ops) WITH (m = 4, ef_construction = 8);
SET hnsw.ef_search = 200;
SELECT vecdb_recall('rc_idx', sample => 20, k => 5) >= 0.95 AS high_at_ef_200;
SET hnsw.ef_search = 1;
SELECT vecdb_recall('rc_idx', sample => 50, k => 20) < 0.9 AS lower_at_ef_1;
RESET hnsw.ef_search;
SHOW enable_seqscan;
SELECT vecdb_recall('rc_idx', sample => 0);
SELECT vecdb_recall('rc', 10);
DROP TABLE rc;

-- vecdb_last_scan: the counters of this backend's last hnsw scan
CREATE TABLE ls (id int, v vector(2), cat int);
INSERT INTO ls SELECT g, ARRAY[g, g], g % 10 FROM generate_series(1, 1000) g;
CREATE INDEX ls_idx ON ls USING hnsw (v vector_l2_ops, cat);
SET enable_seqscan = off;
SELECT count(*) FROM (SELECT id FROM ls ORDER BY v <-> '[5,5]' LIMIT 7) s;
SELECT index, nodes_measured > 7 AS measured, rows_returned, iterative_rounds, filtered
FROM vecdb_last_scan();
SELECT count(*) FROM (SELECT id FROM ls WHERE cat = 3 ORDER BY v <-> '[5,5]' LIMIT 7) s;
SELECT index, rows_returned, filtered FROM vecdb_last_scan();
SET hnsw.iterative_scan = relaxed_order;
SET hnsw.ef_search = 10;
SELECT count(*) FROM (SELECT id FROM ls ORDER BY v <-> '[5,5]' LIMIT 300) s;
SELECT rows_returned, iterative_rounds > 0 AS resumed FROM vecdb_last_scan();
RESET hnsw.iterative_scan;
RESET hnsw.ef_search;
RESET enable_seqscan;
DROP TABLE ls;
