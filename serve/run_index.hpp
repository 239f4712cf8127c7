// The runs a served directory holds, found and summarised once and kept in a
// snapshot that is rebuilt at most once per refresh interval (and only the
// results files whose size or mtime changed are parsed again), so the index
// page and /api/runs cost a lookup, not a directory walk plus JSON parse per
// request. Two layouts are read: a data dir with runs/<run-id>/ (fiokit), and a
// directory full of fio outputs (each *.json fio wrote, plus its logs, in the
// directory itself or one level below) as real fio leaves them.
#pragma once
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "results/log_reader.hpp"
#include "results/run_result.hpp"
#include "serve/confine.hpp"

namespace fiokit::serve {

struct LogInfo {
  std::string file;  // name inside the run directory
  results::LogName name;
  uint64_t size = 0;
};

struct RunInfo {
  std::string id;            // URL name, unique in the index
  std::string rel_dir;       // run directory relative to the root ("" = root)
  std::string results_file;  // fio JSON inside rel_dir
  std::string error;         // why the results could not be read ("" if fine)
  int64_t timestamp = 0;     // run start (JSON), else the file's mtime
  std::shared_ptr<const results::RunResult> result;  // null when error is set
  // Headline numbers: summed over jobs and directions; p99 is the worst
  // completion-latency p99 of any job and direction.
  double iops = 0;
  uint64_t bw_bytes = 0;
  uint64_t p99_clat_ns = 0;
  size_t job_count = 0;
  std::vector<LogInfo> logs;
  std::vector<std::string> plots;      // relative to the run dir, e.g. "plots/x.png"
  std::vector<std::string> job_files;  // *.fio, *.job, *.ini
  std::vector<std::string> outputs;    // text outputs: *.txt, *.out
  std::string rel_path(const std::string& file) const { return rel_dir.empty() ? file : rel_dir + "/" + file; }
};

struct IndexSnapshot {
  std::vector<std::shared_ptr<const RunInfo>> runs;  // newest first
  std::map<std::string, std::shared_ptr<const RunInfo>> by_id;
  std::string runs_json;  // the /api/runs body, rendered once per snapshot
  std::chrono::steady_clock::time_point built;
  std::shared_ptr<const RunInfo> find(const std::string& id) const;
};

class RunIndex {
 public:
  RunIndex(const Root& root, std::chrono::milliseconds refresh_interval);
  // The current snapshot; rebuilt first when older than the interval. While one
  // request rebuilds, others keep using the previous snapshot.
  std::shared_ptr<const IndexSnapshot> snapshot();

 private:
  struct Parsed {
    int64_t mtime_ns = 0;
    uint64_t size = 0;
    std::shared_ptr<const results::RunResult> result;
    std::string error;
  };
  std::shared_ptr<const IndexSnapshot> rebuild();
  void add_run_dir(const std::string& rel_dir, const std::string& id_hint, bool data_dir_layout,
                   std::vector<std::shared_ptr<RunInfo>>& out);
  const Parsed& parse_cached(const std::string& rel_file, const DirEntry& e);

  const Root& root_;
  std::chrono::milliseconds interval_;
  std::mutex build_mutex_;  // one rebuild at a time
  std::mutex snap_mutex_;   // guards snap_
  std::shared_ptr<const IndexSnapshot> snap_;
  std::map<std::string, Parsed> parsed_;  // by relative path; under build_mutex_
  std::set<std::string> seen_;            // files looked at by the current rebuild
};

}  // namespace fiokit::serve
