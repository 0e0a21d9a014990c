-- Iterative scans: a selective filter still gets LIMIT rows.

CREATE TABLE it (id int, cat int, v vector(2));
INSERT INTO it SELECT i, i % 100, ARRAY[cos(i * 0.001) * (1 + i % 7), sin(i * 0.001) * (1 + i % 7)]
FROM generate_series(1, 20000) i;
CREATE INDEX ON it USING hnsw (v vector_l2_ops);
ANALYZE it;
SET enable_seqscan = off;
SET hnsw.ef_search = 10;

-- 1% of rows match: without iterative scans, too few come back (the ten
-- nodes found hold about one match)
SELECT count(*) < 5 AS too_few FROM (SELECT id FROM it WHERE cat = 7 ORDER BY v <-> '[1,1]' LIMIT 20) s;

SET hnsw.iterative_scan = relaxed_order;
SELECT count(*) FROM (SELECT id FROM it WHERE cat = 7 ORDER BY v <-> '[1,1]' LIMIT 20) s;
-- relaxed order: the rows are right, recheck their order outside
WITH r AS MATERIALIZED (
	SELECT id, v <-> '[1,1]' AS d FROM it WHERE cat = 7 ORDER BY v <-> '[1,1]' LIMIT 20
)
SELECT count(*) FROM r;

SET hnsw.iterative_scan = strict_order;
-- strict order: what comes back is ordered
SELECT bool_and(ok) FROM (
	SELECT d >= lag(d, 1, 0::float8) OVER (ORDER BY rn) AS ok
	FROM (SELECT row_number() OVER () AS rn, v <-> '[1,1]' AS d
		  FROM (SELECT v FROM it WHERE cat = 7 ORDER BY v <-> '[1,1]' LIMIT 20) q) s
) t;
SELECT count(*) FROM (SELECT id FROM it WHERE cat = 7 ORDER BY v <-> '[1,1]' LIMIT 20) s;

-- the bound: max_scan_tuples stops the search, what was found is returned
SET hnsw.iterative_scan = relaxed_order;
SET hnsw.max_scan_tuples = 100;
SELECT count(*) < 20 AS bounded FROM (SELECT id FROM it WHERE cat = 7 ORDER BY v <-> '[1,1]' LIMIT 20) s;
RESET hnsw.max_scan_tuples;

-- a filter that nothing passes ends instead of scanning forever
SELECT count(*) FROM (SELECT id FROM it WHERE cat = 1000 ORDER BY v <-> '[1,1]' LIMIT 5) s;

RESET ALL;
DROP TABLE it;
