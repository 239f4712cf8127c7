// fiokit plot, the library side (see plot.hpp): file discovery, log loading
// with errors turned into exit codes, and which graphs make up each form.
#include "plot/plot.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <system_error>

#include <nlohmann/json.hpp>

#include "plot/latency_dist.hpp"
#include "results/series_sink.hpp"

namespace fiokit::plot {

namespace fs = std::filesystem;
using results::LogFile;
using results::LogKind;

namespace {

constexpr LogKind kKinds[] = {LogKind::bw, LogKind::iops, LogKind::lat, LogKind::clat, LogKind::slat};

bool less_nocase(const std::string& a, const std::string& b) {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) < std::tolower(static_cast<unsigned char>(y));
  });
}

std::vector<std::string> list_dir(const std::string& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  fs::directory_iterator it(dir, ec), end;
  if (ec) throw PlotError(2, "cannot list directory " + dir + ": " + ec.message());
  for (; it != end; it.increment(ec)) {
    if (ec) throw PlotError(1, "cannot list directory " + dir + ": " + ec.message());
    std::error_code fe;
    if (it->is_regular_file(fe)) names.push_back(it->path().filename().string());
  }
  std::sort(names.begin(), names.end(), less_nocase);
  return names;
}

std::string join_dir(const std::string& dir, const std::string& name) {
  return dir.empty() || dir == "." ? name : (fs::path(dir) / name).string();
}

// Reads logs, skipping empty ones (fio writes an empty _slat log when slat is
// not measured) with a note, and turning read errors into exit codes.
std::vector<LogFile> load_logs(const std::vector<std::string>& paths, const PlotOptions& opt,
                               PlotSummary& summary) {
  std::vector<LogFile> logs;
  for (const std::string& path : paths) {
    LogFile log;
    try {
      log = results::read_log(path);
    } catch (const results::LogParseError& e) {
      throw PlotError(2, e.what());
    } catch (const std::system_error& e) {
      throw PlotError(1, e.what());
    }
    if (!results::parse_log_name(path)) {
      if (!opt.kind)
        throw PlotError(2, "cannot tell what " + path +
                               " logs: its name is not NAME_{bw,iops,lat,clat,slat}[.N].log; "
                               "say -b (bandwidth) or -i (IOPS)");
      log.name.kind = *opt.kind;
      std::string base = fs::path(path).filename().string();
      if (base.size() > 4 && base.ends_with(".log")) base.resize(base.size() - 4);
      log.name.prefix = base;
    }
    if (log.rows.empty()) {
      summary.notes.push_back(path + ": empty log, skipped");
      continue;
    }
    logs.push_back(std::move(log));
  }
  return logs;
}

std::string stem_of(const std::string& path) {
  std::string base = fs::path(path).filename().string();
  if (base.ends_with(".log")) base.resize(base.size() - 4);
  return base;
}

std::vector<const LogFile*> logs_of_kind(const std::vector<LogFile>& logs, LogKind kind) {
  std::vector<const LogFile*> out;
  for (const LogFile& l : logs)
    if (l.name.kind == kind) out.push_back(&l);
  return out;
}

bool is_latency(LogKind k) { return k == LogKind::lat || k == LogKind::clat || k == LogKind::slat; }

// The graphs of a set of logs: per log, then per kind. `kind_name(kind)` gives
// the base name of the per-kind images.
template <typename KindName>
std::vector<Graph> standard_graphs(const std::vector<LogFile>& logs, const GraphOptions& gopt,
                                   bool overlay_single, KindName kind_name) {
  std::vector<Graph> graphs;
  for (const LogFile& log : logs) {
    auto g = make_time_series(log, gopt, stem_of(log.path));
    std::move(g.begin(), g.end(), std::back_inserter(graphs));
  }
  for (LogKind kind : kKinds) {
    const auto of_kind = logs_of_kind(logs, kind);
    if (of_kind.empty()) continue;
    const std::string base = kind_name(kind);
    size_t tracks = 0;
    for (const LogFile* l : of_kind) tracks += directions_of(*l).size();
    if (overlay_single || tracks > 1) graphs.push_back(make_overlay(kind, of_kind, gopt, base));
    graphs.push_back(make_stats_bars(kind, of_kind, gopt, base + "-stats"));
    if (is_latency(kind)) graphs.push_back(make_percentiles(kind, of_kind, gopt, base + "-percentiles"));
  }
  return graphs;
}

