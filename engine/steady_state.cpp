// SteadyWindow and SteadyMonitor (see steady_state.hpp): fio 3.33's steady-state
// check, written from its HOWTO and from runs of fio 3.33 (--debug=steadystate
// shows each sample and verdict). The measured facts matched here:
// - the check runs once a second on fio's helper thread, whose clock starts
//   with fio, not with the job: a job's first sample spans from its start to
//   the first tick (fio: "rate_msec: 895" on a null job), the next ones 1 s;
//   so a job attaining ss_dur=3 stops after ~2.9 s, at the third tick;
// - a sample is 1000 * (bytes or I/Os since the last check) / (whole ms since
//   the last check), integer division, per job; with group_reporting the
//   group's running jobs' samples are summed and judged as one, and all of
//   the group's jobs stop together;
// - ss_ramp: no sample is taken until ss_ramp + 1 s after the job's epoch (its
//   I/O start, or the end of ramp_time), but the last-check time and counts
//   move at every tick, so the first sample is a full second;
// - once attained, the job stops as at the end of its runtime; a job that
//   never attains runs on and reports attained 0 with the last window.
// Not copied: fio resets its byte counters at the end of ramp_time without
// resetting the check's baseline, so its first sample after ramp_time wraps
// around; fiokit's counters never reset, and the baseline moves to the counts
// at the epoch.
#include "engine/steady_state.hpp"

#include <algorithm>
#include <cmath>

namespace fiokit::engine {

bool SteadyWindow::add(uint64_t iops, uint64_t bw) {
  const size_t n = spec_.dur_s;
  iops_.push_back(iops);
  bw_.push_back(bw);
  if (iops_.size() > n) {
    iops_.pop_front();
    bw_.pop_front();
  }
  if (iops_.size() < n) return false;
  const std::deque<uint64_t>& y = spec_.iops ? iops_ : bw_;
  uint64_t sum_y = 0, sum_xy = 0;
  for (size_t i = 0; i < n; ++i) sum_y += y[i], sum_xy += i * y[i];
  if (spec_.slope) {
    const uint64_t sum_x = n * (n - 1) / 2, sum_xx = (n - 1) * n * (2 * n - 1) / 6;
    const double dn = static_cast<double>(n);
    slope_ = (static_cast<double>(sum_xy) - static_cast<double>(sum_x) * static_cast<double>(sum_y) / dn) /
             (static_cast<double>(sum_xx) - static_cast<double>(sum_x) * static_cast<double>(sum_x) / dn);
    criterion_ = spec_.pct ? 100.0 * slope_ / static_cast<double>(sum_y / n) : slope_;
    return std::fabs(criterion_) < spec_.limit;
  }
  const double mean = static_cast<double>(sum_y) / static_cast<double>(n);
  deviation_ = 0;
  for (uint64_t v : y) deviation_ = std::max(deviation_, std::fabs(static_cast<double>(v) - mean));
  criterion_ = spec_.pct ? 100.0 * deviation_ / mean : deviation_;
  return criterion_ < spec_.limit;
}

results::SteadyStateResult SteadyWindow::result(bool attained) const {
  results::SteadyStateResult r;
  r.iops = spec_.iops;
  r.slope = spec_.slope;
  r.pct = spec_.pct;
  r.limit = spec_.limit;
  r.dur_s = spec_.dur_s;
  r.attained = attained;
  r.criterion = criterion_;
  r.deviation = deviation_;
  r.slope_value = slope_;
  r.iops_data.assign(iops_.begin(), iops_.end());
  r.bw.assign(bw_.begin(), bw_.end());
  r.iops_data.resize(spec_.dur_s, 0);
  r.bw.resize(spec_.dur_s, 0);
  return r;
}

SteadyMonitor::SteadyMonitor(const std::vector<jobs::JobSpec>& jobs, std::vector<SteadyLive>& live, uint64_t run_start_ns)
    : jobs_(jobs.size()), live_(live) {
  for (size_t i = 0; i < jobs.size(); ++i) {
    const jobs::JobSpec& j = jobs[i];
    JobState& s = jobs_[i];
    s.on = j.ss.enabled();
    if (!s.on) continue;
    enabled_ = true;
    s.group = j.group_id;
    s.group_reporting = j.group_reporting;
    s.ramp_over = j.ss.ramp_us == 0;
    s.ramp_ns = j.ss.ramp_us * 1000;
    // With group_reporting the group's last job keeps the window (fio's
    // steadystate_setup); otherwise every job keeps its own.
    s.holder = !j.group_reporting || i + 1 == jobs.size() || jobs[i + 1].group_id != j.group_id;
    if (s.holder) s.window.emplace(j.ss);
  }
  if (enabled_) next_due_ = run_start_ns + kTickNs;
}

void SteadyMonitor::check_jobs_impl(uint64_t now, const std::vector<char>& running) {
  int prev_group = -1;
  uint64_t group_bw = 0, group_iops = 0, group_ramped = 0;
  for (size_t i = 0; i < jobs_.size(); ++i) {
    JobState& s = jobs_[i];
    if (!running[i] || s.attained) continue;
    SteadyLive& l = live_[i];
    const uint64_t epoch = l.epoch_ns.load(std::memory_order_acquire);
    if (!epoch) continue;  // not doing I/O yet
    if (!s.group_reporting || s.group != prev_group) group_bw = group_iops = group_ramped = 0;
    prev_group = s.group;
    if (epoch != s.seen_epoch) {  // started, or ramp_time ended: count from here
      s.seen_epoch = s.prev_ns = epoch;
      s.prev_bytes = l.base_bytes.load(std::memory_order_relaxed);
      s.prev_ios = l.base_ios.load(std::memory_order_relaxed);
    }
    if (!s.ramp_over && now >= epoch + s.ramp_ns + kTickNs) s.ramp_over = true;
    const uint64_t bytes = l.bytes.load(std::memory_order_relaxed), ios = l.ios.load(std::memory_order_relaxed);
    const uint64_t ms = (now - s.prev_ns) / 1'000'000;
    s.prev_ns = now;
    if (s.ramp_over && ms > 0) {
      group_bw += 1000 * (bytes - s.prev_bytes) / ms;
      group_iops += 1000 * (ios - s.prev_ios) / ms;
      ++group_ramped;
    }
    s.prev_bytes = bytes;
    s.prev_ios = ios;
    if (!s.holder || !group_ramped) continue;
    if (!s.window->add(group_iops, group_bw)) continue;
    for (size_t k = 0; k < jobs_.size(); ++k) {
      if (k != i && !(s.group_reporting && jobs_[k].on && jobs_[k].group == s.group)) continue;
      jobs_[k].attained = true;
      live_[k].stop.store(true, std::memory_order_relaxed);
    }
  }
}

void SteadyMonitor::fill(std::vector<results::JobResult>& out) const {
  for (size_t i = 0; i < jobs_.size() && i < out.size(); ++i) {
    const JobState& s = jobs_[i];
    if (!s.on) continue;
    // A group's jobs all show the window of its holder, the group's last job.
    size_t h = i;
    while (!jobs_[h].holder) ++h;
    out[i].steadystate = jobs_[h].window->result(s.attained);
  }
}

}  // namespace fiokit::engine
