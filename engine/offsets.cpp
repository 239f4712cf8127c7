// Non-uniform block distributions (see offsets.hpp). Formulas from the
// literature, not from fio's code: zipf by Gray et al., "Quickly Generating
// Billion-Record Synthetic Databases" (SIGMOD 1994); pareto as the same paper's
// self-similar distribution (fraction h of the accesses go to 1-h of the blocks);
// normal as fio 3.33 shapes it (a central-limit bell plus a uniform jitter, see
// offsets.hpp), since its "deviation" is not a gaussian's stddev.
#include "engine/offsets.hpp"

#include <algorithm>

namespace fiokit::engine {
namespace {

// zeta(n, theta) = sum_{i=1..n} i^-theta. Summed exactly up to 10M terms; the
// tail is the integral of x^-theta, whose error is below 1e-7 relative there.
double zeta(uint64_t n, double theta) {
  const uint64_t exact = std::min<uint64_t>(n, 10'000'000);
  double s = 0;
  for (uint64_t i = 1; i <= exact; ++i) s += std::pow(static_cast<double>(i), -theta);
  if (n > exact) {
    const double a = static_cast<double>(exact) + 0.5, b = static_cast<double>(n) + 0.5;
    s += theta == 1.0 ? std::log(b / a) : (std::pow(b, 1 - theta) - std::pow(a, 1 - theta)) / (1 - theta);
  }
  return s;
}

}  // namespace

void Tausworthe::seed(uint64_t s, bool wide) {
  wide_ = wide;
  // Each component's state must exceed its minimum (below it the component is
  // stuck): 1, 7, 15 for taus88; 1, 511, 4095, 131071, 8388607 for lfsr258.
  static constexpr uint32_t kMin32[3] = {1, 7, 15};
  static constexpr uint64_t kMin64[5] = {1, 511, 4095, 131071, 8388607};
  for (int i = 0; i < 3; ++i) {
    s = mix64(s + 0x9e3779b97f4a7c15ull);
    t_[i] = static_cast<uint32_t>(s);
    if (t_[i] <= kMin32[i]) t_[i] += kMin32[i] + 1;
  }
  for (int i = 0; i < 5; ++i) {
    s = mix64(s + 0x9e3779b97f4a7c15ull);
    z_[i] = s;
    if (z_[i] <= kMin64[i]) z_[i] += kMin64[i] + 1;
  }
  // Discard a few outputs so nearby seeds do not start alike.
  for (int i = 0; i < 10; ++i) (void)next();
}

void RandomMap::init(uint64_t n) {
  n_ = std::max<uint64_t>(1, n);
  levels_.clear();
  uint64_t bits = n_;
  do {
    levels_.emplace_back((bits + 63) / 64, 0);
    bits = levels_.back().size();
  } while (levels_.back().size() > 1);
  clear();
}

void RandomMap::clear() {
  // Bits past the end of each level count as set, so a word is full exactly
  // when all of its real blocks are done.
  uint64_t bits = n_;
  for (auto& lv : levels_) {
    std::fill(lv.begin(), lv.end(), 0);
    if (bits % 64) lv.back() = ~uint64_t{0} << (bits % 64);
    bits = lv.size();
  }
  for (size_t k = 0; k + 1 < levels_.size(); ++k)
    if (levels_[k].back() == ~uint64_t{0}) levels_[k + 1][(levels_[k].size() - 1) >> 6] |= uint64_t{1} << ((levels_[k].size() - 1) & 63);
}

void RandomMap::set_bit(uint64_t b) {
  for (size_t k = 0; k < levels_.size(); ++k) {
    uint64_t& w = levels_[k][b >> 6];
    w |= uint64_t{1} << (b & 63);
    if (w != ~uint64_t{0}) return;
    b >>= 6;  // this word is full: mark it in the level above
  }
}

uint64_t RandomMap::first_clear(size_t level, uint64_t pos) const {
  const auto& lv = levels_[level];
  uint64_t w = pos >> 6;
  if (w >= lv.size()) return kNone;
  if (const uint64_t m = ~lv[w] & (~uint64_t{0} << (pos & 63))) return (w << 6) + static_cast<uint64_t>(std::countr_zero(m));
  if (level + 1 == levels_.size()) return kNone;  // the top level is one word
  w = first_clear(level + 1, w + 1);
  if (w == kNone || w >= lv.size()) return kNone;
  return (w << 6) + static_cast<uint64_t>(std::countr_zero(~lv[w]));
}

uint64_t RandomMap::next_free(uint64_t b) const {
  const uint64_t r = first_clear(0, b);
  return r != kNone || b == 0 ? r : first_clear(0, 0);
}

uint64_t RandomMap::set_run(uint64_t b, uint64_t count) {
  uint64_t k = 0;
  for (; k < count && b + k < n_ && !test(b + k); ++k) set_bit(b + k);
  return k;
}

uint64_t Lfsr::taps_mask(int bits) {
  // XAPP052 Table 3: tap positions (1-based) of a maximal-length LFSR per width.
  static constexpr uint8_t kTaps[65][6] = {
      {}, {}, {}, {3, 2}, {4, 3}, {5, 3}, {6, 5}, {7, 6}, {8, 6, 5, 4}, {9, 5}, {10, 7}, {11, 9}, {12, 6, 4, 1},
      {13, 4, 3, 1}, {14, 5, 3, 1}, {15, 14}, {16, 15, 13, 4}, {17, 14}, {18, 11}, {19, 6, 2, 1}, {20, 17},
      {21, 19}, {22, 21}, {23, 18}, {24, 23, 22, 17}, {25, 22}, {26, 6, 2, 1}, {27, 5, 2, 1}, {28, 25},
      {29, 27}, {30, 6, 4, 1}, {31, 28}, {32, 22, 2, 1}, {33, 20}, {34, 27, 2, 1}, {35, 33}, {36, 25},
      {37, 5, 4, 3, 2, 1}, {38, 6, 5, 1}, {39, 35}, {40, 38, 21, 19}, {41, 38}, {42, 41, 20, 19},
      {43, 42, 38, 37}, {44, 43, 18, 17}, {45, 44, 42, 41}, {46, 45, 26, 25}, {47, 42}, {48, 47, 21, 20},
      {49, 40}, {50, 49, 24, 23}, {51, 50, 36, 35}, {52, 49}, {53, 52, 38, 37}, {54, 53, 18, 17}, {55, 31},
      {56, 55, 35, 34}, {57, 50}, {58, 39}, {59, 58, 38, 37}, {60, 59}, {61, 60, 46, 45}, {62, 61, 6, 5},
      {63, 62}, {64, 63, 61, 60}};
  uint64_t m = 0;
  for (uint8_t t : kTaps[std::clamp(bits, 3, 64)])
    if (t) m |= uint64_t{1} << (t - 1);
  return m;
}

void Lfsr::init(uint64_t n, uint64_t seed) {
  n_ = std::max<uint64_t>(1, n);
  // 2^k - 1 nonzero states must cover n blocks; state s stands for block s-1.
  const int bits = std::max(3, 64 - std::countl_zero(n_));
  mask_ = taps_mask(bits);
  // Start at a seed-chosen block inside the range, so the first I/O is not a skip.
  start_ = mix64(seed) % n_ + 1;
  state_ = start_;
}

void BlockDistribution::init(const jobs::RandomDistribution& d, uint64_t nblocks, uint64_t seed, bool scatter) {
  kind_ = d.kind;
  n_ = std::max<uint64_t>(1, nblocks);
  scatter_ = scatter;
  // zipf/pareto: a seed-drawn rotation unless a center is given (fio: n * center).
  rotate_ = d.center ? static_cast<uint64_t>(static_cast<double>(n_) * *d.center) % n_ : mix64(seed ^ 0x5ca77e2ull) % n_;
  switch (kind_) {
    case jobs::RandomDistribution::zipf:
      theta_ = d.param > 0 ? d.param : 1.2;
      if (theta_ == 1.0) theta_ = 0.9999;  // the formula has a pole at 1
      zetan_ = zeta(n_, theta_);
      zeta2_ = zeta(2, theta_);
      alpha_ = 1.0 / (1.0 - theta_);
      eta_ = (1 - std::pow(2.0 / static_cast<double>(n_), 1 - theta_)) / (1 - zeta2_ / zetan_);
      break;
    case jobs::RandomDistribution::pareto: {
      const double h = d.param > 0 && d.param < 1 ? d.param : 0.2;
      pareto_exp_ = std::log(h) / std::log(1 - h);
      break;
    }
    case jobs::RandomDistribution::normal: {
      const double dev = d.param > 0 ? d.param : 0.0;
      jitter_ = dev > 0 ? std::min<uint64_t>(static_cast<uint64_t>(std::ceil(static_cast<double>(n_) * dev / 100.0)), n_ / 2) : 0;
      // The center shifts the hashed value (fio: n * (center - 0.5), modulo n).
      const double c = d.center.value_or(0.5) - 0.5;
      const auto shift = static_cast<int64_t>(static_cast<double>(n_) * c);
      rotate_ = static_cast<uint64_t>((shift % static_cast<int64_t>(n_) + static_cast<int64_t>(n_)) % static_cast<int64_t>(n_));
      break;
    }
    case jobs::RandomDistribution::zoned:
    case jobs::RandomDistribution::zoned_abs: {
      uint32_t cum = 0;
      uint64_t first = 0;
      for (const auto& z : d.zones) {
        uint64_t count = kind_ == jobs::RandomDistribution::zoned ? n_ * z.size / 100 : z.size;  // zoned_abs: blocks set by caller
        count = std::max<uint64_t>(1, std::min(count, n_ - std::min(first, n_ - 1)));
        cum += z.access_pct;
        zones_.push_back({cum, std::min(first, n_ - 1), count});
        first += count;
      }
      break;
    }
    case jobs::RandomDistribution::random:
      break;
  }
}

uint64_t BlockDistribution::place(uint64_t v) const {
  constexpr uint64_t kGoldenRatio64 = 0x61c8864680b583ebull;  // 2^64 / phi, Knuth's multiplicative hash
  return ((scatter_ ? v * kGoldenRatio64 : v) % n_ + rotate_) % n_;
}

uint64_t BlockDistribution::next(Rng& rng) const {
  switch (kind_) {
    case jobs::RandomDistribution::zipf: {
      const double u = rng.unit(), uz = u * zetan_;
      uint64_t rank;
      if (uz < 1.0) rank = 0;
      else if (uz < 1.0 + std::pow(0.5, theta_)) rank = 1;
      else rank = static_cast<uint64_t>(static_cast<double>(n_) * std::pow(eta_ * u - eta_ + 1, alpha_));
      return place(std::min(rank, n_ - 1));
    }
    case jobs::RandomDistribution::pareto: {
      const auto rank = static_cast<uint64_t>(static_cast<double>(n_ - 1) * std::pow(rng.unit(), pareto_exp_));
      return place(std::min(rank, n_ - 1));
    }
    case jobs::RandomDistribution::normal: {
      uint64_t sum = 0;
      for (int i = 0; i < 12; ++i) sum += rng.below(n_ + 1);
      sum = (sum + 11) / 12;
      if (jitter_) {
        auto dev = static_cast<int64_t>(static_cast<double>(jitter_) * rng.unit()) - static_cast<int64_t>(jitter_ / 2);
        const auto s = static_cast<int64_t>(sum), n = static_cast<int64_t>(n_);
        while (dev != 0 && (s + dev < 0 || s + dev >= n)) dev /= 2;  // C division: toward zero
        sum = static_cast<uint64_t>(s + dev);
      }
      return place(sum);
    }
    case jobs::RandomDistribution::zoned:
    case jobs::RandomDistribution::zoned_abs: {
      const auto pct = static_cast<uint32_t>(rng.below(100));
      for (const auto& z : zones_)
        if (pct < z.cum_pct) return z.first + rng.below(z.count);
      return zones_.empty() ? rng.below(n_) : zones_.back().first + rng.below(zones_.back().count);
    }
    case jobs::RandomDistribution::random:
      break;
  }
  return rng.below(n_);
}

}  // namespace fiokit::engine
