#!/usr/bin/env bash
# Installs the tools `make test` needs that a fresh machine may lack. Skips what is already there.
set -euo pipefail
say() { printf 'install-tools: %s\n' "$*" >&2; }

rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt
rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy

if ! cargo sqlx --version 2>/dev/null | grep -q '0\.8\.6'; then
  say "installing sqlx-cli 0.8.6 (checks the committed .sqlx query data)"
  cargo install sqlx-cli --version 0.8.6 --locked --no-default-features --features postgres,rustls
fi

if ! command -v pg_isready >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  say "installing the PostgreSQL client tools"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-client >/dev/null
fi

# Redis: the services share ended sessions and the throttle's counters there (installed and
# started when 127.0.0.1:6379 does not answer).
bash "$(dirname "$0")/ensure-redis.sh"

# The fuzzers of `make test`: cargo-fuzz (libFuzzer on stable Rust via RUSTC_BOOTSTRAP, see
# scripts/fuzz.sh) and schemathesis (PyPI, pinned, in a venv of its own; scripts/schemathesis.sh).
if ! command -v cargo-fuzz >/dev/null 2>&1; then
  say "installing cargo-fuzz (bounded fuzzing of the parsers and command bodies)"
  cargo install --locked cargo-fuzz
fi
st_venv="${XDG_DATA_HOME:-$HOME/.local/share}/motorlog/schemathesis-4.32.5"
if ! "$st_venv/bin/schemathesis" --version 2>/dev/null | grep -q '4\.32\.5'; then
  say "installing schemathesis 4.32.5 into $st_venv (fuzzes the command API's OpenAPI document)"
  python3 -m venv "$st_venv" && "$st_venv/bin/pip" install -q 'schemathesis==4.32.5'
fi

# A real S3-protocol server for the files' tests and `make run` (checks SigV4 signatures, so the
# presigned URLs are tested for real).
if ! s3s-fs --version 2>/dev/null | grep -q '0\.14\.1'; then
  say "installing s3s-fs 0.14.1 (S3-protocol server for photos and scans)"
  cargo install s3s-fs --version 0.14.1 --locked --features binary
fi

# A real SMTP server for the notifier's tests: Python's aiosmtpd (PyPI, pinned, in a venv of its own).
smtp_venv="${XDG_DATA_HOME:-$HOME/.local/share}/motorlog/aiosmtpd"
if ! "$smtp_venv/bin/python" -c 'import aiosmtpd, sys; sys.exit(aiosmtpd.__version__ != "1.4.6")' 2>/dev/null; then
  say "installing aiosmtpd 1.4.6 into $smtp_venv (SMTP server for the e-mail tests)"
  python3 -m venv "$smtp_venv" && "$smtp_venv/bin/pip" install -q 'aiosmtpd==1.4.6'
fi

# A real Kafka-protocol broker for the relay's tests (about 10 minutes to build, once), with its
# SQLite storage for the test that stops the broker and starts it again.
tansu_has_sqlite() {
  python3 - "${CARGO_HOME:-$HOME/.cargo}/.crates2.json" <<'PY' 2>/dev/null
import json, sys
installs = json.load(open(sys.argv[1]))["installs"]
sys.exit(0 if any(k.startswith("tansu ") and "libsql" in v.get("features", []) for k, v in installs.items()) else 1)
PY
}
if ! command -v tansu >/dev/null 2>&1 || ! tansu_has_sqlite; then
  say "installing tansu (Kafka-protocol broker for the relay tests)"
  cargo install tansu --locked --features "dynostore postgres libsql"
fi

# ClickHouse for the reports' tests: Debian's server (18.16); the tests start their own instances.
if ! command -v clickhouse-server >/dev/null 2>&1 && [ ! -x /usr/sbin/clickhouse-server ] \
   && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  say "installing clickhouse-server (Debian's package)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clickhouse-server >/dev/null
fi

# The web app's browser tests and `make run`'s edge: Debian's Chromium (driven by playwright-core;
# no browser is ever downloaded) and nginx. Node 20 and npm come with this kind of machine.
apt_missing=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || apt_missing+=(chromium)
# Russian for Chromium's own widgets (date and time inputs): the front desk's browsers are Russian.
[ -d /usr/lib/chromium/locales ] && ls /usr/lib/chromium/locales/ru.pak >/dev/null 2>&1 || apt_missing+=(chromium-l10n)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || apt_missing+=(nginx)
# The printed documents' tests read the PDFs back: pdftotext and pdftoppm (Debian's poppler-utils).
command -v pdftotext >/dev/null 2>&1 || apt_missing+=(poppler-utils)
if [ "${#apt_missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing ${apt_missing[*]} (Debian's packages)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${apt_missing[@]}" >/dev/null
  else
    say "missing: ${apt_missing[*]}; install them (Debian: apt-get install ${apt_missing[*]})"
    exit 1
  fi
fi
# Debian's nginx package starts a server on port 80 that nobody here uses.
if [ -x /usr/sbin/nginx ] && [ -f /run/nginx.pid ] && [ "$(id -u)" = 0 ]; then
  /usr/sbin/nginx -s quit 2>/dev/null || true
fi

bash "$(dirname "$0")/web-deps.sh"
