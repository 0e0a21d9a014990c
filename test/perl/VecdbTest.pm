# Copyright (c) 2026, vecdb developers

# VecdbTest: small helpers shared by the vecdb TAP tests in test/t/.
#
#   my $node = VecdbTest::new_node('primary', allows_streaming => 1);
#   my $rng  = VecdbTest::rng(42);              # deterministic, seeded
#   my $lit  = VecdbTest::random_vector($rng, 32);   # '[0.123456,...]'
#   my @ids  = VecdbTest::knn_ids($node, 'tst', $lit, 10, 40);
#   my $res  = VecdbTest::index_check_ok($node, 'tst_v_idx', 'name');
#
# Everything is deterministic: the generator is a 32-bit xorshift in pure
# Perl, independent of Perl's rand().

package VecdbTest;

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes ();

# Columns returned by vecdb_index_check(), in order.
our @CHECK_COLUMNS = qw(pages nodes deleted_nodes heap_tids chunks
  unreachable_nodes heap_tuples_checked);

# new_node(name, init params...): an initialized, not yet started node with
# the settings every vecdb test wants.  autovacuum is off so that index
# contents change only when a test says so.
sub new_node
{
	my ($name, %params) = @_;
	my $node = PostgreSQL::Test::Cluster->new($name);
	$node->init(%params);
	$node->append_conf('postgresql.conf', qq(
autovacuum = off
max_connections = 30
));
	return $node;
}

# rng(seed): a generator; each call of the returned closure gives a number
# in [0, 1).  xorshift32 (Marsaglia), seed must not be 0.
sub rng
{
	my ($seed) = @_;
	my $x = ($seed & 0xFFFFFFFF) || 0x9E3779B9;
	return sub {
		$x ^= ($x << 13) & 0xFFFFFFFF;
		$x ^= $x >> 17;
		$x ^= ($x << 5) & 0xFFFFFFFF;
		return $x / 4294967296.0;
	};
}

# random_vector(rng, dims): a vector literal, components in [0, 1).
sub random_vector
{
	my ($rng, $dims) = @_;
	return '[' . join(',', map { sprintf('%.6f', $rng->()) } 1 .. $dims) . ']';
}

# insert_random_rows(node, table, rng, dims, first_id, count): one INSERT
# statement of count rows (id, v) with ids first_id .. first_id+count-1.
sub insert_random_rows
{
	my ($node, $table, $rng, $dims, $first, $count) = @_;
	my @rows = map { sprintf("(%d,'%s')", $first + $_, random_vector($rng, $dims)) }
	  0 .. $count - 1;
	$node->safe_psql('postgres',
		"INSERT INTO $table (id, v) VALUES " . join(",\n", @rows));
	return;
}

# knn_sql(table, query literal, k): one row, the ids of the k nearest, in
# order, comma-separated.  ARRAY(subquery) keeps the index order.
sub knn_sql
{
	my ($table, $query, $k) = @_;
	return "SELECT array_to_string(ARRAY(SELECT id FROM $table "
	  . "ORDER BY v <-> '$query' LIMIT $k), ',');";
}

# scan_settings(ef_search): session settings forcing the index, with a
# fixed ef_search.
sub scan_settings
{
	my ($ef) = @_;
	return "SET enable_seqscan = off; SET hnsw.ef_search = $ef;\n";
}

# knn_ids(node, table, query literal, k, ef_search): ids of the k nearest
# rows through the index, as a list.
sub knn_ids
{
	my ($node, $table, $query, $k, $ef) = @_;
	my $out = $node->safe_psql('postgres',
		scan_settings($ef) . knn_sql($table, $query, $k));
	return split /,/, $out;
}

# knn_ids_many(node, table, [query literals], k, ef_search): one psql call;
# returns a list of strings, one 'id,id,...' per query.
sub knn_ids_many
{
	my ($node, $table, $queries, $k, $ef) = @_;
	my $sql = scan_settings($ef) . join("\n", map { knn_sql($table, $_, $k) } @$queries);
	my $out = $node->safe_psql('postgres', $sql);
	my @lines = split /\n/, $out, -1;
	die "expected " . scalar(@$queries) . " result lines, got " . scalar(@lines)
	  unless @lines == @$queries;
	return @lines;
}

# wait_for_replay(primary, standby): waits until the standby has replayed
# the primary's WAL up to its current write position.  Unlike the
# harness's wait_for_catchup it gives up at once, returning false, when the
# standby's log shows a failed replay (a FATAL such as "inconsistent page
# found" stops the standby), so such a failure does not wait out the
# timeout.
sub wait_for_replay
{
	my ($primary, $standby) = @_;
	my $lsn = $primary->lsn('write');
	for (1 .. 10 * $PostgreSQL::Test::Utils::timeout_default)
	{
		my ($ret, $out) = $standby->psql('postgres',
			"SELECT pg_last_wal_replay_lsn() >= '$lsn'::pg_lsn");
		return 1 if $ret == 0 && $out eq 't';
		return 0
		  if $standby->log_contains(
			qr/inconsistent page found|PANIC|startup process \(PID \d+\) (?:exited|was terminated)/);
		Time::HiRes::usleep(100_000);
	}
	return 0;
}

# index_check_ok(node, index, test name[, heapallindexed]): runs
# vecdb_index_check (heapallindexed by default) and asserts it succeeds.
# Returns a hashref of its columns (empty on failure).
sub index_check_ok
{
	my ($node, $index, $name, $heapallindexed) = @_;
	local $Test::Builder::Level = $Test::Builder::Level + 1;
	$heapallindexed = 1 unless defined $heapallindexed;
	my $hai = $heapallindexed ? 'true' : 'false';
	my ($ret, $stdout, $stderr) = $node->psql('postgres',
		"SELECT " . join(', ', @CHECK_COLUMNS)
		  . " FROM vecdb_index_check('$index'::regclass, $hai);",
		on_error_stop => 1);
	ok($ret == 0 && $stderr eq '', "$name: vecdb_index_check($index, $hai) succeeds")
	  or diag("psql exit $ret, stderr:\n$stderr");
	return {} unless $ret == 0;
	my @vals = split /\|/, $stdout, -1;
	my %res;
	@res{@CHECK_COLUMNS} = @vals;
	note("$name: vecdb_index_check($index): "
		  . join(', ', map { "$_=$res{$_}" } @CHECK_COLUMNS));
	return \%res;
}

1;
