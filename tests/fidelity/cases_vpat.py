# Differential cases, group "vpat" (issue 16, part vpat): verify=pattern, fio
# 3.33's "strict pattern" that writes and checks verify_pattern alone, with no
# header. Compared: the md5 of the whole written file (byte-for-byte what fio
# writes, for hex, string, decimal and %o patterns), read and write counts and
# the error of read-only, verify_only, do_verify, verify_backlog and
# experimental_verify jobs, and a changed block's error 84 with the count of
# reads before it. psync at depth 1, sequential where a count depends on the
# order (the tools' random generators differ): all deterministic.
import hashlib
import os

from figures import EXACT, J
from cases_verify2 import COUNTS, DIR_RUNS


def FILE_MD5(name):
    """md5 of the whole file the job wrote."""
    def get(r):
        with open(os.path.join(r.dir, name), 'rb') as f:
            return hashlib.md5(f.read()).hexdigest()
    return get


def pattern_file(size, byte=0x5a, bad_at=None):
    """A 'pre' step: a file `data` of one byte value, one byte changed at bad_at."""
    def pre(workdir, tools):
        b = bytearray([byte]) * size
        if bad_at is not None:
            b[bad_at] ^= 0x01
        with open(os.path.join(workdir, 'data'), 'wb') as f:
            f.write(bytes(b))
    return pre


JOB = """
[v]
ioengine=psync
filename=data
size=64k
bs=4k
verify=pattern
"""

WRITTEN = COUNTS + [('file md5', FILE_MD5('data'), EXACT)]


def add(case):
    # The written file, byte for byte: one byte, a string, a decimal (fio
    # stores it low byte first), and %o (the I/O's offset, 8 bytes LE) with
    # a verify_interval that does not restart the pattern inside a block.
    case('vpat', 'vpat-write-hex', JOB + "rw=write\nverify_pattern=0x5a\n", WRITTEN)
    case('vpat', 'vpat-write-string', JOB + "rw=write\nverify_pattern=\"abc\"\n", WRITTEN)
    case('vpat', 'vpat-write-decimal', JOB + "rw=write\nverify_pattern=305419896\n", WRITTEN)
    case('vpat', 'vpat-write-offset', JOB + "rw=randwrite\nverify_pattern=\"abc\"%o\nverify_interval=512\n", WRITTEN)
    # A file of the pattern written by anyone passes a read-only verify.
    case('vpat', 'vpat-read-only', JOB + "rw=read\nverify_pattern=0x5a\n", COUNTS, pre=pattern_file(65536))
    # Byte 100 of block 5 changed: error 84 after 6 reads, the job ends there.
    case('vpat', 'vpat-read-corrupt', JOB + "rw=read\nverify_pattern=0x5a\n", COUNTS, rc=1,
         pre=pattern_file(65536, bad_at=5 * 4096 + 100))
    # verify_only reads back what the job would write (fio also counts its
    # dry-run writes as written, fiokit does not: reads and error compared).
    only = [c for c in COUNTS if not c[0].startswith('write')]
    case('vpat', 'vpat-verify-only', JOB + "rw=write\nverify_pattern=0x5a\nverify_only=1\n", only, pre=pattern_file(65536))
    case('vpat', 'vpat-verify-only-corrupt', JOB + "rw=write\nverify_pattern=0x5a\nverify_only=1\n", only, rc=1,
         pre=pattern_file(65536, bad_at=9 * 4096))
    # do_verify=0 writes only; verify_backlog interleaves reads as with a header.
    case('vpat', 'vpat-no-do-verify', JOB + "rw=randwrite\nverify_pattern=0x5a\ndo_verify=0\n", WRITTEN)
    case('vpat', 'vpat-backlog', JOB + "rw=write\nverify_pattern=\"ab\"%o\nverify_backlog=4\nwrite_iolog=rec.log\n",
         WRITTEN + [('order', DIR_RUNS('rec.log'), EXACT)])
    case('vpat', 'vpat-xverify', JOB + "rw=randwrite\nverify_pattern=0x5a\nexperimental_verify=1\n", WRITTEN)
    # No header, no numberio: a block rewritten under norandommap passes the
    # replay in fio (with a header it fails with 84); the file differs (the
    # tools' random offsets do), the counts do not.
    case('vpat', 'vpat-xverify-norandommap', JOB + "rw=randwrite\nverify_pattern=0x5a\nexperimental_verify=1\nnorandommap\n",
         COUNTS)
    # verify_pattern without verify=: fio verifies with its header kind; the
    # counts match (each tool's own header, so the bytes do not).
    case('vpat', 'vpat-pattern-alone', JOB.replace("verify=pattern\n", "") + "rw=randwrite\nverify_pattern=0x5a\n", COUNTS)
