#!/usr/bin/env python3
"""Peak-RSS regression checks for issue 16 (memory bounded as the work grows).

Each case runs the fiokit binary as a child and reads its peak RSS from
os.wait4's rusage (ru_maxrss, KiB: the kernel's high-water mark of that child
alone), then asserts the limit and that the work was really done:

  per-io-logs   null engine, write_bw_log + write_iops_log + write_lat_log with
                log_avg_msec=0 for 6 s: peak <= 64 MiB, and the clat log holds
                exactly one whole row per I/O the JSON reports (nothing dropped
                by the bounded ring, no half line at the end). Before the ring
                this run peaked at 350 MiB and grew with the runtime.
  junk-file     --parse-only on a 64 MiB job file of junk lines: exit 2 with the
                first junk line's file:line, peak <= 128 MiB (was 0.9-4 GB).
  endless-stdin --parse-only on an endless stdin of valid options: exit 2 at the
                reader's line budget, peak <= 128 MiB (was 927 MB and more).

usage: check_memory_limits.py FIOKIT [CASE ...]
"""
import json
import os
import subprocess
import sys
import tempfile
import threading

MIB = 1024  # ru_maxrss is in KiB


def run(argv, cwd, stdin=None, feed=None):
    """Runs argv; returns (exit code, stdout, stderr, peak RSS in KiB)."""
    out = tempfile.TemporaryFile()
    err = tempfile.TemporaryFile()
    proc = subprocess.Popen(argv, cwd=cwd, stdin=stdin, stdout=out, stderr=err)
    feeder = None
    if feed is not None:
        feeder = threading.Thread(target=feed, args=(proc.stdin,), daemon=True)
        feeder.start()
    _, status, usage = os.wait4(proc.pid, 0)
    if feeder:
        feeder.join(timeout=10)
    out.seek(0)
    err.seek(0)
    return (os.waitstatus_to_exitcode(status), out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"), usage.ru_maxrss)


def count_lines(path):
    """Rows in a log and whether its last byte ends a row."""
    n = 0
    last = b""
    with open(path, "rb") as f:
        while True:
            block = f.read(1 << 22)
            if not block:
                break
            n += block.count(b"\n")
            last = block[-1:]
    return n, last in (b"", b"\n")


def case_per_io_logs(fiokit, tmp):
    job = os.path.join(tmp, "plog.fio")
    with open(job, "w") as f:
        f.write("[plog]\nioengine=null\nrw=randread\nbs=4k\nsize=1g\ntime_based=1\nruntime=6\n"
                "write_bw_log=plog\nwrite_iops_log=plog\nwrite_lat_log=plog\nlog_avg_msec=0\n")
    code, out, err, rss = run([fiokit, "run", "--output-format=json", job], tmp)
    if code != 0:
        return f"exit {code}: {err[-300:]}"
    ios = json.loads(out)["jobs"][0]["read"]["total_ios"]
    rows, whole = count_lines(os.path.join(tmp, "plog_clat.1.log"))
    print(f"per-io-logs: peak RSS {rss / MIB:.1f} MiB (limit 64), {ios} I/Os, {rows} clat rows")
    for name in ("bw", "iops", "lat", "clat", "slat"):
        os.unlink(os.path.join(tmp, f"plog_{name}.1.log"))
    if ios < 100000:
        return f"only {ios} I/Os in 6 s: the run did not log per I/O at speed"
    if rows != ios or not whole:
        return f"clat log has {rows} rows (whole last row: {whole}) for {ios} I/Os"
    if rss > 64 * MIB:
        return f"peak RSS {rss} KiB > 64 MiB"
    return None


def case_junk_file(fiokit, tmp):
    job = os.path.join(tmp, "junk.fio")
    with open(job, "w") as f:
        f.write("[job]\n")
        chunk = "".join(f"junkline{i}\n" for i in range(100000))
        while f.tell() < (64 << 20) - len(chunk):
            f.write(chunk)
    code, _, err, rss = run([fiokit, "run", "--parse-only", job], tmp)
    os.unlink(job)
    print(f"junk-file: peak RSS {rss / MIB:.1f} MiB (limit 128), exit {code}: {err.strip()[:120]}")
    if code != 2 or f"unknown option 'junkline0' ({job}:2)" not in err:
        return f"expected exit 2 naming junkline0 at {job}:2, got {code}: {err[-300:]}"
    if rss > 128 * MIB:
        return f"peak RSS {rss} KiB > 128 MiB"
    return None


def case_endless_stdin(fiokit, tmp):
    def feed(pipe):
        block = b"bs=4k\n" * 100000
        try:
            pipe.write(b"[job]\n")
            for _ in range(2000):  # 1.2 GB at most: "endless" for the reader
                pipe.write(block)
        except (BrokenPipeError, OSError):
            pass
        finally:
            try:
                pipe.close()
            except OSError:
                pass

    code, _, err, rss = run([fiokit, "run", "--parse-only", "-"], tmp, stdin=subprocess.PIPE, feed=feed)
    print(f"endless-stdin: peak RSS {rss / MIB:.1f} MiB (limit 128), exit {code}: {err.strip()[:120]}")
    if code != 2 or "more than 200000 options" not in err or "<stdin>:200001" not in err:
        return f"expected exit 2 at the line budget (<stdin>:200001), got {code}: {err[-300:]}"
    if rss > 128 * MIB:
        return f"peak RSS {rss} KiB > 128 MiB"
    return None


CASES = {"per-io-logs": case_per_io_logs, "junk-file": case_junk_file, "endless-stdin": case_endless_stdin}


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    fiokit = os.path.abspath(sys.argv[1])
    names = sys.argv[2:] or list(CASES)
    failed = 0
    with tempfile.TemporaryDirectory(prefix="fiokit-mem-") as tmp:
        for name in names:
            why = CASES[name](fiokit, tmp)
            if why:
                print(f"FAIL {name}: {why}")
                failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
