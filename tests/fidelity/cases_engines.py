# Differential cases, group "engines" (issue 15, part engines): fill_device,
# the cpuio engine and the exec engine against fio 3.33. fill_device runs on
# a 1 MiB tmpfs mounted in each run's directory (so the file system is full at
# exactly 256 pages): its figures are exact counts (I/Os issued, bytes
# written, the error) and the file the job leaves. Mounting needs root; the
# cases are skipped with that reason otherwise.
import os
import subprocess

from figures import ABS, EXACT, J
from figures import FILE_SIZE as _file_size


def _root():
    return None if os.geteuid() == 0 else 'needs root to mount a 1 MiB tmpfs for the job to fill'


def _mount(workdir, _tools):
    mnt = os.path.join(workdir, 'mnt')
    os.makedirs(mnt)
    subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mnt], check=True)


def _umount(workdir):
    subprocess.run(['umount', '-l', os.path.join(workdir, 'mnt')], check=False)


def FILE_SIZE(name):
    """The length of a file the job left on its tmpfs (-1: none)."""
    return _file_size(os.path.join('mnt', name))


def add(case):
    # A write job with no size writes until ENOSPC: 256 x 4k fill the 1 MiB,
    # the 257th write fails and ends the job with error 0 (exit 0). With
    # size= larger than the file system the end is the same; with one that
    # fits it is a plain job. At iodepth 4 the 4 writes in flight at the first
    # ENOSPC complete with it and count as issued (260). A read job reads
    # what its layout could fill (256).
    for name, extra, d, files in (
            ('fill-write', 'rw=write\n', 'write', ['f']),
            ('fill-write-size4m', 'rw=write\nsize=4m\n', 'write', ['f']),
            ('fill-write-size512k', 'rw=write\nsize=512k\n', 'write', ['f']),
            ('fill-randwrite-size4m', 'rw=randwrite\nsize=4m\n', 'write', []),
            ('fill-fs-libaio-qd4', 'rw=write\nioengine=libaio\niodepth=4\n', 'write', ['f']),
            ('fill-fs-io_uring-qd4', 'rw=write\nioengine=io_uring\niodepth=4\n', 'write', ['f']),
            ('fill-read', 'rw=read\n', 'read', ['f']),
            ('fill-write-loops3', 'rw=write\nsize=256k\nloops=3\n', 'write', ['f'])):
        case('engines', name, """
[fill]
filename=mnt/f
bs=4k
fill_device=1
""" + extra, [
            (d + '.io_bytes', J(d + '.io_bytes'), EXACT),
            (d + '.total_ios', J(d + '.total_ios'), EXACT),
            (d + '.short_ios', J(d + '.short_ios'), EXACT),
            ('error', J('error'), EXACT),
        ] + [('size of ' + f, FILE_SIZE(f), EXACT) for f in files],
            pre=_mount, post=_umount, skip=_root)
    # nrfiles=2, round robin: each file gets half before the file system is full.
    case('engines', 'fill-nrfiles2', """
[g]
directory=mnt
nrfiles=2
rw=write
bs=4k
fill_fs=1
""", [('write.io_bytes', J('write.io_bytes'), EXACT), ('write.total_ios', J('write.total_ios'), EXACT),
      ('error', J('error'), EXACT), ('size of g.0.0', FILE_SIZE('g.0.0'), EXACT), ('size of g.0.1', FILE_SIZE('g.0.1'), EXACT)],
         pre=_mount, post=_umount, skip=_root)


def add_cpuio(case):
    # cpuio: one burn cycle per I/O, then thinktime = cycle x (100 - load) /
    # load. cpuload=50, cpuchunks=20000 (20 ms): a cycle every ~40 ms, about 25
    # in 1 s; the count is a band (the spin is wall-clock time on 2 shared
    # cores), its properties are exact: no bytes, no slat, one clat and lat
    # sample per cycle, and fio's runtime/iops of 0 for a direction that moved
    # no bytes. number_ios=5 ends the job after exactly 5 cycles.
    figs = [('read.io_bytes', J('read.io_bytes'), EXACT),
            ('read.slat_ns.N', J('read.slat_ns.N'), EXACT),
            ('read.runtime', J('read.runtime'), EXACT),
            ('read.iops', J('read.iops'), EXACT),
            ('clat N = total_ios', lambda r: J('read.clat_ns.N')(r) == J('read.total_ios')(r), EXACT),
            ('lat N = total_ios', lambda r: J('read.lat_ns.N')(r) == J('read.total_ios')(r), EXACT),
            ('error', J('error'), EXACT)]
    case('engines', 'cpuio-load50', """
[burn]
ioengine=cpuio
cpuload=50
cpuchunks=20000
time_based
runtime=1
""", figs + [('read.total_ios', J('read.total_ios'), ABS(5))])
    case('engines', 'cpuio-number_ios', """
[burn]
ioengine=cpuio
cpuload=80
cpuchunks=10000
number_ios=5
runtime=10
""", figs + [('read.total_ios', J('read.total_ios'), EXACT)])
    # No cpuload: fio's engine init fails ("cpu thread needs rate"), a job error.
    case('engines', 'cpuio-no-cpuload', """
[burn]
ioengine=cpuio
runtime=1
""", [('error', J('error'), EXACT)], rc=1)
