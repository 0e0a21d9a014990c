# Copyright (c) 2026, vecdb developers

# Streaming replica: the hnsw index a standby rebuilds from WAL must be the
# primary's, page for page.  Based on bloom's t/001_wal.pl (and pgvector's
# 010_hnsw_wal.pl): rounds of DELETE, VACUUM and INSERT on the primary;
# after each step the same k-NN queries must return the same ids on both
# nodes.  wal_consistency_checking = 'generic' makes the standby compare
# every replayed index page against a full-page image from the primary.
# At the end the checker runs on the primary and, after promotion, on the
# standby, and both must report the same index.  An UNLOGGED table's hnsw
# index must come back empty and usable on the promoted standby, which
# knows its init fork only from WAL.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use VecdbTest;

my $dims = 32;
my $k = 10;
my $ef_search = 40;
my $nqueries = 10;
my $rounds = 9;
my $initial_rows = 2000;
my $rows_per_round = 100;

my $rng = VecdbTest::rng(20260315);
my @queries = map { VecdbTest::random_vector($rng, $dims) } 1 .. $nqueries;

my $primary = VecdbTest::new_node('primary', allows_streaming => 1);
$primary->append_conf('postgresql.conf', "wal_consistency_checking = 'generic'\n");
$primary->start;
$primary->safe_psql('postgres', 'CREATE EXTENSION vecdb');
is($primary->safe_psql('postgres', 'SHOW wal_consistency_checking'),
	'generic', 'wal_consistency_checking is on for generic WAL');

# The standby starts before the table exists, so it replays the index build
# too.  It inherits the primary's postgresql.conf (wal_consistency_checking
# included).
$primary->backup('base');
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, 'base', has_streaming => 1);
$standby->start;

$primary->safe_psql('postgres',
	"CREATE TABLE tst (id int PRIMARY KEY, v vector($dims)) WITH (autovacuum_enabled = off)");
for (my $first = 1; $first <= $initial_rows; $first += 500)
{
	VecdbTest::insert_random_rows($primary, 'tst', $rng, $dims, $first, 500);
}
$primary->safe_psql('postgres',
	'CREATE INDEX tst_v_idx ON tst USING hnsw (v vector_l2_ops) WITH (m = 8, ef_construction = 32)');
my $next_id = $initial_rows + 1;

$primary->safe_psql('postgres', qq(
CREATE UNLOGGED TABLE utst (id int, v vector($dims));
CREATE INDEX utst_v_idx ON utst USING hnsw (v vector_l2_ops);
INSERT INTO utst SELECT id, v FROM tst WHERE id <= 100;
));

# Waits for the standby to replay everything, then runs the queries on both
# nodes.
sub compare_nodes
{
	my ($step) = @_;
	local $Test::Builder::Level = $Test::Builder::Level + 1;

	if (!ok(VecdbTest::wait_for_replay($primary, $standby), "$step: the standby replayed the WAL"))
	{
		# forget the dead standby, so the harness's teardown does not bail out
		$standby->stop('immediate', fail_ok => 1);
		die "$step: standby replay failed, see its log";
	}
	my @p = VecdbTest::knn_ids_many($primary, 'tst', \@queries, $k, $ef_search);
	my @s = VecdbTest::knn_ids_many($standby, 'tst', \@queries, $k, $ef_search);
	is_deeply(\@s, \@p, "$step: standby returns the primary's k-NN ids");
	my $full = grep { my @ids = split /,/; @ids == $k } @p;
	is($full, $nqueries, "$step: every query returns $k rows");
	return;
}

my $plan = $standby->safe_psql('postgres',
	VecdbTest::scan_settings($ef_search)
	  . "EXPLAIN (COSTS OFF) SELECT id FROM tst ORDER BY v <-> '$queries[0]' LIMIT $k");
like($plan, qr/Index Scan using tst_v_idx/, 'the standby query uses the hnsw index');

compare_nodes('after build');

# Builds that outgrow maintenance_work_mem, serial and parallel: the rows
# that did not fit go through the insert path with unlogged page edits, and
# the build logs every page at its end.  The standby must return the
# primary's ids, and the graph must be about as good as an in-memory
# build's (recall@10 against exact answers, same ef_search).
my $odims = 128;
my $orows = 8000;
my $oef = 100;
my @oq = map { VecdbTest::random_vector($rng, $odims) } 1 .. $nqueries;
$primary->safe_psql('postgres',
	"CREATE TABLE otst (id int PRIMARY KEY, v vector($odims)) WITH (autovacuum_enabled = off)");
