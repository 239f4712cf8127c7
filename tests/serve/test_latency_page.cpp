// The run page's latency distribution (issue 17 item 2) in serve: the
// /api/runs/{id}/latency answer (percentiles from the bins equal to the ones
// results.json reports, per job and for the summed total; hist log windows;
// errors for a malformed log), the same for a run made by the real fio 3.33
// ([fio]), and headless Chromium drawing it ([browser]): the section shown,
// one chart per panel with its tracks and the four markers, the percentiles
// over time holding points, and the markers' colours in a screenshot.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <fstream>
#include <thread>
#include <filesystem>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <regex>

#include "../plot/plot_test_util.hpp"
#include "common/latency_fixture.hpp"
#include "results/latency_dist.hpp"
#include "serve_util.hpp"

using namespace fiokit;
using namespace fiokit::servetest;
using nlohmann::json;

namespace {

const char* kMarks[] = {"p50", "p99", "p99.9", "p99.99"};
const char* kFioKeys[] = {"50", "99", "99.9", "99.99"};

// runs/<id>/ with a json+ results.json of `jobs` jobs and, when rows > 0, two hist logs.
void write_latency_run(const std::string& data, const std::string& id, int jobs, int hist_rows) {
  const std::string dir = data + "/runs/" + id;
  write_text(dir + "/results.json", test::latency_run_json_plus(jobs, 4000));
  results::LatencyHistogram sum;
  for (int k = 1; k <= 2 && hist_rows > 0; ++k)
    write_text(dir + "/rr_clat_hist." + std::to_string(k) + ".log",
               test::hist_log_text(hist_rows, 100, 150, 0, sum, static_cast<uint64_t>(k)));
}

json get_json(int port, const std::string& target, int* status = nullptr) {
  httplib::Client c("127.0.0.1", port);
  auto r = c.Get(target.c_str());
  REQUIRE(r);
  if (status) *status = r->status;
  return r->status == 200 ? json::parse(r->body) : json();
}

// Each track's marked percentiles equal what results.json reported for it.
void check_tracks_match_reported(const json& panel) {
  for (const auto& t : panel["tracks"]) {
    INFO(t["label"]);
    if (t["total"].get<bool>()) continue;
    REQUIRE(t.contains("reported"));
    for (size_t i = 0; i < 4; ++i) CHECK(t["percentiles"][kMarks[i]] == t["reported"][kFioKeys[i]]);
  }
}

}  // namespace

TEST_CASE("the latency API answers bins, totals and percentiles equal to results.json", "[serve][latency]") {
  TempDir data;
  write_latency_run(data.path, "20261126T100000Z-lat", 2, 25);
  write_run_dir(data.path, "20261126T090000Z-plain", make_result({"seq"}, 1764147600));  // plain json, no bins
  const std::string bad = data.path + "/runs/20261126T080000Z-bad";
  write_text(bad + "/results.json", results::write_json(make_result({"x"}, 1764144000), false));
  write_text(bad + "/x_clat_hist.1.log", "100, 0, 4096, 1, 2\n");
  TestServer s(data.path);

  const json j = get_json(s.port, "/api/runs/20261126T100000Z-lat/latency");
  CHECK(j["source"] == "json+ bins");
  REQUIRE(j["panels"].size() == 1);
  const json& p = j["panels"][0];
  CHECK(p["metric"] == "clat");
  CHECK(p["dir"] == "read");
  REQUIRE(p["tracks"].size() == 3);
  CHECK(p["tracks"][0]["label"] == "rr (job 1)");
  CHECK(p["tracks"][2]["label"] == "total (2 jobs)");
  CHECK(p["tracks"][2]["samples"] == 8000);
  check_tracks_match_reported(p);
  // The marked percentiles are the total's: from the summed bins of both jobs.
  const auto run = test::latency_run(2, 4000);
  results::LatencyHistogram all;
  for (const auto& job : run.jobs) all.merge(job.dirs[0].clat);
  for (size_t i = 0; i < 4; ++i) CHECK(p["percentiles"][kMarks[i]] == all.percentile(std::stod(kFioKeys[i])));
  // Bins: [low, high, count], ascending, counts adding up.
  uint64_t n = 0, prev_high = 0;
  for (const auto& b : p["tracks"][2]["bins"]) {
    CHECK(b[0].get<uint64_t>() >= prev_high);
    CHECK(b[1].get<uint64_t>() > b[0].get<uint64_t>());
    prev_high = b[1].get<uint64_t>();
    n += b[2].get<uint64_t>();
  }
  CHECK(n == 8000);
  // Over time from the two hist logs: 25 windows of 100 ms, 2 x 150 I/Os each.
  REQUIRE(j.contains("over_time"));
  CHECK(j["over_time"]["interval_ms"] == 100);
  CHECK(j["over_time"]["files"] == 2);
  const json& series = j["over_time"]["series"][0];
  CHECK(series["t"].size() == 25);
  for (const auto& v : series["samples"]) CHECK(v == 300);
  for (size_t i = 0; i < series["t"].size(); ++i) CHECK(series["p50"][i] <= series["p99"][i]);

  const json plain = get_json(s.port, "/api/runs/20261126T090000Z-plain/latency");
  CHECK(plain["panels"].empty());
  CHECK_FALSE(plain.contains("over_time"));
  int status = 0;
  get_json(s.port, "/api/runs/20261126T080000Z-bad/latency", &status);
  CHECK(status == 422);
  get_json(s.port, "/api/runs/nope/latency", &status);
  CHECK(status == 404);
  // The run page carries the section the script fills.
  httplib::Client c("127.0.0.1", s.port);
  auto page = c.Get("/runs/20261126T100000Z-lat");
  REQUIRE(page);
  CHECK(page->body.find("id=\"latency-dist\"") != std::string::npos);
  CHECK(page->body.find("/static/latency.js") != std::string::npos);
  auto js = c.Get("/static/latency.js");
  REQUIRE(js);
  CHECK(js->status == 200);
}

