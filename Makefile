# vecdb: PGXS build.
#
# Layout: C sources in src/ by subsystem (src/type: the SQL types;
# src/kernel: distance kernels and CPU dispatch; src/hnsw: the HNSW access
# method; src/fdw: LIMIT pushdown into postgres_fdw scans; src/README maps
# them), the extension install script in sql/vecdb--$(EXTVERSION).sql, with
# each older release's script and the upgrade scripts from it (sql/ also
# holds the pg_regress inputs; expected/ their outputs), isolation specs in
# specs/, TAP tests in test/t/, server-free tests in test/unit and
# test/fuzz, benchmarks in bench/.
#
# Targets: all, install, installcheck (regress + isolation against a running
# server), unit, fuzz, bench-kernels, bench (bench/bench.sh $(BENCH_ARGS)),
# install-as-vector and uninstall-as-vector (vecdb under pgvector's extension
# name; see below and README, "Installing as vector").  scripts/test.sh runs
# everything on a throwaway cluster; scripts/demo.sh runs the demo.
#
# VECDB_DEV=1 adds -Werror and -DUSE_ASSERT_CHECKING (the test command uses it).

EXTENSION = vecdb
EXTVERSION = 0.3.0
MODULE_big = vecdb
DATA = sql/vecdb--$(EXTVERSION).sql sql/vecdb--0.1.0.sql sql/vecdb--0.2.0.sql \
	sql/vecdb--0.1.0--0.2.0.sql sql/vecdb--0.2.0--0.3.0.sql

