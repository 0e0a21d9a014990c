-- index-only scans of hnsw indexes: the vector (as stored bit for bit: full
-- precision, not cosine), exact filter columns and INCLUDE columns come from
-- the nodes; the heap is visited only for rows not known all-visible
SELECT setseed(0.5);
CREATE TABLE ios_items (id int, v vector(3), cat int, tag text, f8 float8, f4 real,
	d date, ts timestamptz, flag bool, big bigint, small int2);
INSERT INTO ios_items SELECT g, ARRAY[random(), random(), random()]::vector, g % 10,
	't' || (g % 7), g * 0.25, g * 0.5, date '2020-01-01' + g,
	timestamptz '2020-01-01 00:00+00' + g * interval '1 hour', g % 3 = 0,
	g * 1000000007::bigint, (g % 300)::int2
FROM generate_series(1, 2000) g;
-- NULL INCLUDE values, far from the rest
INSERT INTO ios_items (id, v) SELECT 2000 + g, ARRAY[5 + g, 5, 5]::vector
FROM generate_series(1, 5) g;
-- identical vectors with different INCLUDE values stay apart
INSERT INTO ios_items SELECT 3000 + g, '[0.5,0.5,0.5]', 1, 'dup', -g, -g, NULL, NULL, NULL, NULL, NULL
FROM generate_series(1, 20) g;
CREATE INDEX ios_items_idx ON ios_items USING hnsw (v vector_l2_ops, cat, tag)
	INCLUDE (id, f8, f4, d, ts, flag, big, small);
VACUUM ANALYZE ios_items;
SELECT nodes, unreachable_nodes, heap_tuples_checked
FROM vecdb_index_check('ios_items_idx', heapallindexed => true);
SET hnsw.ef_search = 100;

-- plans with an index wherever one applies (for this transaction)
CREATE FUNCTION prefer_index() RETURNS void LANGUAGE sql AS $$
	SELECT set_config('enable_seqscan', 'off', true), set_config('enable_indexscan', 'on', true),
		set_config('enable_indexonlyscan', 'on', true)
$$;
-- the first line of query's plan (of a run of it, if run) that matches pattern
CREATE FUNCTION plan_line(query text, pattern text, run bool DEFAULT false)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE line text;
BEGIN
	PERFORM prefer_index();
	FOR line IN EXECUTE format('EXPLAIN (ANALYZE %s, BUFFERS OFF, COSTS OFF, TIMING %s, SUMMARY OFF) %s',
			run::text, run::text, query) LOOP
		IF line ~ pattern THEN
			RETURN line;
		END IF;
	END LOOP;
	RETURN NULL;
END $$;
-- the scan node the plan of query uses
CREATE FUNCTION scan_node(query text) RETURNS text LANGUAGE sql AS $$
	SELECT regexp_replace(plan_line(query, 'Scan'),
		'^\s*(->\s*)?(.*Scan)( using (\S+))?.*$', '\2 \4')
$$;
-- Heap Fetches of the plan's scan, run
CREATE FUNCTION heap_fetches(query text) RETURNS int LANGUAGE sql AS $$
	SELECT substring(plan_line(query, 'Heap Fetches', true) from '\d+')::int
$$;
-- rows of query (as text, sorted) with the scan as 'ios' (index-only),
-- 'index' (a plain index scan) or 'exact' (a sequential scan and a sort)
CREATE FUNCTION rows_of(query text, how text) RETURNS text[] LANGUAGE plpgsql AS $$
DECLARE r text[];
BEGIN
	PERFORM set_config('enable_seqscan', (how = 'exact')::text, true);
	PERFORM set_config('enable_indexscan', (how <> 'exact')::text, true);
	PERFORM set_config('enable_indexonlyscan', (how = 'ios')::text, true);
	PERFORM set_config('enable_bitmapscan', 'off', true);
	EXECUTE format('SELECT array_agg(x::text ORDER BY x::text) FROM (%s) x', query) INTO r;
	RETURN r;
END $$;
-- the scan node of query's plan, and whether it returns what a plain index
-- scan returns, and what an exact scan returns (of exact_query, if given:
-- where distances tie, only they are sure to be the same)
CREATE FUNCTION check_ios(query text, exact_query text DEFAULT NULL, OUT node text,
	OUT same_as_index bool, OUT same_as_exact bool) LANGUAGE plpgsql AS $$
BEGIN
	node := scan_node(query);
	same_as_index := rows_of(query, 'ios') = rows_of(query, 'index');
	exact_query := coalesce(exact_query, query);
	same_as_exact := rows_of(exact_query, 'ios') = rows_of(exact_query, 'exact');
END $$;

