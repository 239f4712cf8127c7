// Offset generation: the random number generator, the "random map" (every block
// exactly once per loop) and the non-uniform distributions of
// random_distribution. Everything here is deterministic given a seed, so the
// same randseed gives the same offset sequence (randrepeat).
//
// The random map is a keyed permutation of [0, nblocks) rather than fio's bitmap:
// a 4-round Feistel network over the next even power of two, cycle-walking
// values that fall outside the range. It needs O(1) memory for any file size,
// visits each block exactly once per loop by construction, and costs a few
// multiplies per I/O (on average fewer than 4 walks, since the padded domain is
// at most 4x the range).
#pragma once
#include <bit>
#include <cmath>
#include <cstdint>
#include <vector>

#include "jobs/jobspec.hpp"

namespace fiokit::engine {

inline uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// xoshiro256** (Blackman & Vigna), seeded through splitmix64.
class Rng {
 public:
  Rng() { seed(0x89); }
  explicit Rng(uint64_t s) { seed(s); }
  void seed(uint64_t s) {
    for (auto& w : s_) {
      s += 0x9e3779b97f4a7c15ull;
      w = mix64(s);
    }
  }
  uint64_t next() {
    const uint64_t r = std::rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = std::rotl(s_[3], 45);
    return r;
  }
  // Uniform in [0, n) (Lemire's multiply-high; bias < n / 2^64).
  uint64_t below(uint64_t n) {
    __extension__ typedef unsigned __int128 u128;
    return static_cast<uint64_t>((static_cast<u128>(next()) * n) >> 64);
  }
  // Uniform in [0, 1).
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

 private:
  uint64_t s_[4];
};

// Keyed bijection of [0, n).
class BlockPermutation {
 public:
  void init(uint64_t n, uint64_t key) {
    n_ = n ? n : 1;
    int bits = std::max(2, 64 - std::countl_zero(n_ - 1));
    if (bits & 1) ++bits;
    half_ = bits / 2;
    mask_ = (uint64_t{1} << half_) - 1;
    for (int r = 0; r < 4; ++r) keys_[r] = mix64(key + 0x632be59bd9b4e019ull * (r + 1));
  }
  uint64_t size() const { return n_; }
  uint64_t at(uint64_t i) const {
    uint64_t v = i;
    do v = round4(v);
    while (v >= n_);
    return v;
  }

 private:
  uint64_t round4(uint64_t v) const {
    uint64_t l = v >> half_, r = v & mask_;
    for (int k = 0; k < 4; ++k) {
      const uint64_t f = mix64(r ^ keys_[k]) & mask_;
      const uint64_t nl = r;
      r = l ^ f;
      l = nl;
    }
    return (l << half_) | r;
  }
  uint64_t n_ = 1;
  int half_ = 1;
  uint64_t mask_ = 1;
  uint64_t keys_[4]{};
};

// Non-uniform block choice (random_distribution other than random). Hot blocks
// are scattered over the range through a fixed permutation, so "hot" does not
// mean "at the start of the file", as fio also does.
class BlockDistribution {
 public:
  void init(const jobs::RandomDistribution& d, uint64_t nblocks, uint64_t seed);
  bool uniform() const { return kind_ == jobs::RandomDistribution::random; }
  uint64_t next(Rng& rng) const;

 private:
  jobs::RandomDistribution::Kind kind_ = jobs::RandomDistribution::random;
  uint64_t n_ = 1;
  double theta_ = 0, alpha_ = 0, zetan_ = 0, eta_ = 0, zeta2_ = 0;  // zipf (Gray et al.)
  double pareto_exp_ = 1;
  double sd_ = 0, center_ = 0.5;
  struct Zone {
    uint32_t cum_pct;
    uint64_t first, count;
  };
  std::vector<Zone> zones_;
  BlockPermutation scatter_;
};

}  // namespace fiokit::engine
