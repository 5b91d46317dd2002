# augur — build, test, install.  `make help` lists the targets.

.DEFAULT_GOAL := all
.DELETE_ON_ERROR:
.SECONDARY:
.SUFFIXES:

PREFIX  ?= /usr/local
BUILD   ?= build
CFLAGS  ?= -O2 -g
SAN     ?=
VERSION := $(shell sed -n 's/^\#define AUGUR_VERSION "\(.*\)"/\1/p' agent/augur.h)
SOVERSION := $(firstword $(subst ., ,$(VERSION)))

# Debian packages: to build and test; to fuzz and to benchmark besides.
DEB_BUILD := gcc make pkg-config libcjson-dev libcmocka-dev libpcre2-dev libutf8proc-dev \
             liblua5.4-dev libseccomp-dev libcurl4-openssl-dev libmicrohttpd-dev openssl \
             libsqlite3-dev libgit2-dev libssl-dev
DEB_FUZZ  := clang libclang-rt-14-dev
DEB_BENCH := lua5.4

# pkg-config modules, by the folder that links them.
PKG_base    := libcjson
PKG_sandbox := lua5.4 libseccomp libcurl
PKG_model   := libpcre2-8 libutf8proc libcurl sqlite3 libcrypto
PKG_planner := sqlite3
PKG_actions := sqlite3 libgit2
PKG_LIB     := $(PKG_base) $(PKG_sandbox) $(PKG_model) $(PKG_planner) $(PKG_actions)
PKG_TEST    := cmocka libmicrohttpd

pkg_cflags = $(shell pkg-config --cflags $(1) 2>/dev/null)
pkg_libs   = $(shell pkg-config --libs $(1) 2>/dev/null)

LIB_LIBS    := $(call pkg_libs,$(PKG_LIB)) -lm
TEST_LIBS   := $(call pkg_libs,$(PKG_TEST))
BENCH_LIBS  := $(call pkg_libs,libmicrohttpd)
AUGUR_CFLAGS = -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -fPIC -I. \
               $(call pkg_cflags,$(PKG_LIB) $(PKG_TEST)) $(CFLAGS) $(SAN)

MODULES  := base agent planner actions worlds sandbox model
CLI_SRC  := agent/main.c $(wildcard agent/cli_*.c)
LIB_SRC  := $(filter-out $(CLI_SRC),$(sort $(wildcard $(MODULES:%=%/*.c) $(MODULES:%=%/*/*.c))))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/agent/defaults.o
TEST_SRC := $(sort $(wildcard tests/unit/test_*.c))
TEST_BIN := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
PROGRAMS := $(BUILD)/augur $(BUILD)/toml-decoder $(BUILD)/toml-conform $(BUILD)/model-conform
HEADERS  := agent/augur.h base/err.h base/buf.h base/toml.h worlds/state.h worlds/world.h

ASAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_SECONDS ?= 60

