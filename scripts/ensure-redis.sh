#!/usr/bin/env bash
# Makes sure a Redis server answers on REDIS_URL (default redis://127.0.0.1:6379): the services keep
# the set of ended sessions and the login/rate-limit counters there. Starts (or installs and starts)
# a local one when nothing answers. Prints what to do when it cannot.
set -euo pipefail
url="${REDIS_URL:-redis://127.0.0.1:6379}"
hostport="${url#redis://}"; hostport="${hostport##*@}"; hostport="${hostport%%/*}"
host="${hostport%:*}"; port="${hostport##*:}"
[ "$host" = "$hostport" ] && port=6379

say() { printf 'ensure-redis: %s\n' "$*" >&2; }
# PING over plain bash, so no client needs to be installed to ask.
answers() {
  timeout 2 bash -c "exec 3<>/dev/tcp/$host/$port && printf 'PING\r\n' >&3 && head -c 5 <&3 | grep -q PONG" \
    2>/dev/null
}

answers && exit 0
# `--answers`: only say (by the exit status) whether a server answers; start nothing.
[ "${1:-}" = --answers ] && exit 1
case "$host" in
  127.0.0.1|localhost) ;;
  *) say "nothing answers on $url, and it is not a local server this script may start"; exit 1 ;;
esac

if ! command -v redis-server >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "no Redis here: installing Debian's redis-server"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
  else
    say "no Redis answers on $url and none is installed."
    say "Install Redis 7 (Debian: apt-get install redis-server) or set REDIS_URL to a server."
    exit 1
  fi
fi

say "starting a local redis-server on $host:$port"
# Nothing to persist: the database stays the source of truth, Redis refills from it.
redis-server --bind "$host" --port "$port" --daemonize yes --save '' --appendonly no \
  --logfile /tmp/motorlog-redis.log >/dev/null
for _ in $(seq 1 20); do
  answers && exit 0
  sleep 0.5
done
say "Redis did not answer on $url within 10 s; see /tmp/motorlog-redis.log."
exit 1
