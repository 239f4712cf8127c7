// The sweep pages' cache (a reviewer's finding): /sweeps/ID, /api/sweeps/ID
// and /sweeps used to re-read and re-parse every manifest and every point's
// results.json on each request. These cases count the parses across real
// requests to a real server: none on a repeat, one again when a point's
// results.json or the manifest is rewritten (a sweep still running), and the
// API answers a manifest holding invalid UTF-8 instead of a 500.
#include <httplib.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "results/json_writer.hpp"
#include "results/sweep.hpp"
#include "serve/sweep_pages.hpp"
#include "serve_util.hpp"

using namespace fiokit;
using namespace fiokit::servetest;

namespace {

const char* kSweep = "20261124T100000Z-sweep";

// runs/<id>/ with a manifest of `n` iodepth points, each an ok sub-run with
// its own results.json (IOPS growing with the depth).
void write_sweep(const std::string& data, size_t n, const std::string& id = kSweep) {
  results::SweepManifest m;
  m.version = "test";
  m.dimensions.push_back({"iodepth", {}});
  m.started_ms = 1763978400000;
  m.finished_ms = m.started_ms + 1000;
  for (size_t i = 0; i < n; ++i) {
    const std::string v = std::to_string(1 << i);
    m.dimensions[0].values.push_back(v);
    results::SweepPointRecord p;
    p.settings = {{"iodepth", v}};
    p.status = "ok";
    p.run = "iodepth_" + v;
    m.points.push_back(p);
    const std::string dir = data + "/runs/" + id + "/" + p.run;
    write_text(dir + "/results.json", results::write_json(make_result({"j"}, 1763978400, 1.0 + double(i)), false));
  }
  write_text(data + "/runs/" + id + "/" + results::kSweepManifest, results::write_sweep_manifest(m));
}

}  // namespace

TEST_CASE("sweep pages parse a sweep once and again only when a file changes", "[serve][sweep]") {
  TempDir data;
  write_sweep(data.path, 3);
  write_run_dir(data.path, "20261120T100000Z-plain", make_result({"j"}, 1763632800), false);
  TestServer s(data.path);
  httplib::Client c("127.0.0.1", s.port);
  const std::string page = std::string("/sweeps/") + kSweep, api = std::string("/api/sweeps/") + kSweep;

  uint64_t before = serve::sweep_page_parses();
  auto r = c.Get(page);
  REQUIRE(r);
  REQUIRE(r->status == 200);
  CHECK(serve::sweep_page_parses() - before == 4);  // the manifest and three points
  before = serve::sweep_page_parses();
  for (int i = 0; i < 5; ++i) {
    REQUIRE(c.Get(page)->status == 200);
    REQUIRE(c.Get(api)->status == 200);
  }
  CHECK(serve::sweep_page_parses() == before);

  // A point rewritten (more I/O): parsed again, its new figure shown.
  const std::string point = data.path + "/runs/" + kSweep + "/iodepth_2/results.json";
  write_text(point, results::write_json(make_result({"j"}, 1763978400, 10.0), false));
  r = c.Get(api);
  REQUIRE(r);
  REQUIRE(r->status == 200);
  CHECK(serve::sweep_page_parses() > before);
  const auto j = nlohmann::json::parse(r->body);
  const double iops2 = j["points"][1]["figures"]["iops"].get<double>();
  const double iops1 = j["points"][0]["figures"]["iops"].get<double>();
  CHECK(iops2 > 5 * iops1);

  // /sweeps: the manifest is parsed for the first listing only; the plain run
  // dir is not a sweep and is not listed.
  before = serve::sweep_page_parses();
  r = c.Get("/sweeps");
  REQUIRE(r);
  CHECK(r->body.find(std::string("href=\"/sweeps/") + kSweep + "\"") != std::string::npos);
  CHECK(r->body.find("-plain") == std::string::npos);
  CHECK(serve::sweep_page_parses() - before == 1);
  REQUIRE(c.Get("/sweeps")->status == 200);
  CHECK(serve::sweep_page_parses() - before == 1);
  // The manifest rewritten with a fourth point: the listing and page follow.
  write_sweep(data.path, 4);
  r = c.Get("/sweeps");
  REQUIRE(r);
  CHECK(r->body.find("4/4 ok") != std::string::npos);
  r = c.Get(api);
  REQUIRE(r);
  CHECK(nlohmann::json::parse(r->body)["points"].size() == 4);
}

// A sweep directory made by hand may be named with any bytes; its id goes
// into the JSON, which used to throw (a 500) on invalid UTF-8.
TEST_CASE("sweep API replaces invalid UTF-8 in a sweep's id instead of failing", "[serve][sweep]") {
  TempDir data;
  write_sweep(data.path, 2, "sweep-\xff");
  TestServer s(data.path);
  httplib::Client c("127.0.0.1", s.port);
  const auto r = c.Get("/api/sweeps/sweep-%FF");
  REQUIRE(r);
  REQUIRE(r->status == 200);
  const auto j = nlohmann::json::parse(r->body);
  CHECK(j["id"].get<std::string>() == "sweep-\xEF\xBF\xBD");
  CHECK(j["points"].size() == 2);
}
