// `fiokit compare SWEEP_A SWEEP_B`: two `fiokit sweep` directories compared
// point by point. Points are matched by their option values (iodepth=4
// numjobs=2 on both sides, whatever order the dimensions were given in); each
// matched pair is an ordinary comparison of the two sub-runs (the same gate,
// thresholds and rank test as two runs), printed under the point's name. A
// point on one side only, or one that did not finish on either side, is
// reported and makes the comparison invalid (exit 2), never dropped: a gate
// that silently compared fewer points would pass what it never measured.
#include "cli/compare_sweep.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "results/gate_report.hpp"
#include "results/run_source.hpp"
#include "results/sweep.hpp"

namespace fiokit::cli {

namespace {

// The point's values sorted by option, so dimension order does not matter.
std::string match_key(const results::SweepPoint& p) {
  results::SweepPoint sorted = p;
  std::sort(sorted.begin(), sorted.end());
  return results::point_key(sorted);
}

}  // namespace

int compare_sweeps(const std::string& baseline, const std::string& current, const results::CompareOptions& opt,
                   bool quiet) {
  const results::SweepManifest mb = results::load_sweep(baseline);
  const results::SweepManifest mc = results::load_sweep(current);
  std::map<std::string, const results::SweepPointRecord*> in_current;
  for (const auto& p : mc.points) in_current[match_key(p.settings)] = &p;
  std::map<std::string, bool> matched;
  int pass = 0, regressed = 0, invalid = 0;
  std::vector<std::string> problems;
  for (const auto& pb : mb.points) {
    const std::string key = results::point_key(pb.settings);
    const auto it = in_current.find(match_key(pb.settings));
    if (it == in_current.end()) {
      problems.push_back(fmt::format("point {}: only in the baseline {} (not in {})", key, baseline, current));
      continue;
    }
    matched[it->first] = true;
    const results::SweepPointRecord& pc = *it->second;
    if (pb.status != "ok" || pc.status != "ok") {
      problems.push_back(fmt::format("point {}: not comparable: {} in the baseline, {} in the current sweep", key,
                                     pb.status, pc.status));
      continue;
    }
    try {
      const results::LoadedRun rb = results::load_run(baseline + "/" + pb.run);
      const results::LoadedRun rc = results::load_run(current + "/" + pc.run);
      const results::Comparison c = results::compare_runs(rb, rc, opt);
      if (!quiet) fmt::print("== point {} ==\n{}", key, results::render_gate_table(c));
      for (const std::string& why : c.invalid) fmt::print(stderr, "fiokit compare: point {}: invalid: {}\n", key, why);
      for (const results::MetricComparison& m : c.metrics)
        if (m.verdict != results::Verdict::pass)
          fmt::print(stderr, "fiokit compare: point {}: {}: {}/{}/{}: {}\n", key, results::verdict_name(m.verdict), m.job,
                     m.dir, m.metric, m.reason);
      const int code = c.metrics.empty() && c.invalid.empty() ? 2 : c.exit_code();
      (code == 0 ? pass : code == 1 ? regressed : invalid)++;
    } catch (const results::RunLoadError& e) {
      problems.push_back(fmt::format("point {}: {}", key, e.what()));
    }
  }
  for (const auto& pc : mc.points)
    if (!matched.count(match_key(pc.settings)))
      problems.push_back(fmt::format("point {}: only in the current sweep {} (not in {})",
                                     results::point_key(pc.settings), current, baseline));
  for (const std::string& p : problems) fmt::print(stderr, "fiokit compare: invalid: {}\n", p);
  const size_t total = mb.points.size() + mc.points.size() - matched.size();
  fmt::print(stderr, "fiokit compare: sweep, {} point(s): {} pass, {} regression, {} invalid, {} not compared\n", total,
             pass, regressed, invalid, problems.size());
  if (invalid || !problems.empty()) return 2;
  return regressed ? 1 : 0;
}

}  // namespace fiokit::cli
