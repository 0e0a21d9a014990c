-- halfvec: distances, norms, arithmetic, comparison, btree, aggregates.

-- distances and their operators
SELECT l2_distance('[0,0]'::halfvec, '[3,4]'), '[0,0]'::halfvec <-> '[3,4]';
SELECT halfvec_l2_squared_distance('[0,0]', '[3,4]');
SELECT inner_product('[1,2]'::halfvec, '[3,4]'), '[1,2]'::halfvec <#> '[3,4]';
SELECT halfvec_negative_inner_product('[1,2]', '[3,4]');
SELECT inner_product('[65504]'::halfvec, '[65504]');
SELECT cosine_distance('[1,2]'::halfvec, '[2,4]'), '[1,2]'::halfvec <=> '[-2,-4]';
SELECT cosine_distance('[1,0]'::halfvec, '[0,2]'), cosine_distance('[1,2]'::halfvec, '[0,0]');
SELECT l1_distance('[0,0]'::halfvec, '[3,4]'), '[0,0]'::halfvec <+> '[3,-4]';
SELECT round(halfvec_spherical_distance('[1,0]', '[0,1]')::numeric, 6),
       halfvec_spherical_distance('[1,0]', '[-1,0]'), halfvec_spherical_distance('[1,0]', '[1,0]');
-- the operators commute
SELECT '[1,2]'::halfvec <-> '[3,5]' = '[3,5]'::halfvec <-> '[1,2]' AS l2,
       '[1,2]'::halfvec <#> '[3,5]' = '[3,5]'::halfvec <#> '[1,2]' AS ip;

-- halfvec distances are the vector distances of the same (widened) values,
-- on every kernel family: random pairs of dimensions 1..130 and larger
SELECT setseed(0.25);
CREATE TABLE pairs AS
SELECT d, (SELECT array_agg(random() * 4 - 2) FROM generate_series(1, d) WHERE d > 0)::halfvec AS a,
          (SELECT array_agg(random() * 4 - 2) FROM generate_series(1, d) WHERE d > 0)::halfvec AS b
