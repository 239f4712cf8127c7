// Threshold parsing and the regression decision: threshold alone with one
// sample per side, threshold AND significance with repeats, the latency floor,
// and the direction of each metric.
#include <catch2/catch.hpp>

#include <stdexcept>

#include "fixtures.hpp"
#include "results/compare.hpp"

using namespace fiokit;
using namespace fiokit::cmptest;
using results::Verdict;

namespace {

results::LoadedRun loaded(const std::vector<results::RunResult>& runs, const std::string& path) {
  results::LoadedRun r;
  r.path = path;
  for (size_t i = 0; i < runs.size(); ++i) {
    r.files.push_back(path + "/repeats/" + std::to_string(i + 1) + "/results.json");
    r.runs.push_back(runs[i]);
    r.samples.push_back(results::job_samples_of(runs[i]));
  }
  r.host = runs.empty() ? "" : runs[0].extras.at("host");
  return r;
}

std::vector<results::RunResult> runs_with_iops(const std::vector<double>& iops, uint64_t clat_ns = 100000) {
  std::vector<results::RunResult> out;
  for (const double v : iops) {
    FakeJob j;
    j.iops = v;
    j.clat_ns = clat_ns;
    out.push_back(make_run({j}));
  }
  return out;
}

const results::MetricComparison& metric(const results::Comparison& c, const std::string& name) {
  for (const auto& m : c.metrics)
    if (m.metric == name) return m;
  throw std::runtime_error("no metric " + name);
}

}  // namespace

TEST_CASE("threshold specs: sign, direction, off, errors", "[thresholds]") {
  results::Thresholds t = results::default_thresholds();
  CHECK(t.at("iops").pct == -10);
  CHECK(t.at("clat_p99").pct == 20);
  results::parse_threshold("iops=-15%", t);
  CHECK(t.at("iops").pct == -15);
  results::parse_threshold("bw = 5", t);  // unsigned: the metric's bad direction
  CHECK(t.at("bw").pct == -5);
  results::parse_threshold("clat_p99.9=+50%", t);
  CHECK(t.at("clat_p99.9").pct == 50);
  results::parse_threshold("clat_p50=off", t);
  CHECK_FALSE(t.at("clat_p50").enabled);
  CHECK_THROWS_WITH(results::parse_threshold("iops=+10%", t), Catch::Contains("iops regresses when it falls"));
  CHECK_THROWS_WITH(results::parse_threshold("clat_p99=-10%", t), Catch::Contains("rises"));
  CHECK_THROWS_WITH(results::parse_threshold("clat_p98=10%", t), Catch::Contains("unknown metric 'clat_p98'"));
  CHECK_THROWS_WITH(results::parse_threshold("iops=ten", t), Catch::Contains("not a percentage"));
  CHECK_THROWS_WITH(results::parse_threshold("iops", t), Catch::Contains("METRIC=PERCENT"));
}

TEST_CASE("thresholds file: comments, blank lines, errors with file and line", "[thresholds]") {
  TempDir d;
  write_text(d.path + "/t.txt", "# gate for the nightly job\n\niops = -5%   # tight\nclat_p99=+40%\n");
  results::Thresholds t = results::default_thresholds();
  results::read_thresholds_file(d.path + "/t.txt", t);
  CHECK(t.at("iops").pct == -5);
  CHECK(t.at("clat_p99").pct == 40);
  write_text(d.path + "/bad.txt", "iops=-5%\nclat_p99=fast\n");
  CHECK_THROWS_WITH(results::read_thresholds_file(d.path + "/bad.txt", t), Catch::Contains("bad.txt:2:"));
}

TEST_CASE("one sample per side: the threshold alone decides", "[thresholds]") {
  results::CompareOptions opt;
  const auto base = loaded(runs_with_iops({1000}), "base");
  const auto slower = loaded(runs_with_iops({880}), "cur");
  const auto fine = loaded(runs_with_iops({920}), "cur");
  const auto c = results::compare_runs(base, slower, opt);
  CHECK(metric(c, "iops").verdict == Verdict::regression);
  CHECK(metric(c, "iops").change_pct == Approx(-12.0));
  CHECK(metric(c, "iops").test == "threshold only");
  CHECK_FALSE(metric(c, "iops").p_value);
  CHECK(c.exit_code() == 1);
  CHECK_FALSE(c.notes.empty());
  const auto ok = results::compare_runs(base, fine, opt);
  CHECK(metric(ok, "iops").verdict == Verdict::pass);
  CHECK(ok.exit_code() == 0);
  // Faster is never a regression, however large.
  CHECK(results::compare_runs(base, loaded(runs_with_iops({3000}), "cur"), opt).exit_code() == 0);
  // A tighter threshold turns the 8 % drop into a regression.
  results::parse_threshold("iops=-5%", opt.thresholds);
  CHECK(results::compare_runs(base, fine, opt).exit_code() == 1);
  results::parse_threshold("iops=off", opt.thresholds);
  results::parse_threshold("bw=off", opt.thresholds);
  CHECK(results::compare_runs(base, slower, opt).exit_code() == 0);
}

