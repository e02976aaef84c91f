#!/usr/bin/env bash
# The whole test suite: the Rust tests (unit, integration, document checks) on SQLite,
# the store's tests and the integration tests again on PostgreSQL, and the end-to-end
# browser test. Installs missing Debian packages first.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-test-deps.sh
cargo test --workspace

# PostgreSQL: the server DUBAN_TEST_POSTGRES names (default: the local cluster on
# 127.0.0.1:5432 with trust authentication, started if it is down), a scratch database
# for this run, and every database the tests made beside it dropped afterwards.
server="${DUBAN_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432}"
scripts/start-postgres.sh
run_db="duban_test_$$"
psql -qX "$server/postgres" -c "CREATE DATABASE $run_db"
drop_run_databases() {
  psql -qXAt "$server/postgres" \
    -c "SELECT datname FROM pg_database WHERE left(datname, ${#run_db}) = '$run_db'" |
    xargs -r -P 8 -I{} psql -qX "$server/postgres" -c 'DROP DATABASE IF EXISTS "{}" WITH (FORCE)'
}
trap drop_run_databases EXIT
DUBAN_TEST_DATABASE_URL="$server/$run_db" cargo test -p duban-store --test store
DUBAN_TEST_DATABASE_URL="$server/$run_db" cargo test --test integration

cargo build --bin duban
bin="$(cd "${CARGO_TARGET_DIR:-target}" && pwd)/debug/duban"
(cd tests/e2e && npm ci --no-audit --no-fund --silent && DUBAN_BIN="$bin" node --test)
