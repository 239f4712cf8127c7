// The cluster merge library (results/cluster_merge.hpp) on real results of
// the real fiokit binary: sums equal the members' sums, percentiles equal the
// ones this test computes itself from the members' summed json+ bins, failed
// members are listed and left out, plain json says its percentiles are not
// exact, and input it cannot read is refused naming the member.
#include <catch2/catch.hpp>

#include <cmath>
#include <unistd.h>

#include "cluster/merge_util.hpp"
#include "common/temp_dir.hpp"
#include "results/cluster_merge.hpp"
#include "results/json_reader.hpp"

namespace fiokit::mergetest {

std::string fiokit_json(std::vector<std::string> args, const std::string& format) {
  test::RunSpec spec;
  spec.args = {"run", "--output-format=" + format};
  spec.args.insert(spec.args.end(), args.begin(), args.end());
  const test::Outcome o = test::run_fiokit(spec);
  INFO(o.err);
  REQUIRE(o.code == 0);
  return o.out;
}

int shell(const std::string& cmd) {
  const int st = std::system(cmd.c_str());
  return st == -1 ? -1 : WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

void write_text(const std::string& path, const std::string& text) {
  FILE* f = std::fopen(path.c_str(), "wb");
  REQUIRE(f);
  REQUIRE(std::fwrite(text.data(), 1, text.size(), f) == text.size());
  REQUIRE(std::fclose(f) == 0);
}

namespace {

using results::ClusterMember;
using results::ClusterMeta;

// A short real random-read job on its own file, json+ (clat and lat bins).
std::string member_run(const std::string& dir, int i, const std::string& extra = "", const std::string& format = "json+") {
  std::vector<std::string> args = {"--name=rr", "--filename=" + dir + "/f" + std::to_string(i), "--size=1m",
                                   "--rw=randread", "--bs=4k", "--ioengine=psync", "--lat_percentiles=1",
                                   "--time_based", "--runtime=300ms"};
  if (!extra.empty()) args.push_back(extra);
  return fiokit_json(args, format);
}

ClusterMember done_member(int index, std::string results, int64_t start) {
  ClusterMember m;
  m.index = index;
  m.host = "host" + std::to_string(index);
  m.state = "done";
  m.started_unix_ns = start;
  m.results_json = std::move(results);
  return m;
}

// Every job of the summed members whose name is `name`.
std::vector<const json*> jobs_named(const std::vector<json>& docs, const std::string& name) {
  std::vector<const json*> out;
  for (const json& d : docs)
    for (const json& j : d["jobs"])
      if (j["jobname"] == name) out.push_back(&j);
  return out;
}

}  // namespace

TEST_CASE("three hosts' fiokit results merge exactly", "[merge]") {
  test::TempDir dir("cluster-merge");
  // Host 2 runs two jobs of the same name (numjobs=2): they sum into one aggregate.
  const std::vector<std::string> texts = {member_run(dir.path, 0), member_run(dir.path, 1),
                                          member_run(dir.path, 2, "--numjobs=2")};
  const int64_t t0 = 1'800'000'000'000'000'000;
  std::vector<ClusterMember> ms = {done_member(0, texts[0], t0 + 3'000'000), done_member(1, texts[1], t0),
                                   done_member(2, texts[2], t0 + 1'250'000)};
  ClusterMeta meta{"demo", 3, t0 - 1000, false};
  const std::string merged = results::merge_cluster_results(meta, ms);
  const json m = json::parse(merged);
  std::vector<json> docs;
  for (const auto& t : texts) docs.push_back(json::parse(t.substr(t.find('{'))));

  // Readable by every reader of fio's JSON, with every host's jobs.
  const results::RunResult run = results::read_fio_json(merged);
  REQUIRE(run.jobs.size() == 4);
  REQUIRE(m["jobs"].size() == 4);
  CHECK(m["jobs"][0]["hostname"] == "host0");
  CHECK(m["jobs"][3]["hostname"] == "host2");
  CHECK(m["jobs"][3]["fiokit"]["host_index"] == 2);
  CHECK(m["fio version"] == docs[0]["fio version"]);

  const json& c = m["cluster"];
  CHECK(c["run"] == "demo");
  CHECK(c["size"] == 3);
  CHECK(c["start_unix_ns"] == t0 - 1000);
  CHECK(c["start_skew_ms"].get<double>() == 3.0);
  CHECK(c["failed"].empty());
  REQUIRE(c["members"].size() == 3);
  CHECK(c["members"][2]["jobs"] == 2);
  CHECK(c["members"][1]["started_unix_ns"] == t0);

  const json& a = c["aggregate"]["rr"];
  CHECK(a["hosts"] == json::array({0, 1, 2}));
  CHECK(a["jobs"] == 4);
  const json& r = a["read"];
  const auto jobs = jobs_named(docs, "rr");
  REQUIRE(jobs.size() == 4);
  // Sums, in the members' order (the same additions, so equal to the last bit).
  double iops = 0;
  uint64_t ios = 0, bytes = 0, bw = 0;
  std::vector<double> host_iops(3, 0.0);
  for (size_t i = 0; i < jobs.size(); ++i) {
    iops += (*jobs[i])["read"]["iops"].get<double>();
    ios += (*jobs[i])["read"]["total_ios"].get<uint64_t>();
    bytes += (*jobs[i])["read"]["io_bytes"].get<uint64_t>();
    bw += (*jobs[i])["read"]["bw_bytes"].get<uint64_t>();
    host_iops[std::min<size_t>(i, 2)] += (*jobs[i])["read"]["iops"].get<double>();
  }
  CHECK(iops > 0);
  CHECK(r["iops"].get<double>() == iops);
  CHECK(r["total_ios"] == ios);
  CHECK(r["io_bytes"] == bytes);
  CHECK(r["bw_bytes"] == bw);
  CHECK(r["iops_spread"]["min"].get<double>() == *std::min_element(host_iops.begin(), host_iops.end()));
  CHECK(r["iops_spread"]["max"].get<double>() == *std::max_element(host_iops.begin(), host_iops.end()));
  CHECK(r["iops_spread"]["stddev"].get<double>() > 0);

  for (const char* metric : {"clat_ns", "lat_ns"}) {
    INFO(metric);
    const json& l = r[metric];
    std::vector<const json*> lats;
    uint64_t n = 0, mn = UINT64_MAX, mx = 0;
    double sum = 0;
    for (const json* j : jobs) {
      const json& x = (*j)["read"][metric];
      lats.push_back(&x);
      n += x["N"].get<uint64_t>();
      mn = std::min(mn, x["min"].get<uint64_t>());
      mx = std::max(mx, x["max"].get<uint64_t>());
      sum += x["mean"].get<double>() * x["N"].get<double>();
    }
    CHECK(l["N"] == n);
    CHECK(l["min"] == mn);
    CHECK(l["max"] == mx);
    CHECK(l["mean"].get<double>() == Approx(sum / static_cast<double>(n)).epsilon(1e-12));
    REQUIRE(l["percentiles_exact"] == true);
    const auto bins = sum_bins(lats);
    uint64_t binned = 0;
    for (const auto& [v, k] : bins) {
      binned += k;
      CHECK(fio_bin_values().count(v) == 1);
    }
    CHECK(binned == n);
    CHECK(l["bins"].size() == bins.size());
    REQUIRE(l["percentile"].size() == 17);  // fio's default list, as the jobs reported it
    for (const auto& [key, value] : l["percentile"].items()) {
      INFO("p" << key);
      CHECK(value.get<uint64_t>() == percentile_of(bins, std::stod(key)));
    }
  }
  // slat: psync has no submission latency to time; no bins, no percentiles.
  CHECK_FALSE(r["slat_ns"].contains("percentile"));
  CHECK(a["write"]["total_ios"] == 0);
}

TEST_CASE("failed and missing members are listed, kept in jobs, left out of the sums", "[merge]") {
  test::TempDir dir("cluster-merge");
  const std::string a = member_run(dir.path, 0), b = member_run(dir.path, 1);
  ClusterMember failed = done_member(1, b, 0);
  failed.state = "failed";
  failed.exit_code = 1;
  failed.error = "member 1 (host host1): no status for 300 s";
  ClusterMember missing;
  missing.index = 2;
  missing.state = "missing";
  missing.error = "did not join";
  ClusterMember broken = done_member(3, "{\"jobs\": [ truncated", 0);
  broken.state = "failed";
  const json m = json::parse(results::merge_cluster_results({"r", 4, 0, false}, {done_member(0, a, 5), failed, missing, broken}));
  CHECK(m["jobs"].size() == 2);  // the failed member's job is kept
  const json& c = m["cluster"];
  REQUIRE(c["failed"].size() == 3);
  CHECK(c["failed"][0] == json({{"index", 1}, {"host", "host1"}, {"state", "failed"}, {"error", failed.error}}));
  CHECK(c["failed"][1]["index"] == 2);
  CHECK(c["failed"][1]["state"] == "missing");
  CHECK(c["members"][3].contains("results_error"));
  CHECK(c["start_skew_ms"].get<double>() == 0.0);  // one known start
  const json& agg = c["aggregate"]["rr"];
  CHECK(agg["hosts"] == json::array({0}));
  const json one = json::parse(a.substr(a.find('{')))["jobs"][0]["read"];
  CHECK(agg["read"]["iops"].get<double>() == one["iops"].get<double>());
  CHECK(agg["read"]["total_ios"] == one["total_ios"]);
  // With one host the merged percentiles are that host's own, fio's rule on one job.
  CHECK(agg["read"]["clat_ns"]["percentile"] == one["clat_ns"]["percentile"]);
  CHECK(agg["read"]["iops_spread"]["stddev"].get<double>() == 0.0);
}

TEST_CASE("members without json+ bins give no percentiles, and say so", "[merge]") {
  test::TempDir dir("cluster-merge");
  const std::string plus = member_run(dir.path, 0), plain = member_run(dir.path, 1, "", "json");
  const json m = json::parse(results::merge_cluster_results({"r", 2, 0, false}, {done_member(0, plus, 0), done_member(1, plain, 0)}));
  const json& clat = m["cluster"]["aggregate"]["rr"]["read"]["clat_ns"];
  CHECK(clat["percentiles_exact"] == false);
  CHECK(clat["bins_missing"] == json::array({1}));
  CHECK_FALSE(clat.contains("percentile"));
  CHECK_FALSE(clat.contains("bins"));
  CHECK(clat["N"].get<uint64_t>() > 0);
}

TEST_CASE("a live merge is marked incomplete and readers see it as a checkpoint", "[merge]") {
  test::TempDir dir("cluster-merge");
  ClusterMember running = done_member(0, member_run(dir.path, 0), 0);
  running.state = "running";
  ClusterMember joined;
  joined.index = 1;
  joined.state = "joined";
  const std::string merged = results::merge_cluster_results({"r", 2, 7, true}, {running, joined});
  const json m = json::parse(merged);
  CHECK(m["fiokit"]["incomplete"] == true);
  CHECK(m["cluster"]["aggregate"]["rr"]["hosts"] == json::array({0}));
  CHECK(results::read_fio_json(merged).incomplete);
}

TEST_CASE("results the merge cannot read are refused naming the member", "[merge]") {
  test::TempDir dir("cluster-merge");
  const std::string good = member_run(dir.path, 0);
  const auto fails_with = [&](const ClusterMember& bad, const std::string& words) {
    try {
      (void)results::merge_cluster_results({"r", 2, 0, false}, {done_member(0, good, 0), bad});
      FAIL("merged " << bad.results_json.substr(0, 80));
    } catch (const std::exception& e) {
      INFO(e.what());
      CHECK(std::string(e.what()).find(words) != std::string::npos);
    }
  };
  fails_with(done_member(1, "not json", 0), "member 1 (host host1)");
  fails_with(done_member(1, R"({"jobs": [{"jobname": "rr", "read": {"iops": "fast"}}]})", 0), "iops");
  // 1000 ns is not a bin value of fio's layout (its bin [1000, 1008) is reported as 1004).
  fails_with(done_member(1, R"({"jobs": [{"jobname": "rr", "read": {"clat_ns": {"N": 1, "bins": {"1000": 1}}}}]})", 0),
             "1000 ns is not the value of a bin");
  fails_with(done_member(1, R"({"jobs": [{"jobname": "rr", "read": {"clat_ns": {"N": 1, "bins": {"x": 1}}}}]})", 0), "\"x\"");
  ClusterMember odd = done_member(1, good, 0);
  odd.state = "finished";
  CHECK_THROWS_AS(results::merge_cluster_results({}, {odd}), std::invalid_argument);
  CHECK_THROWS_AS(results::merge_cluster_results({}, {done_member(0, good, 0), done_member(0, good, 0)}), std::invalid_argument);
}

}  // namespace fiokit::mergetest
