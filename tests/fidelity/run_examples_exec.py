#!/usr/bin/env python3
"""fio 3.33's examples/exec.fio, run by fiokit (issue 15, part exec).

The file is copied from fio's source package (never committed here) into a
temporary directory and shrunk: every runtime= becomes 1 s, numjobs=12 becomes
2, and /usr/sbin/turbostat (absent here) becomes a stand-in script in the
directory that records its argv and ends on SIGTERM. The test then checks what
the file is for: each monitoring job's program got turbostat's arguments
split as fio splits them, with its output in JOBNAME.stdout; the sleep job ran
/bin/sleep with %r expanded (no output files: std_redirect=0); the CPU burners
ran beside the monitors; the stonewalls ran the three groups one after the
other. Exit 77 with the reason when fio's source package is not unpacked.

usage: run_examples_exec.py FIOKIT [FIO_SRC_DIR]
"""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fio-suite'))
import fio_jobs  # noqa: E402  (the shared main: source, temp dir, runs, exit code)

STAND_IN = """#!/bin/sh
echo "argv: $*"
trap 'echo stopped; exit 0' TERM
while true; do sleep 0.02; done
"""


def shrink(text):
    out = []
    for line in text.splitlines():
        key = line.split('=', 1)[0].strip()
        if key == 'runtime':
            line = 'runtime=1'
        elif key == 'numjobs':
            line = 'numjobs=2'
        elif key == 'program' and 'turbostat' in line:
            line = 'program=./turbostat'
        out.append(line)
    return '\n'.join(out) + '\n'


def check(ctx):
    original = ctx.read('examples/exec.fio')
    args = re.search(r'^arguments=(-c package.*)$', original, re.M).group(1)
    tmp = ctx.tmp
    prog = os.path.join(tmp, 'turbostat')
    with open(prog, 'w') as f:
        f.write(STAND_IN)
    os.chmod(prog, 0o755)
    doc = ctx.run('exec.fio', shrink(original))
    jobs = {}
    for j in doc['jobs']:
        jobs.setdefault(j['jobname'], []).append(j)

    def check(what, ok):
        if not ok:
            ctx.failures.append('exec.fio: ' + what)

    check('the 5 jobs of exec.fio (the burners twice each)',
          sorted((n, len(v)) for n, v in jobs.items()) ==
          [('cpuload_noop', 2), ('cpuload_qsort', 2), ('monitoring_noop', 1), ('monitoring_qsort', 1), ('sleep', 1)])
    check('every job ended without an error', all(j['error'] == 0 for v in jobs.values() for j in v))
    for mon in ('monitoring_noop', 'monitoring_qsort'):
        with open(os.path.join(tmp, mon + '.stdout')) as f:
            out = f.read()
        check('%s: the program got turbostat\'s arguments, split on spaces' % mon,
              out.splitlines()[0] == 'argv: ' + ' '.join(args.split()))
        check('%s: SIGTERM at the end of its 1 s runtime (its output ends %r)' % (mon, out.splitlines()[-1:]),
              out.splitlines()[-1] == 'stopped')
        ios = jobs[mon][0]['read']['total_ios']
        check('%s: an I/O every ~100 ms (7-12 for 1 s, fio: 11 on idle cores), got %d' % (mon, ios), 7 <= ios <= 12)
        check('%s: moves no bytes' % mon, jobs[mon][0]['read']['io_bytes'] == 0)
    check('sleep: std_redirect=0 writes no output files',
          not os.path.exists(os.path.join(tmp, 'sleep.stdout')) and not os.path.exists(os.path.join(tmp, 'sleep.stderr')))
    check('sleep: /bin/sleep %r ran for the runtime (7-12 I/Os)', 7 <= jobs['sleep'][0]['read']['total_ios'] <= 12)
    check('sleep: "Running /bin/sleep 1" (%r is the runtime in seconds)', 'sleep : Running /bin/sleep 1' in ctx.stderr)
    for burner in ('cpuload_noop', 'cpuload_qsort'):
        check('%s: burned CPU beside its monitor' % burner, all(j['read']['total_ios'] >= 1 for j in jobs[burner]))
    # The stonewalls make three groups that run one after the other.
    check('three groups (stonewall)', sorted({j['groupid'] for v in jobs.values() for j in v}) == [0, 1, 2])
    check('the run lasted the three groups (elapsed >= 3 s)', doc['jobs'][0]['elapsed'] >= 3)


if __name__ == '__main__':
    sys.exit(fio_jobs.main(check, 'examples/exec.fio', __doc__, ok='exec.fio'))
