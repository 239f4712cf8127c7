#!/usr/bin/env bash
# Peak RSS, fiokit vs fio 3.33 side by side (issue 16: memory bounded as the
# work grows). Not a timed test: run it by hand and quote the numbers. The
# limits are also asserted by the memory_limits CTest
# (tests/cli/check_memory_limits.py).
#
# Cases (peak RSS from /usr/bin/time's %M, the kernel's high-water mark of the
# child and what it waited for):
#   logs-2s, logs-6s  null engine 4k randread, write_bw_log + write_iops_log +
#                     write_lat_log, log_avg_msec=0 (one row per I/O per log);
#                     target fiokit <= 64 MiB at any runtime. IOPS are printed
#                     too (the logs must not cost the null engine its lead).
#   junk-file         --parse-only on a 64 MiB job file of junk lines; target
#                     <= 128 MiB.
#   endless-stdin     --parse-only on an endless stdin of "bs=4k" lines, each
#                     tool stopped after TIMEOUT s if it has not exited; target
#                     <= 128 MiB.
#   series-400m       fiokit serve answering 3 concurrent first series requests,
#                     one per 400 MB per-I/O log (three names of one file, so
#                     nothing is shared), then a zoom; peak RSS is the server's
#                     VmHWM; target <= 256 MiB. fio has no server: the other
#                     column is --baseline BIN (an older fiokit), when given.
#
# usage: bench/memory.sh [--fiokit BIN] [--fio BIN] [--baseline BIN] [--dir DIR] [--timeout S] [CASE ...]
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/bench/lib.sh"
fiokit=$here/build/fiokit
fio=fio
baseline=""
dir=""
timeout_s=20
cases=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --fiokit) fiokit=$2; shift 2 ;;
    --fio) fio=$2; shift 2 ;;
    --baseline) baseline=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    --timeout) timeout_s=$2; shift 2 ;;
    -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
    *) cases+=("$1"); shift ;;
  esac