SET enable_seqscan = off;
EXPLAIN (COSTS OFF)
SELECT id, f8 FROM ios_items ORDER BY v <-> '[0.2,0.3,0.4]' LIMIT 10;
-- Heap Fetches of EXPLAIN ANALYZE (only that line: 18 adds others)
SELECT heap_fetches($$SELECT id, f8 FROM ios_items ORDER BY v <-> '[0.2,0.3,0.4]' LIMIT 10$$);
-- every INCLUDE type, the vector and the exact filter column, from the nodes
SELECT * FROM check_ios($$SELECT id, v, cat, f8, f4, d, ts, flag, big, small FROM ios_items
	ORDER BY v <-> '[0.2,0.3,0.4]' LIMIT 10$$);
SELECT id, v, cat, f8, f4, d, ts, flag, big, small FROM ios_items
ORDER BY v <-> '[0.2,0.3,0.4]' LIMIT 3;
-- NULLs
SELECT * FROM check_ios($$SELECT id, f8, f4, d, ts, flag, big, small FROM ios_items
	ORDER BY v <-> '[7.1,5,5]' LIMIT 5$$);
SELECT id, v, cat, f8, f4, d, ts, flag, big, small FROM ios_items ORDER BY v <-> '[7.1,5,5]' LIMIT 5;
-- identical vectors: each row its own INCLUDE values
SELECT * FROM check_ios($$SELECT id, f8, f4 FROM ios_items ORDER BY v <-> '[0.5,0.5,0.5]' LIMIT 20$$);
SELECT count(*), min(id), max(id), sum(f8), bool_and(f4 = f8)
FROM (SELECT id, f8, f4 FROM ios_items ORDER BY v <-> '[0.5,0.5,0.5]' LIMIT 20) s;
-- an exact filter column as an index condition, with INCLUDE columns
SELECT * FROM check_ios($$SELECT id, cat, big FROM ios_items WHERE cat = 3
	ORDER BY v <-> '[0.2,0.3,0.4]' LIMIT 10$$);
SELECT * FROM check_ios($$SELECT id, small FROM ios_items WHERE cat >= 8 AND cat < 9
	ORDER BY v <-> '[0.9,0.1,0.4]' LIMIT 10$$);
-- a text filter column keeps a hash: the rows must come from the heap
SELECT * FROM check_ios($$SELECT id, tag FROM ios_items WHERE tag = 't3'
	ORDER BY v <-> '[0.2,0.3,0.4]' LIMIT 10$$);
SELECT * FROM check_ios($$SELECT id FROM ios_items WHERE tag = 't3'
	ORDER BY v <-> '[0.2,0.3,0.4]' LIMIT 10$$);
-- a column the index does not hold
SELECT scan_node($$SELECT id, v FROM ios_items WHERE id > 0 AND f8 > 1 AND length(tag) > 0
	ORDER BY v <-> '[0.2,0.3,0.4]' LIMIT 10$$);

-- rows inserted, updated and deleted since the VACUUM: their pages are not
-- all-visible, so the heap decides visibility; values still from the nodes
INSERT INTO ios_items SELECT 5000 + g, ARRAY[2 + g * 0.01, 2, 2]::vector, 4, 'new', g, g, NULL,
	NULL, true, g, g FROM generate_series(1, 10) g;
UPDATE ios_items SET f8 = 1000 + f8 WHERE id IN (5003, 5004);
DELETE FROM ios_items WHERE id IN (5001, 5002);
SELECT heap_fetches($$SELECT id, f8 FROM ios_items ORDER BY v <-> '[2,2,2]' LIMIT 8$$) >= 8
	AS heap_fetched;
SELECT * FROM check_ios($$SELECT id, f8, flag FROM ios_items ORDER BY v <-> '[2,2,2]' LIMIT 8$$);
SELECT id, f8 FROM ios_items ORDER BY v <-> '[2,2,2]' LIMIT 8;
SELECT nodes, unreachable_nodes, heap_tuples_checked
FROM vecdb_index_check('ios_items_idx', heapallindexed => true);
VACUUM ios_items;
SELECT heap_fetches($$SELECT id, f8 FROM ios_items ORDER BY v <-> '[2,2,2]' LIMIT 8$$);

-- INCLUDE columns must be fixed-size types passed by value
CREATE INDEX ON ios_items USING hnsw (v vector_l2_ops) INCLUDE (tag);
CREATE INDEX ON ios_items USING hnsw (v vector_l2_ops) INCLUDE (id, v);
-- an INCLUDE column is no filter column and no tenant key
CREATE INDEX ON ios_items USING hnsw (v vector_l2_ops, cat) INCLUDE (big)
	WITH (tenant = 'big');
SELECT scan_node($$SELECT id FROM ios_items WHERE id = 4 ORDER BY v <-> '[0.2,0.3,0.4]' LIMIT 10$$);

