// Latency distribution graphs: the histogram and the CDF of each job's
// latencies (log-scale x, the total's p50/p99/p99.9/p99.99 marked) from json+
// bins or write_hist_log files, and percentiles over time from hist logs.
// A "total" line sums the bins of all jobs (numjobs, groups): percentiles of
// the total come from the summed counts, never from averaged percentiles.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "plot/graph.hpp"
#include "results/latency_dist.hpp"

namespace fiokit::plot {

// What a run directory (or a set of hist logs) holds about latency distributions.
struct DistInputs {
  std::vector<results::DistTrack> tracks;  // per job, metric and direction
  std::string source;                      // "json+ bins" or "hist logs"
  std::optional<results::HistAggregator> hist;  // when hist logs were read
};

// The percentiles marked on the distribution graphs.
inline constexpr double kMarkedPercentiles[] = {50, 99, 99.9, 99.99};

// Hist logs (paths) summed per file and into windows. Throws PlotError(2) for
// a malformed log (file:line), PlotError(1) when one cannot be read.
DistInputs load_hist_logs(const std::vector<std::string>& paths, uint64_t interval_ms = 0);

// A run directory: json+ bins of results.json when it has them (exact over
// the whole run), else the sums of its *_clat_hist logs; the logs, when
// present, also give the percentiles over time. Nothing found: no tracks and
// no hist. A results.json that is not JSON is not an error here (the run may
// have none); a malformed hist log is (PlotError(2)).
DistInputs load_run_dists(const std::string& run_dir);

// Hist log paths directly in `dir`, sorted.
std::vector<std::string> find_hist_logs(const std::string& dir);

// Per metric and direction: "<base><metric>-histogram[-dir]" and
// "<base><metric>-cdf[-dir]" (dir only when the run has several directions),
// and "<base>clat-percentiles-time" from the hist windows.
std::vector<Graph> make_latency_dist_graphs(const DistInputs& in, const GraphOptions& opt,
                                            const std::string& base);

// Several runs' latency distributions on one graph (`fiokit plot --compare`):
// per direction, each run's total (its jobs' bins summed) as a CDF, the run's
// p99 a dashed vertical line in its colour. The metric is total latency (lat)
// when every run has its bins, else completion latency (clat, what fio keeps
// bins of by default). Graphs "<base><metric>-cdf[-dir]"; none when fewer than
// two runs have bins (notes say which runs lack them).
struct RunDists {
  std::string label;
  DistInputs in;
};
std::vector<Graph> make_compare_latency_cdfs(const std::vector<RunDists>& runs, const GraphOptions& opt,
                                             const std::string& base, std::vector<std::string>* notes);

// The share (%) of a dist per bin and cumulative, as drawn: x in ns.
std::vector<Point> histogram_points(const results::LatencyDist& d, int display_coarseness);
std::vector<Point> cdf_points(const results::LatencyDist& d);

}  // namespace fiokit::plot
