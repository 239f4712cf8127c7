// Steady state (issue 15, part ss): SteadyWindow's numerics against figures
// worked out by hand and against one fio 3.33 run (its samples and its
// criterion), SteadyMonitor on a fake clock (first sample from the job's
// start to the tick, group sums under group_reporting, ss_ramp, stop flags),
// and whole runs with the null engine at a fixed rate: one that attains and
// stops early, one that never attains and runs its runtime.
#include <catch2/catch.hpp>

#include <cstdio>
#include <string>
#include <vector>

#include "engine/io_engine.hpp"
#include "engine/run.hpp"
#include "engine/steady_state.hpp"
#include "jobs/ini.hpp"
#include "jobs/options.hpp"
#include "jobs/parse.hpp"

using namespace fiokit;
using engine::SteadyLive;
using engine::SteadyMonitor;
using engine::SteadyWindow;

namespace {

constexpr uint64_t kMs = 1'000'000, kS = 1'000 * kMs;

std::vector<jobs::JobSpec> parse(const std::string& text) {
  jobs::ParseRequest req;
  req.sources.push_back({"s.fio", jobs::read_job_text(text, "s.fio", ".", jobs::Expander::from_system())});
  return jobs::build_jobs(req, engine::option_catalog()).jobs;
}

jobs::SteadyStateSpec spec(bool iops, bool slope, bool pct, double limit, uint64_t dur) {
  jobs::SteadyStateSpec s;
  s.iops = iops, s.slope = slope, s.pct = pct, s.limit = limit, s.dur_s = dur;
  return s;
}

}  // namespace

TEST_CASE("steady state: deviation in percent, as fio 3.33 judged 1000, 1001, 1000 IOPS") {
  // fio 3.33, ss=iops:5% ss_dur=3 rate_iops=1000: data iops [1000, 1001, 1000],
  // "criterion" : "0.066644%", "max_deviation" : 0.666667, attained 1.
  SteadyWindow w(spec(true, false, true, 5, 3));
  CHECK_FALSE(w.add(1000, 4096000));
  CHECK_FALSE(w.add(1001, 4100096));
  CHECK(w.result(false).criterion == 0);  // nothing judged before the window is full
  CHECK(w.add(1000, 4096000));
  const auto r = w.result(true);
  CHECK(r.criterion == Approx(0.066644).margin(5e-7));
  CHECK(r.deviation == Approx(0.666667).margin(5e-7));
  CHECK(r.slope_value == 0);
  CHECK(r.iops_data == std::vector<uint64_t>{1000, 1001, 1000});
  CHECK(r.bw_mean() == 4097365);
  CHECK(r.iops_mean() == 1000);
}

TEST_CASE("steady state: slope of the least-squares line, absolute and in percent of the integer mean") {
  SteadyWindow abs_limit(spec(false, true, false, 10, 3));
  abs_limit.add(0, 10);
  abs_limit.add(0, 20);
  CHECK_FALSE(abs_limit.add(0, 30));  // slope 10 is not < 10
  CHECK(abs_limit.result(false).slope_value == Approx(10));
  SteadyWindow just_over(spec(false, true, false, 10.5, 3));
  just_over.add(0, 10), just_over.add(0, 20);
  CHECK(just_over.add(0, 30));
  // Percent: 100 * slope / (sum / n, truncated): samples 0, 1, 3 have slope
  // 1.5 and sum 4, so 150% over the integer mean 1, not the 112.5% of the
  // real mean 4/3 (fio divides two integers there).
  SteadyWindow pct(spec(true, true, true, 80, 3));
  pct.add(0, 0), pct.add(1, 0);
  CHECK_FALSE(pct.add(3, 0));
  CHECK(pct.criterion() == Approx(150.0));
  // A falling metric has a negative slope; its magnitude is judged.
  SteadyWindow falling(spec(true, true, false, 2, 3));
  falling.add(30, 0), falling.add(29, 0);
  CHECK(falling.add(28, 0));
  CHECK(falling.criterion() == Approx(-1.0));
}

TEST_CASE("steady state: the window slides, oldest first, zero-padded until full") {
  SteadyWindow w(spec(true, false, false, 0.5, 3));
  w.add(5, 50);
  auto r = w.result(false);
  CHECK(r.iops_data == std::vector<uint64_t>{5, 0, 0});
  CHECK(r.bw == std::vector<uint64_t>{50, 0, 0});
  w.add(9, 90), w.add(7, 70);
  CHECK_FALSE(w.add(7, 70));  // 9, 7, 7: deviation 1.33
  CHECK(w.add(7, 70));        // 7, 7, 7
  r = w.result(true);
  CHECK(r.iops_data == std::vector<uint64_t>{7, 7, 7});
  CHECK(r.criterion == 0);
  // ss_dur=1: the slope is 0/0, never attained (as fio).
  SteadyWindow one(spec(true, true, false, 1e9, 1));
  CHECK_FALSE(one.add(1, 1));
}

TEST_CASE("steady state monitor: first sample from the job's start, then one per tick; the job is asked to stop") {
  auto jobs = parse("[a]\nioengine=null\nsize=1g\nss=iops:1%\nss_dur=2\ntime_based\nruntime=100\n");
  REQUIRE(jobs.size() == 1);
  std::vector<SteadyLive> live(1);
  const uint64_t t0 = 1000 * kS;
  SteadyMonitor m(jobs, live, t0);
  REQUIRE(m.enabled());
  CHECK(m.next_due() == t0 + kS);
  auto running = [](size_t) { return true; };
  live[0].set_epoch(t0 + 200 * kMs);  // the job started 200 ms after the run
  for (int i = 0; i < 800; ++i) live[0].add(4096);  // 800 I/Os in 800 ms: 1000 IOPS
  m.check(t0 + kS, running);
  for (int i = 0; i < 1000; ++i) live[0].add(4096);
  m.check(t0 + 2 * kS, running);
  CHECK(live[0].stop.load());
  std::vector<results::JobResult> out(1);
  m.fill(out);
  REQUIRE(out[0].steadystate);
  CHECK(out[0].steadystate->attained);
  CHECK(out[0].steadystate->iops_data == std::vector<uint64_t>{1000, 1000});
  CHECK(out[0].steadystate->bw == std::vector<uint64_t>{4096000, 4096000});
}

