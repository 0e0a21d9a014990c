# Copyright (c) 2026, vecdb developers

# Upgrade: CREATE EXTENSION vecdb VERSION '0.1.0' (the 0.1.0 release's
# script, with this library), a table with an hnsw index, then ALTER
# EXTENSION vecdb UPDATE, which runs 0.1.0 -> 0.2.0 -> 0.3.0.  The index
# keeps answering the same queries, the later versions' objects work on
# it, and the upgraded extension's objects equal a fresh 0.3.0 install's,
# member by member (definitions, support functions, operator class
# contents, privileges).  The same from 0.2.0 in a second database, where
# vecdb_last_scan's 0.2.0 definition (five columns) is called first with
# this library, as a database created under the name vector before 0.3.0
# keeps it.

use strict;
use warnings;

use Cwd qw(abs_path);
use File::Basename qw(dirname);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use VecdbTest;

my $dims = 16;
my $rng = VecdbTest::rng(20261202);
my @queries = map { VecdbTest::random_vector($rng, $dims) } 1 .. 5;

# 0.3.0's scan counters on the table t of database db: one scan adds what
# vecdb_last_scan (with 0.3.0's columns) reports, and a reset clears them
sub stat_functions_work
{
	my ($node, $db, $when) = @_;
	my $out = $node->safe_psql($db, q{
		SELECT vecdb_stat_reset();
		SET enable_seqscan = off;
		SELECT count(*) FROM (SELECT id FROM t ORDER BY v <-> (SELECT v FROM t WHERE id = 2) LIMIT 3) s;
		SELECT (s.scans, s.nodes_measured, s.pages_read, s.rows_returned)
			= (1::bigint, l.nodes_measured, l.pages_read, l.rows_returned) AND l.pages_read > 0
		FROM vecdb_last_scan() l JOIN vecdb_stat_user_indexes s ON s.indexrelid = l.index
			AND s.indexrelname = 't_idx';
		SELECT vecdb_stat_reset();
		SELECT count(*) FROM vecdb_stat_indexes();
	});
	is($out, "\n3\nt\n\n0", "vecdb_stat_indexes, vecdb_stat_user_indexes, vecdb_stat_reset $when");
}

my $node = VecdbTest::new_node('upgrade');
$node->start;
$node->safe_psql('postgres', "CREATE EXTENSION vecdb VERSION '0.1.0'");
is($node->safe_psql('postgres', "SELECT extversion FROM pg_extension WHERE extname = 'vecdb'"),
	'0.1.0', 'the 0.1.0 script installs');
$node->safe_psql('postgres', "CREATE TABLE t (id int PRIMARY KEY, v vector($dims))");
VecdbTest::insert_random_rows($node, 't', $rng, $dims, 1, 1000);
$node->safe_psql('postgres', 'CREATE INDEX t_idx ON t USING hnsw (v vector_l2_ops)');
my @before = VecdbTest::knn_ids_many($node, 't', \@queries, 10, 100);

$node->safe_psql('postgres', 'ALTER EXTENSION vecdb UPDATE');
is($node->safe_psql('postgres', "SELECT extversion FROM pg_extension WHERE extname = 'vecdb'"),
	'0.3.0', 'ALTER EXTENSION vecdb UPDATE goes from 0.1.0 to 0.3.0');
is($node->safe_psql('postgres', 'SELECT vecdb_version()'), '0.3.0', 'the library says 0.3.0');
my @after = VecdbTest::knn_ids_many($node, 't', \@queries, 10, 100);
is_deeply(\@after, \@before, 'the index answers as before the upgrade');
is($node->safe_psql('postgres',
	"SELECT live_nodes || ' ' || unreachable_nodes FROM vecdb_index_stats('t_idx')"),
	'1000 0', 'vecdb_index_stats reads the index built before the upgrade');
$node->safe_psql('postgres', q{
	ALTER TABLE t ADD COLUMN cat int, ADD COLUMN s sparsevec(16);
	UPDATE t SET cat = id % 10, s = v::sparsevec;
	CREATE INDEX t_cat_idx ON t USING hnsw (v vector_l2_ops, cat);
	CREATE INDEX t_s_idx ON t USING hnsw (s sparsevec_l2_ops);
});
is($node->safe_psql('postgres', q{
	SET enable_seqscan = off;
	SELECT count(*) FILTER (WHERE cat = 3) || '/' || count(*) FROM (SELECT cat FROM t
	WHERE cat = 3 ORDER BY v <-> (SELECT v FROM t WHERE id = 1) LIMIT 10) x;
}), '10/10', 'a filter column index works after the upgrade');

stat_functions_work($node, 'postgres', 'after the upgrade from 0.1.0');

# from 0.2.0
$node->safe_psql('postgres', 'CREATE DATABASE from020');
$node->safe_psql('from020', "CREATE EXTENSION vecdb VERSION '0.2.0'");
$node->safe_psql('from020', "CREATE TABLE t (id int PRIMARY KEY, v vector($dims))");
$node->safe_psql('from020', q{
	INSERT INTO t SELECT g, (SELECT array_agg(random()) FROM generate_series(1, 16) WHERE g > 0)
	FROM generate_series(1, 300) g});
$node->safe_psql('from020', 'CREATE INDEX t_idx ON t USING hnsw (v vector_l2_ops)');
is($node->safe_psql('from020', q{
	SET enable_seqscan = off;
	SELECT count(*) FROM (SELECT id FROM t ORDER BY v <-> (SELECT v FROM t WHERE id = 1) LIMIT 4) s;
	SELECT index || ' ' || rows_returned || ' ' || filtered FROM vecdb_last_scan();
}), "4\nt_idx 4 false", "0.2.0's five-column vecdb_last_scan works with this library");
$node->safe_psql('from020', 'ALTER EXTENSION vecdb UPDATE');
is($node->safe_psql('from020', "SELECT extversion FROM pg_extension WHERE extname = 'vecdb'"),
	'0.3.0', 'ALTER EXTENSION vecdb UPDATE goes from 0.2.0 to 0.3.0');
stat_functions_work($node, 'from020', 'after the upgrade from 0.2.0');

my $members = slurp_file(dirname(abs_path(__FILE__)) . '/../fixtures/extension_members.sql');
my $upgraded = $node->safe_psql('postgres', $members);
my $upgraded020 = $node->safe_psql('from020', $members);
$node->safe_psql('postgres', 'CREATE DATABASE fresh');
$node->safe_psql('fresh', 'CREATE EXTENSION vecdb');
my $fresh = $node->safe_psql('fresh', $members);
cmp_ok(scalar(split /\n/, $fresh), '>', 200, 'the member list is read');
like($fresh, qr/function vecdb_stat_indexes\(\)/, 'the member list has 0.3.0\'s functions');
is($upgraded, $fresh, 'the extension upgraded from 0.1.0 has exactly the objects of a fresh 0.3.0 install');
is($upgraded020, $fresh, 'the extension upgraded from 0.2.0 has exactly the objects of a fresh 0.3.0 install');

$node->stop;
done_testing();
