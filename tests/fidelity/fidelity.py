#!/usr/bin/env python3
# The differential suite: runs each case's job file under fio 3.33 and under
# `fiokit run`, alternating (fio, fiokit, fio, fiokit, ...) so that drift on
# the shared disk hits both alike, reads both outputs and compares every
# figure of the case with its band (figures.py) on the medians over the runs.
# Each run gets a fresh directory under --dir (a real disk, not tmpfs: the
# buffered cases must reach the device) that is removed afterwards. Exit 0
# when every figure is inside its band, 1 otherwise, 77 (CTest's skip) with a
# reason when fio is not installed. bench/fidelity.sh runs the same table with
# more alternations.
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cases as case_table  # noqa: E402
from figures import Run, median_of  # noqa: E402

SKIP = 77


def fs_type(path):
    try:
        out = subprocess.run(['stat', '-f', '-c', '%T', path], capture_output=True, text=True)
        return out.stdout.strip()
    except OSError:
        return ''


def parse_json(text):
    """fio may print messages before the document; the JSON starts at '{'."""
    import json
    start = text.find('{')
    if start < 0:
        return None
    try:
        return json.loads(text[start:])
    except ValueError:
        return None


# The two executables, for a case's 'pre' step (set by main).
TOOLS = {}


def run_tool(tool, exe, case, fmt, workdir, timeout):
    os.makedirs(workdir)
    if case.get('pre'):
        # A case may prepare its run directory first (e.g. record an iolog
        # with one of the tools, which both then replay).
        case['pre'](workdir, TOOLS)
    # A case may give fiokit another job text and extra arguments (group
    # "series": fio's log_avg_msec=1000 logs against fiokit's series of the
    # same job without logs, kept with --data-dir).
    with open(os.path.join(workdir, 'job.fio'), 'w') as f:
        f.write(case['job'] if tool == 'fio' else case.get('kit_job', case['job']))
    out = os.path.join(workdir, 'out.txt')
    if tool == 'fio':
        cmd = [exe, '--output-format=' + fmt, '--output=' + out, 'job.fio']
    else:
        cmd = [exe, 'run', '--eta=never'] + case.get('kit_args', []) + ['--output-format=' + fmt, '--output=' + out, 'job.fio']
    try:
        p = subprocess.run(cmd, cwd=workdir, capture_output=True, text=True, timeout=timeout)
        rc, err = p.returncode, p.stderr + p.stdout
    except subprocess.TimeoutExpired:
        rc, err = -1, 'timed out after %ds' % timeout
    text = open(out).read() if os.path.exists(out) else ''
    doc = parse_json(text) if fmt.startswith('json') else None
    return Run(tool, rc, doc, text, workdir, err)


def safe(extract, run):
    """A figure that cannot be read (missing key, odd log) is None, not a crash."""
    try:
        return extract(run)
    except (KeyError, IndexError, ValueError, TypeError, ZeroDivisionError, OSError):
        return None


def evaluate(case, fig, runs_fio, runs_kit):
    """Rows (figure, fio, fiokit, band, ok) for one figure (a dict-valued
    extractor gives one row per key)."""
    label, extract, band = fig
    vf = [extract(r) for r in runs_fio]
    vk = [extract(r) for r in runs_kit]
    if any(isinstance(v, dict) for v in vf + vk):
        keys = sorted({k for v in vf + vk if isinstance(v, dict) for k in v})
        rows = []
        for k in keys:
            mf = median_of([v.get(k, 0.0) if isinstance(v, dict) else None for v in vf])
            mk = median_of([v.get(k, 0.0) if isinstance(v, dict) else None for v in vk])
            rows.append((label + '.' + k, mf, mk, band, band.ok(mf, mk)))
        return rows
    mf, mk = median_of(vf), median_of(vk)
    return [(label, mf, mk, band, band.ok(mf, mk))]


