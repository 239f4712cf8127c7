# Differential cases, group "exec" (issue 15, part exec): ioengine=exec and
# exec_prerun / exec_postrun against fio 3.33. The figures are the
# deterministic properties of fio's exec engine: an I/O every ~100 ms (a
# 50 ms poll inside the I/O, then a 50 ms think time), no bytes, SIGTERM once
# the runtime is over, grace_time seconds before the job ends and SIGKILL;
# the program's argv after fio's %r / %n substitutions and space splitting;
# its output files; and where the job's shell commands run relative to its
# files and I/O. Counts are bands of two I/Os (the poll is wall-clock time on
# shared cores: under load, sleeps overshoot in both tools); the job's
# runtime a band of 250 ms around fio's (fio also thinks 50 ms after the
# last I/O, fiokit stops at the runtime).
import os

from figures import ABS, EXACT, J

# A program that prints its argv, traps SIGTERM (writes term.log and keeps
# running, so only the SIGKILL ends it) and leaves its pid in prog.pid.
PROG = """#!/bin/sh
echo "argv: $*"
echo "to-stderr" >&2
echo $$ > prog.pid
trap 'echo got-term >> term.log' TERM
while true; do sleep 0.02; done
"""


def _write_prog(workdir, _tools):
    path = os.path.join(workdir, 'prog.sh')
    with open(path, 'w') as f:
        f.write(PROG)
    os.chmod(path, 0o755)


def _write_feed(workdir, _tools):
    path = os.path.join(workdir, 'feed.sh')
    with open(path, 'w') as f:
        f.write("#!/bin/sh\nhead -c 65536 /dev/zero | tr '\\000' 'Z' > data.bin\necho fed >> fed.log\n")
    os.chmod(path, 0o755)


def TEXT(name):
    """The content of a file the run left in its directory (None if absent)."""
    def get(r):
        p = os.path.join(r.dir, name)
        return open(p).read() if os.path.exists(p) else None
    return get


def EXISTS(name):
    return lambda r: os.path.exists(os.path.join(r.dir, name))


def SAME(a, b):
    """Whether two files the run left have the same bytes."""
    def get(r):
        with open(os.path.join(r.dir, a), 'rb') as fa, open(os.path.join(r.dir, b), 'rb') as fb:
            return fa.read() == fb.read()
    return get


def PROG_GONE(r):
    """The program is dead (or a zombie nobody waits for) once the tool has exited."""
    with open(os.path.join(r.dir, 'prog.pid')) as f:
        pid = int(f.read())
    try:
        with open('/proc/%d/stat' % pid) as f:
            return f.read().rsplit(')', 1)[1].split()[0] == 'Z'
    except OSError:
        return True


