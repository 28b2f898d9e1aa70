# trygg: build, test, run, install.
#
#   make            every program into build/bin/
#   make run        the daemons on config/trygg.yaml, or CONFIG= (Ctrl-C stops them all)
#   make check      every test; ends with "tests: N passed, N failed"
#   make check SANITIZE=1   the same under AddressSanitizer + UBSan
#   make bench      benchmarks beside their baselines
#   make fuzz       libFuzzer targets (clang), FUZZ_SECONDS each
#   make install    PREFIX=/usr/local DESTDIR= (SYSCONFDIR=/etc, SYSTEMD_UNITDIR, SYSUSERSDIR)
#
# Libraries come from Debian packages and are found with pkg-config; the
# browser test (tests/scenario/test_browser.c) needs Debian's chromium. When
# one is missing, build/deps.mk's rule installs it (apt-get, as root or
# through sudo -n) or stops with the exact command to run.

.DEFAULT_GOAL := all

PKGS      := libzmq msgpack yaml-0.1 sqlite3 libutf8proc libsodium libmicrohttpd jansson
DEB_PKGS  := pkg-config libzmq3-dev libmsgpack-dev libyaml-dev libsqlite3-dev libutf8proc-dev libsodium-dev libmicrohttpd-dev libjansson-dev tzdata chromium

PREFIX    ?= /usr/local
DESTDIR   ?=
SYSCONFDIR     ?= /etc
SYSTEMD_UNITDIR ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR    ?= $(PREFIX)/lib/sysusers.d
CC        ?= cc
SANITIZE  ?=
FUZZ_SECONDS ?= 60

ifeq ($(SANITIZE),1)
BUILD     := build/san
SANFLAGS  := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
OPT       := -O1 -g
else
BUILD     := build
SANFLAGS  :=
OPT       := -O2 -g
endif

BIN       := $(BUILD)/bin
OBJ       := $(BUILD)/obj

WARN      := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter
CFLAGS    += -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) $(SANFLAGS) -Icommon -Itests -MMD -MP
LDFLAGS   += $(SANFLAGS)

# Everything that needs the libraries waits for build/deps.mk, which records
# their flags once they are present.
ifeq ($(filter clean distclean deps,$(MAKECMDGOALS)),)
include build/deps.mk
endif

# Remade when this file changes, so that a library added to PKGS is linked
# without a manual 'make deps' in trees that were built before.
build/deps.mk: Makefile
	@mkdir -p build
	@if ! pkg-config --exists $(PKGS) 2>/dev/null || [ ! -f /usr/share/zoneinfo/Europe/Stockholm ] || \
	    ! command -v chromium >/dev/null; then \
	  echo "trygg: installing missing Debian packages: $(DEB_PKGS)"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; elif sudo -n true 2>/dev/null; then SUDO="sudo -n"; else \
	    echo "trygg: missing libraries; run: sudo apt-get update && sudo apt-get install -y $(DEB_PKGS)" >&2; exit 1; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(DEB_PKGS) >/dev/null || { \
	    echo "trygg: apt-get failed; run: sudo apt-get update && sudo apt-get install -y $(DEB_PKGS)" >&2; exit 1; }; \
	fi
	@echo "LIB_CFLAGS := $$(pkg-config --cflags $(PKGS))" > $@.tmp
	@echo "LIB_LIBS := $$(pkg-config --libs $(PKGS)) -lm" >> $@.tmp
	@mv $@.tmp $@

deps: ; @rm -f build/deps.mk; $(MAKE) --no-print-directory build/deps.mk

