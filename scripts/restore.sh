#!/usr/bin/env bash
# Restores a backup of scripts/backup.sh into an empty database and rebuilds every read model.
#
#   scripts/restore.sh BACKUP_DIR [--no-rebuild]
#
# RESTORE_DATABASE_URL names the database to restore into, as the server's owner (a superuser, or
# a role with CREATEDB and CREATEROLE); default: `make run`'s postgres://postgres@127.0.0.1:5432/motorlog.
# It is created when missing; one that already holds events is refused (a restore never merges).
#
#   1. motorlog-migrate: the schema, the services' roles and grants (role passwords from
#      AUTH_DATABASE_PASSWORD etc., as in a deployment);
#   2. the schema's migrations must be the backup's, version and checksum (restore with the
#      release that made the backup, then upgrade by running the newer release's migrate);
#   3. pg_restore of the log, the key store and the command API's records, in one transaction;
#      the event count is checked against the backup's manifest;
#   4. motorlog-replay rebuild all: every PostgreSQL read model from the log; then clickhouse_facts
#      when CLICKHOUSE_URL is set and meilisearch when MEILI_URL is set. `--no-rebuild` leaves the
#      read models empty for the projector service to fill from position 0 when it starts.
#
# The rebuild reads personal data, sealed in the log: it needs the shop's master keys
# (MOTORLOG_MASTER_KEYS_FILE or MOTORLOG_MASTER_KEY), which a backup never holds. Without them the
# data keys in the restored key store unwrap for no one.
#
# The binaries come from MOTORLOG_BIN_DIR, else PATH (the image), else target/release or
# target/debug of this checkout (built first when missing, as `make migrate` does).
set -euo pipefail
backup="${1:?usage: restore.sh BACKUP_DIR [--no-rebuild]}"
rebuild=1
case "${2:-}" in
  "") ;;
  --no-rebuild) rebuild=0 ;;
  *) echo "restore: unknown option $2" >&2; exit 2 ;;
esac
url="${RESTORE_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/motorlog}"
say() { printf 'restore: %s\n' "$*" >&2; }
for file in motorlog.dump migrations.txt manifest.txt; do
  [ -s "$backup/$file" ] || { say "$backup/$file is missing: not a backup of scripts/backup.sh"; exit 1; }
done
for tool in pg_restore psql; do
  command -v "$tool" >/dev/null || { say "$tool is missing (Debian: apt-get install postgresql-client)"; exit 1; }
done

if [ "$rebuild" = 1 ] && [ -z "${MOTORLOG_MASTER_KEYS_FILE:-}" ] && [ -z "${MOTORLOG_MASTER_KEY:-}" ]; then
  say "the rebuild needs the shop's master keys: set MOTORLOG_MASTER_KEYS_FILE (or use --no-rebuild)"
  exit 1
fi

repo="$(cd "$(dirname "$0")/.." && pwd)"
binary() {
  if [ -n "${MOTORLOG_BIN_DIR:-}" ]; then echo "$MOTORLOG_BIN_DIR/$1"
  elif command -v "$1" >/dev/null 2>&1; then command -v "$1"
  elif [ -x "$repo/target/release/$1" ]; then echo "$repo/target/release/$1"
  else
    [ -x "$repo/target/debug/$1" ] ||
      bash "$repo/scripts/build-services.sh" >&2
    echo "$repo/target/debug/$1"
  fi
}
migrate_bin="$(binary motorlog-migrate)"
replay_bin="$(binary motorlog-replay)"

# The database, on a connection to the server's `postgres` database.
database="${url##*/}"; database="${database%%\?*}"
server="${url%/*}/postgres"
exists=$(psql "$server" -XAtq -v ON_ERROR_STOP=1 \
  -c "SELECT count(*) FROM pg_database WHERE datname = '${database//\'/\'\'}'")
if [ "$exists" = 0 ]; then
  psql "$server" -Xq -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"${database//\"/\"\"}\""
  say "database $database created"
else
  has_log=$(psql "$url" -XAtq -c "SELECT to_regclass('public.events') IS NOT NULL" 2>/dev/null || echo f)
  if [ "$has_log" = t ] && [ "$(psql "$url" -XAtq -c 'SELECT EXISTS (SELECT 1 FROM events)')" = t ]; then
    say "database $database already holds events: restore into an empty database"; exit 1
  fi
fi

MIGRATE_DATABASE_URL="$url" "$migrate_bin" >&2

psql "$url" -XAtq -v ON_ERROR_STOP=1 \
  -c "SELECT version || ' ' || encode(checksum, 'hex') FROM _sqlx_migrations WHERE success ORDER BY version" \
  > "$backup/.restore-migrations.txt"
if ! diff -u "$backup/migrations.txt" "$backup/.restore-migrations.txt" >&2; then
  rm -f "$backup/.restore-migrations.txt"
  say "this release's migrations (+) are not the backup's (-): restore with the release that made it"
  exit 1
fi
rm -f "$backup/.restore-migrations.txt"

pg_restore --dbname="$url" --data-only --no-owner --no-privileges --single-transaction \
  --exit-on-error "$backup/motorlog.dump"
want=$(awk '$1 == "events" {print $2}' "$backup/manifest.txt")
got=$(psql "$url" -XAtq -c "SELECT count(*) FROM events")
if [ "$want" != "$got" ]; then
  say "the log holds $got events after the restore, the backup $want"; exit 1
fi
say "log restored: $got events, the key store and the command API's records"

if [ "$rebuild" = 0 ]; then
  say "read models left empty (--no-rebuild): motorlog-projector fills them from position 0"
  exit 0
fi
DATABASE_URL="$url" "$replay_bin" rebuild all >&2
if [ -n "${CLICKHOUSE_URL:-}" ]; then DATABASE_URL="$url" "$replay_bin" rebuild clickhouse_facts >&2; fi
if [ -n "${MEILI_URL:-}" ]; then DATABASE_URL="$url" "$replay_bin" rebuild meilisearch >&2; fi
say "read models rebuilt from the log"
