# Differential cases, group "logz" (issue 15): compressed logs. A stored log
# (log_store_compressed=1, NAME.log.fz) is fio's binary samples in zlib
# streams, so each tool's file is inflated by BOTH tools (`fio --inflate-log`
# and `fiokit --inflate-log`): the two texts must be identical, and what they
# hold is compared between the runs as deterministic figures: the file names,
# the row count and the ddir/bs/offset columns (an md5 of them) of sequential
# null-engine jobs; the value and time columns are timing and left out.
# log_compression without storing must leave the text log as it is.
import hashlib
import os
import subprocess

from figures import EXACT

TOOLS = {}


def keep_tools(workdir, tools):
    """'pre' step: the extractors below run both tools' --inflate-log."""
    TOOLS.update(tools)


def inflate(r, name, tool):
    path = os.path.join(r.dir, name)
    if not os.path.exists(path):
        return None
    cmd = [TOOLS['fio'], '--inflate-log=' + name] if tool == 'fio' else [TOOLS['fiokit'], '--inflate-log=' + name]
    p = subprocess.run(cmd, cwd=r.dir, capture_output=True, text=True, timeout=60)
    return p.stdout if p.returncode == 0 else None


def rows(text):
    return [ln.split(', ') for ln in text.splitlines() if ln.strip()]


def FZ_FILES(r):
    return ' '.join(sorted(f for f in os.listdir(r.dir) if '.log' in f))


def SAME_BOTH(name):
    """Both tools inflate the run's file into the same text."""
    def get(r):
        a, b = inflate(r, name, 'fio'), inflate(r, name, 'fiokit')
        if a is None or b is None:
            return None
        return 'same' if a == b else 'differ (fio %d rows, fiokit %d rows)' % (len(rows(a)), len(rows(b)))
    return get


def INFLATED_ROWS(name, tool):
    def get(r):
        t = inflate(r, name, tool)
        return len(rows(t)) if t is not None else None
    return get


def COLUMNS_MD5(name, cols, tool='fio', text_log=False):
    """md5 of the given columns of every row, in file order."""
    def get(r):
        if text_log:
            with open(os.path.join(r.dir, name)) as f:
                t = f.read()
        else:
            t = inflate(r, name, tool)
        if t is None:
            return None
        sel = '\n'.join(','.join(x[c] for c in cols) for x in rows(t))
        return hashlib.md5(sel.encode()).hexdigest()[:12]
    return get


def add(case):
    # Per-I/O bw and lat logs with offsets, stored compressed in 4 KiB chunks
    # (many streams in fiokit's file): 256 writes of 4 KiB in offset order.
    case('logz', 'logz-store-per-io', """
[z]
ioengine=null
size=1m
bs=4k
rw=write
write_bw_log=z
write_lat_log=z
log_offset=1
log_compression=4k
log_store_compressed=1
""", [('files', FZ_FILES, EXACT),
      ('bw rows (fio inflates)', INFLATED_ROWS('z_bw.1.log.fz', 'fio'), EXACT),
      ('bw rows (fiokit inflates)', INFLATED_ROWS('z_bw.1.log.fz', 'fiokit'), EXACT),
      ('bw both inflate alike', SAME_BOTH('z_bw.1.log.fz'), EXACT),
      ('clat both inflate alike', SAME_BOTH('z_clat.1.log.fz'), EXACT),
      ('bw ddir,bs,offset,prio md5', COLUMNS_MD5('z_bw.1.log.fz', [2, 3, 4, 5]), EXACT),
      ('clat ddir,bs,offset md5 (fiokit inflates)', COLUMNS_MD5('z_clat.1.log.fz', [2, 3, 4], 'fiokit'), EXACT)],
         pre=keep_tools)

    # fio's own t/log_compression.py shape, small: per_job_logs=0 and no
    # log_offset; a read job (ddir 0) and 2 clones sharing the stored file.
    case('logz', 'logz-store-shared', """
[s]
ioengine=null
size=512k
bs=8k
rw=read
numjobs=2
write_iops_log=s
per_job_logs=0
log_store_compressed=1
""", [('files', FZ_FILES, EXACT),
      ('iops rows (fio inflates)', INFLATED_ROWS('s_iops.log.fz', 'fio'), EXACT),
      ('iops rows (fiokit inflates)', INFLATED_ROWS('s_iops.log.fz', 'fiokit'), EXACT),
      ('iops both inflate alike', SAME_BOTH('s_iops.log.fz'), EXACT),
      ('iops ddir,bs md5', COLUMNS_MD5('s_iops.log.fz', [2, 3]), EXACT)],
         pre=keep_tools)

    # log_compression alone: the text log is the same as without it.
    case('logz', 'logz-text', """
[t]
ioengine=null
size=1m
bs=16k
rw=write
write_lat_log=t
log_offset=1
log_compression=1k
""", [('files', FZ_FILES, EXACT),
      ('clat ddir,bs,offset,prio md5', COLUMNS_MD5('t_clat.1.log', [2, 3, 4, 5], text_log=True), EXACT)],
         pre=keep_tools)
