// Worker (see worker.hpp), experimental_verify=1 (issue 16, part xverify):
// fio 3.33 then keeps no record of the writes; its verify phase re-seeds the
// job's generators and runs them again from the loop's start, turning each
// write they produce into a read of the same block. This file saves the
// generator state at a loop's start, replays it in the verify phase, keeps
// fio's budget of bytes over the loops (the replayed reads count in it as
// writes) and fio's header numberio check, which a rewritten block fails.
#include <algorithm>

#include <fmt/format.h>

#include "engine/worker.hpp"

namespace fiokit::engine {
namespace {

uint64_t block_key(uint32_t file, uint64_t offset) { return offset ^ (static_cast<uint64_t>(file) << 56); }

}  // namespace

// What fio 3.33 does with experimental_verify=1, measured with write_iolog
// (psync, size=1m bs=64k verify=md5 unless said):
//  - no write is logged for verify, so verify_backlog never finds one: 16
//    writes then 16 reads, as without verify_backlog;
//  - the reads come in the order of the writes (random too: the replay
//    draws the same offsets), skipping the reads of a randrw job (its 6
//    writes of 16 I/Os are read back, nothing else);
//  - the replay stops when the bytes read back (fio's bytes_verified, which
//    no loop resets) plus the smallest block exceed the bytes the loop wrote,
//    so a second loop reads nothing back;
//  - the replayed reads count as writes against the job's budget of
//    size x loops (io_size x loops): loops=2 runs one loop (16 writes, 16
//    reads), loops=3 two (32 writes, 16 reads), loops=4 three (48, 16);
//  - each read expects the header's numberio to be the replay's count of
//    writes so far; with one block size and no time_based, a block written
//    again later (norandommap) fails it: "bad header numberio 10, wanted 2",
//    error 84 after 3 reads of 16;
//  - time_based: one write pass of size, its replay, then writes until the
//    runtime ends and no second verify (the budget is spent).
//
// A job that verifies its writes with io_size beyond the region runs the
// same passes in fio 3.33 (its verify reads are reads there, outside the
// write budget): one pass over the region and its verify phase, the loops,
// then more passes while the bytes moved, verify reads included, are short
// of io_size. Measured, size=1m bs=64k verify=md5: io_size=2m w16 r16,
// io_size=3m w32 r32, io_size=2m loops=2 w32 r32, randrw io_size=3m three
// passes (r48 w18); fiokit had wrapped inside one loop (io_size=2m: w32 r32).
void Worker::xverify_setup(const EngineFeatures&) {
  const bool verify_writes = verifier_.enabled() && plan_->writes && spec.do_verify;
  xverify_ = verify_writes && spec.experimental_verify;
  uint64_t region = 0;
  for (const auto& f : files_) region += f.target.size;
  passes_ = xverify_ || (verify_writes && final_verify_ && !backlog_ && !spec.time_based && !replay_ && spec.io_size > region);
  if (!passes_) return;
  if (xverify_) {
    backlog_ = false;
    // verify=pattern blocks have no header, so no numberio to check: fio 3.33
    // passes a rewritten norandommap block there (measured: 16 reads, error 0).
    xv_numberio_ = plan_->fixed_bs && !spec.time_based && spec.verify != jobs::VerifyKind::pattern;
    xv_unit_no_.assign(plan_->queue.depth, 0);
  }
  // fio ends a pass when the files are done, and covers io_size beyond the
  // region with further passes (each with its own verify phase).
  xv_limit_ = loop_limit_bytes_ * std::max<uint32_t>(1, spec.loops);
  xv_pass_cap_ = std::min(loop_limit_bytes_, region);
  if (!spec.time_based) loop_limit_bytes_ = xv_pass_cap_;
}

void Worker::xverify_loop_start() {
  xv_loop_written_ = 0;
  if (!spec.time_based) loop_limit_bytes_ = std::min(xv_pass_cap_, xv_limit_ - std::min(xv_limit_, xv_issued_));
  if (!xverify_) return;
  GenState& g = xv_start_;
  g.off = rng_off_;
  g.mix = rng_mix_;
  g.bs = rng_bs_;
  g.file = rng_file_;
  g.map = rng_map_;
  g.prio = rng_prio_;
  g.taus = rng_taus_;
  g.cur_file = cur_file_;
  g.file_ios_left = file_ios_left_;
  g.seq_run_left = seq_run_left_;
  g.zone_bytes = zone_bytes_;
  g.zone_perm_next = zone_perm_next_;
  g.zone_perm_pass = zone_perm_pass_;
  g.zone_perm_blocks = zone_perm_blocks_;
  g.zone_perm = zone_perm_;
  g.files.resize(files_.size());
  for (size_t i = 0; i < files_.size(); ++i) {
    const FileState& f = files_[i];
    GenState::File& s = g.files[i];
    std::copy(f.seq_pos, f.seq_pos + 3, s.seq_pos);
    std::copy(f.last_start, f.last_start + 3, s.last_start);
    s.issued = f.issued;
    s.perm_next = f.perm_next;
    s.perm_pass = f.perm_pass;
    s.zone_start = f.zone_start;
    s.perm = f.perm;
    s.map = f.map;
    s.lfsr = f.lfsr;
  }
}

void Worker::xverify_restore() {
  const GenState& g = xv_start_;
  rng_off_ = g.off;
  rng_mix_ = g.mix;
  rng_bs_ = g.bs;
  rng_file_ = g.file;
  rng_map_ = g.map;
  rng_prio_ = g.prio;
  rng_taus_ = g.taus;
  cur_file_ = g.cur_file;
  file_ios_left_ = g.file_ios_left;
  seq_run_left_ = g.seq_run_left;
  zone_bytes_ = g.zone_bytes;
  zone_perm_next_ = g.zone_perm_next;
  zone_perm_pass_ = g.zone_perm_pass;
  zone_perm_blocks_ = g.zone_perm_blocks;
  zone_perm_ = g.zone_perm;
  for (size_t i = 0; i < files_.size(); ++i) {
    FileState& f = files_[i];
    const GenState::File& s = g.files[i];
    std::copy(s.seq_pos, s.seq_pos + 3, f.seq_pos);
    std::copy(s.last_start, s.last_start + 3, f.last_start);
    f.issued = s.issued;
    f.perm_next = s.perm_next;
    f.perm_pass = s.perm_pass;
    f.zone_start = s.zone_start;
    f.perm = s.perm;
    f.map = s.map;
    f.lfsr = s.lfsr;
  }
  trim_then_write_ = false;
  loop_bytes_ = loop_ios_ = 0;
}

// After the job's loops: fio 3.33 runs further passes while what it moved
// (verify reads included) is short of io_size, and the budget allows.
bool Worker::xverify_more() const {
  if (!spec.io_size || spec.time_based) return false;
  const uint64_t moved = res.dirs[0].io_bytes + res.dirs[1].io_bytes + res.dirs[2].io_bytes;
  return moved < spec.io_size && spec.io_size - moved >= plan_->max_len && xv_issued_ < xv_limit_;
}

bool Worker::xverify_next_loop() const { return spec.time_based || xv_issued_ < xv_limit_; }

bool Worker::prep_xverify(IoUnit& u) {
  const uint64_t min_bs = std::min({plan_->min_len[0], plan_->min_len[1], plan_->min_len[2]});
  if (xv_verified_ + min_bs > xv_loop_written_) return false;
  verify_phase_ = false;  // prep_io hands out the generator's I/O again
  bool ok;
  do ok = prep_io(u);
  while (ok && u.dir != Dir::write);  // fio skips the reads of the replay
  verify_phase_ = true;
  if (!ok) return false;
  u.dir = Dir::read;
  xv_issued_ += u.len;
  xv_unit_no_[u.index] = xv_read_no_++;
  ++verify_next_;
  return true;
}

void Worker::xverify_stamp(const IoUnit& u) {
  xv_loop_written_ += u.len;
  if (xv_numberio_) xv_last_write_[block_key(u.file, u.offset)] = xv_write_no_;
  ++xv_write_no_;
}

// fio's header carries a 16-bit numberio; the replay's read expects its own
// count of replayed writes there.
bool Worker::xverify_check(IoUnit& u) {
  xv_verified_ += u.result > 0 ? static_cast<uint64_t>(u.result) : 0;
  if (!xv_numberio_ || fake_verify_) return true;
  const auto it = xv_last_write_.find(block_key(u.file, u.offset));
  if (it == xv_last_write_.end()) return true;  // never written: the block's own check fails it
  const uint32_t have = it->second & 0xffff, want = xv_unit_no_[u.index] & 0xffff;
  if (have == want) return true;
  verify_failed(u.file, u.offset, u.buf, static_cast<size_t>(std::max<int64_t>(0, u.result)),
                fmt::format("bad header numberio {}, wanted {} at offset {} (experimental_verify)", have, want, u.offset));
  return false;
}

}  // namespace fiokit::engine
