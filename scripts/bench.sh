#!/usr/bin/env bash
# Whole-process benchmark: wall time (median of runs) and peak memory of
# `inkstone build` (EPUB and PDF) on the real sample and on generated
# editions of 10, 100 and 200 chapters (each chapter about the size of the
# sample). Needs GNU time (`apt-get install time`).
#
#   bash scripts/bench.sh [RUNS]
#
# If the `typst` Python package is installed (`pip install typst`), the
# same text is also set by typst (same fonts, A4) for a ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
sample=../shared/samples/yiyang-united-front-2022.txt
[ -x /usr/bin/time ] || { echo "GNU time is needed: apt-get install time" >&2; exit 1; }

cargo build --release --quiet --bin inkstone --example make_edition
bin=target/release/inkstone
work=target/bench
mkdir -p "$work"
for n in 10 100 200; do
    [ -d "$work/edition-$n" ] || target/release/examples/make_edition "$n" "$work/edition-$n" >/dev/null
done

# Text size in bytes of an input (a file or a book folder).
text_bytes() {
    if [ -d "$1" ]; then cat "$1"/chapters/* | wc -c; else wc -c < "$1"; fi
}

# Runs a command $runs times; prints "median_seconds max_rss_kib".
measure() {
    local times=() rss=0
    for _ in $(seq "$runs"); do
        /usr/bin/time -f '%e %M' -o "$work/time.txt" "$@" >/dev/null 2>&1
        read -r t m < "$work/time.txt"
        times+=("$t")
        [ "$m" -gt "$rss" ] && rss=$m
    done
    printf '%s\n' "${times[@]}" | sort -n | awk -v rss="$rss" '{a[NR]=$1} END {printf "%s %d\n", a[int((NR+1)/2)], rss}'
}

printf '%-28s %9s %9s %9s %10s %10s %9s\n' input "text KB" "wall s" "s per MB" "peak MiB" "EPUB KB" "PDF KB"
for input in "$sample" "$work/edition-10" "$work/edition-100" "$work/edition-200"; do
    out="$work/out"
    rm -rf "$out"
    read -r wall rss < <(measure "$bin" build "$input" -o "$out" -q --force)
    bytes=$(text_bytes "$input")
    epub=$(stat -c %s "$out"/*.epub 2>/dev/null || echo 0)
    pdf=$(stat -c %s "$out"/*.pdf 2>/dev/null || echo 0)
    awk -v name="$(basename "$input")" -v b="$bytes" -v w="$wall" -v r="$rss" -v e="$epub" -v p="$pdf" \
        'BEGIN {printf "%-28s %9.1f %9.3f %9.3f %10.1f %10.1f %9.1f\n", name, b/1024, w, w/(b/1e6), r/1024, e/1024, p/1024}'
done
echo "($runs runs each, median wall time, largest peak RSS; $(nproc) cores)"

if python3 -c 'import typst' 2>/dev/null; then
    echo
    echo "typst (PDF only, same text and fonts; compile time inside the process, then the whole process):"
    printf '%-28s %10s %9s %10s %9s %12s\n' input "compile s" "wall s" "peak MiB" "PDF KB" "inkstone x"
    for input in "$sample" "$work/edition-10" "$work/edition-100" "$work/edition-200"; do
        "$bin" inspect "$input" > "$work/model.json"
        read -r wall rss < <(measure sh -c "python3 scripts/typst_compare.py fonts $work/typst.pdf < $work/model.json")
        compile=$(python3 scripts/typst_compare.py fonts "$work/typst.pdf" < "$work/model.json")
        read -r ours _ < <(measure "$bin" build "$input" -o "$work/out" -q --force)
        awk -v name="$(basename "$input")" -v c="$compile" -v w="$wall" -v r="$rss" -v p="$(stat -c %s "$work/typst.pdf")" -v o="$ours" \
            'BEGIN {printf "%-28s %10.3f %9.3f %10.1f %9.1f %12.1f\n", name, c, w, r/1024, p/1024, w/o}'
    done
    echo "(inkstone x: typst's wall time over inkstone's, inkstone making both EPUB and PDF)"
fi
