// The bw/iops samples and log_avg_msec logs of real `fiokit run`s (null engine,
// rate_iops, so the numbers are reproducible) follow fio 3.33's windowing: one
// integer sample and one log row per window that ends while the job runs, no
// sample or row for the last, partial window, times that always advance, and
// the lat logs' partial last window flushed at the job's end. The [fio] case
// runs the same jobs through fio 3.33 and compares counts and rates.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "fixtures.hpp"
#include "results/log_reader.hpp"

using fiokit::results::LogRow;
using fiokit::results::read_log;
using fiokit::testing::TempDir;

namespace {

struct Ran {
  nlohmann::json read;  // the job's "read" object
  std::vector<LogRow> bw, iops, clat;
  uint64_t runtime_ms = 0;
};

// Runs `body` (job options) as job "j" with bw, iops and lat logs in a new
// directory, with fiokit or fio.
Ran run_job(const std::string& body, bool with_fio) {
  TempDir dir;
  fiokit::testing::write_text(dir.path + "/j.fio", "[j]\nioengine=null\nrw=read\nbs=4k\nwrite_bw_log=j\n"
                                                   "write_iops_log=j\nwrite_lat_log=j\n" + body);
  const std::string prog = with_fio ? std::string("fio") : std::string(FIOKIT_BIN) + " run";
  const auto out = fiokit::testing::run_capture("cd " + dir.path + " && " + prog + " --output-format=json j.fio 2>/dev/null");
  REQUIRE(out);
  Ran r;
  const auto j = nlohmann::json::parse(*out);
  r.read = j["jobs"][0]["read"];
  r.runtime_ms = r.read["runtime"].get<uint64_t>();
  r.bw = read_log(dir.path + "/j_bw.1.log").rows;
  r.iops = read_log(dir.path + "/j_iops.1.log").rows;
  r.clat = read_log(dir.path + "/j_clat.1.log").rows;
  return r;
}

void check_advancing(const std::vector<LogRow>& rows) {
  for (size_t i = 1; i < rows.size(); ++i) {
    INFO("row " << i << ": " << rows[i].time_ms << " after " << rows[i - 1].time_ms);
    CHECK(rows[i].time_ms > rows[i - 1].time_ms);
  }
}

struct Case {
  const char* body;
  size_t rows;  // fio 3.33's row count (= bw_samples) for this job
  uint64_t window_ms;
  // The job ends exactly at a window's end. fio 3.33 then races: its helper
  // thread usually finds the job stopped and takes no sample (5 of 6 idle
  // runs; runtime 2001 ms), but may take one when the job overshoots
  // (runtime 2006 ms). fiokit always leaves that window out.
  bool at_boundary = false;
};

// time_based 2 s with 500 ms windows: the window ending at 2000 ms closes with
// the job, so 3 samples (fio: 3, at 502/1007/1514 ms). A sized job of 2.3 s with
// 1000 ms windows: 2 (fio: 1000, 2000). A 75 ms job: none at all (fio prints
// no bw line). bwavgtime given explicitly wins over log_avg_msec.
const Case kCases[] = {
    {"rate_iops=1000\nsize=1g\nruntime=2\ntime_based\nlog_avg_msec=500\n", 3, 500, true},
    {"rate_iops=1000\nsize=1g\nruntime=2300ms\ntime_based\nlog_avg_msec=500\n", 4, 500},
    {"rate_iops=1000\nsize=9200k\nlog_avg_msec=1000\n", 2, 1000},
    {"rate_iops=1000\nsize=300k\nlog_avg_msec=1000\n", 0, 1000},
    {"rate_iops=1000\nsize=1g\nruntime=1600ms\ntime_based\nlog_avg_msec=1000\nbwavgtime=500\niopsavgtime=500\n", 3, 500},
};

}  // namespace