BENCH_SRC := $(filter-out bench/bench.c,$(sort $(wildcard bench/*.c)))
BENCH_BIN := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)

.PHONY: all run test check check-toml asan bench deps deps-fuzz deps-bench install uninstall clean help pkgs

all: $(BUILD)/libaugur.a $(BUILD)/libaugur.so $(PROGRAMS)

help:
	@echo 'make            build build/augur, build/libaugur.a and build/libaugur.so'
	@echo 'make run        install packages, build, play one Crafter episode with the planner'
	@echo 'make test       install packages, build, run every test and conformance suite'
	@echo 'make asan       the tests under AddressSanitizer and UndefinedBehaviorSanitizer'
	@echo 'make bench      the benchmarks, each beside its baseline (TOML, Crafter, the sandbox beside lua5.4, the model interface, the engine beside the read bandwidth)'
	@echo 'make check-toml the toml-test conformance suite alone'
	@echo 'make fuzz-toml  fuzz the TOML parser for FUZZ_SECONDS (default 60)'
	@echo 'make fuzz-config fuzz configuration layers and -c settings'
	@echo 'make fuzz-gguf  fuzz the GGUF reader and writer'
	@echo 'make fuzz-tokenizer fuzz the tokenizers (round trips; needs the vocab fixtures)'
	@echo 'make fuzz-sandbox run fuzz input as Lua source in the sandbox'
	@echo 'make fuzz-ldoc   fuzz the LDoc header parser and writer of action files'
	@echo 'make fuzz-schema fuzz JSON Schemas made into grammars, and the texts they take'
	@echo 'make fuzz-state  fuzz world states read from JSON and written back'
	@echo 'make install    install into PREFIX (default /usr/local); DESTDIR is honoured'
	@echo 'make deps       install the Debian packages the build and tests need'
	@echo 'make clean      remove build/'

# ---- entry points a new user runs -----------------------------------------

run:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory all
	$(BUILD)/augur play crafter --agent planner --episodes 1

test:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory check

asan:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory BUILD=build/asan SAN='$(ASAN)' CFLAGS='-O1 -g' check

check: all $(TEST_BIN)
	@BUILD=$(BUILD) SAN='$(SAN)' tests/run

bench:
	@$(MAKE) --no-print-directory deps deps-bench
	@$(MAKE) --no-print-directory all $(BENCH_BIN)
	@for b in $(BENCH_BIN); do $$b $(BUILD)/bench || exit 1; done

check-toml: $(BUILD)/toml-decoder $(BUILD)/toml-conform
	@$(BUILD)/toml-conform $(BUILD)/toml-decoder

# ---- packages ----------------------------------------------------------------

# Install what is missing (through sudo -n when not root, so it never waits for a
# password); apt-get update only when an install without it fails.
define deps_install
@if ! command -v dpkg-query >/dev/null 2>&1; then \
	echo "make deps: not a Debian system; install the equivalents of: $(1)"; exit 0; fi; \
missing=; for p in $(1); do \
	dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q ' installed$$' || missing="$$missing $$p"; \
done; \
[ -z "$$missing" ] && exit 0; \
if [ "$$(id -u)" = 0 ]; then sudo=; else sudo='sudo -n'; fi; \
echo "make deps: installing$$missing"; \
export DEBIAN_FRONTEND=noninteractive; \
$$sudo apt-get install -y -q $$missing >/dev/null 2>&1 || \
	{ $$sudo apt-get update -q && $$sudo apt-get install -y -q $$missing; } || \
	{ echo "make deps: could not install$$missing (run as root, or with passwordless sudo)" >&2; exit 1; }
endef

deps:
	$(call deps_install,$(DEB_BUILD))

deps-fuzz:
	$(call deps_install,$(DEB_FUZZ))

deps-bench:
	$(call deps_install,$(DEB_BENCH))

pkgs:
	@pkg-config --exists $(PKG_LIB) $(PKG_TEST) 2>/dev/null || \
	{ echo "augur: missing libraries ($(PKG_LIB) $(PKG_TEST)): run 'make deps'" >&2; exit 1; }

# ---- compiling -----------------------------------------------------------------

$(BUILD)/obj/%.o: %.c | pkgs
	@mkdir -p $(@D)
	$(CC) $(AUGUR_CFLAGS) -MMD -MP -c $< -o $@

# The built-in defaults are agent.toml itself, assembled into the library.
$(BUILD)/obj/agent/defaults.o: agent/defaults.S agent.toml
	@mkdir -p $(@D)
	$(CC) $(SAN) -c $< -o $@

$(BUILD)/libaugur.a: $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/libaugur.so: $(LIB_OBJ)
	$(CC) -shared -Wl,-soname,libaugur.so.$(SOVERSION) $(SAN) -o $@ $^ $(LIB_LIBS)

$(BUILD)/augur: $(CLI_SRC:%.c=$(BUILD)/obj/%.o) $(BUILD)/libaugur.a
	$(CC) $(SAN) -o $@ $^ $(LIB_LIBS)

$(BUILD)/toml-decoder: $(BUILD)/obj/tests/conform/toml_decoder.o $(BUILD)/libaugur.a
	$(CC) $(SAN) -o $@ $^ $(LIB_LIBS)

$(BUILD)/toml-conform: $(BUILD)/obj/tests/conform/toml_conform.o $(BUILD)/libaugur.a
	$(CC) $(SAN) -o $@ $^ $(LIB_LIBS)

$(BUILD)/model-conform: $(BUILD)/obj/tests/conform/model_conform.o $(BUILD)/libaugur.a
	$(CC) $(SAN) -o $@ $^ $(LIB_LIBS)

$(BUILD)/bench/%: $(BUILD)/obj/bench/%.o $(BUILD)/obj/bench/bench.o \
                  $(BUILD)/obj/tests/unit/server.o $(BUILD)/libaugur.a
	@mkdir -p $(@D)
	$(CC) $(SAN) -o $@ $^ $(LIB_LIBS) $(BENCH_LIBS)

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(BUILD)/obj/tests/unit/util.o \
                  $(BUILD)/obj/tests/unit/server.o $(BUILD)/libaugur.a
	@mkdir -p $(@D)
	$(CC) $(SAN) -o $@ $^ $(LIB_LIBS) $(TEST_LIBS)

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

# ---- fuzzing -------------------------------------------------------------------

# make fuzz-NAME runs tests/fuzz/fuzz_NAME.c, built with clang and libFuzzer over the
# library's sources, seeded with FUZZ_SEEDS_NAME, or tests/fuzz/seeds-NAME when there
# is one, or the toml-test documents; with the dictionary tests/fuzz/NAME.dict (else
# toml.dict).
FUZZ_CFLAGS := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -g -O1 -I. -fsanitize=fuzzer,address,undefined \
               -fno-sanitize-recover=all $(call pkg_cflags,$(PKG_LIB))
FUZZ_SEEDS   = $(wildcard $(or $(AUGUR_FIXTURES),../shared/fixtures)/toml-test)
FUZZ_SEEDS_sandbox := tests/sandbox/hostile
fuzz_seeds   = $(or $(FUZZ_SEEDS_$(1)),$(wildcard tests/fuzz/seeds-$(1)),$(FUZZ_SEEDS))
fuzz_dict    = $(or $(wildcard tests/fuzz/$(1).dict),tests/fuzz/toml.dict)

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(LIB_SRC) agent/defaults.S agent.toml
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) -o $@ $< $(LIB_SRC) agent/defaults.S $(LIB_LIBS)

fuzz-%:
	@$(MAKE) --no-print-directory deps deps-fuzz
	@$(MAKE) --no-print-directory $(BUILD)/fuzz/fuzz_$*
	@mkdir -p $(BUILD)/fuzz/corpus-$*
	$(BUILD)/fuzz/fuzz_$* -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
		-dict=$(call fuzz_dict,$*) -artifact_prefix=$(BUILD)/fuzz/ $(BUILD)/fuzz/corpus-$* \
		$(call fuzz_seeds,$*)

# ---- installing ----------------------------------------------------------------

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 755 $(BUILD)/augur $(DESTDIR)$(PREFIX)/bin/augur
	install -m 644 $(BUILD)/libaugur.a $(DESTDIR)$(PREFIX)/lib/libaugur.a
	install -m 755 $(BUILD)/libaugur.so $(DESTDIR)$(PREFIX)/lib/libaugur.so.$(VERSION)
	ln -sf libaugur.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libaugur.so.$(SOVERSION)
	ln -sf libaugur.so.$(SOVERSION) $(DESTDIR)$(PREFIX)/lib/libaugur.so
	install -D -m 644 agent/augur.h $(DESTDIR)$(PREFIX)/include/augur/augur.h
	for h in $(filter-out agent/augur.h,$(HEADERS)); do \
		install -D -m 644 $$h $(DESTDIR)$(PREFIX)/include/augur/$$h || exit 1; done
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' -e 's|@REQUIRES@|$(PKG_LIB)|' \
		augur.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/augur.pc

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/augur $(DESTDIR)$(PREFIX)/lib/libaugur.* \
		$(DESTDIR)$(PREFIX)/lib/pkgconfig/augur.pc
	rm -rf $(DESTDIR)$(PREFIX)/include/augur

clean:
	rm -rf $(BUILD)
