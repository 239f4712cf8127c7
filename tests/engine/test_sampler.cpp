// Sampler tested alone on a fake clock: the bw/iops windows (one sample per
// full window, none for a window that ends with the job), ramp_time's reset,
// the deadline, rate_min's settle time and failure, progress counters and the
// final runtimes. The job's counters are moved by hand, as the loop would.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "engine/sampler.hpp"
#include "jobs/ini.hpp"
#include "jobs/parse.hpp"

using namespace fiokit;
using engine::Sampler;

namespace {

constexpr uint64_t kMs = 1'000'000;
constexpr uint64_t kT0 = 1'000'000 * kMs;  // an arbitrary start on the fake clock

jobs::JobSpec parse_one(const std::string& text) {
  jobs::ParseRequest req;
  req.sources.push_back({"s.fio", jobs::read_job_text(text, "s.fio", ".", jobs::Expander::from_system())});
  auto jobs = jobs::build_jobs(req, engine::option_catalog()).jobs;
  REQUIRE(jobs.size() == 1);
  jobs[0].job_index = 0;
  return jobs[0];
}

struct Rig {
  explicit Rig(const std::string& text) : spec(parse_one(text)), sampler(spec, res, shared) {
    shared.live = std::vector<engine::LiveCounters>(1);
    shared.snaps = std::vector<engine::RunShared::Snapshot>(1);
    shared.run_dir = "/nonexistent";  // the job writes no log
    sampler.open_logs();
  }
  // `bytes` more read at `t`, then the sampler's events if any are due.
  unsigned read(uint64_t t, uint64_t bytes) {
    res.dirs[0].io_bytes += bytes;
    res.dirs[0].total_ios += bytes / 4096;
    return sampler.event_due(t) ? sampler.on_event(t) : 0u;
  }
  jobs::JobSpec spec;
  results::JobResult res;
  engine::RunShared shared;
  Sampler sampler;
};

}  // namespace

TEST_CASE("Sampler: one bw/iops sample per full window, none for the window the job ends in") {
  Rig r("[j]\nioengine=null\nrw=read\nsize=1m\ntime_based\nruntime=2\n");
  r.sampler.start(kT0, false);
  CHECK(r.shared.live[0].state.load() == 1);
  CHECK(r.sampler.deadline_ns() == kT0 + 2000 * kMs);
  // 1 MiB every 100 ms, 5 MiB per 500 ms window: 10240 KiB/s, 2560 IOPS.
  for (uint64_t t = 100; t < 2000; t += 100) CHECK(r.read(kT0 + t * kMs, 1 << 20) == Sampler::none);
  CHECK(r.read(kT0 + 2000 * kMs, 1 << 20) == Sampler::deadline);
  const auto& bw = r.res.dirs[0].bw_kib.values;
  // Windows end at 500, 1000, 1500 ms; the one ending at the deadline is not sampled.
  REQUIRE(bw.size() == 3);
  CHECK(bw[0] == 10240);
  CHECK(r.res.dirs[0].iops.values.size() == 3);
  CHECK(r.res.dirs[0].iops.values[0] == 2560);
  // Progress counters are published at the 250 ms progress points.
  CHECK(r.shared.live[0].bytes[0].load() > 0);
}

TEST_CASE("Sampler: ramp_time resets the statistics and starts the runtime at its end") {
  Rig r("[j]\nioengine=null\nrw=read\nsize=1m\ntime_based\nruntime=1\nramp_time=300ms\n");
  r.sampler.start(kT0, false);
  CHECK(r.sampler.ramping());
  CHECK(r.read(kT0 + 100 * kMs, 1 << 20) == Sampler::none);
  CHECK(r.res.dirs[0].io_bytes == 1 << 20);
  r.read(kT0 + 301 * kMs, 0);
  CHECK_FALSE(r.sampler.ramping());
  CHECK(r.res.dirs[0].io_bytes == 0);  // the ramp's I/O is not in the results
  CHECK(r.sampler.stats_start_ns() == kT0 + 301 * kMs);
  CHECK(r.sampler.deadline_ns() == kT0 + 1301 * kMs);
}

TEST_CASE("Sampler: rate_min settles 2 s, takes a baseline, then fails a slow job") {
  Rig r("[j]\nioengine=null\nrw=read\nsize=1m\ntime_based\nruntime=10\nrate_min=1m\nrate_cycle=1000\n");
  r.sampler.start(kT0, true);
  unsigned ev = 0;
  // 64 KiB every 100 ms: 640 KiB/s, below 1 MiB/s.
  uint64_t t = 100;
  for (; t <= 3000 && !(ev & Sampler::rate_min_failed); t += 100) ev = r.read(kT0 + t * kMs, 64 << 10);
  CHECK(ev & Sampler::rate_min_failed);
  CHECK(t - 100 >= 3000);  // not before 2 s settle + one rate cycle
  CHECK_THAT(r.sampler.error(), Catch::Contains("rate_min=1048576B/s not met") && Catch::Contains("check_min_rate"));
}

TEST_CASE("Sampler: a job fast enough for rate_min never fails") {
  Rig r("[j]\nioengine=null\nrw=read\nsize=1m\ntime_based\nruntime=10\nrate_min=1m\nrate_cycle=500\n");
  r.sampler.start(kT0, true);
  for (uint64_t t = 100; t <= 6000; t += 100) CHECK((r.read(kT0 + t * kMs, 1 << 20) & Sampler::rate_min_failed) == 0);
  CHECK(r.sampler.error().empty());
}

TEST_CASE("Sampler: finish sets runtimes as fio rounds them") {
  Rig r("[j]\nioengine=null\nrw=read\nsize=1m\n");
  r.sampler.start(kT0, false);
  r.read(kT0 + 10 * kMs, 1 << 20);
  r.sampler.finish(kT0 + 1000 * kMs + 400'000, 0);  // 1000.4 ms
  CHECK(r.res.job_runtime_ms == 1000);               // truncated
  CHECK(r.res.dirs[0].runtime_ms == 1001);           // rounded up
  CHECK(r.shared.live[0].bytes[0].load() == 1 << 20);
}

TEST_CASE("Sampler: paused windows take no samples") {
  Rig r("[j]\nioengine=null\nrw=read\nsize=1m\ntime_based\nruntime=5\n");
  r.sampler.start(kT0, false);
  const auto paused = r.sampler.pause_windows();
  for (uint64_t t = 100; t <= 1200; t += 100) r.read(kT0 + t * kMs, 1 << 20);
  CHECK(r.res.dirs[0].bw_kib.values.empty());
  r.sampler.resume_windows(paused);
  r.read(kT0 + 1300 * kMs, 1 << 20);
  CHECK_FALSE(r.res.dirs[0].bw_kib.values.empty());
}
