# The differential suite's case table: one entry per job file, each with the
# figures to compare and their bands (figures.py). Groups become one CTest
# entry each (tests/fidelity/CMakeLists.txt) so they run in parallel and time
# out separately. Sizes are small and runtimes 1-2 s so that the whole suite
# stays under 10 minutes on 2 cores at the default 3 alternations (2.4 min
# measured for 2 with ctest -j2). A case may carry `known`: the open issue
# that explains a failing figure; such a case stays in and fails until fixed.
import os
import re

from figures import (VERSION_SHAPE, ABS, EXACT, RATIO, REL, SHARE, WIDE_BW, WIDE_LAT, BS_SHARES, DEPTHS, FILES, J, JN,
                     KEYS, JOB_KEYS, TOP_KEYS, LOG_COLS, LOG_HOLDS_MAXIMA, LOG_LAST_VALUE_RATIO, LOG_ROWS, LOG_TIME, LOG_VALUE_MEDIAN,
                     MEAN_BS, NJOBS, PCT, NORMAL_LABELS, NORMAL_LINES, OFFSET_BACKSTEPS, OFFSET_HIST,
                     OFFSET_HOT, OFFSET_UNIQUE, READ_SHARE, SUM, TERSE_FIELD, TERSE_FIELDS)

ENGINES = ['psync', 'sync', 'pvsync', 'libaio', 'io_uring', 'null']
MiB = 1024 * 1024
CASES = []


def case(group, name, job, figures, **kw):
    CASES.append(dict(group=group, name=name, job=job.strip() + '\n', figures=figures, **kw))


# ---- buffered: loops and time_based on every engine --------------------------
# invalidate=1 (the default) drops the file's pages at the start of every
# pass in fio, so loops=3 reads the device three times: bw is device-bound in
# both tools, and io_bytes is exactly loops x size.
for eng in ENGINES:
    depth = 4 if eng in ('libaio', 'io_uring') else 1
    case('buffered', 'buffered-' + eng, f"""
[global]
ioengine={eng}
iodepth={depth}
filename=data.bin
size=16m
direct=0
[loops]
rw=read
bs=64k
loops=3
[timed]
stonewall
rw=randread
bs=4k
time_based
runtime=1
""", [
        ('loops read.io_bytes', JN('loops', 'read.io_bytes'), EXACT),
        ('loops read.total_ios', JN('loops', 'read.total_ios'), EXACT),
        ('loops read.bw', JN('loops', 'read.bw'), WIDE_BW),
        ('timed read.bw_samples', JN('timed', 'read.bw_samples'), ABS(1)),
    ] + ([] if eng == 'null' else [
        # On null these are the tools' own overhead, which fiokit means to
        # beat (bench/engine-vs-fio.sh), so only device-backed engines.
        ('timed read.iops', JN('timed', 'read.iops'), WIDE_BW),
        ('timed read.clat_ns.mean', JN('timed', 'read.clat_ns.mean'), WIDE_LAT),
    ]))

# fadvise_hint=1 (fio's default) makes fio call posix_fadvise(RANDOM) for
# random I/O (readahead off); fiokit gives no hint. The pair shows whether
# that matters: with fadvise_hint=0 both tools run the same syscalls.
for hint in (0, 1):
    case('buffered', 'buffered-randread-fadvise_hint%d' % hint, f"""
[r]
ioengine=psync
filename=data.bin
size=16m
direct=0
rw=randread
bs=4k
time_based
runtime=1
""" + ('fadvise_hint=0\n' if hint == 0 else ''), [
        ('read.iops', J('read.iops'), WIDE_BW),
        ('read.clat_ns.mean', J('read.clat_ns.mean'), WIDE_LAT),
    ])

