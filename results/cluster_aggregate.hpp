// The per-job-name aggregate of a cluster merge (cluster_merge.hpp): sums the
// jobs of every summed host that share a name, direction by direction, and
// computes latency percentiles from the summed json+ bins. Internal to
// results/ (it speaks nlohmann's JSON, which results keeps private).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace fiokit::results::cluster_detail {

using ojson = nlohmann::ordered_json;

// One job of one member, as read from the member's results.
struct HostJob {
  int host_index = 0;
  size_t job_pos = 0;  // position in the member's "jobs" (for error messages)
  const ojson* job = nullptr;
};

// {JOBNAME: {"hosts", "jobs", "read", "write", "trim"[, "mixed"]}} in order of
// first appearance. Throws std::runtime_error naming the member, the job and
// the key for a value of the wrong type or a bin that is not one of fio's.
ojson aggregate_jobs(const std::vector<HostJob>& jobs);

// Typed reads of a member's values; a missing or null key reads as 0 (older
// fio versions lack some). `where` names the object for the message.
uint64_t u64_at(const ojson& obj, const char* key, const std::string& where);
double num_at(const ojson& obj, const char* key, const std::string& where);

}  // namespace fiokit::results::cluster_detail
