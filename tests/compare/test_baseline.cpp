// --baseline-dir picks the newest comparable run (same job names and job
// options); --update-baseline stores the current run beside the others after
// a pass (or as the first baseline) and never deletes or overwrites anything.
#include <catch2/catch.hpp>

#include <filesystem>

#include "fixtures.hpp"

using namespace fiokit;
using namespace fiokit::cmptest;
namespace fs = std::filesystem;

namespace {

results::RunResult run_at(int64_t timestamp, double iops, const std::string& bs = "4k") {
  FakeJob j;
  j.iops = iops;
  j.options = {{"rw", "randread"}, {"bs", bs}, {"ioengine", "libaio"}, {"iodepth", "4"}};
  auto r = make_run({j});
  r.timestamp = timestamp;
  return r;
}

size_t count_dirs(const std::string& dir) {
  size_t n = 0;
  for (const auto& e : fs::directory_iterator(dir)) n += e.is_directory();
  return n;
}

}  // namespace

TEST_CASE("--baseline-dir picks the newest comparable run", "[baseline]") {
  TempDir d;
  const std::string store = d.path + "/baselines";
  write_run_dir(store + "/runs/old", {run_at(100, 1000)});
  write_run_dir(store + "/runs/newer", {run_at(200, 2000)});
  write_run_dir(store + "/runs/newest-other-bs", {run_at(300, 1000, "8k")});
  write_run_dir(d.path + "/cur", {run_at(400, 1000)});
  const Outcome o = run_compare({"--baseline-dir", store, d.path + "/cur"});
  INFO(o.out << o.err);
  CHECK_THAT(o.err, Catch::Contains("baseline " + store + "/runs/newer"));
  CHECK(o.code == 1);  // 2000 -> 1000 IOPS

  // A plain directory of run dirs (no runs/) works too.
  write_run_dir(d.path + "/flat/a", {run_at(100, 1000)});
  const Outcome flat = run_compare({"--baseline-dir", d.path + "/flat", d.path + "/cur"});
  CHECK(flat.code == 0);
  CHECK_THAT(flat.err, Catch::Contains("flat/a"));

  // Nothing comparable: invalid, not a pass.
  write_run_dir(d.path + "/cur8k", {run_at(400, 1000, "16k")});
  const Outcome none = run_compare({"--baseline-dir", store, d.path + "/cur8k"});
  CHECK(none.code == 2);
  CHECK_THAT(none.err, Catch::Contains("no run in " + store));
}

TEST_CASE("--update-baseline stores passing runs and never deletes", "[baseline]") {
  TempDir d;
  const std::string store = d.path + "/store";
  write_run_dir(d.path + "/first", {run_at(100, 1000)});
  write_text(d.path + "/first/output.txt", "text output\n");

  // Empty store: the first valid run becomes the baseline.
  const Outcome first = run_compare({"--baseline-dir", store, "--update-baseline", d.path + "/first"});
  INFO(first.err);
  CHECK(first.code == 0);
  CHECK(fs::exists(store + "/runs/first/results.json"));
  CHECK(read_text(store + "/runs/first/output.txt") == "text output\n");

  // A pass is stored beside it; a clash of names gets a suffix.
  write_run_dir(d.path + "/again/first", {run_at(200, 1010)});
  const Outcome pass = run_compare({"--baseline-dir", store, "--update-baseline", d.path + "/again/first"});
  INFO(pass.err);
  CHECK(pass.code == 0);
  CHECK(fs::exists(store + "/runs/first-2/results.json"));
  CHECK(fs::exists(store + "/runs/first/output.txt"));

  // A regression is not stored.
  write_run_dir(d.path + "/slow", {run_at(300, 500)});
  const Outcome slow = run_compare({"--baseline-dir", store, "--update-baseline", d.path + "/slow"});
  CHECK(slow.code == 1);
  CHECK_THAT(slow.err, Catch::Contains("baseline not updated"));
  CHECK(count_dirs(store + "/runs") == 2);

  // Invalid data is never stored, even as the first baseline.
  FakeJob bad;
  bad.error = 5;
  write_run_dir(d.path + "/bad", {make_run({bad})});
  const Outcome invalid = run_compare({"--baseline-dir", d.path + "/empty", "--update-baseline", d.path + "/bad"});
  CHECK(invalid.code == 2);
  CHECK_FALSE(fs::exists(d.path + "/empty/runs"));
  // --update-baseline without --baseline-dir is a usage error.
  CHECK(run_compare({"--update-baseline", d.path + "/first", d.path + "/first"}).code == 2);
}

TEST_CASE("a bare results.json is stored in a new run directory", "[baseline]") {
  TempDir d;
  write_text(d.path + "/results.json", to_json(run_at(1795300000, 1000)));
  const Outcome o = run_compare({"--baseline-dir", d.path + "/store", "--update-baseline", d.path + "/results.json"});
  CHECK(o.code == 0);
  REQUIRE(fs::exists(d.path + "/store/runs"));
  CHECK(count_dirs(d.path + "/store/runs") == 1);
  const Outcome again = run_compare({"--baseline-dir", d.path + "/store", d.path + "/results.json"});
  CHECK(again.code == 0);
}
