// Latency distribution graphs (see latency_dist.hpp): loading json+ bins and
// hist logs from a run directory, and the histogram, CDF and
// percentiles-over-time Graph descriptions drawn from them.
#include "plot/latency_dist.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <system_error>

#include "plot/render.hpp"
#include "results/log_reader.hpp"

namespace fiokit::plot {

namespace fs = std::filesystem;
using results::DistTrack;
using results::LatencyDist;

namespace {

constexpr const char* kPalette[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd",
                                    "#8c564b", "#e377c2", "#17becf", "#bcbd22"};
// The percentile markers: one colour each, distinct from the job lines.
constexpr const char* kMarkerColours[] = {"#2ca02c", "#ff7f0e", "#d62728", "#7b0099"};
constexpr const char* kMarkerNames[] = {"p50", "p99", "p99.9", "p99.99"};
constexpr const char* kDirWords[] = {"read", "write", "trim"};
// Per-job lines beyond this many hide each other; the total says it all.
constexpr size_t kMaxJobLines = 8;
// Bins per octave drawn on a histogram: 64 (fio's resolution) makes a
// comb of a few thousand samples; 16 keeps the shape and every mode.
constexpr int kDisplayCoarseness = 2;

const char* metric_title(const std::string& m) {
  return m == "clat" ? "completion latency" : m == "slat" ? "submission latency" : "total latency";
}

results::LogKind metric_kind(const std::string& m) {
  return m == "clat" ? results::LogKind::clat : m == "slat" ? results::LogKind::slat : results::LogKind::lat;
}

std::string with_prefix(const GraphOptions& opt, const std::string& rest) {
  return opt.title.empty() ? rest : opt.title + " — " + rest;
}

void scale_x(std::vector<Point>& pts, const Unit& u) {
  for (Point& p : pts) p.first /= u.divisor;
}

// The tracks of one (metric, direction) and the one whose percentiles are marked.
struct Panel {
  std::string metric;
  int ddir = 0;
  std::vector<const DistTrack*> jobs;
  const DistTrack* total = nullptr;
  const DistTrack* marked() const { return total ? total : jobs.front(); }
};

Line track_line(const DistTrack& t, bool numbered, size_t i, std::vector<Point> pts) {
  if (t.total)
    return {results::track_label(t, numbered), "histeps lw 2.5 lc rgb '#000000'", std::move(pts)};
  return {results::track_label(t, numbered), std::string("histeps lw 1.5 lc rgb '") + kPalette[i % 8] + "'",
          std::move(pts)};
}

// Dashed vertical lines at the marked percentiles, legend "p99 = 1.23 ms".
void add_markers(Graph& g, const LatencyDist& d, const Unit& u, double ymax) {
  for (size_t i = 0; i < std::size(kMarkedPercentiles); ++i) {
    const double v = static_cast<double>(results::dist_percentile(d, kMarkedPercentiles[i])) / u.divisor;
    g.lines.push_back({std::string(kMarkerNames[i]) + " = " + format_value(v) + " " + u.name,
                       std::string("lines dt 2 lw 2 lc rgb '") + kMarkerColours[i] + "'",
                       {{v, 0}, {v, ymax}}});
  }
}

}  // namespace

std::vector<Point> histogram_points(const LatencyDist& d, int display_coarseness) {
  const LatencyDist shown = d.coarsened(std::max(display_coarseness, d.coarseness));
  const double n = static_cast<double>(shown.total());
  std::vector<Point> pts;
  if (n == 0) return pts;
  size_t first = 0, last = 0;
  bool any = false;
  for (size_t i = 0; i < shown.counts.size(); ++i)
    if (shown.counts[i]) {
      if (!any) first = i;
      last = i;
      any = true;
    }
  // Empty bins between the first and the last are drawn at 0 so a gap shows.
  for (size_t i = first; i <= last; ++i)
    pts.emplace_back(static_cast<double>(results::dist_bin_value(i, shown.coarseness)),
                     100.0 * static_cast<double>(shown.counts[i]) / n);
  return pts;
}

std::vector<Point> cdf_points(const LatencyDist& d) {
  const double n = static_cast<double>(d.total());
  std::vector<Point> pts;
  if (n == 0) return pts;
  uint64_t seen = 0;
  for (size_t i = 0; i < d.counts.size(); ++i) {
    if (!d.counts[i]) continue;
    if (pts.empty()) pts.emplace_back(static_cast<double>(std::max<uint64_t>(results::dist_bin_low(i, d.coarseness), 1)), 0);
    seen += d.counts[i];
    pts.emplace_back(static_cast<double>(results::dist_bin_high(i, d.coarseness)), 100.0 * static_cast<double>(seen) / n);
  }
  return pts;
}

std::vector<std::string> find_hist_logs(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code fe;
    if (it->is_regular_file(fe) && results::parse_hist_log_name(it->path().filename().string()))
      out.push_back(it->path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

DistInputs load_hist_logs(const std::vector<std::string>& paths, uint64_t interval_ms) {
  DistInputs in;
  in.source = "hist logs";
  in.hist.emplace(interval_ms);
  for (const std::string& p : paths) {
    try {
      const auto& f = in.hist->add_file(p);
      for (int d = 0; d < 3; ++d) {
        if (!f.by_dir[static_cast<size_t>(d)]) continue;
        DistTrack t;
        t.job = f.name.prefix.empty() ? fs::path(p).stem().string() : f.name.prefix;
        t.job_number = f.name.job_number;
        t.ddir = d;
        t.metric = "clat";  // fio's hist logs hold completion latencies only
        t.dist = *f.by_dir[static_cast<size_t>(d)];
        in.tracks.push_back(std::move(t));
      }
    } catch (const results::LogParseError& e) {
      throw PlotError(2, e.what());
    } catch (const std::system_error& e) {
      throw PlotError(1, e.what());
    } catch (const std::runtime_error& e) {
      throw PlotError(2, e.what());
    }
  }
  return in;
}

DistInputs load_run_dists(const std::string& run_dir) {
  const auto hist_paths = find_hist_logs(run_dir);
  DistInputs in = hist_paths.empty() ? DistInputs{} : load_hist_logs(hist_paths);
  std::ifstream f(fs::path(run_dir) / "results.json");
  if (!f) return in;
  std::stringstream text;
  text << f.rdbuf();
  try {
    auto tracks = results::read_json_plus_dists(text.str());
    if (!tracks.empty()) {
      in.tracks = std::move(tracks);
      in.source = "json+ bins";
    }
  } catch (const std::exception&) {
    // Not JSON (or not fio's): the run's other graphs say so; the logs still count.
  }
  return in;
}

std::vector<Graph> make_latency_dist_graphs(const DistInputs& in, const GraphOptions& opt, const std::string& base) {
  std::vector<Graph> graphs;
  const std::vector<DistTrack> totals = results::sum_tracks(in.tracks);
  std::vector<Panel> panels;
  for (const DistTrack& t : in.tracks) {
    auto it = std::find_if(panels.begin(), panels.end(),
                           [&](const Panel& p) { return p.metric == t.metric && p.ddir == t.ddir; });
    if (it == panels.end()) it = panels.insert(panels.end(), Panel{t.metric, t.ddir, {}, nullptr});
    if (t.dist.total() && it->jobs.size() < kMaxJobLines) it->jobs.push_back(&t);
  }
  // numjobs=N without group_reporting: N jobs of one name, told apart by number.
  bool numbered = false;
  for (const DistTrack& t : in.tracks)
    for (const DistTrack& u : in.tracks)
      if (&t != &u && t.job == u.job && t.metric == u.metric && t.ddir == u.ddir) numbered = true;
  for (Panel& p : panels)
    for (const DistTrack& s : totals)
      if (s.metric == p.metric && s.ddir == p.ddir) p.total = &s;
  std::map<std::string, int> dirs_per_metric;
  for (const Panel& p : panels)
    if (!p.jobs.empty()) ++dirs_per_metric[p.metric];

  for (const Panel& p : panels) {
    if (p.jobs.empty()) continue;
    const std::string suffix = dirs_per_metric[p.metric] > 1 || p.ddir != 0 ? std::string("-") + kDirWords[p.ddir] : "";
    const std::string what = std::string(metric_title(p.metric)) +
                             (suffix.empty() ? "" : std::string(" (") + kDirWords[p.ddir] + ")");
    const LatencyDist& marked = p.marked()->dist;
    const Unit unit = choose_unit(metric_kind(p.metric), static_cast<double>(results::dist_percentile(marked, 50)));
    const std::string xlabel = std::string(metric_title(p.metric)) + " (" + unit.name + ", log scale)";
    std::vector<const DistTrack*> all = p.jobs;
    if (p.total) all.push_back(p.total);

    Graph h;
    h.name = base + p.metric + "-histogram" + suffix;
    h.title = with_prefix(opt, what + " histogram, from " + in.source);
    h.xlabel = xlabel;
    h.ylabel = "% of I/Os per bin (16 bins per doubling)";
    h.log_x = true;
    double ymax = 0;
    for (size_t i = 0; i < all.size(); ++i) {
      auto pts = histogram_points(all[i]->dist, kDisplayCoarseness);
      for (const Point& q : pts) ymax = std::max(ymax, q.second);
      scale_x(pts, unit);
      h.lines.push_back(track_line(*all[i], numbered, i, std::move(pts)));
    }
    add_markers(h, marked, unit, ymax);
    graphs.push_back(std::move(h));

    Graph c;
    c.name = base + p.metric + "-cdf" + suffix;
    c.title = with_prefix(opt, what + " CDF, from " + in.source);
    c.xlabel = xlabel;
    c.ylabel = "% of I/Os at or below";
    c.log_x = true;
    for (size_t i = 0; i < all.size(); ++i) {
      auto pts = cdf_points(all[i]->dist);
      scale_x(pts, unit);
      Line l = track_line(*all[i], numbered, i, std::move(pts));
      l.style.replace(0, 7, "lines");  // a CDF is a line through the bins' upper edges
      c.lines.push_back(std::move(l));
    }
    add_markers(c, marked, unit, 100);
    graphs.push_back(std::move(c));
  }

  if (in.hist) {
    Graph g;
    g.name = base + "clat-percentiles-time";
    g.xlabel = "time (s)";
    std::vector<Line> lines;
    double vmax = 0;
    int ndirs = 0;
    for (int d = 0; d < 3; ++d) ndirs += in.hist->windows(d).empty() ? 0 : 1;
    size_t colour = 0;
    for (int d = 0; d < 3; ++d) {
      const auto windows = in.hist->windows(d);
      if (windows.empty()) continue;
      for (size_t i = 0; i < 3; ++i) {
        Line l{ndirs > 1 || d != 0 ? std::string(kDirWords[d]) + " " + kMarkerNames[i] : kMarkerNames[i],
               std::string("linespoints pt 7 ps 0.5 lw 1.5 lc rgb '") + kMarkerColours[colour++ % 4] + "'", {}};
        for (const auto& w : windows) {
          const double t = static_cast<double>(w.end_ms) / 1000.0;
          if (t < opt.min_time_s || (opt.max_time_s >= 0 && t >= opt.max_time_s) || !w.dist.total()) continue;
          const double v = static_cast<double>(results::dist_percentile(w.dist, kMarkedPercentiles[i]));
          vmax = std::max(vmax, v);
          l.points.emplace_back(t, v);
        }
        lines.push_back(std::move(l));
      }
    }
    const Unit unit = choose_unit(results::LogKind::clat, vmax);
    for (Line& l : lines) scale_points(l.points, unit);
    const size_t files = in.hist->files().size();
    g.title = with_prefix(opt, "completion latency percentiles over time (" + std::to_string(in.hist->interval_ms()) +
                                   " ms windows, " + (files > 1 ? "bins of " + std::to_string(files) + " hist logs summed" : "hist log") + ")");
    g.ylabel = "completion latency (" + unit.name + ")";
    g.lines = std::move(lines);
    graphs.push_back(std::move(g));
  }
  return graphs;
}

std::vector<Graph> make_compare_latency_cdfs(const std::vector<RunDists>& runs, const GraphOptions& opt,
                                             const std::string& base, std::vector<std::string>* notes) {
  // Each run's totals per (metric, direction): the sum of its jobs, or its
  // one job (sum_tracks sums only where there are several).
  std::vector<std::vector<DistTrack>> totals;
  std::vector<size_t> with_bins;
  for (size_t i = 0; i < runs.size(); ++i) {
    std::vector<DistTrack> sums = results::sum_tracks(runs[i].in.tracks);
    for (const DistTrack& t : runs[i].in.tracks)
      if (std::none_of(sums.begin(), sums.end(), [&](const DistTrack& u) { return u.metric == t.metric && u.ddir == t.ddir; }))
        sums.push_back(t);
    totals.push_back(std::move(sums));
    if (totals.back().empty()) {
      if (notes) notes->push_back("run " + runs[i].label + " has no latency bins (json+ or hist logs): not in the latency CDF");
    } else {
      with_bins.push_back(i);
    }
  }
  if (with_bins.size() < 2) return {};
  auto has_metric = [&](size_t i, const std::string& m) {
    return std::any_of(totals[i].begin(), totals[i].end(), [&](const DistTrack& t) { return t.metric == m && t.dist.total(); });
  };
  const bool all_lat = std::all_of(with_bins.begin(), with_bins.end(), [&](size_t i) { return has_metric(i, "lat"); });
  const std::string metric = all_lat ? "lat" : "clat";
  int dirs = 0;
  bool dir_used[3] = {false, false, false};
  for (size_t i : with_bins)
    for (const DistTrack& t : totals[i])
      if (t.metric == metric && t.dist.total() && t.ddir >= 0 && t.ddir < 3 && !dir_used[t.ddir]) {
        dir_used[t.ddir] = true;
        ++dirs;
      }
  std::vector<Graph> graphs;
  for (int d = 0; d < 3; ++d) {
    if (!dir_used[d]) continue;
    std::vector<std::pair<size_t, const DistTrack*>> drawn;  // (run, its total)
    double p50_max = 0;
    for (size_t i : with_bins)
      for (const DistTrack& t : totals[i])
        if (t.metric == metric && t.ddir == d && t.dist.total()) {
          drawn.emplace_back(i, &t);
          p50_max = std::max(p50_max, static_cast<double>(results::dist_percentile(t.dist, 50)));
        }
    const Unit unit = choose_unit(metric_kind(metric), p50_max);
    const std::string suffix = dirs > 1 || d != 0 ? std::string("-") + kDirWords[d] : "";
    Graph g;
    g.name = base + metric + "-cdf" + suffix;
    g.title = with_prefix(opt, std::string(metric_title(metric)) + (suffix.empty() ? "" : std::string(" (") + kDirWords[d] + ")") +
                                   " CDF per run, all jobs' bins summed, p99 marked");
    g.xlabel = std::string(metric_title(metric)) + " (" + unit.name + ", log scale)";
    g.ylabel = "% of I/Os at or below";
    g.log_x = true;
    for (size_t k = 0; k < drawn.size(); ++k) {
      const auto& [i, t] = drawn[k];
      const char* colour = kPalette[k % 8];
      auto pts = cdf_points(t->dist);
      scale_x(pts, unit);
      g.lines.push_back({runs[i].label, std::string("lines lw 2 lc rgb '") + colour + "'", std::move(pts)});
      const double p99 = static_cast<double>(results::dist_percentile(t->dist, 99)) / unit.divisor;
      g.lines.push_back({runs[i].label + " p99 = " + format_value(p99) + " " + unit.name,
                         std::string("lines dt 2 lw 2 lc rgb '") + colour + "'", {{p99, 0}, {p99, 100}}});
    }
    if (drawn.size() < with_bins.size() && notes)
      notes->push_back(std::string("only ") + std::to_string(drawn.size()) + " of " + std::to_string(with_bins.size()) +
                       " runs have " + kDirWords[d] + " latency bins");
    graphs.push_back(std::move(g));
  }
  return graphs;
}

}  // namespace fiokit::plot
