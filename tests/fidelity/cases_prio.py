# Differential cases, group "prio" (issue 15, part prio): I/O priorities
# against fio 3.33 — prio/prioclass (the job's ioprio, reported per priority
# when a group's jobs differ) and cmdprio_percentage / cmdprio_class /
# cmdprio / cmdprio_bssplit on libaio and io_uring (a share of the I/Os sent
# with another priority, latencies split per priority). What is compared is
# deterministic: the JSON keys of the "prios" blocks, which classes/levels
# they list and in which order, that their sample counts add up to the
# direction's total, the exact counts when each priority belongs to a
# whole job, and the share of I/Os per priority, which both tools draw at
# random per I/O (fio and fiokit use different generators), within a band
# of a few binomial standard deviations (4096 draws at 50%: sd 0.8 points,
# so 5 points is over 4 sd of the two tools' difference). cases.py appends
# these to its table.
import re

from figures import ABS, EXACT, J, KEYS


def PRIOS(ddir='read', job=0):
    """'C/L C/L ...': the classes/levels of a direction's prios, in order."""
    def get(r):
        p = J(ddir + '.prios', job)(r)
        return ' '.join('%d/%d' % (x['prioclass'], x['prio']) for x in p) if isinstance(p, list) else None
    return get


def PRIO_SHARE(cls, level, ddir='read', lat='clat_ns'):
    """Percent of a direction's I/Os sent with class/level."""
    def get(r):
        p = J(ddir + '.prios')(r)
        total = J(ddir + '.total_ios')(r)
        if not isinstance(p, list) or not total:
            return None
        n = sum(x[lat]['N'] for x in p if x['prioclass'] == cls and x['prio'] == level)
        return 100.0 * n / total
    return get


def PRIO_N(cls, level, ddir='read', lat='clat_ns'):
    """The I/O count of one priority (exact when a whole job has it)."""
    def get(r):
        p = J(ddir + '.prios')(r)
        if not isinstance(p, list):
            return None
        return sum(x[lat]['N'] for x in p if x['prioclass'] == cls and x['prio'] == level)
    return get


def PRIO_RATIO(a, b, ddir='read', lat='clat_ns'):
    """The I/O count of priority a over that of priority b ((class, level) pairs)."""
    def get(r):
        na, nb = PRIO_N(a[0], a[1], ddir, lat)(r), PRIO_N(b[0], b[1], ddir, lat)(r)
        return None if na is None or not nb else na / nb
    return get


def PRIO_N_SUM_MINUS_TOTAL(ddir='read', lat='clat_ns'):
    """Sum of the prios' N less the direction's total: 0 in both tools."""
    def get(r):
        p = J(ddir + '.prios')(r)
        total = J(ddir + '.total_ios')(r)
        if not isinstance(p, list) or total is None:
            return None
        return sum(x[lat]['N'] for x in p) - total
    return get


def PRIO_BINS_MINUS_TOTAL(ddir='read', lat='clat_ns'):
    """json+: the prios' bins summed less the direction's total (0)."""
    def get(r):
        p = J(ddir + '.prios')(r)
        total = J(ddir + '.total_ios')(r)
        if not isinstance(p, list) or total is None:
            return None
        return sum(sum(x[lat].get('bins', {}).values()) for x in p) - total
    return get


PRIO_LINE = re.compile(r'^\s+((?:c?lat) prio \d/\d)(?: \([\d.]+% of IOs\) percentiles)?')


def PRIO_LINES(r):
    """The normal output's per-priority line labels, in order ('clat prio 1/0', ...)."""
    out = []
    for line in r.text.splitlines():
        m = PRIO_LINE.match(line)
        if m:
            out.append(m.group(0).strip().split(' (')[0] + (' %' if '% of IOs' in line else ''))
    return ' | '.join(out) if out else None


