// Headless Chromium (Debian's chromium) loads the index, a run page and a
// compare page from the server: screenshots must be far from a blank page, and
// the DOM after the scripts ran must show charts holding data (app.js writes
// data-points="N" on each chart). Skips with a reason when chromium is missing.
#include <catch2/catch.hpp>
#include <filesystem>
#include <regex>
#include <set>

#include "serve_util.hpp"

using namespace fiokit;
using namespace fiokit::servetest;

namespace {

const char* kChromium = "/usr/bin/chromium";

// Screenshot of url; returns the PNG bytes ("" on failure).
std::string screenshot(const std::string& dir, const std::string& name, const std::string& url) {
  const std::string file = dir + "/" + name + ".png";
  TempDir profile;
  run_capture(chromium_cmd(profile.path, "--window-size=1280,900 --virtual-time-budget=5000 --screenshot=" + file, url));
  return read_text(file);
}

size_t distinct_bytes(const std::string& s) {
  std::set<unsigned char> seen(s.begin(), s.end());
  return seen.size();
}

// data-points values of every chart in the DOM after the scripts ran; `views`
// gets each chart's data-view (the zoomed range) or "".
std::vector<long> chart_points(const std::string& url, std::vector<std::string>* views = nullptr) {
  TempDir profile;
  const auto dom = run_capture(chromium_cmd(profile.path, "--virtual-time-budget=5000 --dump-dom", url));
  std::vector<long> out;
  if (!dom) return out;
  const std::regex tag("<div class=\"chart( [^\"]*)?\"[^>]*>");  // not "charts"
  const std::regex points("data-points=\"([0-9]+)\"");
  const std::regex view("data-view=\"([0-9-]+)\"");
  for (std::sregex_iterator it(dom->begin(), dom->end(), tag), end; it != end; ++it) {
    const std::string t = it->str();
    std::smatch m;
    if (std::regex_search(t, m, points)) out.push_back(std::stol(m[1]));
    if (views) views->push_back(std::regex_search(t, m, view) ? m[1].str() : "");
  }
  return out;
}

}  // namespace

TEST_CASE("headless chromium renders the pages and the charts hold data", "[browser]") {
  if (!have_program(kChromium)) {
    FAIL(kChromium << " is not installed: run this case through CTest's serve-browser entry, which skips without it");
  }
  TempDir data;
  write_run_dir(data.path, "20261120T100000Z-old", make_result({"seqread"}, 1763632800, 1.0, 200));
  write_run_dir(data.path, "20261121T100000Z-new", make_result({"randread", "second"}, 1763719200, 2.0, 100));
  TestServer s(data.path);
  const std::string base = "http://127.0.0.1:" + std::to_string(s.port);
  // Keep the screenshots where a person can look at them after the run.
  const std::string out = std::filesystem::temp_directory_path().string() + "/fiokit-serve-screens";
  std::filesystem::create_directories(out);

  const std::string blank = screenshot(out, "blank", "about:blank");
  REQUIRE(!blank.empty());
  const std::vector<std::pair<std::string, std::string>> pages = {
      {"index", base + "/"},
      {"run", base + "/runs/20261121T100000Z-new"},
      {"compare", base + "/compare?run=20261120T100000Z-old&run=20261121T100000Z-new"},
  };
  for (const auto& [name, url] : pages) {
    INFO(name << ": " << url);
    const std::string png = screenshot(out, name, url);
    REQUIRE(png.size() > 8);
    CHECK(png.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0);
    CHECK(png.size() > 3 * blank.size());
    CHECK(distinct_bytes(png) > 200);
  }
  for (const auto& [name, url] : std::vector<std::pair<std::string, std::string>>(pages.begin() + 1, pages.end())) {
    INFO(name << ": " << url);
    const auto points = chart_points(url);
    REQUIRE(points.size() == 3);  // bw, iops, clat
    for (long n : points) CHECK(n > 0);
  }
  // Zoomed (the path a drag takes: Chart.zoomTo, then a refetch of that range
  // from the series API): fewer points, all inside the range, none lost.
  const auto full = chart_points(base + "/runs/20261121T100000Z-new");
  std::vector<std::string> views;
  const auto zoomed = chart_points(base + "/runs/20261121T100000Z-new#zoom=1000-2000", &views);
  REQUIRE(full.size() == 3);
  REQUIRE(zoomed.size() == 3);
  for (size_t i = 0; i < 3; ++i) {
    INFO("chart " << i << ": " << zoomed[i] << " of " << full[i] << " points, view '" << views[i] << "'");
    CHECK(views[i] == "1000-2000");
    CHECK(zoomed[i] > 0);
    CHECK(zoomed[i] < full[i]);
  }
  // bw: 2 jobs x 11 rows in [1000, 2000] ms (one every 100 ms).
  CHECK(zoomed[0] == 22);
}
