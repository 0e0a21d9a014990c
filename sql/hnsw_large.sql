-- Vectors too large for one page (4,000 and 16,000 dimensions) are indexed,
-- with their values in chunk tuples, and found exactly.

CREATE TABLE l4k (id int, v vector(4000));
INSERT INTO l4k SELECT i, (SELECT array_agg(sin(i * 7.1 + j * 0.013)) FROM generate_series(1, 4000) j)
FROM generate_series(1, 150) i;
CREATE INDEX l4k_idx ON l4k USING hnsw (v vector_l2_ops);
SELECT nodes, chunks > 0 AS external, heap_tuples_checked FROM vecdb_index_check('l4k_idx', true);
-- each row found by its own vector, and top-5 equals the exact top-5
SET enable_seqscan = off;
SELECT count(*) FILTER (WHERE (SELECT b.id FROM l4k b ORDER BY b.v <-> a.v LIMIT 1) = a.id) AS self_found
FROM l4k a;
CREATE TEMP TABLE approx AS
SELECT array(SELECT id FROM l4k ORDER BY v <-> (SELECT v FROM l4k WHERE id = 77) LIMIT 5) AS ids;
RESET enable_seqscan;
SET enable_indexscan = off;
SELECT ids = array(SELECT id FROM l4k ORDER BY v <-> (SELECT v FROM l4k WHERE id = 77) LIMIT 5) AS same_top5
FROM approx;
RESET enable_indexscan;
-- insert after build, then the same checks
INSERT INTO l4k SELECT i, (SELECT array_agg(sin(i * 7.1 + j * 0.013)) FROM generate_series(1, 4000) j)
FROM generate_series(151, 170) i;
SET enable_seqscan = off;
SELECT count(*) FILTER (WHERE (SELECT b.id FROM l4k b ORDER BY b.v <-> a.v LIMIT 1) = a.id) AS self_found
FROM l4k a WHERE id > 150;
RESET enable_seqscan;
DELETE FROM l4k WHERE id % 3 = 0;
VACUUM l4k;
SELECT nodes, deleted_nodes, heap_tuples_checked FROM vecdb_index_check('l4k_idx', true);
DROP TABLE l4k;

CREATE TABLE l16k (id int, v vector(16000));
INSERT INTO l16k SELECT i, (SELECT array_agg(cos(i * 3.3 + j * 0.007)) FROM generate_series(1, 16000) j)
FROM generate_series(1, 40) i;
CREATE INDEX l16k_idx ON l16k USING hnsw (v vector_cosine_ops);
INSERT INTO l16k SELECT i, (SELECT array_agg(cos(i * 3.3 + j * 0.007)) FROM generate_series(1, 16000) j)
FROM generate_series(41, 50) i;
SELECT nodes, chunks, heap_tuples_checked FROM vecdb_index_check('l16k_idx', true);
SET enable_seqscan = off;
SELECT count(*) FILTER (WHERE (SELECT b.id FROM l16k b ORDER BY b.v <=> a.v LIMIT 1) = a.id) AS self_found
FROM l16k a;
RESET enable_seqscan;
DROP TABLE l16k;
