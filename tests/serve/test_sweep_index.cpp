// `fiokit sweep` directories in the run index (serve/sweep_index.hpp), through
// a real HTTP client against the server: a sweep is one row badged "sweep"
// with its points and their status and a link to its sweep page, never a run
// "without results"; its sub-runs are not rows of their own but open as run
// pages (and run APIs) by their nested id "<sweep>@<sub>"; an id that names
// anything else (a non-sweep, "..", a symlink leaving the tree) is refused; a
// running sweep's row follows its sweep.json; a damaged sweep.json still
// reads as a sweep, with the reason.
#include <httplib.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>

#include "results/sweep.hpp"
#include "serve_util.hpp"

using namespace fiokit;
using namespace fiokit::servetest;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

constexpr const char* kSweep = "20261127T000000Z-sweep-job";

// A sweep over iodepth 1,2,4: two points ran (their sub-runs hold results and
// logs), the third failed; finished unless `running`.
results::SweepManifest manifest(bool running, size_t done = 3) {
  results::SweepManifest m;
  m.version = "0.1.0";
  m.job_files = {"job.fio"};
  m.dimensions = {{"iodepth", {"1", "2", "4"}}};
  m.started_ms = 1795737600000;
  m.finished_ms = running ? 0 : m.started_ms + 3000;
  const char* status[] = {"ok", "ok", "failed"};
  for (size_t i = 0; i < 3; ++i) {
    results::SweepPointRecord p;
    p.settings = {{"iodepth", std::to_string(1 << i)}};
    if (i < done) {
      p.status = status[i];
      p.run = "runs/p" + std::to_string(i);
    }
    m.points.push_back(p);
  }
  return m;
}

struct SweepFixture {
  TempDir data;
  std::string sdir;
  SweepFixture(bool running = false) {
    write_run_dir(data.path, "r1-plain", make_result({"plain"}, 1795730000), false);
    sdir = data.path + "/runs/" + kSweep;
    fs::create_directories(sdir + "/runs");
    write_text(sdir + "/job.fio", "[job]\nioengine=null\n");
    write_run_dir(sdir, "p0", make_result({"job"}, 1795737600, 1.0), true);
    write_run_dir(sdir, "p1", make_result({"job"}, 1795737601, 2.0), true);
    fs::create_directories(sdir + "/runs/p2");  // the failed point: no results
    write_text(sdir + "/sweep.json", results::write_sweep_manifest(manifest(running)));
  }
};

json get_json(httplib::Client& c, const std::string& path) {
  auto res = c.Get(path.c_str());
  REQUIRE(res);
  REQUIRE(res->status == 200);
  return json::parse(res->body);
}

}  // namespace

