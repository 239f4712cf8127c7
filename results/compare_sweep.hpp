// Two `fiokit sweep` directories compared point by point, for `fiokit
// compare SWEEP_A SWEEP_B` and serve's compare page alike. Points are
// matched by their option values (iodepth=4 numjobs=2 on both sides, whatever
// order the dimensions were given in); each matched pair is an ordinary
// comparison of the two sub-runs (the same gate, thresholds and rank test as
// two runs). A point on one side only, one not finished on either side, or a
// sub-run that cannot be read is kept as a problem and makes the whole
// comparison invalid, never dropped: a gate that silently compared fewer
// points would pass what it never measured. Printing is the caller's.
#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "results/compare.hpp"
#include "results/sweep.hpp"

namespace fiokit::results {

struct PointComparison {
  std::string key;  // point_key of the point, in the baseline's dimension order (the current's if only there)
  // Sub-run directories relative to each sweep ("runs/<id>"); "" on the side lacking the point.
  std::string baseline_run, current_run;
  std::optional<Comparison> comparison;  // set when both sub-runs were compared
  // Why the point was not compared ("" when it was): one side only, not
  // finished ("failed in the baseline, ok in the current sweep"), unreadable.
  std::string problem;
  bool only_baseline = false, only_current = false;
  int exit_code = 2;  // 0 pass, 1 regression, 2 invalid or not compared
};

struct SweepComparison {
  // Baseline points in manifest order (compared or not), then points only in the current sweep.
  std::vector<PointComparison> points;
  size_t passed = 0, regressed = 0, invalid = 0, not_compared = 0;
  // 0 every point passed, 1 a regression at some point and nothing invalid, 2 otherwise.
  int exit_code() const;
  Verdict verdict() const;
};

// Reads a point's sub-run: (sweep directory or id as the caller named it,
// the point's run path from the manifest). Throws RunLoadError when it
// cannot be read. Shared so a reader with a cache (serve) need not copy.
using SubRunLoader =
    std::function<std::shared_ptr<const LoadedRun>(const std::string& sweep, const std::string& point_run)>;

// The comparison of two manifests whose sub-runs `load` reads.
SweepComparison compare_sweep_manifests(const std::string& baseline, const SweepManifest& mb, const std::string& current,
                                        const SweepManifest& mc, const SubRunLoader& load, const CompareOptions& opt);

// Two sweep directories on disk. Throws SweepError for an unreadable manifest.
SweepComparison compare_sweep_dirs(const std::string& baseline, const std::string& current, const CompareOptions& opt);

}  // namespace fiokit::results
