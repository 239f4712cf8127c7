// `fiokit merge` on json+ outputs of REAL fio 3.33 (`fio --output-format=json+`)
// from several "hosts" (here: several fio runs on this machine). The merged
// p50/p99/p99.9 (and every other listed percentile) must equal what this test
// computes itself from the members' summed bins; merged IOPS must equal the
// sum of the members' IOPS; and a one-member merge must reproduce the
// percentiles fio itself printed, so fiokit's bin rule is fio's.
#include <catch2/catch.hpp>

#include <filesystem>

#include "cluster/merge_util.hpp"
#include "common/temp_dir.hpp"
#include "results/json_reader.hpp"

namespace fiokit::mergetest {
namespace {

// One real fio run, json+ to FILE. Host 2 runs numjobs=2 and a different block
// size, so the members' distributions differ.
void fio_run(const std::string& dir, int i) {
  const std::string cmd = "cd '" + dir + "' && fio --name=rr --filename=f" + std::to_string(i) +
                          " --size=2m --rw=randread --ioengine=psync --lat_percentiles=1 --time_based --runtime=400ms" +
                          (i == 2 ? " --numjobs=2 --bs=8k" : " --bs=4k") + " --output-format=json+ --output=h" +
                          std::to_string(i) + ".json >/dev/null 2>fio" + std::to_string(i) + ".err";
  INFO(cmd << "\n" << test::slurp(dir + "/fio" + std::to_string(i) + ".err"));
  REQUIRE(shell(cmd) == 0);
}

json read_json(const std::string& path) {
  const std::string t = test::slurp(path);
  REQUIRE(t.find('{') != std::string::npos);
  return json::parse(t.substr(t.find('{')));
}

test::Outcome merge(std::vector<std::string> args) {
  test::RunSpec spec;
  spec.args = {"merge"};
  spec.args.insert(spec.args.end(), args.begin(), args.end());
  return test::run_fiokit(spec);
}

}  // namespace

TEST_CASE("fiokit merge of real fio json+ outputs: percentiles from the summed bins, IOPS summed", "[fio]") {
  test::TempDir dir("cluster-merge-fio");
  const std::string d = dir.path;
  for (int i = 0; i < 3; ++i) fio_run(d, i);
  const test::Outcome o = merge({d + "/h0.json", d + "/h1.json", d + "/h2.json", "--out", d + "/out"});
  INFO(o.err);
  REQUIRE(o.code == 0);
  CHECK(o.out.find("rr: (3 hosts, 4 jobs)") != std::string::npos);
  const std::string merged_text = test::slurp(d + "/out/results.json");
  CHECK(results::read_fio_json(merged_text).jobs.size() == 4);
  const json m = json::parse(merged_text);
  CHECK(m["fio version"] == "fio-3.33");
  CHECK(m["jobs"][3]["hostname"] == "h2");

  std::vector<json> docs;
  for (int i = 0; i < 3; ++i) docs.push_back(read_json(d + "/h" + std::to_string(i) + ".json"));
  double iops = 0;
  uint64_t ios = 0;
  std::vector<const json*> clats, lats;
  for (const json& doc : docs)
    for (const json& j : doc["jobs"]) {
      iops += j["read"]["iops"].get<double>();
      ios += j["read"]["total_ios"].get<uint64_t>();
      clats.push_back(&j["read"]["clat_ns"]);
      lats.push_back(&j["read"]["lat_ns"]);
    }
  REQUIRE(clats.size() == 4);
  const json& r = m["cluster"]["aggregate"]["rr"]["read"];
  CHECK(iops > 0);
  CHECK(r["iops"].get<double>() == iops);
  CHECK(r["total_ios"] == ios);
  for (const auto& [metric, members] : {std::pair{"clat_ns", &clats}, std::pair{"lat_ns", &lats}}) {
    INFO(metric);
    const json& l = r[metric];
    REQUIRE(l["percentiles_exact"] == true);
    const auto bins = sum_bins(*members);
    for (const auto& [v, n] : bins) CHECK(fio_bin_values().count(v) == 1);
    // p50, p99 and p99.9 named, then every percentile fio listed.
    CHECK(l["percentile"]["50.000000"].get<uint64_t>() == percentile_of(bins, 50));
    CHECK(l["percentile"]["99.000000"].get<uint64_t>() == percentile_of(bins, 99));
    CHECK(l["percentile"]["99.900000"].get<uint64_t>() == percentile_of(bins, 99.9));
    REQUIRE(l["percentile"].size() == (*members)[0]->at("percentile").size());
    for (const auto& [key, value] : l["percentile"].items()) CHECK(value.get<uint64_t>() == percentile_of(bins, std::stod(key)));
  }

  // One member alone: the merge's percentiles are fio's own, to the ns.
  const test::Outcome one = merge({d + "/h0.json", "--out", d + "/one"});
  REQUIRE(one.code == 0);
  const json m1 = read_json(d + "/one/results.json");
  const json& own = docs[0]["jobs"][0]["read"];
  for (const char* metric : {"clat_ns", "lat_ns"}) {
    INFO(metric);
    CHECK(m1["cluster"]["aggregate"]["rr"]["read"][metric]["percentile"] == own[metric]["percentile"]);
    CHECK(m1["cluster"]["aggregate"]["rr"]["read"][metric]["bins"] == own[metric]["bins"]);
  }
}

}  // namespace fiokit::mergetest
