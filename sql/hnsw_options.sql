-- HNSW options, operator classes and settings: the errors pgvector users know.

CREATE TABLE t (v vector(3), u vector, i int);

-- reloptions and their bounds
CREATE INDEX ON t USING hnsw (v vector_l2_ops) WITH (m = 1);
CREATE INDEX ON t USING hnsw (v vector_l2_ops) WITH (m = 101);
CREATE INDEX ON t USING hnsw (v vector_l2_ops) WITH (ef_construction = 3);
CREATE INDEX ON t USING hnsw (v vector_l2_ops) WITH (ef_construction = 1001);
CREATE INDEX ON t USING hnsw (v vector_l2_ops) WITH (m = 16, ef_construction = 31);
CREATE INDEX ON t USING hnsw (v vector_l2_ops) WITH (nonsense = 1);
CREATE INDEX ok_idx ON t USING hnsw (v vector_l2_ops) WITH (m = 2, ef_construction = 4);
CREATE INDEX ok_idx2 ON t USING hnsw (v vector_l2_ops) WITH (m = 100, ef_construction = 1000);
SELECT relname, reloptions FROM pg_class WHERE relname LIKE 'ok_idx%' ORDER BY 1;

-- operator classes: none is the default; the column needs dimensions
CREATE INDEX ON t USING hnsw (v);
CREATE INDEX ON t USING hnsw (u vector_l2_ops);
CREATE INDEX ON t USING hnsw (i vector_l2_ops);
CREATE INDEX ON t USING hnsw (v vector_l2_ops, u vector_l2_ops);
CREATE UNIQUE INDEX ON t USING hnsw (v vector_l2_ops);

-- the opclass validator
SELECT opcname, amvalidate(c.oid)
FROM pg_opclass c JOIN pg_am a ON a.oid = c.opcmethod
WHERE amname = 'hnsw' ORDER BY opcname;
-- a broken opclass is reported, not accepted silently
CREATE OPERATOR FAMILY broken_ops USING hnsw;
CREATE OPERATOR CLASS broken_op_class FOR TYPE vector USING hnsw FAMILY broken_ops AS
	OPERATOR 1 <-> (vector, vector) FOR ORDER BY float_ops,
	FUNCTION 2 vector_dims(vector);
SELECT amvalidate(oid) FROM pg_opclass WHERE opcname = 'broken_op_class';
DROP OPERATOR FAMILY broken_ops USING hnsw;

-- settings
SHOW hnsw.ef_search;
SET hnsw.ef_search = 0;
SET hnsw.ef_search = 1001;
SET hnsw.ef_search = 1000;
SET hnsw.iterative_scan = on;
SET hnsw.iterative_scan = relaxed_order;
SET hnsw.iterative_scan = strict_order;
SET hnsw.max_scan_tuples = 0;
SET hnsw.scan_mem_multiplier = 0.5;
SET hnsw.scan_mem_multiplier = 2;
SET hnsw.nonsense = 1;
RESET ALL;

-- vector values the index refuses
INSERT INTO t (v) VALUES ('[1,2,3]');
INSERT INTO t (v) VALUES ('[1,2]');
SELECT count(*) FROM t;

-- the checker refuses other relations
CREATE INDEX t_btree ON t (i);
SELECT * FROM vecdb_index_check('t_btree');
SELECT * FROM vecdb_index_check('t');
CREATE ROLE vecdb_regress_user;
SET ROLE vecdb_regress_user;
SELECT * FROM vecdb_index_check('ok_idx');
RESET ROLE;
DROP ROLE vecdb_regress_user;

DROP TABLE t;
