# Copyright (c) 2026, vecdb developers

# Crash recovery of the hnsw index under concurrent inserts.
#
# pgbench inserts rows (a random vector and an id from a sequence) in the
# background; each cycle crashes the server while it runs, alternating
#   (a) an immediate stop, then a start (crash recovery from WAL), and
#   (b) SIGKILL of one inserting backend, after which the postmaster
#       (restart_after_crash = on) kills every backend and recovers.
# Just before the crash, the ids visible (hence committed) are recorded.
# After each restart:
#   - vecdb_index_check(idx, true) is clean: every row is indexed, no torn
#     or half-linked page;
#   - every recorded id is still in the table, and so is every row from
#     before the cycle;
#   - the rows inserted during the cycle and the 200 highest ids are each
#     found by querying the index with their own vector;
#   - a fresh INSERT and a k-NN query work;
#   - VACUUM (which now removes the nodes of the killed, uncommitted
#     inserts) leaves a clean index holding exactly the table's rows;
#   - an UNLOGGED table's hnsw index, created fresh in the cycle, is empty
#     and usable (its init fork must have survived the crash);
#   - a second index on the table, quantized (int8 codes), is as clean as
#     the first after restart and after VACUUM, and so is a third, a tenant
#     index (its tenant directory registering tenants as rows come);
#   - the unlogged table's tenant index, reset from an init fork that has
#     no tenant directory, creates one with its first row after the crash.
# The last two cycles run with wal_consistency_checking = 'generic', so
# recovery compares every replayed index page with a full-page image.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;
use Time::HiRes qw(usleep);
use VecdbTest;

my $dims = 16;
my $ef_search = 100;
my $self_k = 10;        # own vector must be among the top $self_k
my $clients = 4;
my @kinds = qw(immediate sigkill immediate sigkill immediate sigkill);
my $wcc_from = 5;       # cycles 5 and 6 run with wal_consistency_checking

my $rng = VecdbTest::rng(4242);

# wal_level = replica (allows_streaming).  shared_buffers is raised from
# the harness's 1MB so that most dirty index pages are still in memory at
# the crash and are lost with it: a page change made without WAL then
# shows up after recovery instead of being saved by an eviction.
my $node = VecdbTest::new_node('crash', allows_streaming => 1);
$node->append_conf('postgresql.conf', qq(
restart_after_crash = on
log_statement = none
shared_buffers = 16MB
));
$node->start;

$node->safe_psql('postgres', qq(
CREATE EXTENSION vecdb;
CREATE TABLE tst (id bigserial PRIMARY KEY, v vector($dims),
	t int DEFAULT floor(random() * 2000)) WITH (autovacuum_enabled = off);
));
{
	my @rows = map { "('" . VecdbTest::random_vector($rng, $dims) . "')" } 1 .. 1000;
	$node->safe_psql('postgres', 'INSERT INTO tst (v) VALUES ' . join(',', @rows));
}
$node->safe_psql('postgres', qq(
CREATE INDEX tst_v_idx ON tst USING hnsw (v vector_l2_ops);
CREATE INDEX tst_q_idx ON tst USING hnsw (v vector_l2_ops) WITH (quantization = int8);
CREATE INDEX tst_t_idx ON tst USING hnsw (v vector_l2_ops, t) WITH (tenant = 't');
));

my $script = PostgreSQL::Test::Utils::tempdir() . '/insert.sql';
PostgreSQL::Test::Utils::append_to_file($script,
	"INSERT INTO tst (v) SELECT array_agg(random())::vector FROM generate_series(1, $dims);\n");

# Rows to check: those above $from, and the 200 highest ids.
my $self_find_sql = sub {
	my ($from) = @_;
	return qq(
WITH q AS (
	SELECT id, v FROM tst WHERE id > $from
	UNION
	SELECT id, v FROM (SELECT id, v FROM tst ORDER BY id DESC LIMIT 200) l
)
SELECT count(*), count(*) FILTER (WHERE NOT found),
       coalesce(string_agg(id::text, ',') FILTER (WHERE NOT found), '')
FROM (SELECT q.id, q.id = ANY (ARRAY(SELECT t.id FROM tst t
         ORDER BY t.v <-> q.v LIMIT $self_k)) AS found
      FROM q) s;);
};

like($node->safe_psql('postgres',
		VecdbTest::scan_settings($ef_search) . 'EXPLAIN (COSTS OFF) ' . $self_find_sql->(0)),
	qr/Index Scan using tst_v_idx/, 'the self-find query uses the hnsw index');

