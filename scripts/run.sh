#!/usr/bin/env bash
# `make run`: Motorlog on 127.0.0.1 with demo data. Ctrl-C stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-postgres.sh
bash scripts/ensure-redis.sh

export DATABASE_URL="${MOTORLOG_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/motorlog}"
export MOTORLOG_OWNER_EMAIL="${MOTORLOG_OWNER_EMAIL:-owner@motor.demo}"
export MOTORLOG_OWNER_NAME="${MOTORLOG_OWNER_NAME:-Смирнова Анна Викторовна}"
# Demo logins only: a production owner is created with `motorlog-auth create-owner`. Each run
# without MOTORLOG_DEMO_PASSWORD makes a new random one (printed below), so no password is known
# in advance to anyone reading this repository.
if [ -z "${MOTORLOG_DEMO_PASSWORD:-}" ]; then
  MOTORLOG_DEMO_PASSWORD="demo-$(od -An -N9 -tx1 /dev/urandom | tr -d ' \n')"
fi
export MOTORLOG_DEMO_PASSWORD
export MOTORLOG_OWNER_PASSWORD="$MOTORLOG_DEMO_PASSWORD"
export AUTH_LISTEN="${AUTH_LISTEN:-127.0.0.1:8081}"
export COMMAND_API_LISTEN="${COMMAND_API_LISTEN:-127.0.0.1:8082}"
export QUERY_API_LISTEN="${QUERY_API_LISTEN:-127.0.0.1:8083}"
export PROJECTOR_LISTEN="${PROJECTOR_LISTEN:-127.0.0.1:8084}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
# nginx on this machine forwards each browser's address; only it is believed (throttle per browser).
export AUTH_TRUSTED_PROXIES="${AUTH_TRUSTED_PROXIES:-127.0.0.1,::1}"
# Personal data (152-ФЗ) is sealed in the log under data keys wrapped by a master key, which every
# service needs and the database never holds. Made once, kept beside the run's other state (.run/,
# not in git): the demo database stays readable across runs, and losing this file loses every
# sealed name and phone in it. Production passes its own (README, "Personal data").
if [ -z "${MOTORLOG_MASTER_KEYS_FILE:-}" ] && [ -z "${MOTORLOG_MASTER_KEY:-}" ]; then
  MOTORLOG_MASTER_KEYS_FILE="$PWD/.run/master.keys"
  if [ ! -s "$MOTORLOG_MASTER_KEYS_FILE" ]; then
    mkdir -p .run
    (umask 077 && echo "run-$(date +%Y%m%d):$(head -c32 /dev/urandom | base64)" >"$MOTORLOG_MASTER_KEYS_FILE")
  fi
  chmod 600 "$MOTORLOG_MASTER_KEYS_FILE"
  export MOTORLOG_MASTER_KEYS_FILE
fi
# Photos and scans: s3s-fs (S3 protocol over a folder, one directory per bucket) on .run/files.
# The browser reaches it through nginx at the app's own origin, so the APIs presign for that
# address (S3_PUBLIC_ENDPOINT) and talk to s3s-fs directly (S3_ENDPOINT). Its key pair is made once
# and kept in .run/ like the master key.
export WEB_LISTEN="${WEB_LISTEN:-127.0.0.1:8080}"
export FILES_LISTEN="${FILES_LISTEN:-127.0.0.1:8014}"
export S3_ENDPOINT="${S3_ENDPOINT:-http://$FILES_LISTEN}"
export S3_PUBLIC_ENDPOINT="${S3_PUBLIC_ENDPOINT:-http://$WEB_LISTEN}"
export S3_BUCKET="${S3_BUCKET:-motorlog-files}"
# The approval link sent to a client by SMS or e-mail points at the web app.
export MOTORLOG_PUBLIC_URL="${MOTORLOG_PUBLIC_URL:-http://$WEB_LISTEN}"
if [ -z "${S3_ACCESS_KEY:-}" ] || [ -z "${S3_SECRET_KEY:-}" ]; then
  mkdir -p .run
  if [ ! -s .run/s3.keys ]; then
    (umask 077 && echo "motorlog-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n') $(head -c24 /dev/urandom | base64 | tr '+/' '-_')" > .run/s3.keys)
  fi
  read -r S3_ACCESS_KEY S3_SECRET_KEY < .run/s3.keys
  export S3_ACCESS_KEY S3_SECRET_KEY
fi
s3s_fs="$(command -v s3s-fs || echo "$HOME/.cargo/bin/s3s-fs")"
[ -x "$s3s_fs" ] || { echo "run: s3s-fs is missing: make tools (or cargo install s3s-fs --version 0.14.1 --locked --features binary)"; exit 1; }
mkdir -p ".run/files/$S3_BUCKET"
export AUTH_URL="http://$AUTH_LISTEN" COMMAND_API_URL="http://$COMMAND_API_LISTEN"
export QUERY_API_URL="http://$QUERY_API_LISTEN" PROJECTOR_URL="http://$PROJECTOR_LISTEN"

server="${DATABASE_URL%/*}/postgres" database="${DATABASE_URL##*/}"
if ! psql "$server" -tAc "SELECT 1 FROM pg_database WHERE datname = '$database'" | grep -q 1; then
  psql "$server" -qc "CREATE DATABASE \"$database\""
fi
command -v curl >/dev/null || { apt-get update -qq && apt-get install -y -qq curl >/dev/null; }
echo "Motorlog: building; it will be at http://$WEB_LISTEN"
bash scripts/build-services.sh
bash scripts/web-deps.sh
(cd web && npm run -s build >/dev/null)

