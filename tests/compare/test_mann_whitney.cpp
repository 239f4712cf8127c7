// Mann-Whitney U against published critical values (two-tailed alpha 0.05
// tables, e.g. those in Siegel & Castellan), hand-countable exact p-values,
// brute-force enumeration with ties, and the normal approximation against the
// exact distribution where both apply.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <vector>

#include "results/mann_whitney.hpp"

using fiokit::results::mann_whitney_exact_cdf;
using fiokit::results::mann_whitney_min_p;
using fiokit::results::mann_whitney_u;

namespace {

// Pairs x > y, ties one half: U's definition, counted directly.
double count_u(const std::vector<double>& x, const std::vector<double>& y) {
  double u = 0;
  for (const double a : x)
    for (const double b : y) u += a > b ? 1.0 : a == b ? 0.5 : 0.0;
  return u;
}

// Exact one-sided p-values by enumerating every relabelling of the pool.
std::pair<double, double> brute_force_p(const std::vector<double>& x, const std::vector<double>& y) {
  std::vector<double> pool(x);
  pool.insert(pool.end(), y.begin(), y.end());
  const double observed = count_u(x, y);
  std::vector<bool> pick(pool.size(), false);
  std::fill(pick.begin(), pick.begin() + static_cast<long>(x.size()), true);
  double all = 0, ge = 0, le = 0;
  do {
    std::vector<double> a, b;
    for (size_t i = 0; i < pool.size(); ++i) (pick[i] ? a : b).push_back(pool[i]);
    const double u = count_u(a, b);
    ++all;
    ge += u >= observed - 1e-9;
    le += u <= observed + 1e-9;
  } while (std::prev_permutation(pick.begin(), pick.end()));
  return {ge / all, le / all};
}

}  // namespace

TEST_CASE("exact U distribution reproduces the tabulated critical values", "[mw]") {
  // n_x, n_y, critical U for a two-tailed test at 0.05 (reject when U <= crit).
  const int table[][3] = {{4, 5, 1}, {5, 5, 2}, {6, 6, 5}, {7, 7, 8}, {8, 8, 13}, {9, 9, 17}, {10, 10, 23},
                          {3, 8, 2}, {4, 8, 4}, {5, 10, 8}, {6, 10, 11}, {20, 20, 127}};
  for (const auto& row : table) {
    INFO("n_x=" << row[0] << " n_y=" << row[1] << " critical U=" << row[2]);
    const auto nx = static_cast<size_t>(row[0]), ny = static_cast<size_t>(row[1]);
    CHECK(mann_whitney_exact_cdf(nx, ny, row[2]) <= 0.025);
    CHECK(mann_whitney_exact_cdf(nx, ny, row[2] + 1) > 0.025);
  }
}

TEST_CASE("exact p-values of fully separated samples are 1 / C(n, k)", "[mw]") {
  const auto r = mann_whitney_u({6, 7, 8, 9, 10}, {1, 2, 3, 4, 5});
  CHECK(r.exact);
  CHECK(r.u_x == 25);
  CHECK(r.u_y == 0);
  CHECK(r.p_greater == Approx(1.0 / 252));
  CHECK(r.p_less == Approx(1.0));
  CHECK(r.p_two_sided == Approx(2.0 / 252));
  const auto s = mann_whitney_u({1, 2, 3}, {4, 5, 6});
  CHECK(s.p_less == Approx(1.0 / 20));
  CHECK(mann_whitney_min_p(5, 5) == Approx(1.0 / 252));
  CHECK(mann_whitney_min_p(2, 2) == Approx(1.0 / 6));
  CHECK(mann_whitney_min_p(1, 30) == Approx(1.0 / 31));
}

