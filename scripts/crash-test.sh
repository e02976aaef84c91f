#!/usr/bin/env bash
# Crash safety (issue 12 §1): reporters save their reports under load while `duban serve`
# is killed with SIGKILL at random moments; after every kill the store must open cleanly
# (SQLite: PRAGMA integrity_check) and hold every write that was acknowledged (HTTP 2xx)
# with exactly its content. Then a full disk and a read-only database (a small tmpfs the
# script mounts): clear Chinese errors, nothing corrupted.
#
#   scripts/crash-test.sh [sqlite|postgres|disk|all]     (default all)
#
# CYCLES (default 20) kills per backend; DUBAN_BIN (default target/debug/duban, built if
# missing); for PostgreSQL, PGHOST/PGPORT/PGUSER as for psql (default 127.0.0.1:5432,
# postgres); it creates and drops a database of its own. Needs python3, sqlite3, psql
# (for postgres) and root for the mount (the disk cases are skipped, saying why,
# without it). Prints the figures at the end; exits non-zero on any loss or corruption.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
WHAT=${1:-all}
CYCLES=${CYCLES:-20}
BIN=${DUBAN_BIN:-$ROOT/target/debug/duban}
DRIVER="python3 $ROOT/scripts/crash_driver.py"
SEED=$ROOT/data/seed/000_5b3cae3e93885f9f.txt
PASSWORD=crash-Test-1
REPORTERS=(fgj.lly czj.lly gxj.lly cgj.lly)
UNITS=(区发改局 区财政局 区工信局 区城管局)
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}

if [[ ! -x $BIN ]]; then
    (cd "$ROOT" && cargo build --bin duban)
fi
WORK=$(mktemp -d)
SERVER=
cleanup() {
    local status=$?
    if [[ $status != 0 && -d $WORK ]]; then
        # What the failed check saw, for a look afterwards.
        local kept=/tmp/duban-crash-failure-$$
        mkdir -p "$kept"
        cp "$WORK"/state.jsonl "$WORK"/dump.json "$WORK"/serve.err "$kept"/ 2>/dev/null || true
        echo "kept the failed run's state, dump and server log in $kept" >&2
    fi
    if [[ -n $SERVER ]]; then kill -9 "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
    if mountpoint -q "$WORK/disk" 2>/dev/null; then umount "$WORK/disk" || true; fi
    if [[ -n ${PGDB:-} ]]; then dropdb --if-exists "$PGDB" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT
SUMMARY=()

# Starts `duban serve` on a free port; sets SERVER (pid) and URL.
start_server() {
    local log=$WORK/serve.log
    : >"$log"
    "$BIN" serve --bind 127.0.0.1:0 >"$log" 2>>"$WORK/serve.err" &
    SERVER=$!
    URL=
    for _ in $(seq 200); do
        URL=$(grep -o 'http://[0-9.:]*' "$log" | head -1 || true)
        if [[ -n $URL ]]; then return 0; fi
        if ! kill -0 "$SERVER" 2>/dev/null; then
            echo "duban serve did not start:" >&2
            tail -5 "$WORK/serve.err" >&2
            SERVER=
            return 1
        fi
        sleep 0.05
    done
    echo "duban serve did not start in time" >&2
    return 1
}

kill_server() {
    kill -9 "$SERVER" 2>/dev/null || true
    wait "$SERVER" 2>/dev/null || true
    SERVER=
}

# A store with the seed, the office's account, a reporter for each of four units and an
# open round on every task.
prepare_store() {
    "$BIN" import "$SEED" >/dev/null 2>&1
    echo "$PASSWORD" | "$BIN" user add sup --role supervisor --password-stdin >/dev/null
    for i in "${!REPORTERS[@]}"; do
        echo "$PASSWORD" | "$BIN" user add "${REPORTERS[$i]}" --role reporter \
            --unit "${UNITS[$i]}" --password-stdin >/dev/null
    done
    start_server
    python3 - "$URL" "$PASSWORD" <<'PY'
import json, sys, urllib.request, http.cookiejar
url, password = sys.argv[1], sys.argv[2]
o = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
def post(path, body):
    r = urllib.request.Request(url + path, json.dumps(body).encode(), {"Content-Type": "application/json"})
    return json.loads(o.open(r).read())
post("/api/login", {"username": "sup", "password": password})
post("/api/rounds", {"document": 1, "label": "1-11月", "due": "2020-12-10", "tasks": "1-35"})
PY
    $DRIVER setup "$URL" "$WORK/state.jsonl" "${REPORTERS[@]}"
    kill -TERM "$SERVER"; wait "$SERVER" || true; SERVER=
}

# The reports and their event counts as stored, as JSON for the driver's check.
dump() {
    local backend=$1 out=$2
    if [[ $backend == sqlite ]]; then
        python3 - "$WORK/crash.db" "$out" <<'PY'
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
reports = [{"id": i, "text": t, "percent": p if p is not None else -1}
           for i, t, p in db.execute("SELECT id, text_plain, percent FROM reports")]
events = dict(db.execute("SELECT report_id, COUNT(*) FROM report_events GROUP BY report_id"))
json.dump({"reports": reports, "events": events}, open(sys.argv[2], "w"), ensure_ascii=False)
PY
    else
        psql -X -At -d "$PGDB" -c "SELECT json_build_object(
            'reports', (SELECT json_agg(json_build_object('id', id, 'text', text_plain, 'percent', COALESCE(percent, -1))) FROM reports),
            'events', (SELECT json_object_agg(report_id, n) FROM (SELECT report_id, COUNT(*) AS n FROM report_events GROUP BY report_id) e))" >"$out"
    fi
}

