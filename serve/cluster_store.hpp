// A cluster run as the coordinator keeps it (docs/cluster-protocol.md): plain
// data, its JSON form (the body of GET /api/cluster/RUN and, with the same
// keys, runs/<dir>/cluster.json), the name and path rules of the protocol,
// and cluster.json read and written atomically, so a coordinator restarted
// after kill -9 carries on from what is on disk.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/wall_clock.hpp"

namespace fiokit::serve::cluster {

struct Member {
  int index = 0;
  std::string host;               // as the member reported it at join
  std::string state = "missing";  // missing | joined | running | done | failed
  int exit_code = 0;
  int64_t last_seen_ms = 0;       // unix ms of its last request; 0: never heard from
  int64_t started_unix_ns = 0;    // its measured start of I/O; 0: not reported yet
  std::string error;              // why it failed
};

struct Run {
  std::string run;                // the name members use
  std::string run_dir;            // "runs/<UTC time of the first join>-RUN", relative to the data dir
  int size = 0;
  std::string job_sha256;         // of the first member to join; every other must match
  std::string state = "joining";  // joining | running | done | failed
  int64_t created_unix_ns = 0;    // the first join
  int64_t start_unix_ns = 0;      // the barrier's start time; 0 before every member joined
  int64_t ended_unix_ns = 0;      // when the run failed or its last member ended
  std::string error;              // why the run failed
  bool finalised = false;         // results.json is the final merge
  std::vector<Member> members;    // one per index, in index order
  bool terminal() const { return state == "done" || state == "failed"; }
};

// The JSON text of a run (GET /api/cluster/RUN, cluster.json).
std::string run_to_json(const Run& r);
// Reads run_to_json's text back. Throws std::runtime_error naming the key.
Run run_from_json(std::string_view text);

// [A-Za-z0-9._-]{1,64}: the run name.
bool valid_run_name(std::string_view name);
// Empty when `path` is an acceptable member file path (relative, '/'-separated,
// at most 6 components of [A-Za-z0-9._+-]{1,128}, none starting with '.'),
// else why not.
std::string check_member_path(std::string_view path);
// The index of a query or path: decimal digits, 0..1023 and below 10^4;
// -1 when it is not a number of that form.
int parse_index(std::string_view text);

// runs/<dir>/cluster.json under data_dir, written through a temporary file
// and a rename. Throws std::system_error naming the file.
void save_run(const std::string& data_dir, const Run& r);
// Every readable runs/*/cluster.json under data_dir; unreadable ones are
// reported on stderr and skipped (never rewritten).
std::vector<Run> load_runs(const std::string& data_dir);

using util::unix_ms_now;  // util/wall_clock.hpp
using util::unix_ns_now;

}  // namespace fiokit::serve::cluster
