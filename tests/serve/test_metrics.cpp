// GET /metrics on the real server over HTTP: a cluster run laid out as the
// coordinator writes it (cluster.json + hosts/I/status.json holding real
// json+ documents of `fiokit run`), local checkpoints, finished runs. The
// exposition is parsed strictly (live_util.hpp) and every value is checked
// against what the fixture documents imply, computed here from their JSON.
#include <fmt/format.h>
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

constexpr uint64_t kBoundsNs[] = {1'000,       2'500,         5'000,         10'000,        25'000,     50'000,
                                  100'000,     250'000,       500'000,       1'000'000,     2'500'000,  5'000'000,
                                  10'000'000,  25'000'000,    50'000'000,    100'000'000,   250'000'000, 500'000'000,
                                  1'000'000'000, 2'500'000'000, 5'000'000'000, 10'000'000'000};

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Exposition get_metrics(httplib::Client& c, std::string* live_header = nullptr) {
  auto r = c.Get("/metrics");
  REQUIRE(r);
  REQUIRE(r->status == 200);
  CHECK(r->get_header_value("Content-Type").rfind("text/plain; version=0.0.4", 0) == 0);
  if (live_header) *live_header = r->get_header_value("X-Fiokit-Live");
  try {
    return parse_exposition(r->body);
  } catch (const std::exception& e) {
    INFO(r->body);
    FAIL(e.what());
  }
  return {};
}

double one(const Exposition& e, const std::string& name, const std::map<std::string, std::string>& labels) {
  const auto found = find_samples(e, name, labels);
  INFO(name);
  for (const auto& [k, v] : labels) INFO(k << "=" << v);
  REQUIRE(found.size() == 1);
  return found[0]->value;
}

// The histogram and gauges of one host's series equal what its document says
// (figures since the start: no earlier snapshot was seen).
void check_series_from_start(const Exposition& e, std::map<std::string, std::string> labels, const DocFigures& f,
                             uint64_t runtime_ms) {
  CHECK(one(e, "fiokit_iops", labels) == Approx(static_cast<double>(f.ios) * 1000.0 / static_cast<double>(runtime_ms)));
  CHECK(one(e, "fiokit_bandwidth_bytes", labels) ==
        Approx(static_cast<double>(f.bytes) * 1000.0 / static_cast<double>(runtime_ms)));
  uint64_t total = 0;
  for (const auto& [v, n] : f.bins) total += n;
  REQUIRE(total > 0);
  CHECK(one(e, "fiokit_latency_seconds_count", labels) == static_cast<double>(total));
  CHECK(one(e, "fiokit_latency_seconds_sum", labels) == Approx(f.lat_sum_ns / 1e9).epsilon(1e-6));
  for (uint64_t bound : kBoundsNs) {
    uint64_t below = 0;
    for (const auto& [v, n] : f.bins) below += v <= bound ? n : 0;
    auto l = labels;
    l["le"] = fmt::format("{}", static_cast<double>(bound) / 1e9);
    INFO("le " << l["le"]);
    CHECK(one(e, "fiokit_latency_seconds_bucket", l) == static_cast<double>(below));
  }
  labels["le"] = "+Inf";
  CHECK(one(e, "fiokit_latency_seconds_bucket", labels) == static_cast<double>(total));
}

}  // namespace

TEST_CASE("metrics: a cluster run of 3 hosts with real json+ status snapshots", "[live]") {
  TempDir top("live");
  const std::string data = top.path + "/data";
  std::vector<json> docs;
  for (int i = 0; i < 3; ++i) {
    fs::create_directories(top.path + "/w" + std::to_string(i));
    docs.push_back(real_json_plus(top.path + "/w" + std::to_string(i), "bench", 2000 >> i));
  }
  const int64_t t0 = now_ms() - 1500;
  const std::string id = "20261127T010000Z-bench";
  const std::string dir = data + "/runs/" + id;
  // Two members share a hostname (pods on one node, or the loopback e2e):
  // the member label keeps their series apart.
  write_json_file(dir + "/cluster.json",
                  cluster_json("bench", "running",
                               {{0, "node-a", "running"}, {1, "node-b", "running"},
                                {2, "node-a", "failed", 137, "member 2 (host node-a): no status for 300 s"}}));
  for (int i = 0; i < 3; ++i) {
    docs[static_cast<size_t>(i)]["fiokit"]["snapshot_timestamp_ms"] = t0;
    write_json_file(dir + "/hosts/" + std::to_string(i) + "/status.json", docs[static_cast<size_t>(i)]);
  }
  TestServer s(data);
  httplib::Client c("127.0.0.1", s.port);

  const Exposition e = get_metrics(c);
  CHECK(e.types.at("fiokit_iops") == "gauge");
  CHECK(e.types.at("fiokit_bandwidth_bytes") == "gauge");
  CHECK(e.types.at("fiokit_latency_seconds") == "histogram");
  CHECK(e.types.at("fiokit_cluster_members") == "gauge");
  CHECK(e.types.at("fiokit_cluster_members_failed_total") == "counter");
  for (const char* f : {"fiokit_iops", "fiokit_bandwidth_bytes", "fiokit_latency_seconds", "fiokit_cluster_members",
                        "fiokit_cluster_members_failed_total"})
    CHECK(!e.helps.at(f).empty());
  const char* hosts[] = {"node-a", "node-b", "node-a"};
  for (int i = 0; i < 3; ++i) {
    INFO("member " << i);
    const auto& doc = docs[static_cast<size_t>(i)];
    check_series_from_start(e, {{"run", id}, {"host", hosts[i]}, {"member", std::to_string(i)}, {"job", "bench"}, {"direction", "read"}},
                            doc_figures(doc, "bench", "read"), doc_runtime_ms(doc));
  }
  CHECK(find_samples(e, "fiokit_iops", {{"run", id}}).size() == 3);  // reads only: no write or trim series
  CHECK(one(e, "fiokit_cluster_members", {{"run", id}, {"state", "running"}}) == 2);
  CHECK(one(e, "fiokit_cluster_members", {{"run", id}, {"state", "failed"}}) == 1);
  CHECK(one(e, "fiokit_cluster_members", {{"run", id}, {"state", "done"}}) == 0);
  CHECK(one(e, "fiokit_cluster_members_failed_total", {{"run", id}}) == 1);

  // Member 0's next status, a second later: 700 more reads, all in one bin.
  const auto f0 = doc_figures(docs[0], "bench", "read");
  const uint64_t bin = f0.bins.rbegin()->first;
  write_json_file(dir + "/hosts/0/status.json", advanced(docs[0], "read", 700, bin, t0 + 1000));
  const Exposition e2 = get_metrics(c);
  const std::map<std::string, std::string> l0 = {{"run", id}, {"member", "0"}, {"job", "bench"}, {"direction", "read"}};
  CHECK(one(e2, "fiokit_iops", l0) == Approx(700.0));
  CHECK(one(e2, "fiokit_bandwidth_bytes", l0) == Approx(700.0 * 4096));
  uint64_t total = 0;
  for (const auto& [v, n] : f0.bins) total += n;
  CHECK(one(e2, "fiokit_latency_seconds_count", l0) == static_cast<double>(total + 700));
  auto inf = l0;
  inf["le"] = "+Inf";
  CHECK(one(e2, "fiokit_latency_seconds_bucket", inf) == static_cast<double>(total + 700));
  // The other members did not change: the same figures as before.
  const std::map<std::string, std::string> l1 = {{"run", id}, {"member", "1"}, {"job", "bench"}, {"direction", "read"}};
  CHECK(one(e2, "fiokit_iops", l1) == one(e, "fiokit_iops", l1));
}

