// Headless Chromium on the run index and run page (issue 17 item 4): the DOM
// after the scripts ran must show the columns, a failed run's badge (drawn in a
// screenshot too), the order
// a header link sorts to, the filter's rows, every run once the "more" link
// loaded the pages after the first (index.js), chart headings in the unit the
// axis shows, sizes as GiB and the repeats table. Run through CTest's
// serve-browser entry, which skips (77) without chromium.
#include <catch2/catch.hpp>
#include <filesystem>
#include <regex>

#include "results/json_writer.hpp"
#include "results/repeats.hpp"
#include "../plot/plot_test_util.hpp"
#include "serve_util.hpp"

using namespace fiokit;
using namespace fiokit::servetest;

namespace {

const char* kChromium = "/usr/bin/chromium";

// The DOM after the page's scripts ran (5 s of virtual time).
std::string dom_of(const std::string& url) {
  TempDir profile;
  const std::string cmd = std::string("timeout 120 ") + kChromium +
                          " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run"
                          " --disable-background-networking --disable-component-update --disable-sync"
                          " --disable-dev-shm-usage --window-size=1280,900 --user-data-dir=" + profile.path +
                          " --virtual-time-budget=5000 --dump-dom '" + url + "' 2>/dev/null";
  return run_capture(cmd).value_or("");
}

std::vector<std::string> row_ids(const std::string& html) {
  std::vector<std::string> out;
  const std::regex re("<tr data-id=\"([^\"]+)\"");
  for (std::sregex_iterator it(html.begin(), html.end(), re), end; it != end; ++it) out.push_back((*it)[1]);
  return out;
}

std::string row_of(const std::string& html, const std::string& id) {
  const size_t at = html.find("<tr data-id=\"" + id + "\"");
  return at == std::string::npos ? "" : html.substr(at, html.find("</tr>", at) - at);
}

std::string unescape_amp(std::string s) {
  for (size_t p = s.find("&amp;"); p != std::string::npos; p = s.find("&amp;", p + 1)) s.replace(p, 5, "&");
  return s;
}

results::RunResult one_job(const std::string& name, int64_t ts, const std::string& rw, const std::string& engine,
                           double scale) {
  results::RunResult r = make_result({name}, ts, scale);
  r.jobs[0].options = {{"rw", rw}, {"bs", "4k"}, {"ioengine", engine}, {"iodepth", "8"}, {"numjobs", "1"}};
  return r;
}

}  // namespace

