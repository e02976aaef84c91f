#!/usr/bin/env bash
# Load benchmark of the web app (issue 4, "Speed"; issue 11 for PostgreSQL and the
# mixed run): 10,000 tasks and ~100,000 reports in SQLite (or PostgreSQL with
# BACKEND=postgres), `duban serve` on loopback, wrk as the load generator.
#
#   (a) the supervisor's task list as JSON, 50 rows a page:  GET /api/tasks?document=D&page=N
#       target ≥ 10,000 requests/s, p99 < 10 ms on 2 cores
#   (b) report submission, durable (the store commits before it answers):
#       POST /api/reports/{id}/actions {"action":"save_draft",…} over distinct reports
#       target ≥ 1,000 requests/s (PostgreSQL ≥ 2,000)
#   (c) mixed: 90 % (a) over every page, one in five filtered by report state, 10 % (b)
#       on reports not saved before (their state changes, so cached pages go stale)
#       target SQLite ≥ 5,000 requests/s with p99 < 20 ms, PostgreSQL ≥ 3,000
#
# Bounded: each wrk run lasts DURATION, the server is stopped and the scratch directory
# removed on exit; everything listens on 127.0.0.1 only. Results (raw wrk output, server
# log, summary) go to artifacts/bench-web/. See docs/benchmarks.md.
#
# Settings (environment):
#   TASKS=10000 ROUNDS=10 REPORTERS=10 DURATION=20s THREADS=2
#   READ_CONNECTIONS=64 WRITE_CONNECTIONS=16 WARMUP=3s SINGLE_DURATION=10s
#   REFERENCE_DURATION=5s NO_REFERENCE=1 (skip the reference runs)
#   BACKEND=postgres  a scratch database on POSTGRES (default
#                     postgres://postgres@127.0.0.1:5432), dropped on exit
#   SKIP_BUILD=1   use the existing target/release/duban (CARGO_TARGET_DIR is honoured)
#   KEEP=1         keep the scratch directory (database, notice) for a look afterwards
#   OUT=dir        where results go (default artifacts/bench-web)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

TASKS=${TASKS:-10000}
ROUNDS=${ROUNDS:-10}
REPORTERS=${REPORTERS:-10}
DURATION=${DURATION:-20s}
WARMUP=${WARMUP:-3s}
SINGLE_DURATION=${SINGLE_DURATION:-10s}
REFERENCE_DURATION=${REFERENCE_DURATION:-5s}
THREADS=${THREADS:-2}
READ_CONNECTIONS=${READ_CONNECTIONS:-64}
WRITE_CONNECTIONS=${WRITE_CONNECTIONS:-16}
OUT=${OUT:-$ROOT/artifacts/bench-web}
PASSWORD=bench-password-1
HERE=$ROOT/scripts/bench-web

say() { printf '\n== %s\n' "$*" >&2; }
die() { printf 'bench-web: %s\n' "$*" >&2; exit 1; }

for tool in wrk curl python3; do
  command -v "$tool" >/dev/null || die "$tool is missing (Debian: apt-get install -y $tool)"
done

if [[ -z ${SKIP_BUILD:-} ]]; then
  say "cargo build --release"
  cargo build --release
