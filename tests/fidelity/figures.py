# Figures and bands for the differential suite: how a number is read out of
# one run (fio's or fiokit's JSON, logs, text output) and how close fiokit's
# value must be to fio's. Extractors take a Run (json, text, the run's
# directory) and return a number, a string (compared exactly) or a dict of
# name -> number (one figure per entry, e.g. a histogram). Everything here is
# written from fio 3.33's documented output formats (HOWTO "Log File Formats",
# "Terse output", JSON schema as fio prints it), not from fio's source.
import glob
import math
import os
import re
import statistics
import subprocess


class Band:
    """How far fiokit's median may be from fio's median.

    exact: equal (counts of sized jobs, log rows, key sets).
    abs:   |fiokit - fio| <= tol (shares in percent or as a fraction).
    rel:   |fiokit - fio| <= tol * max(|fio|, |fiokit|) (rate-limited rates).
    ratio: fiokit / fio within [1/tol, tol] (device-bound bw and latency on a
           noisy shared disk; compared as medians over the alternated runs).
    """

    def __init__(self, kind, tol=0.0):
        self.kind, self.tol = kind, tol

    def describe(self):
        if self.kind == 'exact':
            return 'exact'
        if self.kind == 'abs':
            return '+-%g' % self.tol
        if self.kind == 'rel':
            return '+-%g%%' % (self.tol * 100)
        return 'x%g' % self.tol

    def ok(self, fio, kit):
        if fio is None or kit is None:
            return False  # a figure fio does not give is a broken case, not a pass
        if isinstance(fio, str) or isinstance(kit, str) or self.kind == 'exact':
            return fio == kit
        if self.kind == 'abs':
            return abs(kit - fio) <= self.tol
        if self.kind == 'rel':
            return abs(kit - fio) <= self.tol * max(abs(fio), abs(kit), 1e-12)
        if fio == 0 or kit == 0:
            return fio == kit
        r = kit / fio
        return 1.0 / self.tol <= r <= self.tol


EXACT = Band('exact')


def ABS(t):
    return Band('abs', t)


def REL(t):
    return Band('rel', t)


def RATIO(t):
    return Band('ratio', t)


# Device-bound figures on the shared disk: wide. Latency is noisier than bw.
WIDE_BW = RATIO(2.0)
WIDE_LAT = RATIO(3.0)
SHARE = ABS(3.0)  # percentage points, for distributions given in percent


class Run:
    """One tool's run of one case: its parsed JSON (or None), text output, dir."""

    def __init__(self, tool, rc, json_doc, text, directory, stderr):
        self.tool, self.rc, self.json, self.text = tool, rc, json_doc, text
        self.dir, self.stderr = directory, stderr


def median_of(values):
    """Median for numbers, the most common value for strings."""
    vals = [v for v in values if v is not None]
    if not vals:
        return None
    if any(isinstance(v, str) for v in vals):
        return max(set(vals), key=vals.count)
    return statistics.median(vals)


# ---- JSON extractors -------------------------------------------------------

def dig(doc, path):
    cur = doc
    for part in path.split('.'):
        if cur is None:
            return None
        if isinstance(cur, list):
            cur = cur[int(part)] if int(part) < len(cur) else None
        else:
            cur = cur.get(part)
    return cur


def J(path, job=0):
    """A value of job `job` (index into "jobs"), e.g. J('read.io_bytes')."""
    return lambda r: dig(r.json, 'jobs.%d.%s' % (job, path)) if r.json else None


def JN(name, path):
    """A value of the job called `name` (jobname), for multi-job files."""
    def get(r):
        for j in (r.json or {}).get('jobs', []):
            if j.get('jobname') == name:
                return dig(j, path)
        return None
    return get


def PCT(name, ddir, pct, lat='clat_ns'):
    """A latency percentile of job `name` ('50.000000' keys hold a dot)."""
    def get(r):
        p = JN(name, '%s.%s.percentile' % (ddir, lat))(r)
        return p.get('%.6f' % pct) if isinstance(p, dict) else None
    return get


