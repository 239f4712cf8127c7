#!/bin/sh
# CTest k8s_manifests_skip: with the npm registry out of reach and nothing
# installed, check_manifests.js must skip (exit 77) and say why, not pass and
# not fail, so k8s_manifests's skip is a real "could not run". The registry is
# a closed port on 127.0.0.1 (refused at once), the work dir a fresh one.
# usage: check_skip.sh CHECK_MANIFESTS_JS REPO WORK_DIR FIOKIT_BIN
set -u
command -v node >/dev/null && command -v npm >/dev/null || { echo 'SKIP: node or npm is not installed (scripts/setup installs nodejs and npm)'; exit 77; }
rm -rf "$3" && mkdir -p "$3" || exit 1
out=$(npm_config_registry=http://127.0.0.1:9/ node "$1" "$2" "$3" "$4" 2>&1)
rc=$?
rm -rf "$3"
printf '%s\n' "$out"
if [ "$rc" != 77 ]; then echo "FAIL: exit $rc with the registry unreachable (77 expected)"; exit 1; fi
case "$out" in
  *"SKIP k8s_manifests: the npm registry cannot be reached (ECONNREFUSED)"*) echo "ok: skipped with the reason"; exit 0 ;;
esac
echo "FAIL: exit 77 without the reason (the registry cannot be reached, ECONNREFUSED)"
exit 1
