#!/usr/bin/env bash
# scripts/test.sh: the whole test suite on a throwaway cluster.
#
# Installs what is missing (apt, npm), builds with -Werror and
# -DUSE_ASSERT_CHECKING, installs, then runs: kernel and parser unit tests,
# pg_regress, isolation specs, the Node.js client checks, TAP tests, and a
# short libFuzzer run, and at the end installs a release build (no
# assertions) for whatever runs on the server next.  The client checks and the pgvector-dump TAP test need
# vecdb installed under the name vector: they run on a private copy of the
# PostgreSQL installation ($VECDB_TEST_DIR-asvector) where vecdb is installed
# as both vecdb and vector, so a pgvector installed on the system is neither
# replaced nor used.  Every stage runs; the last line counts tests (a
# unit program, a regress or isolation file, a client test, a TAP
# assertion, the fuzz run): "N passed, M failed".  Exits non-zero if any
# failed.
#
# Environment: VECDB_TEST_DIR (default /tmp/vecdb-test), VECDB_TEST_PORT
# (default 54332; the client cluster uses the next port), FUZZ_SECONDS
# (default 30), VECDB_SKIP="tap fuzz ..." to skip stages while developing.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

TEST_DIR=${VECDB_TEST_DIR:-/tmp/vecdb-test}
TEST_PORT=${VECDB_TEST_PORT:-54332}
FUZZ_SECONDS=${FUZZ_SECONDS:-30}
# the installation copy with vecdb as vector, and the client stage's cluster
ASV_ROOT=$TEST_DIR-asvector
ASV_DIR=$TEST_DIR/asvector
ASV_BIN=
ASV_INSTALL=
SKIP=" ${VECDB_SKIP:-} "
passed=0
failed=0
OUT=$(mktemp)

skip() { [[ "$SKIP" == *" $1 "* ]]; }

# count PASSED FAILED: adds a stage's test counts to the totals
count() { passed=$((passed + $1)); failed=$((failed + $2)); }

# stage NAME FN: runs FN with its output shown and kept in $OUT, then
# counts its tests with count_NAME (from $OUT and FN's exit status)
stage() {
	local name=$1 fn=$2 rc=0
	if skip "$name"; then
		log "stage $name: skipped"
		return 0
	fi
	log "stage $name"
	local t0=$SECONDS
	# FN runs in this shell (not in a pipeline), so what it exports (the
	# cluster's PGHOST and PGPORT) reaches the stages after it; its output
	# goes to a plain file (a server it starts inherits no pipe that would
	# keep a reader waiting), which tail shows as it grows
	: >"$OUT"
	tail -n +1 -f "$OUT" &
	local tailpid=$!
	set +e
	"$fn" >"$OUT" 2>&1
	rc=$?
	set -e
	sleep 0.5
	kill "$tailpid" 2>/dev/null || true
	wait "$tailpid" 2>/dev/null || true
	local p0=$passed f0=$failed
	"count_$name" "$rc"
	log "stage $name: $((passed - p0)) passed, $((failed - f0)) failed ($((SECONDS - t0)) s)"
}

ensure_packages "${BUILD_PACKAGES[@]}" libipc-run-perl libclang-rt-14-dev dataset-fashion-mnist
command -v node >/dev/null && command -v npm >/dev/null || ensure_packages nodejs npm

if ! (build_install VECDB_DEV=1); then
	echo "0 passed, 1 failed"
	exit 1
fi