def SUM(path):
    """The sum of `path` over every job in the output."""
    def get(r):
        vals = [dig(j, path) for j in (r.json or {}).get('jobs', [])]
        return sum(v for v in vals if v is not None) if vals else None
    return get


def IO_COUNTS(*ddirs):
    """Bytes and I/Os of each direction, exact: what a sized job must match."""
    return [(d + k, J(d + k), EXACT) for d in ddirs for k in ('.io_bytes', '.total_ios')]


def NJOBS(r):
    return len((r.json or {}).get('jobs', [])) if r.json else None


def READ_SHARE(job=0):
    """Percent of I/Os that were reads (rwmixread)."""
    def get(r):
        rd, wr = J('read.total_ios', job)(r), J('write.total_ios', job)(r)
        if rd is None or wr is None or rd + wr == 0:
            return None
        return 100.0 * rd / (rd + wr)
    return get


def MEAN_BS(ddir, job=0):
    def get(r):
        b, n = J(ddir + '.io_bytes', job)(r), J(ddir + '.total_ios', job)(r)
        return b / n if b is not None and n else None
    return get


def DEPTHS(key, name=None):
    """The iodepth / submit / complete distribution (percent per bucket)."""
    def get(r):
        jobs = (r.json or {}).get('jobs', [])
        job = next((j for j in jobs if name is None or j.get('jobname') == name), None)
        if job is None or key not in job:
            return None
        return {k: float(v) for k, v in job[key].items()}
    return get


def KEYS(path):
    """The sorted key set of a JSON object, as one string (compared exactly)."""
    def get(r):
        obj = dig(r.json, path) if r.json else None
        return ' | '.join(sorted(obj.keys())) if isinstance(obj, dict) else None
    return get


def JOB_KEYS(name, sub):
    """The sorted key set of object `sub` of the job called `name`; '(absent)'
    when that job is in the output without it (fio leaves "job options" out
    of a job whose only options carry no value, e.g. new_group)."""
    def get(r):
        obj = JN(name, sub)(r)
        if isinstance(obj, dict):
            return ' | '.join(sorted(obj.keys()))
        return '(absent)' if JN(name, 'jobname')(r) is not None else None
    return get


def TOP_KEYS(r):
    """Top-level keys, less "fiokit": fiokit's own data lives under that one
    key by design (README, "The run directory"); every other key must match."""
    return ' | '.join(sorted(k for k in r.json.keys() if k != 'fiokit')) if r.json else None


# ---- log extractors (fio's log format: time, value, ddir, bs, offset, ...) --

# A per-I/O latency log that carries each I/O's offset: add it to a job and
# read its first file, P, with the offset extractors below.
OFFSET_LOG = """
write_lat_log=p
log_avg_msec=0
log_offset=1
"""
P = 'p_lat.1.log'


def read_log(r, pattern):
    """Rows of the one log matching `pattern` in the run dir (a list of lists)."""
    files = sorted(glob.glob(os.path.join(r.dir, pattern)))
    if len(files) != 1:
        return None
    rows = []
    with open(files[0]) as f:
        for line in f:
            line = line.strip()
            if line:
                rows.append([x.strip() for x in line.split(',')])
    return rows


def LOG_ROWS(pattern):
    def get(r):
        rows = read_log(r, pattern)
        return len(rows) if rows is not None else None
    return get


def LOG_COLS(pattern):
    def get(r):
        rows = read_log(r, pattern)
        return len(rows[0]) if rows else None
    return get


def LOG_TIME(pattern, which):
    """The time (ms) of the first or last row."""
    def get(r):
        rows = read_log(r, pattern)
        return int(rows[0 if which == 'first' else -1][0]) if rows else None
    return get


