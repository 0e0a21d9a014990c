-- halfvec: text and binary formats, rounding, typmod, casts (pgvector's
-- surface; the elements are IEEE binary16).

-- text output is the shortest decimal that reads back as the same float
SELECT '[1,2,3]'::halfvec;
SELECT ' [ 1 , -2.5 , 3e2 ] '::halfvec;
SELECT '[-0,0]'::halfvec;
SELECT '[0x1p-3]'::halfvec;                    -- hex floats, as strtof reads them
SELECT vector_dims(('[' || repeat('0.5,', 15999) || '1]')::halfvec);

-- rounding to nearest, ties to even
SELECT '[1.23456,0.1,3.14159265]'::halfvec;
SELECT '[2049,2051,2050.0001]'::halfvec;       -- ties at 2049 and 2051: even neighbours
SELECT '[1.00048828125,1.00146484375]'::halfvec;  -- 1 + 2^-11, 1 + 3 * 2^-11: ties
SELECT '[65504,65519.99,-65519]'::halfvec;     -- the largest half; below the overflow edge
SELECT '[0.00006103515625,0.00006097555160522461]'::halfvec;  -- 2^-14, the subnormal below
SELECT '[5.960464477539063e-8,2.9802322387695312e-8,2.9802326e-8]'::halfvec;  -- 2^-24; 2^-25 ties to 0; just above rounds up
SELECT '[1e-8,-1e-8,1e-46]'::halfvec;          -- underflow to signed zero
SELECT '[1.5e-5,-3e-6]'::halfvec;              -- subnormal halves

-- typmod
SELECT '[1,2,3]'::halfvec(3);
SELECT pg_typeof('[1,2]'::halfvec(2)), format_type('halfvec'::regtype, 3);
CREATE TABLE t (v halfvec(3));
\d t
INSERT INTO t VALUES ('[1,2,3]'), ('[4,5,6]'), (NULL);
SELECT v FROM t ORDER BY v;
DROP TABLE t;
SELECT unnest('{"[1,2,3]", "[4,5,6]"}'::halfvec[]);

-- casts and their contexts
SELECT '{1,2,3}'::int[]::halfvec, '{1.5,2.5}'::real[]::halfvec,
       '{1.25,2}'::float8[]::halfvec, '{1.1,2.2}'::numeric[]::halfvec;
SELECT '{65519.9}'::float8[]::halfvec, '{-1e-9}'::float8[]::halfvec;
SELECT '[1,2,3]'::halfvec::real[], '[0.1]'::halfvec::real[];
SELECT '[1.5,0.1]'::halfvec::vector, '[1.5,0.1]'::vector::halfvec;
SELECT '[1,2,3]'::vector::halfvec(3), '[1,2,3]'::halfvec::vector(3);
SELECT '[0,1.5,0,-0,0.1]'::halfvec::sparsevec, '{2:1.5,4:0.1}/5'::sparsevec::halfvec;
SELECT '{1:65519}/3'::sparsevec::halfvec(3), '[0,2,0]'::halfvec::sparsevec(3);
SELECT castsource::regtype, casttarget::regtype, castcontext, castfunc::regprocedure
FROM pg_cast
WHERE castsource = 'halfvec'::regtype OR casttarget = 'halfvec'::regtype
ORDER BY castsource::regtype::text, casttarget::regtype::text;
-- vector -> halfvec is implicit: halfvec functions take vectors
SELECT l2_distance('[3,4]'::halfvec, '[0,0]'::vector);
-- assignment casts apply on INSERT
CREATE TABLE t (v halfvec(2), w vector(2));
INSERT INTO t VALUES (ARRAY[1,2], '[0.1,0.2]'::halfvec), ('{3,4}'::real[], '[3,4]'::halfvec);
SELECT v, w FROM t ORDER BY v;
DROP TABLE t;

-- binary send layout: int16 dim, int16 unused, binary16 big-endian
SELECT halfvec_send('[1,2,3]');
SELECT halfvec_send('[-0.5,65504,5.960464477539063e-8,-0]');

-- COPY binary round trip, bit for bit (pg_read_binary_file is superuser-only;
-- pg_regress runs as superuser)
CREATE TABLE src (id int, v halfvec);
INSERT INTO src
SELECT i, ('[' || i || ',' || (i * 0.1)::real || ',' || -1.0 / i || ',1e-6,65000]')::halfvec
FROM generate_series(1, 100) i;
INSERT INTO src VALUES (101, ('[' || repeat('0.25,', 1999) || '1]')::halfvec), (102, NULL);
COPY src TO '/tmp/vecdb_regress_halfvec_copy.bin' (FORMAT binary);
CREATE TABLE dst (id int, v halfvec);
COPY dst FROM '/tmp/vecdb_regress_halfvec_copy.bin' (FORMAT binary);
SELECT count(*) AS rows,
       count(*) FILTER (WHERE halfvec_send(s.v) = halfvec_send(d.v)) AS identical,
       count(*) FILTER (WHERE s.v IS NULL AND d.v IS NULL) AS both_null
FROM src s JOIN dst d USING (id);
-- the file's first tuple, after the 19-byte header: field count, id, halfvec
SELECT encode(substring(pg_read_binary_file('/tmp/vecdb_regress_halfvec_copy.bin') FROM 20 FOR 28), 'hex');
COPY dst TO '/tmp/vecdb_regress_halfvec_copy2.bin' (FORMAT binary);
SELECT pg_read_binary_file('/tmp/vecdb_regress_halfvec_copy.bin') = pg_read_binary_file('/tmp/vecdb_regress_halfvec_copy2.bin') AS same_bytes;
DROP TABLE src, dst;

-- malformed binary payloads: written to a file with lo_export, then COPY'd in
CREATE TABLE dst (v halfvec);
CREATE FUNCTION copy_binary(payload bytea) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	lo oid;
	st text;
	msg text;
BEGIN
	lo := lo_from_bytea(0, '\x5047434f50590aff0d0a00'::bytea || '\x0000000000000000'::bytea
		|| '\x0001'::bytea || int4send(length(payload)) || payload || '\xffff'::bytea);
	PERFORM lo_export(lo, '/tmp/vecdb_regress_halfvec_bad.bin');
	PERFORM lo_unlink(lo);
	COPY dst FROM '/tmp/vecdb_regress_halfvec_bad.bin' (FORMAT binary);
	RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
	RETURN st || ': ' || msg;
END
$$;
SELECT p AS payload, copy_binary(p::bytea) AS result FROM (VALUES
	('\x000100003c00'),              -- valid: [1]
	('\x000200000001fbff'),          -- valid: [2^-24, -65504]
	('\x00000000'),                  -- 0 dimensions
	('\xffff0000'),                  -- -1 dimensions
	('\x3e810000'),                  -- 16001 dimensions
	('\x000100013c00'),              -- unused = 1
	('\x00010000'),                  -- missing element bytes
	('\x000100003c'),                -- truncated element
	('\x000100003c0000'),            -- trailing byte
	('\x000100007e00'),              -- NaN
	('\x000100007c01'),              -- NaN (signalling pattern)
	('\x000100007c00'),              -- +Infinity
	('\x00010000fc00'),              -- -Infinity
	('\x00')                         -- one byte
) AS t(p);
SELECT v FROM dst;
DROP TABLE dst;
DROP FUNCTION copy_binary(bytea);
