#!/usr/bin/env bash
# A round's own 通报, whole process (issue 10): the seed's round (35 tasks) and a round
# of 10,000 tasks (the seed's rows repeated), each generated from the round's reports
# and written as JSON, DOCX and PDF by `duban notice`, timed with hyperfine.
#
# Target: the 35-task notice to PDF < 150 ms whole process.
# Public equivalent of each figure:
#   hyperfine -N --warmup 2 'duban notice 1 --format pdf --output n.pdf'
#
# Needs hyperfine (Debian package hyperfine; installed when missing and root).
# Usage: scripts/bench-notice.sh [RUNS]   (default 10 timed runs for the seed; 3 for 10,000)
set -euo pipefail
cd "$(dirname "$0")/.."

runs="${1:-10}"
if ! command -v hyperfine >/dev/null; then
    if [ "$(id -u)" != 0 ]; then
        echo "missing: hyperfine (apt-get install hyperfine)" >&2
        exit 1
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hyperfine >/dev/null
fi

cargo build --release --quiet
duban="${CARGO_TARGET_DIR:-$PWD/target}/release/duban"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

seed=data/seed/000_5b3cae3e93885f9f.txt
# The seed's header block, then its 35 rows repeated up to 10,000 tasks under another 文号.
python3 - "$seed" "$work/big.txt" <<'PY'
import sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
header_at = next(i for i, l in enumerate(lines) if l.startswith("序号\t"))
rows = [l for l in lines if l.split("\t", 1)[0].isdigit() and l.count("\t") >= 3]
out = [l.replace("〔2020〕48号", "〔2020〕900号") for l in lines[:header_at + 1]]
for n in range(10_000):
    cells = rows[n % len(rows)].split("\t")
    cells[0] = str(n + 1)
    out.append("\t".join(cells))
open(sys.argv[2], "w", encoding="utf-8").write("\n".join(out) + "\n")
PY

export DATABASE_URL="sqlite:$work/duban.db"
"$duban" import "$seed" >/dev/null
"$duban" import "$work/big.txt" >/dev/null
small=$("$duban" rounds --format json | python3 -c 'import json,sys; print(next(r["id"] for r in json.load(sys.stdin) if r["doc_number"].endswith("48号")))')
big=$("$duban" rounds --format json | python3 -c 'import json,sys; print(next(r["id"] for r in json.load(sys.stdin) if r["doc_number"].endswith("900号")))')

echo "== the seed's round: 35 tasks, $runs runs each =="
hyperfine -N --warmup 2 --runs "$runs" --export-markdown "$work/small.md" \
    "$duban notice $small --format json --output $work/s.json" \
    "$duban notice $small --format docx --output $work/s.docx" \
    "$duban notice $small --format pdf --output $work/s.pdf"
cat "$work/small.md"

echo "== a round of 10,000 tasks, 3 runs each =="
hyperfine -N --warmup 1 --runs 3 --export-markdown "$work/big.md" \
    "$duban notice $big --format json --output $work/b.json" \
    "$duban notice $big --format docx --output $work/b.docx" \
    "$duban notice $big --format pdf --output $work/b.pdf"
cat "$work/big.md"
ls -l "$work"/b.* "$work"/s.*
pdfinfo "$work/b.pdf" 2>/dev/null | grep Pages || true
