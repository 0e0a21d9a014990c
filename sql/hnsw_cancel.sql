-- A long index build can be cancelled (statement_timeout here) at any point,
-- serial or parallel, and leaves nothing behind.

CREATE TABLE cx (id int, v vector(32));
INSERT INTO cx SELECT i, (SELECT array_agg(sin(i * 1.3 + j)) FROM generate_series(1, 32) j)
FROM generate_series(1, 40000) i;
SET max_parallel_maintenance_workers = 0;
SET statement_timeout = '300ms';
CREATE INDEX cx_idx ON cx USING hnsw (v vector_l2_ops);
RESET statement_timeout;
SELECT count(*) FROM pg_class WHERE relname = 'cx_idx';
SET max_parallel_maintenance_workers = 1;
SET statement_timeout = '300ms';
CREATE INDEX cx_idx ON cx USING hnsw (v vector_l2_ops);
RESET statement_timeout;
SELECT count(*) FROM pg_class WHERE relname = 'cx_idx';
-- and the build that is not cancelled works
RESET max_parallel_maintenance_workers;
CREATE INDEX cx_idx ON cx USING hnsw (v vector_l2_ops) WITH (m = 4, ef_construction = 8);
SELECT heap_tuples_checked FROM vecdb_index_check('cx_idx', true);
DROP TABLE cx;
