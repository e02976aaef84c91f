#!/usr/bin/env bash
# Installs what the test suite needs from Debian's packages, when it is missing:
# poppler-utils (pdftotext, pdffonts, pdftoppm) and LibreOffice for the document checks,
# Chromium and its driver for the browser tests, PostgreSQL for the second pass of the
# store and integration tests, Python's aiosmtpd for the SMTP server the reminder tests
# send e-mail to. Never a downloaded browser.
set -euo pipefail
need=()
command -v pdftotext >/dev/null || need+=(poppler-utils)
command -v soffice >/dev/null || need+=(libreoffice-writer-nogui)
command -v chromium >/dev/null || need+=(chromium)
command -v chromedriver >/dev/null || need+=(chromium-driver)
command -v node >/dev/null || need+=(nodejs npm)
[ -d /usr/share/fonts/opentype/noto ] || need+=(fonts-noto-cjk)
compgen -G "/etc/postgresql/*/main" >/dev/null || need+=(postgresql)
python3 -c 'import aiosmtpd' 2>/dev/null || need+=(python3-aiosmtpd)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
# A cluster installed just now gets trust authentication on the loopback address, as
# the test machines have; an existing cluster's settings are never touched.
if [[ " ${need[*]} " == *" postgresql "* ]]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  version="$(ls /etc/postgresql | sort -V | tail -1)"
  hba="/etc/postgresql/$version/main/pg_hba.conf"
  { echo "host all all 127.0.0.1/32 trust"; $sudo cat "$hba"; } > /tmp/pg_hba.conf.$$
  $sudo cp /tmp/pg_hba.conf.$$ "$hba" && rm -f /tmp/pg_hba.conf.$$
  $sudo pg_ctlcluster --skip-systemctl-redirect "$version" main restart || true
fi
