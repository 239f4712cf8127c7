#!/usr/bin/env python3
# Docs that work as written (issue 17 item 6): every command line in a fenced
# `sh` or `console` block of README.md, docker/README.md and
# examples/*/README.md is taken from the markdown each time and run, so a
# changed doc is re-tested. `console` marks lines for a place this machine is
# not (a Kubernetes cluster): those that cannot run here are in NOT_RUN with
# the reason, the others run like the rest; which file runs where (host or
# --docker) is decided by its `sh` lines. A file
# whose blocks use `docker` runs only with --docker (CTest label docker: it
# builds the four images and runs the fio-tools `docker run` lines); the rest
# runs on the host against the binary under test. The harness changes a line
# only where the doc names a placeholder or a shared resource: the host's
# /tmp/fio-data becomes a temp dir, port 8000 a free port on 127.0.0.1, the
# example.com URL a local http server, container and volume names get a
# suffix. Each line must exit as documented and leave what the doc promises
# (a run directory, PNGs, pages that list the runs); a line no test can run is
# listed in NOT_RUN with the reason, and a line that is neither run nor listed
# fails the test.
#
# usage: run_doc_commands.py REPO FIOKIT_BIN [--docker]
# exit 0 all ran as documented, 1 a line failed, 77 skipped (reason printed).
import glob
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'common'))
from net_util import free_port  # noqa: E402,F401  (also imported from here by other tests)
import doc_checks  # noqa: E402  (the checks of what each kind of line promises)

# Lines a test cannot run, each with where it is run instead.
NO_CLUSTER = "needs a Kubernetes cluster (kubectl has none here); tests/k8s validates the manifests instead"
FORWARDED = ("reads the cluster's serve through `kubectl port-forward` (no cluster here); tests/cluster's e2e runs "
             "the same routes against a real coordinator")
OFFLINE = ("names results copied off several hosts (placeholders); tests/cluster runs fiokit merge on real member "
           "run directories (test_merge_cli) and fio json+ files (test_merge_fio)")
NOT_RUN = {
    "scripts/test": ".ci/run runs it as its first stage (run from a test, it would run this test again)",
    # README.md's cluster section and examples/k8s/README.md (console blocks).
    "kubectl create namespace fiokit": NO_CLUSTER,
    "kubectl apply -n fiokit -f my-cluster.yaml": NO_CLUSTER,
    "kubectl wait -n fiokit --for=condition=complete job/fiokit-cluster --timeout=30m": NO_CLUSTER,
    "kubectl port-forward -n fiokit svc/fiokit-serve 8000": NO_CLUSTER,
    "kubectl get pods -n fiokit -l app.kubernetes.io/part-of=fiokit-cluster -o wide -w": NO_CLUSTER,
    "kubectl logs -n fiokit -l app.kubernetes.io/name=fiokit-member --prefix -f": NO_CLUSTER,
    "kubectl delete job -n fiokit fiokit-cluster": NO_CLUSTER,
    "kubectl delete -n fiokit -f my-cluster.yaml": NO_CLUSTER,
    "kubectl delete namespace fiokit": NO_CLUSTER,
    "TOKEN=$(kubectl get secret -n fiokit fiokit-ingest-token -o jsonpath='{.data.token}' | base64 -d)": NO_CLUSTER,
    "kind load docker-image fiokit-tool fiokit-serve": "needs a kind cluster (kind is not installed here)",
    "for t in tool serve; do docker build -f docker/Dockerfile --target $t -t fiokit-$t .; done":
        "builds the tool and serve targets, which docs_docker builds from docker/README.md's docker build lines",
    "RUN=$(curl -s 'http://localhost:8000/api/runs?q=cluster-bench' | jq -r '.runs[0].id')": FORWARDED,
    "curl -s \"http://localhost:8000/files/runs/$RUN/results.json\" | jq '.cluster | {size, start_skew_ms, failed}'":
        FORWARDED,
    "curl -s \"http://localhost:8000/files/runs/$RUN/results.json\" | jq '.cluster.aggregate[\"randrw-4k\"].read | "
    "{iops, bw_bytes, p99_ns: .clat_ns.percentile[\"99.000000\"], iops_spread}'": FORWARDED,
    "curl -s http://localhost:8000/metrics | grep '^fiokit_'": FORWARDED,
    "curl -s -H \"Authorization: Bearer $TOKEN\" http://localhost:8000/api/cluster/cluster-bench | jq .": FORWARDED,
    # examples/k8s/README.md's offline merge: RUN and a.json... stand for the
    # members' results copied off their hosts.
    "fiokit merge host0/runs/RUN host1/runs/RUN host2/runs/RUN --out merged/runs/cluster-bench": OFFLINE,
    "fiokit merge a.json b.json c.json --out merged/runs/fio-hosts": OFFLINE,
    "fiokit serve merged": OFFLINE,
}

def doc_files(repo):
    files = ["README.md", "docker/README.md"]
    files += sorted(os.path.relpath(p, repo) for p in glob.glob(os.path.join(repo, "examples", "*", "README.md")))
    return [f for f in files if os.path.exists(os.path.join(repo, f))]


