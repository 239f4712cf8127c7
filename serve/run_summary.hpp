// The compact summary of one run that the run index keeps in memory instead of
// the parsed results (a json+ RunResult holds latency histograms of ~30 KiB
// per job and direction: 5,000 runs kept parsed cost 782 MB). It holds what
// the index page shows, sorts and filters on: the job settings (rw, bs,
// iodepth, numjobs, ioengine), the run's status, its duration and headline
// figures per direction. It is a pure function of the RunResult, so a run made
// by fio 3.33 is summarised like one of ours.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "results/run_result.hpp"

namespace fiokit::serve {

// What the index badges a run as. `ok` has figures; the others say why the
// figures are missing or partial, so a failed run never reads "0 / 0 B/s".
// `sweep` is a `fiokit sweep` directory (serve/sweep_index.hpp): one row for
// its points, which have figures of their own on the sweep page.
enum class RunStatus { ok, failed, interrupted, incomplete, unreadable, no_results, sweep };
const char* run_status_name(RunStatus s);

struct DirFigures {
  bool present = false;  // the direction moved data in some job
  double iops = 0;       // summed over the report's jobs
  uint64_t bw_bytes = 0;
  uint64_t p99_clat_ns = 0;  // the worst job's completion-latency p99
};

struct RunSummary {
  RunStatus status = RunStatus::ok;
  std::string status_detail;  // the first failed job's error, for a tooltip
  std::string tool, version;  // "fiokit" "0.1.0", "fio" "3.33"
  size_t job_count = 0;       // job entries in the results (numjobs=4 gives 4)
  std::vector<std::string> job_names;  // distinct, in job order
  // Distinct values over the jobs, ", "-joined in job order: "randread, write".
  // Options a job does not set show fio's default (rw=read, bs=4k, iodepth=1,
  // numjobs=1, ioengine=psync), since that is what ran.
  std::string rw, bs, iodepth, numjobs, engine;
  uint64_t duration_ms = 0;  // the longest job_runtime of the run
  std::array<DirFigures, results::kDirs> dirs;
  // The results are a checkpoint of a run still going (or killed): the index
  // keeps looking at this run directory for changes.
  bool in_progress = false;
  std::string host;
  size_t sweep_points = 0, sweep_ok = 0;  // a sweep's points, and those that ran fine
  // Totals over directions, as the API has always given them.
  double iops() const;
  uint64_t bw_bytes() const;
  uint64_t p99_clat_ns() const;
};

RunSummary summarise_run(const results::RunResult& run);

}  // namespace fiokit::serve
