-- radius queries: WHERE dist < r ORDER BY dist returns exactly the rows an
-- exact scan does, for every metric, and the walk stops at the radius
SELECT setseed(0.75);
-- 30 clusters: element j of cluster c's center, and the center as text
CREATE FUNCTION center(c int, j int) RETURNS float8 IMMUTABLE LANGUAGE sql
AS $$ SELECT abs(hashint4(c * 8 + j)) % 1000 / 1000.0 - 0.3 $$;
CREATE FUNCTION center(c int) RETURNS text IMMUTABLE LANGUAGE sql
AS $$ SELECT ARRAY(SELECT center(c, j) FROM generate_series(1, 8) j)::vector::text $$;
CREATE TABLE items (id int, v vector(8), h halfvec(8), s sparsevec(8), b bit(64), cat int);
INSERT INTO items
SELECT g, a::vector, a::halfvec, a::vector::sparsevec,
	-- bit strings in 30 clusters: a pattern with a tenth of its bits flipped
	(SELECT string_agg(((hashint4(g % 30 * 64 + i) & 1 = 1) <> (random() < 0.1))::int::text, '')
	 FROM generate_series(1, 64) i)::bit(64),
	g % 4
FROM (SELECT g, ARRAY(SELECT center(g % 30, j) + (random() - 0.5) * 0.2
					  FROM generate_series(1, 8) j) a
	  FROM generate_series(1, 3000) g) x;
CREATE INDEX items_l2 ON items USING hnsw (v vector_l2_ops);
CREATE INDEX items_ip ON items USING hnsw (v vector_ip_ops);
CREATE INDEX items_cos ON items USING hnsw (v vector_cosine_ops);
CREATE INDEX items_l1 ON items USING hnsw (v vector_l1_ops);
CREATE INDEX items_h_l2 ON items USING hnsw (h halfvec_l2_ops);
CREATE INDEX items_h_ip ON items USING hnsw (h halfvec_ip_ops);
CREATE INDEX items_h_cos ON items USING hnsw (h halfvec_cosine_ops);
CREATE INDEX items_h_l1 ON items USING hnsw (h halfvec_l1_ops);
CREATE INDEX items_s_l2 ON items USING hnsw (s sparsevec_l2_ops);
CREATE INDEX items_s_ip ON items USING hnsw (s sparsevec_ip_ops);
CREATE INDEX items_s_cos ON items USING hnsw (s sparsevec_cosine_ops);
CREATE INDEX items_s_l1 ON items USING hnsw (s sparsevec_l1_ops);
CREATE INDEX items_hamming ON items USING hnsw (b bit_hamming_ops);
CREATE INDEX items_jaccard ON items USING hnsw (b bit_jaccard_ops);
-- quantized, and with a filter column
CREATE TABLE qitems AS SELECT id, v, cat FROM items;
CREATE INDEX qitems_l2 ON qitems USING hnsw (v vector_l2_ops) WITH (quantization = int8);
CREATE INDEX qitems_cos ON qitems USING hnsw (v vector_cosine_ops) WITH (quantization = int8);
CREATE TABLE fitems AS SELECT id, v, cat FROM items;
CREATE INDEX fitems_idx ON fitems USING hnsw (v vector_ip_ops, cat);
-- a tiny table whose scan marks vecdb_last_scan() before each query
CREATE TABLE marker (v vector(1));
INSERT INTO marker VALUES ('[1]');
CREATE INDEX marker_idx ON marker USING hnsw (v vector_l2_ops);
ANALYZE items, qitems, fitems, marker;

