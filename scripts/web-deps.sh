#!/usr/bin/env bash
# web/node_modules exactly as package-lock.json says (`npm ci`), redone only when the lock changed.
set -euo pipefail
cd "$(dirname "$0")/../web"
say() { printf 'web-deps: %s\n' "$*" >&2; }
command -v node >/dev/null 2>&1 || { say "node is missing: install Node.js 20 or later"; exit 1; }
major=$(node -p 'process.versions.node.split(".")[0]')
[ "$major" -ge 20 ] || { say "Node.js $(node -v) is too old: the web tools need 20 or later"; exit 1; }
lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
stamp=node_modules/.motorlog-lock-sha256
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$lock_sum" ]; then
  exit 0
fi
say "npm ci (package-lock.json changed or node_modules is missing)"
npm ci --no-audit --no-fund --loglevel=error
echo "$lock_sum" > "$stamp"
