// What the workers of one run share with each other and with the run thread:
// the stop flags, per-job live counters for progress, --status-interval
// snapshot slots, the done flags behind wait_for, and the start gate every
// worker of a segment meets once set up, and the flows of flow control. Plus now_ns(), the one clock of the
// engine (CLOCK_MONOTONIC, ns). No I/O state lives here.
#pragma once
#include <time.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "engine/flow.hpp"
#include "engine/steady_state.hpp"
#include "jobs/jobspec.hpp"
#include "results/run_result.hpp"

namespace fiokit::results {
class SeriesSink;
}

namespace fiokit::volumes {
struct Confinement;  // volumes/confine.hpp
}

namespace fiokit::engine {

inline uint64_t now_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(ts.tv_nsec);
}

// Counters a worker publishes for progress; written at sample-window time only.
struct alignas(64) LiveCounters {
  std::atomic<uint64_t> bytes[3]{}, ios[3]{};
  std::atomic<int> state{0};  // 0 waiting, 1 running, 2 done
  std::atomic<bool> stop{false};  // exitall with exit_what=group/stonewall stopped this job
};

// A one-shot gate every worker of a segment arrives at once its setup is done.
class StartGate {
 public:
  explicit StartGate(int n) : left_(n) {}
  void arrive_and_wait() {
    std::unique_lock lk(m_);
    // The last arrival releases all; the one before it wakes wait_for_others.
    if (--left_ <= 1) cv_.notify_all();
    if (left_ > 0) cv_.wait(lk, [&] { return left_ <= 0; });
  }
  // Until every party but the caller has arrived (the caller then arrives
  // last, releasing them all).
  void wait_for_others() {
    std::unique_lock lk(m_);
    cv_.wait(lk, [&] { return left_ <= 1; });
  }

 private:
  std::mutex m_;
  std::condition_variable cv_;
  int left_;
};

// State shared by the workers of one run.
struct RunShared {
  std::atomic<bool> halt{false};     // stop everything: signal, exitall with exit_what=all
  std::atomic<bool> signalled{false};
  std::string run_dir;
  results::SeriesSink* series = nullptr;  // the run directory's per-second series; null without one
  std::vector<const volumes::Confinement*> confine;  // per job index: RunOptions::confine where it applies, else null
  std::vector<LiveCounters> live;    // per job index
  std::vector<int> group_of;         // per job index: its reporting group (exit_what=group)
  std::vector<char> no_bytes;        // per job index: an engine that moves no bytes (cpuio, exec), for exit_on_io_done
  std::vector<uint64_t> buffer_seed; // per job index: its write data's seed (IoBuffers; dedupe_global reads others')

  // Stops every job: `halt` for the run thread (no later segment starts),
  // and each job's own stop flag, the one atomic a worker loads per I/O (a
  // worker that also loaded `halt` paid a second cache line on every I/O).
  void halt_all() {
    halt.store(true);
    for (auto& l : live) l.stop.store(true);
  }

  // exitall / exitall_on_error, as fio 3.33 reads exit_what (HOWTO, and
  // examples/exitwhat.fio): group stops every job of the ending job's
  // reporting group; stonewall every job running now, whatever its group,
  // and later stonewall segments still start; all stops everything, later
  // segments included (fiokit's exitall before exit_what existed).
  void terminate(int group_id, jobs::ExitWhat what) {
    if (what == jobs::ExitWhat::all) {
      halt_all();
      return;
    }
    for (size_t k = 0; k < live.size(); ++k)
      if (what == jobs::ExitWhat::stonewall ? live[k].state.load() == 1 : k < group_of.size() && group_of[k] == group_id)
        live[k].stop.store(true);
  }
  // --status-interval: the run thread bumps snap_gen; each running worker then
  // copies its result into its slot at its next progress point (<= 250 ms).
  struct Snapshot {
    std::mutex m;
    results::JobResult res;
    uint64_t gen = 0;
  };
  std::atomic<uint64_t> snap_gen{0};
  std::vector<Snapshot> snaps;       // per job index
  std::mutex done_m;
  std::condition_variable done_cv;
  std::vector<char> done;            // per job index, under done_m
  uint64_t run_start_ns = 0;
  // flow_id / flow: the run's flows and each job's member (per job index;
  // inactive for jobs without a flow weight). See engine/flow.hpp.
  FlowSet flows;
  std::vector<FlowMember> flow;
  std::vector<SteadyLive> steady;    // per job index; used by steady-state jobs only
};

}  // namespace fiokit::engine
