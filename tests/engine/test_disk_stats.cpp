// disk_util: /sys/block stat parsing, the before/after difference, and a real
// direct write showing up as write I/Os on the disk under /tmp.
#include <catch2/catch.hpp>

#include <filesystem>

#include "engine/disk_stats.hpp"
#include "engine_test_util.hpp"
#include "volumes/device_info.hpp"

using namespace fiokit;

TEST_CASE("disk stat lines parse in the kernel's field order") {
  engine::DiskCounters c;
  REQUIRE(engine::parse_disk_stat("  100 2 800 30 200 4 1600 50 0 70 80 0 0 0 0 0 0", c));
  CHECK(c.read_ios == 100);
  CHECK(c.read_merges == 2);
  CHECK(c.read_ticks == 30);
  CHECK(c.write_ios == 200);
  CHECK(c.write_merges == 4);
  CHECK(c.write_ticks == 50);
  CHECK(c.io_ticks == 70);
  CHECK(c.in_queue == 80);
  CHECK_FALSE(engine::parse_disk_stat("1 2 3", c));
}

TEST_CASE("disk util is the difference of two snapshots") {
  engine::DiskCounters a, b;
  a.name = b.name = "vdz";
  a.read_ios = 10, b.read_ios = 25;
  a.write_ios = 5, b.write_ios = 5;
  a.io_ticks = 1000, b.io_ticks = 1500;
  a.in_queue = 7, b.in_queue = 9;
  const auto u = engine::disk_util_between(a, b, 1000);
  CHECK(u.name == "vdz");
  CHECK(u.read_ios == 15);
  CHECK(u.write_ios == 0);
  CHECK(u.in_queue == 2);
  CHECK(u.util == Approx(50.0));
  CHECK(engine::disk_util_between(b, a, 1000).read_ios == 0);  // counters never go negative
  CHECK(engine::disk_util_between(a, b, 100).util == 100.0);   // capped
}

TEST_CASE("a direct write is seen on the disk under the job's directory") {
  test::TempDir dir;
  const auto info = volumes::describe(dir.path);
  const std::string disk = info.disk.empty() ? info.device : info.disk;
  if (disk.empty() || !std::filesystem::exists("/sys/block/" + disk + "/stat")) {
    WARN("skipped: " << dir.path << " is not on a block device (" << info.fstype << ")");
    return;
  }
  auto j = test::make_job("psync", jobs::RwMode::write, dir.path, 1 << 20);
  j.direct = true;
  j.end_fsync = true;
  const auto r = test::run_one(j);
  REQUIRE(r.jobs.at(0).error == 0);
  REQUIRE(r.disk_util.size() == 1);
  CHECK(r.disk_util[0].name == disk);
  CHECK(r.disk_util[0].write_ios >= 1);  // 256 direct 4k writes, merged or not, reach the disk
  auto n = test::make_job("null", jobs::RwMode::read, dir.path);
  CHECK(test::run_one(n).disk_util.empty());
}
