#!/usr/bin/env bash
# Regenerates the open fallback fonts bundled in crates/render/fonts/ for the PDF
# renderer: subsets of Noto Serif CJK SC (Regular, Bold), Noto Sans CJK SC (Regular)
# and AR PL UKai CN that cover GB2312 (all 6763 hanzi and its symbols), ①–⑳, ㎡, 濛,
# curly quotes and every character of the seed notice.
#
# Needs Debian's fonts-noto-cjk and fonttools (installed here if missing, as root);
# AR PL UKai is taken from the fonts-arphic-ukai .deb without installing it.
#
# Usage: scripts/make-fonts.sh [OUT_DIR]   (default crates/render/fonts)
set -euo pipefail
cd "$(dirname "$0")/.."

out="${1:-crates/render/fonts}"
noto=/usr/share/fonts/opentype/noto
py=/usr/bin/python3 # Debian's python, which has fontTools

need=()
[ -f "$noto/NotoSerifCJK-Regular.ttc" ] || need+=(fonts-noto-cjk)
{ [ -x "$py" ] && "$py" -c 'import fontTools' 2>/dev/null; } || need+=(fonttools)
if [ ${#need[@]} -gt 0 ]; then
    echo "installing ${need[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

(cd "$work" && apt-get download -qq fonts-arphic-ukai 2>/dev/null && dpkg-deb -x fonts-arphic-ukai_*.deb ukai)
ukai="$work/ukai/usr/share/fonts/truetype/arphic/ukai.ttc"
zcat "$work/ukai/usr/share/doc/fonts-arphic-ukai/license/english/ARPHICPL.TXT.gz" >"$work/ARPHICPL.TXT"

mkdir -p "$out"
"$py" - "$out" "$noto" "$ukai" "$work" data/seed/*.txt <<'EOF'
import datetime
import os
import sys

from fontTools import subset
from fontTools.ttLib import TTCollection

out, noto, ukai, work, *seeds = sys.argv[1:]

# GB2312: every valid two-byte code (rows 0xA1-0xF7, cells 0xA1-0xFE).
chars = set()
for hi in range(0xA1, 0xF8):
    for lo in range(0xA1, 0xFF):
        try:
            chars.update(bytes([hi, lo]).decode("gb2312"))
        except UnicodeDecodeError:
            pass
hanzi = sum(1 for c in chars if 0x4E00 <= ord(c) <= 0x9FFF)
assert hanzi == 6763, hanzi
chars.update(chr(c) for c in range(0x20, 0x7F))  # ASCII
chars.update(chr(c) for c in range(0xA0, 0x100))  # Latin-1 (×, ·, °, ±)
chars.update(chr(c) for c in range(0x2460, 0x2474))  # ① … ⑳
chars.update(chr(c) for c in range(0x2474, 0x2488))  # ⑴ … ⒇
chars.update(chr(c) for c in range(0x2488, 0x249C))  # ⒈ … ⒛
chars.update("㎡㎞㎏℃‰№…—–―‘’“”〔〕〖〗【】《》〈〉「」『』・·•●○■□▲△★☆√×÷±≤≥≠≈濛")
for seed in seeds:
    with open(seed, encoding="utf-8") as f:
        chars.update(f.read())
chars = {c for c in chars if c.isprintable() or c == " "}

stamp = datetime.date.today().isoformat()
jobs = [
    # (source, face index, output, licence note)
    (f"{noto}/NotoSerifCJK-Regular.ttc", 2, "NotoSerifCJKsc-Regular-GB2312.otf", "OFL"),
    (f"{noto}/NotoSerifCJK-Bold.ttc", 2, "NotoSerifCJKsc-Bold-GB2312.otf", "OFL"),
    (f"{noto}/NotoSansCJK-Regular.ttc", 2, "NotoSansCJKsc-Regular-GB2312.otf", "OFL"),
    (ukai, 0, "ARPLUKaiCN-GB2312.ttf", "APL"),
]
for src, index, name, licence in jobs:
    font = TTCollection(src).fonts[index]
    family = font["name"].getDebugName(1)
    cmap = font.getBestCmap()
    missing = sorted(c for c in chars if ord(c) not in cmap and c != " ")
    # Only the seed's characters are a hard requirement; GB2312 symbols a face
    # lacks fall back to the next family at render time.
    seed_missing = [c for c in missing if any(c in open(s, encoding="utf-8").read() for s in seeds)]
    if seed_missing and licence == "OFL":
        sys.exit(f"{family} lacks seed characters: {''.join(seed_missing)}")
    options = subset.Options()
    # Horizontal text only: no locl (other-language forms) and no vertical forms.
    options.layout_features = ["ccmp", "kern", "liga", "calt", "clig", "rlig", "mark", "mkmk", "halt", "palt"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = False
    options.glyph_names = False
    options.drop_tables += ["DSIG"]
    sub = subset.Subsetter(options)
    sub.populate(unicodes=[ord(c) for c in chars])
    sub.subset(font)
    if licence == "APL":
        # Arphic Public License §2a: a prominent notice of the change in the file.
        notice = (
            f"Modified {stamp} by the duban project: subset to GB2312 and the "
            "characters duban notices use (scripts/make-fonts.sh), hinting removed. "
            "Distributed under the Arphic Public License (ARPHICPL.TXT)."
        )
        names = font["name"]
        for rec in list(names.names):
            if rec.nameID == 5:
                names.setName(f"{rec.toUnicode()}; {notice}", 5, rec.platformID, rec.platEncID, rec.langID)
        names.setName(notice, 10, 3, 1, 0x409)
    path = os.path.join(out, name)
    font.save(path)
    print(f"{name}: {os.path.getsize(path) / 1e6:.2f} MB, {len(font.getGlyphOrder())} glyphs, "
          f"{family}; not in face: {len(missing)} ({''.join(missing[:40])})")
EOF

cp "$work/ARPHICPL.TXT" "$out/ARPHICPL.TXT"
ls -l "$out"
