
# Copyright (c) 2026, vecdb developers

=pod

=head1 NAME

VecdbData - test data for vecdb TAP tests: deterministic random vectors,
the Fashion-MNIST IDX reader, COPY streaming and k-NN recall

=head1 SYNOPSIS

  use VecdbData qw(random_vectors copy_rows knn_lists recall_at_k);

  my @vecs = random_vectors(10_000, 32, 4242);
  my $i = 0;
  copy_rows($node, 'COPY items (id, v) FROM STDIN',
      sub { return undef if $i >= @vecs; $i++; return "$i\t$vecs[$i - 1]"; });

  my $exact = knn_lists($node, query_table => 'queries', table => 'items',
      k => 10, gucs => { enable_indexscan => 'off' });

=head1 DESCRIPTION

Only core Perl and IPC::Run (which PostgreSQL::Test::Utils needs anyway).
Gzip is read with IO::Uncompress::Gunzip, in core since Perl 5.10 (Debian:
perl-modules-5.36).

=cut

package VecdbData;

use strict;
use warnings;

use Carp;
use Exporter 'import';
use IO::Uncompress::Gunzip qw($GunzipError);
use IPC::Run;
use PostgreSQL::Test::Utils;

our @EXPORT_OK = qw(
  random_vector random_vectors vector_literal
  manifold_vectors manifold_sql
  fashion_mnist_dir fashion_mnist_file
  idx_open idx_next idx_literal
  copy_rows load_idx_images
  knn_sql knn_lists recall_at_k library_stamp library_changed_diag
);

=pod

=head1 FUNCTIONS

=over

=item random_vectors($n, $dim, $seed)

Returns $n vector literals of $dim components uniform in [0, 1), printed
with 6 decimals.  Deterministic for a given seed: Perl (5.20 and later)
uses its own drand48, the same on every platform.  Calls srand, so the
caller's rand() sequence restarts from the seed too.

=cut

sub random_vectors
{
	my ($n, $dim, $seed) = @_;
	srand($seed) if defined $seed;
	return map { random_vector($dim) } 1 .. $n;
}

=item random_vector($dim)

One vector literal from the current rand() sequence.

=cut

sub random_vector
{
	my ($dim) = @_;
	return vector_literal(map { sprintf('%.6f', rand()) } 1 .. $dim);
}

=item manifold_vectors($n, $dim, $seed)

$n vector literals that, like real embeddings, lie near a low-dimensional
manifold: element j of a vector is a fixed smooth function of 4 random
latent coordinates (see manifold_sql).  Same seed rules as random_vectors.

=item manifold_sql($dim)

A SQL expression drawing one such vector with random(): the same function
as manifold_vectors, so rows inserted by SQL and by Perl share a
distribution.

=cut

sub _manifold_element
{
	my ($z, $j) = @_;
	return sin(3 * $z->[0] * (1 + $j % 5) + 2 * $z->[1] * (1 + $j % 3)
		  + 5 * $z->[2] * (1 + $j % 7) + 4 * $z->[3] * (1 + $j % 4) + $j);
}

sub manifold_vectors
{
	my ($n, $dim, $seed) = @_;
	srand($seed) if defined $seed;
	my @out;
	for (1 .. $n)
	{
		my $z = [ rand(), rand(), rand(), rand() ];
		push @out,
		  vector_literal(map { sprintf('%.6f', _manifold_element($z, $_)) } 1 .. $dim);
	}
	return @out;
}

sub manifold_sql
{
	my ($dim) = @_;
	return "(SELECT array_agg(sin(3 * z[1] * (1 + j % 5) + 2 * z[2] * (1 + j % 3)"
	  . " + 5 * z[3] * (1 + j % 7) + 4 * z[4] * (1 + j % 4) + j) ORDER BY j)::vector"
	  . " FROM (SELECT ARRAY[random(), random(), random(), random()] AS z) l,"
	  . " generate_series(1, $dim) j)";
}

=item vector_literal(@values)

'[v1,v2,...]'.

=cut

sub vector_literal
{
	return '[' . join(',', @_) . ']';
}

=item fashion_mnist_dir()

Where the Debian package dataset-fashion-mnist puts the files
(/usr/share/datasets/fashion-mnist), or $ENV{VECDB_FASHION_MNIST_DIR}.

=item fashion_mnist_file($name)

