#!/usr/bin/env bash
# bench/bench.sh: the benchmark suite, one command (also `make bench`).
#
# Installs what is missing (apt), builds and installs vecdb with release
# flags, starts a throwaway cluster tuned for benchmarking (or uses --dsn),
# runs bench/run.py with the remaining arguments, and stops the cluster.
#
#   bash bench/bench.sh                      # full run, vecdb alone
#   bash bench/bench.sh --peer vector        # also against pgvector, interleaved
#   bash bench/bench.sh --quick              # smoke run on small sizes
#   bash bench/bench.sh --dsn 'host=... dbname=postgres'   # your own server
#
# Options read here: --dsn DSN (use that server: no cluster is started, its
# settings are yours), --no-build (skip the build and install), -h/--help.
# Everything else goes to bench/run.py (see bench/README.md).
#
# Environment: VECDB_BENCH_DIR (default /tmp/vecdb-bench), VECDB_BENCH_PORT
# (default 54360), VECDB_BENCH_SHARED_BUFFERS (default 4GB),
# VECDB_BENCH_MAINTENANCE_WORK_MEM (default 2GB),
# VECDB_BENCH_PARALLEL_MAINTENANCE (default: cores - 1).
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/common.sh"

BENCH_DIR=${VECDB_BENCH_DIR:-/tmp/vecdb-bench}
BENCH_PORT=${VECDB_BENCH_PORT:-54360}
PYTHON=/usr/bin/python3 # Debian's, which sees python3-psycopg2 & co.

dsn=""
build=1
args=()
while [ $# -gt 0 ]; do
	case $1 in
	--dsn) [ $# -ge 2 ] || die "--dsn needs a value"; dsn=$2; shift 2 ;;
	--dsn=*) dsn=${1#--dsn=}; shift ;;
	--no-build) build=0; shift ;;
	-h | --help)
		sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
		echo
		[ -x "$PYTHON" ] && "$PYTHON" "$VECDB_ROOT/bench/run.py" --help 2>/dev/null | sed -n '/^options:/,$p'
		exit 0
		;;
	*) args+=("$1"); shift ;;
	esac
done

ensure_packages "${BUILD_PACKAGES[@]}" python3 python3-psycopg2 python3-numpy python3-matplotlib \
	dataset-fashion-mnist

if [ $build -eq 1 ]; then
	build_install # release flags: no VECDB_DEV
fi

if [ -z "$dsn" ]; then
	cores=$(nproc)
	par=${VECDB_BENCH_PARALLEL_MAINTENANCE:-$((cores > 1 ? cores - 1 : 0))}
	log "starting a throwaway cluster in $BENCH_DIR (port $BENCH_PORT)"
	cluster_start "$BENCH_DIR" "$BENCH_PORT"
	trap 'cluster_stop "$BENCH_DIR"' EXIT
	# Later lines win over cluster_start's defaults.  Indexes stay warm in
	# shared_buffers; builds fit in maintenance_work_mem; no JIT, no
	# autovacuum, no checkpoints in the middle of a measurement.
	cat >>"$BENCH_DIR/data/postgresql.conf" <<CONF
# bench/bench.sh
shared_buffers = ${VECDB_BENCH_SHARED_BUFFERS:-4GB}
maintenance_work_mem = ${VECDB_BENCH_MAINTENANCE_WORK_MEM:-2GB}
max_parallel_maintenance_workers = $par
max_parallel_workers = $((par > 4 ? par : 4))
jit = off
autovacuum = off
max_wal_size = 16GB
checkpoint_timeout = 1h
work_mem = 64MB
effective_cache_size = 8GB
CONF
	as_pg "$PGBIN/pg_ctl" -D "$BENCH_DIR/data" -l "$BENCH_DIR/server.log" -w restart >/dev/null \
		|| { tail -20 "$BENCH_DIR/server.log"; die "server did not restart with the benchmark settings"; }
	dsn="host=$BENCH_DIR port=$BENCH_PORT user=postgres dbname=postgres"
fi

t0=$SECONDS
"$PYTHON" "$VECDB_ROOT/bench/run.py" --dsn "$dsn" ${args[@]+"${args[@]}"}
log "benchmark done in $((SECONDS - t0)) s"
