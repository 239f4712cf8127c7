// Steady-state termination (fio 3.33 HOWTO "Steady state": steadystate=,
// ss_dur=, ss_ramp=). SteadyWindow is the criterion alone: the last ss_dur
// one-second samples and the slope or deviation test over them, testable
// without threads. SteadyMonitor is fio's once-a-second check over the running
// jobs, run by the run thread (run.cpp), as fio runs it on its helper thread:
// it reads the counters each worker publishes (SteadyLive), sums a group's
// jobs under group_reporting, feeds the window and asks the jobs to stop when
// the criterion holds; at the end it hands each job its "steadystate" block.
#pragma once
#include <atomic>
#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "jobs/jobspec.hpp"
#include "results/run_result.hpp"

namespace fiokit::engine {

// What a worker of a steady-state job publishes for the monitor, and the
// monitor's answer. Written by the worker per completion (relaxed: one
// writer, read once a second), so it lives apart from LiveCounters.
struct alignas(64) SteadyLive {
  std::atomic<uint64_t> bytes{0}, ios{0};  // since the job's start, never reset
  // The job's epoch (I/O start, moved to the end of ramp_time as fio's is) and
  // the counts at that moment; epoch 0 until the job starts its I/O.
  std::atomic<uint64_t> base_bytes{0}, base_ios{0}, epoch_ns{0};
  std::atomic<bool> stop{false};  // set by the monitor: steady state attained
  void add(uint64_t n) {
    bytes.store(bytes.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
    ios.store(ios.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }
  void set_epoch(uint64_t now) {
    base_bytes.store(bytes.load(std::memory_order_relaxed), std::memory_order_relaxed);
    base_ios.store(ios.load(std::memory_order_relaxed), std::memory_order_relaxed);
    epoch_ns.store(now, std::memory_order_release);
  }
};

// The sliding window of one steady-state check (one job, or one group).
//
// Exact numerics, with the why (fio 3.33, steadystate.c, matched so that the
// same samples give the same verdict and the same JSON figures):
// - samples are integers (IOPS, bytes/s), x = 0..n-1 oldest first, n = ss_dur;
//   nothing is judged until n samples were taken;
// - slope: the least-squares slope from the integer sums,
//   (Sxy - Sx*Sy/n) / (Sxx - Sx*Sx/n) in double; in percent it is divided by
//   the mean truncated to an integer (fio divides two integers there), and the
//   test is |criterion| < limit. n = 1 gives 0/0: never attained, as in fio;
// - deviation: the largest |y - mean| with a double mean; in percent over the
//   mean; the test is criterion < limit;
// - the figure not judged (deviation for slope criteria, slope for deviation
//   ones) stays 0, and all stay 0 until the window is full.
class SteadyWindow {
 public:
  explicit SteadyWindow(const jobs::SteadyStateSpec& spec) : spec_(spec) {}
  // One second's sample; true when the criterion holds over a full window.
  bool add(uint64_t iops, uint64_t bw);
  // The "steadystate" block: data oldest first, zero-padded to ss_dur.
  results::SteadyStateResult result(bool attained) const;
  double criterion() const { return criterion_; }

 private:
  jobs::SteadyStateSpec spec_;
  std::deque<uint64_t> iops_, bw_;
  double slope_ = 0, deviation_ = 0, criterion_ = 0;
};

class SteadyMonitor {
 public:
  // live: one per job index (RunShared::steady).
  SteadyMonitor(const std::vector<jobs::JobSpec>& jobs, std::vector<SteadyLive>& live, uint64_t run_start_ns);
  bool enabled() const { return enabled_; }
  uint64_t next_due() const { return next_due_; }  // ns; UINT64_MAX when off
  // The once-a-second check; `running(i)` says whether job i is doing I/O.
  template <class Running>
  void check(uint64_t now, Running running) {
    if (now < next_due_) return;
    while (next_due_ <= now) next_due_ += kTickNs;
    check_jobs(now, [&](size_t i) { return running(i); });
  }
  // Each steady-state job's "steadystate" block (indexed like the jobs).
  void fill(std::vector<results::JobResult>& out) const;

  static constexpr uint64_t kTickNs = 1'000'000'000;  // fio's STEADYSTATE_MSEC

 private:
  struct JobState {
    bool on = false, holder = false, group_reporting = false, ramp_over = false, attained = false;
    int group = 0;
    uint64_t ramp_ns = 0, seen_epoch = 0, prev_ns = 0, prev_bytes = 0, prev_ios = 0;
    std::optional<SteadyWindow> window;  // holders only
  };
  template <class F>
  void check_jobs(uint64_t now, F running);
  void check_jobs_impl(uint64_t now, const std::vector<char>& running);

  std::vector<JobState> jobs_;
  std::vector<SteadyLive>& live_;
  bool enabled_ = false;
  uint64_t next_due_ = UINT64_MAX;
};

template <class F>
void SteadyMonitor::check_jobs(uint64_t now, F running) {
  std::vector<char> r(jobs_.size());
  for (size_t i = 0; i < jobs_.size(); ++i) r[i] = jobs_[i].on && running(i);
  check_jobs_impl(now, r);
}

}  // namespace fiokit::engine
