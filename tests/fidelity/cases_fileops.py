# Differential cases, group "fileops": fio 3.33's file-operation and
# file-shaping engines. Their figures are exact by nature: how many fake I/Os
# and bytes a job counts, in which direction, how many operations were timed
# (clat samples; lat and slat have none), and the state of the files the job
# leaves behind (how many, how long, which mode). Timing itself is not
# compared: an unlink's latency is the filesystem's noise.
import glob
import os
import stat

from figures import EXACT, FILE_SIZE, FILES, J


def FILE_BYTES(pattern):
    """Sum of the lengths of the files matching `pattern` in the run dir."""
    return lambda r: sum(os.path.getsize(p) for p in glob.glob(os.path.join(r.dir, pattern)))


def FILE_MODES(pattern):
    """The permission bits of those files, as a sorted set ('600' or '644 600')."""
    return lambda r: ' '.join(sorted({'%o' % stat.S_IMODE(os.stat(p).st_mode)
                                      for p in glob.glob(os.path.join(r.dir, pattern))}))


def COUNTS(d):
    return [(d + '.io_bytes', J(d + '.io_bytes'), EXACT),
            (d + '.total_ios', J(d + '.total_ios'), EXACT),
            (d + '.clat_ns.N', J(d + '.clat_ns.N'), EXACT),
            (d + '.lat_ns.N', J(d + '.lat_ns.N'), EXACT),
            (d + '.slat_ns.N', J(d + '.slat_ns.N'), EXACT),
            # fio never marks the latency buckets of these engines.
            ('latency buckets', lambda r: sum(sum(r.json['jobs'][0][k].values())
                                              for k in ('latency_ns', 'latency_us', 'latency_ms')), EXACT)]


def add(case):
    # filecreate: one open(O_CREAT) per file, timed as clat; the files stay,
    # empty, mode 0600. bs=8k filesize=16k: 2 fake I/Os per file, 1 create.
    for name, extra, d in (('filecreate', '', 'read'),
                           ('filecreate-write-bs8k', 'rw=write\nbs=8k\nfilesize=16k\n', 'write'),
                           ('filecreate-loops2', 'loops=2\n', 'read')):
        case('fileops', name, """
[c]
ioengine=filecreate
filename_format=c.$filenum
nrfiles=20
filesize=4k
openfiles=1
create_on_open=1
fallocate=none
""" + extra, COUNTS(d) + [('error', J('error'), EXACT), ('files', FILES('c.*'), EXACT),
                         ('file bytes', FILE_BYTES('c.*'), EXACT), ('file modes', FILE_MODES('c.*'), EXACT)])

    # filestat: the files are laid out first (filesize each) and left there.
    for st in ('stat', 'lstat', 'statx'):
        case('fileops', 'filestat-' + st, f"""
[s]
ioengine=filestat
stat_type={st}
filename_format=s.$filenum
nrfiles=20
filesize=4k
""", COUNTS('read') + [('error', J('error'), EXACT), ('files', FILES('s.*'), EXACT),
                       ('file bytes', FILE_BYTES('s.*'), EXACT)])

    # filedelete: laid out, then every one unlinked; rw=randwrite bs=2k
    # counts 2 writes per file and still one timed unlink each.
    for name, extra, d in (('filedelete', '', 'read'), ('filedelete-randwrite', 'rw=randwrite\nbs=2k\n', 'write')):
        case('fileops', name, """
[d]
ioengine=filedelete
filename_format=d.$filenum
nrfiles=20
filesize=4k
unlink=0
""" + extra, COUNTS(d) + [('error', J('error'), EXACT), ('files', FILES('d.*'), EXACT)])


def FILE_ALLOC(name):
    """Bytes allocated to that file (st_blocks * 512): what fallocate and hole punches change."""
    return lambda r: os.stat(os.path.join(r.dir, name)).st_blocks * 512 if os.path.exists(os.path.join(r.dir, name)) else -1


def add_shape(case):
    # ftruncate: each write truncates the file to the I/O's offset, so a
    # sequential pass leaves it one block short of size= and with nothing
    # allocated (the first truncate, to 0, freed the laid-out blocks).
    for name, extra in (('ftruncate-write', 'rw=write\n'),
                        ('ftruncate-randwrite', 'rw=randwrite\nnorandommap=1\nrandseed=7\n')):
        figs = [('write.io_bytes', J('write.io_bytes'), EXACT), ('write.total_ios', J('write.total_ios'), EXACT),
                ('write.clat_ns.N', J('write.clat_ns.N'), EXACT), ('error', J('error'), EXACT)]
        if 'randwrite' not in name:  # the random offsets (hence what stays allocated) are each tool's own
            figs += [('file size', FILE_SIZE('f'), EXACT), ('file alloc', FILE_ALLOC('f'), EXACT)]
        case('fileops', name, """
[t]
ioengine=ftruncate
filename=f
size=256k
bs=4k
""" + extra, figs)

    # falloc: writes allocate the range, trims punch holes, reads allocate
    # with KEEP_SIZE; the file's length and allocation show which.
    for rw in ('write', 'randtrim', 'read', 'randwrite'):
        case('fileops', 'falloc-' + rw, f"""
[a]
ioengine=falloc
filename=f
size=256k
bs=4k
rw={rw}
""", [(d + k, J(d + k), EXACT) for d in (('read', 'write', 'trim')) for k in ('.io_bytes', '.total_ios')]
           + [('error', J('error'), EXACT), ('file size', FILE_SIZE('f'), EXACT), ('file alloc', FILE_ALLOC('f'), EXACT)])
