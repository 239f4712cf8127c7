// Offset generation: the random number generator, the "random map" (every block
// exactly once per loop) and the non-uniform distributions of
// random_distribution. Everything here is deterministic given a seed, so the
// same randseed gives the same offset sequence (randrepeat).
//
// random_generator picks how a random workload walks its blocks, as in fio:
// tausworthe (the default) and tausworthe64 draw with replacement unless the
// random map ensures every block once per loop; lfsr visits every block once
// per loop by construction, with or without norandommap (see Lfsr). fiokit
// does not reproduce fio's exact offset sequence for a seed (its seeding and
// its map's collision walk are fio's own): none of fio 3.33's tests depends on
// it (t0020-t0022 count distinct and sequential offsets), only coverage and
// repeatability do, and those match.
//
// For fixed-size I/Os the random map is a keyed permutation of [0, nblocks)
// rather than fio's bitmap: a 4-round Feistel network over the next even power
// of two, cycle-walking values that fall outside the range. It needs O(1)
// memory for any file size, visits each block exactly once per loop by
// construction, and costs a few multiplies per I/O (on average fewer than 4
// walks, since the padded domain is at most 4x the range). When an I/O can be
// longer than the map's block (bssplit, bsrange), fio's bitmap behaviour is
// visible in the block sizes, so RandomMap reproduces it.
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

// The random map for I/Os longer than its block (bssplit, bsrange, bs larger
// than blockalign), as fio 3.33 keeps it: one bit per block of the smallest
// block size. fio draws a block; if it is done, it takes the next free block
// after it (wrapping to the start); the I/O then covers only the free run it
// lands in, so a 64k block drawn 8k before a done block becomes an 8k I/O.
// Measured with fio 3.33 (randread, bssplit=4k/50:16k/30:64k/20, 128 MiB):
// every multiple of 4k from 4k to 64k appears, the mean block size is 11.9k
// rather than the drawn 19.6k, and io_bytes is exactly size. The bits are kept
// in levels (a level's bit says a word of the level below is full), so the
// next free block is found in a few word reads at any file size; the map costs
// one bit per block (32 MiB for 1 TiB of 4 KiB blocks), only for these jobs.
class RandomMap {
 public:
  static constexpr uint64_t kNone = UINT64_MAX;
  void init(uint64_t n);
  void clear();
  uint64_t size() const { return n_; }
  bool test(uint64_t b) const { return (levels_[0][b >> 6] >> (b & 63)) & 1; }
  // The first free block at or after b, else the first from 0; kNone when full.
  uint64_t next_free(uint64_t b) const;
  // Marks blocks b, b+1, ... as done, at most `count`, stopping before the
  // first one already done or at the end; returns how many were marked.
  uint64_t set_run(uint64_t b, uint64_t count);

 private:
  uint64_t first_clear(size_t level, uint64_t pos) const;
  void set_bit(uint64_t b);
  uint64_t n_ = 0;
  std::vector<std::vector<uint64_t>> levels_;
};

// random_generator=tausworthe / tausworthe64: the combined Tausworthe
// generators fio names, written from L'Ecuyer's papers: taus88 ("Maximally
// equidistributed combined Tausworthe generators", Math. Comp. 1996; three
// 32-bit components, period ~2^88) and lfsr258 ("Tables of maximally
// equidistributed combined LFSR generators", Math. Comp. 1999; five 64-bit
// components, period ~2^258). They draw the blocks of norandommap jobs. A
// 32-bit draw is scaled to the block count, so past 2^32 blocks it cannot reach
// every block; as fio does, the 64-bit variant is then used unless tausworthe
// was asked for explicitly.
class Tausworthe {
 public:
  void seed(uint64_t s, bool wide);
  bool wide() const { return wide_; }
  uint64_t next() { return wide_ ? next64() : next32(); }
  // Uniform block in [0, n).
  uint64_t below(uint64_t n) {
    __extension__ typedef unsigned __int128 u128;
    if (!wide_) return static_cast<uint64_t>((static_cast<u128>(next32()) * n) >> 32);
    return static_cast<uint64_t>((static_cast<u128>(next64()) * n) >> 64);
  }

