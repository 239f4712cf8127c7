#!/usr/bin/env python3
"""Cluster runs end to end in containers (issue 18; CTest cluster_podman,
LABELS podman): on a podman network, the serve image as coordinator
(FIOKIT_INGEST_TOKEN set, port 8000 published on 127.0.0.1 only) and three
tool-image containers as members with the environment contract of
docs/cluster-protocol.md (FIOKIT_COORDINATOR=http://NAME:8000,
FIOKIT_CLUSTER_RUN, FIOKIT_CLUSTER_SIZE=3, JOB_COMPLETION_INDEX=0..2,
FIOKIT_INGEST_TOKEN, JOBFILES), each with its own volume (a bind-mounted
directory of its own). Asserts what the loopback test does for a good run:
all members exit 0, the run is done, start skew <= 100 ms, merged IOPS,
bandwidth and I/Os = the members' sums, merged p99 = the p99 of the summed
json+ bins, /metrics non-zero during the run.

Images: fiokit-tool:e2e and fiokit-serve:e2e, as scripts/podman-e2e makes
them. With FIOKIT_E2E_PREBUILT=1 they are loaded from Docker's fiokit-tool /
fiokit-serve (`docker save | podman load`); otherwise an existing e2e image
is reused when its fiokit knows `run --coordinator`, else it is built with
podman from this tree (minutes on 2 cores). The whole run after the images
is bounded by a 5 min deadline.

usage: e2e_podman.py [--ctest]
Skips (exit 77, reason printed): with --ctest unless FIOKIT_PODMAN_E2E=1
(opt-in like podman_e2e), when not root, when podman-setup is missing or
fails, or when podman cannot start a container here.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2e_lib import (check, check_merged, finish, free_port, http_json, load_json,  # noqa: E402
                     parse_metrics, skip, wait_http)

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
TAG = "e2e"
TOKEN = "podman-e2e-token-7d2b"
RUN = "podman-e2e"
N = 3
NET = "fiokit-cluster-e2e"
COORD = "fiokit-cluster-coord"
JOB = """[global]
ioengine=psync
filename=/tmp/fio-data/e2e-target.dat
size=4m
bs=4k
rw=randread
time_based
runtime=3s
rate_iops=1500
[e2e]
"""


def sh(*args, timeout=120, check_rc=False):
    r = subprocess.run(list(args), capture_output=True, text=True, timeout=timeout)
    if check_rc and r.returncode != 0:
        raise RuntimeError(f"{' '.join(args)}: exit {r.returncode}: {(r.stderr or r.stdout)[-800:]}")
    return r


def image_has_cluster(image):
    r = sh("podman", "run", "--rm", "--entrypoint", "fiokit", image, "run", "--help")
    return r.returncode == 0 and "--coordinator" in r.stdout


def get_image(t):
    """fiokit-t:e2e in podman's store, with cluster support; returns how."""
    image = f"fiokit-{t}:{TAG}"
    if os.environ.get("FIOKIT_E2E_PREBUILT") == "1":
        sh("podman", "image", "rm", image)
        if sh("docker", "image", "inspect", f"fiokit-{t}").returncode != 0:
            raise RuntimeError(f"FIOKIT_E2E_PREBUILT=1 but Docker has no image fiokit-{t}")
        save = subprocess.Popen(["docker", "save", f"fiokit-{t}"], stdout=subprocess.PIPE)
        load = subprocess.run(["podman", "load"], stdin=save.stdout, capture_output=True, text=True, timeout=600)
        save.wait()
        if load.returncode != 0 or save.returncode != 0:
            raise RuntimeError(f"docker save fiokit-{t} | podman load failed: {load.stderr[-400:]}")
        iid = sh("podman", "images", "--format", "{{.Id}}", "--filter", f"reference=fiokit-{t}:latest").stdout.split()
        sh("podman", "tag", iid[0], image, check_rc=True)
        how = "loaded from Docker"
    elif sh("podman", "image", "exists", image).returncode == 0 and image_has_cluster(image):
        how = "reused"
    else:
        t0 = time.monotonic()
        r = sh("podman", "build", "--pull=never", "--build-arg", f"JOBS={os.environ.get('FIOKIT_BUILD_JOBS', '2')}",
               "-f", os.path.join(ROOT, "docker", "Dockerfile"), "--target", t, "-t", image, ROOT, timeout=3600)
        if r.returncode != 0:
            raise RuntimeError(f"podman build fiokit-{t}: {r.stdout[-1500:]}{r.stderr[-1500:]}")
        how = f"built in {time.monotonic() - t0:.0f} s"
    if not image_has_cluster(image):
        raise RuntimeError(f"{image}: its fiokit has no `run --coordinator` (a stale image?)")
    return image, how


