#!/usr/bin/env bash
# Restore an encrypted Stembus backup (from deploy/backup.sh) into a PostgreSQL database.
#
#   deploy/restore.sh [--create] BACKUP_FILE AGE_IDENTITY_FILE DATABASE
#
# BACKUP_FILE        a stembus-*.dump.age file
# AGE_IDENTITY_FILE  the committee's private age key (keep it offline; bring it only for a restore)
# DATABASE           the target database name; it must be empty, or not exist yet with --create
#
# The dump is decrypted into a pipe, never to disk, and restored in one transaction: either the
# whole database comes back or nothing does. Afterwards run `stembus check` against it (with
# STEMBUS_DATABASE_URL pointing at the restored database) before letting anyone use it.
# libpq variables (PGHOST, PGPORT, PGUSER) choose the server.
set -euo pipefail

create=0
if [ "${1:-}" = "--create" ]; then
  create=1
  shift
fi
[ $# -eq 3 ] || { sed -n '4,8p' "$0" >&2; exit 2; }
backup=$1 identity=$2 database=$3

fail() { echo "restore: $*" >&2; exit 1; }
command -v pg_restore >/dev/null || fail "pg_restore is not installed (apt-get install postgresql-client)"
command -v age >/dev/null || fail "age is not installed (apt-get install age)"
[ -r "$backup" ] || fail "cannot read $backup"
[ -r "$identity" ] || fail "cannot read the age identity $identity"
[[ "$database" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || fail "database name must be a plain identifier"

if [ "$create" = 1 ]; then
  createdb "$database"
fi
tables=$(psql --dbname="$database" --no-psqlrc --tuples-only --no-align \
  --command "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
[ "$tables" = 0 ] || fail "database $database is not empty ($tables tables); restore into a new database"

age --decrypt --identity "$identity" "$backup" \
  | pg_restore --dbname="$database" --no-owner --no-privileges --single-transaction --exit-on-error
echo "restore: $backup restored into $database; now run: STEMBUS_DATABASE_URL=... stembus check"