class Cmd:
    def __init__(self, doc, line, text, console=False):
        self.doc, self.line, self.text, self.console = doc, line, text, console

    def where(self):
        return f"{self.doc}:{self.line}"


def strip_comment(line):
    """A trailing ` # comment` outside quotes (the README's annotations)."""
    quote = None
    for i, c in enumerate(line):
        if quote:
            if c == quote:
                quote = None
        elif c in "'\"":
            quote = c
        elif c == "#" and (i == 0 or line[i - 1] in " \t"):
            return line[:i].rstrip()
    return line.rstrip()


def complete(text):
    """True when bash parses `text` as whole commands (a for loop ends with done)."""
    return subprocess.run(["bash", "-n", "-c", text], capture_output=True).returncode == 0


def extract(repo, doc):
    """Every command of every ```sh and ```console block, continuation lines and loops joined."""
    cmds, block, acc, start = [], None, "", 0
    with open(os.path.join(repo, doc), encoding="utf-8") as f:
        lines = f.read().split("\n")
    for n, raw in enumerate(lines, 1):
        fence = re.match(r"^\s*```\s*(\S*)", raw)
        if fence:
            if block is None:
                block = fence.group(1)
            else:
                if acc:
                    raise SystemExit(f"FAIL {doc}:{start}: unterminated command at the end of its block: {acc!r}")
                block = None
            continue
        if block not in ("sh", "bash", "shell", "console"):
            continue
        line = strip_comment(raw)
        if not line.strip() and not acc:
            continue
        if not acc:
            start = n
        if line.endswith("\\"):
            acc += line[:-1].rstrip() + " "
            continue
        acc += line.strip() if not acc else line.strip()
        if complete(acc):
            cmds.append(Cmd(doc, start, acc.strip(), block == "console"))
            acc = ""
        else:
            acc += "\n"
    return cmds


def uses_containers(cmd):
    return re.search(r"(^|[;&|(]\s*|\bdo\s+)(docker|podman)\s", cmd.text) is not None


def wait_http(url, seconds=60, proc=None):
    end = time.time() + seconds
    while time.time() < end:
        if proc is not None and proc.poll() is not None:
            return None
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                return r.read()
        except Exception:
            time.sleep(0.3)
    return None


class Runner:
    def __init__(self, repo, fiokit, docker):
        self.repo, self.fiokit, self.docker = repo, fiokit, docker
        self.work = tempfile.mkdtemp(prefix="fiokit-docs-")
        self.failures = 0
        self.ran = 0
        self.cleanups = []

    def fail(self, cmd, why, out=""):
        self.failures += 1
        print(f"FAIL {cmd.where()}: {cmd.text}\n     {why}")
        if out:
            print("     | " + "\n     | ".join(out.strip().splitlines()[-15:]))

    def ok(self, cmd, what, secs):
        print(f"ok   {cmd.where()}: {cmd.text.splitlines()[0][:100]}  ({what}; {secs:.1f} s)")

    def sh(self, text, cwd, timeout=1800):
        return subprocess.run(["bash", "-c", text], cwd=cwd, capture_output=True, text=True, timeout=timeout)

    def cleanup(self):
        for c in reversed(self.cleanups):
            try:
                c()
            except Exception as e:  # a cleanup must not hide the result
                print(f"note cleanup: {e}")
        if self.failures == 0:
            shutil.rmtree(self.work, ignore_errors=True)
        else:
            print(f"files kept in {self.work}")