def LOG_VALUE_MEDIAN(pattern, skip_last=False):
    def get(r):
        rows = read_log(r, pattern)
        if not rows:
            return None
        rows = rows[:-1] if skip_last and len(rows) > 1 else rows
        return statistics.median(int(x[1]) for x in rows)
    return get


def LOG_HOLDS_MAXIMA(pattern, path='read.clat_ns'):
    """With log_max_value=1 each window logs its largest sample, so the largest
    logged value is the job's JSON max and every window is at least its mean.
    A property of the log, not a latency: the maxima themselves are scheduler
    noise (fio's null engine 6-8 us under load against fiokit's 1.3 us)."""
    def get(r):
        rows = read_log(r, pattern)
        stats = dig(r.json['jobs'][0], path) if r.json else None
        if not rows or not stats:
            return None
        values = [int(x[1]) for x in rows]
        return (max(values) == int(stats['max']),
                all(v >= stats['mean'] for v in values))
    return get


def LOG_LAST_VALUE_RATIO(pattern):
    """Last row's value / median of the others: fio never extrapolates the
    last partial window, so a short last window shows a small value (or none)."""
    def get(r):
        rows = read_log(r, pattern)
        if not rows or len(rows) < 3:
            return None
        med = statistics.median(int(x[1]) for x in rows[:-1])
        return round(int(rows[-1][1]) / med, 2) if med else None
    return get


def offsets(r, pattern):
    rows = read_log(r, pattern)
    if rows is None:
        return None
    return [int(x[4]) for x in rows if len(x) >= 5]


