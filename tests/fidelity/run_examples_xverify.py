#!/usr/bin/env python3
"""fio 3.33's surface-scan.fio (issue 16, part xverify: it needs
create_serialize=0), run by fiokit.

The file is copied from fio's source package (never committed here) into a
temporary directory and run with --size=1m (its write phase would otherwise
fill the file system) and direct=0 (the temp dir need not have O_DIRECT); the
test checks what the file is for: the write phase fills the 1 MiB with
verify=meta blocks, the verify phase reads all of it back and finds them
good. Exit 77 with the reason when fio's source package is not unpacked.

usage: run_examples_xverify.py FIOKIT [FIO_SRC_DIR]
"""
import json
import os
import subprocess
import sys
import tempfile

FIOKIT = os.path.abspath(sys.argv[1])
SRC = sys.argv[2] if len(sys.argv) > 2 else os.environ.get('FIO_SRC', '/var/tmp/fiokit-fio-src/fio-3.33')
SIZE = 1 << 20


def main():
    src = os.path.join(SRC, 'examples', 'surface-scan.fio')
    if not os.path.exists(src):
        print(f'SKIP: {src} is absent (unpack fio 3.33\'s source package, tests/fio-suite/run fetches it)')
        return 77
    with tempfile.TemporaryDirectory(prefix='fiokit-xverify-') as tmp:
        text = open(src).read().replace('direct=1', 'direct=0')
        with open(os.path.join(tmp, 'surface-scan.fio'), 'w') as f:
            f.write(text)
        p = subprocess.run([FIOKIT, 'run', 'surface-scan.fio', '--size=1m', '--output-format=json', '--eta=never',
                            '--data-dir', os.path.join(tmp, 'data')], cwd=tmp, capture_output=True, text=True, timeout=120)
        if p.returncode != 0:
            print(f'FAIL: fiokit exited {p.returncode}: {p.stderr.strip()}')
            return 1
        jobs = {j['jobname']: j for j in json.loads(p.stdout)['jobs']}
        w, v = jobs['write-phase'], jobs['verify-phase']
        checks = [('write phase wrote 1 MiB', w['write']['io_bytes'] == SIZE and w['error'] == 0),
                  ('verify phase read it all back, no error', v['read']['io_bytes'] == SIZE and v['error'] == 0),
                  ('the file is 1 MiB', os.path.getsize(os.path.join(tmp, 'datafile.tmp')) == SIZE)]
        bad = [name for name, ok in checks if not ok]
        for name, ok in checks:
            print(('ok   ' if ok else 'FAIL ') + name)
        return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
