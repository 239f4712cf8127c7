// LogSink: fio-format per-job logs written by a background thread while the job
// runs. The I/O thread fills fixed-size chunks of raw rows; the writer thread
// formats and write(2)s them, taking finished chunks from a queue and also
// reading the published prefix of the chunk still being filled, so rows reach
// the file within kFlushInterval even at a trickle of one I/O per minute. Because
// rows are in the kernel's page cache as soon as write(2) returns, a SIGKILLed
// run keeps them. The I/O thread's cost per row is one copy and one release
// store; it takes the mutex once per chunk and never allocates (the writer keeps
// spare chunks ready). The chunks form a bounded ring of kMaxChunks (issue 16):
// when the writer falls that far behind, the I/O thread waits for it to free a
// chunk, so memory stays a few MiB per job at any runtime instead of growing
// with it (a null-engine job logging every I/O makes rows faster than one core
// can format them), and a kill -9 loses at most the ring.
// With log_store_compressed=1 the writer packs the rows as fio's binary samples
// and writes one zlib stream per full chunk instead (results/log_compress.hpp).
#include "results/log_sink.hpp"
#include "results/log_compress.hpp"  // put_u64

#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "results/log_compress.hpp"
#include "util/fd.hpp"

namespace fiokit::results {
namespace {

constexpr size_t kChunkRows = 4096;
constexpr size_t kSpareChunks = 4;
// The ring: at most this many chunks per sink (16 x 4096 entries x 80 bytes
// = 5 MiB; an entry is one I/O's rows of every per-I/O log). Enough for the writer to format whole chunks while the I/O thread
// fills others; more only buys a longer backlog.
constexpr size_t kMaxChunks = 16;
constexpr auto kFlushInterval = std::chrono::milliseconds(250);
constexpr int kKinds = 5;
constexpr const char* kKindNames[kKinds] = {"bw", "iops", "lat", "clat", "slat"};

// One entry of the ring: the rows of one I/O (append_io) or a single row
// (append), one row per bit of `kinds`, each with values[kind].
struct Entry {
  uint64_t time_ms, bs, offset;
  uint64_t values[kKinds];
  uint32_t prio;
  int32_t ddir;
  unsigned kinds;
};

struct HistSnap {
  uint64_t time_ms;
  int ddir;
  uint64_t bs;
  std::array<uint64_t, LatencyHistogram::kBins> bins;
};

struct Chunk {
  std::array<Entry, kChunkRows> rows;
  std::atomic<size_t> published{0};  // rows [0, published) are complete
  size_t consumed = 0;               // writer-private: rows already written
};


// fio 3.33 (init.c): a stored compressed log is "<prefix>_<kind>[.N].log.fz".
std::string log_path(const LogConfig& cfg, const std::string& prefix, const char* kind) {
  const char* suffix = cfg.store_compressed ? "log.fz" : "log";
  std::string name = cfg.per_job ? fmt::format("{}_{}.{}.{}", prefix, kind, cfg.job_number, suffix)
                                 : fmt::format("{}_{}.{}", prefix, kind, suffix);
  // An absolute prefix (write_bw_log=/data/x) is where the user wants the log,
  // as in fio; relative prefixes go into the run directory.
  if (cfg.dir.empty() || name.front() == '/') return name;
  return cfg.dir.back() == '/' ? cfg.dir + name : cfg.dir + "/" + name;
}

}  // namespace

struct LogSink::Impl {
  LogConfig cfg;
  std::array<util::Fd, kKinds> fds;
  std::array<std::string, kKinds> paths;

  // Owned by the I/O thread; read by the writer under `mu` (pointer) and via
  // `published` (contents).
  Chunk* current = nullptr;

  std::mutex mu;
  std::condition_variable cv;        // wakes the writer: a full chunk, or stopping
  std::condition_variable space_cv;  // wakes the I/O thread: the writer freed a chunk
  std::deque<Chunk*> full;       // handed over, not yet (fully) written
  std::vector<Chunk*> free_list; // written, ready for reuse
  std::vector<std::unique_ptr<Chunk>> all;
  bool stopping = false;
  bool writer_dead = false;  // run_writer failed: appends recycle chunks unwritten
  std::thread writer;

  // First write error, reported by close(); the writer thread never throws.
  int write_errno = 0;
  std::string write_error_path;

