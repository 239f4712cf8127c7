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
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

SKIP = 77
REL = 't/jobs/t0009-f8b0bd10.fio'


def shrink(text, ncpu):
    cpus = '0-%d' % (min(ncpu, 4) - 1) if ncpu > 1 else '0'
    text = re.sub(r'^runtime=1m$', 'runtime=1', text, flags=re.M)
    text = re.sub(r'^size=20g$', 'size=64m', text, flags=re.M)
    text = re.sub(r'^(cpus_allowed|verify_async_cpus)=0-3$', r'\1=' + cpus, text, flags=re.M)
    return text


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    fiokit, work = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    src = sys.argv[3] if len(sys.argv) > 3 else None
    if not src:
        found = sorted(glob.glob('/var/tmp/fiokit-fio-src/fio-3.*/' + REL))
        src = found[-1][:-len(REL)] if found else None
    if not src or not os.path.exists(os.path.join(src, REL)):
        print('skipped: fio 3.33 source package not found (apt-get source fio into /var/tmp/fiokit-fio-src)')
        return SKIP
    os.makedirs(work, exist_ok=True)
    d = tempfile.mkdtemp(dir=work)
    try:
        with open(os.path.join(src, REL)) as f:
            text = shrink(f.read(), os.cpu_count() or 1)
        for want in ('verify_async=6', 'verify_backlog=1m', 'runtime=1\n'):
            if want not in text:
                print('FAILED: %s no longer has %r: update this test' % (REL, want.strip()))
                return 1
        name = os.path.basename(REL)
        with open(os.path.join(d, name), 'w') as f:
            f.write(text)
        p = subprocess.run([fiokit, 'run', '--output-format=json', name], cwd=d,
                           capture_output=True, text=True, timeout=120)
        if p.returncode != 0:
            print('FAILED: %s: exit %d: %s' % (REL, p.returncode, p.stderr.strip()[-400:]))
            return 1
        doc = json.loads(p.stdout)
        bad = []
        for j in doc['jobs']:
            r, w = j['read']['total_ios'], j['write']['total_ios']
            print('%s: %s error=%d writes=%d verify reads=%d' % (REL, j['jobname'], j['error'], w, r))
            if j['error'] or w == 0 or r == 0 or r > w:
                bad.append(j['jobname'])
        if bad:
            print('FAILED: jobs %s: want no error and 0 < verify reads <= writes' % ', '.join(bad))
            return 1
        return 0
    finally:
        shutil.rmtree(d, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
