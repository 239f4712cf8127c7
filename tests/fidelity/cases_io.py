# More cases for the differential suite. Group "pattern": how much I/O a job
# does and where it goes, on the null engine so that the figures are exact
# counts and shapes, not device speed. Group "stats": which statistics a job
# reports (percentile lists, slat per engine kind, sample windows, log file
# names, groups). cases.py appends these to its table; the helpers and bands
# are the same (figures.py).
import os

from figures import ABS, EXACT, REL, J, JN, KEYS, LOG_ROWS, MEAN_BS, NJOBS, SUM, FOLLOWS, GAPS, P, offsets
from figures import OFFSET_LOG as LOG


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
    follows = FOLLOWS(pattern, bs)

    def get(r):
        offs = offsets(r, pattern)
        if not offs or len(offs) < 2:
            return None
        return 100.0 * follows(r) / (len(offs) - 1)
    return get


def START_SET(r):
    starts = []
    for n in (1, 2, 3):
        offs = offsets(r, 'p_lat.%d.log' % n)
        starts.append(min(offs) if offs else -1)
    return ' '.join(str(x) for x in sorted(starts))


def add(case):
    case('pattern', 'number_ios', """
[p]
ioengine=null
size=64m
bs=4k
rw=randread
number_ios=1000
""" + LOG, [('read.total_ios', J('read.total_ios'), EXACT), ('log rows', LOG_ROWS(P), EXACT)])

    # filesize= is the file's length and offset lies inside it (fio 3.33:
    # offset=16k filesize=64k reads 16k-64k, 48 KiB; with nrfiles=2 and
    # size=16k, 8 KiB of each).
    for extra in ('', 'nrfiles=2\nsize=16k\n'):
        case('pattern', 'filesize-offset' + ('-size' if extra else ''), """
[p]
ioengine=psync
filename_format=p.$filenum
rw=read
bs=4k
offset=16k
filesize=64k
""" + extra, [('read.io_bytes', J('read.io_bytes'), EXACT), ('read.total_ios', J('read.total_ios'), EXACT)])

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


def add_stats(case):
    case('stats', 'percentile_list', """
[s]
ioengine=null
size=16m
bs=4k
rw=randread
percentile_list=50:99:99.9:99.99
lat_percentiles=1
""", [('read.clat_ns.percentile keys', KEYS('jobs.0.read.clat_ns.percentile'), EXACT),
      ('read.lat_ns.percentile keys', KEYS('jobs.0.read.lat_ns.percentile'), EXACT)])

    # fio measures submission latency only where submit and complete are
    # apart (async engines): slat N is 0 for psync, total_ios for libaio.
    case('stats', 'slat-by-engine', """
[global]
filename=data.bin
size=2m
bs=4k
rw=randread
direct=1
[sync]
ioengine=psync
[async]
stonewall
ioengine=libaio
iodepth=4
[uring]
stonewall
ioengine=io_uring
iodepth=4
""", [('psync slat N', JN('sync', 'read.slat_ns.N'), EXACT),
      ('libaio slat N', JN('async', 'read.slat_ns.N'), EXACT),
      ('io_uring slat N', JN('uring', 'read.slat_ns.N'), EXACT),
      ('psync clat N', JN('sync', 'read.clat_ns.N'), EXACT)])

    # Sample windows other than the default 500 ms, each on its own.
    for opt in ('iopsavgtime=100', 'bwavgtime=250'):
        case('stats', opt.replace('=', '-'), """
[s]
ioengine=null
size=64m
bs=4k
rw=randread
rate_iops=1000
time_based
runtime=2
""" + opt + '\n', [('read.bw_samples', J('read.bw_samples'), ABS(1)),
                      ('read.iops_samples', J('read.iops_samples'), ABS(1)),
                      ('read.iops_mean', J('read.iops_mean'), REL(0.05)),
                      ('read.bw_mean', J('read.bw_mean'), REL(0.05))])

    case('stats', 'bwavgtime', """
[s]
ioengine=null
size=64m
bs=4k
rw=randread
rate_iops=1000
time_based
runtime=2
bwavgtime=250
iopsavgtime=100
""", [('read.bw_samples', J('read.bw_samples'), ABS(1)),
      ('read.iops_samples', J('read.iops_samples'), ABS(1)),
      ('read.iops_mean', J('read.iops_mean'), REL(0.05))])

    case('stats', 'per_job_logs-0', """
[s]
ioengine=null
size=1m
bs=4k
rw=read
numjobs=2
per_job_logs=0
write_bw_log=s
log_avg_msec=0
""", [('log files written', lambda r: ' '.join(sorted(f for f in os.listdir(r.dir) if f.endswith('.log'))),
       EXACT),
      ('bw log rows', LOG_ROWS('s_bw.log'), EXACT)])

    case('stats', 'groups-stonewall', """
[global]
ioengine=null
size=1m
bs=4k
rw=read
[a]
[b]
stonewall
[c]
[d]
new_group
""", [('jobs in output', NJOBS, EXACT),
      ('groupids', lambda r: ' '.join(str(j['groupid']) for j in r.json['jobs']), EXACT)])

    case('stats', 'startdelay', """
[s]
ioengine=null
size=64m
bs=4k
rw=randread
startdelay=1
time_based
runtime=1
""", [('read.runtime ms', J('read.runtime'), ABS(50)), ('elapsed s', J('elapsed'), ABS(1))])