 private:
  uint32_t next32() {
    uint32_t b = ((t_[0] << 13) ^ t_[0]) >> 19;
    t_[0] = ((t_[0] & 0xfffffffeu) << 12) ^ b;
    b = ((t_[1] << 2) ^ t_[1]) >> 25;
    t_[1] = ((t_[1] & 0xfffffff8u) << 4) ^ b;
    b = ((t_[2] << 3) ^ t_[2]) >> 11;
    t_[2] = ((t_[2] & 0xfffffff0u) << 17) ^ b;
    return t_[0] ^ t_[1] ^ t_[2];
  }
  uint64_t next64() {
    // (q, s, k) per component: (1,10,63) (24,5,55) (3,29,52) (5,23,47) (3,8,41).
    uint64_t b = ((z_[0] << 1) ^ z_[0]) >> 53;
    z_[0] = ((z_[0] & ~uint64_t{1}) << 10) ^ b;
    b = ((z_[1] << 24) ^ z_[1]) >> 50;
    z_[1] = ((z_[1] & ~uint64_t{511}) << 5) ^ b;
    b = ((z_[2] << 3) ^ z_[2]) >> 23;
    z_[2] = ((z_[2] & ~uint64_t{4095}) << 29) ^ b;
    b = ((z_[3] << 5) ^ z_[3]) >> 24;
    z_[3] = ((z_[3] & ~uint64_t{131071}) << 23) ^ b;
    b = ((z_[4] << 3) ^ z_[4]) >> 33;
    z_[4] = ((z_[4] & ~uint64_t{8388607}) << 8) ^ b;
    return z_[0] ^ z_[1] ^ z_[2] ^ z_[3] ^ z_[4];
  }
  bool wide_ = false;
  uint32_t t_[3] = {2, 8, 16};
  uint64_t z_[5] = {2, 512, 4096, 131072, 8388608};
};

// random_generator=lfsr: a maximal-length Galois linear feedback shift
// register over the smallest width whose 2^k - 1 states cover the blocks. It
// steps through every nonzero state once per period, so (skipping states
// beyond the last block) it yields every block exactly once before repeating,
// with no map on the side: fio's HOWTO promises exactly that, and fio's test
// t0021 checks it with norandommap=1. The sequence is a fixed function of the
// start state, which restart() returns to (fio resets its LFSR to the seed at
// every loop and every wrap). Feedback polynomials: the tap lists of Xilinx
// XAPP052 ("Efficient Shift Registers, LFSR Counters, and Long Pseudo-Random
// Sequence Generators", Table 3), one per width 3..64.
class Lfsr {
 public:
  void init(uint64_t n, uint64_t seed);
  bool ready() const { return mask_ != 0; }
  void restart() { state_ = start_; }
  uint64_t size() const { return n_; }
  // The next block in [0, n).
  uint64_t next() {
    uint64_t v;
    do {
      v = state_ - 1;
      state_ = (state_ >> 1) ^ ((0 - (state_ & 1)) & mask_);
    } while (v >= n_);
    return v;
  }
  static uint64_t taps_mask(int bits);

 private:
  uint64_t n_ = 1, mask_ = 0, start_ = 1, state_ = 1;
};

// Non-uniform block choice (random_distribution other than random), with fio
// 3.33's shapes and its scatter (measured side by side: distinct blocks, the
// hottest 1% and 10%, and the share of each tenth of the file):
//  - zipf and pareto draw a popularity rank; normal draws the mean of 12
//    uniform integers in [0, n] (rounded up: a bell of stddev n/12 around the
//    middle, by the central limit theorem) plus a uniform jitter of width
//    ceil(n * dev / 100) (at most n/2), halved until the sum stays in [0, n).
//    So normal:20 is not a gaussian of stddev 20%: its spread is
//    sqrt((n/12)^2 + (0.2n)^2 / 12), about 10% of the range, and the job
//    touches as many distinct blocks as fio's (1536 of 4096 for 4096 I/Os).
//  - the value then goes through Knuth's multiplicative hash (times 2^64/phi,
//    modulo 2^64) and is rotated by an offset (drawn from the seed for zipf
//    and pareto, n * (center - 0.5) for normal, n * center when a center is
//    given to zipf/pareto), modulo n. The hot values are thereby scattered
//    over the whole file: every tenth gets about 10% of a normal job's I/Os
//    (not a central bell), and as in fio two values can share a block when n
//    is not a power of two. `scatter = false` keeps values unhashed but
//    rotated (fio does so for file_service_type: the value's high part is
//    the file, see Worker::pick_file).
class BlockDistribution {
 public:
  void init(const jobs::RandomDistribution& d, uint64_t nblocks, uint64_t seed, bool scatter = true);
  bool uniform() const { return kind_ == jobs::RandomDistribution::random; }
  uint64_t next(Rng& rng) const;

 private:
  uint64_t place(uint64_t v) const;  // hash, rotate, modulo n
  jobs::RandomDistribution::Kind kind_ = jobs::RandomDistribution::random;
  uint64_t n_ = 1;
  double theta_ = 0, alpha_ = 0, zetan_ = 0, eta_ = 0, zeta2_ = 0;  // zipf (Gray et al.)
  double pareto_exp_ = 1;
  uint64_t jitter_ = 0;  // normal: width of the uniform jitter, in blocks
  uint64_t rotate_ = 0;
  bool scatter_ = true;
  struct Zone {
    uint32_t cum_pct;
    uint64_t first, count;
  };
  std::vector<Zone> zones_;
};

}  // namespace fiokit::engine
