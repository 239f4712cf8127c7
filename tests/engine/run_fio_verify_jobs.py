#!/usr/bin/env python3
"""fio 3.33's t/jobs/t0009-f8b0bd10.fio, which parses since verify_async and
verify_async_cpus are implemented (issue 15, part "verify"), run under fiokit
shrunk: copied to a temporary directory with runtime=1, size=64m and its CPU
lists cut to the CPUs this machine has (fio 3.33 itself refuses a list naming
absent CPUs), run with `fiokit run --output-format=json`. It must exit 0 with
no error: two null-engine jobs that write with verify_backlog and check the
reads on verify_async threads (fio fakes the null engine's verify, and so
does fiokit), with verify reads counted. fio's file is read from its source
package (never copied into the repository); exit 77 with the reason when it
is not there.

usage: run_fio_verify_jobs.py FIOKIT WORKDIR [FIO_SRC]
"""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fio-suite'))
import fio_jobs  # noqa: E402  (the shared main: source, temp dir, runs, exit code)

REL = 't/jobs/t0009-f8b0bd10.fio'


def shrink(text, ncpu):
    cpus = '0-%d' % (min(ncpu, 4) - 1) if ncpu > 1 else '0'
    text = re.sub(r'^runtime=1m$', 'runtime=1', text, flags=re.M)
    text = re.sub(r'^size=20g$', 'size=64m', text, flags=re.M)
    text = re.sub(r'^(cpus_allowed|verify_async_cpus)=0-3$', r'\1=' + cpus, text, flags=re.M)
    return text


def check(ctx):
    text = shrink(ctx.read(REL), os.cpu_count() or 1)
    for want in ('verify_async=6', 'verify_backlog=1m', 'runtime=1\n'):
        if want not in text:
            ctx.failures.append('%s no longer has %r: update this test' % (REL, want.strip()))
            return
    doc = ctx.run(os.path.basename(REL), text)
    bad = []
    for j in doc['jobs']:
        r, w = j['read']['total_ios'], j['write']['total_ios']
        print('%s: %s error=%d writes=%d verify reads=%d' % (REL, j['jobname'], j['error'], w, r))
        if j['error'] or w == 0 or r == 0 or r > w:
            bad.append(j['jobname'])
    if bad:
        ctx.failures.append('jobs %s: want no error and 0 < verify reads <= writes' % ', '.join(bad))


if __name__ == '__main__':
    sys.exit(fio_jobs.main(check, REL, __doc__, workdir=True))
