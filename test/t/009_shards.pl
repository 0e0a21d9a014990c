# Copyright (c) 2026, vecdb developers

# Scale-out with postgres_fdw: three shard clusters and a coordinator.
# Each shard holds a plain table items (id, category, v vector(16)) with an
# hnsw index (v, category); the coordinator has vecdb and postgres_fdw, one
# foreign server per shard (extensions 'vecdb', so vecdb's operators are
# shipped; async_capable; options '-c hnsw.ef_search=40', the shard
# sessions' own setting) and a table hash-partitioned on id whose
# partitions are the shards' tables.  README, "Scale-out with
# postgres_fdw", is this recipe.
#
# Asserted:
# - rows inserted through the coordinator land on the shard their hash
#   names, and rows deleted through it leave every shard;
# - for 50 queries, plain and filtered (WHERE category = c), the
#   coordinator's top 10 is the merge of each shard's own top 10 (asked on
#   the shard directly), after the inserts (through vecdb's Sort of an
#   asynchronous Append and through PostgreSQL's Merge Append) and after a
#   DELETE and VACUUM;
# - each shard's Remote SQL carries the settings, the ORDER BY and the
#   LIMIT (plus OFFSET; a parameter in a generic plan), and no LIMIT with
#   WITH TIES or a filter the coordinator applies; the shard runs it with
#   its hnsw index;
# - the plan is a Sort of an asynchronous Append, a Merge Append with
#   enable_async_append off or a LIMIT over fetch_size; three shards that
#   take a second each answer in 3 s or more through the Merge Append and
#   at least a second sooner asynchronously;
# - rows each shard sends (FETCH rows in pg_stat_statements on the shards)
#   for 10 queries: 10 a query with the LIMIT, ef_search's 40 without it,
#   10 with fetch_size 10;
# - settings: the server's options are the shard sessions' own; an ordered
#   scan takes the coordinator session's hnsw.ef_search (3: 3 rows a shard),
#   also in a cached generic plan, unless vecdb.fdw_send_settings is off;
# - a stopped shard makes the query fail instead of answering from the
#   others, while a query pruned to the other shards still works.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes ();
use VecdbTest;

my $dims = 16;
my $rows = 4500;
my $k = 10;
my $nqueries = 50;
my $ncat = 10;
my $ef = 40;

my $rng = VecdbTest::rng(20261203);
my @queries = map { VecdbTest::random_vector($rng, $dims) } 1 .. $nqueries;
my @qcats = map { int($rng->() * $ncat) } 1 .. $nqueries;

my @shards;
for my $i (1 .. 3)
{
	my $node = VecdbTest::new_node("shard$i");
	$node->append_conf('postgresql.conf', "shared_preload_libraries = 'pg_stat_statements'\n");
	$node->start;
	$node->safe_psql('postgres', qq(
CREATE EXTENSION vecdb;
CREATE EXTENSION pg_stat_statements;
CREATE TABLE items (id int PRIMARY KEY, category int NOT NULL, v vector($dims));
CREATE INDEX items_v_idx ON items USING hnsw (v vector_l2_ops, category);
CREATE VIEW session_settings AS
  SELECT current_setting('hnsw.ef_search') AS ef_search;
-- a shard that takes a second to answer (a one-time filter)
CREATE FUNCTION slow() RETURNS boolean LANGUAGE plpgsql STABLE
  AS \$\$BEGIN PERFORM pg_sleep(1); RETURN true; END\$\$;
CREATE VIEW slow_items AS SELECT * FROM items WHERE slow();
));
	push @shards, $node;
}

my $coord = VecdbTest::new_node('coordinator');
$coord->append_conf('postgresql.conf',
	"session_preload_libraries = 'vecdb'\nhnsw.ef_search = $ef\n");
$coord->start;
$coord->safe_psql('postgres', qq(
CREATE EXTENSION vecdb;
CREATE EXTENSION postgres_fdw;
CREATE TABLE items (id int NOT NULL, category int NOT NULL, v vector($dims))
  PARTITION BY HASH (id);
CREATE TABLE slow_items (id int NOT NULL, category int NOT NULL, v vector($dims))
  PARTITION BY HASH (id);
));
for my $i (1 .. 3)
{
	my $s = $shards[ $i - 1 ];
	my ($host, $port) = ($s->host, $s->port);
	$coord->safe_psql('postgres', qq(
CREATE SERVER shard$i FOREIGN DATA WRAPPER postgres_fdw
  OPTIONS (host '$host', port '$port', dbname 'postgres',
           extensions 'vecdb', async_capable 'true', batch_size '500',
           options '-c hnsw.ef_search=$ef');
CREATE USER MAPPING FOR CURRENT_USER SERVER shard$i;
CREATE FOREIGN TABLE items_$i PARTITION OF items
  FOR VALUES WITH (MODULUS 3, REMAINDER @{[ $i - 1 ]})
  SERVER shard$i OPTIONS (table_name 'items');
CREATE FOREIGN TABLE slow_items_$i PARTITION OF slow_items
  FOR VALUES WITH (MODULUS 3, REMAINDER @{[ $i - 1 ]})
  SERVER shard$i OPTIONS (table_name 'slow_items');
CREATE FOREIGN TABLE session_settings_$i (ef_search text)
  SERVER shard$i OPTIONS (table_name 'session_settings');
));
}