PlotSummary finish(PlotSummary summary, const std::vector<Graph>& graphs, const std::string& out_dir,
                   const PlotOptions& opt) {
  bool any = false;
  for (const Graph& g : graphs) any = any || has_data(g);
  if (!any) throw PlotError(2, "nothing to plot: no log has samples in the selected time range");
  summary.images = render_graphs(graphs, out_dir, opt.render);
  return summary;
}

}  // namespace

std::vector<std::string> find_logs(const std::string& dir, const std::string& glob) {
  std::vector<std::string> out;
  for (const std::string& name : list_dir(dir))
    if (::fnmatch(glob.c_str(), name.c_str(), 0) == 0) out.push_back(join_dir(dir, name));
  return out;
}

std::vector<std::string> find_run_logs(const std::string& dir) {
  std::vector<std::string> out;
  for (const std::string& name : list_dir(dir))
    if (results::parse_log_name(name)) out.push_back(join_dir(dir, name));
  return out;
}

PlotSummary plot_logs(const std::vector<std::string>& all_paths, const std::string& out_dir,
                      const std::string& name, const PlotOptions& opt) {
  if (all_paths.empty()) throw PlotError(2, "no log files to plot");
  // write_hist_log files (-p '*_clat_hist*') get the latency distribution graphs.
  std::vector<std::string> paths, hist_paths;
  for (const std::string& p : all_paths) (results::parse_hist_log_name(p) ? hist_paths : paths).push_back(p);
  std::vector<Graph> graphs;
  if (!hist_paths.empty()) graphs = make_latency_dist_graphs(load_hist_logs(hist_paths), opt.graph, name + "-");
  PlotSummary summary;
  if (paths.empty()) return finish(std::move(summary), graphs, out_dir, opt);
  const auto logs = load_logs(paths, opt, summary);
  if (logs.empty() && graphs.empty()) throw PlotError(2, "every selected log is empty; nothing to plot");
  std::set<LogKind> kinds;
  for (const LogFile& l : logs) kinds.insert(l.name.kind);
  const bool several = kinds.size() > 1;
  auto more = standard_graphs(logs, opt.graph, false, [&](LogKind k) {
    return several ? name + "-" + results::log_kind_name(k) : name;
  });
  std::move(more.begin(), more.end(), std::back_inserter(graphs));
  return finish(std::move(summary), graphs, out_dir, opt);
}

std::vector<std::string> find_graph_logs(const std::string& run_dir, bool* from_series) {
  auto paths = find_run_logs(run_dir);
  if (from_series) *from_series = false;
  if (!paths.empty()) return paths;
  const std::string series = join_dir(run_dir, results::kSeriesDir);
  std::error_code ec;
  if (!fs::is_directory(series, ec)) return paths;
  if (from_series) *from_series = true;
  return find_run_logs(series);
}

namespace {
// have_dists: the run has json+ bins or hist logs (latency_dist.hpp), which
// plot on their own, so a run with those but no time-series logs is no error.
std::vector<std::string> graph_logs_or_throw(const std::string& run_dir, PlotSummary& summary,
                                             bool have_dists = false) {
  bool from_series = false;
  auto paths = find_graph_logs(run_dir, &from_series);
  if (paths.empty() && have_dists) return paths;
  if (paths.empty())
    throw PlotError(2, "no fio logs (NAME_{bw,iops,lat,clat,slat}[.N].log) and no per-second series (" +
                           std::string(results::kSeriesDir) + "/) in " + run_dir);
  summary.notes.push_back(from_series ? run_dir + ": the job file writes no fio logs; graphs of fiokit's per-second series (" +
                                            results::kSeriesDir + "/)"
                                      : run_dir + ": graphs of the job's own fio logs");
  return paths;
}
}  // namespace

