#!/usr/bin/env bash
# Run one `stembus` command on the server as the service account, with the services' configuration
# (/etc/stembus/stembus.env and the secret key). Run it as root:
#   /opt/stembus/deploy/stembus-admin.sh check
#   /opt/stembus/deploy/stembus-admin.sh member add --email chair@example.org --name Chair --role chair
# STEMBUS_DATABASE_URL given on the command line wins over the file (for the restore drill).
set -euo pipefail
env_file=${STEMBUS_ENV_FILE:-/etc/stembus/stembus.env}
[ -r "$env_file" ] || { echo "stembus-admin: cannot read $env_file" >&2; exit 1; }
exec runuser -u stembus -- env -i PATH=/usr/bin:/bin LANG=C.UTF-8 \
  STEMBUS_ENV_FILE="$env_file" STEMBUS_URL_OVERRIDE="${STEMBUS_DATABASE_URL:-}" \
  bash -c 'set -a; . "$STEMBUS_ENV_FILE"; set +a
           [ -n "$STEMBUS_URL_OVERRIDE" ] && STEMBUS_DATABASE_URL=$STEMBUS_URL_OVERRIDE
           export STEMBUS_SECRET_KEY_FILE=/etc/stembus/secret_key
           cd /opt/stembus && exec /opt/stembus/.venv/bin/stembus "$@"' stembus-admin "$@"
