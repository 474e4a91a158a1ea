#!/usr/bin/env bash
# Makes sure a PostgreSQL server answers on DATABASE_URL; starts (or installs and starts) a local one
# when nothing does. Prints what to do when it cannot.
set -euo pipefail
url="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"

answers() { pg_isready -q -d "$url" >/dev/null 2>&1; }
say() { printf 'ensure-postgres: %s\n' "$*" >&2; }

if ! command -v pg_isready >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing the PostgreSQL client tools"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-client >/dev/null
  else
    say "pg_isready is missing: install the PostgreSQL client (Debian: apt-get install postgresql-client)"
    exit 1
  fi
fi
answers && exit 0

case "$url" in
  *@127.0.0.1*|*@localhost*|*@[::1]*) ;;
  *) say "nothing answers on $url, and it is not a local server this script may start"; exit 1 ;;
esac

if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "no PostgreSQL server here: installing Debian's postgresql"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    version=$(ls /etc/postgresql | sort -V | tail -n 1)
    # A development server of our own: local TCP connections as any user, no password.
    sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' \
      "/etc/postgresql/$version/main/pg_hba.conf"
  else
    say "no PostgreSQL server answers on $url and none is installed."
    say "Install PostgreSQL 15 (Debian: apt-get install postgresql) or set DATABASE_URL to a server."
    exit 1
  fi
fi

version=$(ls /etc/postgresql | sort -V | tail -n 1)
say "starting the local PostgreSQL $version cluster"
pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null \
  || pg_ctlcluster "$version" main start \
  || true
for _ in $(seq 1 30); do
  answers && exit 0
  sleep 1
done
say "PostgreSQL did not answer on $url within 30 s; check 'pg_lsclusters' and its log."
exit 1