def fmt_val(v):
    if v is None:
        return '-'
    if isinstance(v, float):
        return '%.4g' % v
    if isinstance(v, str) and len(v) > 60:
        return v[:57] + '...'
    return str(v)


def ratio(f, k):
    if isinstance(f, (int, float)) and isinstance(k, (int, float)) and f:
        return '%.3f' % (k / f)
    return '-'


def diff_keys(f, k):
    """For key-set figures: what only fio has, what only fiokit has."""
    if not (isinstance(f, str) and isinstance(k, str)):
        return ''
    sep = ' | ' if ' | ' in f or ' | ' in k else ' '
    a, b = set(f.split(sep)), set(k.split(sep))
    return 'only fio: %s; only fiokit: %s' % (sorted(a - b)[:12], sorted(b - a)[:12])


def run_case(case, args):
    fmt = case.get('format', 'json')
    runs = {'fio': [], 'fiokit': []}
    base = tempfile.mkdtemp(prefix='fidelity-%s-' % case['name'], dir=args.dir)
    try:
        for i in range(case.get('runs', args.runs)):
            for tool, exe in (('fio', args.fio), ('fiokit', args.fiokit)):
                workdir = os.path.join(base, '%s-%d' % (tool, i))
                try:
                    r = run_tool(tool, exe, case, fmt, workdir, case.get('timeout', 60))
                    # Extract now: the directory is gone after the case.
                    r.values = [(label, safe(ex, r)) for label, ex, _ in case['figures']]
                finally:
                    # Undo what 'pre' set up (e.g. unmount a small file system)
                    # even when 'pre', the run or an extractor raised: a tmpfs
                    # left mounted under the run dir outlives the case.
                    if case.get('post') and os.path.isdir(workdir):
                        case['post'](workdir)
                runs[tool].append(r)
        rows = []
        # The exit code is a figure too: fiokit must fail where fio fails. A
        # fio run that does not exit as the case expects is a broken case.
        want = case.get('rc', 0)
        rc_fio = median_of([r.rc for r in runs['fio']])
        rc_kit = median_of([r.rc for r in runs['fiokit']])
        if (want is not None and rc_fio != want) or rc_kit != rc_fio:
            odd = next((r for r in runs['fiokit'] + runs['fio'] if r.rc != rc_fio), runs['fio'][0])
            rows.append(('exit code', rc_fio, rc_kit, None, False,
                         '%s: %s' % (odd.tool, ' / '.join(odd.stderr.strip().splitlines()[-3:]))))
        for fi, fig in enumerate(case['figures']):
            for label, mf, mk, band, ok in evaluate_cached(fig, fi, runs):
                rows.append((label, mf, mk, band, ok, diff_keys(mf, mk) if not ok else ''))
        return rows
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)


