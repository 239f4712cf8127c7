# Differential cases, group "fixes2" (issue 15, part "fixes"): figures that
# differed from fio 3.33 while fio's job files were being covered, each
# deterministic by nature:
#  - filesize= with a smaller size=: the files' lengths on disk, the bytes
#    done, and where the offsets fall (a file's whole length, not size=);
#  - fsync=N / fdatasync=N across loops: how many syncs, and where in the
#    sequence of I/Os, from write_iolog with the times left out;
#  - description=: the "Description  : [..]" line, "desc" in the JSON (and
#    its place among the job's keys), the terse line's last field;
#  - file_service_type: which file each I/O goes to, in order (fiokit's
#    round robin began at the second file).
import glob
import os

from figures import ABS, EXACT, J, FILE_LENGTHS, IO_COUNTS, offsets


def FILES_WITHIN(pattern, lo, hi, align):
    """'N ok' when all N files are lo..hi bytes long and multiples of align,
    else the lengths that are not."""
    def get(r):
        sizes = [os.path.getsize(p) for p in sorted(glob.glob(os.path.join(r.dir, pattern)))]
        bad = [s for s in sizes if not (lo <= s <= hi and s % align == 0)]
        return '%d ok' % len(sizes) if not bad else 'bad: ' + ' '.join(map(str, bad))
    return get


def iolog_rows(r, name):
    with open(os.path.join(r.dir, name)) as f:
        return [ln.split() for ln in f.read().splitlines()[1:]]


def IOLOG_OPS(name):
    """The iolog's actions in order, one letter each (a add, o open, c close,
    r read, w write, s sync, d datasync, t trim)."""
    def get(r):
        return ''.join(row[2][0] for row in iolog_rows(r, name) if len(row) >= 3)
    return get


def IOLOG_PER_FILE(name, action):
    """Per file: how many `action` lines and the largest offset, 'file:n:max ...'."""
    def get(r):
        per = {}
        for row in iolog_rows(r, name):
            if len(row) >= 4 and row[2] == action:
                n, m = per.get(row[1], (0, 0))
                per[row[1]] = (n + 1, max(m, int(row[3])))
        return ' '.join('%s:%d:%d' % (f, n, m) for f, (n, m) in sorted(per.items()))
    return get


def SHARE_AT_OR_BEYOND(pattern, limit):
    """Percent of the I/Os (per-I/O log with log_offset=1) at offset >= limit."""
    def get(r):
        offs = offsets(r, pattern)
        return 100.0 * sum(o >= limit for o in offs) / len(offs) if offs else None
    return get


def NORMAL_LINE(prefix):
    """The first line of the normal output that starts with `prefix` (stripped)."""
    def get(r):
        for ln in r.text.splitlines():
            if ln.strip().startswith(prefix):
                return ln.strip()
        return '(none)'
    return get


def KEY_BEFORE(key, job=0):
    """The key of job `job` just before `key`, and whether `key` is the last one."""
    def get(r):
        keys = list(r.json['jobs'][job].keys()) if r.json else []
        if key not in keys:
            return '(absent)'
        i = keys.index(key)
        return '%s > %s%s' % (keys[i - 1] if i else '^', key, ' (last)' if i == len(keys) - 1 else '')
    return get


def TERSE_LAST(line=0):
    def get(r):
        lines = [ln for ln in r.text.splitlines() if ln.startswith('3;')]
        return lines[line].split(';')[-1] if len(lines) > line else None
    return get


COUNTS = IO_COUNTS('read', 'write')


def add_layout(case):
    # filesize=4m size=2m: fio lays out the whole 4 MiB and does 2 MiB of I/O,
    # the random offsets spread over the file's 4 MiB (about half at or beyond
    # 2 MiB; fiokit's map is its own, so the share is compared within 10
    # points, not exactly). fiokit laid out 2 MiB and read only there.
    case('fixes2', 'filesize-over-size-randread', """
[j]
filename=f
filesize=4m
size=2m
rw=randread
bs=4k
write_lat_log=p
log_offset=1
""", COUNTS + [('file lengths', FILE_LENGTHS('f'), EXACT),
               ('% of I/Os at >= 2 MiB', SHARE_AT_OR_BEYOND('p_lat.1.log', 2 << 20), ABS(10.0))])

    # The same with a write job: the file is still 4 MiB long.
    case('fixes2', 'filesize-over-size-write', """
[j]
filename=f
filesize=4m
size=2m
rw=write
bs=64k
""", COUNTS + [('file lengths', FILE_LENGTHS('f'), EXACT)])

    # nrfiles=2: two 4 MiB files, size=2m shared round robin: 1 MiB of each,
    # from each file's start (sequential, so the iolog lines are exact).
    case('fixes2', 'filesize-over-size-nrfiles2', """
[j]
nrfiles=2
filename_format=f.$filenum
filesize=4m
size=2m
rw=read
bs=64k
write_iolog=rec.log
""", COUNTS + [('file lengths', FILE_LENGTHS('f.*'), EXACT),
               ('reads per file, max offset', IOLOG_PER_FILE('rec.log', 'read'), EXACT)])

    # filesize=1m-2m over 3 files: each file's length is drawn in the range and
    # rounded down to the block size (the draws are each tool's own), size=1m
    # is the budget over the three.
    case('fixes2', 'filesize-range-nrfiles3', """
[j]
nrfiles=3
filename_format=f.$filenum
filesize=1m-2m
size=1m
rw=randread
bs=4k
""", COUNTS + [('files in 1m..2m, 4k-aligned', FILES_WITHIN('f.*', 1 << 20, 2 << 20, 4096), EXACT)])