def cleanup():
    sh("podman", "rm", "-f", "-t", "0", COORD, *[f"fiokit-cluster-m{i}" for i in range(N)])
    sh("podman", "network", "rm", "-f", NET)


def preconditions(ctest):
    if ctest and os.environ.get("FIOKIT_PODMAN_E2E") != "1":
        skip("builds or loads two images and runs four containers (minutes); "
             "set FIOKIT_PODMAN_E2E=1 to run it (ctest -L podman)")
    if os.geteuid() != 0:
        skip("needs root (rootful podman)")
    setup = os.environ.get("FIOKIT_PODMAN_SETUP", os.path.join(ROOT, "..", "shared", "containers", "podman-setup"))
    if not os.access(setup, os.X_OK):
        skip(f"no podman-setup at {setup} (set FIOKIT_PODMAN_SETUP)")
    r = subprocess.run([setup], capture_output=True, text=True)
    if r.returncode != 0:
        skip("podman-setup failed: " + " | ".join((r.stdout + r.stderr).strip().splitlines()[-3:]))
    if not shutil.which("podman"):
        skip("podman is not installed after podman-setup")


def coordinator_host_args(tool):
    """Members reach the coordinator as http://COORD:8000 (the contract's
    form). A podman network without name resolution (CNI without the dnsname
    plugin, as here) gets the name from --add-host with the coordinator's
    address on the network."""
    r = sh("podman", "run", "--rm", "--network", NET, "--entrypoint", "getent", tool, "hosts", COORD)
    if r.returncode == 0 and r.stdout.strip():
        return []
    ip = sh("podman", "inspect", "-f", "{{(index .NetworkSettings.Networks \"%s\").IPAddress}}" % NET, COORD).stdout.strip()
    print(f"note: this podman network resolves no names; members get {COORD} = {ip} with --add-host")
    return ["--add-host", f"{COORD}:{ip}"]