TEST_CASE("headless chromium: run index columns, badge, sort, filter, more on demand; run page units, sizes, repeats",
          "[browser]") {
  if (!have_program(kChromium)) {
    FAIL(kChromium << " is not installed: run this case through CTest's serve-browser entry, which skips without it");
  }
  TempDir data;
  write_run_dir(data.path, "a-libaio", one_job("alpha", 1763600000, "randread", "libaio", 1.0), false);
  write_run_dir(data.path, "b-uring", one_job("bravo", 1763610000, "randread", "io_uring", 4.0), false);
  results::RunResult broken = one_job("broken", 1763620000, "write", "psync", 1.0);
  broken.jobs[0].dirs = {};
  broken.jobs[0].error = 5;
  broken.jobs[0].error_message = "job 'broken': Input/output error";
  write_run_dir(data.path, "c-failed", broken, false);
  write_run_dir(data.path, "d-uring", one_job("delta", 1763630000, "randread", "io_uring", 2.0), false);
  // The newest run: logs to chart, volume details, three repeats.
  results::RunResult rich = one_job("echo", 1763640000, "randread", "psync", 0.5);
  rich.extras["volume.0.capacity"] = "270553174016";
  rich.extras["volume.0.path"] = "/mnt/vol";
  write_run_dir(data.path, "e-rich", rich, true);
  std::vector<results::RunResult> reps = {rich, rich, rich};
  reps[2].jobs[0].error = 5;
  write_text(data.path + "/runs/e-rich/repeats.json", results::summarize_repeats(reps));

  TestServer s(data.path);
  const std::string base = "http://127.0.0.1:" + std::to_string(s.port);

  const std::string index = dom_of(base + "/");
  REQUIRE(!index.empty());
  for (const char* key : {"rw", "bs", "iodepth", "numjobs", "engine", "duration", "status", "read_iops", "write_iops"}) {
    INFO(key);
    CHECK(index.find(std::string("data-sort=\"") + key + "\"") != std::string::npos);
  }
  CHECK(row_ids(index) == std::vector<std::string>{"e-rich", "d-uring", "c-failed", "b-uring", "a-libaio"});
  const std::string failed = row_of(index, "c-failed");
  CHECK(failed.find("<span class=\"badge badge-bad\"") != std::string::npos);
  CHECK(failed.find(">failed</span>") != std::string::npos);
  CHECK(failed.find("B/s") == std::string::npos);
  CHECK(row_of(index, "b-uring").find(">io_uring<") != std::string::npos);
  // The failed badge is drawn: its red text (--bad, #c62828) on its pink
  // ground (#fdecea) are in the screenshot; with the failed run filtered
  // out, neither is (nothing else on the index is red).
  auto shot_of = [&](const std::string& url) {
    TempDir shots;
    const std::string png = chromium_screenshot(shots.path, url, "1400,900");
    REQUIRE(!png.empty());
    return plottest::decode_png(png);
  };
  const plottest::Png shot = shot_of(base + "/");
  const size_t badge_red = plottest::count_colour(shot, 0xc62828, 40), badge_pink = plottest::count_colour(shot, 0xfdecea, 3);
  INFO("failed badge pixels: red " << badge_red << ", pink " << badge_pink);
  CHECK(badge_red > 20);
  CHECK(badge_pink > 100);
  const plottest::Png no_failed = shot_of(base + "/?q=engine:io_uring");
  CHECK(plottest::count_colour(no_failed, 0xfdecea, 3) == 0);

  // Sorting: the read IOPS header's link, followed as a click would.
  std::smatch m;
  REQUIRE(std::regex_search(index, m, std::regex("data-sort=\"read_iops\"><a href=\"([^\"]+)\"")));
  const std::string sorted = dom_of(base + unescape_amp(m[1]));
  CHECK(row_ids(sorted) == std::vector<std::string>{"b-uring", "d-uring", "a-libaio", "e-rich", "c-failed"});
  CHECK(sorted.find("aria-sort=\"descending\"") != std::string::npos);

  // Filtering: the box's text, the matching rows only.
  const std::string filtered = dom_of(base + "/?q=engine:io_uring");
  CHECK(row_ids(filtered) == std::vector<std::string>{"d-uring", "b-uring"});
  CHECK(filtered.find("value=\"engine:io_uring\"") != std::string::npos);

  // Two rows per page: index.js loads the next pages as their link comes into view.
  const std::string paged = dom_of(base + "/?limit=2");
  CHECK(row_ids(paged) == std::vector<std::string>{"e-rich", "d-uring", "c-failed", "b-uring", "a-libaio"});
  CHECK(paged.find("data-index-loads=\"2\"") != std::string::npos);
  CHECK(paged.find("class=\"more-link") == std::string::npos);
  CHECK(paged.find("runs 1\xe2\x80\x93" "5 of 5") != std::string::npos);

  // Run page: headings in the axis's unit, sizes in GiB, repeats.
  const std::string run = dom_of(base + "/runs/e-rich");
  REQUIRE(!run.empty());
  CHECK(run.find("data-charts-ready=\"3\"") != std::string::npos);
  CHECK(run.find("Bandwidth <small class=\"unit\">(MiB/s)</small>") != std::string::npos);
  CHECK(run.find("Completion latency <small class=\"unit\">(us)</small>") != std::string::npos);
  CHECK(run.find("data-axis-unit=\"MiB/s\"") != std::string::npos);
  CHECK(run.find("(KiB/s)") == std::string::npos);
  CHECK(run.find("252 GiB") != std::string::npos);
  CHECK(run.find("270553174016</td>") == std::string::npos);
  CHECK(run.find("3 repeats, 2 ok") != std::string::npos);
  const std::regex repeat_row("<tr data-status=\"(ok|failed)\"><td>[0-9]</td>");
  CHECK(std::distance(std::sregex_iterator(run.begin(), run.end(), repeat_row), std::sregex_iterator()) == 3);
}
