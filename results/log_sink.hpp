// Per-job fio-format log output (NAME_bw.N.log, _iops, _lat, _clat, _slat) fed
// from the I/O threads. Rows are handed over through a bounded in-memory buffer
// and written by a background thread that flushes at least once a second, so a
// SIGKILLed run keeps every row up to its last second and the I/O threads never
// wait on a write(2). Row format is fio's: "time_ms, value, ddir, bs, offset"
// (offset only with log_offset=1; fio 3.33 adds a priority column). Completion
// latency histogram logs (write_hist_log / log_hist_msec) are written the same
// way: "time_ms, ddir, bs, count0, ..., count1855" per window, in the bin layout
// of LatencyHistogram (fio's), merged 2^log_hist_coarseness bins to a column.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "results/histogram.hpp"

namespace fiokit::results {

enum class LogKind { bw, iops, lat, clat, slat };

struct LogRow {
  uint64_t time_ms;
  uint64_t value;   // KiB/s for bw, IOPS for iops, ns for latencies
  int ddir;         // 0 read, 1 write, 2 trim
  uint64_t bs;
  uint64_t offset;
  // The I/O's raw ioprio value (class << 13 | level), 0 for a windowed row.
  // fio 3.33 prints it as "0x%04x" with log_prio=1 and otherwise as 1 when
  // the class is realtime, 0 for any other (iolog.c, flush_samples).
  uint32_t prio;
};

// Which logs one job writes and how they are named. fio names them
// "<prefix>_<kind>.<N>.log" where N is the job's 1-based number (per_job_logs=1),
// or "<prefix>_<kind>.log" with per_job_logs=0. A shared (per_job_logs=0) file
// holds the rows of every job writing it, as in fio 3.33 (numjobs=2 of 256
// I/Os each: 512 rows): the sink appends (O_APPEND, whole rows per write, so
// clones never overwrite or split each other's rows) and the run empties the
// file once before its first job (truncate_shared).
struct LogConfig {
  std::string dir;                 // where the files go (the run directory)
  std::string bw_prefix, iops_prefix, lat_prefix;  // "" = not written
  int job_number = 1;              // N in the file name
  bool per_job = true;
  bool with_offset = false;        // log_offset=1
  std::string hist_prefix;         // write_hist_log: "<prefix>_clat_hist.<N>.log"
  int hist_coarseness = 0;         // log_hist_coarseness, 0..6
  // Part "logz" (issue 15): fio's compressed logs. With store_compressed the
  // bw/iops/lat logs are "<name>.log.fz" files in fio's stored format
  // (results/log_compress.hpp): every compress_chunk bytes of binary samples
  // (0: kDefaultCompressChunk) become one zlib stream, written as soon as it is
  // full, so memory stays at one chunk per log and a killed run keeps every
  // finished chunk. Without it logs are text, written as they go: fio's
  // log_compression only bounds the memory of logs that fio keeps until the
  // end, which fiokit never does.
  bool store_compressed = false;   // log_store_compressed=1
  uint64_t compress_chunk = 0;     // log_compression, bytes of raw samples per stream
  bool with_prio = false;          // log_prio=1: the stored samples carry the raw ioprio
  std::vector<int> writer_cpus;    // log_compression_cpus: CPUs of the log thread (empty: any)
};

// Raw sample bytes per stored zlib stream when log_store_compressed=1 is given
// without log_compression (fio then compresses its whole in-memory log at the
// end; fiokit streams in chunks of this size instead).
inline constexpr uint64_t kDefaultCompressChunk = uint64_t{1} << 20;

class LogSink {
 public:
  // Opens (creates) the files; throws std::system_error naming the path.
  // per_job files are truncated, shared ones appended to.
  static std::unique_ptr<LogSink> open(const LogConfig& cfg);
  // Empties the shared (per_job=false) files of cfg that exist; called once
  // per run before any job opens them. No-op for per_job configs. Throws
  // std::system_error naming the path.
  static void truncate_shared(const LogConfig& cfg);
  ~LogSink();
  // Called from the job's I/O thread. Appends to an in-memory chunk (no
  // allocation in steady state, no syscall); full chunks and at least one chunk
  // a second go to the writer thread.
  void append(LogKind kind, const LogRow& row);
  // One I/O's rows of the per-I/O logs (log_avg_msec=0) as one entry: a row
  // in the log of every kind whose bit (1 << LogKind) is in `kinds`, with
  // values[kind]. The same bytes as an append per row, for a quarter of the
  // I/O thread's work and ring space: the writer formats the row's time and
  // its "ddir, bs[, offset], prio" once for all of them.
  void append_io(uint64_t time_ms, int ddir, uint64_t bs, uint64_t offset, uint32_t prio, unsigned kinds,
                 const uint64_t (&values)[5]);
  // Called from the I/O thread once per log_hist_msec window with the job's
  // running (cumulative) clat histogram of direction ddir; the sink logs the
  // counts added since the previous call for that direction. Copies the bins
  // into a recycled buffer under a lock taken once per window, never per I/O.
  void append_hist(uint64_t time_ms, int ddir, uint64_t bs, const LatencyHistogram& cumulative);
  // Flushes and closes every file; called once at the end of the job.
  void close();

 private:
  LogSink();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace fiokit::results
