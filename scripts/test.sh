#!/usr/bin/env bash
# The whole test suite: the Rust tests (unit, integration, document checks) and the
# end-to-end browser test. Installs missing Debian packages first.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-test-deps.sh
cargo test --workspace
cargo build --bin duban
bin="$(cd "${CARGO_TARGET_DIR:-target}" && pwd)/debug/duban"
(cd tests/e2e && npm ci --no-audit --no-fund --silent && DUBAN_BIN="$bin" node --test)
