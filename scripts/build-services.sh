#!/usr/bin/env bash
# Builds every binary and example of the workspace, the one way every script and test builds them.
#
# Cargo resolves features per invocation: `-p command-api --bins` gives sqlx, axum and others other
# features than the test suite's build (which has dev-dependencies and the whole workspace in its
# resolution), so each differently-chosen set rebuilt the upper half of the tree. On a fresh machine
# `make test` did that six times over. With the whole workspace and its examples selected, the
# resolution is the test suite's own, so after `cargo test` this is a no-op and the other way round.
#
#   scripts/build-services.sh            target/debug/*
#   scripts/build-services.sh --release  target/release/*
set -euo pipefail
cd "$(dirname "$0")/.."
exec cargo build -q --workspace --bins --examples "$@"
