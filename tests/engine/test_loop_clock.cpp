// LoopClock (engine/loop_clock.hpp): the I/O loop's TSC-backed clock must stay
// on now_ns()'s timeline (every reading between the now_ns() readings around
// it, give or take the drift between anchors), never go backwards, measure
// an interval as now_ns() does, and leave nothing behind it that a later
// now_ns() could read as the past. Where the kernel does not keep time with
// the TSC the clock is now_ns() itself, which the same checks hold for.
#include <catch2/catch.hpp>

#include <time.h>

#include <cstdint>

#include "engine/loop_clock.hpp"

using fiokit::engine::LoopClock;
using fiokit::engine::now_ns;

namespace {

void sleep_ms(long ms) {
  timespec ts{0, ms * 1'000'000};
  nanosleep(&ts, nullptr);
}

}  // namespace

TEST_CASE("LoopClock readings sit on now_ns()'s timeline and never go back", "[loop_clock]") {
  for (const bool use : {true, false}) {
    INFO("use=" << use << " tsc=" << (fiokit::engine::tsc_rate_fp32() != 0));
    LoopClock clk(use);
    if (!use) CHECK_FALSE(clk.uses_tsc());
    // 20 us of slack: the rate's calibration error (~1e-4) over the time
    // between two anchors, and a preemption between the three reads.
    constexpr uint64_t kSlack = 20'000;
    uint64_t prev = 0;
    for (int i = 0; i < 200'000; ++i) {  // spans many anchors (every 1024 readings)
      const uint64_t a = now_ns();
      const uint64_t t = clk.now();
      const uint64_t b = now_ns();
      REQUIRE(t >= prev);
      REQUIRE(t + kSlack >= a);
      REQUIRE(t <= b + kSlack);
      prev = t;
    }
  }
}

TEST_CASE("LoopClock measures an interval as now_ns() does", "[loop_clock]") {
  LoopClock clk(true);
  for (int i = 0; i < 3; ++i) {
    const uint64_t r0 = now_ns(), c0 = clk.now();
    sleep_ms(30);
    const uint64_t c1 = clk.now(), r1 = now_ns();
    const double real = static_cast<double>(r1 - r0), loop = static_cast<double>(c1 - c0);
    // Within 0.5% plus the reads' own spread: a wrong rate (a TSC at another
    // frequency, a unit error) is off by far more.
    CHECK(loop == Approx(real).epsilon(0.005).margin(20'000));
  }
}

TEST_CASE("After a LoopClock is gone, now_ns() is never below its last reading", "[loop_clock]") {
  for (int i = 0; i < 50; ++i) {
    uint64_t last;
    {
      LoopClock clk(true);
      for (int k = 0; k < 5000; ++k) clk.now();
      last = clk.now();
    }
    REQUIRE(now_ns() >= last);
  }
}
