# Differential cases of issue 15's "misc" part (group "misc"): rw offset
# modifiers and rw_sequencer, compared with fio 3.33 on exact figures. The
# null engine keeps every case short; the order of offsets in a per-I/O lat
# log (log_offset=1) is the figure, since it is fully determined by the job
# for sequential modifiers. For random ones only the shape is deterministic
# (fiokit does not reproduce fio's generator), so the cases count runs.
from figures import EXACT, REL, J, offsets

LOG = """
write_lat_log=p
log_avg_msec=0
log_offset=1
"""
P = 'p_lat.1.log'


def ORDER(pattern, bs):
    """The whole offset sequence, in blocks, as one string."""
    def get(r):
        offs = offsets(r, pattern)
        return ' '.join(str(o // bs) for o in offs) if offs else None
    return get


def REPEATS(pattern):
    """How many I/Os start where the previous one started (rw_sequencer=identical)."""
    def get(r):
        offs = offsets(r, pattern)
        return sum(1 for a, b in zip(offs, offs[1:]) if a == b) if offs else None
    return get


def FOLLOWS(pattern, bs):
    """How many I/Os start where the previous one ended."""
    def get(r):
        offs = offsets(r, pattern)
        return sum(1 for a, b in zip(offs, offs[1:]) if b == a + bs) if offs else None
    return get


def add(case):
    counts = [('read.io_bytes', J('read.io_bytes'), EXACT), ('read.total_ios', J('read.total_ios'), EXACT)]
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