# Inserts through the coordinator, routed by the hash of id.
for (my $first = 1; $first <= $rows; $first += 500)
{
	my @vals = map {
		my $id = $first + $_;
		sprintf("(%d,%d,'%s')", $id, int($rng->() * $ncat), VecdbTest::random_vector($rng, $dims))
	} 0 .. 499;
	$coord->safe_psql('postgres', 'INSERT INTO items VALUES ' . join(",\n", @vals));
}
is($coord->safe_psql('postgres', 'SELECT count(*) FROM items'), $rows,
	'the coordinator sees every inserted row');
my $total = 0;
for my $i (1 .. 3)
{
	my $n = $shards[ $i - 1 ]->safe_psql('postgres', 'SELECT count(*) FROM items');
	cmp_ok($n, '>', $rows / 4, "shard$i holds its share of the rows ($n)");
	$total += $n;
	# the rows a shard holds are those its partition bound routes to it
	is( $coord->safe_psql('postgres',
			"WITH r AS MATERIALIZED (SELECT id FROM items_$i) SELECT count(*) FROM r "
			  . "WHERE satisfies_hash_partition('items'::regclass, 3, @{[ $i - 1 ]}, id)"),
		$n, "shard$i holds only rows of its hash partition");
	$shards[ $i - 1 ]->safe_psql('postgres', 'ANALYZE items');
}
is($total, $rows, 'the shards hold every row once');

# One query's SQL: the ids of the k nearest (coordinator), or 'id:distance'
# pairs of the k nearest (shard).
sub coord_sql
{
	my ($q, $where) = @_;
	return "SELECT array_to_string(ARRAY(SELECT id FROM items $where "
	  . "ORDER BY v <-> '$q' LIMIT $k), ',');";
}

sub shard_sql
{
	my ($q, $where) = @_;
	return "SELECT array_to_string(ARRAY(SELECT id || ':' || (v <-> '$q') FROM items $where "
	  . "ORDER BY v <-> '$q' LIMIT $k), ',');";
}

sub where_of
{
	my ($filtered, $i) = @_;
	return $filtered ? "WHERE category = $qcats[$i]" : '';
}

