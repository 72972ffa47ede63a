# radvar: a plain GNU Makefile.
#   make                 the library (static and shared), the experiments archive
#                        and the program, all under $(BUILD) (default build/)
#   make check           Check suites, CLI, MPI, fuzz-corpus and build tests, then
#                        the same under ASan+UBSan (installs missing Debian packages)
#   make reproduce       simulations, figures (out/*.png, out/*.svg), out/REPORT.md
#   make bench           benchmarks beside their peers, as ratios
#   make deps            install the Debian packages every target needs
#   make experiments     the Fashion-MNIST experiments only (SCALE=full: full data)
#   make experiments-transformer  the post-LN Transformer experiment only (PyTorch)
#   make coverage        line coverage of src/ and experiments/ (gcov + lcov)
#   make install [PREFIX=/usr/local] [LIBDIR=...] [PYTHONDIR=...] [DESTDIR=...],
#                        make uninstall (the library, headers, program, Python bridge)
#   make references      regenerate tests/ref/*.h with mpmath and scipy
#   make conformance     the optimizer against PyTorch, live (make golden rewrites
#                        the committed golden trajectories)
#   make fuzz [FUZZ_SECONDS=60]   libFuzzer on every input parser, one at a time
# Options (make VAR=value): BUILD, ARCH (empty: portable; native: -march=native),
# OPT, SCALE (default|full), SAN (0|1), BLAS (openblas|gslcblas), THREADS, MPI (0|1).

CC ?= cc
CXX ?= c++
PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
BINDIR ?= $(PREFIX)/bin
BUILD ?= build
SCALE ?= default
SAN ?= 0
MPI ?= 0
MPICC ?= mpicc
CHECK_SANITIZE ?= 1
OPT ?= -O3
THREADS ?= 2
BLAS ?= openblas
# Portable by default: the hot loops pick AVX2 at run time (src/dispatch.h),
# with the same bits on every path.  ARCH=native builds for this machine only.
ARCH ?=

ifeq ($(filter $(SCALE),default full),)
$(error SCALE must be 'default' or 'full' (got '$(SCALE)'))
endif
ifeq ($(filter $(SAN),0 1),)
$(error SAN must be 0 or 1 (got '$(SAN)'))
endif
ifeq ($(filter $(MPI),0 1),)
$(error MPI must be 0 or 1 (got '$(MPI)'))
endif
ifeq ($(filter $(BLAS),openblas gslcblas),)
$(error BLAS must be openblas or gslcblas (got '$(BLAS)'))
endif
ifeq ($(ARCH),native)
override ARCH := -march=native
endif
ifneq ($(filter-out -march=native,$(ARCH)),)
$(error ARCH must be empty (portable) or native (got '$(ARCH)'))
endif

VERSION := $(shell sed -n 's/^\#define RADVAR_VERSION "\(.*\)"/\1/p' include/radvar/common.h)
SOVERSION := $(shell sed -n 's/^\#define RADVAR_VERSION_MAJOR \([0-9]*\)/\1/p' include/radvar/common.h)

WARN = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wpointer-arith
CFLAGS ?= $(OPT) -g
ifeq ($(SAN),1)
SANFLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
endif
# -ffp-contract=off keeps every product and sum an IEEE operation, so results do
# not depend on whether the compiler fuses them; -fno-math-errno lets sqrt
# vectorise (radvar never reads errno from libm; values are unchanged).
# Recursively expanded: pkg-config is asked when a recipe runs.
GSL_CFLAGS = $(shell pkg-config --cflags gsl)
BASE_CFLAGS = -std=c11 $(WARN) $(CFLAGS) $(ARCH) -ffp-contract=off -fno-math-errno -fopenmp \
              $(SANFLAGS) -pthread -MMD -MP -Iinclude
LIB_CFLAGS = $(BASE_CFLAGS) -fPIC -fvisibility=hidden -Isrc $(GSL_CFLAGS)
APP_CFLAGS = $(BASE_CFLAGS) -Iexperiments -Icli $(GSL_CFLAGS)
# libradvar needs GSL (and OpenMP); the program adds a BLAS for the
# experiments' matrix products and zlib for gzip-compressed data sets.
LIB_LIBS = -lgsl -lm -fopenmp -pthread
BLAS_LIB = $(if $(filter openblas,$(BLAS)),-lopenblas,-lgslcblas)
APP_LIBS = -lgsl $(BLAS_LIB) -lz -lm -fopenmp -pthread
CHECK_CFLAGS = $(shell pkg-config --cflags check)
CHECK_LIBS = $(shell pkg-config --libs check)

