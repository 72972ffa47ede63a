# radvar: a plain GNU Makefile.
#   make                 library (static and shared) and bin/radvar
#   make check           Check tests, CLI tests, then the same under ASan+UBSan
#   make sanitize        the tests under AddressSanitizer + UndefinedBehaviorSanitizer
#   make reproduce       simulations, figures (out/*.png, out/*.svg), out/REPORT.md
#   make bench           benchmarks beside their peers
#   make experiments     the Fashion-MNIST experiments only (SCALE=full: full data)
#   make install PREFIX=/usr/local
#   make references      regenerate tests/ref/*.h with mpmath
#   make conformance     the optimizer against PyTorch, live (make golden rewrites
#                        the committed golden trajectories)
# Missing Debian packages are installed by scripts/deps.sh (as root).

CC ?= cc
PREFIX ?= /usr/local
BUILD ?= build
SCALE ?= default
SAN ?= 0
MPI ?= 0
MPICC ?= mpicc
CHECK_SANITIZE ?= 1
OPT ?= -O3
# -march=native: this machine's vector units (set ARCH= for a portable build).
# -ffp-contract=off keeps every product and sum an IEEE operation, so results do
# not depend on whether the compiler fuses them; -fno-math-errno lets sqrt
# vectorise (radvar never reads errno from libm; values are unchanged).
ARCH ?= -march=native
THREADS ?= 2

ifeq ($(filter $(SCALE),default full),)
$(error SCALE must be 'default' or 'full' (got '$(SCALE)'))
endif
ifeq ($(filter $(SAN),0 1),)
$(error SAN must be 0 or 1 (got '$(SAN)'))
endif
ifeq ($(filter $(MPI),0 1),)
$(error MPI must be 0 or 1 (got '$(MPI)'))
endif

WARN = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wpointer-arith
CFLAGS ?= $(OPT) -g
ifeq ($(SAN),1)
SANFLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
endif
# Recursively expanded: pkg-config is asked when a recipe runs, after the
# deps-* prerequisites have installed it.
GSL_CFLAGS = $(shell pkg-config --cflags gsl)
# GSL's BLAS interface runs on OpenBLAS (BLAS=gslcblas: GSL's reference CBLAS)
BLAS ?= openblas
ifeq ($(filter $(BLAS),openblas gslcblas),)
$(error BLAS must be openblas or gslcblas (got '$(BLAS)'))
endif
GSL_LIBS = $(shell pkg-config --libs gsl | sed 's/-lgslcblas/-l$(BLAS)/') -lz
CHECK_CFLAGS = $(shell pkg-config --cflags check)
CHECK_LIBS = $(shell pkg-config --libs check)
ALL_CFLAGS = -std=c11 $(WARN) $(CFLAGS) $(ARCH) -ffp-contract=off -fno-math-errno -fopenmp $(SANFLAGS) -fPIC -pthread \
             -Iinclude -Isrc $(GSL_CFLAGS)
LDLIBS_ALL = $(GSL_LIBS) -lm -fopenmp -pthread

