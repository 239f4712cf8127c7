// Worker (see worker.hpp), the verify side and the syncs: stamping write
// buffers (verify headers, refill_buffers, scramble_buffers), checking reads,
// verify_dump, the verify read-back phases that run through the engine's own
// loop, and fsync=N / fdatasync=N. Split from worker.cpp to keep each file one
// topic.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

#include <fmt/format.h>

#include "engine/worker.hpp"

namespace fiokit::engine {

void Worker::stamp_buffer(IoUnit& u) {
  if (verifier_.enabled()) {
    if (backlog_) unit_seq_[u.index] = backlog_log_.log_write(u.file, u.offset, u.len);
    else if (xverify_) xverify_stamp(u);  // no record: the verify phase replays the generator
    else if (final_verify_) written_.push_back({u.offset, u.len, u.file});  // else never read back: not kept
    verifier_.make_block(u.buf, u.len, u.offset, mix64(plan_->seed ^ u.offset));
  } else if (refill_) {
    buffers_.refill(u.buf, u.len, u.offset ^ loop_ios_);
  } else {
    IoBuffers::scramble(u.buf, u.len, u.offset, loop_ios_);
  }
}

bool Worker::prep_verify(IoUnit& u) {
  if (xv_replay_) return prep_xverify(u);
  if (verify_next_ >= verify_todo_.size()) return false;
  const Written& w = verify_todo_[verify_next_++];
  u.fd = files_[w.file].fd.get();
  u.file = w.file;
  u.dir = Dir::read;
  u.offset = w.offset;
  u.len = w.len;
  pick_verify_prio(u);
  return true;
}

// fio 3.33 draws cmdprio in the engine's queue hook (io_uring, libaio), which
// every read goes through, verify reads included: a verify read gets the
// read direction's cmdprio share, and none when the job does not read
// (fio sets no read percentage then; CmdPrio has no read table either). fio
// leaves a verify read that is not picked with the io_u's previous ioprio in
// its stats and logs while sending the job's own; fiokit logs what it sends.
void Worker::pick_verify_prio(IoUnit& u) {
  if (cmdprio_) cmdprio_tab_.pick(u, rng_prio_);
}

// verify_backlog: fio asks before every I/O of the write phase whether a
// verify read comes first (VerifyBacklog::next). The read counts toward
// number_ios but not toward size, as fio counts it (measured: randwrite
// number_ios=100 backlog=8 gives 52 writes and 52 reads; randrw size=128k
// bs=4k backlog=4 issues 32 reads and writes besides its verify reads).
bool Worker::prep_backlog(IoUnit& u) {
  VerifyBacklog::Entry e;
  if (!backlog_log_.next(&e)) return false;
  u.fd = files_[e.file].fd.get();
  u.file = e.file;
  u.dir = Dir::read;
  u.offset = e.offset;
  u.len = e.len;
  unit_verify_[u.index] = 1;
  ++loop_ios_;
  ++backlog_verified_;
  pick_verify_prio(u);
  return true;
}

void Worker::backlog_complete(IoUnit& u) {
  backlog_log_.completed(u.dir);
  if (u.dir == Dir::write) {
    backlog_log_.write_done(u.file, u.offset, unit_seq_[u.index], true);
  } else if (unit_verify_[u.index]) {
    unit_verify_[u.index] = 0;
    check_read(u);
  }
}

// A failed I/O that the job survives (continue_on_error): fio 3.33 takes a
// failed write out of the backlog (io_u.c: "Remove errored entry from the
// verification list") and still notes its direction as the last one done. Left
// in, the write would stay "in flight" at the head of the log forever, so no
// backlog read would be issued again, and the final verify would read a block
// that was never written. A failed verify read is not checked, and the unit's
// flag is cleared so its next (normal) read is not taken for a verify read.
void Worker::backlog_failed(IoUnit& u) {
  backlog_log_.completed(u.dir);
  if (u.dir == Dir::write) backlog_log_.write_done(u.file, u.offset, unit_seq_[u.index], false);
  else unit_verify_[u.index] = 0;
}

// The verify read-back, as fio 3.33 does it (measured with verify=md5,
// do_verify=1 on rw=write and rw=randwrite, with and without verify_backlog):
//  - the reads go through the job's engine at the job's iodepth and are
//    counted as reads: read io_bytes, total_ios, clat/lat histograms, I/O
//    depths; a 16 MiB write+verify job reports 16 MiB read and 16 MiB written.
//  - the phase after the writes starts, with invalidate=1, by dropping the
//    file's clean cached pages (see below); there is no fsync first.
//  - the read runtime (hence read bw/iops) is the time of that final phase
//    only; backlog verifies done between writes count in the write runtime.
//  - the order: writes made under a random map are read back in the order they
//    were written; otherwise (sequential, norandommap, lfsr) sorted by file and
//    offset with a rewritten block read once (fio keeps those in a tree).
void Worker::verify_pass(bool replay_writes, bool final_phase) {
  sync_pending = false;  // a sync due after the last write is not issued by fio's verify loop
  const uint64_t t0 = now_ns();
  std::vector<Written> todo;
  if (backlog_)
    for (const auto& e : backlog_log_.take_all()) written_.push_back({e.offset, e.len, e.file});
  // experimental_verify: the generators run again from the loop's start
  // (worker_xverify.cpp) instead of a list of blocks.
  const bool xv = xverify_ && !replay_writes;
  if (xv) xverify_restore();
  if (replay_writes) {
    // verify_only: replay the job's writes without doing them (fio's dry run),
    // so the blocks are read back in the order, and with the coverage, that
    // the same job wrote them (random, not a sequential sweep).
    IoUnit u;
    u.buf = queue.units()[0].buf;
    while (prep_io(u))
      if (u.dir == Dir::write) written_.push_back({u.offset, u.len, u.file});
  }
  todo.swap(written_);
  if (!xv && (!plan_->random || !plan_->use_map || plan_->lfsr)) {
    auto key = [](const Written& w) { return std::pair(w.file, w.offset); };
    std::stable_sort(todo.begin(), todo.end(), [&](const Written& a, const Written& b) { return key(a) < key(b); });
    // A later write of the same block replaces the earlier one.
    std::vector<Written> uniq;
    uniq.reserve(todo.size());
    for (const auto& w : todo) {
      if (!uniq.empty() && key(uniq.back()) == key(w)) uniq.back() = w;
      else uniq.push_back(w);
    }
    todo.swap(uniq);
  }
  // fio closes the files after the writes and opens them for the verify
  // phase; its write_iolog shows both.
  if (final_phase && iolog_) {
    log_files("close");
    log_files("open");
  }
  if (final_phase && spec.invalidate) {
    // fio closes the files after the writes and reopens them for the verify
    // phase; the reopen's invalidate drops the pages already written back but
    // not the dirty ones (no fsync comes first), so most reads of fresh
    // buffered writes hit the cache. Measured (randwrite 16 MiB, md5): verify
    // read clat p50 1.4 us with invalidate=1 as with 0. Same here.
    files_.drop_clean_pages();
  }
  verify_todo_ = std::move(todo);
  verify_next_ = 0;
  const bool reads_checked = checking_reads_, thinks = thinking, paced = pacing;
  const uint32_t syncs = sync_every;
  checking_reads_ = verify_phase_ = true;
  thinking = pacing = false;  // fio's verify loop neither thinks nor rate-limits
  sync_every = 0;             // nor syncs
  const bool stamps = stamp_writes_;
  xv_replay_ = xv;
  if (xv) stamp_writes_ = false;  // the replayed writes become reads: nothing to stamp
  // fio takes no bw/iops samples and writes no windowed log rows during the
  // final verify phase (per-I/O log rows, log_avg_msec=0, it does write).
  Sampler::Paused windows{};
  if (final_phase) windows = sampler_.pause_windows();
  if ((xv || !verify_todo_.empty()) && !halt_requested()) engine_->run_loop(*this);
  finish_async_checks();
  xv_replay_ = false;
  stamp_writes_ = stamps;
  if (xv && spec.time_based) {
    // fio's replayed reads count as writes: its issue budget is spent, so
    // the job writes until the runtime ends with no second verify phase.
    final_verify_ = false;
    loop_limit_bytes_ = UINT64_MAX;
  }
  if (final_phase) sampler_.resume_windows(windows);
  checking_reads_ = reads_checked;
  thinking = thinks;
  pacing = paced;
  sync_every = syncs;
  sync_pending = false;
  verify_phase_ = false;
  const uint64_t prev = res.extras.count("verify_blocks") ? std::stoull(res.extras["verify_blocks"]) : 0;
  res.extras["verify_blocks"] = std::to_string(prev + verify_next_ + backlog_verified_);
  backlog_verified_ = 0;
  verify_todo_.clear();
  if (final_phase) verify_phase_ns_ += now_ns() - t0;
}

void Worker::check_read(IoUnit& u) {
  if (xv_replay_) [[unlikely]]
    if (!xverify_check(u)) return;
  if (fake_verify_) return;
  const auto len = static_cast<uint32_t>(u.result);
  if (pool_) {
    // verify_async: a checker thread takes a copy; as fio holds the read's
    // io_u until it is checked, no more than iodepth reads are in flight or
    // being checked (this one's unit is about to be freed). With an engine
    // that queues, a failure is seen one read later than inline, as in fio,
    // whose job notices the checker's error only after it issued the next
    // read; with psync & co. its wait for a free io_u sees the error first
    // (measured, a bad 6th block of 16: libaio 7 reads at depth 1 and 14 at
    // depth 8, psync 6; inline 6).
    if (pool_late_ && pool_->has_failures())
      for (auto& f : pool_->take_failures()) verify_failed(f.file, f.offset, f.received.data(), f.received.size(), f.what);
    pool_->submit(u.buf, len, u.offset, u.file);
    const size_t depth = plan_->queue.depth, busy = std::min<size_t>(queue.inflight(), depth - 1);
    pool_->wait_at_most(depth - 1 - busy);
    if (!pool_late_ && pool_->has_failures())
      for (auto& f : pool_->take_failures()) verify_failed(f.file, f.offset, f.received.data(), f.received.size(), f.what);
    return;
  }
  std::string what;
  if (verifier_.check_block(u.buf, len, u.offset, &what) != 0) verify_failed(u.file, u.offset, u.buf, len, what);
}

void Worker::finish_async_checks() {
  if (!pool_) return;
  pool_->wait_at_most(0);
  for (auto& f : pool_->take_failures()) verify_failed(f.file, f.offset, f.received.data(), f.received.size(), f.what);
}

void Worker::verify_failed(uint32_t file, uint64_t offset, const uint8_t* buf, size_t len, const std::string& what) {
  const auto n = std::stoull(res.extras.count("verify_errors") ? res.extras["verify_errors"] : "0") + 1;
  res.extras["verify_errors"] = std::to_string(n);
  if (spec.verify_dump) dump_block(file, offset, buf, len);
  if (spec.continue_on_error && non_fatal(2, EILSEQ)) [[unlikely]] {
    // continue_on_error=verify: counted as fio counts it, the job not failed.
    count_error(EILSEQ, fmt::format("job '{}': verify failed in '{}': {}", spec.name, files_[file].target.path, what), true);
    return;
  }
  if (!failed || res.error == 0) {
    res.error = EILSEQ;
    res.error_ignored = false;
    res.error_message = fmt::format("job '{}': verify failed in '{}': {}", spec.name, files_[file].target.path, what);
  }
  failed = true;
  // fio 3.33 ends the job at the first block that fails (verify_fatal only
  // stops it checking the rest of that block's intervals): a read job over
  // 16 blocks with block 5 changed reports error 84 and 6 reads, not 16.
  halted = true;
}

// verify_dump=1: what was read goes to RUN_DIR/<file>.<offset>.received and
// what a writer with this job's seed would have put there to .expected, for a
// byte-level diff.
void Worker::dump_block(uint32_t file, uint64_t offset, const uint8_t* buf, size_t len) {
  std::string base = files_[file].target.path;
  base = base.substr(base.find_last_of('/') + 1);
  const std::string stem = fmt::format("{}/{}.{}", shared.run_dir, base, offset);
  auto write_all = [](const std::string& path, const uint8_t* p, size_t n) {
    const util::Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (fd) (void)!::write(fd.get(), p, n);
  };
  write_all(stem + ".received", buf, len);
  std::vector<uint8_t> want(len);
  verifier_.make_block(want.data(), static_cast<uint32_t>(len), offset, mix64(plan_->seed ^ offset));
  write_all(stem + ".expected", want.data(), len);
}

// When fsync=N / fdatasync=N syncs, as fio 3.33 decides it (measured with
// write_iolog and the JSON "sync" block, psync, size=32k bs=4k):
//  - before fetching an I/O, a sync is due when the job's writes so far, all
//    loops counted, are a multiple of N and the last I/O was not a sync. So
//    loops=2 of 8 writes with fsync=3 syncs after writes 3, 6 and 9 (the
//    first write of loop 2), not 3, 6, 3, 6;
//  - a fetch happens at the end of every loop but the last (fio's byte
//    budget is size x loops, so only the last loop stops on it before
//    fetching): fsync=4 loops=2 syncs after write 8 before the close, and
//    again at loop 2's start (each loop forgets the last I/O was a sync):
//    4 syncs for 16 writes, where loops=1 of 8 writes gives 1. fsync=128
//    loops=2 on 256 writes a loop: 4; fsync=100: 5;
//  - a read (randrw) in between makes the sync due again while no write
//    came: rw=randrw fsync=4 syncs before each read that follows the 4th
//    write until the 5th. (With io_uring at iodepth > 1 fio issues further
//    syncs while one is in flight, a count that depends on timing; fiokit
//    issues one, as with libaio.)
// end_fsync and fsync_on_close add a sync each at the end, counted nowhere.
bool Worker::sync_at_fetch() {
  sync_pending = false;
  const bool last_loop = !spec.time_based && loops_done_ + 1 >= std::max<uint32_t>(1, spec.loops);
  const bool budget_done = loop_bytes_ >= loop_limit_bytes_ || (loop_limit_ios_ && loop_ios_ >= loop_limit_ios_);
  return !(last_loop && budget_done);
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
  do_sync(last_write_file_ < files_.size() ? last_write_file_ : 0, spec.fdatasync != 0 && spec.fsync == 0);
}

void Worker::do_sync(uint32_t file, bool data_only) {
  const FileState& f = files_[file];
  // Block devices too: fio fsyncs them (it flushes the device's write cache).
  // The null engine has no file, but fio 3.33 still hands it the sync, which
  // completes at once and is counted and timed (fsync=4 on 1 MiB: sync
  // total_ios 63, IO depths 1=124.6%; t/latency_percentiles.py test 9).
  const bool no_file = !f.fd;
  if (no_file && !plan_->fakes_io) return;
  const uint64_t t0 = now_ns();
  if (iolog_) iolog_->io(f.target.path, data_only ? "datasync" : "sync", last_offset_, 0, t0);
  if (const int e = no_file ? 0 : files_.sync(f, data_only); e != 0) {
    record_error(e, fmt::format("job '{}': {} '{}' failed: {}", spec.name, data_only ? "fdatasync" : "fsync", f.target.path, std::strerror(e)));
    return;
  }
  const uint64_t t1 = now_ns();
  if (sampler_.ramping()) return;
  res.sync_lat.add(t1 - t0);
  if (!data_only) ++res.sync_total_ios;
  queue.count_sync(plan_->sync_engine);
  if (sampler_.event_due(t1)) on_event(t1);
}

}  // namespace fiokit::engine
