-- sparsevec text and binary I/O, canonical form, typmod, casts, storage

-- text: 1-based indices, sorted, zeros dropped, shortest float output
SELECT '{1:1.5,3:2}/5'::sparsevec;
SELECT ' { 3 : 2 , 1 : 1.5 } / 5 '::sparsevec;
SELECT '{1:0,2:-0,3:1e-40,4:3.40282347e+38}/4'::sparsevec;
SELECT '{1:0.1,2:1.23456789,3:-1e-7,4:16777217}/4'::sparsevec;
SELECT '{}/1'::sparsevec, '{ }/1000000000'::sparsevec;
SELECT '{1000000000:-1}/1000000000'::sparsevec;
-- text round trip of the output
SELECT v::text::sparsevec = v AS same
FROM (VALUES ('{1:0.1,7:-2.5e-30,9:3e38}/9'::sparsevec), ('{}/3')) t(v);

-- binary: int32 dim, nnz, unused, 0-based int32 indices, float4 values
SELECT sparsevec_send('{1:1.5,3:2}/5');
SELECT sparsevec_send('{}/1');
CREATE TABLE t (id int, v sparsevec(5));
INSERT INTO t VALUES (1, '{1:1.5,3:2}/5'), (2, '{}/5'), (3, '{5:-0.1}/5'), (4, NULL);
\copy t TO 'results/sparsevec_io.bin' WITH (FORMAT binary)
CREATE TABLE t2 (LIKE t);
\copy t2 FROM 'results/sparsevec_io.bin' WITH (FORMAT binary)
SELECT t.id, t2.v, t.v IS NOT DISTINCT FROM t2.v AS same,
	sparsevec_send(t.v) IS NOT DISTINCT FROM sparsevec_send(t2.v) AS same_bytes
FROM t JOIN t2 USING (id) ORDER BY id;
DROP TABLE t2;

-- typmod
SELECT '{}/3'::sparsevec(3);
SELECT format_type(atttypid, atttypmod) FROM pg_attribute
WHERE attrelid = 't'::regclass AND attname = 'v';
INSERT INTO t VALUES (5, '{1:1}/5'::sparsevec(5));
DROP TABLE t;

-- casts and their contexts
SELECT castsource::regtype, casttarget::regtype, castcontext, castfunc::regprocedure
FROM pg_cast
WHERE castsource = 'sparsevec'::regtype OR casttarget = 'sparsevec'::regtype
ORDER BY castsource::regtype::text, casttarget::regtype::text;
SELECT '[0,1.5,0,-3.5,0]'::vector::sparsevec;
SELECT '[0,1.5,0,-3.5,0]'::vector::sparsevec(5);
SELECT '{2:1.5,4:-3.5}/5'::sparsevec::vector;
SELECT '{2:1.5,4:-3.5}/5'::sparsevec::vector(5);
SELECT '{}/16000'::sparsevec::vector = array_fill(0, ARRAY[16000])::vector AS zeros;
SELECT '[0,0]'::vector::sparsevec;
SELECT ARRAY[1,0,2,0,3,0]::sparsevec, ARRAY[0,0]::real[]::sparsevec,
	ARRAY[1.5,0,-0.0]::float8[]::sparsevec, ARRAY[0.1,0]::numeric[]::sparsevec;
SELECT '{1,0,2}'::real[]::sparsevec(3);
SELECT array_to_sparsevec('{0,7}'::int[], 2, false);
-- vector to sparsevec is implicit (assignment the other way), as in pgvector
CREATE TABLE t (v sparsevec(3), w vector(3));
INSERT INTO t VALUES ('[1,0,2]'::vector, '{2:5}/3'::sparsevec), (ARRAY[0,0,1], ARRAY[1,1,1]);
SELECT v, w FROM t ORDER BY v;
SELECT '[1,0,2]'::vector <-> '{1:1}/3'::sparsevec AS mixed_operands;
DROP TABLE t;

-- storage: large vectors are TOASTed (external) and read back whole
CREATE TABLE t (v sparsevec);
INSERT INTO t SELECT ('{' || string_agg(i || ':' || i, ',') || '}/1000000')::sparsevec
FROM generate_series(1, 16000) i;
SELECT l2_norm(v) = sqrt(16000::float8 * 16001 * 32001 / 6) AS norm_ok,
	v::text = (SELECT '{' || string_agg(i || ':' || i, ',') || '}/1000000'
		FROM generate_series(1, 16000) i) AS text_ok
FROM t;
SELECT pg_column_size(v) > 100000 AS stored_whole FROM t;
DROP TABLE t;