LIB_SRC = $(wildcard src/*.c)
LIB_OBJ = $(LIB_SRC:src/%.c=$(BUILD)/src/%.o)
EXP_SRC = $(wildcard experiments/*.c)
EXP_OBJ = $(EXP_SRC:experiments/%.c=$(BUILD)/experiments/%.o)
CLI_SRC = $(filter-out cli/parallel_mpi.c,$(wildcard cli/*.c))
CLI_OBJ = $(CLI_SRC:cli/%.c=$(BUILD)/cli/%.o)
# $(BUILD)/bin/radvar-mpi: the same program over MPI ranks (make check builds
# and tests it too).  The library and bin/radvar never link MPI.
MPI_CLI_SRC = $(filter-out cli/parallel_plain.c,$(wildcard cli/*.c))
MPI_CLI_OBJ = $(MPI_CLI_SRC:cli/%.c=$(BUILD)/mpi/%.o)
TEST_SRC = $(wildcard tests/test_*.c)
TEST_BIN = $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
SIM_SRC = $(wildcard sims/*.c)
SIM_BIN = $(SIM_SRC:sims/%.c=$(BUILD)/sims/%)

STATIC_LIB = $(BUILD)/lib/libradvar.a
SHARED_REAL = $(BUILD)/lib/libradvar.so.$(VERSION)
SHARED_SONAME = libradvar.so.$(SOVERSION)
SHARED_LIB = $(BUILD)/lib/libradvar.so
EXP_LIB = $(BUILD)/lib/libradvar-exp.a
PROG = $(BUILD)/bin/radvar
MPI_PROG = $(BUILD)/bin/radvar-mpi
PC = $(BUILD)/lib/pkgconfig/radvar.pc

.PHONY: all mpi deps deps-check experiments check check-run sanitize reproduce bench \
        install uninstall clean references conformance golden coverage fuzz fuzz-build

all: deps-check $(STATIC_LIB) $(SHARED_LIB) $(EXP_LIB) $(PROG) $(PC)
ifeq ($(MPI),1)
all: $(MPI_PROG)
endif
mpi: $(MPI_PROG)

# Plain `make` only checks for the packages and names the command that
# installs them; `make deps`, `make check` and `make reproduce` install.
deps-check:
	@sh scripts/deps.sh --check build
deps:
	@sh scripts/deps.sh build test reproduce mpi bench refs conformance
deps-%:
	@sh scripts/deps.sh $*

$(BUILD)/src/%.o: src/%.c
	@mkdir -p $(@D)
	$(CC) $(LIB_CFLAGS) -c $< -o $@

$(BUILD)/experiments/%.o: experiments/%.c
	@mkdir -p $(@D)
	$(CC) $(APP_CFLAGS) -c $< -o $@

$(BUILD)/cli/%.o: cli/%.c
	@mkdir -p $(@D)
	$(CC) $(APP_CFLAGS) -c $< -o $@

$(BUILD)/mpi/%.o: cli/%.c
	@mkdir -p $(@D)
	$(MPICC) $(APP_CFLAGS) -c $< -o $@

$(STATIC_LIB): $(LIB_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(SHARED_REAL): $(LIB_OBJ)
	@mkdir -p $(@D)
	$(CC) -shared -Wl,-soname,$(SHARED_SONAME) -Wl,--as-needed $(SANFLAGS) -o $@ $^ $(LIB_LIBS)

$(SHARED_LIB): $(SHARED_REAL)
	ln -sf libradvar.so.$(VERSION) $(BUILD)/lib/$(SHARED_SONAME)
	ln -sf $(SHARED_SONAME) $@

$(EXP_LIB): $(EXP_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

# The programs link the BLAS that BLAS names; the objects do not depend on it.
# $(BUILD)/blas holds the choice and changes only when it does, which relinks
# them (make reproduce BLAS=gslcblas after a default build).
BLAS_STAMP = $(BUILD)/blas
$(BLAS_STAMP): FORCE
	@mkdir -p $(@D)
	@echo $(BLAS) | cmp -s - $@ || echo $(BLAS) >$@
FORCE:
.PHONY: FORCE

$(PROG): $(CLI_OBJ) $(EXP_LIB) $(STATIC_LIB) $(BLAS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(SANFLAGS) -o $@ $(CLI_OBJ) $(EXP_LIB) $(STATIC_LIB) $(APP_LIBS)

$(MPI_PROG): $(MPI_CLI_OBJ) $(EXP_LIB) $(STATIC_LIB) $(BLAS_STAMP)
	@mkdir -p $(@D)
	$(MPICC) $(SANFLAGS) -o $@ $(MPI_CLI_OBJ) $(EXP_LIB) $(STATIC_LIB) $(APP_LIBS)

# radvar.pc for the PREFIX and LIBDIR of this make run (install writes its
# own, so that `make install PREFIX=...` after a plain `make` is right).
PC_SUBST = sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' \
	    -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|g' -e 's|@VERSION@|$(VERSION)|g' \
	    -e 's|@BLAS_LIB@|$(BLAS_LIB)|g' radvar.pc.in
$(PC): radvar.pc.in include/radvar/common.h
	@mkdir -p $(@D)
	$(PC_SUBST) >$@

$(BUILD)/tests/%.o: tests/%.c
	@mkdir -p $(@D)
	$(CC) $(APP_CFLAGS) $(CHECK_CFLAGS) -c $< -o $@

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(EXP_LIB) $(STATIC_LIB) $(BLAS_STAMP)
	$(CC) $(SANFLAGS) -o $@ $< $(EXP_LIB) $(STATIC_LIB) $(CHECK_LIBS) $(APP_LIBS)

$(BUILD)/sims/%.o: sims/%.c
	@mkdir -p $(@D)
	$(CC) $(APP_CFLAGS) -c $< -o $@

$(BUILD)/sims/%: $(BUILD)/sims/%.o $(STATIC_LIB) $(BLAS_STAMP)
	$(CC) -o $@ $< $(STATIC_LIB) $(APP_LIBS)

-include $(wildcard $(BUILD)/*/*.d)

