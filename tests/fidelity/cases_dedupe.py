# Differential cases, group "dedupe" (issue 15, part dedupe): the data of
# write buffers with dedupe_percentage (dedupe_mode=repeat and working_set)
# and buffer_compress_percentage, against fio 3.33. Each tool writes a 1 MiB
# file in 4k blocks; the figures are read from the file: the fraction of
# distinct 4k blocks (each block hashed), the number of contents that occur
# more than once, and zlib's ratio over the distinct blocks. Both tools draw
# the duplicate choice at random per buffer with their own generators, so
# the distinct fraction is compared within a band: at p = 0.5 over 256 blocks
# the unique count has sd 8 (3.1 points of the fraction), so +-0.13 is over
# 4 sd of the two tools' difference. A working set of W pages bounds the
# repeated contents by W exactly (fio: 25 of 25 at 10%), which no repeat-
# mode file comes near; the compressibility is the chunks' fixed share.
# cases.py appends these to its table.
import hashlib
import os
import zlib

from figures import ABS, EXACT, J


def _blocks(r):
    path = os.path.join(r.dir, 'data.bin')
    with open(path, 'rb') as f:
        data = f.read()
    return [data[i:i + 4096] for i in range(0, len(data), 4096)]


def DISTINCT(r):
    """Fraction of the file's 4k blocks that are distinct."""
    b = _blocks(r)
    return len({hashlib.sha1(x).digest() for x in b}) / len(b) if b else None


def REPEATED(r):
    """How many contents occur in two blocks or more."""
    seen = {}
    for x in _blocks(r):
        h = hashlib.sha1(x).digest()
        seen[h] = seen.get(h, 0) + 1
    return sum(1 for v in seen.values() if v > 1)


def REPEATED_AT_MOST(limit):
    """1 when no more than `limit` contents repeat (a working set's bound)."""
    def get(r):
        return int(REPEATED(r) <= limit)
    return get


def ZRATIO(r):
    """zlib's compressed size over the size of the distinct blocks."""
    uniq = {}
    for x in _blocks(r):
        uniq.setdefault(hashlib.sha1(x).digest(), x)
    raw = b''.join(uniq.values())
    return len(zlib.compress(raw, 6)) / len(raw) if raw else None


def SHARED_AB(r):
    """Contents that both a.0.0 and b.0.0 hold (dedupe_global shares them)."""
    def hashes(name):
        with open(os.path.join(r.dir, name), 'rb') as f:
            data = f.read()
        return {hashlib.sha1(data[i:i + 4096]).digest() for i in range(0, len(data), 4096)}
    return len(hashes('a.0.0') & hashes('b.0.0'))


def _job(extra):
    return """
[dd]
ioengine=psync
rw=write
bs=4k
size=1m
filename=data.bin
""" + extra


def add(case):
    for pct in (20, 50, 80):
        case('dedupe', 'dedupe-repeat-%d' % pct, _job('dedupe_percentage=%d\n' % pct), [
            ('write.io_bytes', J('write.io_bytes'), EXACT),
            ('distinct 4k blocks', DISTINCT, ABS(0.13)),
            # a duplicate joins the next unique buffer: ~N(1-p)p contents repeat
            ('repeated contents', REPEATED, ABS(16)),
        ])
    case('dedupe', 'dedupe-repeat-100', _job('dedupe_percentage=100\n'), [
        ('distinct 4k blocks', DISTINCT, EXACT),
        ('zlib ratio of the distinct blocks', ZRATIO, ABS(0.03)),  # one 512-byte chunk 8 times
    ])
    # Working set: W = 1 MiB x 10% / 4k = 25 pages; fio picks every one of
    # them (50% of 256 draws), repeat mode ~64 repeated contents.
    case('dedupe', 'dedupe-working-set-10', _job(
        'dedupe_percentage=50\ndedupe_mode=working_set\ndedupe_working_set_percentage=10\n'), [
        ('distinct 4k blocks', DISTINCT, ABS(0.13)),
        ('at most 25 repeated contents', REPEATED_AT_MOST(25), EXACT),
        ('repeated contents', REPEATED, ABS(5)),
    ])
    # W = 128: the draws reach 85 of them in fio's file (~81 expected).
    case('dedupe', 'dedupe-working-set-50', _job(
        'dedupe_percentage=50\ndedupe_mode=working_set\ndedupe_working_set_percentage=50\n'), [
        ('distinct 4k blocks', DISTINCT, ABS(0.13)),
        ('at most 128 repeated contents', REPEATED_AT_MOST(128), EXACT),
        ('repeated contents', REPEATED, ABS(22)),
    ])
    # Duplicates with compressible data: the unique blocks are half zeros
    # per 512-byte chunk (fio: zlib 0.51), half the blocks distinct.
    case('dedupe', 'dedupe-compress-50', _job('dedupe_percentage=50\nbuffer_compress_percentage=50\n'), [
        ('distinct 4k blocks', DISTINCT, ABS(0.13)),
        ('zlib ratio of the distinct blocks', ZRATIO, ABS(0.03)),
    ])
    # Compressible data alone: fio refills every buffer (256 distinct).
    case('dedupe', 'compress-refills', _job('buffer_compress_percentage=50\nbuffer_compress_chunk=4k\n'), [
        ('distinct 4k blocks', DISTINCT, EXACT),
        ('zlib ratio of the distinct blocks', ZRATIO, ABS(0.03)),
    ])
    # A read job lays its file out with its write buffers (fio: 119 of 256).
    case('dedupe', 'dedupe-read-layout', _job('dedupe_percentage=50\n').replace('rw=write', 'rw=read'), [
        ('read.io_bytes', J('read.io_bytes'), EXACT),
        ('distinct 4k blocks', DISTINCT, ABS(0.13)),
    ])
    # verify stamps each block with its header: no duplicates in either tool.
    case('dedupe', 'dedupe-verify', _job('dedupe_percentage=50\nverify=md5\n'), [
        ('distinct 4k blocks', DISTINCT, EXACT),
    ])
    # dedupe_global: two jobs' working sets are half their own first pages,
    # half the other's, so each writes some of the other's data (fio: 41
    # contents in common of 128 blocks each); apart they share none.
    for glob_on in (0, 1):
        case('dedupe', 'dedupe-global-%d' % glob_on, """
[global]
ioengine=psync
rw=write
bs=4k
size=512k
dedupe_percentage=50
dedupe_mode=working_set
dedupe_working_set_percentage=50
dedupe_global=%d
[a]
[b]
""" % glob_on, [
            ('contents in both files', SHARED_AB, ABS(14) if glob_on else EXACT),
        ])
