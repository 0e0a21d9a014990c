/* vecdb--0.1.0--0.2.0.sql: ALTER EXTENSION vecdb UPDATE TO '0.2.0' */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION vecdb UPDATE TO '0.2.0'" to load this file. \quit

-- the planner's distance cost for every type, not only vector
ALTER FUNCTION hamming_distance(bit, bit) SUPPORT vecdb_distance_support;
ALTER FUNCTION jaccard_distance(bit, bit) SUPPORT vecdb_distance_support;
ALTER FUNCTION l2_distance(sparsevec, sparsevec) SUPPORT vecdb_distance_support;
ALTER FUNCTION inner_product(sparsevec, sparsevec) SUPPORT vecdb_distance_support;
ALTER FUNCTION cosine_distance(sparsevec, sparsevec) SUPPORT vecdb_distance_support;
ALTER FUNCTION l1_distance(sparsevec, sparsevec) SUPPORT vecdb_distance_support;
ALTER FUNCTION sparsevec_l2_squared_distance(sparsevec, sparsevec) SUPPORT vecdb_distance_support;
ALTER FUNCTION sparsevec_negative_inner_product(sparsevec, sparsevec) SUPPORT vecdb_distance_support;
ALTER FUNCTION l2_distance(halfvec, halfvec) SUPPORT vecdb_distance_support;
ALTER FUNCTION inner_product(halfvec, halfvec) SUPPORT vecdb_distance_support;
ALTER FUNCTION cosine_distance(halfvec, halfvec) SUPPORT vecdb_distance_support;
ALTER FUNCTION l1_distance(halfvec, halfvec) SUPPORT vecdb_distance_support;
ALTER FUNCTION halfvec_l2_squared_distance(halfvec, halfvec) SUPPORT vecdb_distance_support;
ALTER FUNCTION halfvec_negative_inner_product(halfvec, halfvec) SUPPORT vecdb_distance_support;
ALTER FUNCTION halfvec_spherical_distance(halfvec, halfvec) SUPPORT vecdb_distance_support;

-- hnsw on sparsevec
CREATE OPERATOR CLASS sparsevec_l2_ops
	FOR TYPE sparsevec USING hnsw AS
	OPERATOR 1 <-> (sparsevec, sparsevec) FOR ORDER BY float_ops,
	FUNCTION 1 sparsevec_l2_squared_distance(sparsevec, sparsevec);

CREATE OPERATOR CLASS sparsevec_ip_ops
	FOR TYPE sparsevec USING hnsw AS
	OPERATOR 1 <#> (sparsevec, sparsevec) FOR ORDER BY float_ops,
	FUNCTION 1 sparsevec_negative_inner_product(sparsevec, sparsevec);

CREATE OPERATOR CLASS sparsevec_cosine_ops
	FOR TYPE sparsevec USING hnsw AS
	OPERATOR 1 <=> (sparsevec, sparsevec) FOR ORDER BY float_ops,
	FUNCTION 1 sparsevec_negative_inner_product(sparsevec, sparsevec),
	FUNCTION 2 l2_norm(sparsevec);

CREATE OPERATOR CLASS sparsevec_l1_ops
	FOR TYPE sparsevec USING hnsw AS
	OPERATOR 1 <+> (sparsevec, sparsevec) FOR ORDER BY float_ops,
	FUNCTION 1 l1_distance(sparsevec, sparsevec);

-- the VACUUM progress view names the index and is readable by all
DROP VIEW vecdb_stat_progress_vacuum;
CREATE VIEW vecdb_stat_progress_vacuum AS
SELECT s.pid, s.datid, d.datname, s.relid, nullif(s.param15, 0)::oid AS indexrelid,
	CASE s.param16
		WHEN 1 THEN 'removing heap tids'
		WHEN 2 THEN 'relinking around deleted nodes'
		WHEN 3 THEN 'repairing graph'
		WHEN 4 THEN 'freeing nodes'
	END AS hnsw_phase,
	s.param17 AS hnsw_blocks_total,
	s.param18 AS hnsw_blocks_done,
	s.param19 AS hnsw_nodes_deleted,
	s.param20 AS hnsw_nodes_repaired
FROM pg_catalog.pg_stat_get_progress_info('VACUUM') s
	LEFT JOIN pg_catalog.pg_database d ON s.datid = d.oid;
-- readable by all, as core's progress views: another role's rows show
-- their figures only to members of pg_read_all_stats
GRANT SELECT ON vecdb_stat_progress_vacuum TO PUBLIC;