def add(case):
    noio = [('read.io_bytes', J('read.io_bytes'), EXACT),
            ('read.runtime', J('read.runtime'), EXACT),
            ('read.iops', J('read.iops'), EXACT),
            ('read.slat_ns.N', J('read.slat_ns.N'), EXACT),
            ('clat N = total_ios', lambda r: J('read.clat_ns.N')(r) == J('read.total_ios')(r), EXACT),
            ('lat N = total_ios', lambda r: J('read.lat_ns.N')(r) == J('read.total_ios')(r), EXACT),
            ('error', J('error'), EXACT)]
    # examples/exec.fio's sleep job, shrunk: /bin/sleep %r, no grace, no
    # redirect. runtime=1: the fork, then 10 polls (11 I/Os, fio's count), the
    # job ends at ~1.05 s; the mean I/O ~46 ms (10 x 50 ms and the fork).
    case('exec', 'exec-sleep-runtime', """
[sleep]
ioengine=exec
runtime=1
program=/bin/sleep
arguments=%r
grace_time=0
std_redirect=0
""", noio + [('read.total_ios', J('read.total_ios'), ABS(2)),
             ('job_runtime', J('job_runtime'), ABS(250)),
             ('mean lat (ms)', lambda r: round(J('read.lat_ns.mean')(r) / 1e6), ABS(12)),
             ('NAME.stdout made', EXISTS('sleep.stdout'), EXACT)])
    # std_redirect=1 (default): argv after %r / %n and fio's split on spaces
    # (runs of spaces collapse, no quoting) in NAME.stdout, stderr in
    # NAME.stderr. The program traps SIGTERM: it gets it once the runtime is
    # over, lives grace_time=1 more second (the job lasts ~2.09 s, its last
    # I/O over 1 s), then SIGKILL ends it.
    case('exec', 'exec-redirect-grace', """
[mon]
ioengine=exec
runtime=1
program=./prog.sh
arguments=x%ry  %n   "a b" %n%r
grace_time=1
""", noio + [('read.total_ios', J('read.total_ios'), ABS(2)),
             ('job_runtime', J('job_runtime'), ABS(250)),
             ('last I/O held grace_time (lat max >= 1 s)', lambda r: J('read.lat_ns.max')(r) >= 1e9, EXACT),
             ('mon.stdout', TEXT('mon.stdout'), EXACT),
             ('mon.stderr', TEXT('mon.stderr'), EXACT),
             ('term.log', TEXT('term.log'), EXACT),
             ('program gone after the run', PROG_GONE, EXACT)], pre=_write_prog)
    # number_ios ends the job before its runtime: the program is killed
    # (SIGKILL) without a SIGTERM, so the trap never writes term.log.
    case('exec', 'exec-number_ios', """
[mon]
ioengine=exec
runtime=20
number_ios=4
program=./prog.sh
""", noio + [('read.total_ios', J('read.total_ios'), EXACT),
             ('term.log written', EXISTS('term.log'), EXACT),
             ('job_runtime < 1 s', lambda r: J('job_runtime')(r) < 1000, EXACT),
             ('program gone after the run', PROG_GONE, EXACT)], pre=_write_prog)
    # exec_prerun runs after the job's file is laid out and before its first
    # write (its copy has the file's size, not the written bytes);
    # exec_postrun after the last write (its copy is the written file). Their
    # output goes to NAME.prerun.txt / NAME.postrun.txt, stderr included.
    case('exec', 'exec-prerun-postrun-order', """
[w]
ioengine=psync
rw=write
bs=4k
size=64k
filename=data.bin
exec_prerun=sh -c 'cp data.bin pre-copy.bin && echo pre-out && echo pre-err >&2'
exec_postrun=sh -c 'cp data.bin post-copy.bin && echo post-out'
""", [('write.io_bytes', J('write.io_bytes'), EXACT),
      ('error', J('error'), EXACT),
      ('pre-copy size', lambda r: os.path.getsize(os.path.join(r.dir, 'pre-copy.bin')), EXACT),
      ('pre-copy = written file', SAME('pre-copy.bin', 'data.bin'), EXACT),
      ('post-copy = written file', SAME('post-copy.bin', 'data.bin'), EXACT),
      ('w.prerun.txt', TEXT('w.prerun.txt'), EXACT),
      ('w.postrun.txt', TEXT('w.postrun.txt'), EXACT)])
    # A prerun that writes the file the job then reads (after the layout
    # made it): the job reads the prerun's 64 KiB, which stay as it wrote
    # them, and verify=pattern checks every byte read is the prerun's 'Z'.
    case('exec', 'exec-prerun-feeds-read', """
[r]
ioengine=psync
rw=read
bs=4k
size=64k
filename=data.bin
verify=pattern
verify_pattern=0x5a
exec_prerun=./feed.sh
""", [('read.io_bytes', J('read.io_bytes'), EXACT),
      ('error', J('error'), EXACT),
      ('data.bin is the prerun\'s', lambda r: open(os.path.join(r.dir, 'data.bin'), 'rb').read() == b'Z' * 65536, EXACT),
      ('fed.log', TEXT('fed.log'), EXACT)], pre=_write_feed)
