// LoopClock: the I/O loop's clock for the per-I/O time stamps (start, issue,
// completion), on the same CLOCK_MONOTONIC nanosecond timeline as now_ns()
// but read from the CPU's time-stamp counter where the kernel itself keeps
// time with it. On this project's machines (KVM guests) a vDSO clock_gettime
// costs about twice a bare rdtsc (it orders the read with a fence and loops on
// the kernel's sequence lock), and at the null engine's ~70 ns per I/O the two
// reads of every I/O were over half of fiokit's CPU (perf, issue 16). fio
// 3.33 stamps its I/Os the same way: its clocksource=cpu (rdtsc) is its
// default where the TSC is invariant, as here (`fio --debug=time` prints
// "gettime: clocksource=3", the CPU clock).
//
// Exact numerics, with the why: a reading is anchor_ns + (tsc - anchor_tsc) *
// rate, where the anchor is a real now_ns() taken between two rdtsc reads no
// more than ~2 us apart (so a preemption between them cannot skew it) and
// renewed every kAnchorEvery readings; the rate (ns per tick, 32.32 fixed
// point) is calibrated once per process over 2 ms (error ~1e-4 at most: a
// 1 ms latency is off by at most ~0.1 us, far below a histogram bin's 1/64)
// and then refined by every anchor from the pass's first one, so over a long
// pass it follows CLOCK_MONOTONIC to a few ppm. A reading is never below the
// previous one nor below the latest anchor, so latencies are never negative
// even if the thread moves to a CPU whose counter is a few ticks behind.
// Where the kernel does not use the TSC as its clocksource (or the CPU's TSC
// is not invariant, or FIOKIT_CLOCK=clock_gettime is set), every reading is
// now_ns().
#pragma once
#include <cstdint>

#include "engine/run_shared.hpp"

#if defined(__x86_64__)
#include <x86intrin.h>
#endif

namespace fiokit::engine {

__extension__ typedef unsigned __int128 clock_u128;

// ns per TSC tick in 32.32 fixed point, calibrated once per process;
// 0 when the loop clock must read now_ns() (loop_clock.cpp).
uint64_t tsc_rate_fp32();

class LoopClock {
 public:
  // use=false: this loop mixes its stamps with now_ns() readings made
  // elsewhere (rate, thinktime, flow, latency_target, submit threads), so it
  // reads now_ns() itself and the two can never disagree.
  explicit LoopClock(bool use) {
#if defined(__x86_64__)
    rate_ = use ? tsc_rate_fp32() : 0;
    if (rate_) anchor();
#else
    (void)use;
#endif
  }

  // Readings made after the loop (now_ns(): the pass's end, the runtime, the
  // final windows) must not fall below its last stamp: a clock running a hair
  // fast since its last anchor is waited out (nanoseconds; capped at 1 ms).
  ~LoopClock() {
    if (!rate_) return;
    const uint64_t cap = now_ns() + 1'000'000;
    for (uint64_t t = now_ns(); t < last_ && t < cap; t = now_ns()) {
    }
  }
  LoopClock(const LoopClock&) = delete;
  LoopClock& operator=(const LoopClock&) = delete;

  uint64_t now() {
#if defined(__x86_64__)
    if (rate_) [[likely]] {
      if (--left_ == 0) [[unlikely]]
        anchor();
      const int64_t d = static_cast<int64_t>(__rdtsc() - base_tsc_);
      const uint64_t ticks = d > 0 ? static_cast<uint64_t>(d) : 0;
      uint64_t t = base_ns_ + static_cast<uint64_t>((static_cast<clock_u128>(ticks) * rate_) >> 32);
      if (t < last_) t = last_;
      last_ = t;
      return t;
    }
#endif
    return now_ns();
  }
  bool uses_tsc() const { return rate_ != 0; }

 private:
  static constexpr uint32_t kAnchorEvery = 1024;
  void anchor();  // loop_clock.cpp

  uint64_t rate_ = 0;
  uint64_t base_ns_ = 0, base_tsc_ = 0, last_ = 0;
  uint64_t first_ns_ = 0, first_tsc_ = 0;  // the pass's first anchor: the rate's baseline
  uint32_t left_ = kAnchorEvery;
};

}  // namespace fiokit::engine
