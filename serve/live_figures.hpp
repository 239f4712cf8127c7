// The arithmetic of the live figures (serve/live.hpp, serve/metrics.hpp): a
// run's snapshots hold cumulative counters per job and direction (I/Os, bytes,
// completion-latency bins and sum); the figures of the last interval are the
// difference of two successive snapshots, and totals over hosts, jobs or
// directions are sums of counters and of bins. Percentiles always come from
// summed bin counts with fio's rule (first bin whose running count reaches
// p% of the samples, reported at the bin's value), never from averaged
// percentiles, so an aggregate p99 is exact to fio's bin width (1/128).
// Bins are kept sparse: a snapshot of a few jobs costs a few KiB, not the
// 15 KiB per direction of a full 1856-bin histogram.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "results/run_result.hpp"

namespace fiokit::serve {

// (fio bin index, count), ascending by index, counts > 0.
using SparseBins = std::vector<std::pair<uint32_t, uint64_t>>;

SparseBins sparse_bins(const results::LatencyHistogram& h);
// a + b, and a - b (a bin that would go negative counts 0: a reset).
SparseBins add_bins(const SparseBins& a, const SparseBins& b);
SparseBins sub_bins(const SparseBins& a, const SparseBins& b);
uint64_t bins_total(const SparseBins& b);
// fio's percentile rule over the bins; 0 when empty.
uint64_t bins_percentile(const SparseBins& b, double p);

// Cumulative counters of one job name and direction (jobs sharing a name,
// numjobs=4 without group_reporting, are summed) at one snapshot.
struct LiveCounters {
  std::string job;
  int ddir = 0;
  uint64_t ios = 0, bytes = 0;
  uint64_t lat_count = 0, lat_sum_ns = 0;  // completion latency (total latency when only it is kept)
  SparseBins bins;
};

// One snapshot of one host: a checkpoint, a member's status or its final results.
struct HostSnapshot {
  int64_t t_ms = 0;          // unix ms it stands for (its snapshot time, else the file's mtime)
  uint64_t runtime_ms = 0;   // the longest job's runtime so far
  int64_t start_ms = 0;      // unix ms the run started (0 when unknown)
  std::string hostname;
  bool incomplete = false;   // a checkpoint of a run still going
  std::vector<LiveCounters> counters;  // sorted by (job, ddir)
};

// Unix ms between 1970 and the year 3000: times read from files outside
// that are ignored (their differences could overflow).
inline constexpr int64_t kYear3000Ms = 32'503'680'000'000;
bool plausible_ms(int64_t unix_ms);

HostSnapshot snapshot_of(const results::RunResult& r, int64_t fallback_t_ms);

// Figures of one job/direction, or summed over several (hosts, jobs, directions).
struct LiveFigures {
  // Over the interval between the two snapshots (summed rates).
  double iops = 0, bw_bytes = 0;
  uint64_t win_lat_count = 0, win_lat_sum_ns = 0;
  SparseBins win_bins;
  // Since the start (cumulative).
  uint64_t total_ios = 0, total_bytes = 0, total_lat_count = 0, total_lat_sum_ns = 0;
  SparseBins total_bins;

  void add(const LiveFigures& o);
  double win_lat_mean_ns() const;
  uint64_t win_lat_p99_ns() const { return bins_percentile(win_bins, 99.0); }
};

// The figures of `cur` over the interval since `prev` (null: since the job
// started, dt = its runtime). Counters that went down (a member restarted)
// count from zero.
LiveFigures figures_of(const LiveCounters& cur, const LiveCounters* prev, double dt_ms);

// Per (job, direction) of one host, in `cur`'s order; dt from the snapshot
// times (prev null: cur's runtime).
struct JobFigures {
  std::string job;
  int ddir = 0;
  LiveFigures f;
};
std::vector<JobFigures> host_figures(const HostSnapshot& cur, const HostSnapshot* prev, double* dt_ms);

}  // namespace fiokit::serve
