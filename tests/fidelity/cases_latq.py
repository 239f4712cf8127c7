# Differential cases, group "latq" (issue 15, part latq): the latency_target
# queue-depth search against fio 3.33. Compared are what the search decides,
# not timing noise: a target the null engine always meets takes both tools to
# iodepth and ends the job after its final window; a target no read from the
# device (direct=1) meets (1 µs) holds both at depth 1, every I/O issued at
# depth 1, for the whole runtime; a loose target on a cached file reaches iodepth; at
# percentile 100 the first I/O over the target fails the job (ETIMEDOUT).
# cases.py appends these to its table.
from figures import EXACT, J, DEPTHS

SETTINGS = [('latency_depth', J('latency_depth'), EXACT),
            ('latency_target', J('latency_target'), EXACT),
            ('latency_window', J('latency_window'), EXACT),
            ('latency_percentile', J('latency_percentile'), EXACT),
            ('error', J('error'), EXACT)]


def ENDED_EARLY(limit_ms):
    """True when the job's report covers less than limit_ms: only the final
    window, after the statistics restarted at the depth found."""
    def get(r):
        v = J('job_runtime')(r)
        return None if v is None else v < limit_ms
    return get


def RAN_FULL(runtime_ms):
    """True when the job ran (nearly) its whole runtime: no final run."""
    def get(r):
        v = J('job_runtime')(r)
        return None if v is None else v >= runtime_ms * 0.95
    return get


def add(case):
    # Met: the null engine's latencies are far under 10 ms, so each 100 ms
    # window succeeds: 1, 2, 4, 8, 16, 32, the final window at 32, the end.
    case('latq', 'latq-null-meets', """
[j]
ioengine=null
size=1g
bs=4k
rw=randread
iodepth=32
latency_target=10ms
latency_window=100ms
latency_percentile=99
time_based
runtime=5
""", SETTINGS + [('report covers the final window only', ENDED_EARLY(1000), EXACT)])

    # Never met: no read from the device takes 1 µs, so every window
    # fails at depth 1 and the search stays there until runtime.
    case('latq', 'latq-file-unmet', """
[j]
ioengine=io_uring
filename=data.bin
size=8m
direct=1
bs=4k
rw=randread
iodepth=8
latency_target=1
latency_window=100ms
latency_percentile=50
time_based
runtime=1
""", SETTINGS + [('ran its whole runtime', RAN_FULL(1000), EXACT),
                 ('IO depths', DEPTHS('iodepth_level'), EXACT)])

    # A loose target on a file (cached after the layout): every window's
    # 90th percentile is far under 100 ms, so both reach iodepth 16.
    case('latq', 'latq-file-meets', """
[j]
ioengine=io_uring
filename=data.bin
size=8m
bs=4k
rw=randread
iodepth=16
latency_target=100ms
latency_window=50ms
latency_percentile=90
time_based
runtime=2
""", SETTINGS + [('report covers the final window only', ENDED_EARLY(1000), EXACT)])

    # Percentile 100 (the default): the first read over 1 µs at depth 1 fails
    # the job with ETIMEDOUT (110), after that one read is counted.
    case('latq', 'latq-pct100-fails', """
[j]
ioengine=psync
filename=data.bin
size=8m
direct=1
bs=4k
rw=randread
latency_target=1
latency_window=100ms
time_based
runtime=1
""", SETTINGS + [('read.total_ios', J('read.total_ios'), EXACT),
                 ('read.io_bytes', J('read.io_bytes'), EXACT)], rc=1)
