// The wall clock (CLOCK_REALTIME) as a count since the Unix epoch: what
// results.json's timestamps, the cluster's start gate and its stored runs,
// and the live pages' ages are written in. Durations use a monotonic clock
// instead (engine/run_shared.hpp's now_ns).
#pragma once
#include <time.h>

#include <cstdint>

namespace fiokit::util {

inline int64_t unix_ns_now() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

inline int64_t unix_ms_now() { return unix_ns_now() / 1'000'000; }

}  // namespace fiokit::util
