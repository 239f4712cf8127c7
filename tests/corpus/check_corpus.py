#!/usr/bin/env python3
"""Checks fiokit's and fio's --parse-only verdicts on the job-file corpus.

  check_corpus.py FIOKIT CORPUS_DIR            (CTest: corpus_vs_fio)
  check_corpus.py --examples FIOKIT EXAMPLES   (CTest: examples_parse)

Corpus mode reads CORPUS_DIR/expected.tsv (file, fiokit verdict, fio verdict,
reason) and, for every *.fio file there, checks:
  - every file is listed, every listed file exists;
  - fiokit's exit code and message class match the fiokit column: ok = 0,
    error = 2 with a message naming the file (no "unsupported by fiokit"),
    unsupported = 2 with "fiokit: unsupported by fiokit: OPTION... (FILE:LINE)";
  - fio 3.33's exit code matches the fio column (skipped, with a reason, when
    fio is not installed);
  - where the two disagree, the row gives a reason (known fio laxness, a fio
    bug, or a feature fiokit does not implement). So where fio is not lax and
    fiokit says ok, fio says ok; and where fio rejects, fiokit rejects.
Examples mode requires every *.fio to parse with fiokit (exit 0).
"""
import os
import re
import shutil
import subprocess
import sys

ENV = dict(os.environ, FIOKIT_CORPUS_BS="8k", FIOKIT_DIR="/tmp")
ENV.pop("FIOKIT_CORPUS_SURELY_UNDEFINED", None)


def run(cmd, cwd):
    try:
        p = subprocess.run(cmd, cwd=cwd, env=ENV, capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        return None, "timed out"
    return p.returncode, p.stdout + p.stderr


def fiokit_class(rc, out, name):
    if rc == 0:
        return "ok", ""
    if rc != 2:
        return "exit %s" % rc, "fiokit must exit 0 or 2, got %s" % rc
    if "unsupported by fiokit:" in out:
        if not re.search(r"^fiokit: unsupported by fiokit: \S+ \(%s:\d+\)" % re.escape(name), out, re.M):
            return "unsupported", "unsupported message not in the form 'unsupported by fiokit: OPTION (FILE:LINE)'"
        return "unsupported", ""
    if not out.startswith("fiokit: "):
        return "error", "error message does not start with 'fiokit: '"
    # Every error names where it is, except a file with no job at all.
    if name not in out and "no jobs defined" not in out:
        return "error", "error message does not name the file"
    return "error", ""


def check_corpus(fiokit, corpus):
    rows = {}
    with open(os.path.join(corpus, "expected.tsv"), encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            parts = line.rstrip("\n").split("\t")
            while len(parts) < 4:
                parts.append("")
            rows[parts[0]] = parts[1:4]
    files = sorted(f for f in os.listdir(corpus) if f.endswith(".fio"))
    failures = []
    for f in files:
        if f not in rows:
            failures.append(f"{f}: not listed in expected.tsv")
    for f in rows:
        if f not in files:
            failures.append(f"{f}: listed in expected.tsv but missing")
    # --cmdhelp through the real binary: type, default, range and values.
    for opt, needles in (("bs", ["type", "default", "4096", "minimum", "alias", "blocksize"]),
                         ("readwrite", ["valid values", "randrw", "default", "read"]),
                         ("thinktime", ["default unit", "us"])):
        rc, out = run([fiokit, "run", "--cmdhelp=" + opt], corpus)
        missing = [n for n in needles if n not in out]
        if rc != 0 or missing:
            failures.append(f"--cmdhelp={opt}: exit {rc}, missing {missing}: {out[:200]}")
    rc, out = run([fiokit, "run", "--cmdhelp=iodpth"], corpus)
    if rc != 2 or "did you mean 'iodepth'" not in out:
        failures.append(f"--cmdhelp=iodpth: exit {rc}: {out[:200]}")
    fio = shutil.which("fio")
    if not fio:
        print("SKIP part: fio is not installed; checking fiokit's verdicts only")
    for f in files:
        if f not in rows:
            continue
        want_fk, want_fio, reason = rows[f]
        rc, out = run([fiokit, "run", "--parse-only", f], corpus)
        got, problem = fiokit_class(rc, out, f)
        if got != want_fk:
            failures.append(f"{f}: fiokit says {got}, expected {want_fk}: {out.strip()[:200]}")
        elif problem:
            failures.append(f"{f}: {problem}: {out.strip()[:200]}")
        if (want_fk == "ok") != (want_fio == "ok") and not reason.strip():
            failures.append(f"{f}: fiokit {want_fk} but fio {want_fio}, and no reason given")
        if fio:
            frc, fout = run([fio, "--parse-only", f], corpus)
            got_fio = "ok" if frc == 0 else "error"
            if got_fio != want_fio:
                failures.append(f"{f}: fio says {got_fio} (exit {frc}), expected {want_fio}: {fout.strip()[:200]}")
        print(f"{f:36} fiokit={got:12} fio={want_fio if fio else '-'}")
    return failures


def check_examples(fiokit, examples):
    failures = []
    files = sorted(f for f in os.listdir(examples) if f.endswith(".fio"))
    if not files:
        failures.append("no examples found")
    for f in files:
        rc, out = run([fiokit, "run", "--parse-only", f], examples)
        print(f"{f:36} exit={rc}")
        if rc != 0:
            failures.append(f"{f}: exit {rc}: {out.strip()[:300]}")
    return failures


def main():
    args = sys.argv[1:]
    if len(args) == 3 and args[0] == "--examples":
        failures = check_examples(os.path.abspath(args[1]), args[2])
    elif len(args) == 2:
        failures = check_corpus(os.path.abspath(args[0]), args[1])
    else:
        sys.exit(__doc__)
    for fl in failures:
        print("FAIL", fl)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
