#!/usr/bin/env bash
# Installs the tools `make test` needs that a fresh machine may lack. Skips what is already there.
set -euo pipefail
say() { printf 'install-tools: %s\n' "$*" >&2; }

rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt
rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy

# Debian's packages go in by one job in the background while the cargo tools below compile: the
# one waits on the network and the disk, the other on the CPU, and on a fresh machine each takes
# a good part of the install. apt's lock is that job's alone (Redis included, for the same reason).
apt_missing=()
command -v pg_isready >/dev/null 2>&1 || apt_missing+=(postgresql-client)
# ClickHouse for the reports' tests: Debian's server (18.16); the tests start their own instances.
command -v clickhouse-server >/dev/null 2>&1 || [ -x /usr/sbin/clickhouse-server ] || apt_missing+=(clickhouse-server)
# The web app's browser tests and `make run`'s edge: Debian's Chromium (driven by playwright-core;
# no browser is ever downloaded) and nginx. Node 20 and npm come with this kind of machine.
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || apt_missing+=(chromium)
# Russian for Chromium's own widgets (date and time inputs): the front desk's browsers are Russian.
[ -d /usr/lib/chromium/locales ] && ls /usr/lib/chromium/locales/ru.pak >/dev/null 2>&1 || apt_missing+=(chromium-l10n)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || apt_missing+=(nginx)
# The printed documents' tests read the PDFs back: pdftotext and pdftoppm (Debian's poppler-utils).
command -v pdftotext >/dev/null 2>&1 || apt_missing+=(poppler-utils)
# Redis: the services share ended sessions and the throttle's counters there (started below by
# ensure-redis.sh when 127.0.0.1:6379 does not answer).
command -v redis-server >/dev/null 2>&1 || bash "$(dirname "$0")/ensure-redis.sh" --answers \
  || apt_missing+=(redis-server)
# `make deploy-check` checks the alerts with promtool (Debian's prometheus; its recommends, the
# exporters, are not wanted).
apt_bare=()
command -v promtool >/dev/null 2>&1 || apt_bare+=(prometheus)
apt_job=
apt_log="${TMPDIR:-/tmp}/motorlog-install-apt.log"
apt_wanted=("${apt_missing[@]}" "${apt_bare[@]}")
if [ "${#apt_wanted[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing ${apt_wanted[*]} (Debian's packages, in the background; log: $apt_log)"
    (
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq
      [ "${#apt_missing[@]}" -eq 0 ] || apt-get install -y -qq "${apt_missing[@]}"
      [ "${#apt_bare[@]}" -eq 0 ] || apt-get install -y -qq --no-install-recommends "${apt_bare[@]}"
    ) >"$apt_log" 2>&1 &
    apt_job=$!
  else
    say "missing: ${apt_wanted[*]}; install them (Debian: apt-get install ${apt_wanted[*]})"
    exit 1
  fi
fi

# The web app's packages (npm ci, when the lock changed) likewise, beside the compiling.
web_log="${TMPDIR:-/tmp}/motorlog-install-web.log"
bash "$(dirname "$0")/web-deps.sh" >"$web_log" 2>&1 &
web_job=$!

if ! cargo sqlx --version 2>/dev/null | grep -q '0\.8\.6'; then
  say "installing sqlx-cli 0.8.6 (checks the committed .sqlx query data)"
  cargo install sqlx-cli --version 0.8.6 --locked --no-default-features --features postgres,rustls
fi

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
  cargo install tansu --locked --features "dynostore libsql"
fi

if [ -n "$apt_job" ]; then
  if ! wait "$apt_job"; then
    tail -n 30 "$apt_log" >&2
    say "installing ${apt_wanted[*]} failed (above)"
    exit 1
  fi
  say "Debian's packages are in"
fi
bash "$(dirname "$0")/ensure-redis.sh"
# Debian's nginx package starts a server on port 80 that nobody here uses.
if [ -x /usr/sbin/nginx ] && [ -f /run/nginx.pid ] && [ "$(id -u)" = 0 ]; then
  /usr/sbin/nginx -s quit 2>/dev/null || true
fi

if ! wait "$web_job"; then
  cat "$web_log" >&2
  exit 1
fi
