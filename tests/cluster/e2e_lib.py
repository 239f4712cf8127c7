"""Helpers of the cluster end-to-end tests (e2e.py, e2e_podman.py): HTTP on
127.0.0.1, the coordinator and member processes, and the checks both tests
share: start skew, summed IOPS/bandwidth, and the p99 recomputed here from the
members' json+ bins.

The percentile code below is written from fio's HOWTO, not from any fiokit or
fio source: in json+ output each latency object ("clat_ns", "lat_ns") has a
"bins" map from a bin's latency value in ns to the number of samples in that
bin, and fio reports the p-th percentile as the value of the first bin (in
increasing latency) at which the running count reaches p/100 of all samples.
Summing the members' bins key by key is the cluster's histogram; the test's
p99 is then exact, and the coordinator's aggregate must equal it to the ns.
"""
import http.client as httpc
import json
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'common'))
from net_util import free_port  # noqa: E402,F401  (e2e.py and e2e_podman.py import it from here)

FAILS = []


def check(cond, what):
    """Records a failed assertion (the test goes on, to report them all)."""
    if cond:
        print("ok  ", what)
    else:
        FAILS.append(what)
        print("FAIL:", what)
    return bool(cond)


def skip(why):
    print("SKIP:", why)
    raise SystemExit(77)


def finish(name):
    if FAILS:
        print(f"{name}: {len(FAILS)} check(s) failed:")
        for f in FAILS:
            print("  -", f)
        raise SystemExit(1)
    print(f"{name}: all checks passed")
    raise SystemExit(0)


def request(port, method, path, body=None, token=None, timeout=10.0, host="127.0.0.1"):
    """One request; returns (status, body bytes). Never raises on HTTP codes."""
    conn = httpc.HTTPConnection(host, port, timeout=timeout)
    headers = {}
    if token is not None:
        headers["Authorization"] = "Bearer " + token
    if isinstance(body, (dict, list)):
        body = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    try:
        conn.request(method, path, body=body, headers=headers)
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


def http_json(port, method, path, body=None, token=None):
    st, data = request(port, method, path, body, token)
    try:
        return st, json.loads(data) if data else None
    except ValueError:
        return st, None


def wait_http(port, path="/", deadline_s=15.0, proc=None):
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        if proc is not None and proc.poll() is not None:
            return False
        try:
            st, _ = request(port, "GET", path, timeout=1.0)
            if st == 200:
                return True
        except OSError:
            pass
        time.sleep(0.05)
    return False


def file_tree(root):
    """{relative path: size} of every file under root (to see what a request wrote)."""
    out = {}
    for d, _, files in os.walk(root):
        for f in files:
            p = os.path.join(d, f)
            try:
                out[os.path.relpath(p, root)] = os.path.getsize(p)
            except OSError:
                pass
    return out


