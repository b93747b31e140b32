# wangge: GIS command-line tools for grid-based township governance.
#   make            build libgeo and the tools into bin/
#   make check      install dependencies, build, run every test
#   make check-asan the same under AddressSanitizer and UBSan
#   make demo       run the main job on the sample town into out/
#   make soak       grid-check on random towns for SOAK_SECONDS (default 3600)
#   make bench      measure the tools against their peers (see bench/)
#   make fuzz       run each libFuzzer target for FUZZ_SECONDS (see tests/fuzz/README.md)
#   make fuzz-merge minimise tests/fuzz/corpus/ with what make fuzz found
#   make pot        refresh po/wangge.pot and merge it into every po/LANG.po
#   make deb        the Debian packages (debian/), into build/packages/
#   make check-installed  the end-to-end tests against the installed tools

PREFIX ?= /usr/local
B ?= build
BIN ?= bin
CC ?= cc
Q ?= @
PKGS = gdal geos proj spatialite sqlite3 pangocairo
# GLPK, for grid-cover --exact and the placement test: built in when glpk.h
# is installed (libglpk-dev); WITH_GLPK=0 leaves it out, WITH_GLPK=1 wants it.
WITH_GLPK ?= $(if $(wildcard /usr/include/glpk.h),1,0)
GLPK_CFLAGS = $(if $(filter 1,$(WITH_GLPK)),-DHAVE_GLPK)
GLPK_LIBS = $(if $(filter 1,$(WITH_GLPK)),-lglpk)
OPT ?= -O2 -g
CFLAGS_ALL = -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -fPIC -fvisibility=hidden $(OPT) \
	-DGEOS_USE_ONLY_R_API -DLOCALEDIR='"$(PREFIX)/share/locale"' -Ilibgeo -Itools $(SAN) $(GLPK_CFLAGS) \
	$(shell pkg-config --cflags $(PKGS) 2>/dev/null) $(CPPFLAGS) $(CFLAGS)
LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lgeos_c -lmetis -lm -lpthread $(GLPK_LIBS)
LDFLAGS_ALL = $(SAN) $(LDFLAGS)
# The hot loops' files are built with HOT_OPT after every other flag, so that
# a distribution's CFLAGS (-O2) do not undo their vectorising; their inner
# functions also carry an AVX2 clone chosen at run time (GEO_HOT).
HOT = heat/kde_surface
HOT_OPT ?= -O3 -fno-math-errno

VERSION = $(shell sed -n 's/^\#define GEO_VERSION "\(.*\)"/\1/p' libgeo/geo.h)
ABI = $(shell sed -n 's/^\#define GEO_ABI \([0-9]*\)/\1/p' libgeo/geo.h)
LIBDIR ?= $(PREFIX)/lib
PC_LIBDIR = $(patsubst $(PREFIX)/%,$${prefix}/%,$(LIBDIR))
# libgeo.pc from libgeo/libgeo.pc.in, at build and again at install.
PC_SED = -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(PC_LIBDIR)|' -e 's|@VERSION@|$(VERSION)|' \
	-e 's| *@GLPK_LIBS@|$(if $(GLPK_LIBS), $(GLPK_LIBS))|'
