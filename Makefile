# Motorlog: `make run` starts the shop on this machine, `make test` runs the whole suite.
SHELL := /bin/bash
export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/postgres
# A scratch database for checking the committed .sqlx query data against the migrations.
SQLX_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/motorlog_sqlx
TEST_RUNNER := $(shell cargo nextest --version >/dev/null 2>&1 && echo "nextest run" || echo test)

.PHONY: test run migrate tools fmt lint domain-purity sqlx-check sqlx-prepare postgres redis web-schemas web-check \
	web-build web-e2e api-fuzz fuzz soak bench-append bench-commands bench-tokens bench-queries bench-stock bench-planning bench-replay bench-web \
	bench-documents documents-pictures

## The whole suite: formatting, lints, the SQL offline data, every test of the workspace, the web
## app's generated types, unit tests and browser tests. Installs what it needs first. Each step
## says when it starts, so a slow run (CI stops at 90 minutes) shows where its time went.
test: tools postgres redis
	$(call started,checks)
	@$(MAKE) --no-print-directory fmt lint domain-purity sqlx-check web-check
	$(call started,the workspace's tests)
	cargo $(TEST_RUNNER) --workspace
	$(call started,the fuzzers)
	$(MAKE) --no-print-directory api-fuzz fuzz
	$(call started,the deployment check)
	$(MAKE) --no-print-directory deploy-check
	@if [ -z "$$MEILI_URL" ]; then echo "Meilisearch tests: SKIPPED (MEILI_URL is not set; set it to a Meilisearch server to run them)"; fi
	$(call started,the browser tests)
	$(MAKE) --no-print-directory web-e2e
	$(call started,nothing more: done)

started = @echo "make test: $(1), $$(date -u '+%H:%M:%S UTC')"

## A busy shop for SOAK_MINUTES (default 5) through the deployed binaries: nothing lost, memory
## flat, p99s per quarter reported (tests/tests/shop/soak.rs). Not part of `make test`.
soak: postgres redis
	SOAK_MINUTES=$${SOAK_MINUTES:-5} cargo test -p motorlog-tests --test shop -- --ignored --exact soak::soak --nocapture

## What `make test` and `make run` need and a fresh machine lacks (each step skipped when present).
tools:
	@bash scripts/install-tools.sh

fmt:
	cargo fmt --all --check

lint:
	cargo clippy --workspace --all-targets -- -D warnings

## The domain stays pure: no database, runtime or HTTP crate anywhere in its dependency tree.
domain-purity:
	@if cargo tree -p aggregates -e normal --prefix none | grep -E '^(sqlx|tokio|axum|hyper|reqwest|rdkafka)[ -]'; then \
	  echo "aggregates/ must not depend on I/O crates (above)"; exit 1; \
	else echo "aggregates/: no I/O crates in its dependency tree"; fi

postgres:
	@bash scripts/ensure-postgres.sh

## The services' shared state (ended sessions, throttle and rate-limit counters): a local Redis.
redis:
	@bash scripts/ensure-redis.sh

## deploy/ as committed: promtool on the scrape config and alert rules (Debian's prometheus,
## installed when missing), the alerts' and dashboards' metrics exported by the services, the
## Grafana JSON, `docker compose config` when a docker CLI is present; then a backup restored
## into an empty database ends equal to its source, table by table (scripts/test-restore.sh).
.PHONY: deploy-check
deploy-check: postgres redis
	@bash scripts/check-deploy.sh

## Fails when a query changed without `make sqlx-prepare`.
sqlx-check: postgres
	DATABASE_URL=$(SQLX_DATABASE_URL) cargo sqlx database reset -y --source migrations >/dev/null
	DATABASE_URL=$(SQLX_DATABASE_URL) cargo sqlx prepare --workspace --check -- --all-targets

## Refreshes .sqlx/ after a query or migration changed; commit the result.
sqlx-prepare: postgres
	DATABASE_URL=$(SQLX_DATABASE_URL) cargo sqlx database reset -y --source migrations >/dev/null
	DATABASE_URL=$(SQLX_DATABASE_URL) cargo sqlx prepare --workspace -- --all-targets

## The shop on 127.0.0.1 with demo data: the web app at http://127.0.0.1:8080 behind nginx, the
## four services behind it; prints the address and the demo logins.
run: tools
	@bash scripts/run.sh

## Migrations as their own step, as the database owner (MIGRATE_DATABASE_URL, else the database of
## `make run`): the schema, then one role per service granted only what it needs. `make run` runs it;
## a deployment runs it before starting new services, which no longer migrate.
migrate: postgres
	@bash scripts/build-services.sh
	MIGRATE_DATABASE_URL="$${MIGRATE_DATABASE_URL:-$${MOTORLOG_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/motorlog}}" \
	  "$${CARGO_TARGET_DIR:-target}/debug/motorlog-migrate"

## Schemathesis against the command API's /openapi.json with real tokens (a fresh database, the auth
## service and the command API on 127.0.0.1): no 5xx, every answer as the document says. Bounded:
## ST_EXAMPLES cases per operation (25), ST_TIME seconds per role (150).
api-fuzz: postgres redis
	@bash scripts/schemathesis.sh

## The cargo-fuzz targets in fuzz/ (value parsers; every command body read and decided), FUZZ_SECONDS
## each (20): no panic. Stable Rust with RUSTC_BOOTSTRAP=1; fuzz/ is not a workspace member.
fuzz:
	@bash scripts/fuzz.sh

## Writes web/schema/* from the binaries and the TypeScript generated from them; commit the result.
web-schemas:
	@bash scripts/web-schemas.sh

## The committed schemas and generated types are current; the app type-checks; its unit tests pass.
web-check:
	@bash scripts/web-deps.sh
	@bash scripts/web-schemas.sh --check
	cd web && npm run -s typecheck && npm test

web-build:
	@bash scripts/web-deps.sh
	cd web && npm run -s build

## The browser tests: Debian's Chromium against the real services behind the real nginx.
web-e2e: postgres web-build
	@bash scripts/build-services.sh
	cd web && npm run -s e2e -- --reporter=default --reporter=json --outputFile=../target/web-e2e.json
	@node -e 'const r=require("./target/web-e2e.json"); console.log("web-e2e: " + r.numPassedTests + " passed, " + r.numFailedTests + " failed")'

## Append throughput vs raw INSERT and postgres-es, read_all rate and memory over 1M events.
bench-append: postgres
	cargo bench -p event-store --bench append

## 8 concurrent clients adding labour lines over HTTP vs raw INSERT, with p99 latency.
bench-commands: postgres redis
	cargo bench -p command-api --bench commands

## Access tokens verified per second on one core (every request's first check), against
## jsonwebtoken's decode alone with the same key.
bench-tokens: postgres
	cargo bench -p auth --bench tokens

## 1M clients / 100k work orders generated, every read model rebuilt, board and search p99 over GraphQL,
## and a command read back with its position (read-your-writes).
bench-queries: postgres redis
	cargo bench -p query-api --bench queries

## 50k parts and 1M stock movements loaded straight into the read models; the stock list and a
## month's margin leaks, p99 over GraphQL against { __typename } and the empty stock list.
bench-stock: postgres redis
	cargo bench -p query-api --bench stock

## A month of one shop's capacity (10 mechanics, 8 bays, a month of appointments made through the
## command API), p99 over GraphQL against { __typename } and one day.
bench-planning: postgres redis
	cargo bench -p query-api --bench planning

## 1M generated events: every read model and the ClickHouse facts rebuilt beside the live ones, the
## Kafka relay over the whole log, vs read_all; the rebuild's peak memory, then again over 5M events
## (BENCH_EVENTS_LARGE; 0 skips it) to show it does not grow with the log.
bench-replay: postgres
	BENCH_EVENTS_LARGE=$${BENCH_EVENTS_LARGE-5000000} cargo bench -p replay-tool --bench replay

## The four printed documents typeset warm (median of BENCH_DOCUMENTS_RUNS after warm-up) beside
## the process's first, cold render. Needs no database.
bench-documents:
	cargo bench -q -p documents --bench documents

## The README's pictures of the printed documents (poppler's pdftoppm) from the demo visit.
documents-pictures:
	cargo run -q -p documents --example samples -- target/documents
	for d in order act invoice receipt; do \
		pdftoppm -png -r 60 -singlefile target/documents/$$d.pdf docs/documents/$$d; done

## The board drawn in headless Chromium for 200 active orders against its GraphQL query alone,
## the order card, and the gzipped JavaScript.
bench-web: postgres web-build
	@bash scripts/build-services.sh
	rm -f target/bench-web.txt
	cd web && npm run -s bench
	@cat target/bench-web.txt 2>/dev/null || { echo "bench web: did not run (see above)"; exit 1; }
