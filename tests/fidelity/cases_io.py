# More cases for the differential suite (group "pattern"): how much I/O a job
# does and where it goes, on the null engine so that the figures are exact
# counts and shapes, not device speed. cases.py appends these to its table;
# the helpers and bands are the same (figures.py).
from figures import ABS, EXACT, REL, J, LOG_ROWS, MEAN_BS, SUM, offsets


def OFFSET_MIN(pattern):
    def get(r):
        offs = offsets(r, pattern)
        return min(offs) if offs else None
    return get


def OFFSET_MAX(pattern):
    def get(r):
        offs = offsets(r, pattern)
        return max(offs) if offs else None
    return get


def SEQ_SHARE(pattern, bs):
    """Percent of I/Os that start where the previous one ended."""
    def get(r):
        offs = offsets(r, pattern)
        if not offs or len(offs) < 2:
            return None
        seq = sum(1 for a, b in zip(offs, offs[1:]) if b == a + bs)
        return 100.0 * seq / (len(offs) - 1)
    return get


def GAPS(pattern, bs):
    """How many I/Os start beyond the end of the previous one (holes)."""
    def get(r):
        offs = offsets(r, pattern)
        return sum(1 for a, b in zip(offs, offs[1:]) if b > a + bs) if offs else None
    return get


def START_SET(r):
    starts = []
    for n in (1, 2, 3):
        offs = offsets(r, 'p_lat.%d.log' % n)
        starts.append(min(offs) if offs else -1)
    return ' '.join(str(x) for x in sorted(starts))


LOG = """
write_lat_log=p
log_avg_msec=0
log_offset=1
"""
P = 'p_lat.1.log'


def add(case):
    case('pattern', 'number_ios', """
[p]
ioengine=null
size=64m
bs=4k
rw=randread
number_ios=1000
""" + LOG, [('read.total_ios', J('read.total_ios'), EXACT), ('log rows', LOG_ROWS(P), EXACT)])

    case('pattern', 'io_size-2x', """
[p]
ioengine=null
size=4m
io_size=8m
bs=4k
rw=read
""" + LOG, [('read.io_bytes', J('read.io_bytes'), EXACT),
            ('offset back-steps', lambda r: sum(1 for a, b in zip(offsets(r, P), offsets(r, P)[1:]) if b <= a),
             EXACT)])

    case('pattern', 'rw-read-skip', """
[p]
ioengine=null
size=4m
bs=4k
rw=read:12k
""" + LOG, [('read.io_bytes', J('read.io_bytes'), EXACT), ('read.total_ios', J('read.total_ios'), EXACT),
            ('holes', GAPS(P, 4096), EXACT)])

    case('pattern', 'offset', """
[p]
ioengine=null
offset=1m
size=3m
bs=4k
rw=randread
""" + LOG, [('read.io_bytes', J('read.io_bytes'), EXACT), ('lowest offset', OFFSET_MIN(P), EXACT),
            ('highest offset', OFFSET_MAX(P), EXACT)])

    case('pattern', 'zonesize-zoneskip', """
[p]
ioengine=null
size=4m
bs=4k
rw=read
zonemode=strided
zonesize=256k
zoneskip=256k
""" + LOG, [('read.io_bytes', J('read.io_bytes'), EXACT), ('holes', GAPS(P, 4096), EXACT),
            ('highest offset', OFFSET_MAX(P), EXACT)])

    case('pattern', 'percentage_random-50', """
[p]
ioengine=null
size=64m
bs=4k
rw=randread
percentage_random=50
number_ios=8000
""" + LOG, [('read.total_ios', J('read.total_ios'), EXACT), ('sequential I/Os %', SEQ_SHARE(P, 4096), ABS(4))])

    case('pattern', 'bsrange', """
[p]
ioengine=null
size=64m
bs=4k
rw=randread
bsrange=4k-16k
norandommap=1
""", [('read.io_bytes', J('read.io_bytes'), ABS(16384)), ('mean bs', MEAN_BS('read'), REL(0.05))])

    case('pattern', 'offset_increment', """
[p]
ioengine=null
size=1m
offset_increment=4m
numjobs=3
bs=4k
rw=read
""" + LOG, [('sum read.io_bytes', SUM('read.io_bytes'), EXACT),
            # fio numbers a clone's log by thread, not clone order (p_lat.2 held
            # the 8 MiB clone, p_lat.3 the 4 MiB one), so compare the set.
            ('lowest offset of each log', START_SET, EXACT)])
