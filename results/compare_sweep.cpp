// See compare_sweep.hpp. A point's exit code is its comparison's, except a
// comparison with no metric and nothing invalid (nothing was measured),
// which is invalid: an empty comparison must not read as a pass.
#include "results/compare_sweep.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "results/run_source.hpp"

namespace fiokit::results {

namespace {

// The point's values sorted by option, so dimension order does not matter.
std::string match_key(const SweepPoint& p) {
  SweepPoint sorted = p;
  std::sort(sorted.begin(), sorted.end());
  return point_key(sorted);
}

}  // namespace

int SweepComparison::exit_code() const {
  if (invalid || not_compared) return 2;
  return regressed ? 1 : 0;
}

Verdict SweepComparison::verdict() const {
  const int code = exit_code();
  return code == 0 ? Verdict::pass : code == 1 ? Verdict::regression : Verdict::invalid;
}

SweepComparison compare_sweep_manifests(const std::string& baseline, const SweepManifest& mb, const std::string& current,
                                        const SweepManifest& mc, const SubRunLoader& load, const CompareOptions& opt) {
  SweepComparison out;
  std::map<std::string, const SweepPointRecord*> in_current;
  for (const auto& p : mc.points) in_current[match_key(p.settings)] = &p;
  std::map<std::string, bool> matched;
  for (const auto& pb : mb.points) {
    PointComparison pc;
    pc.key = point_key(pb.settings);
    pc.baseline_run = pb.run;
    const auto it = in_current.find(match_key(pb.settings));
    if (it == in_current.end()) {
      pc.only_baseline = true;
      pc.problem = fmt::format("only in the baseline {} (not in {})", baseline, current);
      out.points.push_back(std::move(pc));
      continue;
    }
    matched[it->first] = true;
    const SweepPointRecord& cur = *it->second;
    pc.current_run = cur.run;
    if (pb.status != "ok" || cur.status != "ok") {
      pc.problem =
          fmt::format("not comparable: {} in the baseline, {} in the current sweep", pb.status, cur.status);
      out.points.push_back(std::move(pc));
      continue;
    }
    try {
      const std::shared_ptr<const LoadedRun> rb = load(baseline, pb.run), rc = load(current, cur.run);
      Comparison c = compare_runs(*rb, *rc, opt);
      pc.exit_code = c.metrics.empty() && c.invalid.empty() ? 2 : c.exit_code();
      pc.comparison = std::move(c);
    } catch (const RunLoadError& e) {
      pc.problem = e.what();
    }
    out.points.push_back(std::move(pc));
  }
  for (const auto& p : mc.points) {
    if (matched.count(match_key(p.settings))) continue;
    PointComparison pc;
    pc.key = point_key(p.settings);
    pc.current_run = p.run;
    pc.only_current = true;
    pc.problem = fmt::format("only in the current sweep {} (not in {})", current, baseline);
    out.points.push_back(std::move(pc));
  }
  for (const PointComparison& p : out.points) {
    if (!p.comparison) ++out.not_compared;
    else (p.exit_code == 0 ? out.passed : p.exit_code == 1 ? out.regressed : out.invalid)++;
  }
  return out;
}

SweepComparison compare_sweep_dirs(const std::string& baseline, const std::string& current, const CompareOptions& opt) {
  const SweepManifest mb = load_sweep(baseline);
  const SweepManifest mc = load_sweep(current);
  return compare_sweep_manifests(baseline, mb, current, mc,
                                 [](const std::string& sweep, const std::string& run) {
                                   return std::make_shared<const LoadedRun>(load_run(sweep + "/" + run));
                                 },
                                 opt);
}

}  // namespace fiokit::results
