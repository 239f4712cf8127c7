// The runs a served directory holds, kept as one compact summary per run
// (serve/run_summary.hpp), never as parsed results: a data dir of 5,000 runs
// held parsed cost 782 MB and a 0.6 s rescan of every run directory each
// second. Now a check costs one stat of runs/ (at most once per refresh
// interval, whatever the request): only when runs/ changed is it listed again,
// and only run directories that are new or changed are read. Runs still being
// written (a checkpoint marked incomplete, results that do not parse yet, no
// results.json yet) are the exception: their directory and results file are
// stat'ed at each check, so a run in progress updates as it goes. A change
// within a second of a listing (mtime granularity) keeps that directory
// watched until its mtime is older than a second, so two changes in one tick
// are not lost. The run page loads a run's full results on demand (a few kept
// parsed, validated by mtime and size) through IndexSnapshot::find.
// Two layouts are read: a data dir with runs/<run-id>/ (fiokit), and a
// directory full of fio outputs (each *.json fio wrote, plus its logs, in the
// directory itself or one level below) as real fio leaves them.
#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "results/log_reader.hpp"
#include "results/run_result.hpp"
#include "serve/confine.hpp"
#include "serve/run_summary.hpp"

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
  // The parsed results: set in what IndexSnapshot::find returns (run page,
  // run API, compare), null in the index's list (IndexSnapshot::runs).
  std::shared_ptr<const results::RunResult> result;
  std::string repeats_json;  // repeats.json's text, loaded with result ("" when none)
  RunSummary summary;
  // Headline numbers (from summary): summed over jobs and directions; p99 is
  // the worst completion-latency p99 of any job and direction.
  double iops = 0;
  uint64_t bw_bytes = 0;
  uint64_t p99_clat_ns = 0;
  size_t job_count = 0;
  bool has_repeats = false;  // repeats.json beside the results
  std::vector<LogInfo> logs;
  std::vector<std::string> plots;      // relative to the run dir, e.g. "plots/x.png"
  std::vector<std::string> job_files;  // *.fio, *.job, *.ini
  std::vector<std::string> outputs;    // text outputs: *.txt, *.out
  // What the summary was made from, to notice a rewrite.
  int64_t results_mtime_ns = 0;
  uint64_t results_size = 0;
  int64_t dir_mtime_ns = 0, plots_mtime_ns = 0;
  std::string rel_path(const std::string& file) const { return rel_dir.empty() ? file : rel_dir + "/" + file; }
};

// Parsed results kept for the pages that need them, a few at a time.
class ResultCache {
 public:
  ResultCache(const Root& root, size_t max_entries, uint64_t max_file_bytes)
      : root_(root), max_entries_(max_entries), max_bytes_(max_file_bytes) {}
  // The parsed file, or null with *error set. *mtime_ns and *size are the
  // file's now, to tell whether the index's summary is stale.
  std::shared_ptr<const results::RunResult> load(const std::string& rel_file, std::string* error,
                                                 int64_t* mtime_ns, uint64_t* size);
  uint64_t parses() const { return parses_.load(); }

 private:
  struct Entry {
    std::string rel;
    int64_t mtime_ns;
    uint64_t size;
    std::shared_ptr<const results::RunResult> result;
  };
  const Root& root_;
  const size_t max_entries_;
  const uint64_t max_bytes_;  // sum of the kept files' sizes (a parse costs a few times that)
  std::mutex m_;
  std::list<Entry> lru_;  // most recent first
  std::atomic<uint64_t> parses_{0};
};

class RunIndex;

struct IndexSnapshot {
  std::vector<std::shared_ptr<const RunInfo>> runs;  // newest first; result not loaded
  std::map<std::string, std::shared_ptr<const RunInfo>> by_id;
  std::chrono::steady_clock::time_point built;
  RunIndex* index = nullptr;  // outlives every snapshot it hands out
  // The run with its results (and repeats.json) loaded; null when unknown.
  std::shared_ptr<const RunInfo> find(const std::string& id) const;
  // The run as the index keeps it (result not loaded); null when unknown.
  std::shared_ptr<const RunInfo> summary(const std::string& id) const;
  // The /api/runs body for every run, rendered on first use.
  const std::string& runs_json() const;

