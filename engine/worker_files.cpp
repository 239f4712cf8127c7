// Worker (see worker.hpp): the job's files and the time between its I/Os —
// opening the files with fio's page-cache rules (invalidate per pass,
// fadvise hint, pre_read), the fsync=N / fdatasync=N syncs and end_fsync,
// and the waits (rate, think time, sleeping in slices that notice a stop).
// Split from worker.cpp, which keeps setup, windows, ramp and results.
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <vector>

#include <fmt/format.h>

#include "engine/worker.hpp"

namespace fiokit::engine {
namespace {
constexpr uint64_t kMs = 1'000'000;
}  // namespace

void Worker::open_files() {
  int flags = O_CLOEXEC;
  const bool rd = spec.does(jobs::Dir::read) || (verifier.enabled() && spec.do_verify);
  const bool wr = spec.does(jobs::Dir::write) || spec.does(jobs::Dir::trim);
  flags |= rd && wr ? O_RDWR : wr ? O_WRONLY : O_RDONLY;
  if (wr && !spec.verify_only) flags = (flags & ~O_WRONLY) | O_RDWR;  // verify reads back through the same fd
  if (spec.direct) flags |= O_DIRECT;
  if (spec.sync_io) flags |= O_SYNC;
  for (auto& f : files) {
    int fl = flags;
    if (wr && spec.allow_file_create) fl |= O_CREAT;
    const bool existed = ::access(f.target.path.c_str(), F_OK) == 0;
    f.fd = ::open(f.target.path.c_str(), fl, 0644);
    if (f.fd < 0) {
      const int e = errno;
      std::string hint = e == EINVAL && spec.direct ? " (the filesystem may not support O_DIRECT; try direct=0)" : "";
      throw volumes::LayoutError(fmt::format("job '{}': cannot open '{}': {}{}", spec.name, f.target.path, std::strerror(e), hint), e);
    }
    if (!existed) {
      f.created = true;
      (void)volumes::mark_created(f.fd);
    }
    // fio's fadvise_hint=1, its default: POSIX_FADV_RANDOM for random jobs
    // (no readahead), SEQUENTIAL otherwise, at every open. It is not cosmetic:
    // a buffered 4k randread of a 16 MiB region ran at 10-12 K IOPS in fio and
    // at 26-31 K with fadvise_hint=0, readahead filling the cache.
    if (spec.fadvise_hint != jobs::FadviseHint::none) {
      const bool rnd = spec.fadvise_hint == jobs::FadviseHint::random || (spec.fadvise_hint == jobs::FadviseHint::from_rw && random);
      const int advice = rnd ? POSIX_FADV_RANDOM : POSIX_FADV_SEQUENTIAL;
      (void)::posix_fadvise(f.fd, static_cast<off_t>(f.target.offset), static_cast<off_t>(f.target.size), advice);
    }
    if (spec.pre_read && !spec.direct) {
      std::vector<uint8_t> b(1 << 20);
      for (uint64_t p = f.target.offset; p < f.end;) {
        const ssize_t n = ::pread(f.fd, b.data(), std::min<uint64_t>(b.size(), f.end - p), static_cast<off_t>(p));
        if (n <= 0) break;
        p += static_cast<uint64_t>(n);
      }
    }
  }
}

// Page cache at the start of every pass, as fio 3.33 does (observed with
// strace and with IOPS side by side): invalidate=1 (the default) drops the
// region's cached pages each time a file is opened, i.e. before every loop,
// even with direct=1, and again at every time_based wrap, but then only for
// buffered I/O. pre_read=1 reads the files once before the first pass and
// turns invalidation off (fio clears the flag: dropping what was just read
// would be pointless). Without this a repeated buffered pass measures the
// page cache instead of the device. A block device gets BLKFLSBUF instead
// (the whole device's buffers, root only), at the same moments, as fio does
// (strace of fio on a loop device: one BLKFLSBUF per loop and per wrap).
void Worker::invalidate_pass(bool file_reopened) {
  if (!spec.invalidate || spec.pre_read || (spec.direct && !file_reopened)) return;
  for (auto& f : files) drop_cache(f);
}

// io_size larger than the region: when a file's offsets run out inside a
// pass, fio closes and reopens it (another loop of do_io), so its cache is
// dropped as at any open, direct=1 included (strace: size=1m io_size=3m
// gives 3 opens and 3 DONTNEEDs for read, randread and write).
void Worker::wrap_file(FileState& f) {
  if (spec.invalidate && !spec.pre_read) drop_cache(f);
}

void Worker::drop_cache(FileState& f) {
  if (f.fd < 0) return;
  struct stat st {};
  if (!f.target.is_device || (::fstat(f.fd, &st) == 0 && S_ISREG(st.st_mode))) {
    (void)::posix_fadvise(f.fd, static_cast<off_t>(f.target.offset), static_cast<off_t>(f.target.size), POSIX_FADV_DONTNEED);
  } else if (S_ISBLK(st.st_mode) && ::ioctl(f.fd, BLKFLSBUF, 0) != 0 && (errno == EACCES || errno == EPERM)) {
    // As fio: only root may flush a block device's buffers; say so once.
    res.extras.emplace("invalidate", fmt::format("only root may flush the buffers of '{}' (BLKFLSBUF): its cache was not dropped",
                                                 f.target.path));
  }
}

bool Worker::sleep_until(uint64_t t) {
  for (;;) {
    if (halt_requested()) return false;
    const uint64_t now = now_ns();
    if (now >= deadline_ns) {
      halted = true;
      return false;
    }
    if (now >= t) return true;
    // Short slices: a stop request or the deadline is noticed within 100 ms.
    const uint64_t dt = std::min({t - now, deadline_ns - now, 100 * kMs});
    timespec ts{static_cast<time_t>(dt / 1'000'000'000ull), static_cast<long>(dt % 1'000'000'000ull)};
    nanosleep(&ts, nullptr);
  }
}

void Worker::charge_rate(const IoUnit& u) {
  const int d = idx(u.dir);
  double cost = std::max(static_cast<double>(rate_ns_per_io[d]), rate_ns_per_byte[d] * u.len);
  if (spec.rate_process == jobs::RateProcess::poisson) cost *= -std::log(1.0 - rng_rate.unit());
  // Never bank more than one rate cycle of credit after a stall.
  const auto now = static_cast<int64_t>(now_ns());
  const auto cycle = static_cast<int64_t>(spec.rate_cycle_ms * kMs);
  if (due_ns[d] < now - cycle) due_ns[d] = now - cycle;
  due_ns[d] += static_cast<int64_t>(cost);
}

void Worker::think() {
  const uint64_t t0 = now_ns();
  const uint64_t spin = std::min(spec.thinktime_spin_us, spec.thinktime_us) * 1000;
  while (now_ns() - t0 < spin && !halt_requested()) {
  }
  sleep_until(t0 + spec.thinktime_us * 1000);
}

bool Worker::wants_fsync(const IoUnit& u) {
  last_write_file = u.file;
  const uint64_t every = spec.fsync ? spec.fsync : spec.fdatasync;
  if (!every) return false;
  if (++total_writes_since_sync < every) return false;
  total_writes_since_sync = 0;
  return true;
}

// One fsync=N / fdatasync=N sync of the file last written (fio syncs one
// file per sync I/O), timed like an I/O. What fio 3.33 reports, measured:
// the JSON "sync" block's lat_ns holds every fsync and fdatasync, but its
// total_ios counts only fsyncs (fdatasync=4 on 256 writes: total_ios 0, N 63);
// each sync is one entry of the depth histogram at the depth it ran at, and
// for engines without a commit step also one submit and one completion.
// end_fsync and fsync_on_close are in none of these counts.
void Worker::issue_sync() {
  sync_pending = false;
  const FileState& f = files[last_write_file < files.size() ? last_write_file : 0];
  // Block devices too: fio fsyncs them (it flushes the device's write cache).
  if (f.fd < 0) return;
  const bool data_only = spec.fdatasync != 0 && spec.fsync == 0;
  const uint64_t t0 = now_ns();
  if ((data_only ? ::fdatasync(f.fd) : ::fsync(f.fd)) != 0) {
    const int e = errno;
    record_error(e, fmt::format("job '{}': {} '{}' failed: {}", spec.name, data_only ? "fdatasync" : "fsync", f.target.path, std::strerror(e)));
    return;
  }
  const uint64_t t1 = now_ns();
  if (ramping) return;
  res.sync_lat.add(t1 - t0);
  if (!data_only) ++res.sync_total_ios;
  ++inflight;  // the sync holds a unit while it runs, as fio's sync io_u does
  res.depth.level[std::min(6, 31 - __builtin_clz(inflight | 1))] += 1;
  --inflight;
  if (sync_engine) {
    ++res.depth.submit_calls;
    ++res.depth.submit[bucket_of(1)];
    count_complete(1);
  }
  if (t1 >= next_event_ns) on_event(t1);
}

void Worker::do_fsync_all(bool data_only) {
  for (const auto& f : files) {
    if (f.fd < 0) continue;
    if ((data_only ? ::fdatasync(f.fd) : ::fsync(f.fd)) != 0) {
      const int e = errno;
      record_error(e, fmt::format("job '{}': {} '{}' failed: {}", spec.name, data_only ? "fdatasync" : "fsync", f.target.path, std::strerror(e)));
    }
  }
}

}  // namespace fiokit::engine
