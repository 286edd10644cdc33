#!/usr/bin/env bash
# Encrypted backup of the Stembus database: pg_dump -Fc piped straight into age, so the plain dump
# never reaches the disk, then old backups are pruned. Restore with deploy/restore.sh.
#
# Why age (Debian package "age"): one small public key per recipient, no keyring or trust
# database to maintain, and a file format meant for exactly this. The committee keeps the private
# key(s) offline; the server holds only public keys, so a stolen server does not expose backups.
#
# Settings (environment; the systemd unit sets them):
#   STEMBUS_BACKUP_DIR         where backups go                       (default /var/backups/stembus)
#   STEMBUS_BACKUP_RECIPIENTS  file with age public keys, one a line  (default /etc/stembus/backup-recipients.txt)
#   STEMBUS_BACKUP_KEEP_DAYS   delete backups older than this         (default 35; the newest is always kept)
#   STEMBUS_BACKUP_DATABASE    database name or libpq connection string (default stembus)
#   PGHOST, PGPORT, PGUSER...  the usual libpq variables
set -euo pipefail
umask 077

dir=${STEMBUS_BACKUP_DIR:-/var/backups/stembus}
recipients=${STEMBUS_BACKUP_RECIPIENTS:-/etc/stembus/backup-recipients.txt}
keep_days=${STEMBUS_BACKUP_KEEP_DAYS:-35}
database=${STEMBUS_BACKUP_DATABASE:-stembus}

fail() { echo "backup: $*" >&2; exit 1; }
command -v pg_dump >/dev/null || fail "pg_dump is not installed (apt-get install postgresql-client)"
command -v age >/dev/null || fail "age is not installed (apt-get install age)"
[ -s "$recipients" ] || fail "no age public keys in $recipients"
[[ "$keep_days" =~ ^[0-9]+$ ]] || fail "STEMBUS_BACKUP_KEEP_DAYS must be a whole number of days"
mkdir -p "$dir"

stamp=$(date -u +%Y%m%dT%H%M%SZ)
target="$dir/stembus-$stamp.dump.age"
partial="$target.partial"
trap 'rm -f "$partial"' EXIT

pg_dump --format=custom --compress=6 --dbname="$database" | age --encrypt --recipients-file "$recipients" --output "$partial"
sync "$partial"
mv "$partial" "$target"
trap - EXIT
echo "backup: wrote $target ($(stat -c %s "$target") bytes)"

# Retention (GDPR: the register is personal data; keep copies no longer than needed).
newest=$(basename "$target")
find "$dir" -maxdepth 1 -type f -name 'stembus-*.dump.age' -mtime "+$keep_days" ! -name "$newest" -print -delete \
  | sed 's/^/backup: pruned /'