TEST_CASE("a sweep is one index row badged sweep, linking its page", "[serve][sweep]") {
  SweepFixture f;
  TestServer s(f.data.path);
  httplib::Client c("127.0.0.1", s.port);

  const json runs = get_json(c, "/api/runs")["runs"];
  REQUIRE(runs.size() == 2);  // the plain run and the sweep; no sub-run rows
  const json* sw = nullptr;
  for (const auto& r : runs)
    if (r["id"] == kSweep) sw = &r;
  REQUIRE(sw != nullptr);
  CHECK((*sw)["status"] == "sweep");
  CHECK(!sw->contains("error"));
  CHECK((*sw)["sweep"]["points"] == 3);
  CHECK((*sw)["sweep"]["ok"] == 2);
  CHECK((*sw)["sweep"]["url"] == std::string("/sweeps/") + kSweep);
  CHECK((*sw)["iodepth"] == "1, 2, 4");
  CHECK((*sw)["status_detail"] == "3 points: 2 ok, 1 failed");

  auto page = c.Get("/");
  REQUIRE(page);
  REQUIRE(page->status == 200);
  const std::regex row(R"re(<tr class="sweep-row" data-id="([^"]+)"[^>]*>.*?</tr>)re");
  std::smatch m;
  REQUIRE(std::regex_search(page->body, m, row));
  CHECK(m[1] == kSweep);
  const std::string tr = m[0];
  CHECK(tr.find(std::string("href=\"/sweeps/") + kSweep + "\"") != std::string::npos);
  CHECK(tr.find(">sweep</span>") != std::string::npos);
  CHECK(tr.find("2/3 ok") != std::string::npos);
  CHECK(tr.find("badge-warn") != std::string::npos);  // a failed point: not all green
  CHECK(page->body.find("no results") == std::string::npos);
  CHECK(page->body.find("no results.json") == std::string::npos);

  // Filter and sort on it like a run.
  const json filtered = get_json(c, "/api/runs?q=status:sweep");
  REQUIRE(filtered["runs"].size() == 1);
  CHECK(filtered["runs"][0]["id"] == kSweep);

  // Its id as a run page sends the visitor to the sweep page.
  auto as_run = c.Get((std::string("/runs/") + kSweep).c_str());
  REQUIRE(as_run);
  CHECK(as_run->status == 302);
  CHECK(as_run->get_header_value("Location") == std::string("/sweeps/") + kSweep);
}

TEST_CASE("a sweep's sub-runs open as run pages by their nested id", "[serve][sweep]") {
  SweepFixture f;
  TestServer s(f.data.path);
  httplib::Client c("127.0.0.1", s.port);

  auto sp = c.Get((std::string("/sweeps/") + kSweep).c_str());
  REQUIRE(sp);
  REQUIRE(sp->status == 200);
  std::vector<std::string> links;
  const std::regex link(R"re(<a class="subrun" href="([^"]+)")re");
  for (std::sregex_iterator it(sp->body.begin(), sp->body.end(), link), end; it != end; ++it) links.push_back((*it)[1]);
  REQUIRE(links.size() == 3);
  CHECK(links[0] == std::string("/runs/") + kSweep + "%40p0");

  for (int i = 0; i < 2; ++i) {
    const std::string id = std::string(kSweep) + "@p" + std::to_string(i);
    auto rp = c.Get(links[static_cast<size_t>(i)].c_str());
    REQUIRE(rp);
    REQUIRE(rp->status == 200);
    CHECK(rp->body.find("<h1>" + id + "</h1>") != std::string::npos);
    const json run = get_json(c, "/api/runs/" + id);
    CHECK(run["dir"] == std::string("runs/") + kSweep + "/runs/p" + std::to_string(i));
    CHECK(run["status"] == "ok");
    // Its figures are its own: p1 ran at twice p0's IOPS.
    CHECK(run["read"]["iops"].get<double>() > 0);
    // The series API of the run page answers for the nested id too.
    REQUIRE(!run["logs"].empty());
    const std::string log = run["logs"][0]["file"];
    auto series = c.Get(("/api/runs/" + id + "/series?log=" + log).c_str());
    REQUIRE(series);
    CHECK(series->status == 200);
  }
  const double iops0 = get_json(c, "/api/runs/" + std::string(kSweep) + "@p0")["read"]["iops"];
  const double iops1 = get_json(c, "/api/runs/" + std::string(kSweep) + "@p1")["read"]["iops"];
  CHECK(iops1 == Approx(2 * iops0));
  // Sub-runs are read on demand: the index still holds two rows.
  CHECK(get_json(c, "/api/runs")["runs"].size() == 2);
}

TEST_CASE("a nested id names only a sweep's sub-run inside the tree", "[serve][sweep]") {
  SweepFixture f;
  // A plain run with a runs/ folder is not a sweep; a symlink in the sweep's
  // runs/ points at a run outside the served tree.
  write_run_dir(f.data.path + "/runs/r1-plain", "inner", make_result({"inner"}, 1795730001), false);
  TempDir outside;
  write_run_dir(outside.path, "secret", make_result({"secret"}, 1795730002), false);
  fs::create_directory_symlink(outside.path + "/runs/secret", f.sdir + "/runs/evil");
  TestServer s(f.data.path);
  httplib::Client c("127.0.0.1", s.port);
  for (const std::string& id : {std::string("r1-plain@inner"), std::string(kSweep) + "@evil",
                               std::string(kSweep) + "@..", std::string(kSweep) + "@.", std::string(kSweep) + "@",
                               std::string("@p0"), std::string(kSweep) + "@p0@p1", std::string(kSweep) + "@nothere"}) {
    INFO(id);
    auto res = c.Get(("/api/runs/" + id).c_str());
    REQUIRE(res);
    CHECK(res->status == 404);
    CHECK(res->body.find("secret") == std::string::npos);
  }
  // Encoded separators and dot segments are refused before any lookup.
  for (const std::string& target : {std::string("/runs/") + kSweep + "%40..%2f..%2fr1-plain",
                                   std::string("/runs/") + kSweep + "%40p0%2f..%2f..%2f..%2fetc"}) {
    INFO(target);
    const RawResponse r = raw_get(s.port, target);
    CHECK(r.status >= 400);
    CHECK(r.status < 500);
  }
}

TEST_CASE("a running sweep's row follows its sweep.json; a damaged one stays a sweep", "[serve][sweep]") {
  SweepFixture f(true);
  // Only the first point has run so far.
  write_text(f.sdir + "/sweep.json", results::write_sweep_manifest(manifest(true, 1)));
  TestServer s(f.data.path);
  httplib::Client c("127.0.0.1", s.port);
  auto row = [&] {
    const json all = get_json(c, "/api/runs");  // kept: the loop must not outlive it
    for (const auto& r : all["runs"])
      if (r["id"] == kSweep) return r;
    FAIL("no sweep row in " << all.dump());
    return json();
  };
  json r = row();
  CHECK(r["sweep"]["ok"] == 1);
  CHECK(r["status_detail"] == "3 points: 1 ok, 2 pending (running)");

  // The next point ends: the manifest is rewritten (renamed over, as fiokit
  // sweep does). The row follows without a change to runs/ itself.
  const std::string tmp = f.sdir + "/.sweep.json.tmp";
  write_text(tmp, results::write_sweep_manifest(manifest(true, 2)));
  fs::rename(tmp, f.sdir + "/sweep.json");
  bool updated = false;
  for (int i = 0; i < 40 && !updated; ++i) {
    updated = row()["sweep"]["ok"] == 2;
    if (!updated) usleep(100000);
  }
  CHECK(updated);

  write_text(tmp, "{ not json");
  fs::rename(tmp, f.sdir + "/sweep.json");
  bool damaged = false;
  for (int i = 0; i < 40 && !damaged; ++i) {
    r = row();
    damaged = r["status_detail"].get<std::string>().rfind("sweep.json: ", 0) == 0;
    if (!damaged) usleep(100000);
  }
  CHECK(damaged);
  CHECK(r["status"] == "sweep");
  CHECK(!r.contains("error"));
}