def OFFSET_HIST(pattern, size, buckets=10):
    """Percent of I/Os per 1/buckets of the file: the shape of a random
    distribution (zipf, pareto, normal, zoned)."""
    def get(r):
        offs = offsets(r, pattern)
        if not offs:
            return None
        h = [0] * buckets
        for o in offs:
            h[min(buckets - 1, o * buckets // size)] += 1
        return {'b%d' % i: 100.0 * c / len(offs) for i, c in enumerate(h)}
    return get


def OFFSET_UNIQUE(pattern):
    """Distinct offsets: with the random map, every block exactly once."""
    def get(r):
        offs = offsets(r, pattern)
        return len(set(offs)) if offs is not None else None
    return get


def OFFSET_HOT(pattern, bs, top_pct=1.0):
    """Percent of I/Os that went to the hottest top_pct% of the distinct blocks."""
    def get(r):
        offs = offsets(r, pattern)
        if not offs:
            return None
        counts = {}
        for o in offs:
            counts[o // bs] = counts.get(o // bs, 0) + 1
        ranked = sorted(counts.values(), reverse=True)
        n = max(1, int(math.ceil(len(ranked) * top_pct / 100.0)))
        return 100.0 * sum(ranked[:n]) / len(offs)
    return get


def OFFSET_BACKSTEPS(pattern):
    """How often the offset did not increase from one I/O to the next: tells
    roundrobin (each file in turn) from sequential file service."""
    def get(r):
        offs = offsets(r, pattern)
        if offs is None:
            return None
        return sum(1 for a, b in zip(offs, offs[1:]) if b <= a)
    return get


def OFFSET_ORDER(pattern, bs=1):
    """The whole offset sequence (in units of bs) as one string: the figure
    for orders a job fully determines (a replay, a sequential modifier)."""
    def get(r):
        offs = offsets(r, pattern)
        return ' '.join(str(o // bs) for o in offs) if offs else None
    return get


def _pairs(pattern, pred):
    """How many I/Os stand in relation `pred(previous, this)` to the one before."""
    def get(r):
        offs = offsets(r, pattern)
        return sum(1 for a, b in zip(offs, offs[1:]) if pred(a, b)) if offs else None
    return get


def FOLLOWS(pattern, bs):
    """How many I/Os start where the previous one ended."""
    return _pairs(pattern, lambda a, b: b == a + bs)


def REPEATS(pattern):
    """How many I/Os start where the previous one started (rw_sequencer=identical)."""
    return _pairs(pattern, lambda a, b: a == b)


def GAPS(pattern, bs):
    """How many I/Os start beyond the end of the previous one (holes)."""
    return _pairs(pattern, lambda a, b: b > a + bs)


def BS_SHARES(pattern):
    """Percent of I/Os per block size (column 4 of a per-I/O log)."""
    def get(r):
        rows = read_log(r, pattern)
        if not rows:
            return None
        counts = {}
        for x in rows:
            counts[x[3]] = counts.get(x[3], 0) + 1
        return {'bs' + k: 100.0 * v / len(rows) for k, v in counts.items()}
    return get


def FILES(pattern):
    """How many data files the job left in its directory."""
    return lambda r: len(glob.glob(os.path.join(r.dir, pattern)))


def FILE_SIZE(name):
    """The length of one file the job left in its run dir (-1: none)."""
    def get(r):
        path = os.path.join(r.dir, name)
        return os.path.getsize(path) if os.path.exists(path) else -1
    return get


def FILE_LENGTHS(pattern):
    """The lengths of the files matching `pattern`, sorted by name, as one string."""
    return lambda r: ' '.join(str(os.path.getsize(p)) for p in sorted(glob.glob(os.path.join(r.dir, pattern))))


# ---- text formats ------------------------------------------------------------

def TERSE_FIELDS(r):
    """Field count of each terse line, e.g. '130,130' for two jobs."""
    lines = [l for l in r.text.splitlines() if l.count(';') > 10]
    return ','.join(str(len(l.split(';'))) for l in lines) if lines else None


def VERSION_SHAPE(get):
    """A version string reduced to its shape: fio prints fio-3.33, fiokit
    fiokit-<version> on purpose (README, "Differences from fio")."""
    def shape(r):
        v = get(r)
        return re.sub(r'^(fio|fiokit)-\d+(\.\d+)*$', '<tool>-<version>', v) if v is not None else None
    return shape


def TERSE_FIELD(idx, line=0):
    def get(r):
        lines = [l for l in r.text.splitlines() if l.count(';') > 10]
        if len(lines) <= line:
            return None
        f = lines[line].split(';')
        return f[idx] if idx < len(f) else None
    return get


LABEL = re.compile(r'^\s*([A-Za-z][A-Za-z0-9 /()_.-]*?)\s*[:=]')


def NORMAL_LABELS(r):
    """The set of line labels of fio's normal output ('read', 'clat (usec)',
    'IO depths', 'Run status group 0 (all jobs)', ...), units taken out."""
    labels = set()
    for line in r.text.splitlines():
        if line.startswith('Volumes (fiokit):'):
            break  # fiokit's own section, after fio's report (README)
        m = LABEL.match(line)
        if m:
            lab = re.sub(r'\((n|u|m)?sec\)|\((K|M|G)?i?B/s\)', '(unit)', m.group(1))
            lab = re.sub(r'\d+', 'N', lab)
            labels.add(lab.strip())
    return ' | '.join(sorted(labels)) if labels else None


def NORMAL_LINES(r):
    return len([l for l in r.text.splitlines() if l.strip()]) if r.text else None


# ---- 'pre' steps ---------------------------------------------------------------

def tool_of(workdir):
    """Which tool a case's 'pre' step runs for: fidelity.py runs each tool
    in BASE/<tool>-<i>."""
    return os.path.basename(workdir).rsplit('-', 1)[0]


def run_job_with(tool, tools, workdir, jobfile):
    """`tool` ('fio' or 'fiokit') runs `jobfile` in `workdir`, output thrown
    away; raises when it fails (the case cannot go on)."""
    cmd = [tools['fio'], '--output=/dev/null', jobfile] if tool == 'fio' else \
          [tools['fiokit'], 'run', '--eta=never', '--output=/dev/null', jobfile]
    subprocess.run(cmd, cwd=workdir, check=True, capture_output=True, timeout=60)
