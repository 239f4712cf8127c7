// Where the live page and /metrics read a run in progress from (the files of
// docs/cluster-protocol.md): a cluster run directory (runs/<dir>/cluster.json
// for the membership and state, hosts/I/status.json for member I's latest
// status snapshot, hosts/I/results.json once it uploaded its final results),
// or a local run whose results.json is still a checkpoint ("fiokit":
// {"incomplete": true}, rewritten every second by `fiokit run --data-dir`).
//
// Cost is bounded: files are read only through Root (confined) and parsed
// only when their mtime or size changed; per file the cache keeps the two
// latest snapshots it saw (the figures of the last interval are their
// difference), at most kMaxEntries files, least recently used out first.
// Which runs to look at comes from the run index (serve/run_index.hpp), never
// from a scan of the data dir.
#pragma once
#include <atomic>
#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "serve/confine.hpp"
#include "serve/live_figures.hpp"
#include "serve/run_index.hpp"

namespace fiokit::serve {

struct ClusterMemberInfo {
  int index = 0;
  std::string host, state, error;  // state: joined | running | done | failed | missing
  int exit_code = 0;
  int64_t started_unix_ns = 0;
};

struct ClusterInfo {
  std::string run, state;  // state: joining | running | done | failed
  int size = 0;
  int64_t start_unix_ns = 0;
  std::vector<ClusterMemberInfo> members;  // as cluster.json lists them
};

// One host of a run: a cluster member, or the machine of a local run.
struct LiveHost {
  int index = 0;
  std::string host;   // the hostname it reported ("" when unknown)
  std::string state;  // a member's state; a local run: running | done
  std::shared_ptr<const HostSnapshot> cur;   // null: no snapshot yet
  std::shared_ptr<const HostSnapshot> prev;  // null: figures since the start
  bool final = false;  // cur is the host's final results (figures: the run's averages)
};

struct LiveRun {
  std::string id;
  bool cluster = false;
  // running | stalled (a checkpoint not rewritten for kStaleMs: killed, or
  // the machine stopped) | finished.
  std::string state;
  ClusterInfo info;             // cluster runs
  std::vector<LiveHost> hosts;  // by index
  int64_t changed_ms = 0;       // unix ms of the last change (cluster.json, else results.json)
  int64_t start_ms = 0;         // unix ms the I/O started (0 when unknown)
};

class LiveSource {
 public:
  static constexpr size_t kMaxEntries = 2048;
  static constexpr int64_t kStaleMs = 30'000;
  static constexpr size_t kMaxMembers = 1024;  // the protocol's cap on N

  explicit LiveSource(const Root& root) : root_(root) {}

  // The cluster state of a run directory; false when it has no readable
  // cluster.json (not a cluster run). *mtime_ms: cluster.json's.
  bool cluster_of(const RunInfo& run, ClusterInfo* out, int64_t* mtime_ms);

  // What is known of the run now. A finished local run has state
  // "finished" and no hosts (its page shows its results).
  LiveRun read(const RunInfo& run);

  // Files looked at (opened or tried) and parsed so far: the X-Fiokit-Live
  // header of /metrics and the live API, for tests and the bench.
  uint64_t looks() const;
  uint64_t parses() const;

 private:
  struct Entry {
    int64_t mtime_ns = 0;
    uint64_t size = 0;
    std::shared_ptr<const HostSnapshot> cur, prev;
    std::shared_ptr<const ClusterInfo> cluster;
  };
  // The entry for a file, updated when its mtime or size changed; false when
  // it cannot be opened or parsed.
  bool load(const std::string& rel, bool is_cluster, Entry* out);

  const Root& root_;
  mutable std::mutex m_;
  std::list<std::string> lru_;  // most recent first
  std::map<std::string, std::pair<Entry, std::list<std::string>::iterator>> entries_;
  uint64_t parses_ = 0;
  std::atomic<uint64_t> looks_{0};
};

}  // namespace fiokit::serve
