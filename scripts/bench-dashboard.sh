#!/usr/bin/env bash
# Benchmark (not a test): the leaders' dashboard — its aggregates and the rankings —
# on `duban demo-data`'s default set (500 units, 10,000 tasks, 100,000 reports, 777
# rounds), as `duban serve` answers it on localhost. Prints the time of each request
# (curl's total; on localhost that is the server's time) for
#   GET /api/dashboard/rankings   per-unit figures ranked within categories, trend, unreported
#   GET /api/dashboard            every dashboard figure, the rankings included
# The first request of each computes everything (the readings and the rankings' figures
# are then kept until the store's generation or the day moves); the others are timed.
# Then, RUNS times, the office records a 审定 on one task (a write to one document,
# another document each time) and the dashboard is timed right after it: only the
# documents written since are computed again.
#
#   scripts/bench-dashboard.sh [DATABASE_URL]   default: a fresh SQLite file in a temp dir
#   DUBAN_BIN=…  the binary (default target/release/duban; build with
#                `cargo build --release --no-default-features`)
#   RUNS=20      requests per endpoint
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${DUBAN_BIN:-$here/target/release/duban}
runs=${RUNS:-20}
work=$(mktemp -d)
trap 'kill "${server:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
url=${1:-sqlite://$work/duban.db}
cd "$work"
echo "== demo data into $url"
"$bin" demo-data --database-url "$url"
printf 'bench-password-1\n' | "$bin" user add bench.ldr --role leader --name 领导 \
    --password-stdin --database-url "$url" >/dev/null
printf 'bench-password-1\n' | "$bin" user add bench.dcs --role supervisor --name 督查室 \
    --password-stdin --database-url "$url" >/dev/null
# The benchmark's accounts keep the password `user add` gave them.
DUBAN_FORCE_PASSWORD_CHANGE=false "$bin" serve --database-url "$url" --bind 127.0.0.1:0 \
    >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 100); do
    base=$(grep -o 'http://127.0.0.1:[0-9]*' "$work/serve.log" | head -1 || true)
    [ -n "$base" ] && break
    sleep 0.1
done
[ -n "$base" ] || { cat "$work/serve.log"; exit 1; }
jar="$work/cookies"
curl -sf -c "$jar" -H 'Content-Type: application/json' \
    -d '{"username":"bench.ldr","password":"bench-password-1"}' "$base/api/login" >/dev/null
office="$work/office-cookies"
curl -sf -c "$office" -H 'Content-Type: application/json' \
    -d '{"username":"bench.dcs","password":"bench-password-1"}' "$base/api/login" >/dev/null
summary() { # label, then times in seconds on stdin
    sort -n | awk -v label="$1" '
        { t[NR] = $1 * 1000 }
        END { printf "%-26s %d runs  min %.1f ms  median %.1f ms  max %.1f ms\n",
              label, NR, t[1], t[int((NR + 1) / 2)], t[NR] }'
}
for path in /api/dashboard/rankings /api/dashboard; do
    first=$(curl -sf -b "$jar" -o "$work/warm.json" -w '%{time_total}' "$base$path")
    awk -v path="$path" -v t="$first" 'BEGIN { printf "%-26s first (nothing cached) %.1f ms\n", path, t * 1000 }'
    times=()
    for _ in $(seq "$runs"); do
        times+=("$(curl -sf -b "$jar" -o /dev/null -w '%{time_total}' "$base$path")")
    done
    printf '%s\n' "${times[@]}" | sort -n | awk -v path="$path" -v size="$(wc -c <"$work/warm.json")" '
        { t[NR] = $1 * 1000 }
        END { printf "%-26s %d runs  min %.1f ms  median %.1f ms  max %.1f ms  (%d bytes)\n",
              path, NR, t[1], t[int((NR + 1) / 2)], t[NR], size }'
done
times=()
for i in $(seq "$runs"); do
    status=$([ $((i % 2)) -eq 0 ] && echo lagging || echo in_progress)
    curl -sf -b "$office" -H 'Content-Type: application/json' -o /dev/null \
        -d "{\"status\":\"$status\",\"reason\":\"基准测试审定\"}" \
        "$base/api/documents/$i/tasks/1/status"
    times+=("$(curl -sf -b "$jar" -o /dev/null -w '%{time_total}' "$base/api/dashboard")")
done
printf '%s\n' "${times[@]}" | summary "/api/dashboard after a 审定"
