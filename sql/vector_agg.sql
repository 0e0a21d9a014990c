-- avg and sum aggregates, serial and parallel.

SELECT avg(v), sum(v) FROM (VALUES ('[1,2,3]'::vector), ('[3,5,7]')) t(v);
SELECT avg(v), sum(v) FROM (VALUES ('[1,2,3]'::vector), (NULL), ('[3,5,7]')) t(v);
SELECT avg(v) IS NULL AS avg_null, sum(v) IS NULL AS sum_null FROM (SELECT '[1]'::vector WHERE false) t(v);
SELECT avg(v) FROM (VALUES ('[1e38]'::vector), ('[3e38]')) t(v);   -- the state is float8: no overflow
SELECT avg(v) FROM (VALUES ('[1]'::vector), ('[2]'), ('[2]')) t(v);
-- grouped: one state per group
SELECT g, avg(v), sum(v) FROM (VALUES (1, '[1,1]'::vector), (2, '[10,10]'), (1, '[3,3]'), (2, '[20,40]')) t(g, v)
GROUP BY g ORDER BY g;
-- the transition and combine functions called directly
SELECT vector_accum('{0}', '[1,2]'), vector_accum('{1,1,2}', '[1,2]');
SELECT vector_combine('{0}', '{2,4,6}'), vector_combine('{2,4,6}', '{0}'), vector_combine('{1,1,1}', '{2,4,6}');
SELECT vector_avg('{0}') IS NULL AS empty, vector_avg('{4,2,8}');

-- parallel aggregation: partial states are combined
CREATE TABLE agg_t (id int, v vector(4));
INSERT INTO agg_t SELECT i, ARRAY[i % 7, i % 11, (i % 13) * 0.5, 1]::vector(4) FROM generate_series(1, 30000) i;
ANALYZE agg_t;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT avg(v), sum(v) FROM agg_t;
SELECT avg(v), sum(v) FROM agg_t;
-- no row matches: every worker's partial state is the empty one, and
-- combining two empty states gives the empty state (pgvector 0.8.6 raises
-- "vector must have at least 1 dimension" here)
EXPLAIN (COSTS OFF) SELECT avg(v), sum(v) FROM agg_t WHERE id + 0 < 0;
SELECT avg(v) IS NULL AS avg_null, sum(v) IS NULL AS sum_null FROM agg_t WHERE id + 0 < 0;
SELECT vector_combine('{0}', '{0}');
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
SET max_parallel_workers_per_gather = 0;
SELECT avg(v), sum(v) FROM agg_t;
-- agrees with per-component real aggregates
SELECT avg(v) = ARRAY[avg((v::real[])[1]), avg((v::real[])[2]), avg((v::real[])[3]),
                     avg((v::real[])[4])]::vector AS avg_ok
FROM agg_t;
RESET max_parallel_workers_per_gather;
DROP TABLE agg_t;
