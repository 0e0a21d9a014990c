-- hybrid search: full-text and vector rankings fused by reciprocal rank
-- fusion (RRF) in one statement, as the README's recipe
CREATE TABLE docs (id int PRIMARY KEY, body text, embedding vector(3),
	tsv tsvector GENERATED ALWAYS AS (to_tsvector('english', body)) STORED);
INSERT INTO docs (id, body, embedding) VALUES
	(1, 'postgres vector search with hnsw indexes', '[0.9,0.1,0.0]'),
	(2, 'a recipe for apple pie', '[0.0,0.1,0.9]'),
	(3, 'hnsw graphs for approximate nearest neighbours', '[0.8,0.3,0.1]'),
	(4, 'full text search in postgres with tsvector', '[0.5,0.5,0.2]'),
	(5, 'baking bread at home', '[0.1,0.0,0.95]'),
	(6, 'vector databases and embeddings', '[0.85,0.2,0.05]');
CREATE INDEX ON docs USING gin (tsv);
CREATE INDEX ON docs USING hnsw (embedding vector_cosine_ops);

-- the query: text 'postgres search', embedding [1,0,0]; each list keeps
-- its top 20, RRF score = sum of 1 / (60 + rank)
PREPARE hybrid(text, vector, int) AS
WITH semantic AS (
	SELECT id, row_number() OVER (ORDER BY embedding <=> $2) AS rank
	FROM docs ORDER BY embedding <=> $2 LIMIT 20
), keyword AS (
	SELECT id, row_number() OVER (ORDER BY ts_rank_cd(tsv, q) DESC) AS rank
	FROM docs, plainto_tsquery('english', $1) q
	WHERE tsv @@ q ORDER BY ts_rank_cd(tsv, q) DESC LIMIT 20
)
SELECT id, round(sum(1.0 / (60 + rank)), 5) AS rrf
FROM (SELECT * FROM semantic UNION ALL SELECT * FROM keyword) both_lists
GROUP BY id ORDER BY rrf DESC, id LIMIT $3;

EXECUTE hybrid('postgres search', '[1,0,0]', 4);
-- with the index forced, the same fused ranking
SET enable_seqscan = off;
EXECUTE hybrid('postgres search', '[1,0,0]', 4);
RESET enable_seqscan;
DEALLOCATE hybrid;
DROP TABLE docs;