TEST_CASE("U counts pairs and the exact test with ties matches enumeration", "[mw]") {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> v(1, 4);  // few distinct values: many ties
  for (int round = 0; round < 20; ++round) {
    std::vector<double> x(3 + static_cast<size_t>(round % 4)), y(4 + static_cast<size_t>(round % 3));
    for (double& a : x) a = v(rng);
    for (double& b : y) b = v(rng) + (round % 2);
    const auto r = mann_whitney_u(x, y);
    const auto [ge, le] = brute_force_p(x, y);
    INFO("round " << round);
    CHECK(r.exact);
    CHECK(r.u_x == Approx(count_u(x, y)));
    CHECK(r.u_x + r.u_y == Approx(static_cast<double>(x.size() * y.size())));
    CHECK(r.p_greater == Approx(ge));
    CHECK(r.p_less == Approx(le));
  }
}

TEST_CASE("all values tied: no evidence either way", "[mw]") {
  const auto r = mann_whitney_u({5, 5, 5, 5, 5}, {5, 5, 5, 5, 5});
  CHECK(r.p_greater == Approx(1.0));
  CHECK(r.p_less == Approx(1.0));
  std::vector<double> big(30, 7.0);
  const auto n = mann_whitney_u(big, big);
  CHECK_FALSE(n.exact);
  CHECK(n.p_greater == Approx(1.0));
  CHECK(n.p_less == Approx(1.0));
  CHECK(mann_whitney_u({}, {1, 2}).p_two_sided == 1.0);
}

TEST_CASE("normal approximation agrees with the exact distribution for larger samples", "[mw]") {
  // 21 + 21 > kExactLimit, so mann_whitney_u approximates; the exact cdf has no limit.
  std::mt19937 rng(11);
  std::normal_distribution<double> noise(0, 1);
  for (const double shift : {0.0, 0.3, 0.7, 1.2}) {
    std::vector<double> x(21), y(21);
    for (double& a : x) a = noise(rng) + shift;
    for (double& b : y) b = noise(rng);
    const auto r = mann_whitney_u(x, y);
    CHECK_FALSE(r.exact);
    const double exact_greater = 1.0 - mann_whitney_exact_cdf(21, 21, r.u_x - 1);
    const double exact_less = mann_whitney_exact_cdf(21, 21, r.u_x);
    INFO("shift " << shift << " U " << r.u_x);
    CHECK(std::fabs(r.p_greater - exact_greater) < 0.01);
    CHECK(std::fabs(r.p_less - exact_less) < 0.01);
  }
}

TEST_CASE("normal approximation uses the tie-corrected variance", "[mw]") {
  // 25 + 25 values from {1, 2, 3}: the variance shrinks by sum(t^3 - t) / (n(n-1)).
  std::vector<double> x, y;
  for (int i = 0; i < 25; ++i) x.push_back(1 + (i % 3 == 0) + (i % 5 == 0));
  for (int i = 0; i < 25; ++i) y.push_back(1 + (i % 2 == 0) + (i % 7 == 0));
  std::vector<double> pool(x);
  pool.insert(pool.end(), y.begin(), y.end());
  double ties = 0;
  for (const double value : {1.0, 2.0, 3.0}) {
    const auto t = static_cast<double>(std::count(pool.begin(), pool.end(), value));
    ties += t * t * t - t;
  }
  const double n = 50, mu = 25.0 * 25 / 2;
  const double sd = std::sqrt(25.0 * 25 / 12 * ((n + 1) - ties / (n * (n - 1))));
  const double u = count_u(x, y);
  const double want_less = 0.5 * std::erfc(-((u - mu + 0.5) / sd) / std::sqrt(2.0));
  const auto r = mann_whitney_u(x, y);
  CHECK(r.u_x == Approx(u));
  CHECK(r.p_less == Approx(want_less).epsilon(1e-9));
  // Without the correction the p-value would differ noticeably.
  const double sd_plain = std::sqrt(25.0 * 25 / 12 * (n + 1));
  CHECK(std::fabs(0.5 * std::erfc(-((u - mu + 0.5) / sd_plain) / std::sqrt(2.0)) - r.p_less) > 1e-3);
}