  std::array<std::string, kKinds> bufs;
  // log_store_compressed: bufs hold binary samples until a chunk is full.
  std::unique_ptr<ChunkDeflater> deflater;
  SampleLayout layout;
  size_t chunk_bytes = 0;  // whole samples per stream

  // Histogram log: rare rows (one per window), so a plain locked queue.
  util::Fd hist_fd;
  std::string hist_path;
  std::mutex hist_mu;
  std::deque<HistSnap*> hist_queue;
  std::vector<HistSnap*> hist_free;
  std::vector<std::unique_ptr<HistSnap>> hist_all;
  std::array<std::array<uint64_t, LatencyHistogram::kBins>, 3> hist_prev{};  // writer-private
  std::string hist_buf;

  void write_all(int fd, const std::string& b, const std::string& path) {
    size_t off = 0;
    while (off < b.size() && fd >= 0) {
      const ssize_t n = ::write(fd, b.data() + off, b.size() - off);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (write_errno == 0) {
          write_errno = errno;
          write_error_path = path;
        }
        return;
      }
      off += static_cast<size_t>(n);
    }
  }

  void drain_hist() {
    std::deque<HistSnap*> todo;
    {
      std::lock_guard lk(hist_mu);
      todo.swap(hist_queue);
    }
    if (todo.empty()) return;
    const size_t group = size_t{1} << std::clamp(cfg.hist_coarseness, 0, 6);
    for (HistSnap* h : todo) {
      auto& prev = hist_prev[static_cast<size_t>(std::clamp(h->ddir, 0, 2))];
      char num[24];
      hist_buf.append(num, put_u64(num, h->time_ms));
      hist_buf += ", ";
      hist_buf.append(num, put_u64(num, static_cast<uint64_t>(h->ddir)));
      hist_buf += ", ";
      hist_buf.append(num, put_u64(num, h->bs));
      for (size_t i = 0; i < h->bins.size(); i += group) {
        uint64_t sum = 0;
        for (size_t k = i; k < std::min(i + group, h->bins.size()); ++k) {
          sum += h->bins[k] >= prev[k] ? h->bins[k] - prev[k] : 0;
          prev[k] = h->bins[k];
        }
        hist_buf += ", ";
        hist_buf.append(num, put_u64(num, sum));
      }
      hist_buf += '\n';
    }
    write_all(hist_fd.get(), hist_buf, hist_path);
    hist_buf.clear();
    std::lock_guard lk(hist_mu);
    for (HistSnap* h : todo) hist_free.push_back(h);
  }

  Chunk* new_chunk_locked() {
    if (!free_list.empty()) {
      Chunk* c = free_list.back();
      free_list.pop_back();
      c->published.store(0, std::memory_order_relaxed);
      c->consumed = 0;
      return c;
    }
    // Only before the writer has made the spares (open()) or if it could not
    // allocate them. Default-initialised: the rows are written before they
    // are read, so the 200 KiB chunk is not zeroed on the I/O thread.
    all.push_back(std::unique_ptr<Chunk>(new Chunk));
    return all.back().get();
  }

  // Formats rows [c->consumed, upto) of a chunk into the per-file buffers as
  // "time, value, ddir, bs[, offset], prio". std::to_chars, not a format
  // string: per-I/O logs make this the writer's whole cost, and it must keep
  // up with millions of rows a second.
  // The text of an entry's rows is "time, " + value + suffix, and an I/O's
  // rows share the time and the suffix ", ddir, bs[, offset], prio\n": both
  // are built once per entry (the time once per millisecond), so only the
  // value is formatted per row. Per-I/O logs make this the writer's whole
  // cost, and it must keep up with millions of rows a second.
  uint64_t time_cached = UINT64_MAX;
  char time_text[24];
  size_t time_len = 0;

