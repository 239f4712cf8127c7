// `fiokit compare SWEEP_A SWEEP_B`: the printing of a point-by-point sweep
// comparison (results/compare_sweep.cpp matches the points and judges each).
// Each compared point's gate table goes to stdout under the point's name,
// what did not pass and every point not compared to stderr, then a summary.
#include "cli/compare_sweep.hpp"

#include <fmt/format.h>

#include "results/compare_sweep.hpp"
#include "results/gate_report.hpp"

namespace fiokit::cli {

int compare_sweeps(const std::string& baseline, const std::string& current, const results::CompareOptions& opt,
                   bool quiet) {
  const results::SweepComparison sc = results::compare_sweep_dirs(baseline, current, opt);
  for (const results::PointComparison& p : sc.points) {
    if (!p.comparison) continue;
    const results::Comparison& c = *p.comparison;
    if (!quiet) fmt::print("== point {} ==\n{}", p.key, results::render_gate_table(c));
    for (const std::string& why : c.invalid) fmt::print(stderr, "fiokit compare: point {}: invalid: {}\n", p.key, why);
    for (const results::MetricComparison& m : c.metrics)
      if (m.verdict != results::Verdict::pass)
        fmt::print(stderr, "fiokit compare: point {}: {}: {}/{}/{}: {}\n", p.key, results::verdict_name(m.verdict), m.job,
                   m.dir, m.metric, m.reason);
  }
  for (const results::PointComparison& p : sc.points)
    if (!p.comparison) fmt::print(stderr, "fiokit compare: invalid: point {}: {}\n", p.key, p.problem);
  fmt::print(stderr, "fiokit compare: sweep, {} point(s): {} pass, {} regression, {} invalid, {} not compared\n",
             sc.points.size(), sc.passed, sc.regressed, sc.invalid, sc.not_compared);
  return sc.exit_code();
}

}  // namespace fiokit::cli
