// JobFiles (see job_files.hpp): opening a job's files and fio's page-cache
// rules around them (invalidate per pass, fadvise hint, pre_read), the syncs,
// and the end of the job (fsync_on_close, close, unlink of created files).
#include "engine/job_files.hpp"
#include "engine/run.hpp"
#include "volumes/confine.hpp"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace fiokit::engine {

void JobFiles::init(const jobs::JobSpec& spec, const std::vector<volumes::FileTarget>& targets, uint64_t unit_bytes,
                    std::map<std::string, std::string>* notes) {
  spec_ = &spec;
  notes_ = notes;
  files_.resize(targets.size());
  for (size_t i = 0; i < targets.size(); ++i) {
    FileState& f = files_[i];
    f.target = targets[i];
    f.end = f.target.offset + f.target.size;
    f.nblocks = std::max<uint64_t>(1, f.target.size / unit_bytes);
    for (auto& p : f.seq_pos) p = f.target.offset;
  }
}

std::vector<int> JobFiles::fds() const {
  std::vector<int> v;
  v.reserve(files_.size());
  for (const auto& f : files_) v.push_back(f.fd.get());
  return v;
}

void JobFiles::open(bool random, bool verify) {
  const jobs::JobSpec& spec = *spec_;
  int flags = O_CLOEXEC;
  const bool rd = replay_ ? replay_reads_ : spec.does(jobs::Dir::read) || (verify && spec.do_verify);
  const bool wr = replay_ ? replay_writes_ : spec.does(jobs::Dir::write) || spec.does(jobs::Dir::trim);
  flags |= rd && wr ? O_RDWR : wr ? O_WRONLY : O_RDONLY;
  if (wr && !spec.verify_only) flags = (flags & ~O_WRONLY) | O_RDWR;  // verify reads back through the same fd
  // falloc's reads are fallocate(KEEP_SIZE) calls: they need a writable fd.
  if (spec.ioengine == "falloc") flags = (flags & ~(O_WRONLY | O_RDONLY)) | O_RDWR;
  if (spec.direct) flags |= O_DIRECT;
  if (spec.sync_io) flags |= O_SYNC;
  for (auto& f : files_) {
    int fl = flags;
    if (wr && spec.allow_file_create) fl |= O_CREAT;
    const bool existed = ::access(f.target.path.c_str(), F_OK) == 0;
    std::string why;
    if (confine_) {
      const int fd = volumes::open_confined(*confine_, f.target.path, fl, 0644, &why);
      f.fd.reset(fd < 0 ? -1 : fd);
      if (fd < 0) errno = -fd;
    } else {
      f.fd.reset(::open(f.target.path.c_str(), fl, 0644));
    }
    if (!f.fd) {
      const int e = errno;
      std::string hint = e == EINVAL && spec.direct ? " (the filesystem may not support O_DIRECT; try direct=0)" : "";
      throw SetupError(fmt::format("job '{}': cannot open '{}': {}{}", spec.name, f.target.path, why.empty() ? std::strerror(e) : why, hint), e);
    }
    if (!existed) (void)volumes::mark_created(f.fd.get());
    // fio's fadvise_hint=1, its default: POSIX_FADV_RANDOM for random jobs
    // (no readahead), SEQUENTIAL otherwise, at every open. It is not cosmetic:
    // a buffered 4k randread of a 16 MiB region ran at 10-12 K IOPS in fio and
    // at 26-31 K with fadvise_hint=0, readahead filling the cache.
    if (spec.fadvise_hint != jobs::FadviseHint::none) {
      const bool rnd = spec.fadvise_hint == jobs::FadviseHint::random || (spec.fadvise_hint == jobs::FadviseHint::from_rw && random);
      const int advice = rnd ? POSIX_FADV_RANDOM : POSIX_FADV_SEQUENTIAL;
      (void)::posix_fadvise(f.fd.get(), static_cast<off_t>(f.target.offset), static_cast<off_t>(f.target.size), advice);
    }
    if (spec.pre_read && !spec.direct) {
      std::vector<uint8_t> b(1 << 20);
      for (uint64_t p = f.target.offset; p < f.end;) {
        const ssize_t n = ::pread(f.fd.get(), b.data(), std::min<uint64_t>(b.size(), f.end - p), static_cast<off_t>(p));
        if (n <= 0) break;
        p += static_cast<uint64_t>(n);
      }
    }
  }
}

void JobFiles::reopen(bool random, bool verify) {
  for (auto& f : files_) {
    if (!f.fd) continue;
    f.fd.reset();
    (void)volumes::remove_created_file(f.target.path, confine_);
  }
  open(random, verify);
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
void JobFiles::invalidate_pass(bool file_reopened) {
  if (!spec_->invalidate || spec_->pre_read || (spec_->direct && !file_reopened)) return;
  for (auto& f : files_) drop_cache(f);
}

// io_size larger than the region: when a file's offsets run out inside a
// pass, fio closes and reopens it (another loop of do_io), so its cache is
// dropped as at any open, direct=1 included (strace: size=1m io_size=3m
// gives 3 opens and 3 DONTNEEDs for read, randread and write).
void JobFiles::wrap(FileState& f) {
  if (spec_->invalidate && !spec_->pre_read) drop_cache(f);
}

void JobFiles::drop_cache(FileState& f) {
  if (!f.fd) return;
  struct stat st {};
  if (!f.target.is_device || (::fstat(f.fd.get(), &st) == 0 && S_ISREG(st.st_mode))) {
    (void)::posix_fadvise(f.fd.get(), static_cast<off_t>(f.target.offset), static_cast<off_t>(f.target.size), POSIX_FADV_DONTNEED);
  } else if (S_ISBLK(st.st_mode) && ::ioctl(f.fd.get(), BLKFLSBUF, 0) != 0 && (errno == EACCES || errno == EPERM)) {
    // As fio: only root may flush a block device's buffers; say so once.
    notes_->emplace("invalidate", fmt::format("only root may flush the buffers of '{}' (BLKFLSBUF): its cache was not dropped",
                                              f.target.path));
  }
}

void JobFiles::drop_clean_pages() {
  for (auto& f : files_)
    if (f.fd && !f.target.is_device)
      (void)::posix_fadvise(f.fd.get(), static_cast<off_t>(f.target.offset), static_cast<off_t>(f.target.size), POSIX_FADV_DONTNEED);
}

int JobFiles::sync(const FileState& f, bool data_only) const {
  return (data_only ? ::fdatasync(f.fd.get()) : ::fsync(f.fd.get())) == 0 ? 0 : errno;
}

int JobFiles::sync_all(bool data_only, std::string* what) const {
  int first = 0;
  for (const auto& f : files_) {
    if (!f.fd) continue;
    if (const int e = sync(f, data_only); e != 0 && !first) {
      first = e;
      *what = fmt::format("job '{}': {} '{}' failed: {}", spec_->name, data_only ? "fdatasync" : "fsync", f.target.path, std::strerror(e));
    }
  }
  return first;
}

void JobFiles::close_all(bool fsync_on_close) {
  for (auto& f : files_) {
    if (!f.fd) continue;
    if (fsync_on_close) (void)::fsync(f.fd.get());
    f.fd.reset();
    if (spec_->unlink && !volumes::remove_created_file(f.target.path, confine_))
      (*notes_)["unlink"] = fmt::format("'{}' was not created by fiokit: left in place", f.target.path);
  }
}

}  // namespace fiokit::engine
