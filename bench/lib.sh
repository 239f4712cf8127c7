# Shared preamble of the bench scripts, sourced (never run) by serve-vs-nginx.sh,
# serve-vs-python.sh, serve-scale.sh, memory.sh and series-cost.sh: finding the
# fiokit binary, refusing to start without a needed program (exit 2, "cannot
# run", never a verdict), a temporary work dir whose servers are stopped and
# files removed on any exit, free ports on 127.0.0.1, and the median the
# verdicts are taken from. One copy, so a fix (say to the cleanup) reaches
# every bench.

# bench_die MESSAGE: the bench cannot run; exit 2 as each script documents.
bench_die() { echo "bench: $*" >&2; exit 2; }

# bench_find_fiokit SUBCOMMAND: sets $fiokit to $FIOKIT when set, else to the
# first of build/fiokit, build-*/fiokit that knows SUBCOMMAND (an old build
# without it would measure the wrong thing).
bench_find_fiokit() {
  fiokit=${FIOKIT:-}
  if [ -z "$fiokit" ]; then
    local b
    for b in "$here"/build/fiokit "$here"/build-*/fiokit; do
      if [ -x "$b" ] && "$b" "$1" --help >/dev/null 2>&1; then fiokit=$b; break; fi
    done
  fi
  [ -n "$fiokit" ] || bench_die "no fiokit binary with $1 found (build it, or set FIOKIT=)"
  [ -x "$fiokit" ] || bench_die "no fiokit binary at $fiokit (build it, or set FIOKIT=)"
}

# bench_need PROGRAM [HINT]: exit 2 naming PROGRAM (and how to get it) when absent.
bench_need() { command -v "$1" >/dev/null || bench_die "$1 not installed${2:+ ($2)}"; }

# bench_workdir PREFIX [PARENT]: sets $work to a new directory under PARENT
# (default /tmp) and an empty $pids; on exit the processes in $pids are killed
# and waited for, then $work is removed.
bench_workdir() {
  work=$(mktemp -d "${2:-/tmp}/$1.XXXXXX")
  pids=()
  trap bench_cleanup EXIT
}
bench_cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}

# port_free PORT: nothing listens on 127.0.0.1:PORT.
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# pick_port START [SPAN]: the first free port in START..START+SPAN (default 100); exit 2 if none.
pick_port() {
  local p
  for p in $(seq "$1" $(($1 + ${2:-100}))); do if port_free "$p"; then echo "$p"; return; fi; done
  exit 2
}

# median: of the numbers on stdin, one a line (the mean of the middle two when even).
median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
