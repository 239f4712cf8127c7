// Worker's sampling side (see worker.hpp): the bw/iops sample windows, the
// log_avg_msec windows of the latency logs, per-I/O log rows, hist log rows,
// the event clock that runs them (ramp end, deadline, progress, rate_min) and
// the --status-interval snapshots. Split from worker.cpp, which keeps setup,
// loops and the final result; the rules that match fio 3.33 are documented at
// each function.
#include "engine/worker.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "engine/job_logs.hpp"

namespace fiokit::engine {
namespace {
constexpr uint64_t kMs = 1'000'000;
double tv_sec(const timeval& tv) { return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6; }
}  // namespace

void Worker::log_io(const IoUnit& u, uint64_t now, uint64_t clat_ns, uint64_t slat_ns) {
  if (ramping) return;  // fio logs nothing before ramp_time ends
  const uint64_t t = (now - stats_start_ns) / kMs;
  if (logs_->lat()) {
    logs_->add(LogWhat::lat, t, now - u.start_ns, idx(u.dir), u.len, u.offset);
    logs_->add(LogWhat::clat, t, clat_ns, idx(u.dir), u.len, u.offset);
    if (slat_ns != UINT64_MAX) logs_->add(LogWhat::slat, t, slat_ns, idx(u.dir), u.len, u.offset);
  }
  // Observed in fio 3.33: per-I/O bw rows are len * 10^6 / clat_ns (the I/O's
  // own rate) and per-I/O iops rows are 1. They are also the job's bw / iops
  // samples then, in place of the bwavgtime / iopsavgtime windows: rate_iops=1000
  // over 2 s gives bw_samples=2001, bw_max=204800000 (4 KiB in 20 ns, the null
  // engine), bw_mean ~4e7 against bw=4000, and iops_mean=1.0 over 2000
  // samples. An odd figure, but fio's for that job file, so fiokit's too.
  if (logs_->bw()) {
    const uint64_t v = static_cast<uint64_t>(u.len) * 1000000 / std::max<uint64_t>(1, clat_ns);
    logs_->add(LogWhat::bw, t, v, idx(u.dir), u.len, u.offset);
    add_running(per_io_bw_stat_[idx(u.dir)], static_cast<double>(v));
  }
  if (logs_->iops()) {
    logs_->add(LogWhat::iops, t, 1, idx(u.dir), u.len, u.offset);
    add_running(per_io_iops_stat_[idx(u.dir)], 1.0);
  }
}

void Worker::reset_stats(uint64_t now) {
  for (auto& d : res.dirs) d = results::DirStats{};
  res.depth = results::DepthStats{};
  res.sync_total_ios = 0;
  res.sync_lat = results::LatencyHistogram{};
  stats_start_ns = now;
  for (auto& rc : rate_check_) rc = RateCheck{};
  for (auto& r : per_io_bw_stat_) r = RunningStat{};
  for (auto& r : per_io_iops_stat_) r = RunningStat{};
  bw_win_ = Window{now, {}, {}};
  iops_win_ = Window{now, {}, {}};
  bw_next_ = now + rate_window_ms(spec, LogWhat::bw) * kMs;
  for (auto& a : log_acc_) a = LogAcc{};
  log_next_ms_ = spec.log.avg_msec;
  log_next_ = log_window ? now + log_next_ms_ * kMs : UINT64_MAX;
  hist_next_ms_ = spec.log.hist_msec;
  hist_next_ = logs_ && logs_->hist() && hist_next_ms_ ? now + hist_next_ms_ * kMs : UINT64_MAX;
  iops_next_ = now + rate_window_ms(spec, LogWhat::iops) * kMs;
  rusage ru{};
  getrusage(RUSAGE_THREAD, &ru);
  ru0_ = {tv_sec(ru.ru_utime), tv_sec(ru.ru_stime), ru.ru_nvcsw, ru.ru_nivcsw, ru.ru_majflt, ru.ru_minflt};
}

// bw/iops samples as fio 3.33 takes them (stat.c __add_samples, run by its
// helper thread every bwavgtime / iopsavgtime ms), observed with the null engine
// and rate_iops (time_based runtime=3, 5 and 5.3 s; sized jobs ending at 2.3 s
// and at 75 ms; 500 and 1000 ms windows):
// - one integer sample per window and direction: KiB/s for bw (bytes/s / 1024,
//   truncated), I/Os per second for iops; a direction that completed nothing
//   in the window adds no sample ("no entries for interval");
// - only windows that end while the job runs count. fio's helper skips a job
//   that has stopped, so neither the partial last window nor a window whose end
//   coincides with the end of runtime is sampled: runtime=5 with 1000 ms
//   windows gives 4 samples, 5.3 s gives 5, a job shorter than one window none
//   (and no bw/iops line in the normal output). Never extrapolate the last,
//   partial window into a rate: a few I/Os over a few microseconds become an
//   absurd outlier (24117140 KiB/s after a steady 124063).
// - with write_bw_log / write_iops_log and log_avg_msec>0 each sample is also
//   the row of the log (see rate_window_ms), with bs 0, so the rows and
//   bw_samples / iops_samples always agree in number.
// fio's windows start when its helper thread wakes, so its row times drift by a
// few ms per window (1039, 2043, 3056 ...); ours are the nominal window ends,
// multiples of the window.
void Worker::sample_windows(uint64_t now) {
  const auto take = [&](Window& w, uint64_t& next, LogWhat what) {
    if (now < next) return;
    const uint64_t period = rate_window_ms(spec, what) * kMs;
    const uint64_t boundary = next + (now - next) / period * period;  // the last window end passed
    next = boundary + period;
    if (boundary >= deadline_ns) {  // the job's time is up: this window closes with the job
      next = UINT64_MAX;
      return;
    }
    const bool bw = what == LogWhat::bw;
    const bool log = log_window && (bw ? logs_->bw() : logs_->iops());
    // The window's length in whole ms, truncated as fio's (mtime_since): a
    // rate then reads up to 1 ms / window high (0.2% at 500 ms), in both tools.
    const uint64_t spent_ms = (now - w.start_ns) / kMs, t_ms = (boundary - stats_start_ns) / kMs;
    w.start_ns = now;
    for (int d = 0; d < 3; ++d) {
      if (!spec.does(static_cast<jobs::Dir>(d))) continue;
      const uint64_t count = bw ? res.dirs[d].io_bytes : res.dirs[d].total_ios;
      uint64_t& seen = bw ? w.bytes[d] : w.ios[d];
      const uint64_t delta = count - seen;
      seen = count;
      if (delta == 0 || spent_ms == 0) continue;
      const uint64_t rate = static_cast<uint64_t>(static_cast<results::u128>(delta) * 1000u / spent_ms / (bw ? 1024 : 1));
      (bw ? res.dirs[d].bw_kib : res.dirs[d].iops).values.push_back(static_cast<double>(rate));
      if (log) logs_->add(what, t_ms, rate, d, 0, 0);
    }
  };
  if (!per_io_bw_) take(bw_win_, bw_next_, LogWhat::bw);  // else per-I/O samples (log_io)
  if (!per_io_iops_) take(iops_win_, iops_next_, LogWhat::iops);
}

// Closes the log_avg_msec window of the lat/clat/slat logs that ended at or
// before `now` (bw/iops rows are the rate samples, see sample_windows): rows
// carry the window's nominal end (a multiple of log_avg_msec, so rows are
// exactly that far apart and never go back), values are the window's mean (or
// maximum with log_max_value). bs is 0 as in fio's windowed rows. A window that
// several periods passed without a completion becomes one row at the last
// boundary passed. The partial last window is flushed at the job's end with
// the elapsed ms as its time, as fio's finalize_logs does (runtime=5300ms with
// 1000 ms windows: ..., 5000, 5300; fio: ..., 5024, 5330); when that time does
// not advance past the previous row (the job ended within the same ms) the
// window is dropped rather than logged at a repeated time.
void Worker::close_log_window(uint64_t now, bool final) {
  const uint64_t avg = spec.log.avg_msec;
  uint64_t t_ms = log_next_ms_;
  bool write = true;
  if (final) {
    t_ms = (now - stats_start_ns) / kMs;
    write = t_ms > log_next_ms_ - avg;
  } else {
    const uint64_t late = (now - stats_start_ns) / kMs - log_next_ms_;
    t_ms += late / avg * avg;
    log_next_ms_ = t_ms + avg;
    log_next_ = stats_start_ns + log_next_ms_ * kMs;
  }
  const bool use_max = spec.log.max_value;
  for (int d = 0; d < 3; ++d) {
    if (!spec.does(static_cast<jobs::Dir>(d))) continue;
    LogAcc& a = log_acc_[d];
    if (write && logs_->lat() && a.n) {
      auto value = [&](int k) { return use_max ? a.max[k] : (a.sum[k] + a.n / 2) / a.n; };
      logs_->add(LogWhat::lat, t_ms, value(0), d, 0, 0);
      logs_->add(LogWhat::clat, t_ms, value(1), d, 0, 0);
      if (a.sum[2]) logs_->add(LogWhat::slat, t_ms, value(2), d, 0, 0);
    }
    a = LogAcc{};
  }
}

// write_hist_log: every log_hist_msec the clat counts of each direction added
// since the previous row (the sink keeps the cumulative snapshot). fio 3.33
// writes a row at a completion once log_hist_msec passed, and has none for a
// completion at the end of runtime (runtime=2, 250 ms: last row at 1751 ms, 7
// rows), so neither has fiokit: an I/O ending at the deadline adds no row.
void Worker::write_hist_rows(uint64_t now) {
  if (now >= deadline_ns) {
    hist_next_ = UINT64_MAX;
    return;
  }
  const uint64_t t_ms = (now - stats_start_ns) / kMs;
  for (int d = 0; d < 3; ++d)
    if (spec.does(static_cast<jobs::Dir>(d))) logs_->add_hist(t_ms, d, res.bs[d], res.dirs[d].clat);
  hist_next_ = std::max(hist_next_ + hist_next_ms_ * kMs, now + 1);
}

void Worker::on_event(uint64_t now) {
  if (ramping && now >= ramp_end_ns) {
    ramping = false;
    reset_stats(now);
    if (spec.runtime_us) deadline_ns = now + spec.runtime_us * 1000;  // runtime counts from the end of the ramp
  }
  if (now >= deadline_ns) halted = true;
  if (!ramping && (now >= bw_next_ || now >= iops_next_)) sample_windows(now);
  if (!ramping && now >= log_next_) close_log_window(now, false);
  if (!ramping && now >= hist_next_) write_hist_rows(now);
  if (now >= progress_next_) {
    LiveCounters& lc = shared.live[static_cast<size_t>(spec.job_index)];
    for (int d = 0; d < 3; ++d) {
      lc.bytes[d].store(res.dirs[d].io_bytes, std::memory_order_relaxed);
      lc.ios[d].store(res.dirs[d].total_ios, std::memory_order_relaxed);
    }
    progress_next_ = now + 250 * kMs;
    if (shared.snap_gen.load(std::memory_order_acquire) != snap_gen_) publish_snapshot(now);
  }
  if (!ramping && now >= rate_min_next_) check_min_rate(now);
  next_event_ns = std::min({ramping ? ramp_end_ns : UINT64_MAX, deadline_ns, ramping ? UINT64_MAX : std::min({bw_next_, iops_next_, log_next_, hist_next_}),
                            progress_next_, ramping ? UINT64_MAX : rate_min_next_});
}

// A copy of the result so far, with runtimes up to now, for --status-interval.
// Taken on this thread at a progress point, so no counter is read mid-update.
void Worker::publish_snapshot(uint64_t now) {
  snap_gen_ = shared.snap_gen.load(std::memory_order_acquire);
  auto& slot = shared.snaps[static_cast<size_t>(spec.job_index)];
  std::lock_guard lk(slot.m);
  slot.res = res;
  const uint64_t run_ms = (now > stats_start_ns && !ramping) ? (now - stats_start_ns) / kMs : 0;
  slot.res.job_runtime_ms = run_ms;
  for (int d = 0; d < 3; ++d)
    if (spec.does(static_cast<jobs::Dir>(d))) slot.res.dirs[d].runtime_ms = run_ms;
  slot.gen = snap_gen_;
}

}  // namespace fiokit::engine
