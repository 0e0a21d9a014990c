-- Recall@10 at default settings on a deterministic 10,000 x 128 dataset:
-- 100 Gaussian-ish clusters (sums of uniforms), queries drawn the same way.

SELECT setseed(0.2024);
CREATE TABLE centers AS
SELECT c, (SELECT array_agg(random() * 4 - 2) FROM generate_series(1, 128) WHERE c >= 0) AS x
FROM generate_series(0, 99) c;
CREATE TABLE rv (id int, v vector(128));
INSERT INTO rv
SELECT i, (SELECT array_agg(x[j] + (random() + random() + random() - 1.5) * 0.6)
		   FROM generate_series(1, 128) j)::vector
FROM generate_series(1, 10000) i JOIN centers ON c = i % 100;
CREATE TABLE rq AS
SELECT q, (SELECT array_agg(x[j] + (random() + random() + random() - 1.5) * 0.6)
		   FROM generate_series(1, 128) j)::vector AS v
FROM generate_series(1, 100) q JOIN centers ON c = (q * 37) % 100;
CREATE INDEX rv_idx ON rv USING hnsw (v vector_l2_ops);

SET enable_indexscan = off;
CREATE TEMP TABLE exact AS
SELECT q, array(SELECT id FROM rv ORDER BY rv.v <-> rq.v LIMIT 10) AS ids FROM rq;
RESET enable_indexscan;
SET enable_seqscan = off;
CREATE TEMP TABLE approx AS
SELECT q, array(SELECT id FROM rv ORDER BY rv.v <-> rq.v LIMIT 10) AS ids FROM rq;
RESET enable_seqscan;
SELECT avg((SELECT count(*) FROM unnest(a.ids) x WHERE x = ANY (e.ids))) / 10 >= 0.95 AS recall_ok
FROM exact e JOIN approx a USING (q);
SELECT heap_tuples_checked FROM vecdb_index_check('rv_idx', true);
DROP TABLE centers, rv, rq;
