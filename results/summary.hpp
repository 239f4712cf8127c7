// Derived numbers every output format shares, computed once per run: the
// report's entries (group_reporting merges), per-direction bw/iops, latency
// summaries and percentiles, rate-sample summaries, latency buckets, depth
// shares, the unified_rw_reporting sum, and per-group run status. summarize_run
// makes one JobSummary per reported job and one GroupSummary per group; json,
// json+, normal and terse only render those values, so no two formats can
// disagree about a number (DESIGN.md rule 7: formats only render).
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
#include <utility>
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

// JobResult::unified_rw_reporting values, as fio 3.33 names them (0/1/2 too).
enum UnifiedRw { kUnifiedNone = 0, kUnifiedMixed = 1, kUnifiedBoth = 2 };

// One latency figure (slat, clat, lat or sync) as every format shows it.
struct LatSummary {
  uint64_t count = 0, min = 0, max = 0;  // ns; min and max are 0 when count is 0
  double mean = 0, stddev = 0;           // ns
  // One value (ns) per JobSummary::percentile_list entry, 0 when count is 0.
  // Computed whether or not the job shows them: terse fills its clat slots from
  // whichever of clat/lat the job asks for.
  std::vector<uint64_t> percentiles;
  std::vector<std::pair<uint64_t, uint64_t>> bins;  // json+: (bin value ns, I/Os), non-empty bins
};

// One priority's latencies (clat, or lat with lat_percentiles) in a
// direction that shows them (results/prio_stats.hpp).
struct PrioSummary {
  uint32_t prioclass = 0, prio = 0;
  LatSummary lat;
};

// One direction of a reported job (or its unified_rw_reporting sum).
struct DirSummary {
  bool active = false;  // did I/O: fio prints the direction's block in normal output only then
  uint64_t io_bytes = 0, total_ios = 0, short_ios = 0, drop_ios = 0, runtime_ms = 0;
  uint64_t bw_bytes = 0, bw_kib = 0;  // bytes/s and KiB/s, fio's integer divisions
  double iops = 0;
  LatSummary slat, clat, lat;
  RateStat bw, iops_stat;  // bw/iops sample summaries (KiB/s, IOPS)
  double bw_agg_pct = 0;   // bw.mean as a percent of the group's aggregate bandwidth
  std::vector<PrioSummary> prios;  // empty unless two or more priorities have samples
};

// One entry of the report, as every format shows it.
struct JobSummary {
  std::string name;
  int group_id = 0;
  int members = 1;  // jobs merged into this entry by group_reporting
  int error = 0;
  std::string error_message;
  bool continue_on_error = false;  // total_err, first_error: see JobResult
  uint64_t total_err = 0;
  int first_error = 0;
  int pid = 0;
  uint64_t elapsed_s = 0;  // fio's "elapsed", at least 1
  std::vector<std::pair<std::string, std::string>> options;
  bool options_shown = false;
  std::string description;  // description=, "" when not given (see JobResult)
  int unified_rw_reporting = kUnifiedNone;
  std::vector<double> percentile_list;  // the job's, or fio's default list
  bool clat_percentiles = true, lat_percentiles = false, slat_percentiles = false;
  std::array<DirSummary, kDirs> dirs;
  // The directions summed (see unified_rw.hpp); its bw_agg_pct is against the
  // group's MIXED line. Always computed; shown when unified_rw_reporting says so.
  DirSummary mixed;
  uint64_t sync_total_ios = 0;
  LatSummary sync_lat;
  uint64_t job_runtime_ms = 0;
  double usr_cpu = 0, sys_cpu = 0;
  uint64_t ctx = 0, majf = 0, minf = 0;
  std::array<double, 7> depth_level{}, depth_submit{}, depth_complete{};  // percent
  LatBuckets lat_buckets;
  uint32_t iodepth = 1;
  std::optional<SteadyStateResult> steadystate;  // the group's last job's, as fio
  uint64_t latency_target_ns = 0, latency_window_us = 0;  // latency_target: settings and the depth found
  double latency_percentile = 100.0;
  uint32_t latency_depth = 1;
};

// "Run status group N": per direction, and the MIXED line of unified_rw_reporting.
struct GroupSummary {
  int id = 0;
  std::array<GroupDir, kDirs> dirs;
  GroupDir mixed;
  int unified_rw_reporting = kUnifiedNone;  // the group's first reported job's
};

struct RunSummary {
  std::vector<JobSummary> jobs;      // in report order
  std::vector<GroupSummary> groups;  // by ascending id
};

// Everything the writers print about the jobs, computed once from `run`.
RunSummary summarize_run(const RunResult& run);
LatSummary summarize_lat(const LatencyHistogram& h, const std::vector<double>& percentile_list);

}  // namespace fiokit::results
