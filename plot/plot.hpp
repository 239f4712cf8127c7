// fiokit plot, the library side: finds fio-format logs (by fio2gnuplot-style
// glob, in a run directory, or across several run directories), builds the
// standard graphs and renders them. Works the same on runs made by fio 3.33 and
// by fiokit, because both leave the same log files.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "plot/graph.hpp"
#include "plot/render.hpp"

namespace fiokit::plot {

struct PlotOptions {
  RenderOptions render;
  GraphOptions graph;
  // What a log is when its file name does not say (fio2gnuplot's -b / -i).
  std::optional<results::LogKind> kind;
};

struct PlotSummary {
  std::vector<std::string> images;  // written (empty when only capturing scripts)
  std::vector<std::string> notes;   // logs skipped and why (empty logs, ...)
};

// Files in `dir` (not recursive) whose names match the fnmatch glob, sorted by
// name, case-insensitively like fio2gnuplot. Returned as dir/name.
std::vector<std::string> find_logs(const std::string& dir, const std::string& glob);

// All bw/iops/lat/clat/slat logs directly in `dir`, sorted.
std::vector<std::string> find_run_logs(const std::string& dir);

// What a run directory's graphs are drawn from: the job's own fio logs (as
// find_run_logs) when it has any, else the per-second series fiokit keeps for
// every job in RUN/series (results/series_sink.hpp); *from_series says which.
// Empty when there are neither (a fio run without logs).
std::vector<std::string> find_graph_logs(const std::string& run_dir, bool* from_series = nullptr);

// fio2gnuplot's form: the given logs, images named after their files plus
// `name` for the per-kind overlay (name.png), bars (name-stats.png) and latency
// percentiles (name-percentiles.png); a "-<kind>" suffix is added when the logs
// hold several kinds. Throws PlotError(2) when `paths` is empty or a row is
// malformed (naming file:line), PlotError(1) when gnuplot fails.
PlotSummary plot_logs(const std::vector<std::string>& paths, const std::string& out_dir,
                      const std::string& name, const PlotOptions& opt);

// fiokit's form: every log of the run directory (find_graph_logs; a note says
// which source was used) into run_dir/plots (or out_dir
// when not empty): per-log series, <kind>.png overlays, <kind>-stats.png bars,
// <kind>-percentiles.png for per-I/O latency logs. The title names the run (its
// directory name) and, when results.json says, the jobs' rw/bs/iodepth.
PlotSummary plot_run_dir(const std::string& run_dir, const std::string& out_dir, const PlotOptions& opt);

// The same log kinds across several run directories: compare-<kind>.png
// (lines labelled "RUN: job") and compare-<kind>-stats.png; and, when two or
// more runs have latency bins (json+ or hist logs), compare-<metric>-cdf.png:
// each run's total latency CDF with its p99 marked (latency_dist.hpp).
PlotSummary plot_compare(const std::vector<std::string>& run_dirs, const std::string& out_dir,
                         const PlotOptions& opt);

// "rw=randread bs=4k iodepth=1" for the run when results.json (fio's JSON
// schema) names one setting for all its jobs; "" otherwise or when absent.
std::string describe_run_jobs(const std::string& run_dir);

}  // namespace fiokit::plot
