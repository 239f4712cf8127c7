// JobLogs: the one place the engine talks to results::LogSink, so a worker
// logs with one call per row and nothing about files or formats leaks into the
// I/O loop. Built without the sink (FIOKIT_HAVE_LOG_SINK unset, while
// results/log_sink.cpp is not in the build yet) every call is a no-op.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "jobs/jobspec.hpp"
#include "results/histogram.hpp"

namespace fiokit::results {
class LogSink;
}

namespace fiokit::engine {

enum class LogWhat { bw, iops, lat, clat, slat };

class JobLogs {
 public:
  // nullptr when the job writes no log. Throws std::system_error (from the
  // sink) when a log file cannot be created.
  static std::unique_ptr<JobLogs> open(const jobs::JobSpec& spec, const std::string& run_dir);
  ~JobLogs();
  bool bw() const { return bw_; }
  bool iops() const { return iops_; }
  bool lat() const { return lat_; }
  bool hist() const { return hist_; }
  void add(LogWhat what, uint64_t time_ms, uint64_t value, int ddir, uint64_t bs, uint64_t offset);
  // One write_hist_log row: the clat counts added to `cumulative` since the
  // previous call for this direction (the sink keeps the difference).
  void add_hist(uint64_t time_ms, int ddir, uint64_t bs, const results::LatencyHistogram& cumulative);
  void close();

 private:
  JobLogs() = default;
  bool bw_ = false, iops_ = false, lat_ = false, hist_ = false;
  std::unique_ptr<results::LogSink> sink_;
};

}  // namespace fiokit::engine
