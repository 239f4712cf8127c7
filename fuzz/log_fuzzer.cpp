// libFuzzer target for the fio-format log reader: arbitrary bytes are a
// NAME_bw/iops/lat/clat/slat log that plot and serve read from a run directory
// made anywhere (by fiokit, by real fio, by hand). LogParseError is the
// reader's documented answer to a bad row; anything else escaping, a crash, a
// sanitizer report, a hang or a memory blow-up is a finding. Rows that parse
// then go through what plot (series, graphs) and serve (downsampled series,
// its JSON body) compute from them, since hostile numbers (times near 2^64,
// one row, all rows at one millisecond) reach that maths unchecked. Built only
// with -DFIOKIT_FUZZ=ON and clang (see scripts/fuzz).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "plot/graph.hpp"
#include "results/log_reader.hpp"
#include "serve/api.hpp"

namespace {
using namespace fiokit;

[[noreturn]] void finding(const char* what) {
  std::fprintf(stderr, "log_fuzzer: %s\n", what);
  std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // The kind comes from the input's length so the text itself stays a plain
  // log file (seeds are real logs) and every kind is reached.
  const auto kind = static_cast<results::LogKind>(size % 5);

  // The first line also serves as a file name for parse_log_name, which reads
  // the names of files found in a run directory.
  const std::string first_line(text.substr(0, std::min(text.find('\n'), size_t{256})));
  if (auto name = results::parse_log_name(first_line)) {
    if (name->job_number < 0) finding("parse_log_name gave a negative job number");
  }

  results::LogFile log;
  log.path = "fuzz_bw.1.log";
  log.name.prefix = "fuzz";
  log.name.kind = kind;
  log.name.job_number = 1;
  try {
    results::parse_log_text(text, log.path, log.rows, &log.columns);
  } catch (const results::LogParseError& e) {
    if (e.line() == 0) finding("LogParseError names line 0");
    return 0;
  }
  if (!log.rows.empty() && (log.columns < 4 || log.columns > 6)) finding("rows parsed with a column count outside 4..6");
  for (const auto& r : log.rows)
    if (r.ddir < 0 || r.ddir > 2) finding("a row with a direction outside 0..2 was accepted");

  // serve reads the cached rows through repeated_final_rows; plot drops them.
  const auto stale = results::repeated_final_rows(log.rows);
  size_t marked = 0;
  for (size_t i : stale) {
    if (i == SIZE_MAX) continue;
    if (i >= log.rows.size()) finding("repeated_final_rows points past the rows");
    ++marked;
  }
  const std::vector<results::LogRow> all_rows = log.rows;
  log.dropped_final_rows = results::drop_repeated_final_rows(log.rows);
  if (log.dropped_final_rows != marked) finding("drop_repeated_final_rows and repeated_final_rows disagree");

  // serve: /api/runs/{id}/logs/{file} with and without a time range.
  serve::LogInfo info;
  info.file = log.path;
  info.name = log.name;
  for (size_t max_points : {size_t{2}, size_t{7}, size_t{400}}) {
    auto series = serve::downsample_log(all_rows, max_points);
    for (const auto& s : series)
      if (s.t.size() != s.v.size() || (all_rows.size() > max_points && s.t.size() > max_points))
        finding("downsample_log returned more points than asked or t/v of different lengths");
    (void)serve::render_series_json(info, series, all_rows.size());
  }
  if (!all_rows.empty()) {
    const uint64_t a = all_rows.front().time_ms, b = all_rows.back().time_ms;
    (void)serve::downsample_log(all_rows, 50, std::min(a, b), std::max(a, b));
    (void)serve::downsample_log(all_rows, 50, std::max(a, b), std::min(a, b));  // an empty range
  }

  // plot: every graph `fiokit plot` draws from one log, a full and a narrow range.
  plot::GraphOptions opt;
  opt.title = "fuzz";
  std::vector<const results::LogFile*> logs{&log};
  for (int pass = 0; pass < 2; ++pass) {
    if (pass == 1) {
      if (log.rows.empty()) break;
      opt.min_time_s = static_cast<double>(log.rows.front().time_ms) / 1000.0;
      opt.max_time_s = opt.min_time_s + 0.5;
      opt.columns = 3;
    }
    (void)plot::make_time_series(log, opt, "fuzz");
    (void)plot::make_overlay(kind, logs, opt, "overlay");
    (void)plot::make_stats_bars(kind, logs, opt, "stats");
    (void)plot::make_percentiles(kind, logs, opt, "pct");
    const std::vector<plot::RunLogs> runs{{"a", logs}, {"b", logs}};
    (void)plot::make_compare(kind, runs, opt, "cmp");
    (void)plot::make_compare_bars(kind, runs, opt, "cmpbars");
  }
  return 0;
}