-- got, run with the index (the index that answered is shown) at ef_search
-- ef, against want (got if NULL), run exactly: rows missing and too many
CREATE FUNCTION radius_check(got text, want text DEFAULT NULL, ef int DEFAULT 40)
RETURNS TABLE (index_used text, nonempty bool, missing bigint, extra bigint)
LANGUAGE plpgsql AS $$
DECLARE ef_was text := current_setting('hnsw.ef_search');
BEGIN
	PERFORM set_config('hnsw.ef_search', ef::text, true);
	PERFORM set_config('enable_seqscan', 'off', true);
	PERFORM set_config('enable_indexscan', 'on', true);
	PERFORM v FROM marker ORDER BY v <-> '[0]' LIMIT 1;
	DROP TABLE IF EXISTS got_rows, want_rows;
	EXECUTE format('CREATE TEMP TABLE got_rows AS %s', got);
	index_used := (SELECT index::regclass::text FROM vecdb_last_scan());
	PERFORM set_config('enable_seqscan', 'on', true);
	PERFORM set_config('enable_indexscan', 'off', true);
	EXECUTE format('CREATE TEMP TABLE want_rows AS %s', coalesce(want, got));
	PERFORM set_config('enable_indexscan', 'on', true);
	PERFORM set_config('hnsw.ef_search', ef_was, true);
	nonempty := EXISTS (SELECT FROM want_rows);
	missing := (SELECT count(*) FROM (TABLE want_rows EXCEPT ALL TABLE got_rows) x);
	extra := (SELECT count(*) FROM (TABLE got_rows EXCEPT ALL TABLE want_rows) x);
	RETURN NEXT;
END $$;

-- the distance of the k-th nearest row to q (an exact scan): a radius that
-- lies exactly on a row, so < and <= differ
CREATE FUNCTION kth(col text, op text, q text, k int) RETURNS float8
LANGUAGE plpgsql AS $$
DECLARE d float8;
BEGIN
	PERFORM set_config('enable_indexscan', 'off', true);
	EXECUTE format('SELECT %1$s %2$s %3$L FROM items ORDER BY %1$s %2$s %3$L OFFSET %4$s LIMIT 1',
		col, op, q, k - 1) INTO d;
	PERFORM set_config('enable_indexscan', 'on', true);
	RETURN d;
END $$;

-- each operator class: 60 rows within (more than ef_search 40), <, <=, commuted,
-- with and without LIMIT; iterative scan off, as by default.  The walk
-- finds the rows within as well as a k-NN search at ef_search + (rows
-- within) finds the nearest: inner product, which no triangle inequality
-- helps, needs a higher ef_search for that on these data.  The first LIMIT
-- holds every row within; the second cuts it, and the nearest rows are
-- in the index's order (equal to the exact one up to rounding), so the
-- count and that all are within are compared.
CREATE TABLE metrics (col text, op text, q text, ef int);
INSERT INTO metrics VALUES
	('v', '<->', center(3), 40),
	('v', '<#>', center(3), 1000),
	('v', '<=>', center(3), 40),
	('v', '<+>', center(3), 40),
	('h', '<->', center(3), 40),
	('h', '<#>', center(3), 1000),
	('h', '<=>', center(3), 40),
	('h', '<+>', center(3), 40),
	('s', '<->', center(3)::vector::sparsevec::text, 40),
	('s', '<#>', center(3)::vector::sparsevec::text, 1000),
	('s', '<=>', center(3)::vector::sparsevec::text, 40),
	('s', '<+>', center(3)::vector::sparsevec::text, 40),
	('b', '<~>', (SELECT string_agg((hashint4(3 * 64 + i) & 1)::text, '') FROM generate_series(1, 64) i), 40),
	('b', '<%>', (SELECT string_agg((hashint4(3 * 64 + i) & 1)::text, '') FROM generate_series(1, 64) i), 40);
SELECT col, op, form, c.*
FROM metrics m, kth(col, op, q, 60) r,
	LATERAL (VALUES
		('<', format('SELECT id, %1$s %2$s %3$L d FROM items WHERE %1$s %2$s %3$L < %4$s ORDER BY %1$s %2$s %3$L', col, op, q, r)),
		('<=', format('SELECT id, %1$s %2$s %3$L d FROM items WHERE %1$s %2$s %3$L <= %4$s ORDER BY %1$s %2$s %3$L', col, op, q, r)),
		('r >', format('SELECT id FROM items WHERE %4$s > %1$s %2$s %3$L ORDER BY %1$s %2$s %3$L', col, op, q, r)),
		('r >=', format('SELECT id FROM items WHERE %4$s >= %1$s %2$s %3$L ORDER BY %1$s %2$s %3$L', col, op, q, r)),
		('<= LIMIT 80', format('SELECT id FROM items WHERE %1$s %2$s %3$L <= %4$s ORDER BY %1$s %2$s %3$L LIMIT 80', col, op, q, r)),
		('< LIMIT 50', format('SELECT count(*), bool_and(d < %4$s) FROM (SELECT %1$s %2$s %3$L d FROM items WHERE %1$s %2$s %3$L < %4$s ORDER BY %1$s %2$s %3$L LIMIT 50) x', col, op, q, r))
	) f(form, sql),
	LATERAL radius_check(sql, NULL, ef) c
