#!/usr/bin/env bash
# Writes a random secret for each file deploy/docker-compose.yml names into deploy/secrets/, keeping
# any that exist (so running it again changes no password). The files are readable by the
# containers' users (a compose file secret is a bind mount that keeps the host's mode) and by no
# other user of the host than root and the directory's owner's group.
set -euo pipefail
dir="$(cd "$(dirname "$0")" && pwd)/secrets"
mkdir -p "$dir"
chmod 0750 "$dir"
for name in postgres_password auth_db_password command_db_password projector_db_password \
            query_db_password meili_master_key owner_password grafana_admin_password; do
  file="$dir/$name"
  if [ -s "$file" ]; then
    echo "make-secrets: $name kept"
    continue
  fi
  # 24 random bytes as 48 hex characters: safe in URLs, shells and every server's config.
  (umask 0022; od -An -N24 -tx1 /dev/urandom | tr -d ' \n' > "$file")
  echo "make-secrets: $name written"
done
