// GET /api/runs/ID/live on the real server over HTTP: a local run's
// checkpoints (figures since the start, then over the interval between two
// snapshots, then "finished"), a cluster run laid out as the coordinator
// writes it (per host, the aggregate summed over hosts with its p99 from the
// merged bins, the members' states), and the run page's live panel. Values
// are checked against what the real json+ documents of `fiokit run` imply.
#include <httplib.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>

#include "live_util.hpp"
#include "serve_util.hpp"

using namespace fiokit::servetest;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

json get_live(httplib::Client& c, const std::string& id) {
  auto r = c.Get("/api/runs/" + id + "/live");
  REQUIRE(r);
  INFO(r->body);
  REQUIRE(r->status == 200);
  CHECK(r->get_header_value("Content-Type") == "application/json");
  return json::parse(r->body);
}

std::map<uint64_t, uint64_t> merged(std::initializer_list<const std::map<uint64_t, uint64_t>*> parts) {
  std::map<uint64_t, uint64_t> out;
  for (const auto* p : parts)
    for (const auto& [v, n] : *p) out[v] += n;
  return out;
}

}  // namespace

TEST_CASE("live API: a local run's checkpoints, then its end", "[live]") {
  TempDir top("live");
  const std::string data = top.path + "/data";
  fs::create_directories(top.path + "/w");
  const json doc = real_json_plus(top.path + "/w", "bench", 1000);
  const auto f = doc_figures(doc, "bench", "read");
  const uint64_t runtime = doc_runtime_ms(doc);
  const int64_t t0 = now_ms() - 1000;
  const std::string id = "20261127T010000Z-bench";
  const std::string results = data + "/runs/" + id + "/results.json";
  write_json_file(results, as_checkpoint(doc, t0));
  TestServer s(data);
  httplib::Client c("127.0.0.1", s.port);

  json j = get_live(c, id);
  CHECK(j["state"] == "running");
  CHECK(j["kind"] == "local");
  REQUIRE(j["hosts"].size() == 1);
  CHECK(j["hosts"][0]["since_start"] == true);
  CHECK(j["hosts"][0]["interval_ms"].get<double>() == static_cast<double>(runtime));
  CHECK(j["t_ms"] == t0);
  auto agg = j["aggregate"];
  REQUIRE(agg["jobs"].size() == 1);
  CHECK(agg["jobs"][0]["job"] == "bench");
  CHECK(agg["jobs"][0]["direction"] == "read");
  CHECK(agg["total"]["total_ios"] == f.ios);
  CHECK(agg["total"]["total_bytes"] == f.bytes);
  CHECK(agg["total"]["iops"].get<double>() == Approx(static_cast<double>(f.ios) * 1000.0 / static_cast<double>(runtime)));
  CHECK(agg["total"]["lat_p99_ns"] == bins_percentile(f.bins, 99));
  CHECK(agg["total"]["total_lat_p99_ns"] == bins_percentile(f.bins, 99));
  CHECK(agg["total"]["lat_mean_ns"].get<double>() == Approx(f.lat_sum_ns / static_cast<double>(f.lat_count)));
  auto page = c.Get("/runs/" + id);
  REQUIRE(page);
  CHECK(page->body.find("id=\"live\"") != std::string::npos);
  CHECK(page->body.find("/static/live.js") != std::string::npos);

  // The next checkpoint, a second later: 300 more reads, all in the top bin.
  const uint64_t bin = f.bins.rbegin()->first;
  write_json_file(results, advanced(as_checkpoint(doc, t0), "read", 300, bin, t0 + 1000));
  j = get_live(c, id);
  CHECK(j["state"] == "running");
  CHECK(j["hosts"][0]["since_start"] == false);
  CHECK(j["interval_ms"].get<double>() == 1000.0);
  agg = j["aggregate"];
  CHECK(agg["total"]["iops"].get<double>() == Approx(300.0));
  CHECK(agg["total"]["bw_bytes"].get<double>() == Approx(300.0 * 4096));
  CHECK(agg["total"]["lat_p99_ns"] == bin);
  CHECK(agg["total"]["lat_mean_ns"].get<double>() == Approx(static_cast<double>(bin)).epsilon(0.01));
  CHECK(agg["total"]["total_ios"] == f.ios + 300);
  // The same file again: the same figures (no new snapshot, nothing rotated).
  CHECK(get_live(c, id)["aggregate"] == agg);

  // The run ends: the final results replace the checkpoint.
  write_json_file(results, doc);
  j = get_live(c, id);
  CHECK(j == json{{"run", id}, {"kind", "local"}, {"state", "finished"}});
  page = c.Get("/runs/" + id);
  REQUIRE(page);
  CHECK(page->body.find("id=\"live\"") == std::string::npos);
  CHECK(c.Get("/api/runs/nope/live")->status == 404);
}