# ---- sources: every .c in a folder belongs to it; adding a file needs no edit here
COMMON_SRC   := $(wildcard common/*.c)
INTAKE_SRC   := $(wildcard daemons/intake/*.c)
ESCAL_SRC    := $(wildcard daemons/escalation/*.c)
REPORT_SRC   := $(wildcard daemons/reporting/*.c)
WEB_SRC      := $(wildcard daemons/web/*.c)
CLI_SRC      := $(wildcard cli/*.c)
UNIT_SRC     := $(wildcard tests/unit/test_*.c)
SCEN_SRC     := $(wildcard tests/scenario/test_*.c)
HARNESS_SRC  := tests/harness.c
BENCH_SRC    := $(wildcard bench/*.c)

objs = $(patsubst %.c,$(OBJ)/%.o,$(1))

LIBTRYGG     := $(BUILD)/libtrygg.a
DAEMONS      := $(if $(INTAKE_SRC),$(BIN)/trygg-intake) $(if $(ESCAL_SRC),$(BIN)/trygg-escalation) $(if $(REPORT_SRC),$(BIN)/trygg-reporting) $(if $(WEB_SRC),$(BIN)/trygg-web)
PROGRAMS     := $(DAEMONS) $(if $(CLI_SRC),$(BIN)/trygg)
UNIT_BINS    := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
SCEN_BINS    := $(patsubst tests/scenario/%.c,$(BUILD)/tests/%,$(SCEN_SRC))
BENCH_BINS   := $(patsubst bench/%.c,$(BUILD)/bench/%,$(BENCH_SRC))

CFLAGS += $(LIB_CFLAGS)
# the client's default configuration, where make install puts the live one
$(OBJ)/cli/%.o: CFLAGS += -DCLI_CONFIG_DEFAULT='"$(SYSCONFDIR)/trygg/trygg.yaml"'

.PHONY: all run check unit scenario bench fuzz install clean deps
# keep the objects of test and bench programs (make would delete them as intermediates)
.SECONDARY:
all: $(PROGRAMS)

$(OBJ)/%.o: %.c build/deps.mk
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) -c -o $@ $<

$(LIBTRYGG): $(call objs,$(COMMON_SRC))
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BIN)/trygg-intake: $(call objs,$(INTAKE_SRC)) $(LIBTRYGG)
$(BIN)/trygg-escalation: $(call objs,$(ESCAL_SRC)) $(LIBTRYGG)
$(BIN)/trygg-reporting: $(call objs,$(REPORT_SRC)) $(LIBTRYGG)
$(BIN)/trygg-web: $(call objs,$(WEB_SRC)) $(LIBTRYGG)
$(BIN)/trygg: $(call objs,$(CLI_SRC)) $(LIBTRYGG)
$(PROGRAMS):
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIB_LIBS)

$(BUILD)/tests/test_%: $(OBJ)/tests/unit/test_%.o $(OBJ)/tests/test.o $(LIBTRYGG)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIB_LIBS)

# scenario tests start the real programs, so they depend on them
$(patsubst tests/scenario/%.c,$(BUILD)/tests/%,$(SCEN_SRC)): $(BUILD)/tests/%: $(OBJ)/tests/scenario/%.o $(OBJ)/tests/harness.o $(OBJ)/tests/json_in.o $(OBJ)/tests/load.o $(OBJ)/tests/test.o $(LIBTRYGG) | $(PROGRAMS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter-out |,$^) $(LIB_LIBS)

$(BUILD)/bench/%: $(OBJ)/bench/%.o $(OBJ)/tests/harness.o $(OBJ)/tests/load.o $(LIBTRYGG) | $(PROGRAMS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter-out |,$^) $(LIB_LIBS)

CONFIG ?= config/trygg.yaml
run: $(PROGRAMS)
	@sh tests/run-daemons.sh $(BIN) $(CONFIG)

# the fault shim the durability tests preload into the daemons (tests/shim);
# built without the sanitizers, which want to be first in the library list
SHIM := $(BUILD)/lib/faultsync.so
$(SHIM): tests/shim/faultsync.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -D_GNU_SOURCE -O2 -g $(WARN) -fPIC -shared -o $@ $< -ldl -lpthread

check: $(PROGRAMS) $(UNIT_BINS) $(SCEN_BINS) $(SHIM)
	@sh tests/run-tests.sh $(BIN) $(UNIT_BINS) $(SCEN_BINS)

bench: $(PROGRAMS) $(BENCH_BINS)
	@for b in $(BENCH_BINS); do $$b $(BIN) || exit 1; done

# libFuzzer targets: clang, instrumented copies of the library's sources
FUZZ_SRC  := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(patsubst tests/fuzz/%.c,build/fuzz/%,$(FUZZ_SRC))
build/fuzz/%: tests/fuzz/%.c $(COMMON_SRC) build/deps.mk
	@mkdir -p $(dir $@)
	clang -std=c11 -D_GNU_SOURCE -g -O1 -Icommon $(LIB_CFLAGS) -fsanitize=fuzzer,address,undefined \
	    -fno-sanitize-recover=undefined -o $@ $< $(COMMON_SRC) $(LIB_LIBS)
fuzz: $(FUZZ_BINS)
	@for f in $(FUZZ_BINS); do n=$$(basename $$f); mkdir -p build/fuzz/corpus-$$n; \
	  cp -n tests/fuzz/corpus/$$n/* build/fuzz/corpus-$$n/ 2>/dev/null; \
	  echo "== $$n ($(FUZZ_SECONDS)s)"; $$f -max_total_time=$(FUZZ_SECONDS) -max_len=70000 build/fuzz/corpus-$$n || exit 1; done

install: $(PROGRAMS)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/trygg $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man5 $(DESTDIR)$(PREFIX)/share/man/man8
	install -m 755 $(PROGRAMS) $(DESTDIR)$(PREFIX)/bin/
	install -m 755 config/examples/notify-*.sh $(DESTDIR)$(PREFIX)/share/trygg/
	for m in docs/*.1; do [ -f "$$m" ] && install -m 644 $$m $(DESTDIR)$(PREFIX)/share/man/man1/; done; true
	for m in docs/*.5; do [ -f "$$m" ] && install -m 644 $$m $(DESTDIR)$(PREFIX)/share/man/man5/; done; true
	for m in docs/*.8; do [ -f "$$m" ] && install -m 644 $$m $(DESTDIR)$(PREFIX)/share/man/man8/; done; true
	install -D -m 644 cli/trygg.bash-completion $(DESTDIR)$(PREFIX)/share/bash-completion/completions/trygg
# systemd: one unit per daemon from the template, the target, the user
	install -d $(DESTDIR)$(SYSTEMD_UNITDIR) $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(SYSCONFDIR)/trygg
	for d in $(notdir $(DAEMONS)); do \
	  sed -e "s|@DAEMON@|$$d|g" -e "s|@PREFIX@|$(PREFIX)|g" -e "s|@SYSCONFDIR@|$(SYSCONFDIR)|g" \
	    config/systemd/trygg-daemon.service.in > $(DESTDIR)$(SYSTEMD_UNITDIR)/$$d.service && \
	  chmod 644 $(DESTDIR)$(SYSTEMD_UNITDIR)/$$d.service || exit 1; done
	sed -e "s|@PREFIX@|$(PREFIX)|g" -e "s|@SYSCONFDIR@|$(SYSCONFDIR)|g" \
	    config/systemd/trygg-backup.service.in > $(DESTDIR)$(SYSTEMD_UNITDIR)/trygg-backup.service
	chmod 644 $(DESTDIR)$(SYSTEMD_UNITDIR)/trygg-backup.service
	install -m 644 config/systemd/trygg.target config/systemd/trygg-backup.timer $(DESTDIR)$(SYSTEMD_UNITDIR)/
	install -m 644 config/systemd/trygg.sysusers.conf $(DESTDIR)$(SYSUSERSDIR)/trygg.conf
# the example configuration keeps its data where the units' StateDirectory is
	sed -e "s|^data_dir: .*|data_dir: /var/lib/trygg|" -e "s|/usr/local/share/trygg|$(PREFIX)/share/trygg|g" \
	    config/trygg.yaml > $(DESTDIR)$(PREFIX)/share/trygg/trygg.yaml.example
# the live configuration is installed once and never overwritten
	[ -e $(DESTDIR)$(SYSCONFDIR)/trygg/trygg.yaml ] || \
	  install -m 640 $(DESTDIR)$(PREFIX)/share/trygg/trygg.yaml.example $(DESTDIR)$(SYSCONFDIR)/trygg/trygg.yaml
	@if [ -z "$(DESTDIR)" ]; then echo "trygg: next: systemd-sysusers; chgrp trygg $(SYSCONFDIR)/trygg/trygg.yaml;" \
	  "systemctl daemon-reload; systemctl enable --now trygg.target (README, Running under systemd)"; fi

clean:
	rm -rf build

-include $(shell find $(OBJ) -name '*.d' 2>/dev/null)
