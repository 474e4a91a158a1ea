#!/usr/bin/env bash
# Backs up a Motorlog shop: the log is the shop, so the dump holds what cannot be rebuilt.
#
#   scripts/backup.sh [OUT_DIR]          # default backups/motorlog-<UTC time>
#
# Connects as the database owner: BACKUP_DATABASE_URL, else DATABASE_URL (default: `make run`'s
# postgres://postgres@127.0.0.1:5432/motorlog). A password comes from PGPASSWORD or ~/.pgpass.
#
# Dumped, in one consistent snapshot (pg_dump's single transaction), data only:
#   public       the event log (`events`); not `snapshots` (a cache the command API refills) nor
#                `_sqlx_migrations` (motorlog-migrate writes it on restore)
#   auth         the key store: signing keys, password hashes, sessions, refresh tokens, security events
#   command_api  idempotency records, order-number counters and the reservations that keep plates,
#                VINs and invoices unique: written in the same transaction as the events
#   keys         the personal data key store: data keys wrapped under the master key (never in the
#                database, never in a backup) and the erasures; without it no personal field of the
#                log opens again
# Not dumped: `read` and `projections` (the read models and their checkpoints), which
# scripts/restore.sh rebuilds from the log; ClickHouse and Meilisearch likewise.
#
# OUT_DIR gets motorlog.dump (pg_dump's custom format, for pg_restore), migrations.txt (the
# schema's migrations, version and checksum: a restore needs the same release's migrations) and
# manifest.txt (the log's event count and head, checked after a restore).
set -euo pipefail
url="${BACKUP_DATABASE_URL:-${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/motorlog}}"
out="${1:-backups/motorlog-$(date -u +%Y%m%dT%H%M%SZ)}"
say() { printf 'backup: %s\n' "$*" >&2; }
for tool in pg_dump psql; do
  command -v "$tool" >/dev/null || { say "$tool is missing (Debian: apt-get install postgresql-client)"; exit 1; }
done
if [ -e "$out/motorlog.dump" ]; then
  say "$out already holds a backup; give another folder"; exit 1
fi
mkdir -p "$out"
# The folder holds password hashes and private keys: only its owner reads it.
chmod 0700 "$out"

# The schema's migrations first: a migration running during the dump would be caught by the
# restore's check (the dump would not match them).
psql "$url" -XAtq -v ON_ERROR_STOP=1 \
  -c "SELECT version || ' ' || encode(checksum, 'hex') FROM _sqlx_migrations WHERE success ORDER BY version" \
  > "$out/migrations.txt"
[ -s "$out/migrations.txt" ] || { say "no migrations in this database: is it Motorlog's?"; exit 1; }

pg_dump "$url" --format=custom --data-only --no-owner --no-privileges \
  --schema=public --schema=auth --schema=command_api --schema=keys \
  --exclude-table=public.snapshots --exclude-table=public._sqlx_migrations \
  --file="$out/motorlog.dump"

# What the dump holds, read from the dump itself (not the live log, which has moved on since).
events=$(pg_restore --data-only --table=events --file=- "$out/motorlog.dump" |
  awk '/^COPY public\.events /{inside=1; next} inside && /^\\\.$/{inside=0} inside{n++} END{print n+0}')
{
  echo "events $events"
  echo "made_at $(date -u +%Y-%m-%dT%H:%M:%SZ)"
} > "$out/manifest.txt"
say "$out: $events events, the key store and the command API's records ($(du -h "$out/motorlog.dump" | cut -f1))"
