#!/usr/bin/env bash
# A short run of every fuzz target, one after the other: the four parsers
# (plain text, Markdown, decoding, book.toml), the page-style parser, and
# the whole pipeline (bytes -> decode -> normalize -> resolve -> typeset
# -> EPUB and PDF in memory) with inputs of up to 64 KB.
#
#   bash scripts/fuzz.sh                 # every target: 60 s each, pipeline 300 s
#   SECONDS_PER_TARGET=30 bash scripts/fuzz.sh plain_text markdown
#   PIPELINE_SECONDS=600 bash scripts/fuzz.sh pipeline
#
# Each corpus (fuzz/corpus/<target>/, not committed) is seeded from the
# repository's own sources and test fixtures (the pipeline's also with
# four hand-made inputs of 60-65 KB). An input that crashes,
# panics, runs out of memory (4 GB) or takes more than 10 s
# (FUZZ_TIMEOUT) is left in fuzz/artifacts/<target>/; the other targets
# still run, the script ends with status 1 and names them. Shrink a
# finding with `cargo +nightly fuzz tmin <target> <file>` and turn it into
# a regression test in tests/fuzz_findings.rs. libFuzzer's output for
# each target is kept in fuzz/logs/<target>.log.
#
# Needs a C and C++ compiler, cargo-fuzz (installed here if missing) and a
# nightly toolchain, or the stable one used with RUSTC_BOOTSTRAP=1. The
# first build compiles every dependency with AddressSanitizer (about
# 40 minutes on two busy cores).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi
cargo_fuzz=(cargo fuzz)
if command -v rustup >/dev/null && rustup toolchain list | grep -q '^nightly'; then
    cargo_fuzz=(cargo +nightly fuzz)
else
    export RUSTC_BOOTSTRAP=1
fi

seconds="${SECONDS_PER_TARGET:-60}"
pipeline_seconds="${PIPELINE_SECONDS:-300}"
timeout="${FUZZ_TIMEOUT:-10}"
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(plain_text markdown decode book_toml page_style pipeline)
fi

# seed TARGET PREFIX FILE...: copies each file into the target's corpus
# under a name made from its path, with PREFIX (printf format) before its
# bytes; files already there are kept.
seed() {
    local target="$1" prefix="$2"
    shift 2
    local file name
    for file in "$@"; do
        [ -f "$file" ] || continue
        name="fuzz/corpus/$target/seed-${file//\//_}"
        [ -e "$name" ] || { printf "$prefix"; cat "$file"; } >"$name"
    done
}

shopt -s nullglob
texts=(sources/*/*.txt tests/cases/*/*.txt tests/cases/*/chapters/*.txt tests/clreq/*/*.txt)
markdowns=(sources/*/*.md tests/cases/*/*.md tests/clreq/*/*.md)
tomls=(sources/*/book.toml tests/cases/*/book.toml tests/clreq/*/book.toml)

mkdir -p fuzz/logs
failed=()
for target in "${targets[@]}"; do
    max_len=4096
    run_seconds="$seconds"
    extra=()
    if [ "$target" = pipeline ]; then
        max_len=65536
        run_seconds="$pipeline_seconds"
        # Long inputs from the start: libFuzzer otherwise grows the length
        # slowly and stays under 5 KB in a short run.
        extra=(-len_control=0)
    fi
    mkdir -p "fuzz/corpus/$target"
    case "$target" in
        plain_text|decode) seed "$target" '' "${texts[@]}" ;;
        markdown) seed "$target" '' "${markdowns[@]}" ;;
        book_toml) seed "$target" '' "${tomls[@]}" ;;
        page_style) seed "$target" '' styles/pdf/*.toml ;;
        # The first byte picks the format: 0 plain text, 1 Markdown.
        pipeline)
            seed "$target" '\000' "${texts[@]}"
            seed "$target" '\001' "${markdowns[@]}"
            # Long inputs a short run does not grow to by itself.
            long="fuzz/corpus/$target/seed-long"
            [ -e "$long-line" ] || { printf '\000'; printf '统一战线工作%.0s' $(seq 3600); } >"$long-line"
            [ -e "$long-lines" ] || { printf '\000'; printf '一\n%.0s' $(seq 15000); } >"$long-lines"
            [ -e "$long-chapters" ] || { printf '\000'; printf '第一章\n%.0s' $(seq 6500); } >"$long-chapters"
            [ -e "$long-quote" ] || { printf '\001'; head -c 60000 /dev/zero | tr '\0' '>'; printf 'x'; } >"$long-quote"
            ;;
    esac
    echo "== $target (${run_seconds} s, inputs up to ${max_len} bytes)"
    if ! "${cargo_fuzz[@]}" run "$target" "fuzz/corpus/$target" -- \
        -max_total_time="$run_seconds" -max_len="$max_len" \
        -rss_limit_mb=4096 -timeout="$timeout" -print_final_stats=1 "${extra[@]}" \
        2>&1 | tee "fuzz/logs/$target.log"; then
        failed+=("$target")
    fi
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "findings in: ${failed[*]} (inputs in fuzz/artifacts/)"
    exit 1
fi
echo "no crash, timeout or out-of-memory found"
