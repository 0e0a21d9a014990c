-- Distances on bit strings: hamming_distance (<~>) and jaccard_distance
-- (<%>), their values, every kernel family against PostgreSQL's own
-- count of 1 bits, and every bad input with its SQLSTATE.

-- values
SELECT hamming_distance(B'111', B'111'), hamming_distance(B'111', B'110'),
       hamming_distance(B'111', B'000'), hamming_distance('', '');
SELECT jaccard_distance(B'1111', B'1110'), jaccard_distance(B'1111', B'1100'),
       jaccard_distance(B'1100', B'1000'), jaccard_distance(B'1110', B'0111');
-- no bit set in both: 1, two all-zero strings and two empty ones included
SELECT jaccard_distance(B'1111', B'0000') AS disjoint, jaccard_distance(B'0000', B'0000') AS zeros,
       jaccard_distance('', '') AS empty, jaccard_distance(B'1', B'1') AS same;
-- the operators, both orders (each is its own commutator)
SELECT B'10101' <~> B'01100' AS hamming, B'01100' <~> B'10101' AS hamming_swapped,
       B'10101' <%> B'01100' AS jaccard, B'01100' <%> B'10101' AS jaccard_swapped;
SELECT oprname, oprleft::regtype, oprright::regtype, oprresult::regtype,
       oprcode, oprcom::regoperator
FROM pg_operator WHERE oprname IN ('<~>', '<%>') ORDER BY oprname;
-- bit varying, typmods, hex literals and casts that fit
SELECT hamming_distance('111', '000'::varbit(4)), jaccard_distance('1111', '0110'::varbit(5)),
       hamming_distance(X'F0', B'11110000'), B'1'::bit(4) <~> B'1000',
       B'1111'::bit(3) <~> B'111';
-- every bit of a 64-bit word, of a 512-bit register and past it
SELECT n, hamming_distance(repeat('1', n)::bit varying, repeat('0', n)::bit varying) AS hamming,
       jaccard_distance(repeat('1', n)::bit varying, (repeat('0', n - 1) || '1')::bit varying) AS jaccard
FROM unnest(ARRAY[1, 7, 8, 9, 63, 64, 65, 511, 512, 513, 1536]) n;
-- binary quantization
SELECT binary_quantize('[1,-1,2,-2]'::vector) <~> binary_quantize('[1,1,-2,-2]'::vector) AS hamming,
       binary_quantize('[1,-1,2,-2]'::vector) <%> binary_quantize('[1,1,-2,-2]'::vector) AS jaccard;
-- ORDER BY a distance
CREATE TABLE bits (id int, b bit varying);
INSERT INTO bits VALUES (1, B'1111'), (2, B'1110'), (3, B'0000'), (4, B'0011'), (5, NULL);
SELECT id, b <~> B'1100' AS hamming, b <%> B'1100' AS jaccard FROM bits ORDER BY b <~> B'1100', id;
SELECT id FROM bits ORDER BY b <%> B'0011', id;
DROP TABLE bits;