# ---- direct: qd1/qd4/qd32 where the engine queues ----------------------------
# fio refills the queue after every reap (iodepth_low = iodepth), so a qd32
# job shows IO depths 32=100% (>=64 bucket empty); submit/complete buckets
# for qd1 are all in "4" (1-4).
for eng in ['psync', 'sync', 'pvsync', 'libaio', 'io_uring']:
    depths = [1, 4, 32] if eng in ('libaio', 'io_uring') else [1]
    jobs = ''.join(f"""
[qd{d}]
stonewall
iodepth={d}
""" for d in depths)
    figs = []
    for d in depths:
        n = 'qd%d' % d
        figs += [
            (n + ' read.iops', JN(n, 'read.iops'), WIDE_BW),
            (n + ' read.clat_ns.mean', JN(n, 'read.clat_ns.mean'), WIDE_LAT),
            (n + ' read.clat p50', PCT(n, 'read', 50), WIDE_LAT),
            (n + ' iodepth_level', DEPTHS('iodepth_level', n), SHARE),
            (n + ' iodepth_submit', DEPTHS('iodepth_submit', n), ABS(10)),
            (n + ' iodepth_complete', DEPTHS('iodepth_complete', n), ABS(10)),
        ]
    case('direct', 'direct-' + eng, f"""
[global]
ioengine={eng}
filename=data.bin
size=32m
direct=1
rw=randread
bs=4k
time_based
runtime=1
{jobs}""", figs)

# null: no device, so the depth distribution and the rate are engine-only.
case('direct', 'null-qd32', """
[qd32]
ioengine=null
size=1g
rw=randread
bs=4k
iodepth=32
time_based
runtime=1
""", [
    ('iodepth_level', DEPTHS('iodepth_level'), SHARE),
    ('iodepth_submit', DEPTHS('iodepth_submit'), ABS(10)),
    ('iodepth_complete', DEPTHS('iodepth_complete'), ABS(10)),
])

# ---- randrw mixes -------------------------------------------------------------
for mix in (30, 70):
    case('mix', 'randrw-%d' % mix, f"""
[mix]
ioengine=psync
filename=data.bin
size=16m
bs=4k
rw=randrw
rwmixread={mix}
""", [
        ('read share %', READ_SHARE(), ABS(2.5)),
        ('read+write io_bytes', lambda r: (J('read.io_bytes')(r) or 0) + (J('write.io_bytes')(r) or 0), EXACT),
        ('read+write total_ios', lambda r: (J('read.total_ios')(r) or 0) + (J('write.total_ios')(r) or 0), EXACT),
        ('write.iops', J('write.iops'), WIDE_BW),
    ])

# ---- numjobs, with and without group_reporting ----------------------------
# rate_iops makes the per-window figures deterministic: fio sums the group's
# samples per window before min/max/avg, so a group of 4 x 250 IOPS shows
# iops_mean ~1000 and bw_mean ~4000 KiB/s.
for grp in (0, 1):
    name = 'numjobs4-group' if grp else 'numjobs4'
    figs = [('jobs in output', NJOBS, EXACT)]
    if grp:
        figs += [('read.io_bytes (sized)', J('read.io_bytes', 0), ABS(4 * 4096 * 25)),
                 ('read.iops_mean', J('read.iops_mean'), REL(0.1)),
                 ('read.bw_mean', J('read.bw_mean'), REL(0.1)),
                 ('read.iops', J('read.iops'), REL(0.1)),
                 ('read.iops_samples', J('read.iops_samples'), ABS(2)),
                 ('read.bw_min', J('read.bw_min'), REL(0.25))]
    else:
        figs += [('sum read.io_bytes', SUM('read.io_bytes'), ABS(4 * 4096 * 25)),
                 ('job0 read.iops_mean', J('read.iops_mean'), REL(0.1)),
                 ('job3 read.iops', J('read.iops', 3), REL(0.1))]
    case('numjobs', name, f"""
[nj]
ioengine=psync
size=4m
bs=4k
rw=randread
numjobs=4
rate_iops=250
group_reporting={grp}
time_based
runtime=2
""", figs)

# ---- rate, rate_iops, rate_min ----------------------------------------------
case('rate', 'rate-4m', """
[r]
ioengine=psync
filename=data.bin
size=16m
bs=4k
rw=randread
rate=4m
time_based
runtime=2
""", [('read.bw KiB/s', J('read.bw'), REL(0.05)), ('read.iops', J('read.iops'), REL(0.05)),
      ('read.bw_samples', J('read.bw_samples'), ABS(1))])

