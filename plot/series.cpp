// Series maths for plots (see series.hpp). Every function is one pass (or one
// nth_element per window) over the samples, because they run on the full-size
// log before anything is sent to gnuplot.
#include "plot/series.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace fiokit::plot {

SeriesStats compute_stats(const std::vector<Point>& pts) {
  SeriesStats s;
  if (pts.empty()) return s;
  s.count = pts.size();
  s.min = std::numeric_limits<double>::infinity();
  s.max = -s.min;
  // Welford's update: no cancellation when values are large (GiB/s in KiB/s)
  // and their spread is small.
  double mean = 0, m2 = 0;
  size_t n = 0;
  for (const Point& p : pts) {
    s.min = std::min(s.min, p.second);
    s.max = std::max(s.max, p.second);
    ++n;
    const double d = p.second - mean;
    mean += d / static_cast<double>(n);
    m2 += d * (p.second - mean);
  }
  s.mean = mean;
  s.stddev = n > 1 ? std::sqrt(m2 / static_cast<double>(n - 1)) : 0.0;
  return s;
}

namespace {

// Column of time t in [t0, t1] split into `columns`; t1 lands in the last one.
inline int column_of(double t, double t0, double scale, int columns) {
  int c = static_cast<int>((t - t0) * scale);
  return std::clamp(c, 0, columns - 1);
}

double column_scale(double t0, double t1, int columns) {
  return t1 > t0 ? static_cast<double>(columns) / (t1 - t0) : 0.0;
}

}  // namespace

std::vector<Point> downsample_minmax(const std::vector<Point>& pts, double t0, double t1, int columns) {
  std::vector<Point> out;
  if (pts.empty() || columns <= 0) return out;
  if (pts.size() <= static_cast<size_t>(columns) * 2) return pts;
  out.reserve(static_cast<size_t>(columns) * 2);
  const double scale = column_scale(t0, t1, columns);
  size_t i = 0;
  while (i < pts.size()) {
    const int col = column_of(pts[i].first, t0, scale, columns);
    size_t lo = i, hi = i;
    size_t j = i + 1;
    for (; j < pts.size() && column_of(pts[j].first, t0, scale, columns) == col; ++j) {
      if (pts[j].second < pts[lo].second) lo = j;
      if (pts[j].second > pts[hi].second) hi = j;
    }
    if (lo == hi) {
      out.push_back(pts[lo]);
    } else {
      out.push_back(pts[std::min(lo, hi)]);
      out.push_back(pts[std::max(lo, hi)]);
    }
    i = j;
  }
  return out;
}

std::vector<Point> smooth_columns(const std::vector<Point>& pts, double t0, double t1, int columns,
                                  int half_window) {
  std::vector<Point> out;
  if (pts.empty() || columns <= 0) return out;
  const double scale = column_scale(t0, t1, columns);
  std::vector<double> tsum(static_cast<size_t>(columns)), vsum(static_cast<size_t>(columns));
  std::vector<size_t> count(static_cast<size_t>(columns));
  for (const Point& p : pts) {
    const auto c = static_cast<size_t>(column_of(p.first, t0, scale, columns));
    tsum[c] += p.first;
    vsum[c] += p.second;
    ++count[c];
  }
  // Running window sums over columns [c-h, c+h].
  double wsum = 0;
  size_t wcount = 0;
  const int h = std::max(0, half_window);
  for (int c = 0; c < std::min(h, columns); ++c) {
    wsum += vsum[static_cast<size_t>(c)];
    wcount += count[static_cast<size_t>(c)];
  }
  for (int c = 0; c < columns; ++c) {
    const int add = c + h, drop = c - h - 1;
    if (add < columns) {
      wsum += vsum[static_cast<size_t>(add)];
      wcount += count[static_cast<size_t>(add)];
    }
    if (drop >= 0) {
      wsum -= vsum[static_cast<size_t>(drop)];
      wcount -= count[static_cast<size_t>(drop)];
    }
    const auto uc = static_cast<size_t>(c);
    if (count[uc] == 0 || wcount == 0) continue;
    out.emplace_back(tsum[uc] / static_cast<double>(count[uc]), wsum / static_cast<double>(wcount));
  }
  return out;
}

double percentile_of(std::vector<double>& values, double p) {
  if (values.empty()) return 0;
  const double n = static_cast<double>(values.size());
  // p * n / 100 (not p / 100 * n): 99.9 * 1000 / 100 is exactly 999 in binary
  // floating point, the other order is 999.0000000000001 and ceil makes it 1000.
  auto rank = static_cast<size_t>(std::ceil(p * n / 100.0 - 1e-9));
  rank = std::clamp<size_t>(rank, 1, values.size());
  auto nth = values.begin() + static_cast<std::ptrdiff_t>(rank - 1);
  std::nth_element(values.begin(), nth, values.end());
  return *nth;
}

std::vector<std::vector<Point>> percentiles_over_time(const std::vector<Point>& pts, double t0,
                                                      double t1, int windows,
                                                      const std::vector<double>& pcts) {
  std::vector<std::vector<Point>> lines(pcts.size());
  if (pts.empty() || windows <= 0) return lines;
  const double scale = column_scale(t0, t1, windows);
  const double width = scale > 0 ? 1.0 / scale : 0.0;
  std::vector<std::vector<double>> bucket(static_cast<size_t>(windows));
  for (const Point& p : pts) bucket[static_cast<size_t>(column_of(p.first, t0, scale, windows))].push_back(p.second);
  for (int w = 0; w < windows; ++w) {
    auto& vals = bucket[static_cast<size_t>(w)];
    if (vals.empty()) continue;
    const double centre = t0 + (w + 0.5) * width;
    for (size_t i = 0; i < pcts.size(); ++i) lines[i].emplace_back(centre, percentile_of(vals, pcts[i]));
  }
  return lines;
}

Unit choose_unit(results::LogKind kind, double max_value) {
  switch (kind) {
    case results::LogKind::bw: {
      static const char* names[] = {"KiB/s", "MiB/s", "GiB/s", "TiB/s"};
      double div = 1;
      int i = 0;
      while (i < 3 && max_value / div >= 1024) {
        div *= 1024;
        ++i;
      }
      return {names[i], div};
    }
    case results::LogKind::iops: {
      static const char* names[] = {"IOPS", "kIOPS", "MIOPS"};
      double div = 1;
      int i = 0;
      while (i < 2 && max_value / div >= 1000) {
        div *= 1000;
        ++i;
      }
      return {names[i], div};
    }
    default: {
      static const char* names[] = {"ns", "µs", "ms", "s"};
      double div = 1;
      int i = 0;
      while (i < 3 && max_value / div >= 1000) {
        div *= 1000;
        ++i;
      }
      return {names[i], div};
    }
  }
}

void scale_points(std::vector<Point>& pts, const Unit& unit) {
  if (unit.divisor == 1) return;
  for (Point& p : pts) p.second /= unit.divisor;
}

std::string format_value(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, std::fabs(v) < 1e9 ? "%.4g" : "%.3e", v);
  // %.4g turns 1234.5 into "1235" but 12345 into "1.234e+04": avoid exponents
  // for ordinary magnitudes, they read badly in a legend.
  if (std::fabs(v) >= 1e4 && std::fabs(v) < 1e9) std::snprintf(buf, sizeof buf, "%.0f", v);
  return buf;
}

}  // namespace fiokit::plot
