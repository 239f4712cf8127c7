// IoLogWriter (see iolog_writer.hpp): fio's iolog version 3, whole lines per
// append. Lines are formatted with std::to_chars into a buffer written out
// at 64 KiB, off the I/O path's allocations (the buffer keeps its capacity).
#include "engine/iolog_writer.hpp"

#include <fcntl.h>

#include <cerrno>
#include <charconv>
#include <system_error>

namespace fiokit::engine {
namespace {
constexpr size_t kFlushAt = 64 * 1024;

void put_u64(std::string& s, uint64_t v) {
  char tmp[24];
  const auto r = std::to_chars(tmp, tmp + sizeof(tmp), v);
  s.append(tmp, r.ptr);
}
}  // namespace

std::string IoLogWriter::path_for(const jobs::JobSpec& spec, const std::string& run_dir) {
  const std::string& p = spec.write_iolog;
  if (p.empty() || p.front() == '/' || run_dir.empty()) return p;
  return run_dir.back() == '/' ? run_dir + p : run_dir + "/" + p;
}

void IoLogWriter::open(const std::string& path, uint64_t start_ns) {
  fd_.reset(::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
  if (!fd_) throw std::system_error(errno, std::generic_category(), "cannot open write_iolog file " + path);
  path_ = path;
  start_ns_ = start_ns;
  buf_.reserve(kFlushAt + 4096);
  buf_ = "fio version 3 iolog\n";
}

void IoLogWriter::stamp(uint64_t now_ns) {
  put_u64(buf_, now_ns > start_ns_ ? (now_ns - start_ns_) / 1000 : 0);
  buf_ += ' ';
}

void IoLogWriter::file(const std::string& name, const char* action, uint64_t now_ns) {
  if (!fd_) return;
  stamp(now_ns);
  buf_ += name;
  buf_ += ' ';
  buf_ += action;
  buf_ += '\n';
  if (buf_.size() >= kFlushAt) flush();
}

void IoLogWriter::io(const std::string& name, const char* action, uint64_t offset, uint64_t len, uint64_t now_ns) {
  if (!fd_) return;
  stamp(now_ns);
  buf_ += name;
  buf_ += ' ';
  buf_ += action;
  buf_ += ' ';
  put_u64(buf_, offset);
  buf_ += ' ';
  put_u64(buf_, len);
  buf_ += '\n';
  if (buf_.size() >= kFlushAt) flush();
}

void IoLogWriter::flush() {
  if (!fd_ || buf_.empty()) return;
  // One write() per flush: O_APPEND places it whole after what other clones
  // appended, so lines never interleave. A short write (full disk) is retried
  // for the rest; the error, if any, is the caller's to record.
  size_t done = 0;
  while (done < buf_.size()) {
    const ssize_t w = ::write(fd_.get(), buf_.data() + done, buf_.size() - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      const int e = w < 0 ? errno : ENOSPC;
      buf_.clear();
      fd_.reset();
      throw std::system_error(e, std::generic_category(), "cannot write log file " + path_);
    }
    done += static_cast<size_t>(w);
  }
  buf_.clear();
}

void IoLogWriter::close() {
  if (!fd_) return;
  flush();
  fd_.reset();
}

IoLogWriter::~IoLogWriter() {
  try {
    close();
  } catch (...) {  // a destructor reports nothing; teardown calls close() first
  }
}

}  // namespace fiokit::engine
