#!/usr/bin/env bash
# Series benchmark: a generated series of N editions (default 20, each a
# copy of the sample edition sources/2025 under its own year, slug and
# title) built by one `inkstone build SERIES` process against N separate
# `inkstone build EDITION` runs, one after the other. Both make the EPUB
# and the PDF/A-2u + UA-1 of every edition; the files are compared to
# show that both ways give the same bytes. Needs GNU time.
#
#   bash scripts/bench-series.sh [EDITIONS] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-20}
runs=${2:-3}
[ -x /usr/bin/time ] || { echo "GNU time is needed: apt-get install time" >&2; exit 1; }

cargo build --release --quiet --bin inkstone
bin=$PWD/target/release/inkstone
work=target/bench-series
rm -rf "$work"
mkdir -p "$work/series"
cp sources/series.toml "$work/series/"
for i in $(seq 1 "$n"); do
    year=$((2000 + i))
    dir="$work/series/$year"
    mkdir -p "$dir"
    cp sources/2025/*.txt sources/2025/*.md "$dir/"
    sed -e "s/2025/$year/g" sources/2025/book.toml > "$dir/book.toml"
done

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

one=()
one_cpu=()
separate=()
separate_cpu=()
for _ in $(seq "$runs"); do
    rm -rf "$work/one" "$work/separate"
    /usr/bin/time -f '%e %U %S %M' -o "$work/time.txt" "$bin" -q build "$work/series" -o "$work/one"
    read -r t u s m < "$work/time.txt"
    one+=("$t"); one_cpu+=("$(echo "$u + $s" | bc)"); one_rss=$m
    /usr/bin/time -f '%e %U %S' -o "$work/time.txt" bash -c '
        for dir in "$1"/series/*/; do
            "$2" -q build "$dir" -o "$1/separate/$(basename "$dir")"
        done' _ "$work" "$bin"
    read -r t u s < "$work/time.txt"
    separate+=("$t"); separate_cpu+=("$(echo "$u + $s" | bc)")
done
for dir in "$work"/one/*/; do
    year=$(basename "$dir")
    for f in "$dir"*; do cmp -s "$f" "$work/separate/$year/$(basename "$f")" || { echo "differs: $f" >&2; exit 1; }; done
done
printf 'editions: %d, runs: %d (medians)\n' "$n" "$runs"
printf 'one process:   wall %s s, CPU %s s, peak %d MiB\n' "$(printf '%s\n' "${one[@]}" | median)" "$(printf '%s\n' "${one_cpu[@]}" | median)" $((one_rss / 1024))
printf 'separate runs: wall %s s, CPU %s s\n' "$(printf '%s\n' "${separate[@]}" | median)" "$(printf '%s\n' "${separate_cpu[@]}" | median)"
