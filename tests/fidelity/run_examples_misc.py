#!/usr/bin/env python3
"""fio 3.33's example job files of issue 15's "misc" part, run by fiokit.

Each file is copied from fio's source package (never committed here) into a
temporary directory, shrunk (size=1m, a local filename) and run; the test then
checks what the file is for: backwards-read.fio reads every block of the file
walking backwards, butterfly.fio (its flow= lines removed until flow is
implemented) runs one forward and one backward reader over the same file,
exitwhat.fio's exitall/exit_what stop its rate-limited jobs.
Exit 77 with the reason when fio's source package is not unpacked.

usage: run_examples_misc.py FIOKIT [FIO_SRC_DIR]
"""
import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fio-suite'))
import fio_jobs  # noqa: E402  (the shared main: source, temp dir, runs, exit code)

BS = 4096
SIZE = 1 << 20


def shrink(text, drop=()):
    """size=... -> 1m, filename=... -> a local file, and the lines named in drop removed."""
    out = []
    for line in text.splitlines():
        key = line.split('=', 1)[0].strip()
        if key in drop:
            continue
        if key == 'size':
            line = 'size=1m'
        elif key == 'filename':
            line = 'filename=data.bin'
        elif key == 'direct':
            line = 'direct=0'  # the temp dir's file system need not have O_DIRECT
        out.append(line)
    return '\n'.join(out) + '\n'


def offsets(tmp, log):
    with open(os.path.join(tmp, log)) as f:
        return [int(row.split(',')[4]) for row in f if row.strip()]


def check(ctx):
    # backwards-read.fio: 4k reads, 8k back after each: every block once,
    # the first at offset 0 and then from the end down (fio 3.33 measured).
    text = shrink(ctx.read('examples/backwards-read.fio'))
    text += 'write_lat_log=b\nlog_offset=1\n'
    r = ctx.run('backwards-read.fio', text)
    job = r['jobs'][0]
    if job['read']['io_bytes'] != SIZE:
        ctx.failures.append(f"backwards-read: read {job['read']['io_bytes']} bytes, want {SIZE}")
    blocks = [o // BS for o in offsets(ctx.tmp, 'b_lat.1.log')]
    n = SIZE // BS
    want = [0] + list(range(n - 2, 0, -1)) + [0]
    if blocks != want:
        ctx.failures.append(f'backwards-read: blocks {blocks[:8]}..., want {want[:8]}...')
    # butterfly.fio without its flow= lines: both readers read 1m, the
    # forward one upwards from 0, the backward one downwards.
    text = shrink(ctx.read('examples/butterfly.fio'), drop=('flow',))
    text = re.sub(r'(\[(forward|backward)\])', r'\1\nwrite_lat_log=\2\nlog_offset=1', text)
    r = ctx.run('butterfly.fio', text)
    for job in r['jobs']:
        if job['read']['io_bytes'] != SIZE:
            ctx.failures.append(f"butterfly {job['jobname']}: read {job['read']['io_bytes']} bytes, want {SIZE}")
    fwd = offsets(ctx.tmp, 'forward_lat.1.log')
    back = offsets(ctx.tmp, 'backward_lat.2.log')
    if fwd != sorted(fwd):
        ctx.failures.append('butterfly forward: offsets not ascending')
    if back[1:-1] != sorted(back[1:-1], reverse=True):
        ctx.failures.append('butterfly backward: offsets not descending')
    # exitwhat.fio: the fast jobs are limited to 300 bytes/s on a 1m file,
    # so they end only when slow1 (exit_what=stonewall) and slow2
    # (exit_what=all) stop them; fio 3.33 takes ~5 s for the whole file.
    text = ctx.read('examples/exitwhat.fio')
    text = re.sub(r'filename=/tmp/test', 'filename=data.bin', text)
    text = text.replace('filesize=1G', 'filesize=1m').replace('number_ios=1000', 'number_ios=50')
    t0 = time.monotonic()
    r = ctx.run('exitwhat.fio', text)
    took = time.monotonic() - t0
    names = [j['jobname'] for j in r['jobs']]
    if took > 30:
        ctx.failures.append(f'exitwhat: took {took:.0f} s; exit_what did not stop the rate-limited jobs')
    if names[:3] != ['slow1', 'fast1', 'slow2']:
        ctx.failures.append(f'exitwhat: groups {names}, want slow1, fast1, slow2 (group_reporting)')
    elif r['jobs'][0]['read']['total_ios'] != 50:
        ctx.failures.append(f"exitwhat: slow1 did {r['jobs'][0]['read']['total_ios']} reads, want 50")


if __name__ == '__main__':
    sys.exit(fio_jobs.main(check, 'examples/backwards-read.fio', __doc__,
                           ok='backwards-read.fio, butterfly.fio (without flow), exitwhat.fio'))
