#!/usr/bin/env python3
"""fio 3.33's example job files of issue 15's "prio" part, run by fiokit.

examples/cmdprio-percentage.fio and examples/cmdprio-bssplit.fio are copied
from fio's source package (never committed here) into a temporary directory,
shrunk (a local 32 MiB file instead of /dev/sda, buffered, no latency log) and
run; the test then checks what each file is for: cmdprio-percentage sends
~20% of its reads as class 1 and the rest at the job's prioclass=3 (idle),
so its read block lists prios 3/0 and 1/0 with counts adding up to the
total; cmdprio-bssplit's three jobs send none, 25%/75% or all of their 64k
reads with a priority, as listed per job. Exit 77 with the reason when
fio's source package is not unpacked.

usage: run_examples_prio.py FIOKIT [FIO_SRC_DIR]
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

FIOKIT = os.path.abspath(sys.argv[1])
SRC = sys.argv[2] if len(sys.argv) > 2 else os.environ.get('FIO_SRC', '/var/tmp/fiokit-fio-src/fio-3.33')
EXAMPLES = os.path.join(SRC, 'examples')


def shrink(text):
    """filename -> a local 4 MiB file, buffered, no log files."""
    out = []
    for line in text.splitlines():
        key = line.split('=', 1)[0].strip()
        if key in ('write_lat_log', 'log_prio'):
            continue
        if key == 'filename':
            line = 'filename=data.bin\nsize=32m'
        elif key == 'direct':
            line = 'direct=0'  # the temp dir's file system need not have O_DIRECT
        out.append(line)
    return '\n'.join(out) + '\n'


def run(tmp, name, text):
    with open(os.path.join(tmp, name), 'w') as f:
        f.write(text)
    p = subprocess.run([FIOKIT, 'run', '--allow-clobber', '--output-format=json', name], cwd=tmp,
                       capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        raise SystemExit(f'FAIL: {name}: exit {p.returncode}\n{p.stderr}')
    return json.loads(p.stdout)


def prios(block):
    return [('%d/%d' % (p['prioclass'], p['prio']), p['clat_ns']['N']) for p in block.get('prios', [])]


def main():
    if not os.path.isdir(EXAMPLES):
        print(f'SKIP: fio 3.33 source examples not found at {EXAMPLES} (apt-get source fio)')
        return 77
    failures = []
    tmp = tempfile.mkdtemp(prefix='fiokit-examples-prio-')
    try:
        r = run(tmp, 'cmdprio-percentage.fio', shrink(open(os.path.join(EXAMPLES, 'cmdprio-percentage.fio')).read()))
        rd = r['jobs'][0]['read']
        got = prios(rd)
        if [g[0] for g in got] != ['3/0', '1/0'] or sum(g[1] for g in got) != rd['total_ios']:
            failures.append(f"cmdprio-percentage: prios {got}, total {rd['total_ios']}; want 3/0 and 1/0 adding up")
        elif not 10 <= 100.0 * got[1][1] / rd['total_ios'] <= 30:  # 20% of 256 reads of 128k: sd 2.5 points
            failures.append(f'cmdprio-percentage: {got[1][1]} of {rd["total_ios"]} reads at 1/0, want ~20%')

        r = run(tmp, 'cmdprio-bssplit.fio', shrink(open(os.path.join(EXAMPLES, 'cmdprio-bssplit.fio')).read()))
        want = {'cmdprio': ['0/0', '1/0'], 'cmdprio-adv': ['0/0', '1/1', '3/2'], 'cmdprio-adv-def': ['2/7', '1/1', '3/2']}
        for job in r['jobs']:
            name = job['jobname']
            rd = job['read']
            got = prios(rd)
            names = [g[0] for g in got]
            # A class may be missing when a short run drew none of it; never a foreign one.
            if not names or any(n not in want.get(name, []) for n in names):
                failures.append(f'cmdprio-bssplit {name}: read prios {got}, want among {want.get(name)}')
            elif sum(g[1] for g in got) != rd['total_ios']:
                failures.append(f'cmdprio-bssplit {name}: prios add up to {sum(g[1] for g in got)}, total {rd["total_ios"]}')
            if 'prios' in job['write']:
                failures.append(f'cmdprio-bssplit {name}: writes have prios, but 1024k/0 picks none')
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for f in failures:
        print('FAIL:', f)
    if not failures:
        print('ok: cmdprio-percentage.fio, cmdprio-bssplit.fio')
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
