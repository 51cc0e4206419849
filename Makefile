# Gazette: plain Makefile, no configure step. See README.md.
CC      ?= cc
CSTD     = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
WARN     = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 \
           -Wvla -Wwrite-strings -Wpointer-arith -Wundef -fno-common
OPT     ?= -O2 -g -D_FORTIFY_SOURCE=2 -fstack-protector-strong
PKGS     = libmicrohttpd sqlite3 jansson libsodium libqrencode sndfile espeak-ng samplerate fftw3f \
           libcurl md4c libbrotlienc zlib pocketsphinx sphinxbase vips libpq
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CFLAGS  += $(CSTD) $(WARN) $(OPT) -Isrc -Ibuild/gen $(PKG_CFLAGS)
LDLIBS  += $(PKG_LIBS) -lpthread -lm
B       ?= build

SRC      = $(wildcard src/core/*.c src/text/*.c src/auth/*.c src/tts/*.c src/align/*.c src/model/*.c src/store/*.c \
                      src/render/*.c src/image/*.c \
                      src/speech/*.c src/notify/*.c src/service/*.c src/http/*.c src/cli/*.c)
OBJ      = $(SRC:src/%.c=$(B)/obj/%.o) $(B)/obj/gen/embed_web.o $(B)/obj/gen/embed_sql.o $(B)/obj/gen/embed_sql_pg.o \
           $(B)/obj/gen/embed_demo.o $(B)/obj/gen/embed_data.o
WEB      = $(sort $(wildcard web/*.js web/*.css web/*.svg web/*.png))
SQL      = $(sort $(wildcard sql/sqlite/*.sql))
SQL_PG   = $(sort $(wildcard sql/pg/*.sql))
DEMO     = $(sort $(wildcard demo/*.json))
DATAFILES = $(sort $(wildcard data/*.txt))
TEST_SRC = $(wildcard tests/unit/*.c tests/unit/*/*.c)
FUZZ     = form bundle html text audio textreader auth markdown

PORT    ?= 8080
DATA    ?= var

.PHONY: lighthouse bench-align bench-pg fuzz all run test test-only san bench deps clean format lint
all: $(B)/gazette

$(B)/gazette: $(OBJ) $(B)/obj/main.o
	@echo "LD $@"
	@$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS) $(LDFLAGS)

$(B)/obj/%.o: src/%.c $(wildcard src/*/*.h) src/store/queries.def src/render/strings.def
	@mkdir -p $(dir $@)
	@echo "CC $<"
	@$(CC) $(CFLAGS) -c -o $@ $<

$(B)/obj/gen/%.o: $(B)/gen/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(B)/embed: tools/embed.c
	@mkdir -p $(B)
	$(CC) -std=c11 -O1 -Wall -Werror -o $@ $<

$(B)/gen/embed_web.c: $(B)/embed $(WEB)
	@mkdir -p $(dir $@)
	$(B)/embed $@ web $(WEB)
$(B)/gen/embed_sql.c: $(B)/embed $(SQL)
	@mkdir -p $(dir $@)
	$(B)/embed $@ sql_sqlite $(SQL)
$(B)/gen/embed_sql_pg.c: $(B)/embed $(SQL_PG)
	@mkdir -p $(dir $@)
	$(B)/embed $@ sql_pg $(SQL_PG)
$(B)/gen/embed_demo.c: $(B)/embed $(DEMO)
	@mkdir -p $(dir $@)
	$(B)/embed $@ demo $(DEMO)
$(B)/gen/embed_data.c: $(B)/embed $(DATAFILES)
	@mkdir -p $(dir $@)
	$(B)/embed $@ data $(DATAFILES)

# Install missing Debian packages when root, build, seed demo content, serve. The build is a
# second make so that pkg-config sees libraries the first step installed.
run:
	@scripts/deps.sh --quiet
	@$(MAKE) --no-print-directory $(B)/gazette
	$(B)/gazette serve --listen 127.0.0.1:$(PORT) --data $(DATA) --dev

deps:
	scripts/deps.sh

# All tests: C unit tests (Check), then integration and browser tests against the real
# binary (node:test + playwright-core). The last line is the combined summary. Like `run`, it
# first installs what is missing (Debian test tools when root, npm packages), then builds in a
# second make so that pkg-config sees libraries the first step installed.
test:
	@scripts/deps.sh --quiet --test
	@$(MAKE) --no-print-directory test-only

test-only: $(B)/gazette $(B)/tests/run $(FUZZ:%=$(B)/tests/fuzz_%)
	@scripts/test.sh $(B)

# Fuzz targets: replayed over their committed corpora by `make test` (gcc, plain main());
# `make fuzz` runs each under libFuzzer (clang) for FUZZ_SECONDS and grows the corpus.
$(B)/tests/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(OBJ)
	@mkdir -p $(dir $@)
	@echo "LD $@"
	@$(CC) $(CFLAGS) -o $@ $< tests/fuzz/replay.c $(OBJ) $(LDLIBS) $(LDFLAGS)

FUZZ_SECONDS ?= 60
fuzz: $(OBJ)
	@mkdir -p build/fuzz
	for t in $(FUZZ); do \
	    clang $(CSTD) -g -O1 -fsanitize=fuzzer,address,undefined -Isrc -Ibuild/gen $(PKG_CFLAGS) \
	        -o build/fuzz/$$t tests/fuzz/fuzz_$$t.c $(SRC) $(B)/gen/*.c $(LDLIBS) && \
	    build/fuzz/$$t -max_total_time=$(FUZZ_SECONDS) tests/fuzz/corpus/$$t || exit 1; \
	done

$(B)/tests/run: $(TEST_SRC) $(OBJ) tests/unit/suites.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit -o $@ $(TEST_SRC) $(OBJ) $(LDLIBS) $(LDFLAGS) $$(pkg-config --libs check libbrotlidec)

# The same tests under AddressSanitizer + UndefinedBehaviorSanitizer.
san:
	$(MAKE) B=build/san OPT="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
	    LDFLAGS="-fsanitize=address,undefined" test

bench: $(B)/gazette
	bench/run.sh $(B)
	bench/pg.sh $(B)
	bench/align.sh $(B)

bench-pg: $(B)/gazette
	bench/pg.sh $(B)

bench-align: $(B)/gazette
	bench/align.sh $(B)

# Lighthouse (mobile) on home, story and 对照; fails below 95 in any category.
lighthouse: $(B)/gazette
	bench/lighthouse.sh $(B)

lint:
	tools/lint.sh

format:
	clang-format -i $$(git ls-files 'src/*.c' 'src/*.h' 'tests/*.c' 'tests/*.h' 'tools/*.c')

clean:
	rm -rf build
