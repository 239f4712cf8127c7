// The JSON API's bodies (/api/runs, /api/runs/{id}, .../series) as pure
// functions of the index and of parsed logs, apart from the routes so tests and
// the page renderer use the same numbers.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "results/log_sink.hpp"
#include "serve/run_index.hpp"

namespace fiokit::serve {

// One direction of one log, downsampled.
struct Series {
  int ddir = 0;
  size_t rows = 0;  // rows of this direction in the requested time range
  std::vector<uint64_t> t, v;
  // Over those rows, every one counted (not only the points kept).
  uint64_t min = 0, max = 0;
  double mean = 0;
};

// Sum of values over rows, exact past 2^64 (20 M rows of large latencies
// overflow a uint64_t), so the streamed and the in-memory series give the same
// mean to the last bit.
struct ValueSum {
  uint64_t lo = 0, hi = 0, count = 0;
  void add(uint64_t v) {
    lo += v;
    hi += lo < v ? 1 : 0;
    ++count;
  }
  double mean() const {
    if (!count) return 0;
    return static_cast<double>((static_cast<long double>(hi) * 18446744073709551616.0L + lo) / count);
  }
};

// Splits rows by direction and downsamples each to at most max_points points:
// the time range [from, to] (ms, inclusive) is cut into max_points/2 buckets and
// each bucket keeps its minimum and its maximum row, in time order, so a spike
// of one sample survives any zoom level. Fewer rows than max_points are kept whole.
std::vector<Series> downsample_log(const std::vector<results::LogRow>& rows, size_t max_points,
                                   std::optional<uint64_t> from = std::nullopt,
                                   std::optional<uint64_t> to = std::nullopt);

// One page of the index (serve/run_query.hpp), described in the body beside its runs.
struct RunsPageInfo {
  size_t total = 0, matched = 0, offset = 0;
  std::optional<size_t> next_offset;  // where the next page starts; none on the last
  std::string sort, filter;
  bool descending = true;
};
// Every run when page is null (the body /api/runs has always had).
std::string render_runs_json(const std::vector<std::shared_ptr<const RunInfo>>& runs,
                             const RunsPageInfo* page = nullptr);
std::string render_run_json(const RunInfo& run);
std::string render_series_json(const LogInfo& log, const std::vector<Series>& series, size_t total_rows);

// "2026-11-22 03:15:00 UTC" ("" for 0).
std::string format_time(int64_t unix_seconds);

// Per job (fio's report view: group_reporting merged) and direction with I/O.
struct DirRow {
  std::string job;
  int group = 0;
  int members = 1;
  int ddir = 0;
  double iops = 0;
  uint64_t bw_bytes = 0, io_bytes = 0, runtime_ms = 0, total_ios = 0;
  double clat_mean = 0, lat_mean = 0, slat_mean = 0;
  uint64_t clat_min = 0, clat_max = 0, clat_p50 = 0, clat_p90 = 0, clat_p99 = 0, clat_p999 = 0;
  int error = 0;
  std::string error_message;
};
std::vector<DirRow> summary_rows(const results::RunResult& run);

}  // namespace fiokit::serve