done
[[ ${#cases[@]} -eq 0 ]] && cases=(logs-2s logs-6s junk-file endless-stdin series-400m)
[[ -x $fiokit ]] || { echo "memory.sh: no fiokit binary at $fiokit (build first or pass --fiokit)" >&2; exit 2; }
bench_need "$fio"
[[ -x /usr/bin/time ]] || { echo "memory.sh: /usr/bin/time is needed (apt-get install time)" >&2; exit 2; }
if [[ -z $dir ]]; then
  bench_workdir fiokit-memory /var/tmp
  dir=$work
fi

# measure TOOL SECONDS CMD...: runs CMD in $dir, prints "TOOL peak MiB, exit, IOPS".
# stdin comes from the caller. The JSON report (if any) gives the IOPS.
measure() {
  local tool=$1 limit=$2; shift 2
  local out=$dir/out.$tool rss=$dir/rss.$tool code=0
  # time outside timeout: its %M covers the tool that timeout waited for, and
  # it still reports when timeout stops the tool.
  (cd "$dir" && /usr/bin/time -o "$rss" -f %M timeout "$limit" "$@" >"$out" 2>"$dir/err.$tool") || code=$?
  local kib; kib=$( (grep -E '^[0-9]+$' "$rss" || true) | tail -1)
  local iops; iops=$(python3 -c 'import json,sys
t=open(sys.argv[1]).read(); i=t.find("{")
try: print("%.0f" % sum(j["read"]["iops"] for j in json.loads(t[i:])["jobs"]))
except Exception: print("-")' "$out")
  local note=""
  [[ $code -eq 124 ]] && note=" (stopped at ${limit} s)"
  printf '  %-7s peak %8.1f MiB  exit %3s  IOPS %10s%s\n' "$tool" "$(echo "${kib:-0} / 1024" | bc -l)" "$code" "$iops" "$note"
  echo "${kib:-0}" >"$dir/kib.$tool"
}

ratio() {
  local a b; a=$(cat "$dir/kib.fiokit"); b=$(cat "$dir/kib.fio")
  [[ $b -gt 0 ]] && printf '  fiokit/fio peak RSS %.3f\n' "$(echo "$a / $b" | bc -l)"
}

log_job() {
  cat >"$dir/plog.fio" <<EOF
[plog]
ioengine=null
rw=randread
bs=4k
size=1g
time_based=1
runtime=$1
write_bw_log=plog
write_iops_log=plog
write_lat_log=plog
log_avg_msec=0
EOF
}

# serve_series NAME BIN: serve $dir/sdata with BIN, ask for the three logs at
# once (max_points=4000, as a wide chart does), then a zoom; prints the
# server's peak RSS and the answer times.
serve_series() {
  local tool=$1 bin=$2 err=$dir/serve.err port="" pid t0 t1 t2
  "$bin" serve "$dir/sdata" --port 0 --bind 127.0.0.1 2>"$err" &
  pid=$!
  for _ in $(seq 100); do
    port=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$err" | head -1 | sed 's/.*://') || true
    [[ -n $port ]] && break
    sleep 0.1
  done
  [[ -n $port ]] || { echo "memory.sh: $tool serve did not start: $(cat "$err")" >&2; kill "$pid"; return 1; }
  t0=$(date +%s.%N)
  local curls=()
  for log in j_lat.1.log j_clat.1.log j_slat.1.log; do
    curl -s -o "$dir/answer.$log" -w '%{http_code}\n' --max-time 600 \
      "http://127.0.0.1:$port/api/runs/big/series?log=$log&max_points=4000" >"$dir/code.$log" &
    curls+=($!)
  done
  wait "${curls[@]}" || true
  t1=$(date +%s.%N)
  curl -s -o /dev/null --max-time 600 "http://127.0.0.1:$port/api/runs/big/series?log=j_lat.1.log&max_points=4000&from=100000&to=110000"
  t2=$(date +%s.%N)
  local kib; kib=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status")
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
  local codes; codes=$(cat "$dir"/code.* | sort | uniq -c | tr -s ' \n' ' ')
  printf '  %-8s peak %8.1f MiB  3 first answers %6.2f s  zoom %5.2f s  HTTP:%s\n' "$tool" \
    "$(echo "$kib / 1024" | bc -l)" "$(echo "$t1 - $t0" | bc -l)" "$(echo "$t2 - $t1" | bc -l)" "$codes"
  echo "$kib" >"$dir/kib.$tool"
  rm -f "$dir"/code.* "$dir"/answer.*
}

for c in "${cases[@]}"; do
  case $c in
    logs-2s|logs-6s)
      secs=${c#logs-}; secs=${secs%s}
      log_job "$secs"
      echo "== $c: per-I/O bw+iops+lat logs, null engine, ${secs} s (target fiokit <= 64 MiB)"
      # fio writes its in-memory logs after the run: give it time to.
      measure fiokit $((secs * 20 + 60)) "$fiokit" run --output-format=json plog.fio </dev/null
      rm -f "$dir"/plog_*.log
      measure fio $((secs * 20 + 60)) "$fio" --output-format=json plog.fio </dev/null
      rm -f "$dir"/plog_*.log
      ratio ;;
    junk-file)
      python3 -c 'import sys
with open(sys.argv[1], "w") as f:
    f.write("[job]\n")
    chunk = "".join("junkline%d\n" % i for i in range(100000))
    while f.tell() < (64 << 20) - len(chunk):
        f.write(chunk)' "$dir/junk.fio"
      echo "== $c: --parse-only on a 64 MiB job file of junk lines (target fiokit <= 128 MiB)"
      measure fiokit "$timeout_s" "$fiokit" run --parse-only junk.fio </dev/null
      measure fio "$timeout_s" "$fio" --parse-only junk.fio </dev/null
      rm -f "$dir/junk.fio"
      ratio ;;
    endless-stdin)
      echo "== $c: --parse-only on an endless stdin of bs=4k lines (target fiokit <= 128 MiB)"
      { echo '[job]'; yes 'bs=4k'; } 2>/dev/null | measure fiokit "$timeout_s" "$fiokit" run --parse-only - || true
      { echo '[job]'; yes 'bs=4k'; } 2>/dev/null | measure fio "$timeout_s" "$fio" --parse-only - || true
      ratio ;;
    series-400m)
      echo "== $c: serve, 3 concurrent first series requests on 400 MB logs (target fiokit <= 256 MiB)"
      mkdir -p "$dir/sdata/runs/big"
      # fio 3.33's per-I/O rows (time, value, ddir, bs, prio), reads and
      # writes alternating, 50 I/Os per ms, a rare spike.
      python3 -c 'import sys
n = int(sys.argv[2]); i = 0; size = 0
with open(sys.argv[1], "w") as f:
    while size < n:
        s = "".join("%d, %d, %d, 4096, 0\n" % (k // 50, 20000 + (k * 7919) % 80000 + (9000000 if k % 100003 == 0 else 0), k & 1)
                    for k in range(i, i + 100000))
        f.write(s); size += len(s); i += 100000' "$dir/sdata/runs/big/j_lat.1.log" $((400 << 20))
      ln "$dir/sdata/runs/big/j_lat.1.log" "$dir/sdata/runs/big/j_clat.1.log"
      ln "$dir/sdata/runs/big/j_lat.1.log" "$dir/sdata/runs/big/j_slat.1.log"
      serve_series fiokit "$fiokit"
      if [[ -n $baseline ]]; then
        serve_series baseline "$baseline"
        a=$(cat "$dir/kib.fiokit"); b=$(cat "$dir/kib.baseline")
        [[ $b -gt 0 ]] && printf '  fiokit/baseline peak RSS %.3f\n' "$(echo "$a / $b" | bc -l)"
      fi
      rm -rf "$dir/sdata" ;;
    *) echo "memory.sh: unknown case '$c' (logs-2s logs-6s junk-file endless-stdin series-400m)" >&2; exit 2 ;;
  esac
done