FROM (SELECT generate_series(1, 130) AS d UNION ALL VALUES (768), (1536), (2048), (16000)) s;
CREATE FUNCTION agree(scalar boolean) RETURNS TABLE (pairs bigint, l2_ok bigint, ip_ok bigint, cos_ok bigint, l1_ok bigint)
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM set_config('vecdb.force_scalar', scalar::text, true);
	RETURN QUERY
	SELECT count(*),
	       count(*) FILTER (WHERE abs((a <-> b) - (a::vector <-> b::vector)) <= 1e-6 * (a::vector <-> b::vector)),
	       count(*) FILTER (WHERE abs((a <#> b) - (a::vector <#> b::vector)) <= 1e-6 * (SELECT sum(abs(x * y)) FROM unnest(a::real[], b::real[]) u(x, y))),
	       count(*) FILTER (WHERE abs((a <=> b) - (a::vector <=> b::vector)) <= 1e-6),
	       count(*) FILTER (WHERE abs((a <+> b) - (a::vector <+> b::vector)) <= 1e-6 * (a::vector <+> b::vector))
	FROM pairs;
END
$$;
SELECT * FROM agree(false);
SELECT * FROM agree(true);
SET vecdb.force_scalar = on;
SELECT name FROM vecdb_kernels() WHERE in_use AND family = 'half';
RESET vecdb.force_scalar;
SELECT count(*) FILTER (WHERE in_use) = 1 AS one_half_family_in_use,
       bool_and(in_use = best) AS best_in_use
FROM vecdb_kernels() WHERE family = 'half';
DROP TABLE pairs;
DROP FUNCTION agree(boolean);

-- norms and shape
SELECT vector_dims('[1,2,3]'::halfvec), l2_norm('[3,4]'::halfvec), l2_norm('[0,0]'::halfvec);
SELECT round(l2_norm('[1,1]'::halfvec)::numeric, 5), l2_norm('[65504,65504]'::halfvec);
SELECT l2_normalize('[3,4]'::halfvec), l2_normalize('[0,0]'::halfvec), l2_normalize('[65504]'::halfvec);
SELECT l2_normalize('[0,0.1]'::halfvec), l2_normalize('[5.960464477539063e-8,0]'::halfvec);
SELECT binary_quantize('[1,0,-1]'::halfvec), binary_quantize('[1,2,3,-4,5,6,-7,8,1,-2,-3,4,5,-6,7,8,-1,2,3]'::halfvec);
SELECT binary_quantize('[-0,0,5.960464477539063e-8]'::halfvec);
SELECT subvector('[1,2,3,4,5]'::halfvec, 2, 3), subvector('[1,2,3,4,5]'::halfvec, -1, 3),
       subvector('[1,2,3,4,5]'::halfvec, 4, 2147483647);

-- arithmetic: computed in float, rounded to half once
SELECT '[1,2,3]'::halfvec + '[4,5,6]', '[1,2,3]'::halfvec - '[4,5,6]', '[1,2,3]'::halfvec * '[4,5,6]';
SELECT '[2048]'::halfvec + '[1]', '[2048]'::halfvec + '[3]';   -- ties to even: 2048, 2052
SELECT '[0.1]'::halfvec * '[0.1]', '[0.001]'::halfvec * '[0.01]';
SELECT '[65504]'::halfvec + '[15]', '[-65504]'::halfvec - '[15]';  -- still rounds to 65504
SELECT '[1,2]'::halfvec || '[3]', '[1]'::halfvec || '[2,3,4]';

-- comparison: element by element, then the shorter first
SELECT '[1,2,3]'::halfvec < '[1,2,4]', '[1,2]'::halfvec < '[1,2,3]', '[1,2,3]'::halfvec <= '[1,2,3]',
       '[1,2,3]'::halfvec = '[1,2,3]', '[1,2,3]'::halfvec <> '[1,2]', '[2]'::halfvec > '[1,9]',
       '[1,2,3]'::halfvec >= '[1,2]';
SELECT '[-0]'::halfvec = '[0]' AS signed_zeros_equal;
SELECT halfvec_cmp('[1,2,3]', '[1,2,3]'), halfvec_cmp('[1,2]', '[1,2,3]'), halfvec_cmp('[2,3]', '[1,2,3]');

-- btree: the default operator class orders and finds halfvecs
CREATE TABLE t (id int, v halfvec(3));
INSERT INTO t SELECT i, ARRAY[i % 7, i % 5, i]::halfvec FROM generate_series(1, 500) i;
INSERT INTO t VALUES (0, NULL);
CREATE INDEX t_v ON t (v);
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM t WHERE v = '[3,2,17]';
SELECT id FROM t WHERE v = '[3,2,17]';
SELECT id, v FROM t ORDER BY v LIMIT 4;
SELECT count(*) FROM t WHERE v < '[1,0,0]';
RESET enable_seqscan;
SELECT DISTINCT v FROM (VALUES ('[1,2]'::halfvec), ('[1,2]'), ('[1.0001,2]')) s(v) ORDER BY v;
DROP TABLE t;

-- aggregates
SELECT avg(v), sum(v) FROM (VALUES ('[1,2,3]'::halfvec), ('[3,5,7]')) t(v);
SELECT avg(v), sum(v) FROM (VALUES ('[1,2,3]'::halfvec), (NULL), ('[3,5,7]')) t(v);
SELECT avg(v) IS NULL AS avg_null, sum(v) IS NULL AS sum_null FROM (SELECT '[1]'::halfvec WHERE false) t(v);
SELECT avg(v) FROM (VALUES ('[65504]'::halfvec), ('[65504]')) t(v);   -- the state is float8: no overflow
SELECT avg(v) FROM (VALUES ('[1]'::halfvec), ('[2]'), ('[2]')) t(v);   -- 5/3 rounded to half
SELECT g, avg(v), sum(v) FROM (VALUES (1, '[1,1]'::halfvec), (2, '[10,10]'), (1, '[3,3]'), (2, '[20,40]')) t(g, v)
GROUP BY g ORDER BY g;
SELECT halfvec_accum('{0}', '[1,2]'), halfvec_accum('{1,1,2}', '[1,2]'), halfvec_accum('{0,0,0}', '[1,2]');
SELECT halfvec_combine('{0}', '{2,4,6}'), halfvec_combine('{2,4,6}', '{0}'), halfvec_combine('{1,1,1}', '{2,4,6}');
SELECT halfvec_avg('{0}') IS NULL AS empty, halfvec_avg('{4,2,8}'), halfvec_avg('{3,1,0.3}');

-- parallel aggregation: partial states are combined
CREATE TABLE agg_t (id int, v halfvec(4));
INSERT INTO agg_t SELECT i, ARRAY[i % 10, (i % 7) * 0.5, -(i % 3), 1]::halfvec FROM generate_series(1, 20000) i;
ANALYZE agg_t;
SET max_parallel_workers_per_gather = 2;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
EXPLAIN (COSTS OFF) SELECT avg(v), sum(v) FROM agg_t;
SELECT avg(v) FROM agg_t;
-- a sum whose partial sums are all exact halves, so any order gives it
SELECT sum(v) FROM agg_t WHERE id % 10 = 0 AND id <= 2000;
-- no row matches: combining the workers' empty states gives the empty state
EXPLAIN (COSTS OFF) SELECT avg(v), sum(v) FROM agg_t WHERE id + 0 < 0;
SELECT avg(v) IS NULL AS avg_null, sum(v) IS NULL AS sum_null FROM agg_t WHERE id + 0 < 0;
SELECT halfvec_combine('{0}', '{0}');
RESET max_parallel_workers_per_gather;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
SELECT avg(v) = ARRAY[avg((v::real[])[1]), avg((v::real[])[2]), avg((v::real[])[3]),
                     avg((v::real[])[4])]::halfvec AS avg_ok
FROM agg_t;
DROP TABLE agg_t;
