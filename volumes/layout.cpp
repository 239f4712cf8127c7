// File layout (see layout.hpp): planning paths and regions, creating and
// extending files with the created-by-fiokit marker, refusing to touch a
// user's file beyond reading and writing inside it.
#include "volumes/layout.hpp"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <memory>

#include <fmt/format.h>

#include "jobs/engine_traits.hpp"
#include "volumes/confine.hpp"
#include "util/fd.hpp"

namespace fiokit::volumes {
namespace {

constexpr const char* kMarkerName = "user.fiokit";
constexpr const char kMarkerValue[] = "created";

using util::Fd;

// Size of an existing file or device; -errno when it cannot be opened or sized.
int64_t target_size(const std::string& path, bool* is_device, bool* exists) {
  struct stat st {};
  *exists = false;
  *is_device = false;
  if (::stat(path.c_str(), &st) != 0) return -errno;
  *exists = true;
  if (S_ISREG(st.st_mode)) return st.st_size;
  if (S_ISBLK(st.st_mode)) {
    *is_device = true;
    Fd f(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!f) return -errno;
    uint64_t bytes = 0;
    if (::ioctl(f.get(), BLKGETSIZE64, &bytes) != 0) return -errno;
    return static_cast<int64_t>(bytes);
  }
  if (S_ISCHR(st.st_mode)) {
    *is_device = true;
    return 0;
  }
  return -EINVAL;
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  size_t p = 0;
  while ((p = s.find(from, p)) != std::string::npos) {
    s.replace(p, from.size(), to);
    p += to.size();
  }
  return s;
}

// A per-file size from a filesize=lo-hi range: deterministic per file, so a
// rerun finds the files it made the same size. fio 3.33 draws it from its
// own seeded generator and rounds it down to the job's smallest block size
// (rw_min_bs, over every direction); fiokit's draw is its own (fio's exact
// sizes are not reproduced), the rounding is fio's.
uint64_t pick_filesize(const jobs::JobSpec& j, uint32_t filenum) {
  auto [lo, hi] = j.filesize;
  if (hi <= lo) return lo;
  uint64_t h = (filenum + 1) * 0x9e3779b97f4a7c15ull;
  h ^= h >> 31;
  uint64_t v = lo + h % (hi - lo + 1);
  uint64_t bs = UINT64_MAX;
  for (auto d : {jobs::Dir::read, jobs::Dir::write, jobs::Dir::trim})
    bs = std::min(bs, j.bsrange[d].first ? j.bsrange[d].first : j.bs[d]);
  bs = std::max<uint64_t>(1, bs == UINT64_MAX ? 1 : bs);
  return std::max(lo, v / bs * bs);
}

}  // namespace

std::string expand_filename_format(const jobs::JobSpec& job, uint32_t filenum) {
  std::string s = job.filename_format;
  s = replace_all(s, "$jobname", job.name);
  s = replace_all(s, "$jobnum", std::to_string(job.clone_index));
  s = replace_all(s, "$filenum", std::to_string(filenum));
  s = replace_all(s, "$clientuid", "0");
  return s;
}

std::vector<std::string> file_paths(const jobs::JobSpec& job) {
  std::vector<std::string> out;
  if (!job.read_iolog.empty()) {
    // A replay opens the files its log names (or replay_redirect): those are
    // what a confinement must judge. A log that cannot be read opens nothing
    // (its plan fails with the reason).
    if (!job.replay_redirect.empty()) return {ReplayOptions::of(job).directory.empty() ? job.replay_redirect
                                                                                       : job.directories[0] + "/" + job.replay_redirect};
    try {
      return read_iolog(job).files;
    } catch (const IoLogError&) {
      return {};
    }
  }
  if (!job.filenames.empty()) {
    for (const auto& f : job.filenames) {
      // A filename relative to directory= lives in that directory, as in fio.
      std::string p = f;
      if (!job.directories.empty() && !f.empty() && f[0] != '/') p = job.directories[0] + "/" + f;
      out.push_back(std::move(p));
    }
  } else {
    for (uint32_t i = 0; i < std::max<uint32_t>(1, job.nrfiles); ++i) {
      std::string name = expand_filename_format(job, i);
      if (!job.directories.empty()) name = job.directories[i % job.directories.size()] + "/" + name;
      out.push_back(std::move(name));
    }
  }
  return out;
}

namespace {

// Regular files earlier jobs of the run will have laid out, path -> length
// (see plan_run).
using LaidOut = std::map<std::string, uint64_t>;

std::vector<FileTarget> plan_job(const jobs::JobSpec& job, bool diskless, const LaidOut& laid_out) {
  std::vector<FileTarget> out;
  for (std::string& p : file_paths(job)) out.push_back({std::move(p)});
  const uint64_t nfiles = out.size();
  for (uint32_t i = 0; i < nfiles; ++i) {
    FileTarget& t = out[i];
    int64_t existing = 0;
    if (!diskless) {
      existing = target_size(t.path, &t.is_device, &t.exists);
      if (existing < 0 && existing != -ENOENT)
        throw LayoutError(fmt::format("job '{}': cannot use '{}': {}", job.name, t.path, std::strerror(static_cast<int>(-existing))),
                          static_cast<int>(-existing));
      if (existing < 0) existing = 0;
      // A file an earlier job lays out is there, that long, when this job is
      // sized (fio 3.33 lays out every job's files, in job order, first).
      if (const auto it = laid_out.find(t.path); it != laid_out.end() && !t.is_device) {
        t.exists = true;
        existing = std::max(existing, static_cast<int64_t>(it->second));
      }
    }
    const uint64_t have = static_cast<uint64_t>(existing);
    uint64_t off = job.offset;
    if (job.offset_percent > 0) {
      off = static_cast<uint64_t>(static_cast<double>(have) * job.offset_percent / 100.0);
      const uint64_t align = job.offset_align ? job.offset_align : std::max<uint64_t>(1, job.bs[jobs::Dir::read]);
      off = off / align * align;
    }
    uint64_t size = 0;
    // fill_device without a size: fio 3.33 sets size to 2^64-1, so each
    // file's region is 2^64-1 / nrfiles and the job writes until ENOSPC
    // (its layout line then reads "17592186044415MiB", which this keeps).
    // A block device has a known end: fio 3.33 writes it to the end and no
    // further (a 16 MiB loop device, bs=64k: 256 writes and no error, with
    // or without size=32m), so its region is the device, as without fill_device.
    const bool fill_unbounded =
        job.fill_device && job.size == 0 && job.size_percent == 0 && job.filesize.first == 0 && !t.is_device;
    // ioengine=cpuio and exec move no bytes (fio's FIO_NOIO), so no size
    // ends them: runtime= or number_ios= does (the parser asks for one).
    const bool no_bytes = jobs::engine_traits(job.ioengine).no_bytes;
    if (no_bytes) {
      size = UINT64_MAX / nfiles;
    } else if (job.filesize.first > 0) {
      // fio 3.33 keeps an existing file whose length lies within filesize=
      // (a range's earlier draw, or the user's file) and sizes any other to
      // filesize (never truncating a longer one).
      const uint64_t hi = std::max(job.filesize.first, job.filesize.second);
      size = t.exists && have >= job.filesize.first && have <= hi ? have : pick_filesize(job, i);
    } else if (job.size > 0) {
      size = job.size / nfiles;
    } else if (fill_unbounded) {
      size = UINT64_MAX / nfiles;
    } else if (t.exists && have > off) {
      size = have - off;
      if (job.size_percent > 0) size = static_cast<uint64_t>(static_cast<double>(size) * job.size_percent / 100.0);
    } else {
      throw LayoutError(fmt::format("job '{}': no size for '{}': give size= or filesize=, or point filename= at an existing file",
                                    job.name, t.path), EINVAL);
    }
    uint64_t inc = job.offset_increment;
    if (job.offset_increment_percent > 0) inc = static_cast<uint64_t>(static_cast<double>(size) * job.offset_increment_percent / 100.0);
    off += inc * static_cast<uint64_t>(job.clone_index);
    // filesize= is the file's length, and the offset lies inside it: the
    // region is [offset, filesize), whatever size= says. size= is then the
    // job's byte budget over all its files (engine::JobPlan), not a region:
    // measured with fio 3.33, filesize=4m size=2m lays out a 4 MiB file and
    // reads 2 MiB, a randread's offsets spread over all 4 MiB; nrfiles=2
    // lays out two 4 MiB files and reads 1 MiB of each; offset=16k
    // filesize=64k does 48 KiB (16k-64k), and 16 KiB with size=16k added.
    if (job.filesize.first > 0) {
      const uint64_t file_len = size;
      size = file_len > off ? file_len - off : 0;
      if (size == 0)
        throw LayoutError(fmt::format("job '{}': '{}' leaves no bytes to do I/O on (filesize {} ends at or before offset {})", job.name,
                                      t.path, file_len, off),
                          EINVAL);
    }
    if (size == 0)
      throw LayoutError(fmt::format("job '{}': '{}' leaves no bytes to do I/O on (size {}, offset {})", job.name, t.path, size, off), EINVAL);
    if (fill_unbounded || no_bytes) size = std::min(size, UINT64_MAX - off);  // offset + size never wraps
    if (t.is_device && job.fill_device && have > off && off + size > have) size = have - off;  // see fill_unbounded
    t.offset = off;
    t.size = size;
    if (t.is_device && have > 0 && off + size > have && !job.fill_device)
      throw LayoutError(fmt::format("job '{}': region {}+{} is beyond the end of device '{}' ({} bytes)", job.name, off, size, t.path, have),
                        EINVAL);
  }
  return out;
}

// read_iolog: the log's files, each as long as the log's furthest I/O in it.
// A read or trim must find bytes there: in the file as it is (or as an
// earlier job lays it out), or written by an earlier entry of the log; fio
// 3.33 fails such a read with EIO mid-run, fiokit before any I/O with the
// log's line. Writes may extend a file (fio's replay does), a device's end
// is a hard limit.
std::vector<FileTarget> plan_replay(const jobs::JobSpec& job, bool diskless, const LaidOut& laid_out,
                                    std::shared_ptr<const IoLog>* replay) {
  std::shared_ptr<IoLog> log;
  try {
    log = std::make_shared<IoLog>(read_iolog(job));
  } catch (const IoLogError& e) {
    throw LayoutError(fmt::format("job '{}': {}", job.name, e.what()), EINVAL);
  }
  std::vector<FileTarget> out;
  std::vector<uint64_t> have(log->files.size(), 0);
  for (size_t i = 0; i < log->files.size(); ++i) {
    FileTarget t{log->files[i]};
    t.offset = 0;
    t.size = std::max<uint64_t>(1, log->extent[i]);
    if (!diskless) {
      const int64_t existing = target_size(t.path, &t.is_device, &t.exists);
      if (existing < 0 && existing != -ENOENT)
        throw LayoutError(fmt::format("job '{}': cannot use '{}': {}", job.name, t.path, std::strerror(static_cast<int>(-existing))),
                          static_cast<int>(-existing));
      have[i] = existing > 0 ? static_cast<uint64_t>(existing) : 0;
      if (const auto it = laid_out.find(t.path); it != laid_out.end() && !t.is_device) {
        t.exists = true;
        have[i] = std::max(have[i], it->second);
      }
    }
    out.push_back(std::move(t));
  }
  if (!diskless) {
    std::vector<uint64_t> written(have);
    for (const IoLogEntry& e : log->entries) {
      if (e.kind > IoLogEntry::trim) continue;
      const uint64_t end = e.offset + e.len;
      const FileTarget& t = out[e.file];
      const char* what = e.kind == IoLogEntry::read ? "read" : e.kind == IoLogEntry::write ? "write" : "trim";
      if (t.is_device ? (have[e.file] && end > have[e.file]) : (e.kind != IoLogEntry::write && end > written[e.file]))
        throw LayoutError(fmt::format("job '{}': {}:{}: {} of {} bytes at offset {} is beyond the end of '{}' ({} bytes{})", job.name,
                                      log->path, e.line, what, e.len, e.offset, t.path, t.is_device ? have[e.file] : written[e.file],
                                      t.is_device ? "" : ", counting what the log wrote before"),
                          EINVAL);
      if (e.kind == IoLogEntry::write) written[e.file] = std::max(written[e.file], end);
    }
  }
  *replay = std::move(log);
  return out;
}

}  // namespace

std::vector<FileTarget> plan_files(const jobs::JobSpec& job, bool diskless) {
  if (!job.read_iolog.empty()) {
    std::shared_ptr<const IoLog> replay;
    return plan_replay(job, diskless, {}, &replay);
  }
  return plan_job(job, diskless, {});
}

bool diskless_engine(const jobs::JobSpec& job) { return jobs::engine_traits(job.ioengine).diskless; }

// fio 3.33 (create_serialize=1, its default) sets up every job's files in job
// order before the first job starts, so a job sizes its files as the earlier
// jobs' layouts left them: with [w1] rw=write size=1m and, after a stonewall,
// [w2] offset=50% size=256k on the same file, w2 writes 512k-768k (measured),
// and a later job with no size= reads what an earlier one laid out. The plan
// does the same without touching the disk: each job sees the lengths the
// earlier jobs' layouts will give their files (the engine lays out every
// planned file of a job that is not diskless and not create_on_open).
RunPlan plan_run(const std::vector<jobs::JobSpec>& jobs, const DisklessFn& diskless) {
  RunPlan plan(jobs.size());
  LaidOut laid_out;
  for (size_t i = 0; i < jobs.size(); ++i) {
    FilePlan& p = plan[i];
    p.diskless = diskless(jobs[i]);
    try {
      p.targets = jobs[i].read_iolog.empty() ? plan_job(jobs[i], p.diskless, laid_out)
                                             : plan_replay(jobs[i], p.diskless, laid_out, &p.replay);
    } catch (const LayoutError& e) {
      p.err = e.err;
      p.error = e.what();
    } catch (const std::exception& e) {
      p.err = EIO;
      p.error = e.what();
    }
    // fill_device without a size: how long the file ends up is the file
    // system's answer at run time; a later job sizes it as fio does, from
    // what is there when the plan is made.
    const bool unbounded = jobs[i].fill_device && jobs[i].size == 0 && jobs[i].size_percent == 0 && jobs[i].filesize.first == 0;
    if (p.diskless || p.err || jobs[i].create_on_open || unbounded) continue;
    for (const FileTarget& t : p.targets) {
      if (t.is_device) continue;
      uint64_t& len = laid_out[t.path];
      len = std::max(len, t.offset + t.size);
    }
  }
  return plan;
}

const std::vector<FileTarget>& planned_files_or_none(const FilePlan& plan) {
  static const std::vector<FileTarget> kNone;
  return plan.diskless || plan.err ? kNone : plan.targets;
}

int mark_created(int fd) {
  if (::fsetxattr(fd, kMarkerName, kMarkerValue, sizeof(kMarkerValue) - 1, 0) != 0) return -errno;
  return 0;
}

bool created_by_fiokit(const std::string& path) {
  char buf[32];
  const ssize_t n = ::getxattr(path.c_str(), kMarkerName, buf, sizeof(buf));
  return n == static_cast<ssize_t>(sizeof(kMarkerValue) - 1) && std::memcmp(buf, kMarkerValue, n) == 0;
}

bool remove_created_file(const std::string& path, const Confinement* c) {
  if (c) return unlink_confined(*c, path, true, nullptr) == 0;
  if (!created_by_fiokit(path)) return false;
  return ::unlink(path.c_str()) == 0;
}

bool created_by_fiokit(int fd) {
  char buf[32];
  const ssize_t n = ::fgetxattr(fd, kMarkerName, buf, sizeof(buf));
  return n == static_cast<ssize_t>(sizeof(kMarkerValue) - 1) && std::memcmp(buf, kMarkerValue, n) == 0;
}

namespace {
// open(2), or open_confined for a remote job's run: fd or -errno (*why set
// when the confinement refused the place).
int open_file(const LayoutOptions& o, const std::string& path, int flags, mode_t mode, std::string* why) {
  if (o.confine) return open_confined(*o.confine, path, flags, mode, why);
  const int fd = ::open(path.c_str(), flags, mode);
  return fd < 0 ? -errno : fd;
}
}  // namespace

bool lay_out_file(const FileTarget& t, const LayoutOptions& o) {
  if (t.is_device) return false;
  const uint64_t need = t.offset + t.size;
  struct stat st {};
  bool ours = false;
  int fd = -1;
  if (::stat(t.path.c_str(), &st) == 0) {
    if (!S_ISREG(st.st_mode)) return false;
    if (static_cast<uint64_t>(st.st_size) >= need) return false;
    ours = created_by_fiokit(t.path);
    if (!ours) {
      if (!o.need_data) return false;  // a write job's own writes extend it
      throw LayoutError(fmt::format("'{}' is {} bytes but the job reads up to byte {}; fiokit does not extend or re-lay a file it did "
                                    "not create: use a smaller size=/offset=, a larger file, or another filename",
                                    t.path, st.st_size, need),
                        EFBIG);
    }
    std::string why;
    fd = open_file(o, t.path, O_WRONLY | O_CLOEXEC, 0, &why);
    if (fd < 0) throw LayoutError(fmt::format("cannot open '{}' to extend it: {}", t.path, why.empty() ? std::strerror(-fd) : why), -fd);
  } else {
    if (errno != ENOENT) throw LayoutError(fmt::format("cannot stat '{}': {}", t.path, std::strerror(errno)), errno);
    if (!o.allow_create) throw LayoutError(fmt::format("'{}' does not exist and allow_file_create=0", t.path), ENOENT);
    std::string why;
    fd = open_file(o, t.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644, &why);
    if (fd < 0) throw LayoutError(fmt::format("cannot create '{}': {}", t.path, why.empty() ? std::strerror(-fd) : why), -fd);
    // Without the marker a later run would treat the file as the user's and
    // refuse to extend it; that is safe, so a filesystem without xattrs is fine.
    (void)mark_created(fd);
    st.st_size = 0;
  }
  const util::Fd guard(fd);
  const uint64_t from = static_cast<uint64_t>(st.st_size);
  const auto len = static_cast<off_t>(need - from);
  if (o.fill_device && !o.need_data) return true;  // the job's own writes fill it
  switch (o.fill_device ? jobs::FallocateMode::none : o.fallocate) {
    case jobs::FallocateMode::native:
      (void)::fallocate(fd, 0, static_cast<off_t>(from), len);  // unsupported: fine, plain writes follow
      break;
    case jobs::FallocateMode::posix:
      if (int e = ::posix_fallocate(fd, static_cast<off_t>(from), len); e != 0)
        throw LayoutError(fmt::format("posix_fallocate '{}': {}", t.path, std::strerror(e)), e);
      break;
    case jobs::FallocateMode::keep:
      (void)::fallocate(fd, FALLOC_FL_KEEP_SIZE, static_cast<off_t>(from), len);
      break;
    case jobs::FallocateMode::none:
    case jobs::FallocateMode::truncate:
      break;
  }
  if (!o.need_data) {
    if (::ftruncate(fd, static_cast<off_t>(need)) != 0)
      throw LayoutError(fmt::format("cannot size '{}' to {} bytes: {}", t.path, need, std::strerror(errno)), errno);
    return true;
  }
  constexpr size_t kChunk = 1 << 20;
  std::unique_ptr<uint8_t[]> buf(new uint8_t[kChunk]());
  for (uint64_t pos = from; pos < need;) {
    if (o.stop && o.stop->load(std::memory_order_relaxed))
      throw LayoutError(fmt::format("laying out '{}' was interrupted at byte {}", t.path, pos), EINTR);
    const size_t n = static_cast<size_t>(std::min<uint64_t>(kChunk, need - pos));
    if (o.fill) o.fill(buf.get(), n, pos);
    const ssize_t w = ::pwrite(fd, buf.get(), n, static_cast<off_t>(pos));
    if (w <= 0) {
      const int e = w < 0 ? errno : ENOSPC;
      if (o.fill_device && (e == ENOSPC || e == EDQUOT)) break;  // full: what fits is the file
      throw LayoutError(fmt::format("laying out '{}' failed at byte {}: {}", t.path, pos, std::strerror(e)), e);
    }
    pos += static_cast<uint64_t>(w);
  }
  // The data must reach the disk before invalidate= can drop it from the cache.
  if (::fdatasync(fd) != 0) throw LayoutError(fmt::format("fdatasync '{}': {}", t.path, std::strerror(errno)), errno);
  return true;
}

}  // namespace fiokit::volumes