TEST_CASE("metrics: which runs are listed, label values escaped", "[live]") {
  TempDir top("live");
  const std::string data = top.path + "/data";
  fs::create_directories(top.path + "/w");
  json doc = real_json_plus(top.path + "/w", "bench", 1000);
  // Local runs: a fresh checkpoint (listed), a checkpoint nobody rewrote for
  // two minutes (killed: not listed), a finished run (not listed).
  json odd = as_checkpoint(doc, now_ms());
  const std::string weird = "we\"ird\\job\nline2";
  for (auto& j : odd["jobs"]) j["jobname"] = weird;
  write_json_file(data + "/runs/20261127T020000Z-fresh/results.json", odd);
  write_json_file(data + "/runs/20261127T020100Z-stale/results.json", as_checkpoint(doc, now_ms() - 120'000));
  set_age(data + "/runs/20261127T020100Z-stale/results.json", 120);
  write_json_file(data + "/runs/20261127T020200Z-done/results.json", doc);
  // Cluster runs: running, done 30 min ago (listed), done 2 h ago (not).
  const std::vector<Member> done = {{0, "n0", "done"}, {1, "n1", "done"}};
  write_json_file(data + "/runs/20261127T000000Z-live/cluster.json", cluster_json("live", "running", {{0, "n0", "joined"}}));
  for (const auto& [name, age] : {std::pair<std::string, int>{"recent", 1800}, {"old", 7200}}) {
    const std::string d = data + "/runs/20261126T000000Z-" + name;
    write_json_file(d + "/cluster.json", cluster_json(name, "done", done));
    for (int i = 0; i < 2; ++i) {
      write_json_file(d + "/hosts/" + std::to_string(i) + "/results.json", doc);
      set_age(d + "/hosts/" + std::to_string(i) + "/results.json", age);
    }
    write_json_file(d + "/results.json", doc);  // stands for the merged results
    for (const char* f : {"/cluster.json", "/results.json", ""}) set_age(d + f, age);
  }
  TestServer s(data);
  httplib::Client c("127.0.0.1", s.port);
  const Exposition e = get_metrics(c);
  std::set<std::string> runs;
  for (const auto& smp : e.samples) runs.insert(smp.labels.at("run"));
  CHECK(runs == std::set<std::string>{"20261127T020000Z-fresh", "20261127T000000Z-live", "20261126T000000Z-recent"});
  // The job name comes back whole through the escapes.
  const auto f = doc_figures(doc, "bench", "read");
  CHECK(one(e, "fiokit_latency_seconds_count", {{"run", "20261127T020000Z-fresh"}, {"job", weird}, {"direction", "read"}}) ==
        static_cast<double>(f.lat_count));
  // A member that joined but sent nothing yet has no series; the run's
  // member gauge says where it is.
  CHECK(find_samples(e, "fiokit_iops", {{"run", "20261127T000000Z-live"}}).empty());
  CHECK(one(e, "fiokit_cluster_members", {{"run", "20261127T000000Z-live"}, {"state", "joined"}}) == 1);
  // A finished member's figures are its averages over the run.
  CHECK(one(e, "fiokit_iops", {{"run", "20261126T000000Z-recent"}, {"member", "1"}}) ==
        Approx(static_cast<double>(f.ios) * 1000.0 / static_cast<double>(doc_runtime_ms(doc))));
  CHECK(one(e, "fiokit_cluster_members", {{"run", "20261126T000000Z-recent"}, {"state", "done"}}) == 2);
  CHECK(one(e, "fiokit_cluster_members_failed_total", {{"run", "20261126T000000Z-recent"}}) == 0);
}
