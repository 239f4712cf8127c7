# Differential cases of issue 15's "misc" part (group "misc"): rw offset
# modifiers and rw_sequencer, compared with fio 3.33 on exact figures. The
# null engine keeps every case short; the order of offsets in a per-I/O lat
# log (log_offset=1) is the figure, since it is fully determined by the job
# for sequential modifiers. For random ones only the shape is deterministic
# (fiokit does not reproduce fio's generator), so the cases count runs.
from figures import EXACT, REL, J, JN, FOLLOWS, IO_COUNTS, OFFSET_ORDER as ORDER, P, REPEATS
from figures import OFFSET_LOG as LOG


def add(case):
    counts = IO_COUNTS('read')
    # examples/backwards-read.fio, small: the first I/O at the start, then
    # backwards from the end, 8k back per 4k read.
    for mod in ('-8k', '-12k', '-4k'):
        case('misc', 'rw-read' + mod, f"""
[p]
ioengine=null
size=256k
bs=4k
rw=read:{mod}
""" + LOG, counts + [('offset order', ORDER(P, 4096), EXACT)])
    # A region that does not start at 0: fio's first I/O then starts from
    # the region's size taken as an end (blocks 14 13 ... for offset=32k).
    case('misc', 'rw-read-back-offset', """
[p]
ioengine=null
offset=128k
size=256k
bs=4k
rw=read:-8k
""" + LOG, counts + [('offset order', ORDER(P, 4096), EXACT)])
    # loops: the backward walk goes on where the last loop left it.
    case('misc', 'rw-read-back-loops', """
[p]
ioengine=null
size=128k
bs=4k
loops=3
rw=read:-8k
""" + LOG, counts + [('offset order', ORDER(P, 4096), EXACT)])
    case('misc', 'rw-write-back', """
[p]
ioengine=null
size=256k
bs=8k
rw=write:-24k
""" + LOG, [('write.io_bytes', J('write.io_bytes'), EXACT), ('write.total_ios', J('write.total_ios'), EXACT),
            ('offset order', ORDER(P, 8192), EXACT)])
    # Forward holes (rw=read:20k): fio wraps only when the hole reaches the
    # file's end; a pass is over when the last I/O ended at the end or the
    # next one would not fit (fio's t0007), and ends the loop unless io_size
    # or time_based asks for more.
    for name, extra in (('rw-read-hole-nofit', 'rw=read:20k'), ('rw-read-hole-end', 'rw=read:24k'),
                        ('rw-read-hole-wrap', 'rw=read:16k'), ('rw-read-hole-io_size', 'rw=read:20k\nio_size=512k'),
                        ('rw-read-hole-loops', 'rw=read:20k\nloops=2'),
                        ('rw-read-hole-offset', 'rw=read:20k\noffset=64k\nsize=128k')):
        case('misc', name, f"""
[p]
ioengine=null
size=256k
bs=16k
{extra}
""" + LOG, counts + [('offset order', ORDER(P, 16384), EXACT)])
    # randread:N: a random offset every N I/Os; identical repeats it N times.
    case('misc', 'rw-randread-4-sequential', """
[p]
ioengine=null
size=4m
bs=4k
rw=randread:4
""" + LOG, counts + [('I/Os following the previous', FOLLOWS(P, 4096), REL(0.02))])
    case('misc', 'rw-randread-4-identical', """
[p]
ioengine=null
size=4m
bs=4k
rw=randread:4
rw_sequencer=identical
""" + LOG, counts + [('I/Os repeating the previous offset', REPEATS(P), EXACT)])


def add_errors(case):
    """continue_on_error / ignore_error on a target that fails every write:
    /dev/full (ENOSPC on each write, no root needed)."""
    figs = [('error', J('error'), EXACT), ('total_err', J('total_err'), EXACT), ('first_error', J('first_error'), EXACT),
            ('write.total_ios', J('write.total_ios'), EXACT), ('write.io_bytes', J('write.io_bytes'), EXACT)]
    # ENOSPC in the write list: every write fails, the job runs to its end.
    case('misc', 'coe-ignore-enospc', """
[e]
filename=/dev/full
rw=write
bs=4k
size=64k
continue_on_error=write
ignore_error=,ENOSPC
""", figs)
    # The same by number, and error_dump=1 (messages only, same figures).
    case('misc', 'coe-ignore-28-dump', """
[e]
filename=/dev/full
rw=write
bs=4k
size=64k
ignore_error=,28
error_dump=1
""", figs)
    # continue_on_error=all with fio's default list (EIO, EILSEQ): ENOSPC
    # stays fatal, counted once; fio exits 1 for the failed job, as fiokit.
    case('misc', 'coe-all-enospc-fatal', """
[e]
filename=/dev/full
rw=write
bs=4k
size=64k
continue_on_error=all
""", figs, rc=1)


def STOPPED_EARLY(name):
    """Whether job `name` did fewer than half of its 1000 rate-limited I/Os."""
    def get(r):
        v = JN(name, 'read.total_ios')(r)
        return None if v is None else v < 500
    return get


def add_exit_what(case):
    """exitall with exit_what (examples/exitwhat.fio, small): 'short' ends
    after ~0.2 s; which of 'long' (its group), 'other' (another group, same
    segment) and 'next' (the next stonewall segment) it stops."""
    for what, other_stopped, next_ios in (('group', False, 50), ('stonewall', True, 50), ('all', True, 0)):
        case('misc', 'exit_what-' + what, f"""
[global]
ioengine=null
bs=4k
size=1m
exitall=1

[short]
rate_iops=100
number_ios=20
exit_what={what}

[long]
time_based
runtime=1s
rate_iops=1000

[other]
new_group
time_based
runtime=1s
rate_iops=1000

[next]
stonewall
rate_iops=1000
number_ios=50
""", [('short.total_ios', JN('short', 'read.total_ios'), EXACT),
      ('long stopped early', STOPPED_EARLY('long'), EXACT),
      ('other stopped early', STOPPED_EARLY('other'), EXACT),
      ('next.total_ios', JN('next', 'read.total_ios'), EXACT)], timeout=30)
