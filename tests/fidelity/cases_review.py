# Differential cases, group "review" (issue 16, part review): the engine
# review fixes against fio 3.33. A cpuio job without runtime ends with the
# I/O jobs of its group (exit_on_io_done=1, or an exitall job): one burn
# cycle, exact: the I/O job runs ~100 ms (5 I/Os at rate_iops=40), so it is
# running when the first 20 ms cycle starts and over before the 180 ms
# think time ends (a plain 1 MiB write could end before the first cycle). The
# per-I/O logs carry each I/O's priority column as fio writes it (1 for a
# realtime I/O, the raw value as 0x%04x with log_prio=1, 0 in averaged
# rows); cmdprio's share of realtime rows is a binomial draw in both tools
# (different generators), so it is compared within a band. verify_backlog
# with continue_on_error: writes past a 64 KiB tmpfs fail with ENOSPC and
# leave the backlog, so the job verifies exactly the 16 written blocks.
# Mounting and realtime priorities need root; those cases skip otherwise.
import collections
import os
import subprocess

from figures import ABS, EXACT, J, JN, read_log


def _root():
    return None if os.geteuid() == 0 else 'needs root (a realtime ioprio, or a 64 KiB tmpfs to fill)'


def _mount_sparse(workdir, _tools):
    # A 128 KiB sparse file on a 64 KiB tmpfs: the first 16 pages written
    # fit, the rest fail with ENOSPC. The xattr is fiokit's created-file mark,
    # so fiokit writes it without --allow-clobber (fio uses it as it is).
    mnt = os.path.join(workdir, 'mnt')
    os.makedirs(mnt)
    subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt], check=True)
    path = os.path.join(mnt, 'f')
    with open(path, 'wb') as f:
        f.truncate(128 * 1024)
    os.setxattr(path, 'user.fiokit', b'created')


def _umount(workdir):
    subprocess.run(['umount', '-l', os.path.join(workdir, 'mnt')], check=False)


def PRIO_COLUMN(pattern):
    """{'<ddir>:<prio column>': rows} of a per-I/O log."""
    def get(r):
        rows = read_log(r, pattern)
        if rows is None:
            return None
        return dict(collections.Counter('%s:%s' % (x[2], x[-1]) for x in rows))
    return get


def RT_SHARE(pattern, ddir):
    """Percent of a direction's log rows whose priority column says realtime."""
    def get(r):
        rows = [x for x in (read_log(r, pattern) or []) if x[2] == ddir]
        return 100.0 * sum(1 for x in rows if x[-1] == '1') / len(rows) if rows else None
    return get


def add(case):
    for name, end in (('cpuio-exit-on-io-done', 'exit_on_io_done=1\n'), ('cpuio-exitall', '')):
        io_extra = 'exitall\n' if not end else ''
        case('review', name, """
[cpu]
ioengine=cpuio
cpuload=10
cpuchunks=20000
""" + end + """
[io]
ioengine=psync
rw=write
bs=4k
size=20k
rate_iops=40
filename=f
""" + io_extra, [
            ('cpu read.total_ios', JN('cpu', 'read.total_ios'), EXACT),
            ('cpu read.io_bytes', JN('cpu', 'read.io_bytes'), EXACT),
            ('io write.io_bytes', JN('io', 'write.io_bytes'), EXACT),
            ('io write.total_ios', JN('io', 'write.total_ios'), EXACT)])

    # prio/prioclass: every per-I/O row carries the job's priority.
    for name, extra in (('log-prio-rt', ''), ('log-prio-raw', 'log_prio=1\n')):
        case('review', name, """
[p]
ioengine=psync
rw=randread
bs=4k
size=256k
filename=f
prioclass=1
prio=3
write_lat_log=p
write_iops_log=p
""" + extra, [
            ('clat prio column', PRIO_COLUMN('p_clat.1.log'), EXACT),
            ('iops prio column', PRIO_COLUMN('p_iops.1.log'), EXACT),
        ], skip=_root)
    # Averaged rows carry 0 whatever the job's priority.
    case('review', 'log-prio-windowed', """
[p]
ioengine=null
rw=read
bs=4k
size=64m
rate_iops=2000
runtime=1
time_based
prioclass=1
write_bw_log=p
log_avg_msec=200
log_prio=1
""", [('bw prio column values', lambda r: ' '.join(sorted({x[-1] for x in read_log(r, 'p_bw.1.log') or []})), EXACT)],
         skip=_root)
    # cmdprio: a share of the I/Os is sent (and logged) realtime; the verify
    # reads of a write job get no cmdprio (no read percentage: fio's and
    # fiokit's prios blocks have no read entry).
    case('review', 'log-cmdprio-share', """
[c]
ioengine=io_uring
rw=randrw
bs=4k
size=8m
filename=f
cmdprio_percentage=30
write_lat_log=c
""", [('read rt share %', RT_SHARE('c_clat.1.log', '0'), ABS(5)),
      ('write rt share %', RT_SHARE('c_clat.1.log', '1'), ABS(5)),
      ('read.total_ios', J('read.total_ios'), ABS(200))], skip=_root)
    case('review', 'verify-cmdprio-write', """
[v]
ioengine=io_uring
rw=write
bs=4k
size=1m
filename=f
verify=crc32c
cmdprio_percentage=30
""", [('read prios', lambda r: len(J('read.prios')(r) or []), EXACT),
      ('write prios', lambda r: len(J('write.prios')(r) or []), EXACT),
      ('read.total_ios', J('read.total_ios'), EXACT)], skip=_root)

    # verify_backlog + continue_on_error with writes failing (ENOSPC).
    for rw in ('write', 'randwrite'):
        case('review', 'backlog-enospc-' + rw, """
[b]
filename=mnt/f
rw=%s
bs=4k
size=128k
verify=crc32c
verify_backlog=4
continue_on_error=all
ignore_error=,ENOSPC
""" % rw, [('read.total_ios', J('read.total_ios'), EXACT),
           ('read.io_bytes', J('read.io_bytes'), EXACT),
           ('write.total_ios', J('write.total_ios'), EXACT),
           ('write.io_bytes', J('write.io_bytes'), EXACT),
           ('total_err', J('total_err'), EXACT),
           ('error', J('error'), EXACT)],
             pre=_mount_sparse, post=_umount, skip=_root)
