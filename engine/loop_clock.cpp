// LoopClock's slow parts (see loop_clock.hpp): whether the TSC may stand in for
// CLOCK_MONOTONIC on this machine, its rate calibrated once per process, and
// the anchors that tie a loop's readings to now_ns().
#include "engine/loop_clock.hpp"

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

namespace fiokit::engine {
namespace {

#if defined(__x86_64__)
// Ticks a (rdtsc, now_ns, rdtsc) sandwich may span and still anchor: ~2 us
// at 1 GHz and more. A wider one was preempted or interrupted between its
// reads, and its now_ns() could sit anywhere inside it.
constexpr uint64_t kMaxPairTicks = 2000;

// One anchor: the real time and the tick count at the same instant (the
// sandwich's middle); false when three tries were all too wide.
bool read_pair(uint64_t& ns, uint64_t& tsc) {
  for (int i = 0; i < 3; ++i) {
    const uint64_t a = __rdtsc();
    const uint64_t t = now_ns();
    const uint64_t b = __rdtsc();
    if (b >= a && b - a <= kMaxPairTicks) {
      ns = t;
      tsc = a + (b - a) / 2;
      return true;
    }
  }
  return false;
}

// The kernel keeps time with the TSC only when it found it invariant and
// synchronised across CPUs (its clocksource watchdog demotes it otherwise);
// the loop clock trusts it exactly then.
bool kernel_uses_tsc() {
  if (const char* env = std::getenv("FIOKIT_CLOCK"); env && std::strcmp(env, "clock_gettime") == 0) return false;
  std::ifstream cs("/sys/devices/system/clocksource/clocksource0/current_clocksource");
  std::string name;
  if (!(cs >> name) || name != "tsc") return false;
  std::ifstream cpu("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpu, line)) {
    if (line.rfind("flags", 0) != 0) continue;
    const auto has = [&](const char* f) { return (" " + line + " ").find(std::string(" ") + f + " ") != std::string::npos; };
    return has("constant_tsc") && has("nonstop_tsc");
  }
  return false;
}

uint64_t calibrate() {
  if (!kernel_uses_tsc()) return 0;
  uint64_t ns0 = 0, tsc0 = 0, ns1 = 0, tsc1 = 0;
  // 2 ms of spinning, once per process: the rate's error is then at most
  // the two anchors' spread over 2 ms (~1e-4), refined by every loop later.
  // A busy machine may spoil a few sandwiches; many spoiled ones mean the
  // reads are too slow or too disturbed to anchor anything: clock_gettime.
  int spoiled = 0;
  while (!read_pair(ns0, tsc0))
    if (++spoiled > 100) return 0;
  do {
    if (!read_pair(ns1, tsc1)) {
      if (++spoiled > 100) return 0;
      ns1 = ns0;
    }
  } while (ns1 - ns0 < 2'000'000);
  if (tsc1 <= tsc0) return 0;
  return static_cast<uint64_t>((static_cast<clock_u128>(ns1 - ns0) << 32) / (tsc1 - tsc0));
}
#endif

}  // namespace

uint64_t tsc_rate_fp32() {
#if defined(__x86_64__)
  static const uint64_t rate = calibrate();
  return rate;
#else
  return 0;
#endif
}

void LoopClock::anchor() {
#if defined(__x86_64__)
  left_ = kAnchorEvery;
  uint64_t ns, tsc;
  if (!read_pair(ns, tsc)) return;  // keep the old anchor; try again later
  if (first_ns_ == 0) {
    first_ns_ = ns;
    first_tsc_ = tsc;
  } else if (ns - first_ns_ >= 10'000'000 && tsc > first_tsc_) {
    // The rate from the pass's first anchor: over 10 ms and more its error
    // is below the calibration's, and it follows CLOCK_MONOTONIC's slewing.
    rate_ = static_cast<uint64_t>((static_cast<clock_u128>(ns - first_ns_) << 32) / (tsc - first_tsc_));
  }
  base_ns_ = ns;
  base_tsc_ = tsc;
  if (last_ < ns) last_ = ns;  // never below the real clock at an anchor
#endif
}

}  // namespace fiokit::engine
