#!/usr/bin/env bash
# Fuzz smoke run (issue 12 §3): every target in fuzz/ for a short time, failing on the
# first panic. With cargo-fuzz installed, the libFuzzer targets run on stable Rust via
# RUSTC_BOOTSTRAP=1 without a sanitizer (-s none); otherwise (or with --stable) the
# same targets run as `cargo test` over the seeds and a deterministic mutator.
#
#   scripts/fuzz-smoke.sh              # 30 s per target (CI)
#   SECONDS_PER_TARGET=600 scripts/fuzz-smoke.sh   # the 10-minute runs
#   scripts/fuzz-smoke.sh --stable     # no cargo-fuzz: the cargo test smoke run
#
# Per-target figures (runs, time) are printed and kept in fuzz/target/fuzz-smoke.log.
# A crash does not stop the others: every target runs, and the script fails at the end.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
per_target="${SECONDS_PER_TARGET:-30}"
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-1}"
mkdir -p target
log=target/fuzz-smoke.log
: >"$log"

targets=$(sed -n 's/^name = "\(.*\)"$/\1/p' Cargo.toml | grep -v '^duban-fuzz$')

seeds_for() {
  case "$1" in
    import_docx) echo docx ;;
    import_xlsx) echo xlsx ;;
    import_json) echo json ;;
    import_html) echo "html text" ;;
    import_detect) echo "text html json docx xlsx" ;;
    inline) echo "inline html" ;;
    doc_number) echo doc_number ;;
    *) echo text ;;
  esac
}

if [[ "${1:-}" != "--stable" ]] && cargo fuzz --version >/dev/null 2>&1; then
  export RUSTC_BOOTSTRAP=1
  cargo fuzz build -s none -O
  crashed=""
  for t in $targets; do
    mkdir -p "corpus/$t"
    for d in $(seeds_for "$t"); do cp -n seeds/"$d"/* "corpus/$t/" 2>/dev/null || true; done
    echo "== $t (${per_target}s)" | tee -a "$log"
    cargo fuzz run -s none -O "$t" "corpus/$t" -- \
      -max_total_time="$per_target" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
      2>&1 | tee "target/fuzz-$t.log" | grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|Done|==[0-9]+== ERROR|SUMMARY)' | tee -a "$log"
    if grep -qE 'panicked|deadly signal|ERROR: libFuzzer' "target/fuzz-$t.log"; then
      echo "$t: crash, see fuzz/target/fuzz-$t.log and fuzz/artifacts/$t/" | tee -a "$log"
      crashed="$crashed $t"
    fi
  done
  if [[ -n "$crashed" ]]; then
    echo "crashes in:$crashed" | tee -a "$log"
    exit 1
  fi
else
  FUZZ_SMOKE_SECONDS="$per_target" cargo test --release -- --nocapture 2>&1 | tee -a "$log"
fi
echo "no panic in any target" | tee -a "$log"
