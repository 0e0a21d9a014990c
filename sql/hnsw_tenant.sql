-- tenant lists: WITH (tenant = column) links each node to its nearest nodes of
-- the same tenant value, and a scan for one tenant walks inside it
SELECT setseed(0.5);
CREATE TABLE items (id int, v vector(16), s int, t int, tags int[]);
-- s: 40 tenants of 75 rows; t: 300 tenants of 10 rows (fewer than ef_search)
INSERT INTO items
SELECT g, ARRAY(SELECT random() FROM generate_series(1, 16) WHERE g > 0)::vector,
	g % 40, g % 300, ARRAY[g % 5]
FROM generate_series(1, 3000) g;
-- rows without a tenant belong to none
INSERT INTO items SELECT 3000 + g, ARRAY(SELECT random() FROM generate_series(1, 16)
	WHERE g > 0)::vector FROM generate_series(1, 50) g;

-- the option must name a filter column with an equality test
CREATE INDEX ON items USING hnsw (v vector_l2_ops, s) WITH (tenant = 'nope');
CREATE INDEX ON items USING hnsw (v vector_l2_ops, s) WITH (tenant = 'v');
CREATE INDEX ON items USING hnsw (v vector_l2_ops, s, tags) WITH (tenant = 'tags');
CREATE INDEX ON items USING hnsw (v vector_l2_ops) WITH (tenant = 't');

-- the ids of the 10 nearest rows of a tenant: by the index, and exactly
CREATE FUNCTION knn(col text, val int, q vector, use_index bool) RETURNS int[]
LANGUAGE plpgsql AS $$
DECLARE r int[];
BEGIN
	PERFORM set_config('enable_seqscan', (NOT use_index)::text, true);
	PERFORM set_config('enable_indexscan', use_index::text, true);
	PERFORM set_config('enable_bitmapscan', 'off', true);
	EXECUTE format('SELECT array_agg(id ORDER BY id) FROM (SELECT id FROM items '
		'WHERE %I = %s ORDER BY v <-> %L LIMIT 10) x', col, val, q) INTO r;
	RETURN coalesce(r, '{}');
END $$;
-- per tenant of col (values 0 .. ntenants - 1), the query near one of its
-- rows: the mean recall@10, how many answers equal the exact ones, and the
-- nodes the index scans measured in all
CREATE FUNCTION tenant_recall(col text, ntenants int,
	OUT recall float8, OUT exact int, OUT nodes bigint)
LANGUAGE plpgsql AS $$
DECLARE val int; q vector; got int[]; want int[];
BEGIN
	recall := 0; exact := 0; nodes := 0;
	FOR val IN 0 .. ntenants - 1 LOOP
		EXECUTE format('SELECT v FROM items WHERE %I = %s ORDER BY id LIMIT 1', col, val)
			INTO q;
		q := q + ('[' || repeat('0.01,', 15) || '0.01]')::vector;
		got := knn(col, val, q, true);
		nodes := nodes + (SELECT nodes_measured FROM vecdb_last_scan());
		want := knn(col, val, q, false);
		recall := recall + cardinality(ARRAY(SELECT unnest(got) INTERSECT
			SELECT unnest(want)))::float8 / greatest(cardinality(want), 1);
		exact := exact + (got = want)::int;
	END LOOP;
	recall := recall / ntenants;
END $$;

-- the plain filter index, as a yardstick: at the defaults (a tenant smaller
-- than ef_search makes the walk measure up to hnsw.max_scan_tuples nodes),
-- and with the walk limited to 1,500 nodes
CREATE INDEX items_plain ON items USING hnsw (v vector_l2_ops, s, t);
CREATE TEMP TABLE plain AS
SELECT (tenant_recall('t', 300)).nodes AS t_nodes, (tenant_recall('s', 40)).nodes AS s_nodes;
SET hnsw.max_scan_tuples = 1500;
ALTER TABLE plain ADD COLUMN t_recall float8;
UPDATE plain SET t_recall = (tenant_recall('t', 300)).recall;
RESET hnsw.max_scan_tuples;
SELECT t_recall < 0.95 AS plain_index_misses_rows FROM plain;
DROP INDEX items_plain;

