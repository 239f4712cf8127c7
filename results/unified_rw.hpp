// fio's unified_rw_reporting, for summarize_run: "mixed" prints one direction,
// read, write and trim summed; "both" prints the three and then the sum. The
// sum is computed here, from the per-direction stats, after group_reporting
// has merged a group's jobs (fio sums a job's directions the same way, once
// its thread stats are summed).
#pragma once
#include <vector>

#include "results/run_result.hpp"
#include "results/summary.hpp"

namespace fiokit::results {

// The "mixed" direction of one job (see unified_rw.cpp for fio's rules).
DirStats mixed_dir(const JobResult& j);

// The same jobs with dirs[0] = their mixed direction and the others empty:
// group_stats_of() of these gives the "MIXED" group line and bw_agg.
std::vector<ReportJob> mixed_jobs(const std::vector<ReportJob>& jobs);

}  // namespace fiokit::results
