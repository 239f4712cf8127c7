// The coordinator of cluster runs (docs/cluster-protocol.md): membership, the
// start barrier, the join timeout, members gone silent, and the end of a run.
// Every change of membership or state is written to the run's cluster.json
// before it is answered (serve/cluster_store.hpp), so a coordinator killed
// and started again on the same data dir carries on. One thread of its own
// (the ticker) checks the timeouts, keeps an incomplete results.json in the
// directory of a run in progress (at most one per live_refresh) and writes
// the final one when every member is done or failed (cluster_finalise.hpp):
// results.json has one writer, so a late checkpoint never replaces the end.
// The HTTP side (auth, bodies, files) is serve/cluster_routes.cpp.
#pragma once
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "serve/cluster_options.hpp"
#include "serve/cluster_store.hpp"

namespace fiokit::serve::cluster {

// An answer: the HTTP status and its JSON body ("" for 204).
struct Reply {
  int status = 200;
  std::string body;
};
Reply error_reply(int status, const std::string& message);

struct JoinRequest {
  int index = 0;
  int size = 0;
  std::string host;
  std::string job_sha256;
};

struct DoneFile {
  std::string path;
  uint64_t size = 0;
};
struct DoneRequest {
  int exit_code = 0;
  int64_t started_unix_ns = 0;
  std::string error;  // optional: why the member failed
  std::vector<DoneFile> files;
};

// Where a member admitted to send a file or a status writes.
struct Admission {
  std::string host_dir;  // absolute: <data>/runs/<dir>/hosts/<index>
  std::string run_dir;   // relative: runs/<dir>
};

class Coordinator {
 public:
  // Reloads every cluster.json under data_dir and starts the ticker.
  Coordinator(std::string data_dir, ClusterOptions opt);
  ~Coordinator();
  Coordinator(const Coordinator&) = delete;
  Coordinator& operator=(const Coordinator&) = delete;

  Reply join(const std::string& run, const JoinRequest& req);
  Reply state(const std::string& run);
  // A member of a started run about to send a status or a file: an error
  // reply, or where to write. Counts as its heartbeat.
  std::optional<Reply> admit(const std::string& run, int index, Admission& out);
  // A heartbeat during or after a status or an upload; started_unix_ns != 0
  // is kept as the member's measured start.
  void heard(const std::string& run, int index, int64_t started_unix_ns = 0);
  Reply done(const std::string& run, int index, const DoneRequest& req);
  // One upload of (run, index, path) at a time: false when one is in flight.
  bool claim_upload(const std::string& key);
  void release_upload(const std::string& key);
  // Stops the ticker (the destructor does too).
  void stop();
  const ClusterOptions& options() const { return opt_; }

 private:
  struct Live {
    bool dirty = true;    // something changed since the last results.json
    bool failed = false;  // the last write failed: the next waits live_refresh
    std::chrono::steady_clock::time_point written{};
  };
  Run* current(const std::string& run);  // under m_; null when the name has no run
  std::optional<Reply> admit_locked(Run*& r, const std::string& run, int index);
  Reply save_locked(Run& r, Reply ok);   // ok, or 500 naming cluster.json
  void mark_dirty_locked(const Run& r);
  void tick();
  void check_timeouts_locked(int64_t now_ns);
  void write_results(const std::string& run_dir, bool final);
  std::string host_dir(const Run& r, int index) const;

  const std::string data_dir_;
  const ClusterOptions opt_;
  std::mutex m_;
  std::map<std::string, Run> runs_;             // by run_dir: each name's latest run
  std::map<std::string, std::string> current_;  // run name -> run_dir
  std::map<std::string, Live> live_;            // by run_dir, runs not finalised
  std::set<std::string> uploads_;               // (run_dir, index, path) being received
  std::condition_variable cv_;
  bool stopping_ = false;
  bool wake_ = false;
  std::thread ticker_;
};

}  // namespace fiokit::serve::cluster
