-- filter columns of hnsw indexes: conditions on them are index conditions,
-- tested during the graph walk; every form returns the rows an exact scan does
SELECT setseed(0.25);
CREATE TABLE items (id int, v vector(3), cat int, tag text, flag bool, tags int[],
	big bigint, u uuid, small int2, words text[]);
INSERT INTO items
SELECT g, ARRAY[random(), random(), random()]::vector, g % 10, 't' || (g % 7),
	g % 2 = 0, ARRAY[g % 5, 10 + g % 3], g % 100, md5((g % 4)::text)::uuid, (g % 50)::int2,
	ARRAY['w' || (g % 6), 'x' || (g % 4)]
FROM generate_series(1, 3000) g;
-- rows with NULL filter values match no condition
INSERT INTO items SELECT 3000 + g, ARRAY[random(), random(), random()]::vector
FROM generate_series(1, 100) g;
-- identical vectors with different filter values stay apart
INSERT INTO items SELECT 4000 + g, '[0.5,0.5,0.5]', g % 3, 'dup', true, '{1}', g, NULL, 1, '{d}'
FROM generate_series(1, 30) g;
CREATE INDEX items_idx ON items
	USING hnsw (v vector_l2_ops, cat, tag, flag, tags, big, u, small, words);
SELECT nodes, unreachable_nodes, heap_tuples_checked
FROM vecdb_index_check('items_idx', heapallindexed => true);

-- the ids of the 10 nearest rows passing cond: by the index, and exactly
CREATE FUNCTION knn(cond text, use_index bool, q text DEFAULT '[0.2,0.3,0.4]')
RETURNS int[] LANGUAGE plpgsql AS $$
DECLARE r int[];
BEGIN
	PERFORM set_config('enable_seqscan', (NOT use_index)::text, true);
	PERFORM set_config('enable_indexscan', use_index::text, true);
	PERFORM set_config('enable_bitmapscan', 'off', true);
	EXECUTE format('SELECT array_agg(id) FROM (SELECT id FROM items WHERE %s '
		'ORDER BY v <-> %L LIMIT 10) s', cond, q) INTO r;
	RETURN r;
END $$;
CREATE FUNCTION plan_uses_index(cond text) RETURNS bool LANGUAGE plpgsql AS $$
DECLARE line text; found bool := false;
BEGIN
	PERFORM set_config('enable_seqscan', 'off', true);
	PERFORM set_config('enable_indexscan', 'on', true);	-- knn() may have turned it off
	FOR line IN EXECUTE format('EXPLAIN (COSTS OFF) SELECT id FROM items WHERE %s '
		'ORDER BY v <-> ''[0.5,0.5,0.5]'' LIMIT 10', cond) LOOP
		found := found OR line LIKE '%Index Cond:%';
	END LOOP;
	RETURN found;
END $$;

SET hnsw.ef_search = 100;
SELECT cond, plan_uses_index(cond) AS index_cond,
	coalesce(cardinality(knn(cond, true)), 0) AS rows,
	knn(cond, true) IS NOT DISTINCT FROM knn(cond, false) AS same_as_exact
FROM unnest(ARRAY[
	'cat = 3', 'cat < 2', 'cat <= 1', 'cat > 8', 'cat >= 9', 'cat = ANY (''{1,4}'')',
	'cat = 3 AND big < 20', 'big = 42', 'big = 42::int4', 'cat = 3::int8', 'small = 7',
	'small < 3::int8', 'tag = ''t3''', 'tag = ANY (''{t1,t2}'')', 'flag', 'flag = false',
	'u = md5(''2'')::uuid', 'tags && ''{4}''', 'tags @> ''{2,11}''', 'tags && ''{}''',
	'tags @> ''{}''', 'words && ''{w1,x3}''', 'words @> ''{w0,x0}''', 'cat = NULL::int',
	'cat = ANY (''{NULL}'')', 'tags @> ''{1,NULL}''', 'cat = 3 AND cat = 4',
	'tag = ''dup'' AND cat = 1', 'cat = 3 AND id % 2 = 0'
]) cond;

-- the identical vectors: each filter value finds its own copies
SELECT cat, count(*) FROM (SELECT cat FROM items WHERE tag = 'dup' AND cat IN (0, 2)
	ORDER BY v <-> '[0.5,0.5,0.5]' LIMIT 30) s GROUP BY cat ORDER BY cat;

-- inserts after the build, a delete and VACUUM
INSERT INTO items SELECT 5000 + g, ARRAY[random(), random(), random()]::vector, 3, 'new',
	false, '{7}', 7, NULL, 7, '{n}' FROM generate_series(1, 200) g;
DELETE FROM items WHERE id % 5 = 0;
VACUUM items;
SELECT unreachable_nodes, heap_tuples_checked
FROM vecdb_index_check('items_idx', heapallindexed => true);
SELECT cond, knn(cond, true) IS NOT DISTINCT FROM knn(cond, false) AS same_as_exact,
	coalesce(cardinality(knn(cond, true)), 0) AS rows
FROM unnest(ARRAY['cat = 3', 'tag = ''new''', 'tags @> ''{7}''', 'big = 7 AND cat = 3']) cond;

