// The compare page's gate section and warnings (issue 17 item 5): N/A, not
// "-100%", where a run did no I/O in a direction; a warning naming the options
// that differ (rw, bs, iodepth, ioengine, rate caps); the gate's verdict and
// each run's repeats, as `fiokit compare` would judge them, read from the
// run's repeats/<N>/results.json. Checked in the served HTML and, in
// headless Chromium ([browser]), in the DOM and the screenshot.
#include <httplib.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fmt/format.h>
#include <regex>

#include "results/json_writer.hpp"
#include "../plot/plot_test_util.hpp"
#include "serve/compare_gate.hpp"
#include "serve_util.hpp"

using namespace fiokit;
using namespace fiokit::servetest;

namespace {

const char* kChromium = "/usr/bin/chromium";
const char* kBase = "20261120T100000Z-base";
const char* kSlow = "20261121T100000Z-slow";
const char* kWrite = "20261122T100000Z-write";

// A run dir with `repeats` repeats of job "j" at `scale` (each repeat a
// little apart, so the rank test sees distinct values).
void write_repeats(const std::string& data, const std::string& id, int64_t ts, double scale, int repeats) {
  write_run_dir(data, id, make_result({"j"}, ts, scale), false);
  for (int i = 1; i <= repeats; ++i) {
    const results::RunResult r = make_result({"j"}, ts + i, scale * (1.0 + 0.01 * i));
    write_text(data + "/runs/" + id + "/repeats/" + std::to_string(i) + "/results.json", results::write_json(r, false));
  }
}

// Three runs: a baseline (3 repeats), one at half the IOPS (3 repeats), and a
// write run with other rw and bs (1 sample).
void write_runs(const std::string& data) {
  write_repeats(data, kBase, 1763632800, 1.0, 3);
  write_repeats(data, kSlow, 1763719200, 0.5, 3);
  results::RunResult w = make_result({"j"}, 1763805600, 1.0);
  w.jobs[0].rw = "randwrite";
  w.jobs[0].options = {{"rw", "randwrite"}, {"bs", "8k"}};
  std::swap(w.jobs[0].dirs[0], w.jobs[0].dirs[1]);
  write_run_dir(data, kWrite, w, false);
}

std::string compare_url(int port) {
  return "http://127.0.0.1:" + std::to_string(port) + "/compare?run=" + kBase + "&run=" + kSlow + "&run=" + kWrite;
}

// The <tr data-run="ID"> row of the gate table.
std::string gate_row(const std::string& html, const std::string& id) {
  const size_t at = html.find("<tr data-run=\"" + id + "\"");
  if (at == std::string::npos) return "";
  return html.substr(at, html.find("</tr>", at) - at);
}

void check_page(const std::string& served) {
  // The server writes ' as &#39;; Chromium's DOM dump writes it plainly.
  std::string html = served;
  for (size_t at; (at = html.find("&#39;")) != std::string::npos;) html.replace(at, 5, "'");
  // N/A where a run lacks the direction; no change computed against nothing.
  CHECK(html.find("-100.0%") == std::string::npos);
  const std::regex na(R"(<td class="num na"[^>]*>N/A</td>)");
  const auto n_na = std::distance(std::sregex_iterator(html.begin(), html.end(), na), std::sregex_iterator());
  CHECK(n_na == 12);  // 4 write rows x (base, slow) + 4 read rows x write
  // Warning naming the differing options.
  CHECK(html.find("class=\"warnings\"") != std::string::npos);
  CHECK(html.find(std::string(kBase) + " vs " + kWrite + ": job 'j': option rw differs: baseline 'randread', current 'randwrite'") != std::string::npos);
  CHECK(html.find("option bs differs") != std::string::npos);
  CHECK(html.find(std::string(kBase) + " vs " + kSlow + ":") == std::string::npos);  // same options: no warning
  // The gate: repeats and verdicts.
  const std::string base = gate_row(html, kBase), slow = gate_row(html, kSlow), write = gate_row(html, kWrite);
  CHECK(base.find("<td class=\"num repeats\">3</td>") != std::string::npos);
  CHECK(slow.find("<td class=\"num repeats\">3</td>") != std::string::npos);
  CHECK(write.find("<td class=\"num repeats\">1</td>") != std::string::npos);
  CHECK(slow.find("<span class=\"verdict verdict-regression\">regression</span>") != std::string::npos);
  CHECK(slow.find("j/read/iops") != std::string::npos);
  CHECK(slow.find("too few for alpha 0.05") != std::string::npos);
  CHECK(write.find("<span class=\"verdict verdict-invalid\">invalid</span>") != std::string::npos);
}

}  // namespace

