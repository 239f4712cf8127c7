// RunResult: everything one run measured, as plain data (DESIGN.md rule 7). The
// engine fills it; every output format is a pure function of it; readers of
// fio's JSON produce it too, so plot/serve/compare treat fio's runs and ours
// alike. It does not include jobs/ (results sits beside jobs, not above it):
// what a writer needs of a job is copied into JobResult as plain values.
#pragma once
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "results/histogram.hpp"

namespace fiokit::results {

constexpr int kDirs = 3;  // read, write, trim (fio's order)
inline constexpr const char* kDirNames[kDirs] = {"read", "write", "trim"};

// Samples of a rate (bw in KiB/s or IOPS), one per averaging window.
struct RateSamples {
  std::vector<double> values;
};

// Summary of a RateSamples (min/max/mean/sample stddev/count), as fio's JSON
// reports it. Readers of fio's JSON fill DirStats::bw_stat/iops_stat with the
// numbers they read, since the samples themselves are not in the file.
struct RateStat {
  double min = 0, max = 0, mean = 0, stddev = 0;
  uint64_t samples = 0;
};

// One I/O priority's latencies (issue 15, part prio): fio's clat_prio_stat.
// `ioprio` is class << 13 | level; `hist` holds completion latencies, or
// total latencies when the job sets lat_percentiles (fio tracks one kind).
struct PrioStat {
  uint32_t ioprio = 0;
  LatencyHistogram hist;
};

// Per direction of one job.
struct DirStats {
  uint64_t io_bytes = 0;
  uint64_t total_ios = 0;
  uint64_t short_ios = 0;
  uint64_t drop_ios = 0;
  LatencyHistogram slat, clat, lat;  // nanoseconds
  RateSamples bw_kib;                // per bwavgtime window
  RateSamples iops;                  // per iopsavgtime window
  uint64_t runtime_ms = 0;           // time this direction was active
  // Set by readers only; when set, writers print these instead of summarising
  // bw_kib / iops.
  std::optional<RateStat> bw_stat, iops_stat;
  // Per-priority latencies: filled by a job with cmdprio_* (index 0 is the
  // job's own priority), and by summary.cpp's report merge (fio's
  // sum_thread_stats); empty otherwise (see results/prio_stats.hpp).
  std::vector<PrioStat> prios;
};

// fio's "iodepth_level", "iodepth_submit", "iodepth_complete" distributions.
struct DepthStats {
  std::array<uint64_t, 7> level{};     // 1, 2, 4, 8, 16, 32, >=64 (share of time/ios at that depth)
  std::array<uint64_t, 7> submit{};    // 0, 4, 8, 16, 32, 64, >=64 (I/Os per submit call)
  std::array<uint64_t, 7> complete{};  // same buckets, I/Os per reap
  uint64_t submit_calls = 0, complete_calls = 0;
};

// fio's "steadystate" block (issue 15, part ss), as fio 3.33 writes it for a job
// with ss_dur: the criterion and limit, whether it was attained, the last
// criterion value with the slope or the largest deviation behind it, and the
// window's samples, oldest first (bytes/s and IOPS, one per second), padded
// with zeros while fewer than `dur_s` were taken.
struct SteadyStateResult {
  bool iops = true, slope = true, pct = true;
  double limit = 0;
  uint64_t dur_s = 0;
  bool attained = false;
  double criterion = 0, deviation = 0, slope_value = 0;
  std::vector<uint64_t> bw, iops_data;  // dur_s entries each
  uint64_t bw_mean() const;    // sum / dur_s, truncated, as fio
  uint64_t iops_mean() const;
};

inline uint64_t SteadyStateResult::bw_mean() const {
  uint64_t s = 0;
  for (uint64_t v : bw) s += v;
  return dur_s ? s / dur_s : 0;
}
inline uint64_t SteadyStateResult::iops_mean() const {
  uint64_t s = 0;
  for (uint64_t v : iops_data) s += v;
  return dur_s ? s / dur_s : 0;
}

struct JobResult {
  std::string name;
  int job_index = 0;   // fio's "jobname" order
  int group_id = 0;
  std::vector<std::pair<std::string, std::string>> options;  // "job options" as given
  bool options_shown = false;  // print "job options" even when empty (fio: {})
  // description= (fix "Description line", issue 15): fio prints it as
  // "Description  : [..]" and "desc"; a group shows its first job's.
  std::string description;
  int error = 0;                 // errno of the first failure, 0 if none
  std::string error_message;     // what failed, with path; "" if none
  // continue_on_error (issue 15 "misc"): fio writes total_err/first_error only
  // when the option is set; error = first_error then, even when every error
  // was let pass (error_ignored: the job did not fail, fio exits 0).
  bool continue_on_error = false;
  uint64_t total_err = 0;
  int first_error = 0;
  bool error_ignored = false;
  bool interrupted = false;
  std::array<DirStats, kDirs> dirs;
  DepthStats depth;
  uint64_t job_runtime_ms = 0;   // wall time of the job (excluding ramp)
  double usr_cpu = 0, sys_cpu = 0;  // percent of job_runtime
  uint64_t ctx = 0, majf = 0, minf = 0;
  // What the writers need of the job's settings.
  std::string rw, ioengine;
  uint64_t bs[kDirs] = {4096, 4096, 4096};
  uint32_t iodepth = 1;
  std::vector<double> percentile_list;
  bool clat_percentiles = true, lat_percentiles = false, slat_percentiles = false;
  int kb_base = 1024, unit_base = 0;
  bool group_reporting = false;
  int unified_rw_reporting = 0;  // fio's: 0 none, 1 mixed, 2 both (see unified_rw.hpp)
  // fiokit additions, written under the top-level "fiokit" key.
  std::map<std::string, std::string> extras;
  int pid = 0;                   // shown in the normal output's job header
  uint64_t elapsed_s = 0;        // fio's "elapsed"; 0 = derive from job_runtime_ms
  // fio's latency_ns (10), latency_us (10), latency_ms (12) shares in percent.
  // Readers set them from the file; when unset, writers derive them from the
  // clat histograms (exact to within one histogram bin at bucket edges).
  std::optional<std::array<double, 32>> lat_buckets_pct;
  // fio's "sync" block (fsync/fdatasync latencies).
  uint64_t sync_total_ios = 0;
  LatencyHistogram sync_lat;
  // Issue 15, part ss: steady state (ss_dur set) and the latency_target search.
  std::optional<SteadyStateResult> steadystate;
  // latency_target: the settings and the depth the search ended at (fio's
  // latency_depth; without latency_target fio reports iodepth there).
  uint64_t latency_target_ns = 0, latency_window_us = 0;
  double latency_percentile = 100.0;
  std::optional<uint32_t> latency_depth;
  // I/O priority (issue 15, part prio): the job's prio/prioclass as fio's
  // ioprio value (class << 13 | level; 0 when neither is given).
  uint32_t ioprio = 0;
};

struct DiskUtil {
  std::string name;
  uint64_t read_ios = 0, write_ios = 0, read_merges = 0, write_merges = 0;
  uint64_t read_ticks = 0, write_ticks = 0, in_queue = 0;
  double util = 0;
};

struct RunResult {
  // "fio version" is tool + "-" + version; read from fio it is "fio" / "3.33".
  std::string tool = "fiokit";
  std::string version;
  int64_t timestamp = 0;            // seconds since the epoch, at start
  int64_t timestamp_ms = 0;
  std::string time;                 // ctime-style, as fio prints it
  std::vector<std::pair<std::string, std::string>> global_options;
  std::vector<JobResult> jobs;
  std::vector<DiskUtil> disk_util;
  bool interrupted = false;
  int signal = 0;
  // A checkpoint of a run still going (run_dir.hpp): written as "incomplete":
  // true and the snapshot's UTC time under "fiokit"; a finished run has neither.
  bool incomplete = false;
  int64_t snapshot_ms = 0;          // unix ms of the snapshot
  std::map<std::string, std::string> extras;  // host, volumes, engine features
  // Extras whose value is JSON text (an object: "cluster" of a cluster run's
  // member, cli/cluster_member.hpp), written under "fiokit" as they are. The
  // caller hands valid JSON (made with nlohmann, never by hand).
  std::map<std::string, std::string> extras_json;
};

}  // namespace fiokit::results
