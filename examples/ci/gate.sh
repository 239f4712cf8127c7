#!/bin/sh
# The gate the three CI examples run: benchmark with repeats, compare with the
# newest comparable baseline, write the reports, exit with compare's status
# (0 pass, 1 regression, 2 invalid). Usage:
#   gate.sh JOBFILE BASELINE_DIR [--update-baseline]
# Environment: FIOKIT (binary, default fiokit), REPEATS (default 5),
# REPORT_DIR (default ./fiokit-report), SCRATCH (directory under test).
set -eu
jobfile=$1
baselines=$2
shift 2
fiokit=${FIOKIT:-fiokit}
report=${REPORT_DIR:-fiokit-report}
mkdir -p "$report" "${SCRATCH:?set SCRATCH to the directory under test}"

# Repeats make the rank test possible: 5 per side can reach p = 0.004.
"$fiokit" run --repeat "${REPEATS:-5}" --data-dir "$report/data" "$jobfile"
current=$(ls -1td "$report"/data/runs/*/ | head -n 1)

set +e
"$fiokit" compare --baseline-dir "$baselines" "$@" \
  --thresholds "$(dirname "$0")/thresholds.txt" \
  --junit "$report/junit.xml" --markdown "$report/summary.md" --json "$report/compare.json" \
  "$current"
rc=$?
set -e
case $rc in
  0) echo "performance gate: pass" ;;
  1) echo "performance gate: REGRESSION (see $report/summary.md)" ;;
  *) echo "performance gate: INVALID comparison (reasons above)" ;;
esac
exit $rc