TEST_CASE("windowed bw/iops logs: one row per sample, no partial last window, times advance", "[run]") {
  for (const Case& c : kCases) {
    INFO(c.body);
    const Ran r = run_job(c.body, false);
    CHECK(r.bw.size() == c.rows);
    CHECK(r.iops.size() == c.rows);
    CHECK(r.read["bw_samples"].get<size_t>() == c.rows);
    CHECK(r.read["iops_samples"].get<size_t>() == c.rows);
    check_advancing(r.bw);
    check_advancing(r.iops);
    check_advancing(r.clat);
    for (size_t i = 0; i < r.bw.size(); ++i) {
      CHECK(r.bw[i].time_ms == (i + 1) * c.window_ms);  // nominal window ends
      CHECK(r.bw[i].bs == 0);
      // No extrapolated outlier (a few I/Os over a few µs read as a rate are
      // x100 and more): every row is within a factor of 2 of the 4000 KiB/s
      // rate limit. Not tighter: on a loaded 2-core machine the thread can
      // stall ~100 ms and the pacing then catches up in the next window
      // (seen: 2409 and 5591 KiB/s in neighbouring windows), as fio's would.
      CHECK(r.bw[i].value >= 2000);
      CHECK(r.bw[i].value <= 8000);
      CHECK(r.iops[i].value >= 500);
      CHECK(r.iops[i].value <= 2000);
    }
    if (!r.bw.empty()) {
      CHECK(r.read["bw_min"].get<double>() >= 2000);
      CHECK(r.read["bw_max"].get<double>() <= 8000);
    }
    // The lat logs flush the partial last window at the job's end (fio's
    // finalize_logs): the last row is no later than the runtime.
    REQUIRE(!r.clat.empty());
    CHECK(r.clat.back().time_ms <= r.runtime_ms + 1);
  }
}

TEST_CASE("windowed logs and sample counts equal fio 3.33's", "[fio]") {
  if (!fiokit::testing::have_program("fio")) {
    WARN("skipped: fio not installed");
    return;
  }
  for (const Case& c : kCases) {
    INFO(c.body);
    const Ran ours = run_job(c.body, false), fio = run_job(c.body, true);
    const size_t extra = c.at_boundary && fio.bw.size() == ours.bw.size() + 1 ? 1 : 0;  // fio's race, above
    CHECK(ours.bw.size() + extra == fio.bw.size());
    CHECK(ours.iops.size() + extra == fio.iops.size());
    CHECK(ours.read["bw_samples"].get<size_t>() + extra == fio.read["bw_samples"].get<size_t>());
    CHECK(ours.read["iops_samples"].get<size_t>() + extra == fio.read["iops_samples"].get<size_t>());
    if (!c.at_boundary) CHECK(ours.clat.size() == fio.clat.size());
    if (fio.bw.empty()) continue;
    // Rate-limited to 4000 KiB/s: the means agree within the timer jitter of
    // fio's helper thread (its windows are 500-520 ms long).
    CHECK(ours.read["bw_mean"].get<double>() == Approx(fio.read["bw_mean"].get<double>()).epsilon(0.03));
    CHECK(ours.read["iops_mean"].get<double>() == Approx(fio.read["iops_mean"].get<double>()).epsilon(0.03));
  }
}

// Two rate-limited jobs of different speed under group_reporting (the report's
// case: fiokit printed per=50% and the per-job average under the group's
// headline): the group's sample line matches fio's within the timer jitter.
TEST_CASE("group_reporting sample line equals fio 3.33's for a real run", "[fio]") {
  if (!fiokit::testing::have_program("fio")) {
    WARN("skipped: fio not installed");
    return;
  }
  const std::string job =
      "[global]\nioengine=null\nrw=read\nbs=4k\nsize=1g\nruntime=3200ms\ntime_based\ngroup_reporting\n"
      "[a]\nrate_iops=1000\n[b]\nrate_iops=3000\n";
  nlohmann::json got[2];
  for (int fio = 0; fio < 2; ++fio) {
    TempDir dir;
    fiokit::testing::write_text(dir.path + "/g.fio", job);
    const std::string prog = fio ? std::string("fio") : std::string(FIOKIT_BIN) + " run";
    const auto out = fiokit::testing::run_capture("cd " + dir.path + " && " + prog + " --output-format=json g.fio 2>/dev/null");
    REQUIRE(out);
    const auto j = nlohmann::json::parse(*out);
    REQUIRE(j["jobs"].size() == 1);
    got[fio] = j["jobs"][0]["read"];
  }
  const auto& ours = got[0];
  const auto& fio = got[1];
  INFO("fiokit " << ours.dump() << "\nfio " << fio.dump());
  for (const char* k : {"bw_min", "bw_max", "bw_mean", "iops_min", "iops_max", "iops_mean"})
    CHECK(ours[k].get<double>() == Approx(fio[k].get<double>()).epsilon(0.03));
  // 6 + 6: 3000 ms is the last window that ends in time (3200 ms, not 3000:
  // a window ending with the job is a race in fio, see kCases).
  CHECK(ours["bw_samples"] == fio["bw_samples"]);
  CHECK(ours["iops_samples"] == fio["iops_samples"]);
  CHECK(ours["bw_agg"].get<double>() == Approx(fio["bw_agg"].get<double>()).epsilon(0.01));
}