def add(case):
    # cmdprio_percentage=50 on libaio: 4096 random 4k reads of a 16 MiB file
    # (one pass: both tools draw the same split again each loop), half drawn
    # to class 1 (realtime, fio's default) level 0.
    case('prio', 'cmdprio-percentage-libaio', """
[p]
ioengine=libaio
iodepth=4
filename=data.bin
size=16m
bs=4k
rw=randread
cmdprio_percentage=50
""", [('read.total_ios', J('read.total_ios'), EXACT),
      ('prios keys', KEYS('jobs.0.read.prios.0'), EXACT),
      ('prios clat_ns keys', KEYS('jobs.0.read.prios.0.clat_ns'), EXACT),
      ('prios class/level', PRIOS(), EXACT),
      ('prios N sum - total', PRIO_N_SUM_MINUS_TOTAL(), EXACT),
      ('share 1/0 %', PRIO_SHARE(1, 0), ABS(5.0))])

    # Per direction on io_uring: reads 50% to idle/5, writes 20% to idle/6;
    # json+ bins of the prios add up to the totals. ~2048 I/Os a direction:
    # sd 1.1 points a tool, 1.6 for the difference; the band is 6.
    case('prio', 'cmdprio-per-dir-io_uring', """
[p]
ioengine=io_uring
iodepth=4
filename=data.bin
size=16m
bs=4k
rw=randrw
cmdprio_percentage=50,20
cmdprio_class=3
cmdprio=5,6
""", [('read prios', PRIOS('read'), EXACT),
      ('write prios', PRIOS('write'), EXACT),
      ('read prios keys', KEYS('jobs.0.read.prios.1.clat_ns'), EXACT),
      ('read bins - total', PRIO_BINS_MINUS_TOTAL('read'), EXACT),
      ('write bins - total', PRIO_BINS_MINUS_TOTAL('write'), EXACT),
      ('read share 3/5 %', PRIO_SHARE(3, 5, 'read'), ABS(6.0)),
      ('write share 3/6 %', PRIO_SHARE(3, 6, 'write'), ABS(6.0))], format='json+')

    # cmdprio_bssplit (fio's t/latency_percentiles.py test 21 shape): 4k I/Os
    # 25% to 1/1 and 75% to 3/2, 64k ones never; lat_percentiles=1 makes the
    # prios carry lat_ns instead of clat_ns. How many I/Os are 4k is
    # bssplit's business (near a pass's end the tools fit the last blocks
    # differently), so the split is compared as 3/2's count over 1/1's: 3.
    # One pass's ~280 4k I/Os: ~70 and ~210 draws, sd 0.4 per tool (more
    # loops would not help: both tools draw the same split again each loop);
    # with the default seeds fio gets 3.71 and fiokit 3.06 every time.
    case('prio', 'cmdprio-bssplit-libaio', """
[p]
ioengine=libaio
iodepth=4
filename=data.bin
size=8m
rw=randread
bssplit=4k/50:64k/50
cmdprio_bssplit=4k/25/1/1:4k/75/3/2:64k/0
lat_percentiles=1
""", [('read prios', PRIOS('read'), EXACT),
      ('prios keys', KEYS('jobs.0.read.prios.0'), EXACT),
      ('prios N sum - total', PRIO_N_SUM_MINUS_TOTAL('read', 'lat_ns'), EXACT),
      ('N 3/2 per N 1/1', PRIO_RATIO((3, 2), (1, 1), 'read', 'lat_ns'), ABS(0.8))])

    # prio/prioclass, group_reporting: two null jobs at best-effort 2 and 6
    # are one entry whose prios hold each job's I/Os, exactly.
    case('prio', 'prio-group', """
[global]
ioengine=null
size=4m
bs=4k
rw=read
group_reporting
[a]
prio=2
[b]
prioclass=2
prio=6
""", [('read prios', PRIOS('read'), EXACT),
      ('N 2/2', PRIO_N(2, 2), EXACT),
      ('N 2/6', PRIO_N(2, 6), EXACT),
      ('read.total_ios', J('read.total_ios'), EXACT)])

    # The normal output: "clat prio C/L" lines and the per-priority
    # percentile tables, in fio's order.
    case('prio', 'cmdprio-normal-output', """
[p]
ioengine=libaio
iodepth=2
filename=data.bin
size=2m
bs=4k
rw=randread
loops=2
cmdprio_percentage=50
cmdprio_class=2
cmdprio=3
""", [('prio lines', PRIO_LINES, EXACT)], format='normal')