-- per operator class: the vector comes from the node where it is stored bit
-- for bit; cosine stores unit vectors and a quantized index codes, so both
-- are plain index scans
CREATE TABLE ios_kinds (id int, v vector(4), h halfvec(4), b bit(16), s sparsevec(6));
INSERT INTO ios_kinds SELECT g, ARRAY[random(), random() - 0.5, random(), g % 5]::vector,
	ARRAY[random(), random(), random() - 0.5, g % 3]::halfvec,
	(floor(random() * 65536)::int)::bit(16),
	format('{%s:%s,%s:%s}/6', 1 + g % 3, round(random()::numeric, 3), 4 + g % 3,
		round(random()::numeric, 3))::sparsevec
FROM generate_series(1, 1500) g;
CREATE INDEX ON ios_kinds USING hnsw (v vector_l2_ops) INCLUDE (id);
CREATE INDEX ON ios_kinds USING hnsw (v vector_ip_ops) INCLUDE (id);
CREATE INDEX ON ios_kinds USING hnsw (v vector_l1_ops) INCLUDE (id);
CREATE INDEX ON ios_kinds USING hnsw (v vector_cosine_ops) INCLUDE (id);
CREATE INDEX ON ios_kinds USING hnsw (h halfvec_l2_ops) INCLUDE (id);
CREATE INDEX ON ios_kinds USING hnsw (h halfvec_ip_ops) INCLUDE (id);
CREATE INDEX ON ios_kinds USING hnsw (h halfvec_l1_ops) INCLUDE (id);
CREATE INDEX ON ios_kinds USING hnsw (h halfvec_cosine_ops) INCLUDE (id);
CREATE INDEX ON ios_kinds USING hnsw (b bit_hamming_ops) INCLUDE (id);
CREATE INDEX ON ios_kinds USING hnsw (b bit_jaccard_ops) INCLUDE (id);
CREATE INDEX ON ios_kinds USING hnsw (s sparsevec_l2_ops) INCLUDE (id);
CREATE INDEX ON ios_kinds USING hnsw (s sparsevec_ip_ops) INCLUDE (id);
CREATE INDEX ON ios_kinds USING hnsw (s sparsevec_l1_ops) INCLUDE (id);
CREATE INDEX ON ios_kinds USING hnsw (s sparsevec_cosine_ops) INCLUDE (id);
VACUUM ANALYZE ios_kinds;
-- the 10 nearest rows with their values and distances, checked; against
-- an exact scan only their distances (bit and sparse distances tie)
CREATE FUNCTION check_op(col text, op text, q text) RETURNS TABLE (node text,
	same_as_index bool, same_as_exact bool, heap_fetches int) LANGUAGE sql AS $$
	SELECT c.*, heap_fetches(query)
	FROM (SELECT format('SELECT id, %s, %s %s %L AS dist FROM ios_kinds ORDER BY %s %s %L LIMIT 10',
			col, col, op, q, col, op, q) AS query,
		format('SELECT %s %s %L AS dist FROM ios_kinds ORDER BY %s %s %L LIMIT 10',
			col, op, q, col, op, q) AS distances) s,
		check_ios(query, distances) c
$$;
CREATE TABLE ios_ops (col text, op text, q text);
INSERT INTO ios_ops VALUES
	('v', '<->', '[0.1,0.2,0.3,1]'), ('v', '<#>', '[0.1,0.2,0.3,1]'),
	('v', '<+>', '[0.1,0.2,0.3,1]'), ('v', '<=>', '[0.1,0.2,0.3,1]'),
	('h', '<->', '[0.1,0.2,0.3,1]'), ('h', '<#>', '[0.1,0.2,0.3,1]'),
	('h', '<+>', '[0.1,0.2,0.3,1]'), ('h', '<=>', '[0.1,0.2,0.3,1]'),
	('b', '<~>', '1010101010101010'), ('b', '<%>', '1010101010101010'),
	('s', '<->', '{1:0.5,4:0.5}/6'), ('s', '<#>', '{1:0.5,4:0.5}/6'),
	('s', '<+>', '{1:0.5,4:0.5}/6'), ('s', '<=>', '{1:0.5,4:0.5}/6');
SELECT o.col, o.op, c.* FROM ios_ops o, LATERAL check_op(o.col, o.op, o.q) c;
-- a quantized index holds codes: never an index-only scan of the vector
DROP INDEX ios_kinds_v_id_idx;
CREATE INDEX ios_kinds_int8 ON ios_kinds USING hnsw (v vector_l2_ops) INCLUDE (id)
	WITH (quantization = int8);
VACUUM ios_kinds;
SELECT * FROM check_op('v', '<->', '[0.1,0.2,0.3,1]');
DROP INDEX ios_kinds_int8;
CREATE INDEX ios_kinds_binary ON ios_kinds USING hnsw (v vector_l2_ops) INCLUDE (id)
	WITH (quantization = binary);
VACUUM ios_kinds;
SELECT * FROM check_op('v', '<->', '[0.1,0.2,0.3,1]');

DROP TABLE ios_items, ios_kinds, ios_ops;
DROP FUNCTION check_op, check_ios, rows_of, heap_fetches, scan_node, plan_line, prefer_index;
