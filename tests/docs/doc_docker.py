# The docker lines of the docs (docker/README.md, examples/docker/README.md),
# run with a real Docker daemon as a user types them: `docker build` of the
# four images, then fio-tools' own `docker run` lines with fiokit's image
# names: tool with -e JOBFILES (and REMOTEFILES), plots with -t NAME -b -g -p
# '*_bw*', serve with -p 8000:8000 -d, aio with -v /tmp/fio-data -e JOBFILES -d
# --name (and a named volume). Only shared things are swapped: the host's
# /tmp/fio-data for a temp dir, port 8000 for a free port on 127.0.0.1 (tests
# publish on loopback only), example.com for a local http server on the
# docker0 address (plain http, so -e FIOKIT_ALLOW_HTTP=1 is added), container
# and volume names get a suffix, and every container gets a --label by which
# it is removed afterwards (the lines have no --rm). Each line is then
# checked for what the doc promises: a run directory with results.json, PNGs
# in the run's plots/, pages that list the runs, graphs titled PLOTNAME, I/O
# on the named volume, and `docker stop` answered in under 2 s.
import glob
import os
import re
import shutil
import subprocess
import time
import urllib.request

import doc_checks
from run_doc_commands import free_port, wait_http

SUFFIX = "-fiokitdocs"


def why_not():
    """The reason this machine cannot run the docker lines, or None."""
    if os.environ.get("FIOKIT_DOCKER_E2E") != "1":
        return "builds four images and runs them (minutes); set FIOKIT_DOCKER_E2E=1 to run it (ctest -L docker)"
    if os.geteuid() != 0:
        return "needs root (the Docker daemon's socket)"
    if not shutil.which("docker"):
        return "no docker command (scripts/docker-setup installs Debian's docker.io)"
    if subprocess.run(["docker", "info"], capture_output=True).returncode != 0:
        return "no Docker daemon answers (scripts/docker-setup starts one)"
    return None


def docker0_address():
    out = subprocess.run(["ip", "-4", "-o", "addr", "show", "docker0"], capture_output=True, text=True).stdout
    m = re.search(r"inet (\d+\.\d+\.\d+\.\d+)/", out)
    return m.group(1) if m else None