fi
BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release/duban
[[ -x $BIN ]] || die "no $BIN (run without SKIP_BUILD)"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/duban-bench.XXXXXX")
SERVER_PID=
cleanup() {
  if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -INT "$SERVER_PID" 2>/dev/null || true
    for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.3; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
  fi
  if [[ -n ${KEEP:-} ]]; then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi
  if [[ -n ${PG_DB:-} && -z ${KEEP:-} ]]; then
    psql -qX "$POSTGRES/postgres" -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" || true
  fi
}
trap cleanup EXIT
mkdir -p "$OUT"
rm -f "$OUT"/*.txt "$OUT"/*.log

BACKEND=${BACKEND:-sqlite}
POSTGRES=${POSTGRES:-postgres://postgres@127.0.0.1:5432}
PG_DB=
case $BACKEND in
  sqlite) export DATABASE_URL="sqlite://$WORK/bench.db" ;;
  postgres)
    PG_DB="duban_bench_$$"
    psql -qX "$POSTGRES/postgres" -c "CREATE DATABASE $PG_DB" || die "cannot create a database on $POSTGRES"
    export DATABASE_URL="$POSTGRES/$PG_DB" ;;
  *) die "BACKEND is sqlite or postgres, not $BACKEND" ;;
esac
# SQL on the benchmark's database behind the server's back: one value.
db_value() {
  if [[ $BACKEND == sqlite ]]; then
    python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$WORK/bench.db" "$1"
  else
    psql -qXAt "$DATABASE_URL" -c "$1"
  fi
}
db_size() {
  if [[ $BACKEND == sqlite ]]; then echo "$(du -h "$WORK/bench.db" | cut -f1) (+ WAL)"
  else db_value "SELECT pg_size_pretty(pg_database_size(current_database()))"; fi
}
unset DUBAN_BIND DUBAN_LOG
duban() { "$BIN" "$@"; }
# Seconds since $1 (from `now`), with milliseconds.
now() { date +%s.%N; }
since() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f}')" "$1" "$(now)"; }

# ---------------------------------------------------------------- data
say "notice with $TASKS tasks"
python3 "$HERE/gen_notice.py" "$TASKS" >"$WORK/notice.txt"
t=$(now)
imported=$(duban import "$WORK/notice.txt" 2>&1)
echo "$imported (import: $(since "$t") s)"
DOCUMENT=$(sed -n 's/.*（编号 \([0-9]*\)）.*/\1/p' <<<"$imported")
[[ -n $DOCUMENT ]] || die "no document id in: $imported"

