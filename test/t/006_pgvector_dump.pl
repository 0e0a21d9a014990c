# Copyright (c) 2026, vecdb developers

# Restoring a pg_dump of a pgvector 0.8 database into vecdb installed as
# "vector".
#
# test/fixtures/pgvector_dump/ holds a plain-format dump written by hand in
# the shape pg_dump 15 gives for a pgvector 0.8 database (its README says
# how it was checked), split by what each part needs from the server:
#   00_head.sql             SET lines, CREATE EXTENSION vector, its comment
#   10_vector.sql           vector tables, data, keys, hnsw indexes
#   20_halfvec.sql          a halfvec table           (needs type halfvec)
#   21_halfvec_hnsw.sql     its hnsw indexes, and one on vector::halfvec
#   30_sparsevec.sql        a sparsevec table         (needs type sparsevec)
#   31_sparsevec_hnsw.sql   its hnsw indexes
#   40_bit.sql              a bit table               (needs <~> and <%> on bit)
#   41_bit_hnsw.sql         its hnsw indexes, and one on binary_quantize()
#   99_tail.sql             the dump's last lines
# vecdb has every type and operator class the parts need, so each part is
# restored, and one the server lacks is a failure.  Against a peer
# (VECDB_DUMP_TEST_PEER=1) such a part is left out with a note, an index part
# with its table part.  The parts are restored with psql in one run, as a
# dump is, and then:
#   - the restore prints nothing on stderr;
#   - every table's COPY TO output equals the dump's data block, byte for byte;
#   - pg_dump of the restored database gives back every index definition and
#     the extension comment;
#   - <~> and <%> on the bit table give the Hamming and Jaccard distances
#     computed here from the dump's rows;
#   - for every hnsw index, k-NN queries through the index (ef_search 1000,
#     more than any table's rows, so the search is exhaustive) return the
#     same distances as the exact answer of a sequential scan (up to float4
#     rounding), and the same rows up to ties at the k-th distance;
#     vecdb_index_check passes.
#
# The server: the installation in VECDB_AS_VECTOR_INSTALL (scripts/test.sh
# points it at a private copy of PostgreSQL with `make install-as-vector`
# done), else the one on PATH.  The test asserts that the vector extension
# is vecdb's; VECDB_DUMP_TEST_PEER=1 accepts pgvector instead, to check the
# fixture itself against pgvector (k-NN differences are then TODO: with an
# earlier set of queries, pgvector 0.8.6 missed a row in a sparsevec L2 query
# even at ef_search 1000).

use strict;
use warnings;

use Cwd qw(abs_path);
use File::Basename qw(dirname);
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use VecdbTest;

my $fixdir = dirname(abs_path(__FILE__)) . '/../fixtures/pgvector_dump';
my $install = $ENV{VECDB_AS_VECTOR_INSTALL};
my $peer = $ENV{VECDB_DUMP_TEST_PEER} // '';
my $k = 10;
my $nqueries = 5;

my $node = PostgreSQL::Test::Cluster->new('dump',
	$install ? (install_path => $install) : ());
$node->init;
$node->append_conf('postgresql.conf', qq(
autovacuum = off
max_connections = 30
));
$node->start;

my $available = $node->safe_psql('postgres',
	"SELECT count(*) FROM pg_available_extensions WHERE name = 'vector'");
if ($available ne '1')
{
	plan skip_all => 'no extension named vector in '
	  . ($install // 'the installation on PATH')
	  . ': run make install-as-vector (scripts/test.sh sets VECDB_AS_VECTOR_INSTALL)';
}

# What the server's vector extension offers, probed in a scratch database.
$node->safe_psql('postgres', 'CREATE DATABASE probe');
$node->safe_psql('probe', 'CREATE EXTENSION vector');
my $probin = $node->safe_psql('probe',
	"SELECT probin FROM pg_proc WHERE oid = 'vector_in(cstring,oid,integer)'::regprocedure");
if ($peer)
{
	note("VECDB_DUMP_TEST_PEER=1: the vector extension loads $probin");
}
else
{
	is($probin, '$libdir/vecdb', 'the extension named vector is vecdb (vector_in is in $libdir/vecdb)');
}

# has(kind, name): whether the probe database has a type, an operator
# (regoperator syntax) or an hnsw operator class of that name
sub has
{
	my ($kind, $name) = @_;
	my $sql =
	    $kind eq 'type' ? "SELECT to_regtype('$name') IS NOT NULL"
	  : $kind eq 'operator' ? "SELECT to_regoperator('$name') IS NOT NULL"
	  : $kind eq 'function' ? "SELECT to_regprocedure('$name') IS NOT NULL"
	  : "SELECT EXISTS (SELECT FROM pg_opclass c JOIN pg_am a ON a.oid = c.opcmethod
	                     WHERE a.amname = 'hnsw' AND c.opcname = '$name')";
	return $node->safe_psql('probe', $sql) eq 't';
}

