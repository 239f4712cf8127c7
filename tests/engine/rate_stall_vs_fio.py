#!/usr/bin/env python3
"""A rate-limited job stopped (SIGSTOP) for 1.5 s of its 4 s, with fio 3.33
and fiokit side by side: fio makes the missed I/Os up after the stall (its
next I/O time comes from the bytes issued since the start), so both must
end with about rate x runtime I/Os. This is what a loaded machine does to a
rate job (fio's t0011 flow test), made repeatable. Exit 77 without fio.

usage: rate_stall_vs_fio.py FIOKIT
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

RATE, RUNTIME, STOP_AT, STOP_FOR = 1000, 4, 1.0, 1.5
JOB = f"""[r]
ioengine=null
size=100g
bs=4k
rw=read
rate_iops={RATE}
time_based
runtime={RUNTIME}
"""


def run(argv, out):
    # A session of its own: fio's job runs in a child process, and the whole
    # group is stopped and continued at once.
    p = subprocess.Popen(argv + ["--output-format=json", "--output=" + out, "job.fio"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True)
    time.sleep(STOP_AT)
    os.killpg(p.pid, signal.SIGSTOP)
    time.sleep(STOP_FOR)
    os.killpg(p.pid, signal.SIGCONT)
    _, err = p.communicate(timeout=60)
    if p.returncode != 0:
        sys.exit(f"FAIL: {argv[0]} exited {p.returncode}: {err}")
    with open(out) as f:
        job = json.load(f)["jobs"][0]
    return job["read"]["total_ios"]


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    if not shutil.which("fio"):
        print("SKIP: fio is not installed")
        return 77
    with tempfile.TemporaryDirectory() as d:
        os.chdir(d)
        with open("job.fio", "w") as f:
            f.write(JOB)
        want = RATE * RUNTIME
        got = {"fio": run(["fio"], "fio.json"), "fiokit": run([sys.argv[1], "run"], "fiokit.json")}
    print(f"I/Os after a {STOP_FOR} s stop in a {RUNTIME} s job at rate_iops={RATE}: {got} (schedule: {want})")
    bad = [k for k, n in got.items() if abs(n - want) > 0.03 * want]
    if "fio" in bad:
        # fio itself did not make up the stall: this machine cannot judge it.
        print(f"SKIP: fio ended with {got['fio']} I/Os, not about {want}: too loaded to compare")
        return 77
    if bad:
        print(f"FAIL: fiokit ended with {got['fiokit']} I/Os where fio made up the stall ({got['fio']})")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