TEST_CASE("live API: a cluster run per host, summed, p99 from the merged bins", "[live]") {
  TempDir top("live");
  const std::string data = top.path + "/data";
  std::vector<json> docs;
  std::vector<DocFigures> f;
  for (int i = 0; i < 3; ++i) {
    fs::create_directories(top.path + "/w" + std::to_string(i));
    docs.push_back(real_json_plus(top.path + "/w" + std::to_string(i), "bench", 1500 - 500 * i));
    f.push_back(doc_figures(docs.back(), "bench", "read"));
  }
  const int64_t t0 = now_ms() - 1000;
  const std::string id = "20261127T010000Z-c3";
  const std::string dir = data + "/runs/" + id;
  write_json_file(dir + "/cluster.json",
                  cluster_json("c3", "running",
                               {{0, "node-a", "running"}, {1, "node-b", "failed", 1, "member 1 (host node-b): no status for 300 s"},
                                {2, "node-c", "done"}}));
  for (int i = 0; i < 2; ++i) {
    docs[static_cast<size_t>(i)]["fiokit"]["snapshot_timestamp_ms"] = t0;
    write_json_file(dir + "/hosts/" + std::to_string(i) + "/status.json", docs[static_cast<size_t>(i)]);
  }
  // Member 2 finished: its uploaded results stand, its figures are averages.
  write_json_file(dir + "/hosts/2/status.json", advanced(docs[2], "read", 1, f[2].bins.begin()->first, t0));
  write_json_file(dir + "/hosts/2/results.json", docs[2]);
  TestServer s(data);
  httplib::Client c("127.0.0.1", s.port);

  json j = get_live(c, id);
  CHECK(j["kind"] == "cluster");
  CHECK(j["state"] == "running");
  REQUIRE(j["hosts"].size() == 3);
  double iops = 0;
  uint64_t ios = 0;
  for (size_t i = 0; i < 3; ++i) {
    INFO("host " << i);
    const auto& h = j["hosts"][i];
    CHECK(h["index"] == i);
    CHECK(h["final"] == (i == 2));
    const double want = static_cast<double>(f[i].ios) * 1000.0 / static_cast<double>(doc_runtime_ms(docs[i]));
    CHECK(h["total"]["iops"].get<double>() == Approx(want));
    CHECK(h["total"]["lat_p99_ns"] == bins_percentile(f[i].bins, 99));
    iops += want;
    ios += f[i].ios;
  }
  CHECK(j["hosts"][0]["host"] == "node-a");
  CHECK(j["hosts"][1]["state"] == "failed");
  CHECK(j["aggregate"]["total"]["iops"].get<double>() == Approx(iops));
  CHECK(j["aggregate"]["total"]["total_ios"] == ios);
  // Exact: from the bins summed over hosts, not an average of their p99s.
  const auto all = merged({&f[0].bins, &f[1].bins, &f[2].bins});
  CHECK(j["aggregate"]["total"]["lat_p99_ns"] == bins_percentile(all, 99));
  CHECK(j["aggregate"]["jobs"].size() == 1);
  CHECK(j["cluster"]["size"] == 3);
  CHECK(j["cluster"]["failed"] == json::array({1}));
  CHECK(j["cluster"]["states"]["running"] == 1);
  CHECK(j["cluster"]["states"]["done"] == 1);
  CHECK(j["cluster"]["members"][1]["error"] == "member 1 (host node-b): no status for 300 s");

  // Member 0's next status a second later: 900 reads in its top bin.
  const uint64_t bin = f[0].bins.rbegin()->first;
  write_json_file(dir + "/hosts/0/status.json", advanced(docs[0], "read", 900, bin, t0 + 1000));
  j = get_live(c, id);
  CHECK(j["hosts"][0]["interval_ms"].get<double>() == 1000.0);
  CHECK(j["hosts"][0]["total"]["iops"].get<double>() == Approx(900.0));
  CHECK(j["hosts"][0]["total"]["lat_p99_ns"] == bin);
  const double others = j["hosts"][1]["total"]["iops"].get<double>() + j["hosts"][2]["total"]["iops"].get<double>();
  CHECK(j["aggregate"]["total"]["iops"].get<double>() == Approx(900.0 + others));
  const std::map<uint64_t, uint64_t> window0 = {{bin, 900}};
  CHECK(j["aggregate"]["total"]["lat_p99_ns"] == bins_percentile(merged({&window0, &f[1].bins, &f[2].bins}), 99));
  CHECK(j["aggregate"]["total"]["total_ios"] == ios + 900);

  // The page of a cluster run still going has the live panel, before any
  // merged results.json exists.
  auto page = c.Get("/runs/" + id);
  REQUIRE(page);
  CHECK(page->body.find("id=\"live\"") != std::string::npos);
  // Finalised: the run says finished, with the members' final figures.
  write_json_file(dir + "/cluster.json", cluster_json("c3", "failed", {{0, "node-a", "done"}, {1, "node-b", "failed", 1, "x"}, {2, "node-c", "done"}}));
  j = get_live(c, id);
  CHECK(j["state"] == "finished");
  CHECK(j["cluster"]["state"] == "failed");
}
