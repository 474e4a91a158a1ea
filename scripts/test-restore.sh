#!/usr/bin/env bash
# The backup test (`make deploy-check`): a shop restored into an empty database ends equal to the
# one it was backed up from.
#
#   1. a source database: migrated, the auth service, the command API and the projector started
#      as their roles on free ports, the demo shop (command-api/examples/seed_demo) entered through
#      the APIs, the projector waited for until every read model holds the whole log;
#   2. scripts/backup.sh of the source, scripts/restore.sh into a database that did not exist;
#   3. every table of the log, the key store and the command API (`public`, `auth`, `command_api`,
#      less the snapshot cache) and every table and view of the read models (`read`), plus each
#      projector's checkpoint position, compared row for row between the two.
# Any difference fails it. TEST_RESTORE_SKIP_REBUILD=1 restores without rebuilding the read
# models, which must fail (the read models are empty): the test can tell.
# Bounded: each wait has a limit; the databases and processes it made are removed on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf 'test-restore: %s\n' "$*"; }
server_url="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
server_url="${server_url%/*}"
src="motorlog_restore_src_$$" dst="motorlog_restore_dst_$$"
work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  for db in "$src" "$dst"; do
    psql "$server_url/postgres" -Xq -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

bash scripts/ensure-postgres.sh >/dev/null
bash scripts/ensure-redis.sh >/dev/null
timeout 1800 bash scripts/build-services.sh
bin=target/debug

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
role_url() { echo "${server_url%%://*}://$1@${server_url#*@}/$src"; }

# 1. The source shop.
psql "$server_url/postgres" -Xq -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"$src\""
MIGRATE_DATABASE_URL="$server_url/$src" "$bin/motorlog-migrate" >/dev/null
auth_port=$(free_port) command_port=$(free_port) projector_port=$(free_port)
export MOTORLOG_REDIS_PREFIX="motorlog-test-restore:$$:"
export MOTORLOG_OWNER_EMAIL=owner@restore.test MOTORLOG_DEMO_PASSWORD="restore-$$-$RANDOM$RANDOM"
export MOTORLOG_OWNER_PASSWORD="$MOTORLOG_DEMO_PASSWORD"
# One master key for this run, shared by the services and the restore's rebuild, as a shop's is.
export MOTORLOG_MASTER_KEY="restore:$(head -c32 /dev/urandom | base64)"
export AUTH_URL="http://127.0.0.1:$auth_port" COMMAND_API_URL="http://127.0.0.1:$command_port"
AUTH_LISTEN="127.0.0.1:$auth_port" AUTH_DATABASE_URL="$(role_url motorlog_auth)" \
  "$bin/motorlog-auth" serve >"$work/auth.log" 2>&1 & pids+=($!)
COMMAND_API_LISTEN="127.0.0.1:$command_port" COMMAND_API_DATABASE_URL="$(role_url motorlog_command)" \
  "$bin/motorlog-command-api" >"$work/command-api.log" 2>&1 & pids+=($!)
PROJECTOR_LISTEN="127.0.0.1:$projector_port" PROJECTOR_DATABASE_URL="$(role_url motorlog_projector)" \
  "$bin/motorlog-projector" >"$work/projector.log" 2>&1 & pids+=($!)
for url in "$AUTH_URL/health" "$COMMAND_API_URL/health" "http://127.0.0.1:$projector_port/health"; do
  for _ in $(seq 1 120); do curl -fsS "$url" >/dev/null 2>&1 && break; sleep 0.5; done
  curl -fsS "$url" >/dev/null || { say "$url does not answer"; tail -n 20 "$work"/*.log; exit 1; }
done
timeout 300 "$bin/examples/seed_demo" >"$work/seed.log" 2>&1 ||
  { say "seeding the demo shop failed"; tail -n 30 "$work/seed.log"; exit 1; }

# Every projector at the log's head (and none stopped on a failure).
caught_up=0
for _ in $(seq 1 240); do
  state=$(psql "$server_url/$src" -XAtq -c "
    SELECT count(*) FILTER (WHERE global_position < (SELECT coalesce(max(global_position), 0) FROM events))
           || ' ' || count(*) || ' ' || count(failed_error)
      FROM projections.checkpoints")
  read -r behind total failed <<<"$state"
  if [ "$failed" != 0 ]; then say "a projector failed on the source"; tail -n 20 "$work/projector.log"; exit 1; fi
  if [ "$total" -gt 0 ] && [ "$behind" = 0 ]; then caught_up=1; break; fi
  sleep 0.5
done
[ "$caught_up" = 1 ] || { say "the projector did not catch up within 2 minutes"; exit 1; }
for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
wait 2>/dev/null || true
pids=()
events=$(psql "$server_url/$src" -XAtq -c "SELECT count(*) FROM events")
say "source: $events events, $total projectors at the head"

# 2. Back up, restore into a database that does not exist yet.
BACKUP_DATABASE_URL="$server_url/$src" bash scripts/backup.sh "$work/backup"
restore_args=()
[ "${TEST_RESTORE_SKIP_REBUILD:-0}" = 1 ] && restore_args+=(--no-rebuild)
RESTORE_DATABASE_URL="$server_url/$dst" MOTORLOG_BIN_DIR="$PWD/$bin" \
  timeout 600 bash scripts/restore.sh "$work/backup" "${restore_args[@]}" 2>"$work/restore.log" ||
  { say "restore failed"; tail -n 30 "$work/restore.log"; exit 1; }

# 3. Row for row. Each relation's rows as text, sorted, so neither the order on disk nor the
# order of a rebuild matters.
relations=$(psql "$server_url/$src" -XAtq -c "
  SELECT format('%I.%I', table_schema, table_name) FROM information_schema.tables
   WHERE table_schema IN ('public', 'auth', 'command_api', 'keys', 'read')
     AND (table_schema, table_name) NOT IN (('public', 'snapshots'), ('public', '_sqlx_migrations'))
   ORDER BY 1")
dump_rows() { psql "$server_url/$1" -XAtq -v ON_ERROR_STOP=1 -c "COPY (SELECT r::text FROM $2 r ORDER BY 1) TO STDOUT"; }
differ=0 compared=0 rows=0
for relation in $relations projections.checkpoints; do
  if [ "$relation" = projections.checkpoints ]; then
    # A checkpoint's transaction id and time are the server's, not the log's: its position is what
    # must agree.
    query="(SELECT projector, global_position FROM projections.checkpoints)"
  else
    query="$relation"
  fi
  dump_rows "$src" "$query" >"$work/a" || { say "cannot read $relation in the source"; exit 1; }
  dump_rows "$dst" "$query" >"$work/b" || { say "cannot read $relation in the restore"; differ=$((differ + 1)); continue; }
  compared=$((compared + 1)); rows=$((rows + $(wc -l <"$work/a")))
  if ! cmp -s "$work/a" "$work/b"; then
    differ=$((differ + 1))
    say "DIFFERS: $relation: $(wc -l <"$work/a") rows in the source, $(wc -l <"$work/b") restored"
    diff "$work/a" "$work/b" | head -n 6 | sed 's/^/    /' || true
  fi
done
if [ "$differ" -gt 0 ]; then
  say "FAILED: $differ of $compared relations differ after backup and restore"; exit 1
fi
[ "$rows" -gt "$events" ] || { say "FAILED: only $rows rows compared: the demo shop is missing"; exit 1; }
say "ok: $compared relations ($rows rows, $events events) equal after backup, restore and rebuild"
