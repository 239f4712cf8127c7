#!/usr/bin/env bash
# Times `fiokit plot` against fio2gnuplot on the same generated bandwidth log
# (default 1,000,000 rows, 1 ms apart, with single-sample spikes), both with
# fio2gnuplot's flags `-t TITLE -b -g` run in the log's directory. Prints every
# run and the medians; exits 1 when fiokit takes more than 20% of fio2gnuplot's
# median time (the target of issue 5).
# usage: bench/plot-vs-fio2gnuplot.sh [ROWS] [RUNS]
# FIOKIT=/path/to/fiokit overrides the binary; by default the build's `fiokit`.
set -euo pipefail
rows=${1:-1000000}
runs=${2:-5}
here=$(cd "$(dirname "$0")/.." && pwd)

if [ -n "${FIOKIT:-}" ]; then
  fiokit=("$FIOKIT" plot)
else
  fiokit=()
  for b in "$here"/build/fiokit "$here"/build-*/fiokit; do
    if [ -x "$b" ] && "$b" plot -h >/dev/null 2>&1; then fiokit=("$b" plot); break; fi
  done
fi
[ ${#fiokit[@]} -gt 0 ] || { echo "bench: no fiokit binary with plot found (build it, or set FIOKIT=)" >&2; exit 2; }
command -v fio2gnuplot >/dev/null || { echo "bench: fio2gnuplot not installed (Debian package fio)" >&2; exit 2; }
command -v gnuplot >/dev/null || { echo "bench: gnuplot not installed (Debian package gnuplot-nox)" >&2; exit 2; }

work=$(mktemp -d /tmp/fiokit-plot-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
# fio 3.33's row layout: time_ms, KiB/s, ddir, bs, prio. Deterministic values.
awk -v n="$rows" 'BEGIN { for (i = 0; i < n; i++) {
  v = 100000 + (i * 7919) % 50000; if (i % 100003 == 50000) v = 900000;
  printf "%d, %d, 0, 4096, 0\n", i, v } }' >"$work/big_bw.log"
echo "log: $rows rows, $(du -h "$work/big_bw.log" | cut -f1); fiokit: ${fiokit[*]}"

now() { date +%s.%N; }
median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

f2g_times=()
fk_times=()
for r in $(seq 1 "$runs"); do
  for tool in fio2gnuplot fiokit; do
    d="$work/$tool-$r"
    mkdir -p "$d"
    ln -s "$work/big_bw.log" "$d/big_bw.log"
    t0=$(now)
    if [ "$tool" = fio2gnuplot ]; then
      (cd "$d" && fio2gnuplot -t Big -b -g >/dev/null 2>&1)
    else
      (cd "$d" && "${fiokit[@]}" -t Big -b -g >/dev/null)
    fi
    t1=$(now)
    t=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
    pngs=$(ls "$d"/*.png 2>/dev/null | wc -l)
    printf 'run %d  %-11s %6.3f s  (%d PNG)\n' "$r" "$tool" "$t" "$pngs"
    [ "$pngs" -gt 0 ] || { echo "bench: $tool wrote no PNG" >&2; exit 1; }
    if [ "$tool" = fio2gnuplot ]; then f2g_times+=("$t"); else fk_times+=("$t"); fi
    rm -rf "$d"
  done
done
f2g=$(printf '%s\n' "${f2g_times[@]}" | median)
fk=$(printf '%s\n' "${fk_times[@]}" | median)
ratio=$(awk -v a="$fk" -v b="$f2g" 'BEGIN { printf "%.4f", a / b }')
printf 'median fio2gnuplot %.3f s, fiokit plot %.3f s, ratio %.1f%% (target <= 20%%)\n' "$f2g" "$fk" \
  "$(awk -v r="$ratio" 'BEGIN { print r * 100 }')"
if awk -v r="$ratio" 'BEGIN { exit !(r <= 0.2) }'; then echo PASS; else echo FAIL; exit 1; fi