Full path of e.g. 'train-images-idx3-ubyte.gz', or undef if it is missing.

=cut

sub fashion_mnist_dir
{
	return $ENV{VECDB_FASHION_MNIST_DIR} // '/usr/share/datasets/fashion-mnist';
}

sub fashion_mnist_file
{
	my ($name) = @_;
	my $path = fashion_mnist_dir() . "/$name";
	return -r $path ? $path : undef;
}

=item idx_open($path)

Opens an IDX3 image file (gzipped or not: Gunzip passes plain files
through) and reads its header: big-endian magic 0x00000803, count, rows,
cols.  Returns a reader hash with count, rows, cols, dim (rows * cols) and
the handle; croaks on a bad magic number.

=cut

sub idx_open
{
	my ($path) = @_;
	my $fh = IO::Uncompress::Gunzip->new($path, Transparent => 1)
	  or croak "could not open $path: $GunzipError";
	my $r = { path => $path, fh => $fh, read => 0 };
	my $hdr = _read_exact($r, 16);
	croak "$path: truncated header" unless defined $hdr;
	my ($magic, $count, $rows, $cols) = unpack('N4', $hdr);
	croak sprintf("%s: bad IDX magic 0x%08x (want 0x00000803)", $path, $magic)
	  unless $magic == 0x00000803;
	@$r{qw(count rows cols dim)} = ($count, $rows, $cols, $rows * $cols);
	return $r;
}

sub _read_exact
{
	my ($r, $len) = @_;
	my $buf = '';
	while (length($buf) < $len)
	{
		my $got = $r->{fh}->read($buf, $len - length($buf), length($buf));
		croak "$r->{path}: read error: $GunzipError" if $got < 0;
		last if $got == 0;
	}
	return undef if length($buf) == 0;
	croak "$r->{path}: truncated record" if length($buf) < $len;
	return $buf;
}

=item idx_next($reader)

The next image as a string of dim unsigned bytes, or undef after the last
one (or after count images, whichever comes first).

=item idx_literal($bytes)

The vector literal of an image: raw 0..255 pixel values.

=cut

sub idx_next
{
	my ($r) = @_;
	return undef if $r->{read} >= $r->{count};
	my $buf = _read_exact($r, $r->{dim});
	$r->{read}++ if defined $buf;
	return $buf;
}

sub idx_literal
{
	return '[' . join(',', unpack('C*', $_[0])) . ']';
}

=item copy_rows($node, $copy_sql, $next_line, %opts)

Runs psql -c $copy_sql (a COPY ... FROM STDIN in text format) against
$node and streams the lines returned by &$next_line (without the newline;
undef ends the data) into it, in chunks of about 1 MB.  Croaks with psql's
stderr if psql fails.  Options: dbname (default 'postgres'), timeout
(seconds, default $PostgreSQL::Test::Utils::timeout_default).  Returns the
number of lines sent.

=cut

