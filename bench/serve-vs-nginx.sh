#!/usr/bin/env bash
# Requests per second of `fiokit serve` against nginx on the same static file
# (issue 16: serve within 10% of nginx): a 20 KB file in a data dir, fetched
# with `wrk -t2 -c32` over keep-alive connections on 127.0.0.1 only. The two
# servers run side by side for the whole bench and are measured alternately
# (nginx, fiokit, nginx, fiokit, ...) so the drift of a shared, noisy machine
# hits both alike; the verdict is the median of the per-pair ratios
# fiokit/nginx, target >= 0.9. nginx runs as this user's process with its own
# config in a temporary directory (no system service is touched): two worker
# processes (one per core of the 2-core machines this is made for; `auto`),
# sendfile, no access log, as a static-file nginx is usually set up.
# Nothing is installed: nginx (Debian package nginx or nginx-light) and wrk
# must be there.
# usage: bench/serve-vs-nginx.sh [SECONDS] [RUNS]
# FIOKIT=/path/to/fiokit overrides the binary; by default the build's `fiokit`.
# Exit 0 when the target is met, 1 when MISSED, 2 when it cannot run.
set -euo pipefail
secs=${1:-5}
runs=${2:-5}
conns=32
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/bench/lib.sh"

bench_find_fiokit serve
bench_need wrk "apt-get install wrk"
nginx=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$nginx" ] || { echo "bench: nginx not installed (apt-get install nginx-light; the bench starts its own instance)" >&2; exit 2; }
bench_need curl

bench_workdir fiokit-nginx-bench
# nginx's workers may run as another user (nobody) when started by root.
chmod 755 "$work"

# The file: 20 KB of a fio bw log, in a run directory, as a user would fetch it.
rel="runs/20261127T000000Z-bench/bench_bw.1.log"
mkdir -p "$work/data/$(dirname "$rel")"
awk 'BEGIN { for (i = 1; i <= 20480; i++) { line = sprintf("%d, %d, 0, 4096, 0\n", i * 100, 100000 + (i * 7919) % 50000);
       if (n + length(line) > 20480) break; printf "%s", line; n += length(line) }
     while (n < 20480) { printf "\n"; n++ } }' >"$work/data/$rel"
chmod -R a+rX "$work/data"
size=$(stat -c %s "$work/data/$rel")

wait_up() { for _ in $(seq 100); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.1; done; echo "bench: $1 did not come up" >&2; exit 2; }

nport=$(pick_port 18700 200)
mkdir -p "$work/nginx/logs" "$work/nginx/tmp"
cat >"$work/nginx/nginx.conf" <<EOF
daemon off;
worker_processes auto;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000;
  default_type text/plain;
  client_body_temp_path $work/nginx/tmp/body;
  proxy_temp_path $work/nginx/tmp/proxy;
  fastcgi_temp_path $work/nginx/tmp/fastcgi;
  uwsgi_temp_path $work/nginx/tmp/uwsgi;
  scgi_temp_path $work/nginx/tmp/scgi;
  server {
    listen 127.0.0.1:$nport;
    root $work/data;
  }
}
EOF
"$nginx" -p "$work/nginx" -e "$work/nginx/logs/error.log" -c "$work/nginx/nginx.conf" &
pids+=($!)
fport=$(pick_port $((nport + 1)) 200)
"$fiokit" serve "$work/data" --port "$fport" --bind 127.0.0.1 2>"$work/fiokit.err" &
pids+=($!)
nurl="http://127.0.0.1:$nport/$rel"
furl="http://127.0.0.1:$fport/files/$rel"
wait_up "$nurl"
wait_up "$furl"
# Both must send the same bytes, or the comparison means nothing.
cmp -s <(curl -fsS "$nurl") <(curl -fsS "$furl") || { echo "bench: nginx and fiokit serve different bytes" >&2; exit 2; }

# CPU time (user + system, clock ticks) of a process and its children now
# alive: nginx's work is done by its worker processes, fiokit's by threads.
cpu_ticks() {
  local t=0 p
  for p in "$1" $(pgrep -P "$1" || true); do
    [ -r "/proc/$p/stat" ] && t=$((t + $(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$p/stat")))
  done
  echo "$t"
}
# measure URL PID: "req/s cpu-us-per-request". The second figure is what a
# noisy machine disturbs least: the server's own CPU per answered request.
measure() {
  local out c0 c1 reqs
  c0=$(cpu_ticks "$2")
  out=$(wrk -t2 -c"$conns" -d"${secs}s" --timeout 5s "$1")
  c1=$(cpu_ticks "$2")
  if grep -q 'Non-2xx\|Socket errors' <<<"$out"; then echo "bench: errors from $1:" >&2; echo "$out" >&2; fi
  reqs=$(awk '/ requests in / { print $1 }' <<<"$out")
  awk -v rps="$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")" -v t=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" -v n="$reqs" \
    'BEGIN { printf "%s %.2f\n", rps, (n > 0) ? t / hz * 1e6 / n : 0 }'
}

echo "file: $size bytes; nginx $("$nginx" -v 2>&1 | sed 's/.*\///') (port $nport); $fiokit serve (port $fport); wrk -t2 -c$conns -d${secs}s x $runs, alternated"
ratios=(); nrps=(); frps=(); cratios=()
npid=${pids[0]}; fpid=${pids[1]}
for r in $(seq "$runs"); do
  read -r n ncpu < <(measure "$nurl" "$npid"); read -r f fcpu < <(measure "$furl" "$fpid")
  ratio=$(awk -v a="$f" -v b="$n" 'BEGIN { printf "%.3f", (b > 0) ? a / b : 0 }')
  cratio=$(awk -v a="$fcpu" -v b="$ncpu" 'BEGIN { printf "%.3f", (b > 0) ? a / b : 0 }')
  nrps+=("$n"); frps+=("$f"); ratios+=("$ratio"); cratios+=("$cratio")
  echo "  run $r: nginx $n req/s ${ncpu} us CPU/req | fiokit $f req/s ${fcpu} us CPU/req | ${ratio}x req/s, ${cratio}x CPU/req"
done
mr=$(printf '%s\n' "${ratios[@]}" | median)
lo=$(printf '%s\n' "${ratios[@]}" | sort -g | head -1); hi=$(printf '%s\n' "${ratios[@]}" | sort -g | tail -1)
verdict=$(awk -v r="$mr" 'BEGIN { print (r >= 0.9) ? "met" : "MISSED" }')
echo "median: nginx $(printf '%s\n' "${nrps[@]}" | median) req/s | fiokit $(printf '%s\n' "${frps[@]}" | median) req/s |" \
  "median of ratios ${mr}x (range ${lo}-${hi}x), target >= 0.9x [$verdict]"
echo "server CPU per request, fiokit/nginx: median $(printf '%s\n' "${cratios[@]}" | median)x" \
  "(range $(printf '%s\n' "${cratios[@]}" | sort -g | head -1)-$(printf '%s\n' "${cratios[@]}" | sort -g | tail -1)x; lower is better)"
[ "$verdict" = met ]