TEST_CASE("a run of the real fio: the API's percentiles equal fio's json+ report", "[serve][fio][latency]") {
  TempDir data;
  const std::string dir = fio_run_dir(data.path, "fio-hist",
                                      "--name=rr --ioengine=psync --rw=randread --bs=4k --size=4m --filename=f "
                                      "--time_based --runtime=1 --numjobs=2 --write_hist_log=rr --log_hist_msec=100 "
                                      "--output-format=json+ --output=results.json");
  std::filesystem::remove(dir + "/f");  // the data file is no log: keep it out of the run's listing
  TestServer s(data.path);
  const json j = get_json(s.port, "/api/runs/fio-hist/latency");
  CHECK(j["source"] == "json+ bins");
  REQUIRE(j["panels"].size() == 1);
  REQUIRE(j["panels"][0]["tracks"].size() == 3);
  check_tracks_match_reported(j["panels"][0]);
  REQUIRE(j.contains("over_time"));
  CHECK(j["over_time"]["interval_ms"] == 100);
  CHECK(j["over_time"]["series"][0]["t"].size() >= 5);
}

TEST_CASE("headless chromium draws the latency distribution on the run page", "[browser][latency]") {
  const char* chromium = "/usr/bin/chromium";
  if (!have_program(chromium)) {
    FAIL(chromium << " is not installed: run this case through CTest's serve-browser entry, which skips without it");
  }
  TempDir data;
  write_latency_run(data.path, "20261126T100000Z-lat", 2, 25);
  write_run_dir(data.path, "20261126T090000Z-plain", make_result({"seq"}, 1764147600));
  TestServer s(data.path);
  const std::string base = "http://127.0.0.1:" + std::to_string(s.port);
  auto dom_of = [&](const std::string& url) {
    TempDir profile;
    return run_capture(std::string("timeout 120 ") + chromium +
                       " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
                       "--disable-background-networking --disable-component-update --disable-sync "
                       "--disable-dev-shm-usage --window-size=1280,2400 --user-data-dir=" + profile.path +
                       " --virtual-time-budget=5000 --dump-dom '" + url + "' 2>/dev/null")
        .value_or("");
  };
  const std::string dom = dom_of(base + "/runs/20261126T100000Z-lat");
  REQUIRE(dom.find("data-latency-ready=\"1\"") != std::string::npos);
  std::smatch m;
  const std::regex section("<section id=\"latency-dist\"[^>]*>");
  REQUIRE(std::regex_search(dom, m, section));
  const std::string head = m.str();
  INFO(head);
  CHECK(head.find("hidden") == std::string::npos);
  CHECK(head.find("data-panels=\"1\"") != std::string::npos);
  CHECK(head.find("data-source=\"json+ bins\"") != std::string::npos);
  // The distribution chart: 3 tracks, a canvas, all four markers at the
  // total's values (as the API gives them), the mode buttons.
  const json api = get_json(s.port, "/api/runs/20261126T100000Z-lat/latency");
  std::string markers;
  for (const char* mk : kMarks)
    markers += (markers.empty() ? "" : ";") + std::string(mk) + "=" +
               std::to_string(api["panels"][0]["percentiles"][mk].get<uint64_t>());
  const std::regex box("<div class=\"chart-box lat-box\"[^>]*>");
  REQUIRE(std::regex_search(dom, m, box));
  const std::string box_tag = m.str();
  INFO(box_tag);
  CHECK(box_tag.find("data-tracks=\"3\"") != std::string::npos);
  CHECK(box_tag.find("data-markers=\"" + markers + "\"") != std::string::npos);
  CHECK(box_tag.find("data-mode=\"histogram\"") != std::string::npos);
  CHECK(dom.find("<canvas class=\"lat-canvas\"") != std::string::npos);
  CHECK(dom.find(">CDF</button>") != std::string::npos);
  CHECK(dom.find("total (2 jobs) (8000 I/Os)") != std::string::npos);
  // Percentiles over time: 3 lines (p50, p99, p99.9) of 25 windows.
  const std::regex time_box("<div class=\"chart-box lat-time\"[^>]*>");
  REQUIRE(std::regex_search(dom, m, time_box));
  CHECK(m.str().find("data-series=\"3\"") != std::string::npos);
  CHECK(m.str().find("data-points=\"75\"") != std::string::npos);

  // A run without bins or hist logs: the section stays hidden.
  const std::string plain = dom_of(base + "/runs/20261126T090000Z-plain");
  REQUIRE(std::regex_search(plain, m, section));
  CHECK(m.str().find("hidden") != std::string::npos);
  CHECK(m.str().find("data-panels=\"0\"") != std::string::npos);

  // Drawn, not only in the DOM: the screenshot holds each marker's colour
  // (latency.js MARK_COLORS: the dashed lines and the legend's bars).
  // p99.99's purple is drawn by nothing else; p50's green and p99's orange
  // are also track colours, p99.9's red the over-time chart's second line.
  // The plain run, whose section is hidden, has none of the purple.
  auto shot_of = [&](const std::string& url) {
    TempDir shots;
    const std::string png = chromium_screenshot(shots.path, url, "1280,2400");
    REQUIRE(!png.empty());
    return plottest::decode_png(png);
  };
  const plottest::Png img = shot_of(base + "/runs/20261126T100000Z-lat");
  REQUIRE(img.width == 1280);
  const size_t green = plottest::count_colour(img, 0x2ca02c, 12), orange = plottest::count_colour(img, 0xff7f0e, 12),
               red = plottest::count_colour(img, 0xd62728, 12), purple = plottest::count_colour(img, 0x7b0099, 12);
  INFO("marker pixels: p50 green " << green << ", p99 orange " << orange << ", p99.9 red " << red
                                   << ", p99.99 purple " << purple);
  CHECK(green > 100);
  CHECK(orange > 100);
  CHECK(red > 100);
  CHECK(purple > 100);
  CHECK(plottest::count_colour(shot_of(base + "/runs/20261126T090000Z-plain"), 0x7b0099, 12) == 0);
}