PlotSummary plot_run_dir(const std::string& run_dir, const std::string& out_dir, const PlotOptions& opt) {
  // json+ bins and write_hist_log files: latency distributions (latency_dist.hpp).
  const DistInputs dists = load_run_dists(run_dir);
  const bool have_dists = !dists.tracks.empty() || dists.hist;
  PlotSummary summary;
  const auto paths = graph_logs_or_throw(run_dir, summary, have_dists);
  const auto logs = load_logs(paths, opt, summary);
  if (logs.empty() && !have_dists) throw PlotError(2, "every log in " + run_dir + " is empty; nothing to plot");
  PlotOptions o = opt;
  if (o.graph.title.empty()) {
    o.graph.title = fs::path(run_dir).lexically_normal().filename().string();
    if (o.graph.title.empty()) o.graph.title = fs::path(run_dir).lexically_normal().parent_path().filename().string();
    const std::string jobs = describe_run_jobs(run_dir);
    if (!jobs.empty()) o.graph.title += " (" + jobs + ")";
  }
  auto graphs =
      standard_graphs(logs, o.graph, true, [](LogKind k) { return std::string(results::log_kind_name(k)); });
  auto dist_graphs = make_latency_dist_graphs(dists, o.graph, "");
  std::move(dist_graphs.begin(), dist_graphs.end(), std::back_inserter(graphs));
  return finish(std::move(summary), graphs,
                out_dir.empty() ? (fs::path(run_dir) / "plots").string() : out_dir, o);
}

PlotSummary plot_compare(const std::vector<std::string>& run_dirs, const std::string& out_dir,
                         const PlotOptions& opt) {
  if (run_dirs.size() < 2) throw PlotError(2, "--compare needs at least two run directories");
  PlotSummary summary;
  std::vector<std::vector<LogFile>> per_run;
  std::vector<std::string> labels;
  for (const std::string& dir : run_dirs) {
    const auto paths = graph_logs_or_throw(dir, summary);
    per_run.push_back(load_logs(paths, opt, summary));
    std::string label = fs::path(dir).lexically_normal().filename().string();
    if (label.empty()) label = fs::path(dir).lexically_normal().parent_path().filename().string();
    // Two runs with the same directory name (gold/run1, silver/run1) need the
    // full path to be told apart.
    labels.push_back(std::count(labels.begin(), labels.end(), label) ? dir : label);
  }
  std::vector<Graph> graphs;
  for (LogKind kind : kKinds) {
    std::vector<RunLogs> runs;
    size_t present = 0;
    for (size_t i = 0; i < per_run.size(); ++i) {
      runs.push_back({labels[i], logs_of_kind(per_run[i], kind)});
      present += runs.back().logs.empty() ? 0 : 1;
    }
    if (present == 0) continue;
    if (present < per_run.size())
      summary.notes.push_back(std::string("only ") + std::to_string(present) + " of " +
                              std::to_string(per_run.size()) + " runs have " + results::log_kind_name(kind) + " logs");
    const std::string base = std::string("compare-") + results::log_kind_name(kind);
    graphs.push_back(make_compare(kind, runs, opt.graph, base));
    graphs.push_back(make_compare_bars(kind, runs, opt.graph, base + "-stats"));
  }
  // Each run's latency distribution (json+ bins or hist logs) on one CDF.
  std::vector<RunDists> dists;
  for (size_t i = 0; i < run_dirs.size(); ++i) dists.push_back({labels[i], load_run_dists(run_dirs[i])});
  for (Graph& g : make_compare_latency_cdfs(dists, opt.graph, "compare-", &summary.notes)) graphs.push_back(std::move(g));
  return finish(std::move(summary), graphs, out_dir, opt);
}

std::string describe_run_jobs(const std::string& run_dir) {
  std::ifstream in(fs::path(run_dir) / "results.json");
  if (!in) return "";
  nlohmann::json doc = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("jobs") || !doc["jobs"].is_array()) return "";
  std::map<std::string, std::string> global;
  if (doc.contains("global options") && doc["global options"].is_object())
    for (auto& [k, v] : doc["global options"].items())
      if (v.is_string()) global[k] = v.get<std::string>();
  std::set<std::string> settings;
  for (const auto& job : doc["jobs"]) {
    std::map<std::string, std::string> o = global;
    if (job.contains("job options") && job["job options"].is_object())
      for (auto& [k, v] : job["job options"].items())
        if (v.is_string()) o[k] = v.get<std::string>();
    // fio's defaults when the job file leaves them out.
    const std::string rw = o.count("rw") ? o["rw"] : o.count("readwrite") ? o["readwrite"] : "read";
    const std::string bs = o.count("bs") ? o["bs"] : o.count("blocksize") ? o["blocksize"] : "4k";
    const std::string depth = o.count("iodepth") ? o["iodepth"] : "1";
    settings.insert("rw=" + rw + " bs=" + bs + " iodepth=" + depth);
  }
  return settings.size() == 1 ? *settings.begin() : "";
}

}  // namespace fiokit::plot
