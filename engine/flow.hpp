// Flow control between jobs (flow_id, flow, flow_sleep): jobs that share a
// flow_id keep their I/O counts in the ratio of their flow weights. FlowSet
// is the run's table of flows (in RunShared); FlowMember is one job clone's
// place in its flow, used by the I/O loop before every I/O. Plain counters,
// no I/O state, so a test drives it without a run.
//
// Exact numerics, with the why (fio 3.33 flow.c, observed and read; our code):
//  - A flow holds a shared counter that starts at 1 (so the first ratio has
//    no zero denominator) and the sum of its members' weights.
//  - Before each I/O (and once more when the job has nothing left, as fio
//    checks before its "all bytes issued" test), a job is held back when
//    mine / shared > weight / total_weight, both computed as doubles;
//    otherwise both counters go up by one and the I/O proceeds. Hence with
//    weights 1 and 8 and the first job rate-limited to n I/Os, the second
//    does at most 8 * (n + 1) + 1: fio's t0011 showed 2001 and 16017.
//  - Held back: with flow_sleep the job first waits for every I/O in flight,
//    then sleeps flow_sleep µs; without it, it retries at once (a busy spin:
//    fio spins too, which on a machine with fewer cores than spinning jobs
//    starves them all alike: fio 3.33 ran three such null jobs at ~60-180
//    IOPS on 2 cores, still in exact 1:2:3 ratio. fiokit yields the CPU at
//    each retry (Worker::flow_spin), so the ratios are the same and the
//    partner it waits for gets to run: t0011's rate job keeps its 1000 IOPS
//    on one CPU, where fio's falls to ~200.)
//  - Every job is a member from the start of the run, whatever its group
//    (fio registers a job when it parses it): a job whose flow partner runs
//    after a stonewall is held to its weight's share meanwhile (fio 3.33: 2
//    I/Os in a 1 s job, then it spins until its runtime ends).
//  - A job leaves when it has ended: its counter and weight are taken out of
//    the flow, so the remaining jobs keep their own ratio (fio's t0014). fio
//    does it when its main thread reaps the job, on a 10 ms tick; run.cpp
//    does the same, so a partner still running gets the same few unheld ms.
//  - numjobs clones are members each with the job's weight.
#pragma once
#include <atomic>
#include <cstdint>
#include <deque>
#include <mutex>
#include <vector>

#include "jobs/jobspec.hpp"

namespace fiokit::engine {

struct Flow {
  int id = 0;
  std::atomic<uint64_t> counter{1};
  std::atomic<uint64_t> total_weight{0};
};

class FlowMember {
 public:
  FlowMember() = default;
  FlowMember(Flow* f, uint32_t weight) : flow_(f), weight_(weight) {}
  bool active() const { return flow_ != nullptr; }
  // The check before an I/O: false when the job is to be held back; true
  // after counting the I/O in the job's and the flow's counters.
  bool admit() {
    const double mine = static_cast<double>(count_) / static_cast<double>(flow_->counter.load(std::memory_order_relaxed));
    const double share = static_cast<double>(weight_) / static_cast<double>(flow_->total_weight.load(std::memory_order_relaxed));
    if (mine > share) return false;
    flow_->counter.fetch_add(1, std::memory_order_relaxed);
    ++count_;
    return true;
  }
  // The job ended: its I/Os and weight leave the flow. Idempotent.
  void leave() {
    if (!flow_) return;
    flow_->counter.fetch_sub(count_, std::memory_order_relaxed);
    flow_->total_weight.fetch_sub(weight_, std::memory_order_relaxed);
    flow_ = nullptr;
  }
  uint64_t count() const { return count_; }

 private:
  Flow* flow_ = nullptr;
  uint32_t weight_ = 0;
  uint64_t count_ = 0;
};

class FlowSet {
 public:
  // Every job with a flow weight joins its flow_id's flow (see above: all
  // groups, from the start). Returns one member per job (inactive for flow=0).
  std::vector<FlowMember> join_all(const std::vector<jobs::JobSpec>& jobs) {
    std::vector<FlowMember> out(jobs.size());
    for (size_t i = 0; i < jobs.size(); ++i) {
      if (!jobs[i].flow) continue;
      Flow* f = find(jobs[i].flow_id);
      f->total_weight.fetch_add(jobs[i].flow);
      out[i] = FlowMember(f, jobs[i].flow);
    }
    return out;
  }

 private:
  Flow* find(int id) {
    for (auto& f : flows_)
      if (f.id == id) return &f;
    flows_.emplace_back();  // deque: members keep pointing at their flow
    flows_.back().id = id;
    return &flows_.back();
  }
  std::deque<Flow> flows_;
};

}  // namespace fiokit::engine
