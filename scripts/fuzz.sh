#!/usr/bin/env bash
# A short run of every fuzz target (about 30 s each by default, a few
# minutes in all): the four parsers (plain text, Markdown, decoding,
# book.toml), the page-style parser, and the whole pipeline from bytes to
# an EPUB and a PDF in memory with inputs of up to 64 KB.
#
#   bash scripts/fuzz.sh            # every target, 30 s each
#   SECONDS_PER_TARGET=300 bash scripts/fuzz.sh pipeline
#
# Needs cargo-fuzz (installed here if missing) and a nightly toolchain, or
# the stable one, used with RUSTC_BOOTSTRAP=1.
# A crash stops the script and leaves the input in
# fuzz/artifacts/<target>/; turn it into a regression test in tests/.
set -euo pipefail
cd "$(dirname "$0")/.."

# cargo-fuzz needs nightly features: a nightly toolchain when there is one,
# else the stable one with RUSTC_BOOTSTRAP=1.
if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi
cargo_fuzz=(cargo fuzz)
if command -v rustup >/dev/null && rustup toolchain list | grep -q '^nightly'; then
    cargo_fuzz=(cargo +nightly fuzz)
else
    export RUSTC_BOOTSTRAP=1
fi

seconds="${SECONDS_PER_TARGET:-30}"
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(plain_text markdown decode book_toml page_style pipeline)
fi

for target in "${targets[@]}"; do
    max_len=4096
    if [ "$target" = pipeline ]; then
        max_len=65536
    fi
    echo "== $target (${seconds} s, inputs up to ${max_len} bytes)"
    mkdir -p "fuzz/corpus/$target"
    # The sample edition seeds the text targets.
    case "$target" in
        plain_text|decode|pipeline) cp -n sources/*/*.txt "fuzz/corpus/$target/" 2>/dev/null || true ;;
        markdown) cp -n sources/*/*.md "fuzz/corpus/$target/" 2>/dev/null || true ;;
        book_toml) cp -n sources/*/book.toml "fuzz/corpus/$target/" 2>/dev/null || true ;;
        page_style) cp -n styles/pdf/*.toml "fuzz/corpus/$target/" 2>/dev/null || true ;;
    esac
    "${cargo_fuzz[@]}" run "$target" "fuzz/corpus/$target" -- \
        -max_total_time="$seconds" -max_len="$max_len" -rss_limit_mb=4096 -timeout=60
done
echo "no crash found"
