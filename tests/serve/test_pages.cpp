// Pages and JSON API of `fiokit serve`, through a real HTTP client against the
// server on an ephemeral port, over run directories written at test time.
#include <httplib.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "results/json_writer.hpp"
#include "serve/api.hpp"
#include "serve_util.hpp"

using namespace fiokit;
using namespace fiokit::servetest;
using nlohmann::json;

namespace {

struct Fixture {
  TempDir data;
  Fixture() {
    write_run_dir(data.path, "20261120T100000Z-old", make_result({"seqread"}, 1763632800, 1.0, 200));
    write_run_dir(data.path, "20261121T100000Z-new", make_result({"randread", "second"}, 1763719200, 2.0, 100));
  }
};

}  // namespace

TEST_CASE("index lists runs newest first with headline numbers", "[serve]") {
  Fixture f;
  TestServer s(f.data.path);
  httplib::Client c("127.0.0.1", s.port);
  auto r = c.Get("/");
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->get_header_value("Content-Type").find("text/html") == 0);
  const auto newer = r->body.find("20261121T100000Z-new");
  const auto older = r->body.find("20261120T100000Z-old");
  REQUIRE(newer != std::string::npos);
  REQUIRE(older != std::string::npos);
  CHECK(newer < older);
  CHECK(r->body.find("/static/app.js") != std::string::npos);
  CHECK(r->body.find("action=\"/compare\"") != std::string::npos);

  auto api = c.Get("/api/runs");
  REQUIRE(api);
  CHECK(api->status == 200);
  CHECK(api->get_header_value("Content-Type") == "application/json");
  const auto j = json::parse(api->body);
  REQUIRE(j["runs"].size() == 2);
  const auto& first = j["runs"][0];
  CHECK(first["id"] == "20261121T100000Z-new");
  CHECK(first["jobs"] == 2);
  // 2 jobs x 4000 I/Os in 2 s = 4000 IOPS, 4 KiB each.
  CHECK(first["iops"].get<double>() == Approx(4000.0));
  CHECK(first["bw_bytes"].get<uint64_t>() == 4000u * 4096u);
  CHECK(first["p99_clat_ns"].get<uint64_t>() >= 100000u);
  CHECK(first["p99_clat_ns"].get<uint64_t>() <= 125000u);
  CHECK(j["runs"][1]["p99_clat_ns"].get<uint64_t>() > first["p99_clat_ns"].get<uint64_t>());
  CHECK(first["time"] == "2025-11-21 10:00:00 UTC");

  auto h = c.Get("/healthz");
  REQUIRE(h);
  CHECK(h->status == 200);
  CHECK(json::parse(h->body)["runs"] == 2);
}

TEST_CASE("run page and run API show summary, extras, job file, plots, charts, files", "[serve]") {
  Fixture f;
  TestServer s(f.data.path);
  httplib::Client c("127.0.0.1", s.port);
  auto r = c.Get("/runs/20261121T100000Z-new");
  REQUIRE(r);
  REQUIRE(r->status == 200);
  const auto& b = r->body;
  CHECK(b.find("randread") != std::string::npos);
  CHECK(b.find("second") != std::string::npos);
  CHECK(b.find("testhost") != std::string::npos);           // fiokit extras
  CHECK(b.find("rw=randread\nbs=4k") != std::string::npos);  // job file text
  CHECK(b.find("<img src=\"/files/runs/20261121T100000Z-new/plots/bw.png\"") != std::string::npos);
  CHECK(count_of(b, "class=\"chart\"") == 3);  // bw, iops, clat
  CHECK(b.find("randread_clat.1.log") != std::string::npos);
  CHECK(b.find("<td class=\"num\">2000</td>") != std::string::npos);  // each job: 2000 IOPS

  auto api = c.Get("/api/runs/20261121T100000Z-new");
  REQUIRE(api);
  REQUIRE(api->status == 200);
  const auto j = json::parse(api->body);
  CHECK(j["summary"].size() == 2);
  CHECK(j["summary"][0]["dir"] == "read");
  CHECK(j["summary"][0]["iops"].get<double>() == Approx(2000.0));
  CHECK(j["summary"][0]["clat_ns"]["p99"].get<uint64_t>() > 0);
  CHECK(j["logs"].size() == 6);
  CHECK(j["plots"] == json::array({"plots/bw.png"}));
  CHECK(j["job_files"] == json::array({"job.fio"}));
  CHECK(j["fiokit"]["host"] == "testhost");

  // An empty log (a job that logged nothing) is listed but gets no chart.
  write_text(f.data.path + "/runs/20261121T100000Z-new/randread_slat.1.log", "");
  auto again = c.Get("/runs/20261121T100000Z-new");
  REQUIRE(again);
  CHECK(count_of(again->body, "class=\"chart\"") == 3);
  CHECK(again->body.find("randread_slat.1.log") != std::string::npos);

  CHECK(c.Get("/runs/nope")->status == 404);
  CHECK(c.Get("/api/runs/nope")->status == 404);
}