-- tiny tenants: every row comes back, exactly, measuring far fewer nodes
CREATE INDEX items_t ON items USING hnsw (v vector_l2_ops, t) WITH (tenant = 't');
SELECT nodes, unreachable_nodes FROM vecdb_index_check('items_t', heapallindexed => true);
SET enable_seqscan = off;
EXPLAIN (COSTS OFF)
SELECT id FROM items WHERE t = 7 ORDER BY v <-> '[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]' LIMIT 10;
RESET enable_seqscan;
-- the walk starts at the tenant's directory entry: no search for a first
-- member, whatever hnsw.max_scan_tuples is, so the cost does not count one
CREATE FUNCTION plan_cost(q text) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE j json;
BEGIN
	EXECUTE 'EXPLAIN (FORMAT JSON) ' || q INTO j;
	RETURN (j -> 0 -> 'Plan' ->> 'Total Cost')::float8;
END $$;
SET enable_seqscan = off;
CREATE TEMP TABLE tenant_cost AS SELECT plan_cost('SELECT id FROM items WHERE t = 7
	ORDER BY v <-> ''[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]'' LIMIT 10') AS reachable;
SET hnsw.max_scan_tuples = 200;
SELECT plan_cost('SELECT id FROM items WHERE t = 7
	ORDER BY v <-> ''[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]'' LIMIT 10') < 1.01 * reachable
	AS no_first_member_cost FROM tenant_cost;
RESET hnsw.max_scan_tuples;
RESET enable_seqscan;
-- each walk measures its tenant's 10 rows at most
SELECT exact, nodes * 4 < (SELECT t_nodes FROM plain) AS far_fewer_nodes,
	nodes <= 300 * 10 AS members_only
FROM tenant_recall('t', 300);
SET hnsw.max_scan_tuples = 1500;
SELECT recall >= 0.95 AS recall_ok FROM tenant_recall('t', 300);
RESET hnsw.max_scan_tuples;
DROP INDEX items_t;

-- small tenants (more rows than ef_search): recall at the defaults, exact
-- with ef_search above their size; another condition beside the tenant's
CREATE INDEX items_s ON items USING hnsw (v vector_l2_ops, s, t) WITH (tenant = 's');
SELECT recall >= 0.95 AS recall_ok, nodes * 3 < (SELECT s_nodes FROM plain) AS far_fewer_nodes
FROM tenant_recall('s', 40);
SET hnsw.ef_search = 100;
SELECT exact FROM tenant_recall('s', 40);
SET enable_seqscan = off;
SELECT array_agg(id ORDER BY id) FROM (SELECT id FROM items WHERE s = 3 AND t = 3
	ORDER BY v <-> (SELECT v FROM items WHERE id = 3) LIMIT 10) x;
RESET enable_seqscan;

-- inserts link new rows into their tenant, and start a new one (s = 40)
INSERT INTO items
SELECT 4000 + g, ARRAY(SELECT random() FROM generate_series(1, 16) WHERE g > 0)::vector,
	g % 41, g % 300, NULL
FROM generate_series(1, 600) g;
SELECT nodes, unreachable_nodes FROM vecdb_index_check('items_s', heapallindexed => true);
SELECT exact FROM tenant_recall('s', 41);

-- after DELETE and VACUUM, tenant lists lead around the deleted rows
DELETE FROM items WHERE id % 3 = 0;
VACUUM items;
SELECT nodes, deleted_nodes, unreachable_nodes
FROM vecdb_index_check('items_s', heapallindexed => true);
SELECT exact FROM tenant_recall('s', 41);
RESET hnsw.ef_search;

-- a text tenant key (kept as its hash: matches are rechecked)
CREATE TABLE docs (id int, v vector(2), owner text);
INSERT INTO docs SELECT g, ARRAY[sin(g), cos(1.3 * g)]::vector, 'user' || (g % 20)
FROM generate_series(1, 400) g;
CREATE INDEX ON docs USING hnsw (v vector_l2_ops, owner) WITH (tenant = 'owner');
SET enable_seqscan = off;
SELECT array_agg(id ORDER BY id) FROM (SELECT id FROM docs WHERE owner = 'user3'
	ORDER BY v <-> '[1,1]' LIMIT 5) x;
RESET enable_seqscan;
SELECT array_agg(id ORDER BY id) FROM (SELECT id FROM docs WHERE owner = 'user3'
	ORDER BY v <-> '[1,1]' LIMIT 5) x;
DROP TABLE docs;
DROP TABLE items;
DROP FUNCTION knn, tenant_recall;

-- the tenant directory: built empty, it is created by the first insert;
-- 1,000 tenants of 3 rows register as they come, all in its one bucket (a
-- chain of pages)
CREATE TABLE small (id int, v vector(4), t int);
CREATE INDEX small_idx ON small USING hnsw (v vector_l2_ops, t) WITH (tenant = 't');
INSERT INTO small SELECT g, ARRAY(SELECT random() FROM generate_series(1, 4) WHERE g > 0)::vector,
	g % 1000 FROM generate_series(1, 3000) g;
SELECT nodes, unreachable_nodes FROM vecdb_index_check('small_idx', heapallindexed => true);
-- per tenant 0 .. n - 1: the walks whose rows are the exact answer (all the
-- tenant's rows, up to 10), the rows they returned and the most nodes a
-- walk for a tenant with rows measured
CREATE FUNCTION small_walks(n int, OUT exact int, OUT nrows int, OUT max_nodes int)
LANGUAGE plpgsql AS $$
DECLARE got int[]; want int[];
BEGIN
	exact := 0; nrows := 0; max_nodes := 0;
	FOR val IN 0 .. n - 1 LOOP
		SET LOCAL enable_indexscan = off;
		SELECT coalesce(array_agg(id ORDER BY id), '{}') INTO want FROM (SELECT id FROM small
			WHERE t = val ORDER BY v <-> '[0.5,0.5,0.5,0.5]' LIMIT 10) x;
		SET LOCAL enable_indexscan = on;
		SET LOCAL enable_seqscan = off;
		SELECT coalesce(array_agg(id ORDER BY id), '{}') INTO got FROM (SELECT id FROM small
			WHERE t = val ORDER BY v <-> '[0.5,0.5,0.5,0.5]' LIMIT 10) x;
		IF cardinality(want) > 0 THEN
			max_nodes := greatest(max_nodes, (SELECT nodes_measured FROM vecdb_last_scan()));
		END IF;
		RESET enable_seqscan;
		exact := exact + (got = want)::int;
		nrows := nrows + cardinality(got);
	END LOOP;
END $$;
SELECT * FROM small_walks(1000);
-- every tenant's registered row deleted: VACUUM points each entry at a row
-- of its tenant still there (the checker finds no entry naming a freed
-- node), and each walk starts at it
DELETE FROM small WHERE id <= 1000;
VACUUM small;
SELECT nodes, deleted_nodes, unreachable_nodes
FROM vecdb_index_check('small_idx', heapallindexed => true);
SELECT * FROM small_walks(1000);
-- tenants left without rows lose their entries; a new row registers again
DELETE FROM small WHERE t < 10;
VACUUM small;
SELECT nodes, unreachable_nodes FROM vecdb_index_check('small_idx', heapallindexed => true);
SELECT * FROM small_walks(10);
INSERT INTO small VALUES (5000, '[0.5,0.5,0.5,0.5]', 5);
SELECT * FROM small_walks(10);
-- a build makes the directory too: one entry per tenant, in 5 buckets
REINDEX INDEX small_idx;
SELECT nodes, unreachable_nodes FROM vecdb_index_check('small_idx', heapallindexed => true);
SELECT * FROM small_walks(1000);
DROP TABLE small;
DROP FUNCTION small_walks;

-- complete walks: a tenant whose directory entry counts at most 32 times
-- hnsw.ef_search nodes is walked completely, every member its tenant links
-- reach measured, so the ef_search nearest rows it returns are the exact
-- ones; inserts count their rows (past the bound a walk is an ordinary one
-- again), VACUUM takes off the rows it frees.  4 tenants of 200 rows,
-- tenant lists of 8 links (m = 4), ef_search 10: a bound of 320 rows.
CREATE TABLE cw (id int, v vector(8), t int);
INSERT INTO cw SELECT g, ARRAY(SELECT random() FROM generate_series(1, 8) WHERE g > 0)::vector,
	g % 4 FROM generate_series(1, 800) g;
CREATE INDEX cw_idx ON cw USING hnsw (v vector_l2_ops, t) WITH (tenant = 't', m = 4);
-- tenant val's walk: rows returned, whether they are the exact 10 nearest,
-- nodes measured
CREATE FUNCTION cw_walk(val int, OUT nrows int, OUT exact bool, OUT nodes int)
LANGUAGE plpgsql AS $$
DECLARE got int[]; want int[];
BEGIN
	SET LOCAL enable_indexscan = off;
	SELECT array_agg(id ORDER BY id) INTO want FROM (SELECT id FROM cw WHERE t = val
		ORDER BY v <-> '[0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5]' LIMIT 10) x;
	SET LOCAL enable_indexscan = on;
	SET LOCAL enable_seqscan = off;
	SELECT coalesce(array_agg(id ORDER BY id), '{}') INTO got FROM (SELECT id FROM cw
		WHERE t = val ORDER BY v <-> '[0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5]' LIMIT 10) x;
	nodes := (SELECT nodes_measured FROM vecdb_last_scan());
	nrows := cardinality(got);
	exact := got = want;
END $$;
SET hnsw.ef_search = 10;
SELECT val, w.* FROM generate_series(0, 3) val, cw_walk(val) w;
-- an iterative scan goes on to return every row of the tenant
SET hnsw.iterative_scan = relaxed_order;
SET enable_seqscan = off;
SELECT count(*) FROM (SELECT id FROM cw WHERE t = 1
	ORDER BY v <-> '[0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5]' LIMIT 300) x;
RESET enable_seqscan;
RESET hnsw.iterative_scan;
-- a radius query within a tenant: every row of it within the radius, as
-- the sequential scan finds them
SET enable_seqscan = off;
SELECT count(*) FROM (SELECT id FROM cw WHERE t = 1
	AND v <-> '[0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5]' < 0.6
	ORDER BY v <-> '[0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5]') x;
RESET enable_seqscan;
SELECT count(*) FROM cw WHERE t = 1 AND v <-> '[0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5]' < 0.6;
-- tenant 0 grows to 330 rows, past the bound: an ordinary walk, which
-- measures fewer; at ef_search 11 (bound 352) complete again
INSERT INTO cw SELECT 1000 + g, ARRAY(SELECT random() FROM generate_series(1, 8)
	WHERE g > 0)::vector, 0 FROM generate_series(1, 130) g;
SELECT nrows, nodes < 330 AS ordinary FROM cw_walk(0);
SET hnsw.ef_search = 11;
SELECT w.* FROM cw_walk(0) w;
SET hnsw.ef_search = 10;
-- VACUUM frees 130 of its rows: 200 again, complete at ef_search 10
DELETE FROM cw WHERE t = 0 AND id <= 520;
VACUUM cw;
SELECT count(*) FROM cw WHERE t = 0;
SELECT w.* FROM cw_walk(0) w;
SELECT nodes, deleted_nodes, unreachable_nodes
FROM vecdb_index_check('cw_idx', heapallindexed => true);
RESET hnsw.ef_search;
DROP TABLE cw;
DROP FUNCTION cw_walk;
