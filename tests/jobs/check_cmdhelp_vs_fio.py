#!/usr/bin/env python3
"""Compares fiokit's option table with what fio 3.33 itself says (--cmdhelp).

  check_cmdhelp_vs_fio.py FIOKIT OPTION_LIST     (CTest: cmdhelp_vs_fio, LABELS fio)

For every name in OPTION_LIST (tests/jobs/howto_options.txt) that `fio
--cmdhelp=NAME` describes, fiokit's `run --cmdhelp=NAME` must show fio's
aliases, fio's default and every value fio allows (fiokit may allow more, and
lists only the engines it runs for ioengine). Every engine name fio lists must
be refused by fiokit as "unsupported by fiokit: ioengine=NAME" unless fiokit
runs it. Skips with a reason when fio is not installed.
"""
import re
import shutil
import subprocess
import sys

# Where fiokit's default differs from fio's on purpose.
KNOWN_DEFAULTS = {}


def describe(cmd):
    out = subprocess.run(cmd, capture_output=True, text=True).stdout
    d = {"name": None, "alias": [], "default": None, "values": []}
    in_values = False
    for line in out.splitlines():
        m = re.match(r"\s*([^:]*?)\s*:\s*(.*)$", line)
        if not m:
            continue
        key, val = m.group(1), m.group(2).strip()
        if d["name"] is None:
            d["name"] = key
            continue
        if key == "valid values":
            in_values = True
            if val:
                d["values"].append(val.split()[0])
            continue
        if in_values and (key == "" or line.startswith("    ")):
            # fio: "        : name  help"; fiokit: "    name   : help"
            name = val.split()[0] if key == "" and val else key
            if name:
                d["values"].append(name)
            continue
        in_values = False
        if key == "alias":
            d["alias"] = [a.strip() for a in val.split(",")]
        elif key == "default":
            d["default"] = val
    return d


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    fiokit, listing = sys.argv[1], sys.argv[2]
    if not shutil.which("fio"):
        print("SKIP: fio is not installed")
        return 77
    failures = []
    checked = 0
    for name in open(listing).read().split():
        f = describe(["fio", "--cmdhelp=" + name])
        # fio matches prefixes ("uri" finds rw); only compare exact hits.
        if f["name"] is None or (name != f["name"] and name not in f["alias"]):
            continue
        k = describe([fiokit, "run", "--cmdhelp=" + name])
        checked += 1
        knames = {k["name"], *k["alias"]}
        for a in [f["name"], *f["alias"]]:
            if a not in knames:
                failures.append(f"{name}: fio name/alias '{a}' not known as the same option by fiokit ({sorted(knames)})")
        fdef = f["default"]
        if fdef and fdef != "no default" and fdef != k["default"] and f["name"] not in KNOWN_DEFAULTS:
            failures.append(f"{name}: default fio={fdef!r} fiokit={k['default']!r}")
        if f["name"] == "ioengine":
            for engine in f["values"]:
                # --runtime=1: cpuio moves no bytes, so fiokit asks for a runtime to end it.
                p = subprocess.run([fiokit, "run", "--parse-only", "--name=e", "--runtime=1", "--ioengine=" + engine],
                                   capture_output=True, text=True)
                if p.returncode != 0 and "unsupported by fiokit: ioengine=" + engine not in p.stderr:
                    failures.append(f"ioengine={engine}: neither accepted nor refused as unsupported: {p.stderr.strip()}")
            continue
        missing = [v for v in f["values"] if v not in k["values"]]
        if missing:
            failures.append(f"{name}: values fio allows but fiokit does not list: {missing}")
    print(f"compared {checked} options with fio --cmdhelp")
    if checked < 150:
        failures.append(f"only {checked} options compared; is fio 3.33 installed?")
    for fl in failures:
        print("FAIL", fl)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