TEST_CASE("series API downsamples keeping each bucket's min and max", "[serve]") {
  TempDir data;
  write_run_dir(data.path, "r1", make_result({"j"}, 1763632800), false);
  // 10,000 rows, one spike up and one dip down that a plain average or a
  // stride would lose.
  std::string log = make_log(10000, 1, 0, 50000, 4321, 999999);
  log += make_log(3000, 3, 1, 7000);
  {
    // Replace row 6001's value with a deep dip: rewrite the text line.
    std::string needle = "\n6002, ";
    auto p = log.find(needle);
    REQUIRE(p != std::string::npos);
    auto e = log.find('\n', p + 1);
    log.replace(p + 1, e - (p + 1), "6002, 3, 0, 4096, 0");
  }
  write_text(data.path + "/runs/r1/j_bw.1.log", log);
  TestServer s(data.path);
  httplib::Client c("127.0.0.1", s.port);

  auto r = c.Get("/api/runs/r1/series?log=j_bw.1.log&max_points=100");
  REQUIRE(r);
  REQUIRE(r->status == 200);
  const auto j = json::parse(r->body);
  CHECK(j["kind"] == "bw");
  CHECK(j["unit"] == "KiB/s");
  CHECK(j["total_rows"] == 13000);
  REQUIRE(j["series"].size() == 2);
  const auto& rd = j["series"][0];
  CHECK(rd["dir"] == "read");
  CHECK(rd["rows"] == 10000);
  const auto t = rd["t"].get<std::vector<uint64_t>>();
  const auto v = rd["v"].get<std::vector<uint64_t>>();
  CHECK(v.size() <= 100);
  CHECK(v.size() >= 90);
  CHECK(std::is_sorted(t.begin(), t.end()));
  CHECK(*std::max_element(v.begin(), v.end()) == 999999);
  CHECK(*std::min_element(v.begin(), v.end()) == 3);
  CHECK(std::find(t.begin(), t.end(), 4322u) != t.end());  // spike kept at its own time
  CHECK(j["series"][1]["dir"] == "write");
  CHECK(j["series"][1]["points"].get<size_t>() <= 100);

  // Zoomed: a range asks for detail; few enough rows come back whole.
  auto z = c.Get("/api/runs/r1/series?log=j_bw.1.log&max_points=100&from=4300&to=4340");
  REQUIRE(z);
  const auto zj = json::parse(z->body);
  CHECK(zj["series"][0]["rows"] == 41);
  CHECK(zj["series"][0]["points"] == 41);
  CHECK(zj["series"][0]["t"][0] == 4300);

  // Unknown or missing log names and bad numbers are client errors.
  CHECK(c.Get("/api/runs/r1/series?log=../../etc/passwd")->status == 404);
  CHECK(c.Get("/api/runs/r1/series")->status == 400);
  CHECK(c.Get("/api/runs/r1/series?log=j_bw.1.log&max_points=abc")->status == 400);
}

TEST_CASE("downsample_log: no bucket loses its extremes", "[serve]") {
  std::vector<results::LogRow> rows;
  std::mt19937 rng(7);
  for (uint64_t i = 0; i < 5000; ++i) rows.push_back({i * 2, rng() % 100000, 0, 4096, 0, 0});
  const auto s = serve::downsample_log(rows, 64);
  REQUIRE(s.size() == 1);
  CHECK(s[0].t.size() <= 64);
  // Every 32-bucket window's true max and min appear in the output.
  const double width = (9998.0 + 1) / 32;
  for (int b = 0; b < 32; ++b) {
    uint64_t lo = UINT64_MAX, hi = 0;
    for (const auto& r : rows) {
      if (static_cast<int>(static_cast<double>(r.time_ms) / width) == b) {
        lo = std::min(lo, r.value);
        hi = std::max(hi, r.value);
      }
    }
    CHECK(std::find(s[0].v.begin(), s[0].v.end(), lo) != s[0].v.end());
    CHECK(std::find(s[0].v.begin(), s[0].v.end(), hi) != s[0].v.end());
  }
  const auto all = serve::downsample_log(rows, 10000);
  CHECK(all[0].t.size() == 5000);
}

