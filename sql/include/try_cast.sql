-- try_cast(expr): runs SELECT (expr)::text and reports how it ended, as
-- "ok: <result>" or "<SQLSTATE>: <message> / <detail>", so that each bad
-- input is one row of a regress test.  Included by the *_input_errors tests
-- (\i from the directory make runs in).
CREATE OR REPLACE FUNCTION try_cast(expr text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	res text;
	st text;
	msg text;
	det text;
BEGIN
	EXECUTE 'SELECT (' || expr || ')::text' INTO res;
	RETURN 'ok: ' || res;
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL;
	RETURN st || ': ' || msg || CASE WHEN det <> '' THEN ' / ' || det ELSE '' END;
END
$$;
