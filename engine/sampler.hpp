// Sampler: a job's clock and what is taken on it — ramp_time's end (stats
// reset), the runtime deadline, the bw/iops sample windows, the log windows
// and per-I/O rows of the fio-format logs, hist log rows, the rate_min check,
// progress counters and --status-interval snapshots — and the job's final
// runtimes and CPU figures. The loop reports each completion (inline, a
// couple of predictable branches) and calls on_event() only when the next
// event's time has come. It never stops the job itself: on_event() says why
// the job should stop and the worker decides.
#pragma once
#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>

#include "engine/io_engine.hpp"
#include "engine/job_logs.hpp"
#include "engine/run_shared.hpp"
#include "engine/series_windows.hpp"
#include "jobs/jobspec.hpp"
#include "results/run_result.hpp"

namespace fiokit::engine {

class Sampler {
 public:
  // What on_event() found (bit flags).
  // steady: steady state attained; ramp_over: ramp_time ended (stats restarted)
  enum Event : unsigned { none = 0, deadline = 1, rate_min_failed = 2, steady = 4, ramp_over = 8 };

  Sampler(const jobs::JobSpec& spec, results::JobResult& res, RunShared& shared) : spec_(spec), res_(res), shared_(shared) {
    if (spec.ss.enabled() && static_cast<size_t>(spec.job_index) < shared.steady.size()) steady_ = &shared.steady[static_cast<size_t>(spec.job_index)];
  }
  ~Sampler();
  // Opens the job's logs (throws std::system_error when one cannot be created).
  void open_logs();
  // The job's I/O starts at `now`: ramp, deadline, windows and checks from here.
  void start(uint64_t now, bool min_rate);

  // One completed I/O: log rows (log_avg_msec=0) or window sums (>0). kSync:
  // the engine completed it inside queue(), so it has no slat.
  template <bool kSync>
  void record(const IoUnit& u, uint64_t now, uint64_t lat) {
    if (steady_) [[unlikely]]
      steady_->add(static_cast<uint64_t>(u.result));
    if (log_each_) [[unlikely]]
      log_io(u, now, kSync ? lat : now - u.issue_ns, kSync ? UINT64_MAX : u.issue_ns - u.start_ns);
    if (log_window_) [[unlikely]] {
      // log_avg_msec: sums only; the row is formatted when the window closes.
      LogAcc& a = log_acc_[idx(u.dir)];
      const uint64_t c = kSync ? lat : now - u.issue_ns;
      ++a.n;
      a.sum[0] += lat, a.sum[1] += c;
      a.max[0] = std::max(a.max[0], lat), a.max[1] = std::max(a.max[1], c);
      if constexpr (!kSync) {
        const uint64_t s = u.issue_ns - u.start_ns;
        a.sum[2] += s, a.max[2] = std::max(a.max[2], s);
      }
    }
  }
  bool event_due(uint64_t now) const { return now >= next_event_ns_; }
  // Windows, ramp end, deadline, progress, rate_min; see Event. After
  // rate_min_failed, error() says what was not met.
  unsigned on_event(uint64_t now);
  const std::string& error() const { return error_; }

  bool ramping() const { return ramping_; }
  // Statistics start over at `now`, as at ramp_time's end (fio's
  // reset_all_stats + reset_io_stats): results, windows, CPU figures, and
  // runtime counted from here. latency_target's final run uses it.
  void restart(uint64_t now);
  // The steady-state monitor asked this job to stop (see steady_state.hpp).
  bool steady_attained() const { return steady_ && steady_->stop.load(std::memory_order_relaxed); }
  uint64_t deadline_ns() const { return deadline_ns_; }
  uint64_t stats_start_ns() const { return stats_start_ns_; }

  // The final verify phase takes no bw/iops samples and writes no windowed
  // log rows (fio); its per-I/O rows are still written.
  struct Paused {
    uint64_t next[5];
  };
  Paused pause_windows();
  void resume_windows(const Paused& p);

  // The I/O is over at `end_ns`: the last partial log window, runtimes (the
  // final verify phase's time, verify_ns, is read time only), per-I/O rate
  // statistics, CPU use and the final progress counters.
  void finish(uint64_t end_ns, uint64_t verify_ns);
  void close_logs();

 private:
  void log_io(const IoUnit& u, uint64_t now, uint64_t clat_ns, uint64_t slat_ns);
  void reset_stats(uint64_t now);
  void sample_windows(uint64_t now);
  void close_log_window(uint64_t now, bool final);
  void write_hist_rows(uint64_t now);
  void check_min_rate(uint64_t now);
  void publish_snapshot(uint64_t now);

  const jobs::JobSpec& spec_;
  results::JobResult& res_;
  RunShared& shared_;
  std::unique_ptr<JobLogs> logs_;
  SeriesWindows series_;  // the run directory's per-second series (series_windows.hpp)
  SteadyLive* steady_ = nullptr;  // this job's slot when it has ss_dur
  bool log_each_ = false, log_window_ = false;  // per-I/O rows / windowed rows in the lat, bw, iops logs
  bool ramping_ = false;
  uint64_t next_event_ns_ = 0;
  uint64_t start_ns_ = 0, stats_start_ns_ = 0, ramp_end_ns_ = 0, deadline_ns_ = UINT64_MAX;
  std::string error_;

  struct Window {
    uint64_t start_ns = 0, bytes[3] = {}, ios[3] = {};
  } bw_win_, iops_win_;
  uint64_t bw_next_ = UINT64_MAX, iops_next_ = UINT64_MAX, progress_next_ = UINT64_MAX, rate_min_next_ = UINT64_MAX;
  uint64_t snap_gen_ = 0;  // last snapshot generation published
  // check_min_rate's baseline per direction.
  struct RateCheck {
    uint64_t bytes = 0, ios = 0, at_ns = 0;
  } rate_check_[3];
  // write_bw_log / write_iops_log with log_avg_msec=0: fio 3.33's bw / iops
  // statistics are then per I/O, the log's rows (log_io), kept as running
  // sums so a long run holds no per-I/O vector.
  struct RunningStat {
    uint64_t n = 0;
    double mean = 0, m2 = 0, min = 0, max = 0;
  } per_io_bw_stat_[3], per_io_iops_stat_[3];
  bool per_io_bw_ = false, per_io_iops_ = false;
  static void add_running(RunningStat& r, double v);
  static results::RateStat rate_stat_of(const RunningStat& r);
  // log_avg_msec windows: latency sums/maxima (lat, clat, slat) per direction
  // (the bw/iops rows are the rate samples themselves).
  struct LogAcc {
    uint64_t n = 0, sum[3] = {}, max[3] = {};
  } log_acc_[3];
  uint64_t log_next_ = UINT64_MAX, log_next_ms_ = 0, hist_next_ = UINT64_MAX, hist_next_ms_ = 0;
  struct RusageSnap {
    double usr = 0, sys = 0;
    long nvcsw = 0, nivcsw = 0, majflt = 0, minflt = 0;
  } ru0_;
};

}  // namespace fiokit::engine