// Found by fuzz/log_fuzzer: times spanning 0..2^64-1 made the bucket width 0
// (t1 - t0 + 1 wrapped), so every row fell into the last bucket through an
// undefined cast of inf, and the first bucket's extremes were lost.
TEST_CASE("downsample_log: times spanning the whole 64-bit range keep both buckets", "[serve]") {
  const std::vector<results::LogRow> rows{{0, 1, 0, 4096, 0, 0},          {1, 2, 0, 4096, 0, 0},
                                          {2, 3, 0, 4096, 0, 0},          {UINT64_MAX, 4, 0, 4096, 0, 0},
                                          {UINT64_MAX - 1, 5, 0, 4096, 0, 0}};
  const auto s = serve::downsample_log(rows, 4);
  REQUIRE(s.size() == 1);
  CHECK(s[0].t == std::vector<uint64_t>{0, 2, UINT64_MAX, UINT64_MAX - 1});
  CHECK(s[0].v == std::vector<uint64_t>{1, 3, 4, 5});
}

// An older writer's last row repeats the previous time with the partial last
// window extrapolated into a huge rate; the series API leaves it out so the
// chart's y axis is not set by a sample that measured nothing.
TEST_CASE("downsample_log: a windowed log's repeated-time last row is left out", "[serve]") {
  std::vector<results::LogRow> rows;
  for (uint64_t t = 1; t <= 5; ++t) {
    rows.push_back({t * 1000, 124000 + t, 0, 0, 0, 0});
    rows.push_back({t * 1000, 60000 + t, 1, 0, 0, 0});
  }
  rows.push_back({5000, 24117140, 0, 0, 0, 0});
  for (size_t max_points : {size_t{4}, size_t{1000}}) {
    const auto s = serve::downsample_log(rows, max_points);
    REQUIRE(s.size() == 2);
    CHECK(s[0].rows == 5);
    CHECK(std::find(s[0].v.begin(), s[0].v.end(), uint64_t{24117140}) == s[0].v.end());
    CHECK(*std::max_element(s[0].v.begin(), s[0].v.end()) == 124005);
    CHECK(s[1].rows == 5);  // the other direction keeps its last row
    CHECK(s[1].v.back() == 60005);
  }
  // Per-I/O logs (bs > 0) may end with several rows in one millisecond: kept.
  rows.back().bs = 4096;
  CHECK(serve::downsample_log(rows, 1000)[0].rows == 6);
}

TEST_CASE("compare page shows deltas against the first run", "[serve]") {
  Fixture f;
  TestServer s(f.data.path);
  httplib::Client c("127.0.0.1", s.port);
  auto r = c.Get("/compare?run=20261120T100000Z-old&run=20261121T100000Z-new");
  REQUIRE(r);
  REQUIRE(r->status == 200);
  // old: 1000 IOPS; new: 2 jobs x 2000 = 4000 -> +300%.
  CHECK(r->body.find("+300.0%") != std::string::npos);
  CHECK(r->body.find("read p99 clat") != std::string::npos);
  CHECK(count_of(r->body, "class=\"chart\"") == 3);
  CHECK(r->body.find("20261120T100000Z-old: seqread") != std::string::npos);  // overlaid series labels
  auto r2 = c.Get("/compare?runs=20261120T100000Z-old,20261121T100000Z-new");
  REQUIRE(r2);
  CHECK(r2->body.find("+300.0%") != std::string::npos);
  CHECK(c.Get("/compare?run=20261120T100000Z-old&run=missing")->status == 404);
}

