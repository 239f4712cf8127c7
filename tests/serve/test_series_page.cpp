// serve's run page for a run whose job file writes no fio logs (issue 17 item
// 1): the per-second series fiokit keeps in RUN/series are listed as the run's
// logs, drawn as charts (headless Chromium: each chart holds points) and said
// to be the series (and their lines are in a screenshot); a run with its own logs shows only those. Runs are made by
// the shipped binary (null engine, ~2 s) or written here.
#include <httplib.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "../plot/plot_test_util.hpp"
#include "serve_util.hpp"

using namespace fiokit;
using namespace fiokit::servetest;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// A real run without log options in data/runs/; returns its id.
std::string make_real_run(const std::string& data) {
  const std::string job = data + "/../j.fio";
  write_text(job, "[j]\nioengine=null\nrw=randrw\nbs=4k\nsize=1g\nrate_iops=1000\ntime_based\nruntime=2300ms\n");
  int rc = -1;
  run_capture(std::string(FIOKIT_BIN) + " run --data-dir " + data + " " + job + " >/dev/null 2>&1", &rc);
  REQUIRE(rc == 0);
  std::vector<std::string> ids;
  for (const auto& e : fs::directory_iterator(data + "/runs")) ids.push_back(e.path().filename().string());
  REQUIRE(ids.size() == 1);
  return ids[0];
}

}  // namespace

TEST_CASE("a run without fio logs lists and serves its per-second series", "[serve]") {
  TempDir top;
  const std::string data = top.path + "/data";
  fs::create_directories(data);
  const std::string id = make_real_run(data);
  TestServer s(data);
  httplib::Client c("127.0.0.1", s.port);
  auto api = c.Get("/api/runs/" + id);
  REQUIRE(api);
  REQUIRE(api->status == 200);
  const auto j = json::parse(api->body);
  std::set<std::string> files;
  for (const auto& l : j["logs"]) files.insert(l["file"].get<std::string>());
  CHECK(files == std::set<std::string>{"series/j_bw.1.log", "series/j_iops.1.log", "series/j_lat.1.log", "series/j_clat.1.log"});
  // The series API reads them like any log: read and write tracks, two
  // windows of rates (1000 and 2000 ms) at 1000 IOPS each.
  auto ser = c.Get("/api/runs/" + id + "/series?log=series%2Fj_iops.1.log");
  REQUIRE(ser);
  REQUIRE(ser->status == 200);
  const auto sj = json::parse(ser->body);
  REQUIRE(sj["series"].size() == 2);
  for (const auto& tr : sj["series"]) {
    CHECK(tr["t"] == json::array({1000, 2000}));
    for (const auto& v : tr["v"]) CHECK(v.get<double>() == Approx(1000).epsilon(0.1));  // one window: the pacer's jitter
  }
  auto page = c.Get("/runs/" + id);
  REQUIRE(page);
  REQUIRE(page->status == 200);
  CHECK(count_of(page->body, "class=\"chart\"") == 4);  // bw, iops, lat, clat
  CHECK(page->body.find("class=\"hint series-source\"") != std::string::npos);
  // Raw download of a series file, through the files browser.
  auto raw = c.Get("/files/runs/" + id + "/series/j_bw.1.log");
  REQUIRE(raw);
  CHECK(raw->status == 200);
  CHECK(raw->body.find("1000, ") == 0);
}

TEST_CASE("a run with its own logs shows only those, not the series", "[serve]") {
  TempDir data;
  write_run_dir(data.path, "20261121T100000Z-own", make_result({"randread"}, 1763719200));
  const std::string run = data.path + "/runs/20261121T100000Z-own";
  fs::create_directories(run + "/series");
  write_text(run + "/series/randread_bw.1.log", make_log(5, 1000, 0, 100));
  write_run_dir(data.path, "20261121T110000Z-none", make_result({"seq"}, 1763722800), false);
  fs::create_directories(data.path + "/runs/20261121T110000Z-none/series");
  write_text(data.path + "/runs/20261121T110000Z-none/series/seq_bw.1.log", make_log(5, 1000, 0, 100));
  TestServer s(data.path);
  httplib::Client c("127.0.0.1", s.port);
  const auto own = json::parse(c.Get("/api/runs/20261121T100000Z-own")->body);
  for (const auto& l : own["logs"]) CHECK(l["file"].get<std::string>().find("series/") == std::string::npos);
  CHECK(c.Get("/runs/20261121T100000Z-own")->body.find("series-source") == std::string::npos);
  const auto none = json::parse(c.Get("/api/runs/20261121T110000Z-none")->body);
  REQUIRE(none["logs"].size() == 1);
  CHECK(none["logs"][0]["file"] == "series/seq_bw.1.log");
}

TEST_CASE("headless chromium draws the series charts of a run without fio logs", "[browser]") {
  const char* chromium = "/usr/bin/chromium";
  if (!have_program(chromium)) FAIL(chromium << " is not installed: run this case through CTest's serve-browser entry");
  TempDir top;
  const std::string data = top.path + "/data";
  fs::create_directories(data);
  const std::string id = make_real_run(data);
  TestServer s(data);
  const std::string url = "http://127.0.0.1:" + std::to_string(s.port) + "/runs/" + id;
  TempDir profile;
  const auto dom = run_capture(std::string("timeout 120 ") + chromium +
                               " --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking"
                               " --disable-component-update --disable-sync --disable-dev-shm-usage --user-data-dir=" +
                               profile.path + " --virtual-time-budget=5000 --dump-dom '" + url + "' 2>/dev/null");
  REQUIRE(dom);
  CHECK(dom->find("series-source") != std::string::npos);
  // Every chart drew points from its series (app.js sets data-points and
  // data-series once the data is in): bw, iops, lat and clat, read and write.
  const std::regex tag("<div class=\"chart( [^\"]*)?\"[^>]*>");
  const std::regex points("data-points=\"([0-9]+)\""), series("data-series=\"([0-9]+)\"");
  std::vector<std::string> kinds;
  for (std::sregex_iterator it(dom->begin(), dom->end(), tag), end; it != end; ++it) {
    const std::string t = it->str();
    std::smatch m;
    INFO(t);
    REQUIRE(std::regex_search(t, m, points));
    CHECK(std::stol(m[1]) >= 4);  // 2 tracks x >= 2 windows
    REQUIRE(std::regex_search(t, m, series));
    CHECK(m[1] == "2");
    std::smatch k;
    if (std::regex_search(t, k, std::regex("data-kind=\"([a-z]+)\""))) kinds.push_back(k[1]);
  }
  CHECK(kinds == std::vector<std::string>{"bw", "iops", "lat", "clat"});

  // Drawn, not only in the DOM: the screenshot holds both lines of the
  // charts in chart.js's colours (read #1f77b4, write #d62728), enough of each
  // for four charts' lines, where the page has nothing else in those colours.
  TempDir shots;
  const std::string png = chromium_screenshot(shots.path, url, "1280,3000");
  REQUIRE(!png.empty());
  const plottest::Png img = plottest::decode_png(png);
  REQUIRE(img.width == 1280);
  const size_t read_px = plottest::count_colour(img, 0x1f77b4, 12), write_px = plottest::count_colour(img, 0xd62728, 12);
  INFO("line pixels: read " << read_px << ", write " << write_px);
  CHECK(read_px > 1000);
  CHECK(write_px > 1000);
}