# ---------------------------------------------------------------- host lines --
class HostRunner(Runner):
    """README.md's lines: a sandbox where `build/fiokit` is the binary under
    test, `job.fio` a small job with logs, and the doc's placeholders real."""

    def __init__(self, repo, fiokit):
        super().__init__(repo, fiokit, False)
        self.box = os.path.join(self.work, "box")
        os.makedirs(os.path.join(self.box, "build"))
        os.symlink(os.path.abspath(fiokit), os.path.join(self.box, "build", "fiokit"))
        for d in ("examples", "docker"):
            os.symlink(os.path.join(repo, d), os.path.join(self.box, d))
        os.makedirs(os.path.join(self.box, "vol"))
        with open(os.path.join(self.box, "job.fio"), "w") as f:
            f.write(doc_checks.HOST_JOB)

    def substitute(self, text):
        data = os.path.join(self.box, "fio-data")
        text = text.replace("/tmp/fio-data", data).replace("/mnt/vol", os.path.join(self.box, "vol"))
        for word, root in (("BASELINE_RUN", "base"), ("CURRENT_RUN", data)):
            if word in text:
                runs = sorted(glob.glob(os.path.join(self.box, root, "runs", "*")))
                if not runs:
                    return None, f"{word}: no run directory under {root}/runs yet (an earlier line should have made one)"
                text = text.replace(word, runs[-1])
        return text, None

    def run(self, cmd):
        if cmd.text == "scripts/quickstart":
            return self.quickstart(cmd)
        text, err = self.substitute(cmd.text)
        if err:
            return self.fail(cmd, err)
        if re.search(r"\bfiokit serve\b", text):
            return self.serve(cmd, text)
        before = doc_checks.snapshot(self.box)
        t0 = time.time()
        r = self.sh(text, self.box, timeout=600)
        secs = time.time() - t0
        self.ran += 1
        # compare is documented as a gate: 1 on a regression is an answer too
        # (two short runs on a shared machine differ); 2 (invalid) is not.
        allowed = (0, 1) if re.search(r"\bfiokit compare\b", text) else (0,)
        if r.returncode not in allowed:
            return self.fail(cmd, f"exit {r.returncode} (documented: {' or '.join(map(str, allowed))})", r.stdout + r.stderr)
        problem = doc_checks.check_host_line(text, r.stdout, r.stderr, self.box, before)
        if problem:
            return self.fail(cmd, problem, r.stderr)
        self.ok(cmd, f"exit {r.returncode}, output as documented", secs)

    def serve(self, cmd, text):
        port = free_port()
        t0 = time.time()
        p = subprocess.Popen(["bash", "-c", f"exec {text} --port {port}"], cwd=self.box, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        self.ran += 1
        try:
            runs = wait_http(f"http://127.0.0.1:{port}/api/runs", 30, p)
            page = wait_http(f"http://127.0.0.1:{port}/", 10, p)
            if runs is None or page is None:
                return self.fail(cmd, f"serve did not answer on 127.0.0.1:{port}")
            ids = doc_checks.run_ids(runs)
            if not ids:
                return self.fail(cmd, "serve lists no run (the earlier --data-dir lines made some)")
            if ids[0].encode() not in page:
                return self.fail(cmd, f"the index page does not name run {ids[0]}")
        finally:
            p.send_signal(signal.SIGTERM)
            try:
                rc = p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
                rc = None
        if rc != 0:
            return self.fail(cmd, f"serve exit {rc} after SIGTERM (0 expected)")
        self.ok(cmd, f"served {len(ids)} run(s) on :{port}, exit 0 on SIGTERM", time.time() - t0)

    def quickstart(self, cmd):
        # scripts/quickstart builds the repository's own build/ and runs it;
        # only meaningful when that build is the binary under test.
        mine = os.path.realpath(os.path.join(self.repo, "build", "fiokit"))
        if mine != os.path.realpath(self.fiokit):
            print(f"SKIP {cmd.where()}: {cmd.text}: it builds {mine}, not the binary under test")
            return
        t0 = time.time()
        r = self.sh(cmd.text, self.repo, timeout=600)
        self.ran += 1
        if r.returncode != 0:
            return self.fail(cmd, f"exit {r.returncode}", r.stdout + r.stderr)
        m = re.search(r"fiokit serve (\S+)", r.stderr)
        if "quickstart done" not in r.stderr or not m:
            return self.fail(cmd, "no 'quickstart done; browse it with: fiokit serve DIR' on stderr", r.stderr)
        runs = glob.glob(os.path.join(m.group(1), "runs", "*", "plots", "*.png"))
        shutil.rmtree(m.group(1), ignore_errors=True)
        if not runs:
            return self.fail(cmd, "the quickstart run has no graphs in plots/")
        self.ok(cmd, f"report, run directory and {len(runs)} graphs", time.time() - t0)


def main():
    if len(sys.argv) < 3:
        print(__doc__ or "usage: run_doc_commands.py REPO FIOKIT_BIN [--docker]")
        return 2
    repo, fiokit = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    docker = "--docker" in sys.argv[3:]
    by_doc = {doc: extract(repo, doc) for doc in doc_files(repo)}
    # A file's `sh` lines decide where it runs; its console lines go with it.
    mine = {doc: cmds for doc, cmds in by_doc.items()
            if any(uses_containers(c) for c in cmds if not c.console) == docker}
    if docker:
        import doc_docker
        skip = doc_docker.why_not()
        if skip:
            print(f"SKIP docs_docker: {skip}")
            return 77
        runner = doc_docker.DockerRunner(repo, fiokit, Runner)
    else:
        runner = HostRunner(repo, fiokit)
    try:
        for doc, cmds in mine.items():
            print(f"== {doc}: {len(cmds)} command line(s)")
            for cmd in cmds:
                if cmd.text in NOT_RUN:
                    print(f"not run here {cmd.where()}: {cmd.text}: {NOT_RUN[cmd.text]}")
                    continue
                runner.run(cmd)
    finally:
        runner.cleanup()
    others = [d for d in by_doc if d not in mine]
    print(f"{runner.ran} line(s) run, {runner.failures} failed; {', '.join(others) or 'nothing'} left to the "
          f"{'host' if docker else 'docker'} test")
    if runner.ran == 0:
        print("FAIL no documented command line was found (the extraction is broken)")
        return 1
    return 1 if runner.failures else 0


if __name__ == "__main__":
    sys.exit(main())