# After a backend's SIGKILL: true once the postmaster has reinitialized and
# recovery has finished, false as soon as recovery fails (a FATAL such as
# "inconsistent page found" makes the postmaster shut down).
sub wait_for_crash_restart
{
	my ($offset) = @_;
	for (1 .. 10 * $PostgreSQL::Test::Utils::timeout_default)
	{
		my $log = PostgreSQL::Test::Utils::slurp_file($node->logfile, $offset);
		return 1
		  if $log =~ /all server processes terminated; reinitializing.*database system is ready to accept connections/s;
		return 0
		  if $log =~ /inconsistent page found|aborting startup|database system is shut down/;
		usleep(100_000);
	}
	return 0;
}

for my $cycle (1 .. @kinds)
{
	my $kind = $kinds[ $cycle - 1 ];
	my $name = "cycle $cycle ($kind)";

	if ($cycle == $wcc_from)
	{
		$node->safe_psql('postgres', "ALTER SYSTEM SET wal_consistency_checking = 'generic'");
		$node->reload;
		$node->poll_query_until('postgres',
			"SELECT current_setting('wal_consistency_checking') = 'generic'")
		  or die 'wal_consistency_checking did not take effect';
	}

	# a new unlogged table and index (ambuildempty writes the index's init
	# fork), with rows the crash must discard
	$node->safe_psql('postgres', qq(
DROP TABLE IF EXISTS utst;
CREATE UNLOGGED TABLE utst (id int, v vector($dims), t int DEFAULT 7)
	WITH (autovacuum_enabled = off);
CREATE INDEX utst_v_idx ON utst USING hnsw (v vector_l2_ops);
CREATE INDEX utst_t_idx ON utst USING hnsw (v vector_l2_ops, t) WITH (tenant = 't');
INSERT INTO utst SELECT id, v FROM tst ORDER BY id LIMIT 50;
));

	# rows up to here are settled: no insert is in progress
	my ($start_max, $start_count) = split /\|/,
	  $node->safe_psql('postgres', 'SELECT max(id), count(*) FROM tst');
	my ($out, $err) = ('', '');
	my $pgbench;
	{
		# the harness sets PGAPPNAME; ours marks the backends to kill
		local $ENV{PGAPPNAME} = 'vecdb_pgbench';
		$pgbench = IPC::Run::start(
			[
				'pgbench', '-n', '-c', $clients, '-j', 2, '-T', 60,
				'-f', $script, '-h', $node->host, '-p', $node->port, 'postgres'
			],
			'>', \$out, '2>', \$err,
			IPC::Run::timeout($PostgreSQL::Test::Utils::timeout_default));
	}

	# let a growing amount of work happen first
	my $target = 150 + 75 * $cycle;
	$node->poll_query_until('postgres',
		"SELECT count(*) >= $target FROM tst WHERE id > $start_max")
	  or die "$name: pgbench made no progress: $err";

	# ids visible now are committed: they must survive the crash
	my $witness = $node->safe_psql('postgres',
		"SELECT coalesce(string_agg(id::text, ',' ORDER BY id), '') FROM tst WHERE id > $start_max");

	if ($kind eq 'immediate')
	{
		$node->stop('immediate');
		ok($node->start(fail_ok => 1), "$name: the server restarted after crash recovery")
		  or die "$name: crash recovery failed, see the server log";
	}
	else
	{
		my $pid = $node->safe_psql('postgres', qq(
SELECT pid FROM pg_stat_activity
WHERE application_name = 'vecdb_pgbench' AND backend_type = 'client backend'
ORDER BY (state = 'active') DESC, pid LIMIT 1));
		ok($pid =~ /^\d+$/, "$name: found a pgbench backend to kill")
		  or die "$name: no pgbench backend: $err";
		my $offset = -s $node->logfile;
		is(kill('KILL', $pid), 1, "$name: sent SIGKILL to backend $pid");
		if (!ok(wait_for_crash_restart($offset), "$name: the server reinitialized and recovered"))
		{
			$node->stop('immediate', fail_ok => 1);
			die "$name: crash recovery failed, see the server log";
		}
		$node->poll_query_until('postgres', 'SELECT true')
		  or die "$name: server did not come back";
	}
	$pgbench->finish;    # its clients lost their connections
	note("$name: pgbench: " . ($err =~ tr/\n/\n/) . " stderr lines");

	my $rows = $node->safe_psql('postgres', 'SELECT count(*) FROM tst');
	my @witness = split /,/, $witness;
	note("$name: $rows rows, " . scalar(@witness) . " ids recorded before the crash");

	VecdbTest::index_check_ok($node, 'tst_v_idx', "$name after restart");
	VecdbTest::index_check_ok($node, 'tst_q_idx', "$name after restart, quantized index");
	VecdbTest::index_check_ok($node, 'tst_t_idx', "$name after restart, tenant index");

	is( $node->safe_psql('postgres',
			"SELECT count(*) FROM unnest('{$witness}'::bigint[]) w(id) "
			  . "WHERE NOT EXISTS (SELECT 1 FROM tst WHERE tst.id = w.id)"),
		0,
		"$name: all " . scalar(@witness) . " rows committed before the crash are present");
	is($node->safe_psql('postgres', "SELECT count(*) FROM tst WHERE id <= $start_max"),
		$start_count, "$name: all $start_count rows from before the cycle are present");

	my ($checked, $missing, $missing_ids) =
	  split /\|/, $node->safe_psql('postgres',
		VecdbTest::scan_settings($ef_search) . $self_find_sql->($start_max)), -1;
	ok($checked >= 200, "$name: self-find checked $checked rows");
	is($missing, 0, "$name: every recent row is found by its own vector")
	  or diag("not found: $missing_ids");

	# a fresh insert, found by a k-NN query
	my $fresh = VecdbTest::random_vector($rng, $dims);
	my $fresh_id = $node->safe_psql('postgres', "INSERT INTO tst (v) VALUES ('$fresh') RETURNING id");
	my @top = VecdbTest::knn_ids($node, 'tst', $fresh, 1, $ef_search);
	is_deeply(\@top, [$fresh_id], "$name: a new row is found by a k-NN query");

	# VACUUM removes the nodes of the uncommitted inserts the crash cut off
	$node->safe_psql('postgres', 'VACUUM tst');
	my $c = VecdbTest::index_check_ok($node, 'tst_v_idx', "$name after VACUUM");
	my $live = $node->safe_psql('postgres', 'SELECT count(*) FROM tst');
	is($c->{heap_tids}, $live, "$name: after VACUUM the index holds exactly the $live rows");
	is($c->{deleted_nodes}, 0, "$name: after VACUUM no deleted node is left");
	my $q = VecdbTest::index_check_ok($node, 'tst_q_idx', "$name after VACUUM, quantized index");
	is($q->{heap_tids}, $live, "$name: after VACUUM the quantized index holds exactly the $live rows");
	my $t = VecdbTest::index_check_ok($node, 'tst_t_idx', "$name after VACUUM, tenant index");
	is($t->{heap_tids}, $live, "$name: after VACUUM the tenant index holds exactly the $live rows");

	# the unlogged table came back empty, and its index works
	my ($ret, $stdout, $stderr) = $node->psql('postgres', 'SELECT count(*) FROM utst');
	is($stdout, '0', "$name: the unlogged table is empty after the crash");
	my $uvec = VecdbTest::random_vector($rng, $dims);
	($ret, $stdout, $stderr) = $node->psql('postgres', qq(
INSERT INTO utst SELECT id, v FROM tst ORDER BY id OFFSET 100 LIMIT 20;
INSERT INTO utst VALUES (-1, '$uvec');
) . VecdbTest::scan_settings($ef_search) . VecdbTest::knn_sql('utst', $uvec, 1),
		on_error_stop => 1);
	is($stdout, '-1', "$name: the unlogged table's hnsw index takes rows and finds them")
	  or diag("psql exit $ret: $stderr");
	VecdbTest::index_check_ok($node, 'utst_v_idx', "$name unlogged");
	VecdbTest::index_check_ok($node, 'utst_t_idx', "$name unlogged tenant index");
	($ret, $stdout, $stderr) = $node->psql('postgres',
		VecdbTest::scan_settings($ef_search) . "SELECT id FROM utst WHERE t = 7 "
		  . "ORDER BY v <-> '$uvec' LIMIT 1;", on_error_stop => 1);
	is($stdout, '-1', "$name: the unlogged tenant index finds the row by its tenant")
	  or diag("psql exit $ret: $stderr");
}

# The whole table, at the default ef_search: each row found by its own
# vector.  HNSW may legitimately orphan a few nodes, so this is a rate; the
# checker's unreachable count explains any miss.
my ($all, $all_missing, $ids) = split /\|/,
  $node->safe_psql('postgres', VecdbTest::scan_settings(40) . $self_find_sql->(0)), -1;
note("all rows: $all_missing of $all not found by their own vector: $ids");
ok($all_missing <= $all / 1000, "at most 0.1% of all $all rows not found by their own vector");

# REINDEX rebuilds the same set of rows
$node->safe_psql('postgres', 'REINDEX INDEX tst_v_idx');
my $c = VecdbTest::index_check_ok($node, 'tst_v_idx', 'after REINDEX');
is($c->{heap_tids}, $node->safe_psql('postgres', 'SELECT count(*) FROM tst'),
	'after REINDEX the index holds every row');

ok(!$node->log_contains('inconsistent page found'),
	'no "inconsistent page found" during recovery with wal_consistency_checking');
ok($node->log_contains('redo starts at'), 'crash recovery replayed WAL');
ok(!$node->log_contains(qr/TRAP:|terminated by signal (?:6|11)/),
	'no assertion failure or segfault in the server log');

$node->stop;
done_testing();
