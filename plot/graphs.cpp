// Builds Graph descriptions from fio-format logs (see graph.hpp). Units are
// chosen per graph from the largest raw sample so overlaid lines share one
// axis; points are downsampled here, before gnuplot ever sees them.
#include <algorithm>
#include <cmath>

#include "plot/graph.hpp"

namespace fiokit::plot {

using results::LogFile;
using results::LogKind;

namespace {

constexpr const char* kPalette[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728",
                                    "#9467bd", "#8c564b", "#e377c2", "#17becf"};
constexpr size_t kPaletteSize = sizeof kPalette / sizeof kPalette[0];
constexpr const char* kDirWords[] = {"read", "write", "trim"};

std::string with_prefix(const GraphOptions& opt, const std::string& rest) {
  return opt.title.empty() ? rest : opt.title + " — " + rest;
}

std::string color_style(size_t i, const char* extra = "lw 1.5") {
  return std::string("lines ") + extra + " lc rgb '" + kPalette[i % kPaletteSize] + "'";
}

double max_value(const std::vector<std::vector<Point>>& sets) {
  double m = 0;
  for (const auto& s : sets)
    for (const Point& p : s) m = std::max(m, p.second);
  return m;
}

void time_range(const std::vector<std::vector<Point>>& sets, double& t0, double& t1) {
  t0 = INFINITY;
  t1 = -INFINITY;
  for (const auto& s : sets) {
    if (s.empty()) continue;
    t0 = std::min(t0, s.front().first);
    t1 = std::max(t1, s.back().first);
  }
  if (!(t0 <= t1)) t0 = t1 = 0;
}

// Half width, in columns, of the trend line's moving window: about 3% of the
// plot, widened so it spans at least ~7 samples of a sparse log (a 60-sample
// log_avg_msec=1000 log would otherwise "smooth" over one sample), capped at
// 1/8 of the plot so a trend still shows changes.
int smoothing_half_window(const GraphOptions& opt, size_t samples) {
  const int by_width = std::max(1, opt.columns / 64);
  const double by_samples = samples ? std::ceil(3.0 * opt.columns / static_cast<double>(samples)) : 0;
  return std::min(std::max(by_width, static_cast<int>(by_samples)), std::max(1, opt.columns / 8));
}

std::string value_axis(LogKind kind, const Unit& unit) {
  return std::string(kind_title(kind)) + " (" + unit.name + ")";
}

// One (log, direction) with its points.
struct Track {
  const LogFile* log;
  int ddir;
  std::string label;
  std::vector<Point> points;
};

std::vector<Track> tracks_of(const std::vector<const LogFile*>& logs, const GraphOptions& opt,
                             const std::string& label_prefix = "") {
  std::vector<Track> out;
  for (const LogFile* log : logs) {
    const auto dirs = directions_of(*log);
    for (int d : dirs) {
      Track t{log, d, label_prefix + job_label(*log, d, dirs.size() > 1 || d != 0),
              extract_points(*log, d, opt)};
      if (!t.points.empty()) out.push_back(std::move(t));
    }
  }
  return out;
}

Graph overlay_of(LogKind kind, const std::vector<Track>& tracks, const GraphOptions& opt,
                 const std::string& name, const std::string& title) {
  Graph g;
  g.name = name;
  g.title = with_prefix(opt, title);
  g.xlabel = "time (s)";
  double vmax = 0, t0 = INFINITY, t1 = -INFINITY;
  for (const Track& t : tracks) {
    for (const Point& p : t.points) vmax = std::max(vmax, p.second);
    t0 = std::min(t0, t.points.front().first);
    t1 = std::max(t1, t.points.back().first);
  }
  const Unit unit = choose_unit(kind, vmax);
  g.ylabel = value_axis(kind, unit);
  for (size_t i = 0; i < tracks.size(); ++i) {
    Line l{tracks[i].label, color_style(i, "lw 1"),
           downsample_minmax(tracks[i].points, t0, t1, opt.columns)};
    scale_points(l.points, unit);
    g.lines.push_back(std::move(l));
  }
  return g;
}

Graph bars_of(LogKind kind, const std::vector<Track>& tracks, const GraphOptions& opt,
              const std::string& name, const std::string& title) {
  Graph g;
  g.name = name;
  g.title = with_prefix(opt, title);
  g.bar_columns = {"min", "avg", "max", "stddev"};
  std::vector<SeriesStats> stats;
  double vmax = 0;
  for (const Track& t : tracks) {
    stats.push_back(compute_stats(t.points));
    vmax = std::max(vmax, stats.back().max);
  }
  const Unit unit = choose_unit(kind, vmax);
  g.ylabel = value_axis(kind, unit);
  for (size_t i = 0; i < tracks.size(); ++i) {
    const SeriesStats& s = stats[i];
    g.bars.push_back({tracks[i].label,
                      {s.min / unit.divisor, s.mean / unit.divisor, s.max / unit.divisor,
                       s.stddev / unit.divisor}});
  }
  return g;
}

}  // namespace

const char* kind_title(LogKind kind) {
  switch (kind) {
    case LogKind::bw: return "bandwidth";
    case LogKind::iops: return "IOPS";
    case LogKind::lat: return "total latency";
    case LogKind::clat: return "completion latency";
    case LogKind::slat: return "submission latency";
  }
  return "?";
}

std::vector<Point> extract_points(const LogFile& log, int ddir, const GraphOptions& opt) {
  std::vector<Point> pts;
  pts.reserve(log.rows.size());
  const double tmin_ms = opt.min_time_s * 1000.0;
  const double tmax_ms = opt.max_time_s < 0 ? INFINITY : opt.max_time_s * 1000.0;
  for (const results::LogRow& r : log.rows) {
    if (r.ddir != ddir) continue;
    const auto t = static_cast<double>(r.time_ms);
    if (t < tmin_ms || t >= tmax_ms) continue;
    pts.emplace_back(t / 1000.0, static_cast<double>(r.value));
  }
  // fio writes rows in completion order, which is time order per file; a
  // merged or hand-edited log may not be, and the column scans need it.
  if (!std::is_sorted(pts.begin(), pts.end(),
                      [](const Point& a, const Point& b) { return a.first < b.first; }))
    std::stable_sort(pts.begin(), pts.end(),
                     [](const Point& a, const Point& b) { return a.first < b.first; });
  return pts;
}

std::vector<int> directions_of(const LogFile& log) {
  bool seen[3] = {false, false, false};
  for (const results::LogRow& r : log.rows)
    if (r.ddir >= 0 && r.ddir < 3) seen[r.ddir] = true;
  std::vector<int> dirs;
  for (int d = 0; d < 3; ++d)
    if (seen[d]) dirs.push_back(d);
  return dirs;
}

std::string job_label(const LogFile& log, int ddir, bool with_dir) {
  std::string s = log.name.prefix.empty() ? std::string("log") : log.name.prefix;
  if (log.name.job_number > 0) s += " (job " + std::to_string(log.name.job_number) + ")";
  if (with_dir && ddir >= 0 && ddir < 3) s += std::string(" ") + kDirWords[ddir];
  return s;
}

std::vector<Graph> make_time_series(const LogFile& log, const GraphOptions& opt,
                                    const std::string& name_base) {
  std::vector<Graph> out;
  const auto dirs = directions_of(log);
  for (int d : dirs) {
    std::vector<Point> pts = extract_points(log, d, opt);
    if (pts.empty()) continue;
    const SeriesStats st = compute_stats(pts);
    const Unit unit = choose_unit(log.name.kind, st.max);
    const double t0 = pts.front().first, t1 = pts.back().first;
    Graph g;
    g.name = dirs.size() > 1 ? name_base + "-" + kDirWords[d] : name_base;
    const std::string who = job_label(log, d, dirs.size() > 1 || d != 0);
    g.title = with_prefix(opt, who + " " + kind_title(log.name.kind));
    g.xlabel = "time (s)";
    g.ylabel = value_axis(log.name.kind, unit);
    Line raw{"raw", "lines lw 1 lc rgb '#9ecae1'", downsample_minmax(pts, t0, t1, opt.columns)};
    Line smooth{"smoothed", "lines lw 2 lc rgb '#08519c'",
                smooth_columns(pts, t0, t1, opt.columns, smoothing_half_window(opt, pts.size()))};
    scale_points(raw.points, unit);
    scale_points(smooth.points, unit);
    g.lines.push_back(std::move(raw));
    g.lines.push_back(std::move(smooth));
    g.hlines.push_back({"average " + format_value(st.mean / unit.divisor) + " " + unit.name,
                        "lines lw 2 dt 2 lc rgb '#d62728'", st.mean / unit.divisor});
    out.push_back(std::move(g));
  }
  return out;
}

Graph make_overlay(LogKind kind, const std::vector<const LogFile*>& logs, const GraphOptions& opt,
                   const std::string& name) {
  const auto tracks = tracks_of(logs, opt);
  if (tracks.empty()) return Graph{name, {}, {}, {}, {}, {}, {}, {}};
  return overlay_of(kind, tracks, opt, name, std::string("all jobs, ") + kind_title(kind));
}

Graph make_stats_bars(LogKind kind, const std::vector<const LogFile*>& logs, const GraphOptions& opt,
                      const std::string& name) {
  const auto tracks = tracks_of(logs, opt);
  if (tracks.empty()) return Graph{name, {}, {}, {}, {}, {}, {}, {}};
  return bars_of(kind, tracks, opt, name, std::string(kind_title(kind)) + " per job: min/avg/max/stddev");
}

Graph make_percentiles(LogKind kind, const std::vector<const LogFile*>& logs, const GraphOptions& opt,
                       const std::string& name) {
  Graph g;
  g.name = name;
  g.title = with_prefix(opt, std::string(kind_title(kind)) + " percentiles over time");
  g.xlabel = "time (s)";
  // All per-I/O logs of the kind pooled per direction: percentiles describe
  // the run's I/Os, whichever job issued them.
  std::vector<Point> pooled[3];
  for (const LogFile* log : logs) {
    if (log->windowed()) continue;
    for (int d : directions_of(*log)) {
      auto pts = extract_points(*log, d, opt);
      pooled[d].insert(pooled[d].end(), pts.begin(), pts.end());
    }
  }
  int ndirs = 0;
  for (auto& p : pooled) {
    if (p.empty()) continue;
    ++ndirs;
    std::stable_sort(p.begin(), p.end(), [](const Point& a, const Point& b) { return a.first < b.first; });
  }
  if (ndirs == 0) return g;
  double t0, t1;
  time_range({pooled[0], pooled[1], pooled[2]}, t0, t1);
  const std::vector<double> pcts = {50, 99, 99.9};
  const char* pct_names[] = {"p50", "p99", "p99.9"};
  std::vector<Line> lines;
  size_t color = 0;
  for (int d = 0; d < 3; ++d) {
    if (pooled[d].empty()) continue;
    // Enough samples per window for p99.9 to mean something (~1000), at most
    // one window per 8 pixel columns.
    const int windows = static_cast<int>(std::clamp<size_t>(pooled[d].size() / 1000, 1,
                                                            static_cast<size_t>(std::max(1, opt.columns / 8))));
    auto pl = percentiles_over_time(pooled[d], t0, t1, windows, pcts);
    for (size_t i = 0; i < pcts.size(); ++i) {
      std::string title = ndirs > 1 || d != 0 ? std::string(kDirWords[d]) + " " + pct_names[i] : pct_names[i];
      lines.push_back({title, std::string("linespoints pt 7 ps 0.4 lw 1.5 lc rgb '") +
                                  kPalette[color++ % kPaletteSize] + "'",
                       std::move(pl[i])});
    }
  }
  std::vector<std::vector<Point>> sets;
  for (const Line& l : lines) sets.push_back(l.points);
  const Unit unit = choose_unit(kind, max_value(sets));
  for (Line& l : lines) scale_points(l.points, unit);
  g.ylabel = value_axis(kind, unit);
  g.lines = std::move(lines);
  return g;
}

// Every run's tracks, labelled with the run, for the compare graphs.
static std::vector<Track> tracks_of_runs(const std::vector<RunLogs>& runs, const GraphOptions& opt) {
  std::vector<Track> tracks;
  for (const RunLogs& run : runs) {
    auto t = tracks_of(run.logs, opt, run.label + ": ");
    std::move(t.begin(), t.end(), std::back_inserter(tracks));
  }
  return tracks;
}

Graph make_compare(LogKind kind, const std::vector<RunLogs>& runs, const GraphOptions& opt,
                   const std::string& name) {
  const std::vector<Track> tracks = tracks_of_runs(runs, opt);
  if (tracks.empty()) return Graph{name, {}, {}, {}, {}, {}, {}, {}};
  return overlay_of(kind, tracks, opt, name, std::string(kind_title(kind)) + " across runs");
}

Graph make_compare_bars(LogKind kind, const std::vector<RunLogs>& runs, const GraphOptions& opt,
                        const std::string& name) {
  const std::vector<Track> tracks = tracks_of_runs(runs, opt);
  if (tracks.empty()) return Graph{name, {}, {}, {}, {}, {}, {}, {}};
  return bars_of(kind, tracks, opt, name, std::string(kind_title(kind)) + " across runs: min/avg/max/stddev");
}

}  // namespace fiokit::plot