# Each optional part and what it needs; an index part also needs its table part.
my @parts = (
	[ '20_halfvec.sql', undef, [ [ type => 'halfvec' ] ] ],
	[
		'21_halfvec_hnsw.sql', '20_halfvec.sql',
		[
			[ opclass => 'halfvec_l2_ops' ],
			[ opclass => 'halfvec_cosine_ops' ],
			[ opclass => 'halfvec_ip_ops' ]
		]
	],
	[ '30_sparsevec.sql', undef, [ [ type => 'sparsevec' ] ] ],
	[
		'31_sparsevec_hnsw.sql', '30_sparsevec.sql',
		[ [ opclass => 'sparsevec_l2_ops' ], [ opclass => 'sparsevec_ip_ops' ] ]
	],
	[
		'40_bit.sql', undef,
		[ [ operator => '<~>(bit,bit)' ], [ operator => '<%>(bit,bit)' ] ]
	],
	[
		'41_bit_hnsw.sql', '40_bit.sql',
		[
			[ opclass => 'bit_hamming_ops' ],
			[ opclass => 'bit_jaccard_ops' ],
			[ function => 'binary_quantize(vector)' ]
		]
	],
);

my @files = ('00_head.sql', '10_vector.sql');
my %included = map { $_ => 1 } @files;
for my $part (@parts)
{
	my ($file, $after, $needs) = @$part;
	my @missing = map { "$_->[0] $_->[1]" } grep { !has(@$_) } @$needs;
	push @missing, "the part $after" if defined $after && !$included{$after};
	if (@missing)
	{
		my $why = "the server's vector extension has no " . join(', ', @missing);

		fail("$file is restored: $why") unless $peer;
		diag("NOTE: $file left out of the restore: $why");
		next;
	}
	push @files, $file;
	$included{$file} = 1;
}
push @files, '99_tail.sql';
note('restoring ' . join(' ', @files));

my $dump = join('', map { slurp_file("$fixdir/$_") } @files);

# ---- the restore ------------------------------------------------------------

$node->safe_psql('postgres', 'CREATE DATABASE restored');
my ($ret, $stdout, $stderr) = $node->psql('restored', $dump, on_error_stop => 1);
is($ret, 0, 'psql restores the dump (ON_ERROR_STOP)');
is($stderr, '', 'the restore prints nothing on stderr');

# ---- data round trip ----------------------------------------------------------

my @copies;    # [table, columns, data]
while ($dump =~ /^COPY public\.(\w+) \(([^)]*)\) FROM stdin;\n(.*?)^\\\.$/msg)
{
	push @copies, [ $1, $2, $3 ];
}
ok(@copies >= 2, scalar(@copies) . ' data blocks in the restored parts');
for my $c (@copies)
{
	my ($table, $cols, $data) = @$c;
	chomp $data;
	my $rows = () = $data =~ /\n/g;
	$rows++;
	my $out = $node->safe_psql('restored', "COPY public.$table ($cols) TO STDOUT");
	is($out, $data, "$table: COPY TO gives back the dump's $rows rows byte for byte");
}

# ---- pg_dump of the restored database -----------------------------------------

my ($redump, $redump_err) = ('', '');
IPC::Run::run([ $node->installed_command('pg_dump'), '-d', $node->connstr('restored') ],
	'>', \$redump, '2>', \$redump_err);
