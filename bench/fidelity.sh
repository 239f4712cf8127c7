#!/usr/bin/env bash
# The differential suite (tests/fidelity/) by hand, with more alternations than
# CTest's default: every case runs fio 3.33 and fiokit alternately RUNS times
# and the whole table is printed (figure, fio, fiokit, ratio, band, verdict),
# passing figures included. Medians over more runs tighten the device-bound
# figures on a noisy disk; run it on an otherwise idle machine.
#
# usage: bench/fidelity.sh [-n RUNS] [--dir DIR] [--group G]... [--case SUBSTR]...
#   RUNS: alternations per case (default 5)
#   DIR:  where run files go (default: a new dir under /var/tmp; not tmpfs)
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
runs=5
dir=""
extra=()
while [[ $# -gt 0 ]]; do
  case $1 in
    -n) runs=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    --group|--case) extra+=("$1" "$2"); shift 2 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done

build=${BUILD_DIR:-$here/build}
[[ -x $build/fiokit ]] || { echo "no $build/fiokit: build first (ninja -C build -j2)" >&2; exit 2; }
if [[ -z $dir ]]; then
  dir=$(mktemp -d /var/tmp/fiokit-fidelity-XXXXXX)
  trap 'rm -rf "$dir"' EXIT
fi
FIOKIT_FIDELITY_RUNS=$runs python3 "$here/tests/fidelity/fidelity.py" \
  --fiokit "$build/fiokit" --dir "$dir" --all "${extra[@]}"