case('rate', 'rate_iops-300-write', """
[r]
ioengine=libaio
iodepth=4
filename=data.bin
size=16m
bs=4k
rw=randwrite
rate_iops=300
time_based
runtime=2
""", [('write.iops', J('write.iops'), REL(0.05)), ('write.total_ios', J('write.total_ios'), REL(0.05))])

# rate_min / rate_iops_min (fio 3.33, observed and documented by its
# behaviour): no check in the first 2 s of the job (a settle period); the
# first check after that only records a baseline, and each later one, at
# least ratecycle (1000 ms) on, fails the job (error 5, exit 1) when the rate
# over that cycle is below the minimum. So an unmet minimum stops the job at
# about 3 s, and a job of 2 s or less never fails it.
case('rate', 'rate_iops_min-met', """
[r]
ioengine=null
size=64m
bs=4k
rw=randread
rate_iops=2000
rate_iops_min=1000
time_based
runtime=4
""", [('error', J('error'), EXACT), ('read.iops', J('read.iops'), REL(0.05))])

case('rate', 'rate_min-unmet', """
[r]
ioengine=psync
filename=data.bin
size=16m
bs=4k
rw=randread
direct=1
rate_min=4000m
time_based
runtime=5
""", [('error', J('error'), EXACT), ('read.runtime ms', J('read.runtime'), ABS(300))], rc=1)

case('rate', 'rate_min-unmet-thinktime', """
[r]
ioengine=null
size=64m
bs=4k
rw=randread
thinktime=5000
rate_min=40m
time_based
runtime=5
""", [('error', J('error'), EXACT), ('read.runtime ms', J('read.runtime'), ABS(300))], rc=1)

case('rate', 'rate_min-settle', """
[r]
ioengine=null
size=64m
bs=4k
rw=randread
thinktime=5000
rate_min=40m
time_based
runtime=2
""", [('error', J('error'), EXACT), ('read.runtime ms', J('read.runtime'), ABS(100))])

# ---- thinktime ------------------------------------------------------------------
# The null engine, so that the pacing alone sets the rate: at most 100 IOPS
# for a 10 ms think after every I/O, 400 after every 4.
case('rate', 'thinktime', """
[global]
ioengine=null
size=16m
bs=4k
rw=read
time_based
runtime=1
[t10ms]
thinktime=10000
[t10ms-b4]
stonewall
thinktime=10000
thinktime_blocks=4
""", [('t10ms read.iops', JN('t10ms', 'read.iops'), REL(0.15)),
      ('t10ms-b4 read.iops', JN('t10ms-b4', 'read.iops'), REL(0.15)),
      ('t10ms read.total_ios', JN('t10ms', 'read.total_ios'), REL(0.15))])
# (thinktime_spin is left out: fio 3.33 with thinktime=2000,thinktime_spin=1000
# ran 29.6 s for a runtime=1 job at 0.5 IOPS here, a fio bug, not a reference.)

# ---- bssplit --------------------------------------------------------------------
# Sequential: the block sizes are drawn as given. Random: fio's random map
# trims a block to the free run it lands in, so smaller sizes appear
# (8k, 12k) and the mean block size drops; io_bytes is exactly size. The null
# engine (block sizes do not depend on it) and 128 MiB (~6500 I/Os) keep the
# sampling error of the mean block size near 1.5%.
for rw in ('read', 'randread'):
    case('mix', 'bssplit-' + rw, f"""
[b]
ioengine=null
size=128m
rw={rw}
bssplit=4k/50:16k/30:64k/20
write_lat_log=b
log_avg_msec=0
""", [('read.io_bytes', J('read.io_bytes'), EXACT),
      ('mean bs', MEAN_BS('read'), REL(0.05)),
      ('bs share %', BS_SHARES('b_lat.1.log'), ABS(4))])