-- random strings of every length 0..1100 and a few long ones, each kernel
-- family in use and the scalar one, against the 1s counted in the strings'
-- text (bit_count is 14's)
CREATE FUNCTION ones(b varbit) RETURNS int LANGUAGE sql IMMUTABLE
AS $$ SELECT length(replace(b::text, '0', '')) $$;
SELECT setseed(0.25);
CREATE TABLE pairs AS
SELECT n, (SELECT coalesce(string_agg((random() < p)::int::text, '' ORDER BY g), '') FROM generate_series(1, n) g)::varbit AS a,
          (SELECT coalesce(string_agg((random() < q)::int::text, '' ORDER BY g), '') FROM generate_series(1, n) g)::varbit AS b
FROM (SELECT n, (n % 5) / 4.0 AS p, (n % 7) / 6.0 AS q
      FROM (SELECT generate_series(0, 1100) AS n UNION ALL VALUES (1536), (2048), (4096), (16000)) s) t;
CREATE TABLE want AS
SELECT n, ones(a # b)::float8 AS hamming,
       CASE WHEN ones(a & b) = 0 THEN 1 ELSE 1 - ones(a & b)::float8 / ones(a | b) END AS jaccard
FROM pairs;
CREATE TABLE simd AS SELECT n, a <~> b AS hamming, a <%> b AS jaccard FROM pairs;
SET vecdb.force_scalar = on;
CREATE TABLE scalar AS SELECT n, a <~> b AS hamming, a <%> b AS jaccard FROM pairs;
RESET vecdb.force_scalar;
SELECT count(*) AS pairs,
       count(*) FILTER (WHERE s.hamming = w.hamming AND v.hamming = w.hamming) AS hamming_ok,
       count(*) FILTER (WHERE s.jaccard = w.jaccard AND v.jaccard = w.jaccard) AS jaccard_ok,
       count(*) FILTER (WHERE w.jaccard = 1) AS jaccard_one
FROM want w JOIN simd v USING (n) JOIN scalar s USING (n);
DROP TABLE pairs, want, simd, scalar;
DROP FUNCTION ones(varbit);

-- bad inputs: SQLSTATE and message pinned, one row each
CREATE FUNCTION try_bit(expr text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	res text;
	st text;
	msg text;
BEGIN
	EXECUTE 'SELECT (' || expr || ')::text' INTO res;
	RETURN 'ok: ' || coalesce(res, 'NULL');
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
	RETURN st || ': ' || msg;
END
$$;
SELECT expr, try_bit(expr) AS result
FROM (VALUES
	-- lengths that differ
	($$hamming_distance('111', '00')$$),
	($$hamming_distance('00', '111')$$),
	($$hamming_distance('111', '0000'::varbit(4))$$),
	($$jaccard_distance('1111', '000')$$),
	($$jaccard_distance('1111', '00000'::varbit(5))$$),
	($$B'1' <~> B''$$),
	($$B'' <%> B'0'$$),
	($$B'1' <~> B'10'$$),
	($$B'10' <%> B'1'$$),
	($$repeat('1', 64)::varbit <~> repeat('1', 65)::varbit$$),
	($$repeat('1', 512)::varbit <%> repeat('1', 513)::varbit$$),
	($$repeat('1', 1536)::bit(1536) <~> repeat('1', 1535)::varbit$$),
	($$'111'::varbit(10) <~> '1'::varbit(10)$$),
	($$binary_quantize('[1,2,3]'::vector) <~> B'11'$$),
	($$binary_quantize('[1,2]'::vector) <%> binary_quantize('[1,2,3]'::vector)$$),
	-- malformed bit literals
	($$hamming_distance('12', '11')$$),
	($$jaccard_distance('abc', 'abc')$$),
	($$B'1' <~> 'x'$$),
	($$hamming_distance('1 1', '111')$$),
	($$hamming_distance('xG', 'x0')$$),
	($$jaccard_distance('b101', '101')$$),
	-- typmods (an explicit cast truncates or pads; a bad typmod is refused)
	($$hamming_distance('111'::bit(2), '11')$$),
	($$hamming_distance('111'::varbit(2), '11')$$),
	($$hamming_distance(B'1'::bit(3), '100')$$),
	($$hamming_distance(B'1', B'1'::bit(0))$$),
	($$hamming_distance(B'1', B'1'::bit(83886081))$$),
	-- no such function or operator
	($$hamming_distance(1, 1)$$),
	($$hamming_distance(5, B'101')$$),
	($$B'101' <~> 5$$),
	($$hamming_distance(B'1')$$),
	($$jaccard_distance(B'1', B'1', B'1')$$),
	($$hamming_distance('[1,2]'::vector, '[1,2]'::vector)$$),
	($$'abc'::text <~> 'abc'::text$$),
	($$'\x01'::bytea <%> '\x01'::bytea$$),
	($$true <~> false$$),
	($$ARRAY[B'1'] <~> ARRAY[B'1']$$),
	-- NULLs: strict, so NULL and no error
	($$hamming_distance(NULL, B'1')$$),
	($$jaccard_distance(B'1', NULL)$$),
	($$NULL::bit <~> NULL::bit$$),
	($$NULL::varbit <%> B'101'$$),
	-- empty and bit varying that fit
	($$hamming_distance('', '')$$),
	($$jaccard_distance(''::varbit, ''::varbit)$$),
	($$B'0000' <%> B'0000'$$),
	($$'111'::varbit(10) <~> '000'::varbit(3)$$)
) AS t(expr);
DROP FUNCTION try_bit(text);
