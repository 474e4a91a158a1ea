#!/usr/bin/env bash
# Renders Motorlog's nginx configuration into a folder and, with --run, starts nginx on it in the
# foreground (`make run` and the browser tests); `--check` only validates it (`nginx -t`).
#
#   deploy/nginx/render.sh OUT_DIR [--run|--check]
#
# Settings (environment; defaults are `make run`'s):
#   LISTEN            what nginx listens on                 127.0.0.1:8080  (production: "443 ssl")
#   SERVER_NAME       the host name                         localhost
#   WEB_ROOT          the built web app                     <repo>/web/dist
#   AUTH_UPSTREAM     the auth service                      127.0.0.1:8081
#   COMMAND_UPSTREAM  the command API                       127.0.0.1:8082
#   QUERY_UPSTREAM    the query API                         127.0.0.1:8083
#   FILES_UPSTREAM    the S3-protocol file storage          127.0.0.1:8014
#   FILES_BUCKET      its bucket (the APIs' S3_BUCKET)      motorlog-files
#   TLS_CERT, TLS_KEY certificate and key files; when both are set, TLS is on and HSTS is sent
#
# OUT_DIR gets motorlog.conf (the server block: include it from a system nginx's http{} in
# production), security-headers.conf, and nginx.conf, a whole configuration for a private nginx
# whose pid, logs and temporary files stay inside OUT_DIR.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
out="${1:?usage: render.sh OUT_DIR [--run|--check]}"
mode="${2:-}"
mkdir -p "$out/logs" "$out/tmp"
out="$(cd "$out" && pwd)"

export LISTEN="${LISTEN:-127.0.0.1:8080}"
export SERVER_NAME="${SERVER_NAME:-localhost}"
export WEB_ROOT="${WEB_ROOT:-$repo/web/dist}"
export AUTH_UPSTREAM="${AUTH_UPSTREAM:-127.0.0.1:8081}"
export COMMAND_UPSTREAM="${COMMAND_UPSTREAM:-127.0.0.1:8082}"
export QUERY_UPSTREAM="${QUERY_UPSTREAM:-127.0.0.1:8083}"
export FILES_UPSTREAM="${FILES_UPSTREAM:-127.0.0.1:8014}"
export FILES_BUCKET="${FILES_BUCKET:-motorlog-files}"
export CONF_DIR="$out"
if [ -n "${TLS_CERT:-}" ] && [ -n "${TLS_KEY:-}" ]; then
  export TLS_DIRECTIVES="ssl_certificate $TLS_CERT; ssl_certificate_key $TLS_KEY; ssl_protocols TLSv1.2 TLSv1.3; ssl_prefer_server_ciphers off; ssl_session_cache shared:motorlog_tls:10m;"
  export HSTS_DIRECTIVE='add_header Strict-Transport-Security "max-age=63072000; includeSubDomains" always;'
else
  export TLS_DIRECTIVES="" HSTS_DIRECTIVE=""
fi

# ${NAME} is ours; nginx's own variables are written $name, so nothing else is touched.
render() { perl -pe 's/\$\{([A-Z_]+)\}/defined $ENV{$1} ? $ENV{$1} : die "unset: $1\n"/ge' "$1" > "$2"; }
render "$here/motorlog.conf.template" "$out/motorlog.conf"
render "$here/security-headers.conf.template" "$out/security-headers.conf"

# A root master runs its workers as nobody, who must be able to write the proxy's buffers.
[ "$(id -u)" = 0 ] && chown -R nobody:nogroup "$out/tmp" 2>/dev/null || true

mime=/etc/nginx/mime.types
[ -f "$mime" ] || { echo "render.sh: $mime is missing: install nginx (Debian: apt-get install nginx)" >&2; exit 1; }
cat > "$out/nginx.conf" <<CONF
# A private nginx for Motorlog; everything it writes stays in $out.
worker_processes 1;
daemon off;
pid $out/nginx.pid;
error_log $out/logs/error.log warn;
events { worker_connections 512; }
http {
    include $mime;
    default_type application/octet-stream;
    access_log $out/logs/access.log;
    client_body_temp_path $out/tmp/body;
    proxy_temp_path $out/tmp/proxy;
    fastcgi_temp_path $out/tmp/fastcgi;
    uwsgi_temp_path $out/tmp/uwsgi;
    scgi_temp_path $out/tmp/scgi;
    sendfile on;
    include $out/motorlog.conf;
}
CONF

nginx_bin="$(command -v nginx || echo /usr/sbin/nginx)"
case "$mode" in
  --run) exec "$nginx_bin" -p "$out" -c "$out/nginx.conf" ;;
  --check) "$nginx_bin" -t -q -p "$out" -c "$out/nginx.conf" ;;
  "") ;;
  *) echo "render.sh: unknown option $mode" >&2; exit 2 ;;
esac