def evaluate_cached(fig, fi, runs):
    """evaluate() on the values extracted while each run's directory existed."""
    label, _, band = fig

    class V:  # a stand-in Run whose only content is the extracted value
        def __init__(self, v):
            self.v = v
    vf = [V(r.values[fi][1]) for r in runs['fio']]
    vk = [V(r.values[fi][1]) for r in runs['fiokit']]
    return evaluate(None, (label, lambda v: v.v, band), vf, vk)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument('--fiokit', required=True)
    ap.add_argument('--fio', default=os.environ.get('FIO', 'fio'))
    ap.add_argument('--group', action='append', help='case group (default: all)')
    ap.add_argument('--case', action='append', help='only cases whose name contains this')
    ap.add_argument('--runs', type=int, default=int(os.environ.get('FIOKIT_FIDELITY_RUNS', '3')))
    ap.add_argument('--dir', default=os.environ.get('FIOKIT_FIDELITY_DIR', ''))
    ap.add_argument('--all', action='store_true', help='print every figure, not only failures')
    ap.add_argument('--keep', action='store_true', help='keep the run directories')
    ap.add_argument('--list', action='store_true')
    args = ap.parse_args()

    selected = [c for c in case_table.CASES
                if (not args.group or c['group'] in args.group)
                and (not args.case or any(s in c['name'] for s in args.case))]
    if args.list:
        for c in selected:
            print(c['group'], c['name'])
        return 0
    fio = shutil.which(args.fio)
    if not fio:
        print('SKIP: fio is not installed (the differential suite compares against fio 3.33)')
        return SKIP
    ver = subprocess.run([fio, '--version'], capture_output=True, text=True).stdout.strip()
    if ver != 'fio-3.33':
        print('note: comparing against %s, not fio-3.33' % ver)
    args.fio = fio
    TOOLS.update(fio=fio, fiokit=os.path.abspath(args.fiokit))
    args.fiokit = os.path.abspath(args.fiokit)
    if not os.access(args.fiokit, os.X_OK):
        print('fiokit binary not found: %s' % args.fiokit)
        return 1
    if not args.dir:
        args.dir = tempfile.gettempdir()
    os.makedirs(args.dir, exist_ok=True)
    if fs_type(args.dir) in ('tmpfs', 'ramfs'):
        print('SKIP: %s is %s; buffered cases need a real disk (set FIOKIT_FIDELITY_DIR)'
              % (args.dir, fs_type(args.dir)))
        return SKIP
    if not selected:
        print('no case selected')
        return 1

    print('%-28s %-34s %12s %12s %7s %8s %s' % ('case', 'figure', 'fio', 'fiokit', 'ratio', 'band',
                                               'verdict'))
    failed_cases, nfig, nbad, nskip = [], 0, 0, 0
    t0 = time.time()
    for case in selected:
        # A case that needs what this machine cannot give (root, to mount a
        # small file system) says why; it is skipped, never passed.
        why = case['skip']() if case.get('skip') else None
        if why:
            print('%-28s SKIP: %s' % (case['name'], why))
            nskip += 1
            continue
        tc = time.time()
        rows = run_case(case, args)
        bad = [r for r in rows if not r[4]]
        # A device-bound figure (a ratio band: throughput, latency on the
        # shared disk) can fall outside its band because something else loaded
        # the machine during those runs. Such a case runs once more, with fresh
        # alternations, and that second verdict stands; the first one is
        # printed. Counts, shares and exact figures are never retried.
        if bad and all(r[3] is not None and r[3].kind == 'ratio' for r in bad):
            for label, mf, mk, band, ok, note in bad:
                print('%-28s %-34s %12s %12s %7s %8s %s' % (
                    case['name'], label, fmt_val(mf), fmt_val(mk), ratio(mf, mk),
                    band.describe(), 'outside on the first try; running the case again'))
            rows = run_case(case, args)
            bad = [r for r in rows if not r[4]]
        nfig += len(rows)
        nbad += len(bad)
        if bad:
            failed_cases.append(case['name'])
        for label, mf, mk, band, ok, note in rows:
            if ok and not args.all:
                continue
            verdict = 'ok' if ok else 'FAIL'
            if not ok and case.get('known'):
                verdict += ' (known: %s)' % case['known']
            print('%-28s %-34s %12s %12s %7s %8s %s' % (
                case['name'], label, fmt_val(mf), fmt_val(mk), ratio(mf, mk),
                band.describe() if band else '-', verdict))
            if note:
                print('%-28s   %s' % ('', note))
        sys.stdout.flush()
        if args.all:
            print('%-28s (%.1fs)' % (case['name'], time.time() - tc))
    print('\n%d cases, %d figures, %d outside their band, %d cases failing: %s (%.0fs, %d runs)'
          % (len(selected), nfig, nbad, len(failed_cases), ' '.join(failed_cases) or '-',
             time.time() - t0, args.runs))
    if nskip == len(selected):
        return SKIP
    return 1 if failed_cases else 0


if __name__ == '__main__':
    sys.exit(main())
