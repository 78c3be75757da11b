# Hotline — build, run, test, bench, fuzz.
#
#   make            build build/hotline
#   make run        install what is missing, build, start hotline with the
#                   embedded defaults (SQLite under var/, the demo tenant)
#   make test       install what is missing, build, run the whole suite
#   make asan       the same suite under AddressSanitizer + UBSan
#   make fuzz       build the libFuzzer targets and run each for a while
#   make bench      build the benchmarks
#
# BUILD selects the output folder, so that several builds (or several
# developers) can share one tree: make BUILD=build-asan SAN=1

BUILD   ?= build
CC      ?= cc
PKGS    := libre spandsp speexdsp sndfile sqlite3 libsodium jansson yaml-0.1 espeak-ng libcurl libical libcrypto libssl
OPT     ?= -O2 -g
# override: flags given on the command line (CFLAGS=...) add to these
override CFLAGS += $(OPT) -std=gnu11 -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wno-unused-parameter -Wno-missing-field-initializers \
           -DHAVE_INTTYPES_H -DHAVE_STDBOOL_H -DHAVE_INET6 -D_GNU_SOURCE \
           -Isrc $(shell pkg-config --cflags $(PKGS))
LDLIBS  += $(shell pkg-config --libs $(PKGS)) -lpthread -lm
ifeq ($(WERROR),1)
override CFLAGS += -Werror
endif
ifeq ($(SAN),1)
override CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
override LDFLAGS += -fsanitize=address,undefined
endif

SRCS      := $(sort $(wildcard src/*/*.c))
LIB_SRCS  := $(filter-out src/main.c,$(SRCS))
LIB_OBJS  := $(LIB_SRCS:%.c=$(BUILD)/%.o)
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
BENCH_SRCS:= $(wildcard bench/*.c)
BENCH_BINS:= $(BENCH_SRCS:bench/%.c=$(BUILD)/bench/%)
FUZZ_SRCS := $(wildcard fuzz/fuzz_*.c)

.PHONY: all run test asan fuzz bench clean deps
all: $(BUILD)/hotline $(UNIT_BINS)

$(BUILD)/%.o: %.c $(wildcard src/*/*.h) Makefile
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/libhotline.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/hotline: $(BUILD)/src/main.o $(BUILD)/libhotline.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c tests/unit/test.h $(BUILD)/libhotline.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< $(BUILD)/libhotline.a $(LDLIBS)

$(BUILD)/bench/%: bench/%.c $(wildcard bench/*.h) $(BUILD)/libhotline.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libhotline.a $(LDLIBS)

deps:
	scripts/deps

run:
	scripts/deps
	$(MAKE) $(BUILD)/hotline
	$(BUILD)/hotline serve --config conf/hotline.yaml

# The whole suite: unit tests, then end-to-end tests with real peers.
test:
	scripts/deps --test
	$(MAKE) all
	BUILD=$(BUILD) tests/run

asan:
	$(MAKE) BUILD=build-asan SAN=1 OPT="-O1 -g" test

bench: $(BUILD)/hotline $(BENCH_BINS)

FUZZ_CC     ?= clang
FUZZ_FLAGS  := -g -O1 -fsanitize=fuzzer,address,undefined
fuzz:
	$(MAKE) BUILD=build-fuzz CC=$(FUZZ_CC) OPT="-g -O1" CFLAGS="-fsanitize=fuzzer-no-link,address,undefined" build-fuzz/libhotline.a
	@mkdir -p build-fuzz/fuzz
	set -e; for f in $(FUZZ_SRCS); do n=$$(basename $$f .c); \
	  $(FUZZ_CC) $(FUZZ_FLAGS) -std=gnu11 -DHAVE_INTTYPES_H -DHAVE_STDBOOL_H -DHAVE_INET6 -D_GNU_SOURCE -Isrc \
	    $(shell pkg-config --cflags $(PKGS)) -o build-fuzz/fuzz/$$n $$f build-fuzz/libhotline.a $(LDLIBS); \
	  mkdir -p build-fuzz/corpus/$$n; \
	  cp -n fuzz/corpus/$$n/* build-fuzz/corpus/$$n/ 2>/dev/null || true; \
	  build-fuzz/fuzz/$$n -max_total_time=$${FUZZ_SECS:-30} build-fuzz/corpus/$$n; done

clean:
	rm -rf build build-*