def DockerRunner(repo, fiokit, base):
    class Runner(base):
        def __init__(self):
            super().__init__(repo, fiokit, True)
            self.data = os.path.join(self.work, "data")
            os.makedirs(self.data)
            self.gw = docker0_address() or "172.17.0.1"
            self.http_port = free_port()
            self.http = subprocess.Popen(["python3", "-m", "http.server", "--bind", self.gw, str(self.http_port)],
                                         cwd=os.path.join(repo, "examples", "docker"), stdout=subprocess.DEVNULL,
                                         stderr=subprocess.DEVNULL)
            self.cleanups.append(lambda: (self.http.terminate(), self.http.wait()))
            # fio-tools' lines have no --rm: each container the test starts
            # carries this label, and all of them go (anonymous volumes too).
            self.label = f"fiokit-docs={os.getpid()}"
            self.cleanups.append(self.remove_containers)
            if wait_http(f"http://{self.gw}:{self.http_port}/job.fio", 20) is None:
                raise SystemExit(f"FAIL the local http server for REMOTEFILES did not start on {self.gw}")

        def substitute(self, text):
            """The line as run, and what it publishes/names (port, container)."""
            info = {"port": None, "name": None}
            if not re.match(r"\s*docker run\b", text):
                return text.replace("/tmp/fio-data", self.data), info
            text = text.replace("-v /tmp/fio-data:", f"-v {self.data}:")
            if "-p 8000:8000" in text:
                info["port"] = free_port()
                text = text.replace("-p 8000:8000", f"-p 127.0.0.1:{info['port']}:8000")
            if m := re.search(r"--name (\S+)", text):
                info["name"] = m.group(1) + SUFFIX
                text = text.replace(m.group(0), f"--name {info['name']}")
            for vol in re.findall(r"-v ([A-Za-z][\w.-]*):/", text):
                text = text.replace(f"-v {vol}:", f"-v {vol}{SUFFIX}:")
                # The containers first: a volume in use is not removed.
                self.cleanups.append(lambda v=vol: (self.remove_containers(),
                                                    subprocess.run(["docker", "volume", "rm", "-f", v + SUFFIX],
                                                                   capture_output=True)))
            text = text.replace("docker run ", f"docker run --label {self.label} ", 1)
            if "https://example.com/path/" in text:
                text = text.replace("https://example.com/path/", f"http://{self.gw}:{self.http_port}/")
                text = text.replace("docker run ", "docker run -e FIOKIT_ALLOW_HTTP=1 ", 1)
            return text, info

        def run(self, cmd):
            text, info = self.substitute(cmd.text)
            before = doc_checks.snapshot(self.data)
            t0 = time.time()
            r = self.sh(text, self.repo, timeout=3000)
            self.ran += 1
            if r.returncode != 0:
                return self.fail(cmd, f"exit {r.returncode} (documented: 0)\n     as run: {text}", r.stdout + r.stderr)
            image = (re.findall(r"\b(fiokit-(?:tool|plots|serve|aio))\b", text) or [None])[-1]
            if re.match(r"\s*for t in", text):
                problem = self.check_images()
            elif not re.match(r"\s*docker run\b", text):
                problem = None
            elif " -d " in f" {text} ":
                problem = self.check_detached(text, info, r.stdout.strip().splitlines()[-1], image)
            elif image == "fiokit-tool":
                made = doc_checks.new_files(self.data, before, r"/runs/[^/]+/results\.json$")
                problem = None if len(made) == 1 else f"{len(made)} new run directories with results.json (1 expected)"
            elif image == "fiokit-plots":
                problem = doc_checks.check_pngs(doc_checks.new_files(self.data, before, r"/runs/[^/]+/plots/[^/]+\.png$"))
            else:
                problem = f"no check for a line running {image}"
            if problem:
                return self.fail(cmd, problem + f"\n     as run: {text}", r.stdout + r.stderr)
            self.ok(cmd, "as documented", time.time() - t0)

        def remove_containers(self):
            ids = subprocess.run(["docker", "ps", "-aq", "--filter", f"label={self.label}"], capture_output=True,
                                 text=True).stdout.split()
            if ids:
                subprocess.run(["docker", "rm", "-f", "-v"] + ids, capture_output=True)

        def check_images(self):
            for t in ("tool", "plots", "serve", "aio"):
                r = subprocess.run(["docker", "image", "inspect", "--format", "{{.Size}}", f"fiokit-{t}"],
                                   capture_output=True, text=True)
                if r.returncode != 0:
                    return f"no image fiokit-{t} after the build"
                print(f"     fiokit-{t}: {int(r.stdout) / 1e6:.1f} MB")
            return None

        def check_detached(self, text, info, container, image):
            if not info["port"]:
                return "a detached line without -p 8000:8000: nothing to check"
            base = f"http://127.0.0.1:{info['port']}"
            plotname = (re.findall(r"PLOTNAME=(\S+)", text) or [None])[0]
            # aio runs the job first (two 5 s phases), then plots, then serves.
            deadline = time.time() + 300
            ids = []
            while time.time() < deadline:
                body = wait_http(f"{base}/api/runs", 5)
                ids = doc_checks.run_ids(body) if body else []
                if ids and (not plotname or any(i.endswith("-" + plotname) for i in ids)):
                    break
                state = subprocess.run(["docker", "inspect", "-f", "{{.State.Running}}", container],
                                       capture_output=True, text=True).stdout.strip()
                if state != "true":
                    logs = subprocess.run(["docker", "logs", container], capture_output=True, text=True)
                    return f"the container stopped: {(logs.stdout + logs.stderr)[-800:]}"
                time.sleep(1)
            if not ids:
                return f"{base}/api/runs lists no run"
            page = wait_http(base + "/", 10)
            if page is None or ids[0].encode() not in page:
                return f"the index page on {base}/ does not name run {ids[0]}"
            if image == "fiokit-aio":
                problem = self.check_aio(container, base, ids, plotname, text)
                if problem:
                    return problem
            return self.check_stop(container)

        def check_aio(self, container, base, ids, plotname, text):
            run = next((i for i in ids if i.endswith("-" + plotname)), None)
            if not run:
                return f"no run labelled -{plotname} in /api/runs: {ids}"
            ls = subprocess.run(["docker", "exec", container, "ls", f"/tmp/fio-data/runs/{run}/plots"],
                                capture_output=True, text=True).stdout.split()
            for kind in ("bw", "iops", "lat"):
                if not any(kind in f and f.endswith(".png") for f in ls):
                    return f"no {kind} graph in runs/{run}/plots: {ls}"
            first = next(f for f in ls if f.endswith(".png"))
            png = os.path.join(self.work, "aio.png")
            with urllib.request.urlopen(f"{base}/files/runs/{run}/plots/{first}", timeout=10) as r, open(png, "wb") as f:
                f.write(r.read())
            if doc_checks.png_size(png) is None:
                return f"{base}/files/runs/{run}/plots/{first} is not a whole PNG"
            if m := re.search(r"-v [\w.-]+:(/\S+)", text):
                files = subprocess.run(["docker", "exec", container, "ls", "-A", m.group(1)],
                                       capture_output=True, text=True).stdout.split()
                if not files:
                    return f"no I/O went to the volume at {m.group(1)}"
            return None

        def check_stop(self, container):
            t0 = time.time_ns()
            subprocess.run(["docker", "stop", "-t", "10", container], capture_output=True)
            fin = subprocess.run(["docker", "inspect", "-f", "{{.State.FinishedAt}}", container],
                                 capture_output=True, text=True).stdout.strip()
            m = re.match(r"(\d+)-(\d+)-(\d+)T(\d+):(\d+):(\d+)(?:\.(\d+))?Z", fin)
            if not m:
                return f"no FinishedAt after docker stop: {fin!r}"
            import calendar
            secs = calendar.timegm(tuple(int(x) for x in m.groups()[:6]) + (0, 0, 0))
            fin_ns = secs * 10**9 + int((m.group(7) or "0").ljust(9, "0")[:9])
            ms = (fin_ns - t0) / 1e6
            print(f"     docker stop: the container exited {ms:.0f} ms after it was asked")
            return None if ms < 2000 else f"exited {ms:.0f} ms after docker stop (docs: well under 2 s)"

    return Runner()
