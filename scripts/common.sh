# scripts/common.sh: shared helpers for demo.sh and test.sh (sourced, not run).
#
# Everything here works on a fresh Debian bookworm machine as root: packages
# come from apt, servers run as the postgres user on a private socket
# directory and port, in a directory we create and remove.

set -euo pipefail

VECDB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PG_MAJOR=${PG_MAJOR:-15}
PGBIN=/usr/lib/postgresql/$PG_MAJOR/bin
PG_CONFIG=$PGBIN/pg_config
export PG_CONFIG

log() { printf '==> %s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# ensure_packages PKG...: installs the Debian packages that are missing.
ensure_packages() {
	local missing=()
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
	done
	if [ ${#missing[@]} -gt 0 ]; then
		[ "$(id -u)" -eq 0 ] || die "missing packages (${missing[*]}); run as root"
		log "installing ${missing[*]}"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -q
		apt-get install -y -q --no-install-recommends "${missing[@]}"
	fi
}

BUILD_PACKAGES=(postgresql-$PG_MAJOR postgresql-server-dev-$PG_MAJOR make gcc clang-14 llvm-14 libc6-dev)

# build_install [make args...]: builds and installs the extension.
build_install() {
	log "building vecdb $*"
	make -C "$VECDB_ROOT" -s clean >/dev/null
	make -C "$VECDB_ROOT" -s "$@" >/dev/null
	# a new file, not an overwrite: backends that have the old library
	# mapped keep running it instead of crashing
	rm -f "$("$PG_CONFIG" --pkglibdir)/vecdb.so"
	make -C "$VECDB_ROOT" -s install >/dev/null
}

# asvector_install ROOT: a private copy of the PostgreSQL installation under
# ROOT (bin, lib and share, at the same paths below ROOT; PostgreSQL finds
# its files relative to its programs) with vecdb installed both as vecdb and
# as vector (make install-as-vector).  Whatever vector extension the system
# has (pgvector's files) is left out of the copy and never touched.  Needs a
# built tree (build_install).  Sets ASV_BIN to the copy's bin directory and
# ASV_INSTALL to its parent (a TAP node's install_path); returns non-zero on
# failure (also without set -e).
asvector_install() {
	local root=$1 bindir sharedir libdir d
	bindir=$("$PG_CONFIG" --bindir) || return 1
	sharedir=$("$PG_CONFIG" --sharedir) || return 1
	libdir=$("$PG_CONFIG" --pkglibdir) || return 1
	rm -rf "$root"
	for d in "$(dirname "$bindir")" "$sharedir" "$libdir"; do
		[ -d "$root$d" ] && continue
		mkdir -p "$root$(dirname "$d")" && cp -a "$d" "$root$d" || return 1
	done
	rm -f "$root$sharedir"/extension/vector.control "$root$sharedir"/extension/vector--*.sql \
		"$root$libdir"/vector.so
	make -C "$VECDB_ROOT" -s install-as-vector PG_CONFIG="$root$bindir/pg_config" >/dev/null || return 1
	ASV_BIN=$root$bindir
	ASV_INSTALL=$(dirname "$ASV_BIN")
}

# as_pg CMD...: runs a command as the postgres user (initdb refuses root).
as_pg() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

# cluster_start DIR PORT [BINDIR]: a throwaway cluster in DIR, socket in DIR,
# trust auth, run by the programs in BINDIR (default $PGBIN).
cluster_start() {
	local dir=$1 port=$2 bin=${3:-$PGBIN}
	cluster_stop "$dir" 2>/dev/null || true
	rm -rf "$dir"
	mkdir -p "$dir"
	[ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
	as_pg "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
		|| { cat "$dir/initdb.log"; die "initdb failed"; }
	cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = ''
port = $port
unix_socket_directories = '$dir'
max_connections = 50
shared_buffers = 256MB
maintenance_work_mem = 512MB
fsync = off
max_worker_processes = 8
max_parallel_workers = 4
max_parallel_maintenance_workers = 1
# no background ANALYZE: its snapshot holds back the horizon, and a test that
# deletes rows, runs VACUUM and counts the index nodes left would see some
# dead rows kept now and then
autovacuum = off
CONF
	as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w start >/dev/null \
		|| { cat "$dir/server.log"; die "server did not start"; }
	export PGHOST=$dir PGPORT=$port PGUSER=postgres
}

cluster_stop() {
	local dir=$1
	[ -f "$dir/data/postmaster.pid" ] && as_pg "$PGBIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
	return 0
}