  void format_rows(Chunk* c, size_t upto) {
    if (deflater) {
      for (size_t i = c->consumed; i < upto; ++i) {
        const Entry& e = c->rows[i];
        for (unsigned k = 0; k < kKinds; ++k)
          if (e.kinds & (1u << k))
            encode_sample(bufs[k], LogRow{e.time_ms, e.values[k], e.ddir, e.bs, e.offset, e.prio}, layout);
      }
      c->consumed = upto;
      return;
    }
    char suffix[4 * 24];
    char line[24 + 24 + sizeof suffix];
    for (size_t i = c->consumed; i < upto; ++i) {
      const Entry& e = c->rows[i];
      if (e.time_ms != time_cached) {
        char* t = put_u64(time_text, e.time_ms);
        *t++ = ',', *t++ = ' ';
        time_len = static_cast<size_t>(t - time_text);
        time_cached = e.time_ms;
      }
      char* s = suffix;
      *s++ = ',', *s++ = ' ';
      s = put_u64(s, static_cast<uint64_t>(e.ddir)), *s++ = ',', *s++ = ' ';
      s = put_u64(s, e.bs), *s++ = ',', *s++ = ' ';
      if (cfg.with_offset) s = put_u64(s, e.offset), *s++ = ',', *s++ = ' ';
      if (cfg.with_prio) {
        s = fmt::format_to(s, "0x{:04x}", e.prio);
      } else {
        *s++ = (e.prio >> 13) == 1 ? '1' : '0';  // class realtime (IOPRIO_CLASS_RT)
      }
      *s++ = '\n';
      const size_t suffix_len = static_cast<size_t>(s - suffix);
      std::memcpy(line, time_text, time_len);
      for (unsigned k = 0; k < kKinds; ++k) {
        if (!(e.kinds & (1u << k))) continue;
        char* p = put_u64(line + time_len, e.values[k]);
        std::memcpy(p, suffix, suffix_len);
        bufs[k].append(line, static_cast<size_t>(p + suffix_len - line));
      }
    }
    c->consumed = upto;
  }

  // Text goes out as it comes. Binary samples go out a full chunk at a time,
  // each chunk one zlib stream written with one write(2) (so the streams of
  // jobs sharing a per_job_logs=0 file never interleave); the last, partial
  // chunk at the end (final).
  void write_buffers(bool final = false) {
    for (size_t k = 0; k < kKinds; ++k) {
      if (!deflater) {
        write_all(fds[k].get(), bufs[k], paths[k]);
        bufs[k].clear();
        continue;
      }
      std::string& b = bufs[k];
      size_t pos = 0;
      while (b.size() - pos >= chunk_bytes || (final && pos < b.size())) {
        const size_t n = std::min(chunk_bytes, b.size() - pos);
        write_all(fds[k].get(), deflater->deflate(std::string_view(b).substr(pos, n)), paths[k]);
        pos += n;
      }
      b.erase(0, pos);
    }
  }

  // One writer pass: whole chunks from the queue, then the published prefix
  // of the chunk the I/O thread is filling.
  void drain(bool final = false) {
    std::vector<Chunk*> done;
    Chunk* cur = nullptr;
    {
      std::lock_guard lk(mu);
      while (!full.empty()) {
        done.push_back(full.front());
        full.pop_front();
      }
      cur = current;
    }
    for (Chunk* c : done) {
      format_rows(c, c->published.load(std::memory_order_acquire));
      write_buffers();  // a chunk at a time keeps the buffers small
      // Back to the ring at once, not after the whole batch: an I/O thread
      // waiting for space goes on as soon as one chunk is written.
      std::lock_guard lk(mu);
      free_list.push_back(c);
      space_cv.notify_one();
    }
    // `cur` cannot be recycled while we read it: only this thread recycles.
    if (cur) format_rows(cur, cur->published.load(std::memory_order_acquire));
    write_buffers(final);
    drain_hist();
    // Keep spare chunks ready, allocated and touched here, so the I/O thread
    // neither allocates nor page-faults when it moves to a new chunk.
    std::vector<std::unique_ptr<Chunk>> fresh;
    size_t spare, owned;
    {
      std::lock_guard lk(mu);
      spare = free_list.size();
      owned = all.size();
    }
    for (; spare < kSpareChunks && owned < kMaxChunks; ++spare, ++owned) {
      fresh.push_back(std::unique_ptr<Chunk>(new Chunk));
      std::memset(static_cast<void*>(fresh.back()->rows.data()), 0, sizeof(fresh.back()->rows));
    }
    if (!fresh.empty()) {
      std::lock_guard lk(mu);
      for (auto& f : fresh) {
        free_list.push_back(f.get());
        all.push_back(std::move(f));
      }
      space_cv.notify_one();
    }
  }