-- a filter that few rows pass (1 in 70), with a small ef_search: still ten
-- rows, nearly all of the exact ten
SET hnsw.ef_search = 10;
SELECT q, coalesce(cardinality(knn('tag = ''t3'' AND cat = 3', true, q)), 0) AS rows,
	cardinality(ARRAY(SELECT unnest(knn('tag = ''t3'' AND cat = 3', true, q))
		INTERSECT SELECT unnest(knn('tag = ''t3'' AND cat = 3', false, q)))) >= 8 AS recall_ok
FROM unnest(ARRAY['[0.2,0.3,0.4]', '[0.9,0.1,0.5]', '[0,0,0]', '[1,1,1]']) q;
RESET hnsw.ef_search;
-- the walk for matches stops where an iterative scan would: at
-- hnsw.max_scan_tuples nodes measured
SET hnsw.max_scan_tuples = 50;
SELECT coalesce(cardinality(knn('tag = ''t3'' AND cat = 3', true)), 0) < 10 AS stopped_early;
RESET hnsw.max_scan_tuples;

-- a filter correlated with the vectors: the matching rows form a cluster
-- far from the query, which links from the query's cluster may not reach;
-- the walk also starts from the entry point, whose tree reaches every node
CREATE TABLE far (id int, v vector(3), label text);
INSERT INTO far SELECT i, ARRAY[c * 10 + random(), c * 10 + random(), c * 10 + random()],
	'cluster ' || c
FROM generate_series(1, 3000) i, LATERAL (SELECT i % 3 AS c) s;
CREATE FUNCTION far_rows() RETURNS SETOF int LANGUAGE plpgsql AS $$
BEGIN
	FOR i IN 1 .. 10 LOOP
		DROP INDEX IF EXISTS far_idx;
		CREATE INDEX far_idx ON far USING hnsw (v vector_l2_ops, label);
		PERFORM set_config('enable_seqscan', 'off', true);
		RETURN QUERY SELECT count(*)::int FROM (SELECT id FROM far WHERE label = 'cluster 2'
			ORDER BY v <-> '[10.5,10.5,10.5]' LIMIT 3) s;
	END LOOP;
END $$;
SELECT array_agg(n) AS rows_per_build FROM far_rows() n;
DROP FUNCTION far_rows;
DROP TABLE far;

-- row-level security still hides rows when filter columns are index conditions
CREATE ROLE hnsw_filter_reader;
GRANT SELECT ON items TO hnsw_filter_reader;
ALTER TABLE items ENABLE ROW LEVEL SECURITY;
CREATE POLICY only_even ON items FOR SELECT TO hnsw_filter_reader USING (id % 2 = 0);
SET ROLE hnsw_filter_reader;
SET enable_seqscan = off;
SELECT count(*) AS odd_rows_seen FROM (SELECT id FROM items WHERE cat = 3
	ORDER BY v <-> '[0.5,0.5,0.5]' LIMIT 50) s WHERE id % 2 = 1;
RESET ROLE;
RESET enable_seqscan;
DROP POLICY only_even ON items;
ALTER TABLE items DISABLE ROW LEVEL SECURITY;
REVOKE SELECT ON items FROM hnsw_filter_reader;
DROP ROLE hnsw_filter_reader;

-- what cannot be a filter column, or an hnsw index without a vector first
CREATE INDEX ON items USING hnsw (cat);
CREATE INDEX ON items USING hnsw (v vector_l2_ops, v vector_l2_ops);
CREATE TABLE nums (v vector(3), n numeric);
CREATE INDEX ON nums USING hnsw (v vector_l2_ops, n);
CREATE TABLE floats (v vector(3), a float8[]);
CREATE INDEX ON floats USING hnsw (v vector_l2_ops, a);
DROP TABLE nums, floats;

-- every vector operator class takes filter columns
CREATE TABLE kinds (id int, v vector(4), h halfvec(4), s sparsevec(4), b bit(8), cat int);
INSERT INTO kinds SELECT g, ARRAY[random(), random(), random(), random()]::vector,
	ARRAY[random(), random(), random(), random()]::halfvec,
	ARRAY[random(), 0, random(), 0]::vector::sparsevec,
	(floor(random() * 256)::int)::bit(8), g % 4
FROM generate_series(1, 500) g;
CREATE INDEX ON kinds USING hnsw (v vector_cosine_ops, cat);
CREATE INDEX ON kinds USING hnsw (h halfvec_ip_ops, cat);
CREATE INDEX ON kinds USING hnsw (s sparsevec_l1_ops, cat);
CREATE INDEX ON kinds USING hnsw (b bit_hamming_ops, cat);
SET enable_seqscan = off;
SELECT count(*) = 20 AND bool_and(cat = 1) AS ok FROM (SELECT cat FROM kinds WHERE cat = 1
	ORDER BY v <=> '[1,2,3,4]' LIMIT 20) s;
SELECT count(*) = 20 AND bool_and(cat = 1) AS ok FROM (SELECT cat FROM kinds WHERE cat = 1
	ORDER BY h <#> '[1,2,3,4]' LIMIT 20) s;
SELECT count(*) = 20 AND bool_and(cat = 1) AS ok FROM (SELECT cat FROM kinds WHERE cat = 1
	ORDER BY s <+> '{1:1,3:1}/4' LIMIT 20) s;
SELECT count(*) = 20 AND bool_and(cat = 1) AS ok FROM (SELECT cat FROM kinds WHERE cat = 1
	ORDER BY b <~> '10101010' LIMIT 20) s;
RESET enable_seqscan;
DROP TABLE kinds;
DROP FUNCTION knn, plan_uses_index;
DROP TABLE items;
