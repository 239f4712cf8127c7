// The gate's labels and warnings (issue 17 item 5): a warning when the repeats
// are too few for alpha (the minimum attainable Mann-Whitney p, checked against
// the textbook value 1/C(n_b+n_c, n_b)), "improved" on a pass that moved
// beyond its threshold the good way, a warning when rate caps differ,
// and JUnit details rounded like the table instead of raw doubles. Runs go
// through the fiokit binary, as in CI.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <regex>

#include "fixtures.hpp"
#include "results/compare.hpp"

using namespace fiokit;
using namespace fiokit::cmptest;

namespace {

// n repeats per side; current IOPS = baseline IOPS * factor.
Outcome compare_repeats(TempDir& dir, size_t nb, size_t nc, double factor, std::vector<std::string> extra = {}) {
  std::vector<results::RunResult> base, cur;
  for (size_t i = 0; i < nb; ++i) {
    FakeJob b;
    b.iops = 1000.37 + static_cast<double>(i);
    base.push_back(make_run({b}));
  }
  for (size_t i = 0; i < nc; ++i) {
    FakeJob c;
    c.iops = (1000.37 + static_cast<double>(i)) * factor;
    cur.push_back(make_run({c}));
  }
  write_run_dir(dir.path + "/base", base);
  write_run_dir(dir.path + "/cur", cur);
  std::vector<std::string> args{dir.path + "/base", dir.path + "/cur"};
  args.insert(args.end(), extra.begin(), extra.end());
  return run_compare(args);
}

}  // namespace

TEST_CASE("repeats_warning: 3 vs 3 at alpha 0.05 is too few, 4 vs 4 is enough", "[compare][repeats]") {
  // 1/C(6,3) = 1/20: one-sided 0.05, two-sided 0.1.
  const std::string w = results::repeats_warning(3, 3, 0.05);
  CHECK_THAT(w, Catch::Contains("3 vs 3 repeats are too few for alpha 0.05"));
  CHECK_THAT(w, Catch::Contains("0.05 one-sided (0.1 two-sided)"));
  CHECK_THAT(w, Catch::Contains("only when every current repeat is worse"));
  CHECK_THAT(w, Catch::Contains("--repeat 4"));
  // 1/C(8,4) = 1/70: two-sided 0.0286 <= 0.05.
  CHECK(results::repeats_warning(4, 4, 0.05).empty());
  // 2 vs 2: 1/C(4,2) = 1/6 > 0.05, never significant.
  CHECK_THAT(results::repeats_warning(2, 2, 0.05), Catch::Contains("cannot reach p <= 0.05"));
  // 3 vs 4: 1/35 one-sided, 2/35 = 0.057 two-sided > 0.05.
  CHECK_THAT(results::repeats_warning(3, 4, 0.05), Catch::Contains("0.0286 one-sided (0.0571 two-sided)"));
  // Single samples have their own note (threshold only).
  CHECK(results::repeats_warning(1, 5, 0.05).empty());
  CHECK(results::repeats_needed(0.05) == 4);
  CHECK(results::repeats_needed(0.01) == 5);  // 2/C(10,5) = 0.0079
  // Looser alpha: 3 vs 3 two-sided 0.1 <= 0.1.
  CHECK(results::repeats_warning(3, 3, 0.1).empty());
}

TEST_CASE("compare warns on stderr when the repeats are too few for --alpha", "[compare][repeats]") {
  TempDir dir("fiokit-labels");
  const Outcome o = compare_repeats(dir, 3, 3, 1.0);
  CHECK(o.code == 0);
  CHECK_THAT(o.err, Catch::Contains("fiokit compare: warning: 3 vs 3 repeats are too few for alpha 0.05"));
  const Outcome strict = compare_repeats(dir, 3, 3, 1.0, {"--alpha", "0.01"});
  CHECK_THAT(strict.err, Catch::Contains("cannot reach p <= 0.01"));
  CHECK_THAT(strict.err, Catch::Contains("--repeat 5"));
  TempDir dir5("fiokit-labels");
  const Outcome enough = compare_repeats(dir5, 5, 5, 1.0);
  CHECK(enough.code == 0);
  CHECK_THAT(enough.err, !Catch::Contains("too few"));
}

TEST_CASE("a pass beyond the threshold the good way is labelled improved", "[compare][improved]") {
  TempDir dir("fiokit-labels");
  const std::string json = dir.path + "/r.json", md = dir.path + "/r.md";
  // +30 % IOPS: beyond -10 % mirrored; latencies unchanged.
  const Outcome o = compare_repeats(dir, 5, 5, 1.3, {"--json", json, "--markdown", md});
  REQUIRE(o.code == 0);
  CHECK(std::regex_search(o.out, std::regex(R"(job1 +read +iops .*\+30\.0% .* IMPROVED)")));
  CHECK(std::regex_search(o.out, std::regex(R"(job1 +read +clat_p99 .* PASS)")));
  const auto doc = nlohmann::json::parse(read_text(json));
  bool iops_improved = false, clat_improved = true;
  for (const auto& m : doc["metrics"]) {
    if (m["metric"] == "iops") iops_improved = m["improved"].get<bool>();
    if (m["metric"] == "clat_p99") clat_improved = m["improved"].get<bool>();
    CHECK(m["verdict"] == "pass");
  }
  CHECK(iops_improved);
  CHECK_FALSE(clat_improved);
  CHECK_THAT(read_text(md), Catch::Contains("| improved |"));
  // +5 %: within the threshold's size, a plain pass.
  TempDir small("fiokit-labels");
  const Outcome p = compare_repeats(small, 5, 5, 1.05);
  CHECK_THAT(p.out, !Catch::Contains("IMPROVED"));
}

TEST_CASE("JUnit details show rounded values in the table's units", "[compare][junit]") {
  TempDir dir("fiokit-labels");
  const std::string junit = dir.path + "/j.xml";
  const Outcome o = compare_repeats(dir, 5, 5, 1.0, {"--junit", junit});
  REQUIRE(o.code == 0);
  const std::string x = read_text(junit);
  // IOPS as the median column shows them; clat_mean 149900.0999... rounded too.
  CHECK_THAT(x, Catch::Contains("values 1000.0 IOPS, 1001.0 IOPS"));
  CHECK_FALSE(std::regex_search(x, std::regex(R"(\d+\.\d{5,})")));
}

TEST_CASE("runs with different rate caps are compared with a warning", "[compare][options]") {
  TempDir dir("fiokit-labels");
  FakeJob b, c;
  b.options.emplace_back("rate_iops", "500");
  c.options.emplace_back("rate_iops", "800");
  write_run_dir(dir.path + "/base", {make_run({b})});
  write_run_dir(dir.path + "/cur", {make_run({c})});
  const Outcome o = run_compare({dir.path + "/base", dir.path + "/cur"});
  CHECK(o.code == 0);
  CHECK_THAT(o.err, Catch::Contains("fiokit compare: warning: job 'job1': option rate_iops differs: baseline '500', "
                                    "current '800' (a rate cap measures the cap, not the storage)"));
  // Required to match: invalid, and no second word about it.
  const Outcome strict = run_compare({dir.path + "/base", dir.path + "/cur", "--compare-option", "rate_iops"});
  CHECK(strict.code == 2);
  CHECK_THAT(strict.err, !Catch::Contains("a rate cap measures"));
}
