// Reading fio's iologs (see iolog.hpp): one pass over the text, whitespace
// separated fields, every value checked (fio's sscanf would take "12abc" as
// 12), errors naming the log and line. Nothing of a line is echoed beyond the
// field that is wrong, cut to 40 characters: a remote job could point
// read_iolog at a file it may not read, and the message must not leak it.
#include "volumes/iolog.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <unordered_map>

#include <fmt/format.h>

#include "jobs/options.hpp"
#include "util/fd.hpp"

namespace fiokit::volumes {
namespace {

// replay_time_scale=P: a gap of `us` takes us * 100 / P, saturated, so a
// log's huge time (or P=1) cannot overflow into a short wait.
uint64_t scaled_delay(uint64_t us, uint32_t percent) {
  if (percent == 0) percent = 1;
  if (us <= UINT64_MAX / 100) return us * 100 / percent;
  const uint64_t q = us / percent;  // divide first: us * 100 would overflow
  return q > UINT64_MAX / 100 ? UINT64_MAX : q * 100;
}

constexpr std::string_view kV2 = "fio version 2 iolog";
constexpr std::string_view kV3 = "fio version 3 iolog";

std::string shown(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 40)) out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
  return s.size() > 40 ? out + "..." : out;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

class Parser {
 public:
  Parser(const std::string& path, const ReplayOptions& o) : o_(o) { log_.path = path; }

  [[noreturn]] void fail(uint32_t line, const std::string& what) const {
    throw IoLogError(fmt::format("{}:{}: {}", log_.path, line, what));
  }

  uint64_t number(std::string_view f, uint32_t line, const char* what) const {
    uint64_t v = 0;
    const auto r = std::from_chars(f.data(), f.data() + f.size(), v);
    if (r.ec != std::errc() || r.ptr != f.data() + f.size())
      fail(line, fmt::format("{} '{}' is not a non-negative integer", what, shown(f)));
    return v;
  }

  void header(std::string_view l, uint32_t line) {
    const int v = l.substr(0, kV2.size()) == kV2 ? 2 : l.substr(0, kV3.size()) == kV3 ? 3 : 0;
    if (!v) fail(line, "not a fio iolog: the first line must be 'fio version 2 iolog' or 'fio version 3 iolog' (version 1 is not read by fio 3.33 either)");
    if (log_.version && v != log_.version)
      fail(line, fmt::format("a version {} section in a version {} log", v, log_.version));
    log_.version = v;
    last_time_ = 0;  // a new section's times start again
  }

  void parse_line(std::string_view l, uint32_t line) {
    std::string_view f[6];
    size_t n = 0;
    for (size_t i = 0; i < l.size();) {
      while (i < l.size() && is_space(l[i])) ++i;
      if (i >= l.size()) break;
      size_t j = i;
      while (j < l.size() && !is_space(l[j])) ++j;
      if (n == 6) fail(line, "too many fields (expected [TIME] NAME ACTION [OFFSET LENGTH])");
      f[n++] = l.substr(i, j - i);
      i = j;
    }
    if (n == 0) return;  // a blank line
    if (f[0] == "fio" && n >= 4 && f[1] == "version") return header(l, line);
    size_t k = 0;
    uint64_t delay = 0;
    if (log_.version == 3) {
      const uint64_t t = number(f[k++], line, "time");
      // fio: no delay before the first timed line, nor when time goes back.
      if (last_time_ && !o_.no_stall && t >= last_time_)
        delay = o_.time_scale == 100 ? t - last_time_ : scaled_delay(t - last_time_, o_.time_scale);
      last_time_ = t;
    }
    const size_t rest = n - k;
    if (rest < 2) fail(line, "truncated line (expected " + std::string(log_.version == 3 ? "TIME " : "") + "NAME ACTION [OFFSET LENGTH])");
    const std::string_view name = f[k], act = f[k + 1];
    carried_ = carried_ > UINT64_MAX - delay ? UINT64_MAX : carried_ + delay;  // saturates: a hostile log's times
    if (act == "add" || act == "open" || act == "close") {
      if (rest != 2) fail(line, fmt::format("'{}' takes no offset or length", act));
      if (act == "add") return add_file(name);
      return push(IoLogEntry::Kind(act == "open" ? IoLogEntry::open : IoLogEntry::close), file_of(name, line), 0, 0, line);
    }
    IoLogEntry::Kind kind;
    if (act == "read") kind = IoLogEntry::read;
    else if (act == "write") kind = IoLogEntry::write;
    else if (act == "trim") kind = IoLogEntry::trim;
    else if (act == "sync") kind = IoLogEntry::sync;
    else if (act == "datasync") kind = IoLogEntry::datasync;
    else if (act == "wait") kind = IoLogEntry::wait;
    else fail(line, fmt::format("unknown action '{}' (add, open, close, read, write, trim, sync, datasync, wait)", shown(act)));
    if (rest < 4) fail(line, fmt::format("truncated line: '{}' needs an offset and a length", act));
    if (rest > 4) fail(line, "too many fields (expected [TIME] NAME ACTION OFFSET LENGTH)");
    const uint64_t off = number(f[k + 2], line, "offset");
    const uint64_t len = number(f[k + 3], line, "length");
    if (kind == IoLogEntry::wait) {
      if (log_.version == 3) fail(line, "'wait' is a version 2 action (version 3 lines carry their time)");
      carried_ = 0;
      if (o_.no_stall) return;  // fio drops waits with replay_no_stall
      return push(kind, 0, off, 0, line, off);
    }
    const uint32_t file = file_of(name, line);
    if (kind == IoLogEntry::sync || kind == IoLogEntry::datasync) {
      if (o_.skip & 8u) return;
      return push(kind, file, 0, 0, line);
    }
    if (len == 0) fail(line, fmt::format("a {} of 0 bytes", act));
    if (len > UINT32_MAX) fail(line, fmt::format("a {} of {} bytes (at most {})", act, len, UINT32_MAX));
    if (o_.skip & (1u << kind)) return;
    uint64_t o = o_.scale > 1 ? off / o_.scale : off;
    if (o_.align) o &= ~(o_.align - 1);
    if (o > UINT64_MAX - len) fail(line, fmt::format("offset {} + length {} overflows", o, len));
    ++log_.ios[kind];
    log_.max_len = std::max(log_.max_len, len);
    log_.extent[file] = std::max(log_.extent[file], o + len);
    push(kind, file, o, static_cast<uint32_t>(len), line);
  }

