// cmdprio (issue 15, part prio) without a device: CmdPrio's tables and its
// per-I/O pick (the share, the block-size split, the slots the latencies go
// to, the same split again for the same seed), and the report's pooling of
// per-priority stats (results/prio_stats.hpp): a group whose jobs' prio
// differ, a job with cmdprio, the mixed direction, and when none is shown.
#include <catch2/catch.hpp>

#include "engine/cmdprio.hpp"
#include "jobs/jobspec.hpp"
#include "results/prio_stats.hpp"

using namespace fiokit;
using engine::CmdPrio;
using engine::IoUnit;
using engine::Rng;

namespace {

constexpr uint16_t kRt0 = 1 << 13;  // class 1 (realtime), level 0: fio's default cmdprio

// Picks `n` I/Os of direction d and size len; counts per slot.
std::vector<int> draw(const CmdPrio& c, jobs::Dir d, uint32_t len, int n, uint64_t seed, int slots) {
  std::vector<int> count(static_cast<size_t>(slots), 0);
  Rng rng(seed);
  for (int i = 0; i < n; ++i) {
    IoUnit u;
    u.dir = d;
    u.len = len;
    c.pick(u, rng);
    REQUIRE(u.prio_index < slots);
    CHECK(u.cmdprio == (u.prio_index != 0));
    ++count[u.prio_index];
  }
  return count;
}

}  // namespace

TEST_CASE("cmdprio_percentage: a table for each direction that picks, the share drawn per I/O") {
  jobs::JobSpec s;
  s.rw = jobs::RwMode::randrw;
  s.cmdprio_percentage = {50, 0};
  std::array<results::DirStats, 3> dirs;
  CmdPrio c;
  REQUIRE(c.init(s, 0, dirs));
  REQUIRE(dirs[0].prios.size() == 2);
  CHECK(dirs[0].prios[0].ioprio == 0);     // the job's own, first
  CHECK(dirs[0].prios[1].ioprio == kRt0);  // cmdprio_class not given: realtime
  CHECK(dirs[1].prios.empty());            // 0% for writes: no table, as fio
  const auto reads = draw(c, jobs::Dir::read, 4096, 20000, 7, 2);
  CHECK(reads[1] > 9500);  // 50% of 20000: sd 71
  CHECK(reads[1] < 10500);
  CHECK(draw(c, jobs::Dir::write, 4096, 1000, 7, 2)[1] == 0);
  CHECK(draw(c, jobs::Dir::trim, 4096, 1000, 7, 2)[1] == 0);
  // The same seed draws the same split (randrepeat).
  CHECK(draw(c, jobs::Dir::read, 4096, 5000, 99, 2) == draw(c, jobs::Dir::read, 4096, 5000, 99, 2));

  // class/level per direction; a direction the job does not do has none.
  s.rw = jobs::RwMode::randread;
  s.cmdprio_percentage = {100, 100};
  s.cmdprio_class = {3, 3};
  s.cmdprio_level = {5, 6};
  REQUIRE(c.init(s, engine::ioprio_value(2, 4), dirs));
  CHECK(dirs[0].prios[0].ioprio == ((2 << 13) | 4));
  CHECK(dirs[0].prios[1].ioprio == ((3 << 13) | 5));
  CHECK(dirs[1].prios.empty());
  CHECK(draw(c, jobs::Dir::read, 512, 100, 1, 2)[1] == 100);

  s.cmdprio_percentage = {0, 0};
  CHECK_FALSE(c.init(s, 0, dirs));
}

