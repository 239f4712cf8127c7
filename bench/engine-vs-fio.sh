#!/usr/bin/env bash
# Engine benchmark, fiokit vs fio 3.33 on the same job files (issue 3). Not a
# timed test: run it by hand on an otherwise idle machine and quote the median
# ratios that ../shared/bench/vs-fio prints (fiokit/fio per alternating pair).
#
# Targets: null 4k randread qd1 IOPS >= 2.5x (issue 16; 1.25x in issue 3) and
# qd32 >= 1.25x; io_uring 4k randread direct=1 qd32 IOPS >= 1.0x and CPU per
# I/O <= 0.8x (issue 16); buffered page-cache randread with psync and io_uring
# IOPS >= 1.1x; peak RSS <= fio's. Latency statistics stay on in both tools
# (fio's defaults). The last lines compare each case's medians with its
# targets and say how loaded the machine was (uptime before and after): on a
# shared machine quote them with the load.
#
# usage: bench/engine-vs-fio.sh [-n RUNS] [--runtime SECONDS] [--dir DIR] [CASE ...]
#   CASE: null-qd1 null-qd32 uring-direct-qd32 psync-buffered uring-buffered (default: all)
#   DIR:  where the 1 GiB test file is laid out (default: a new dir under /tmp);
#         it must support O_DIRECT.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
runs=5
runtime=10
dir=""
cases=()
while [[ $# -gt 0 ]]; do
  case $1 in
    -n) runs=$2; shift 2 ;;
    --runtime) runtime=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) cases+=("$1"); shift ;;
  esac
done
[[ ${#cases[@]} -eq 0 ]] && cases=(null-qd1 null-qd32 uring-direct-qd32 psync-buffered uring-buffered)

vsfio=${VS_FIO:-$here/../shared/bench/vs-fio}
[[ -x $vsfio ]] || vsfio=/work/shared/bench/vs-fio
build=$(realpath -m "${BUILD_DIR:-$here/build-bench}")

echo "== building Release in $build" >&2
cmake -S "$here" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
ninja -C "$build" -j2 fiokit >/dev/null  # -j2: the machine is shared
fiokit=$build/fiokit

if [[ -z $dir ]]; then
  dir=$(mktemp -d /tmp/fiokit-bench-XXXXXX)
  trap 'rm -rf "$dir"' EXIT
fi
jobs=$dir/jobs
mkdir -p "$jobs"
file=$dir/bench.dat

# The data file is laid out once, by fio, so both tools read the same bytes
# and neither pays for the layout inside a measured run.
if [[ ! -f $file ]]; then
  echo "== laying out $file (1 GiB)" >&2
  fio --name=layout --filename="$file" --rw=write --bs=1m --size=1g --direct=1 --output=/dev/null
fi

write_job() {  # name, then job lines
  local name=$1; shift
  { echo "[$name]"; printf '%s\n' "$@"; } > "$jobs/$name.fio"
}
common=(rw=randread bs=4k time_based "runtime=$runtime" randrepeat=1)
write_job null-qd1 ioengine=null size=1g iodepth=1 "${common[@]}"
write_job null-qd32 ioengine=null size=1g iodepth=32 "${common[@]}"
write_job uring-direct-qd32 ioengine=io_uring "filename=$file" size=1g direct=1 iodepth=32 "${common[@]}"
# Buffered: a 256 MiB region that fits the page cache, read once first (pre_read)
# so the measured I/O is page-cache hits.
write_job psync-buffered ioengine=psync "filename=$file" size=256m direct=0 invalidate=0 pre_read=1 iodepth=1 "${common[@]}"
write_job uring-buffered ioengine=io_uring "filename=$file" size=256m direct=0 invalidate=0 pre_read=1 iodepth=32 "${common[@]}"

# Each case's targets: the median ratio's key, >= or <=, and the bound.
declare -A targets=(
  [null-qd1]="iops>=2.5"
  [null-qd32]="iops>=1.25"
  [uring-direct-qd32]="iops>=1.0 cpu_per_io<=0.8"
  [psync-buffered]="iops>=1.1"
  [uring-buffered]="iops>=1.1"
)

status=0
summary=()
load_before=$(uptime)
for c in "${cases[@]}"; do
  [[ -f $jobs/$c.fio ]] || { echo "unknown case $c" >&2; exit 2; }
  echo "== $c"
  out=$(cd "$dir" && "$vsfio" -n "$runs" --fiokit "$fiokit" "$jobs/$c.fio") || status=1
  echo "$out"
  medians=$(grep '^median ratio' <<<"$out" || true)
  for t in ${targets[$c]} rss\<=1.0; do
    key=${t%%[<>]=*} op=${t:${#key}:2} bound=${t:${#key}+2}
    val=$(grep -o "$key=[0-9.]*" <<<"$medians" | cut -d= -f2)
    if [[ -z $val ]]; then
      verdict=NO-DATA
    elif python3 -c "import sys; v,b=float('$val'),float('$bound'); sys.exit(0 if (v>=b if '$op'=='>=' else v<=b) else 1)"; then
      verdict=met
    else
      verdict=MISSED
    fi
    summary+=("$(printf '%-18s %-11s %s %-5s median %-6s %s' "$c" "$key" "$op" "$bound" "${val:--}" "$verdict")")
  done
done
echo "== targets (median of per-pair ratios fiokit/fio, $runs pairs of ${runtime}s each)"
printf '%s\n' "${summary[@]}"
echo "load before: $load_before"
echo "load after:  $(uptime)"
exit $status