class Coordinator:
    """`fiokit serve DIR` as the coordinator on 127.0.0.1:port."""

    def __init__(self, fiokit, data, token, port=None, timeout_s=None, log=None):
        self.fiokit, self.data, self.token = fiokit, data, token
        self.port = port or free_port()
        self.timeout_s = timeout_s
        self.log = log or os.path.join(os.path.dirname(data), "serve.log")
        self.proc = None

    def start(self):
        args = [self.fiokit, "serve", self.data, "--port", str(self.port), "--bind", "127.0.0.1"]
        if self.timeout_s is not None:
            args += ["--cluster-timeout", str(self.timeout_s)]
        env = dict(os.environ, FIOKIT_INGEST_TOKEN=self.token)
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(args, env=env, stdout=log, stderr=log)
        if not wait_http(self.port, proc=self.proc):
            raise RuntimeError(f"fiokit serve did not answer on 127.0.0.1:{self.port}; log: {self.tail()}")

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def tail(self, n=15):
        try:
            with open(self.log, errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return "(no log)"

    def cluster(self, run):
        """GET /api/cluster/RUN with the token: (status, JSON)."""
        return http_json(self.port, "GET", f"/api/cluster/{run}", token=self.token)

    def wait_state(self, run, states, deadline_s):
        """Polls the run's state until it is one of states; returns the last JSON."""
        end = time.monotonic() + deadline_s
        doc = None
        while time.monotonic() < end:
            try:
                st, doc = self.cluster(run)
                if st == 200 and doc and doc.get("state") in states:
                    return doc
            except OSError:
                pass
            time.sleep(0.2)
        return doc

    def metrics(self):
        st, body = request(self.port, "GET", "/metrics")
        return st, body.decode(errors="replace")


def parse_metrics(text):
    """Prometheus text format -> [(name, {label: value}, float)]."""
    out = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        labels = {}
        if "{" in line:
            name, rest = line.split("{", 1)
            body, value = rest.rsplit("}", 1)
            for part in _split_labels(body):
                k, v = part.split("=", 1)
                labels[k.strip()] = v.strip().strip('"')
        else:
            name, value = line.split(None, 1)
        try:
            out.append((name.strip(), labels, float(value.split()[0])))
        except (ValueError, IndexError):
            pass
    return out


def _split_labels(body):
    parts, cur, quoted = [], "", False
    for i, ch in enumerate(body):
        if ch == '"' and (i == 0 or body[i - 1] != "\\"):
            quoted = not quoted
        if ch == "," and not quoted:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    if cur.strip():
        parts.append(cur)
    return parts


def percentile_from_bins(bins, p):
    """fio's json+ percentile (HOWTO): the value of the first bin, in increasing
    latency, where the cumulative count reaches p/100 of all samples."""
    items = sorted((int(k), int(v)) for k, v in bins.items() if int(v) > 0)
    total = sum(n for _, n in items)
    if total == 0:
        return 0
    want = p / 100.0 * total
    seen = 0
    for value, n in items:
        seen += n
        if seen >= want:
            return value
    return items[-1][0]


def sum_bins(bin_maps):
    out = {}
    for b in bin_maps:
        for k, v in b.items():
            out[int(k)] = out.get(int(k), 0) + int(v)
    return out


def load_json(path):
    with open(path) as f:
        return json.load(f)


def member_start_ns(results):
    """A member's measured start of I/O from its own results.json."""
    c = (results.get("fiokit") or {}).get("cluster") or {}
    return c.get("started_unix_ns")


def aggregate_for(merged, job):
    """The merged results' all-hosts aggregate of one job name."""
    agg = (merged.get("cluster") or {}).get("aggregate")
    if isinstance(agg, dict):
        return agg.get(job)
    if isinstance(agg, list):
        for a in agg:
            if a.get("jobname") == job or a.get("job") == job or a.get("name") == job:
                return a
    return None


def check_merged(merged, hosts, job, direction, start_ns=None):
    """The issue's assertions on a finished run: hosts[i] is member i's own
    results.json. Returns the recomputed p99 (ns)."""
    jobs_of = [[j for j in h["jobs"] if j["jobname"] == job] for h in hosts]
    check(all(len(js) == 1 for js in jobs_of), f"each member's results.json has one job '{job}'")
    mine = [js[0][direction] for js in jobs_of if js]
    check(len(merged.get("jobs", [])) == len(hosts),
          f"merged results.json lists every host's job ({len(merged.get('jobs', []))} of {len(hosts)})")
    idx = sorted(((j.get("fiokit") or {}).get("host_index", -1)) for j in merged.get("jobs", []))
    check(idx == list(range(len(hosts))), f"merged jobs carry fiokit.host_index 0..{len(hosts) - 1}: {idx}")
    check(all(j.get("hostname") for j in merged.get("jobs", [])), "merged jobs carry a hostname")

    # Start skew, from the members' own measured starts.
    starts = [member_start_ns(h) for h in hosts]
    if check(all(isinstance(s, int) and s > 0 for s in starts),
             f"every member's results.json has fiokit.cluster.started_unix_ns: {starts}"):
        skew_ms = (max(starts) - min(starts)) / 1e6
        check(skew_ms <= 100, f"start skew {skew_ms:.3f} ms <= 100 ms (members' own starts)")
        reported = (merged.get("cluster") or {}).get("start_skew_ms")
        check(isinstance(reported, (int, float)) and abs(reported - skew_ms) < 0.01,
              f"merged cluster.start_skew_ms {reported} = max - min of the members' starts ({skew_ms:.3f})")
        if start_ns:
            late = [(s - start_ns) / 1e6 for s in starts]
            check(all(-1 <= x <= 100 for x in late),
                  f"every member started within 100 ms after the barrier's start time: {['%.2f' % x for x in late]} ms")

    agg = aggregate_for(merged, job)
    if not check(isinstance(agg, dict) and isinstance(agg.get(direction), dict),
                 f"merged cluster.aggregate has job '{job}' with '{direction}'"):
        return None
    a = agg[direction]
    iops_sum = sum(d["iops"] for d in mine)
    bw_sum = sum(d["bw"] for d in mine)
    check(all(d["iops"] > 0 for d in mine), f"every member did I/O: {[round(d['iops'], 1) for d in mine]} IOPS")
    check(abs(a.get("iops", -1) - iops_sum) <= 1e-6 * max(1.0, iops_sum),
          f"merged IOPS {a.get('iops')} = sum of members' {iops_sum}")
    check(abs(a.get("bw", -1) - bw_sum) <= 1e-6 * max(1.0, bw_sum) + 1,
          f"merged bw {a.get('bw')} KiB/s = sum of members' {bw_sum}")
    check(a.get("io_bytes") == sum(d["io_bytes"] for d in mine),
          f"merged io_bytes {a.get('io_bytes')} = sum {sum(d['io_bytes'] for d in mine)}")
    check(a.get("total_ios") == sum(d["total_ios"] for d in mine),
          f"merged total_ios {a.get('total_ios')} = sum {sum(d['total_ios'] for d in mine)}")
    p99 = None
    for lat in ("clat_ns", "lat_ns"):
        have = [d.get(lat, {}).get("bins") for d in mine]
        if not all(have):
            continue
        summed = sum_bins(have)
        mine_p99 = percentile_from_bins(summed, 99.0)
        got = ((a.get(lat) or {}).get("percentile") or {}).get("99.000000")
        check(got == mine_p99, f"merged {lat} p99 {got} ns = p99 of the summed json+ bins {mine_p99} ns")
        n = sum(summed.values())
        check((a.get(lat) or {}).get("N") in (None, n), f"merged {lat} N {(a.get(lat) or {}).get('N')} = {n} samples")
        if lat == "clat_ns":
            p99 = mine_p99
            # A wrong method (e.g. averaging the members' p99s) would differ here.
            avg = sum(d[lat]["percentile"]["99.000000"] for d in mine) / len(mine)
            print(f"     {lat}: p99 of summed bins {mine_p99} ns; the members' p99s "
                  f"{[d[lat]['percentile']['99.000000'] for d in mine]} (mean {avg:.0f})")
    check(p99 is not None, "the members' results carry json+ clat_ns bins")
    return p99
