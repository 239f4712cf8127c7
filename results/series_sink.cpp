// SeriesSink (see series_sink.hpp): the run's per-second series, formatted as
// rows arrive and written by one thread. Rows arrive at about 10 a second per
// job, so a mutex and a std::string per file are all the machinery needed;
// the one design point is that no job ever waits on the disk.
#include "results/series_sink.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "results/log_compress.hpp"  // put_u64
#include "util/fd.hpp"

namespace fiokit::results {
namespace {

constexpr int kKinds = 5;
constexpr const char* kKindNames[kKinds] = {"bw", "iops", "lat", "clat", "slat"};
// Rows reach the file within this: a kill -9 loses at most the last one.
constexpr auto kFlushInterval = std::chrono::milliseconds(500);
// Text waiting for the writer, all files together. A second of rows of 1,000
// jobs is ~200 KiB; only a writer stuck on a hung disk gets near this.
constexpr size_t kMaxPendingBytes = size_t{8} << 20;
// Descriptors kept open between flushes, at most: beyond this many files (a
// numjobs=64 run has 256) each flush opens and closes them, so the series
// never eats into the descriptors the jobs' own files need.
constexpr size_t kMaxOpenFiles = 64;

struct File {
  std::string path;
  std::string pending;  // formatted rows not yet handed to the writer
  util::Fd fd;
  bool created = false;  // opened once (O_TRUNC then; O_APPEND after)
  int64_t last_ms[3] = {-1, -1, -1};  // time of the last row per direction
};

}  // namespace

struct SeriesSink::Impl {
  std::string dir;
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::unique_ptr<File>> files;  // job * kKinds + kind; under mu (the vector)
  size_t pending_bytes = 0;
  uint64_t dropped_rows = 0;
  bool stopping = false;
  std::thread writer;
  // Writer-private until close() joins it.
  int write_errno = 0;
  std::string write_error_path;

  void write_file(File& f, const std::string& text, bool keep_open) {
    if (!f.fd) {
      const int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (f.created ? O_APPEND : O_TRUNC);
      f.fd.reset(::open(f.path.c_str(), flags, 0644));
      if (!f.fd) {
        if (!write_errno) write_errno = errno, write_error_path = f.path;
        return;
      }
      f.created = true;
    }
    size_t off = 0;
    while (off < text.size()) {
      const ssize_t n = ::write(f.fd.get(), text.data() + off, text.size() - off);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        if (!write_errno) write_errno = n < 0 ? errno : ENOSPC, write_error_path = f.path;
        break;
      }
      off += static_cast<size_t>(n);
    }
    if (!keep_open && f.fd.close() != 0 && !write_errno) write_errno = EIO, write_error_path = f.path;
  }

  // Takes every file's pending text under the lock, writes it outside.
  void flush() {
    std::vector<std::pair<File*, std::string>> todo;
    bool keep_open;
    {
      std::lock_guard lk(mu);
      keep_open = files.size() <= kMaxOpenFiles;
      for (auto& f : files) {
        if (f->pending.empty()) continue;
        todo.emplace_back(f.get(), std::string());
        todo.back().second.swap(f->pending);
      }
      pending_bytes = 0;
    }
    // File objects are never freed before close(), so the pointers stay
    // valid; only this thread touches fd and created.
    for (auto& [f, text] : todo) write_file(*f, text, keep_open);
  }

  void run() noexcept {
    try {
      std::unique_lock lk(mu);
      while (!stopping) {
        cv.wait_for(lk, kFlushInterval, [this] { return stopping; });
        lk.unlock();
        flush();
        lk.lock();
      }
    } catch (const std::exception&) {
      if (!write_errno) write_errno = ENOMEM, write_error_path = dir;
    }
  }
};

SeriesSink::SeriesSink() : impl_(std::make_unique<Impl>()) {}

SeriesSink::~SeriesSink() {
  try {
    close();
  } catch (const std::exception&) {
    // Destructors must not throw; the run calls close() itself and reports.
  }
}

std::string SeriesSink::file_name(const std::string& job_name, int number, LogKind kind) {
  std::string name = job_name.empty() ? std::string("job") : job_name;
  for (char& c : name)
    if (c == '/' || c == '\0') c = '_';
  if (name.front() == '.') name.front() = '_';
  return fmt::format("{}_{}.{}.log", name, kKindNames[static_cast<int>(kind)], number);
}

std::unique_ptr<SeriesSink> SeriesSink::open(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST)
    throw std::system_error(errno, std::generic_category(), "cannot create " + dir);
  std::unique_ptr<SeriesSink> s(new SeriesSink());
  s->impl_->dir = dir;
  Impl* im = s->impl_.get();
  im->writer = std::thread([im] { im->run(); });
  return s;
}

int SeriesSink::add_job(const std::string& job_name, int number) {
  Impl& im = *impl_;
  std::lock_guard lk(im.mu);
  const int handle = static_cast<int>(im.files.size() / kKinds);
  for (int k = 0; k < kKinds; ++k) {
    auto f = std::make_unique<File>();
    f->path = im.dir + "/" + file_name(job_name, number, static_cast<LogKind>(k));
    im.files.push_back(std::move(f));
  }
  return handle;
}

void SeriesSink::append(int job, std::span<const SeriesRow> rows) {
  Impl& im = *impl_;
  char line[4 * 24 + 16];
  std::lock_guard lk(im.mu);
  if (im.stopping) return;
  for (const SeriesRow& r : rows) {
    const size_t at = static_cast<size_t>(job) * kKinds + static_cast<size_t>(r.kind);
    if (job < 0 || at >= im.files.size()) continue;
    // Times only advance, per file and direction, as in a job's own windowed
    // logs (engine/job_logs.cpp): when latency_target restarts the job's
    // statistics, windows count from 0 again and the rows not past the last
    // one are left out, so a plot never draws a line back in time.
    int64_t& last = im.files[at]->last_ms[std::clamp(r.ddir, 0, 2)];
    if (static_cast<int64_t>(r.time_ms) <= last) continue;
    last = static_cast<int64_t>(r.time_ms);
    if (im.pending_bytes >= kMaxPendingBytes) {
      ++im.dropped_rows;
      continue;
    }
    // fio's windowed row: "time, value, ddir, bs 0, prio 0".
    char* p = line;
    p = put_u64(p, r.time_ms), *p++ = ',', *p++ = ' ';
    p = put_u64(p, r.value), *p++ = ',', *p++ = ' ';
    p = put_u64(p, static_cast<uint64_t>(r.ddir));
    for (const char c : std::string_view(", 0, 0\n")) *p++ = c;
    im.files[at]->pending.append(line, p);
    im.pending_bytes += static_cast<size_t>(p - line);
  }
}

void SeriesSink::close() {
  Impl& im = *impl_;
  if (!im.writer.joinable()) return;
  {
    std::lock_guard lk(im.mu);
    im.stopping = true;
  }
  im.cv.notify_one();
  im.writer.join();
  im.flush();  // rows appended after the writer's last pass
  for (auto& f : im.files)
    if (f->fd.close() != 0 && !im.write_errno) im.write_errno = EIO, im.write_error_path = f->path;
  if (im.write_errno)
    throw std::system_error(im.write_errno, std::generic_category(), "cannot write series file " + im.write_error_path);
  if (im.dropped_rows)
    throw std::system_error(EIO, std::generic_category(),
                            fmt::format("series in {}: {} rows dropped (the writer fell behind)", im.dir, im.dropped_rows));
}

}  // namespace fiokit::results
