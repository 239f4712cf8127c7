// SeriesWindows: a job's per-second series for the run directory
// (results/series_sink.hpp), taken on the Sampler's clock. It costs nothing
// per I/O: every 1000 ms it reads the job's running counters (bytes and I/Os
// per direction) and the sums and counts its latency histograms already keep,
// and turns the differences since the previous window into the rows fio 3.33
// writes for write_bw_log / write_iops_log / write_lat_log with
// log_avg_msec=1000, so the series reads like those logs:
// - bw and iops: one row per full window that ends while the job runs (fio
//   writes none for the partial last window, nor for a window ending with
//   runtime), at the window's nominal end; the rate is the window's bytes or
//   I/Os over its length in whole ms (KiB/s truncated, as the bw samples);
// - lat, clat, slat: the window's mean latency (rounded), one row per window
//   that saw a completion, and the partial last window at the job's elapsed ms
//   (fio's finalize_logs: runtime=3500ms gives rows at 1000, 2000, 3000, 3500).
// A direction that completed nothing in a window has no row, as in fio.
#pragma once
#include <cstdint>
#include <utility>

#include "jobs/jobspec.hpp"
#include "results/run_result.hpp"

namespace fiokit::results {
class SeriesSink;
}

namespace fiokit::engine {

class SeriesWindows {
 public:
  // Registers the job with the run's sink; nullptr (no run directory) leaves
  // every call a no-op and next_ns() at UINT64_MAX.
  void open(results::SeriesSink* sink, const jobs::JobSpec& spec);
  // Statistics (re)start at `now` with `res` as they are then (job start,
  // ramp_time's end, latency_target's final run): windows count from here.
  void reset(uint64_t now, const results::JobResult& res);
  // No windows until the next reset (while ramping).
  void idle() { next_ = UINT64_MAX; }
  // The final verify phase takes no windows (as the Sampler's): pause()
  // returns what resume() puts back.
  uint64_t pause() { return std::exchange(next_, UINT64_MAX); }
  void resume(uint64_t next) { next_ = next; }
  uint64_t next_ns() const { return next_; }
  // A window end has passed (now >= next_ns()): the rows of the last window
  // end passed; several window ends without an event make one window.
  void tick(uint64_t now, uint64_t deadline_ns, const results::JobResult& res);
  // The job's I/O ended at `end_ns`: the partial last window's latency rows.
  void finish(uint64_t end_ns, const results::JobResult& res);

 private:
  struct Base {
    uint64_t bytes = 0, ios = 0;
    uint64_t n[3] = {}, sum[3] = {};  // lat, clat, slat histogram counts and sums
  };
  void take_base(const results::JobResult& res);
  void lat_rows(uint64_t t_ms, const results::JobResult& res, bool rates, uint64_t spent_ms);

  results::SeriesSink* sink_ = nullptr;
  int handle_ = -1;
  bool dirs_[3] = {};
  uint64_t stats_start_ns_ = 0, win_start_ns_ = 0, next_ = UINT64_MAX;
  uint64_t last_end_ms_ = 0;  // the last window end passed, ms from stats start
  bool rates_over_ = false;   // a window ended with runtime: no more bw/iops rows
  Base base_[3];
};

}  // namespace fiokit::engine
