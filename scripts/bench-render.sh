#!/usr/bin/env bash
# Whole-process timing of duban's notice output against the tools an office uses
# today, side by side in one hyperfine run, plus the peak memory of each process
# (/usr/bin/time -v):
#
#   duban render 1 --format pdf    vs  soffice --headless --convert-to pdf (our DOCX)
#   duban render 1 --format docx   vs  pandoc (markdown of the same notice → DOCX)
#
# Targets (issue 3): PDF ≥ 10× faster than LibreOffice, peak memory < 100 MiB;
# DOCX ≥ 10× faster than pandoc.
#
# Needs: hyperfine, pandoc, libreoffice (soffice), jq, GNU time (Debian packages
# hyperfine pandoc libreoffice-writer jq time); installs the missing ones when root.
#
# Usage: scripts/bench-render.sh [RUNS]   (default 10 timed runs per command)
set -euo pipefail
cd "$(dirname "$0")/.."

runs="${1:-10}"
need=()
command -v hyperfine >/dev/null || need+=(hyperfine)
command -v pandoc >/dev/null || need+=(pandoc)
command -v soffice >/dev/null || need+=(libreoffice-writer)
command -v jq >/dev/null || need+=(jq)
[ -x /usr/bin/time ] || need+=(time)
if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "missing: ${need[*]} (apt-get install them)" >&2
        exit 1
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

cargo build --release --quiet
duban="${CARGO_TARGET_DIR:-$PWD/target}/release/duban"
if ! "$duban" render --help >/dev/null 2>&1; then
    echo "this duban has no 'render' command yet" >&2
    exit 1
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export DATABASE_URL="sqlite:$work/duban.db"
"$duban" import data/seed/000_5b3cae3e93885f9f.txt >/dev/null
"$duban" export 1 --format md --output "$work/seed.md"
"$duban" render 1 --format docx --output "$work/seed.docx"
"$duban" render 1 --format pdf --output "$work/seed.pdf"
"$duban" render 1 --format html --output "$work/seed.html"
mkdir -p "$work/lo"
# LibreOffice gets its own profile, created by the warm-up runs.
lo_profile="file://$work/lo-profile"

pdf_cmd="$duban render 1 --format pdf --output $work/out.pdf"
docx_cmd="$duban render 1 --format docx --output $work/out.docx"
pandoc_cmd="pandoc $work/seed.md -o $work/pandoc.docx"
pandoc_html_cmd="pandoc $work/seed.html -o $work/pandoc-html.docx"
soffice_cmd="soffice -env:UserInstallation=$lo_profile --headless --convert-to pdf --outdir $work/lo $work/seed.docx"

echo "== whole process, $runs runs each (hyperfine) =="
hyperfine --warmup 2 --runs "$runs" --style basic --export-json "$work/times.json" \
    -n "duban pdf" "$pdf_cmd" \
    -n "libreoffice docx→pdf" "$soffice_cmd" \
    -n "duban docx" "$docx_cmd" \
    -n "pandoc md→docx" "$pandoc_cmd" \
    -n "pandoc html→docx" "$pandoc_html_cmd" >/dev/null

median() { jq -r --arg n "$1" '.results[] | select(.command == $n) | .median' "$work/times.json"; }
peak_kib() {
    # shellcheck disable=SC2086 # the command strings are split on purpose
    /usr/bin/time -v $1 2>&1 >/dev/null | awk -F': ' '/Maximum resident set size/ {print $2}'
}

printf '%-24s %12s %14s\n' command "median (ms)" "peak RSS (MiB)"
for name in "duban pdf" "libreoffice docx→pdf" "duban docx" "pandoc md→docx" "pandoc html→docx"; do
    case "$name" in
        "duban pdf") cmd="$pdf_cmd" ;;
        "libreoffice docx→pdf") cmd="$soffice_cmd" ;;
        "duban docx") cmd="$docx_cmd" ;;
        "pandoc md→docx") cmd="$pandoc_cmd" ;;
        *) cmd="$pandoc_html_cmd" ;;
    esac
    m="$(median "$name")"
    kib="$(peak_kib "$cmd")"
    awk -v n="$name" -v m="$m" -v k="$kib" 'BEGIN { printf "%-24s %12.1f %14.1f\n", n, m * 1000, k / 1024 }'
done

pdf="$(median "duban pdf")"
lo="$(median "libreoffice docx→pdf")"
docx="$(median "duban docx")"
pd="$(median "pandoc md→docx")"
ph="$(median "pandoc html→docx")"
awk -v lo="$lo" -v pdf="$pdf" -v pd="$pd" -v ph="$ph" -v docx="$docx" 'BEGIN {
    printf "\nPDF:  LibreOffice / duban        = %.1f× (target ≥ 10×)\n", lo / pdf
    printf "DOCX: pandoc (markdown) / duban = %.1f× (target ≥ 10×)\n", pd / docx
    printf "DOCX: pandoc (HTML) / duban     = %.1f×\n", ph / docx
}'
pages="$(pdfinfo "$work/seed.pdf" 2>/dev/null | awk '/^Pages:/ {print $2}')"
echo "(seed PDF: ${pages:-?} pages; LibreOffice converts our DOCX of the same notice)"
