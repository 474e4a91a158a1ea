#!/usr/bin/env bash
# `make deploy-check`: deploy/ is valid as committed.
#   - Prometheus's scrape config and alert rules, and the rules' unit tests (promtool, Debian's
#     `prometheus` package);
#   - every motorlog_* metric the alerts and dashboards use is one a service exports (named in a
#     crate's sources), so an alert cannot watch a metric that never comes;
#   - the Grafana dashboards are JSON;
#   - the compose file (`docker compose config`, when a docker CLI with compose is present: images
#     cannot be pulled on every machine, so nothing is started);
#   - backup and restore: scripts/test-restore.sh.
# Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
deploy="${DEPLOY_DIR:-deploy}"
say() { printf 'deploy-check: %s\n' "$*"; }

if ! command -v promtool >/dev/null 2>&1; then
  say "promtool is missing: installing Debian's prometheus package"
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && apt-get install -y -qq --no-install-recommends prometheus >/dev/null
  else
    say "not root: install it with apt-get install prometheus"; exit 1
  fi
fi
promtool check config "$deploy/prometheus/prometheus.yml"
promtool check rules "$deploy/prometheus/alerts.yml"
# Each alert fires on the series it is meant for (deploy/prometheus/alerts.test.yml).
promtool test rules "$deploy/prometheus/alerts.test.yml"

# Metric names used by the alerts and dashboards, without the _bucket/_sum/_count a histogram adds.
used=$(grep -ohE 'motorlog_[a-z0-9_]+' "$deploy/prometheus/alerts.yml" "$deploy"/grafana/dashboards/*.json |
  sed -E 's/_(bucket|sum|count)$//' | sort -u)
missing=()
for metric in $used; do
  grep -rqF "\"$metric\"" --include='*.rs' telemetry auth command-api query-api projections event-store replay-tool personal-data notifier file-store documents ||
    missing+=("$metric")
done
if [ "${#missing[@]}" -gt 0 ]; then
  say "metrics used in $deploy but exported by no service: ${missing[*]}"; exit 1
fi
say "metrics used by alerts and dashboards, all exported: $(echo $used | wc -w)"

# Every variable the compose file gives a Motorlog binary is one the code reads (a renamed setting
# would otherwise be ignored in silence); VAR_FILE is the image entrypoint's way of setting VAR,
# except MOTORLOG_MASTER_KEYS_FILE, which the services read as a path themselves (personal-data).
python3 - "$deploy/docker-compose.yml" <<'PY' >"${TMPDIR:-/tmp}/deploy-check-env.$$"
import sys, yaml
compose = yaml.safe_load(open(sys.argv[1]))
for name, service in compose["services"].items():
    if "motorlog" not in str(service.get("image", "")) or "web" in str(service.get("image", "")):
        continue
    for variable in service.get("environment", {}):
        own = variable == "MOTORLOG_MASTER_KEYS_FILE"
        print(name, variable[:-5] if variable.endswith("_FILE") and not own else variable)
PY
unread=()
while read -r service variable; do
  case "$variable" in PGPASSWORD|RUST_LOG) continue ;; esac  # read by sqlx and by tracing's filter
  grep -rqF "\"$variable\"" --include='*.rs' telemetry auth command-api query-api projections event-store replay-tool personal-data notifier file-store documents ||
    unread+=("$service:$variable")
done <"${TMPDIR:-/tmp}/deploy-check-env.$$"
rm -f "${TMPDIR:-/tmp}/deploy-check-env.$$"
if [ "${#unread[@]}" -gt 0 ]; then
  say "variables in $deploy/docker-compose.yml that no binary reads: ${unread[*]}"; exit 1
fi
say "compose: every service variable is one a binary reads"

for dashboard in "$deploy"/grafana/dashboards/*.json; do
  python3 -m json.tool "$dashboard" >/dev/null || { say "$dashboard is not JSON"; exit 1; }
done
say "grafana dashboards: JSON"

compose=()
if command -v docker >/dev/null 2>&1 && docker compose version >/dev/null 2>&1; then
  compose=(docker compose)
elif command -v docker-compose >/dev/null 2>&1; then
  compose=(docker-compose)
fi
if [ "${#compose[@]}" -gt 0 ]; then
  "${compose[@]}" -f "$deploy/docker-compose.yml" config -q
  say "docker compose config: OK (${compose[*]})"
elif command -v docker >/dev/null 2>&1; then
  say "docker compose config: SKIPPED (docker CLI without compose; Debian: apt-get install docker-compose)"
else
  say "docker compose config: SKIPPED (no docker CLI)"
fi

if [ "${DEPLOY_CHECK_RESTORE:-1}" = 1 ]; then
  bash scripts/test-restore.sh
fi
