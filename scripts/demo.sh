#!/usr/bin/env bash
# scripts/demo.sh: installs what is missing, builds and installs vecdb, starts
# a throwaway cluster, loads sample vectors and runs k-NN queries.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

DEMO_DIR=${DEMO_DIR:-/tmp/vecdb-demo}
DEMO_PORT=${DEMO_PORT:-54331}

ensure_packages "${BUILD_PACKAGES[@]}"
build_install
log "starting a throwaway cluster in $DEMO_DIR (port $DEMO_PORT)"
cluster_start "$DEMO_DIR" "$DEMO_PORT"
trap 'cluster_stop "$DEMO_DIR"' EXIT

as_pg "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -d postgres -f "$VECDB_ROOT/scripts/demo.sql"
log "demo done; the cluster is stopped (data left in $DEMO_DIR)"
