#!/usr/bin/env bash
# `fiokit serve` on a data dir of many runs (issue 16 row 3): peak and current
# RSS, the cold first `/`, warm `/` and `/api/runs` (whole and one page of
# 100), and what idle requests cost in directory reads: getdents64 calls
# counted by strace while 20 /healthz requests come over 3 s (fiokit's own
# X-Fiokit-Index counters beside them when it has them). The data dir is one
# real run made by `fiokit run` (null engine, with bw/iops/lat logs) copied
# under N distinct ids. With BASELINE=/path/to/an/older/fiokit both binaries
# are measured in the same run and printed side by side, with their ratio.
# Exits 1 when this build misses a target: RSS <= 200 MB, warm / <= 100 ms,
# no directory read for idle /healthz requests.
# usage: bench/serve-scale.sh [RUNS]   (default 5000)
# FIOKIT=/path/to/fiokit overrides the binary; by default the build's `fiokit`.
set -euo pipefail
n=${1:-5000}
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/bench/lib.sh"
bench_find_fiokit serve
for p in curl python3; do bench_need $p; done

bench_workdir fiokit-serve-scale

# One real run, then N copies of its directory under distinct ids.
"$fiokit" run --data-dir "$work/seed" --name=scale --ioengine=null --rw=randread --bs=4k --size=64m \
  --runtime=1 --time_based --write_bw_log=scale --write_iops_log=scale --write_lat_log=scale \
  --log_avg_msec=100 >/dev/null 2>&1
seed=$(ls -d "$work"/seed/runs/*/ | head -1)
python3 - "$seed" "$work/data/runs" "$n" <<'EOF'
import shutil, sys
seed, runs, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
for i in range(n):
    shutil.copytree(seed, "%s/20261101T%06dZ-scale-%05d" % (runs, i, i))
EOF
echo "data dir: $n runs, each a copy of $(basename "$seed") ($(du -sh "$seed" | cut -f1), $(ls "$seed" | wc -l) entries)"
sleep 1.2  # past the 1 s in which fiokit looks at just-written directories again

secs() { curl -fsS -o /dev/null -w '%{time_total}' "$1"; }
status_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }

# measure BINARY LABEL: prints "label key value" lines into $work/LABEL.txt
measure() {
  local bin=$1 label=$2 port out
  port=$(pick_port 18700)
  out="$work/$label.txt"
  "$bin" serve "$work/data" --port "$port" --bind 127.0.0.1 2>/dev/null &
  local pid=$!
  pids+=("$pid")
  for _ in $(seq 100); do port_free "$port" || break; sleep 0.05; done
  local base="http://127.0.0.1:$port"
  echo "cold_index_ms $(secs "$base/" | awk '{ printf "%.1f", $1 * 1000 }')" >"$out"
  for _ in $(seq 20); do secs "$base/"; echo; done | median | awk '{ printf "warm_index_ms %.1f\n", $1 * 1000 }' >>"$out"
  for _ in $(seq 5); do secs "$base/api/runs"; echo; done | median | awk '{ printf "api_all_ms %.1f\n", $1 * 1000 }' >>"$out"
  for _ in $(seq 20); do secs "$base/api/runs?limit=100"; echo; done | median |
    awk '{ printf "api_page_ms %.1f\n", $1 * 1000 }' >>"$out"
  for _ in $(seq 10); do secs "$base/runs/20261101T000042Z-scale-00042"; echo; done | median |
    awk '{ printf "run_page_ms %.1f\n", $1 * 1000 }' >>"$out"
  sleep 1.2
  local before after
  before=$(curl -fsS -D - -o /dev/null "$base/healthz" | tr -d '\r' | awk -F': ' 'tolower($1) == "x-fiokit-index" { print $2 }')
  if command -v strace >/dev/null; then
    strace -f -c -e trace=getdents64,newfstatat,openat -p "$pid" -o "$work/$label.strace" 2>/dev/null &
    local st=$!
    sleep 0.5
    for _ in $(seq 20); do curl -fsS -o /dev/null "$base/healthz"; sleep 0.15; done
    kill -INT "$st" 2>/dev/null || true
    wait "$st" 2>/dev/null || true
    echo "idle_getdents $(awk '$NF == "getdents64" { n = $4 } END { print n + 0 }' "$work/$label.strace")" >>"$out"
    echo "idle_openat $(awk '$NF == "openat" { n = $4 } END { print n + 0 }' "$work/$label.strace")" >>"$out"
  else
    for _ in $(seq 20); do curl -fsS -o /dev/null "$base/healthz"; sleep 0.15; done
  fi
  after=$(curl -fsS -D - -o /dev/null "$base/healthz" | tr -d '\r' | awk -F': ' 'tolower($1) == "x-fiokit-index" { print $2 }')
  if [ -n "$after" ]; then
    echo "idle_lists_scans $(
      b=$(echo "$before" | sed -E 's/.*lists=([0-9]+) scans=([0-9]+).*/\1 \2/')
      a=$(echo "$after" | sed -E 's/.*lists=([0-9]+) scans=([0-9]+).*/\1 \2/')
      set -- $b $a; echo $(( $3 - $1 + $4 - $2 )))" >>"$out"
  fi
  echo "rss_mb $(( $(status_kb "$pid" VmRSS) / 1024 ))" >>"$out"
  echo "peak_rss_mb $(( $(status_kb "$pid" VmHWM) / 1024 ))" >>"$out"
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

measure "$fiokit" new
if [ -n "${BASELINE:-}" ]; then measure "$BASELINE" base; fi

# Empty when LABEL was not measured (no BASELINE): awk's exit 2 on the missing
# file must not end the script under set -e.
value() { awk -v k="$2" '$1 == k { print $2 }' "$work/$1.txt" 2>/dev/null || true; }
printf '\n%-18s %12s %12s %8s   %s\n' metric baseline fiokit ratio target
for k in peak_rss_mb rss_mb cold_index_ms warm_index_ms api_all_ms api_page_ms run_page_ms idle_getdents idle_openat idle_lists_scans; do
  b=$(value base $k); f=$(value new $k)
  t=""
  case $k in peak_rss_mb) t="<= 200";; warm_index_ms) t="<= 100";; idle_getdents|idle_lists_scans) t="0";; esac
  ratio=$(awk -v b="${b:-}" -v f="${f:-}" 'BEGIN { if (b != "" && f != "" && b > 0) printf "%.3f", f / b; else print "-" }')
  printf '%-18s %12s %12s %8s   %s\n' "$k" "${b:--}" "${f:--}" "$ratio" "$t"
done

fail=0
[ "$(value new peak_rss_mb)" -le 200 ] || { echo "MISSED: peak RSS > 200 MB"; fail=1; }
awk -v v="$(value new warm_index_ms)" 'BEGIN { exit !(v <= 100) }' || { echo "MISSED: warm / > 100 ms"; fail=1; }
g=$(value new idle_getdents); [ -z "$g" ] || [ "$g" -eq 0 ] || { echo "MISSED: idle requests read directories"; fail=1; }
s=$(value new idle_lists_scans); [ -z "$s" ] || [ "$s" -eq 0 ] || { echo "MISSED: idle requests rescanned"; fail=1; }
exit $fail
