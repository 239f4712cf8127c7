// The compare gate: baseline vs current run, per job, direction and metric,
// with a verdict CI can act on. Exit codes: 0 pass, 1 regression, 2 invalid.
//
// A metric regresses when its current median is worse than the baseline's by
// more than its threshold (and, for latencies, by at least the latency floor,
// since sub-microsecond differences are clock and scheduling noise) AND, when
// both sides have enough repeats, a one-sided Mann-Whitney U test in the
// regression direction has p <= alpha. With one sample per side, or too few
// repeats for the test ever to reach alpha (1/C(n_b+n_c, n_b) > alpha), the
// threshold alone decides and a note says so.
//
// The comparison is invalid (never a pass) when either side has a job error,
// an interrupted run or repeat, a job or direction without I/O, jobs missing
// on one side, a metric missing on one side, different job options (the
// compared_options list), or with strict_host a different or unknown host.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "results/run_source.hpp"

namespace fiokit::results {

// Signed percent: the sign is the direction of a regression (iops -10: a drop
// of more than 10 %; clat_p99 +20: a rise of more than 20 %).
struct Threshold {
  double pct = 0;
  bool enabled = true;
};
using Thresholds = std::map<std::string, Threshold>;

// iops -10 %, bw -10 %, lat_mean/clat_mean/clat_p50 +10 %, clat_p99 and
// lat_p99 +20 %, clat_p99.9 and lat_p99.9 +30 %, lat_p50 +10 %.
Thresholds default_thresholds();
// "iops=-10%", "clat_p99=20%" (unsigned takes the metric's bad direction),
// "clat_p99.9=off". Throws std::invalid_argument naming the text.
void parse_threshold(std::string_view spec, Thresholds& into);
// One spec per line, '#' starts a comment, blank lines ignored; errors name
// file and line.
void read_thresholds_file(const std::string& path, Thresholds& into);

// rw, rwmixread, bs, bsrange, bssplit, iodepth, ioengine, size, io_size,
// runtime, time_based, numjobs, direct.
std::vector<std::string> default_compared_options();

struct CompareOptions {
  Thresholds thresholds = default_thresholds();
  double alpha = 0.05;
  bool strict_host = false;
  double latency_floor_ns = 1000;
  std::vector<std::string> compared_options = default_compared_options();
};

enum class Verdict { pass, regression, invalid };
const char* verdict_name(Verdict v);  // "pass", "regression", "invalid"

struct MetricComparison {
  std::string job, dir, metric, unit;
  std::vector<double> baseline, current;   // one value per repeat
  double baseline_median = 0, current_median = 0;
  double change_pct = 0;                   // (current - baseline) / baseline * 100
  double threshold_pct = 0;
  bool beyond_threshold = false;
  std::optional<double> p_value;           // one-sided, in the regression direction
  std::string test;                        // "mann-whitney exact", "mann-whitney normal", "threshold only"
  Verdict verdict = Verdict::pass;
  // A pass whose change is beyond the threshold's size in the good direction
  // (and above the latency floor): reports label it, so a speed-up is seen.
  bool improved = false;
  std::string reason;                      // why it regressed or is invalid; notes
};

struct Comparison {
  std::string baseline_path, current_path;
  size_t baseline_samples = 0, current_samples = 0;
  double alpha = 0.05;
  std::vector<std::string> invalid;        // reasons not tied to one metric
  std::vector<std::string> notes;
  std::vector<std::string> warnings;       // also in notes; the CLI repeats them on stderr
  std::vector<MetricComparison> metrics;
  Verdict verdict() const;
  int exit_code() const;                   // 0 pass, 1 regression, 2 invalid
};

// Warnings (not verdicts) when the two runs measured different kinds of target
// (filesystem, device, model, rotational), from the volume info fiokit records.
std::vector<std::string> target_kind_differences(const LoadedRun& baseline, const LoadedRun& current);

// rate, rate_iops, rate_min, rate_iops_min: a change of these may be what a
// gate is asked to measure, so it is compared, with a warning (a capped run
// measures the cap, not the storage), unless --compare-option makes it a
// requirement.
const std::vector<std::string>& rate_options();

// Too few repeats for alpha: empty when n_b vs n_c repeats can show a shift at
// alpha with room to spare, else a warning naming the smallest attainable p
// (one-sided, as the gate tests, and two-sided, as textbooks tabulate) and the
// repeats per side that would do. The rule: the two-sided minimum
// 2/C(n_b+n_c, n_b) must be <= alpha. 3 vs 3 gives 0.05 one-sided, 0.10
// two-sided: at alpha 0.05 only a complete separation of all six repeats
// counts, one swapped pair and the gate is blind.
std::string repeats_warning(size_t nb, size_t nc, double alpha);
// The smallest n with 2/C(2n, n) <= alpha (n repeats on each side).
size_t repeats_needed(double alpha);

Comparison compare_runs(const LoadedRun& baseline, const LoadedRun& current, const CompareOptions& opt);

}  // namespace fiokit::results
