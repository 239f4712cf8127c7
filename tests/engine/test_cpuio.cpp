// The cpuio engine through the real worker: a cycle is an I/O that moves no
// bytes, is timed (clat = lat, no slat), and is followed by the think time
// cycle x (100 - cpuload) / cpuload; number_ios ends the job exactly;
// exit_on_io_done ends it when the run's I/O jobs have ended; its options are
// checked at parse time and refused with another engine.
#include <catch2/catch.hpp>

#include <chrono>

#include "engine_test_util.hpp"
#include "jobs/test_expander.hpp"
#include "jobs/ini.hpp"
#include "jobs/parse.hpp"

using namespace fiokit;

namespace {

using test::parse_jobs;
using test::run_timed;

}  // namespace

TEST_CASE("cpuio: number_ios cycles of cpuchunks, each followed by its think time, no bytes") {
  // cpuload=50, 20 ms cycles: 20 ms burn + 20 ms think each, 5 cycles >= 200 ms.
  auto jobs = parse_jobs("[c]\nioengine=cpuio\ncpuload=50\ncpuchunks=20000\nnumber_ios=5\nruntime=10\n");
  results::RunResult r;
  const double secs = run_timed(jobs, &r);
  const auto& j = r.jobs.at(0);
  INFO(j.error_message);
  REQUIRE(j.error == 0);
  CHECK(j.dirs[0].total_ios == 5);
  CHECK(j.dirs[0].io_bytes == 0);
  CHECK(j.dirs[0].clat.count() == 5);
  CHECK(j.dirs[0].lat.count() == 5);
  CHECK(j.dirs[0].slat.count() == 0);
  CHECK(j.dirs[0].runtime_ms == 0);  // fio: no bytes, no direction runtime
  CHECK(j.dirs[0].clat.min() >= 20'000'000u);  // each cycle spins its whole 20 ms
  CHECK(secs >= 0.19);                          // and thinks as long after it
  // At cpuload=100 there is no think time: 5 cycles take ~100 ms, not 200.
  auto full = parse_jobs("[c]\nioengine=cpuio\ncpuload=100\ncpuchunks=20000\nnumber_ios=5\nruntime=10\n");
  const double full_secs = run_timed(full, &r);
  CHECK(r.jobs.at(0).dirs[0].total_ios == 5);
  CHECK(full_secs < secs);
}

TEST_CASE("cpuio: exit_on_io_done ends the burner when the run's I/O job ends") {
  auto jobs = parse_jobs(
      "[io]\nioengine=null\nrw=read\nsize=1m\ntime_based\nruntime=300ms\n"
      "[burn]\nioengine=cpuio\ncpuload=20\ncpuchunks=5000\nexit_on_io_done=1\nruntime=20\n");
  results::RunResult r;
  const double secs = run_timed(jobs, &r);
  CHECK(secs < 5);  // not the burner's 20 s
  CHECK(r.jobs.at(1).error == 0);
  CHECK(r.jobs.at(1).dirs[0].total_ios >= 1);
}

TEST_CASE("cpuio's options: values checked, defaults kept as no entry, refused with another engine") {
  CHECK_THROWS_WITH(parse_jobs("[c]\nioengine=cpuio\ncpumode=bogus\nruntime=1\n"), Catch::Contains("cpumode") && Catch::Contains("t.fio:3"));
  CHECK_THROWS_WITH(parse_jobs("[c]\nioengine=psync\ncpuload=10\nsize=1m\n"), Catch::Contains("applies only to ioengine=cpuio"));
  CHECK_THROWS_WITH(parse_jobs("[c]\nioengine=cpuio\ncpuload=10\n"), Catch::Contains("needs runtime= or number_ios="));
  CHECK(parse_jobs("[c]\nioengine=cpuio\ncpuchunks=50000\ncpumode=noop\nruntime=1\n").at(0).engine_options.values.empty());
}

TEST_CASE("cpuio without runtime: ended by exit_on_io_done or exitall beside an I/O job of its group, else refused") {
  // Accepted, as fio 3.33 ends them: exit_on_io_done=1 next to an I/O job of
  // the group, or an exitall job in the group.
  const std::string io = "[io]\nioengine=null\nrw=read\nsize=1m\n";
  CHECK(parse_jobs("[c]\nioengine=cpuio\ncpuload=10\nexit_on_io_done=1\n" + io).size() == 2);
  CHECK(parse_jobs("[c]\nioengine=cpuio\ncpuload=10\n" + io + "exitall\n").size() == 2);
  // Refused with the reason and the ioengine line: nothing ends the job
  // (fio 3.33 runs these until interrupted).
  CHECK_THROWS_WITH(parse_jobs("[c]\nioengine=cpuio\ncpuload=10\n" + io),
                    Catch::Contains("needs runtime= or number_ios=") && Catch::Contains("t.fio:2"));
  CHECK_THROWS_WITH(parse_jobs("[c]\nioengine=cpuio\ncpuload=10\nexit_on_io_done=1\n"),
                    Catch::Contains("no I/O job of its group"));
  CHECK_THROWS_WITH(parse_jobs("[c]\nioengine=cpuio\ncpuload=10\nexit_on_io_done=1\n" + io + "stonewall\n"),
                    Catch::Contains("later group"));
  // A stonewalled exitall job does not end a burner of an earlier group.
  CHECK_THROWS_WITH(parse_jobs("[c]\nioengine=cpuio\ncpuload=10\n" + io + "stonewall\nexitall\n"),
                    Catch::Contains("needs runtime="));
}

TEST_CASE("cpuio without runtime ends after its cycle when the I/O job of its group ends") {
  for (const char* end : {"exit_on_io_done=1\n", ""}) {
    INFO(end);
    auto jobs = parse_jobs(std::string("[burn]\nioengine=cpuio\ncpuload=10\ncpuchunks=20000\n") + end +
                           "[io]\nioengine=null\nrw=read\nsize=24k\nrate_iops=100\n" + (*end ? "" : "exitall\n"));
    results::RunResult r;
    const double secs = run_timed(jobs, &r);
    CHECK(secs < 5);
    const auto& burn = r.jobs.at(0);
    INFO(burn.error_message);
    CHECK(burn.error == 0);
    // 20 ms of burn, then 180 ms of think: the ~50 ms I/O job is long done,
    // so the burner ends before its second cycle (fio 3.33: 1 I/O too).
    CHECK(burn.dirs[0].total_ios == 1);
    CHECK(r.jobs.at(1).dirs[0].io_bytes == 24576);
  }
}
