// Offset generation: the random map is a permutation for any size, keyed by
// the seed; the non-uniform distributions have the skew they promise.
#include <catch2/catch.hpp>
#include <algorithm>
#include <numeric>
#include <vector>

#include "engine/offsets.hpp"

using namespace fiokit;

TEST_CASE("BlockPermutation is a bijection of [0, n) for awkward n") {
  for (uint64_t n : {1ull, 2ull, 3ull, 7ull, 64ull, 1000ull, 4097ull, 65537ull}) {
    engine::BlockPermutation p;
    p.init(n, 42);
    std::vector<char> seen(n, 0);
    for (uint64_t i = 0; i < n; ++i) {
      const uint64_t v = p.at(i);
      REQUIRE(v < n);
      REQUIRE_FALSE(seen[v]);
      seen[v] = 1;
    }
  }
  engine::BlockPermutation a, b;
  a.init(1000, 1);
  b.init(1000, 2);
  int same = 0;
  for (uint64_t i = 0; i < 1000; ++i) same += a.at(i) == b.at(i);
  CHECK(same < 20);
}

TEST_CASE("Rng::below is uniform enough and deterministic") {
  engine::Rng r1(5), r2(5);
  std::vector<int> hist(10, 0);
  for (int i = 0; i < 100000; ++i) {
    const uint64_t v = r1.below(10);
    REQUIRE(v == r2.below(10));
    ++hist[v];
  }
  for (int h : hist) CHECK(h == Approx(10000).epsilon(0.05));
}

namespace {
// Share of draws landing on the most popular `top` fraction of blocks.
double top_share(const jobs::RandomDistribution& d, uint64_t n, double top) {
  engine::BlockDistribution bd;
  bd.init(d, n, 9);
  engine::Rng r(3);
  std::vector<uint64_t> hits(n, 0);
  const int draws = 200000;
  for (int i = 0; i < draws; ++i) {
    const uint64_t b = bd.next(r);
    REQUIRE(b < n);
    ++hits[b];
  }
  std::sort(hits.rbegin(), hits.rend());
  const auto k = static_cast<size_t>(static_cast<double>(n) * top);
  return static_cast<double>(std::accumulate(hits.begin(), hits.begin() + static_cast<long>(k), uint64_t{0})) / draws;
}
}  // namespace

TEST_CASE("distributions: zipf and pareto are skewed, zoned honours its zones") {
  jobs::RandomDistribution uni;
  CHECK(top_share(uni, 1000, 0.1) < 0.15);
  jobs::RandomDistribution z;
  z.kind = jobs::RandomDistribution::zipf;
  z.param = 1.2;
  CHECK(top_share(z, 1000, 0.1) > 0.6);
  jobs::RandomDistribution p;
  p.kind = jobs::RandomDistribution::pareto;
  p.param = 0.2;  // 80% of accesses to 20% of the blocks
  CHECK(top_share(p, 1000, 0.2) == Approx(0.8).margin(0.03));
  jobs::RandomDistribution zo;
  zo.kind = jobs::RandomDistribution::zoned;
  zo.zones = {{60, 10}, {40, 90}};  // 60% of accesses to the first 10% of blocks
  engine::BlockDistribution bd;
  bd.init(zo, 1000, 1);
  engine::Rng r(1);
  int first = 0;
  for (int i = 0; i < 100000; ++i) first += bd.next(r) < 100;
  CHECK(first / 100000.0 == Approx(0.6).margin(0.01));
  jobs::RandomDistribution nd;
  nd.kind = jobs::RandomDistribution::normal;
  nd.param = 5;  // stddev 5% around the middle
  bd = {};
  bd.init(nd, 1000, 1);
  int mid = 0;
  for (int i = 0; i < 100000; ++i) {
    const uint64_t b = bd.next(r);
    mid += b >= 450 && b < 550;
  }
  CHECK(mid / 100000.0 == Approx(0.68).margin(0.02));
}
