#!/usr/bin/env python3
"""fill_device on a block device (issue 16, part review), as root on a 16 MiB
loop device over a file in /dev/shm: a device has a known end, so fio 3.33
writes it to the end and no further (bs=64k: 256 writes, 16 MiB, no error,
with or without size=32m; a read job reads the 16 MiB). fiokit must give the
same counts, and when fio is installed each job is also run with fio and the
counts compared. Exits 77 with the reason when it cannot run (not root, no
losetup or no free loop device). Usage: fill_device_loop.py FIOKIT"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

MIB = 1 << 20


def skip(why):
    print('SKIP: ' + why)
    sys.exit(77)


def run(tool, exe, job, workdir):
    path = os.path.join(workdir, 'job.fio')
    with open(path, 'w') as f:
        f.write(job)
    out = os.path.join(workdir, 'out.json')
    cmd = [exe, '--output-format=json', '--output=' + out, path]
    if tool == 'fiokit':
        cmd[1:1] = ['run', '--eta=never']
    p = subprocess.run(cmd, cwd=workdir, capture_output=True, text=True, timeout=120)
    with open(out) as f:
        text = f.read()
    doc = json.loads(text[text.index('{'):])
    j = doc['jobs'][0]
    return {'rc': p.returncode, 'error': j['error'],
            'write': (j['write']['total_ios'], j['write']['io_bytes']),
            'read': (j['read']['total_ios'], j['read']['io_bytes'])}


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    fiokit = os.path.abspath(sys.argv[1])
    if os.geteuid() != 0:
        skip('needs root (losetup)')
    if not shutil.which('losetup'):
        skip('losetup is not installed')
    fio = shutil.which('fio')
    workdir = tempfile.mkdtemp(prefix='fiokit-filldev-', dir='/var/tmp')
    image = tempfile.NamedTemporaryFile(prefix='fiokit-filldev-', suffix='.img', dir='/dev/shm', delete=False).name
    dev = None
    failures = []
    try:
        os.truncate(image, 16 * MIB)
        p = subprocess.run(['losetup', '--find', '--show', image], capture_output=True, text=True)
        if p.returncode != 0 or not p.stdout.strip():
            skip('losetup failed (no free loop device?): ' + p.stderr.strip())
        dev = p.stdout.strip()
        jobs = (
            ('write to the end', 'rw=write\n', 'write'),
            ('write, size beyond the device', 'rw=write\nsize=32m\n', 'write'),
            ('random writes of the device', 'rw=randwrite\nsize=16m\n', 'write'),
            ('read to the end', 'rw=read\n', 'read'),
        )
        for name, extra, d in jobs:
            job = '[fd]\nfilename=%s\nbs=64k\nfill_device=1\n%s' % (dev, extra)
            got = run('fiokit', fiokit, job, workdir)
            want = {'rc': 0, 'error': 0, d: (256, 16 * MIB)}
            for k, v in want.items():
                if got[k] != v:
                    failures.append('%s: fiokit %s = %s, want %s' % (name, k, got[k], v))
            if fio:
                ref = run('fio', fio, job, workdir)
                for k in ('rc', 'error', d):
                    if ref[k] != got[k]:
                        failures.append('%s: fiokit %s = %s, fio %s' % (name, k, got[k], ref[k]))
            print('%-32s fiokit %s%s' % (name, got[d], '' if not fio else '  fio %s' % (ref[d],)))
        # The whole device was written: its last block holds data, not the zeros it started with.
        with open(image, 'rb') as f:
            f.seek(16 * MIB - 65536)
            if not any(f.read(65536)):
                failures.append('the last 64 KiB of the device were never written')
    finally:
        if dev:
            subprocess.run(['losetup', '-d', dev], check=False)
        os.unlink(image)
        shutil.rmtree(workdir, ignore_errors=True)
    for f in failures:
        print('FAIL: ' + f)
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
