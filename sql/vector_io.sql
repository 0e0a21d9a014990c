-- Text and binary formats, typmod, casts: the pgvector-compatible surface.

-- text output is the shortest float4 round-trip decimal, no spaces
SELECT '[1,2,3]'::vector;
SELECT ' [ 1 , -2.5 , 3e2 ] '::vector;
SELECT '[1.23456789,0.1,1e-7,3.4028235e38,-1.17549435e-38]'::vector;
SELECT '[1e-45]'::vector, '[1e-46]'::vector;   -- denormal kept, underflow to 0
SELECT '[-0,0]'::vector;
SELECT '[0x1p-3]'::vector;                     -- hex floats, as strtof reads them
SELECT vector_dims(('[' || repeat('0.5,', 15999) || '1]')::vector);

-- typmod
SELECT '[1,2,3]'::vector(3);
SELECT pg_typeof('[1,2]'::vector(2)), format_type('vector'::regtype, 3);
CREATE TABLE t (v vector(3));
\d t
INSERT INTO t VALUES ('[1,2,3]'), ('[4,5,6]'), (NULL);
SELECT v FROM t ORDER BY v;
DROP TABLE t;

-- casts and their contexts
SELECT '{1,2,3}'::int[]::vector, '{1.5,2.5}'::real[]::vector,
       '{1.25,2}'::float8[]::vector, '{1.1,2.2}'::numeric[]::vector;
SELECT '[1,2,3]'::vector::real[];
SELECT ARRAY[1,2,3]::vector(3);
SELECT castsource::regtype, casttarget::regtype, castcontext, castfunc::regprocedure
FROM pg_cast
WHERE castsource = 'vector'::regtype OR casttarget = 'vector'::regtype
ORDER BY 1::text, 2::text;
-- implicit cast to real[] lets array functions take vectors
SELECT array_length('[1,2,3]'::vector, 1);
-- assignment casts apply on INSERT
CREATE TABLE t (v vector(2));
INSERT INTO t VALUES (ARRAY[1,2]), ('{3,4}'::real[]);
SELECT v FROM t ORDER BY v;
DROP TABLE t;

-- binary send layout: int16 dim, int16 unused, float4 big-endian
SELECT vector_send('[1,2,3]');
SELECT vector_send('[-0.5]');

-- COPY binary round trip, bit for bit (pg_read_binary_file is superuser-only;
-- pg_regress runs as superuser)
CREATE TABLE src (id int, v vector);
INSERT INTO src
SELECT i, ('[' || i || ',' || (i * 0.1)::real || ',' || -1.0 / i || ',1e-40,3e38]')::vector
FROM generate_series(1, 100) i;
INSERT INTO src VALUES (101, ('[' || repeat('0.25,', 1999) || '1]')::vector), (102, NULL);
COPY src TO '/tmp/vecdb_regress_copy.bin' (FORMAT binary);
CREATE TABLE dst (id int, v vector);
COPY dst FROM '/tmp/vecdb_regress_copy.bin' (FORMAT binary);
SELECT count(*) AS rows,
       count(*) FILTER (WHERE vector_send(s.v) = vector_send(d.v)) AS identical,
       count(*) FILTER (WHERE s.v IS NULL AND d.v IS NULL) AS both_null
FROM src s JOIN dst d USING (id);
-- the file's first tuple, after the 19-byte header: field count, id, vector
SELECT encode(substring(pg_read_binary_file('/tmp/vecdb_regress_copy.bin') FROM 20 FOR 36), 'hex');
-- and a second COPY out of the copy is identical to the first file
COPY dst TO '/tmp/vecdb_regress_copy2.bin' (FORMAT binary);
SELECT pg_read_binary_file('/tmp/vecdb_regress_copy.bin') = pg_read_binary_file('/tmp/vecdb_regress_copy2.bin') AS same_bytes;
DROP TABLE src, dst;

-- malformed binary payloads: written to a file with lo_export, then COPY'd in
CREATE TABLE dst (v vector);
CREATE FUNCTION copy_binary(payload bytea) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	lo oid;
	st text;
	msg text;
BEGIN
	lo := lo_from_bytea(0, '\x5047434f50590aff0d0a00'::bytea || '\x0000000000000000'::bytea
		|| '\x0001'::bytea || int4send(length(payload)) || payload || '\xffff'::bytea);
	PERFORM lo_export(lo, '/tmp/vecdb_regress_bad.bin');
	PERFORM lo_unlink(lo);
	COPY dst FROM '/tmp/vecdb_regress_bad.bin' (FORMAT binary);
	RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
	RETURN st || ': ' || msg;
END
$$;
SELECT p AS payload, copy_binary(p::bytea) AS result FROM (VALUES
	('\x000100003f800000'),          -- valid: [1]
	('\x00000000'),                  -- 0 dimensions
	('\xffff0000'),                  -- -1 dimensions
	('\x3e810000'),                  -- 16001 dimensions
	('\x000100013f800000'),          -- unused = 1
	('\x00010000'),                  -- missing element bytes
	('\x000100003f80'),              -- truncated element
	('\x000100003f80000000'),        -- trailing byte
	('\x000100007fc00000'),          -- NaN
	('\x000100007f800000'),          -- +Infinity
	('\x00010000ff800000'),          -- -Infinity
	('\x0002000000000001'),          -- denormal then missing element
	('\x00')                         -- one byte
) AS t(p);
SELECT v FROM dst;
DROP TABLE dst;
DROP FUNCTION copy_binary(bytea);
