// SeriesSink: the per-second time series every job of a run directory gets
// (issue 17 item 1), whether or not its job file asks for logs, so plot, serve
// and the aio image always have graphs. The series are fio-format logs with
// the columns of log_avg_msec=1000 ("time_ms, value, ddir, 0, 0": bs 0 marks a
// windowed row) under RUN/series/, one file per job and kind
// (<job>_bw.<N>.log, _iops, _lat, _clat, and _slat for engines that measure
// it), so every reader of fio logs (plot, serve, compare) reads them unchanged.
// One sink serves the whole run: the jobs hand it a few rows per second each
// (a window's rows at once, under one lock), and one background thread writes
// what has come every kFlushInterval in whole lines, so the I/O threads never
// wait on a write(2) and a kill -9 leaves whole lines up to the last flush.
// Memory is bounded: rows waiting to be written are capped (kMaxPendingBytes),
// beyond which they are dropped and the loss reported by close().
// Files are created on their first row, so a kind a job never measures (slat
// of a sync engine) leaves no empty file.
#pragma once
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "results/log_sink.hpp"

namespace fiokit::results {

// The name of a run directory's series folder, and the window of its rows.
inline constexpr const char* kSeriesDir = "series";
inline constexpr uint64_t kSeriesWindowMs = 1000;

struct SeriesRow {
  LogKind kind;
  uint64_t time_ms;
  uint64_t value;  // KiB/s, IOPS or ns (mean over the window)
  int ddir;        // 0 read, 1 write, 2 trim
};

class SeriesSink {
 public:
  // `dir` is the series folder (RUN/series); it is created here. Throws
  // std::system_error naming the folder when it cannot be.
  static std::unique_ptr<SeriesSink> open(const std::string& dir);
  ~SeriesSink();
  // Registers a job; its files are "<name>_<kind>.<number>.log", with any '/'
  // (and a leading '.') in the job name made '_' so the file stays in the
  // folder. Returns the handle append() takes. Thread-safe.
  int add_job(const std::string& job_name, int number);
  // One window's rows of a job. Thread-safe; formats under the sink's lock (a
  // few rows a second per job), never blocks on I/O.
  void append(int job, std::span<const SeriesRow> rows);
  // Writes what is left, stops the writer and closes the files. Throws
  // std::system_error naming the file for the first write that failed (or
  // rows that were dropped). Called once, after every job ended.
  void close();
  // The file name a job's series of `kind` gets (no folder).
  static std::string file_name(const std::string& job_name, int number, LogKind kind);

 private:
  SeriesSink();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace fiokit::results
