-- Every malformed sparsevec input: message, detail and SQLSTATE are pinned.
-- A helper runs one expression and reports how it ended, so each case is one row.
\i sql/include/try_cast.sql

-- text literals, in pgvector's order of checks: element count (commas),
-- syntax and values in reading order, dimension, typmod, then indices
SELECT CASE WHEN length(lit) > 30 THEN left(lit, 8) || '... (' || length(lit) || ' chars)' ELSE lit END AS lit,
	try_cast(quote_literal(lit) || '::sparsevec') AS result
FROM (VALUES
	(''), ('   '), ('[1,2]'), ('1:1/2'), ('{'), ('{ '), ('{:'), ('{,'), ('{}'),
	('{}/'), ('{}/1a'), ('{}x1'), ('{}/1/2'), ('{}/1.5'), ('{:}/1'), ('{,}/1'),
	('{1,}/1'), ('{:1}/1'), ('{1:}/1'), ('{1a:1}/1'), ('{1:1a}/1'), ('{1:1,}/1'),
	('{1:1 2:2}/2'), ('{1:1;2:2}/2'), ('{1.5:1}/2'), ('{0x1:1}/2'), ('{1:hello}/2'),
	('{1:NaN}/2'), ('{1:Infinity}/2'), ('{1:-inf}/2'), ('{1:4e38}/2'), ('{1:-4e38}/2'),
	('{1:1e-46}/2'), ('{1:nan,x}/2'), ('{1:1 x,2:nan}/2'), ('{}/0'), ('{}/-1'),
	('{}/1000000001'), ('{}/2147483648'), ('{}/-9223372036854775809'),
	('{0:1}/1'), ('{2:1}/1'), ('{-1:1}/1'), ('{2147483648:1}/1'), ('{1:1,1:2}/2'),
	('{2:1,1:1,2:3}/2'), ('{3:1,3:1}/2'), ('{1:1,9:1}/0'),
	('{' || repeat('1:1,', 16000) || '}/1'), ('x' || repeat(',', 16000)),
	(E'{1:1,\u00a02:1}/2'), ('{1:1e-40}/1'), ('{0:0,1:0}/1'), (' {2:1 , 1:-0.0}/ 2 ')
) AS t(lit)
ORDER BY lit;

-- typmod
SELECT try_cast($$'{}/3'::sparsevec(2)$$);
SELECT try_cast($$'{}/3'::sparsevec(3, 2)$$);
SELECT try_cast($$'{}/3'::sparsevec(0)$$);
SELECT try_cast($$'{}/3'::sparsevec(1000000001)$$);
SELECT try_cast($$'{1:1}/1000000000'::sparsevec(1000000000)$$);
-- a cast reads the literal first, then fits it to the typmod
SELECT try_cast($$'{9:1}/3'::sparsevec(2)$$);
CREATE TABLE sparse_typmod_t (v sparsevec(3));
INSERT INTO sparse_typmod_t VALUES ('{1:1}/2');
INSERT INTO sparse_typmod_t VALUES ('[1,2,3,4]'::vector);
CREATE TABLE bad_typmod (v sparsevec(0));
-- input with a typmod (COPY): the typmod is checked before the indices
COPY sparse_typmod_t FROM stdin;
{9:1}/4
\.
COPY sparse_typmod_t FROM stdin;
{9:1}/3
\.
DROP TABLE sparse_typmod_t;

-- casts
SELECT try_cast($$'{{1,2},{3,4}}'::int[]::sparsevec$$);
SELECT try_cast($$'{1,NULL,3}'::real[]::sparsevec$$);
SELECT try_cast($$'{}'::real[]::sparsevec$$);
SELECT try_cast($$'{0,NaN}'::real[]::sparsevec$$);
SELECT try_cast($$'{Infinity}'::float8[]::sparsevec$$);
SELECT try_cast($$'{1e300}'::float8[]::sparsevec$$);
SELECT try_cast($$'{1e-300,0}'::float8[]::sparsevec$$);
SELECT try_cast($$'{1e39}'::numeric[]::sparsevec$$);
SELECT try_cast($$'{1,2,3}'::int[]::sparsevec(2)$$);
SELECT try_cast($$array_fill(1, ARRAY[16001])::sparsevec$$);
SELECT try_cast($$(array_fill(0, ARRAY[20000]) || 1)::sparsevec$$);
-- the element count is checked before the values
SELECT try_cast($$(array_fill('NaN'::real, ARRAY[16001]))::sparsevec$$);
SELECT try_cast($$'{1,2,3}'::bigint[]::sparsevec$$);
SELECT try_cast($$'{}/16001'::sparsevec::vector$$);
SELECT try_cast($$'{1:1}/3'::sparsevec::vector(2)$$);
SELECT try_cast($$'[0,1,0]'::vector::sparsevec(2)$$);