UNIT_PROGRAMS=(test_distance test_vecparse test_halfvec test_bit test_sparse test_int8)
run_unit() {
	local rc=0
	for t in "${UNIT_PROGRAMS[@]}"; do
		make -C "$VECDB_ROOT" -s "test/unit/$t" >/dev/null && "$VECDB_ROOT/test/unit/$t" || rc=1
	done
	return $rc
}
# a unit program is one test: it passed if it says "N passed, 0 failed"
count_unit() {
	local ok
	ok=$(grep -c '^[0-9]* passed, 0 failed$' "$OUT" || true)
	count "$ok" $((${#UNIT_PROGRAMS[@]} - ok))
}

run_regress() {
	cluster_start "$TEST_DIR" "$TEST_PORT"
	local rc=0
	make -C "$VECDB_ROOT" -s installcheck || rc=$?
	if [ $rc -ne 0 ] && [ -f "$VECDB_ROOT/regression.diffs" ]; then
		head -200 "$VECDB_ROOT/regression.diffs"
	fi
	return $rc
}

# one test per regress or isolation file
count_regress() {
	local ok bad
	ok=$(grep -cE '^ok [0-9]+|^test .* \.\.\. ok' "$OUT" || true)
	bad=$(grep -cE '^test .* \.\.\. FAILED|^not ok [0-9]+' "$OUT" || true)
	[ "$1" -ne 0 ] && [ "$bad" -eq 0 ] && bad=1
	count "$ok" "$bad"
}

# ensure_asvector: the installation copy with vecdb as vector, made once
ensure_asvector() {
	[ -n "$ASV_BIN" ] && return 0
	log "installing vecdb as vector in a copy of PostgreSQL: $ASV_ROOT"
	asvector_install "$ASV_ROOT"
}

# the client checks run on a cluster of the installation copy: client.test.js
# creates the extension as vecdb, the others as vector (each in a database
# of its own)
run_client() {
	local dir=$TEST_DIR/client
	ensure_asvector || return 1
	cluster_stop "$TEST_DIR"
	cluster_start "$ASV_DIR" $((TEST_PORT + 1)) "$ASV_BIN"
	rm -rf "$dir"
	mkdir -p "$dir"
	cp "$VECDB_ROOT"/test/client/package.json "$VECDB_ROOT"/test/client/*.js "$dir"/
	[ -f "$VECDB_ROOT/test/client/package-lock.json" ] && cp "$VECDB_ROOT/test/client/package-lock.json" "$dir"/
	(cd "$dir" && npm_install && node --test)
}

# npm_install: the registry sometimes stalls mid-download (EIDLETIMEOUT);
# npm retries each request, and a failed install is tried again from scratch
npm_install() {
	local try
	for try in 1 2 3; do
		npm install --no-audit --no-fund --loglevel=error \
			--fetch-retries=4 --fetch-retry-mintimeout=5000 \
			--fetch-retry-maxtimeout=60000 --fetch-timeout=120000 >/dev/null && return 0
		log "npm install failed (attempt $try of 3)"
		rm -rf node_modules
		sleep $((try * 10))
	done
	return 1
}

# node --test: "# pass N" and "# fail N"
count_client() {
	local ok bad
	ok=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$OUT" | tail -1)
	bad=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$OUT" | tail -1)
	ok=${ok:-0}
	bad=${bad:-0}
	[ "$1" -ne 0 ] && [ "$bad" -eq 0 ] && bad=1
	count "$ok" "$bad"
}

run_tap() {
	local t
	t=$(ls "$VECDB_ROOT"/test/t/*.pl 2>/dev/null | wc -l)
	[ "$t" -gt 0 ] || { log "no TAP tests yet"; return 0; }
	local dir=$TEST_DIR/tap asv=0 rc=0
	# 006_pgvector_dump restores into vecdb installed as vector; without the
	# copy the other tests still run, and the stage fails
	ensure_asvector || asv=1
	rm -rf "$dir"
	mkdir -p "$dir"
	chown postgres: "$dir" 2>/dev/null || true
	as_pg env PATH="$PGBIN:$PATH" TESTDIR="$dir" PG_REGRESS=/usr/lib/postgresql/$PG_MAJOR/lib/pgxs/src/test/regress/pg_regress \
		PG_TEST_TIMEOUT_DEFAULT=180 VECDB_AS_VECTOR_INSTALL="$ASV_INSTALL" \
		prove -I "/usr/lib/postgresql/$PG_MAJOR/lib/pgxs/src/test/perl" -I "$VECDB_ROOT/test/perl" \
		"$VECDB_ROOT"/test/t/*.pl || rc=$?
	[ $rc -ne 0 ] && return $rc
	return $asv
}

# prove: every assertion of every script; a script that died early counts one
count_tap() {
	local total bad dubious
	total=$(sed -n 's/^Files=[0-9]*, Tests=\([0-9]*\),.*/\1/p' "$OUT" | tail -1)
	bad=$(sed -n 's/.*Tests: [0-9]* Failed: \([0-9]*\)).*/\1/p' "$OUT" | awk '{s += $1} END {print s + 0}')
	dubious=$(grep -c 'Non-zero exit status\|Parse errors' "$OUT" || true)
	total=${total:-0}
	[ "$bad" -eq 0 ] && [ "$1" -ne 0 ] && bad=$((dubious > 0 ? dubious : 1))
	count $((total - bad < 0 ? 0 : total - bad)) "$bad"
}

run_fuzz() { make -C "$VECDB_ROOT" -s fuzz FUZZ_SECONDS="$FUZZ_SECONDS" 2>&1 | tail -5; }
count_fuzz() { if [ "$1" -eq 0 ]; then count 1 0; else count 0 1; fi; }

trap 'cluster_stop "$TEST_DIR"; cluster_stop "$ASV_DIR"' EXIT
stage unit run_unit
stage regress run_regress
stage client run_client
cluster_stop "$TEST_DIR"
cluster_stop "$ASV_DIR"
stage tap run_tap
stage fuzz run_fuzz
rm -f "$OUT"
# leave the server with a release build (no assertions), as for real use
if ! (build_install); then
	log "the release build failed"
	failed=$((failed + 1))
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
