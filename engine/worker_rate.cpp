// Worker's rate checks and per-I/O rate statistics (see worker.hpp): fio
// 3.33's rate_min / rate_iops_min rule (check_min_rate), and the running
// summaries that hold the bw/iops statistics when a job logs every I/O
// (log_avg_msec=0). Kept apart from worker.cpp's loop and setup code.
#include "engine/worker.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>

#include <fmt/format.h>

namespace fiokit::engine {
namespace {
constexpr uint64_t kMs = 1'000'000;
}  // namespace

// Welford's running mean and sum of squares (as results::summarize_rate).
void Worker::add_running(RunningStat& r, double v) {
  r.min = r.n ? std::min(r.min, v) : v;
  r.max = r.n ? std::max(r.max, v) : v;
  ++r.n;
  const double delta = v - r.mean;
  r.mean += delta / static_cast<double>(r.n);
  r.m2 += delta * (v - r.mean);
}

results::RateStat Worker::rate_stat_of(const RunningStat& r) {
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
void Worker::check_min_rate(uint64_t now) {
  constexpr uint64_t kSettleMs = 2000;
  rate_min_next_ = UINT64_MAX;
  if (now < stats_start_ns + kSettleMs * kMs) {
    rate_min_next_ = stats_start_ns + kSettleMs * kMs;
    return;
  }
  for (int d = 0; d < 3; ++d) {
    const auto dir = static_cast<jobs::Dir>(d);
    const uint64_t bw_min = spec.rate_min[dir], iops_min = spec.rate_iops_min[dir];
    const uint64_t bytes = res.dirs[d].io_bytes, ios = res.dirs[d].total_ios;
    if (!spec.does(dir)) continue;
    if ((!bw_min && !iops_min) || !bytes) {
      if (bw_min || iops_min) rate_min_next_ = std::min(rate_min_next_, now + kMs);  // not started yet
      continue;
    }
    RateCheck& rc = rate_check_[d];
    if (rc.bytes || rc.ios) {
      const uint64_t spent = (now - rc.at_ns) / kMs;
      if (spent < spec.rate_cycle_ms) {
        rate_min_next_ = std::min(rate_min_next_, rc.at_ns + spec.rate_cycle_ms * kMs);
        continue;
      }
      std::string why;
      if (spec.rate[dir] || bw_min) {
        const uint64_t rate = bytes >= rc.bytes ? (bytes - rc.bytes) * 1000 / spent : 0;
        if (rate < bw_min) why = fmt::format("rate_min={}B/s not met, got {}B/s", bw_min, rate);
      } else if (ios < spec.rate_iops[dir]) {
        why = fmt::format("rate_iops_min={} not met, only performed {} IOs", spec.rate_iops[dir], ios);
      } else {
        const uint64_t rate = ios >= rc.ios ? (ios - rc.ios) * 1000 / spent : 0;
        if (rate < iops_min) why = fmt::format("rate_iops_min={} not met, got {} IOPS", iops_min, rate);
      }
      if (!why.empty()) {
        record_error(EIO, fmt::format("job '{}': {}: {} (check_min_rate)", spec.name, jobs::dir_name(dir), why));
        return;
      }
    }
    rc = RateCheck{bytes, ios, now};
    rate_min_next_ = std::min(rate_min_next_, now + spec.rate_cycle_ms * kMs);
  }
}

}  // namespace fiokit::engine
