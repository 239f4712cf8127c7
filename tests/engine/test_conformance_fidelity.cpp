// Engine rules that must match fio 3.33, per engine in the conformance suite
// (test_conformance runs them for its --engine=NAME and skips, exit 77, when
// this process may not use that engine): the queue refilled after every reap
// and the depth histogram that shows it (libaio, io_uring), trimwrite counting
// its writes against size, and fsync=N timed into the sync block. The expected
// figures are the rules measured on fio (see the comments in io_loop.hpp and
// worker.cpp), not numbers copied from a run. Moved from test_fidelity.cpp.
#include <string>
#include <vector>

#include "engine_test_util.hpp"

using fiokit::jobs::RwMode;
using fiokit::test::make_job;
using fiokit::test::pct;
using fiokit::test::run_one;
using fiokit::test::write_cold_file;

TEST_CASE("async engines refill the queue after every reap: a full queue stays at iodepth") {
  fiokit::test::TempDir d("engine");
  FIOKIT_CONFORMANCE_ENGINE(eng);
  if (eng != "libaio" && eng != "io_uring") return;  // the engines that queue
  write_cold_file(d.path + "/f", 32 << 20);
  auto j = make_job(eng, RwMode::randread, d.path, 32 << 20);
  j.filenames = {"f"};
  j.direct = true;
  j.iodepth = 16;
  j.time_based = true;
  j.runtime_us = 400'000;
  auto r = run_one(j);
  if (r.jobs[0].error == EINVAL) {
    WARN("skipping: O_DIRECT refused on " << d.path);
    return;
  }
  REQUIRE(r.jobs[0].error == 0);
  const auto& dp = r.jobs[0].depth;
  CHECK(pct(dp.level, 4) > 97.0);     // 16-31: every commit at depth 16
  CHECK(pct(dp.complete, 1) > 97.0);  // one completion per reap
  // iodepth_batch_complete_min=4 (max follows it): 4 reaped, 4 refilled one
  // by one at depths 13, 14, 15, 16.
  j.iodepth_batch_complete_min = 4;
  r = run_one(j);
  CHECK(pct(r.jobs[0].depth.level, 3) == Approx(75.0).margin(3.0));
  CHECK(pct(r.jobs[0].depth.level, 4) == Approx(25.0).margin(3.0));
  // iodepth_low=4: a full queue is reaped one by one down to 4, then refilled
  // at depths 5..16.
  j.iodepth_batch_complete_min = 1;
  j.iodepth_low = 4;
  r = run_one(j);
  CHECK(pct(r.jobs[0].depth.level, 2) == Approx(25.0).margin(3.0));
  CHECK(pct(r.jobs[0].depth.level, 3) == Approx(66.7).margin(3.0));
  CHECK(pct(r.jobs[0].depth.level, 4) == Approx(8.3).margin(3.0));
  // iodepth_batch_complete_min = max = 0 is fio's polling mode: it waits for a
  // completion after every I/O, so the depth never passes 1.
  j.iodepth_low = 0;
  j.iodepth_batch_complete_min = 0;
  j.iodepth_batch_complete_max = 0;
  r = run_one(j);
  CHECK(pct(r.jobs[0].depth.level, 0) > 99.0);
}

TEST_CASE("trimwrite writes the whole size and trims each block before writing it") {
  fiokit::test::TempDir d("engine");
  const RwMode rw = GENERATE(RwMode::trimwrite, RwMode::randtrimwrite);
  FIOKIT_CONFORMANCE_ENGINE(eng);
  if (eng != "null" && eng != "psync" && eng != "io_uring") return;  // checked with these three, as before the split
  INFO("rw=" << static_cast<int>(rw));
  auto j = make_job(eng, rw, d.path, 1 << 20);
  j.iodepth = 4;
  auto r = run_one(j);
  REQUIRE(r.jobs[0].error == 0);
  CHECK(r.jobs[0].dirs[1].io_bytes == 1 << 20);
  CHECK(r.jobs[0].dirs[1].total_ios == 256);
  CHECK(r.jobs[0].dirs[2].io_bytes == 1 << 20);
  CHECK(r.jobs[0].dirs[2].total_ios == 256);
  j.number_ios = 10;  // counts writes too (fio doubles it for trimwrite)
  r = run_one(j);
  CHECK(r.jobs[0].dirs[1].total_ios == 10);
  CHECK(r.jobs[0].dirs[2].total_ios == 10);
}

TEST_CASE("fsync=N and fdatasync=N are timed into the sync block; end_fsync is not") {
  fiokit::test::TempDir d("engine");
  FIOKIT_CONFORMANCE_ENGINE(eng);
  if (eng == "null" || eng == "pvsync") return;  // checked with psync, sync, libaio and io_uring, as before the split
  auto j = make_job(eng, RwMode::write, d.path, 1 << 20);
  j.fsync = 4;
  auto r = run_one(j);
  REQUIRE(r.jobs[0].error == 0);
  REQUIRE(r.jobs[0].dirs[1].total_ios == 256);
  // A sync takes the place of the next I/O, so none follows the last write.
  CHECK(r.jobs[0].sync_total_ios == 63);
  CHECK(r.jobs[0].sync_lat.count() == 63);
  CHECK(r.jobs[0].sync_lat.min() > 0);
  // loops=2: fio counts the writes over both loops and fetches once more at
  // the end of the first (a sync after write 256), and again at the second's
  // start (the new loop forgot the sync): 63 + 1 + 1 + 63.
  j.loops = 2;
  r = run_one(j);
  CHECK(r.jobs[0].sync_total_ios == 128);
  j.fsync = 3;  // 3, 6, ..., 510 over 512 writes; 256 is no multiple of 3
  r = run_one(j);
  CHECK(r.jobs[0].sync_total_ios == 170);
  j.loops = 1;
  j.fsync = 4;
  // fdatasync: timed in lat_ns, but fio's total_ios counts fsyncs only.
  j.fsync = 0;
  j.fdatasync = 4;
  r = run_one(j);
  CHECK(r.jobs[0].sync_total_ios == 0);
  CHECK(r.jobs[0].sync_lat.count() == 63);
  j.fdatasync = 0;
  j.end_fsync = true;
  j.fsync_on_close = true;
  r = run_one(j);
  CHECK(r.jobs[0].sync_total_ios == 0);
  CHECK(r.jobs[0].sync_lat.count() == 0);
}
