# Differential cases, group "series" (issue 17 item 1): the per-second series
# fiokit keeps for every job of a run directory (RUN/series/NAME_KIND.N.log),
# from a job file WITHOUT log options, against the logs fio 3.33 writes for
# the same job with write_bw_log / write_iops_log / write_lat_log and
# log_avg_msec=1000. The windows must align (same number of rows per
# direction within one, first and last times within the drift of fio's helper
# thread, a few ms per window) and hold the same rates (rate-limited, so
# within a few percent). Latencies differ between the tools by what they
# measure (on null, each tool's own overhead: fiokit's is 4-10x smaller; on a
# shared disk, the other engineers' load: 0.3-0.8x from one try to the
# next), so for them the figure is each tool's windowed mean over its own
# JSON mean: the series must say what the run's results say, as fio's logs do.
import glob
import os
import statistics

from figures import ABS, EXACT, REL

LOGS = """write_bw_log=j
write_iops_log=j
write_lat_log=j
log_avg_msec=1000
"""
KIT_ARGS = ['--data-dir', 'data']


def rows_of(r, kind, job=1, ddir=None):
    """fio's log of the job, or fiokit's series of it: rows as lists of ints."""
    pat = 'j_%s.%d.log' % (kind, job) if r.tool == 'fio' else 'data/runs/*/series/j_%s.%d.log' % (kind, job)
    files = glob.glob(os.path.join(r.dir, pat))
    if len(files) != 1:
        return None
    out = []
    with open(files[0]) as f:
        for line in f:
            if line.strip():
                out.append([int(x) for x in line.split(',')])
    return [x for x in out if ddir is None or x[2] == ddir]


def ROWS(kind, ddir, job=1):
    def get(r):
        rows = rows_of(r, kind, job, ddir)
        return len(rows) if rows is not None else None
    return get


def TIME(kind, ddir, which, job=1):
    def get(r):
        rows = rows_of(r, kind, job, ddir)
        return rows[0 if which == 'first' else -1][0] if rows else None
    return get


def MEAN(kind, ddir, job=1):
    def get(r):
        rows = rows_of(r, kind, job, ddir)
        return statistics.mean(x[1] for x in rows) if rows else None
    return get


def MEAN_OVER_JSON(kind, ddir, job=1):
    """The windows' mean latency over the job's JSON mean (clat_ns / lat_ns)."""
    def get(r):
        rows = rows_of(r, kind, job, ddir)
        if not rows or not r.json:
            return None
        jobs = r.json['jobs']
        want = jobs[job - 1][('read', 'write')[ddir]][kind + '_ns']['mean']
        return statistics.mean(x[1] for x in rows) / want if want else None
    return get


def LAST_MINUS_RUNTIME(kind, ddir, job=1):
    """The last (partial) window's time minus the job's JSON runtime (ms):
    both tools put it at the job's end. (A job that ends late on a loaded
    disk moves both numbers alike.)"""
    def get(r):
        rows = rows_of(r, kind, job, ddir)
        if not rows or not r.json:
            return None
        return rows[-1][0] - r.json['jobs'][job - 1][('read', 'write')[ddir]]['runtime']
    return get


def COLS(kind, job=1):
    def get(r):
        rows = rows_of(r, kind, job)
        return len(rows[0]) if rows else None
    return get


def figures_for(ddirs, jobs=(1,)):
    figs = []
    for job in jobs:
        for d in ddirs:
            tag = 'job %d %s' % (job, ('read', 'write')[d])
            for kind in ('bw', 'iops', 'clat', 'lat'):
                figs.append(('%s %s windows' % (tag, kind), ROWS(kind, d, job), ABS(1)))
            figs += [
                ('%s iops first window end ms' % tag, TIME('iops', d, 'first', job), ABS(30)),
                ('%s clat last window ms - runtime' % tag, LAST_MINUS_RUNTIME('clat', d, job), ABS(30)),
                ('%s bw mean KiB/s' % tag, MEAN('bw', d, job), REL(0.03)),
                ('%s iops mean' % tag, MEAN('iops', d, job), REL(0.03)),
                # The windows weigh alike, the JSON weighs I/Os: the partial
                # last window (fewer I/Os) moves the ratio a little.
                ('%s clat windows mean / JSON mean' % tag, MEAN_OVER_JSON('clat', d, job), ABS(0.25)),
                ('%s lat windows mean / JSON mean' % tag, MEAN_OVER_JSON('lat', d, job), ABS(0.25)),
            ]
        figs.append(('job %d bw columns' % job, COLS('bw', job), EXACT))
    return figs


def add(case):
    # randrw on null, rate-limited: every window of both directions, and the
    # partial last latency window at 2500 ms.
    job = """
[j]
ioengine=null
size=1g
bs=4k
rw=randrw
rate_iops=1000
time_based
runtime=2500ms
"""
    case('series', 'series-null-randrw', job + LOGS, figures_for((0, 1)),
         kit_job=job, kit_args=KIT_ARGS)

    # A sized psync job on a file (ends by itself at ~2.2 s) with numjobs=2:
    # one series per clone, the rates of the full windows only.
    job = """
[j]
ioengine=psync
filename=data.bin
size=16m
io_size=8800k
bs=4k
rw=randread
rate_iops=1000
numjobs=2
"""
    case('series', 'series-psync-numjobs', job + LOGS, figures_for((0,), jobs=(1, 2)),
         kit_job=job, kit_args=KIT_ARGS)
