#!/usr/bin/env python3
"""Runs every job file of fio 3.33's examples/ and t/jobs/ that fiokit parses
and whose engines fiokit has, shrunk, with BOTH fio 3.33 and fiokit, and
requires fiokit to exit 0 wherever fio exits 0 on the same shrunk copy (CTest
fio_jobs_run). tests/fio-suite/coverage checks that the files parse; this
checks that parsing was not the end of it: the options fiokit accepted also
run. Each file is rewritten line by line into a fresh directory per tool
(shrink() below says what changes and why: targets and logs redirected into
that directory, sizes, times and job counts capped, fill_device and sysfs
writers dropped, an absent exec program replaced by a stand-in) and a file is
never run unless every path option of the rewritten text stays inside it.
Prints one line per file (ran / skipped and why / failed, with both exit
codes and the tail of fiokit's stderr), a table of counts and the time taken.
Exit 1 when fiokit fails where fio does not (and the file is not in
EXCEPTIONS, each with its reason), 77 (CTest's skip) with the reason when
fio's source package is absent.

usage: tests/fio-suite/run_jobs.py --fiokit PATH [--fio fio] [--src DIR] [--only NAME ...]
"""
import argparse
import glob
import importlib.machinery
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import fio_jobs  # noqa: E402  (find_source, SKIP)


