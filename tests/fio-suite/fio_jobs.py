"""The shared main() of the scripts that run fio 3.33's own job files under
fiokit (tests/engine/run_fio_*_jobs.py, tests/fidelity/run_examples_*.py):
find fio's source package (never copied into the repository), make a
temporary directory for the shrunk copies and remove it afterwards, run
`fiokit run --output-format=json` on a job text there, collect what each
script's checks found wrong and turn it into the exit code: 0 when nothing
was, 1 when something was, 2 for a bad command line, and 77 (CTest's skip)
with the reason when fio's source is not unpacked, so a missing source is
never a pass that checked nothing. Each script keeps only what is its own:
how it shrinks fio's files and what it checks.
"""
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile

SKIP = 77
CACHE = os.environ.get('FIOKIT_FIO_SRC_CACHE', '/var/tmp/fiokit-fio-src')


class RunFailed(Exception):
    """fiokit exited non-zero on a job file: the script's checks cannot go on."""


def find_source(given, need):
    """fio's source tree: `given` (a command-line argument), $FIO_SRC, or the
    newest fio-3.* that tests/fio-suite/run unpacked into the cache; None
    unless the file `need` (relative to the tree) is in it."""
    src = given or os.environ.get('FIO_SRC')
    if not src:
        found = sorted(glob.glob(os.path.join(CACHE, 'fio-3.*', need)))
        src = found[-1][:-len(need)] if found else None
    if src and os.path.exists(os.path.join(src, need)):
        return src
    return None


class Context:
    """What a script's check(ctx) works with: the fiokit binary, fio's tree,
    a temporary directory (removed after the checks) and the failures list."""

    def __init__(self, fiokit, src, tmp):
        self.fiokit, self.src, self.tmp = fiokit, src, tmp
        self.failures = []
        self.stderr = ''

    def read(self, rel):
        """The text of one of fio's files, `rel` relative to its tree."""
        with open(os.path.join(self.src, rel)) as f:
            return f.read()

    def fresh_dir(self):
        """A new empty directory inside tmp, for a run whose files must not
        meet an earlier run's."""
        return tempfile.mkdtemp(dir=self.tmp)

    def run(self, name, text, args=(), cwd=None):
        """Writes `text` to `name` in `cwd` (default tmp), runs fiokit on it
        there and returns its JSON; raises RunFailed with the exit code and
        the tail of stderr when fiokit fails. The run's stderr stays in
        self.stderr for checks of fiokit's messages."""
        cwd = cwd or self.tmp
        with open(os.path.join(cwd, name), 'w') as f:
            f.write(text)
        p = subprocess.run([self.fiokit, 'run', '--output-format=json'] + list(args) + [name], cwd=cwd,
                           capture_output=True, text=True, timeout=120)
        self.stderr = p.stderr
        if p.returncode != 0:
            raise RunFailed('%s: exit %d: %s' % (name, p.returncode, p.stderr.strip()[-400:]))
        return json.loads(p.stdout)


def main(check, need, usage, workdir=False, ok=None):
    """Runs check(ctx) and returns the exit code. The command line is
    FIOKIT [FIO_SRC], or FIOKIT WORKDIR [FIO_SRC] with workdir=True (the
    temporary directory goes below WORKDIR, a real disk under the build dir;
    otherwise below the system's temp dir). `need` is a file of fio's tree
    the script reads; `ok` is printed when no check failed."""
    argv = sys.argv[1:]
    nfixed = 2 if workdir else 1
    if len(argv) < nfixed:
        print(usage)
        return 2
    fiokit = os.path.abspath(argv[0])
    src = find_source(argv[nfixed] if len(argv) > nfixed else None, need)
    if not src:
        print('SKIP: fio 3.33 source package not found (%s is absent; tests/fio-suite/run '
              'fetches it with apt-get source fio into %s)' % (need, CACHE))
        return SKIP
    work = None
    if workdir:
        work = os.path.abspath(argv[1])
        os.makedirs(work, exist_ok=True)
    ctx = Context(fiokit, src, tempfile.mkdtemp(prefix='fiokit-fio-jobs-', dir=work))
    try:
        check(ctx)
    except RunFailed as e:
        ctx.failures.append(str(e))
    finally:
        shutil.rmtree(ctx.tmp, ignore_errors=True)
    for f in ctx.failures:
        print('FAIL:', f)
    if not ctx.failures and ok:
        print('ok:', ok)
    return 1 if ctx.failures else 0
