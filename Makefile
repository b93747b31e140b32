# wangge: GIS command-line tools for grid-based township governance.
#   make            build libgeo and the tools into bin/
#   make check      install dependencies, build, run every test
#   make check-asan the same under AddressSanitizer and UBSan
#   make demo       run the main job on the sample town into out/
#   make soak       grid-check on random towns for SOAK_SECONDS (default 3600)
#   make bench      measure the tools against their peers (see bench/)

PREFIX ?= /usr/local
B ?= build
BIN ?= bin
CC ?= cc
Q ?= @
PKGS = gdal geos proj spatialite sqlite3 pangocairo
OPT ?= -O2 -g
CFLAGS_ALL = -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -fPIC $(OPT) \
	-DGEOS_USE_ONLY_R_API -Ilibgeo -Itools $(SAN) \
	$(shell pkg-config --cflags $(PKGS) 2>/dev/null) $(CFLAGS)
LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lgeos_c -lmetis -lm -lpthread
LDFLAGS_ALL = $(SAN) $(LDFLAGS)

LIB_SRC = $(wildcard libgeo/*.c)
LIB_OBJ = $(LIB_SRC:libgeo/%.c=$(B)/libgeo/%.o)
CLI_OBJ = $(B)/tools/cli.o
TOOL_SRC = $(filter-out tools/cli.c,$(wildcard tools/*.c))
TOOLS = $(TOOL_SRC:tools/%.c=$(BIN)/%)
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNITS = $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
SCRIPT_SRC = $(wildcard scripts/*.c)
SCRIPT_BIN = $(SCRIPT_SRC:scripts/%.c=$(B)/scripts/%)
BENCH_SRC = $(wildcard bench/*.c)
BENCH_BIN = $(BENCH_SRC:bench/%.c=$(B)/bench/%)
SYNTH_SRC = $(wildcard scripts/synth/*.c)
SYNTH_OBJ = $(patsubst scripts/synth/%.c,$(B)/synth/%.o,$(SYNTH_SRC))
HEADERS = $(wildcard libgeo/*.h) tools/cli.h

.PHONY: all deps check check-asan unit e2e regen demo bench bench-deps install format clean soak
.SUFFIXES:
.SECONDARY:

all: deps
	@$(MAKE) --no-print-directory build

.PHONY: build
build: $(B)/libgeo.a $(B)/libgeo.so $(B)/libgeo.pc $(TOOLS) $(UNITS) $(SCRIPT_BIN) \
	$(B)/scripts/synth

deps:
	@scripts/deps

$(B)/libgeo/%.o: libgeo/%.c $(HEADERS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS_ALL) -c $< -o $@

$(B)/tools/%.o: tools/%.c $(HEADERS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS_ALL) -c $< -o $@

$(B)/libgeo.a: $(LIB_OBJ)
	@rm -f $@
	$(Q)ar rcs $@ $^

$(B)/libgeo.so: $(LIB_OBJ)
	$(Q)$(CC) -shared $(LDFLAGS_ALL) -o $@ $^ $(LIBS)

$(B)/libgeo.pc: libgeo/libgeo.pc.in
	$(Q)sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(shell sed -n 's/#define GEO_VERSION "\(.*\)"/\1/p' libgeo/geo.h)|' $< > $@

$(BIN)/%: $(B)/tools/%.o $(CLI_OBJ) $(B)/libgeo.a
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $< $(CLI_OBJ) $(B)/libgeo.a $(LIBS)

$(B)/tests/%: tests/unit/%.c tests/unit/check.h $(B)/libgeo.a
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS_ALL) -Itests/unit $(LDFLAGS_ALL) -o $@ $< $(B)/libgeo.a $(LIBS)

$(B)/scripts/%: scripts/%.c $(B)/libgeo.a
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL) -o $@ $< $(B)/libgeo.a $(LIBS)

# bench/'s measuring helpers, built by `make bench` only.
$(B)/bench/%: bench/%.c $(B)/libgeo.a
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL) -o $@ $< $(B)/libgeo.a $(LIBS)

# scripts/synth/ is one program of several files (objects in $(B)/synth/).
$(B)/synth/%.o: scripts/synth/%.c $(wildcard scripts/synth/*.h) $(HEADERS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS_ALL) -c $< -o $@

$(B)/scripts/synth: $(SYNTH_OBJ) $(B)/libgeo.a
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $(SYNTH_OBJ) $(B)/libgeo.a $(LIBS)

check: all
	@B=$(B) BIN=$(BIN) tests/run

check-asan: deps
	@$(MAKE) --no-print-directory build B=build/asan BIN=build/asan/bin OPT="-O1 -g" \
		SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all"
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99 \
	 LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
	 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	 B=build/asan BIN=build/asan/bin tests/run

unit: all
	@B=$(B) BIN=$(BIN) tests/run unit

e2e: all
	@B=$(B) BIN=$(BIN) tests/run e2e

regen: all
	@B=$(B) BIN=$(BIN) REGEN=1 tests/run e2e

# grid-check's random towns against the overlay oracle, bounded by time
# (SOAK_SECONDS, default 3600); failing seeds are printed.
SOAK_SECONDS ?= 3600
soak: all
	@WANGGE_RANDOM_CASES=1e9 WANGGE_RANDOM_SECONDS=$(SOAK_SECONDS) WANGGE_RANDOM_SEED=$$(date +%s) \
		$(B)/tests/test_check_random | grep -v '^ok '

demo: all
	@scripts/demo

bench-deps: deps
	@bench/deps

bench: deps
	@$(MAKE) --no-print-directory build $(BENCH_BIN) OPT="-O3 -DNDEBUG -march=native"
	@bench/run

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig \
		$(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(TOOLS) $(DESTDIR)$(PREFIX)/bin
	install -m 644 $(B)/libgeo.a $(DESTDIR)$(PREFIX)/lib
	install -m 755 $(B)/libgeo.so $(DESTDIR)$(PREFIX)/lib
	install -m 644 libgeo/geo.h $(DESTDIR)$(PREFIX)/include
	install -m 644 $(B)/libgeo.pc $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 644 docs/man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1

format:
	clang-format -i libgeo/*.c libgeo/*.h tools/*.c tools/*.h tests/unit/*.c tests/unit/*.h scripts/*.c \
		scripts/synth/*.c scripts/synth/*.h

clean:
	rm -rf build bin