is($redump_err, '', 'pg_dump of the restored database runs cleanly');
my @defs = grep { /^(?:CREATE INDEX|COMMENT ON EXTENSION) / } split /\n/, $dump;
for my $def (@defs)
{
	my ($name) = $def =~ /^(CREATE INDEX \w+|COMMENT ON EXTENSION \w+)/;
	ok((grep { $_ eq $def } split /\n/, $redump), "pg_dump gives back $name unchanged")
	  or diag("expected: $def");
}

# ---- k-NN through each index vs exact ------------------------------------------

my $rng = VecdbTest::rng(2024);

sub dense
{
	my ($dims) = @_;
	return '[' . join(',', map { sprintf('%.3f', 2 * $rng->() - 1) } 1 .. $dims) . ']';
}

sub sparse
{
	my ($dims, $nnz) = @_;
	my %e;
	$e{ 1 + int($rng->() * $dims) } = sprintf('%.3f', 2 * $rng->() - 1) while keys %e < $nnz;
	return '{' . join(',', map { "$_:$e{$_}" } sort { $a <=> $b } keys %e) . "}/$dims";
}

sub bits
{
	my ($n) = @_;
	return join('', map { $rng->() < 0.5 ? '0' : '1' } 1 .. $n);
}

# ---- the bit operators, against distances computed here ----------------------

# Hamming and Jaccard distances of every row of codes to a few bit strings,
# computed from the dump's data: checks the restored rows and the <~> and
# <%> operators whether or not the bit hnsw part is restored.
if ($included{'40_bit.sql'})
{
	my ($codes) = grep { $_->[0] eq 'codes' } @copies;
	my %code = map { split /\t/ } split /\n/, $codes->[2];
	my ($ham_ok, $jac_ok, $detail) = (1, 1, '');
	for my $q (map { bits(64) } 1 .. 3)
	{
		my $out = $node->safe_psql('restored',
			"SELECT id, code <~> '$q', code <%> '$q' FROM public.codes ORDER BY id");
		for my $row (split /\n/, $out)
		{
			my ($id, $ham, $jac) = split /\|/, $row;
			my ($both, $either, $differ) = (0, 0, 0);
			for my $i (0 .. 63)
			{
				my ($a, $b) = (substr($code{$id}, $i, 1), substr($q, $i, 1));
				$both++ if $a eq '1' && $b eq '1';
				$either++ if $a eq '1' || $b eq '1';
				$differ++ if $a ne $b;
			}
			my $want_jac = $either ? 1 - $both / $either : 0;
			if ($ham != $differ) { $ham_ok = 0; $detail .= "row $id <~> $q: $ham, expected $differ\n"; }
			if (abs($jac - $want_jac) > 1e-12)
			{
				$jac_ok = 0;
				$detail .= "row $id <%> $q: $jac, expected $want_jac\n";
			}
		}
	}
	ok($ham_ok, 'codes: <~> gives the Hamming distance computed here for every row (3 queries)')
	  or diag($detail);
	ok($jac_ok, 'codes: <%> gives the Jaccard distance computed here for every row (3 queries)')
	  or diag($detail);
}

# [part, index, table, distance expression (a sprintf format: %s is the
# query), query maker]
my @knn = (
	[ '10_vector.sql', 'docs_embedding_idx',  'docs',   "embedding <=> '%s'", sub { dense(8) } ],
	[ '10_vector.sql', 'docs_embedding_idx1', 'docs',   "embedding <-> '%s'", sub { dense(8) } ],
	[ '10_vector.sql', 'docs_embedding_ip_idx', 'docs', "embedding <#> '%s'", sub { dense(8) } ],
	[ '10_vector.sql', 'chunks_embedding_idx', 'chunks', "embedding <+> '%s'", sub { dense(4) } ],
	[
		'21_halfvec_hnsw.sql', 'docs_embedding_half_idx', 'docs',
		"(embedding::halfvec(8)) <#> '%s'::halfvec(8)", sub { dense(8) }
	],
	[ '21_halfvec_hnsw.sql', 'himages_embedding_idx',  'himages', "embedding <-> '%s'", sub { dense(8) } ],
	[ '21_halfvec_hnsw.sql', 'himages_embedding_idx1', 'himages', "embedding <=> '%s'", sub { dense(8) } ],
	[ '31_sparsevec_hnsw.sql', 'sparse_docs_v_idx',  'sparse_docs', "v <-> '%s'", sub { sparse(32, 4) } ],
	[ '31_sparsevec_hnsw.sql', 'sparse_docs_v_idx1', 'sparse_docs', "v <#> '%s'", sub { sparse(32, 4) } ],
	[ '41_bit_hnsw.sql', 'codes_code_idx',  'codes', "code <~> '%s'", sub { bits(64) } ],
	[ '41_bit_hnsw.sql', 'codes_code_idx1', 'codes', "code <%%> '%s'", sub { bits(64) } ],
	[
		'41_bit_hnsw.sql', 'docs_embedding_bq_idx', 'docs',
		"(binary_quantize(embedding)::bit(8)) <~> '%s'", sub { bits(8) }
	],
);

