// The member side of a cluster run (docs/cluster-protocol.md): `fiokit run
// --coordinator URL ...` and `fiokit container tool` with FIOKIT_COORDINATOR.
// The settings come from flags or the environment (member_config, exit 2
// naming what is wrong); Member talks to the coordinator over HTTP(S) with the
// bearer token: join and poll until the start time (the engine's start gate,
// engine/run.hpp RunOptions::before_start), status snapshots once a second on
// a thread of its own (the run thread never waits on the network), and at the
// end every file of the member's run directory uploaded (streamed from disk)
// and done posted. Every request is retried with backoff (250 ms doubling to
// 5 s, jittered) until the cluster timeout; 401, 409 and 410 are not.
#pragma once
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "results/run_result.hpp"

namespace fiokit::cli::cluster {

struct MemberConfig {
  std::string coordinator;   // as given, e.g. http://fiokit-serve:8000
  std::string origin;        // scheme://host:port
  std::string prefix;        // the URL's path without a trailing '/' ("" usually)
  std::string run;           // [A-Za-z0-9._-]{1,64}
  int size = 0;              // 1..1024
  int index = 0;             // 0..size-1
  std::string token;         // FIOKIT_INGEST_TOKEN
  std::chrono::milliseconds timeout{300'000};  // FIOKIT_CLUSTER_TIMEOUT
  std::string host;          // this host's name
  std::string job_sha256;    // of the job text (job_sha256 below)
  std::string ca_file;       // FIOKIT_CA_FILE: a PEM CA trusted for https besides the system's
  std::chrono::milliseconds min_backoff{250}, max_backoff{5000};
};

// Flag values as given (unset: nullopt), for `fiokit run`.
struct MemberFlags {
  std::optional<std::string> coordinator, run, size, index;
};

using GetEnv = std::function<std::optional<std::string>(const std::string&)>;

// `fiokit run`: a cluster member when --coordinator or FIOKIT_COORDINATOR is
// given; each other setting from its flag, else its variable. nullopt when
// not a cluster run (and no --cluster-* flag given). Throws cli::UsageError
// naming the flag or variable that is missing or malformed, and naming
// FIOKIT_INGEST_TOKEN when it is not set.
std::optional<MemberConfig> member_config(const MemberFlags& flags, const GetEnv& env);
// `fiokit container tool`: a member when FIOKIT_COORDINATOR,
// FIOKIT_CLUSTER_RUN, FIOKIT_CLUSTER_SIZE and JOB_COMPLETION_INDEX are all
// set; some but not all: UsageError naming the missing ones.
std::optional<MemberConfig> container_member_config(const GetEnv& env);

// sha256 (hex) of what defines the jobs: each command-line word in order, a
// job file's word replaced by the file's bytes (so the same job file at
// another path hashes the same); `texts` are (name, text) of jobs read from
// stdin. Index 0's sha256 is the run's: a member with another job is refused.
std::string job_sha256(const std::vector<std::string>& words, const std::vector<std::string>& job_files,
                       const std::vector<std::pair<std::string, std::string>>& texts);

// A cluster request that failed for good. exit_code: 2 for a 409 caused by an
// argument (size, index or job differing from the run's), else 1.
struct ClusterError : std::runtime_error {
  int exit_code;
  int status = 0;  // the coordinator's HTTP status, 0 when it gave none
  ClusterError(const std::string& message, int code, int http_status = 0)
      : std::runtime_error(message), exit_code(code), status(http_status) {}
};

// One file of the run directory, as listed in done.
struct UploadedFile {
  std::string path;  // relative, '/'-separated
  uint64_t size = 0;
};

class Member {
 public:
  explicit Member(MemberConfig config);
  ~Member();
  Member(const Member&) = delete;
  Member& operator=(const Member&) = delete;

  const MemberConfig& config() const { return config_; }
  // Joins and polls until the coordinator answers with the start time, which
  // it returns (unix ns). Returns 0 at once when *stop is raised. Throws
  // ClusterError (401, 409, 410, or no answer within the timeout).
  std::string join_request_body() const;
  int64_t join(const std::atomic<bool>* stop);
  // The measured start of I/O (RunOptions::started).
  void set_started(int64_t unix_ns) { started_ns_.store(unix_ns); }
  int64_t started() const { return started_ns_.load(); }
  // Puts "fiokit": {"cluster": {...}} into r (run, index, size, host, coordinator,
  // start_unix_ns, started_unix_ns, skew_ms, run_dir on the coordinator).
  void decorate(results::RunResult& r) const;
  // Hands a status document (json+ text) to the poster thread; the newest
  // replaces one not yet sent. Never blocks on the network.
  void post_status(std::string json);
  int statuses_posted() const { return posted_.load(); }
  // The end: stops the poster, uploads every file of run_dir (none after a
  // signal, signalled != 0) and posts done with exit_code. Returns
  // exit_code, or the ClusterError's code after printing its message.
  int finish(const std::string& run_dir, int exit_code, bool signalled);

  // Files of run_dir in upload order, relative paths the coordinator accepts;
  // those it would refuse (names outside [A-Za-z0-9._+-], hidden, deeper than
  // 6) are left out and named in *skipped.
  static std::vector<UploadedFile> list_run_files(const std::string& run_dir, std::vector<std::string>* skipped);

 private:
  void poster_loop();
  // The files the coordinator took; `error` says why the rest were not sent.
  std::vector<UploadedFile> upload(const std::string& run_dir, std::string& error);
  void upload_file(const std::string& run_dir, UploadedFile& f);
  void post_done(int exit_code, const std::string& error, const std::vector<UploadedFile>& files, std::chrono::milliseconds timeout);

  MemberConfig config_;
  int64_t start_ns_ = 0;
  std::string remote_run_dir_;
  std::atomic<int64_t> started_ns_{0};
  std::atomic<int> posted_{0};
  std::atomic<bool> started_run_{false};  // past the barrier: the poster keeps the member heard
  std::mutex m_;
  std::condition_variable cv_;
  std::optional<std::string> pending_;
  bool quit_ = false, warned_ = false;
  std::thread poster_;
};

}  // namespace fiokit::cli::cluster
