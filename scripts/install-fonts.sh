#!/usr/bin/env bash
# Installs the open 仿宋 duban falls back to when no licensed 仿宋_GB2312 / 方正仿宋 is
# present: FandolFang Regular (Fandol team; GPL with the GPL font exception), taken
# from Debian's texlive-lang-chinese package without installing TeX Live, into a
# system font folder where fontconfig (and so `duban render`/`duban serve`) finds it.
#
# It is deliberately not compiled into the duban binary (which is MIT OR Apache-2.0):
# the font exception covers documents that embed the font, not programs that contain
# it. See docs/fonts.md.
#
# Usage: scripts/install-fonts.sh [DIR]   (default /usr/local/share/fonts/duban; root)
set -euo pipefail

dest="${1:-/usr/local/share/fonts/duban}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

(cd "$work" && apt-get download -qq texlive-lang-chinese && dpkg-deb -x texlive-lang-chinese_*.deb x)
src="$work/x/usr/share/texlive/texmf-dist/fonts/opentype/public/fandol"
mkdir -p "$dest"
install -m 0644 "$src/FandolFang-Regular.otf" "$dest/"
install -m 0644 "$work/x/usr/share/doc/texlive-doc/fonts/fandol/README" "$dest/FandolFang-README"
cat >"$dest/FandolFang-LICENSE" <<'TXT'
FandolFang Regular, from the Fandol fonts by the Fandol team (Clerk Ma, Jie Su),
as shipped in Debian's texlive-lang-chinese (main). Licence: GNU GPL with the GPL font
exception ("As a special exception, if you create a document which uses this font,
and embed this font or unaltered portions of this font into the document, this font
does not by itself cause the resulting document to be covered by the GNU General
Public License."). Source: https://ctan.org/pkg/fandol
TXT
if command -v fc-cache >/dev/null; then
    fc-cache -f "$dest" >/dev/null
fi
echo "installed $dest/FandolFang-Regular.otf"
