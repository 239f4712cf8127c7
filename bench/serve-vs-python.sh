#!/usr/bin/env bash
# Requests per second and p99 latency of `fiokit serve` against
# `python3 -m http.server` (what fio-tools' plotserve is) on the same directory,
# measured with wrk on 127.0.0.1 only: a static file (a 16 KiB fio log) and the
# run index (fiokit's /api/runs; python's closest equivalent is its listing of
# runs/). Each case runs RUNS times for SECONDS; prints every run and the
# medians, and exits 1 when fiokit misses the target of issue 6 (>= 20x the
# requests/s with a lower p99) on either case.
# usage: bench/serve-vs-python.sh [SECONDS] [RUNS] [CONNECTIONS]
# FIOKIT=/path/to/fiokit overrides the binary; by default the build's `fiokit`.
set -euo pipefail
secs=${1:-5}
runs=${2:-3}
conns=${3:-32}
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/bench/lib.sh"

bench_find_fiokit serve
bench_need wrk "Debian package wrk"
bench_need python3

bench_workdir fiokit-serve-bench

# A data dir of 20 runs, each with fio-schema results and logs. Made by the
# real fio when installed (null engine, a fraction of a second each).
for i in $(seq -w 1 20); do
  d="$work/runs/20261122T0000${i}Z-bench"
  mkdir -p "$d"
  if command -v fio >/dev/null; then
    (cd "$d" && fio --name=job$i --ioengine=null --rw=randread --size=16m --bs=4k \
      --output-format=json --output=results.json >/dev/null 2>&1)
  fi
  awk 'BEGIN { for (i = 1; i <= 620; i++) printf "%d, %d, 0, 4096, 0\n", i * 100, 100000 + (i * 7919) % 50000 }' \
    >"$d/job${i}_bw.1.log"
done
run=$(ls "$work/runs" | head -1)
static="runs/$run/job01_bw.1.log"

wait_up() { for _ in $(seq 100); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.1; done; echo "bench: $1 did not come up" >&2; exit 2; }

fport=$(pick_port 18600)
"$fiokit" serve "$work" --port "$fport" --bind 127.0.0.1 2>/dev/null &
pids+=($!)
pport=$(pick_port $((fport + 1)))
python3 -m http.server "$pport" --bind 127.0.0.1 --directory "$work" >/dev/null 2>&1 &
pids+=($!)
wait_up "http://127.0.0.1:$fport/healthz"
wait_up "http://127.0.0.1:$pport/"

# wrk prints "Requests/sec: N" and, with --latency, "99% X" in us/ms/s.
measure() {
  local out rps p99
  out=$(wrk -t2 -c"$conns" -d"${secs}s" --latency --timeout 5s "$1")
  rps=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")
  p99=$(awk '$1 == "99%" { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
        m = (u == "us") ? 0.001 : (u == "s") ? 1000 : (u == "m") ? 60000 : 1; printf "%.3f", v * m }' <<<"$out")
  echo "$rps $p99"
}

status=0
echo "fiokit: $fiokit serve (port $fport); python3 -m http.server (port $pport); wrk -t2 -c$conns -d${secs}s x $runs"
for case in static index; do
  if [ "$case" = static ]; then
    furl="http://127.0.0.1:$fport/files/$static"; purl="http://127.0.0.1:$pport/$static"
  else
    furl="http://127.0.0.1:$fport/api/runs"; purl="http://127.0.0.1:$pport/runs/"
  fi
  frps=(); fp99=(); prps=(); pp99=()
  for r in $(seq "$runs"); do
    read -r a b < <(measure "$furl"); frps+=("$a"); fp99+=("$b")
    read -r c d < <(measure "$purl"); prps+=("$c"); pp99+=("$d")
    echo "  $case run $r: fiokit $a req/s p99 $b ms | python $c req/s p99 $d ms"
  done
  fr=$(printf '%s\n' "${frps[@]}" | median); fl=$(printf '%s\n' "${fp99[@]}" | median)
  pr=$(printf '%s\n' "${prps[@]}" | median); pl=$(printf '%s\n' "${pp99[@]}" | median)
  ratio=$(awk -v a="$fr" -v b="$pr" 'BEGIN { printf "%.1f", (b > 0) ? a / b : 0 }')
  verdict=$(awk -v r="$ratio" -v a="$fl" -v b="$pl" 'BEGIN { print (r >= 20 && a < b) ? "ok" : "MISSED" }')
  echo "$case median: fiokit $fr req/s p99 $fl ms | python $pr req/s p99 $pl ms | ${ratio}x [$verdict]"
  [ "$verdict" = ok ] || status=1
done
exit $status
