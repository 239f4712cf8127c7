// Latency distributions as fio keeps them, for the histogram, CDF and
// percentiles-over-time graphs of plot and serve: the json+ "bins" of a
// results.json (fiokit's or fio's own --output-format=json+) and the
// write_hist_log files (NAME_clat_hist.N.log). Both use fio's bin layout
// (LatencyHistogram: 29 groups of 64 bins, 1856 bins in fio 3.33); a hist log
// merges 2^log_hist_coarseness neighbouring bins per column. Percentiles are
// always computed from summed bin counts with fio's rule, never by averaging
// the percentiles of jobs or windows, which means nothing.
#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "results/histogram.hpp"

namespace fiokit::results {

// Counts in fio's layout with 2^coarseness bins merged: counts.size() ==
// LatencyHistogram::kBins >> coarseness.
struct LatencyDist {
  int coarseness = 0;
  std::vector<uint64_t> counts;

  static LatencyDist empty(int coarseness);
  uint64_t total() const;
  // Adds `o`, merging its bins first when it is finer; a coarser `o` throws
  // std::invalid_argument (its counts cannot be split).
  void add(const LatencyDist& o);
  // The same counts with 2^c bins merged (c >= coarseness).
  LatencyDist coarsened(int c) const;
};

// Bounds of bin i of a dist with the given coarseness, in ns: [low, high).
// The last bin also holds everything above it (fio clamps there).
uint64_t dist_bin_low(size_t i, int coarseness);
uint64_t dist_bin_high(size_t i, int coarseness);
// The latency a bin stands for: with coarseness 0 fio's own value (the bin's
// midpoint, the key json+ writes and the value fio reports percentiles at);
// merged bins their midpoint.
uint64_t dist_bin_value(size_t i, int coarseness);

// fio's percentile rule (stat.c's calc_clat_percentiles, as documented by its
// output): the value of the first bin at which the running count reaches
// p/100 of all samples. So with coarseness 0 these equal the "percentile"
// values of the same json+ output exactly. 0 when the dist is empty.
uint64_t dist_percentile(const LatencyDist& d, double p);

// One latency distribution of one job (or the total of several) and direction.
struct DistTrack {
  std::string job;     // job name; "total" for a sum
  int job_number = 0;  // 1-based position in the results (fio's log number); 0 for a total
  int ddir = 0;        // 0 read, 1 write, 2 trim
  std::string metric;  // "clat", "lat" or "slat"
  bool total = false;
  int members = 1;     // jobs summed into it
  LatencyDist dist;
  // The percentiles results.json reports next to the bins (p, value in ns).
  std::vector<std::pair<double, uint64_t>> reported;
};

// "job", "job (job 2)" when several jobs share the name, "total (2 jobs)".
std::string track_label(const DistTrack& t, bool numbered);

// Every job/direction/metric of a fio JSON document that has json+ "bins", in
// the document's order. Leading text before the first '{' (fio's messages) is
// skipped; with several documents (--status-interval) the last one counts.
// Throws std::runtime_error when the text is not JSON.
std::vector<DistTrack> read_json_plus_dists(std::string_view text);

// Per (metric, direction) with more than one track: one track with the bins
// summed (the numjobs/group total). Empty when every metric has one job.
std::vector<DistTrack> sum_tracks(const std::vector<DistTrack>& tracks);

// --- write_hist_log files -------------------------------------------------

// "<prefix>_clat_hist.<N>.log" or "<prefix>_clat_hist.log".
struct HistLogName {
  std::string prefix;
  int job_number = 0;
};
std::optional<HistLogName> parse_hist_log_name(std::string_view path);

// One row: "time_ms, ddir, bs, count0, count1, ..." with the counts of the
// I/Os completed since the previous row of that direction (fio HOWTO, "Log
// File Formats"; checked against logs of the installed fio 3.33).
struct HistRow {
  uint64_t time_ms = 0;
  int ddir = 0;
  uint64_t bs = 0;
  const uint64_t* counts = nullptr;
  size_t bins = 0;
};

// Reads rows one at a time (memory bounded by one row whatever the file
// size) and returns the file's coarseness. A row whose count of bin columns is
// not 1856 >> c (c = 0..6) or differs from the first row's, a non-integer
// field or a direction other than 0..2 throws LogParseError (file:line); a
// file that cannot be read throws std::system_error naming it.
int scan_hist_log(const std::string& path, const std::function<void(const HistRow&)>& on_row);
int scan_hist_fd(int fd, const std::string& path, const std::function<void(const HistRow&)>& on_row);

// Hist logs summed into one distribution per direction per file and into
// total windows over time. A row at time t belongs to window floor((t + 10) /
// interval): fio writes a row at the first completion after log_hist_msec
// passed, a few ms late, and fio's tools/hist/fiologparser_hist.py (--noweight)
// places rows the same way, so the windows match the ones it prints. When
// there would be more than max_windows, the interval doubles and neighbouring
// windows merge, so memory stays bounded on any run length.
class HistAggregator {
 public:
  // interval_ms = 0: the spacing of the first file's first rows (its log_hist_msec).
  explicit HistAggregator(uint64_t interval_ms = 0, size_t max_windows = 512);

  struct FileDists {
    std::string path;
    HistLogName name;
    size_t rows = 0;
    std::array<std::optional<LatencyDist>, 3> by_dir;  // directions with rows
  };
  // Throws as scan_hist_log; std::runtime_error when a file's coarseness
  // differs from the first file's.
  const FileDists& add_file(const std::string& path);
  const FileDists& add_fd(int fd, const std::string& path);

  struct Window {
    uint64_t start_ms = 0, end_ms = 0;
    LatencyDist dist;
  };
  // Windows with samples, in time order.
  std::vector<Window> windows(int ddir) const;
  const std::vector<FileDists>& files() const { return files_; }
  uint64_t interval_ms() const { return interval_; }
  int coarseness() const { return coarseness_; }

 private:
  void add_row(const HistRow& r);
  void halve_resolution();
  uint64_t interval_;
  size_t max_windows_;
  int coarseness_ = -1;
  std::vector<uint64_t> first_times_;  // for the automatic interval
  std::vector<FileDists> files_;
  std::array<std::vector<std::pair<uint64_t, LatencyDist>>, 3> windows_;  // (index, dist), sorted
};

}  // namespace fiokit::results
