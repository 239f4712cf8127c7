// libFuzzer target for the fio-format log reader: arbitrary bytes are a
// NAME_bw/iops/lat/clat/slat log that plot and serve read from a run directory
// made anywhere (by fiokit, by real fio, by hand). LogParseError is the
// reader's documented answer to a bad row; anything else escaping, a crash, a
// sanitizer report, a hang or a memory blow-up is a finding. Rows that parse
// then go through what plot (series, graphs) and serve (downsampled series,
// its JSON body) compute from them, since hostile numbers (times near 2^64,
// one row, all rows at one millisecond) reach that maths unchecked. The same
// bytes, as a file (a memfd), go through what `fiokit serve` runs on a log it
// never holds whole: build_log_index with a small block (so lines are cut at
// block edges) and scan_series, which must fail exactly as parse_log_text
// does and otherwise answer exactly what downsample_log answers over the
// parsed rows, for whole-log views and time windows; and through the
// write_hist_log reader serve uses for latency histograms (scan_hist_fd), whose
// rows must have 1856 >> c bins and a direction 0..2. Built only with
// -DFIOKIT_FUZZ=ON and clang (see scripts/fuzz).
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <optional>
#include <system_error>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "plot/graph.hpp"
#include "results/latency_dist.hpp"
#include "results/log_reader.hpp"
#include "serve/api.hpp"
#include "serve/log_scan.hpp"
#include "util/fd.hpp"

namespace {
using namespace fiokit;

[[noreturn]] void finding(const std::string& what) {
  std::fprintf(stderr, "log_fuzzer: %s\n", what.c_str());
  std::abort();
}

// The input as a file serve would open: a memfd (no disk, no cleanup).
util::Fd as_file(std::string_view text) {
  util::Fd fd(::memfd_create("fuzz_lat.1.log", MFD_CLOEXEC));
  if (!fd) finding("memfd_create failed");
  for (size_t at = 0; at < text.size();) {
    const ssize_t n = ::write(fd.get(), text.data() + at, text.size() - at);
    if (n <= 0) finding("cannot write the memfd");
    at += static_cast<size_t>(n);
  }
  return fd;
}

bool same(const std::vector<serve::Series>& a, const std::vector<serve::Series>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].ddir != b[i].ddir || a[i].rows != b[i].rows || a[i].min != b[i].min || a[i].max != b[i].max ||
        !(a[i].mean == b[i].mean) || a[i].t != b[i].t || a[i].v != b[i].v)
      return false;
  return true;
}

// serve's streamed reading of the same log: it fails where parse_log_text
// failed, with the same message, and otherwise agrees with downsample_log.
void check_streamed(int fd, std::string_view text, const std::string& path, const std::vector<results::LogRow>* rows,
                    const std::string& parse_error) {
  // Blocks from 1 byte up, from the input's own bytes: every cut of a line.
  const size_t block = 1 + (text.empty() ? 0 : static_cast<unsigned char>(text[0]) % 97);
  std::optional<serve::LogIndex> idx;
  try {
    idx = serve::build_log_index(fd, text.size(), path, block);
  } catch (const results::LogParseError& e) {
    if (rows) finding(std::string("build_log_index refused a log parse_log_text read: ") + e.what());
    if (parse_error != e.what()) finding("build_log_index and parse_log_text differ: '" + std::string(e.what()) + "' vs '" + parse_error + "'");
    return;
  }
  if (!rows) finding("build_log_index read a log parse_log_text refused: " + parse_error);
  if (idx->total_rows != rows->size()) finding("build_log_index counted another number of rows");
  std::vector<std::pair<std::optional<uint64_t>, std::optional<uint64_t>>> windows = {{std::nullopt, std::nullopt}};
  if (!rows->empty()) {
    const uint64_t a = rows->front().time_ms, b = rows->back().time_ms;
    windows.push_back({std::min(a, b), std::max(a, b)});
    windows.push_back({a / 2 + b / 2, std::nullopt});
    windows.push_back({std::nullopt, a / 3 + b / 3});
    windows.push_back({std::max(a, b), std::min(a, b)});
  }
  for (size_t mp : {size_t{2}, size_t{7}, size_t{400}})
    for (const auto& [from, to] : windows)
      if (!same(serve::scan_series(fd, *idx, path, mp, from, to), serve::downsample_log(*rows, mp, from, to)))
        finding("scan_series and downsample_log disagree (max_points " + std::to_string(mp) + ", from " +
                (from ? std::to_string(*from) : "-") + ", to " + (to ? std::to_string(*to) : "-") + ", block " +
                std::to_string(block) + ")");
}

// The write_hist_log reader on the same bytes (serve's /hist and plot's
// histograms): LogParseError is its answer to a bad row.
void check_hist(int fd) {
  if (::lseek(fd, 0, SEEK_SET) != 0) finding("cannot rewind the memfd");
  try {
    size_t bins = 0;
    const int c = results::scan_hist_fd(fd, "fuzz_clat_hist.1.log", [&](const results::HistRow& r) {
      if (r.ddir < 0 || r.ddir > 2) finding("a hist row with a direction outside 0..2 was accepted");
      if (!r.counts && r.bins) finding("a hist row with bins but no counts");
      if (bins && r.bins != bins) finding("hist rows of different widths were accepted");
      bins = r.bins;
    });
    if (c < 0 || c > 6 || (bins && bins != (size_t{1856} >> c))) finding("scan_hist_fd's coarseness does not match its rows");
  } catch (const results::LogParseError& e) {
    if (e.line() == 0) finding("scan_hist_fd's LogParseError names line 0");
  }
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
  const util::Fd file = as_file(text);
  check_hist(file.get());
  try {
    results::parse_log_text(text, log.path, log.rows, &log.columns);
  } catch (const results::LogParseError& e) {
    if (e.line() == 0) finding("LogParseError names line 0");
    check_streamed(file.get(), text, log.path, nullptr, e.what());
    return 0;
  }
  check_streamed(file.get(), text, log.path, &log.rows, "");
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
