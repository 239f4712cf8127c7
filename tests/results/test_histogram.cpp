// LatencyHistogram invariants: bin index and value agree, percentiles are
// monotonic and within the documented 1/128 relative error of the exact value
// computed from the raw samples, merge equals adding everything to one, and the
// summary statistics are exact.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <random>

#include "fixtures.hpp"
#include "results/histogram.hpp"

using fiokit::results::LatencyHistogram;

namespace {

// fio's definition: the smallest sample with at least p% of samples <= it.
uint64_t exact_percentile(std::vector<uint64_t> v, double p) {
  std::sort(v.begin(), v.end());
  const auto rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(v.size())));
  return v[std::max<size_t>(rank, 1) - 1];
}

}  // namespace

TEST_CASE("histogram: bin index and value are consistent") {
  uint64_t prev = 0;
  for (size_t i = 0; i < LatencyHistogram::kBins; ++i) {
    const uint64_t v = LatencyHistogram::value_of(i);
    INFO("bin " << i);
    CHECK(LatencyHistogram::index_of(v) == i);
    if (i) CHECK(v > prev);
    prev = v;
  }
  // Exact below 128 ns.
  for (uint64_t ns = 0; ns < 128; ++ns) CHECK(LatencyHistogram::value_of(LatencyHistogram::index_of(ns)) == ns);
  // Within 1/128 of the value elsewhere (below the last, open-ended bin).
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> exp_dist(7.0, 33.0);
  for (int i = 0; i < 200000; ++i) {
    const auto ns = static_cast<uint64_t>(std::exp2(exp_dist(rng)));
    const double v = static_cast<double>(LatencyHistogram::value_of(LatencyHistogram::index_of(ns)));
    REQUIRE(std::fabs(v - static_cast<double>(ns)) <= static_cast<double>(ns) / 128.0 + 1);
  }
  // Values past the last group land in the last bin instead of overflowing.
  CHECK(LatencyHistogram::index_of(UINT64_MAX) == LatencyHistogram::kBins - 1);
}

TEST_CASE("histogram: percentiles monotonic and within 1/128 of the exact value") {
  std::mt19937_64 rng(42);
  fiokit::results::DirStats d;
  const auto raw = fiokit::testing::fill_dir(d, 50000, 4096, 1000, rng);
  const std::vector<double> ps = {0.1, 1, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 100};
  for (const auto* pair : {&raw.clat, &raw.slat, &raw.lat}) {
    const LatencyHistogram& h = pair == &raw.clat ? d.clat : pair == &raw.slat ? d.slat : d.lat;
    uint64_t prev = 0;
    for (double p : ps) {
      const uint64_t got = h.percentile(p);
      const uint64_t want = exact_percentile(*pair, p);
      INFO("p=" << p << " got " << got << " exact " << want);
      CHECK(got >= prev);
      CHECK(std::fabs(static_cast<double>(got) - static_cast<double>(want)) <= static_cast<double>(want) / 128.0 + 1);
      prev = got;
    }
  }
}

TEST_CASE("histogram: summary statistics are exact and merge equals one histogram") {
  std::mt19937_64 rng(3);
  std::uniform_int_distribution<uint64_t> dist(1, 5'000'000);
  LatencyHistogram a, b, all;
  std::vector<uint64_t> raw;
  for (int i = 0; i < 20000; ++i) {
    const uint64_t v = dist(rng);
    (i % 3 ? a : b).add(v);
    all.add(v);
    raw.push_back(v);
  }
  LatencyHistogram merged = a;
  merged.merge(b);
  CHECK(merged.bins() == all.bins());
  CHECK(merged.count() == all.count());
  CHECK(merged.sum() == all.sum());
  CHECK(merged.min() == *std::min_element(raw.begin(), raw.end()));
  CHECK(merged.max() == *std::max_element(raw.begin(), raw.end()));
  long double mean = 0;
  for (uint64_t v : raw) mean += v;
  mean /= raw.size();
  long double ss = 0;
  for (uint64_t v : raw) ss += (v - mean) * (v - mean);
  CHECK(merged.mean() == Approx(static_cast<double>(mean)).epsilon(1e-12));
  CHECK(merged.stddev() == Approx(static_cast<double>(std::sqrt(ss / (raw.size() - 1)))).epsilon(1e-9));
  // An empty histogram reports zeros, not UINT64_MAX.
  const LatencyHistogram empty;
  CHECK(empty.min() == 0);
  CHECK(empty.percentile(50) == 0);
  // restore_summary reproduces the statistics it was given.
  LatencyHistogram r;
  r.restore_summary(all.count(), all.min(), all.max(), all.mean(), all.stddev());
  CHECK(r.mean() == Approx(all.mean()).epsilon(1e-9));
  CHECK(r.stddev() == Approx(all.stddev()).epsilon(1e-6));
}