# ---- random distributions (offset coverage from per-I/O logs) ----------------
DIST_SIZE = 16 * MiB
# fio scatters the hot blocks of zipf and pareto over the file (where they
# land depends on the seed), so for those the figures are the shape of the
# popularity curve: distinct blocks and the share of the hottest 1% and 10%.
# random, zoned and normal are compared by where the offsets fall, too.
for dist in ('random', 'zipf:1.2', 'pareto:0.9', 'normal:20', 'zoned:60/10:30/20:10/70'):
    nm = dist.split(':')[0]
    figs = [('read.total_ios', J('read.total_ios'), EXACT),
            ('log rows', LOG_ROWS('d_lat.1.log'), EXACT),
            ('distinct blocks', OFFSET_UNIQUE('d_lat.1.log'), EXACT if nm == 'random' else REL(0.05)),
            ('hottest 1% blocks %', OFFSET_HOT('d_lat.1.log', 4096), ABS(3)),
            ('hottest 10% blocks %', OFFSET_HOT('d_lat.1.log', 4096, 10.0), ABS(3))]
    if nm in ('random', 'zoned', 'normal'):
        figs.append(('offset decile %', OFFSET_HIST('d_lat.1.log', DIST_SIZE), ABS(3)))
    case('distribution', 'dist-' + nm, f"""
[d]
ioengine=null
size=16m
bs=4k
rw=randread
random_distribution={dist}
write_lat_log=d
log_avg_msec=0
log_offset=1
""", figs)

# lfsr visits every block exactly once per pass even without the random map
# (norandommap=1), which is why fio offers it; a plain PRNG repeats blocks.
case('distribution', 'dist-lfsr', """
[d]
ioengine=null
size=16m
bs=4k
rw=randread
norandommap=1
random_generator=lfsr
write_lat_log=d
log_avg_msec=0
log_offset=1
""", [('read.total_ios', J('read.total_ios'), EXACT),
      ('distinct blocks', OFFSET_UNIQUE('d_lat.1.log'), EXACT),
      ('offset decile %', OFFSET_HIST('d_lat.1.log', DIST_SIZE), ABS(2))])

# ---- nrfiles with file_service_type -----------------------------------------
for fst in ('roundrobin', 'sequential', 'random'):
    case('files', 'nrfiles-' + fst, f"""
[f]
ioengine=psync
nrfiles=4
size=16m
bs=4k
rw=read
file_service_type={fst}
write_lat_log=f
log_avg_msec=0
log_offset=1
""", [('read.io_bytes', J('read.io_bytes'), EXACT),
      ('files laid out', FILES('f.*'), EXACT),
      ('offset back-steps', OFFSET_BACKSTEPS('f_lat.1.log'), EXACT if fst != 'random' else REL(0.05))])

# ---- fsync / fdatasync ---------------------------------------------------------
for opt, every in (('fsync', 8), ('fdatasync', 4)):
    case('files', opt, f"""
[s]
ioengine=psync
filename=data.bin
size=4m
bs=4k
rw=write
{opt}={every}
""", [('write.total_ios', J('write.total_ios'), EXACT),
      ('sync.total_ios', J('sync.total_ios'), EXACT),
      ('sync.lat_ns.mean', J('sync.lat_ns.mean'), WIDE_LAT),
      ('sync.lat_ns.max', J('sync.lat_ns.max'), RATIO(10))])

# ---- ramp_time --------------------------------------------------------------
case('logs', 'ramp_time', """
[r]
ioengine=null
size=64m
bs=4k
rw=randread
rate_iops=1000
ramp_time=1
time_based
runtime=1
write_iops_log=r
log_avg_msec=250
""", [('read.total_ios', J('read.total_ios'), REL(0.05)),
      ('read.runtime ms', J('read.runtime'), ABS(50)),
      ('iops log rows', LOG_ROWS('r_iops.1.log'), ABS(1)),
      ('iops log first time', LOG_TIME('r_iops.1.log', 'first'), ABS(30))])

