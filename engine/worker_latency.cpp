// Worker, latency_target part (issue 15, part latq): drives the queue-depth
// search of engine/latency_target.hpp from the job's I/O. The search sets the
// depth the loop may fill (IoQueue::set_cap, fio's queue_full against
// latency_qd), hears every read/write completion's total latency, and judges
// its window after each reap; the loop (io_loop.hpp) drains the queue when
// the search asks, then latency_apply starts the next window, restarts the
// statistics for the final run, or ends the job. The results carry the
// settings and the depth the search ended at (fio's latency_depth).
//
// What fio 3.33 does, and so do we (io_u.c lat_target_*, backend.c do_io,
// observed with --debug=rate on the null engine and psync on a file):
// - the depth starts at 1 and is changed only by the search; iodepth is its
//   ceiling. A sync engine's depth is 1 whatever the search says, but the
//   search still walks 1, 2, 4 ... iodepth and reports the depth it found;
// - the judged latency is the total latency (submission to completion) of
//   reads and writes; trims are counted in the window's I/Os but never over
//   the target; disable_lat=1 turns the per-I/O judgement off (no I/O is ever
//   over), as fio checks inside its total-latency accounting;
// - no window is judged during ramp_time, and ramp_time's end starts the
//   search over at depth 1 (reset_all_stats calls lat_target_reset);
// - latency_percentile=100 and an I/O over the target at depth 1: the job
//   fails with ETIMEDOUT, after that I/O is counted (fio: err=110, "max
//   latency exceeded", io=4096B for one 4k read);
// - the final run restarts the statistics as ramp_time's end does, so the
//   report covers only the last window at the depth found, and runtime
//   counts from there; the job ends when that window succeeds again.
#include <cerrno>

#include <fmt/format.h>

#include "engine/worker.hpp"

namespace fiokit::engine {

void Worker::latency_setup() {
  // fio reports the settings whether or not a target is set (latency_target
  // 0, the window and percentile as given), and latency_depth = iodepth then.
  res.latency_target_ns = spec.latency_target_us * 1000;
  res.latency_window_us = spec.latency_window_us;
  res.latency_percentile = spec.latency_percentile;
  if (!spec.latency_target_us) return;
  lat_search_.emplace();
  lat_ = &*lat_search_;
}

void Worker::latency_start(uint64_t now) {
  if (!lat_) return;
  LatencyTarget::Settings s;
  s.target_ns = spec.latency_target_us * 1000;
  s.window_ns = spec.latency_window_us * 1000;
  s.percentile = spec.latency_percentile;
  s.run = spec.latency_run;
  s.iodepth = std::max<uint32_t>(1, spec.iodepth);
  lat_->start(s, now, lat_ios_);
  lat_action_ = 0;
  queue.set_cap(lat_->depth());
}

void Worker::latency_complete(const IoUnit& u, uint64_t lat, uint64_t now) {
  ++lat_ios_;
  if (u.dir == Dir::trim || spec.disable_lat) return;
  const unsigned a = lat_->on_complete(lat, now, lat_ios_);
  if (a & LatencyTarget::fail) {
    const FileState* f = u.file < files_.size() ? &files_[u.file] : nullptr;
    record_error(ETIMEDOUT,
                 fmt::format("job '{}': latency of {} nsec exceeds latency_target ({} nsec) at depth 1 with latency_percentile=100: "
                             "{} {} at offset {}, {} bytes (max latency exceeded)",
                             spec.name, lat, lat_->settings().target_ns, f ? f->target.path : std::string("(none)"),
                             jobs::dir_name(u.dir), u.offset, u.len));
    return;
  }
  lat_action_ |= a;
  queue.set_cap(lat_->depth());
}

unsigned Worker::latency_check(uint64_t now) {
  unsigned a = std::exchange(lat_action_, 0u);
  if (!sampler_.ramping() && !halted) a |= lat_->check(now, lat_ios_);
  queue.set_cap(lat_->depth());
  return a;
}

void Worker::latency_apply(unsigned a, uint64_t now) {
  if (a & LatencyTarget::quiesce) lat_->restart_window(now, lat_ios_);
  if (a & LatencyTarget::reset_stats) sampler_.restart(now);
  if (a & LatencyTarget::done) halted = true;
  queue.set_cap(lat_->depth());
}

void Worker::latency_finish() {
  if (lat_) res.latency_depth = lat_->depth();
}

}  // namespace fiokit::engine
