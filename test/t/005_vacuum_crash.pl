# Copyright (c) 2026, vecdb developers

# A crash inside VACUUM of an hnsw index, at a step of each of its passes.
#
# Builds with assertions (VECDB_DEV=1, as the test command builds) have
# vecdb.debug_vacuum_crash = 'pass:step', which
# makes that step of that pass end in a PANIC (passes: 1 remove heap TIDs,
# 2 relink, 3 repair, 4 free, 5 the settling under the exclusive insert
# lock).  For each crash point, on a fresh table of random rows plus groups
# of identical vectors (so nodes have TID lists) with 40% of the rows and
# two whole groups deleted:
#   - the VACUUM dies and the server recovers (restart_after_crash);
#   - vecdb_index_check(heapallindexed) is clean after recovery, with no
#     unreachable node, and an iterative scan returns every row;
#   - a second VACUUM finishes the job: no deleted node left, clean check,
#     every row returned, and the index takes new rows.
# The server runs with wal_consistency_checking = 'generic', so recovery
# compares every replayed index page with a full-page image.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use VecdbTest;

my $dims = 8;
my $rows = 3000;
my $groups = 6;       # groups of identical vectors
my $copies = 12;      # rows per group: 3 inline heap TIDs, the rest in lists

my $node = VecdbTest::new_node('vcrash');
$node->append_conf('postgresql.conf', qq(
restart_after_crash = on
wal_consistency_checking = 'generic'
log_statement = none
));
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION vecdb;');

my $has_guc = $node->safe_psql('postgres',
	"LOAD 'vecdb'; SELECT count(*) FROM pg_settings WHERE name = 'vecdb.debug_vacuum_crash';");
# The test command builds with assertions; a release build has no crash
# points, and says so with VECDB_TEST_RELEASE=1.
if ($has_guc ne '1')
{
	plan skip_all => 'release build: no vecdb.debug_vacuum_crash'
	  if $ENV{VECDB_TEST_RELEASE};
	BAIL_OUT('vecdb.debug_vacuum_crash is missing: build with VECDB_DEV=1 '
		  . '(or set VECDB_TEST_RELEASE=1 to skip this test)');
}

my $rng = VecdbTest::rng(777);

# a fresh table and index: random rows, groups of identical rows; then 40%
# of the random rows and groups 1 and 2 deleted
sub setup_table
{
	$node->safe_psql('postgres', qq(
DROP TABLE IF EXISTS tv;
CREATE TABLE tv (id int, v vector($dims)) WITH (autovacuum_enabled = off);
));
	VecdbTest::insert_random_rows($node, 'tv', $rng, $dims, 1, $rows);
	for my $g (1 .. $groups)
	{
		my $lit = VecdbTest::random_vector($rng, $dims);
		$node->safe_psql('postgres',
			"INSERT INTO tv SELECT 100000 * $g + i, '$lit' FROM generate_series(1, $copies) i;");
	}
	$node->safe_psql('postgres', qq(
CREATE INDEX tv_idx ON tv USING hnsw (v vector_l2_ops) WITH (m = 4, ef_construction = 16);
DELETE FROM tv WHERE (id <= $rows AND id % 5 IN (1, 3)) OR id / 100000 IN (1, 2);
));
	return;
}

# the index is clean, everything reachable, and an iterative scan returns
# every row of the table
sub check_all
{
	my ($name) = @_;
	my $c = VecdbTest::index_check_ok($node, 'tv_idx', $name);
	my $count = $node->safe_psql('postgres', 'SELECT count(*) FROM tv');
	is($c->{unreachable_nodes}, 0, "$name: no unreachable node");
	is($c->{heap_tuples_checked}, $count, "$name: every row is indexed");
	my $got = $node->safe_psql('postgres', qq(
SET enable_seqscan = off;
SET hnsw.iterative_scan = relaxed_order;
SET hnsw.max_scan_tuples = 1000000;
SET hnsw.scan_mem_multiplier = 1000;
SELECT count(DISTINCT id) FROM (SELECT id FROM tv ORDER BY v <-> (SELECT v FROM tv ORDER BY id LIMIT 1) LIMIT 1000000) s;
));
	is($got, $count, "$name: an iterative scan returns all $count rows");
	return $c;
}

# pass:step crash points: remove (per page), settle (flags of emptied
# nodes, the entry point's move), relink (per adopted node), repair (per
# node), free (per page, and between a page's nodes and their satellites)
my @points = ('1:3', '5:1', '2:2', '2:20', '3:1', '3:40', '4:1', '4:6');

for my $point (@points)
{
	setup_table();
	my ($ret, $stdout, $stderr) = $node->psql('postgres',
		"SET vecdb.debug_vacuum_crash = '$point'; VACUUM tv;");
	isnt($ret, 0, "crash at $point: VACUUM does not finish");
	my ($pass) = split /:/, $point;
	ok($node->log_contains(qr/vecdb\.debug_vacuum_crash: crashing in pass $pass/),
		"crash at $point: the server crashed where asked")
	  or diag($stderr);
	$node->poll_query_until('postgres', 'SELECT true') or die "server did not recover";

	check_all("after a crash at $point");
	$node->safe_psql('postgres', 'VACUUM tv;');
	my $c = check_all("after the next VACUUM ($point)");
	is($c->{deleted_nodes}, 0, "after the next VACUUM ($point): no deleted node left");
	$node->safe_psql('postgres',
		"INSERT INTO tv SELECT 900000 + id, v FROM tv WHERE id <= 50;");
	check_all("after new rows ($point)");
	$node->rotate_logfile;
	$node->restart;
}

$node->stop;
done_testing();
