#!/usr/bin/env bash
# The cost of the per-second series every run directory gets (issue 17 item
# 1): the null engine's 4k randread qd1 IOPS (the fastest I/O loop fiokit has,
# so any per-I/O cost would show) with --data-dir, a binary without the series
# (BASE, default /work/main/build/fiokit) against this build's, alternated
# A B A B so drift hits both alike. Prints each pair and the medians of the
# per-pair ratios new/base of IOPS and of CPU time per I/O (user+sys of the
# process, which a loaded machine disturbs less than IOPS); within noise
# means the series costs nothing measurable. Not a timed test: run by hand,
# quote the medians with the load.
#
# usage: bench/series-cost.sh [-n PAIRS] [--runtime SECONDS] [--base BIN] [--new BIN]
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/bench/lib.sh"
pairs=7
runtime=5
base=${BASE:-/work/main/build/fiokit}
new=$here/build/fiokit
while [[ $# -gt 0 ]]; do
  case $1 in
    -n) pairs=$2; shift 2 ;;
    --runtime) runtime=$2; shift 2 ;;
    --base) base=$2; shift 2 ;;
    --new) new=$2; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
[[ -x $base && -x $new ]] || { echo "need executables: base $base, new $new" >&2; exit 2; }

bench_workdir fiokit-series-cost
cat > "$work/null.fio" <<EOF
[null-qd1]
ioengine=null
rw=randread
bs=4k
size=1g
iodepth=1
time_based
runtime=$runtime
EOF

one() {  # BIN -> "IOPS CPU_NS_PER_IO" of one run with a fresh data dir (CPU: user+sys of the process)
  local dd
  dd=$(mktemp -d "$work/dd.XXXX")
  python3 - "$1" "$dd" "$work/null.fio" <<'PY'
import json, os, subprocess, sys, tempfile
binary, dd, job = sys.argv[1:]
with tempfile.TemporaryFile() as out:
    p = subprocess.Popen([binary, "run", "--output-format=json", "--data-dir", dd, job], stdout=out, stderr=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    out.seek(0)
    d = json.load(out)
ios = sum(j["read"]["total_ios"] for j in d["jobs"])
print(sum(j["read"]["iops"] for j in d["jobs"]), (ru.ru_utime + ru.ru_stime) * 1e9 / ios)
PY
  rm -rf "$dd"
}

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
ratios=()
cpus=()
for ((i = 1; i <= pairs; i++)); do
  read -r a ca < <(one "$base")
  read -r b cb < <(one "$new")
  r=$(python3 -c "print('%.4f' % ($b / $a))")
  c=$(python3 -c "print('%.4f' % ($cb / $ca))")
  ratios+=("$r")
  cpus+=("$c")
  printf 'pair %d: base %.0f IOPS %.1f ns CPU/IO, new (series on) %.0f IOPS %.1f ns CPU/IO, new/base IOPS %s CPU/IO %s\n' "$i" "$a" "$ca" "$b" "$cb" "$r" "$c"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
med() { python3 -c "import statistics,sys; r=[float(x) for x in sys.argv[2:]]; print('median new/base %s over %d pairs: %.4f (min %.4f, max %.4f)' % (sys.argv[1], len(r), statistics.median(r), min(r), max(r)))" "$@"; }
med IOPS "${ratios[@]}"
med "CPU per I/O" "${cpus[@]}"
