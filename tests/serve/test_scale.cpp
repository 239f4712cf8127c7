// `fiokit serve` on a data dir of 5,000 runs (issue 16 row 3), as a memory
// regression test on the shipped binary: one real run made by `fiokit run`
// (null engine, with logs) copied (hard-linked) under 5,000 ids; the server's peak RSS
// (VmHWM) after the index page, the API and a run page must stay within
// 200 MB (782 MB before the index kept summaries instead of parsed results),
// idle /healthz requests must not make it list or read a run directory (its
// X-Fiokit-Index counters), and a run added afterwards must show up. Times
// are measured by bench/serve-scale.sh, never asserted here.
#include <httplib.h>
#include <signal.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "common/proc_status.hpp"
#include "serve_util.hpp"

using namespace fiokit::servetest;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

constexpr int kRuns = 5000;
constexpr uint64_t kMaxPeakRssKib = 200 * 1024;

std::pair<uint64_t, uint64_t> lists_and_scans(const httplib::Result& r) {
  std::smatch m;
  const std::string h = r->get_header_value("X-Fiokit-Index");
  if (!std::regex_search(h, m, std::regex("lists=([0-9]+) scans=([0-9]+)"))) return {UINT64_MAX, UINT64_MAX};
  return {std::stoull(m[1]), std::stoull(m[2])};
}

}  // namespace

TEST_CASE("serve on 5,000 runs: peak RSS within 200 MB, no rescans when idle, a new run shows up", "[scale]") {
  TempDir work("serve-scale");
  int code = 0;
  const std::string seed_dir = work.path + "/seed";
  run_capture(std::string(FIOKIT_BIN) + " run --data-dir " + seed_dir +
                  " --name=scale --ioengine=null --rw=randread --bs=4k --size=64m --runtime=1 --time_based"
                  " --write_bw_log=scale --write_iops_log=scale --write_lat_log=scale --log_avg_msec=100"
                  " >/dev/null 2>&1",
              &code);
  REQUIRE(code == 0);
  fs::path seed;
  for (const auto& e : fs::directory_iterator(seed_dir + "/runs")) seed = e.path();
  REQUIRE(fs::exists(seed / "results.json"));
  REQUIRE(fs::exists(seed / "scale_bw.1.log"));
  const std::string data = work.path + "/data";
  fs::create_directories(data + "/runs");
  // Hard links: the server reads 5,000 run directories all the same, and the
  // test spends its time on serve, not on writing 35,000 files.
  char id[64];
  for (int i = 0; i < kRuns; ++i) {
    std::snprintf(id, sizeof id, "20261101T%06dZ-scale-%05d", i, i);
    fs::copy(seed, data + "/runs/" + id, fs::copy_options::recursive | fs::copy_options::create_hard_links);
  }
  // Directories written within the last second are read again once (a second
  // change within one mtime tick); this test is about what comes after.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));

  ServeChild c = spawn_serve({data, "--port", "0", "--bind", "127.0.0.1"});
  REQUIRE(c.pid > 0);
  const int port = wait_port(c);
  REQUIRE(port > 0);
  httplib::Client cl("127.0.0.1", port);
  cl.set_read_timeout(60, 0);
  auto index = cl.Get("/");
  REQUIRE(index);
  CHECK(index->status == 200);
  CHECK(index->body.find("runs 1&ndash;100 of 5000") != std::string::npos);
  auto page = cl.Get("/api/runs?limit=100&offset=4900");
  REQUIRE(page);
  const json j = json::parse(page->body);
  CHECK(j["total"] == kRuns);
  CHECK(j["runs"].size() == 100);
  CHECK(j["runs"][0]["status"] == "ok");
  CHECK(j["runs"][0]["ioengine"] == "null");
  REQUIRE(cl.Get("/api/runs"));
  auto run = cl.Get("/runs/20261101T000042Z-scale-00042");
  REQUIRE(run);
  CHECK(run->status == 200);

  // Idle: /healthz (and the pages) only stat runs/.
  auto first = cl.Get("/healthz");
  REQUIRE(first);
  const auto before = lists_and_scans(first);
  for (int i = 0; i < 20; ++i) {
    REQUIRE(cl.Get("/healthz"));
    std::this_thread::sleep_for(std::chrono::milliseconds(60));  // across the 1 s refresh interval
  }
  REQUIRE(cl.Get("/"));
  const auto after = lists_and_scans(cl.Get("/healthz"));
  CHECK(before.first != UINT64_MAX);
  CHECK(after == before);

  // A run added now: listed at the next check (at most a second later).
  fs::copy(seed, data + "/runs/20261201T000000Z-added", fs::copy_options::recursive);
  bool seen = false;
  for (int i = 0; i < 40 && !seen; ++i) {
    auto r = cl.Get("/api/runs?q=id:20261201T000000Z-added");
    REQUIRE(r);
    seen = json::parse(r->body)["matched"] == 1;
    if (!seen) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK(seen);
  auto health = json::parse(cl.Get("/healthz")->body);
  CHECK(health["runs"] == kRuns + 1);

  const uint64_t peak = fiokit::test::peak_rss_kib(c.pid);
  INFO("peak RSS " << peak / 1024 << " MiB, now " << fiokit::test::proc_status_kib(c.pid, "VmRSS") / 1024 << " MiB");
  CHECK(peak > 0);
  CHECK(peak <= kMaxPeakRssKib);
  ::kill(c.pid, SIGTERM);
  CHECK(wait_exit(c.pid, 5) == 0);
  ::close(c.err_fd);
}
