#!/usr/bin/env bash
# The web app's types come from the Rust side: the command API's OpenAPI document and the query
# API's GraphQL schema, printed by the binaries themselves, then turned into TypeScript.
#
#   scripts/web-schemas.sh          write web/schema/* and web/src/api/generated/* afresh
#   scripts/web-schemas.sh --check  fail (and change nothing) when any of them is stale
set -euo pipefail
cd "$(dirname "$0")/.."
check="${1:-}"
bash scripts/build-services.sh
generated=(web/schema/openapi.json web/schema/schema.graphql web/src/api/generated)
before=$(mktemp -d)
trap 'rm -rf "$before"' EXIT
for path in "${generated[@]}"; do
  [ -e "$path" ] && mkdir -p "$before/$(dirname "$path")" && cp -r "$path" "$before/$path"
done
mkdir -p web/schema
./target/debug/motorlog-command-api openapi > web/schema/openapi.json
./target/debug/motorlog-query-api sdl > web/schema/schema.graphql
(cd web && npm run -s codegen >/dev/null)
if [ "$check" = "--check" ]; then
  stale=0
  for path in "${generated[@]}"; do
    if ! diff -r "$before/$path" "$path" >/dev/null 2>&1; then
      echo "stale: $path (run scripts/web-schemas.sh and commit the result)"
      diff -r "$before/$path" "$path" | head -20 || true
      stale=1
    fi
  done
  # Leave the tree as it was: the check only reports.
  for path in "${generated[@]}"; do
    rm -rf "$path"
    [ -e "$before/$path" ] && cp -r "$before/$path" "$path"
  done
  [ "$stale" = 0 ] && echo "web: committed schemas and generated types are current"
  exit "$stale"
fi
