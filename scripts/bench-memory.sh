#!/usr/bin/env bash
# Peak memory (and time) of `inkstone build` on one large plain-text file:
# a generated text of SIZE_MB megabytes of varied Chinese paragraphs
# (scripts/big-text.py, no paragraph repeated), built as EPUB, as PDF and
# as both. Also times 100,000 short unpunctuated lines (normalize and
# build). Needs GNU time (`apt-get install time`) and python3.
#
#   bash scripts/bench-memory.sh [SIZE_MB]      # default 50
#   INKSTONE=path/to/inkstone bash scripts/bench-memory.sh 5
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-50}
[ -x /usr/bin/time ] || { echo "GNU time is needed: apt-get install time" >&2; exit 1; }
if [ -z "${INKSTONE:-}" ]; then
    cargo build --release --quiet --bin inkstone
    INKSTONE=target/release/inkstone
fi
work=target/bench/memory
mkdir -p "$work"
text="$work/big-$size.txt"
[ -f "$text" ] || python3 scripts/big-text.py "$size" "$text"
lines="$work/short-lines.txt"
[ -f "$lines" ] || python3 scripts/big-text.py 1 "$lines" --short-lines 100000

# Prints "seconds peak_rss_kib" of one build.
measure() {
    rm -rf "$work/out"
    /usr/bin/time -f '%e %M' -o "$work/time.txt" \
        "$INKSTONE" build "$@" -o "$work/out" -q --allow-missing-glyphs >/dev/null 2>&1 \
        || { echo "build failed: $*" >&2; exit 1; }
    cat "$work/time.txt"
}

printf '%-28s %10s %14s\n' input seconds "peak RSS MiB"
for format in epub pdf epub,pdf; do
    read -r t m < <(measure "$text" --format "$format")
    printf '%-28s %10s %14d\n' "$size MB text, $format" "$t" $((m / 1024))
done
read -r t m < <(measure "$lines" --format epub,pdf)
printf '%-28s %10s %14d\n' "100,000 short lines" "$t" $((m / 1024))