my $index_settings = "SET enable_seqscan = off; SET enable_bitmapscan = off; SET hnsw.ef_search = 1000;\n";
my $exact_settings = "SET enable_indexscan = off; SET enable_bitmapscan = off;\n";
my $has_check = $node->safe_psql('restored',
	"SELECT to_regprocedure('vecdb_index_check(regclass,boolean)') IS NOT NULL") eq 't';

# rows(psql output): list of [id, distance]
sub rows
{
	my ($out) = @_;
	return [ map { [ split /\|/ ] } grep { length } split /\n/, $out ];
}

# near(a, b): equal up to float4 rounding.  The fixture's values have three
# decimals, so true ties are common (L1 and Hamming above all), and two
# rows at the same true distance can get distances an ulp apart, in either
# order, from different kernels or summation orders.
sub near
{
	my ($a, $b) = @_;
	return abs($a - $b) <= 1e-6 * (abs($b) > 1 ? abs($b) : 1);
}

# same_answer(index rows, exact rows): the same distances in order (up to
# float4 rounding), and the same rows except among those tied with the
# last one
sub same_answer
{
	my ($got, $want) = @_;
	return 0 unless @$got == @$want;
	for my $i (0 .. $#$want)
	{
		return 0 unless near($got->[$i][1], $want->[$i][1]);
	}
	return 1 unless @$want;
	my $last = $want->[-1][1];
	my $ids = sub {
		join(',', sort { $a <=> $b } map { $_->[0] } grep { !near($_->[1], $last) } @{ $_[0] });
	};
	return $ids->($got) eq $ids->($want);
}

for my $q (@knn)
{
	my ($part, $index, $table, $expr, $make) = @$q;
	next unless $included{$part};
	my @queries = map { $make->() } 1 .. $nqueries;
	my $sql = sub { my $e = sprintf($expr, $_[0]); "SELECT id, $e FROM public.$table ORDER BY $e LIMIT $k;" };

	my $plan = $node->safe_psql('restored',
		$index_settings . 'EXPLAIN (COSTS OFF) ' . $sql->($queries[0]));
	like($plan, qr/Index Scan using $index on/, "$index: the k-NN query uses the index");

	my ($same, $detail) = (1, '');
	for my $query (@queries)
	{
		my $got = rows($node->safe_psql('restored', $index_settings . $sql->($query)));
		my $want = rows($node->safe_psql('restored', $exact_settings . $sql->($query)));
		next if same_answer($got, $want);
		$same = 0;
		$detail .= "query $query\n  index: " . join(' ', map { "$_->[0]:$_->[1]" } @$got)
		  . "\n  exact: " . join(' ', map { "$_->[0]:$_->[1]" } @$want) . "\n";
	}
	{
		# pgvector's search is approximate even here, so against pgvector
		# (checking the fixture) a miss is not a failure
		local $TODO = $peer ? 'pgvector does not promise exact answers at ef_search 1000' : undef;
		ok($same, "$index: $nqueries queries, k = $k: the index scan's answers equal the exact ones")
		  or diag($detail);
	}

	if ($has_check)
	{
		my ($cret, $cout, $cerr) = $node->psql('restored',
			"SELECT unreachable_nodes FROM vecdb_index_check('public.$index'::regclass, true)");
		ok($cret == 0 && $cout eq '0', "$index: vecdb_index_check passes with no unreachable node")
		  or diag("ret $cret, out '$cout', err $cerr");
	}
}

$node->stop;
done_testing();