  void run_writer() noexcept {
    try {
      std::unique_lock lk(mu);
      while (!stopping) {
        // The predicate matters: a chunk handed over while this thread was
        // draining must not wait out the interval (the I/O thread may be
        // waiting for the ring).
        cv.wait_for(lk, kFlushInterval, [this] { return stopping || !full.empty(); });
        lk.unlock();
        drain();
        lk.lock();
      }
      lk.unlock();
      drain(true);
    } catch (const std::exception&) {
      // Formatting and compressing into memory can only fail on allocation
      // (zlib's errors are its out-of-memory); record and stop.
      if (write_errno == 0) write_errno = ENOMEM;
      std::lock_guard lk(mu);
      writer_dead = true;
      space_cv.notify_all();
    }
  }
};

LogSink::LogSink() : impl_(std::make_unique<Impl>()) {}

std::unique_ptr<LogSink> LogSink::open(const LogConfig& cfg) {
  std::unique_ptr<LogSink> sink(new LogSink());
  Impl& im = *sink->impl_;
  im.cfg = cfg;
  if (cfg.store_compressed) {
    im.deflater = std::make_unique<ChunkDeflater>();
    im.layout = SampleLayout{cfg.with_offset, cfg.with_prio};
    const uint64_t want = cfg.compress_chunk ? cfg.compress_chunk : kDefaultCompressChunk;
    im.chunk_bytes = std::max<size_t>(1, static_cast<size_t>(want / im.layout.bytes())) * im.layout.bytes();
  }
  const std::string* prefixes[kKinds] = {&cfg.bw_prefix, &cfg.iops_prefix, &cfg.lat_prefix, &cfg.lat_prefix,
                                         &cfg.lat_prefix};
  for (int k = 0; k < kKinds; ++k) {
    if (prefixes[k]->empty()) continue;
    im.paths[k] = log_path(cfg, *prefixes[k], kKindNames[k]);
    // Log files are ours (named after the job, in the run directory); fio
    // truncates them too when a job is re-run in the same place. A shared
    // file was emptied by the run (truncate_shared) and gets every job's rows.
    const int mode = cfg.per_job ? O_TRUNC : O_APPEND;
    im.fds[k].reset(::open(im.paths[k].c_str(), O_WRONLY | O_CREAT | mode | O_CLOEXEC, 0644));
    if (!im.fds[k]) {
      const int err = errno;  // the sink's Fds close the files opened so far
      throw std::system_error(err, std::generic_category(), "cannot create log file " + im.paths[k]);
    }
  }
  if (!cfg.hist_prefix.empty()) {
    im.hist_path = log_path(cfg, cfg.hist_prefix, "clat_hist");
    im.hist_fd.reset(::open(im.hist_path.c_str(), O_WRONLY | O_CREAT | (cfg.per_job ? O_TRUNC : O_APPEND) | O_CLOEXEC, 0644));
    if (!im.hist_fd) {
      const int err = errno;  // the sink's Fds close the files opened so far
      throw std::system_error(err, std::generic_category(), "cannot create log file " + im.hist_path);
    }
  }
  {
    std::lock_guard lk(im.mu);
    im.current = im.new_chunk_locked();
  }
  im.drain();  // fills the spare chunks before the first I/O
  im.writer = std::thread([&im] { im.run_writer(); });
  if (!cfg.writer_cpus.empty()) {
    // log_compression_cpus: fio pins its log compression thread to these
    // CPUs; fiokit's counterpart is this writer thread (it compresses stored
    // logs and formats the others). An error stops the job before any I/O
    // (the sink's destructor joins the thread).
    cpu_set_t set;
    CPU_ZERO(&set);
    for (int c : cfg.writer_cpus) {
      if (c < 0 || c >= CPU_SETSIZE)
        throw std::system_error(EINVAL, std::generic_category(), fmt::format("log_compression_cpus: CPU {} is out of range", c));
      CPU_SET(c, &set);
    }
    if (const int e = pthread_setaffinity_np(im.writer.native_handle(), sizeof(set), &set); e != 0)
      throw std::system_error(e, std::generic_category(), "log_compression_cpus: cannot pin the log thread");
  }
  return sink;
}

void LogSink::truncate_shared(const LogConfig& cfg) {
  if (cfg.per_job) return;
  const std::pair<const std::string*, const char*> logs[] = {
      {&cfg.bw_prefix, kKindNames[0]},   {&cfg.iops_prefix, kKindNames[1]}, {&cfg.lat_prefix, kKindNames[2]},
      {&cfg.lat_prefix, kKindNames[3]},  {&cfg.lat_prefix, kKindNames[4]}, {&cfg.hist_prefix, "clat_hist"}};
  for (const auto& [prefix, kind] : logs) {
    if (prefix->empty()) continue;
    const std::string path = log_path(cfg, *prefix, kind);
    if (::truncate(path.c_str(), 0) != 0 && errno != ENOENT)
      throw std::system_error(errno, std::generic_category(), "cannot empty log file " + path);
  }
}

