// Series maths: downsampling keeps every spike, smoothing, stats, nearest-rank
// percentiles and unit scaling, each checked against a direct computation.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <random>

#include "plot/series.hpp"

using namespace fiokit::plot;
using fiokit::results::LogKind;

namespace {
std::vector<Point> random_series(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> d(100, 200);
  std::vector<Point> pts;
  for (size_t i = 0; i < n; ++i) pts.emplace_back(static_cast<double>(i) * 0.001, d(rng));
  return pts;
}
}  // namespace

TEST_CASE("min/max downsampling keeps spikes and bounds the point count", "[series]") {
  auto pts = random_series(1'000'000, 1);
  pts[123'457].second = 10'000;  // one-sample spike
  pts[765'431].second = 1;       // one-sample dip
  const auto ds = downsample_minmax(pts, pts.front().first, pts.back().first, 1000);
  CHECK(ds.size() <= 2000);
  CHECK(ds.size() >= 1000);
  auto [lo, hi] = std::minmax_element(ds.begin(), ds.end(), [](auto& a, auto& b) { return a.second < b.second; });
  CHECK(hi->second == 10'000);
  CHECK(hi->first == pts[123'457].first);
  CHECK(lo->second == 1);
  CHECK(std::is_sorted(ds.begin(), ds.end()));
  // Every column's extremes are present: compare with a direct per-column scan.
  const double t0 = pts.front().first, t1 = pts.back().first;
  std::vector<double> colmax(1000, -1);
  for (auto& p : pts) {
    int c = std::min(999, static_cast<int>((p.first - t0) * 1000 / (t1 - t0)));
    colmax[static_cast<size_t>(c)] = std::max(colmax[static_cast<size_t>(c)], p.second);
  }
  for (size_t c = 0; c < 1000; ++c) {
    bool found = std::any_of(ds.begin(), ds.end(), [&](auto& p) { return p.second == colmax[c]; });
    REQUIRE(found);
  }
  // Short series pass through unchanged.
  std::vector<Point> few = {{0, 1}, {1, 2}, {2, 3}};
  CHECK(downsample_minmax(few, 0, 2, 1000) == few);
}

TEST_CASE("smoothing follows the mean and flattens noise", "[series]") {
  auto pts = random_series(100'000, 2);
  const auto sm = smooth_columns(pts, pts.front().first, pts.back().first, 500, 10);
  REQUIRE(sm.size() == 500);
  for (auto& p : sm) CHECK(std::fabs(p.second - 150) < 5);
  // A step is followed: the last point is near the new level.
  for (size_t i = 50'000; i < pts.size(); ++i) pts[i].second += 1000;
  const auto step = smooth_columns(pts, pts.front().first, pts.back().first, 500, 10);
  CHECK(step.back().second > 1100);
  CHECK(step.front().second < 200);
}

TEST_CASE("stats match a two-pass computation", "[series]") {
  auto pts = random_series(10'001, 3);
  for (auto& p : pts) p.second += 12e9;  // large values, small spread
  double sum = 0;
  for (auto& p : pts) sum += p.second - 12e9;
  const double mean = sum / static_cast<double>(pts.size()) + 12e9;
  double ss = 0;
  for (auto& p : pts) ss += (p.second - mean) * (p.second - mean);
  const auto st = compute_stats(pts);
  CHECK(st.count == pts.size());
  CHECK(st.mean == Approx(mean).epsilon(1e-12));
  CHECK(st.stddev == Approx(std::sqrt(ss / static_cast<double>(pts.size() - 1))).epsilon(1e-6));
  CHECK(st.min >= 12e9 + 100);
  CHECK(st.max <= 12e9 + 200);
}

TEST_CASE("nearest-rank percentiles", "[series]") {
  std::vector<double> v;
  for (int i = 1; i <= 1000; ++i) v.push_back(1001 - i);  // 1000..1 reversed
  CHECK(percentile_of(v, 50) == 500);
  CHECK(percentile_of(v, 99) == 990);
  CHECK(percentile_of(v, 99.9) == 999);
  CHECK(percentile_of(v, 100) == 1000);
  std::vector<double> one = {7};
  CHECK(percentile_of(one, 99.9) == 7);
  // Over time: two windows with different levels.
  std::vector<Point> pts;
  for (int i = 0; i < 2000; ++i) pts.emplace_back(i < 1000 ? 0.25 : 0.75, i < 1000 ? i + 1 : 10 * (i - 999));
  const auto lines = percentiles_over_time(pts, 0, 1, 2, {50, 99});
  REQUIRE(lines.size() == 2);
  REQUIRE(lines[0].size() == 2);
  CHECK(lines[0][0] == Point{0.25, 500});
  CHECK(lines[0][1] == Point{0.75, 5000});
  CHECK(lines[1][1] == Point{0.75, 9900});
}

TEST_CASE("units scale with the largest value", "[series]") {
  CHECK(choose_unit(LogKind::bw, 1000).name == "KiB/s");
  CHECK(choose_unit(LogKind::bw, 2048).name == "MiB/s");
  CHECK(choose_unit(LogKind::bw, 2048).divisor == 1024);
  CHECK(choose_unit(LogKind::bw, 12'007'200).name == "GiB/s");
  CHECK(choose_unit(LogKind::iops, 999).name == "IOPS");
  CHECK(choose_unit(LogKind::iops, 2'996'400).name == "MIOPS");
  CHECK(choose_unit(LogKind::clat, 73).name == "ns");
  CHECK(choose_unit(LogKind::lat, 9127).name == "µs");
  CHECK(choose_unit(LogKind::slat, 3.2e6).name == "ms");
  CHECK(choose_unit(LogKind::lat, 4e9).name == "s");
  std::vector<Point> pts = {{0, 2048}};
  scale_points(pts, choose_unit(LogKind::bw, 2048));
  CHECK(pts[0].second == 2);
  CHECK(format_value(1234.5678) == "1235");
  CHECK(format_value(12345.6) == "12346");
  CHECK(format_value(1.5) == "1.5");
}