TEST_CASE("raw file browser lists and downloads every file", "[serve]") {
  Fixture f;
  // A log larger than the inline limit is streamed.
  const std::string big = make_log(120000, 1, 0, 1000000);
  REQUIRE(big.size() > (1u << 20));
  write_text(f.data.path + "/runs/20261121T100000Z-new/big_lat.1.log", big);
  TestServer s(f.data.path);
  httplib::Client c("127.0.0.1", s.port);

  auto root = c.Get("/files/");
  REQUIRE(root);
  CHECK(root->status == 200);
  CHECK(root->body.find("href=\"/files/runs/\"") != std::string::npos);
  CHECK(c.Get("/files")->body == root->body);
  auto run = c.Get("/files/runs/20261121T100000Z-new/");
  REQUIRE(run);
  CHECK(run->body.find("randread_bw.1.log") != std::string::npos);
  CHECK(run->body.find("plots/") != std::string::npos);
  // A directory named without its trailing slash is listed too (no redirect).
  CHECK(c.Get("/files/runs/20261121T100000Z-new")->status == 200);

  const std::string path = f.data.path + "/runs/20261121T100000Z-new/randread_bw.1.log";
  auto log = c.Get("/files/runs/20261121T100000Z-new/randread_bw.1.log");
  REQUIRE(log);
  CHECK(log->status == 200);
  CHECK(log->body == read_text(path));
  CHECK(log->get_header_value("Content-Type").find("text/plain") == 0);
  CHECK(log->get_header_value("Content-Security-Policy").find("sandbox") != std::string::npos);

  auto png = c.Get("/files/runs/20261121T100000Z-new/plots/bw.png");
  REQUIRE(png);
  CHECK(png->get_header_value("Content-Type") == "image/png");
  CHECK(png->body == tiny_png());

  auto b = c.Get("/files/runs/20261121T100000Z-new/big_lat.1.log");
  REQUIRE(b);
  CHECK(b->status == 200);
  CHECK(b->body == big);
  auto part = c.Get("/files/runs/20261121T100000Z-new/big_lat.1.log", {{"Range", "bytes=100-199"}});
  REQUIRE(part);
  CHECK(part->status == 206);
  CHECK(part->body == big.substr(100, 100));

  CHECK(c.Get("/files/runs/missing.log")->status == 404);
  auto js = c.Get("/static/chart.js");
  REQUIRE(js);
  CHECK(js->get_header_value("Content-Type").find("text/javascript") == 0);
  CHECK(js->body.find("FiokitChart") != std::string::npos);
  CHECK(c.Get("/static/style.css")->get_header_value("Content-Type").find("text/css") == 0);
  CHECK(c.Get("/static/nope.js")->status == 404);
}

TEST_CASE("a folder of fio outputs is served: each JSON is a run with its logs", "[serve]") {
  TempDir data;
  // Two outputs side by side, logs named after their jobs (fio's default prefix).
  write_text(data.path + "/alpha.json", "fio: some message before the JSON\n" +
                                            results::write_json(make_result({"alpha"}, 1763632800), false));
  write_text(data.path + "/beta.json", results::write_json(make_result({"beta"}, 1763719200), false));
  write_text(data.path + "/alpha_bw.1.log", make_log(20, 100, 0, 1000));
  write_text(data.path + "/beta_bw.1.log", make_log(20, 100, 1, 2000));
  write_text(data.path + "/notes.json", "{\"not\": \"fio\"}");
  // And a subfolder holding one run.
  write_text(data.path + "/nightly/out.json", results::write_json(make_result({"n"}, 1763000000), false));
  write_text(data.path + "/nightly/n_iops.1.log", make_log(20, 100, 0, 3000));
  TestServer s(data.path);
  httplib::Client c("127.0.0.1", s.port);
  const auto j = json::parse(c.Get("/api/runs")->body);
  REQUIRE(j["runs"].size() == 3);
  CHECK(j["runs"][0]["id"] == "beta");
  CHECK(j["runs"][1]["id"] == "alpha");
  CHECK(j["runs"][2]["id"] == "nightly");
  const auto a = json::parse(c.Get("/api/runs/alpha")->body);
  REQUIRE(a["logs"].size() == 1);
  CHECK(a["logs"][0]["file"] == "alpha_bw.1.log");
  auto series = c.Get("/api/runs/nightly/series?log=n_iops.1.log");
  REQUIRE(series);
  CHECK(series->status == 200);
  CHECK(json::parse(series->body)["series"][0]["points"] == 20);
  CHECK(c.Get("/files/nightly/n_iops.1.log")->status == 200);
}

