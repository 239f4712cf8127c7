// Latency histogram with fio's bin layout, so json+ "bins" and percentiles match
// what fio reports for the same latencies.
//
// Layout (log-linear, written from fio's documented json+ output, not its code):
// values are nanoseconds; values below 2*64 = 128 ns each get their own bin; above
// that, every power-of-two range [2^m, 2^(m+1)) is split into 64 equal bins. With
// 29 groups of 64 bins (1856 bins) the top bin starts near 2^34 ns (~17 s); larger
// values land in the last bin. A bin's representative value is its midpoint, so
// the relative error of any reported percentile is at most 1/128 (0.78%) below
// the last group. Percentiles take the first bin whose cumulative count reaches
// p% of all samples, as fio does.
//
// add() is on the I/O hot path: no allocation, no branch beyond the bin maths.
#pragma once
#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <vector>

namespace fiokit::results {

__extension__ typedef unsigned __int128 u128;

class LatencyHistogram {
 public:
  static constexpr int kBits = 6;
  static constexpr uint64_t kVal = 1u << kBits;  // bins per group
  static constexpr int kGroups = 29;
  static constexpr size_t kBins = kGroups * kVal;  // 1856

  static size_t index_of(uint64_t ns) {
    if (ns < (kVal << 1)) return static_cast<size_t>(ns);
    const int msb = 63 - std::countl_zero(ns);
    const int error_bits = msb - kBits;
    const size_t base = static_cast<size_t>(error_bits + 1) << kBits;
    const size_t offset = static_cast<size_t>((ns >> error_bits) & (kVal - 1));
    return std::min(base + offset, kBins - 1);
  }
  // Midpoint of bin idx (the value fio reports for it).
  static uint64_t value_of(size_t idx) {
    if (idx < (kVal << 1)) return idx;
    const int error_bits = static_cast<int>(idx >> kBits) - 1;
    const uint64_t base = uint64_t{1} << (error_bits + kBits);
    const uint64_t k = idx % kVal;
    return base + static_cast<uint64_t>((static_cast<double>(k) + 0.5) * static_cast<double>(uint64_t{1} << error_bits));
  }

  void add(uint64_t ns) {
    ++bins_[index_of(ns)];
    ++count_;
    if (ns < min_) min_ = ns;
    if (ns > max_) max_ = ns;
    sum_ += ns;
    sumsq_ += static_cast<u128>(ns) * ns;
  }
  void merge(const LatencyHistogram& o) {
    for (size_t i = 0; i < kBins; ++i) bins_[i] += o.bins_[i];
    count_ += o.count_;
    min_ = std::min(min_, o.min_);
    max_ = std::max(max_, o.max_);
    sum_ += o.sum_;
    sumsq_ += o.sumsq_;
  }

  // Readers rebuild a histogram from what fio's JSON keeps: bin counts (json+)
  // or counts placed at the reported percentiles, then the exact summary.
  void add_to_bin(size_t idx, uint64_t n) { bins_[std::min(idx, kBins - 1)] += n; }
  void restore_summary(uint64_t count, uint64_t min, uint64_t max, double mean, double stddev) {
    count_ = count;
    min_ = count ? min : UINT64_MAX;
    max_ = max;
    const long double n = static_cast<long double>(count);
    const long double s = std::llround(static_cast<long double>(mean) * n);
    sum_ = static_cast<uint64_t>(s);
    const long double var = static_cast<long double>(stddev) * stddev;
    const long double sq = count > 1 ? var * (n - 1) + s * s / n : s * s;
    sumsq_ = sq > 0 ? static_cast<u128>(sq) : 0;
  }

  uint64_t count() const { return count_; }
  uint64_t min() const { return count_ ? min_ : 0; }
  uint64_t max() const { return max_; }
  uint64_t sum() const { return sum_; }
  double mean() const { return count_ ? static_cast<double>(sum_) / static_cast<double>(count_) : 0.0; }
  // Sample standard deviation (n-1), as fio reports "stddev". Sums are exact
  // integers, so there is no cancellation error however many samples there are.
  double stddev() const {
    if (count_ < 2) return 0.0;
    const long double n = static_cast<long double>(count_);
    const long double s = static_cast<long double>(sum_);
    const long double var = (static_cast<long double>(sumsq_) - s * s / n) / (n - 1);
    return var > 0 ? static_cast<double>(std::sqrt(var)) : 0.0;
  }
  const std::array<uint64_t, kBins>& bins() const { return bins_; }

  // p in (0, 100]. 0 when empty.
  uint64_t percentile(double p) const {
    if (count_ == 0) return 0;
    const double want = p / 100.0 * static_cast<double>(count_);
    uint64_t seen = 0;
    for (size_t i = 0; i < kBins; ++i) {
      seen += bins_[i];
      if (static_cast<double>(seen) >= want && bins_[i]) return value_of(i);
    }
    return value_of(kBins - 1);
  }

 private:
  std::array<uint64_t, kBins> bins_{};
  uint64_t count_ = 0;
  uint64_t min_ = UINT64_MAX;
  uint64_t max_ = 0;
  uint64_t sum_ = 0;   // exact: 2^64 ns is 584 years of latency
  u128 sumsq_ = 0;
};

}  // namespace fiokit::results
