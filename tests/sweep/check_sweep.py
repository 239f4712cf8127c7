#!/usr/bin/env python3
"""`fiokit sweep` end to end, with real runs of the null engine (0.3 s a point).

  cli      a 3x2 sweep (--iodepth 1,2,4 --numjobs 1,2): exit 0, the job file's
           own iodepth named in a warning, sweep.json with 6 points all ok,
           each sub-run an ordinary run dir (results.json with numjobs jobs
           run at the point's iodepth, readable by `fiokit compare`); errors
           (unknown option, empty list, a value the parser refuses) exit 2
           naming it with nothing created; a failing point is recorded and
           the other runs (exit 1); SIGTERM stops the sweep (exit 143) with
           the finished point readable and the rest marked; one point's
           figures against the same job run alone (rate_iops makes IOPS a
           property of the job, not of the machine's load).
  gnuplot  the graphs through the real gnuplot: PNGs decoded (one line colour
           per numjobs value, no third), SVGs parsed (legend entries, the heat
           map's cell labels are the points' IOPS).
  browser  the sweep page of a real `fiokit serve` in headless Chromium, and
           its compare page on two sweeps (a row per point, verdict colours).
  compare  `fiokit compare SWEEP_A SWEEP_B` point by point.
  fio      each point of a 2x2 sweep against fio 3.33 running the same job.

usage: check_sweep.py PART FIOKIT    (exit 77 with the reason when a program is missing)
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'common'))
from net_util import free_port  # noqa: E402,F401  (also imported from here by other tests)
from pngcheck import count_colour, decode_png  # noqa: E402

FIOKIT = None
FAILS = []

JOB = """[global]
ioengine=null
size=64m
runtime=300ms
time_based
iodepth=2
{extra}
[rr]
rw=randread
bs=4k
"""


def check(cond, what):
    if not cond:
        FAILS.append(what)
        print("FAIL:", what)


def skip(why):
    print("SKIP:", why)
    sys.exit(77)


def sweep(cwd, args, timeout=120):
    p = subprocess.run([FIOKIT, "sweep"] + args, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def write_job(d, extra="", name="job.fio"):
    with open(os.path.join(d, name), "w") as f:
        f.write(JOB.format(extra=extra))
    return name


def sweep_dirs(data):
    runs = os.path.join(data, "runs")
    return sorted(os.path.join(runs, n) for n in os.listdir(runs)) if os.path.isdir(runs) else []


def manifest(sdir):
    with open(os.path.join(sdir, "sweep.json")) as f:
        return json.load(f)


def results_of(sdir, point):
    with open(os.path.join(sdir, point["run"], "results.json")) as f:
        return json.load(f)


def make_3x2(tmp, extra_args=()):
    write_job(tmp)
    rc, out, err = sweep(tmp, ["--data-dir", "d", "job.fio", "--iodepth", "1,2,4", "--numjobs", "1,2"] + list(extra_args))
    return rc, out, err


def part_cli(tmp):
    rc, out, err = make_3x2(tmp, ["--no-plot"])
    check(rc == 0, f"3x2 sweep exit {rc}: {err}")
    check(re.search(r"job\.fio:6 sets iodepth=2.*--iodepth", err) is not None, f"no override warning naming job.fio:6: {err}")
    dirs = sweep_dirs(os.path.join(tmp, "d"))
    check(len(dirs) == 1, f"one sweep directory expected, found {dirs}")
    sdir = dirs[0]
    m = manifest(sdir)
    check([d["option"] for d in m["dimensions"]] == ["iodepth", "numjobs"], f"dimensions {m['dimensions']}")
    check(len(m["points"]) == 6, f"{len(m['points'])} points")
    seen = set()
    for p in m["points"]:
        s = p["settings"]
        seen.add((s["iodepth"], s["numjobs"]))
        check(p["status"] == "ok", f"point {p['key']} status {p['status']}")
        r = results_of(sdir, p)
        jobs = [j for j in r["jobs"] if j["jobname"] == "rr"]
        check(len(jobs) == int(s["numjobs"]), f"{p['key']}: {len(jobs)} jobs in results.json")
        for j in jobs:
            check(j["job options"].get("iodepth") == s["iodepth"], f"{p['key']}: job options {j['job options']}")
            check(j["read"]["total_ios"] > 0, f"{p['key']}: no I/O")
        check(os.path.isfile(os.path.join(sdir, p["run"], "output.txt")), f"{p['key']}: no output.txt")
        check(p["figures"]["iops"] > 0, f"{p['key']}: figures {p.get('figures')}")
    check(seen == {(a, b) for a in "124" for b in "12"}, f"points {seen}")
    check(out.count(" ok ") == 6 and "iodepth=4 numjobs=2" in out, f"table on stdout: {out}")
    # A sub-run is an ordinary run directory: compare reads it.
    sub = os.path.join(sdir, m["points"][0]["run"])
    p = subprocess.run([FIOKIT, "compare", "--quiet", sub, sub], capture_output=True, text=True)
    check(p.returncode == 0, f"compare of a sub-run with itself: {p.returncode} {p.stderr}")

    # Refused before anything runs: exit 2 naming what is wrong, no directory made.
    for args, want in [(["--iodepht", "1,2"], "iodepht"), (["--iodepth", ""], "--iodepth: empty"),
                       (["--iodepth", "1,,2"], "empty value"), (["--iodepth", "1,x"], "iodepth=x"),
                       (["--bs", "4k,1.5k"], "bs=1.5k"), (["--iodepth"], "--iodepth")]:
        before = sweep_dirs(os.path.join(tmp, "e"))
        rc, _, err = sweep(tmp, ["--data-dir", "e", "job.fio"] + args)
        check(rc == 2, f"{args}: exit {rc}, want 2")
        check(want in err, f"{args}: stderr does not name '{want}': {err}")
        check(sweep_dirs(os.path.join(tmp, "e")) == before, f"{args}: a directory was made")
    rc, _, err = sweep(tmp, ["--data-dir", "e", "job.fio", "--iodepht", "1"])
    check("did you mean '--iodepth'" in err, f"no suggestion: {err}")

    # A point that fails is recorded; the others run; exit 1.
    os.mkdir(os.path.join(tmp, "ok"))
    with open(os.path.join(tmp, "psync.fio"), "w") as f:
        f.write("[w]\nioengine=psync\nrw=write\nbs=4k\nsize=256k\n")
    rc, _, err = sweep(tmp, ["--no-plot", "--data-dir", "f", "psync.fio", "--directory",
                             os.path.join(tmp, "missing") + "," + os.path.join(tmp, "ok")])
    check(rc == 1, f"sweep with a failing point: exit {rc}, want 1: {err}")
    m = manifest(sweep_dirs(os.path.join(tmp, "f"))[0])
    st = [p["status"] for p in m["points"]]
    check(st == ["failed", "ok"], f"statuses {st}")
    check("error" in m["points"][0], f"failed point without an error: {m['points'][0]}")

    # SIGTERM: the running point is kept (interrupted), the rest skipped, exit 143.
    write_job(tmp, name="slow.fio", extra="")
    with open(os.path.join(tmp, "slow.fio")) as f:
        text = f.read().replace("runtime=300ms", "runtime=2s")
    with open(os.path.join(tmp, "slow.fio"), "w") as f:
        f.write(text)
    proc = subprocess.Popen([FIOKIT, "sweep", "--no-plot", "--data-dir", "g", "slow.fio", "--iodepth", "1,2,4"],
                            cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    gdir = None
    deadline = time.time() + 30
    while time.time() < deadline:  # until point 1 is done and point 2 runs
        dirs = sweep_dirs(os.path.join(tmp, "g"))
        if dirs and os.path.isfile(os.path.join(dirs[0], "sweep.json")):
            gdir = dirs[0]
            if manifest(gdir)["points"][0]["status"] == "ok":
                break
        time.sleep(0.1)
    time.sleep(0.5)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    check(proc.returncode == 143, f"SIGTERM: exit {proc.returncode}, want 143: {err}")
    m = manifest(gdir)
    st = [p["status"] for p in m["points"]]
    check(st == ["ok", "interrupted", "skipped"], f"after SIGTERM: {st}")
    check(m["interrupted"] is True, "manifest not marked interrupted")
    r = results_of(gdir, m["points"][0])
    check(r["jobs"][0]["read"]["total_ios"] > 0 and not r.get("fiokit", {}).get("interrupted"), "point 1 not whole")

    # Two SIGINTs in a row while a point runs (the user's double Ctrl-C): the
    # process ends at once, but its manifest still says interrupted, with a
    # finish time and no point left "pending" (the page would say "running").
    proc = subprocess.Popen([FIOKIT, "sweep", "--no-plot", "--data-dir", "g2", "slow.fio", "--iodepth", "1,2,4"],
                            cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    g2 = None
    deadline = time.time() + 30
    while time.time() < deadline:  # until point 1 runs
        dirs = sweep_dirs(os.path.join(tmp, "g2"))
        if dirs and os.path.isdir(os.path.join(dirs[0], "runs")):
            g2 = dirs[0]
            break
        time.sleep(0.05)
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    # 130, or killed by the second SIGINT itself: when the first one came
    # during point 1's setup, the point stops at once and the sweep can finish
    # (manifest saved, its handlers given back) before the second arrives 50 ms
    # later, which then ends the process the default way. Either is the user's
    # "ended by Ctrl-C"; what matters is the manifest, checked below.
    check(proc.returncode in (130, -signal.SIGINT), f"double SIGINT: exit {proc.returncode}, want 130: {err}")
    if proc.returncode == -signal.SIGINT:
        check("point 1/3" in err, f"double SIGINT: killed before point 1 ended: {err}")
    m = manifest(g2)
    st = [p["status"] for p in m["points"]]
    check("pending" not in st and st[0] == "interrupted", f"after double SIGINT: {st}")
    check(m["interrupted"] is True and m.get("finished_ms", 0) > 0, f"double SIGINT: manifest {m.get('interrupted')} {m.get('finished_ms')}")

    # One point against the same job run alone: same options -> same figures.
    # rate_iops paces both, so the figures are the job's; but a 0.3 s run on a
    # loaded 2-core machine can start late, so a disagreement is measured
    # again (up to 3 times, fresh sweep and fresh run) before it counts.
    write_job(tmp, name="rated.fio", extra="rate_iops=2000")
    with open(os.path.join(tmp, "alone.fio"), "w") as f:
        f.write(JOB.format(extra="rate_iops=2000"))  # iodepth=2: the second point's value
    for attempt in range(3):
        data = f"h{attempt}"
        rc, _, err = sweep(tmp, ["--no-plot", "--data-dir", data, "rated.fio", "--iodepth", "1,2"])
        check(rc == 0, f"rated sweep: {rc} {err}")
        hdir = sweep_dirs(os.path.join(tmp, data))[0]
        hm = manifest(hdir)
        whole = results_of(hdir, hm["points"][1])
        point = whole["jobs"][0]
        p = subprocess.run([FIOKIT, "run", "--output-format=json", "alone.fio"], cwd=tmp, capture_output=True, text=True)
        alone_whole = json.loads(p.stdout)
        alone = alone_whole["jobs"][0]
        a_iops, s_iops = alone["read"]["iops"], point["read"]["iops"]
        a_ios, s_ios = alone["read"]["total_ios"], point["read"]["total_ios"]
        print(f"point iodepth=2: {s_iops:.0f} IOPS, {s_ios} I/Os; alone: {a_iops:.0f} IOPS, {a_ios} I/Os")
        for k in ("rw", "bs", "ioengine", "rate_iops", "runtime", "iodepth"):
            ga = alone["job options"].get(k) or alone_whole.get("global options", {}).get(k)
            gp = point["job options"].get(k) or whole.get("global options", {}).get(k)
            check(ga == gp, f"option {k}: alone {ga}, point {gp}")
        if abs(s_iops - a_iops) <= 0.1 * a_iops and abs(s_ios - a_ios) <= 0.1 * a_ios:
            break
    else:
        check(False, f"IOPS {s_iops} vs alone {a_iops}, I/Os {s_ios} vs {a_ios}, three times")


def svg_texts(path):
    root = ET.parse(path).getroot()
    return ["".join(t.itertext()).strip() for t in root.iter() if t.tag.endswith("text")]


def part_gnuplot(tmp):
    if not shutil.which("gnuplot"):
        skip("gnuplot is not installed (apt-get install gnuplot-nox)")
    rc, _, err = make_3x2(tmp)
    check(rc == 0, f"sweep exit {rc}: {err}")
    sdir = sweep_dirs(os.path.join(tmp, "d"))[0]
    plots = os.path.join(sdir, "plots")
    names = sorted(os.listdir(plots))
    want = [f"sweep-{g}.{e}" for g in ("heatmap-iops", "iops", "lat-mean", "lat-p99") for e in ("png", "svg")]
    check(names == sorted(want), f"plots {names}")
    for g in ("iops", "lat-mean", "lat-p99"):
        png = decode_png(os.path.join(plots, f"sweep-{g}.png"))
        blue, red, green = (count_colour(png, c) for c in (0x1f77b4, 0xd62728, 0x2ca02c))
        print(f"sweep-{g}.png: {png[0]}x{png[1]}, line pixels numjobs=1 {blue}, numjobs=2 {red}, a third {green}")
        # Lines of equal values overlap (the null engine's p99 is the same at
        # every point): the later one covers the earlier, so the PNG must show
        # the lines' colours in all, and the SVG each line's own path.
        check(blue + red > 300 and (blue > 150 or red > 150), f"sweep-{g}.png: lines missing ({blue}, {red})")
        check(green < 20, f"sweep-{g}.png: a third line ({green} pixels)")
        svg = open(os.path.join(plots, f"sweep-{g}.svg")).read()
        strokes = {c: len(re.findall(r"stroke='rgb\(\s*%d,\s*%d,\s*%d\)'" % c, svg)) for c in
                   ((31, 119, 180), (214, 39, 40), (44, 160, 44))}
        check(strokes[(31, 119, 180)] >= 1 and strokes[(214, 39, 40)] >= 1 and strokes[(44, 160, 44)] == 0,
              f"sweep-{g}.svg line paths by colour {strokes}")
        texts = svg_texts(os.path.join(plots, f"sweep-{g}.svg"))
        check("numjobs=1" in texts and "numjobs=2" in texts and "numjobs=4" not in texts, f"sweep-{g}.svg legend {texts}")
        check("iodepth" in texts, f"sweep-{g}.svg has no iodepth axis label")
    m = manifest(sdir)
    texts = svg_texts(os.path.join(plots, "sweep-heatmap-iops.svg"))
    for p in m["points"]:
        # The labels print the figure of the sub-run's results.json; the manifest
        # keeps the same value (rounding may differ by one at .5).
        iops = p["figures"]["iops"]
        near = [t for t in texts if t.isdigit() and abs(int(t) - iops) <= 1]
        check(len(near) == 1, f"heat map: no cell label {iops:.0f} in {texts}")
    heat = decode_png(os.path.join(plots, "sweep-heatmap-iops.png"))
    dark = count_colour(heat, 0x08306b, 60) + count_colour(heat, 0x6baed6, 40) + count_colour(heat, 0xdeebf7, 12)
    check(dark > 0.2 * heat[0] * heat[1], f"heat map cells cover {dark} pixels of {heat[0] * heat[1]}")

    # A point that did not run (a sweep stopped early) is a gap, not a zero:
    # `fiokit plot` on the sweep directory redraws without it, gnuplot quiet.
    gap = os.path.join(tmp, "gap")
    shutil.copytree(sdir, gap)
    shutil.rmtree(os.path.join(gap, "plots"))
    last = m["points"][-1]
    shutil.rmtree(os.path.join(gap, last["run"]))
    gm = manifest(gap)
    gm["points"][-1].update(status="skipped", run="")
    del gm["points"][-1]["figures"]
    with open(os.path.join(gap, "sweep.json"), "w") as f:
        json.dump(gm, f)
    p = subprocess.run([FIOKIT, "plot", "--format", "both", gap], capture_output=True, text=True)
    check(p.returncode == 0 and "warning" not in p.stderr, f"plot of a sweep with a gap: {p.returncode} {p.stderr}")
    check(len(p.stdout.split()) == 8, f"images listed: {p.stdout}")
    texts = svg_texts(os.path.join(gap, "plots", "sweep-heatmap-iops.svg"))
    labels = [t for t in texts if t.isdigit() and any(abs(int(t) - q["figures"]["iops"]) <= 1 for q in m["points"])]
    check(len(labels) == 5, f"heat map with a gap: {len(labels)} cell labels, want 5: {texts}")
    svg = open(os.path.join(gap, "plots", "sweep-iops.svg")).read()
    check(len(re.findall(r"stroke='rgb\(214,\s*39,\s*40\)'", svg)) >= 1, "the numjobs=2 line is gone with one point")


def part_compare(tmp):
    """Two sweeps point by point: matched by values (whatever the dimension
    order), a missing point reported (exit 2), a slower sweep a regression."""
    def rated(data, iops, args):
        write_job(tmp, name=f"r{iops}.fio", extra=f"rate_iops={iops}")
        rc, _, err = sweep(tmp, ["--no-plot", "--data-dir", data, f"r{iops}.fio"] + args)
        check(rc == 0, f"sweep {data}: {rc} {err}")
        return sweep_dirs(os.path.join(tmp, data))[0]

    a = rated("a", 2000, ["--iodepth", "1,2", "--numjobs", "1,2"])
    b = rated("b", 2000, ["--numjobs", "1,2", "--iodepth", "1,2"])  # the other order
    c = rated("c", 2000, ["--iodepth", "1", "--numjobs", "1,2"])
    slow = rated("s", 1000, ["--iodepth", "1,2", "--numjobs", "1,2"])

    def compare(x, y):
        # The null engine's latencies are tens of ns, where one preemption on a
        # shared machine is a +1000% p99.9: only the rates are judged here.
        p = subprocess.run([FIOKIT, "compare", "--latency-floor", "10ms", x, y], capture_output=True, text=True)
        return p.returncode, p.stdout, p.stderr

    rc, out, err = compare(a, b)
    check(rc == 0, f"same sweep twice: exit {rc}: {err}")
    heads = re.findall(r"^== point (.*) ==$", out, re.M)
    check(sorted(heads) == sorted(f"iodepth={i} numjobs={n}" for i in "12" for n in "12"), f"points compared {heads}")
    check("4 point(s): 4 pass" in err, f"summary: {err}")
    rc, out, err = compare(a, c)
    check(rc == 2, f"a point missing: exit {rc}, want 2")
    for k in ("iodepth=2 numjobs=1", "iodepth=2 numjobs=2"):
        check(f"point {k}: only in the baseline" in err, f"missing point {k} not reported: {err}")
    check(len(re.findall(r"^== point", out, re.M)) == 2, f"the matched points were not compared: {out}")
    rc, out, err = compare(a, slow)
    check(rc == 1, f"half the IOPS at every point: exit {rc}, want 1: {err}")
    check(len(re.findall(r"regression: rr/read/iops", err)) == 4, f"regressions per point: {err}")
    rc, _, err = compare(a, os.path.join(a, manifest(a)["points"][0]["run"]))
    check(rc == 2 and "only with a sweep" in err, f"sweep vs a run: exit {rc}: {err}")


def http_get(port, path):
    import urllib.request
    import urllib.error
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")


def chromium(tmp, args, url):
    prof = tempfile.mkdtemp(dir=tmp)
    cmd = ["timeout", "120", "/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
           "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--disable-dev-shm-usage", f"--user-data-dir={prof}", "--virtual-time-budget=5000"] + args + [url]
    return subprocess.run(cmd, capture_output=True, text=True, cwd=tmp).stdout


def part_browser(tmp):
    if not os.access("/usr/bin/chromium", os.X_OK):
        skip("/usr/bin/chromium is not installed (apt-get install chromium)")
    rc, _, err = make_3x2(tmp, ["--no-plot"])
    check(rc == 0, f"sweep exit {rc}: {err}")
    sdir = sweep_dirs(os.path.join(tmp, "d"))[0]
    sid = os.path.basename(sdir)
    port, server = serve_until_ready(os.path.join(tmp, "d"))
    try:
        code, body = http_get(port, "/api/sweeps/" + sid)
        check(code == 200, f"/api/sweeps: {code}")
        api = json.loads(body)
        check(len(api["points"]) == 6 and all(p["figures"]["iops"] > 0 for p in api["points"]), "api points")
        code, body = http_get(port, "/sweeps")
        check(code == 200 and f'href="/sweeps/{sid}"' in body, "the sweeps list does not link the sweep")
        check(http_get(port, "/sweeps/no-such-sweep")[0] == 404, "an unknown sweep is not 404")
        check(http_get(port, "/api/sweeps/no-such-sweep")[0] == 404, "an unknown sweep's API is not 404")
        code, body = http_get(port, "/")
        check('href="/sweeps"' in body, "the run index has no link to the sweeps")

        url = f"http://127.0.0.1:{port}/sweeps/{sid}"
        dom = chromium(tmp, ["--dump-dom"], url)
        check('data-sweep-ready="1"' in dom, f"the page's script did not finish: {dom[:300]}")
        for metric in ("iops", "lat_mean_ns", "clat_p99_ns"):
            m = re.search(r'<div class="sweep-chart" data-metric="%s"[^>]*>' % metric, dom)
            tag = m.group(0) if m else ""
            check('data-lines="2"' in tag and 'data-points="6"' in tag, f"chart {metric}: {tag}")
        circles = len(re.findall(r"<circle ", dom))
        check(circles == 18, f"{circles} points drawn, want 6 in each of 3 charts")
        legends = re.findall(r'class="legend-item"><i[^>]*></i>([^<]*)<', dom)
        check(legends.count("numjobs=1") == 3 and legends.count("numjobs=2") == 3, f"legends {legends}")
        heat = re.search(r'<div class="sweep-heat"[^>]*>', dom)
        check(heat is not None and 'data-cells="6"' in heat.group(0), f"heat map: {heat and heat.group(0)}")
        links = re.findall(r'<a class="subrun" href="([^"]+)"', dom)
        check(len(links) == 6, f"{len(links)} sub-run links")
        # Each opens the sub-run's own run page (nested id "<sweep>@<sub>"),
        # not a folder listing; its JSON link still serves the file.
        for link, p in zip(links, api["points"]):
            sub = p["run"].split("/", 1)[1]
            check(link == f"/runs/{sid}%40{sub}", f"sub-run link {link}")
            code, body = http_get(port, link)
            check(code == 200 and f"<h1>{sid}@{sub}</h1>" in body, f"{link}: {code}")
            code, body = http_get(port, f"/files/runs/{sid}/{p['run']}/results.json")
            check(code == 200 and len(json.loads(body)["jobs"]) >= 1, f"{p['run']}/results.json: {code}")

        # The run index: one row for the sweep, badged, with its points, no
        # "no results" failure; its sub-runs are not rows of their own.
        dom = chromium(tmp, ["--dump-dom"], f"http://127.0.0.1:{port}/")
        rows = re.findall(r'<tr class="sweep-row"[^>]*>.*?</tr>', dom)
        check(len(rows) == 1, f"{len(rows)} sweep rows in the index")
        row = rows[0] if rows else ""
        check(f'href="/sweeps/{sid}"' in row and ">sweep</span>" in row and "6/6 ok" in row, f"sweep row: {row}")
        check("no results" not in dom, "the index shows the sweep as a run without results")
        check(len(re.findall(r'<tr [^>]*data-id=', dom)) == 1, "sub-runs listed as index rows")
        # A sub-run's run page in the browser: its per-second graphs drawn
        # from the series API under the nested id.
        sub_dom = chromium(tmp, ["--dump-dom"], f"http://127.0.0.1:{port}{links[0]}")
        check('data-charts-ready="' in sub_dom, f"the sub-run page's charts did not load: {sub_dom[:300]}")
        drawn = re.findall(r'data-points="(\d+)"', sub_dom)
        check(drawn and all(int(n) > 0 for n in drawn), f"sub-run charts drew no points: {drawn}")
        check("data-error=" not in sub_dom, "a sub-run chart failed to load its series")
        shot = os.path.join(tmp, "index.png")
        chromium(tmp, ["--window-size=1400,600", f"--screenshot={shot}"], f"http://127.0.0.1:{port}/")
        badge = count_colour(decode_png(shot), 0xe8eefc, 6)
        print(f"index screenshot: sweep badge background pixels {badge}")
        check(badge > 50, f"the sweep badge is not drawn in the index ({badge} pixels)")

        shot = os.path.join(tmp, "sweep.png")
        chromium(tmp, ["--window-size=1280,1400", f"--screenshot={shot}"], url)
        png = decode_png(shot)
        blue, red = count_colour(png, 0x1f77b4, 20), count_colour(png, 0xd62728, 20)
        darkest = count_colour(png, 0x08306b, 20)
        print(f"screenshot {png[0]}x{png[1]}: numjobs=1 line pixels {blue}, numjobs=2 {red}, darkest heat cell {darkest}")
        check(blue > 500 and red > 500, f"lines not drawn in the screenshot ({blue}, {red})")
        check(darkest > 500, f"the heat map's largest cell is not drawn ({darkest} pixels)")
    finally:
        server.terminate()
        server.wait(timeout=10)
    browser_compare(tmp)


def serve_until_ready(data):
    port = free_port()
    server = subprocess.Popen([FIOKIT, "serve", data, "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    for _ in range(100):
        try:
            if http_get(port, "/healthz")[0] == 200:
                break
        except OSError:
            time.sleep(0.1)
    return port, server


def browser_compare(tmp):
    """The compare page on two sweeps in headless Chromium: one row per
    point, each with the verdict's colour drawn (red regression, amber for a
    point on one side only), the sweeps offered by the index's checkboxes."""
    data = os.path.join(tmp, "cmp")
    os.makedirs(os.path.join(data, "runs"))

    def rated(sid, iops, args):
        write_job(tmp, name=f"c{iops}.fio", extra=f"rate_iops={iops}")
        work = os.path.join(tmp, "work-" + sid)
        rc, _, err = sweep(tmp, ["--no-plot", "--data-dir", work, f"c{iops}.fio"] + args)
        check(rc == 0, f"sweep {sid}: {rc} {err}")
        os.rename(sweep_dirs(work)[0], os.path.join(data, "runs", sid))

    rated("a", 2000, ["--iodepth", "1,2", "--numjobs", "1,2"])
    rated("slow", 1000, ["--iodepth", "1,2", "--numjobs", "1,2"])
    rated("part", 2000, ["--iodepth", "1", "--numjobs", "1,2"])
    port, server = serve_until_ready(data)
    try:
        index = chromium(tmp, ["--dump-dom"], f"http://127.0.0.1:{port}/")
        boxes = re.findall(r'data-status="sweep"><td><input type="checkbox" name="run" value="([^"]+)"', index)
        check(sorted(boxes) == ["a", "part", "slow"], f"compare checkboxes of the sweeps: {boxes}")
        url = f"http://127.0.0.1:{port}/compare?runs=a,slow"
        dom = chromium(tmp, ["--dump-dom"], url)
        verdicts = re.findall(r'<tr class="point" data-point="[^"]*" data-verdict="([a-z]+)"', dom)
        print(f"compare a,slow: point verdicts {verdicts}")
        check(verdicts == ["regression"] * 4, f"four points, each a regression: {verdicts}")
        shot = os.path.join(tmp, "compare-slow.png")
        chromium(tmp, ["--window-size=1280,900", f"--screenshot={shot}"], url)
        red = count_colour(decode_png(shot), 0xc62828, 20)
        print(f"compare a,slow screenshot: regression red pixels {red}")
        check(red > 400, f"the regression badges are not drawn ({red} red pixels)")

        url = f"http://127.0.0.1:{port}/compare?runs=a,part"
        dom = chromium(tmp, ["--dump-dom"], url)
        rows = re.findall(r'<tr class="point"[^>]*>', dom)
        one_side = [r for r in rows if 'data-one-side="1"' in r]
        check(len(rows) == 4 and len(one_side) == 2, f"a,part: {len(rows)} rows, {len(one_side)} on one side")
        check('against the baseline <span class="verdict verdict-invalid">invalid</span>' in dom,
              "a sweep with points missing is not invalid")
        shot = os.path.join(tmp, "compare-part.png")
        chromium(tmp, ["--window-size=1280,900", f"--screenshot={shot}"], url)
        amber = count_colour(decode_png(shot), 0xa66a00, 20)
        print(f"compare a,part screenshot: invalid amber pixels {amber}")
        check(amber > 400, f"the one-sided points' badges are not drawn ({amber} amber pixels)")
        code, body = http_get(port, "/compare?runs=a," + "a%40" + manifest(os.path.join(data, "runs", "a"))["points"][0]["run"].split("/")[1])
        check(code == 400 and "runs: a@" in body, f"a sweep with one of its sub-runs: {code} {body[:300]}")
    finally:
        server.terminate()
        server.wait(timeout=10)