ORDER BY col, op, form;

-- quantized (int8) indexes and a filter-column index, iterative scan on
SET hnsw.iterative_scan = relaxed_order;
SELECT t, op, form, c.*
FROM (VALUES ('qitems', '<->'), ('qitems', '<=>'), ('fitems', '<#>')) m(t, op),
	kth('v', op, center(5), 100) r,
	LATERAL (VALUES
		('<', format('SELECT id FROM %1$s WHERE v %2$s %3$L < %4$s ORDER BY v %2$s %3$L', t, op, center(5), r)),
		('<= cat = 1', format('SELECT id FROM %1$s WHERE cat = 1 AND v %2$s %3$L <= %4$s ORDER BY v %2$s %3$L', t, op, center(5), r)),
		('< LIMIT 30', format('SELECT count(*), bool_and(d < %4$s) FROM (SELECT v %2$s %3$L d FROM %1$s WHERE v %2$s %3$L < %4$s ORDER BY v %2$s %3$L LIMIT 30) x', t, op, center(5), r))
	) f(form, sql),
	LATERAL radius_check(sql) c
ORDER BY t, op, form;

-- the early stop: a radius holding 20 of 5,000 points of a plane measures a
-- small part of the graph; with vecdb.radius_stop off the iterative scan
-- goes on through the whole index
CREATE TABLE plane (id int, p vector(2));
INSERT INTO plane SELECT g, ARRAY[random(), random()] FROM generate_series(1, 5000) g;
CREATE INDEX plane_idx ON plane USING hnsw (p vector_l2_ops);
CREATE FUNCTION nodes_measured(radius_stop bool) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE r float8;
BEGIN
	PERFORM set_config('enable_indexscan', 'off', true);
	SELECT p <-> '[0.5,0.5]' INTO r FROM plane ORDER BY p <-> '[0.5,0.5]' OFFSET 19 LIMIT 1;
	PERFORM set_config('enable_indexscan', 'on', true);
	PERFORM set_config('vecdb.radius_stop', radius_stop::text, true);
	PERFORM set_config('enable_seqscan', 'off', true);
	PERFORM count(*) FROM (SELECT id FROM plane WHERE p <-> '[0.5,0.5]' <= r
		ORDER BY p <-> '[0.5,0.5]') x;
	RETURN (SELECT nodes_measured FROM vecdb_last_scan());
END $$;
SELECT nodes_measured(true) < 0.2 * (SELECT count(*) FROM plane) AS bounded_walk_is_small,
	nodes_measured(false) > 0.8 * (SELECT count(*) FROM plane) AS unbounded_walk_is_not;
RESET hnsw.iterative_scan;

-- the plan without LIMIT: the planner samples the index for the share of
-- rows within a radius known at plan time, so a small radius plans the
-- index scan (it stops at the radius) and one holding half the rows a
-- sequential scan and sort; with vecdb.radius_stop off, a radius known
-- only at run time (a generic plan), or a LIMIT, the walk is costed as
-- before
ANALYZE plane;
EXPLAIN (COSTS OFF) SELECT id FROM plane WHERE p <-> '[0.5,0.5]' < 0.03 ORDER BY p <-> '[0.5,0.5]';
EXPLAIN (COSTS OFF) SELECT id FROM plane WHERE 0.03 >= p <-> '[0.5,0.5]' ORDER BY p <-> '[0.5,0.5]';
EXPLAIN (COSTS OFF) SELECT id FROM plane WHERE p <-> '[0.5,0.5]' < 0.4 ORDER BY p <-> '[0.5,0.5]';
-- under a LIMIT the k-NN walk's costing stands (pgvector's plan): the index
EXPLAIN (COSTS OFF) SELECT id FROM plane WHERE p <-> '[0.5,0.5]' < 0.4 ORDER BY p <-> '[0.5,0.5]' LIMIT 20;
SET vecdb.radius_stop = off;
EXPLAIN (COSTS OFF) SELECT id FROM plane WHERE p <-> '[0.5,0.5]' < 0.03 ORDER BY p <-> '[0.5,0.5]';
RESET vecdb.radius_stop;
PREPARE plane_near(vector, float8) AS
SELECT id FROM plane WHERE p <-> $1 < $2 ORDER BY p <-> $1;
SET plan_cache_mode = force_custom_plan;
EXPLAIN (COSTS OFF) EXECUTE plane_near('[0.5,0.5]', 0.03);
SET plan_cache_mode = force_generic_plan;
EXPLAIN (COSTS OFF) EXECUTE plane_near('[0.5,0.5]', 0.03);
RESET plan_cache_mode;
DEALLOCATE plane_near;
-- and the rows are the exact scan's
SELECT c.* FROM radius_check(
	$$SELECT id FROM plane WHERE p <-> '[0.5,0.5]' < 0.03 ORDER BY p <-> '[0.5,0.5]'$$) c;

