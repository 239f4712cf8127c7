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
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fio-suite'))
import fio_jobs  # noqa: E402  (the shared main: source, temp dir, runs, exit code)

SIZE = 1 << 20


def check(ctx):
    text = ctx.read('examples/surface-scan.fio').replace('direct=1', 'direct=0')
    doc = ctx.run('surface-scan.fio', text, args=['--size=1m', '--eta=never', '--data-dir', os.path.join(ctx.tmp, 'data')])
    jobs = {j['jobname']: j for j in doc['jobs']}
    w, v = jobs['write-phase'], jobs['verify-phase']
    for name, ok in (('write phase wrote 1 MiB', w['write']['io_bytes'] == SIZE and w['error'] == 0),
                     ('verify phase read it all back, no error', v['read']['io_bytes'] == SIZE and v['error'] == 0),
                     ('the file is 1 MiB', os.path.getsize(os.path.join(ctx.tmp, 'datafile.tmp')) == SIZE)):
        if not ok:
            ctx.failures.append('surface-scan.fio: ' + name)


if __name__ == '__main__':
    sys.exit(fio_jobs.main(check, 'examples/surface-scan.fio', __doc__, ok='surface-scan.fio'))
