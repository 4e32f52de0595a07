# The two commands a new machine needs: `make run` and `make test`.
BUILD      ?= build
ASAN_BUILD ?= build-asan
DATA       ?= reel-data
DEMO       ?= demo-library
LISTEN     ?= 127.0.0.1:8600
JOBS       ?= $(shell nproc)
rparen     := )
CMAKE_FLAGS ?=
PREFIX     ?= /usr/local

.PHONY: all deps web build run demo test test-fast test-asan fuzz bench fmt fmt-check clean \
	install deb package-test

all: build

deps:
	@scripts/deps.sh

# hls.js, pinned in package-lock.json, copied into the served folder.
web: deps
	@[ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund
	@node scripts/web-vendor.mjs

build: deps web
	@cmake -S . -B $(BUILD) -DREEL_WERROR=$(if $(CI),ON,OFF) $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

demo: deps
	@scripts/gen-media.sh $(DEMO)

# Starts the server on the demo library unless REEL_LIBRARY names one.
run: build
	@scripts/run.sh $(BUILD)/reel $(DATA) $(DEMO) $(LISTEN)

test: test-fast test-asan

test-fast: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-asan: deps web
	@cmake -S . -B $(ASAN_BUILD) -DREEL_SANITIZE=ON -DREEL_WERROR=$(if $(CI),ON,OFF) \
		-DCMAKE_BUILD_TYPE=Debug >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)
	@cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j $(JOBS)

# Every parser of outside input under libFuzzer with ASan+UBSan, for FUZZ_SECONDS each:
# fuzz/<name>.c with the sources it needs.
FUZZ_SECONDS ?= 15
FUZZ_CC = clang -g -O1 -Isrc -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined
FUZZ_TARGETS = range name route segment profile options progress config link ass
FUZZ_range = src/http/range.c src/core/str.c
FUZZ_name = src/library/name.c src/library/subname.c
FUZZ_route = src/http/route.c
FUZZ_segment = src/hls/segname.c src/core/str.c
FUZZ_profile = src/api/profile.c src/playback/profile.c -ljansson
FUZZ_options = src/api/input.c src/api/profile.c src/playback/profile.c src/progress/rules.c \
	src/store/prefs.c \
	src/core/str.c -ljansson -lm
FUZZ_progress = $(FUZZ_options)
FUZZ_config = src/core/config.c src/core/buf.c
FUZZ_link = src/auth/link.c src/core/str.c -lsodium
FUZZ_ass = src/library/ass.c src/hls/vtt.c src/core/str.c src/core/buf.c -lm
fuzz: deps
	@mkdir -p $(BUILD)/fuzz
	@for f in $(FUZZ_TARGETS); do \
		case $$f in $(foreach t,$(FUZZ_TARGETS),$(t)$(rparen) srcs="$(FUZZ_$(t))";;) esac; \
		$(FUZZ_CC) fuzz/$$f.c $$srcs -o $(BUILD)/fuzz/$$f || exit 1; \
		mkdir -p $(BUILD)/fuzz/corpus-$$f && \
		echo "fuzz $$f: $$($(BUILD)/fuzz/$$f -max_total_time=$(FUZZ_SECONDS) -max_len=1024 \
			$(BUILD)/fuzz/corpus-$$f fuzz/corpus/$$f 2>&1 | tail -1)" || exit 1; \
	done

# The binary into $(PREFIX)/bin and the web app into $(PREFIX)/share/reel/web, where the
# binary looks for it; DESTDIR stages the tree elsewhere, as packagers do.
install: build
	@DESTDIR="$(DESTDIR)" cmake --install $(BUILD) --prefix $(PREFIX)

# The Debian package (debian/): the server, the web app, reel.service and
# /etc/reel/reel.conf, into $(BUILD)/deb. dpkg-buildpackage writes beside the tree, so the
# files are moved from there.
deb: deps web
	@mkdir -p $(BUILD)/deb
	@dpkg-buildpackage -us -uc -b >$(BUILD)/deb.log 2>&1 || { tail -30 $(BUILD)/deb.log; exit 1; }
	@mv ../reel_*.deb ../reel_*.buildinfo ../reel_*.changes $(BUILD)/deb/
	@ls $(BUILD)/deb/*.deb

# Installs that package (as root), starts the installed binary the way its unit does, plays
# a file through it, then purges it.
package-test: deb
	@tests/package/test_package.py $(BUILD)/deb/reel_*.deb

bench: build
	@scripts/deps.sh --bench
	@for b in bench/*.sh; do echo "== $$b"; $$b $(BUILD) || exit 1; done

# The JavaScript, CSS and HTML go through Prettier, and the JavaScript through ESLint, both
# pinned in package-lock.json.
WEB_FILES = 'web/*.js' 'web/*.css' 'web/*.html' 'tests/e2e/*.mjs' 'scripts/*.mjs' 'bench/*.mjs' \
	eslint.config.mjs

fmt: web
	@git ls-files '*.c' '*.h' | xargs clang-format -i
	@node_modules/.bin/prettier --log-level warn --write $(WEB_FILES)

fmt-check: web
	@git ls-files '*.c' '*.h' | xargs clang-format --dry-run --Werror
	@node_modules/.bin/prettier --check --log-level warn $(WEB_FILES)
	@node_modules/.bin/eslint --max-warnings 0 .

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
