# phsim build.  `make` builds bin/phsim; `make test` runs the test suite;
# `make bench` the benchmarks; `make demo` the main job (README).
CC      ?= cc
PKGS    := gsl jansson inih
WARN    := -std=c11 -Wall -Wextra -Werror
OPT     ?= -O2 -g
# HAVE_INLINE: GSL's inline accessors; range checks stay on in `sanitize`.
DEFS    ?= -DHAVE_INLINE -DGSL_RANGE_CHECK_OFF
CFLAGS  := $(WARN) $(OPT) $(DEFS) -Iinclude $(shell pkg-config --cflags $(PKGS))
LDLIBS  := $(shell pkg-config --libs $(PKGS)) -lm
BUILD   ?= build
BIN     ?= bin

LIB_SRC := $(filter-out sim/main.c,$(wildcard sim/*.c))
LIB_OBJ := $(LIB_SRC:sim/%.c=$(BUILD)/%.o)
TEST_SRC := $(wildcard tests/test_*.c)
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)

.PHONY: all test bench demo clean
all: $(BIN)/phsim

$(BUILD)/%.o: sim/%.c $(wildcard include/*.h) | $(BUILD)
	$(CC) $(CFLAGS) -c $< -o $@

$(BIN)/phsim: $(BUILD)/main.o $(LIB_OBJ) | $(BIN)
	$(CC) $(CFLAGS) $^ -o $@ $(LDLIBS)

$(BUILD)/tests/%: tests/%.c tests/testutil.h $(LIB_OBJ) | $(BUILD)/tests
	$(CC) $(CFLAGS) $< $(LIB_OBJ) -o $@ $(LDLIBS) $(shell pkg-config --libs cmocka)

$(BUILD) $(BUILD)/tests $(BIN):
	mkdir -p $@

test: $(BIN)/phsim $(TEST_BIN)
	@PHSIM=$(BIN)/phsim sh tests/run_tests.sh $(TEST_BIN)

$(BUILD)/bench: tests/bench.c $(LIB_OBJ) | $(BUILD)
	$(CC) $(CFLAGS) $< $(LIB_OBJ) -o $@ $(LDLIBS)

bench: $(BUILD)/bench
	$(BUILD)/bench

demo: $(BIN)/phsim
	sh experiments/demo.sh

clean:
	rm -rf $(BUILD) $(BIN)
