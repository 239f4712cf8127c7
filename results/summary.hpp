// Derived numbers every output format shares: group_reporting merges, bw/iops
// from bytes and runtime, rate-sample summaries, latency buckets, depth shares,
// per-group run status. Kept apart from the writers so json, normal and terse
// cannot disagree about a number (DESIGN.md rule 7: formats only render).
//
// Units and rounding follow fio 3.33 as observed: bw_bytes = io_bytes*1000/runtime_ms
// (integer division), bw (KiB/s) = bw_bytes/1024, iops = total_ios*1000/runtime_ms
// (double). Latency buckets ("latency_ns/us/ms", "lat (usec)   : 4=..") count
// completion latencies: bucket "T" holds values v with previous-T <= v < T in
// its unit, and a non-empty bucket shows at least 0.01%. They are derived from
// the clat histogram's bin values, exact below 128 ns and within 1/128 of the
// value above, so an I/O within 0.8% of a bucket edge may be counted in the
// neighbouring bucket.
#pragma once
#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "results/run_result.hpp"

namespace fiokit::results {

// One entry of the report: a job, or a whole group when group_reporting is on.
struct ReportJob {
  JobResult job;
  int members = 1;  // jobs merged into this entry ("jobs=N" in the header)
};

// Jobs as fio reports them: group_reporting jobs merged per group (name of the
// first, options of the last, counters and job_runtime summed, histograms
// pooled, bw/iops sample summaries summed term by term as fio's group does
// (min, max, mean and count added; see summary.cpp), per-direction runtime the
// longest, CPU weighted by runtime).
std::vector<ReportJob> report_jobs(const RunResult& run);

// Adds d's byte and I/O counters and latency histograms to `into`, keeping
// the longer runtime: what a group_reporting merge and the mixed direction of
// unified_rw_reporting share (their bw/iops samples combine differently).
void add_counts(DirStats& into, const DirStats& d);

uint64_t bw_bytes_of(const DirStats& d);
uint64_t bw_kib_of(const DirStats& d);
double iops_of(const DirStats& d);

RateStat summarize_rate(const RateSamples& s);
RateStat bw_stat_of(const DirStats& d);
RateStat iops_stat_of(const DirStats& d);

struct LatBuckets {
  std::array<double, 10> ns{}, us{};
  std::array<double, 12> ms{};
};
inline constexpr std::array<int, 10> kLatLimits = {2, 4, 10, 20, 50, 100, 250, 500, 750, 1000};
inline constexpr std::array<int, 12> kLatLimitsMs = {2, 4, 10, 20, 50, 100, 250, 500, 750, 1000, 2000, 2000};
// Percent of all I/Os of the job (every direction) per latency bucket.
LatBuckets lat_buckets_of(const JobResult& j);

// Percent per depth bucket; all zero when nothing was counted.
std::array<double, 7> depth_pct(const std::array<uint64_t, 7>& counts);

// Per group and direction, what "Run status group N" prints.
struct GroupDir {
  uint64_t io_bytes = 0;
  uint64_t min_run = 0, max_run = 0;       // ms, over jobs that did this direction
  uint64_t min_bw = 0, max_bw = 0;         // bytes/s, per job
  uint64_t agg_bw = 0;                     // bytes/s: io_bytes*1000/max_run
  bool any = false;
};
using GroupStats = std::map<int, std::array<GroupDir, kDirs>>;
GroupStats group_stats_of(const std::vector<ReportJob>& jobs);

// bw_mean as a percent of the group's aggregate bandwidth, at most 100.
double bw_agg_pct(const DirStats& d, const GroupDir& g);

uint64_t elapsed_of(const JobResult& j);
// The job's percentile_list, or fio's default list when it is empty.
const std::vector<double>& percentiles_of(const JobResult& j);
std::string version_string(const RunResult& run);

}  // namespace fiokit::results
