-- Distances, functions, arithmetic and comparison, with edge cases.

-- distances (exact on small integers)
SELECT '[1,2,3]'::vector <-> '[4,5,6]' AS l2,
       '[1,2,3]'::vector <#> '[4,5,6]' AS neg_ip,
       '[1,2,3]'::vector <=> '[4,5,6]' AS cosine,
       '[1,2,3]'::vector <+> '[4,5,6]' AS l1;
SELECT l2_distance('[1,2,3]'::vector, '[4,5,6]'), inner_product('[1,2,3]'::vector, '[4,5,6]'),
       cosine_distance('[1,2,3]'::vector, '[4,5,6]'), l1_distance('[1,2,3]'::vector, '[4,5,6]'),
       vector_l2_squared_distance('[1,2,3]'::vector, '[4,5,6]'),
       vector_negative_inner_product('[1,2,3]'::vector, '[4,5,6]');
SELECT '[0,0]'::vector <-> '[3,4]', '[1,1]'::vector <-> '[1,1]';
-- cosine: parallel 0, opposite 2, orthogonal 1, zero vector NaN
SELECT '[1,1]'::vector <=> '[2,2]', '[1,1]'::vector <=> '[-1,-1]',
       '[1,0]'::vector <=> '[0,2]', '[0,0]'::vector <=> '[1,1]', '[0,0]'::vector <=> '[0,0]';
-- cosine is clamped: never negative for (nearly) identical vectors
SELECT '[3e-20,4e-20]'::vector <=> '[3e-20,4e-20]' >= 0 AS clamped;
SELECT vector_spherical_distance('[1,0]'::vector, '[0,1]'), vector_spherical_distance('[1,0]'::vector, '[-1,0]');
-- large values do not overflow the double result
SELECT '[3e38]'::vector <-> '[-3e38]' AS l2_big, '[3e38,3e38]'::vector <+> '[-3e38,-3e38]' AS l1_big;

-- norms and shape
SELECT vector_dims('[1,2,3]'::vector), vector_norm('[3,4]'::vector), vector_norm('[0,0]'::vector);
SELECT l2_normalize('[3,4]'::vector), l2_normalize('[0,0]'::vector), l2_normalize('[1e-45,0]'::vector);
SELECT binary_quantize('[1,-1,0,2,3,-4,5,6,7,-8]'::vector), binary_quantize('[0.5]'::vector);

-- subvector: 1-based, clamped like substring
SELECT subvector('[1,2,3,4,5]'::vector, 2, 3), subvector('[1,2,3,4,5]'::vector, 4, 10),
       subvector('[1,2,3,4,5]'::vector, 0, 2), subvector('[1,2,3,4,5]'::vector, -1, 3),
       subvector('[1,2,3,4,5]'::vector, 5, 2147483647);

-- arithmetic
SELECT '[1,2,3]'::vector + '[4,5,6]', '[1,2,3]'::vector - '[4,5,6]', '[1,2,3]'::vector * '[4,5,6]';
SELECT '[4,5,6]'::vector - '[1,2,3]' AS not_commutative;
SELECT '[1,2]'::vector || '[3]', array_fill(1, ARRAY[8000])::vector || array_fill(2, ARRAY[8000])::vector IS NOT NULL AS max_concat;
SELECT '[3e38]'::vector + '[-3e38]', '[1e-20]'::vector * '[1e-20]' IS NULL AS underflow_null;

-- comparison: element-wise, then shorter first (like arrays)
SELECT '[1,2,3]'::vector < '[1,2,4]', '[1,2]'::vector < '[1,2,3]', '[2]'::vector > '[1,9,9]',
       '[1,2,3]'::vector = '[1,2,3]', '[1,2,3]'::vector <> '[1,2,3]',
       '[-0]'::vector = '[0]', vector_cmp('[1,2]'::vector, '[1,2,0]');
CREATE TABLE cmp_t (id int, v vector);
INSERT INTO cmp_t VALUES (1, '[1,2,3]'), (2, '[1,2]'), (3, '[0,9]'), (4, '[1,2,3]'), (5, '[2]');
SELECT id, v FROM cmp_t ORDER BY v, id;
CREATE INDEX ON cmp_t USING btree (v);
SET enable_seqscan = off;
SET enable_bitmapscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM cmp_t WHERE v = '[1,2,3]';
SELECT id FROM cmp_t WHERE v = '[1,2,3]' ORDER BY id;
SELECT id FROM cmp_t WHERE v > '[1,2]' ORDER BY v, id;
RESET enable_seqscan;
RESET enable_bitmapscan;
SELECT DISTINCT v FROM cmp_t ORDER BY v;
DROP TABLE cmp_t;

-- nearest neighbours by each operator
CREATE TABLE items (id int, v vector(3));
INSERT INTO items VALUES (1, '[1,1,1]'), (2, '[2,2,2]'), (3, '[1,1,2]'), (4, '[-1,-1,-1]'), (5, '[0,0,0]');
SELECT id FROM items ORDER BY v <-> '[1,1,1.9]', id LIMIT 3;
SELECT id FROM items ORDER BY v <#> '[1,1,1]', id LIMIT 3;
SELECT id FROM items ORDER BY v <=> '[1,1,1]', id LIMIT 3;
SELECT id FROM items ORDER BY v <+> '[1,1,1]', id LIMIT 3;
DROP TABLE items;

-- every function and operator is IMMUTABLE, STRICT and PARALLEL SAFE
SELECT count(*) AS not_immutable_strict_safe
FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.classid = 'pg_proc'::regclass
JOIN pg_extension e ON d.refobjid = e.oid AND d.refclassid = 'pg_extension'::regclass
WHERE e.extname IN ('vecdb', 'vector')
  AND p.prokind = 'f' AND p.proname NOT LIKE 'vecdb%'
  AND p.prorettype <> 'index_am_handler'::regtype
  AND NOT (p.provolatile = 'i' AND p.proisstrict AND p.proparallel = 's');