sub copy_rows
{
	my ($node, $copy_sql, $next_line, %opts) = @_;
	my $dbname = $opts{dbname} // 'postgres';
	my $timeout = IPC::Run::timeout($opts{timeout}
		  // $PostgreSQL::Test::Utils::timeout_default);
	my ($in, $out, $err) = ('', '', '');
	my @cmd = (
		$node->installed_command('psql'), '-X', '-q', '-v', 'ON_ERROR_STOP=1',
		'-d', $node->connstr($dbname), '-c', $copy_sql);
	my $h = IPC::Run::start(\@cmd, '<', \$in, '>', \$out, '2>', \$err,
		$timeout);
	my $lines = 0;
	my $done = 0;
	while (!$done)
	{
		while (length($in) < (1 << 20))
		{
			my $line = $next_line->();
			if (!defined $line)
			{
				$done = 1;
				last;
			}
			$in .= $line . "\n";
			$lines++;
		}
		$h->pump while length($in) > 0 && $h->pumpable;
		croak "psql exited early during COPY: $err" if length($in) > 0;
	}
	$h->finish;
	my $rc = $h->result(0);
	croak "COPY failed (psql exit $rc): $err" if $rc != 0;
	return $lines;
}

=item load_idx_images($node, $table, $path, %opts)

COPY the images of an IDX file into $table (id int, v vector(dim)), ids
1..n.  Options: limit (at most this many images), dbname.  Returns the
number of rows loaded.

=cut

sub load_idx_images
{
	my ($node, $table, $path, %opts) = @_;
	my $r = idx_open($path);
	my $limit = $opts{limit} // $r->{count};
	my $id = 0;
	return copy_rows(
		$node,
		"COPY $table (id, v) FROM STDIN",
		sub {
			return undef if $id >= $limit;
			my $img = idx_next($r);
			return undef unless defined $img;
			$id++;
			return "$id\t" . idx_literal($img);
		},
		%opts);
}

=item knn_lists($node, %opts)

For every row of the query table (id int, v vector), the k nearest rows of
the data table by operator op, through one statement with a correlated
subquery (so an index scan is rescanned once per query).  Options:
query_table, table, k (10), op ('<->'), gucs (hash of SET name => value,
applied first), dbname.  Returns a hash: query id => [[id, distance], ...]
sorted by distance.

=cut

sub knn_lists
{
	my ($node, %opts) = @_;
	my $gucs = $opts{gucs} // {};
	my $sql = join('', map { "SET $_ = '$gucs->{$_}';\n" } sort keys %$gucs);
	$sql .= knn_sql(%opts);
	my $res = $node->safe_psql($opts{dbname} // 'postgres', $sql);
	my %lists;
	for my $line (split /\n/, $res)
	{
		my ($qid, $list) = split /\|/, $line, 2;
		$lists{$qid} = [ map { [ split /:/, $_, 2 ] } split /,/, ($list // '') ];
	}
	return \%lists;
}

=item knn_sql(%opts)

The statement knn_lists runs (query_table, table, k, op), e.g. to EXPLAIN it.

=cut

sub knn_sql
{
	my (%opts) = @_;
	my $k = $opts{k} // 10;
	my $op = $opts{op} // '<->';
	return "SELECT q.id, (SELECT string_agg(x.id || ':' || x.d, ',' ORDER BY x.d, x.id)
  FROM (SELECT id, v $op q.v AS d FROM $opts{table} ORDER BY v $op q.v LIMIT $k) x)
FROM $opts{query_table} q ORDER BY q.id";
}

=item library_stamp()

Inode, size and mtime of the installed vecdb shared library (found with
pg_config --pkglibdir), as a string.  Compare it at the start and end of a
long test: on a shared machine another developer's make install rewrites
the file in place, which crashes or confuses backends that have it mapped,
and would make a failure spurious.

=cut

sub library_stamp
{
	my $dir = `pg_config --pkglibdir`;
	chomp $dir;
	my @st = stat("$dir/vecdb.so");
	return @st ? "inode $st[1], size $st[7], mtime $st[9]" : 'missing';
}

=item library_changed_diag($stamp)

Prints a diagnostic if the library's stamp is no longer $stamp (taken with
library_stamp() at the start of the test), so a failure it explains is not
read as a bug.

=cut

sub library_changed_diag
{
	my ($stamp) = @_;
	my $now = library_stamp();
	Test::More::diag("vecdb.so was reinstalled while this test ran (before: $stamp, "
		  . "after: $now); backends that had it mapped may have crashed or misbehaved")
	  if $now ne $stamp;
	return;
}

=item recall_at_k($exact, $approx, $k)

Recall of $approx against $exact (both as returned by knn_lists), over the
queries of $exact.  A returned row counts as a hit when it is one of the
exact k, or when its distance is no larger than the exact k-th distance
(within 1e-6 relative), so ties at the boundary do not count as misses.
Returns (recall, hits, total).

=cut

sub recall_at_k
{
	my ($exact, $approx, $k) = @_;
	my ($hits, $total) = (0, 0);
	for my $qid (keys %$exact)
	{
		my @ex = @{ $exact->{$qid} };
		my $want = @ex < $k ? scalar(@ex) : $k;
		next if $want == 0;
		my %ids = map { $_->[0] => 1 } @ex[ 0 .. $want - 1 ];
		my $kth = $ex[ $want - 1 ][1];
		my $got = 0;
		for my $r (@{ $approx->{$qid} // [] })
		{
			$got++ if $ids{ $r->[0] } || $r->[1] <= $kth * (1 + 1e-6);
		}
		$got = $want if $got > $want;
		$hits += $got;
		$total += $want;
	}
	return ($total ? $hits / $total : 0, $hits, $total);
}

=pod

=back

=cut

1;
