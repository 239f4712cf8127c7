// Mann-Whitney U; see mann_whitney.hpp for the method and its error bounds.
#include "results/mann_whitney.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <utility>

namespace fiokit::results {
namespace {

// Counts, for every doubled rank sum s, how many size-k subsets of `ranks2`
// (doubled ranks) sum to s. Doubles hold the counts exactly: C(40,20) < 2^53.
std::vector<double> count_rank_sums(const std::vector<int>& ranks2, size_t k) {
  const int total = std::accumulate(ranks2.begin(), ranks2.end(), 0);
  const auto width = static_cast<size_t>(total) + 1;
  // ways[j * width + s]: subsets of size j with doubled sum s.
  std::vector<double> ways((k + 1) * width, 0.0);
  ways[0] = 1.0;
  size_t seen = 0;
  for (const int r : ranks2) {
    ++seen;
    // Walk j downwards so each rank is used at most once (0/1 knapsack).
    for (size_t j = std::min(k, seen); j >= 1; --j) {
      double* dst = &ways[j * width];
      const double* src = &ways[(j - 1) * width];
      for (size_t s = width; s-- > static_cast<size_t>(r);) dst[s] += src[s - static_cast<size_t>(r)];
    }
  }
  return {ways.begin() + static_cast<std::ptrdiff_t>(k * width), ways.end()};
}

double normal_upper_tail(double z) { return 0.5 * std::erfc(z / std::sqrt(2.0)); }

}  // namespace

MannWhitney mann_whitney_u(const std::vector<double>& x, const std::vector<double>& y) {
  MannWhitney r;
  const size_t nx = x.size(), ny = y.size(), n = nx + ny;
  if (nx == 0 || ny == 0) return r;
  // Pool, sort, and give each tie group its mid-rank (doubled to stay integral).
  std::vector<std::pair<double, bool>> pooled;  // value, from x
  pooled.reserve(n);
  for (const double v : x) pooled.emplace_back(v, true);
  for (const double v : y) pooled.emplace_back(v, false);
  std::sort(pooled.begin(), pooled.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<int> ranks2(n);
  double tie_term = 0;  // sum over tie groups of t^3 - t
  long rx2 = 0;         // doubled rank sum of x
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j + 1 < n && pooled[j + 1].first == pooled[i].first) ++j;
    const int mid2 = static_cast<int>(i + 1 + j + 1);  // (first rank + last rank), 1-based
    const auto t = static_cast<double>(j - i + 1);
    tie_term += t * t * t - t;
    for (size_t k = i; k <= j; ++k) {
      ranks2[k] = mid2;
      if (pooled[k].second) rx2 += mid2;
    }
    i = j + 1;
  }
  const double dnx = static_cast<double>(nx), dny = static_cast<double>(ny), dn = static_cast<double>(n);
  r.u_x = static_cast<double>(rx2) / 2.0 - dnx * (dnx + 1) / 2.0;
  r.u_y = dnx * dny - r.u_x;

  if (n <= kExactLimit) {
    const std::vector<double> ways = count_rank_sums(ranks2, nx);
    double all = 0, ge = 0, le = 0;
    for (size_t s = 0; s < ways.size(); ++s) {
      all += ways[s];
      if (static_cast<long>(s) >= rx2) ge += ways[s];
      if (static_cast<long>(s) <= rx2) le += ways[s];
    }
    r.p_greater = ge / all;
    r.p_less = le / all;
    r.exact = true;
  } else {
    const double mu = dnx * dny / 2.0;
    const double var = dnx * dny / 12.0 * ((dn + 1) - tie_term / (dn * (dn - 1)));
    if (var > 0) {
      const double sd = std::sqrt(var);
      r.p_greater = std::min(1.0, normal_upper_tail((r.u_x - mu - 0.5) / sd));
      r.p_less = std::min(1.0, 1.0 - normal_upper_tail((r.u_x - mu + 0.5) / sd));
    }
  }
  r.p_two_sided = std::min(1.0, 2.0 * std::min(r.p_greater, r.p_less));
  return r;
}

double mann_whitney_exact_cdf(size_t n_x, size_t n_y, double u) {
  const size_t n = n_x + n_y;
  if (n_x == 0 || n_y == 0) return 1.0;
  std::vector<int> ranks2(n);
  for (size_t i = 0; i < n; ++i) ranks2[i] = static_cast<int>(2 * (i + 1));
  const std::vector<double> ways = count_rank_sums(ranks2, n_x);
  // U <= u  <=>  R <= u + n_x(n_x+1)/2  <=>  doubled R <= 2u + n_x(n_x+1).
  const double limit = 2.0 * u + static_cast<double>(n_x * (n_x + 1));
  double all = 0, le = 0;
  for (size_t s = 0; s < ways.size(); ++s) {
    all += ways[s];
    if (static_cast<double>(s) <= limit + 1e-9) le += ways[s];
  }
  return le / all;
}

double mann_whitney_min_p(size_t n_x, size_t n_y) {
  // 1 / C(n, k), built up as a product so it stays finite for any n.
  double p = 1.0;
  const size_t k = std::min(n_x, n_y), n = n_x + n_y;
  for (size_t i = 1; i <= k; ++i) p *= static_cast<double>(i) / static_cast<double>(n - k + i);
  return p;
}

}  // namespace fiokit::results