-- operators and functions on mismatched input
SELECT try_cast($$'{}/2'::sparsevec <-> '{}/3'$$);
SELECT try_cast($$'{}/2'::sparsevec <#> '{}/3'$$);
SELECT try_cast($$'{}/2'::sparsevec <=> '{}/3'$$);
SELECT try_cast($$'{}/2'::sparsevec <+> '{}/3'$$);
SELECT try_cast($$sparsevec_l2_squared_distance('{}/2', '{}/3')$$);
SELECT try_cast($$sparsevec_negative_inner_product('{}/2', '{}/3')$$);

-- binary input: a one-row COPY file in binary format around the payload
-- (hex of what sparsevec_send writes, spaces ignored), loaded into a
-- column of type typ
CREATE FUNCTION try_recv(payload text, typ text DEFAULT 'sparsevec') RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	f text := '/tmp/vecdb_sparsevec_recv_' || pg_backend_pid() || '.bin';
	body bytea := decode(replace(payload, ' ', ''), 'hex');
	data bytea := '\x5047434f50590aff0d0a00'::bytea || '\x0000000000000000'::bytea ||
		'\x0001'::bytea || int4send(length(body)) || body || '\xffff'::bytea;
	res text;
	st text;
	msg text;
	det text;
BEGIN
	EXECUTE format('COPY (SELECT %L) TO PROGRAM %L',
		replace(encode(data, 'base64'), E'\n', ''), 'base64 -d > ' || f);
	EXECUTE format('CREATE TEMP TABLE recv_t (v %s)', typ);
	EXECUTE format('COPY recv_t FROM %L WITH (FORMAT binary)', f);
	SELECT v::text INTO res FROM recv_t;
	DROP TABLE recv_t;
	RETURN 'ok: ' || res;
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL;
	RETURN st || ': ' || msg;
END
$$;

SELECT name, try_recv(payload, typ) AS result
FROM (VALUES
	('valid', '00000005 00000002 00000000 00000000 00000002 3fc00000 40000000', 'sparsevec'),
	('valid, typmod', '00000005 00000001 00000000 00000004 3fc00000', 'sparsevec(5)'),
	('empty', '00000001 00000000 00000000', 'sparsevec'),
	('typmod', '00000005 00000000 00000000', 'sparsevec(3)'),
	('dim 0', '00000000 00000000 00000000', 'sparsevec'),
	('dim over limit', '3b9aca01 00000000 00000000', 'sparsevec'),
	('negative nnz', '00000005 ffffffff 00000000', 'sparsevec'),
	('nnz over limit', '00100000 00003e81 00000000', 'sparsevec'),
	('nnz over dim', '00000001 00000002 00000000', 'sparsevec'),
	('unused not 0', '00000005 00000000 00000001', 'sparsevec'),
	('index = dim', '00000005 00000001 00000000 00000005 3f800000', 'sparsevec'),
	('index negative', '00000005 00000001 00000000 ffffffff 3f800000', 'sparsevec'),
	('descending', '00000005 00000002 00000000 00000002 00000000 3f800000 3f800000', 'sparsevec'),
	('duplicate', '00000005 00000002 00000000 00000002 00000002 3f800000 3f800000', 'sparsevec'),
	('NaN', '00000005 00000001 00000000 00000000 7fc00000', 'sparsevec'),
	('infinity', '00000005 00000001 00000000 00000000 ff800000', 'sparsevec'),
	('zero', '00000005 00000001 00000000 00000000 00000000', 'sparsevec'),
	('negative zero', '00000005 00000001 00000000 00000000 80000000', 'sparsevec'),
	('truncated', '00000005 00000002 00000000 00000000', 'sparsevec'),
	('trailing bytes', '00000001 00000000 00000000 00', 'sparsevec')
) AS t(name, payload, typ);

DO $$
BEGIN
	EXECUTE format('COPY (SELECT) TO PROGRAM %L',
		'rm -f /tmp/vecdb_sparsevec_recv_' || pg_backend_pid() || '.bin');
END
$$;
