// repeats.json: the summary `fiokit run --repeat N` writes beside the N
// repeats (repeats/<i>/results.json), so a reader sees the spread of every
// metric without opening each repeat. The metrics and their units are the
// compare gate's (run_source.hpp: iops, bw in B/s, latencies in ns), so what a
// user reads here is exactly what `fiokit compare` tests.
//
// Shape:
//   {"repeats": N, "ok": K,
//    "runs": [{"repeat": 1, "status": "ok"},
//             {"repeat": 2, "status": "failed", "error": "job 'j': ..."}, ...],
//    "jobs": [{"jobname": "j", "<dir>": {"<metric>": {"values": [...], "median": m,
//              "min": a, "max": b, "stddev": s}, ...}}, ...]}
// status is "ok", "failed" (a job of that repeat failed: error joins the
// failed jobs' messages with "; ") or "interrupted" (a signal stopped it).
// Only the K ok repeats are in the statistics: a repeat cut short by an error or a
// signal measured something else, and would drag the median. values are in
// the order of the ok repeats; a metric a repeat lacks is left out of its
// values; stddev is the sample standard deviation (n-1), 0 for one value;
// the median of an even count is the mean of the middle two.
#pragma once
#include <string>
#include <vector>

#include "results/run_result.hpp"

namespace fiokit::results {

std::string summarize_repeats(const std::vector<RunResult>& runs);

// One repeat's status as repeats.json and the stderr line show it: "ok",
// "failed" or "interrupted", and for "failed" the jobs' errors.
struct RepeatStatus {
  std::string status;
  std::string error;
};
RepeatStatus repeat_status(const RunResult& run);

// Shared with the compare gate so both report the same middle value.
double median_of(std::vector<double> values);
double stddev_of(const std::vector<double>& values);

}  // namespace fiokit::results