# ---- log windows: log_avg_msec, log_max_value, per-I/O and hist logs ---------
case('logs', 'log_avg_msec', """
[l]
ioengine=null
size=64m
bs=4k
rw=randread
rate_iops=1000
time_based
runtime=2
write_bw_log=l
write_iops_log=l
write_lat_log=l
log_avg_msec=300
""", [('bw log rows', LOG_ROWS('l_bw.1.log'), EXACT),
      ('iops log rows', LOG_ROWS('l_iops.1.log'), EXACT),
      ('clat log rows', LOG_ROWS('l_clat.1.log'), EXACT),
      ('iops log first time', LOG_TIME('l_iops.1.log', 'first'), ABS(20)),
      ('iops log last time', LOG_TIME('l_iops.1.log', 'last'), ABS(50)),
      ('iops log median value', LOG_VALUE_MEDIAN('l_iops.1.log'), REL(0.05)),
      ('iops last window / median', LOG_LAST_VALUE_RATIO('l_iops.1.log'), ABS(0.15)),
      ('bw log columns', LOG_COLS('l_bw.1.log'), EXACT)])

case('logs', 'log_max_value', """
[l]
ioengine=null
size=64m
bs=4k
rw=randread
rate_iops=1000
time_based
runtime=2
write_lat_log=l
log_avg_msec=500
log_max_value=1
""", [('clat log rows', LOG_ROWS('l_clat.1.log'), EXACT),
      ('clat log last time', LOG_TIME('l_clat.1.log', 'last'), ABS(50)),
      ('clat log max == JSON max, windows >= mean', LOG_HOLDS_MAXIMA('l_clat.1.log'), EXACT)])

case('logs', 'per-io-log', """
[l]
ioengine=psync
filename=data.bin
size=4m
bs=4k
rw=randread
write_lat_log=l
write_bw_log=l
log_avg_msec=0
""", [('lat log rows', LOG_ROWS('l_lat.1.log'), EXACT),
      ('bw log rows', LOG_ROWS('l_bw.1.log'), EXACT),
      ('lat log columns', LOG_COLS('l_lat.1.log'), EXACT),
      ('log files written', lambda r: ' '.join(sorted(f for f in os.listdir(r.dir) if f.endswith('.log'))),
       EXACT)])

case('logs', 'hist-log', """
[h]
ioengine=null
size=64m
bs=4k
rw=randread
rate_iops=1000
time_based
runtime=2
write_hist_log=h
log_hist_msec=250
""", [('hist log rows', LOG_ROWS('h_clat_hist.1.log'), ABS(1)),
      ('hist log columns', LOG_COLS('h_clat_hist.1.log'), EXACT),
      ('hist log last time', LOG_TIME('h_clat_hist.1.log', 'last'), ABS(60))])

# ---- output formats: per job and per group, all four --------------------------
FORMAT_JOB = """
[global]
ioengine=psync
size=4m
bs=4k
rw=randrw
filename_format=$jobname.$jobnum.$filenum
[a]
[b]
[c]
new_group
"""
FORMAT_JOB_GR = FORMAT_JOB.replace('[a]', 'group_reporting\n[a]')
for label, job in (('per-job', FORMAT_JOB), ('group_reporting', FORMAT_JOB_GR)):
    case('formats', 'json-' + label, job, [
        ('jobs in output', NJOBS, EXACT),
        ('top-level keys', TOP_KEYS, EXACT),
        ('job keys', KEYS('jobs.0'), EXACT),
        ('read keys', KEYS('jobs.0.read'), EXACT),
        ('read.clat_ns keys', KEYS('jobs.0.read.clat_ns'), EXACT),
        ('sync keys', KEYS('jobs.0.sync'), EXACT),
        ('job c options keys', JOB_KEYS('c', 'job options'), EXACT),
        ('job a has job options', lambda r: int(JN('a', 'job options')(r) is not None), EXACT),
        ('global options keys', KEYS('global options'), EXACT),
        ('disk_util entries', lambda r: len(r.json.get('disk_util', [])) if r.json else None, EXACT),
    ])
    case('formats', 'jsonplus-' + label, job, [
        ('jobs in output', NJOBS, EXACT),
        ('read.clat_ns keys', KEYS('jobs.0.read.clat_ns'), EXACT),
        ('has clat bins', lambda r: int(bool(J('read.clat_ns.bins')(r))), EXACT),
        ('write.lat_ns keys', KEYS('jobs.0.write.lat_ns'), EXACT),
    ], format='json+')
    case('formats', 'terse-' + label, job, [
        ('fields per line', TERSE_FIELDS, EXACT),
        ('terse version', TERSE_FIELD(0), EXACT),
        ('fio version field', VERSION_SHAPE(TERSE_FIELD(1)), EXACT),
        ('jobname', TERSE_FIELD(2), EXACT),
        ('read io KiB', lambda r: float(TERSE_FIELD(5)(r)), REL(0.1)),
    ], format='terse')
    case('formats', 'normal-' + label, job, [
        ('line labels', NORMAL_LABELS, EXACT),
        ('non-empty lines', NORMAL_LINES, ABS(3)),
        # fio's header: one "NAME: (g=N): rw=..., ioengine=..., iodepth=N"
        # line per job, then "fio-3.33" and "Starting N processes".
        ('job header lines', lambda r: len(re.findall(r'(?m)^\S+: \(g=\d+\): rw=', r.text)), EXACT),
        ('report pids > 0', lambda r: int(all(int(p) > 0 for p in re.findall(r'err= *-?\d+: pid=(\d+)', r.text))), EXACT),
    ], format='normal')

