-- Recall@10 at default settings on a deterministic 10,000 x 128 dataset.
-- Like real embeddings, the points lie near a low-dimensional manifold:
-- each is a fixed smooth function of 12 random latent coordinates.  The
-- 100 queries are drawn the same way (not from the base set).

SELECT setseed(0.2024);
CREATE TABLE lat AS
SELECT i, ARRAY[random(), random(), random(), random(), random(), random(), random(), random(), random(), random(), random(), random()] AS z
FROM generate_series(1, 10100) i;
CREATE FUNCTION embed(z float8[], n int DEFAULT 128) RETURNS vector LANGUAGE sql IMMUTABLE AS $$
	SELECT array_agg(sin(z[1] * (2 + j % 13) * 2 + 7 * j) +
			sin(z[2] * (2 + j % 7) * 2 + 1 * j) +
			sin(z[3] * (2 + j % 11) * 2 + 5 * j) +
			sin(z[4] * (2 + j % 3) * 2 + 3 * j) +
			sin(z[5] * (2 + j % 3) * 2 + 11 * j) +
			sin(z[6] * (2 + j % 11) * 2 + 5 * j) +
			sin(z[7] * (2 + j % 11) * 2 + 2 * j) +
			sin(z[8] * (2 + j % 13) * 2 + 5 * j) +
			sin(z[9] * (2 + j % 3) * 2 + 5 * j) +
			sin(z[10] * (2 + j % 11) * 2 + 7 * j) +
			sin(z[11] * (2 + j % 5) * 2 + 13 * j) +
			sin(z[12] * (2 + j % 5) * 2 + 2 * j)
		ORDER BY j)::vector
	FROM generate_series(1, n) j
$$;
CREATE TABLE rv AS SELECT i AS id, embed(z)::vector(128) AS v FROM lat WHERE i <= 10000;
CREATE TABLE rq AS SELECT i - 10000 AS q, embed(z) AS v FROM lat WHERE i > 10000;
CREATE INDEX rv_idx ON rv USING hnsw (v vector_l2_ops);

SET enable_indexscan = off;
CREATE TEMP TABLE exact AS
SELECT q, array(SELECT id FROM rv ORDER BY rv.v <-> rq.v LIMIT 10) AS ids FROM rq;
RESET enable_indexscan;
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM rv ORDER BY v <-> (SELECT v FROM rq WHERE q = 1) LIMIT 10;
CREATE TEMP TABLE approx AS
SELECT q, array(SELECT id FROM rv ORDER BY rv.v <-> rq.v LIMIT 10) AS ids FROM rq;
RESET enable_seqscan;
SELECT avg((SELECT count(*) FROM unnest(a.ids) x WHERE x = ANY (e.ids))) / 10 >= 0.95 AS recall_ok
FROM exact e JOIN approx a USING (q);
-- a fresh build links every node a search could not reach
SELECT heap_tuples_checked, unreachable_nodes FROM vecdb_index_check('rv_idx', true);

-- The same under cosine, whose scans measure unit vectors by L2 so that far
-- nodes can be abandoned early (checked every 128 floats, hence 384
-- dimensions): recall as above, and every answer comes back in the order of
-- its exact cosine distances.
DROP TABLE rv, rq;
CREATE TABLE rv AS SELECT i AS id, embed(z, 384)::vector(384) AS v FROM lat WHERE i <= 10000;
CREATE TABLE rq AS SELECT i - 10000 AS q, embed(z, 384) AS v FROM lat WHERE i > 10000;
CREATE INDEX rv_cos ON rv USING hnsw (v vector_cosine_ops);
SET enable_indexscan = off;
CREATE TEMP TABLE exact_cos AS
SELECT q, array(SELECT id FROM rv ORDER BY rv.v <=> rq.v LIMIT 10) AS ids FROM rq;
RESET enable_indexscan;
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM rv ORDER BY v <=> (SELECT v FROM rq WHERE q = 1) LIMIT 10;
CREATE TEMP TABLE approx_cos AS
SELECT q, array(SELECT id FROM rv ORDER BY rv.v <=> rq.v LIMIT 10) AS ids FROM rq;
RESET enable_seqscan;
SELECT avg((SELECT count(*) FROM unnest(a.ids) x WHERE x = ANY (e.ids))) / 10 >= 0.95 AS recall_ok
FROM exact_cos e JOIN approx_cos a USING (q);
SELECT count(*) AS out_of_order
FROM (SELECT q, n, d, lag(d) OVER (PARTITION BY q ORDER BY n) AS prev
	  FROM approx_cos a JOIN rq USING (q),
		   unnest(a.ids) WITH ORDINALITY u(id, n)
		   JOIN rv ON rv.id = u.id,
		   LATERAL (SELECT rv.v <=> rq.v AS d) dd) x
WHERE d < prev - 1e-6;
DROP TABLE lat, rv, rq;
DROP FUNCTION embed(float8[], int);