def add_fsync(case):
    # fsync=N counts the job's writes over all loops, is checked when the
    # next I/O is fetched, and every loop but the last fetches once more at
    # its end (fio 3.33's byte budget is size x loops): fsync=4 loops=2 on 8
    # writes a loop syncs 4 times (after 4, after 8 before the close, again
    # at loop 2's start, after 12), fsync=3 5 times (3, 6, 9, 12, 15).
    for name, extra in (('fsync4-loops2', 'fsync=4\nloops=2\n'),
                        ('fsync3-loops2', 'fsync=3\nloops=2\n'),
                        ('fsync4-loops1', 'fsync=4\n'),
                        ('fsync4-loops3-randwrite', 'fsync=4\nloops=3\nrw=randwrite\n'),
                        ('fdatasync4-loops2-end_fsync', 'fdatasync=4\nloops=2\nend_fsync=1\n')):
        case('fixes2', name, """
[j]
filename=f
size=32k
bs=4k
rw=write
write_iolog=rec.log
""" + extra, COUNTS + [('sync.total_ios', J('sync.total_ios'), EXACT),
                       ('sync.lat_ns.N', J('sync.lat_ns.N'), EXACT),
                       ('iolog actions', IOLOG_OPS('rec.log'), EXACT)])

    # The issue's own example: 256 writes a loop, fsync=128, loops=2: 4 syncs.
    case('fixes2', 'fsync128-loops2', """
[j]
filename=f
size=1m
bs=4k
rw=write
fsync=128
loops=2
""", COUNTS + [('sync.total_ios', J('sync.total_ios'), EXACT), ('sync.lat_ns.N', J('sync.lat_ns.N'), EXACT)])


def add_description(case):
    job = """
[j]
description=Sequential read of 64 KiB
ioengine=null
size=64k
[k]
ioengine=null
size=64k
"""
    case('fixes2', 'description-json', job, [
        ('desc', J('desc'), EXACT),
        ('the key before desc', KEY_BEFORE('desc'), EXACT),
        ('desc of a job without one', KEY_BEFORE('desc', 1), EXACT),
    ])
    case('fixes2', 'description-normal', job, [
        ('Description line', NORMAL_LINE('Description'), EXACT),
    ], format='normal')
    case('fixes2', 'description-terse', job, [
        ('last terse field', TERSE_LAST(0), EXACT),
    ], format='terse')
    # group_reporting: one entry, the group's first job's description.
    case('fixes2', 'description-group', """
[j]
description=first
ioengine=null
size=64k
group_reporting
numjobs=2
""", [('desc', J('desc'), EXACT)])


def IOLOG_FILES(name, action):
    """The files of the iolog's `action` lines in order, by name, 'f.0 f.1 ...'."""
    def get(r):
        return ' '.join(row[1] for row in iolog_rows(r, name) if len(row) >= 3 and row[2] == action)
    return get


def add_file_order(case):
    # nrfiles=3, 4 blocks each: fio 3.33 goes 0 1 2 0 1 2 ... (roundrobin),
    # 0 0 1 1 2 2 0 0 ... (roundrobin:2), 0 0 0 0 1 1 1 1 ... (sequential),
    # from the first file; sequential and random across loops too.
    for fst in ('roundrobin', 'roundrobin:2', 'sequential'):
        for rw in ('read', 'randread'):
            case('fixes2', 'file-order-%s-%s' % (fst.replace(':', ''), rw), f"""
[j]
nrfiles=3
filename_format=f.$filenum
filesize=16k
bs=4k
rw={rw}
loops=2
file_service_type={fst}
write_iolog=rec.log
""", COUNTS + [('files of the reads, in order', IOLOG_FILES('rec.log', 'read'), EXACT)])


def add(case):
    add_layout(case)
    add_fsync(case)
    add_description(case)
    add_file_order(case)
