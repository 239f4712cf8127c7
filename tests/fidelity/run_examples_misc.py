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
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

FIOKIT = os.path.abspath(sys.argv[1])
SRC = sys.argv[2] if len(sys.argv) > 2 else os.environ.get('FIO_SRC', '/var/tmp/fiokit-fio-src/fio-3.33')
EXAMPLES = os.path.join(SRC, 'examples')
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


def run(tmp, name, text):
    path = os.path.join(tmp, name)
    with open(path, 'w') as f:
        f.write(text)
    p = subprocess.run([FIOKIT, 'run', '--output-format=json', name], cwd=tmp,
                       capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        raise SystemExit(f'FAIL: {name}: exit {p.returncode}\n{p.stderr}')
    return json.loads(p.stdout)


def offsets(tmp, log):
    with open(os.path.join(tmp, log)) as f:
        return [int(row.split(',')[4]) for row in f if row.strip()]


def main():
    if not os.path.isdir(EXAMPLES):
        print(f'SKIP: fio 3.33 source examples not found at {EXAMPLES} (apt-get source fio)')
        return 77
    failures = []
    tmp = tempfile.mkdtemp(prefix='fiokit-examples-misc-')
    try:
        # backwards-read.fio: 4k reads, 8k back after each: every block once,
        # the first at offset 0 and then from the end down (fio 3.33 measured).
        text = shrink(open(os.path.join(EXAMPLES, 'backwards-read.fio')).read())
        text += 'write_lat_log=b\nlog_offset=1\n'
        r = run(tmp, 'backwards-read.fio', text)
        job = r['jobs'][0]
        if job['read']['io_bytes'] != SIZE:
            failures.append(f"backwards-read: read {job['read']['io_bytes']} bytes, want {SIZE}")
        blocks = [o // BS for o in offsets(tmp, 'b_lat.1.log')]
        n = SIZE // BS
        want = [0] + list(range(n - 2, 0, -1)) + [0]
        if blocks != want:
            failures.append(f'backwards-read: blocks {blocks[:8]}..., want {want[:8]}...')
        # butterfly.fio without its flow= lines: both readers read 1m, the
        # forward one upwards from 0, the backward one downwards.
        text = shrink(open(os.path.join(EXAMPLES, 'butterfly.fio')).read(), drop=('flow',))
        text = re.sub(r'(\[(forward|backward)\])', r'\1\nwrite_lat_log=\2\nlog_offset=1', text)
        r = run(tmp, 'butterfly.fio', text)
        for job in r['jobs']:
            if job['read']['io_bytes'] != SIZE:
                failures.append(f"butterfly {job['jobname']}: read {job['read']['io_bytes']} bytes, want {SIZE}")
        fwd = offsets(tmp, 'forward_lat.1.log')
        back = offsets(tmp, 'backward_lat.2.log')
        if fwd != sorted(fwd):
            failures.append('butterfly forward: offsets not ascending')
        if back[1:-1] != sorted(back[1:-1], reverse=True):
            failures.append('butterfly backward: offsets not descending')
        # exitwhat.fio: the fast jobs are limited to 300 bytes/s on a 1m file,
        # so they end only when slow1 (exit_what=stonewall) and slow2
        # (exit_what=all) stop them; fio 3.33 takes ~5 s for the whole file.
        text = open(os.path.join(EXAMPLES, 'exitwhat.fio')).read()
        text = re.sub(r'filename=/tmp/test', 'filename=data.bin', text)
        text = text.replace('filesize=1G', 'filesize=1m').replace('number_ios=1000', 'number_ios=50')
        t0 = time.monotonic()
        r = run(tmp, 'exitwhat.fio', text)
        took = time.monotonic() - t0
        names = [j['jobname'] for j in r['jobs']]
        if took > 30:
            failures.append(f'exitwhat: took {took:.0f} s; exit_what did not stop the rate-limited jobs')
        if names[:3] != ['slow1', 'fast1', 'slow2']:
            failures.append(f'exitwhat: groups {names}, want slow1, fast1, slow2 (group_reporting)')
        elif r['jobs'][0]['read']['total_ios'] != 50:
            failures.append(f"exitwhat: slow1 did {r['jobs'][0]['read']['total_ios']} reads, want 50")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for f in failures:
        print('FAIL:', f)
    if not failures:
        print('ok: backwards-read.fio, butterfly.fio (without flow), exitwhat.fio')
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
