#!/usr/bin/env python3
"""fiokit's output against fio 3.33's for the same jobs (CTest: output_vs_fio).

  check_output_vs_fio.py FIOKIT

Each job runs once with fio and once with fiokit, each in its own temporary
directory (relative file names, so "job options" read the same), and:
  - json and json+: the key sets are equal at every level (fiokit's own
    top-level "fiokit" key aside; the keys of "bins" are latencies, which
    legitimately differ, so only their presence is compared), and
    "global options" / "job options" are equal, values included;
  - normal: the lines before the report (job headers, "...", "Starting ...",
    "Laying out IO file") are equal, the version line aside ("fio-3.33" / "fiokit-VERSION"), and
    every kind of line fio prints (its label up to ':' or '=') fiokit prints;
  - terse: as many fields per line.
Numbers, times, pids and the host are what legitimately differ. Exits 77 (skip)
with the reason when fio is not installed.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

# (what the case is, arguments before the job files, job file text or None)
CASES = [
    ("command-line job", ["--name=rr", "--rw=randread", "--bs=4k", "--size=1m", "--filename=f1"], None),
    ("options before --name are global options; numjobs clones; threads",
     ["--ioengine=null", "--size=1m", "--bs=8k", "--name=a", "--rw=write", "--name=b", "--rw=randread",
      "--numjobs=2", "--thread"], None),
    ("job file with [global] and a mixed job",
     [], "[global]\nsize=1m\nbs=4k\nfilename=f2\n[w]\nrw=write\n[m]\nstonewall\nrw=randrw\nbsrange=512-64k\n"),
    ("command-line options and two [global] sections are one global options map",
     ["--iodepth=2"], "[global]\nsize=64k\n[a]\nioengine=null\n[global]\nbs=8k\n[b]\nioengine=null\n"),
    ("gtod_reduce and disable_lat: figures not measured",
     ["--ioengine=null", "--size=1m", "--name=g", "--gtod_reduce=1", "--name=l", "--disable_lat=1"], None),
    ("unified_rw_reporting=mixed",
     ["--ioengine=null", "--name=u", "--rw=randrw", "--size=2m", "--unified_rw_reporting=mixed"], None),
    ("unified_rw_reporting=both, group_reporting",
     ["--ioengine=null", "--name=u", "--rw=randrw", "--size=2m", "--unified_rw_reporting=both", "--numjobs=2",
      "--group_reporting"], None),
    ("job file without [global]; percentiles of every latency",
     [], "[j]\nioengine=null\nsize=2m\nrw=read\nbs=64k\nlat_percentiles=1\nslat_percentiles=1\n"),
]

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg)


def run(cmd, cwd):
    p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def both(fiokit, args, jobfile, fmt):
    """stdout of fio and fiokit for one case and one --output-format."""
    out = []
    for tool in (["fio"], [fiokit, "run", "--eta=never"]):
        d = tempfile.mkdtemp(prefix="fiokit-out-")
        try:
            files = []
            if jobfile is not None:
                with open(os.path.join(d, "j.fio"), "w") as f:
                    f.write(jobfile)
                files = ["j.fio"]
            rc, so, se = run(tool + ["--output-format=" + fmt] + args + files, d)
            if rc != 0:
                fail(f"{tool[0]} {fmt} exited {rc}: {se.strip()}")
            out.append(so)
        finally:
            shutil.rmtree(d, ignore_errors=True)
    return out


def key_diff(a, b, path):
    """Differences between the key sets of fio's (a) and fiokit's (b) JSON."""
    if isinstance(a, dict) and isinstance(b, dict):
        if path.endswith("/bins"):
            return []
        ka, kb = set(a), set(b)
        if path == "":
            kb.discard("fiokit")
        out = [f"{path}/{k}: fio only" for k in sorted(ka - kb)]
        out += [f"{path}/{k}: fiokit only" for k in sorted(kb - ka)]
        for k in sorted(ka & kb):
            out += key_diff(a[k], b[k], f"{path}/{k}")
        return out
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{path}: {len(a)} entries in fio's, {len(b)} in fiokit's"]
        out = []
        for i, (x, y) in enumerate(zip(a, b)):
            out += key_diff(x, y, f"{path}[{i}]")
        return out
    if isinstance(a, (dict, list)) != isinstance(b, (dict, list)):
        return [f"{path}: {type(a).__name__} in fio's, {type(b).__name__} in fiokit's"]
    return []


def check_json(name, fio_text, ours_text, fmt):
    try:
        fio_doc = json.loads(fio_text[fio_text.index("{"):])
    except ValueError as e:
        fail(f"{name} {fmt}: fio's JSON unreadable: {e}")
        return
    try:
        ours = json.loads(ours_text)
    except ValueError as e:
        fail(f"{name} {fmt}: fiokit's JSON invalid: {e}")
        return
    for d in key_diff(fio_doc, ours, ""):
        fail(f"{name} {fmt}: {d}")
    if fio_doc.get("global options") != ours.get("global options"):
        fail(f"{name} {fmt}: global options {fio_doc.get('global options')} != {ours.get('global options')}")
    for jf, jo in zip(fio_doc.get("jobs", []), ours.get("jobs", [])):
        if jf.get("job options") != jo.get("job options"):
            fail(f"{name} {fmt}: job options {jf.get('job options')} != {jo.get('job options')}")
    if not re.fullmatch(r"fiokit-\d+\.\d+\.\d+\S*", ours.get("fio version", "")):
        fail(f"{name} {fmt}: fio version is {ours.get('fio version')!r}, not fiokit-VERSION")


def start_block(text):
    """The lines before the report: headers, version, Starting, Laying out."""
    lines = text.splitlines()
    return lines[: lines.index("")] if "" in lines else []


def label(line):
    """A line's kind: its text up to ':', '=' or '(', digits and spaces out."""
    m = re.match(r"\s*([^:=(]*)", line)
    return re.sub(r"[\d.\[\] ]", "", m.group(1)) if m else ""


def check_normal(name, fio_text, ours_text):
    a, b = start_block(fio_text), start_block(ours_text)
    if len(a) != len(b) or not a:
        fail(f"{name} normal: lines before the run differ:\n  fio:    {a}\n  fiokit: {b}")
    else:
        for x, y in zip(a, b):
            if x == "fio-3.33":
                if not re.fullmatch(r"fiokit-\d+\.\d+\.\d+\S*", y):
                    fail(f"{name} normal: version line {y!r}")
            elif x != y:
                fail(f"{name} normal: {y!r} where fio prints {x!r}")
    # Everything after the start block: each kind of line fio prints, fiokit prints.
    rest_a = fio_text.splitlines()[len(a):]
    rest_b = ours_text.splitlines()[len(b):]
    skip = ("Jobs:",)  # progress lines (fio prints them to stdout; fiokit to stderr)
    kinds_b = {label(l) for l in rest_b}
    for l in rest_a:
        if l.startswith(skip):
            continue
        if label(l) not in kinds_b:
            fail(f"{name} normal: fiokit prints no line like fio's {l!r}")
    if rest_a[:1] != rest_b[:1]:
        fail(f"{name} normal: the report starts with {rest_b[:1]} in fiokit's, {rest_a[:1]} in fio's")


def check_terse(name, fio_text, ours_text):
    fa = [l.split(";") for l in fio_text.splitlines() if l.startswith("3;")]
    fb = [l.split(";") for l in ours_text.splitlines() if l.startswith("3;")]
    if [len(x) for x in fa] != [len(x) for x in fb]:
        fail(f"{name} terse: field counts {[len(x) for x in fa]} (fio) != {[len(x) for x in fb]} (fiokit)")


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    if not shutil.which("fio"):
        print("SKIP: fio is not installed; nothing to compare with")
        return 77
    fiokit = os.path.abspath(sys.argv[1])
    for name, args, jobfile in CASES:
        for fmt in ("json", "json+"):
            a, b = both(fiokit, args, jobfile, fmt)
            check_json(name, a, b, fmt)
        a, b = both(fiokit, args, jobfile, "normal")
        check_normal(name, a, b)
        a, b = both(fiokit, args, jobfile, "terse")
        check_terse(name, a, b)
    if failures:
        print(f"{len(failures)} differences from fio 3.33")
        return 1
    print("fiokit's output has fio 3.33's shape for", len(CASES), "jobs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