LIB_SRC = $(wildcard src/*.c)
LIB_OBJ = $(LIB_SRC:src/%.c=$(BUILD)/src/%.o)
CLI_SRC = $(filter-out cli/parallel_mpi.c,$(wildcard cli/*.c))
CLI_OBJ = $(CLI_SRC:cli/%.c=$(BUILD)/cli/%.o)
# bin/radvar-mpi: the same program over MPI ranks (make MPI=1; make check
# builds and tests it too).  The library and bin/radvar never link MPI.
MPI_CLI_SRC = $(filter-out cli/parallel_plain.c,$(wildcard cli/*.c))
MPI_CLI_OBJ = $(MPI_CLI_SRC:cli/%.c=$(BUILD)/mpi/%.o)
MPI_PROG = bin/radvar-mpi
TEST_SRC = $(wildcard tests/test_*.c)
TEST_BIN = $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
SIM_SRC = $(wildcard sims/*.c)
SIM_BIN = $(SIM_SRC:sims/%.c=$(BUILD)/sims/%)
STATIC_LIB = $(BUILD)/libradvar.a
SHARED_LIB = $(BUILD)/libradvar.so
PROG = bin/radvar
ifeq ($(SAN),1)
PROG = $(BUILD)/bin/radvar
endif

.PHONY: all mpi experiments deps-build deps-test deps-reproduce deps-bench deps-refs deps-conformance deps-mpi conformance golden check check-run \
        sanitize reproduce bench install clean references

all: $(STATIC_LIB) $(SHARED_LIB) $(PROG)
ifeq ($(MPI),1)
all: mpi
endif
mpi: deps-mpi
	@$(MAKE) --no-print-directory $(MPI_PROG)

deps-build deps-test deps-reproduce deps-bench deps-refs deps-conformance deps-mpi:
	@sh scripts/deps.sh $(@:deps-%=%)

$(BUILD)/src/%.o: src/%.c $(wildcard include/radvar/*.h) src/internal.h | deps-build
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/cli/%.o: cli/%.c cli/cli.h cli/parallel.h $(wildcard include/radvar/*.h) | deps-build
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/mpi/%.o: cli/%.c cli/cli.h cli/parallel.h $(wildcard include/radvar/*.h)
	@mkdir -p $(@D)
	$(MPICC) $(ALL_CFLAGS) -c $< -o $@

$(MPI_PROG): $(MPI_CLI_OBJ) $(STATIC_LIB)
	@mkdir -p $(@D)
	$(MPICC) -o $@ $(MPI_CLI_OBJ) $(STATIC_LIB) $(LDLIBS_ALL)

$(STATIC_LIB): $(LIB_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(SHARED_LIB): $(LIB_OBJ)
	$(CC) -shared -fopenmp $(SANFLAGS) -o $@ $^ $(LDLIBS_ALL)

$(PROG): $(CLI_OBJ) $(STATIC_LIB)
	@mkdir -p $(@D)
	$(CC) $(SANFLAGS) -o $@ $(CLI_OBJ) $(STATIC_LIB) $(LDLIBS_ALL)

$(BUILD)/tests/%: tests/%.c tests/check_util.h $(wildcard tests/ref/*.h) $(STATIC_LIB) | deps-test
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) -o $@ $< $(STATIC_LIB) $(CHECK_LIBS) $(LDLIBS_ALL)

$(BUILD)/sims/%: sims/%.c $(STATIC_LIB) | deps-build
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(STATIC_LIB) $(LDLIBS_ALL)

# The tests: every Check runner, then the command-line tests.
check-run: $(TEST_BIN) $(PROG)
	@set -e; for t in $(TEST_BIN); do echo "== $$t"; $$t; done
	@echo "== tests/test_cli.sh"; sh tests/test_cli.sh $(PROG)

check: deps-test deps-mpi
	@$(MAKE) --no-print-directory check-run
	@$(MAKE) --no-print-directory $(MPI_PROG)
	@echo "== tests/test_mpi.sh"; sh tests/test_mpi.sh $(MPI_PROG) $(PROG)
ifeq ($(CHECK_SANITIZE),1)
	@echo "== the same tests under AddressSanitizer + UndefinedBehaviorSanitizer"
	@$(MAKE) --no-print-directory SAN=1 BUILD=build-san check-run
endif

sanitize: deps-test
	@$(MAKE) --no-print-directory SAN=1 BUILD=build-san check-run

reproduce: deps-reproduce
	@$(MAKE) --no-print-directory all $(SIM_BIN)
	@SCALE=$(SCALE) THREADS=$(THREADS) BUILD=$(BUILD) sh sims/reproduce.sh

experiments: deps-reproduce
	@$(MAKE) --no-print-directory all
	@mkdir -p out
	@SCALE=$(SCALE) THREADS=$(THREADS) sh sims/experiments.sh out
	@cat out/data/checks_experiments.tsv

bench: deps-bench
	@$(MAKE) --no-print-directory all $(SIM_BIN)
	@THREADS=$(THREADS) BUILD=$(BUILD) sh sims/bench.sh

references: deps-refs
	/usr/bin/python3 tests/ref/make_refs.py
	/usr/bin/python3 tests/ref/make_exact_refs.py

# The optimizer against PyTorch, live (make check compares with the committed
# golden files instead and needs no PyTorch); `make golden` rewrites them.
conformance: deps-conformance
	@$(MAKE) --no-print-directory all
	/usr/bin/python3 tests/golden/make_golden.py --check $(PROG)

golden: deps-conformance
	/usr/bin/python3 tests/golden/make_golden.py

install: all
	install -d $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include/radvar $(DESTDIR)$(PREFIX)/bin
	install -m 644 $(STATIC_LIB) $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(SHARED_LIB) $(DESTDIR)$(PREFIX)/lib/
	install -m 644 include/radvar/*.h $(DESTDIR)$(PREFIX)/include/radvar/
	install -m 755 $(PROG) $(DESTDIR)$(PREFIX)/bin/
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(shell sed -n 's/^#define RADVAR_VERSION "\(.*\)"/\1/p' include/radvar/common.h)|g' \
	    radvar.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/radvar.pc

clean:
	rm -rf build build-san bin out
