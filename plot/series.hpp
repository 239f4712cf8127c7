// Series maths for plots, kept apart from gnuplot so it can be tested alone:
// min/max-per-pixel-column downsampling (a 1,000,000-row log becomes ~2 points
// per pixel column, so gnuplot draws in milliseconds and every spike still
// reaches its true height), smoothing, summary statistics, percentiles per time
// window and the choice of a display unit (KiB/s -> MiB/s -> GiB/s, ns -> µs -> ms).
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "results/log_sink.hpp"

namespace fiokit::plot {

// (time in seconds, value in the log's unit or a display unit).
using Point = std::pair<double, double>;

struct SeriesStats {
  size_t count = 0;
  double min = 0, max = 0, mean = 0;
  double stddev = 0;  // sample standard deviation (n-1), as fio reports it
};

SeriesStats compute_stats(const std::vector<Point>& pts);

// Splits [t0, t1] into `columns` equal columns and keeps, per column, the
// minimum and the maximum sample in their time order (one point when they are
// the same sample). Points must be in time order. The result has at most
// 2*columns points and the same min and max as the input.
std::vector<Point> downsample_minmax(const std::vector<Point>& pts, double t0, double t1, int columns);

// Mean per column, then a centred moving average over 2*half_window+1 columns
// weighted by sample counts: a trend line that does not depend on how many
// samples fio wrote per second. One point per non-empty column, at the mean
// time of its samples.
std::vector<Point> smooth_columns(const std::vector<Point>& pts, double t0, double t1, int columns,
                                  int half_window);

// Nearest-rank percentile (the smallest value with at least p% of the samples
// at or below it, the rule fio uses on its histogram bins). `values` is
// reordered. p in (0, 100].
double percentile_of(std::vector<double>& values, double p);

// For each of `windows` equal time windows with samples: one point per
// requested percentile at the window's centre. lines[i] belongs to pcts[i].
std::vector<std::vector<Point>> percentiles_over_time(const std::vector<Point>& pts, double t0,
                                                      double t1, int windows,
                                                      const std::vector<double>& pcts);

// A display unit: value_in_unit = value_in_log_unit / divisor.
struct Unit {
  std::string name;  // "MiB/s", "µs", "kIOPS", ...
  double divisor = 1;
};

// The unit that shows `max_value` (in the log's unit: KiB/s, IOPS or ns) as a
// number below 1024 (binary prefixes, bandwidth) or 1000 (IOPS, time).
Unit choose_unit(results::LogKind kind, double max_value);

// Divides the second member of every point by unit.divisor.
void scale_points(std::vector<Point>& pts, const Unit& unit);

// Formats a value for a legend: 4 significant digits, no exponent below 1e9.
std::string format_value(double v);

}  // namespace fiokit::plot
