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
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fio-suite'))
import fio_jobs  # noqa: E402  (the shared main: source, temp dir, runs, exit code)


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


def prios(block):
    return [('%d/%d' % (p['prioclass'], p['prio']), p['clat_ns']['N']) for p in block.get('prios', [])]


def check(ctx):
    r = ctx.run('cmdprio-percentage.fio', shrink(ctx.read('examples/cmdprio-percentage.fio')), args=['--allow-clobber'])
    rd = r['jobs'][0]['read']
    got = prios(rd)
    if [g[0] for g in got] != ['3/0', '1/0'] or sum(g[1] for g in got) != rd['total_ios']:
        ctx.failures.append(f"cmdprio-percentage: prios {got}, total {rd['total_ios']}; want 3/0 and 1/0 adding up")
    elif not 10 <= 100.0 * got[1][1] / rd['total_ios'] <= 30:  # 20% of 256 reads of 128k: sd 2.5 points
        ctx.failures.append(f'cmdprio-percentage: {got[1][1]} of {rd["total_ios"]} reads at 1/0, want ~20%')

    r = ctx.run('cmdprio-bssplit.fio', shrink(ctx.read('examples/cmdprio-bssplit.fio')), args=['--allow-clobber'])
    want = {'cmdprio': ['0/0', '1/0'], 'cmdprio-adv': ['0/0', '1/1', '3/2'], 'cmdprio-adv-def': ['2/7', '1/1', '3/2']}
    for job in r['jobs']:
        name = job['jobname']
        rd = job['read']
        got = prios(rd)
        names = [g[0] for g in got]
        # A class may be missing when a short run drew none of it; never a foreign one.
        if not names or any(n not in want.get(name, []) for n in names):
            ctx.failures.append(f'cmdprio-bssplit {name}: read prios {got}, want among {want.get(name)}')
        elif sum(g[1] for g in got) != rd['total_ios']:
            ctx.failures.append(f'cmdprio-bssplit {name}: prios add up to {sum(g[1] for g in got)}, total {rd["total_ios"]}')
        if 'prios' in job['write']:
            ctx.failures.append(f'cmdprio-bssplit {name}: writes have prios, but 1024k/0 picks none')


if __name__ == '__main__':
    sys.exit(fio_jobs.main(check, 'examples/cmdprio-bssplit.fio', __doc__,
                           ok='cmdprio-percentage.fio, cmdprio-bssplit.fio'))