// The cache's lock is held only to look up and store: a cached answer for run
// B comes back while run A's first answer (two 48 MB hist logs) is still being
// computed. It used to wait for A's whole computation behind one mutex.
TEST_CASE("a cached latency answer does not wait behind another run's computation", "[serve][latency]") {
  TempDir tmp;
  const std::string data = tmp.path;
  write_latency_run(data, "20261126T100000Z-small", 1, 5);
  const std::string big = data + "/runs/20261126T110000Z-big";
  write_text(big + "/results.json", test::latency_run_json_plus(1, 4000));
  std::string zeros;
  for (size_t i = 0; i < results::LatencyHistogram::kBins; ++i) zeros += ",0";
  for (int k = 1; k <= 2; ++k) {
    std::ofstream out(big + "/rr_clat_hist." + std::to_string(k) + ".log", std::ios::binary);
    for (uint64_t row = 1; row * (zeros.size() + 12) < (48u << 20); ++row) out << row * 100 + 3 << ",0,4096" << zeros << '\n';
  }
  TestServer s(data);
  int status = 0;
  const json first = get_json(s.port, "/api/runs/20261126T100000Z-small/latency", &status);
  REQUIRE(status == 200);
  std::atomic<bool> a_done{false};
  int a_status = 0;
  std::thread a([&] {
    httplib::Client c("127.0.0.1", s.port);
    c.set_read_timeout(120, 0);
    auto r = c.Get("/api/runs/20261126T110000Z-big/latency");
    a_status = r ? r->status : -1;
    a_done = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const bool a_running = !a_done;
  const json again = get_json(s.port, "/api/runs/20261126T100000Z-small/latency", &status);
  const bool b_first = !a_done;
  a.join();
  CHECK(status == 200);
  CHECK(again == first);
  CHECK(a_status == 200);
  if (!a_running) {
    WARN("run A was answered within 100 ms: nothing to wait behind on this machine");
  } else {
    CHECK(b_first);
  }
}
