// Worker (see worker.hpp), the I/O-log side: replaying a read_iolog entry by
// entry in place of the generated pattern, and the write_iolog lines of the
// issued I/O. What fio 3.33 does in a replay, which fiokit matches:
//  - the entries are issued in log order through the job's engine at its
//    iodepth; each waits its delay (the gap to the previous line's time,
//    scaled by replay_time_scale) counted from when the previous entry was
//    issued, less what the previous sleep overshot; with an I/O slower than
//    the gap the next one goes out at once (fio's iolog_delay);
//  - a version 2 "wait MS" holds the job until MS ms after the run started;
//  - sync/datasync entries sync their file (timed into the sync stats, as
//    fsync=N); open/close/add change nothing here: fiokit opens the log's
//    files once, before the start gate, so no open is timed into the replay.
//  - the job ends with the log (size= and io_size= do not limit it; runtime=
//    does), and it is replayed once whatever loops= and time_based say.
#include <fmt/format.h>

#include "engine/worker.hpp"

namespace fiokit::engine {

bool Worker::prep_replay(IoUnit& u) {
  const volumes::IoLog& log = *replay_;
  while (replay_next_ < log.entries.size()) {
    const volumes::IoLogEntry& e = log.entries[replay_next_++];
    if (e.kind == volumes::IoLogEntry::wait) {
      if (!sleep_until(io_start_ns_ + e.delay_us * 1'000'000)) return false;
      continue;
    }
    if (e.delay_us) {
      const uint64_t want = e.delay_us * 1000;
      const uint64_t target = replay_last_ns_ + (want > replay_over_ns_ ? want - replay_over_ns_ : 0);
      replay_over_ns_ = 0;
      if (now_ns() < target) {
        if (!sleep_until(target)) return false;
        const uint64_t t = now_ns();
        replay_over_ns_ = t > target ? t - target : 0;
      }
    }
    replay_last_ns_ = now_ns();
    switch (e.kind) {
      case volumes::IoLogEntry::sync:
      case volumes::IoLogEntry::datasync:
        do_sync(e.file, e.kind == volumes::IoLogEntry::datasync);
        if (failed) return false;
        continue;
      case volumes::IoLogEntry::read:
      case volumes::IoLogEntry::write:
      case volumes::IoLogEntry::trim: {
        const FileState& f = files_[e.file];
        u.fd = f.fd.get();
        u.file = e.file;
        u.dir = static_cast<Dir>(e.kind);
        u.offset = e.offset;
        u.len = e.len;
        return true;
      }
      default:  // open, close
        continue;
    }
  }
  return false;
}

void Worker::log_issue(const IoUnit& u) {
  last_offset_ = u.offset;
  iolog_->io(files_[u.file].target.path, jobs::dir_name(u.dir), u.offset, u.len, now_ns());
}

void Worker::log_files(const char* action) {
  const uint64_t t = now_ns();
  for (const auto& f : files_) iolog_->file(f.target.path, action, t);
}

}  // namespace fiokit::engine