def part_fio(tmp):
    """Each point of a sweep against fio 3.33 running the same job with the
    point's values: same I/O count and rate (rate_iops paces both, so the
    figures are the job's, not the machine load's)."""
    if not shutil.which("fio"):
        skip("fio is not installed (apt-get install fio)")
    write_job(tmp, name="rated.fio", extra="rate_iops=2000")
    # As in part_cli: a disagreement on a loaded machine is measured again (up
    # to 3 times) before it counts.
    for attempt in range(3):
        data = f"d{attempt}"
        rc, _, err = sweep(tmp, ["--no-plot", "--data-dir", data, "rated.fio", "--iodepth", "1,4", "--bs", "4k,16k"])
        check(rc == 0, f"sweep: {rc} {err}")
        sdir = sweep_dirs(os.path.join(tmp, data))[0]
        off = []
        for p in manifest(sdir)["points"]:
            s = p["settings"]
            text = JOB.format(extra="rate_iops=2000").replace("iodepth=2", "iodepth=" + s["iodepth"])
            text = text.replace("bs=4k", "bs=" + s["bs"])
            with open(os.path.join(tmp, "fio.fio"), "w") as f:
                f.write(text)
            out = subprocess.run(["fio", "--output-format=json", "fio.fio"], cwd=tmp, capture_output=True, text=True).stdout
            fio = json.loads(out[out.index("{"):])["jobs"][0]["read"]
            ours = results_of(sdir, p)["jobs"][0]["read"]
            print(f"{p['key']}: fiokit sweep {ours['iops']:.0f} IOPS {ours['total_ios']} I/Os {ours['io_bytes']} B; "
                  f"fio 3.33 {fio['iops']:.0f} IOPS {fio['total_ios']} I/Os {fio['io_bytes']} B")
            check(ours["io_bytes"] == ours["total_ios"] * {"4k": 4096, "16k": 16384}[s["bs"]], f"{p['key']}: bytes")
            if abs(ours["iops"] - fio["iops"]) > 0.08 * fio["iops"] or abs(ours["total_ios"] - fio["total_ios"]) > 0.08 * fio["total_ios"]:
                off.append(p["key"])
        if not off:
            break
    else:
        check(False, f"points {off} differ from fio by more than 8%, three times")


def main():
    global FIOKIT
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    part, FIOKIT = sys.argv[1], os.path.abspath(sys.argv[2])
    with tempfile.TemporaryDirectory(prefix="fiokit-sweep-") as tmp:
        {"cli": part_cli, "gnuplot": part_gnuplot, "compare": part_compare, "browser": part_browser, "fio": part_fio}[part](tmp)
    if FAILS:
        print(f"{len(FAILS)} check(s) failed")
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