say "accounts: a supervisor and $REPORTERS reporters (units leading the most tasks)"
mapfile -t UNITS < <(duban units --format json | python3 -c '
import json, sys
units = sorted(json.load(sys.stdin), key=lambda u: (-u["lead_tasks"], u["name"]))
print("\n".join(u["name"] for u in units[: int(sys.argv[1])]))' "$REPORTERS")
duban user add bench.sup --role supervisor --password-stdin <<<"$PASSWORD"
for i in "${!UNITS[@]}"; do
  duban user add "$(printf 'bench.r%02d' "$i")" --role reporter --unit "${UNITS[$i]}" --password-stdin <<<"$PASSWORD"
done

# ---------------------------------------------------------------- server
say "duban serve --bind 127.0.0.1:0"
# The accounts keep the password `user add` gave them.
DUBAN_FORCE_PASSWORD_CHANGE=false "$BIN" serve --bind 127.0.0.1:0 >"$OUT/server.log" 2>&1 &
SERVER_PID=$!
BASE=
for _ in $(seq 1 100); do
  BASE=$(sed -n 's|.*督办已启动：\(http://[^/ ]*\)/.*|\1|p' "$OUT/server.log")
  [[ -n $BASE ]] && break
  kill -0 "$SERVER_PID" 2>/dev/null || die "server exited: $(cat "$OUT/server.log")"
  sleep 0.1
done
[[ -n $BASE ]] || die "server did not start in 10 s"
[[ $BASE == http://127.0.0.1:* ]] || die "not loopback: $BASE"
echo "$BASE"

# The session cookie's value after logging in as $1.
login() {
  curl -sS --max-time 10 -o /dev/null -D - -H 'Content-Type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"$PASSWORD\"}" "$BASE/api/login" |
    sed -n 's/^[Ss]et-[Cc]ookie: duban_session=\([^;]*\);.*/\1/p'
}
SUP=$(login bench.sup)
[[ -n $SUP ]] || die "supervisor login failed"

say "opening $ROUNDS rounds through the API"
t=$(now)
for i in $(seq 1 "$ROUNDS"); do
  code=$(curl -sS --max-time 120 -o "$WORK/round.json" -w '%{http_code}' \
    -H "Cookie: duban_session=$SUP" -H 'Content-Type: application/json' \
    -d "{\"document\":$DOCUMENT,\"label\":\"第${i}轮\",\"due\":\"2030-12-31\"}" "$BASE/api/rounds")
  [[ $code == 201 ]] || die "opening round $i: HTTP $code $(cat "$WORK/round.json")"
done
REPORTS=$(curl -sS --max-time 60 -H "Cookie: duban_session=$SUP" "$BASE/api/rounds" |
  python3 -c 'import json, sys; print(sum(r["reports"] for r in json.load(sys.stdin)))')
echo "$ROUNDS rounds, $REPORTS reports (opening: $(since "$t") s)"

say "report ids of the reporters' units"
: >"$WORK/ids.unit"
for i in "${!UNITS[@]}"; do
  cookie=$(login "$(printf 'bench.r%02d' "$i")")
  [[ -n $cookie ]] || die "reporter login failed"
  curl -sS --max-time 60 -H "Cookie: duban_session=$cookie" "$BASE/api/reports/mine" |
    python3 -c '
import json, sys
for n, r in enumerate(json.load(sys.stdin)):
    print(n, sys.argv[1], r["id"])' "$cookie" >>"$WORK/ids.unit"
done
# Interleave the units (the n-th report of each unit, then the n+1-th …).
sort -n -s -k1,1 "$WORK/ids.unit" | cut -d' ' -f2- >"$WORK/ids.txt"
IDS=$(wc -l <"$WORK/ids.txt")
echo "$IDS distinct reports of ${#UNITS[@]} units"

# ---------------------------------------------------------------- sanity
say "one request of each kind"
PAGES=$(( (TASKS + 49) / 50 ))
curl -sS --max-time 30 -o "$WORK/page.json" -w 'GET /api/tasks page 2: HTTP %{http_code}, %{size_download} bytes, %{time_total} s\n' \
  -H "Cookie: duban_session=$SUP" "$BASE/api/tasks?document=$DOCUMENT&page=2"
python3 - "$WORK/page.json" "$TASKS" "$ROUNDS" <<'EOF'
import json, sys
page = json.load(open(sys.argv[1]))
rows = page["rows"]
assert len(rows) == 50 and page["total"] == int(sys.argv[2]), (len(rows), page["total"])
assert rows[0]["number"] == 51 and all(r["reports"] for r in rows), "reports of the latest round"
print(f"  {len(rows)} rows of {page['total']}, page {page['page']}/{page['pages']}, round {page['round']['label']}")
EOF
read -r first_cookie first_id < "$WORK/ids.txt"
curl -sS --max-time 30 -o "$WORK/act.json" -w 'POST /api/reports/ID/actions: HTTP %{http_code}, %{time_total} s\n' \
  -H "Cookie: duban_session=$first_cookie" -H 'Content-Type: application/json' \
  -d '{"action":"save_draft","text":"试填"}' "$BASE/api/reports/$first_id/actions"
grep -q '"state":"draft"' "$WORK/act.json" || die "save_draft: $(cat "$WORK/act.json")"

# ---------------------------------------------------------------- machine
{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "nproc: $(nproc)"
  echo "cpu: $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)"
  echo "memory: $(free -g | awk '/^Mem:/ {print $2 " GiB"}')"
  echo "kernel: $(uname -sr)"
  echo "wrk: $(wrk -v 2>&1 | head -1)"
  echo "duban: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)$(git -C "$ROOT" diff --quiet HEAD 2>/dev/null || echo ' (+ uncommitted changes)')"
  echo "backend: $BACKEND $( [[ $BACKEND == postgres ]] && db_value 'SHOW server_version')"
  echo "data: $TASKS tasks, $ROUNDS rounds, $REPORTS reports, database $(db_size)"
  echo "load average before the runs: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "busiest processes over one second (the idle server included):"
  top -b -n 2 -d 1 -o %CPU -w 200 | awk '/^top -/ {n++} n == 2 && /^ *[0-9]+ / && shown < 6 {printf "  %s%% %s\n", $9, $12; shown++}'
} | tee "$OUT/machine.txt"

# ---------------------------------------------------------------- runs
# wrk's "Requests/sec" and its 99th percentile; "non-2xx" when any answer was not a success.
summarise() {
  local name=$1 file=$2
  local rps p99 non2xx errors
  rps=$(awk '/^Requests\/sec:/ {print $2; exit}' "$file")
  p99=$(awk '$1 == "99%" {print $2; exit}' "$file")
  non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $NF; exit}' "$file")
  errors=$(sed -n 's/^ *Socket errors: *//p' "$file" | head -1)
  local requests timeouts
  requests=$(awk '/ requests in / {print $1; exit}' "$file")
  timeouts=$(awk '/Socket errors:/ {print $NF; exit}' "$file")
  if [[ $requests == 0 ]]; then
    printf '%-34s no request completed\n' "$name"
    return
  fi
  # wrk leaves requests slower than --timeout out of its latency figures.
  if (( ${timeouts:-0} * 100 >= requests )); then p99=">10s"; fi
  printf '%-34s %10s req/s   p99 %8s%s%s\n' "$name" "$rps" "$p99" \
    "${non2xx:+   NON-2xx: $non2xx}" "${errors:+   socket errors: $errors}"
}

# Waits (≤ 60 s) until the server answers /healthz in under 50 ms: requests a finished
# wrk run left queued must not count against the next run.
settle() {
  local t
  for _ in $(seq 1 60); do
    t=$(curl -sS --max-time 30 -o /dev/null -w '%{time_total}' "$BASE/healthz" || echo 99)
    python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) < 0.05 else 1)" "$t" && return 0
    sleep 1
  done
  echo "server still busy after 60 s" >&2
}

