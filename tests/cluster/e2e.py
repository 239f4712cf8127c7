#!/usr/bin/env python3
"""Cluster runs end to end on loopback (issue 18): the real `fiokit serve` as
coordinator on 127.0.0.1 (a free port, FIOKIT_INGEST_TOKEN set) and N=3 real
`fiokit run --coordinator ...` members as processes, each with its own data
dir, working dir and target file, as docs/cluster-protocol.md describes.

  run      a 3 s time_based job on 3 members joining 0.4 s apart: all exit 0,
           the run is "done"; start skew <= 100 ms (from the members' own
           results.json) and equal to the merged start_skew_ms; merged IOPS,
           bandwidth, io_bytes and I/Os = sums of the members'; merged p99
           (clat_ns, lat_ns) = the p99 recomputed here from the summed json+
           bins; /metrics shows non-zero IOPS, bandwidth and latency buckets
           for the run while it runs; hosts/I/results.json are the members'
           own results.json byte for byte; a wrong or missing token gets 401
           (join, status, file upload, GET) and writes nothing.
  kill     member 1 is SIGKILLed 1 s into a 5 s job, serve has
           --cluster-timeout 5: the run ends "failed", its members list and
           the merged results name member 1 as failed, the other members
           exit 0 and their data (hosts/0, hosts/2, their jobs in the merged
           results) are kept.
  restart  the coordinator is killed with SIGKILL mid-run and started again
           on the same port and data dir: the members carry on (retries), the
           run ends "done" with all 3 hosts' uploads and merged results; the
           status snapshots stored before the crash are still there; a second
           kill -9 + start after the end still serves the finished run.
  container  the images' entrypoints as processes: `fiokit container serve`
           (FIOKIT_INGEST_TOKEN, FIOKIT_BIND, FIOKIT_PORT) and three
           `fiokit container tool` members set up only by the environment
           (FIOKIT_COORDINATOR, FIOKIT_CLUSTER_RUN, FIOKIT_CLUSTER_SIZE,
           JOB_COMPLETION_INDEX, JOBFILES): the same checks as `run` on the
           result; some but not all of the variables exit 2 naming the
           missing ones. (cluster_podman runs the same in containers.)

usage: e2e.py PART FIOKIT   (PART: run, kill, restart, container)
"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2e_lib import (Coordinator, check, file_tree, finish, free_port, http_json, load_json,  # noqa: E402
                     parse_metrics, request, check_merged, wait_http)

TOKEN = "e2e-token-4f1c9a"
N = 3
JOB = """[global]
ioengine=psync
filename=e2e-target.dat
size=4m
bs=4k
rw=randread
time_based
runtime={runtime}
rate_iops=1500
[e2e]
"""


class Members:
    """N `fiokit run --coordinator` processes, member i in WORK/mI (its data
    dir and working dir, so the job's relative filename is its own file)."""

    def __init__(self, fiokit, work, port, run, job_path):
        self.fiokit, self.work, self.port, self.run, self.job = fiokit, work, port, run, job_path
        self.procs = []

    def dir(self, i):
        return os.path.join(self.work, f"m{i}")

    def start(self, i):
        d = self.dir(i)
        os.makedirs(d, exist_ok=True)
        args = [self.fiokit, "run", "--coordinator", f"http://127.0.0.1:{self.port}",
                "--cluster-run", self.run, "--cluster-size", str(N), "--cluster-index", str(i),
                "--data-dir", d, "--output-format=json+", "--output", os.path.join(d, "out.json"), self.job]
        env = dict(os.environ, FIOKIT_INGEST_TOKEN=TOKEN, FIOKIT_CLUSTER_TIMEOUT="30")
        log = open(os.path.join(d, "member.log"), "wb")
        p = subprocess.Popen(args, cwd=d, env=env, stdout=log, stderr=log)
        log.close()
        self.procs.append(p)
        return p

    def start_all(self, gap_s=0.4):
        for i in range(N):
            self.start(i)
            time.sleep(gap_s)

    def wait(self, deadline_s):
        end = time.monotonic() + deadline_s
        codes = []
        for p in self.procs:
            try:
                codes.append(p.wait(max(0.1, end - time.monotonic())))
            except subprocess.TimeoutExpired:
                p.kill()
                codes.append(p.wait())
        return codes

    def log(self, i, n=8):
        with open(os.path.join(self.dir(i), "member.log"), errors="replace") as f:
            return "".join(f.readlines()[-n:])

    def own_results(self, i):
        runs = os.path.join(self.dir(i), "runs")
        dirs = sorted(os.listdir(runs)) if os.path.isdir(runs) else []
        return os.path.join(runs, dirs[-1], "results.json") if dirs else None

    def kill_all(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                p.wait()


def setup(work, runtime):
    data = os.path.join(work, "coord")
    os.makedirs(data)
    job = os.path.join(work, "job.fio")
    with open(job, "w") as f:
        f.write(JOB.format(runtime=runtime))
    return data, job


def wait_running(coord, run, deadline_s=20):
    """Until the barrier has answered (state running); returns the run's JSON."""
    return coord.wait_state(run, ("running", "done", "failed"), deadline_s)


def report_members(coord, members, codes):
    for i, c in enumerate(codes):
        if c != 0:
            print(f"member {i} exit {c}; its log:\n{members.log(i)}")
    print("serve log:\n" + coord.tail())


def check_wrong_token(coord, run, data):
    """A wrong or missing token: 401 on every ingest route, nothing written."""
    before = file_tree(data)
    tries = [
        ("POST", f"/api/cluster/{run}-bad/join", {"index": 0, "size": N, "host": "x", "job_sha256": "00"}),
        ("POST", f"/api/cluster/{run}/join", {"index": 0, "size": N, "host": "x", "job_sha256": "00"}),
        ("POST", f"/api/cluster/{run}/status?index=0", {"jobs": []}),
        ("PUT", f"/api/cluster/{run}/hosts/0/files/evil.txt", b"written without the token\n"),
        ("POST", f"/api/cluster/{run}/done?index=0", {"exit_code": 0, "files": []}),
        ("GET", f"/api/cluster/{run}", None),
    ]
    for token in ("wrong-" + TOKEN, None):
        for method, path, body in tries:
            st, _ = request(coord.port, method, path, body, token=token)
            check(st == 401, f"{method} {path} with {'a wrong' if token else 'no'} token: {st} (401)")
    after = file_tree(data)
    check(after == before, f"the 401s wrote nothing in the coordinator's data dir ({sorted(set(after) - set(before))[:5]})")


def watch_metrics(coord, run, deadline_s):
    """Polls /metrics during the run; returns the set of metric names seen
    with a non-zero value for this run (labels: run, host, job, direction)."""
    seen, members = set(), set()
    running = 0
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        try:
            st, text = coord.metrics()
        except OSError:
            st, text = 0, ""
        if st == 200:
            for name, labels, value in parse_metrics(text):
                if run not in labels.get("run", ""):
                    continue
                if value > 0:
                    seen.add(name)
                if name == "fiokit_iops" and value > 0:
                    members.add(labels.get("member"))
                if name == "fiokit_cluster_members" and labels.get("state") == "running":
                    running = max(running, int(value))
        if ({"fiokit_iops", "fiokit_bandwidth_bytes"} <= seen and len(members) == N and running == N
                and any(n.startswith("fiokit_latency_seconds") for n in seen)):
            break
        time.sleep(0.25)
    check(members == {str(i) for i in range(N)}, f"/metrics: fiokit_iops > 0 for every member (member labels {sorted(map(str, members))})")
    check(running == N, f"/metrics: fiokit_cluster_members{{state=\"running\"}} reached {N} ({running})")
    return seen


def part_run(fiokit, work):
    run = "e2e-run"
    data, job = setup(work, "3s")
    coord = Coordinator(fiokit, data, TOKEN, log=os.path.join(work, "serve.log"))
    coord.start()
    members = Members(fiokit, work, coord.port, run, job)
    try:
        check_wrong_token(coord, run, data)
        members.start_all()
        doc = wait_running(coord, run)
        check(doc is not None and doc.get("state") == "running", f"the run is running after the barrier: {doc and doc.get('state')}")
        start_ns = (doc or {}).get("start_unix_ns")
        # /metrics during the run (its I/O starts 2 s after the last join).
        seen = watch_metrics(coord, run, 8)
        check("fiokit_iops" in seen, f"/metrics: fiokit_iops > 0 for the run during it (non-zero: {sorted(seen)})")
        check("fiokit_bandwidth_bytes" in seen, "/metrics: fiokit_bandwidth_bytes > 0 for the run during it")
        check(any(n.startswith("fiokit_latency_seconds") for n in seen), "/metrics: fiokit_latency_seconds buckets > 0 during it")
        st, _ = request(coord.port, "PUT", f"/api/cluster/{run}/hosts/0/files/evil.txt", b"x", token="bad")
        check(st == 401, f"a file upload to the running run with a wrong token: {st} (401)")
        codes = members.wait(40)
        check(codes == [0] * N, f"members exit 0: {codes}")
        doc = coord.wait_state(run, ("done", "failed"), 15)
        if not check(doc and doc.get("state") == "done", f"the run ends done: {doc and doc.get('state')}"):
            report_members(coord, members, codes)
            return
        check([m.get("state") for m in doc["members"]] == ["done"] * N, f"every member done: {doc['members']}")
        rdir = os.path.join(data, doc["run_dir"])
        check(not os.path.exists(os.path.join(rdir, "hosts", "0", "evil.txt")), "the 401 upload left no file")
        check(os.path.isfile(os.path.join(rdir, "cluster.json")), "the run dir has cluster.json")
        hosts = []
        for i in range(N):
            mine = members.own_results(i)
            up = os.path.join(rdir, "hosts", str(i), "results.json")
            if not check(mine and os.path.isfile(up), f"hosts/{i}/results.json and member {i}'s own run dir exist"):
                return
            with open(mine, "rb") as a, open(up, "rb") as b:
                check(a.read() == b.read(), f"hosts/{i}/results.json is member {i}'s own results.json, byte for byte")
            hosts.append(load_json(up))
        merged = load_json(os.path.join(rdir, "results.json"))
        check(not (merged.get("fiokit") or {}).get("incomplete"), "the merged results are not marked incomplete")
        check((merged.get("cluster") or {}).get("size") == N, f"merged cluster.size = {N}")
        check((merged.get("cluster") or {}).get("start_unix_ns") == start_ns, "merged cluster.start_unix_ns = the barrier's")
        check_merged(merged, hosts, "e2e", "read", start_ns)
        st, runs = http_json(coord.port, "GET", "/api/runs")
        check(st == 200 and os.path.basename(doc["run_dir"]) in str(runs), "the cluster run is listed by /api/runs")
    finally:
        members.kill_all()
        coord.stop()


def part_kill(fiokit, work):
    run = "e2e-kill"
    data, job = setup(work, "5s")
    coord = Coordinator(fiokit, data, TOKEN, timeout_s=5, log=os.path.join(work, "serve.log"))
    coord.start()
    members = Members(fiokit, work, coord.port, run, job)
    try:
        members.start_all(gap_s=0.2)
        doc = wait_running(coord, run)
        start_ns = (doc or {}).get("start_unix_ns") or 0
        # 1 s into the I/O (the start is 2 s after the last join).
        time.sleep(max(0.0, (start_ns - time.time_ns()) / 1e9) + 1.0)
        victim = members.procs[1]
        check(victim.poll() is None, "member 1 is still running when it is killed")
        victim.send_signal(signal.SIGKILL)
        codes = members.wait(40)
        check(codes[0] == 0 and codes[2] == 0, f"members 0 and 2 exit 0: {codes}")
        check(codes[1] == -signal.SIGKILL, f"member 1 died of SIGKILL: {codes[1]}")
        doc = coord.wait_state(run, ("done", "failed"), 20)
        if not check(doc and doc.get("state") == "failed", f"the run is marked failed: {doc and doc.get('state')}"):
            report_members(coord, members, codes)
            return
        check("member 1" in (doc.get("error") or ""), f"the run's error names member 1: {doc.get('error')!r}")
        m = {x["index"]: x for x in doc["members"]}
        check(m[1]["state"] == "failed", f"member 1 is failed: {m[1]}")
        check("member 1" in (m[1].get("error") or ""), f"member 1's error names it: {m[1].get('error')!r}")
        check(m[0]["state"] == "done" and m[2]["state"] == "done", f"members 0 and 2 done: {m[0]['state']}, {m[2]['state']}")
        rdir = os.path.join(data, doc["run_dir"])
        merged = load_json(os.path.join(rdir, "results.json"))
        cl = merged.get("cluster") or {}
        failed = cl.get("failed")
        failed_idx = [f if isinstance(f, int) else f.get("index") for f in (failed or [])]
        check(failed_idx == [1], f"merged cluster.failed names member 1: {failed}")
        mm = {x["index"]: x for x in cl.get("members", [])}
        check(mm.get(1, {}).get("state") == "failed" and "member 1" in (mm.get(1, {}).get("error") or ""),
              f"merged cluster.members[1] failed, naming it: {mm.get(1)}")
        for i in (0, 2):
            check(os.path.isfile(os.path.join(rdir, "hosts", str(i), "results.json")), f"hosts/{i}/results.json kept")
        idx = sorted((j.get("fiokit") or {}).get("host_index") for j in merged.get("jobs", []))
        check(0 in idx and 2 in idx, f"the merged results keep the jobs of members 0 and 2: {idx}")
        agg_job = (cl.get("aggregate") or {}).get("e2e") or {}
        check(agg_job.get("hosts") == [0, 2], f"the aggregate sums members 0 and 2 only: {agg_job.get('hosts')}")
        agg = agg_job.get("read") or {}
        hosts = [load_json(os.path.join(rdir, "hosts", str(i), "results.json")) for i in (0, 2)]
        want = sum(h["jobs"][0]["read"]["iops"] for h in hosts)
        check(abs(agg.get("iops", -1) - want) <= 1e-6 * max(1.0, want), f"aggregate IOPS {agg.get('iops')} = members 0 + 2 ({want})")
    finally:
        members.kill_all()
        coord.stop()


def part_restart(fiokit, work):
    run = "e2e-restart"
    data, job = setup(work, "4s")
    coord = Coordinator(fiokit, data, TOKEN, log=os.path.join(work, "serve.log"))
    coord.start()
    members = Members(fiokit, work, coord.port, run, job)
    try:
        members.start_all(gap_s=0.2)
        doc = wait_running(coord, run)
        if not check(doc and doc.get("state") == "running", f"the run is running: {doc and doc.get('state')}"):
            return
        rdir = os.path.join(data, doc["run_dir"])
        start_ns = doc.get("start_unix_ns") or 0
        # Wait for every member's first status snapshot (stored on disk), then crash.
        end = time.monotonic() + 10
        status = [os.path.join(rdir, "hosts", str(i), "status.json") for i in range(N)]
        while time.monotonic() < end and not all(os.path.isfile(s) for s in status):
            time.sleep(0.1)
        check(all(os.path.isfile(s) for s in status), "every member's status.json is stored before the crash")
        check(time.time_ns() < start_ns + 4e9, "the coordinator is killed while the members run")
        coord.kill9()
        time.sleep(1.0)
        check(all(os.path.isfile(s) for s in status), "the status snapshots survive kill -9")
        coord.start()
        doc = coord.cluster(run)[1]
        check(doc and doc.get("state") == "running", f"after the restart the run is still running: {doc and doc.get('state')}")
        codes = members.wait(45)
        check(codes == [0] * N, f"members exit 0 across the coordinator's restart: {codes}")
        doc = coord.wait_state(run, ("done", "failed"), 15)
        if not check(doc and doc.get("state") == "done", f"the run ends done: {doc and doc.get('state')}"):
            report_members(coord, members, codes)
            return
        check(os.path.join(data, doc["run_dir"]) == rdir, "the same run dir after the restart")
        hosts = [load_json(os.path.join(rdir, "hosts", str(i), "results.json")) for i in range(N)]
        merged = load_json(os.path.join(rdir, "results.json"))
        check_merged(merged, hosts, "e2e", "read")
        before = file_tree(rdir)
        coord.kill9()
        coord.start()
        doc = coord.cluster(run)[1]
        check(doc and doc.get("state") == "done", f"after a second kill -9 + start the finished run is done: {doc and doc.get('state')}")
        after = file_tree(rdir)
        check(all(after.get(k) == v for k, v in before.items()), "the finished run's files are all kept by the second restart")
    finally:
        members.kill_all()
        coord.stop()


def part_container(fiokit, work):
    """The images' entrypoints as processes: `fiokit container serve` as the
    coordinator and `fiokit container tool` members configured only by the
    environment contract (what cluster_podman runs in containers)."""
    run = "e2e-container"
    coord_dir = os.path.join(work, "coord")
    os.makedirs(coord_dir)
    port = free_port()
    base = {k: v for k, v in os.environ.items() if not k.startswith("FIOKIT_") and k != "JOB_COMPLETION_INDEX"}
    with open(os.path.join(work, "serve.log"), "wb") as log:
        serve = subprocess.Popen([fiokit, "container", "serve"], stdout=log, stderr=log, env=dict(
            base, FIOKIT_DATA_DIR=coord_dir, FIOKIT_BIND="127.0.0.1", FIOKIT_PORT=str(port), FIOKIT_INGEST_TOKEN=TOKEN))
    procs = []
    try:
        if not check(wait_http(port, proc=serve), f"`fiokit container serve` answers on 127.0.0.1:{port}"):
            return
        def member_env(i, d):
            return dict(base, FIOKIT_DATA_DIR=d, JOBFILES="job.fio", FIOKIT_COORDINATOR=f"http://127.0.0.1:{port}",
                        FIOKIT_CLUSTER_RUN=run, FIOKIT_CLUSTER_SIZE=str(N), JOB_COMPLETION_INDEX=str(i),
                        FIOKIT_INGEST_TOKEN=TOKEN, FIOKIT_CLUSTER_TIMEOUT="30")
        dirs = []
        for i in range(N):
            d = os.path.join(work, f"m{i}")
            os.makedirs(d)
            with open(os.path.join(d, "job.fio"), "w") as f:
                f.write(JOB.format(runtime="3s"))
            dirs.append(d)
        # Some but not all of the variables: exit 2 naming the missing ones, nothing sent.
        env = member_env(0, dirs[0])
        del env["FIOKIT_CLUSTER_SIZE"], env["JOB_COMPLETION_INDEX"]
        r = subprocess.run([fiokit, "container", "tool"], cwd=dirs[0], env=env, capture_output=True, text=True, timeout=30)
        check(r.returncode == 2 and "FIOKIT_CLUSTER_SIZE" in r.stderr and "JOB_COMPLETION_INDEX" in r.stderr,
              f"container tool without FIOKIT_CLUSTER_SIZE, JOB_COMPLETION_INDEX: exit {r.returncode} (2) naming both: {r.stderr.strip()[-200:]!r}")
        check(not os.path.isdir(os.path.join(coord_dir, "runs")) or not os.listdir(os.path.join(coord_dir, "runs")),
              "that member joined nothing")
        for i, d in enumerate(dirs):
            with open(os.path.join(d, "member.log"), "wb") as log:
                procs.append(subprocess.Popen([fiokit, "container", "tool"], cwd=d, env=member_env(i, d), stdout=log, stderr=log))
            time.sleep(0.3)
        codes = [p.wait(60) for p in procs]
        check(codes == [0] * N, f"the container tool members exit 0: {codes}")
        end, doc = time.monotonic() + 15, None
        while time.monotonic() < end and not (doc and doc.get("state") in ("done", "failed")):
            doc = http_json(port, "GET", f"/api/cluster/{run}", token=TOKEN)[1]
            time.sleep(0.2)
        if not check(doc and doc.get("state") == "done", f"the run ends done: {doc and doc.get('state')}"):
            return
        rdir = os.path.join(coord_dir, doc["run_dir"])
        hosts = [load_json(os.path.join(rdir, "hosts", str(i), "results.json")) for i in range(N)]
        check_merged(load_json(os.path.join(rdir, "results.json")), hosts, "e2e", "read", doc.get("start_unix_ns"))
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        serve.terminate()
        serve.wait(10)


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("run", "kill", "restart", "container"):
        print(__doc__)
        return 2
    part, fiokit = sys.argv[1], os.path.abspath(sys.argv[2])
    work = tempfile.mkdtemp(prefix=f"fiokit-cluster-{part}-")
    t0 = time.monotonic()
    try:
        {"run": part_run, "kill": part_kill, "restart": part_restart, "container": part_container}[part](fiokit, work)
    except Exception as e:  # a crash of the test is a failure with its reason
        check(False, f"{type(e).__name__}: {e}")
    print(f"cluster_e2e {part}: {time.monotonic() - t0:.1f} s")
    from e2e_lib import FAILS
    if FAILS:
        print(f"files kept in {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    finish(f"cluster_e2e {part}")


if __name__ == "__main__":
    sys.exit(main())