for (my $first = 1; $first <= $orows; $first += 1000)
{
	VecdbTest::insert_random_rows($primary, 'otst', $rng, $odims, $first, 1000);
}
$primary->safe_psql('postgres', 'ANALYZE otst');
my @oexact = split /\n/, $primary->safe_psql('postgres',
	"SET enable_indexscan = off;\n" . join("\n", map { VecdbTest::knn_sql('otst', $_, $k) } @oq));

sub otst_recall
{
	my @got = VecdbTest::knn_ids_many($primary, 'otst', \@oq, $k, $oef);
	my $hits = 0;
	for my $i (0 .. $#oq)
	{
		my %want = map { $_ => 1 } split /,/, $oexact[$i];
		$hits += grep { $want{$_} } split /,/, $got[$i];
	}
	return $hits / ($k * @oq);
}

$primary->safe_psql('postgres',
	"SET maintenance_work_mem = '64MB'; SET max_parallel_maintenance_workers = 0;
	 CREATE INDEX otst_v_idx ON otst USING hnsw (v vector_l2_ops)");
my $c0 = VecdbTest::index_check_ok($primary, 'otst_v_idx', 'in-memory build');
is($c0->{unreachable_nodes}, 0, 'in-memory build: every node is reachable from the entry point');
my $in_memory_recall = otst_recall();
note "otst: recall\@$k at ef_search $oef after an in-memory build: $in_memory_recall";
for my $workers (0, 1)
{
	my $what = $workers ? 'parallel' : 'serial';
	my ($ret, $out, $err) = $primary->psql('postgres',
		"SET maintenance_work_mem = '1MB'; SET max_parallel_maintenance_workers = $workers;
		 SET client_min_messages = debug1;
		 DROP INDEX otst_v_idx;
		 CREATE INDEX otst_v_idx ON otst USING hnsw (v vector_l2_ops)");
	is($ret, 0, "$what build over maintenance_work_mem succeeds") or diag($err);
	like($err, qr/NOTICE:  hnsw graph no longer fits into maintenance_work_mem after \d+ tuples/,
		"$what build: the graph outgrew maintenance_work_mem");
	if ($workers)
	{
		like($err, qr/using [1-9]\d* parallel workers/,
			'parallel build: a worker took part');
		like($err, qr/DEBUG:  leader processed \d+ tuples/,
			"parallel build: pgvector's DEBUG line for the leader's scan");
		like($err, qr/DEBUG:  worker processed \d+ tuples/,
			"parallel build: pgvector's DEBUG line for a worker's scan");
	}
	ok(VecdbTest::wait_for_replay($primary, $standby), "$what build over memory: the standby replayed the WAL");
	my @p = VecdbTest::knn_ids_many($primary, 'otst', \@oq, $k, $oef);
	my @s = VecdbTest::knn_ids_many($standby, 'otst', \@oq, $k, $oef);
	is_deeply(\@s, \@p, "$what build over memory: standby returns the primary's k-NN ids");
	my $c = VecdbTest::index_check_ok($primary, 'otst_v_idx', "$what build over memory");
	is($c->{heap_tuples_checked}, $orows, "$what build over memory: every row is indexed");
	is($c->{unreachable_nodes}, 0,
		"$what build over memory: every node is reachable, also those inserted after the graph was written");
	my $r = otst_recall();
	note "otst: recall\@$k at ef_search $oef after a $what build over memory: $r";
	cmp_ok($r, '>=', $in_memory_recall - 0.05,
		"$what build over memory: recall within 0.05 of the in-memory build's");
}

for my $r (1 .. $rounds)
{
	my $deleted = $primary->safe_psql('postgres',
		"WITH d AS (DELETE FROM tst WHERE id % 10 = $r RETURNING 1) SELECT count(*) FROM d");
	note("round $r: deleted $deleted rows");
	compare_nodes("round $r delete");

	$primary->safe_psql('postgres', 'VACUUM tst');
	compare_nodes("round $r vacuum");

	VecdbTest::insert_random_rows($primary, 'tst', $rng, $dims, $next_id, $rows_per_round);
	$next_id += $rows_per_round;
	compare_nodes("round $r insert");
}

# Quantized indexes (8-bit codes, 1-bit codes measured from the build's
# centre, and product-quantization codes whose codebooks the build writes
# in chunk tuples, re-ranked with the table's vectors): built, inserted
# into and vacuumed on the primary; the standby replays the same pages
# (wal_consistency_checking) and returns the same rows, and both find the
# exact neighbours.  The binary and pq indexes' walks keep four times
# ef_search candidates (hnsw.rerank_candidates, set for the database so
# both nodes' sessions have it).
for my $q (['int8', 'qtst'], ['binary', 'btst'], ['pq', 'ptst'])
{
	my ($quant, $t) = @$q;
	$primary->safe_psql('postgres', qq(
CREATE TABLE $t (id int PRIMARY KEY, v vector($dims)) WITH (autovacuum_enabled = off);
INSERT INTO $t SELECT * FROM tst;
CREATE INDEX ${t}_v_idx ON $t USING hnsw (v vector_l2_ops) WITH (quantization = $quant);
));
	$primary->safe_psql('postgres',
		'ALTER DATABASE postgres SET hnsw.rerank_candidates = ' . ($quant ne 'int8' ? 4 * $ef_search : 0));
	VecdbTest::insert_random_rows($primary, $t, $rng, $dims, $next_id, 500);
	$next_id += 500;
	$primary->safe_psql('postgres', "DELETE FROM $t WHERE id % 7 = 0; VACUUM $t");
	ok(VecdbTest::wait_for_replay($primary, $standby), "$quant index: the standby replayed the WAL");
	my @p = VecdbTest::knn_ids_many($primary, $t, \@queries, $k, $ef_search);
	my @s = VecdbTest::knn_ids_many($standby, $t, \@queries, $k, $ef_search);
	is_deeply(\@s, \@p, "$quant index: the standby returns the primary's k-NN ids");
	my @exact = split /\n/, $primary->safe_psql('postgres',
		"SET enable_indexscan = off;\n" . join("\n", map { VecdbTest::knn_sql($t, $_, $k) } @queries));
	my $hits = 0;
	for my $i (0 .. $#queries)
	{
		my %want = map { $_ => 1 } split /,/, $exact[$i];
		$hits += grep { $want{$_} } split /,/, $p[$i];
	}
	cmp_ok($hits / ($k * @queries), '>=', 0.9, "$quant index: recall\@10 of at least 0.9");
	my $c = VecdbTest::index_check_ok($primary, "${t}_v_idx", "$quant index");
	is($c->{heap_tuples_checked}, $primary->safe_psql('postgres', "SELECT count(*) FROM $t"),
		"$quant index: the checker saw every row of the table");
}
$primary->safe_psql('postgres', 'ALTER DATABASE postgres RESET hnsw.rerank_candidates');

# A tenant index: its tenant lists written by the build, by inserts (with
# back-links) and by vacuum's repair replay to the same pages, and so do
# its directory's node counts (set by the build, one more by each insert,
# recounted by VACUUM); tenant queries return the same rows on both, and
# at ef_search 5 (a bound of 160 rows) each tenant (about 32 rows) is
# walked completely, so the 5 rows a walk returns are the exact 5 nearest
# (an ordinary walk of ef 5 misses some).
$primary->safe_psql('postgres', qq(
CREATE TABLE ttst (id int PRIMARY KEY, v vector($dims), t int) WITH (autovacuum_enabled = off);
INSERT INTO ttst SELECT id, v, id % 20 FROM tst WHERE id % 2 = 0;
CREATE INDEX ttst_v_idx ON ttst USING hnsw (v vector_l2_ops, t) WITH (tenant = 't');
INSERT INTO ttst SELECT id, v, id % 20 FROM tst WHERE id % 2 = 1;
DELETE FROM ttst WHERE id % 7 = 0;
VACUUM ttst;
));
ok(VecdbTest::wait_for_replay($primary, $standby), 'tenant index: the standby replayed the WAL');
{
	my $sql = "SET enable_seqscan = off;\n" . join("\n", map {
		"SELECT string_agg(id::text, ',') FROM (SELECT id FROM ttst WHERE t = $_ "
		  . "ORDER BY v <-> (SELECT v FROM ttst ORDER BY id OFFSET $_ LIMIT 1) LIMIT 10) x;" } 0 .. 19);
	my $p = $primary->safe_psql('postgres', $sql);
	is($standby->safe_psql('postgres', $sql), $p,
		"tenant index: the standby returns the primary's rows for each tenant");
	my $sql5 = "SET hnsw.ef_search = 5;\n" . $sql =~ s/LIMIT 10\) x/LIMIT 5) x/gr;
	my $p5 = $primary->safe_psql('postgres', $sql5);
	is($standby->safe_psql('postgres', $sql5), $p5,
		"tenant index: at ef_search 5 too, the standby returns the primary's rows");
	(my $exact_sql = $sql5) =~ s/SET enable_seqscan = off;/SET enable_indexscan = off;/;
	is($p5, $primary->safe_psql('postgres', $exact_sql),
		'tenant index: complete walks return the exact 5 nearest rows of each tenant');
	VecdbTest::index_check_ok($primary, 'ttst_v_idx', 'tenant index');
}

# A tenant index built empty: the first insert creates its directory (a
# page and the metapage in one record), 400 tenants register in its one
# bucket (the chain grows by a page), VACUUM points the entries of deleted
# rows at rows of their tenant or removes them, and inserts register again;
# the standby replays each record to the same page and walks the same
# tenants.
$primary->safe_psql('postgres', qq(
CREATE TABLE dtst (id int PRIMARY KEY, v vector($dims), t int) WITH (autovacuum_enabled = off);
CREATE INDEX dtst_v_idx ON dtst USING hnsw (v vector_l2_ops, t) WITH (tenant = 't');
INSERT INTO dtst SELECT id, v, id % 400 FROM tst WHERE id <= 1200;
DELETE FROM dtst WHERE id <= 400 OR id % 400 < 5;
VACUUM dtst;
INSERT INTO dtst SELECT id, v, id % 400 FROM tst WHERE id > 1200 AND id <= 1300;
));
ok(VecdbTest::wait_for_replay($primary, $standby),
	'tenant directory: the standby replayed the WAL');
{
	my $sql = "SET enable_seqscan = off;\n" . join("\n", map {
		"SELECT count(*) || ':' || coalesce(string_agg(id::text, ','), '') FROM (SELECT id "
		  . "FROM dtst WHERE t = $_ ORDER BY v <-> (SELECT v FROM tst ORDER BY id OFFSET $_ LIMIT 1) LIMIT 10) x;"
	} 0 .. 39);
	my $p = $primary->safe_psql('postgres', $sql);
	is($standby->safe_psql('postgres', $sql), $p,
		"tenant directory: the standby returns the primary's rows for each tenant");
	my $want = $primary->safe_psql('postgres', "SET enable_indexscan = off;\n"
		  . join("\n", map { "SELECT least(count(*), 10) FROM dtst WHERE t = $_;" } 0 .. 39));
	is(join("\n", map { (split /:/)[0] } split /\n/, $p), $want,
		'tenant directory: each walk returns min(10, the rows of its tenant)');
	VecdbTest::index_check_ok($primary, 'dtst_v_idx', 'tenant directory');
}

# Nothing replayed differently from what the primary wrote.
ok(!$standby->log_contains('inconsistent page found'),
	'standby log has no "inconsistent page found"');
ok(!$primary->log_contains('inconsistent page found'),
	'primary log has no "inconsistent page found"');

my $pcheck = VecdbTest::index_check_ok($primary, 'tst_v_idx', 'primary');
is($pcheck->{heap_tuples_checked},
	$primary->safe_psql('postgres', 'SELECT count(*) FROM tst'),
	'primary: the checker saw every row of the table');

ok(VecdbTest::wait_for_replay($primary, $standby), 'the standby replayed the WAL before promotion');
$standby->promote;
$standby->poll_query_until('postgres', 'SELECT NOT pg_is_in_recovery()')
  or die 'timed out waiting for promotion';

my $scheck = VecdbTest::index_check_ok($standby, 'tst_v_idx', 'promoted standby');
is_deeply($scheck, $pcheck,
	'promoted standby: the checker reports the same index as on the primary');

# The promoted standby's index takes writes and finds them.
my $fresh = VecdbTest::random_vector($rng, $dims);
$standby->safe_psql('postgres', "INSERT INTO tst VALUES ($next_id, '$fresh')");
my @top = VecdbTest::knn_ids($standby, 'tst', $fresh, 1, $ef_search);
is_deeply(\@top, [$next_id], 'promoted standby: a new row is found by its own vector');
$standby->safe_psql('postgres', "DELETE FROM tst WHERE id % 10 = 0; VACUUM tst");
VecdbTest::index_check_ok($standby, 'tst_v_idx', 'promoted standby after DELETE and VACUUM');

# The unlogged table is empty after promotion, and its index works.
my ($ret, $stdout, $stderr) = $standby->psql('postgres', 'SELECT count(*) FROM utst');
is($stdout, '0', 'promoted standby: the unlogged table is empty');
($ret, $stdout, $stderr) = $standby->psql('postgres', qq(
INSERT INTO utst VALUES (1, '$fresh');
INSERT INTO utst SELECT id, v FROM tst ORDER BY id LIMIT 20;
) . VecdbTest::scan_settings($ef_search) . VecdbTest::knn_sql('utst', $fresh, 1),
	on_error_stop => 1);
is($stdout, '1', "promoted standby: the unlogged table's hnsw index takes rows and finds them")
  or diag("psql exit $ret: $stderr");
VecdbTest::index_check_ok($standby, 'utst_v_idx', 'promoted standby, unlogged');

done_testing();