void LogSink::append(LogKind kind, const LogRow& row) {
  uint64_t values[kKinds] = {};
  values[static_cast<size_t>(kind)] = row.value;
  append_io(row.time_ms, row.ddir, row.bs, row.offset, row.prio, 1u << static_cast<unsigned>(kind), values);
}

void LogSink::append_io(uint64_t time_ms, int ddir, uint64_t bs, uint64_t offset, uint32_t prio, unsigned kinds,
                        const uint64_t (&values)[5]) {
  Impl& im = *impl_;
  Chunk* c = im.current;
  if (!c) return;  // after close(): nothing more is written
  const size_t n = c->published.load(std::memory_order_relaxed);
  Entry& e = c->rows[n];
  e.time_ms = time_ms;
  e.bs = bs;
  e.offset = offset;
  std::memcpy(e.values, values, sizeof e.values);
  e.prio = prio;
  e.ddir = ddir;
  e.kinds = kinds;
  c->published.store(n + 1, std::memory_order_release);
  if (n + 1 == kChunkRows) {
    std::unique_lock lk(im.mu);
    im.full.push_back(c);
    // c is the writer's now: while this thread waits, the writer must not
    // also read it as the chunk being filled (it may recycle it to us).
    im.current = nullptr;
    im.cv.notify_one();
    // The ring is full: wait for the writer rather than grow (see the top).
    if (im.free_list.empty() && im.all.size() >= kMaxChunks)
      im.space_cv.wait(lk, [&im] { return !im.free_list.empty() || im.writer_dead; });
    if (im.writer_dead) {
      // No one writes any more: reuse a handed-over chunk (its rows are lost;
      // close() reports the writer's error) instead of growing.
      Chunk* r = im.full.front();
      im.full.pop_front();
      r->published.store(0, std::memory_order_relaxed);
      im.current = r;
      return;
    }
    im.current = im.new_chunk_locked();
  }
}

void LogSink::append_hist(uint64_t time_ms, int ddir, uint64_t bs, const LatencyHistogram& cumulative) {
  Impl& im = *impl_;
  if (!im.hist_fd) return;
  std::lock_guard lk(im.hist_mu);
  HistSnap* h;
  if (!im.hist_free.empty()) {
    h = im.hist_free.back();
    im.hist_free.pop_back();
  } else {
    im.hist_all.push_back(std::unique_ptr<HistSnap>(new HistSnap));
    h = im.hist_all.back().get();
  }
  h->time_ms = time_ms;
  h->ddir = ddir;
  h->bs = bs;
  h->bins = cumulative.bins();
  im.hist_queue.push_back(h);
}

void LogSink::close() {
  Impl& im = *impl_;
  if (!im.writer.joinable()) return;
  {
    std::lock_guard lk(im.mu);
    im.stopping = true;
    // The current chunk may be partly filled: hand it over so the last pass
    // writes it; no more appends come after close().
    if (im.current) im.full.push_back(im.current);
    im.current = nullptr;
  }
  im.cv.notify_one();
  im.writer.join();
  int close_err = 0;
  std::string close_path;
  for (int k = 0; k < kKinds; ++k) {
    // Fd::close reports a failed close (data written may be lost, e.g. on NFS).
    if (const int rc = im.fds[k].close(); rc != 0 && close_err == 0) {
      close_err = -rc;
      close_path = im.paths[k];
    }
  }
  if (const int rc = im.hist_fd.close(); rc != 0 && close_err == 0) {
    close_err = -rc;
    close_path = im.hist_path;
  }
  if (im.write_errno) throw std::system_error(im.write_errno, std::generic_category(), "cannot write log file " + im.write_error_path);
  if (close_err) throw std::system_error(close_err, std::generic_category(), "cannot close log file " + close_path);
}

LogSink::~LogSink() {
  try {
    close();
  } catch (const std::exception&) {
    // Destructors must not throw; a caller that cares calls close() itself.
  }
}

}  // namespace fiokit::results