TEST_CASE("cmdprio_bssplit: per block size, entries in order, one slot per distinct priority") {
  jobs::JobSpec s;
  s.rw = jobs::RwMode::randread;
  s.cmdprio_bssplit_given = true;
  const int32_t p11 = (1 << 13) | 1, p32 = (3 << 13) | 2;
  // fio's test 21: 4k 25% to 1/1 and 75% to 3/2, 64k never; then an 8k
  // entry at the job's own priority and a 16k one at the implicit (RT/0).
  s.cmdprio_bssplit[0] = {{4096, 25, p11}, {4096, 75, p32}, {8192, 40, (2 << 13) | 4}, {16384, 30, -1}};
  std::array<results::DirStats, 3> dirs;
  CmdPrio c;
  REQUIRE(c.init(s, engine::ioprio_value(2, 4), dirs));
  REQUIRE(dirs[0].prios.size() == 4);  // job's 2/4, 1/1, 3/2, RT/0; 8k's 2/4 shares slot 0
  CHECK(dirs[0].prios[1].ioprio == static_cast<uint32_t>(p11));
  CHECK(dirs[0].prios[2].ioprio == static_cast<uint32_t>(p32));
  CHECK(dirs[0].prios[3].ioprio == kRt0);
  const auto k4 = draw(c, jobs::Dir::read, 4096, 20000, 3, 4);
  CHECK(k4[0] == 0);  // 25 + 75: every 4k I/O is picked
  CHECK(k4[1] > 4600);  // 25%: sd 61
  CHECK(k4[1] < 5400);
  CHECK(k4[2] == 20000 - k4[1]);
  const auto k64 = draw(c, jobs::Dir::read, 65536, 1000, 3, 4);
  CHECK(k64[0] == 1000);  // no entry for 64k: never picked
  const auto k16 = draw(c, jobs::Dir::read, 16384, 20000, 3, 4);
  CHECK(k16[3] > 5600);  // 30%: sd 65
  CHECK(k16[3] < 6400);
}

TEST_CASE("per-priority stats: pooled per report entry as fio 3.33 sums them") {
  using results::JobResult;
  auto job = [](uint32_t ioprio, uint64_t n, uint64_t ns) {
    JobResult j;
    j.ioprio = ioprio;
    for (uint64_t i = 0; i < n; ++i) j.dirs[0].clat.add(ns);
    j.dirs[0].total_ios = n;
    return j;
  };
  // Two jobs, different prio: one slot each, in job order, their whole clat.
  JobResult a = job(0x4002, 10, 1000), b = job(0x4006, 30, 5000);
  JobResult entry = a;
  results::pool_prio_stats(entry, {&a, &b});
  REQUIRE(entry.dirs[0].prios.size() == 2);
  CHECK(entry.dirs[0].prios[0].ioprio == 0x4002);
  CHECK(entry.dirs[0].prios[0].hist.count() == 10);
  CHECK(entry.dirs[0].prios[1].hist.count() == 30);
  CHECK(entry.dirs[0].prios[1].hist.min() == 5000);
  CHECK(results::shown_prios(entry.dirs[0].prios).size() == 2);
  CHECK(results::shown_prios(entry.dirs[1].prios).empty());  // no samples in writes
  // Same prio, no cmdprio: fio keeps no per-priority stats.
  JobResult c = job(0x4002, 5, 1000);
  entry = a;
  results::pool_prio_stats(entry, {&a, &c});
  CHECK(entry.dirs[0].prios.empty());
  // A job with cmdprio: its slots are kept, and the mixed direction merges
  // reads and writes slot by slot (writes without a table count as the
  // job's own priority).
  JobResult m = job(0, 0, 0);
  m.dirs[0].prios = {{0, {}}, {0x2000, {}}};
  m.dirs[0].prios[0].hist.add(100);
  m.dirs[0].prios[1].hist.add(200);
  m.dirs[0].prios[1].hist.add(300);
  m.dirs[1].clat.add(400);
  entry = m;
  results::pool_prio_stats(entry, {&m});
  REQUIRE(entry.dirs[0].prios.size() == 2);
  const auto mixed = results::mixed_prio_stats(entry);
  REQUIRE(mixed.size() == 2);
  CHECK(mixed[0].hist.count() == 2);  // 100 (read) + 400 (write)
  CHECK(mixed[1].hist.count() == 2);
  // lat_percentiles: the pooled slot takes lat, not clat.
  JobResult l = job(0x4001, 3, 1000);
  l.lat_percentiles = true;
  l.dirs[0].lat.add(7);
  entry = l;
  results::pool_prio_stats(entry, {&l, &b});
  CHECK(entry.dirs[0].prios[0].hist.count() == 1);
}