  IoLog take() {
    if (!log_.version) throw IoLogError(log_.path + ":1: empty: not a fio iolog");
    return std::move(log_);
  }

 private:
  void push(IoLogEntry::Kind k, uint32_t file, uint64_t off, uint32_t len, uint32_t line, uint64_t wait_ms = 0) {
    IoLogEntry e;
    e.kind = k;
    e.file = file;
    e.offset = off;
    e.len = len;
    e.line = line;
    e.delay_us = k == IoLogEntry::wait ? wait_ms : carried_;
    if (k != IoLogEntry::wait) carried_ = 0;
    log_.entries.push_back(e);
  }
  std::string path_of(std::string_view name) const {
    const std::string n = o_.redirect.empty() ? std::string(name) : o_.redirect;
    return o_.directory.empty() ? n : o_.directory + "/" + n;
  }
  void add_file(std::string_view name) {
    // A name added again (a second section of an appended log, or every name
    // under replay_redirect) is the same file.
    const std::string p = path_of(name);
    if (by_name_.count(std::string(name))) return;
    uint32_t idx = 0;
    for (; idx < log_.files.size() && log_.files[idx] != p; ++idx) {
    }
    if (idx == log_.files.size()) {
      log_.files.push_back(p);
      log_.extent.push_back(0);
    }
    by_name_.emplace(std::string(name), idx);
  }
  uint32_t file_of(std::string_view name, uint32_t line) const {
    const auto it = by_name_.find(std::string(name));
    if (it == by_name_.end()) fail(line, fmt::format("file '{}' was not added ('NAME add' must come first)", shown(name)));
    return it->second;
  }

  const ReplayOptions& o_;
  IoLog log_;
  std::unordered_map<std::string, uint32_t> by_name_;
  uint64_t last_time_ = 0, carried_ = 0;
};

}  // namespace

ReplayOptions ReplayOptions::of(const jobs::JobSpec& job) {
  ReplayOptions o;
  if (!job.directories.empty()) o.directory = job.directories[0];
  o.redirect = job.replay_redirect;
  o.scale = job.replay_scale;
  o.align = job.replay_align;
  o.time_scale = std::max<uint32_t>(1, job.replay_time_scale);
  o.skip = job.replay_skip;
  o.no_stall = job.replay_no_stall;
  return o;
}

IoLog parse_iolog(std::string_view text, const std::string& path, const ReplayOptions& o) {
  Parser p(path, o);
  uint32_t line = 0;
  bool first = true;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    const std::string_view l = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++line;
    if (l.find('\0') != std::string_view::npos) p.fail(line, "a NUL byte: not a text iolog");
    if (first) {
      p.header(l, line);
      first = false;
    } else {
      p.parse_line(l, line);
    }
  }
  return p.take();
}

std::string iolog_name(const jobs::JobSpec& job) {
  const auto names = jobs::split_file_list(job.read_iolog);
  if (names.empty()) return job.read_iolog;
  return names[static_cast<size_t>(job.clone_index) % names.size()];
}

IoLog read_iolog(const jobs::JobSpec& job) {
  const std::string path = iolog_name(job);
  const util::Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) throw IoLogError(fmt::format("read_iolog: cannot open '{}': {}", path, std::strerror(errno)));
  std::string text;
  char buf[1 << 16];
  for (;;) {
    const ssize_t r = ::read(fd.get(), buf, sizeof(buf));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) throw IoLogError(fmt::format("read_iolog: cannot read '{}': {}", path, std::strerror(errno)));
    if (r == 0) break;
    text.append(buf, static_cast<size_t>(r));
  }
  // blktrace's binary traces start with the magic 0x65617400 (+ version) in
  // either byte order (fio's is_blktrace): refused with the reason.
  if (text.size() >= 4) {
    const auto* b = reinterpret_cast<const unsigned char*>(text.data());
    const uint32_t le = b[0] | (b[1] << 8) | (b[2] << 16) | (static_cast<uint32_t>(b[3]) << 24);
    const uint32_t be = b[3] | (b[2] << 8) | (b[1] << 16) | (static_cast<uint32_t>(b[0]) << 24);
    if ((le & 0xffffff00u) == 0x65617400u || (be & 0xffffff00u) == 0x65617400u)
      throw IoLogError(fmt::format("read_iolog: '{}' is a binary blktrace; fiokit replays fio's text iologs (versions 2 and 3) only", path));
  }
  return parse_iolog(text, path, ReplayOptions::of(job));
}

}  // namespace fiokit::volumes
