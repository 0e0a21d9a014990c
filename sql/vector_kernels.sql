-- Kernel dispatch: which kernels exist, forcing the scalar path, and that
-- the SIMD and scalar paths agree (the unit test covers this exhaustively,
-- server-free; this checks the SQL-level switch).

-- in each family (float vectors, bit strings) the scalar reference always
-- exists and the best one is in use by default
SELECT family, bool_or(name = 'scalar') AS has_scalar, count(*) FILTER (WHERE in_use) AS in_use,
       bool_and(in_use = best) AS best_in_use
FROM vecdb_kernels() GROUP BY family ORDER BY family;
SET vecdb.force_scalar = on;
SELECT family, name FROM vecdb_kernels() WHERE in_use ORDER BY family;
RESET vecdb.force_scalar;
SELECT bool_and(in_use = best) AS best_in_use_again FROM vecdb_kernels();

-- in the select list too (a materialized set either way)
SELECT count(*) = (SELECT count(*) FROM vecdb_kernels()) AS same_rows FROM (SELECT vecdb_kernels()) s;
-- random pairs of every dimension 1..130 and a few large ones
SELECT setseed(0.5);
CREATE TABLE pairs AS
SELECT d, (SELECT array_agg(random() * 2 - 1) FROM generate_series(1, d) WHERE d > 0)::vector AS a,
          (SELECT array_agg(random() * 2 - 1) FROM generate_series(1, d) WHERE d > 0)::vector AS b
FROM (SELECT generate_series(1, 130) AS d UNION ALL VALUES (768), (1536), (2048), (16000)) s;
CREATE TABLE simd AS SELECT d, a <-> b AS l2, a <#> b AS ip, a <=> b AS cos, a <+> b AS l1 FROM pairs;
SET vecdb.force_scalar = on;
CREATE TABLE scalar AS SELECT d, a <-> b AS l2, a <#> b AS ip, a <=> b AS cos, a <+> b AS l1 FROM pairs;
RESET vecdb.force_scalar;
-- relative agreement for L2 and L1; IP relative to the sum of |a_i b_i|; cosine absolute
SELECT count(*) AS pairs,
       count(*) FILTER (WHERE abs(s.l2 - v.l2) <= 1e-6 * s.l2) AS l2_ok,
       count(*) FILTER (WHERE abs(s.l1 - v.l1) <= 1e-6 * s.l1) AS l1_ok,
       count(*) FILTER (WHERE abs(s.ip - v.ip) <= 1e-6 * (SELECT sum(abs(x * y)) FROM unnest(p.a::real[], p.b::real[]) u(x, y))) AS ip_ok,
       count(*) FILTER (WHERE abs(s.cos - v.cos) <= 1e-6) AS cos_ok
FROM scalar s JOIN simd v USING (d) JOIN pairs p USING (d);
DROP TABLE pairs, simd, scalar;
