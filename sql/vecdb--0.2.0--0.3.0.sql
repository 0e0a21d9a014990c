/* vecdb--0.2.0--0.3.0.sql: ALTER EXTENSION vecdb UPDATE TO '0.3.0' */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION vecdb UPDATE TO '0.3.0'" to load this file. \quit

-- vecdb_last_scan gains pages_read and rows_reranked (at the end: the
-- library reads the old five columns too); a new result type needs a new
-- function
DROP FUNCTION vecdb_last_scan();
-- the counters of this backend's last finished hnsw index scan
CREATE FUNCTION vecdb_last_scan(OUT index regclass, OUT nodes_measured bigint,
	OUT rows_returned bigint, OUT iterative_rounds bigint, OUT filtered boolean,
	OUT pages_read bigint, OUT rows_reranked bigint)
	RETURNS record
	AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE PARALLEL RESTRICTED;

-- cumulative counters of hnsw index scans per index of this database:
-- server-wide with vecdb in shared_preload_libraries, else this session's
CREATE FUNCTION vecdb_stat_indexes(OUT indexrelid oid, OUT scans bigint,
	OUT nodes_measured bigint, OUT pages_read bigint, OUT rows_returned bigint,
	OUT iterative_rounds bigint, OUT rows_reranked bigint, OUT scope text)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED;

-- clears them (everywhere the counters are kept): superuser or explicit
-- GRANT only, as pg_stat_reset
CREATE FUNCTION vecdb_stat_reset() RETURNS void
	AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED;
REVOKE EXECUTE ON FUNCTION vecdb_stat_reset() FROM PUBLIC;

-- the counters of the user's hnsw indexes with their names, shaped as
-- pg_stat_user_indexes; readable by all, as it is
CREATE VIEW vecdb_stat_user_indexes AS
SELECT x.indrelid AS relid, s.indexrelid, n.nspname AS schemaname, t.relname,
	i.relname AS indexrelname, s.scans, s.nodes_measured, s.pages_read, s.rows_returned,
	s.iterative_rounds, s.rows_reranked, s.scope
FROM vecdb_stat_indexes() s
	JOIN pg_catalog.pg_index x ON x.indexrelid = s.indexrelid
	JOIN pg_catalog.pg_class i ON i.oid = s.indexrelid
	JOIN pg_catalog.pg_class t ON t.oid = x.indrelid
	JOIN pg_catalog.pg_namespace n ON n.oid = i.relnamespace
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_toast';
GRANT SELECT ON vecdb_stat_user_indexes TO PUBLIC;