-- the shape of an hnsw graph: live nodes per level, degree per layer
CREATE FUNCTION vecdb_index_graph(index regclass, OUT format_version int, OUT live_nodes bigint,
	OUT nodes_per_level bigint[], OUT avg_degree float8[], OUT min_degree int[],
	OUT bytes_per_vector float8, OUT external_vectors bigint)
	RETURNS record
	AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL RESTRICTED;
REVOKE EXECUTE ON FUNCTION vecdb_index_graph(regclass) FROM PUBLIC;

-- the counters of this backend's last finished hnsw index scan
CREATE FUNCTION vecdb_last_scan(OUT index regclass, OUT nodes_measured bigint,
	OUT rows_returned bigint, OUT iterative_rounds bigint, OUT filtered boolean)
	RETURNS record
	AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE PARALLEL RESTRICTED;

-- the graph's shape with the checker's counts, one row
CREATE FUNCTION vecdb_index_stats(index regclass, OUT format_version int, OUT pages bigint,
	OUT live_nodes bigint, OUT deleted_nodes bigint, OUT heap_tids bigint, OUT levels int,
	OUT nodes_per_level bigint[], OUT avg_degree float8[], OUT min_degree int[],
	OUT bytes_per_vector float8, OUT external_vectors bigint, OUT unreachable_nodes bigint)
	RETURNS record LANGUAGE sql STRICT PARALLEL RESTRICTED
	AS $$
	SELECT g.format_version, c.pages, g.live_nodes, c.deleted_nodes, c.heap_tids,
		coalesce(cardinality(g.nodes_per_level), 0), g.nodes_per_level, g.avg_degree,
		g.min_degree, g.bytes_per_vector, g.external_vectors, c.unreachable_nodes
	FROM vecdb_index_graph($1) g, vecdb_index_check($1) c
	$$;
REVOKE EXECUTE ON FUNCTION vecdb_index_stats(regclass) FROM PUBLIC;

-- filter columns of hnsw indexes: the columns after the vector, tested
-- during the graph walk (integers and booleans exactly, text and uuid by
-- hash, arrays by signature, rechecked on the heap)

CREATE OPERATOR FAMILY vecdb_integer_filter_ops USING hnsw;

CREATE OPERATOR CLASS vecdb_int2_filter_ops
	DEFAULT FOR TYPE int2 USING hnsw FAMILY vecdb_integer_filter_ops AS
	OPERATOR 1 < (int2, int2),
	OPERATOR 2 <= (int2, int2),
	OPERATOR 3 = (int2, int2),
	OPERATOR 4 >= (int2, int2),
	OPERATOR 5 > (int2, int2);

CREATE OPERATOR CLASS vecdb_int4_filter_ops
	DEFAULT FOR TYPE int4 USING hnsw FAMILY vecdb_integer_filter_ops AS
	OPERATOR 1 < (int4, int4),
	OPERATOR 2 <= (int4, int4),
	OPERATOR 3 = (int4, int4),
	OPERATOR 4 >= (int4, int4),
	OPERATOR 5 > (int4, int4);

CREATE OPERATOR CLASS vecdb_int8_filter_ops
	DEFAULT FOR TYPE int8 USING hnsw FAMILY vecdb_integer_filter_ops AS
	OPERATOR 1 < (int8, int8),
	OPERATOR 2 <= (int8, int8),
	OPERATOR 3 = (int8, int8),
	OPERATOR 4 >= (int8, int8),
	OPERATOR 5 > (int8, int8);

ALTER OPERATOR FAMILY vecdb_integer_filter_ops USING hnsw ADD
	OPERATOR 1 < (int2, int4),
	OPERATOR 2 <= (int2, int4),
	OPERATOR 3 = (int2, int4),
	OPERATOR 4 >= (int2, int4),
	OPERATOR 5 > (int2, int4),
	OPERATOR 1 < (int2, int8),
	OPERATOR 2 <= (int2, int8),
	OPERATOR 3 = (int2, int8),
	OPERATOR 4 >= (int2, int8),
	OPERATOR 5 > (int2, int8),
	OPERATOR 1 < (int4, int2),
	OPERATOR 2 <= (int4, int2),
	OPERATOR 3 = (int4, int2),
	OPERATOR 4 >= (int4, int2),
	OPERATOR 5 > (int4, int2),
	OPERATOR 1 < (int4, int8),
	OPERATOR 2 <= (int4, int8),
	OPERATOR 3 = (int4, int8),
	OPERATOR 4 >= (int4, int8),
	OPERATOR 5 > (int4, int8),
	OPERATOR 1 < (int8, int2),
	OPERATOR 2 <= (int8, int2),
	OPERATOR 3 = (int8, int2),
	OPERATOR 4 >= (int8, int2),
	OPERATOR 5 > (int8, int2),
	OPERATOR 1 < (int8, int4),
	OPERATOR 2 <= (int8, int4),
	OPERATOR 3 = (int8, int4),
	OPERATOR 4 >= (int8, int4),
	OPERATOR 5 > (int8, int4);

