-- Every malformed halfvec input: message, detail and SQLSTATE are pinned.
-- A helper runs one expression and reports how it ended, so each case is
-- one row.
\i sql/include/try_cast.sql

-- text literals (the last rows are valid: the edges of what is accepted)
SELECT CASE WHEN length(lit) > 30 THEN left(lit, 8) || '... (' || length(lit) || ' chars)' ELSE lit END AS lit,
	try_cast(quote_literal(lit) || '::halfvec') AS result
FROM (VALUES
	(''), ('   '), ('1,2'), ('(1,2)'), ('{1,2}'), ('['), (']'), ('[]'), ('[ ]'),
	('[,]'), ('[1,]'), ('[,1]'), ('[1,,2]'), ('[1 2]'), ('[1;2]'), ('[1,2'),
	('[1,2]]'), ('[1,2] x'), ('[1,2],'), ('[1,2]['), ('[NaN]'), ('[nan]'), ('[inf]'),
	('[-Infinity]'), ('[1e39]'), ('[-1e39]'), ('[1,1e400]'), ('[1e]'), ('[.]'),
	('[--1]'), ('[+-1]'), ('[1_000]'), ('[a]'), ('[1,b]'), ('[1.2.3]'), ('[0x]'),
	('[1 ,2, 3 ]x'), ('[ "1" ]'), ('[1,2,3'), ('[' || repeat('1,', 16000) || '1]'),
	('[65520]'), ('[-65520]'), ('[1,65536]'), ('[70000,x]'), ('[1e5]'), ('[0x1p16]'),
	('[65519.996]'), ('[65520,NaN]'), ('[NaN,65520]'), ('[65520]junk'),
	(E'[1\t,2]'), (' [1,2] '), ('[65519.99]'), ('[-65504]'), ('[1e-50]'), ('[-0]')
) AS t(lit)
ORDER BY lit;

-- typmod
SELECT try_cast($$'[1,2]'::halfvec(3)$$);
SELECT try_cast($$'[1,2,3]'::halfvec(2)$$);
SELECT try_cast($$'[1,2]'::halfvec(0)$$);
SELECT try_cast($$'[1,2]'::halfvec(-1)$$);
SELECT try_cast($$'[1,2]'::halfvec(16001)$$);
SELECT try_cast($$'[1,2]'::halfvec(3,3)$$);
SELECT try_cast($$'{"[1,2,3]"}'::halfvec(2)[]$$);
CREATE TABLE half_typmod_t (v halfvec(3));
INSERT INTO half_typmod_t VALUES ('[1,2]');
INSERT INTO half_typmod_t VALUES ('[1,2,3,4]'::halfvec);
CREATE TABLE bad_typmod (v halfvec(0));
CREATE TABLE bad_typmod (v halfvec(100000));
DROP TABLE half_typmod_t;

-- array and vector casts
SELECT try_cast($$'{{1,2},{3,4}}'::int[]::halfvec$$);
SELECT try_cast($$'{1,NULL,3}'::real[]::halfvec$$);
SELECT try_cast($$'{}'::real[]::halfvec$$);
SELECT try_cast($$'{NaN}'::real[]::halfvec$$);
SELECT try_cast($$'{Infinity}'::float8[]::halfvec$$);
SELECT try_cast($$'{-Infinity}'::real[]::halfvec$$);
SELECT try_cast($$'{65520}'::real[]::halfvec$$);
SELECT try_cast($$'{-70000}'::int[]::halfvec$$);
SELECT try_cast($$'{1e300}'::float8[]::halfvec$$);
SELECT try_cast($$'{1e300}'::numeric[]::halfvec$$);
SELECT try_cast($$'{NaN,65520}'::real[]::halfvec$$);
SELECT try_cast($$'{1,2,3}'::int[]::halfvec(2)$$);
SELECT try_cast($$array_fill(1, ARRAY[16001])::halfvec$$);
SELECT try_cast($$'{1,2,3}'::bigint[]::halfvec$$);
SELECT try_cast($$'[65520]'::vector::halfvec$$);
SELECT try_cast($$'[1,1e38]'::vector::halfvec$$);
SELECT try_cast($$'[1,2,3]'::vector::halfvec(2)$$);
SELECT try_cast($$'[1,2,3]'::halfvec::vector(2)$$);
SELECT try_cast($$'{1:65520}/1'::sparsevec::halfvec$$);
SELECT try_cast($$'{1:1e-8}/1'::sparsevec::halfvec$$);
SELECT try_cast($$'{}/16001'::sparsevec::halfvec$$);
SELECT try_cast($$'{1:1}/3'::sparsevec::halfvec(2)$$);
SELECT try_cast($$'[1,2,3]'::halfvec::sparsevec(2)$$);

