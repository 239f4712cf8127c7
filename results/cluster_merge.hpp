// The exact merge of several hosts' results into one results.json (issue 18):
// what the cluster coordinator (serve/cluster_*) writes when a cluster run
// ends, and what `fiokit merge` writes from run directories or from json+
// files of real fio run on several hosts. The layout, key by key, is in
// docs/cluster-protocol.md ("The run directory the coordinator writes"):
// fio's JSON with every host's jobs in "jobs" (so every reader of fio's JSON
// reads it as a run), plus a "cluster" object with the members, the failed
// ones, the measured start skew and, per job name and direction, an
// aggregate: I/Os, bytes, IOPS and bandwidth summed, latency min/max/mean
// exact, percentiles from the SUMMED json+ bins with fio's rule (never an
// average of percentiles), and the per-host spread of IOPS.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace fiokit::results {

struct ClusterMember {
  int index = 0;
  std::string host;             // hostname the member reported
  std::string state;            // "done" | "failed" | "missing" | "running" | "joined"
  int exit_code = 0;
  std::string error;            // why it failed, empty otherwise
  int64_t started_unix_ns = 0;  // measured start of I/O, 0 if unknown
  std::string results_json;     // the member's results.json (fio json+ text), empty if none
};

struct ClusterMeta {
  std::string run;            // the cluster run's name
  int size = 0;
  int64_t start_unix_ns = 0;  // the barrier's start time, 0 if none (offline merge)
  bool incomplete = false;    // members still running (live merge)
};

// Returns the merged results.json text (see docs/cluster-protocol.md).
// Members in state done, running or joined are summed; failed and missing
// ones are listed and their jobs kept but not summed. Throws
// std::runtime_error naming the member index for a summed member's
// results_json it cannot read (a failed member's unreadable results are
// noted in its entry instead, so one broken member cannot hide the others'
// data), and std::invalid_argument for an unknown state or an index given
// twice.
std::string merge_cluster_results(const ClusterMeta& meta, const std::vector<ClusterMember>& members);

// True for the states whose results are summed into the aggregate.
bool cluster_state_summed(const std::string& state);

// The host a member's results name ("fiokit"."cluster"."host", or fio's
// per-job "hostname"), "" when they name none or cannot be read.
std::string cluster_results_host(const std::string& results_json);

}  // namespace fiokit::results