CREATE OPERATOR CLASS vecdb_bool_filter_ops
	DEFAULT FOR TYPE bool USING hnsw AS
	OPERATOR 3 = (bool, bool);

CREATE OPERATOR CLASS vecdb_text_filter_ops
	DEFAULT FOR TYPE text USING hnsw AS
	OPERATOR 3 = (text, text);

CREATE OPERATOR CLASS vecdb_uuid_filter_ops
	DEFAULT FOR TYPE uuid USING hnsw AS
	OPERATOR 3 = (uuid, uuid);

CREATE OPERATOR CLASS vecdb_array_filter_ops
	DEFAULT FOR TYPE anyarray USING hnsw AS
	OPERATOR 6 && (anyarray, anyarray),
	OPERATOR 7 @> (anyarray, anyarray);

-- recall@k of an hnsw index at the session's settings: for sample rows'
-- vectors as queries, the share of the exact k nearest (a scan without
-- indexes) that the index scan returns.  Rows are told apart by ctid;
-- filter columns play no part.
CREATE FUNCTION vecdb_recall(index regclass, sample int DEFAULT 100, k int DEFAULT 10)
RETURNS float8 LANGUAGE plpgsql STRICT PARALLEL UNSAFE
AS $$
DECLARE
	tbl regclass;
	col name;
	op text;
	typ text;
	knn text;
	q text;
	got tid[];
	want tid[];
	hits bigint := 0;
	total bigint := 0;
	saved text[] := ARRAY[current_setting('enable_seqscan'), current_setting('enable_indexscan'),
		current_setting('enable_bitmapscan')];
BEGIN
	IF sample < 1 OR k < 1 THEN
		RAISE EXCEPTION 'sample and k must be positive' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	SELECT i.indrelid::regclass, a.attname, format('%I.%s', n.nspname, opr.oprname),
		format_type(a.atttypid, NULL)
	INTO tbl, col, op, typ
	FROM pg_index i
		JOIN pg_class c ON c.oid = i.indexrelid
		JOIN pg_am am ON am.oid = c.relam AND am.amname = 'hnsw'
		JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
		JOIN pg_opclass oc ON oc.oid = i.indclass[0]
		JOIN pg_amop o ON o.amopfamily = oc.opcfamily AND o.amoppurpose = 'o'
			AND o.amoplefttype = oc.opcintype
		JOIN pg_operator opr ON opr.oid = o.amopopr
		JOIN pg_namespace n ON n.oid = opr.oprnamespace
	WHERE i.indexrelid = index;
	IF tbl IS NULL THEN
		RAISE EXCEPTION '"%" is not an hnsw index on a table column', index
			USING ERRCODE = 'wrong_object_type';
	END IF;
	FOR q IN EXECUTE format('SELECT %I::text FROM %s WHERE %I IS NOT NULL ORDER BY random() LIMIT %s',
		col, tbl, col, sample)
	LOOP
		knn := format('SELECT array_agg(ctid) FROM (SELECT ctid FROM %s ORDER BY %I OPERATOR(%s) $1::%s LIMIT %s) s',
			tbl, col, op, typ, k);
		PERFORM set_config('enable_seqscan', 'off', true);
		PERFORM set_config('enable_indexscan', 'on', true);
		PERFORM set_config('enable_bitmapscan', 'off', true);
		EXECUTE knn INTO got USING q;
		PERFORM set_config('enable_seqscan', 'on', true);
		PERFORM set_config('enable_indexscan', 'off', true);
		EXECUTE knn INTO want USING q;
		hits := hits + (SELECT count(*) FROM unnest(got) g WHERE g = ANY (want));
		total := total + coalesce(cardinality(want), 0);
	END LOOP;
	PERFORM set_config('enable_seqscan', saved[1], true);
	PERFORM set_config('enable_indexscan', saved[2], true);
	PERFORM set_config('enable_bitmapscan', saved[3], true);
	RETURN CASE WHEN total = 0 THEN NULL ELSE hits::float8 / total END;
END $$;