# keep the objects of the test and sims programs (chained rules)
.SECONDARY:

# ---- input parsers: unit tests and fuzzing ----
# The program's non-exiting input readers, linked directly by
# tests/test_inputs.c and by the fuzz harnesses of tests/fuzz/.
CLI_CORE_OBJ = $(BUILD)/cli/parse.o $(BUILD)/cli/replay_reader.o $(BUILD)/cli/checkpoint.o
$(BUILD)/tests/test_inputs: $(BUILD)/tests/test_inputs.o $(CLI_CORE_OBJ) $(EXP_LIB) $(STATIC_LIB) $(BLAS_STAMP)
	$(CC) $(SANFLAGS) -o $@ $< $(CLI_CORE_OBJ) $(EXP_LIB) $(STATIC_LIB) $(CHECK_LIBS) $(APP_LIBS)

# One libFuzzer harness per parser (tests/fuzz/fuzz_NAME.c, corpus in
# tests/fuzz/NAME/).  make check replays each corpus through the harness with
# a plain main() (tests/fuzz/driver.c, any C compiler); make fuzz builds them
# with clang's libFuzzer, ASan and UBSan and fuzzes each for FUZZ_SECONDS,
# one at a time (new inputs go to $(BUILD)-fuzz/corpus, findings to
# $(BUILD)-fuzz/artifacts).
FUZZ_TARGETS = $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_SECONDS ?= 60
FUZZ_CC ?= clang
# the harnesses' temporary files (in memory where possible: they are many)
FUZZ_TMPDIR ?= $(if $(wildcard /dev/shm),/dev/shm,/tmp)
FUZZ_REPLAY = $(FUZZ_TARGETS:%=$(BUILD)/fuzz/replay_%)
$(BUILD)/fuzz/%.o: tests/fuzz/%.c
	@mkdir -p $(@D)
	$(CC) $(APP_CFLAGS) -Isrc -c $< -o $@
$(BUILD)/fuzz/replay_%: $(BUILD)/fuzz/fuzz_%.o $(BUILD)/fuzz/driver.o $(CLI_CORE_OBJ) $(EXP_LIB) $(STATIC_LIB) $(BLAS_STAMP)
	$(CC) $(SANFLAGS) -o $@ $< $(BUILD)/fuzz/driver.o $(CLI_CORE_OBJ) $(EXP_LIB) $(STATIC_LIB) $(APP_LIBS)

# the libFuzzer build: every source the harnesses reach, without OpenMP;
# FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION (libFuzzer's convention) lets
# the checkpoint reader take any well-formed checksum, which a fuzzer cannot
# forge, so that it reaches the checks behind them
FUZZ_FLAGS = -std=c11 -g -O1 -MMD -MP -fno-omit-frame-pointer -Wno-unknown-pragmas -Iinclude -Isrc -Icli \
             -Iexperiments $(GSL_CFLAGS) -fsanitize=address,undefined -fno-sanitize-recover=all \
             -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