-- operators and functions on mismatched or degenerate input
SELECT try_cast($$'[1,2]'::halfvec <-> '[1,2,3]'$$);
SELECT try_cast($$'[1,2]'::halfvec <#> '[1,2,3]'$$);
SELECT try_cast($$'[1,2]'::halfvec <=> '[1,2,3]'$$);
SELECT try_cast($$'[1,2]'::halfvec <+> '[1,2,3]'$$);
SELECT try_cast($$halfvec_l2_squared_distance('[1,2]', '[1,2,3]')$$);
SELECT try_cast($$halfvec_spherical_distance('[1,2]', '[1,2,3]')$$);
SELECT try_cast($$'[1,2]'::halfvec + '[1,2,3]'$$);
SELECT try_cast($$'[1,2]'::halfvec - '[1,2,3]'$$);
SELECT try_cast($$'[1,2]'::halfvec * '[1,2,3]'$$);
SELECT try_cast($$'[65504]'::halfvec + '[16]'$$);
SELECT try_cast($$'[-65504]'::halfvec - '[16]'$$);
SELECT try_cast($$'[300]'::halfvec * '[300]'$$);
SELECT try_cast($$'[1e-4]'::halfvec * '[1e-4]'$$);
SELECT try_cast($$array_fill(1, ARRAY[8000])::halfvec || array_fill(1, ARRAY[8001])::halfvec$$);
SELECT try_cast($$subvector('[1,2,3]'::halfvec, 1, 0)$$);
SELECT try_cast($$subvector('[1,2,3]'::halfvec, 4, 1)$$);
SELECT try_cast($$subvector('[1,2,3]'::halfvec, -5, 3)$$);
SELECT try_cast($$subvector('[1,2,3]'::halfvec, 2147483647, 2147483647)$$);
SELECT try_cast($$(SELECT avg(v) FROM (VALUES ('[1,2]'::halfvec), ('[1,2,3]')) t(v))$$);
SELECT try_cast($$(SELECT sum(v) FROM (VALUES ('[1,2]'::halfvec), ('[1,2,3]')) t(v))$$);
SELECT try_cast($$(SELECT sum(v) FROM (VALUES ('[60000]'::halfvec), ('[60000]')) t(v))$$);

-- aggregate states called by hand
SELECT try_cast($$halfvec_avg('{1,2}'::float8[][])$$);
SELECT try_cast($$halfvec_avg('{{2,2,4,6}}')$$);
SELECT try_cast($$halfvec_avg('{NULL,2,4,6}')$$);
SELECT try_cast($$halfvec_avg('{}')$$);
SELECT try_cast($$halfvec_avg('{1}')$$);
SELECT try_cast($$halfvec_avg('{-1,2}')$$);
SELECT try_cast($$halfvec_avg('{0.5,2}')$$);
SELECT try_cast($$halfvec_avg('{1,70000}')$$);
SELECT try_cast($$halfvec_avg('{1,1e300}')$$);
SELECT try_cast($$(SELECT halfvec_avg(array_agg(n)) FROM generate_series(1, 16002) n)$$);
SELECT try_cast($$(SELECT halfvec_accum(array_agg(n), '[1]') FROM generate_series(1, 16002) n)$$);
SELECT try_cast($$halfvec_accum('{{0}}', '[1]')$$);
SELECT try_cast($$halfvec_accum('{1}', '[1]')$$);
SELECT try_cast($$halfvec_accum('{0,5}', '[1]')$$);
SELECT try_cast($$halfvec_accum('{2,1,1}', '[1]')$$);
SELECT try_cast($$halfvec_combine('{-1,1}', '{1,1}')$$);
SELECT try_cast($$halfvec_combine('{1,1}', '{1,1,1}')$$);
SELECT try_cast($$halfvec_combine('{1,1e308}', '{1,1e308}')$$);
SELECT try_cast($$(SELECT halfvec_combine('{1,1}', array_agg(n)) FROM generate_series(1, 16002) n)$$);
