#!/usr/bin/env bash
# Installs the Debian packages Stembus needs when they are missing: libsodium (ristretto255),
# libdecaf (faster ristretto255 arithmetic for the record verifier; optional, crypto/fastgroup.py
# falls back to libsodium without it), Pango for PDF rendering, for the browser tests Chromium
# with its driver, and for the deployment tests (STEMBUS_NEED_DEPLOY_TOOLS=1) nginx, age, the
# PostgreSQL client tools (backup and restore) and the web scanners sqlmap and wapiti.
set -euo pipefail

need=()
ldconfig -p | grep -q 'libsodium\.so\.23' || need+=(libsodium23)
ldconfig -p | grep -q 'libdecaf\.so\.0' || need+=(libdecaf0)
ldconfig -p | grep -q 'libpango-1\.0\.so' || need+=(libpango-1.0-0 libpangoft2-1.0-0)
if [ "${STEMBUS_NEED_BROWSER:-0}" = 1 ] && [ ! -x /usr/bin/chromium ]; then
  need+=(chromium chromium-driver fonts-dejavu-core)
fi
if [ "${STEMBUS_NEED_DEPLOY_TOOLS:-0}" = 1 ]; then
  [ -x /usr/sbin/nginx ] || need+=(nginx-light)
  command -v age >/dev/null || need+=(age)
  command -v pg_dump >/dev/null || need+=(postgresql-client)
  # The load benchmark and the fault tests (tests/system) start private clusters with initdb/pg_ctl.
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || need+=(postgresql)
  command -v sqlmap >/dev/null || need+=(sqlmap)
  command -v wapiti >/dev/null || need+=(wapiti)
fi
[ ${#need[@]} -eq 0 ] && exit 0

echo "Installing Debian packages: ${need[*]}"
if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
else
  SUDO=
fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