-- a generic plan: the radius is a parameter, evaluated when the scan starts
-- (NaN and Infinity bound nothing: every row, as without the condition)
SET plan_cache_mode = force_generic_plan;
SET hnsw.iterative_scan = relaxed_order;
SET hnsw.max_scan_tuples = 100000;
PREPARE near(vector, float8) AS
SELECT id FROM items WHERE v <-> $1 < $2 ORDER BY v <-> $1;
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) EXECUTE near('[0.1,0.2,0.3,0.1,0.2,0.3,0.1,0.2]', 0.2);
RESET enable_seqscan;
SELECT form, c.*
FROM (VALUES ('60 rows', kth('v', '<->', center(3), 60)::text), ('NULL', 'NULL'), ('0', '0'),
			 ('-1', '-1'), ('NaN', '''NaN'''), ('Infinity', '''Infinity''')) x(form, r),
	LATERAL radius_check(
		format('EXECUTE near(%L, %s)', center(3), r),
		format('SELECT id FROM items WHERE v <-> %L < %s::float8', center(3), r)) c;
-- a NULL or negative radius, a NULL query, or a zero query under cosine
-- (distance NaN) returns nothing without walking
EXECUTE near('[0.1,0.2,0.3,0.1,0.2,0.3,0.1,0.2]', NULL);
SELECT nodes_measured, rows_returned FROM vecdb_last_scan();
EXECUTE near('[0.1,0.2,0.3,0.1,0.2,0.3,0.1,0.2]', -1);
SELECT nodes_measured, rows_returned FROM vecdb_last_scan();
EXECUTE near(NULL, 1);
SELECT nodes_measured, rows_returned FROM vecdb_last_scan();
SET enable_seqscan = off;
SELECT id FROM items WHERE v <=> '[0,0,0,0,0,0,0,0]' < 1.5 ORDER BY v <=> '[0,0,0,0,0,0,0,0]';
SELECT index::regclass, nodes_measured, rows_returned FROM vecdb_last_scan();
RESET enable_seqscan;
RESET hnsw.max_scan_tuples;
RESET hnsw.iterative_scan;
DEALLOCATE near;
RESET plan_cache_mode;

-- a nested loop: the query vector and the radius come from the outer row,
-- and each rescan bounds its own walk
CREATE TABLE queries (qid int, qv vector(8), r float8);
INSERT INTO queries VALUES
	(1, center(3)::vector, 0.2),
	(2, center(5)::vector, 0.25),
	(3, center(3)::vector, NULL),
	(4, '[0,0,0,0,0,0,0,0]', 0.45);
-- (its plan's lines but the "Disabled: true" that 18 prints under the outer
-- sequential scan)
CREATE FUNCTION plan_lines(q text) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE l text;
BEGIN
	FOR l IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP
		IF l NOT LIKE '%Disabled: true' THEN
			RETURN NEXT l;
		END IF;
	END LOOP;
END $$;
SET enable_seqscan = off;
SELECT plan_lines('SELECT qid, id FROM queries q,
	LATERAL (SELECT id FROM items WHERE v <-> q.qv < q.r ORDER BY v <-> q.qv) x');
RESET enable_seqscan;
SELECT * FROM radius_check(
	'SELECT qid, id FROM queries q, LATERAL (SELECT id FROM items WHERE v <-> q.qv < q.r ORDER BY v <-> q.qv) x',
	'SELECT qid, id FROM queries q, items WHERE v <-> q.qv < q.r');

