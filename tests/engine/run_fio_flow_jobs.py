#!/usr/bin/env python3
"""fio 3.33's own flow job files (examples/flow.fio, t/jobs/t0011, t0012,
t0014) run under fiokit, shrunk: each is copied to a temporary directory on
the build's disk with its sizes, runtimes and target file made small and
local, run with `fiokit run --output-format=json`, and must exit 0 with the
ratio of I/O counts its header comment promises (within a band: the ratio
is exact while every job runs; the jobs' unheld last few ms are noise). fio's
files are read from its source package (never copied into the repository);
exit 77 with the reason when it is not there.

usage: run_fio_flow_jobs.py FIOKIT WORKDIR [FIO_SRC]
"""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fio-suite'))
import fio_jobs  # noqa: E402  (the shared main: source, temp dir, runs, exit code)


def shrink(text, target):
    # Only a file with a real target needs a small size (the null engine's
    # 100g costs nothing, and t0012 is sized, not time_based).
    if '/tmp/testfile' in text:
        text = re.sub(r'^size=100g$', 'size=16m', text, flags=re.M)
    text = re.sub(r'^runtime=\d+$', 'runtime=1', text, flags=re.M)
    text = re.sub(r'^filename=/tmp/testfile$', 'filename=' + target, text, flags=re.M)
    return text


def ios(doc, name):
    for j in doc['jobs']:
        if j['jobname'] == name:
            return j['read']['total_ios'] + j['write']['total_ios']
    raise KeyError(name)


# file -> [(job a, job b, expected a/b, tolerance)], from each file's header.
CHECKS = {
    'examples/flow.fio': [('job1', 'job2', 8.0, 2.0)],
    't/jobs/t0011-5d2788d5.fio': [('flow2', 'flow1', 8.0, 1.5)],
    't/jobs/t0012.fio': [('flow2', 'flow1', 5.0, 1.0), ('flow3', 'flow1', 10.0, 2.0)],
    't/jobs/t0014.fio': [('flow2', 'flow1', 2.0, 0.4)],
}


def run_one(ctx, rel, checks):
    """Runs one shrunk file in a directory of its own; returns the ratio misses
    (a failed run raises fio_jobs.RunFailed: never retried)."""
    missed = []
    d = ctx.fresh_dir()
    doc = ctx.run(os.path.basename(rel), shrink(ctx.read(rel), os.path.join(d, 'testfile')), cwd=d)
    for a, b, want, tol in checks:
        na, nb = ios(doc, a), ios(doc, b)
        got = na / nb if nb else float('inf')
        verdict = 'ok' if abs(got - want) <= tol else 'FAILED'
        print('%-28s %s/%s = %d/%d = %.2f (want %.1f +- %.1f) %s' % (rel, a, b, na, nb, got, want, tol, verdict))
        if verdict != 'ok':
            missed.append('%s: %s/%s = %.2f, want %.1f +- %.1f' % (rel, a, b, got, want, tol))
    return missed


def check(ctx):
    for rel, checks in CHECKS.items():
        # A ratio outside its band is run once more, as tests/fidelity does:
        # the unheld last ms of each job grow on a loaded machine. A failed
        # run (exit code) is never retried.
        for attempt in (1, 2):
            try:
                missed = run_one(ctx, rel, checks)
            except fio_jobs.RunFailed as e:
                ctx.failures.append(str(e))  # and on with the next file
                break
            if not missed:
                break
            if attempt == 1:
                print('%s: outside the band on the first try; running it again' % rel)
            else:
                ctx.failures.extend(missed)


if __name__ == '__main__':
    sys.exit(fio_jobs.main(check, 'examples/flow.fio', __doc__, workdir=True))