# the Monte Carlo engine (src/sim.c and its parts src/sim_*.c, OpenMP) is
# reached by no harness and stays out as a whole
FUZZ_SRC = $(filter-out src/sim.c src/sim_%.c,$(LIB_SRC)) experiments/idx.c $(CLI_CORE_OBJ:$(BUILD)/%.o=%.c)
FUZZ_OBJ = $(FUZZ_SRC:%.c=$(BUILD)-fuzz/obj/%.o)
FUZZ_BIN = $(FUZZ_TARGETS:%=$(BUILD)-fuzz/fuzz_%)
$(BUILD)-fuzz/obj/%.o: %.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -c $< -o $@
$(BUILD)-fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_OBJ)
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_OBJ) -lgsl -lgslcblas -lz -lm

-include $(wildcard $(BUILD)-fuzz/*.d $(BUILD)-fuzz/obj/*/*.d)

fuzz-build: $(FUZZ_BIN)
fuzz: deps-fuzz
	@$(MAKE) --no-print-directory fuzz-build
	@set -e; for t in $(FUZZ_TARGETS); do \
	    mkdir -p $(BUILD)-fuzz/corpus/$$t $(BUILD)-fuzz/artifacts; \
	    echo "== fuzz $$t for $(FUZZ_SECONDS) s"; \
	    TMPDIR=$(FUZZ_TMPDIR) $(BUILD)-fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 -print_final_stats=1 \
	        -artifact_prefix=$(BUILD)-fuzz/artifacts/$$t- $(BUILD)-fuzz/corpus/$$t tests/fuzz/$$t \
	        2>$(BUILD)-fuzz/$$t.log || { tail -40 $(BUILD)-fuzz/$$t.log; exit 1; }; \
	    grep '^stat::number_of_executed_units\|^stat::average_exec_per_sec' $(BUILD)-fuzz/$$t.log; \
	done

# The tests: every Check runner, then the command-line tests.
check-run: $(TEST_BIN) $(PROG) $(SHARED_LIB) $(FUZZ_REPLAY)
	@{ echo "sh tests/test_cli.sh $(PROG)"; echo "sh tests/test_inputs.sh $(PROG)"; \
	   echo "sh tests/test_gradients.sh $(PROG)"; echo "sh tests/test_python.sh $(BUILD) $(SAN)"; \
	   echo "sh tests/test_dispatch.sh $(PROG)"; \
	   for t in $(TEST_BIN); do echo "$$t"; done; \
	   for t in $(FUZZ_TARGETS); do echo "$(BUILD)/fuzz/replay_$$t tests/fuzz/$$t"; done; \
	 } | sh tests/run_parallel.sh $(JOBS)

# JOBS builds and test programs at a time (default: the number of cores)
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

check: deps-test deps-mpi
	@$(MAKE) --no-print-directory -j$(JOBS) all $(MPI_PROG)
	@$(MAKE) --no-print-directory -j$(JOBS) check-run
	@echo "== tests/test_mpi.sh"; sh tests/test_mpi.sh $(MPI_PROG) $(PROG)
	@echo "== tests/build/run.sh"; sh tests/build/run.sh $(BUILD)
ifeq ($(CHECK_SANITIZE),1)
	@echo "== the same tests under AddressSanitizer + UndefinedBehaviorSanitizer"
	@CK_FORK=no $(MAKE) --no-print-directory -j$(JOBS) SAN=1 BUILD=$(BUILD)-san check-run
endif

# CK_FORK=no: Check's fork per test copies ASan's shadow mappings, which made
# the sanitizer pass twenty times slower; the suites pass in one process too.
sanitize: deps-test
	@CK_FORK=no $(MAKE) --no-print-directory -j$(JOBS) SAN=1 BUILD=$(BUILD)-san check-run

reproduce: deps-reproduce
	@$(MAKE) --no-print-directory all $(SIM_BIN)
	@SCALE=$(SCALE) THREADS=$(THREADS) BUILD=$(BUILD) sh sims/reproduce.sh

experiments: deps-reproduce
	@$(MAKE) --no-print-directory all
	@mkdir -p out
	@SCALE=$(SCALE) THREADS=$(THREADS) RADVAR=$(PROG) sh sims/experiments.sh out
	@cat out/data/checks_experiments.tsv

.PHONY: experiments-transformer
experiments-transformer: deps-reproduce
	@$(MAKE) --no-print-directory all
	@mkdir -p out
	@SCALE=$(SCALE) THREADS=$(THREADS) BUILD=$(BUILD) sh sims/transformer.sh out
	@cat out/data/checks_transformer.tsv

