#!/usr/bin/env bash
# Schemathesis (issue 12 §3) against /api/openapi.json of a running `duban demo`, once
# per role: a fresh demo (in memory) for each, signed in as that role's demo account
# (its session cookie on every request), or anonymous. Checks: no 5xx, status codes,
# content types and response bodies as the spec says. Fails if any check failed.
#
#   scripts/schemathesis.sh                      # target/debug/duban, 10 examples each
#   DUBAN=target/release/duban MAX_EXAMPLES=50 scripts/schemathesis.sh
#   SCHEMATHESIS=/path/to/venv/bin/schemathesis scripts/schemathesis.sh
#
# Needs schemathesis (`pip install schemathesis`; 4.x) and curl. Not part of CI: it
# needs the package installed. Per-role figures go to target/schemathesis/summary.txt,
# JUnit reports beside it.
set -euo pipefail
cd "$(dirname "$0")/.."
duban="${DUBAN:-${CARGO_TARGET_DIR:-target}/debug/duban}"
st="${SCHEMATHESIS:-schemathesis}"
examples="${MAX_EXAMPLES:-10}"
port="${PORT:-18089}"
out="${OUT:-target/schemathesis}"
roles="${ROLES:-anonymous admin duchashi lingdao fgj.lly fgj.fzr xtgly aqgly sjgly}"
if [[ ! -x "$duban" ]]; then
  echo "找不到 $duban：先 cargo build，或用 DUBAN=… 指明 duban 程序" >&2
  exit 2
fi
command -v "$st" >/dev/null || { echo "找不到 schemathesis：pip install schemathesis，或用 SCHEMATHESIS=… 指明" >&2; exit 2; }
mkdir -p "$out"
: >"$out/summary.txt"
# Schemathesis keeps a cache in the working directory: run it from the output folder.
out="$(cd "$out" && pwd)"
duban="$(cd "$(dirname "$duban")" && pwd)/$(basename "$duban")"
base="http://127.0.0.1:$port"
failed=0
pid=""
stop() { if [[ -n "$pid" ]]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; pid=""; fi; }
trap stop EXIT

for role in $roles; do
  # A fresh demo for each role: one role's writes (a password reset, a deleted draft)
  # must not change what the next one is tested on.
  "$duban" demo --bind "127.0.0.1:$port" >"$out/demo.log" 2>&1 &
  pid=$!
  up=0
  for _ in $(seq 1 150); do
    if grep -q "演示账户" "$out/demo.log" 2>/dev/null && curl -sf "$base/api/openapi.json" -o /dev/null; then
      up=1
      break
    fi
    sleep 0.2
  done
  if [[ $up -ne 1 ]]; then
    echo "duban demo did not start on port $port, see $out/demo.log" >&2
    exit 2
  fi
  headers=()
  if [[ "$role" != anonymous ]]; then
    password=$(awk -v u="$role" '$1 == u { print $2 }' "$out/demo.log")
    rm -f "$out/jar"
    curl -sf -c "$out/jar" -H 'Content-Type: application/json' \
      -d "{\"username\":\"$role\",\"password\":\"$password\"}" "$base/api/login" >/dev/null
    token=$(awk '$6 == "duban_session" { print $7 }' "$out/jar")
    headers=(-H "Cookie: duban_session=$token")
  fi
  echo "== $role" | tee -a "$out/summary.txt"
  set +e
  # Logging out would end the session the rest of the run uses.
  (cd "$out" && "$st" run "$base/api/openapi.json" "${headers[@]}" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --exclude-path /api/logout --max-examples "$examples" --phases examples,coverage,fuzzing \
    --report junit --report-dir "$out/$role" --no-color) >"$out/$role.log" 2>&1
  status=$?
  set -e
  grep -E "^  (Selected|Tested):|generated,|^  ❌ |^  ✅ " "$out/$role.log" | tee -a "$out/summary.txt" || true
  if [[ $status -ne 0 ]]; then
    echo "$role: failures, see $out/$role.log" | tee -a "$out/summary.txt"
    failed=1
  fi
  stop
done
exit "$failed"
