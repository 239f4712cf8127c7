# What each kind of documented line promises, checked on the files it leaves
# (run_doc_commands.py runs the lines): a JSON report that parses, a run
# directory with results.json (and N repeats for --repeat N), PNG files that
# decode to an image of some size, a compare table, the run list serve
# answers. Exit code 0 alone passes a line that printed an error page, so each
# kind is checked for what the doc says it gives.
import glob
import json
import os
import re
import struct
import zlib

# `job.fio` in the README's lines: a short write with the bandwidth, IOPS and
# latency logs that `fiokit plot -t MyTest -b -g -p '*_bw*'` reads from the
# current directory (fio2gnuplot's way), about a second per run.
HOST_JOB = """[global]
ioengine=psync
bs=4k
size=4m
runtime=1
time_based
write_bw_log=job
write_iops_log=job
write_lat_log=job
log_avg_msec=100

[seq-write]
rw=write
"""


def snapshot(root):
    """Every file under root with its mtime (symlinked folders not followed)."""
    out = {}
    for d, _, files in os.walk(root):
        for f in files:
            p = os.path.join(d, f)
            try:
                out[p] = os.stat(p).st_mtime_ns
            except OSError:
                pass
    return out


def png_size(path):
    """(width, height) of a PNG whose IHDR and every chunk's CRC check out, else None."""
    with open(path, "rb") as f:
        data = f.read()
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        return None
    pos, size, seen_end = 8, None, False
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        crc = data[pos + 8 + length:pos + 12 + length]
        if len(body) != length or len(crc) != 4 or zlib.crc32(kind + body) != struct.unpack(">I", crc)[0]:
            return None
        if kind == b"IHDR":
            size = struct.unpack(">II", body[:8])
        if kind == b"IEND":
            seen_end = True
            break
        pos += 12 + length
    return size if seen_end and size and size[0] > 0 and size[1] > 0 else None


def new_files(root, before, pattern):
    """Files matching pattern made or rewritten since `before` (a snapshot)."""
    return sorted(p for p, t in snapshot(root).items() if before.get(p) != t and re.search(pattern, p))


def check_pngs(paths, at_least=1):
    if len(paths) < at_least:
        return f"{len(paths)} new PNG file(s), expected at least {at_least}"
    for p in paths:
        if png_size(p) is None:
            return f"{p} is not a whole PNG image"
    return None


def run_ids(api_runs_body):
    """Run ids from /api/runs (a list, or an object holding one)."""
    doc = json.loads(api_runs_body)
    if isinstance(doc, dict):
        doc = doc.get("runs", [])
    return [r.get("id") or r.get("name") for r in doc if isinstance(r, dict)]


def check_host_line(text, out, err, box, before):
    """None when the host line left what the doc promises, else the reason."""
    if "--output-format=json" in text:
        try:
            doc = json.loads(out)
        except ValueError as e:
            return f"stdout is not one JSON document ({e})"
        if not doc.get("jobs"):
            return "the JSON report has no jobs"
    elif "--parse-only" in text:
        if out:
            return f"--parse-only printed on stdout: {out[:200]!r}"
    elif "--showcmd" in text:
        if not out.startswith("fiokit run --name="):
            return f"--showcmd printed {out[:200]!r}"
    elif m := re.search(r"--cmdhelp=(\w+)", text):
        if m.group(1) not in out:
            return f"--cmdhelp does not describe {m.group(1)}"
    elif re.search(r"\bfiokit run\b", text):
        if "Run status group" not in out:
            return "no fio-style report on stdout"
    if re.search(r"\bfiokit run\b", text) and (m := re.search(r"--data-dir (\S+)", text)):
        root = m.group(1) if os.path.isabs(m.group(1)) else os.path.join(box, m.group(1))
        made = new_files(root, before, r"/runs/[^/]+/results\.json$")
        if len(made) != 1:
            return f"{len(made)} new run directories with results.json under {root}/runs (1 expected)"
        run = os.path.dirname(made[0])
        with open(made[0]) as f:
            if not json.load(f).get("jobs"):
                return f"{made[0]} has no jobs"
        if r := re.search(r"--repeat (\d+)", text):
            reps = glob.glob(os.path.join(run, "repeats", "*", "results.json"))
            if len(reps) != int(r.group(1)):
                return f"{len(reps)} repeats in {run}/repeats ({r.group(1)} documented)"
    if re.search(r"\bfiokit plot\b", text):
        return check_pngs(new_files(box, before, r"\.png$"))
    if re.search(r"\bfiokit compare\b", text):
        if not re.search(r"\biops\b", out):
            return "no iops row in the comparison table"
    if re.search(r"^sed .*> my-cluster\.yaml$", text):
        # The cluster manifest with its token made: no placeholder left.
        try:
            with open(os.path.join(box, "my-cluster.yaml")) as f:
                made = f.read()
        except OSError as e:
            return f"my-cluster.yaml not written ({e})"
        if "CHANGE-ME" in made or not re.search(r"\b[0-9a-f]{64}\b", made):
            return "my-cluster.yaml still holds the token placeholder (no 64 hex digit token)"
        if "kind: Job" not in made:
            return "my-cluster.yaml is not the cluster manifest"
    if re.search(r"\bfiokit volumes\b", text) and not out.strip():
        return "no output"
    return None