bench: deps-bench
	@$(MAKE) --no-print-directory all $(SIM_BIN)
	@THREADS=$(THREADS) BUILD=$(BUILD) sh sims/bench.sh

# --coverage rides on SANFLAGS, which every compile and link line carries.
coverage: deps-test deps-coverage
	@rm -f $(BUILD)-cov/*/*.gcda
	@$(MAKE) --no-print-directory BUILD=$(BUILD)-cov OPT=-O0 SANFLAGS=--coverage check-run
	@sh scripts/coverage.sh $(BUILD)-cov

references: deps-refs
	/usr/bin/python3 tests/ref/make_refs.py
	/usr/bin/python3 tests/ref/make_exact_refs.py
	/usr/bin/python3 tests/ref/make_stats_refs.py
	/usr/bin/python3 tests/ref/make_rng_refs.py
	/usr/bin/python3 tests/ref/make_generator_refs.py
	/usr/bin/python3 tests/ref/make_gradstats_refs.py
	/usr/bin/python3 tests/ref/make_gradfit_refs.py
	/usr/bin/python3 tests/ref/make_noise_refs.py
	/usr/bin/python3 tests/ref/make_theory_range_refs.py
	/usr/bin/python3 tests/ref/make_rectify_ema_refs.py
	/usr/bin/python3 tests/ref/make_errest_refs.py

# The optimizer against PyTorch, live (make check compares with the committed
# golden files instead and needs no PyTorch); `make golden` rewrites them.
conformance: deps-conformance
	@$(MAKE) --no-print-directory all
	/usr/bin/python3 tests/golden/make_golden.py --check $(PROG)

golden: deps-conformance
	/usr/bin/python3 tests/golden/make_golden.py

# The Python bridge (python/radvar) goes where Debian's python3 finds
# packages: $(PREFIX)/lib/python3.X/dist-packages (/usr/local), or
# /usr/lib/python3/dist-packages for PREFIX=/usr; its _install.py records
# LIBDIR, so that it finds the library there without ldconfig.
PYTHON ?= /usr/bin/python3
PYTHON_VERSION = $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || echo 3)
PYTHONDIR ?= $(if $(filter /usr,$(PREFIX)),$(PREFIX)/lib/python3/dist-packages,$(PREFIX)/lib/python$(PYTHON_VERSION)/dist-packages)

install: all
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCLUDEDIR)/radvar $(DESTDIR)$(BINDIR)
	install -m 644 $(STATIC_LIB) $(DESTDIR)$(LIBDIR)/
	install -m 755 $(SHARED_REAL) $(DESTDIR)$(LIBDIR)/
	ln -sf libradvar.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(SHARED_SONAME)
	ln -sf $(SHARED_SONAME) $(DESTDIR)$(LIBDIR)/libradvar.so
	install -m 644 include/radvar/*.h $(DESTDIR)$(INCLUDEDIR)/radvar/
	$(PC_SUBST) >$(DESTDIR)$(LIBDIR)/pkgconfig/radvar.pc && chmod 644 $(DESTDIR)$(LIBDIR)/pkgconfig/radvar.pc
	install -m 755 $(PROG) $(DESTDIR)$(BINDIR)/
	install -d $(DESTDIR)$(PYTHONDIR)/radvar
	install -m 644 python/radvar/__init__.py python/radvar/_lib.py python/radvar/_functions.py \
	    python/radvar/torch.py python/radvar/gradlog.py $(DESTDIR)$(PYTHONDIR)/radvar/
	printf '# written by make install\nLIBDIR = "%s"\n' '$(LIBDIR)' >$(DESTDIR)$(PYTHONDIR)/radvar/_install.py
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" -eq 0 ] && command -v ldconfig >/dev/null; then ldconfig; fi

uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/libradvar.a $(DESTDIR)$(LIBDIR)/libradvar.so \
	      $(DESTDIR)$(LIBDIR)/$(SHARED_SONAME) $(DESTDIR)$(LIBDIR)/libradvar.so.$(VERSION) \
	      $(DESTDIR)$(LIBDIR)/pkgconfig/radvar.pc $(DESTDIR)$(BINDIR)/radvar
	rm -rf $(DESTDIR)$(INCLUDEDIR)/radvar $(DESTDIR)$(PYTHONDIR)/radvar

clean:
	rm -rf $(BUILD) $(BUILD)-san $(BUILD)-cov $(BUILD)-fuzz out