say "(a) GET /api/tasks?document=$DOCUMENT&page=1..$PAGES — $THREADS threads, $READ_CONNECTIONS connections, $DURATION"
PAGES=$PAGES DOCUMENT=$DOCUMENT timeout 120 wrk -t"$THREADS" -c"$READ_CONNECTIONS" -d"$WARMUP" \
  -H "Cookie: duban_session=$SUP" -s "$HERE/tasks.lua" "$BASE" >/dev/null
settle
PAGES=$PAGES DOCUMENT=$DOCUMENT timeout 300 wrk -t"$THREADS" -c"$READ_CONNECTIONS" -d"$DURATION" \
  --latency --timeout 10s -H "Cookie: duban_session=$SUP" -s "$HERE/tasks.lua" "$BASE" | tee "$OUT/tasks.txt"
settle

say "(a1) the same, one connection at a time (the latency of a lone request) — ${SINGLE_DURATION}"
PAGES=$PAGES DOCUMENT=$DOCUMENT timeout 120 wrk -t1 -c1 -d"$SINGLE_DURATION" \
  --latency --timeout 10s -H "Cookie: duban_session=$SUP" -s "$HERE/tasks.lua" "$BASE" | tee "$OUT/tasks-1conn.txt"
settle

# The second half of the reports for the mixed run (not saved by (b) below): their
# first save changes their state.
half=$(( IDS / 2 ))
tail -n "+$(( half + 1 ))" "$WORK/ids.txt" >"$WORK/ids-mixed.txt"
head -n "$half" "$WORK/ids.txt" >"$WORK/ids-submit.txt"

