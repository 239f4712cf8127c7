// fio-format log reader (see log_reader.hpp). The scanner walks the buffer once,
// line by line, without building strings per row: at 1,000,000 rows any
// per-row allocation would dominate the time of a whole plot.
#include "results/log_reader.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <memory>
#include <fcntl.h>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>

#include "util/fd.hpp"

namespace fiokit::results {

LogParseError::LogParseError(std::string path, size_t line, const std::string& reason)
    : std::runtime_error(path + ":" + std::to_string(line) + ": " + reason),
      path_(std::move(path)),
      line_(line) {}

const char* log_kind_name(LogKind kind) {
  switch (kind) {
    case LogKind::bw: return "bw";
    case LogKind::iops: return "iops";
    case LogKind::lat: return "lat";
    case LogKind::clat: return "clat";
    case LogKind::slat: return "slat";
  }
  return "?";
}

const char* log_value_unit(LogKind kind) {
  switch (kind) {
    case LogKind::bw: return "KiB/s";
    case LogKind::iops: return "IOPS";
    default: return "ns";
  }
}

std::optional<LogName> parse_log_name(std::string_view path) {
  const size_t slash = path.rfind('/');
  std::string_view base = slash == std::string_view::npos ? path : path.substr(slash + 1);
  if (base.size() < 4 || base.substr(base.size() - 4) != ".log") return std::nullopt;
  base.remove_suffix(4);
  LogName name;
  // Optional ".N" job number.
  const size_t dot = base.rfind('.');
  if (dot != std::string_view::npos && dot + 1 < base.size()) {
    const std::string_view num = base.substr(dot + 1);
    bool digits = num.size() <= 9;
    for (char c : num) digits = digits && c >= '0' && c <= '9';
    if (digits) {
      name.job_number = std::stoi(std::string(num));
      base = base.substr(0, dot);
    }
  }
  const size_t us = base.rfind('_');
  if (us == std::string_view::npos) return std::nullopt;
  const std::string_view kind = base.substr(us + 1);
  static constexpr struct {
    const char* text;
    LogKind kind;
  } kKinds[] = {{"bw", LogKind::bw}, {"iops", LogKind::iops}, {"lat", LogKind::lat},
                {"clat", LogKind::clat}, {"slat", LogKind::slat}};
  for (const auto& k : kKinds) {
    if (kind == k.text) {
      name.kind = k.kind;
      name.prefix = std::string(base.substr(0, us));
      return name;
    }
  }
  return std::nullopt;
}

bool LogFile::windowed() const {
  if (rows.empty()) return false;
  for (const LogRow& r : rows)
    if (r.bs != 0) return false;
  return true;
}

std::array<size_t, 3> repeated_final_rows(const std::vector<LogRow>& rows) {
  // The last and the one-before-last row of each direction, by index.
  std::array<size_t, 3> last{SIZE_MAX, SIZE_MAX, SIZE_MAX}, before{SIZE_MAX, SIZE_MAX, SIZE_MAX};
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto d = static_cast<size_t>(rows[i].ddir);
    if (d >= 3) continue;
    before[d] = last[d];
    last[d] = i;
  }
  std::array<size_t, 3> stale{SIZE_MAX, SIZE_MAX, SIZE_MAX};
  for (size_t d = 0; d < 3; ++d) {
    if (last[d] == SIZE_MAX || before[d] == SIZE_MAX) continue;
    const LogRow& r = rows[last[d]];
    if (r.bs == 0 && r.time_ms <= rows[before[d]].time_ms) stale[d] = last[d];
  }
  return stale;
}

size_t drop_repeated_final_rows(std::vector<LogRow>& rows) {
  std::array<size_t, 3> stale = repeated_final_rows(rows);
  std::sort(stale.rbegin(), stale.rend(), [](size_t x, size_t y) { return x < y; });  // highest index first
  size_t n = 0;
  for (size_t i : stale) {
    if (i == SIZE_MAX) continue;
    rows.erase(rows.begin() + static_cast<std::ptrdiff_t>(i));
    ++n;
  }
  return n;
}

namespace {

const char* kFieldNames[6] = {"time", "value", "ddir", "bs", "offset", "prio"};

bool is_blank(char c) { return c == ' ' || c == '\t'; }

}  // namespace