def load_coverage():
    """tests/fio-suite/coverage, for its ENV, HARDWARE and TOTAL (one list of
    absent engines, one set of environment values for both scripts)."""
    path = os.path.join(HERE, 'coverage')
    loader = importlib.machinery.SourceFileLoader('fio_suite_coverage', path)
    spec = importlib.util.spec_from_loader('fio_suite_coverage', loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


COV = load_coverage()
MIB = 1 << 20
CAP_SIZE = MIB          # size, filesize, io_size, io_limit: 1 MiB per file
CAP_OFFSET = MIB        # offset=4G would make fio lay out (and fallocate) 4 GiB
CAP_ZONE = 256 << 10    # zonesize/zonerange/zoneskip of 256M+ on a 1 MiB file
CAP_RUNTIME_MS = 500    # time_based jobs run 0.5 s
CAP_DELAY_MS = 100      # startdelay, ramp_time
CAP_THINK_US = 10000
CAP_NUMJOBS = 2
CAP_NRFILES = 4
CAP_LOOPS = 4
TIMEOUT = 60            # per tool and file; a hang is a failure, never a wait
STAND_IN = '/bin/echo'  # for an exec program that is not installed here

# Files where fiokit may fail though fio exits 0, each with why. Empty is the
# goal; an entry is a known difference that is right or out of this test's reach.
EXCEPTIONS = {
}

# Files not run, each with why (beyond "does not parse" and "engine absent").
NOT_RUN = {
}

# Jobs fio 3.33 cannot finish here, by a pattern of the file: fiokit runs
# them alone and must exit 0. Measured: [t] ioengine=null size=1m
# io_submit_mode=offload iodepth=16 (runtime=1 or not) never exits under fio
# 3.33 on this machine; it is stuck until killed.
FIO_HANGS = [
    (r'^\s*io_submit_mode\s*=\s*offload', 'fio 3.33 hangs with io_submit_mode=offload here (never exits)'),
]

# Options that name a file or directory: after shrink() none may point
# outside the run directory.
PATH_KEYS = ('filename', 'directory', 'filename_format', 'write_bw_log', 'write_lat_log', 'write_iops_log',
             'write_hist_log', 'write_iolog', 'read_iolog', 'replay_redirect', 'program', 'verify_state_load',
             'ioscheduler', 'exec_prerun', 'exec_postrun', 'cgroup', 'trigger_file', 'donorname', 'opendir',
             'pidfile', 'mem')
# Options dropped outright, with why.
DROP = {
    'fill_device': 'fill_device on a regular file fills the file system (size=1m keeps the job bounded)',
    'ioscheduler': 'writes the device\'s sysfs scheduler (needs root, changes the machine)',
    'exec_prerun': 'runs a shell command outside the run directory',
    'exec_postrun': 'runs a shell command outside the run directory',
    'cgroup': 'creates a cgroup (needs root, writes /sys/fs/cgroup)',
}

UNITS = {'': 1, 'k': 1 << 10, 'm': 1 << 20, 'g': 1 << 30, 't': 1 << 40, 'p': 1 << 50}
TIME_MS = {'us': 0.001, 'ms': 1, 's': 1000, '': 1000, 'm': 60000, 'h': 3600000, 'd': 86400000}


def parse_bytes(v):
    """Bytes of a size such as 4k, 1M, 100MiB, 102404k; None when not one."""
    m = re.fullmatch(r'(\d+)\s*([kmgtp]?)(i?b)?', v.strip().lower())
    return int(m.group(1)) * UNITS[m.group(2)] if m else None


def cap_bytes(v, cap):
    """A size value (or a range a-b) with each end capped at `cap`; values that
    are not plain sizes (percentages) are kept."""
    parts = v.split('-')
    out = []
    for p in parts:
        n = parse_bytes(p)
        out.append(p if n is None or n <= cap else str(cap))
    return '-'.join(out)


def cap_time(v, cap_ms, default_unit='s'):
    """A time value capped at cap_ms milliseconds, in ms (or kept when it is
    not a plain time)."""
    parts = v.split('-')
    out = []
    for p in parts:
        m = re.fullmatch(r'(\d+)\s*(us|ms|s|m|h|d)?', p.strip().lower())
        if not m:
            out.append(p)
            continue
        ms = int(m.group(1)) * TIME_MS[m.group(2) or default_unit]
        out.append(p if ms <= cap_ms else '%dms' % cap_ms)
    return '-'.join(out)


def cap_int(v, cap):
    return str(cap) if v.strip().isdigit() and int(v) > cap else v


NCPU = os.cpu_count() or 1


def cpu_list_max(v):
    """The highest CPU of a list such as 0-3,6 (-1 when it is not one)."""
    nums = re.findall(r'\d+', v)
    return max(int(n) for n in nums) if re.fullmatch(r'[\d,\-]+', v.strip()) and nums else -1


def local_path(v):
    """An absolute path (or /dev/...) as a name inside the run directory."""
    return re.sub(r'[^\w.$-]', '_', v.strip('/')) or 'target'


def redirect_files(v):
    """filename=a:b:/dev/sdb: each absolute part made local (fio's ':'
    separates files)."""
    return ':'.join(local_path(p) if p.startswith('/') else p for p in v.split(':'))


def shrink(text, o_direct, exec_ok):
    """(new text, notes): the job file shrunk to run in a fresh directory. A
    [global] section is put first with size=1m so that a job whose target was
    a device (its size) gets a bounded file, and runtime=500ms so that a
    rate-limited job (rate=1250 is 1250 bytes/s) ends too; the file's own
    values are capped, never raised."""
    out = ['; shrunk copy made by fiokit tests/fio-suite/run_jobs.py', '[global]', 'size=1m',
           'runtime=%dms' % CAP_RUNTIME_MS, '']
    notes = []
    for line in text.splitlines():
        m = re.match(r'^(\s*)([A-Za-z_0-9]+)\s*=\s*(.*?)\s*(?:[;#].*)?$', line)
        if not m or line.lstrip().startswith(('#', ';', '[')):
            out.append(line)
            continue
        ind, key, val = m.group(1), m.group(2).lower(), m.group(3)
        new = val
        if key in DROP:
            if val.strip() not in ('0', ''):
                notes.append('dropped %s (%s)' % (key, DROP[key]))
            continue
        if key == 'filename' or key == 'filename_format':
            new = redirect_files(val)
        elif key == 'directory':
            new = ':'.join('.' if p.startswith('/') else p for p in val.split(':'))
        elif key in ('write_bw_log', 'write_lat_log', 'write_iops_log', 'write_hist_log', 'write_iolog',
                     'read_iolog', 'replay_redirect', 'verify_state_load'):
            new = local_path(val) if val.startswith('/') else val
        elif key in ('size', 'filesize', 'io_size', 'io_limit'):
            new = cap_bytes(val, CAP_SIZE)
        elif key in ('offset', 'offset_increment'):
            new = cap_bytes(val, CAP_OFFSET)
        elif key in ('zonesize', 'zonerange', 'zoneskip'):
            new = cap_bytes(val, CAP_ZONE)
        elif key == 'runtime':
            new = cap_time(val, CAP_RUNTIME_MS)
        elif key in ('ss_dur', 'ss_ramp'):
            # steady state samples once a second: fio and fiokit refuse
            # sub-second values, so these are capped at 1 s, not 500 ms
            new = cap_time(val, 1000).replace('1000ms', '1s')
        elif key in ('startdelay', 'ramp_time'):
            new = cap_time(val, CAP_DELAY_MS)
        elif key == 'thinktime':
            new = cap_time(val, CAP_THINK_US // 1000, default_unit='us')
        elif key == 'numjobs':
            new = cap_int(val, CAP_NUMJOBS)
        elif key in ('nrfiles', 'nr_files'):
            new = cap_int(val, CAP_NRFILES)
        elif key == 'loops':
            new = cap_int(val, CAP_LOOPS)
        elif key == 'direct' and val == '1' and not o_direct:
            new = '0'
            notes.append('direct=0 (no O_DIRECT in the temp dir)')
        elif key in ('cpus_allowed', 'verify_async_cpus') and cpu_list_max(val) >= NCPU:
            new = '0-%d' % (NCPU - 1)
            notes.append('%s=%s beyond the %d CPUs here: %s' % (key, val, NCPU, new))
        elif key == 'program' and not exec_ok(val):
            new = STAND_IN
            notes.append('program %s absent: %s stands in' % (val, STAND_IN))
        out.append(line if new == val else '%s%s=%s' % (ind, key, new))
    return '\n'.join(out) + '\n', notes


def escapes(text):
    """The path options of `text` that would reach outside the run directory."""
    bad = []
    for line in text.splitlines():
        m = re.match(r'^\s*([A-Za-z_0-9]+)\s*=\s*(.*)$', line)
        if not m or m.group(1).lower() not in PATH_KEYS:
            continue
        key, val = m.group(1).lower(), m.group(2)
        if key == 'program' and (val == STAND_IN or os.path.dirname(val) in ('/bin', '/usr/bin')):
            continue  # a system program is run, not written
        if key == 'mem' and '/' not in val:
            continue
        if key in DROP or '..' in val or any(p.startswith('/') for p in val.split(':')):
            bad.append('%s=%s' % (key, val))
    return bad


def rel_dirs(text):
    """The relative directories a job file names (directory=tmp): made in
    the run directory first, as the user of the file has them."""
    out = []
    for val in re.findall(r'^\s*directory\s*=\s*(\S+)', text, re.M):
        out += [p for p in val.split(':') if p and not p.startswith('/') and '..' not in p]
    return out


def engines_of(text):
    return sorted(set(re.findall(r'^\s*ioengine\s*=\s*([\w-]+)', text, re.M))) or ['psync']


def registry_engines():
    """The engines fiokit's registry makes (engine/registry.cpp), so a new
    engine is run here as soon as it is registered."""
    with open(os.path.join(HERE, '..', '..', 'engine', 'registry.cpp')) as f:
        return set(re.findall(r'\{"([\w-]+)",\s*make_\w+_engine', f.read()))


def has_o_direct(d):
    try:
        fd = os.open(os.path.join(d, '.odirect'), os.O_CREAT | os.O_RDWR | os.O_DIRECT, 0o600)
        os.close(fd)
        return True
    except OSError:
        return False
    finally:
        if os.path.exists(os.path.join(d, '.odirect')):
            os.unlink(os.path.join(d, '.odirect'))


def descendants(root):
    """The pids below `root` (fio's job processes call setsid(), so a kill of
    the process group misses them; they are found by parent pid)."""
    parent = {}
    for st in glob.glob('/proc/[0-9]*/stat'):
        try:
            with open(st) as f:
                fields = f.read().rsplit(')', 1)[1].split()
            parent[int(st.split('/')[2])] = int(fields[1])
        except (OSError, IndexError, ValueError):
            pass
    out, todo = [], [root]
    while todo:
        kids = [pid for pid, pp in parent.items() if pp == todo.pop()]
        out += kids
        todo += kids
    return out


def run_tool(cmd, cwd, env):
    """(exit code or 'timeout', stderr, seconds); on a timeout the tool and
    every process below it are killed (killing only fio's parent left its
    job processes running)."""
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                         start_new_session=True)
    try:
        _, err = p.communicate(timeout=TIMEOUT)
        rc = p.returncode
    except subprocess.TimeoutExpired:
        for pid in [p.pid] + descendants(p.pid):
            try:
                os.kill(pid, 9)
            except ProcessLookupError:
                pass
        _, err = p.communicate()
        rc = 'timeout'
    return rc, err, time.monotonic() - t0


def tail(s, n=3):
    lines = [ln for ln in s.strip().splitlines() if ln.strip()]
    return ' | '.join(lines[-n:])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--fiokit', required=True)
    ap.add_argument('--fio', default='fio')
    ap.add_argument('--src', help="fio's source tree (default: the unpacked package in the cache)")
    ap.add_argument('--only', nargs='*', help='run only these files (basenames)')
    ap.add_argument('--keep', action='store_true', help='keep the temp dir (printed) for a look')
    args = ap.parse_args()
    src = fio_jobs.find_source(args.src, 't/jobs/t0001-52c58027.fio')
    if not src:
        print('SKIP: fio 3.33 source package not found (tests/fio-suite/run fetches it with apt-get source fio '
              'into %s)' % fio_jobs.CACHE)
        return fio_jobs.SKIP
    fio = shutil.which(args.fio)
    if not fio:
        print('SKIP: fio is not installed (the runs compare fiokit with fio 3.33)')
        return fio_jobs.SKIP
    fiokit = os.path.abspath(args.fiokit)
    files = sorted(glob.glob(os.path.join(src, 'examples', '*.fio'))) + \
        sorted(glob.glob(os.path.join(src, 't', 'jobs', '*.fio')))
    if args.only:
        files = [f for f in files if os.path.basename(f) in args.only]
    have = registry_engines()
    env = dict(os.environ, **COV.ENV)
    tmp = tempfile.mkdtemp(prefix='fiokit-jobs-run-', dir=os.environ.get('FIOKIT_RUN_JOBS_DIR', '/var/tmp'))
    o_direct = has_o_direct(tmp)
    t_start = time.monotonic()
    ran, skipped, failed, excepted, fio_failed = [], {}, [], [], []
    try:
        for path in files:
            name = os.path.basename(path)
            rel = os.path.relpath(path, src)
            with open(path) as f:
                text = f.read()
            why = NOT_RUN.get(name)
            if not why:
                absent = [e for e in engines_of(text) if e not in have or e in COV.HARDWARE]
                why = 'engine absent here: ' + ', '.join(absent) if absent else None
            if not why:
                p = subprocess.run([fiokit, 'run', '--parse-only', name], cwd=os.path.dirname(path), env=env,
                                   capture_output=True, text=True)
                why = 'fiokit does not parse it (coverage says why)' if p.returncode else None
            if why:
                skipped.setdefault(why, []).append(name)
                print('%-34s skipped: %s' % (rel, why))
                continue
            new, notes = shrink(text, o_direct, lambda prog: os.access(prog, os.X_OK))
            bad = escapes(new)
            if bad:
                failed.append(name)
                print('%-34s FAIL: the shrunk copy would reach outside the run dir: %s' % (rel, ', '.join(bad)))
                continue
            hang = next((why for pat, why in FIO_HANGS if re.search(pat, text, re.M)), None)
            # t/jobs/*-post.fio checks what its *-pre.fio left (fio's
            # run-tests runs the pair in one directory): run the pre first.
            pre = path.replace('-post.fio', '-pre.fio') if name.endswith('-post.fio') else None
            pre_text = None
            if pre and os.path.exists(pre):
                with open(pre) as f:
                    pre_text = shrink(f.read(), o_direct, lambda prog: os.access(prog, os.X_OK))[0]
                notes.append('run after %s in the same dir' % os.path.basename(pre))
            res = {'fio': ('-', '', 0.0)}
            for tool in ('fio', 'fiokit'):
                if tool == 'fio' and hang:
                    notes.append('fio not run: ' + hang)
                    continue
                d = os.path.join(tmp, os.path.splitext(name)[0] + '.' + tool)
                os.makedirs(d)
                for job_name, job_text in ((os.path.basename(pre or ''), pre_text), (name, new)):
                    if job_text is None:
                        continue
                    for sub in rel_dirs(job_text):
                        os.makedirs(os.path.join(d, sub), exist_ok=True)
                    with open(os.path.join(d, job_name), 'w') as f:
                        f.write(job_text)
                    cmd = [fio, '--eta=never', '--output=fio.out', job_name] if tool == 'fio' else \
                        [fiokit, 'run', '--eta', 'never', '--output', 'fiokit.out', '--data-dir', 'fiokit-data',
                         job_name]
                    res[tool] = run_tool(cmd, d, env)
            (frc, ferr, ft), (krc, kerr, kt) = res['fio'], res['fiokit']
            if hang:
                frc = 0  # judged alone: fiokit must finish and exit 0
            head = '%-34s fio %-7s %4.1fs  fiokit %-7s %4.1fs' % (rel, frc, ft, krc, kt)
            extra = ('  [' + '; '.join(notes) + ']') if notes else ''
            if frc == 0 and krc != 0:
                if name in EXCEPTIONS:
                    excepted.append(name)
                    print('%s  known: %s%s' % (head, EXCEPTIONS[name], extra))
                else:
                    failed.append(name)
                    print('%s  FAIL%s\n    fiokit stderr: %s' % (head, extra, tail(kerr)))
            else:
                ran.append(name)
                if frc != 0:
                    fio_failed.append(name)
                    print('%s  (fio fails too: %s)%s' % (head, tail(ferr, 1)[:160], extra))
                else:
                    print('%s  ok%s' % (head, extra))
    finally:
        if args.keep:
            print('kept:', tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    took = time.monotonic() - t_start
    print('\n%-28s %d' % ('ran, fiokit exit 0 as fio', len(ran) - len(fio_failed)))
    print('%-28s %d%s' % ('ran, fio fails too', len(fio_failed), (': ' + ', '.join(fio_failed)) if fio_failed else ''))
    for why, names in sorted(skipped.items()):
        print('%-28s %d (%s)' % ('skipped', len(names), why))
    if excepted:
        print('%-28s %d: %s' % ('known exceptions', len(excepted), ', '.join(excepted)))
    print('%-28s %d%s' % ('FAILED', len(failed), (': ' + ', '.join(failed)) if failed else ''))
    print('took %.0f s' % took)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
