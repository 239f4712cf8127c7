# Differential cases, group "verify2" (issue 15, part "verify"): verify_backlog
# and verify_backlog_batch, verify_async, and a corrupted block.
# What is compared is deterministic with a sync engine at depth 1: the order
# of writes and verify reads (from write_iolog: runs of one direction, e.g.
# "w16 r4 w4 r4 ..."; the offsets of random jobs differ between the tools'
# generators, the interleaving does not), I/O and byte counts, and the error a
# changed block gives.
import os

from figures import ABS, EXACT, J, IO_COUNTS, run_job_with, tool_of


def DIR_RUNS(name):
    """The iolog's reads and writes as runs: 'w16 r4 w4 r4 ...'."""
    def get(r):
        runs = []
        with open(os.path.join(r.dir, name)) as f:
            for ln in f:
                parts = ln.split()
                if len(parts) < 3 or parts[2] not in ('read', 'write'):
                    continue
                d = parts[2][0]
                if runs and runs[-1][0] == d:
                    runs[-1][1] += 1
                else:
                    runs.append([d, 1])
        return ' '.join('%s%d' % (d, n) for d, n in runs)
    return get


def UNVERIFIED(r):
    """Writes never read back (time_based ends between batches): fewer than the backlog."""
    j = r.json['jobs'][0]
    return j['write']['total_ios'] - j['read']['total_ios']


COUNTS = IO_COUNTS('read', 'write') + [('error', J('error'), EXACT)]
# The same with one read either way: where a checker thread races the loop.
COUNTS_RACE = [('read.io_bytes', J('read.io_bytes'), ABS(4096)),
               ('read.total_ios', J('read.total_ios'), ABS(1))] + COUNTS[2:]


def write_then_corrupt(job, at):
    """A 'pre' step: the running tool writes the file with `job` (each reads
    only its own verify format), then one byte at offset `at` is changed."""
    def pre(workdir, tools):
        with open(os.path.join(workdir, 'w.fio'), 'w') as f:
            f.write(job.strip() + '\n')
        run_job_with(tool_of(workdir), tools, workdir, 'w.fio')
        with open(os.path.join(workdir, 'data'), 'r+b') as f:
            f.seek(at)
            b = f.read(1)
            f.seek(at)
            f.write(bytes([b[0] ^ 0x55]))
    return pre


def add(case):
    # backlog=16 batch=4: 16 writes, 4 reads, then 4 reads after every 4
    # writes, the last 16 read after the writes.
    case('verify2', 'verify2-backlog-batch-seq', """
[v]
ioengine=psync
filename=data
size=256k
bs=4k
rw=write
verify=md5
verify_backlog=16
verify_backlog_batch=4
write_iolog=rec.log
""", COUNTS + [('order', DIR_RUNS('rec.log'), EXACT)])

    # A batch larger than the backlog: ten writes, ten reads, then each new
    # write read back at once until the batch of 30 is used up.
    case('verify2', 'verify2-backlog-batch-rand', """
[v]
ioengine=psync
filename=data
size=256k
bs=4k
rw=randwrite
verify=crc32c
verify_backlog=10
verify_backlog_batch=30
write_iolog=rec.log
""", COUNTS + [('order', DIR_RUNS('rec.log'), EXACT)])

    # number_ios counts the verify reads: 52 writes and 52 reads of 100.
    case('verify2', 'verify2-backlog-number-ios', """
[v]
ioengine=psync
filename=data
size=1m
bs=4k
rw=randwrite
verify=md5
verify_backlog=8
number_ios=100
""", COUNTS)

    # time_based with psync: the verify phase never starts (read runtime 0),
    # the backlog reads are all there is, and what is left unread when the
    # time is up is less than one backlog.
    case('verify2', 'verify2-backlog-time-based', """
[v]
ioengine=psync
filename=data
size=1m
bs=4k
rw=randwrite
verify=md5
verify_backlog=8
time_based
runtime=500ms
""", [('read.runtime', J('read.runtime'), EXACT),
      ('unverified writes < 8', lambda r: UNVERIFIED(r) < 8, EXACT),
      ('error', J('error'), EXACT)])

    # A block changed on disk after the tool wrote it: error 84 (EILSEQ),
    # and the job ends at that block (6 reads of 16).
    case('verify2', 'verify2-corrupt-read', """
[r]
ioengine=psync
filename=data
size=64k
bs=4k
rw=read
verify=md5
""", COUNTS, rc=1, pre=write_then_corrupt("""
[w]
ioengine=psync
filename=data
size=64k
bs=4k
rw=write
verify=md5
do_verify=0
""", 5 * 4096 + 3000))

    # verify_async: the checks run on helper threads; the counts are those of
    # inline verify, and a changed block ends the job where fio ends it: with
    # psync after 6 reads, with libaio 6 or 7: fio notices its checker's
    # error after the next read is issued, or before it when the checker
    # wins the race (fio 3.33 showed both: 7 alone, 6 in CI), so that case
    # allows one read either way.
    case('verify2', 'verify2-async-backlog', """
[v]
ioengine=psync
filename=data
size=1m
bs=4k
rw=randwrite
verify=md5
verify_backlog=8
verify_async=2
""", COUNTS)
    case('verify2', 'verify2-async-corrupt-read', """
[r]
ioengine=psync
filename=data
size=64k
bs=4k
rw=read
verify=md5
verify_async=1
""", COUNTS, rc=1, pre=write_then_corrupt("""
[w]
ioengine=psync
filename=data
size=64k
bs=4k
rw=write
verify=md5
do_verify=0
""", 5 * 4096 + 3000))
    case('verify2', 'verify2-async-corrupt-libaio', """
[r]
ioengine=libaio
iodepth=1
filename=data
size=64k
bs=4k
rw=read
verify=md5
verify_async=1
""", COUNTS_RACE, rc=1, pre=write_then_corrupt("""
[w]
ioengine=psync
filename=data
size=64k
bs=4k
rw=write
verify=md5
do_verify=0
""", 5 * 4096 + 3000))
