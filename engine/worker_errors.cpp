// Worker (see worker.hpp), its failed and short I/Os: continue_on_error and
// ignore_error as fio 3.33 decides them, the error counters of the job's
// report, a short or failed I/O's accounting, and fill_device's end of the
// job on ENOSPC. Split from worker.cpp to keep each file readable.
#include "engine/worker.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace fiokit::engine {

// continue_on_error / ignore_error, as fio 3.33 decides (td_error.c): the
// error's type is verify for EILSEQ, read for reads, write otherwise; it is
// let pass when the type's bit is set and the error is in the type's list
// (EIO and EILSEQ when none was given). Measured: /dev/full, rw=write,
// continue_on_error=write, ignore_error=,ENOSPC: 16 of 16 writes fail, the
// job runs to its end with total_ios=16, io_bytes=0, no latency samples,
// total_err=16, first_error=28 and "error": 28, and fio exits 0; with
// continue_on_error=all but no list, ENOSPC stops the job, total_err=1.
int Worker::error_type(Dir d, int err) { return err == EILSEQ ? 2 : d == Dir::read ? 0 : 1; }

bool Worker::non_fatal(int type, int err) const {
  if (!(spec.continue_on_error & (1u << type))) return false;
  const auto& list = spec.ignore_error[static_cast<size_t>(type)];
  if (list.empty()) return err == EIO || err == EILSEQ;
  return std::find(list.begin(), list.end(), err) != list.end();
}

void Worker::count_error(int err, const std::string& what, bool passed) {
  if (res.total_err++ == 0) {
    res.first_error = err;
    if (!failed) {
      res.error = err;
      res.error_message = what;
      res.error_ignored = passed;
    }
  }
  if (passed && spec.error_dump) fmt::print(stderr, "fiokit: {} (continue_on_error: going on)\n", what);
}

bool Worker::account_short(IoUnit& u) {
  const FileState* f = u.file < files_.size() ? &files_[u.file] : nullptr;
  const std::string path = f ? f->target.path : std::string("(none)");
  if (u.result < 0) {
    const int e = static_cast<int>(-u.result);
    const char* hint = *engine_->io_error_hint(e) ? engine_->io_error_hint(e)
                       : e == EINVAL && spec.direct ? " (direct=1 needs offsets, sizes and buffers aligned to the device's logical block size)"
                                                    : "";
    std::string what = fmt::format("job '{}': {} of {} bytes at offset {} in '{}' failed: {}{}", spec.name, jobs::dir_name(u.dir), u.len,
                                   u.offset, path, std::strerror(e), hint);
    // fio counts a failed I/O as issued (total_ios), with no bytes and no
    // latency: measured, a write to /dev/full shows total_ios=1, io_bytes=0.
    ++res.dirs[idx(u.dir)].total_ios;
    if (spec.continue_on_error) [[unlikely]] {
      const int type = error_type(u.dir, e);
      if (non_fatal(type, e)) {
        count_error(e, what, true);
        return false;
      }
      if (spec.continue_on_error & (1u << type) && !(spec.fill_device && (e == ENOSPC || e == EDQUOT)))
        count_error(e, what, false);  // fio counts the fatal one too
    }
    if (spec.fill_device && (e == ENOSPC || e == EDQUOT)) [[unlikely]] {
      fill_device_full(what);
      return false;
    }
    record_error(e, std::move(what));
    return false;
  }
  if (u.result == 0) {
    record_error(ENODATA, fmt::format("job '{}': {} of {} bytes at offset {} in '{}' returned 0 bytes (end of file?)", spec.name,
                                      jobs::dir_name(u.dir), u.len, u.offset, path));
    return false;
  }
  results::DirStats& d = res.dirs[idx(u.dir)];
  ++d.short_ios;
  ++d.total_ios;
  d.io_bytes += static_cast<uint64_t>(u.result);
  return true;
}

// fill_device (fio 3.33's backend.c): the write that finds the file system
// or device full ends the job, and nothing about it is an error: error 0, no
// total_err, fio's exit 0. It still counts as an issued I/O (total_ios, and so
// in the IOPS), without bytes or latency, as every failed I/O does; the I/Os
// still in flight complete (their ENOSPC counted the same way) and the job's
// end (end_fsync, logs) follows as usual, but no verify phase and no further
// loop: fio marks the job terminated. Measured on a 1 MiB tmpfs, bs=4k:
// 257 writes, 1 MiB written, err=0; with iodepth=4 on io_uring or libaio 260
// (the 4 in flight at the first ENOSPC). fio prints its "io_u error" line
// to stderr for each; fiokit says it once per job.
void Worker::fill_device_full(const std::string& what) {
  if (!fill_device_said_) {
    fill_device_said_ = true;
    fmt::print(stderr, "fiokit: {}; fill_device: the job ends here\n", what);
  }
  halted = true;
}

}  // namespace fiokit::engine
