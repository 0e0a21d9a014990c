-- The planner picks the faster plan: an index scan over the HNSW index, or
-- a sequential scan that computes every row's distance.  A distance costs
-- by the vectors' dimensions, and reading one kept in TOAST costs more
-- (vecdb_distance_support); bench/planner_crossover.py measured where each
-- plan is faster (src/README, "HNSW: cost model").

SELECT setseed(0.7);
CREATE FUNCTION rv(n int) RETURNS vector LANGUAGE sql VOLATILE AS $$
	SELECT array_agg(random())::vector FROM generate_series(1, n)
$$;

-- 2,000 rows of 1,536 dimensions (in TOAST): the index scan is several
-- times faster, and is planned
CREATE TABLE c1536 (i int, v vector(1536));
INSERT INTO c1536 SELECT i, rv(1536) FROM generate_series(1, 2000) i;
CREATE INDEX ON c1536 USING hnsw (v vector_l2_ops);
ANALYZE c1536;
CREATE TABLE q1536 AS SELECT rv(1536)::vector(1536) AS v;
EXPLAIN (COSTS OFF) SELECT i FROM c1536 ORDER BY v <-> (SELECT v FROM q1536) LIMIT 10;
-- per row, a distance over 1,536 dimensions read from TOAST costs the
-- planner more than one over 384 read inline, and both more than
-- PostgreSQL's default for a function (cpu_operator_cost)
CREATE FUNCTION expr_cost(q text) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE
	j json;
BEGIN
	EXECUTE 'EXPLAIN (FORMAT JSON) ' || q INTO j;
	RETURN (j->0->'Plan'->>'Total Cost')::float8;
END
$$;
CREATE TABLE c384 AS SELECT i, rv(384)::vector(384) AS v FROM generate_series(1, 2000) i;
ANALYZE c384;
SELECT per_row_1536 > per_row_384 AS dims_and_toast_cost_more,
	per_row_384 > current_setting('cpu_operator_cost')::float8 AS more_than_a_plain_call
FROM (SELECT
	(expr_cost('SELECT v <-> v FROM c1536') - expr_cost('SELECT i FROM c1536')) / 2000 AS per_row_1536,
	(expr_cost('SELECT v <-> v FROM c384') - expr_cost('SELECT i FROM c384')) / 2000 AS per_row_384) s;
DROP TABLE c384;
DROP FUNCTION expr_cost;
DROP TABLE c1536, q1536;

-- 2,000 rows of 384 dimensions (inline): the index scan, too
CREATE TABLE c384 (i int, v vector(384));
INSERT INTO c384 SELECT i, rv(384) FROM generate_series(1, 2000) i;
CREATE INDEX ON c384 USING hnsw (v vector_l2_ops);
ANALYZE c384;
CREATE TABLE q384 AS SELECT rv(384)::vector(384) AS v;
EXPLAIN (COSTS OFF) SELECT i FROM c384 ORDER BY v <-> (SELECT v FROM q384) LIMIT 10;
-- with a distance filter the planner assumes a third of the rows pass
EXPLAIN (COSTS OFF) SELECT i FROM c384 WHERE v <-> (SELECT v FROM q384) < 1
ORDER BY v <-> (SELECT v FROM q384) LIMIT 10;
-- 100 rows: a sequential scan is faster, and is planned
DELETE FROM c384 WHERE i > 100;
VACUUM ANALYZE c384;
EXPLAIN (COSTS OFF) SELECT i FROM c384 ORDER BY v <-> (SELECT v FROM q384) LIMIT 10;
DROP TABLE c384, q384;
DROP FUNCTION rv;

-- every type's distances have the planner support, costed by the type's
-- work per element: none of the extension's distance functions lacks it
SELECT p.oid::regprocedure FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid
	AND d.classid = 'pg_proc'::regclass AND d.refclassid = 'pg_extension'::regclass
WHERE p.prorettype = 'float8'::regtype AND p.pronargs = 2 AND p.prosupport = 0
	AND p.proname NOT LIKE '%cmp%'
ORDER BY 1;
CREATE FUNCTION per_row(tbl text, expr text) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE
	j1 json;
	j2 json;
BEGIN
	EXECUTE format('EXPLAIN (FORMAT JSON) SELECT %s FROM %I', expr, tbl) INTO j1;
	EXECUTE format('EXPLAIN (FORMAT JSON) SELECT 1 FROM %I', tbl) INTO j2;
	RETURN ((j1->0->'Plan'->>'Total Cost')::float8 - (j2->0->'Plan'->>'Total Cost')::float8) /
		(j1->0->'Plan'->>'Plan Rows')::float8 / current_setting('cpu_operator_cost')::float8;
END
$$;
-- halfvec costs as vector by dimension; 768 bits cost less than 768
-- floats; a sparsevec costs by the non-zeros its column holds (from the
-- statistics), not by its dimensions
CREATE TABLE ch (v halfvec(768), b bit(768), f vector(768));
INSERT INTO ch SELECT array_fill(1, ARRAY[768]), repeat('1', 768)::bit(768),
	array_fill(1, ARRAY[768])
FROM generate_series(1, 100);
CREATE FUNCTION rsv(i int, n int) RETURNS sparsevec LANGUAGE sql VOLATILE AS $$
	SELECT ('{' || string_agg(k || ':' || random(), ',') || '}/30000')::sparsevec
	FROM generate_series(i % 2 + 1, 2 * n, 2) k
$$;
CREATE TABLE cs10 AS SELECT rsv(i, 10)::sparsevec(30000) AS v FROM generate_series(1, 100) i;
CREATE TABLE cs500 AS SELECT rsv(i, 500)::sparsevec(30000) AS v FROM generate_series(1, 100) i;
ANALYZE ch, cs10, cs500;
SELECT round(per_row('ch', 'v <-> v')) AS halfvec_768,
	round(per_row('ch', 'f <-> f')) AS vector_768,
	round(per_row('ch', 'b <~> b')) AS bit_768,
	round(per_row('cs10', 'v <-> v')) AS sparse_10,
	round(per_row('cs500', 'v <-> v')) AS sparse_500;
DROP TABLE ch, cs10, cs500;
DROP FUNCTION per_row, rsv;
