# phsim build.  `make` builds bin/phsim; `make test` runs the test suite;
# `make bench` the benchmarks; `make demo` the main job (README).
CC      ?= cc
PKGS    := gsl jansson inih
WARN    := -std=c11 -Wall -Wextra -Werror
OPT     ?= -O2 -g
# HAVE_INLINE: GSL's inline accessors; range checks stay on in `sanitize`.
DEFS    ?= -DHAVE_INLINE -DGSL_RANGE_CHECK_OFF
CFLAGS  := $(WARN) $(OPT) $(DEFS) -pthread -Iinclude $(shell pkg-config --cflags $(PKGS))
LDLIBS  := $(shell pkg-config --libs $(PKGS)) -lm -pthread
BUILD   ?= build
BIN     ?= bin
VERSION := 0.10.0
# The commit the build comes from ("-dirty" with uncommitted changes), or
# "unknown" outside git (a tarball); the build header changes only when it does.
COMMIT  := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)$(shell \
             git diff --quiet HEAD -- 2>/dev/null || echo -dirty)

# sim/ by layer: base (config, files, processes), model (data, closed
# forms), engines, run (one run and what it measures), study (sweeps, fits,
# figures), api (the public C API, phsim.h), cli (the phsim command).  NOTES section 0 maps them.
LAYERS  := base model engines run study api
LIB_SRC := $(foreach l,$(LAYERS),$(wildcard sim/$(l)/*.c))
LIB_OBJ := $(LIB_SRC:sim/%.c=$(BUILD)/%.o)
CLI_SRC := $(wildcard sim/cli/*.c)
CLI_OBJ := $(CLI_SRC:sim/%.c=$(BUILD)/%.o)
# sim/serve: `phsim serve`'s HTTP server (libmicrohttpd), linked into the
# program and its test, not into libphsim (whose users need no HTTP).
SERVE_SRC := $(wildcard sim/serve/*.c)
SERVE_OBJ := $(SERVE_SRC:sim/%.c=$(BUILD)/%.o)
SERVE_LIBS := $(shell pkg-config --libs libmicrohttpd)
$(SERVE_OBJ): CFLAGS += $(shell pkg-config --cflags libmicrohttpd)
TEST_SRC := $(wildcard tests/test_*.c)
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)

.PHONY: all test bench demo experiments plots sanitize valgrind fuzz clean
all: $(BIN)/phsim

$(BUILD)/phsim_build.h: FORCE
	@mkdir -p $(@D)
	@printf '#define PHSIM_VERSION_STRING "%s"\n#define PHSIM_COMMIT_STRING "%s"\n' \
	  '$(VERSION)' '$(COMMIT)' > $@.tmp
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv -f $@.tmp $@
FORCE:
$(BUILD)/base/version.o: CFLAGS += -I$(BUILD)
$(BUILD)/base/version.o: $(BUILD)/phsim_build.h

$(BUILD)/%.o: sim/%.c $(wildcard include/*.h sim/*/*.h)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c $< -o $@
# The batch kernels' lane loops vectorise only where sqrt need not set
# errno (a pragma cannot say so: GCC fixes sqrt's errno when it declares
# it); its value, and every rounding, is the same.
$(BUILD)/engines/reduced_batch.o: CFLAGS += -fno-math-errno

$(BIN)/phsim: $(CLI_OBJ) $(SERVE_OBJ) $(LIB_OBJ) | $(BIN)
	$(CC) $(CFLAGS) $^ -o $@ $(LDLIBS) $(SERVE_LIBS)

# libphsim: the library objects (position-independent code) as a static and
# a shared library; `make example` builds experiments/example.c against the
# static one, including only phsim.h.
LIB     ?= lib
$(LIB_OBJ): CFLAGS += -fPIC
all: $(LIB)/libphsim.a $(LIB)/libphsim.so
$(LIB)/libphsim.a: $(LIB_OBJ) | $(LIB)
	rm -f $@ && $(AR) rcs $@ $^
# The shared library's soname carries the ABI's major number (SOVERSION):
# installed as libphsim.so.VERSION with the links libphsim.so.SOVERSION and
# libphsim.so.
SOVERSION := 0
$(LIB)/libphsim.so: $(LIB_OBJ) | $(LIB)
	$(CC) $(CFLAGS) -shared -Wl,-soname,libphsim.so.$(SOVERSION) $^ -o $@ $(LDLIBS)
$(LIB):
	mkdir -p $@
.PHONY: example
example: $(BUILD)/example
$(BUILD)/example: experiments/example.c $(LIB)/libphsim.a include/phsim.h | $(BUILD)
	$(CC) $(CFLAGS) $< -o $@ $(LIB)/libphsim.a $(LDLIBS)

$(BUILD)/tests/test_fuzz_corpus: $(wildcard tests/fuzz/fuzz_*.c)

# The Python binding (sim/python/phsim: ctypes over lib/libphsim.so, no
# compiler at import): `make python`, then from the checkout
# PYTHONPATH=sim/python python3 -c "import phsim".  PYTHON: Debian's python3
# (python3-numpy, python3-pandas) where there is one.  tests/test_python.c
# runs tests/test_python.py against the library built here.
PYTHON  ?= $(firstword $(wildcard /usr/bin/python3) python3)
PY_SRC  := $(wildcard sim/python/phsim/*.py)
.PHONY: python
python: $(LIB)/libphsim.so
	@PYTHONPATH=sim/python PHSIM_LIB=$(LIB)/libphsim.so $(PYTHON) -c \
	  'import phsim; print("phsim", phsim.__version__, "for Python: PYTHONPATH=sim/python; library", phsim._lib.path)'
$(BUILD)/tests/test_python: CFLAGS += -DTEST_PHSIM_LIB='"$(LIB)/libphsim.so"'
$(BUILD)/tests/test_python: $(LIB)/libphsim.so

$(BUILD)/tests/%: tests/%.c tests/testutil.h $(LIB_OBJ) | $(BUILD)/tests
	$(CC) $(CFLAGS) $< $(LIB_OBJ) -o $@ $(LDLIBS) $(shell pkg-config --libs cmocka)

# The server's tests (the API; the page in Chromium) link sim/serve too.
SERVE_TESTS := $(BUILD)/tests/test_serve $(BUILD)/tests/test_serve_browser
$(SERVE_TESTS): $(BUILD)/tests/%: tests/%.c tests/testutil.h $(SERVE_OBJ) $(LIB_OBJ) | $(BUILD)/tests
	$(CC) $(CFLAGS) -Isim/serve $< $(SERVE_OBJ) $(LIB_OBJ) -o $@ $(LDLIBS) $(SERVE_LIBS) \
	  $(shell pkg-config --libs cmocka)

$(BUILD) $(BUILD)/tests $(BIN):
	mkdir -p $@

# TEST_SKIP: test binaries a variant of the suite leaves out (sanitize, below)
TEST_SKIP :=
test: $(BIN)/phsim $(TEST_BIN) $(BUILD)/bench
	@PHSIM=$(BIN)/phsim sh tests/run_tests.sh $(filter-out $(TEST_SKIP),$(TEST_BIN))

$(BUILD)/bench: tests/bench.c $(LIB_OBJ) | $(BUILD)
	$(CC) $(CFLAGS) $< $(LIB_OBJ) -o $@ $(LDLIBS)

bench: $(BUILD)/bench
	$(BUILD)/bench

demo: $(BIN)/phsim
	sh experiments/demo.sh

# Every experiment at full size: data, figures and verdicts under out/.
# (e8_verdicts.sh is sourced by e8_dstudy.sh, not an experiment of its own)
EXPERIMENTS := $(sort $(filter-out %_verdicts.sh,$(wildcard experiments/e[0-9]*.sh)))
experiments: $(BIN)/phsim
	@for e in $(EXPERIMENTS); do echo "== $$e"; sh $$e || exit 1; done

# Figures of every run and sweep under out/ (phsim plot).
plots: $(BIN)/phsim
	@find out -name summary.json -path '*seed*' -o -name sweep.json 2>/dev/null | \
	  while read -r f; do d=$$(dirname "$$f"); echo "plot $$d"; $(BIN)/phsim plot "$$d" || exit 1; done

# The whole suite under AddressSanitizer and UBSan, GSL range checks on.
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
# Every test under ASan and UBSan but the experiments' reduced versions
# (test_experiments: 9 min there on 2 cores, about half of CI's time; they
# run in `make test` with the normal build, and the code they drive, sweep,
# plot, stats and fit, runs sanitized in test_cli, test_sweep, test_stats
# and test_hostile).
sanitize:
	$(MAKE) --no-print-directory test BUILD=build/san BIN=build/san/bin LIB=build/san/lib OPT="-O1 -g $(SAN)" DEFS=-DHAVE_INLINE \
	  TEST_SKIP=build/san/tests/test_experiments

# The core tests and the readers of untrusted files under valgrind: zero
# errors, zero leaks.
VALGRIND := valgrind -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=all
valgrind: $(TEST_BIN) $(BIN)/phsim
	@for t in popgrad data config readers; do \
	  echo "valgrind $(BUILD)/tests/test_$$t"; \
	  $(VALGRIND) $(BUILD)/tests/test_$$t >/dev/null || exit 1; \
	done
	@d=$$(mktemp -d) && echo "valgrind $(BIN)/phsim run, plot, table, sweep shards, merge" && \
	  $(VALGRIND) $(BIN)/phsim run --set d=20 --set steps=2000 --out $$d/run && \
	  $(VALGRIND) $(BIN)/phsim plot $$d/run && \
	  $(VALGRIND) $(BIN)/phsim table $$d/run >/dev/null && \
	  for i in 1 2; do $(VALGRIND) $(BIN)/phsim sweep --set engine=order --set d=20 \
	    --set steps=300 --grid seed=1:2:2 --grid head=offdiag,fixed --jobs 2 \
	    --shard $$i/2 --out $$d/sweep 2>/dev/null || exit 1; done && \
	  $(VALGRIND) $(BIN)/phsim merge $$d/sweep && \
	  rm -rf $$d && echo "valgrind: clean"

# libFuzzer (clang; Debian: clang libclang-rt-14-dev) on the config parser,
# the --set parser, the matrix reader, and the readers of phsim's own
# outputs read back (sweep.json, summary.json, CSV tables and sweep tables),
# FUZZ_SECONDS each, one after the other, from the seed corpus in
# tests/fuzz/corpus/; a crash is written to tests/fuzz/regressions/
# (replayed by `make test` from then on).  FUZZERS="csv summary" picks some.
FUZZ_SECONDS ?= 60
FUZZ_CC ?= clang
FUZZERS ?= config set matrix sweepmeta summary csv
fuzz: $(BUILD)/phsim_build.h
	@mkdir -p build/fuzz
	@for f in $(FUZZERS); do \
	  $(FUZZ_CC) -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -DHAVE_INLINE -Iinclude -I$(BUILD) \
	    $(shell pkg-config --cflags $(PKGS)) tests/fuzz/fuzz_$$f.c $(LIB_SRC) \
	    -o build/fuzz/fuzz_$$f $(LDLIBS) || exit 1; \
	  mkdir -p build/fuzz/corpus-$$f; \
	  echo "fuzz_$$f: $(FUZZ_SECONDS) s"; \
	  build/fuzz/fuzz_$$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	    -artifact_prefix=tests/fuzz/regressions/$$f- build/fuzz/corpus-$$f tests/fuzz/corpus/$$f \
	    > build/fuzz/fuzz_$$f.log 2>&1; \
	  st=$$?; grep -E "^Done|stat::number_of_executed_units|ERROR" build/fuzz/fuzz_$$f.log; \
	  [ $$st -eq 0 ] || { echo "fuzz_$$f found a crash: see build/fuzz/fuzz_$$f.log"; exit 1; }; \
	done

clean:
	rm -rf $(BUILD) $(BIN) $(LIB)

# ---- install: `make install PREFIX=/usr/local DESTDIR=`, `make uninstall` ----
# The program, the libraries, the headers under include/phsim/, phsim.pc,
# the gnuplot scripts (found by an installed `phsim plot`: beside the
# program as ../share/phsim/plots), the explorer's page (share/phsim/explorer,
# found by `phsim serve` the same way) and the man page made by help2man from
# `phsim --help` and every `phsim help COMMAND`.  uninstall removes exactly
# these files and the directories install made for phsim alone.  The Python
# package goes to PREFIX/PYTHONDIR/phsim (on python3's path for PREFIX=/usr
# on Debian; elsewhere PYTHONPATH=PREFIX/lib/python3/dist-packages) and
# finds the library two levels up, in PREFIX/lib.
PREFIX  ?= /usr/local
DESTDIR ?=
HEADERS := $(wildcard include/*.h)
SCRIPTS := $(wildcard plots/*.gp)
# The explorer's page (phsim serve) and uPlot from plots/explorer/node_modules
# (npm ci, run by .ci/install-deps).
PAGE    := plots/explorer/index.html plots/explorer/explorer.js plots/explorer/explorer.css
UPLOT   := plots/explorer/node_modules/uplot/dist/uPlot.iife.min.js \
  plots/explorer/node_modules/uplot/dist/uPlot.min.css
ROOT    := $(DESTDIR)$(PREFIX)
SONAME  := libphsim.so.$(SOVERSION)
PYTHONDIR ?= lib/python3/dist-packages
INSTALLED := bin/phsim lib/libphsim.a lib/libphsim.so lib/$(SONAME) lib/libphsim.so.$(VERSION) \
  lib/pkgconfig/phsim.pc \
  $(HEADERS:include/%=include/phsim/%) $(SCRIPTS:plots/%=share/phsim/plots/%) \
  $(PAGE:plots/%=share/phsim/%) $(addprefix share/phsim/explorer/vendor/,$(notdir $(UPLOT))) \
  share/man/man1/phsim.1 $(PY_SRC:sim/python/%=$(PYTHONDIR)/%)
.PHONY: install uninstall man

$(BUILD)/prefix.stamp: FORCE
	@mkdir -p $(@D)
	@echo '$(PREFIX)' > $@.tmp
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv -f $@.tmp $@
$(BUILD)/study/plot.o: CFLAGS += -DPHSIM_PLOTS_INSTALLED='"$(PREFIX)/share/phsim/plots"'
$(BUILD)/study/plot.o: $(BUILD)/prefix.stamp
$(BUILD)/serve/server.o: CFLAGS += -DPHSIM_EXPLORER_INSTALLED='"$(PREFIX)/share/phsim/explorer"'
$(BUILD)/serve/server.o: $(BUILD)/prefix.stamp

$(BUILD)/phsim.pc: $(BUILD)/prefix.stamp Makefile
	printf '%s\n' 'prefix=$(PREFIX)' 'libdir=$${prefix}/lib' 'includedir=$${prefix}/include' '' \
	  'Name: phsim' 'Description: the prediction-head mechanism of Wen & Li (NeurIPS 2022), simulated' \
	  'Version: $(VERSION)' 'Requires.private: $(PKGS)' 'Cflags: -I$${includedir}/phsim' \
	  'Libs: -L$${libdir} -lphsim' 'Libs.private: -lm -pthread' > $@

# A COMMANDS section of every command's usage, verbatim (roff-escaped).
$(BUILD)/phsim.1: $(BIN)/phsim
	@mkdir -p $(@D)
	{ echo '[COMMANDS]'; for c in $$($(BIN)/phsim --help | sed -n 's/^  \([a-z][a-z]*\)  .*/\1/p'); do \
	  printf '.SS %s\n.nf\n' "$$c"; $(BIN)/phsim help $$c | sed 's/\\/\\e/g; s/^[.'"'"']/\\\&&/'; \
	  echo '.fi'; done; } > $(BUILD)/phsim-commands.h2m
	help2man --no-info --name='the prediction-head mechanism of Wen & Li, simulated' \
	  --include=$(BUILD)/phsim-commands.h2m --output=$@ $(BIN)/phsim
man: $(BUILD)/phsim.1

$(UPLOT):
	@echo "$@ is missing: run 'sh .ci/install-deps' (npm ci in plots/explorer)" >&2; exit 1

install: $(BIN)/phsim $(LIB)/libphsim.a $(LIB)/libphsim.so $(BUILD)/phsim.pc $(BUILD)/phsim.1 $(UPLOT)
	install -d $(ROOT)/bin $(ROOT)/lib/pkgconfig $(ROOT)/include/phsim \
	  $(ROOT)/share/phsim/plots $(ROOT)/share/phsim/explorer/vendor $(ROOT)/share/man/man1
	install -m 755 $(BIN)/phsim $(ROOT)/bin/phsim
	install -m 644 $(LIB)/libphsim.a $(ROOT)/lib/libphsim.a
	install -m 755 $(LIB)/libphsim.so $(ROOT)/lib/libphsim.so.$(VERSION)
	ln -sf libphsim.so.$(VERSION) $(ROOT)/lib/$(SONAME)
	ln -sf $(SONAME) $(ROOT)/lib/libphsim.so
	install -m 644 $(BUILD)/phsim.pc $(ROOT)/lib/pkgconfig/phsim.pc
	install -m 644 $(HEADERS) $(ROOT)/include/phsim/
	install -m 644 $(SCRIPTS) $(ROOT)/share/phsim/plots/
	install -m 644 $(PAGE) $(ROOT)/share/phsim/explorer/
	install -m 644 $(UPLOT) $(ROOT)/share/phsim/explorer/vendor/
	install -m 644 $(BUILD)/phsim.1 $(ROOT)/share/man/man1/phsim.1
	install -d $(ROOT)/$(PYTHONDIR)/phsim
	install -m 644 $(PY_SRC) $(ROOT)/$(PYTHONDIR)/phsim/

uninstall:
	rm -f $(addprefix $(ROOT)/,$(INSTALLED))
	rm -rf $(ROOT)/$(PYTHONDIR)/phsim/__pycache__
	-rmdir $(ROOT)/$(PYTHONDIR)/phsim 2>/dev/null
	-rmdir $(ROOT)/include/phsim $(ROOT)/share/phsim/plots $(ROOT)/share/phsim/explorer/vendor \
	  $(ROOT)/share/phsim/explorer $(ROOT)/share/phsim 2>/dev/null