def run_cluster(work, tool, serve):
    coord_dir = os.path.join(work, "coord")
    os.makedirs(coord_dir)
    port = free_port()
    sh("podman", "network", "create", NET, check_rc=True)
    sh("podman", "run", "-d", "--name", COORD, "--network", NET, "-p", f"127.0.0.1:{port}:8000",
       "-v", f"{coord_dir}:/tmp/fio-data", "-e", f"FIOKIT_INGEST_TOKEN={TOKEN}", "-e", "FIOKIT_CLUSTER_TIMEOUT=60",
       serve, check_rc=True)
    if not check(wait_http(port, deadline_s=30), f"the serve container answers on 127.0.0.1:{port}"):
        print(sh("podman", "logs", COORD).stderr[-1500:])
        return
    url = f"http://{COORD}:8000"
    add_host = coordinator_host_args(tool)
    for i in range(N):
        d = os.path.join(work, f"m{i}")
        os.makedirs(d)
        with open(os.path.join(d, "job.fio"), "w") as f:
            f.write(JOB)
        sh("podman", "run", "-d", "--name", f"fiokit-cluster-m{i}", "--hostname", f"member-{i}", "--network", NET, *add_host,
           "-v", f"{d}:/tmp/fio-data", "-e", "JOBFILES=job.fio", "-e", f"FIOKIT_COORDINATOR={url}",
           "-e", f"FIOKIT_CLUSTER_RUN={RUN}", "-e", f"FIOKIT_CLUSTER_SIZE={N}", "-e", f"JOB_COMPLETION_INDEX={i}",
           "-e", f"FIOKIT_INGEST_TOKEN={TOKEN}", "-e", "FIOKIT_CLUSTER_TIMEOUT=60", tool, check_rc=True)
    # /metrics while the members run.
    seen, end = set(), time.monotonic() + 60
    while time.monotonic() < end:
        st, doc = http_json(port, "GET", f"/api/cluster/{RUN}", token=TOKEN)
        r = sh("curl", "-fsS", f"http://127.0.0.1:{port}/metrics")
        for name, labels, value in parse_metrics(r.stdout if r.returncode == 0 else ""):
            if RUN in labels.get("run", "") and value > 0:
                seen.add(name)
        if st == 200 and doc and doc.get("state") in ("done", "failed"):
            break
        time.sleep(0.25)
    check("fiokit_iops" in seen, f"/metrics: fiokit_iops > 0 for the run during it (non-zero: {sorted(seen)})")
    check("fiokit_bandwidth_bytes" in seen, "/metrics: fiokit_bandwidth_bytes > 0 during it")
    codes = []
    for i in range(N):
        r = sh("podman", "wait", f"fiokit-cluster-m{i}", timeout=90)
        codes.append(r.stdout.strip())
    check(codes == ["0"] * N, f"the member containers exit 0: {codes}")
    end = time.monotonic() + 20
    while time.monotonic() < end and not (doc and doc.get("state") in ("done", "failed")):
        time.sleep(0.25)
        st, doc = http_json(port, "GET", f"/api/cluster/{RUN}", token=TOKEN)
    if not check(doc and doc.get("state") == "done", f"the run ends done: {doc and doc.get('state')}"):
        for i in range(N):
            print(f"member {i}:", sh("podman", "logs", f"fiokit-cluster-m{i}").stderr[-600:])
        print("coordinator:", sh("podman", "logs", COORD).stderr[-1200:])
        return
    hosts_seen = sorted(m.get("host") for m in doc["members"])
    check(hosts_seen == [f"member-{i}" for i in range(N)], f"the members report their container hostnames: {hosts_seen}")
    rdir = os.path.join(coord_dir, doc["run_dir"])
    hosts = [load_json(os.path.join(rdir, "hosts", str(i), "results.json")) for i in range(N)]
    merged = load_json(os.path.join(rdir, "results.json"))
    check_merged(merged, hosts, "e2e", "read", doc.get("start_unix_ns"))


def main():
    ctest = "--ctest" in sys.argv[1:]
    preconditions(ctest)
    r = sh("podman", "run", "--rm", "--network", "none", "--entrypoint", "true", "localhost/debian:bookworm-slim")
    if r.returncode != 0:
        skip("podman cannot start a container here: " + (r.stderr or r.stdout).strip()[-300:])
    work = tempfile.mkdtemp(prefix="fiokit-cluster-podman-", dir="/var/tmp")
    cleanup()
    try:
        images = {}
        for t in ("tool", "serve"):
            images[t], how = get_image(t)
            print(f"ok   {images[t]} ({how})")
        t0 = time.monotonic()
        run_cluster(work, images["tool"], images["serve"])
        took = time.monotonic() - t0
        check(took < 300, f"the containers' part took {took:.0f} s (< 5 min)")
    except (RuntimeError, subprocess.TimeoutExpired, OSError, KeyError, ValueError) as e:
        check(False, f"{type(e).__name__}: {e}")
    finally:
        cleanup()
    from e2e_lib import FAILS
    if FAILS:
        print(f"files kept in {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    finish("cluster_podman")


if __name__ == "__main__":
    sys.exit(main())
