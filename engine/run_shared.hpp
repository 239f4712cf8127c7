// What the workers of one run share with each other and with the run thread:
// the stop flags, per-job live counters for progress, --status-interval
// snapshot slots, the done flags behind wait_for, and the start gate every
// worker of a segment meets once set up. Plus now_ns(), the one clock of the
// engine (CLOCK_MONOTONIC, ns). No I/O state lives here.
#pragma once
#include <time.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "engine/steady_state.hpp"
#include "results/run_result.hpp"

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
};

// A one-shot gate every worker of a segment arrives at once its setup is done.
class StartGate {
 public:
  explicit StartGate(int n) : left_(n) {}
  void arrive_and_wait() {
    std::unique_lock lk(m_);
    if (--left_ <= 0) cv_.notify_all();
    else cv_.wait(lk, [&] { return left_ <= 0; });
  }

 private:
  std::mutex m_;
  std::condition_variable cv_;
  int left_;
};

// State shared by the workers of one run.
struct RunShared {
  std::atomic<bool> halt{false};     // stop everything: signal, exitall
  std::atomic<bool> signalled{false};
  std::string run_dir;
  std::vector<LiveCounters> live;    // per job index
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
  std::vector<SteadyLive> steady;    // per job index; used by steady-state jobs only
};

}  // namespace fiokit::engine