# ---- a run shorter than a millisecond ---------------------------------------
# fio rounds a job's runtime up to 1 ms once it did I/O, so bw and iops are
# io_bytes / 1 ms, not 0; with no full sample window it has no bw/iops
# samples (bw_mean 0, bw_samples 0).
case('mix', 'null-sub-ms', """
[tiny]
ioengine=null
size=16m
rw=read
bs=64k
loops=3
""", [('read.runtime ms', J('read.runtime'), EXACT),
      ('read.bw KiB/s', J('read.bw'), RATIO(1.5)),
      ('read.bw_samples', J('read.bw_samples'), EXACT),
      ('read.bw_mean', J('read.bw_mean'), EXACT),
      ('read.iops_mean', J('read.iops_mean'), EXACT)])

# ---- verify and trimwrite: what each direction counts ----------------------
# A write job with verify reads every block back after the writes: fio counts
# those reads in the job's read figures.
case('files', 'verify-crc32c', """
[v]
ioengine=psync
filename=data.bin
size=4m
bs=4k
rw=write
verify=crc32c
""", [('write.io_bytes', J('write.io_bytes'), EXACT),
      ('read.io_bytes', J('read.io_bytes'), EXACT),
      ('read.total_ios', J('read.total_ios'), EXACT),
      ('error', J('error'), EXACT)])

# Every other digest kind fiokit verifies (md5, xxhash, and the sha kinds it
# computes through libcrypto): the same counts as fio, no verify error. A kind
# fiokit could not compute would fail here with an error and no reads.
for kind in ('md5', 'xxhash', 'sha1', 'sha256', 'sha512', 'sha3-224', 'sha3-256', 'sha3-384', 'sha3-512'):
    case('files', 'verify-' + kind, f"""
[v]
ioengine=psync
filename=data.bin
size=1m
bs=4k
rw=randwrite
verify={kind}
""", [('write.io_bytes', J('write.io_bytes'), EXACT),
          ('read.io_bytes', J('read.io_bytes'), EXACT),
          ('read.total_ios', J('read.total_ios'), EXACT),
          ('error', J('error'), EXACT)])

# trimwrite: each block is trimmed, then written.
for rw in ('trimwrite', 'randtrim'):
    case('files', 'null-' + rw, f"""
[t]
ioengine=null
size=4m
bs=4k
rw={rw}
""", [('trim.io_bytes', J('trim.io_bytes'), EXACT),
      ('trim.total_ios', J('trim.total_ios'), EXACT),
      ('write.io_bytes', J('write.io_bytes'), EXACT),
      ('write.total_ios', J('write.total_ios'), EXACT)])

# ---- the case modules beside this file (case_modules.py lists them) ---------
import case_modules  # noqa: E402
case_modules.add_all(case)
