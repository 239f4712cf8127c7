// Graph descriptions: what one image shows (title, axes, lines, bars) as plain
// data, built from fio-format logs. Building a graph decides units, legends and
// downsampling; rendering it (render.hpp) only turns it into gnuplot commands,
// so the choices here are testable without gnuplot.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "plot/series.hpp"
#include "results/log_reader.hpp"

namespace fiokit::plot {

struct Line {
  std::string title;       // legend entry
  std::string style;       // gnuplot style, e.g. "lines lw 1 lc rgb '#1f77b4'"
  std::vector<Point> points;
};

// A horizontal line (the average), drawn as a constant function.
struct HLine {
  std::string title;
  std::string style;
  double y = 0;
};

struct BarGroup {
  std::string label;           // x tic label (the job)
  std::vector<double> values;  // one per Graph::bar_columns
};

struct Graph {
  std::string name;  // output file name without extension
  std::string title, xlabel, ylabel;
  std::vector<Line> lines;
  std::vector<HLine> hlines;
  // A clustered bar chart when non-empty (lines/hlines are then ignored).
  std::vector<std::string> bar_columns;
  std::vector<BarGroup> bars;
  bool log_x = false;  // latency distributions: x spans ns to seconds
  // Lines graphs: x on a log2 axis (iodepth 1..64 spread evenly), and x tic
  // labels at given positions (text values of a sweep placed at 0, 1, 2...).
  bool logx2 = false;
  std::vector<std::pair<double, std::string>> xtics;
  // A heat map when non-empty (lines and bars are then ignored): heat[row][col]
  // (NaN: no value) under the column and row labels, each cell's value printed.
  std::vector<std::string> heat_columns, heat_rows;
  std::vector<std::vector<double>> heat;
  std::string heat_unit;  // colour box label
};

struct GraphOptions {
  std::string title;         // names the run or the user's -t; prefixes every graph title
  double min_time_s = 0;     // rows before this time are left out
  double max_time_s = -1;    // rows at or after this time are left out; <0 = no limit
  int columns = 1280;        // pixel columns for min/max downsampling
};

// One log's rows of one data direction as (seconds, value in the log's unit),
// within the options' time range.
std::vector<Point> extract_points(const results::LogFile& log, int ddir, const GraphOptions& opt);

// Data directions present in a log, ascending.
std::vector<int> directions_of(const results::LogFile& log);

// Legend name of a job: "NAME" or "NAME (job N)" for fio's per-job log names,
// plus " read"/" write"/" trim" when `with_dir`.
std::string job_label(const results::LogFile& log, int ddir, bool with_dir);

// "bandwidth", "IOPS", "total latency", "completion latency", "submission latency".
const char* kind_title(results::LogKind kind);

// Per-log time series: raw samples (min/max per column), smoothed trend and an
// average line. One graph per data direction in the log.
std::vector<Graph> make_time_series(const results::LogFile& log, const GraphOptions& opt,
                                    const std::string& name_base);

// All logs of one kind overlaid, one line per (log, direction).
Graph make_overlay(results::LogKind kind, const std::vector<const results::LogFile*>& logs,
                   const GraphOptions& opt, const std::string& name);

// Per job (log, direction): min, avg, max and stddev bars.
Graph make_stats_bars(results::LogKind kind, const std::vector<const results::LogFile*>& logs,
                      const GraphOptions& opt, const std::string& name);

// p50/p99/p99.9 per time window for latency logs with one row per I/O
// (windowed log_avg_msec logs are skipped: a percentile of averages means
// nothing). Empty `lines` when no log qualifies.
Graph make_percentiles(results::LogKind kind, const std::vector<const results::LogFile*>& logs,
                       const GraphOptions& opt, const std::string& name);

// The same kind across several runs: lines labelled "RUN: job" and the legend
// grouped by run.
struct RunLogs {
  std::string label;  // the run's name (its directory name)
  std::vector<const results::LogFile*> logs;
};
Graph make_compare(results::LogKind kind, const std::vector<RunLogs>& runs, const GraphOptions& opt,
                   const std::string& name);
Graph make_compare_bars(results::LogKind kind, const std::vector<RunLogs>& runs,
                        const GraphOptions& opt, const std::string& name);

}  // namespace fiokit::plot
