// /metrics on a data dir of 5,000 finished runs and one run in progress: the
// runs to look at come from the run index, so a scrape opens only the live
// run's files (X-Fiokit-Live counts every file looked at) and the index does
// not rescan (X-Fiokit-Index), however many finished runs there are.
#include <fmt/format.h>
#include <httplib.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <regex>

#include "live_util.hpp"
#include "results/json_writer.hpp"
#include "serve_util.hpp"

using namespace fiokit;
using namespace fiokit::servetest;
namespace fs = std::filesystem;

namespace {

uint64_t header_count(const std::string& header, const std::string& key) {
  std::smatch m;
  const std::regex re(key + "=([0-9]+)");
  REQUIRE(std::regex_search(header, m, re));
  return std::stoull(m[1]);
}

}  // namespace

TEST_CASE("metrics: 5,000 finished runs are not read per request", "[live-scale]") {
  TempDir top("live");
  const std::string data = top.path + "/data";
  const std::string text = results::write_json(make_result({"old"}, 1700000000, 0.01, 50), false);
  constexpr int kRuns = 5000;
  for (int i = 0; i < kRuns; ++i) {
    const std::string d = data + "/runs/" + fmt::format("20250101T{:06d}Z-old", i);
    fs::create_directories(d);
    write_text(d + "/results.json", text);
    set_age(d + "/results.json", 86400);
    set_age(d, 86400);
  }
  fs::create_directories(top.path + "/w");
  const std::string live = data + "/runs/20261127T030000Z-live";
  fs::create_directories(live);
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  write_json_file(live + "/results.json", as_checkpoint(real_json_plus(top.path + "/w", "now", 1000), now));
  set_age(live + "/results.json", 5);  // still running (fresh within 30 s), not racy for the index
  set_age(live, 5);
  set_age(data + "/runs", 86400);

  TestServer s(data);
  httplib::Client c("127.0.0.1", s.port);
  c.set_read_timeout(60, 0);
  auto first = c.Get("/metrics");  // builds the index (every run read once)
  REQUIRE(first);
  REQUIRE(first->status == 200);
  CHECK(first->body.find("run=\"20261127T030000Z-live\"") != std::string::npos);
  CHECK(first->body.find("-old\"") == std::string::npos);
  const auto index_before = s.server->index_stats();
  const uint64_t looks_before = header_count(first->get_header_value("X-Fiokit-Live"), "looks");
  const uint64_t parses_before = header_count(first->get_header_value("X-Fiokit-Live"), "parses");
  constexpr int kScrapes = 5;
  const auto t0 = std::chrono::steady_clock::now();
  std::string last;
  for (int i = 0; i < kScrapes; ++i) {
    auto r = c.Get("/metrics");
    REQUIRE(r);
    REQUIRE(r->status == 200);
    CHECK(r->body == first->body);
    last = r->get_header_value("X-Fiokit-Live");
  }
  const auto per_scrape_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() / kScrapes;
  // Per scrape: the live run's cluster.json (absent) and results.json; no parse.
  CHECK(header_count(last, "looks") - looks_before == 2 * kScrapes);
  CHECK(header_count(last, "parses") == parses_before);
  const auto index_after = s.server->index_stats();
  CHECK(index_after.dir_scans == index_before.dir_scans);
  CHECK(index_after.parses == index_before.parses);
  CHECK(index_after.top_lists == index_before.top_lists);
  WARN("per scrape: " << per_scrape_ms << " ms over " << kRuns + 1 << " runs");
  CHECK(per_scrape_ms < 250);
}
