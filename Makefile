# Motorlog: `make run` starts the shop on this machine, `make test` runs the whole suite.
SHELL := /bin/bash
export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/postgres
# A scratch database for checking the committed .sqlx query data against the migrations.
SQLX_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/motorlog_sqlx
TEST_RUNNER := $(shell cargo nextest --version >/dev/null 2>&1 && echo "nextest run" || echo test)

.PHONY: test run fmt lint domain-purity sqlx-check sqlx-prepare postgres bench-append bench-commands bench-queries bench-replay

## The whole suite: formatting, lints, the SQL offline data, and every test of the workspace.
test: postgres fmt lint domain-purity sqlx-check
	cargo $(TEST_RUNNER) --workspace
	@if [ -z "$$MEILI_URL" ]; then echo "Meilisearch tests: SKIPPED (MEILI_URL is not set; set it to a Meilisearch server to run them)"; fi

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

## Fails when a query changed without `make sqlx-prepare`.
sqlx-check: postgres
	DATABASE_URL=$(SQLX_DATABASE_URL) cargo sqlx database reset -y --source migrations >/dev/null
	DATABASE_URL=$(SQLX_DATABASE_URL) cargo sqlx prepare --workspace --check -- --all-targets

## Refreshes .sqlx/ after a query or migration changed; commit the result.
sqlx-prepare: postgres
	DATABASE_URL=$(SQLX_DATABASE_URL) cargo sqlx database reset -y --source migrations >/dev/null
	DATABASE_URL=$(SQLX_DATABASE_URL) cargo sqlx prepare --workspace -- --all-targets

## The shop on 127.0.0.1 with demo data: auth and command API; prints URLs and demo logins.
run:
	@bash scripts/run.sh

## Append throughput vs raw INSERT and postgres-es, read_all rate and memory over 1M events.
bench-append: postgres
	cargo bench -p event-store --bench append

## 8 concurrent clients adding labour lines over HTTP vs raw INSERT, with p99 latency.
bench-commands: postgres
	cargo bench -p command-api --bench commands

## 1M clients / 100k work orders generated, every read model rebuilt, board and search p99 over GraphQL.
bench-queries: postgres
	cargo bench -p query-api --bench queries

## 1M generated events: every read model and the ClickHouse facts rebuilt beside the live ones, the
## Kafka relay over the whole log, vs read_all; the rebuild's peak memory, then again over 5M events
## (BENCH_EVENTS_LARGE; 0 skips it) to show it does not grow with the log.
bench-replay: postgres
	BENCH_EVENTS_LARGE=$${BENCH_EVENTS_LARGE-5000000} cargo bench -p replay-tool --bench replay
