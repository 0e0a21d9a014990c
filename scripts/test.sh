#!/usr/bin/env bash
# scripts/test.sh: the whole test suite on a throwaway cluster.
#
# Installs what is missing (apt, npm), builds with -Werror and
# -DUSE_ASSERT_CHECKING, installs, then runs: kernel and parser unit tests,
# pg_regress, isolation specs, the Node.js client check, TAP tests, and a
# short libFuzzer run.  Exits non-zero on the first failing stage.
#
# Environment: VECDB_TEST_DIR (default /tmp/vecdb-test), VECDB_TEST_PORT
# (default 54332), FUZZ_SECONDS (default 30), VECDB_SKIP="tap fuzz ..." to
# skip stages while developing.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

TEST_DIR=${VECDB_TEST_DIR:-/tmp/vecdb-test}
TEST_PORT=${VECDB_TEST_PORT:-54332}
FUZZ_SECONDS=${FUZZ_SECONDS:-30}
SKIP=" ${VECDB_SKIP:-} "
passed=0
failed=0

skip() { [[ "$SKIP" == *" $1 "* ]]; }

stage() {
	local name=$1
	shift
	if skip "$name"; then
		log "stage $name: skipped"
		return 0
	fi
	log "stage $name"
	local t0=$SECONDS
	if "$@"; then
		passed=$((passed + 1))
		log "stage $name: ok ($((SECONDS - t0)) s)"
	else
		failed=$((failed + 1))
		log "stage $name: FAILED"
		echo "$passed passed, $failed failed"
		exit 1
	fi
}

ensure_packages "${BUILD_PACKAGES[@]}" libipc-run-perl libclang-rt-14-dev dataset-fashion-mnist
command -v node >/dev/null && command -v npm >/dev/null || ensure_packages nodejs npm

build_install VECDB_DEV=1

run_unit() { make -C "$VECDB_ROOT" -s unit; }

run_regress() {
	cluster_start "$TEST_DIR" "$TEST_PORT"
	local rc=0
	make -C "$VECDB_ROOT" -s installcheck || rc=$?
	if [ $rc -ne 0 ] && [ -f "$VECDB_ROOT/regression.diffs" ]; then
		head -200 "$VECDB_ROOT/regression.diffs"
	fi
	return $rc
}

run_client() {
	local dir=$TEST_DIR/client
	rm -rf "$dir"
	mkdir -p "$dir"
	cp "$VECDB_ROOT"/test/client/package.json "$VECDB_ROOT"/test/client/*.js "$dir"/
	[ -f "$VECDB_ROOT/test/client/package-lock.json" ] && cp "$VECDB_ROOT/test/client/package-lock.json" "$dir"/
	(cd "$dir" && npm install --no-audit --no-fund --loglevel=error >/dev/null && node --test)
}

run_tap() {
	local t
	t=$(ls "$VECDB_ROOT"/test/t/*.pl 2>/dev/null | wc -l)
	[ "$t" -gt 0 ] || { log "no TAP tests yet"; return 0; }
	local dir=$TEST_DIR/tap
	rm -rf "$dir"
	mkdir -p "$dir"
	chown postgres: "$dir" 2>/dev/null || true
	as_pg env PATH="$PGBIN:$PATH" TESTDIR="$dir" PG_REGRESS=/usr/lib/postgresql/$PG_MAJOR/lib/pgxs/src/test/regress/pg_regress \
		PG_TEST_TIMEOUT_DEFAULT=180 \
		prove -I "/usr/lib/postgresql/$PG_MAJOR/lib/pgxs/src/test/perl" -I "$VECDB_ROOT/test/perl" \
		"$VECDB_ROOT"/test/t/*.pl
}

run_fuzz() { make -C "$VECDB_ROOT" -s fuzz FUZZ_SECONDS="$FUZZ_SECONDS" 2>&1 | tail -5; }

trap 'cluster_stop "$TEST_DIR"' EXIT
stage unit run_unit
stage regress run_regress
stage client run_client
cluster_stop "$TEST_DIR"
stage tap run_tap
stage fuzz run_fuzz
echo "$passed passed, $failed failed"
