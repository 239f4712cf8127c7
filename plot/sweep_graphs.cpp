// See sweep_graphs.hpp. Points that did not run (pending, skipped) or have no
// figures leave a gap: a line joins only the points measured, and a heat map
// cell stays empty, so a missing point is never drawn as zero.
#include "plot/sweep_graphs.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>

#include "results/json_reader.hpp"

namespace fiokit::plot {

namespace {

// One colour per line, distinct enough to be told apart (and found in a
// rendered image by a test).
const char* const kColours[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"};

std::optional<double> as_number(const std::string& s) {
  double v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::string value_of(const results::SweepPoint& p, const std::string& option) {
  for (const auto& [k, v] : p)
    if (k == option) return v;
  return "";
}

struct Metric {
  const char* name;
  const char* title;
  const char* ylabel;
  double (*get)(const results::PointFigures&);
};
const Metric kMetrics[] = {
    {"iops", "IOPS", "IOPS", [](const results::PointFigures& f) { return f.iops; }},
    {"lat-mean", "mean latency (lat)", "latency (us)", [](const results::PointFigures& f) { return f.lat_mean_ns / 1000.0; }},
    {"lat-p99", "p99 completion latency (clat)", "latency (us)",
     [](const results::PointFigures& f) { return f.clat_p99_ns / 1000.0; }},
};

}  // namespace

std::vector<std::optional<results::PointFigures>> sweep_figures(const std::string& sweep_dir,
                                                                const results::SweepManifest& m) {
  std::vector<std::optional<results::PointFigures>> out;
  for (const auto& p : m.points) {
    std::optional<results::PointFigures> f;
    if (!p.run.empty() && p.status != "pending" && p.status != "skipped") {
      std::ifstream in(sweep_dir + "/" + p.run + "/results.json", std::ios::binary);
      if (in) {
        std::ostringstream ss;
        ss << in.rdbuf();
        try {
          f = results::point_figures(results::read_fio_json(ss.str()));
        } catch (const std::exception&) {
          f.reset();  // a broken sub-run: the manifest's copy below, if any
        }
      }
    }
    if (!f) f = p.figures;
    out.push_back(f);
  }
  return out;
}

std::vector<Graph> make_sweep_graphs(const results::SweepManifest& m,
                                     const std::vector<std::optional<results::PointFigures>>& figures) {
  std::vector<Graph> out;
  const results::SweepAxes axes = results::sweep_axes(m);
  if (axes.x < 0) return out;
  const auto& xdim = m.dimensions[static_cast<size_t>(axes.x)];
  const results::SweepDimension* ldim = axes.lines >= 0 ? &m.dimensions[static_cast<size_t>(axes.lines)] : nullptr;

  // x positions: the values themselves when all are numbers (on a log2 axis
  // when they are positive and span a factor of 4 or more, as iodepth 1..64
  // does), else 0, 1, 2 ... labelled with the values (bs=4k, rw=randread).
  std::vector<double> xs;
  bool numeric = true;
  for (const auto& v : xdim.values) {
    const auto n = as_number(v);
    numeric = numeric && n.has_value();
    xs.push_back(n.value_or(0));
  }
  std::vector<std::pair<double, std::string>> tics;
  bool logx2 = false;
  if (numeric) {
    const auto [lo, hi] = std::minmax_element(xs.begin(), xs.end());
    logx2 = *lo > 0 && *hi / *lo >= 4;
    for (size_t i = 0; i < xs.size(); ++i) tics.emplace_back(xs[i], xdim.values[i]);
  } else {
    for (size_t i = 0; i < xs.size(); ++i) xs[i] = static_cast<double>(i), tics.emplace_back(xs[i], xdim.values[i]);
  }

  // Groups: one graph set per combination of the dimensions that are neither x nor lines.
  std::map<std::string, std::vector<size_t>> groups;  // suffix -> point indices (manifest order)
  std::vector<std::string> group_order;
  for (size_t i = 0; i < m.points.size(); ++i) {
    std::string suffix, title;
    for (size_t d = 0; d < m.dimensions.size(); ++d) {
      if (static_cast<int>(d) == axes.x || static_cast<int>(d) == axes.lines) continue;
      if (m.dimensions[d].values.size() < 2) continue;
      const auto& [k, v] = m.points[i].settings[d];
      suffix += "-" + k + "_" + v;
    }
    if (!groups.count(suffix)) group_order.push_back(suffix);
    groups[suffix].push_back(i);
  }

  for (const std::string& suffix : group_order) {
    const auto& idx = groups[suffix];
    std::string where;
    for (size_t d = 0; d < m.dimensions.size(); ++d) {
      if (static_cast<int>(d) == axes.x || static_cast<int>(d) == axes.lines) continue;
      if (m.dimensions[d].values.size() < 2) continue;
      where += " " + m.points[idx.front()].settings[d].first + "=" + m.points[idx.front()].settings[d].second;
    }
    const std::vector<std::string> line_values = ldim ? ldim->values : std::vector<std::string>{""};
    for (const Metric& metric : kMetrics) {
      Graph g;
      g.name = std::string("sweep-") + metric.name + (suffix.empty() ? "" : suffix);
      g.title = std::string(metric.title) + " vs " + xdim.option + (ldim ? " per " + ldim->option : "") + where;
      g.xlabel = xdim.option;
      g.ylabel = metric.ylabel;
      g.logx2 = logx2;
      g.xtics = tics;
      for (size_t l = 0; l < line_values.size(); ++l) {
        Line line;
        line.title = ldim ? ldim->option + "=" + line_values[l] : metric.title;
        line.style = std::string("linespoints lw 2 pt 7 ps 1 lc rgb '") + kColours[l % std::size(kColours)] + "'";
        for (size_t xi = 0; xi < xdim.values.size(); ++xi)
          for (size_t i : idx) {
            const auto& pt = m.points[i].settings;
            if (value_of(pt, xdim.option) != xdim.values[xi]) continue;
            if (ldim && value_of(pt, ldim->option) != line_values[l]) continue;
            if (figures[i]) line.points.push_back({xs[xi], metric.get(*figures[i])});
          }
        g.lines.push_back(std::move(line));
      }
      out.push_back(std::move(g));
    }
    if (!ldim) continue;
    Graph h;
    h.name = "sweep-heatmap-iops" + suffix;
    h.title = "IOPS, " + xdim.option + " x " + ldim->option + where;
    h.xlabel = xdim.option;
    h.ylabel = ldim->option;
    h.heat_columns = xdim.values;
    h.heat_rows = ldim->values;
    h.heat_unit = "IOPS";
    h.heat.assign(ldim->values.size(), std::vector<double>(xdim.values.size(), std::numeric_limits<double>::quiet_NaN()));
    for (size_t i : idx) {
      if (!figures[i]) continue;
      const auto& pt = m.points[i].settings;
      const auto xc = std::find(xdim.values.begin(), xdim.values.end(), value_of(pt, xdim.option));
      const auto yr = std::find(ldim->values.begin(), ldim->values.end(), value_of(pt, ldim->option));
      h.heat[static_cast<size_t>(yr - ldim->values.begin())][static_cast<size_t>(xc - xdim.values.begin())] = figures[i]->iops;
    }
    out.push_back(std::move(h));
  }
  return out;
}

std::vector<std::string> plot_sweep(const std::string& sweep_dir, const std::string& out_dir,
                                    const RenderOptions& opt) {
  const results::SweepManifest m = results::load_sweep(sweep_dir);
  const auto graphs = make_sweep_graphs(m, sweep_figures(sweep_dir, m));
  if (graphs.empty()) throw PlotError(2, sweep_dir + ": no swept option has two values: nothing to draw");
  bool any = false;
  for (const auto& f : sweep_figures(sweep_dir, m)) any = any || f.has_value();
  if (!any) throw PlotError(2, sweep_dir + ": no point of the sweep has results yet");
  return render_graphs(graphs, out_dir, opt);
}

}  // namespace fiokit::plot
