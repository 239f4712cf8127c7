// JobLogs: the one place the engine talks to results::LogSink, so a worker
// logs with one call per row and nothing about files or formats leaks into the
// I/O loop. Built without the sink (FIOKIT_HAVE_LOG_SINK unset, while
// results/log_sink.cpp is not in the build yet) every call is a no-op.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "jobs/jobspec.hpp"
#include "results/histogram.hpp"

namespace fiokit::results {
class LogSink;
}

namespace fiokit::engine {

enum class LogWhat { bw, iops, lat, clat, slat };

// The window in ms of the job's bw (what=bw) or iops (what=iops) rate samples.
// fio 3.33 (init.c, log setup): a job that writes that log with log_avg_msec=M>0
// takes its samples every M ms instead of bwavgtime/iopsavgtime, unless that
// option was given; either way each sample is also one row of the log (the log
// window is min(M, avgtime) and one sample arrives per avgtime). So
// write_bw_log + log_avg_msec=1000 over runtime=5 gives bw_samples=4, not 9.
uint64_t rate_window_ms(const jobs::JobSpec& spec, LogWhat what);

class JobLogs {
 public:
  // nullptr when the job writes no log. Throws std::system_error (from the
  // sink) when a log file cannot be created.
  static std::unique_ptr<JobLogs> open(const jobs::JobSpec& spec, const std::string& run_dir);
  // Empties the shared log files (per_job_logs=0) the jobs will append to,
  // once per run before any job opens its logs. Throws std::system_error.
  static void truncate_shared(const std::vector<jobs::JobSpec>& jobs, const std::string& run_dir);
  // The names the jobs' logs take directly in the run dir (a relative
  // "sub/x" prefix: "sub"), so no job file is copied in under one of them.
  static std::vector<std::string> run_dir_names(const std::vector<jobs::JobSpec>& jobs);
  ~JobLogs();
  bool bw() const { return bw_; }
  bool iops() const { return iops_; }
  bool lat() const { return lat_; }
  bool hist() const { return hist_; }
  // With log_avg_msec>0, a row whose time does not advance past the previous
  // row of the same log and direction is dropped: a windowed log's times always
  // increase, so plotting it never draws a vertical spike at a repeated time.
  // `prio` is the I/O's raw ioprio value (class << 13 | level) for a per-I/O
  // row; fio 3.33 writes 0 for a windowed (averaged) row.
  void add(LogWhat what, uint64_t time_ms, uint64_t value, int ddir, uint64_t bs, uint64_t offset, uint16_t prio = 0);
  // One I/O's rows of the per-I/O logs (log_avg_msec=0) at once: a row in
  // the log of each LogWhat whose bit (1 << what) is in `whats`, with
  // values[what]. Same rows as an add() each, in one entry of the sink's ring.
  void add_io(uint64_t time_ms, int ddir, uint64_t bs, uint64_t offset, uint16_t prio, unsigned whats,
              const uint64_t (&values)[5]);
  // One write_hist_log row: the clat counts added to `cumulative` since the
  // previous call for this direction (the sink keeps the difference).
  void add_hist(uint64_t time_ms, int ddir, uint64_t bs, const results::LatencyHistogram& cumulative);
  void close();

 private:
  JobLogs() = default;
  bool bw_ = false, iops_ = false, lat_ = false, hist_ = false;
  bool windowed_ = false;                // log_avg_msec > 0
  int64_t last_ms_[5][3] = {};           // time of the last row per log and direction, -1: none
  std::unique_ptr<results::LogSink> sink_;
};

}  // namespace fiokit::engine
