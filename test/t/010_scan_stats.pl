# Copyright (c) 2026, vecdb developers

# Cumulative hnsw scan counters (vecdb_stat_indexes) with vecdb in
# shared_preload_libraries: the counters are server-wide, so scans from
# separate sessions, and from four pgbench clients at once, add up exactly
# to what each scan reported (vecdb_last_scan) or what the clients ran;
# another database's index is not listed; vecdb_stat_reset clears them.
# With vecdb.stat_max_indexes = 2, the scans of a third index go to the
# overflow row (indexrelid 0).  Without preloading, the counters are the
# session's own (scope 'session').

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use VecdbTest;

my $dims = 8;
my $rng = VecdbTest::rng(20261203);

my $node = VecdbTest::new_node('scanstats');
$node->append_conf('postgresql.conf', "shared_preload_libraries = 'vecdb'\n");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION vecdb');
$node->safe_psql('postgres', "CREATE TABLE t (id int PRIMARY KEY, v vector($dims))");
VecdbTest::insert_random_rows($node, 't', $rng, $dims, 1, 500);
$node->safe_psql('postgres', q{
	CREATE INDEX a_idx ON t USING hnsw (v vector_l2_ops);
	CREATE INDEX b_idx ON t USING hnsw (v vector_cosine_ops);
	CREATE INDEX c_idx ON t USING hnsw (v vector_ip_ops);
});

# one session: k-NN scans by operator, then what its last scan reported
# (nodes_measured, pages_read, rows_returned)
sub scan_session
{
	my ($op, $k, $n) = @_;
	my $sql = "SET enable_seqscan = off;\n";
	$sql .= "SELECT count(*) FROM (SELECT id FROM t ORDER BY v $op "
	  . "(SELECT v FROM t WHERE id = $_) LIMIT $k) s;\n"
	  for 1 .. $n;
	$sql .= "SELECT nodes_measured || ' ' || pages_read || ' ' || rows_returned "
	  . "FROM vecdb_last_scan();\n";
	my @out = split /\n/, $node->safe_psql('postgres', $sql);
	return split / /, $out[-1];
}

# the counters of one index: scans nodes_measured pages_read rows_returned scope
sub stat_of
{
	my ($db, $index) = @_;
	return $node->safe_psql($db, qq{
		SELECT scans || ' ' || nodes_measured || ' ' || pages_read || ' ' || rows_returned
			|| ' ' || scope
		FROM vecdb_stat_indexes() WHERE indexrelid = $index});
}

is($node->safe_psql('postgres', 'SHOW vecdb.stat_max_indexes'), '500',
	'vecdb.stat_max_indexes defaults to 500');
$node->safe_psql('postgres', 'SELECT vecdb_stat_reset()');

# two sessions, one scan each: the server-wide counters are their sum
my @s1 = scan_session('<->', 7, 1);
my @s2 = scan_session('<->', 4, 1);
is(stat_of('postgres', "'a_idx'::regclass"),
	join(' ', 2, $s1[0] + $s2[0], $s1[1] + $s2[1], 11, 'server'),
	'two sessions\' scans add up server-wide (nodes, pages, rows)');
is(stat_of('postgres', "'b_idx'::regclass"), '', 'an index not scanned has no row');

# four pgbench clients at once, 25 scans each
$node->pgbench(
	'-n -c 4 -j 2 -t 25 postgres',
	0, [qr{processed: 100/100}], [qr{^$}],
	'pgbench: 100 scans from four clients',
	{
		'010_knn' => q{
SET enable_seqscan = off;
\set id random(1, 500)
SELECT id FROM t ORDER BY v <-> (SELECT v FROM t WHERE id = :id) LIMIT 3;
}
	});
like(stat_of('postgres', "'a_idx'::regclass"), qr/^102 \d+ \d+ 311 server$/,
	'concurrent clients\' scans and rows are all counted');

# another database: its index is listed there, not here
$node->safe_psql('postgres', 'CREATE DATABASE other');
$node->safe_psql('other', qq{
	CREATE EXTENSION vecdb;
	CREATE TABLE u (id int, v vector($dims));
	INSERT INTO u SELECT * FROM (VALUES (1, '[1,2,3,4,5,6,7,8]'::vector)) x;
	CREATE INDEX u_idx ON u USING hnsw (v vector_l2_ops);
	SET enable_seqscan = off;
	SELECT id FROM u ORDER BY v <-> '[1,1,1,1,1,1,1,1]' LIMIT 1;
});
like(stat_of('other', "'u_idx'::regclass"), qr/^1 1 \d+ 1 server$/, 'the other database counts its index');
is($node->safe_psql('postgres', q{
	SELECT count(*) FROM vecdb_stat_indexes() WHERE indexrelid <> 'a_idx'::regclass}),
	'0', 'and its index is not listed in this one');

$node->safe_psql('postgres', 'SELECT vecdb_stat_reset()');
is($node->safe_psql('other', 'SELECT count(*) FROM vecdb_stat_indexes()'), '0',
	'vecdb_stat_reset clears every database\'s counters');

# room for two indexes: the third one's scans go to the overflow row
$node->append_conf('postgresql.conf', "vecdb.stat_max_indexes = 2\n");
$node->restart;
is($node->safe_psql('postgres', 'SHOW vecdb.stat_max_indexes'), '2', 'vecdb.stat_max_indexes = 2');
scan_session('<->', 3, 1);
scan_session('<=>', 3, 1);
my @c = scan_session('<#>', 5, 2);
is( $node->safe_psql('postgres', q{
		SELECT string_agg(coalesce(i.relname, '-') || ' ' || s.scans, ', ' ORDER BY s.indexrelid)
		FROM vecdb_stat_indexes() s LEFT JOIN pg_class i ON i.oid = s.indexrelid}),
	'- 2, a_idx 1, b_idx 1', 'the third index is counted in the overflow row');
like(stat_of('postgres', 0), qr/^2 \d+ \d+ 10 server$/, 'the overflow row holds its rows');
is($node->safe_psql('postgres', 'SELECT count(*) FROM vecdb_stat_user_indexes'), '2',
	'the view lists the two counted indexes');

# not preloaded: each session counts its own scans
$node->adjust_conf('postgresql.conf', 'shared_preload_libraries', "''");
$node->restart;
my @out = split /\n/, $node->safe_psql('postgres', q{
	SET enable_seqscan = off;
	SELECT count(*) FROM (SELECT id FROM t ORDER BY v <-> '[0,0,0,0,0,0,0,0]' LIMIT 6) s;
	SELECT scans || ' ' || rows_returned || ' ' || scope FROM vecdb_stat_indexes();
});
is($out[-1], '1 6 session', 'without preloading, a session sees its own scan');
is($node->safe_psql('postgres', 'SELECT count(*) FROM vecdb_stat_indexes()'), '0',
	'and another session does not');

$node->stop;
done_testing();