TEST_CASE("with repeats a regression needs the threshold AND significance", "[thresholds]") {
  results::CompareOptions opt;
  const auto base = loaded(runs_with_iops({1000, 1010, 990, 1005, 995}), "base");
  // Clearly shifted: every current value below every baseline value.
  const auto shifted = loaded(runs_with_iops({850, 860, 840, 855, 845}), "cur");
  const auto c = results::compare_runs(base, shifted, opt);
  const auto& m = metric(c, "iops");
  CHECK(m.verdict == Verdict::regression);
  CHECK(m.test == "mann-whitney exact");
  REQUIRE(m.p_value);
  CHECK(*m.p_value == Approx(1.0 / 252));
  CHECK(c.exit_code() == 1);

  // Median 15 % lower, but the samples overlap: not significant, so no regression.
  const auto noisy_base = loaded(runs_with_iops({1000, 700, 1300, 900, 1100}), "base");
  const auto noisy_cur = loaded(runs_with_iops({850, 1250, 650, 1050, 800}), "cur");
  const auto n = results::compare_runs(noisy_base, noisy_cur, opt);
  const auto& nm = metric(n, "iops");
  CHECK(nm.change_pct == Approx(-15.0));
  CHECK(nm.beyond_threshold);
  REQUIRE(nm.p_value);
  CHECK(*nm.p_value > 0.05);
  CHECK(nm.verdict == Verdict::pass);
  CHECK_THAT(nm.reason, Catch::Contains("not significant"));
  CHECK(n.exit_code() == 0);

  // Significant but within the threshold: no regression either.
  const auto small = loaded(runs_with_iops({960, 965, 955, 962, 958}), "cur");
  const auto s = results::compare_runs(base, small, opt);
  CHECK(*metric(s, "iops").p_value < 0.05);
  CHECK(s.exit_code() == 0);

  // A stricter alpha than the smallest reachable p: threshold only, with a note.
  opt.alpha = 0.001;
  const auto strict = results::compare_runs(base, shifted, opt);
  CHECK(metric(strict, "iops").test == "threshold only");
  CHECK_THAT(strict.notes.at(0), Catch::Contains("cannot reach"));
}

TEST_CASE("latencies regress upwards, above the latency floor only", "[thresholds]") {
  results::CompareOptions opt;
  // 100 us -> 150 us: clat_mean +50 %.
  const auto c = results::compare_runs(loaded(runs_with_iops({1000}, 100000), "b"),
                                       loaded(runs_with_iops({1000}, 150000), "c"), opt);
  CHECK(metric(c, "clat_mean").verdict == Verdict::regression);
  CHECK(metric(c, "clat_p99").verdict == Verdict::regression);
  CHECK(metric(c, "iops").verdict == Verdict::pass);
  // Faster latencies pass.
  CHECK(results::compare_runs(loaded(runs_with_iops({1000}, 150000), "b"),
                              loaded(runs_with_iops({1000}, 100000), "c"), opt).exit_code() == 0);
  // 200 ns -> 400 ns is +100 %, but 200 ns is below the default 1 us floor.
  const auto tiny = results::compare_runs(loaded(runs_with_iops({1000}, 200), "b"),
                                          loaded(runs_with_iops({1000}, 400), "c"), opt);
  CHECK(metric(tiny, "clat_p50").verdict == Verdict::pass);
  CHECK_THAT(metric(tiny, "clat_p50").reason, Catch::Contains("latency floor"));
  opt.latency_floor_ns = 0;
  const auto no_floor = results::compare_runs(loaded(runs_with_iops({1000}, 200), "b"),
                                              loaded(runs_with_iops({1000}, 400), "c"), opt);
  CHECK(metric(no_floor, "clat_p50").verdict == Verdict::regression);
}

TEST_CASE("clones of one job name are one job: rates summed", "[thresholds]") {
  FakeJob a;
  a.iops = 600;
  FakeJob b = a;
  b.iops = 400;
  const auto run = make_run({a, b});
  const auto samples = results::job_samples_of(run);
  REQUIRE(samples.size() == 1);
  CHECK(samples[0].metrics[0].at("iops") == Approx(1000));
  CHECK(samples[0].metrics[0].at("bw") == Approx(1000 * 4096));
}