LIB_SRC = $(wildcard libgeo/*/*.c)
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
HEADERS = $(wildcard libgeo/*.h libgeo/*/*.h) tools/cli.h
# Fuzz targets: tests/fuzz/fuzz_TARGET.c. make check replays their corpus and
# crashes through replay.c built with $(CC); make fuzz builds them with clang.
FUZZ_TARGETS = $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_REPLAY = $(FUZZ_TARGETS:%=$(B)/tests/test_fuzz_%)
FUZZ_SRC = tests/fuzz/harness.c tests/fuzz/fuzz.h
# Translations: po/LANG.po, compiled (and checked) into
# $(B)/locale/LANG/LC_MESSAGES/wangge.mo, where the tools of the build tree
# find them (tools/cli.c); make install puts them in $(PREFIX)/share/locale.
PO = $(wildcard po/*.po)
MO = $(PO:po/%.po=$(B)/locale/%/LC_MESSAGES/wangge.mo)
# xgettext's keywords: the markers of libgeo/core/i18n.h, the functions that
# translate their format themselves, and the --help table's headings.
XGETTEXT_KEYWORDS = -k_ -kN_ -kP_:1,2 -kC_:1c,2 -kNC_:1c,2 -kgeo_fail:3 -kgeo_log:3 -kcli_usage_error:2 \
	-kCLI_HEADING -kCLI_OPTS_STRICT -kgeo_progress_step:5 -kfmt:2 -kfmt_of:3 -ksay_change:2 -kgeo_cpl_error \
	-kcli_pick:4 -kcli_pick_nocase:4 --flag=cli_pick:4:c-format --flag=cli_pick_nocase:4:c-format \
	--flag=geo_fail:3:c-format --flag=geo_log:3:c-format --flag=cli_usage_error:2:c-format \
	--flag=fmt:2:c-format --flag=fmt_of:3:c-format --flag=say_change:2:c-format

.PHONY: all deps check check-asan unit e2e regen demo bench bench-deps install uninstall format clean soak \
	fuzz fuzz-build fuzz-merge pot deb deb-deps check-installed
.SUFFIXES:
.SECONDARY:

all: deps
	@$(MAKE) --no-print-directory build

.PHONY: build
build: installable $(UNITS) $(FUZZ_REPLAY) $(SCRIPT_BIN) $(B)/scripts/synth

# What make install installs, without the tests (the Debian package's build).
.PHONY: installable
installable: $(B)/libgeo.a $(B)/libgeo.so $(B)/libgeo.pc $(TOOLS) $(MO)

deps:
	@scripts/deps

$(B)/libgeo/%.o: libgeo/%.c $(HEADERS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS_ALL) $(if $(filter $*,$(HOT)),$(HOT_OPT)) -c $< -o $@

$(B)/tools/%.o: tools/%.c $(HEADERS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS_ALL) -c $< -o $@

# --check: a format that does not match its English, or a broken header,
# fails the build rather than a run.
$(B)/locale/%/LC_MESSAGES/wangge.mo: po/%.po
	@mkdir -p $(@D)
	$(Q)msgfmt --check -o $@ $<

pot:
	xgettext --from-code=UTF-8 --language=C $(XGETTEXT_KEYWORDS) --add-comments=TRANSLATORS: \
		--package-name=wangge --package-version=$(shell sed -n 's/#define GEO_VERSION "\(.*\)"/\1/p' libgeo/geo.h) \
		--sort-by-file -o po/wangge.pot libgeo/*/*.c libgeo/*.h libgeo/*/*.h tools/*.c tools/*.h
	xgettext --from-code=UTF-8 --language=Shell -ksay --join-existing --add-comments=TRANSLATORS: \
		-o po/wangge.pot scripts/demo scripts/weekly-maps
	for po in $(PO); do msgmerge --quiet --update --backup=none $$po po/wangge.pot; done

$(B)/libgeo.a: $(LIB_OBJ)
	@rm -f $@
	$(Q)ar rcs $@ $^

# The shared library: libgeo.so.VERSION with SONAME libgeo.so.ABI, and the
# two links a loader and a linker look for.
$(B)/libgeo.so: $(LIB_OBJ)
	$(Q)$(CC) -shared -Wl,-soname,libgeo.so.$(ABI) $(LDFLAGS_ALL) -o $@.$(VERSION) $^ $(LIBS)
	$(Q)ln -sf libgeo.so.$(VERSION) $@.$(ABI) && ln -sf libgeo.so.$(VERSION) $@

# Made again at install, with the prefix and library folder installed to.
$(B)/libgeo.pc: libgeo/libgeo.pc.in libgeo/geo.h
	$(Q)sed $(PC_SED) $< > $@

$(BIN)/%: $(B)/tools/%.o $(CLI_OBJ) $(B)/libgeo.a
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $< $(CLI_OBJ) $(B)/libgeo.a $(LIBS)

$(B)/tests/%: tests/unit/%.c tests/unit/check.h $(B)/libgeo.a
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS_ALL) -Itests/unit $(LDFLAGS_ALL) -o $@ $< $(B)/libgeo.a $(LIBS)

# A fuzz target with replay.c's main(), run by tests/run like a unit test.
$(B)/tests/test_fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(FUZZ_SRC) $(B)/libgeo.a
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS_ALL) -DFUZZ_TARGET='"$*"' $(LDFLAGS_ALL) -o $@ $< tests/fuzz/replay.c \
		tests/fuzz/harness.c $(B)/libgeo.a $(LIBS)

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

# libFuzzer: each target for FUZZ_SECONDS, one after another, niced. New
# inputs go to $(FUZZ_B)/corpus/TARGET (make fuzz-merge folds them into
# tests/fuzz/corpus/), crashes to $(FUZZ_B)/crashes/TARGET/.
FUZZ_SECONDS ?= 600
FUZZ_B = build/fuzz
FUZZ_CC ?= clang
FUZZ_SAN = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
# Fork mode keeps a target going past a crash (each is saved), so that one
# known crash does not end a long run.
FUZZ_FLAGS ?= -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
	-rss_limit_mb=4096 -timeout=10
fuzz-build: deps
	@scripts/deps fuzz
	@$(MAKE) --no-print-directory $(FUZZ_B)/libgeo.a B=$(FUZZ_B) CC=$(FUZZ_CC) OPT="-O1 -g" \
		SAN="$(FUZZ_SAN) -fsanitize=fuzzer-no-link"
	@$(MAKE) --no-print-directory $(FUZZ_TARGETS:%=$(FUZZ_B)/fuzz_%)

$(FUZZ_B)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_SRC) $(FUZZ_B)/libgeo.a
	$(Q)$(FUZZ_CC) $(CFLAGS_ALL) $(FUZZ_SAN) -fsanitize=fuzzer -O1 -g -o $@ $< \
		tests/fuzz/harness.c $(FUZZ_B)/libgeo.a $(LIBS)

fuzz: fuzz-build
	@for t in $(FUZZ_TARGETS); do \
		mkdir -p $(FUZZ_B)/corpus/$$t $(FUZZ_B)/crashes/$$t; \
		echo "fuzz: $$t for $(FUZZ_SECONDS) s"; \
		LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
		nice -n 10 $(FUZZ_B)/fuzz_$$t $(FUZZ_FLAGS) -max_total_time=$(FUZZ_SECONDS) \
			$$(cat tests/fuzz/$$t.options 2>/dev/null) \
			-dict=tests/fuzz/$$t.dict -artifact_prefix=$(FUZZ_B)/crashes/$$t/ \
			$(FUZZ_B)/corpus/$$t tests/fuzz/corpus/$$t >$(FUZZ_B)/$$t.log 2>&1; \
		grep -E '^#[0-9]+:? ' $(FUZZ_B)/$$t.log | tail -1; \
		echo "fuzz: $$t: $$(ls $(FUZZ_B)/crashes/$$t | wc -l) files in $(FUZZ_B)/crashes/$$t"; \
	done

fuzz-merge: fuzz-build
	@for t in $(FUZZ_TARGETS); do \
		rm -rf $(FUZZ_B)/merged/$$t && mkdir -p $(FUZZ_B)/merged/$$t && \
		nice -n 10 $(FUZZ_B)/fuzz_$$t -rss_limit_mb=4096 -timeout=10 -merge=1 $$(cat tests/fuzz/$$t.options 2>/dev/null) \
			$(FUZZ_B)/merged/$$t tests/fuzz/corpus/$$t $(FUZZ_B)/corpus/$$t 2>&1 | \
			grep -E '^MERGE-OUTER: [0-9]+ new files' && \
		rm -rf tests/fuzz/corpus/$$t && mv $(FUZZ_B)/merged/$$t tests/fuzz/corpus/$$t || exit 1; \
	done

demo: all
	@scripts/demo

bench-deps: deps
	@bench/deps

bench: deps
	@$(MAKE) --no-print-directory build $(BENCH_BIN)
	@BENCH_BUILD="$(OPT) $(CFLAGS), hot loops $(HOT_OPT) with AVX2 clones" bench/run

# DESTDIR for staging (a package); PREFIX and LIBDIR for where it runs.
INSTALLED_SCRIPTS = scripts/weekly-maps scripts/qgis-check scripts/district
install: installable
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(LIBDIR)/pkgconfig \
		$(DESTDIR)$(PREFIX)/include/wangge $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(TOOLS) $(INSTALLED_SCRIPTS) $(DESTDIR)$(PREFIX)/bin
	install -m 644 $(B)/libgeo.a $(DESTDIR)$(LIBDIR)
	install -m 755 $(B)/libgeo.so.$(VERSION) $(DESTDIR)$(LIBDIR)
	ln -sf libgeo.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libgeo.so.$(ABI)
	ln -sf libgeo.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libgeo.so
	install -m 644 libgeo/geo.h $(DESTDIR)$(PREFIX)/include/wangge
	sed $(PC_SED) libgeo/libgeo.pc.in >$(DESTDIR)$(LIBDIR)/pkgconfig/libgeo.pc
	install -m 644 docs/man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1
	for mo in $(MO); do lang=$${mo#$(B)/locale/}; lang=$${lang%%/*}; \
		install -d $(DESTDIR)$(PREFIX)/share/locale/$$lang/LC_MESSAGES && \
		install -m 644 $$mo $(DESTDIR)$(PREFIX)/share/locale/$$lang/LC_MESSAGES/wangge.mo || exit 1; \
	done
	for d in docs/man/*/; do [ -d "$$d" ] || continue; lang=$$(basename $$d); \
		install -d $(DESTDIR)$(PREFIX)/share/man/$$lang/man1 && \
		install -m 644 $$d*.1 $(DESTDIR)$(PREFIX)/share/man/$$lang/man1 || exit 1; \
	done

# Debian packages: what dpkg-buildpackage needs, then the packages, moved
# with their .buildinfo and .changes from the parent folder (where
# dpkg-buildpackage writes them) into build/packages/; lintian fails it on an
# error.
deb-deps:
	@scripts/deps deb

deb: deb-deps
	dpkg-buildpackage -us -uc -b
	@mkdir -p build/packages
	c=wangge_$$(dpkg-parsechangelog -S Version)_$$(dpkg-architecture -qDEB_HOST_ARCH).changes && \
	for f in $$c $$(sed -n '/^Files:/,/^[A-Z]/s/^ .* //p' ../$$c); do mv ../$$f build/packages/ || exit 1; done
	lintian --fail-on error build/packages/*.changes

# The end-to-end tests against the tools, scripts and catalogues installed in
# /usr (the package's; INSTALLED_PREFIX for another), the test helpers from $(B).
INSTALLED_PREFIX ?= /usr
check-installed: all
	@cmp -s data/samples/xiawuqi.gpkg $(INSTALLED_PREFIX)/share/wangge/samples/xiawuqi.gpkg || \
		{ echo "check-installed: $(INSTALLED_PREFIX)/share/wangge/samples/xiawuqi.gpkg differs from data/samples/ (install the package built from this tree)"; exit 1; }
	@B=$(B) INSTALLED=1 PREFIX=$(INSTALLED_PREFIX) tests/run e2e

uninstall:
	rm -f $(addprefix $(DESTDIR)$(PREFIX)/bin/,$(notdir $(TOOLS) $(INSTALLED_SCRIPTS))) \
		$(addprefix $(DESTDIR)$(LIBDIR)/,libgeo.a libgeo.so libgeo.so.$(ABI) \
		libgeo.so.$(VERSION) pkgconfig/libgeo.pc) \
		$(DESTDIR)$(PREFIX)/include/wangge/geo.h \
		$(addprefix $(DESTDIR)$(PREFIX)/share/man/man1/,$(notdir $(wildcard docs/man/*.1))) \
		$(patsubst po/%.po,$(DESTDIR)$(PREFIX)/share/locale/%/LC_MESSAGES/wangge.mo,$(PO)) \
		$(foreach f,$(wildcard docs/man/*/*.1),$(DESTDIR)$(PREFIX)/share/man/$(notdir \
			$(patsubst %/,%,$(dir $(f))))/man1/$(notdir $(f)))
	-rmdir $(DESTDIR)$(PREFIX)/include/wangge

format:
	clang-format -i libgeo/*/*.c libgeo/*.h libgeo/*/*.h tools/*.c tools/*.h tests/unit/*.c tests/unit/*.h scripts/*.c \
		scripts/synth/*.c scripts/synth/*.h

clean:
	rm -rf build bin