TEST_CASE("a run directory made by the real fio is served", "[serve][fio]") {
  TempDir data;
  fio_run_dir(data.path, "fio-null",
              "--name=nulljob --ioengine=null --rw=randread --size=64m --bs=4k --time_based --runtime=1 "
              "--output-format=json --output=results.json "
              "--write_bw_log=x --write_lat_log=x --write_iops_log=x --log_avg_msec=100");
  TestServer s(data.path);
  httplib::Client c("127.0.0.1", s.port);
  const auto j = json::parse(c.Get("/api/runs/fio-null")->body);
  CHECK(j["tool"] == "fio");
  CHECK(j["iops"].get<double>() > 1000);
  REQUIRE(j["logs"].size() >= 5);  // x_bw, x_iops, x_lat, x_clat, x_slat
  auto sr = c.Get("/api/runs/fio-null/series?log=x_bw.1.log&max_points=4");
  REQUIRE(sr);
  REQUIRE(sr->status == 200);
  const auto sj = json::parse(sr->body);
  CHECK(sj["total_rows"].get<size_t>() >= 5);
  CHECK(sj["series"][0]["points"].get<size_t>() <= 4);
  auto page = c.Get("/runs/fio-null");
  REQUIRE(page);
  CHECK(page->status == 200);
  CHECK(page->body.find("nulljob") != std::string::npos);
  CHECK(page->body.find("ioengine=null") != std::string::npos);  // options shown as a job file
}

TEST_CASE("a run whose results cannot be read is listed with the reason", "[serve]") {
  TempDir data;
  write_run_dir(data.path, "good", make_result({"j"}, 1763632800));
  write_text(data.path + "/runs/broken/results.json", "{\"fio version\": \"fio-3.33\", \"jobs\": [ {");
  write_text(data.path + "/runs/broken/b_bw.1.log", make_log(10, 100, 0, 1000));
  write_text(data.path + "/runs/nojson/n_bw.1.log", "0, 1, 0, 4096, 0\nnot a row\n");
  TestServer s(data.path);
  httplib::Client c("127.0.0.1", s.port);
  const auto j = json::parse(c.Get("/api/runs")->body);
  REQUIRE(j["runs"].size() == 3);
  std::map<std::string, json> by_id;
  for (const auto& r : j["runs"]) by_id[r["id"]] = r;
  CHECK(by_id["broken"]["error"].get<std::string>().find("results.json") != std::string::npos);
  CHECK(by_id["nojson"]["error"] == "no results.json in this run directory");
  CHECK_FALSE(by_id["good"].contains("error"));
  auto page = c.Get("/runs/broken");
  REQUIRE(page);
  CHECK(page->status == 200);
  CHECK(page->body.find("class=\"bad\"") != std::string::npos);
  CHECK(c.Get("/")->body.find(">unreadable</span>") != std::string::npos);  // the status badge
  // Its logs still chart; a malformed log is a 422 naming file and line.
  CHECK(c.Get("/api/runs/broken/series?log=b_bw.1.log")->status == 200);
  auto bad = c.Get("/api/runs/nojson/series?log=n_bw.1.log");
  REQUIRE(bad);
  CHECK(bad->status == 422);
  CHECK(bad->body.find("n_bw.1.log:2") != std::string::npos);
  CHECK(bad->body.find(data.path) == std::string::npos);  // no absolute paths leak
}

TEST_CASE("serving one run directory itself names the run after it", "[serve]") {
  TempDir data;
  write_run_dir(data.path, "20261121T100000Z-single", make_result({"j"}, 1763719200));
  TestServer s(data.path + "/runs/20261121T100000Z-single");
  httplib::Client c("127.0.0.1", s.port);
  const auto j = json::parse(c.Get("/api/runs")->body);
  REQUIRE(j["runs"].size() == 1);
  CHECK(j["runs"][0]["id"] == "20261121T100000Z-single");
  const auto run = json::parse(c.Get("/api/runs/20261121T100000Z-single")->body);
  CHECK(run["logs"].size() == 3);
  CHECK(run["plots"] == json::array({"plots/bw.png"}));
  CHECK(c.Get("/files/plots/bw.png")->status == 200);
}
