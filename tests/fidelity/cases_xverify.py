# Differential cases, group "xverify" (issue 16, part xverify):
# experimental_verify=1, where fio 3.33 replays its offset generator for the
# verify phase instead of reading a record of the writes; create_serialize=0;
# and fio's I/O budget over loops. Compared: the order of writes and verify
# reads from write_iolog as runs of one direction ("w16 r16"; the offsets of
# random jobs differ between the tools' generators, the runs do not), whether
# the reads revisit the written blocks in write order, I/O and byte counts,
# and the error a stale block gives. psync at depth 1: all deterministic.
import os

from figures import EXACT, J
from cases_verify2 import COUNTS, DIR_RUNS


def SAME_ORDER(name):
    """1 when the verify reads visit the written blocks in the order written
    (each read i at the offset of write i), else 0."""
    def get(r):
        w, rd = [], []
        with open(os.path.join(r.dir, name)) as f:
            for ln in f:
                parts = ln.split()
                if len(parts) == 5 and parts[2] == 'write':
                    w.append((parts[1], parts[3]))
                elif len(parts) == 5 and parts[2] == 'read':
                    rd.append((parts[1], parts[3]))
        return int(len(rd) > 0 and w[:len(rd)] == rd)
    return get


def READS_SHORT(r):
    """1 when fewer blocks were read back than written (a stale block ended the job)."""
    j = r.json['jobs'][0]
    return int(j['read']['total_ios'] < j['write']['total_ios'])


JOB = """
[v]
ioengine=psync
filename=data
size=1m
bs=64k
verify=md5
experimental_verify=1
write_iolog=rec.log
"""


def add(case):
    # No record of writes, so verify_backlog never interleaves: 16 then 16.
    case('xverify', 'xverify-backlog-ignored', JOB + "rw=randwrite\nverify_backlog=4\n",
         COUNTS + [('order', DIR_RUNS('rec.log'), EXACT), ('write order', SAME_ORDER('rec.log'), EXACT)])
    # The replay skips the reads of a mixed job and reads its writes back:
    # the job's reads plus its writes read back are its 16 I/Os.
    case('xverify', 'xverify-randrw', JOB + "rw=randrw\n",
         [('error', J('error'), EXACT), ('read.total_ios', J('read.total_ios'), EXACT),
          ('read.io_bytes', J('read.io_bytes'), EXACT)])
    # Sequential: w16 r16 in offset order.
    case('xverify', 'xverify-seq', JOB + "rw=write\n",
         COUNTS + [('order', DIR_RUNS('rec.log'), EXACT), ('write order', SAME_ORDER('rec.log'), EXACT)])
    # Two block sizes under the random map: the same blocks, in write order.
    case('xverify', 'xverify-bssplit', JOB + "rw=randwrite\nbssplit=64k/50:128k/50\n",
         [('error', J('error'), EXACT), ('write order', SAME_ORDER('rec.log'), EXACT),
          ('reads = writes', lambda r: r.json['jobs'][0]['read']['total_ios'] == r.json['jobs'][0]['write']['total_ios'], EXACT)])
    # Two files: the replay takes the files in the same order too.
    case('xverify', 'xverify-nrfiles', JOB.replace("filename=data\n", "nrfiles=2\nfilename_format=data.$filenum\n") +
         "rw=randwrite\n", COUNTS + [('order', DIR_RUNS('rec.log'), EXACT), ('write order', SAME_ORDER('rec.log'), EXACT)])
    # The replayed reads count as writes against size x loops: loops=2 runs
    # one loop, loops=4 three (48 writes), the later loops read nothing back.
    case('xverify', 'xverify-loops2', JOB + "rw=write\nloops=2\n", COUNTS + [('order', DIR_RUNS('rec.log'), EXACT)])
    case('xverify', 'xverify-loops4', JOB + "rw=randwrite\nloops=4\n", COUNTS + [('order', DIR_RUNS('rec.log'), EXACT)])
    # io_size beyond the region: a second pass writes, its verify reads nothing.
    case('xverify', 'xverify-io-size', JOB + "rw=write\nio_size=3m\n", COUNTS + [('order', DIR_RUNS('rec.log'), EXACT)])
    # norandommap rewrites blocks; the replay reads a block at its first
    # write and finds a later one there: error 84 before all are read back.
    case('xverify', 'xverify-norandommap-stale', JOB + "rw=randwrite\nnorandommap\n",
         [('error', J('error'), EXACT), ('reads < writes', READS_SHORT, EXACT),
          ('write.total_ios', J('write.total_ios'), EXACT)], rc=1)


def add_budget(case):
    # number_ios is a budget over all loops, and a loop still ends when it
    # covered the region: 8 then 4 writes (fio 3.33), not 6 and 6.
    for name, rw, loops in (('budget-number-ios-seq', 'write', 2), ('budget-number-ios-rand', 'randwrite', 2),
                            ('budget-number-ios-3loops', 'write', 3)):
        case('xverify', name, f"""
[b]
ioengine=psync
filename=data
size=512k
bs=64k
rw={rw}
number_ios=6
loops={loops}
write_iolog=rec.log
""", [('write.total_ios', J('write.total_ios'), EXACT), ('write.io_bytes', J('write.io_bytes'), EXACT)])
    # verify with io_size beyond the region: fio runs passes over the region,
    # each with its verify phase, until what moved (verify reads included)
    # reaches io_size: 2m gives one pass (w16 r16), 3m two (w32 r32).
    for name, io_size in (('budget-verify-io-size-2m', '2m'), ('budget-verify-io-size-3m', '3m')):
        case('xverify', name, f"""
[b]
ioengine=psync
filename=data
size=1m
bs=64k
rw=randwrite
verify=md5
io_size={io_size}
write_iolog=rec.log
""", COUNTS + [('order', DIR_RUNS('rec.log'), EXACT)])
    # create_serialize=0: two jobs' files laid out at once; the figures stay.
    case('xverify', 'create-serialize-0', """
[global]
ioengine=psync
size=256k
bs=64k
rw=read
create_serialize=0
[a]
filename=data.a
[b]
filename=data.b
""", [('jobs', lambda r: len(r.json['jobs']), EXACT),
      ('read.io_bytes a', lambda r: r.json['jobs'][0]['read']['io_bytes'], EXACT),
      ('read.io_bytes b', lambda r: r.json['jobs'][1]['read']['io_bytes'], EXACT)])
