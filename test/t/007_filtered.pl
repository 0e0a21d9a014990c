# Copyright (c) 2026, vecdb developers

# Filtered search on a replica.  A table of random 32-d vectors with filter
# columns cat (100 values: 1% of the rows each) and tag (text, 10 values)
# gets an hnsw index (v, cat, tag) INCLUDE (id) built over part of the
# rows, then more rows by INSERT, a DELETE and a VACUUM.  After each step, on
# the primary: every query of a 1%-selective condition returns 10 rows, all
# matching, and their recall against an exact scan is at least 0.95 on
# average; the standby, which replays the build and every change with
# wal_consistency_checking = 'generic' (each replayed index page compared
# with a full-page image), returns the primary's rows.  SELECT id ... WHERE
# cat = c is an index-only scan (id from the INCLUDE column, cat exact) on
# both; with the text column too it reads the heap.  The checker, with
# heapallindexed (every row's filter and INCLUDE values against its
# node's), is clean on both.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use VecdbTest;

my $dims = 32;
my $nqueries = 20;

my $rng = VecdbTest::rng(20261202);
my @queries = map { VecdbTest::random_vector($rng, $dims) } 1 .. $nqueries;
my @cats = map { int($rng->() * 100) % 100 } 1 .. $nqueries;

my $primary = VecdbTest::new_node('primary', allows_streaming => 1);
$primary->append_conf('postgresql.conf', "wal_consistency_checking = 'generic'\n");
$primary->start;
$primary->safe_psql('postgres', 'CREATE EXTENSION vecdb');
$primary->backup('base');
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, 'base', has_streaming => 1);
$standby->start;

# rows first .. first+count-1: the vector from the perl generator, cat and
# tag from the id
sub add_rows
{
	my ($first, $count) = @_;
	my @rows = map {
		my $id = $first + $_;
		sprintf("(%d,'%s',%d,'t%d')", $id, VecdbTest::random_vector($rng, $dims),
			($id * 7919) % 100, $id % 10)
	} 0 .. $count - 1;
	$primary->safe_psql('postgres',
		"INSERT INTO items (id, v, cat, tag) VALUES " . join(",\n", @rows));
}

$primary->safe_psql('postgres',
	"CREATE TABLE items (id int PRIMARY KEY, v vector($dims), cat int, tag text)"
	  . " WITH (autovacuum_enabled = off)");
add_rows(1 + 1000 * $_, 1000) for 0 .. 5;
$primary->safe_psql('postgres',
	'CREATE INDEX items_idx ON items USING hnsw (v vector_l2_ops, cat, tag) INCLUDE (id)');

# One query's ids, through the index or exactly, as 'id,id,...'.
sub ids_sql
{
	my ($q, $cond) = @_;
	return "SELECT array_to_string(ARRAY(SELECT id FROM items WHERE $cond "
	  . "ORDER BY v <-> '$q' LIMIT 10), ',');";
}

sub run_queries
{
	my ($node, $exact, $cond_of) = @_;
	my $set = $exact
	  ? "SET enable_indexscan = off; SET enable_bitmapscan = off;\n"
	  : "SET enable_seqscan = off;\n";
	my $sql = $set . join("\n", map { ids_sql($queries[$_], $cond_of->($_)) } 0 .. $#queries);
	return split /\n/, $node->safe_psql('postgres', $sql), -1;
}

sub check_step
{
	my ($step) = @_;
	local $Test::Builder::Level = $Test::Builder::Level + 1;
	my %conds = (
		'cat = c' => sub { "cat = $cats[$_[0]]" },
		'cat = c AND tag = t' => sub { "cat = $cats[$_[0]] AND tag = 't" . ($_[0] % 10) . "'" },
	);
	for my $name (sort keys %conds)
	{
		my @got = run_queries($primary, 0, $conds{$name});
		my @want = run_queries($primary, 1, $conds{$name});
		my ($hits, $wanted, $short, $wrong) = (0, 0, 0, 0);
		for my $i (0 .. $#got)
		{
			my @g = split /,/, $got[$i];
			my %w = map { $_ => 1 } split /,/, $want[$i];
			$short++ if @g < keys %w;
			$hits += grep { $w{$_} } @g;
			$wanted += keys %w;
		}
		my $recall = $wanted ? $hits / $wanted : 1;
		note(sprintf("%s, %s: recall %.4f over %d queries", $step, $name, $recall, scalar @got));
		is($short, 0, "$step, $name: every query returns as many rows as match, up to 10");
		cmp_ok($recall, '>=', 0.95, "$step, $name: recall against an exact scan")
		  or diag("recall $recall");
		ok(VecdbTest::wait_for_replay($primary, $standby), "$step: the standby replayed the WAL")
		  or die "standby replay failed, see its log";
		my @s = run_queries($standby, 0, $conds{$name});
		is_deeply(\@s, \@got, "$step, $name: the standby returns the primary's rows");
		my $scan = $name eq 'cat = c' ? 'Index Only Scan' : 'Index Scan';
		for my $node ($primary, $standby)
		{
			like($node->safe_psql('postgres', "SET enable_seqscan = off; EXPLAIN (COSTS OFF) "
				  . ids_sql($queries[0], $conds{$name}->(0))),
				qr/\b$scan using items_idx/, "$step, $name: " . $node->name . " plans $scan");
		}
	}
	my $p = VecdbTest::index_check_ok($primary, 'items_idx', "$step, primary");
	is($p->{unreachable_nodes}, 0, "$step: no unreachable node");
	VecdbTest::index_check_ok($standby, 'items_idx', "$step, standby", 0);
}

check_step('after the build');
add_rows(6001 + 500 * $_, 500) for 0 .. 3;
check_step('after inserts');
$primary->safe_psql('postgres', 'DELETE FROM items WHERE id % 4 = 0; VACUUM items;');
check_step('after DELETE and VACUUM');

$standby->stop;
$primary->stop;
done_testing();