bool parse_log_line_full(const char* p, const char* lend, const std::string& path, size_t line, LogRow& row,
                         int* fields) {
  if (lend > p && lend[-1] == '\r') --lend;
  const char* q = p;
  while (q < lend && is_blank(*q)) ++q;
  if (q == lend) return false;  // blank line
  uint64_t f[6] = {0, 0, 0, 0, 0, 0};
  int n = 0;
  for (;;) {
    while (q < lend && is_blank(*q)) ++q;
    if (n == 6)
      throw LogParseError(path, line, "more than 6 comma-separated fields (expected time, value, ddir, bs[, offset][, prio])");
    const char* start = q;
    uint64_t v = 0;
    bool overflow = false;
    while (q < lend && *q >= '0' && *q <= '9') {
      const uint64_t d = static_cast<uint64_t>(*q - '0');
      if (v > (UINT64_MAX - d) / 10) overflow = true;
      v = v * 10 + d;
      ++q;
    }
    const char* num_end = q;
    while (q < lend && is_blank(*q)) ++q;
    if (start == num_end || (q < lend && *q != ',') || overflow) {
      const char* tok_end = start;
      while (tok_end < lend && *tok_end != ',') ++tok_end;
      std::string tok(start, tok_end);
      while (!tok.empty() && is_blank(tok.back())) tok.pop_back();
      throw LogParseError(path, line,
                          std::string("field ") + std::to_string(n + 1) + " (" + kFieldNames[n] +
                              ") '" + tok + "' is not " +
                              (overflow ? "within 64 bits" : "an unsigned integer"));
    }
    f[n++] = v;
    if (q == lend) break;
    ++q;  // the comma
  }
  if (n < 4)
    throw LogParseError(path, line, "found " + std::to_string(n) +
                                        " field(s), expected 4 to 6 (time, value, ddir, bs[, offset][, prio])");
  if (f[2] > 2)
    throw LogParseError(path, line, "data direction " + std::to_string(f[2]) + " is not 0 (read), 1 (write) or 2 (trim)");
  row = LogRow{};
  row.time_ms = f[0];
  row.value = f[1];
  row.ddir = static_cast<int>(f[2]);
  row.bs = f[3];
  if (n == 5) {
    row.prio = static_cast<uint32_t>(f[4]);
  } else if (n == 6) {
    row.offset = f[4];
    row.prio = static_cast<uint32_t>(f[5]);
  }
  if (fields) *fields = n;
  return true;
}

void parse_log_text(std::string_view text, const std::string& path, std::vector<LogRow>& out,
                    int* columns) {
  int seen_columns = 0;
  // Rows are roughly 20 bytes; reserving avoids regrowth copies of a big log.
  out.reserve(out.size() + text.size() / 20);
  for_each_log_row(text, path, 1, [&](const LogRow& row, int fields) {
    if (seen_columns == 0) seen_columns = fields;
    out.push_back(row);
  });
  if (columns) *columns = seen_columns;
}

LogBlockReader::LogBlockReader(int fd, std::string path, uint64_t begin, uint64_t end, size_t first_line,
                               size_t block)
    : fd_(fd), path_(std::move(path)), pos_(begin), end_(end), next_line_(first_line), block_(block) {}

bool LogBlockReader::next() {
  if (pos_ >= end_) return false;
  size_t want = block_;
  for (;;) {
    const size_t len = static_cast<size_t>(std::min<uint64_t>(want, end_ - pos_));
    // A plain array, not std::string::resize: that zero-fills the block
    // before every read, a quarter of a pass's time (perf).
    if (cap_ < len) {
      buf_ = std::make_unique<char[]>(len);
      cap_ = len;
    }
    size_t got = 0;
    while (got < len) {
      const ssize_t n = ::pread(fd_, buf_.get() + got, len - got, static_cast<off_t>(pos_ + got));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw std::system_error(errno, std::generic_category(), "cannot read log " + path_);
      if (n == 0) break;  // the file shrank under us: what is there is the end
      got += static_cast<size_t>(n);
    }
    if (got == 0) {
      end_ = pos_;
      return false;
    }
    const bool at_end = got < len || pos_ + got >= end_;
    size_t take = got;
    if (!at_end) {
      // Whole lines only: a line cut by the block edge is read again at the
      // start of the next block (a re-read of under one line per block).
      const char* nl = static_cast<const char*>(::memrchr(buf_.get(), '\n', got));
      if (!nl) {
        // One line longer than the block: no fio row is (six 20-digit
        // fields), so past kMaxLine it is not a log worth reading on.
        if (want >= kMaxLine)
          throw LogParseError(path_, next_line_, "line longer than " + std::to_string(kMaxLine >> 20) + " MiB");
        want *= 2;
        continue;
      }
      take = static_cast<size_t>(nl - buf_.get()) + 1;
    }
    if (at_end && got < len) end_ = pos_ + got;
    len_ = take;
    offset_ = pos_;
    first_line_ = next_line_;
    for (const char *p = buf_.get(), *e = p + take; (p = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(e - p))));
         ++p)
      ++next_line_;
    pos_ += take;
    return true;
  }
}

LogFile read_log(const std::string& path) {
  const util::Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) throw std::system_error(errno, std::generic_category(), "cannot open log " + path);
  std::string buf;
  struct stat st {};
  if (::fstat(fd.get(), &st) == 0 && st.st_size > 0) buf.reserve(static_cast<size_t>(st.st_size));
  char chunk[1 << 16];
  for (;;) {
    const ssize_t got = ::read(fd.get(), chunk, sizeof chunk);
    if (got < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      throw std::system_error(err, std::generic_category(), "cannot read log " + path);
    }
    if (got == 0) break;
    buf.append(chunk, static_cast<size_t>(got));
  }
  LogFile log;
  log.path = path;
  if (auto name = parse_log_name(path)) log.name = *name;
  parse_log_text(buf, path, log.rows, &log.columns);
  log.dropped_final_rows = drop_repeated_final_rows(log.rows);
  return log;
}

}  // namespace fiokit::results