TEST_CASE("compare page: N/A for absent directions, option warnings, gate verdict and repeats", "[serve][compare]") {
  TempDir data;
  write_runs(data.path);
  TestServer s(data.path);
  httplib::Client c("127.0.0.1", s.port);
  const auto res = c.Get(std::string("/compare?run=") + kBase + "&run=" + kSlow + "&run=" + kWrite);
  REQUIRE(res);
  REQUIRE(res->status == 200);
  check_page(res->body);
  // Two runs alike: no warning, a pass with 3 vs 3 repeats.
  const char* kTwin = "20261123T100000Z-twin";
  write_repeats(data.path, kTwin, 1763632800, 1.0, 3);
  const auto same = c.Get(std::string("/compare?runs=") + kBase + "," + kTwin);
  REQUIRE(same);
  CHECK(same->body.find("class=\"warnings\"") == std::string::npos);
  INFO(gate_row(same->body, kBase));
  CHECK(same->body.find("verdict-pass") != std::string::npos);
}

// The reviewer's case: 300 copies of one id took serve to 5.8 GB. Duplicates
// are dropped, distinct runs are capped, and a run is parsed once across
// requests until one of its files changes.
TEST_CASE("compare page: duplicate ids dropped, runs capped, each run parsed once", "[serve][compare]") {
  TempDir data;
  write_runs(data.path);
  TestServer s(data.path);
  httplib::Client c("127.0.0.1", s.port);
  std::string many = std::string("/compare?runs=") + kBase;
  for (int i = 0; i < 300; ++i) many += std::string(",") + kSlow;
  const uint64_t before = serve::compare_gate_loads();
  const auto dup = c.Get(many);
  REQUIRE(dup);
  REQUIRE(dup->status == 200);
  const auto rows = [](const std::string& html, const std::string& id) {
    size_t n = 0;
    for (size_t at = 0; (at = html.find("<tr data-run=\"" + id + "\"", at)) != std::string::npos; ++at) ++n;
    return n;
  };
  CHECK(rows(dup->body, kSlow) == 1);
  CHECK(rows(dup->body, kBase) == 1);
  CHECK(serve::compare_gate_loads() - before == 2);
  // Again: both from the cache.
  REQUIRE(c.Get(many)->status == 200);
  CHECK(serve::compare_gate_loads() - before == 2);
  // A rewritten repeat (other size) is read again; the other run is not.
  const results::RunResult r = make_result({"j"}, 1763719299, 0.25);
  write_text(data.path + "/runs/" + kSlow + "/repeats/2/results.json", results::write_json(r, true));
  REQUIRE(c.Get(many)->status == 200);
  CHECK(serve::compare_gate_loads() - before == 3);
  // 17 distinct ids: refused before any is looked up, saying why.
  std::string over = "/compare?runs=";
  for (int i = 0; i <= 16; ++i) over += "r" + std::to_string(i) + ",";
  const auto refused = c.Get(over);
  REQUIRE(refused);
  CHECK(refused->status == 400);
  CHECK(refused->body.find("at most 16 distinct runs") != std::string::npos);
  // 16 distinct (unknown) ids pass the cap and fail the lookup instead.
  const auto unknown = c.Get(over.substr(0, over.rfind("r16")));
  REQUIRE(unknown);
  CHECK(unknown->status == 404);
}

