-- VACUUM keeps every live row reachable in a graph whose build outgrew
-- maintenance_work_mem.  Under inner product small vectors are far from
-- everything: no list keeps them, and each hangs in the spanning tree by a
-- rescue link.  The build's overflow inserts find free rescue slots down
-- the rescue links of the nodes they find, so those chains grow deep; when
-- VACUUM deletes nodes inside them, relink must adopt what hangs below
-- without descending through a deleted node (a node hung below its own
-- subtree made a cycle no walk from the entry point enters).
SET client_min_messages = warning;
SET maintenance_work_mem = '1MB';
SET max_parallel_maintenance_workers = 0;
SELECT setseed(0.25);
-- 500 rows, 3 coordinates padded to 800 dimensions so the graph overflows
-- 1MB after about 300; 2% large vectors, the rest small
CREATE TABLE reach (id int, v vector(800));
INSERT INTO reach
SELECT i, (ARRAY[(random() - 0.5) * s, (random() - 0.5) * s, (random() - 0.5) * s]
		   || array_fill(0::float8, ARRAY[797]))::real[]::vector
FROM (SELECT i, CASE WHEN random() < 0.02 THEN 100 ELSE 0.01 + random() END AS s
	  FROM generate_series(1, 500) i) x;
CREATE TEMP TABLE reach_result (round int, build bigint, vacuum bigint);
CREATE PROCEDURE reach_build(r int) LANGUAGE plpgsql AS $$
BEGIN
	TRUNCATE reach_copy;
	DROP INDEX IF EXISTS reach_idx;
	INSERT INTO reach_copy SELECT * FROM reach;
	CREATE INDEX reach_idx ON reach_copy USING hnsw (v vector_ip_ops)
		WITH (m = 4, ef_construction = 16);
	INSERT INTO reach_result SELECT r, unreachable_nodes, NULL FROM vecdb_index_check('reach_idx');
	DELETE FROM reach_copy WHERE id % 4 = r % 4;
END $$;
CREATE TABLE reach_copy (LIKE reach);
-- three rounds (levels and rescue descents are random); VACUUM cannot run
-- in a procedure
CALL reach_build(1);
VACUUM reach_copy;
UPDATE reach_result SET vacuum = unreachable_nodes FROM vecdb_index_check('reach_idx') WHERE round = 1;
CALL reach_build(2);
VACUUM reach_copy;
UPDATE reach_result SET vacuum = unreachable_nodes FROM vecdb_index_check('reach_idx') WHERE round = 2;
CALL reach_build(3);
VACUUM reach_copy;
UPDATE reach_result SET vacuum = unreachable_nodes FROM vecdb_index_check('reach_idx') WHERE round = 3;
SELECT round, build AS unreachable_after_build, vacuum AS unreachable_after_vacuum
FROM reach_result ORDER BY round;
-- a scan allowed to go on returns every live row
SET enable_seqscan = off;
SET hnsw.iterative_scan = relaxed_order;
SET hnsw.max_scan_tuples = 1000000;
SELECT count(*) FROM (SELECT id FROM reach_copy ORDER BY v <#> (SELECT v FROM reach WHERE id = 1) LIMIT 1000) s;
DROP PROCEDURE reach_build(int);
DROP TABLE reach, reach_copy;

-- Half the rows deleted, norms spread over a factor of 400: relink adopts
-- many nodes by search, and at m = 4 the few nodes every such search finds
-- soon have every link pinned and both rescue slots taken.  Each has to
-- lend a rescue slot down its rescue links; a descent that ends at a node
-- whose rescue children are all deleted must not end the adoption (it
-- left nodes unadopted: "could not relink node").
CREATE TABLE reach2 (id int, v vector(3));
INSERT INTO reach2
SELECT i, ARRAY[(random() - 0.5) * s, (random() - 0.5) * s, (random() - 0.5) * s]::real[]::vector
FROM (SELECT i, exp(random() * 6) AS s FROM generate_series(1, 5000) i) x;
CREATE INDEX reach2_idx ON reach2 USING hnsw (v vector_ip_ops) WITH (m = 4, ef_construction = 16);
DELETE FROM reach2 WHERE id % 2 = 0;
VACUUM reach2;
SELECT nodes, unreachable_nodes FROM vecdb_index_check('reach2_idx');
SELECT count(*) FROM (SELECT id FROM reach2 ORDER BY v <#> '[1,1,1]' LIMIT 5000) s;
DROP TABLE reach2;
