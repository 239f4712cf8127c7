// Reader for fio-format logs (NAME_bw.N.log, _iops, _lat, _clat, _slat), the
// per-sample files that plot, serve and compare read from a run directory made
// by fiokit or by fio itself. Rows are "time_ms, value, ddir, bs[, offset][, prio]"
// (fio HOWTO, "Log File Formats"); a malformed row is an error naming the file and
// line, never a silently skipped sample, because a plot with holes looks like a
// stall that never happened. Parsing is a hand-rolled integer scan so a
// 1,000,000-row log reads in tens of milliseconds.
#pragma once
#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "results/log_sink.hpp"

namespace fiokit::results {

// A row that cannot be read: what() is "PATH:LINE: reason".
class LogParseError : public std::runtime_error {
 public:
  LogParseError(std::string path, size_t line, const std::string& reason);
  const std::string& path() const { return path_; }
  size_t line() const { return line_; }

 private:
  std::string path_;
  size_t line_;
};

// What a log's file name says: fio names logs "<prefix>_<kind>.<N>.log"
// (per_job_logs=1, N = job number) or "<prefix>_<kind>.log".
struct LogName {
  std::string prefix;   // usually the job name ("t" in t_bw.1.log)
  LogKind kind = LogKind::bw;
  int job_number = 0;   // N, or 0 when the name has none
};

// Parses a file name (directories are ignored). nullopt for names that are not
// a bw/iops/lat/clat/slat log, e.g. "h_clat_hist.1.log" or "results.json".
std::optional<LogName> parse_log_name(std::string_view path);

// "bw", "iops", "lat", "clat", "slat".
const char* log_kind_name(LogKind kind);

// The unit of a log's value column: "KiB/s", "IOPS" or "ns".
const char* log_value_unit(LogKind kind);

struct LogFile {
  std::string path;
  LogName name;
  std::vector<LogRow> rows;  // in file order
  // Number of columns of the rows (4, 5 or 6). fio 3.33 writes 5 columns
  // (time, value, ddir, bs, prio) without log_offset and 6 with it; older fio
  // wrote 4 or 5 (offset). Five columns are read as fio 3.33's layout.
  int columns = 0;
  // log_avg_msec logs carry bs = 0 on every row (HOWTO): each row is a window
  // average, not one I/O, so per-I/O statistics such as percentiles do not apply.
  bool windowed() const;
  // Rows read_log left out by drop_repeated_final_rows (see there).
  size_t dropped_final_rows = 0;
};

// Removes, per direction, a windowed (bs = 0) last row whose time does not
// advance past the previous row of that direction, and returns how many rows
// it removed. Logs written by fiokit before 2026-11 (and possibly other tools)
// ended with such a row: the last, partial window extrapolated into a rate
// over a few microseconds and stamped with the previous row's time
// ("5000, 124063" then "5000, 24117140"). It is not a measurement of any
// window - fio 3.33 never writes a partial window's rate - and plotted it is a
// vertical spike 200 times the real rate that also sets the y axis. Rows of
// per-I/O logs (bs > 0) share milliseconds legitimately and are never touched.
size_t drop_repeated_final_rows(std::vector<LogRow>& rows);
// The indices of the rows drop_repeated_final_rows would remove, per direction
// (SIZE_MAX: none), for readers that must not copy or change the rows.
std::array<size_t, 3> repeated_final_rows(const std::vector<LogRow>& rows);

// Parses log text; `path` is used in error messages only. Blank lines (and a
// trailing '\r') are accepted; anything else that is not 4-6 unsigned integer
// fields throws LogParseError.
void parse_log_text(std::string_view text, const std::string& path, std::vector<LogRow>& out,
                    int* columns = nullptr);

// Parses one line [p, lend) (without its '\n'; a trailing '\r' is
// allowed) into row; returns false for a blank line. *fields gets the row's
// number of columns. Throws LogParseError naming path and line. The same rules
// as parse_log_text, which is built on it.
bool parse_log_line_full(const char* p, const char* lend, const std::string& path, size_t line, LogRow& row,
                         int* fields = nullptr);

// The same, inline for the rows fio writes ("t, v, d, bs[, o][, p]": digits,
// ", " between fields, at most 19 digits each); any other line (blanks,
// tabs, junk, overflow) goes through parse_log_line_full, so the rules and
// the messages are exactly its. Half of a streamed pass was the call.
inline bool parse_log_line(const char* p, const char* lend, const std::string& path, size_t line, LogRow& row,
                           int* fields = nullptr) {
  const char* q = p;
  const char* e = lend;
  if (e > q && e[-1] == '\r') --e;
  uint64_t f[6] = {0, 0, 0, 0, 0, 0};
  int n = 0;
  for (;;) {
    const char* start = q;
    uint64_t v = 0;
    while (q < e && static_cast<unsigned>(*q - '0') < 10u) v = v * 10 + static_cast<uint64_t>(*q++ - '0');
    if (q == start || q - start > 19 || n == 6) return parse_log_line_full(p, lend, path, line, row, fields);
    f[n++] = v;
    if (q == e) break;
    if (*q != ',') return parse_log_line_full(p, lend, path, line, row, fields);
    ++q;
    if (q < e && *q == ' ') ++q;
  }
  if (n < 4 || f[2] > 2) return parse_log_line_full(p, lend, path, line, row, fields);
  row.time_ms = f[0];
  row.value = f[1];
  row.ddir = static_cast<int>(f[2]);
  row.bs = f[3];
  row.offset = n == 6 ? f[4] : 0;
  row.prio = static_cast<uint32_t>(n == 5 ? f[4] : n == 6 ? f[5] : 0);
  if (fields) *fields = n;
  return true;
}

// Calls f(row, fields) for each row of text (whole lines), numbering lines
// from first_line for errors: the row loop of parse_log_text without a vector,
// so a streaming reader holds one row at a time.
template <class F>
void for_each_log_row(std::string_view text, const std::string& path, size_t first_line, F&& f) {
  const char* p = text.data();
  const char* const end = p + text.size();
  size_t line = first_line;
  LogRow row{};
  int fields = 0;
  for (; p < end; ++line) {
    const char* eol = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)));
    if (!eol) eol = end;
    if (parse_log_line(p, eol, path, line, row, &fields)) f(static_cast<const LogRow&>(row), fields);
    p = eol + 1;
  }
}