# Migrations are a step of their own, as the database owner; each service then logs in as its own
# role, which may do its job and nothing else (README, "Database roles"). The local server trusts
# logins from 127.0.0.1, so the roles need no password here.
./target/debug/motorlog-migrate
role_url() { local rest="${DATABASE_URL#*://}"; echo "${DATABASE_URL%%://*}://$1@${rest#*@}"; }
export AUTH_DATABASE_URL="${AUTH_DATABASE_URL:-$(role_url motorlog_auth)}"
export COMMAND_API_DATABASE_URL="${COMMAND_API_DATABASE_URL:-$(role_url motorlog_command)}"
export PROJECTOR_DATABASE_URL="${PROJECTOR_DATABASE_URL:-$(role_url motorlog_projector)}"
export QUERY_API_DATABASE_URL="${QUERY_API_DATABASE_URL:-$(role_url motorlog_query)}"
export NOTIFIER_DATABASE_URL="${NOTIFIER_DATABASE_URL:-$(role_url motorlog_notifier)}"

pids=()
stop() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap stop EXIT INT TERM

"$s3s_fs" --host "${FILES_LISTEN%:*}" --port "${FILES_LISTEN##*:}" \
  --access-key "$S3_ACCESS_KEY" --secret-key "$S3_SECRET_KEY" .run/files >.run/s3s-fs.log 2>&1 & pids+=($!)
./target/debug/motorlog-auth serve & pids+=($!)
./target/debug/motorlog-command-api & pids+=($!)
./target/debug/motorlog-projector & pids+=($!)
./target/debug/motorlog-query-api & pids+=($!)
# The notifier stays idle (and says so in its /health) until SMTP_HOST or SMS_API_ID is set.
NOTIFIER_LISTEN="${NOTIFIER_LISTEN:-127.0.0.1:8085}" ./target/debug/motorlog-notifier & pids+=($!)
for url in "$AUTH_URL/health" "$COMMAND_API_URL/health" "$PROJECTOR_URL/health" "$QUERY_API_URL/health"; do
  for _ in $(seq 1 60); do
    curl -fsS "$url" >/dev/null 2>&1 && break
    sleep 0.5
  done
  curl -fsS "$url" >/dev/null || { echo "run: $url does not answer"; exit 1; }
done
./target/debug/examples/seed_demo
LISTEN="$WEB_LISTEN" AUTH_UPSTREAM="$AUTH_LISTEN" COMMAND_UPSTREAM="$COMMAND_API_LISTEN" \
  QUERY_UPSTREAM="$QUERY_API_LISTEN" SERVER_NAME="${WEB_LISTEN%:*}" \
  FILES_UPSTREAM="$FILES_LISTEN" FILES_BUCKET="$S3_BUCKET" \
  bash deploy/nginx/render.sh target/nginx --run & pids+=($!)
for _ in $(seq 1 40); do
  curl -fsS "http://$WEB_LISTEN/" >/dev/null 2>&1 && break
  sleep 0.25
done
curl -fsS "http://$WEB_LISTEN/" >/dev/null || { echo "run: nginx does not answer on $WEB_LISTEN (target/nginx/logs/error.log)"; exit 1; }

cat <<INFO

  http://$WEB_LISTEN    Motorlog: open it in a browser and log in (below)

Motorlog is running (Ctrl-C stops it):
  web app        http://$WEB_LISTEN      (nginx: the app, /api/auth/, /api/v1/, /graphql, /$S3_BUCKET/)
  file storage   $S3_ENDPOINT      (s3s-fs over .run/files; photos and scans)
  auth service   $AUTH_URL      (POST /v1/auth/login, /.well-known/jwks.json, /health, /metrics)
  command API    $COMMAND_API_URL      (POST /v1/{aggregate}/{id}/{command}, /health, /metrics)
  query API      $QUERY_API_URL/graphql   (GraphiQL in a browser: $QUERY_API_URL/graphiql)
  projectors     $PROJECTOR_URL/health      (read models' positions and lag; /metrics)
  database       $DATABASE_URL   (migrated by motorlog-migrate as its owner)
  roles          motorlog_auth, motorlog_command, motorlog_projector, motorlog_query,
                 motorlog_notifier (one per service)
  master keys    ${MOTORLOG_MASTER_KEYS_FILE:-MOTORLOG_MASTER_KEY}   (personal data; keep it with the database)

Demo logins (password: $MOTORLOG_DEMO_PASSWORD):
  owner@motor.demo     владелец
  advisor@motor.demo   мастер-приёмщик
  mechanic@motor.demo  механик
  cashier@motor.demo   кассир
  auditor@motor.demo   аудитор
  storekeeper@motor.demo  кладовщик

Try:
  TOKEN=\$(curl -s $AUTH_URL/v1/auth/login -H 'content-type: application/json' \\
    -d '{"login":"advisor@motor.demo","password":"$MOTORLOG_DEMO_PASSWORD"}' | sed 's/.*"access_token":"\\([^"]*\\)".*/\\1/')
  curl -s $COMMAND_API_URL/v1/client/\$(cat /proc/sys/kernel/random/uuid)/register -H "authorization: Bearer \$TOKEN" \\
    -H 'content-type: application/json' -d '{"party":{"kind":"person","full_name":"Новиков Сергей"},"phones":["+79161112233"]}'
  curl -s $QUERY_API_URL/graphql -H "authorization: Bearer \$TOKEN" -H 'content-type: application/json' \\
    -d '{"query":"{ workOrders(first: 10) { nodes { number status total client { displayName } vehicle { plate } } } }"}'
INFO
wait
