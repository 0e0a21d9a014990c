-- A filtered walk at 1% selectivity (src/README, "HNSW: filter columns"):
-- 10,000 rows of 32 dimensions, a filter column of 100 values drawn per
-- row (uncorrelated with the vectors), 50 queries.  At such a selectivity
-- the walk measures about 100 nodes per match; with hnsw.max_scan_tuples at
-- 4,000 it holds ef_search (40) matches near that limit, and stopping there
-- scored recall@10 about 0.95.  A walk that holds ef_search matches may go
-- on converging to twice the limit, so some walks measure more than the
-- limit and none more than twice it; a value no row holds still stops at
-- the limit.
SELECT setseed(0.17);
CREATE TABLE fw AS SELECT g AS id,
	(SELECT array_agg(random() + random() + random() - 1.5)
	 FROM generate_series(1, 32) WHERE g > 0)::vector(32) AS v,
	(random() * 100)::int % 100 AS c
FROM generate_series(1, 10000) g;
CREATE TABLE fwq AS SELECT g AS q,
	(SELECT array_agg(random() + random() + random() - 1.5)
	 FROM generate_series(1, 32) WHERE g > 0)::vector(32) AS v,
	g % 100 AS c
FROM generate_series(1, 50) g;
CREATE INDEX fw_idx ON fw USING hnsw (v vector_cosine_ops, c);
SET enable_indexscan = off;
CREATE TEMP TABLE fw_exact AS SELECT q, array(SELECT id FROM fw WHERE fw.c = fwq.c
	ORDER BY fw.v <=> fwq.v LIMIT 10) AS ids FROM fwq;
RESET enable_indexscan;
CREATE FUNCTION fw_walk(vq vector, cq int, OUT ids int[], OUT nodes bigint)
LANGUAGE plpgsql AS $$
BEGIN
	ids := array(SELECT id FROM fw WHERE fw.c = cq ORDER BY fw.v <=> vq LIMIT 10);
	SELECT nodes_measured INTO nodes FROM vecdb_last_scan();
END $$;
SET enable_seqscan = off;
SET hnsw.max_scan_tuples = 4000;
CREATE TEMP TABLE fw_index AS SELECT q, w.* FROM fwq, LATERAL fw_walk(v, c) w;
SELECT avg((SELECT count(*) FROM unnest(i.ids) x WHERE x = ANY (e.ids))) / 10 >= 0.96 AS recall_ok,
	min(cardinality(i.ids)) AS min_rows,
	max(i.nodes) > 4000 + 64 AS some_walk_went_on,
	max(i.nodes) <= 2 * 4000 + 64 AS within_twice_the_limit
FROM fw_exact e JOIN fw_index i USING (q);
-- no row holds the value: the walk never holds ef_search matches
SELECT cardinality(ids) AS rows, nodes <= 4000 + 64 AS stopped_at_limit
FROM fw_walk((SELECT v FROM fwq WHERE q = 1), 100);
RESET hnsw.max_scan_tuples;
RESET enable_seqscan;
DROP FUNCTION fw_walk;
DROP TABLE fw, fwq;
