#!/usr/bin/env bash
# Makes sure PostgreSQL answers on 127.0.0.1:5432 for the tests: starts the newest local
# cluster if it is down (install-test-deps.sh installs one where there is none).
set -euo pipefail
pg_isready -q -h 127.0.0.1 -p 5432 && exit 0
sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
version="$(ls /etc/postgresql | sort -V | tail -1)"
$sudo pg_ctlcluster --skip-systemctl-redirect "$version" main start
for _ in $(seq 30); do
  pg_isready -q -h 127.0.0.1 -p 5432 && exit 0
  sleep 1
done
echo "PostgreSQL $version did not start; see /var/log/postgresql/postgresql-$version-main.log" >&2
exit 1
