# vecdb: PGXS build.
#
# Layout: C sources in src/ by subsystem (src/type: the SQL types;
# src/kernel: distance kernels and CPU dispatch; src/hnsw: the HNSW access
# method; src/README maps them), the extension install script in
# sql/vecdb--$(EXTVERSION).sql (sql/ also holds the pg_regress inputs;
# expected/ their outputs), isolation specs in specs/, TAP tests in test/t/,
# server-free tests in test/unit and test/fuzz, benchmarks in bench/.
#
# Targets: all, install, installcheck (regress + isolation against a running
# server), unit, fuzz, bench-kernels, bench (bench/bench.sh $(BENCH_ARGS)).  scripts/test.sh runs everything on a
# throwaway cluster; scripts/demo.sh runs the demo.
#
# VECDB_DEV=1 adds -Werror and -DUSE_ASSERT_CHECKING (the test command uses it).

EXTENSION = vecdb
EXTVERSION = 0.1.0
MODULE_big = vecdb
DATA = sql/vecdb--$(EXTVERSION).sql

OBJS = \
	src/vecdb.o \
	$(patsubst %.c,%.o,$(sort $(wildcard src/type/*.c src/kernel/*.c src/hnsw/*.c)))

HEADERS = src/type/vector.h src/type/sparsevec.h

REGRESS = vector_io vector_input_errors vector_ops vector_agg vector_kernels bit_distance \
	sparsevec_io sparsevec_input_errors sparsevec_ops \
	hnsw_basic hnsw_options hnsw_iterative hnsw_large hnsw_recall hnsw_cancel \
	hnsw_duplicates hnsw_vacuum hnsw_cost hnsw_bit
REGRESS_OPTS = --inputdir=. --load-extension=$(EXTENSION)
ISOLATION = hnsw_visibility hnsw_vacuum_cursor
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
$(OBJS): $(wildcard src/*/*.h)

# ---- server-free tests and tools --------------------------------------------

KERNEL_SRCS = src/kernel/distance.c src/kernel/distance_x86.c \
	src/kernel/bit.c src/kernel/bit_x86.c
KERNEL_HDRS = src/kernel/distance.h src/kernel/bit.h
TEST_CC ?= gcc
TEST_CFLAGS ?= -O2 -g -Wall -Wextra -Werror -Isrc

test/unit/test_distance: test/unit/test_distance.c $(KERNEL_SRCS) $(KERNEL_HDRS)
	$(TEST_CC) $(TEST_CFLAGS) -o $@ test/unit/test_distance.c $(KERNEL_SRCS) -lm

test/unit/test_bit: test/unit/test_bit.c $(KERNEL_SRCS) $(KERNEL_HDRS)
	$(TEST_CC) $(TEST_CFLAGS) -o $@ test/unit/test_bit.c $(KERNEL_SRCS) -lm

test/unit/test_vecparse: test/unit/test_vecparse.c test/unit/unit_rng.h src/type/vecparse.c src/type/vecparse.h
	$(TEST_CC) $(TEST_CFLAGS) -o $@ test/unit/test_vecparse.c src/type/vecparse.c -lm

test/unit/test_sparse: test/unit/test_sparse.c test/unit/unit_rng.h src/type/sparseparse.c src/type/sparseparse.h \
		src/kernel/sparse.c src/kernel/sparse.h
	$(TEST_CC) $(TEST_CFLAGS) -o $@ test/unit/test_sparse.c src/type/sparseparse.c \
		src/kernel/sparse.c -lm

.PHONY: unit fuzz fuzz-build bench-kernels bench
unit: test/unit/test_distance test/unit/test_vecparse test/unit/test_bit test/unit/test_sparse
	test/unit/test_distance
	test/unit/test_vecparse
	test/unit/test_bit
	test/unit/test_sparse

# make fuzz runs every target in turn, FUZZ_SECONDS split evenly between them
FUZZ_SECONDS ?= 60
FUZZ_TARGETS = test/fuzz/fuzz_vecparse test/fuzz/fuzz_sparseparse
FUZZ_EACH = $(shell echo $$(( ($(FUZZ_SECONDS) + $(words $(FUZZ_TARGETS)) - 1) / $(words $(FUZZ_TARGETS)) )))
FUZZ_CC = clang-14 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -Isrc

test/fuzz/fuzz_vecparse: test/fuzz/fuzz_vecparse.c test/fuzz/fuzz_check.h src/type/vecparse.c src/type/vecparse.h
	$(FUZZ_CC) -o $@ test/fuzz/fuzz_vecparse.c src/type/vecparse.c -lm

test/fuzz/fuzz_sparseparse: test/fuzz/fuzz_sparseparse.c test/fuzz/fuzz_check.h \
		src/type/sparseparse.c src/type/sparseparse.h
	$(FUZZ_CC) -o $@ test/fuzz/fuzz_sparseparse.c src/type/sparseparse.c -lm

fuzz-build: $(FUZZ_TARGETS)

fuzz: $(FUZZ_TARGETS)
	mkdir -p test/fuzz/work test/fuzz/work_sparse
	cp -n test/fuzz/corpus/* test/fuzz/work/ 2>/dev/null || true
	cp -n test/fuzz/corpus_sparse/* test/fuzz/work_sparse/ 2>/dev/null || true
	test/fuzz/fuzz_vecparse -max_total_time=$(FUZZ_EACH) -max_len=4096 \
		-dict=test/fuzz/vecparse.dict test/fuzz/work
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

EXTRA_CLEAN = test/unit/test_distance test/unit/test_vecparse test/unit/test_bit \
	test/unit/test_sparse $(FUZZ_TARGETS) bench/bench_kernels results output_iso tmp_check
