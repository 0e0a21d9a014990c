-- vecdb_stat_indexes: cumulative counters of hnsw scans per index; each
-- scan adds what vecdb_last_scan reports for it
SELECT setseed(0.25);
CREATE TABLE ss (id int, v vector(8));
INSERT INTO ss SELECT g, (SELECT array_agg(random()) FROM generate_series(1, 8) WHERE g > 0)
FROM generate_series(1, 2000) g;
CREATE INDEX ss_idx ON ss USING hnsw (v vector_l2_ops) WITH (m = 8);
CREATE INDEX ss_q_idx ON ss USING hnsw (v vector_l2_ops) WITH (m = 8, quantization = int8);
CREATE INDEX ss_id_idx ON ss (id);
SET enable_seqscan = off;
SELECT vecdb_stat_reset();
SELECT count(*) FROM vecdb_stat_indexes();
-- seen: what vecdb_last_scan reported after each query
CREATE TEMP TABLE seen AS SELECT * FROM vecdb_last_scan() WHERE false;
-- stat_equals_seen: whether the index's cumulative counters are the sums of seen
CREATE FUNCTION stat_equals_seen(idx regclass) RETURNS boolean LANGUAGE sql AS $$
	SELECT (s.scans, s.nodes_measured, s.pages_read, s.rows_returned, s.iterative_rounds,
		s.rows_reranked) IS NOT DISTINCT FROM (x.scans, x.nodes, x.pages, x.rows, x.rounds, x.reranked)
	FROM (SELECT count(*) AS scans, sum(nodes_measured) AS nodes, sum(pages_read) AS pages,
			sum(rows_returned) AS rows, sum(iterative_rounds) AS rounds,
			sum(rows_reranked) AS reranked
		FROM seen WHERE index = idx) x
	LEFT JOIN vecdb_stat_indexes() s ON s.indexrelid = idx
$$;

-- one scan of ss_idx: its counters, and nothing else counted
SELECT count(*) FROM (SELECT id FROM ss ORDER BY v <-> (SELECT v FROM ss WHERE id = 1) LIMIT 5) s;
INSERT INTO seen SELECT * FROM vecdb_last_scan();
SELECT index, nodes_measured > 5 AS measured, pages_read > 0 AS read_pages, rows_returned,
	rows_reranked FROM seen;
SELECT stat_equals_seen('ss_idx');
SELECT count(*) FROM vecdb_stat_indexes();

-- a second scan, iterative: the counters grow by exactly its own
SET hnsw.iterative_scan = relaxed_order;
SET hnsw.ef_search = 10;
SELECT count(*) FROM (SELECT id FROM ss ORDER BY v <-> (SELECT v FROM ss WHERE id = 2) LIMIT 100) s;
INSERT INTO seen SELECT * FROM vecdb_last_scan();
SELECT iterative_rounds > 0 AS resumed FROM vecdb_last_scan();
SELECT stat_equals_seen('ss_idx');
SELECT scans, iterative_rounds > 0 AS resumed FROM vecdb_stat_indexes()
WHERE indexrelid = 'ss_idx'::regclass;
RESET hnsw.iterative_scan;
RESET hnsw.ef_search;

-- a quantized index counts the rows it re-ranked
DROP INDEX ss_idx;
SELECT count(*) FROM (SELECT id FROM ss ORDER BY v <-> (SELECT v FROM ss WHERE id = 3) LIMIT 5) s;
INSERT INTO seen SELECT * FROM vecdb_last_scan();
SELECT index, rows_returned, rows_reranked >= 5 AS reranked FROM vecdb_last_scan();
SELECT stat_equals_seen('ss_q_idx');

-- a rescan (one per outer row) is a scan of its own; all add up
SELECT count(*) FROM generate_series(1, 3) o(g),
	LATERAL (SELECT id FROM ss ORDER BY v <-> (SELECT v FROM ss WHERE id = o.g) LIMIT 2) s;
SELECT scans, rows_returned FROM vecdb_stat_indexes()
WHERE indexrelid = 'ss_q_idx'::regclass;

-- a btree index scan is not counted
SELECT count(*) FROM ss WHERE id = 7;
SELECT count(*) FROM vecdb_stat_indexes() WHERE indexrelid = 'ss_id_idx'::regclass;

-- the view names the index and its table
SELECT schemaname, relname, indexrelname, relid = 'ss'::regclass AS relid_ok, scans,
	scope = CASE WHEN current_setting('shared_preload_libraries') ~ 'vecdb'
		THEN 'server' ELSE 'session' END AS scope_ok
FROM vecdb_stat_user_indexes;

-- vecdb.track_scans = off: vecdb_last_scan still reports, nothing is added
CREATE TEMP TABLE before AS SELECT * FROM vecdb_stat_indexes();
SET vecdb.track_scans = off;
SELECT count(*) FROM (SELECT id FROM ss ORDER BY v <-> (SELECT v FROM ss WHERE id = 4) LIMIT 5) s;
SELECT index, rows_returned FROM vecdb_last_scan();
SELECT (SELECT string_agg(b::text, ' ' ORDER BY indexrelid) FROM before b)
	= (SELECT string_agg(s::text, ' ' ORDER BY indexrelid) FROM vecdb_stat_indexes() s)
	AS unchanged;
RESET vecdb.track_scans;
SELECT count(*) FROM (SELECT id FROM ss ORDER BY v <-> (SELECT v FROM ss WHERE id = 4) LIMIT 5) s;
SELECT s.scans - b.scans AS new_scans FROM vecdb_stat_indexes() s JOIN before b USING (indexrelid)
WHERE indexrelid = 'ss_q_idx'::regclass;

-- who may: everyone reads, only a superuser (or a role granted it) resets
CREATE ROLE vecdb_scan_stats_user;
SET ROLE vecdb_scan_stats_user;
SET vecdb.track_scans = off;  -- superuser only
SELECT count(*) > 0 AS readable FROM vecdb_stat_indexes();
SELECT count(*) > 0 AS view_readable FROM vecdb_stat_user_indexes;
SELECT vecdb_stat_reset();
RESET ROLE;
GRANT EXECUTE ON FUNCTION vecdb_stat_reset() TO vecdb_scan_stats_user;
SET ROLE vecdb_scan_stats_user;
SELECT vecdb_stat_reset();
RESET ROLE;
SELECT count(*) FROM vecdb_stat_indexes();
REVOKE EXECUTE ON FUNCTION vecdb_stat_reset() FROM vecdb_scan_stats_user;
DROP ROLE vecdb_scan_stats_user;

RESET enable_seqscan;
DROP FUNCTION stat_equals_seen(regclass);
DROP TABLE ss;