TEST_CASE("steady state monitor: group_reporting sums the group's jobs and stops them all; ss_ramp delays sampling") {
  auto jobs = parse("[global]\nioengine=null\nsize=1g\nss=iops:1%\nss_dur=2\nss_ramp=1\ngroup_reporting\ntime_based\nruntime=100\n"
                    "[a]\nnumjobs=2\n");
  REQUIRE(jobs.size() == 2);
  std::vector<SteadyLive> live(2);
  const uint64_t t0 = 1000 * kS;
  SteadyMonitor m(jobs, live, t0);
  auto running = [](size_t) { return true; };
  live[0].set_epoch(t0);
  live[1].set_epoch(t0);
  uint64_t t = t0;
  for (int tick = 1; tick <= 3; ++tick) {
    for (int i = 0; i < 100; ++i) live[0].add(4096);
    for (int i = 0; i < 300; ++i) live[1].add(4096);
    t += kS;
    m.check(t, running);
    // ss_ramp=1: samples start once 1 s + 1 s have passed since the epoch,
    // so ticks 1 gives none, 2 and 3 give the window its two samples.
    CHECK(live[0].stop.load() == (tick == 3));
    CHECK(live[1].stop.load() == (tick == 3));
  }
  std::vector<results::JobResult> out(2);
  m.fill(out);
  REQUIRE(out[1].steadystate);
  CHECK(out[1].steadystate->iops_data == std::vector<uint64_t>{400, 400});  // both jobs' IOPS summed
  CHECK(out[0].steadystate->attained);
}

TEST_CASE("steady state run: a fixed-rate null job attains and stops early; one that cannot runs its runtime") {
  auto stops = parse("[a]\nioengine=null\nsize=1g\nrate_iops=500\ntime_based\nruntime=20\nss=iops:20%\nss_dur=2\n");
  auto r = engine::run_jobs(stops, {});
  REQUIRE(r.jobs[0].steadystate);
  CHECK(r.jobs[0].steadystate->attained);
  // Two samples at the run's ticks 1 and 2 s: it stops at ~2 s, never near 20.
  CHECK(r.jobs[0].job_runtime_ms >= 1800);
  CHECK(r.jobs[0].job_runtime_ms < 3500);
  CHECK(r.jobs[0].steadystate->iops_data[1] == Approx(500).epsilon(0.05));

  // A limit of 0 can never be beaten (criterion < 0): runs to runtime=2.
  auto never = parse("[a]\nioengine=null\nsize=1g\nrate_iops=500\ntime_based\nruntime=2\nss=iops_slope:0\nss_dur=1\n");
  r = engine::run_jobs(never, {});
  REQUIRE(r.jobs[0].steadystate);
  CHECK_FALSE(r.jobs[0].steadystate->attained);
  CHECK(r.jobs[0].job_runtime_ms >= 1990);
}

// fio's own examples/steadystate.fio (from Debian's fio source package, never
// copied into the repository), shrunk in a copy to seconds instead of minutes:
// both groups parse and run on /dev/null and /dev/zero, each job reports its
// steady-state block. Tagged [fio-src]: its own CTest entry (engine_fio_src)
// skips with 77 and the reason when the source is absent; run here without
// it, the case fails rather than pass having checked nothing.
TEST_CASE("steady state: fio's examples/steadystate.fio runs, shrunk to seconds", "[fio-src]") {
  const std::string path = "/var/tmp/fiokit-fio-src/fio-3.33/examples/steadystate.fio";
  std::FILE* f = std::fopen(path.c_str(), "r");
  if (!f) FAIL(path << " is absent (tests/fio-suite/run fetches fio's source with apt-get source fio)");
  std::string text;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) text.append(buf, n);
  std::fclose(f);
  auto subst = [&](const std::string& from, const std::string& to) {
    for (size_t p; (p = text.find(from)) != std::string::npos;) text.replace(p, from.size(), to);
  };
  subst("runtime=5m", "runtime=6");
  subst("ss_dur=30s", "ss_dur=2");
  subst("ss_dur=10s", "ss_dur=2");
  subst("ss_ramp=10s", "ss_ramp=1");
  subst("ss_ramp=5s", "ss_ramp=1");
  subst("numjobs=4", "numjobs=2");
  auto jobs = parse(text);
  REQUIRE(jobs.size() == 4);
  const auto r = engine::run_jobs(jobs, {});
  for (const auto& j : r.jobs) {
    CHECK(j.error == 0);
    REQUIRE(j.steadystate);
    CHECK(j.steadystate->dur_s == 2);
  }
  // Whether /dev/null's write IOPS stay within 10% for 2 s depends on the
  // machine's load (under ASan on 2 busy cores they did not): attaining is
  // checked where the rate is fixed (rate_iops, tests/fidelity group ss, and
  // the monitor's fake-clock cases above), not here.
  CHECK(r.jobs[1].dirs[1].runtime_ms > 0);  // the write group ran
  CHECK(r.jobs[3].dirs[0].runtime_ms > 0);  // the read group ran too
}
