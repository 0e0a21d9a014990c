-- HNSW on sparsevec: nodes store only the non-zeros (8 bytes each, plus 8),
-- so their vectors differ in size; at most 1,000 non-zeros, as in pgvector
SELECT setseed(0.3);
CREATE FUNCTION rsv(dim int, nnz int) RETURNS sparsevec LANGUAGE sql VOLATILE AS $$
	SELECT (coalesce('{' || string_agg(k || ':' || round((random() - 0.4)::numeric, 4), ',') || '}',
			'{}') || '/' || dim)::sparsevec
	FROM (SELECT DISTINCT 1 + floor(random() * dim)::int AS k
		  FROM generate_series(1, nnz)) s
$$;
CREATE TABLE ts (i int, v sparsevec(60)) WITH (autovacuum_enabled = off);
INSERT INTO ts SELECT i, rsv(60, (i % 12) + 1) FROM generate_series(1, 400) i;
INSERT INTO ts VALUES (401, '{}/60'), (402, NULL);
CREATE INDEX ts_l2 ON ts USING hnsw (v sparsevec_l2_ops);
CREATE INDEX ts_ip ON ts USING hnsw (v sparsevec_ip_ops);
CREATE INDEX ts_cos ON ts USING hnsw (v sparsevec_cosine_ops);
CREATE INDEX ts_l1 ON ts USING hnsw (v sparsevec_l1_ops);
SELECT c.relname, k.nodes, k.chunks, k.unreachable_nodes, k.heap_tuples_checked
FROM pg_class c, vecdb_index_check(c.oid::regclass, true) k
WHERE c.relname IN ('ts_l2', 'ts_ip', 'ts_cos', 'ts_l1') ORDER BY 1;

-- every operator: the index returns the exact order (the distances of the
-- first 10, so ties may come in either order), 20 queries each, with
-- ef_search above the row count (sparse vectors with few non-zeros have
-- many near ties, hard for a graph search with a small ef); more rows
-- inserted after the build
INSERT INTO ts SELECT i, rsv(60, (i % 7) + 1) FROM generate_series(403, 500) i;
CREATE TEMP TABLE q AS SELECT i AS q, rsv(60, 3 + i % 9) AS v FROM generate_series(1, 20) i;
CREATE FUNCTION top10(op text) RETURNS TABLE (q int, d float8[]) LANGUAGE plpgsql AS $$
BEGIN
	RETURN QUERY EXECUTE format('SELECT q.q, array(SELECT round((ts.v %s q.v)::numeric, 5)::float8
		FROM ts ORDER BY ts.v %s q.v LIMIT 10) FROM q', op, op);
END
$$;
SET enable_indexscan = off;
CREATE TEMP TABLE exact AS
SELECT op, t.* FROM unnest(ARRAY['<->', '<#>', '<=>', '<+>']) op, top10(op) t;
RESET enable_indexscan;
SET enable_seqscan = off;
SET hnsw.ef_search = 1000;
EXPLAIN (COSTS OFF) SELECT i FROM ts ORDER BY v <+> (SELECT v FROM q WHERE q = 1) LIMIT 10;
CREATE TEMP TABLE approx AS
SELECT op, t.* FROM unnest(ARRAY['<->', '<#>', '<=>', '<+>']) op, top10(op) t;
SELECT op, count(*) AS queries, count(*) FILTER (WHERE a.d = e.d) AS exact_order
FROM exact e JOIN approx a USING (op, q) GROUP BY op ORDER BY op;
RESET hnsw.ef_search;

-- NULL and zero queries order nothing but return rows
SELECT count(*) FROM (SELECT i FROM ts ORDER BY v <-> NULL LIMIT 5) s;
SELECT count(*) FROM (SELECT i FROM ts ORDER BY v <=> '{}/60' LIMIT 5) s;

-- deletes and VACUUM
DELETE FROM ts WHERE i % 3 = 0;
VACUUM ts;
SELECT c.relname, k.nodes, k.deleted_nodes, k.unreachable_nodes, k.heap_tuples_checked
FROM pg_class c, vecdb_index_check(c.oid::regclass, true) k
WHERE c.relname IN ('ts_l2', 'ts_ip', 'ts_cos', 'ts_l1') ORDER BY 1;
SELECT count(*) FROM (SELECT i FROM ts ORDER BY v <-> '{1:1}/60' LIMIT 5) s;

-- up to 1,000 non-zeros: 8,008 bytes, in chunk tuples; 900 stay inline.
-- Built in memory, then inserted one by one, beside small vectors
CREATE TABLE tw (i int, v sparsevec(100000));
INSERT INTO tw SELECT i, ('{' || (SELECT string_agg((i * 7 + k * 97) % 100000 + 1 || ':' || (k % 13 + 1), ',')
	FROM generate_series(1, CASE WHEN i % 3 = 0 THEN 1000 WHEN i % 3 = 1 THEN 900 ELSE i END) k)
	|| '}/100000')::sparsevec FROM generate_series(1, 30) i;
CREATE INDEX tw_l2 ON tw USING hnsw (v sparsevec_l2_ops);
INSERT INTO tw SELECT i + 30, v FROM tw;
INSERT INTO tw SELECT i + 60, ('{' || (SELECT string_agg((i * 11 + k * 89) % 100000 + 1 || ':1', ',')
	FROM generate_series(1, 1000) k) || '}/100000')::sparsevec FROM generate_series(1, 20) i;
SELECT nodes, chunks > 0 AS external, unreachable_nodes, heap_tuples_checked
FROM vecdb_index_check('tw_l2', true);
SELECT i FROM tw ORDER BY v <-> (SELECT v FROM tw WHERE i = 63) LIMIT 2;
-- a query may hold more non-zeros than the index stores
SELECT count(*) FROM (SELECT i FROM tw ORDER BY v <-> ('{' || (SELECT string_agg(k || ':1', ',')
	FROM generate_series(1, 2000) k) || '}/100000')::sparsevec LIMIT 3) s;
DELETE FROM tw WHERE i % 2 = 0;
VACUUM tw;
SELECT nodes, unreachable_nodes, heap_tuples_checked FROM vecdb_index_check('tw_l2', true);

-- more than 1,000 non-zeros: refused at build and at insert (pgvector's
-- text); 1,000 are accepted
CREATE TABLE tn (v sparsevec(1001));
INSERT INTO tn VALUES (array_fill(1, ARRAY[1001])::vector::sparsevec);
CREATE INDEX ON tn USING hnsw (v sparsevec_l2_ops);
TRUNCATE tn;
CREATE INDEX tn_cos ON tn USING hnsw (v sparsevec_cosine_ops);
INSERT INTO tn VALUES (array_fill(1, ARRAY[1001])::vector::sparsevec);
INSERT INTO tn VALUES ((array_fill(1, ARRAY[1000]) || 0)::vector::sparsevec);
SELECT nodes, chunks FROM vecdb_index_check('tn_cos');

-- a column without dimensions cannot be indexed, as for the dense types
CREATE TABLE tu (v sparsevec);
CREATE INDEX ON tu USING hnsw (v sparsevec_l2_ops);

RESET enable_seqscan;
DROP TABLE ts, tw, tn, tu;
DROP FUNCTION top10, rsv;
