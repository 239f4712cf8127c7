# Differential cases, group "iolog" (issue 15): write_iolog and read_iolog.
# What is compared is deterministic: the lines a sequential job records (times
# left out), and for a replay the bytes, I/O counts, syncs and the exact offset
# sequence (a per-I/O lat log with log_offset=1), on logs recorded by fio and
# by fiokit (each case's 'pre' step records the log in the run directory with
# one tool; then both tools replay it), plus one timing figure: a replay with
# replay_time_scale=200 of a log spanning 600 ms takes about 300 ms.
import os

from figures import ABS, EXACT, J, IO_COUNTS, OFFSET_ORDER as OFFSET_SEQ, P, run_job_with


def LOG_LINES(name, skip_times=True):
    """The iolog's lines, times left out, joined by ' | '."""
    def get(r):
        with open(os.path.join(r.dir, name)) as f:
            lines = [ln.rstrip('\n') for ln in f]
        if skip_times:
            lines = [lines[0]] + [ln.split(' ', 1)[1] for ln in lines[1:]]
        return ' | '.join(lines)
    return get


def record_with(tool, job):
    """A 'pre' step: `tool` runs `job` (which writes rec.log) in the run dir."""
    def pre(workdir, tools):
        with open(os.path.join(workdir, 'rec.fio'), 'w') as f:
            f.write(job.strip() + '\n')
        run_job_with(tool, tools, workdir, 'rec.fio')
    return pre


def write_text(name, text):
    def pre(workdir, tools):
        with open(os.path.join(workdir, name), 'w') as f:
            f.write(text)
    return pre


LAT = """
write_lat_log=p
log_offset=1
"""
COUNTS = IO_COUNTS('read', 'write')


def add(case):
    # What 3.33 records, line by line: version 3, "add" then "open", every
    # write, and a close/open pair between loops.
    case('iolog', 'iolog-write-seq', """
[w]
ioengine=psync
filename=data
size=32k
bs=4k
rw=write
loops=2
write_iolog=rec.log
""", [('rec.log lines', LOG_LINES('rec.log'), EXACT)])

    # fsync=4 is recorded as "sync" with the offset of the I/O before it (none
    # after the last write). (With loops=2, fio 3.33 also syncs at the end of
    # the first loop and again at the start of the second: a difference of
    # fsync=N itself, not of the log, left out here.)
    case('iolog', 'iolog-write-fsync', """
[w]
ioengine=psync
filename=data
size=32k
bs=4k
rw=write
fsync=4
write_iolog=rec.log
""", [('rec.log lines', LOG_LINES('rec.log'), EXACT), ('sync.total_ios', J('sync.total_ios'), EXACT)])

    # The verify read-back is recorded too, after a close/open pair.
    case('iolog', 'iolog-write-verify', """
[v]
ioengine=psync
filename=data
size=16k
bs=4k
rw=write
verify=crc32c
write_iolog=rec.log
""", [('rec.log lines', LOG_LINES('rec.log'), EXACT)])

    # A log fio recorded (random reads of a file fio laid out), replayed by
    # both: the same I/O, in the same order.
    case('iolog', 'iolog-replay-fio-log', """
[r]
ioengine=psync
read_iolog=rec.log
replay_no_stall=1
""" + LAT, COUNTS + [('offsets', OFFSET_SEQ(P), EXACT)],
         pre=record_with('fio', """
[rec]
ioengine=psync
filename=data
size=256k
bs=4k
rw=randread
write_iolog=rec.log
"""))

    # A log fiokit recorded (randrw with fsync=8 on a file fiokit created),
    # replayed by both: reads, writes and syncs.
    case('iolog', 'iolog-replay-fiokit-log', """
[r]
ioengine=psync
read_iolog=rec.log
replay_no_stall=1
""" + LAT, COUNTS + [('offsets', OFFSET_SEQ(P), EXACT), ('sync.total_ios', J('sync.total_ios'), EXACT)],
         pre=record_with('fiokit', """
[rec]
ioengine=psync
filename=data
size=256k
bs=4k
rw=randrw
fsync=8
write_iolog=rec.log
"""))

    # A version 2 log written by hand: replay_redirect puts both files' I/O
    # on one new file, replay_scale divides the offsets, replay_align rounds
    # them down.
    case('iolog', 'iolog-replay-redirect-scale', """
[r]
ioengine=psync
read_iolog=v2.log
replay_redirect=target
replay_scale=2
replay_align=8k
""" + LAT, COUNTS + [('offsets', OFFSET_SEQ(P), EXACT)],
         pre=write_text('v2.log', """fio version 2 iolog
a add
b add
a open
b open
a write 0 16384
b write 40000 8192
a write 70000 4096
a read 16384 4096
b read 80000 4096
a close
b close
"""))

    # The log's timing: 600 ms of gaps, replayed twice as fast.
    case('iolog', 'iolog-replay-time-scale', """
[r]
ioengine=psync
read_iolog=t.log
replay_time_scale=200
""", COUNTS + [('job_runtime', J('job_runtime'), ABS(60))],
         pre=write_text('t.log', """fio version 3 iolog
0 f add
10 f open
20 f write 0 4096
200020 f write 4096 4096
400020 f read 0 4096
600020 f read 4096 4096
600030 f close
"""))