 private:
  mutable std::once_flag json_once_;
  mutable std::string runs_json_;
};

class RunIndex {
 public:
  RunIndex(const Root& root, std::chrono::milliseconds refresh_interval);
  ~RunIndex();
  RunIndex(const RunIndex&) = delete;
  RunIndex& operator=(const RunIndex&) = delete;
  // Builds the first snapshot on a thread of its own, so the first visitor
  // does not wait for 5,000 results files to be read (a request that comes
  // earlier waits for it instead of starting another).
  void warm_up();
  // The current snapshot; checked for changes first when the last check is
  // older than the interval. While one request checks, others keep using the
  // previous snapshot.
  std::shared_ptr<const IndexSnapshot> snapshot();
  // A sweep's sub-run by its nested id "<sweep>@<sub>" (sweep_index.hpp),
  // read from disk with its results loaded; null when the id names none.
  std::shared_ptr<const RunInfo> find_nested(const std::string& id);

  // Work done so far, for tests and the bench (X-Fiokit-Index header).
  struct Stats {
    uint64_t checks = 0;     // change checks (a stat of runs/ and of runs in progress)
    uint64_t top_lists = 0;  // listings of runs/ (or of the folder of fio outputs)
    uint64_t dir_scans = 0;  // run directories listed and summarised
    uint64_t parses = 0;     // results files parsed for a summary
    uint64_t loads = 0;      // results files parsed for a page (ResultCache)
  };
  Stats stats() const;

 private:
  friend struct IndexSnapshot;
  struct Watched {  // a results file whose run is still being written
    std::string rel;
    int64_t mtime_ns = 0;
    uint64_t size = 0;
  };
  struct DirState {
    int64_t mtime_ns = 0;
    bool racy = false;  // changed within a second of being read
    std::vector<std::shared_ptr<const RunInfo>> runs;
    std::vector<Watched> watched;
    bool watch_dir = false;  // racy, or a run in it is in progress
  };
  std::shared_ptr<const IndexSnapshot> check();
  bool check_top(const std::string& top, bool data_layout);
  bool check_watched();
  struct ScanJob {
    std::string rel, id_hint;
  };
  // Reads the directories (in parallel) and puts them into dirs_.
  void scan_dirs(const std::vector<ScanJob>& jobs, bool data_layout);
  // One directory's runs; nullopt when it is gone. Touches no member but counters.
  std::optional<DirState> read_dir(const std::string& rel_dir, const std::string& id_hint, bool data_layout,
                                   const DirState* previous);
  std::shared_ptr<const IndexSnapshot> make_snapshot();
  std::shared_ptr<const RunInfo> load(const RunInfo& r);

  const Root& root_;
  std::chrono::milliseconds interval_;
  ResultCache results_;
  std::mutex build_mutex_;  // one check at a time; guards everything below it
  int layout_ = -1;         // 1 data dir (runs/), 0 folder of fio outputs, -1 not read yet
  int64_t top_mtime_ns_ = 0;
  bool top_racy_ = false;
  std::map<std::string, DirState> dirs_;  // by rel_dir
  std::set<std::string> scanned_now_;     // rel_dirs read by the check going on
  std::mutex dirty_mutex_;
  std::set<std::string> dirty_;  // rel_dirs a page found changed; rescanned at the next check
  std::mutex snap_mutex_;        // guards snap_ and last_check_
  std::shared_ptr<const IndexSnapshot> snap_;
  std::chrono::steady_clock::time_point last_check_;
  std::atomic<uint64_t> checks_{0}, top_lists_{0}, dir_scans_{0}, parses_{0};
  std::atomic<bool> stopping_{false};
  std::thread warm_up_;
};

}  // namespace fiokit::serve
