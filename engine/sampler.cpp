// Sampler (see sampler.hpp): the job's clock and everything taken on it. The
// rules that match fio 3.33 (sample windows, log rows, rate_min, runtimes) are
// documented at each function, with what was measured.
#include "engine/sampler.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <cerrno>
#include <cmath>

#include <fmt/format.h>

namespace fiokit::engine {
namespace {
constexpr uint64_t kMs = 1'000'000;
double tv_sec(const timeval& tv) { return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6; }
}  // namespace

Sampler::~Sampler() = default;

void Sampler::open_logs() {
  logs_ = JobLogs::open(spec_, shared_.run_dir);
  // fio: log_avg_msec=0 logs every I/O in the lat, bw and iops logs; >0 logs
  // one row per direction per window.
  log_each_ = logs_ && (logs_->lat() || logs_->bw() || logs_->iops()) && spec_.log.avg_msec == 0;
  log_window_ = logs_ && (logs_->lat() || logs_->bw() || logs_->iops()) && spec_.log.avg_msec > 0;
  per_io_bw_ = logs_ && logs_->bw() && spec_.log.avg_msec == 0;
  per_io_iops_ = logs_ && logs_->iops() && spec_.log.avg_msec == 0;
  series_.open(shared_.series, spec_);
}

void Sampler::close_logs() {
  if (logs_) logs_->close();
}

void Sampler::start(uint64_t now, bool min_rate) {
  start_ns_ = now;
  ramping_ = spec_.ramp_time_us > 0;
  ramp_end_ns_ = start_ns_ + spec_.ramp_time_us * 1000;
  reset_stats(start_ns_);
  if (ramping_) stats_start_ns_ = ramp_end_ns_;
  if (spec_.runtime_us) deadline_ns_ = stats_start_ns_ + spec_.runtime_us * 1000;
  progress_next_ = start_ns_;
  rate_min_next_ = min_rate ? stats_start_ns_ : UINT64_MAX;  // check_min_rate sets the next check
  if (ramping_) bw_next_ = iops_next_ = log_next_ = hist_next_ = UINT64_MAX;
  if (ramping_) series_.idle();
  next_event_ns_ = start_ns_;
  if (steady_) steady_->set_epoch(start_ns_);
  shared_.live[static_cast<size_t>(spec_.job_index)].state.store(1);
}

Sampler::Paused Sampler::pause_windows() {
  Paused p{{bw_next_, iops_next_, log_next_, hist_next_, series_.pause()}};
  bw_next_ = iops_next_ = log_next_ = hist_next_ = UINT64_MAX;
  return p;
}

void Sampler::resume_windows(const Paused& p) {
  bw_next_ = p.next[0], iops_next_ = p.next[1], log_next_ = p.next[2], hist_next_ = p.next[3];
  series_.resume(p.next[4]);
}

void Sampler::finish(uint64_t end_ns, uint64_t verify_phase_ns) {
  // No bw/iops sample for the partial last window (see sample_windows).
  if (!ramping_ && log_window_) close_log_window(end_ns, true);  // the partial last window, if it saw I/O
  if (!ramping_) series_.finish(end_ns, res_);
  const uint64_t run_ns = end_ns > stats_start_ns_ ? end_ns - stats_start_ns_ : 0;
  res_.job_runtime_ms = run_ns / kMs;
  // fio: each direction's runtime is the I/O phase; the verify phase adds to
  // the read runtime only (a write+verify job has both, summing to the job's).
  // fio 3.33 (backend.c update_runtime) keeps a direction's runtime in whole
  // µs and reports it rounded UP to ms, while job_runtime is truncated: a
  // 1000.4 ms job shows runtime 1001 and job_runtime 1000, and a job that
  // finished in 0.3 ms shows runtime 1 and bw = io_bytes / 1 ms (49152000
  // KiB/s for 48 MiB), never runtime 0 with bw 0.
  const auto ceil_ms = [](uint64_t ns) { return (ns / 1000 + 999) / 1000; };
  const uint64_t verify_ns = std::min(verify_phase_ns, run_ns);
  for (int d = 0; d < 3; ++d)
    if (spec_.does(static_cast<jobs::Dir>(d))) res_.dirs[d].runtime_ms = ceil_ms(run_ns - verify_ns);
  if (res_.dirs[0].total_ios) res_.dirs[0].runtime_ms = ceil_ms(spec_.does(jobs::Dir::read) ? run_ns : verify_ns);
  for (int d = 0; d < 3; ++d) {
    if (per_io_bw_) res_.dirs[d].bw_stat = rate_stat_of(per_io_bw_stat_[d]);
    if (per_io_iops_) res_.dirs[d].iops_stat = rate_stat_of(per_io_iops_stat_[d]);
  }
  rusage ru{};
  getrusage(RUSAGE_THREAD, &ru);
  const double secs = static_cast<double>(run_ns) / 1e9;
  if (secs > 0) {
    res_.usr_cpu = (tv_sec(ru.ru_utime) - ru0_.usr) / secs * 100.0;
    res_.sys_cpu = (tv_sec(ru.ru_stime) - ru0_.sys) / secs * 100.0;
  }
  res_.ctx = static_cast<uint64_t>((ru.ru_nvcsw - ru0_.nvcsw) + (ru.ru_nivcsw - ru0_.nivcsw));
  res_.majf = static_cast<uint64_t>(ru.ru_majflt - ru0_.majflt);
  res_.minf = static_cast<uint64_t>(ru.ru_minflt - ru0_.minflt);
  LiveCounters& lc = shared_.live[static_cast<size_t>(spec_.job_index)];
  for (int d = 0; d < 3; ++d) {
    lc.bytes[d].store(res_.dirs[d].io_bytes, std::memory_order_relaxed);
    lc.ios[d].store(res_.dirs[d].total_ios, std::memory_order_relaxed);
  }
}

// Welford's running mean and sum of squares (as results::summarize_rate).
void Sampler::add_running(RunningStat& r, double v) {
  r.min = r.n ? std::min(r.min, v) : v;
  r.max = r.n ? std::max(r.max, v) : v;
  ++r.n;
  const double delta = v - r.mean;
  r.mean += delta / static_cast<double>(r.n);
  r.m2 += delta * (v - r.mean);
}

results::RateStat Sampler::rate_stat_of(const RunningStat& r) {
  results::RateStat s;
  s.samples = r.n;
  if (!r.n) return s;
  s.min = r.min, s.max = r.max, s.mean = r.mean;
  s.stddev = r.n > 1 ? std::sqrt(r.m2 / static_cast<double>(r.n - 1)) : 0.0;
  return s;
}

// rate_min / rate_iops_min, as fio 3.33 checks them (HOWTO rate_min,
// rate_cycle; backend.c check_min_rate, run at each completion once the
// direction has done I/O), observed: no check in the first 2000 ms after the
// job's start (after ramp_time); the first completion after that only records
// a baseline (bytes, I/Os, time) per direction; each completion at least
// rate_cycle ms after a direction's baseline computes the rate over that span
// (bytes*1000/ms, truncated) and fails the job (EIO, "func=check_min_rate")
// when it is below the minimum, else moves the baseline. So an unmet minimum
// stops the job at about 2000 + rate_cycle ms, and a job of 2 s + rate_cycle
// or less never fails. fio's quirks kept: with rate= (bytes) also given, the
// bandwidth branch is taken, so rate_iops_min is not checked; with rate_iops=N
// also given, fewer than N I/Os in total fail the job. (fio restarts its clock
// at each loops= pass; fiokit measures from the job's start.)
void Sampler::check_min_rate(uint64_t now) {
  constexpr uint64_t kSettleMs = 2000;
  rate_min_next_ = UINT64_MAX;
  if (now < stats_start_ns_ + kSettleMs * kMs) {
    rate_min_next_ = stats_start_ns_ + kSettleMs * kMs;
    return;
  }
  for (int d = 0; d < 3; ++d) {
    const auto dir = static_cast<jobs::Dir>(d);
    const uint64_t bw_min = spec_.rate_min[dir], iops_min = spec_.rate_iops_min[dir];
    const uint64_t bytes = res_.dirs[d].io_bytes, ios = res_.dirs[d].total_ios;
    if (!spec_.does(dir)) continue;
    if ((!bw_min && !iops_min) || !bytes) {
      if (bw_min || iops_min) rate_min_next_ = std::min(rate_min_next_, now + kMs);  // not started yet
      continue;
    }
    RateCheck& rc = rate_check_[d];
    if (rc.bytes || rc.ios) {
      const uint64_t spent = (now - rc.at_ns) / kMs;
      if (spent < spec_.rate_cycle_ms) {
        rate_min_next_ = std::min(rate_min_next_, rc.at_ns + spec_.rate_cycle_ms * kMs);
        continue;
      }
      std::string why;
      if (spec_.rate[dir] || bw_min) {
        const uint64_t rate = bytes >= rc.bytes ? (bytes - rc.bytes) * 1000 / spent : 0;
        if (rate < bw_min) why = fmt::format("rate_min={}B/s not met, got {}B/s", bw_min, rate);
      } else if (ios < spec_.rate_iops[dir]) {
        why = fmt::format("rate_iops_min={} not met, only performed {} IOs", spec_.rate_iops[dir], ios);
      } else {
        const uint64_t rate = ios >= rc.ios ? (ios - rc.ios) * 1000 / spent : 0;
        if (rate < iops_min) why = fmt::format("rate_iops_min={} not met, got {} IOPS", iops_min, rate);
      }
      if (!why.empty()) {
        error_ = fmt::format("job '{}': {}: {} (check_min_rate)", spec_.name, jobs::dir_name(dir), why);
        return;
      }
    }
    rc = RateCheck{bytes, ios, now};
    rate_min_next_ = std::min(rate_min_next_, now + spec_.rate_cycle_ms * kMs);
  }
}

void Sampler::log_io(const IoUnit& u, uint64_t now, uint64_t clat_ns, uint64_t slat_ns) {
  if (ramping_) return;  // fio logs nothing before ramp_time ends
  const uint64_t t = (now - stats_start_ns_) / kMs;
  // Each per-I/O row carries the priority the I/O was sent with (prio /
  // prioclass, or cmdprio's pick), as fio 3.33's io_u->ioprio. All of one
  // I/O's rows go to the logs as one entry (JobLogs::add_io).
  uint64_t values[5] = {};
  unsigned whats = 0;
  const auto put = [&](LogWhat w, uint64_t v) {
    whats |= 1u << static_cast<unsigned>(w);
    values[static_cast<size_t>(w)] = v;
  };
  if (logs_->lat()) {
    put(LogWhat::lat, now - u.start_ns);
    put(LogWhat::clat, clat_ns);
    if (slat_ns != UINT64_MAX) put(LogWhat::slat, slat_ns);
  }
  // Observed in fio 3.33: per-I/O bw rows are len * 10^6 / clat_ns (the I/O's
  // own rate) and per-I/O iops rows are 1. They are also the job's bw / iops
  // samples then, in place of the bwavgtime / iopsavgtime windows: rate_iops=1000
  // over 2 s gives bw_samples=2001, bw_max=204800000 (4 KiB in 20 ns, the null
  // engine), bw_mean ~4e7 against bw=4000, and iops_mean=1.0 over 2000
  // samples. An odd figure, but fio's for that job file, so fiokit's too.
  if (logs_->bw()) {
    const uint64_t v = static_cast<uint64_t>(u.len) * 1000000 / std::max<uint64_t>(1, clat_ns);
    put(LogWhat::bw, v);
    add_running(per_io_bw_stat_[idx(u.dir)], static_cast<double>(v));
  }
  if (logs_->iops()) {
    put(LogWhat::iops, 1);
    add_running(per_io_iops_stat_[idx(u.dir)], 1.0);
  }
  logs_->add_io(t, idx(u.dir), u.len, u.offset, u.ioprio, whats, values);
}

void Sampler::reset_stats(uint64_t now) {
  for (auto& d : res_.dirs) {
    // The per-priority table (cmdprio) keeps its slots: I/Os carry indexes into it.
    std::vector<results::PrioStat> prios = std::move(d.prios);
    for (auto& p : prios) p.hist = results::LatencyHistogram{};
    d = results::DirStats{};
    d.prios = std::move(prios);
  }
  res_.depth = results::DepthStats{};
  res_.sync_total_ios = 0;
  res_.sync_lat = results::LatencyHistogram{};
  stats_start_ns_ = now;
  for (auto& rc : rate_check_) rc = RateCheck{};
  for (auto& r : per_io_bw_stat_) r = RunningStat{};
  for (auto& r : per_io_iops_stat_) r = RunningStat{};
  bw_win_ = Window{now, {}, {}};
  iops_win_ = Window{now, {}, {}};
  bw_next_ = now + rate_window_ms(spec_, LogWhat::bw) * kMs;
  for (auto& a : log_acc_) a = LogAcc{};
  log_next_ms_ = spec_.log.avg_msec;
  log_next_ = log_window_ ? now + log_next_ms_ * kMs : UINT64_MAX;
  hist_next_ms_ = spec_.log.hist_msec;
  hist_next_ = logs_ && logs_->hist() && hist_next_ms_ ? now + hist_next_ms_ * kMs : UINT64_MAX;
  iops_next_ = now + rate_window_ms(spec_, LogWhat::iops) * kMs;
  series_.reset(now, res_);
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
void Sampler::sample_windows(uint64_t now) {
  const auto take = [&](Window& w, uint64_t& next, LogWhat what) {
    if (now < next) return;
    const uint64_t period = rate_window_ms(spec_, what) * kMs;
    const uint64_t boundary = next + (now - next) / period * period;  // the last window end passed
    next = boundary + period;
    if (boundary >= deadline_ns_) {  // the job's time is up: this window closes with the job
      next = UINT64_MAX;
      return;
    }
    const bool bw = what == LogWhat::bw;
    const bool log = log_window_ && (bw ? logs_->bw() : logs_->iops());
    // The window's length in whole ms, truncated as fio's (mtime_since): a
    // rate then reads up to 1 ms / window high (0.2% at 500 ms), in both tools.
    const uint64_t spent_ms = (now - w.start_ns) / kMs, t_ms = (boundary - stats_start_ns_) / kMs;
    w.start_ns = now;
    for (int d = 0; d < 3; ++d) {
      if (!spec_.does(static_cast<jobs::Dir>(d))) continue;
      const uint64_t count = bw ? res_.dirs[d].io_bytes : res_.dirs[d].total_ios;
      uint64_t& seen = bw ? w.bytes[d] : w.ios[d];
      const uint64_t delta = count - seen;
      seen = count;
      if (delta == 0 || spent_ms == 0) continue;
      const uint64_t rate = static_cast<uint64_t>(static_cast<results::u128>(delta) * 1000u / spent_ms / (bw ? 1024 : 1));
      (bw ? res_.dirs[d].bw_kib : res_.dirs[d].iops).values.push_back(static_cast<double>(rate));
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
void Sampler::close_log_window(uint64_t now, bool final) {
  const uint64_t avg = spec_.log.avg_msec;
  uint64_t t_ms = log_next_ms_;
  bool write = true;
  if (final) {
    t_ms = (now - stats_start_ns_) / kMs;
    write = t_ms > log_next_ms_ - avg;
  } else {
    const uint64_t late = (now - stats_start_ns_) / kMs - log_next_ms_;
    t_ms += late / avg * avg;
    log_next_ms_ = t_ms + avg;
    log_next_ = stats_start_ns_ + log_next_ms_ * kMs;
  }
  const bool use_max = spec_.log.max_value;
  for (int d = 0; d < 3; ++d) {
    if (!spec_.does(static_cast<jobs::Dir>(d))) continue;
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
void Sampler::write_hist_rows(uint64_t now) {
  if (now >= deadline_ns_) {
    hist_next_ = UINT64_MAX;
    return;
  }
  const uint64_t t_ms = (now - stats_start_ns_) / kMs;
  for (int d = 0; d < 3; ++d)
    if (spec_.does(static_cast<jobs::Dir>(d))) logs_->add_hist(t_ms, d, res_.bs[d], res_.dirs[d].clat);
  hist_next_ = std::max(hist_next_ + hist_next_ms_ * kMs, now + 1);
}

void Sampler::restart(uint64_t now) {
  reset_stats(now);
  if (spec_.runtime_us) deadline_ns_ = now + spec_.runtime_us * 1000;  // runtime counts from here (fio's epoch)
  if (rate_min_next_ != UINT64_MAX) rate_min_next_ = now;
  if (steady_) steady_->set_epoch(now);  // fio's epoch moves here too
  next_event_ns_ = std::min(next_event_ns_, std::min({deadline_ns_, bw_next_, iops_next_, log_next_, hist_next_, series_.next_ns()}));
}

unsigned Sampler::on_event(uint64_t now) {
  unsigned ev = none;
  if (ramping_ && now >= ramp_end_ns_) {
    ramping_ = false;
    restart(now);
    ev |= ramp_over;
  }
  if (now >= deadline_ns_) ev |= deadline;
  if (steady_attained()) ev |= steady;
  if (!ramping_ && (now >= bw_next_ || now >= iops_next_)) sample_windows(now);
  if (!ramping_ && now >= log_next_) close_log_window(now, false);
  if (!ramping_ && now >= hist_next_) write_hist_rows(now);
  if (!ramping_ && now >= series_.next_ns()) series_.tick(now, deadline_ns_, res_);
  if (now >= progress_next_) {
    LiveCounters& lc = shared_.live[static_cast<size_t>(spec_.job_index)];
    for (int d = 0; d < 3; ++d) {
      lc.bytes[d].store(res_.dirs[d].io_bytes, std::memory_order_relaxed);
      lc.ios[d].store(res_.dirs[d].total_ios, std::memory_order_relaxed);
    }
    progress_next_ = now + 250 * kMs;
    if (shared_.snap_gen.load(std::memory_order_acquire) != snap_gen_) publish_snapshot(now);
  }
  if (!ramping_ && now >= rate_min_next_) {
    check_min_rate(now);
    if (!error_.empty()) ev |= rate_min_failed;
  }
  next_event_ns_ = std::min({ramping_ ? ramp_end_ns_ : UINT64_MAX, deadline_ns_, ramping_ ? UINT64_MAX : std::min({bw_next_, iops_next_, log_next_, hist_next_, series_.next_ns()}),
                            progress_next_, ramping_ ? UINT64_MAX : rate_min_next_});
  // A steady-state job looks for the monitor's verdict every 10 ms, so it stops
  // within ~10 ms of the tick that attained it (fio stops at once).
  if (steady_) next_event_ns_ = std::min(next_event_ns_, now + 10 * kMs);
  return ev;
}

// A copy of the result so far, with runtimes up to now, for --status-interval.
// Taken on this thread at a progress point, so no counter is read mid-update.
void Sampler::publish_snapshot(uint64_t now) {
  snap_gen_ = shared_.snap_gen.load(std::memory_order_acquire);
  auto& slot = shared_.snaps[static_cast<size_t>(spec_.job_index)];
  std::lock_guard lk(slot.m);
  slot.res = res_;
  const uint64_t run_ms = (now > stats_start_ns_ && !ramping_) ? (now - stats_start_ns_) / kMs : 0;
  slot.res.job_runtime_ms = run_ms;
  for (int d = 0; d < 3; ++d)
    if (spec_.does(static_cast<jobs::Dir>(d))) slot.res.dirs[d].runtime_ms = run_ms;
  slot.gen = snap_gen_;
}

}  // namespace fiokit::engine
