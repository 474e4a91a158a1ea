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
            query_db_password notifier_db_password meili_master_key owner_password \
            grafana_admin_password files_access_key files_secret_key; do
  file="$dir/$name"
  if [ -s "$file" ]; then
    echo "make-secrets: $name kept"
    continue
  fi
  # 24 random bytes as 48 hex characters: safe in URLs, shells and every server's config.
  (umask 0022; od -An -N24 -tx1 /dev/urandom | tr -d ' \n' > "$file")
  echo "make-secrets: $name written"
done

# The providers' secrets for messages to clients are the operator's to write (SMTP relay password,
# SMS.ru api_id); empty files leave that channel off (the notifier stays idle and healthy).
for name in smtp_password sms_api_id; do
  file="$dir/$name"
  if [ -e "$file" ]; then
    echo "make-secrets: $name kept"
  else
    (umask 0022; : > "$file")
    echo "make-secrets: $name made empty: write the provider's secret into it to send"
  fi
done

# The personal data master key (152-ФЗ): `id:base64` of 32 random bytes. Services refuse a key file
# that other users may read, so it is mode 600 and belongs to the containers' user (uid/gid 10001,
# deploy/docker/Dockerfile). Rotation adds a new line first and keeps the old ones until
# `motorlog-auth`'s rewrap has run (README, "Personal data").
file="$dir/master_keys"
if [ -s "$file" ]; then
  echo "make-secrets: master_keys kept"
else
  (umask 0077; echo "shop-$(date +%Y%m%d):$(head -c32 /dev/urandom | base64)" > "$file")
  echo "make-secrets: master_keys written"
fi
chmod 0600 "$file"
if ! chown 10001:10001 "$file" 2>/dev/null; then
  echo "make-secrets: run 'sudo chown 10001:10001 $file': the services' user must own it"
fi
