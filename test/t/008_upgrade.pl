# Copyright (c) 2026, vecdb developers

# Upgrade: CREATE EXTENSION vecdb VERSION '0.1.0' (the 0.1.0 release's
# script, with this library), a table with an hnsw index, then ALTER
# EXTENSION vecdb UPDATE.  The index keeps answering the same queries,
# 0.2.0's objects work on it, and the upgraded extension's objects equal a
# fresh 0.2.0 install's, member by member (definitions, support functions,
# operator class contents, privileges).

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
	'0.2.0', 'ALTER EXTENSION vecdb UPDATE goes to 0.2.0');
is($node->safe_psql('postgres', 'SELECT vecdb_version()'), '0.2.0', 'the library says 0.2.0');
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

my $members = slurp_file(dirname(abs_path(__FILE__)) . '/../fixtures/extension_members.sql');
my $upgraded = $node->safe_psql('postgres', $members);
$node->safe_psql('postgres', 'CREATE DATABASE fresh');
$node->safe_psql('fresh', 'CREATE EXTENSION vecdb');
my $fresh = $node->safe_psql('fresh', $members);
cmp_ok(scalar(split /\n/, $fresh), '>', 200, 'the member list is read');
is($upgraded, $fresh, 'the upgraded extension has exactly the objects of a fresh 0.2.0 install');

$node->stop;
done_testing();
