#!/usr/bin/env bash
# The cargo-fuzz targets in fuzz/, each for a bounded time: the value parsers (VIN, plate, phone,
# e-mail, INN/KPP/OGRN/BIK, codes, norm-hours, quantities, percentages, rounding) and every command
# body read as the command API reads it, then decided. A panic anywhere fails the run and leaves
# the input in fuzz/artifacts/<target>/ (replay: scripts/fuzz.sh <target> fuzz/artifacts/<target>/crash-…).
#
# libFuzzer needs nightly compiler flags; RUSTC_BOOTSTRAP=1 lets the stable toolchain take them.
# No sanitizer (a safe-Rust crate gains little from ASan and builds much faster without it); debug
# assertions on, so an arithmetic overflow is a panic here as it is in the tests.
#
#   scripts/fuzz.sh                      every target, FUZZ_SECONDS (20) each
#   FUZZ_SECONDS=600 scripts/fuzz.sh     longer
#   scripts/fuzz.sh command_bodies       one target
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf 'fuzz: %s\n' "$*" >&2; }

command -v cargo-fuzz >/dev/null 2>&1 || cargo install --locked cargo-fuzz
# Seeds for the command bodies from the command API's own document.
bash scripts/build-services.sh
"${CARGO_TARGET_DIR:-target}/debug/motorlog-command-api" openapi | python3 fuzz/seeds.py
export RUSTC_BOOTSTRAP=1
# The command API's queries are checked against the committed .sqlx data, never a live database.
export SQLX_OFFLINE=true
export SQLX_OFFLINE_DIR="$PWD/.sqlx"
unset DATABASE_URL
seconds="${FUZZ_SECONDS:-20}"
runs="${FUZZ_RUNS:-2000000}"
# Unoptimised (--dev): the targets pull in the command API's whole dependency tree, which a release
# build takes most of half an hour to compile on a 2-core machine; unoptimised, a fraction of that,
# and still tens of thousands of runs in the bounded time.
flags=(--dev --sanitizer none --debug-assertions --fuzz-dir fuzz)

if [ "$#" -ge 2 ]; then
  exec cargo fuzz run "${flags[@]}" "$1" "$2"
fi
targets=("$@")
[ "${#targets[@]}" -gt 0 ] || mapfile -t targets < <(cargo fuzz list --fuzz-dir fuzz)

cargo fuzz build "${flags[@]}"
for target in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$target"
  say "$target: $seconds s or $runs runs"
  seed_dirs=("fuzz/corpus/$target")
  [ -d "fuzz/seeds/$target" ] && seed_dirs+=("fuzz/seeds/$target")
  if ! cargo fuzz run "${flags[@]}" "$target" "${seed_dirs[@]}" -- \
      -max_total_time="$seconds" -runs="$runs" -max_len=4096 -timeout=10 -rss_limit_mb=1024 \
      -print_final_stats=1 >"fuzz/$target.log" 2>&1; then
    tail -n 60 "fuzz/$target.log" >&2
    say "$target: FAILED (the input is in fuzz/artifacts/$target/; the log in fuzz/$target.log)"
    exit 1
  fi
  grep -E '^stat::number_of_executed_units' "fuzz/$target.log" | sed "s/^/fuzz: $target: /" >&2 || true
done
say "no panic in ${targets[*]}"
