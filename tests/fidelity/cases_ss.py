# Differential cases, group "ss" (issue 15, part ss): steady-state termination
# (ss, ss_dur, ss_ramp) and the latency_target search, against fio 3.33. The
# null engine at a fixed rate_iops makes each one-second sample a known
# figure, so what is compared is deterministic: whether and when (to the
# second) a job attains steady state, the JSON block's keys and settings, and
# the window's mean; never timing noise. cases.py appends these to its table.
from figures import EXACT, KEYS, REL, J, NJOBS


def RUN_S(path='read.runtime'):
    """A runtime in whole seconds, rounded: the second a job stopped at."""
    def get(r):
        v = J(path)(r)
        return None if v is None else int(round(v / 1000.0))
    return get


SS_BLOCK = [('steadystate keys', KEYS('jobs.0.steadystate'), EXACT),
            ('steadystate.data keys', KEYS('jobs.0.steadystate.data'), EXACT),
            ('steadystate.ss', J('steadystate.ss'), EXACT),
            ('steadystate.duration', J('steadystate.duration'), EXACT)]


def add(case):
    # Attains: two one-second samples of ~500 IOPS are within 20% of their
    # mean at the second tick, so both tools stop at ~2 s, far from runtime.
    case('ss', 'ss-iops-attains', """
[s]
ioengine=null
size=1g
bs=4k
rw=read
rate_iops=500
time_based
runtime=20
ss=iops:20%
ss_dur=2
""", SS_BLOCK + [('steadystate.attained', J('steadystate.attained'), EXACT),
                 ('stopped at second', RUN_S(), EXACT),
                 ('steadystate.data.iops_mean', J('steadystate.data.iops_mean'), REL(0.1))])

    # Never attains: a slope limit of 0 cannot be beaten (|slope| < 0), so
    # the job runs its whole runtime and reports attained 0 with the window.
    case('ss', 'ss-slope-never', """
[s]
ioengine=null
size=1g
bs=4k
rw=read
rate_iops=500
time_based
runtime=2
ss=bw_slope:0
ss_dur=2
""", SS_BLOCK + [('steadystate.attained', J('steadystate.attained'), EXACT),
                 ('stopped at second', RUN_S(), EXACT)])

    # group_reporting: the group's jobs are summed into one sample (2 x 250
    # IOPS) and stop together; one report entry carries the block.
    case('ss', 'ss-group', """
[global]
ioengine=null
size=1g
bs=4k
rw=read
rate_iops=250
time_based
runtime=20
group_reporting
ss=iops:20%
ss_dur=2
[g]
numjobs=2
""", SS_BLOCK + [('jobs', NJOBS, EXACT),
                 ('steadystate.attained', J('steadystate.attained'), EXACT),
                 ('stopped at second', RUN_S(), EXACT),
                 ('steadystate.data.iops_mean', J('steadystate.data.iops_mean'), REL(0.1))])