TEST_CASE("compare page in headless chromium: the gate and warnings are in the DOM and drawn", "[browser]") {
  if (!have_program(kChromium))
    FAIL(kChromium << " is not installed: run this case through CTest's serve-browser entry, which skips without it");
  TempDir data, profile, shots;
  write_runs(data.path);
  TestServer s(data.path);
  const std::string flags = std::string("timeout 120 ") + kChromium +
                            " --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking"
                            " --disable-component-update --disable-sync --disable-dev-shm-usage --user-data-dir=" +
                            profile.path + " --window-size=1280,1200 --virtual-time-budget=5000 ";
  const auto dom = run_capture(flags + "--dump-dom '" + compare_url(s.port) + "' 2>/dev/null");
  REQUIRE(dom);
  check_page(*dom);
  // The screenshot shows the red regression badge (#c62828, --bad) and the
  // amber warning bar (#a66a00): the elements are drawn, not only present.
  const std::string png = shots.path + "/compare.png";
  run_capture(flags + "--screenshot=" + png + " '" + compare_url(s.port) + "' 2>/dev/null");
  REQUIRE(std::filesystem::exists(png));
  const plottest::Png img = plottest::decode_png(png);
  REQUIRE(img.width > 0);
  const size_t red = plottest::count_colour(img, 0xc62828, 20), amber = plottest::count_colour(img, 0xa66a00, 20);
  CHECK(red > 100);    // the regression badge (and red deltas)
  CHECK(amber > 100);  // the warning bar's border and the invalid badge
}

namespace {

// A real `fiokit sweep` (null engine, rate-capped so the IOPS are what the
// cap says) moved to <data>/runs/<id>: the same job name in every sweep, so
// their points compare, under ids the test chooses.
void make_sweep(const std::string& data, const std::string& id, int rate_iops, const std::string& dims) {
  TempDir work;
  write_text(work.path + "/job.fio", fmt::format("[global]\nioengine=null\nsize=64m\nruntime=250ms\ntime_based\n"
                                                 "rate_iops={}\n[rr]\nrw=randread\nbs=4k\n",
                                                 rate_iops));
  int code = -1;
  const auto out = run_capture(fmt::format("cd '{0}' && '{1}' sweep --no-plot --data-dir '{0}/d' job.fio {2} 2>&1",
                                           work.path, FIOKIT_BIN, dims),
                               &code);
  INFO(out.value_or("(no output)"));
  REQUIRE(code == 0);
  std::filesystem::create_directories(data + "/runs");
  const auto made = std::filesystem::directory_iterator(work.path + "/d/runs")->path();
  std::filesystem::rename(made, data + "/runs/" + id);
}

// Rows of the sweep gate tables, or those with the given verdict.
size_t point_rows(const std::string& html, const std::string& verdict = "[a-z]+") {
  const std::regex row("<tr class=\"point\" data-point=\"[^\"]*\" data-verdict=\"" + verdict + "\"");
  return static_cast<size_t>(std::distance(std::sregex_iterator(html.begin(), html.end(), row), std::sregex_iterator()));
}

const char* kSweepA = "20261124T100000Z-sweep-a";
const char* kSweepSlow = "20261124T110000Z-sweep-slow";
const char* kSweepPart = "20261124T120000Z-sweep-part";
const char* kPlain = "20261124T130000Z-plain";

}  // namespace