say "(c) mixed: 90 % GET /api/tasks (pages, some filtered), 10 % save_draft — $THREADS threads, $READ_CONNECTIONS connections, $DURATION"
PAGES=$PAGES DOCUMENT=$DOCUMENT SUP=$SUP IDS="$WORK/ids-mixed.txt" THREADS=$THREADS timeout 300 \
  wrk -t"$THREADS" -c"$READ_CONNECTIONS" -d"$DURATION" --latency --timeout 10s \
  -s "$HERE/mixed.lua" "$BASE" | tee "$OUT/mixed.txt"
settle

events_before=$(db_value "SELECT COUNT(*) FROM report_events WHERE action = 'save_draft'")

say "(b) POST /api/reports/{id}/actions save_draft over $IDS reports — $THREADS threads, $WRITE_CONNECTIONS connections, $DURATION"
IDS="$WORK/ids-submit.txt" THREADS=$THREADS timeout 300 wrk -t"$THREADS" -c"$WRITE_CONNECTIONS" -d"$DURATION" \
  --latency --timeout 10s -s "$HERE/submit.lua" "$BASE" | tee "$OUT/submit.txt"

# Every answered save is in the database (committed before the answer): count them.
settle
events_after=$(db_value "SELECT COUNT(*) FROM report_events WHERE action = 'save_draft'")
distinct=$(db_value "SELECT COUNT(DISTINCT report_id) FROM report_events WHERE action = 'save_draft'")
python3 - "$events_before" "$events_after" "$distinct" "$OUT/submit.txt" "$BACKEND" <<'EOF' | tee "$OUT/durability.txt"
import re, sys
before, after, distinct, backend = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[5]
wrk = open(sys.argv[4]).read()
answered = int(re.search(r"(\d+) requests in", wrk).group(1))
non2xx = int((re.search(r"Non-2xx or 3xx responses: (\d+)", wrk) or [0, 0])[1])
print(f"save_draft events written by (b): {after - before}; successful answers counted by wrk: {answered - non2xx}; "
      f"reports saved at least once (all runs): {distinct}; backend {backend}")
if after - before < answered - non2xx:
    print("DURABILITY CHECK FAILED: fewer events than acknowledged saves")
    sys.exit(1)
EOF

# Reference points: what the HTTP stack does without the store (the stylesheet), and
# with only the session lookup (/api/me): the ceiling any page can reach on this machine.
if [[ -z ${NO_REFERENCE:-} ]]; then
  say "reference: GET /static/style.css and GET /api/me — $READ_CONNECTIONS connections, $REFERENCE_DURATION"
  timeout 120 wrk -t"$THREADS" -c"$READ_CONNECTIONS" -d"$REFERENCE_DURATION" --latency \
    "$BASE/static/style.css" | tee "$OUT/ref-static.txt"
  timeout 120 wrk -t"$THREADS" -c"$READ_CONNECTIONS" -d"$REFERENCE_DURATION" --latency \
    -H "Cookie: duban_session=$SUP" "$BASE/api/me" | tee "$OUT/ref-me.txt"
fi

say "summary"
{
  cat "$OUT/machine.txt"
  echo
  summarise "(a) GET /api/tasks (50 rows)" "$OUT/tasks.txt"
  summarise "(a1) the same, 1 connection" "$OUT/tasks-1conn.txt"
  summarise "(b) POST save_draft (durable)" "$OUT/submit.txt"
  summarise "(c) mixed 90 % reads, 10 % saves" "$OUT/mixed.txt"
  if [[ -z ${NO_REFERENCE:-} ]]; then
    summarise "ref: GET /static/style.css" "$OUT/ref-static.txt"
    summarise "ref: GET /api/me (session only)" "$OUT/ref-me.txt"
  fi
  cat "$OUT/durability.txt"
  echo "targets: SQLite (a) >= 10000 req/s with p99 < 10ms, (b) >= 1000 req/s, (c) >= 5000 req/s with p99 < 20ms;"
  echo "         PostgreSQL (a) >= 5000 req/s, (b) >= 2000 req/s, (c) >= 3000 req/s"
} | tee "$OUT/summary.txt"
