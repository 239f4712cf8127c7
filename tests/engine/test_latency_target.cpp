// LatencyTarget's search alone, on a fake clock, against the steps fio 3.33
// prints with --debug=rate on the null engine (iodepth=32, every window a
// success): depth 1, 2, 4, 8, 16, 32, then the final run at 32 and the end;
// and the ways down: a failed window halves toward the last good depth, an
// I/O over the target at percentile 100 ramps down at once and fails at 1.
#include <catch2/catch.hpp>

#include <vector>

#include "engine/latency_target.hpp"

using fiokit::engine::LatencyTarget;

namespace {
constexpr uint64_t kMs = 1'000'000;
LatencyTarget::Settings settings(uint32_t iodepth, double pct, bool run = false) {
  LatencyTarget::Settings s;
  s.target_ns = 1 * kMs;
  s.window_ns = 100 * kMs;
  s.percentile = pct;
  s.run = run;
  s.iodepth = iodepth;
  return s;
}
}  // namespace

TEST_CASE("latency target: every window met doubles the depth to iodepth, runs one final window, then ends") {
  LatencyTarget lt;
  uint64_t t = 0, ios = 0;
  lt.start(settings(32, 99), t, ios);
  std::vector<uint32_t> depths{lt.depth()};
  unsigned act = 0;
  for (int w = 0; w < 10 && !(act & LatencyTarget::done); ++w) {
    ios += 1000;
    CHECK(lt.check(t + 50 * kMs, ios) == LatencyTarget::none);  // window not over yet
    t += 100 * kMs;
    act = lt.check(t, ios);
    if (act & LatencyTarget::reset_stats) CHECK((act & LatencyTarget::quiesce));
    depths.push_back(lt.depth());
  }
  CHECK(depths == std::vector<uint32_t>{1, 2, 4, 8, 16, 32, 32, 32});
  CHECK((act & LatencyTarget::done));
}

TEST_CASE("latency target: a failed window halves toward the last good depth; latency_run never ends") {
  LatencyTarget lt;
  uint64_t t = 0, ios = 0;
  lt.start(settings(64, 90, true), t, ios);
  auto window = [&](uint64_t n, uint64_t over) {
    for (uint64_t i = 0; i < n; ++i) lt.on_complete(i < over ? 2 * kMs : kMs / 2, t, ++ios);
    t += 100 * kMs;
    return lt.check(t, ios);
  };
  CHECK(window(100, 0) == LatencyTarget::none);  // 1 -> 2
  CHECK(window(100, 5) == LatencyTarget::none);  // 95% >= 90%: 2 -> 4
  CHECK(window(100, 0) == LatencyTarget::none);  // 4 -> 8
  CHECK(lt.depth() == 8);
  CHECK(window(100, 20) == LatencyTarget::quiesce);  // 80% < 90%: down to (8 + 4) / 2
  CHECK(lt.depth() == 6);
  CHECK(window(100, 0) == LatencyTarget::none);  // high is 8 now: bisect up, (6 + 8) / 2
  CHECK(lt.depth() == 7);
  // 7 is one below high (8): three successes in a row raise high to 9.
  window(100, 0), window(100, 0);
  CHECK(lt.depth() == 7);
  window(100, 0);
  CHECK(lt.depth() == 8);  // (7 + 9) / 2
  // latency_run: an unchanged depth is not the end.
  for (int i = 0; i < 20; ++i) CHECK_FALSE((window(100, 0) & LatencyTarget::done));
}

TEST_CASE("latency target: percentile 100 ramps down at the first I/O over the target, and fails at depth 1") {
  LatencyTarget lt;
  uint64_t t = 0, ios = 0;
  lt.start(settings(16, 100), t, ios);
  CHECK(lt.on_complete(1 * kMs, t, ++ios) == LatencyTarget::none);  // at the target is within it
  CHECK(lt.on_complete(2 * kMs, t, ++ios) == LatencyTarget::fail);  // over it at depth 1
  for (int w = 0; w < 2; ++w) {  // two windows within the target: 1 -> 2 -> 4
    CHECK(lt.on_complete(kMs / 2, t, ++ios) == LatencyTarget::none);
    t += 100 * kMs;
    lt.check(t, ios);
  }
  REQUIRE(lt.depth() == 4);
  CHECK(lt.on_complete(2 * kMs, t, ++ios) == LatencyTarget::quiesce);
  CHECK(lt.depth() == 3);  // (4 + 2) / 2
  // A window without any I/O never meets the percentile.
  t += 100 * kMs;
  CHECK(lt.check(t, ios) == LatencyTarget::quiesce);
}
