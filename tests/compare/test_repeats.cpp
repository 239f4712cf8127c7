// repeats.json (summarize_repeats): per job, direction and metric the values
// in repeat order with their median, min, max and sample stddev, in the
// gate's metrics and units.
#include <catch2/catch.hpp>

#include <cmath>
#include <nlohmann/json.hpp>

#include "fixtures.hpp"
#include "results/repeats.hpp"

using namespace fiokit;
using namespace fiokit::cmptest;

TEST_CASE("summarize_repeats: values, median, min, max, stddev per metric", "[repeats]") {
  std::vector<results::RunResult> runs;
  for (const double iops : {1000.0, 1300.0, 900.0, 1100.0}) {
    FakeJob r;
    r.iops = iops;
    FakeJob w;
    w.name = "writer";
    w.dir = 1;
    w.iops = iops / 2;
    runs.push_back(make_run({r, w}));
  }
  const auto doc = nlohmann::json::parse(results::summarize_repeats(runs));
  CHECK(doc["repeats"] == 4);
  REQUIRE(doc["jobs"].size() == 2);
  CHECK(doc["jobs"][0]["jobname"] == "job1");
  CHECK_FALSE(doc["jobs"][0].contains("write"));
  const auto& iops = doc["jobs"][0]["read"]["iops"];
  CHECK(iops["values"] == nlohmann::json::array({1000.0, 1300.0, 900.0, 1100.0}));
  CHECK(iops["median"].get<double>() == Approx(1050));  // mean of the middle two
  CHECK(iops["min"].get<double>() == Approx(900));
  CHECK(iops["max"].get<double>() == Approx(1300));
  // Sample stddev of {1000, 1300, 900, 1100}: mean 1075, squares 5625+50625+30625+625 = 87500, /3.
  CHECK(iops["stddev"].get<double>() == Approx(std::sqrt(87500.0 / 3)));
  CHECK(iops["unit"] == "IOPS");
  const auto& bw = doc["jobs"][1]["write"]["bw"];
  CHECK(bw["median"].get<double>() == Approx(525 * 4096));
  CHECK(doc["jobs"][0]["read"].contains("clat_p99.9"));
  CHECK_FALSE(doc["jobs"][0]["read"].contains("lat_p99"));  // lat percentiles were off

  const auto one = nlohmann::json::parse(results::summarize_repeats({runs[0]}));
  CHECK(one["jobs"][0]["read"]["iops"]["stddev"].get<double>() == 0);
  CHECK(nlohmann::json::parse(results::summarize_repeats({}))["jobs"].empty());
}