crash_cycles() {
    local backend=$1
    if [[ $backend == sqlite ]]; then
        export DATABASE_URL=sqlite://$WORK/crash.db
    else
        PGDB=duban_crash_$$
        createdb "$PGDB"
        export DATABASE_URL=postgres://$PGUSER@$PGHOST:$PGPORT/$PGDB
    fi
    rm -f "$WORK/state.jsonl"
    prepare_store
    local integrity_ok=0
    for cycle in $(seq "$CYCLES"); do
        start_server
        $DRIVER load "$URL" "$WORK/state.jsonl" 30 &
        local load=$!
        # Kill somewhere between 0.3 and 3 seconds into the load.
        sleep "$(python3 -c 'import random; print(round(random.uniform(0.3, 3.0), 2))')"
        kill_server
        wait "$load" || true
        if [[ $backend == sqlite ]]; then
            local check
            check=$(sqlite3 "$WORK/crash.db" "PRAGMA integrity_check")
            if [[ $check != ok ]]; then
                echo "cycle $cycle: integrity_check: $check" >&2
                exit 1
            fi
            integrity_ok=$((integrity_ok + 1))
        fi
        dump "$backend" "$WORK/dump.json"
        local figures
        figures=$($DRIVER check "$WORK/state.jsonl" "$WORK/dump.json")
        echo "$backend cycle $cycle: $figures"
    done
    # The store opens again and its audit chain is whole.
    "$BIN" audit verify | head -1
    if [[ $backend == sqlite ]]; then
        SUMMARY+=("$backend: $CYCLES kills, $figures, integrity_check ok $integrity_ok/$CYCLES")
    else
        # The database server itself is not killed: its own recovery is not what is tested.
        SUMMARY+=("$backend: $CYCLES kills of duban serve, $figures")
    fi
    if [[ $backend == postgres ]]; then dropdb "$PGDB"; PGDB=; fi
    unset DATABASE_URL
}

# A full disk and a read-only database on a small tmpfs.
disk_cases() {
    mkdir -p "$WORK/disk"
    if ! mount -t tmpfs -o size=6m tmpfs "$WORK/disk" 2>"$WORK/mount.err"; then
        SUMMARY+=("disk: skipped, cannot mount a tmpfs here ($(cat "$WORK/mount.err"))")
        return 0
    fi
    export DATABASE_URL=sqlite://$WORK/disk/duban.db
    rm -f "$WORK/state.jsonl"
    prepare_store
    start_server
    $DRIVER login "$URL" fgj.lly "$WORK/cookies"
    # Fill the disk, then write.
    dd if=/dev/zero of="$WORK/disk/filler" bs=16k 2>/dev/null || true
    local answer
    answer=$($DRIVER write "$URL" "$WORK/cookies")
    echo "full disk: $answer"
    if [[ $(head -1 <<<"$answer") != 5* ]] || ! grep -q "磁盘空间已满" <<<"$answer"; then
        echo "full disk: expected a 5xx naming the full disk" >&2
        exit 1
    fi
    rm -f "$WORK/disk/filler"
    answer=$($DRIVER write "$URL" "$WORK/cookies")
    echo "after freeing space: $(head -1 <<<"$answer")"
    [[ $(head -1 <<<"$answer") == 200 ]]
    # The database on a file system mounted read-only (a running server's open files
    # keep it from being remounted, so the server is stopped first and started on it).
    kill -TERM "$SERVER"; wait "$SERVER" || true; SERVER=
    mount -o remount,ro "$WORK/disk"
    if start_server 2>"$WORK/ro.err"; then
        answer=$($DRIVER write "$URL" "$WORK/cookies" 2>&1 || true)
        echo "read-only: server started; a write answers: $answer"
        if [[ $(head -1 <<<"$answer") != 5* ]] || ! grep -Eq "只读|读写数据库" <<<"$answer"; then
            echo "read-only: expected a 5xx naming the read-only database" >&2
            exit 1
        fi
        kill_server
    else
        echo "read-only: the server refuses to start: $(tail -2 "$WORK/serve.err")"
        if ! grep -Eq "只读|无法打开" "$WORK/serve.err"; then
            echo "read-only: expected a Chinese error naming the read-only database" >&2
            exit 1
        fi
    fi
    mount -o remount,rw "$WORK/disk"
    local check
    check=$(sqlite3 "$WORK/disk/duban.db" "PRAGMA integrity_check")
    echo "integrity_check after the disk cases: $check"
    [[ $check == ok ]]
    "$BIN" audit verify | head -1
    umount "$WORK/disk"
    SUMMARY+=("disk: full disk and read-only refused with Chinese errors, integrity_check ok")
    unset DATABASE_URL
}

cd "$WORK"
case $WHAT in
    sqlite) crash_cycles sqlite ;;
    postgres) crash_cycles postgres ;;
    disk) disk_cases ;;
    all) crash_cycles sqlite; crash_cycles postgres; disk_cases ;;
    *) echo "usage: $0 [sqlite|postgres|disk|all]" >&2; exit 2 ;;
esac
printf '%s\n' "${SUMMARY[@]}"