# Lines of one psql call running the queries.
sub run_all
{
	my ($node, $prefix, $make) = @_;
	my @out = split /\n/,
	  $node->safe_psql('postgres', $prefix . join("\n", map { $make->($_) } 0 .. $#queries)),
	  -1;
	die 'expected ' . scalar(@queries) . ' lines, got ' . scalar(@out) unless @out == @queries;
	return @out;
}

# The coordinator's top k against the merge of every shard's own top k.
sub compare_merge
{
	my ($step, $filtered, $prefix, $shard_ef) = @_;
	$shard_ef //= $ef;
	local $Test::Builder::Level = $Test::Builder::Level + 1;
	my $what = $filtered ? 'filtered k-NN' : 'k-NN';
	my @coord = run_all($coord, $prefix // '',
		sub { coord_sql($queries[ $_[0] ], where_of($filtered, $_[0])) });
	my @per_shard = map {
		[ run_all($_, "SET hnsw.ef_search = $shard_ef;\n",
			sub { shard_sql($queries[ $_[0] ], where_of($filtered, $_[0])) }) ]
	} @shards;
	my ($same, $full) = (0, 0);
	for my $qi (0 .. $#queries)
	{
		my @cand = map { [ split /:/ ] } grep { $_ ne '' }
		  map { split /,/, $_->[$qi] } @per_shard;
		@cand = sort { $a->[1] <=> $b->[1] || $a->[0] <=> $b->[0] } @cand;
		my $want = join(',', map { $_->[0] } @cand[ 0 .. ($#cand < $k - 1 ? $#cand : $k - 1) ]);
		if ($coord[$qi] eq $want)
		{
			$same++;
		}
		else
		{
			diag("$step, $what, query $qi: coordinator $coord[$qi], merge $want");
		}
		$full++ if (split /,/, $coord[$qi]) == $k;
	}
	is($same, $nqueries,
		"$step, $what: the coordinator's top $k is the merge of the shards' own top $k");
	is($full, $nqueries, "$step, $what: every query returns $k rows");
	return;
}

# Remote SQL lines of the coordinator's plan for a query.
sub remote_sql
{
	my ($sql, $prefix) = @_;
	my $plan = $coord->safe_psql('postgres', ($prefix // '') . "EXPLAIN (VERBOSE, COSTS OFF) $sql");
	return ($plan, [ $plan =~ /Remote SQL: (.*)$/mg ]);
}

my $q0 = $queries[0];
# the condition that sets the coordinator's hnsw settings on the shard
my $settings_re = qr/WHERE \(\(SELECT pg_catalog\.set_config\('hnsw\.ef_search', \$1::text, true\) \|\| pg_catalog\.set_config\('hnsw\.iterative_scan', \$2::text, true\) \|\| pg_catalog\.set_config\('hnsw\.max_scan_tuples', \$3::text, true\) \|\| pg_catalog\.set_config\('hnsw\.scan_mem_multiplier', \$4::text, true\)\) IS NOT NULL\)/;
my ($plan, $remote) = remote_sql("SELECT id FROM items ORDER BY v <-> '$q0' LIMIT $k");
like($plan, qr/^Limit\n.*\n\s+->  Sort\n.*\n.*\n\s+->  Append\n/,
	'k-NN on the coordinator: Limit, Sort, Append')
  or diag($plan);
is(scalar(() = $plan =~ /->  Async Foreign Scan on public\.items_\d/g),
	3, 'k-NN: the Append reads the three shards asynchronously');
is(scalar @$remote, 3, 'k-NN: one Foreign Scan per shard');
is( scalar(grep { /^SELECT id, v FROM public\.items $settings_re ORDER BY \(v OPERATOR\(public\.<->\) '\[[^']*\]'\) ASC NULLS LAST LIMIT $k$/ } @$remote),
	3, "k-NN: each shard's Remote SQL carries the settings, the ORDER BY and LIMIT $k")
  or diag($plan);

# The remote query, run on a shard, uses its hnsw index.
# (its $1..$4 are the settings, as text)
my $shard_plan = $shards[0]->safe_psql('postgres',
	"SET hnsw.ef_search = $ef; PREPARE r(text, text, text, text) AS $remote->[0];\n"
	  . "EXPLAIN (COSTS OFF) EXECUTE r('$ef', 'off', '20000', '1')");
like($shard_plan, qr/InitPlan 1\b.*\n(?:.*\n)*?\s+One-Time Filter: \(.* IS NOT NULL\)\n\s+->  Index Scan using items_v_idx/,
	"the shard sets the settings in a one-time filter, then answers with its hnsw index")
  or diag($shard_plan);

($plan, $remote) = remote_sql(
	"SELECT id FROM items WHERE category = 3 ORDER BY v <-> '$q0' LIMIT $k OFFSET 5");
is( scalar(grep { /WHERE \(\(category = 3\)\) AND \(\(SELECT pg_catalog\.set_config\(.* IS NOT NULL\) ORDER BY \(v OPERATOR\(public\.<->\) .* LIMIT 15$/ } @$remote),
	3, 'filtered k-NN with OFFSET 5: each Remote SQL has the WHERE, the ORDER BY and LIMIT 15')
  or diag($plan);

# without async: PostgreSQL's own plan, a Merge Append, still with the
# LIMIT pushed
($plan, $remote) = remote_sql("SELECT id FROM items ORDER BY v <-> '$q0' LIMIT $k",
	"SET enable_async_append = off;\n");
like($plan, qr/^Limit\n.*\n\s+->  Merge Append\n/,
	'enable_async_append = off: Limit over a Merge Append');
unlike($plan, qr/Async/, 'enable_async_append = off: no asynchronous scan');
is(scalar(grep { /ASC NULLS LAST LIMIT $k$/ } @$remote),
	3, "enable_async_append = off: each Remote SQL carries LIMIT $k");

# A LIMIT above the fetch_size keeps the Merge Append (the Sort would read
# every row each shard sends).
($plan, $remote) = remote_sql("SELECT id FROM items ORDER BY v <-> '$q0' LIMIT 101");
like($plan, qr/^Limit\n.*\n\s+->  Merge Append\n/, 'LIMIT 101 > fetch_size: a Merge Append');
is(scalar(grep { /ASC NULLS LAST LIMIT 101$/ } @$remote), 3, 'LIMIT 101: pushed to each shard');

# The shards work at once: three shards that take a second each answer in
# about a second, not three.  Asked at once they must save at least one of
# the two seconds, whatever connecting costs on a loaded machine.
my $slow_sql = "SELECT count(*) FROM (SELECT id FROM slow_items ORDER BY v <-> '$q0' LIMIT $k) s";
my $t0 = Time::HiRes::time();
is($coord->safe_psql('postgres', $slow_sql), $k, 'three slow shards: the k-NN query answers');
my $t_async = Time::HiRes::time() - $t0;
$t0 = Time::HiRes::time();
$coord->safe_psql('postgres', "SET enable_async_append = off;\n$slow_sql");
my $t_serial = Time::HiRes::time() - $t0;
note(sprintf('three shards of 1 s each: %.2f s asynchronous, %.2f s with a Merge Append',
		$t_async, $t_serial));
cmp_ok($t_serial, '>=', 3, 'with a Merge Append the slow shards are asked one after another');
cmp_ok($t_async, '<', $t_serial - 1, 'with the asynchronous Append they are asked at once');

my $prepare = "PREPARE knn(vector, int) AS SELECT id FROM items ORDER BY v <-> \$1 LIMIT \$2;\n"
  . "SET plan_cache_mode = force_generic_plan;\n";
($plan, $remote) = remote_sql("EXECUTE knn('$q0', 5)", $prepare);
is( scalar(grep { /ORDER BY \(v OPERATOR\(public\.<->\) \$1::public\.vector\) ASC NULLS LAST LIMIT \$2::pg_catalog\.int8$/ } @$remote),
	3, 'generic plan: each Remote SQL sends the LIMIT as a parameter')
  or diag($plan);
like($plan, qr/Merge Append/, 'generic plan with a LIMIT parameter: a Merge Append');
is( $coord->safe_psql('postgres',
		$prepare
		  . "CREATE TEMP TABLE r AS EXECUTE knn('$q0', 5);\n"
		  . "SELECT string_agg(id::text, ',') FROM r;"),
	$coord->safe_psql('postgres', coord_sql($q0, '') =~ s/LIMIT $k/LIMIT 5/r),
	'generic plan: the same 5 rows as the literal query');

($plan, $remote) = remote_sql("SELECT id FROM items ORDER BY v <-> '$q0' LIMIT $k",
	"SET vecdb.fdw_limit_pushdown = off;\n");
is(scalar(grep { /ORDER BY .* ASC NULLS LAST$/ } @$remote),
	3, 'vecdb.fdw_limit_pushdown = off: the Remote SQL has the ORDER BY and no LIMIT');

# a condition the coordinator applies itself (random() is not shipped):
# the shard's rows are filtered after it sends them, so no LIMIT
($plan, $remote) = remote_sql(
	"SELECT id FROM items WHERE random() >= 0 ORDER BY v <-> '$q0' LIMIT $k");
is(scalar(grep { /ASC NULLS LAST$/ } @$remote), 3, 'a local filter: no LIMIT is pushed')
  or diag($plan);

($plan, $remote) = remote_sql("SELECT id FROM items ORDER BY v <-> '$q0' FETCH FIRST $k ROWS WITH TIES");
is(scalar(grep { /ASC NULLS LAST$/ } @$remote), 3, 'WITH TIES: no LIMIT is pushed');

# Rows the shards send: FETCH rows counted by pg_stat_statements on each
# shard, for 10 queries.
sub rows_fetched
{
	my ($prefix, $limit) = @_;
	$_->safe_psql('postgres', 'SELECT pg_stat_statements_reset()') for @shards;
	$coord->safe_psql('postgres',
		$prefix
		  . join("\n",
			map { my $q = coord_sql($queries[$_], ''); $limit ? $q =~ s/LIMIT $k/LIMIT $limit/r : $q }
			  0 .. 9));
	return [
		map {
			$_->safe_psql('postgres',
				"SELECT coalesce(sum(rows), 0) FROM pg_stat_statements WHERE query LIKE 'FETCH %'")
		} @shards
	];
}
my $fetched = rows_fetched('');
is_deeply($fetched, [ 100, 100, 100 ], 'LIMIT pushed: each shard sends 10 rows a query');
my $unpushed = rows_fetched("SET vecdb.fdw_limit_pushdown = off;\n");
is_deeply($unpushed, [ 400, 400, 400 ],
	"no LIMIT: each shard sends the $ef rows (ef_search) its index scan finds, in a first batch of up to fetch_size (100)");
$coord->safe_psql('postgres', "ALTER SERVER shard$_ OPTIONS (ADD fetch_size '$k')") for 1 .. 3;
my $small = rows_fetched("SET vecdb.fdw_limit_pushdown = off;\n");
is_deeply($small, [ 100, 100, 100 ], "no LIMIT but fetch_size $k: each shard sends $k rows a query");
$coord->safe_psql('postgres', "ALTER SERVER shard$_ OPTIONS (DROP fetch_size)") for 1 .. 3;

# Settings.  The server's libpq options set the shard sessions' defaults:
# a scan without ORDER BY (no settings sent) sees them.
for my $i (1 .. 3)
{
	is( $coord->safe_psql('postgres',
			"SET hnsw.ef_search = 7; SELECT ef_search FROM session_settings_$i"),
		$ef, "shard$i: its postgres_fdw session has hnsw.ef_search = $ef from the server's options");
}
# An ordered scan takes the coordinator session's setting: with ef_search
# 3, each shard's index scan finds 3 rows for the LIMIT of 10.
is_deeply(rows_fetched("SET hnsw.ef_search = 3;\n"),
	[ 30, 30, 30 ], 'SET hnsw.ef_search = 3 on the coordinator: each shard returns 3 rows a query');
is_deeply(rows_fetched("SET hnsw.ef_search = 3; SET vecdb.fdw_send_settings = off;\n"),
	[ 100, 100, 100 ],
	"vecdb.fdw_send_settings = off: the shards search with the server options' ef_search $ef (10 rows)");
my $generic = "PREPARE knn10(vector) AS SELECT id FROM items ORDER BY v <-> \$1 LIMIT 10;\n"
  . "SET plan_cache_mode = force_generic_plan;\n"
  . "SET hnsw.ef_search = 3; CREATE TEMP TABLE a AS EXECUTE knn10('$q0');\n"
  . "SET hnsw.ef_search = 2; CREATE TEMP TABLE b AS EXECUTE knn10('$q0');\n"
  . "SELECT (SELECT count(*) FROM a) || ',' || (SELECT count(*) FROM b);";
is($coord->safe_psql('postgres', $generic), '9,6',
	'a cached generic plan sends the settings of each execution (ef_search 3, then 2)');

# Unordered scans of the foreign partitions do run asynchronously.
like($coord->safe_psql('postgres', 'EXPLAIN (COSTS OFF) SELECT count(*) FROM items'),
	qr/Async Foreign Scan/, 'async_capable: an unordered scan reads the shards asynchronously');

compare_merge('after inserts', 0);
compare_merge('after inserts', 1);
compare_merge('after inserts, with a Merge Append', 0, "SET enable_async_append = off;\n");
compare_merge('after inserts, with a Merge Append', 1, "SET enable_async_append = off;\n");


# Deletes through the coordinator reach every shard.
my $del = $coord->safe_psql('postgres',
	'WITH d AS (DELETE FROM items WHERE id % 5 = 0 RETURNING 1) SELECT count(*) FROM d');
is($del, $rows / 5, 'DELETE through the coordinator removes every fifth row');
for my $i (1 .. 3)
{
	my $s = $shards[ $i - 1 ];
	is($s->safe_psql('postgres', 'SELECT count(*) FROM items WHERE id % 5 = 0'),
		0, "shard$i: the deleted rows are gone");
	$s->safe_psql('postgres', 'VACUUM items');
}
is($coord->safe_psql('postgres', 'SELECT count(*) FROM items'), $rows - $rows / 5,
	'the coordinator sees the rows left');
compare_merge('after DELETE and VACUUM', 0);
compare_merge('after DELETE and VACUUM', 1);

# A stopped shard: the k-NN query fails, a query pruned to another shard
# does not.
my $before = $coord->safe_psql('postgres', coord_sql($q0, ''));
$shards[1]->stop;
my ($ret, $out, $err) = $coord->psql('postgres', coord_sql($q0, ''));
isnt($ret, 0, 'with shard2 stopped, k-NN on the coordinator fails');
like($err, qr/could not connect to server "shard2"/, 'the error names the stopped shard');
is($out, '', 'and no partial answer is returned');
my $id1 = $coord->safe_psql('postgres', 'SELECT min(id) FROM items_1');
is($coord->safe_psql('postgres', "SELECT count(*) FROM items WHERE id = $id1"),
	1, "a query pruned to shard1 still works");
$shards[1]->start;
is($coord->safe_psql('postgres', coord_sql($q0, '')),
	$before, 'after shard2 restarts, k-NN returns what it did before the stop');

$_->stop for ($coord, @shards);
done_testing();
