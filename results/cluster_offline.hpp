// `fiokit merge` without a coordinator: turns run directories and results
// files (fiokit's, or real fio's --output-format=json+ from several hosts)
// into the members merge_cluster_results takes, and prints the merged
// document's aggregate as a short fio-style summary. Kept out of cli/ so a
// test calls it without the binary.
#pragma once
#include <stdexcept>
#include <string>
#include <vector>

#include "results/cluster_merge.hpp"

namespace fiokit::results {

// Arguments that cannot be merged together (nothing given, a coordinator's
// run dir among other inputs): a usage error (exit 2).
struct MergeArgumentError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

struct MergeInputs {
  ClusterMeta meta;
  std::vector<ClusterMember> members;
  std::vector<std::string> sources;  // the file each member's results came from ("" if none)
};

// Each path is one member, index = its position: a run dir's results.json
// (host from a `hostname` file beside it, else what the results say, else the
// dir's name) or a results file (host: the file's stem, or its dir's name for
// a results.json). A member whose results are an incomplete checkpoint or
// hold a job with a non-zero error is "failed" (its jobs kept, not summed).
// A coordinator's run dir (cluster.json + hosts/) given alone yields its own
// members and meta. Throws MergeArgumentError as above, std::runtime_error
// naming the file for one that cannot be read or is not fio's JSON.
MergeInputs read_merge_inputs(const std::vector<std::string>& paths);

// "3 members (3 done, 0 failed), start skew 0.8 ms", then per job name and
// direction with I/O: summed IOPS and bandwidth, the per-host IOPS spread and
// p50/p99/p99.9 of clat (or lat) from the merged bins. Throws
// std::runtime_error when `merged` is not a merged document.
std::string format_merge_summary(const std::string& merged);

}  // namespace fiokit::results