// Reads bytes [begin, end) of a log by descriptor in blocks of whole lines
// (pread, so the descriptor's offset is untouched and several readers may
// share it), for readers that must not hold the whole file: serve's series
// API on a 400 MB log holds one block, not 400 MB of text and 800 MB of
// rows. begin must be the start of a line numbered first_line. A line longer
// than kMaxLine throws LogParseError; a failed read throws std::system_error.
class LogBlockReader {
 public:
  static constexpr size_t kMaxLine = 8u << 20;
  LogBlockReader(int fd, std::string path, uint64_t begin, uint64_t end, size_t first_line,
                 size_t block = 256u << 10);
  // The next block; false at the end (or where the file now ends).
  bool next();
  std::string_view text() const { return {buf_.get(), len_}; }  // whole lines; the last may lack its '\n' at the end
  uint64_t offset() const { return offset_; }     // of text() in the file
  size_t first_line() const { return first_line_; }

 private:
  int fd_;
  std::string path_;
  uint64_t pos_, end_;
  size_t next_line_, block_;
  std::unique_ptr<char[]> buf_;
  size_t cap_ = 0, len_ = 0;
  uint64_t offset_ = 0;
  size_t first_line_ = 0;
};

// Reads and parses one log file, then applies drop_repeated_final_rows. Throws LogParseError for a malformed row and
// std::system_error (naming the path) when the file cannot be read.
LogFile read_log(const std::string& path);

}  // namespace fiokit::results