// Issue 17: "compare works on sweeps point by point", on the compare page as
// in the CLI. Two sweeps give one row per point with the gate's verdict and
// links to both sub-runs; a point on one side only is shown as such and the
// sweep is not a pass; a sweep picked with a plain run is refused (400)
// naming which is which; the index offers sweeps for comparison.
TEST_CASE("compare page: sweeps point by point, one-sided points, no mixing with runs", "[serve][compare][sweep]") {
  TempDir data;
  make_sweep(data.path, kSweepA, 2000, "--iodepth 1,2 --numjobs 1,2");
  make_sweep(data.path, kSweepSlow, 1000, "--numjobs 1,2 --iodepth 1,2");  // the other dimension order
  make_sweep(data.path, kSweepPart, 2000, "--iodepth 1 --numjobs 1,2");
  write_run_dir(data.path, kPlain, make_result({"rr"}, 1763982000), false);
  TestServer s(data.path);
  httplib::Client c("127.0.0.1", s.port);

  // Half the IOPS at every point: four rows, each a regression on its IOPS.
  const auto slow = c.Get(std::string("/compare?runs=") + kSweepA + "," + kSweepSlow);
  REQUIRE(slow);
  REQUIRE(slow->status == 200);
  const std::string& html = slow->body;
  INFO(html.substr(html.find("<h1>") == std::string::npos ? 0 : html.find("<h1>")));
  CHECK(html.find("Is a directory") == std::string::npos);
  CHECK(point_rows(html) == 4);
  CHECK(point_rows(html, "regression") == 4);
  for (const char* key : {"iodepth=1 numjobs=1", "iodepth=1 numjobs=2", "iodepth=2 numjobs=1", "iodepth=2 numjobs=2"})
    CHECK(html.find(std::string("<td class=\"key\">") + key + "</td>") != std::string::npos);
  CHECK(count_of(html, "rr/read/iops") == 4);
  CHECK(count_of(html, "<td class=\"num repeats\">1 / 1</td>") == 4);
  CHECK(count_of(html, std::string("href=\"/runs/") + kSweepA + "%40") == 4);
  CHECK(count_of(html, std::string("href=\"/runs/") + kSweepSlow + "%40") == 4);
  CHECK(html.find("against the baseline <span class=\"verdict verdict-regression\">regression</span>") !=
        std::string::npos);
  // The sub-run links open the sub-runs' own pages.
  const std::regex link("href=\"(/runs/[^\"]*%40[^\"]*)\"");
  std::smatch m;
  REQUIRE(std::regex_search(html, m, link));
  const auto sub = c.Get(m[1].str());
  REQUIRE(sub);
  CHECK(sub->status == 200);

  // Two points only in the baseline: rows of their own, the sweep invalid.
  const auto part = c.Get(std::string("/compare?runs=") + kSweepA + "," + kSweepPart);
  REQUIRE(part);
  REQUIRE(part->status == 200);
  CHECK(point_rows(part->body) == 4);
  CHECK(count_of(part->body, "data-one-side=\"1\"") == 2);
  CHECK(count_of(part->body, ">only in the baseline</span>") == 2);
  CHECK(part->body.find("against the baseline <span class=\"verdict verdict-invalid\">invalid</span>") !=
        std::string::npos);
  CHECK(part->body.find("verdict-pass\">pass</span></h2>") == std::string::npos);

  // A sweep with a plain run: refused, naming which is which.
  const auto mixed = c.Get(std::string("/compare?runs=") + kSweepA + "," + kPlain);
  REQUIRE(mixed);
  CHECK(mixed->status == 400);
  CHECK(mixed->body.find(std::string("sweeps (compared point by point): ") + kSweepA) != std::string::npos);
  CHECK(mixed->body.find(std::string("runs: ") + kPlain) != std::string::npos);

  // The index: every sweep row carries a compare checkbox.
  const auto index = c.Get("/");
  REQUIRE(index);
  for (const char* id : {kSweepA, kSweepSlow, kSweepPart})
    CHECK(index->body.find(std::string("data-status=\"sweep\"><td><input type=\"checkbox\" name=\"run\" value=\"") +
                           id + "\">") != std::string::npos);
}
