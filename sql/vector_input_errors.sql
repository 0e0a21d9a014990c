-- Every malformed vector input: message, detail and SQLSTATE are pinned.
-- A helper runs one cast and reports how it ended, so each case is one row.
\i sql/include/try_cast.sql

-- text literals
SELECT CASE WHEN length(lit) > 30 THEN left(lit, 8) || '... (' || length(lit) || ' chars)' ELSE lit END AS lit,
	try_cast(quote_literal(lit) || '::vector') AS result
FROM (VALUES
	(''), ('   '), ('1,2'), ('(1,2)'), ('{1,2}'), ('['), (']'), ('[]'), ('[ ]'),
	('[,]'), ('[1,]'), ('[,1]'), ('[1,,2]'), ('[1 2]'), ('[1;2]'), ('[1,2'),
	('[1,2]]'), ('[1,2] x'), ('[1,2],'), ('[1,2]['), ('[NaN]'), ('[nan]'), ('[inf]'),
	('[-Infinity]'), ('[1e39]'), ('[-1e39]'), ('[1,1e400]'), ('[1e]'), ('[.]'),
	('[--1]'), ('[+-1]'), ('[1_000]'), ('[a]'), ('[1,b]'), ('[1.2.3]'), ('[0x]'),
	('[1 ,2, 3 ]x'), ('[ "1" ]'), ('[1,2,3'), ('[' || repeat('1,', 16000) || '1]'),
	(E'[1\t,2]'), (' [1,2] '), ('[0x10]'), ('[1e-50]'), ('[+3,.5,5.]'), ('[-0]')
) AS t(lit)
ORDER BY lit;

-- typmod
SELECT try_cast($$'[1,2]'::vector(3)$$);
SELECT try_cast($$'[1,2,3]'::vector(2)$$);
SELECT try_cast($$'[1,2]'::vector(0)$$);
SELECT try_cast($$'[1,2]'::vector(-1)$$);
SELECT try_cast($$'[1,2]'::vector(16001)$$);
SELECT try_cast($$'[1,2]'::vector(3,3)$$);
SELECT try_cast($$'[1,2]'::vector(2)$$);
CREATE TABLE typmod_t (v vector(3));
INSERT INTO typmod_t VALUES ('[1,2]');
INSERT INTO typmod_t VALUES ('[1,2,3,4]'::vector);
CREATE TABLE bad_typmod (v vector(0));
CREATE TABLE bad_typmod (v vector(100000));

-- array casts
SELECT try_cast($$'{{1,2},{3,4}}'::int[]::vector$$);
SELECT try_cast($$'{1,NULL,3}'::real[]::vector$$);
SELECT try_cast($$'{}'::real[]::vector$$);
SELECT try_cast($$'{NaN}'::real[]::vector$$);
SELECT try_cast($$'{Infinity}'::float8[]::vector$$);
SELECT try_cast($$'{1e300}'::float8[]::vector$$);
SELECT try_cast($$'{1e300}'::numeric[]::vector$$);
SELECT try_cast($$'{NaN}'::numeric[]::vector$$);
SELECT try_cast($$'{1,2,3}'::int[]::vector(2)$$);
SELECT try_cast($$array_fill(1, ARRAY[16001])::vector$$);
SELECT try_cast($$'{1,2,3}'::bigint[]::vector$$);

-- operators and functions on mismatched or degenerate input
SELECT try_cast($$'[1,2]'::vector <-> '[1,2,3]'$$);
SELECT try_cast($$'[1,2]'::vector <#> '[1,2,3]'$$);
SELECT try_cast($$'[1,2]'::vector <=> '[1,2,3]'$$);
SELECT try_cast($$'[1,2]'::vector <+> '[1,2,3]'$$);
SELECT try_cast($$'[1,2]'::vector + '[1,2,3]'$$);
SELECT try_cast($$'[1,2]'::vector - '[1,2,3]'$$);
SELECT try_cast($$'[1,2]'::vector * '[1,2,3]'$$);
SELECT try_cast($$'[3e38]'::vector + '[3e38]'$$);
SELECT try_cast($$'[-3e38]'::vector - '[3e38]'$$);
SELECT try_cast($$'[1e38]'::vector * '[1e38]'$$);
SELECT try_cast($$'[1e-30]'::vector * '[1e-30]'$$);
SELECT try_cast($$array_fill(1, ARRAY[8000])::vector || array_fill(1, ARRAY[8001])::vector$$);
SELECT try_cast($$subvector('[1,2,3]'::vector, 1, 0)$$);
SELECT try_cast($$subvector('[1,2,3]'::vector, 4, 1)$$);
SELECT try_cast($$subvector('[1,2,3]'::vector, -5, 3)$$);
SELECT try_cast($$subvector('[1,2,3]'::vector, 2147483647, 2147483647)$$);
SELECT try_cast($$avg(v) FROM (VALUES ('[1,2]'::vector), ('[1,2,3]')) t(v)$$);
SELECT try_cast($$sum(v) FROM (VALUES ('[1,2]'::vector), ('[1,2,3]')) t(v)$$);
SELECT try_cast($$sum(v) FROM (VALUES ('[3e38]'::vector), ('[3e38]')) t(v)$$);
SELECT try_cast($$vector_avg('{1,2}'::float8[][])$$);
SELECT try_cast($$vector_accum('{{1}}'::float8[], '[1]')$$);
SELECT try_cast($$vector_accum('{1}'::float8[], '[1]')$$);
SELECT try_cast($$vector_accum('{2,1,1}'::float8[], '[1]')$$);
SELECT try_cast($$vector_combine('{-1,1}'::float8[], '{1,1}')$$);
-- the state rules shared with avg(halfvec) (src/README, "The vector type")
SELECT try_cast($$vector_avg('{1}')$$);
SELECT try_cast($$vector_avg('{0.5,1}')$$);
SELECT try_cast($$vector_accum('{0,0,0,0}', '[1,2,3]')$$);
SELECT try_cast($$vector_accum('{0,5}', '[1]')$$);
SELECT try_cast($$vector_accum('{0,0}', '[1,2,3]')$$);
SELECT try_cast($$(SELECT vector_avg(array_agg(n)) FROM generate_series(1, 16002) n)$$);
SELECT try_cast($$(SELECT vector_combine(array_agg(n), '{0}') FROM generate_series(1, 16002) n)$$);
SELECT try_cast($$vector_combine('{0}', '{0}')$$);
