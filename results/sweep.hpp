// A sweep (`fiokit sweep JOB --iodepth 1,2,4 --numjobs 1,2`): the matrix of
// option values it runs, and its manifest on disk. A sweep is one run
// directory holding sweep.json (dimensions, points, status per point) and a
// sub-run per point under runs/<run-id>/, each an ordinary run directory, so
// plot, serve and compare read a point like any run. This file owns the
// matrix expansion, the manifest's JSON (writer and reader) and the figures
// a point is drawn and tabled by; running the points is cli/sweep.cpp's.
#pragma once
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "results/run_result.hpp"

namespace fiokit::results {

// A manifest (or a value list) that cannot be read; what() says which and why.
struct SweepError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// One swept option and its values, in the order given.
struct SweepDimension {
  std::string option;               // as fio spells it (the canonical name)
  std::vector<std::string> values;  // as the user wrote them
};

// One point of the matrix: (option, value) per dimension, in dimension order.
using SweepPoint = std::vector<std::pair<std::string, std::string>>;

// "1,2,4" -> {"1","2","4"} (blanks around a value trimmed). An empty list or
// an empty value ("1,,4", "4,") throws SweepError naming the option: a
// dimension the user gave must not silently shrink.
std::vector<std::string> split_sweep_values(const std::string& option, const std::string& text);

// Every combination, the last dimension varying fastest (--iodepth 1,2
// --numjobs 1,2: (1,1) (1,2) (2,1) (2,2)); one empty point for no dimension.
// A dimension without values throws SweepError.
std::vector<SweepPoint> expand_sweep(const std::vector<SweepDimension>& dims);

// "iodepth=1 numjobs=2": how a point is named on screen and matched between
// two sweeps (compare): equal keys mean equal option values.
std::string point_key(const SweepPoint& p);
// "iodepth_1-numjobs_2": the point's sub-run label (a file-name-safe run id).
std::string point_label(const SweepPoint& p);

// What a point is drawn and tabled by, from its results.json. Rates are
// summed over every job and direction (numjobs clones are separate jobs); the
// mean is the total latency (lat) over all I/Os; p99 is the completion
// latency (clat) percentile of all I/Os pooled, since clat is what fio
// reports percentiles for by default (json+ keeps its bins, so the pooled
// percentile is exact to the histogram's 1/128).
struct PointFigures {
  double iops = 0;
  double bw_bytes = 0;        // bytes/s
  double lat_mean_ns = 0;     // 0 when not measured
  double clat_p99_ns = 0;     // 0 when not measured
  uint64_t total_ios = 0;
};
PointFigures point_figures(const RunResult& run);

struct SweepPointRecord {
  SweepPoint settings;
  // "pending" (not run yet), "ok", "failed" (error says why), "interrupted"
  // (a signal stopped it; its sub-run holds what was measured), "skipped"
  // (a signal stopped the sweep before it).
  std::string status = "pending";
  std::string run;    // sub-run directory relative to the sweep directory ("" before it exists)
  std::string error;
  int exit_code = 0;  // of the point's run
  std::optional<PointFigures> figures;
};

struct SweepManifest {
  std::string tool = "fiokit";
  std::string version;
  std::vector<std::string> job_files;  // base names as kept in the sweep directory
  std::vector<SweepDimension> dimensions;
  std::vector<SweepPointRecord> points;
  int64_t started_ms = 0, finished_ms = 0;  // unix ms; finished 0 while running
  bool interrupted = false;
};

// sweep.json's text (pretty JSON, one document).
std::string write_sweep_manifest(const SweepManifest& m);
// Throws SweepError naming the key that is missing or malformed.
SweepManifest read_sweep_manifest(std::string_view text);

// The manifest's file name inside a sweep directory.
inline constexpr const char* kSweepManifest = "sweep.json";
// True when dir holds sweep.json.
bool is_sweep_dir(const std::string& dir);
// Reads dir/sweep.json; throws SweepError naming the path.
SweepManifest load_sweep(const std::string& dir);

// The dimensions a graph is drawn along: x is iodepth when swept with more
// than one value, else the first dimension with several values; lines is
// numjobs when swept (and not x), else the next dimension with several
// values. -1 when there is none.
struct SweepAxes {
  int x = -1, lines = -1;
};
SweepAxes sweep_axes(const SweepManifest& m);

}  // namespace fiokit::results