OBJS = \
	src/vecdb.o \
	$(patsubst %.c,%.o,$(sort $(wildcard src/type/*.c src/kernel/*.c src/hnsw/*.c src/fdw/*.c)))

HEADERS = src/type/vector.h src/type/sparsevec.h src/type/halfvec.h

REGRESS = vector_io vector_input_errors vector_ops vector_agg vector_kernels bit_distance \
	sparsevec_io sparsevec_input_errors sparsevec_ops \
	halfvec_io halfvec_input_errors halfvec_ops \
	hnsw_basic hnsw_options hnsw_iterative hnsw_large hnsw_recall hnsw_recall_clusters hnsw_recall_ip hnsw_cancel \
	hnsw_duplicates hnsw_vacuum hnsw_vacuum_reach hnsw_vacuum_sparse hnsw_cost hnsw_bit hnsw_halfvec \
	hnsw_sparsevec hnsw_filter hnsw_filter_walk hnsw_tenant hnsw_stats hnsw_scan_stats hnsw_quantize hnsw_quantize_binary hnsw_quantize_pq \
	hnsw_radius hnsw_index_only hybrid_search
REGRESS_OPTS = --inputdir=. --load-extension=$(EXTENSION)
ISOLATION = hnsw_visibility hnsw_vacuum_cursor hnsw_filter_insert
ISOLATION_OPTS = --load-extension=$(EXTENSION)

PG_CONFIG ?= /usr/lib/postgresql/15/bin/pg_config

# Portable: no -march flags.  SIMD kernels use target attributes.
# No fast-math either: distances must not depend on the compiler.
PG_CPPFLAGS += -Isrc
ifeq ($(VECDB_DEV),1)
PG_CFLAGS += -Werror -DUSE_ASSERT_CHECKING
endif

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# every object depends on every private header (PGXS tracks only .c files)
$(OBJS): $(wildcard src/*.h src/*/*.h)

# ---- server-free tests and tools --------------------------------------------

KERNEL_SRCS = src/kernel/distance.c src/kernel/distance_x86.c \
	src/kernel/halfvec.c src/kernel/halfvec_x86.c \
	src/kernel/bit.c src/kernel/bit_x86.c src/kernel/int8.c
KERNEL_HDRS = src/kernel/distance.h src/kernel/halfvec.h src/kernel/simd_x86.h \
	src/kernel/bit.h src/kernel/int8.h
TEST_CC ?= gcc
TEST_CFLAGS ?= -O2 -g -Wall -Wextra -Werror -Isrc

test/unit/test_distance: test/unit/test_distance.c $(KERNEL_SRCS) $(KERNEL_HDRS)
	$(TEST_CC) $(TEST_CFLAGS) -o $@ test/unit/test_distance.c $(KERNEL_SRCS) -lm

test/unit/test_halfvec: test/unit/test_halfvec.c test/unit/unit_rng.h $(KERNEL_SRCS) $(KERNEL_HDRS)
	$(TEST_CC) $(TEST_CFLAGS) -o $@ test/unit/test_halfvec.c $(KERNEL_SRCS) -lm

test/unit/test_bit: test/unit/test_bit.c $(KERNEL_SRCS) $(KERNEL_HDRS)
	$(TEST_CC) $(TEST_CFLAGS) -o $@ test/unit/test_bit.c $(KERNEL_SRCS) -lm

test/unit/test_int8: test/unit/test_int8.c test/unit/unit_rng.h src/kernel/int8.c src/kernel/int8.h
	$(TEST_CC) $(TEST_CFLAGS) -o $@ test/unit/test_int8.c src/kernel/int8.c

test/unit/test_vecparse: test/unit/test_vecparse.c test/unit/unit_rng.h src/type/vecparse.c src/type/vecparse.h
	$(TEST_CC) $(TEST_CFLAGS) -o $@ test/unit/test_vecparse.c src/type/vecparse.c -lm

test/unit/test_sparse: test/unit/test_sparse.c test/unit/unit_rng.h src/type/sparseparse.c src/type/sparseparse.h \
		src/kernel/sparse.c src/kernel/sparse.h
	$(TEST_CC) $(TEST_CFLAGS) -o $@ test/unit/test_sparse.c src/type/sparseparse.c \
		src/kernel/sparse.c -lm

.PHONY: unit fuzz fuzz-build bench-kernels bench
unit: test/unit/test_distance test/unit/test_vecparse test/unit/test_halfvec \
		test/unit/test_bit test/unit/test_sparse test/unit/test_int8
	test/unit/test_distance
	test/unit/test_vecparse
	test/unit/test_halfvec
	test/unit/test_bit
	test/unit/test_sparse
	test/unit/test_int8

# make fuzz runs every target in turn, FUZZ_SECONDS split evenly between them
FUZZ_SECONDS ?= 60
FUZZ_TARGETS = test/fuzz/fuzz_vecparse test/fuzz/fuzz_halfvec test/fuzz/fuzz_sparseparse
FUZZ_EACH = $(shell echo $$(( ($(FUZZ_SECONDS) + $(words $(FUZZ_TARGETS)) - 1) / $(words $(FUZZ_TARGETS)) )))
FUZZ_CC = clang-14 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -Isrc

test/fuzz/fuzz_vecparse: test/fuzz/fuzz_vecparse.c test/fuzz/fuzz_check.h src/type/vecparse.c src/type/vecparse.h
	$(FUZZ_CC) -o $@ test/fuzz/fuzz_vecparse.c src/type/vecparse.c -lm

test/fuzz/fuzz_halfvec: test/fuzz/fuzz_halfvec.c test/fuzz/fuzz_check.h src/type/vecparse.c \
		src/type/vecparse.h src/kernel/halfvec.c src/kernel/halfvec_x86.c src/kernel/halfvec.h
	$(FUZZ_CC) -o $@ test/fuzz/fuzz_halfvec.c src/type/vecparse.c src/kernel/halfvec.c \
		src/kernel/halfvec_x86.c -lm

test/fuzz/fuzz_sparseparse: test/fuzz/fuzz_sparseparse.c test/fuzz/fuzz_check.h \
		src/type/sparseparse.c src/type/sparseparse.h
	$(FUZZ_CC) -o $@ test/fuzz/fuzz_sparseparse.c src/type/sparseparse.c -lm

fuzz-build: $(FUZZ_TARGETS)

fuzz: $(FUZZ_TARGETS)
	mkdir -p test/fuzz/work test/fuzz/work_halfvec test/fuzz/work_sparse
	cp -n test/fuzz/corpus/* test/fuzz/work/ 2>/dev/null || true
	cp -n test/fuzz/corpus/* test/fuzz/work_halfvec/ 2>/dev/null || true
	cp -n test/fuzz/corpus_sparse/* test/fuzz/work_sparse/ 2>/dev/null || true
	test/fuzz/fuzz_vecparse -max_total_time=$(FUZZ_EACH) -max_len=4096 \
		-dict=test/fuzz/vecparse.dict test/fuzz/work
	test/fuzz/fuzz_halfvec -max_total_time=$(FUZZ_EACH) -max_len=4096 \
		-dict=test/fuzz/vecparse.dict test/fuzz/work_halfvec
	test/fuzz/fuzz_sparseparse -max_total_time=$(FUZZ_EACH) -max_len=4096 \
		-dict=test/fuzz/sparseparse.dict test/fuzz/work_sparse

bench/bench_kernels: bench/bench_kernels.c $(KERNEL_SRCS) $(KERNEL_HDRS)
	$(TEST_CC) -O2 -Wall -Isrc -o $@ bench/bench_kernels.c $(KERNEL_SRCS) -lm

bench-kernels: bench/bench_kernels
	bench/bench_kernels

# The benchmark suite on a throwaway cluster: make bench BENCH_ARGS="--peer vector"
BENCH_ARGS ?=
bench:
	bash bench/bench.sh $(BENCH_ARGS)

EXTRA_CLEAN = test/unit/test_distance test/unit/test_vecparse test/unit/test_halfvec test/unit/test_bit \
	test/unit/test_sparse test/unit/test_int8 $(FUZZ_TARGETS) bench/bench_kernels results output_iso tmp_check

# ---- vecdb installed under the extension name "vector" -----------------------
#
# A separate target rather than `make install EXTENSION=vector`: PGXS names the
# library after MODULE_big and installs one control file per EXTENSION, so
# renaming the extension through a variable would either install the library
# as vector.so (over pgvector's, which databases created with pgvector load by
# that name) or need the whole install rule rewritten.  install-as-vector
# installs vecdb as usual (vecdb.so, vecdb.control, vecdb--$(EXTVERSION).sql)
# and adds two generated files: vector.control, whose module_pathname points
# at $libdir/vecdb, and vector--$(VECTOR_VERSION).sql, made from vecdb's
# install script at build time.  It never writes a library named vector.so.
#
# VECTOR_VERSION is what pg_extension.extversion reports under the name
# vector: the pgvector release whose SQL interface vecdb implements.  Clients
# compare it with pgvector's versions (README, "Installing as vector", has
# the evidence); vecdb_version() still reports vecdb's own version.
#
# Both generated files carry the marker line below.  install-as-vector refuses
# to overwrite a vector.control or vector--$(VECTOR_VERSION).sql without it
# (pgvector's) unless FORCE=1; uninstall-as-vector removes only files with it.
VECTOR_VERSION = 0.8.6
AS_VECTOR_MARKER = vecdb-as-vector: generated by the vecdb Makefile
AS_VECTOR_DIR = $(DESTDIR)$(datadir)/extension
AS_VECTOR_FILES = as-vector/vector.control as-vector/vector--$(VECTOR_VERSION).sql

.PHONY: as-vector-files install-as-vector uninstall-as-vector clean-as-vector
all: as-vector-files
as-vector-files: $(AS_VECTOR_FILES)
# a prerequisite of PGXS's clean (EXTRA_CLEAN, set after the PGXS include,
# is not seen by its clean rule)
clean: clean-as-vector
clean-as-vector:
	rm -rf as-vector

as-vector/vector.control: vecdb.control Makefile
	@mkdir -p as-vector
	{ echo '# $(AS_VECTOR_MARKER) from vecdb.control; do not edit'; \
	  echo "# vecdb $(EXTVERSION) under pgvector's extension name (README, \"Installing as vector\")"; \
	  sed -e "s/^default_version = .*/default_version = '$(VECTOR_VERSION)'/" \
	      -e "s/^comment = '/comment = 'vecdb $(EXTVERSION) as vector: /" \
	      -e '/^#/d' vecdb.control; } > $@.tmp
	grep -q "^module_pathname = '\$$libdir/vecdb'$$" $@.tmp
	mv $@.tmp $@

as-vector/vector--$(VECTOR_VERSION).sql: sql/vecdb--$(EXTVERSION).sql Makefile
	@mkdir -p as-vector
	{ echo '/* vector--$(VECTOR_VERSION).sql: vecdb $(EXTVERSION) installed as "vector" */'; \
	  echo '-- $(AS_VECTOR_MARKER) from sql/vecdb--$(EXTVERSION).sql; do not edit'; \
	  sed -e '1{/^\/\*.*\*\/$$/d}' \
	      -e 's/CREATE EXTENSION vecdb/CREATE EXTENSION vector/' $<; } > $@.tmp
	mv $@.tmp $@

# as_vector_check FILE: fails unless FILE is absent, carries the marker, or
# FORCE=1 was given
define as_vector_check
	@if [ -f '$(AS_VECTOR_DIR)/$(1)' ] && ! grep -qF '$(AS_VECTOR_MARKER)' '$(AS_VECTOR_DIR)/$(1)'; then \
		if [ "$(FORCE)" = 1 ]; then \
			echo "warning: FORCE=1: replacing $(AS_VECTOR_DIR)/$(1), which vecdb did not write"; \
		else \
			echo "error: $(AS_VECTOR_DIR)/$(1) exists and was not written by vecdb: it is most likely pgvector's"; \
			echo "  Installing vecdb as vector would replace pgvector's control file and install"; \
			echo "  script: every later CREATE EXTENSION vector, and every restore of a dump of a"; \
			echo "  pgvector database, would create vecdb's objects, loading vecdb.so.  Databases"; \
			echo "  that already use pgvector keep its objects, which keep loading pgvector's"; \
			echo "  vector.so (not touched), but ALTER EXTENSION vector UPDATE there would mix"; \
			echo "  the two.  To move a pgvector database to vecdb, dump it, then restore it on"; \
			echo "  a server where vecdb is installed as vector (README, \"Installing as vector\")."; \
			echo "  Run 'make install-as-vector FORCE=1' to replace pgvector's files anyway."; \
			exit 1; \
		fi; \
	fi
endef

# checks first, so that a refusal installs nothing
install-as-vector: $(AS_VECTOR_FILES)
	$(call as_vector_check,vector.control)
	$(call as_vector_check,vector--$(VECTOR_VERSION).sql)
	$(MAKE) install
	$(INSTALL_DATA) $(AS_VECTOR_FILES) '$(AS_VECTOR_DIR)/'

uninstall-as-vector:
	@for f in '$(AS_VECTOR_DIR)'/vector.control '$(AS_VECTOR_DIR)'/vector--*.sql; do \
		if [ -f "$$f" ] && grep -qF '$(AS_VECTOR_MARKER)' "$$f"; then \
			echo "rm -f $$f"; rm -f "$$f"; \
		fi; \
	done
