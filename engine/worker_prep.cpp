// The general offset and size choice of a worker (everything prep_io's two
// inline fast paths do not cover): direction mix, bssplit/bsrange, file
// service, percentage_random, rw modifiers, distributions, zones and
// trimwrite, and the random map's passes. It advances the per-file offset
// state in JobFiles and the worker's generators; every choice that does not
// change per I/O was made in JobPlan.
#include <sys/stat.h>

#include <algorithm>

#include "engine/worker.hpp"

namespace fiokit::engine {

// A new pass over a file's blocks: at a wrap (io_size beyond the region, a
// time_based repeat) the random map takes a new order; lfsr restarts its one
// sequence, as fio resets its LFSR to the seed.
void Worker::next_pass(FileState& f) {
  f.perm_next = 0;
  if (plan_->use_bitmap) {
    if (f.map.size() != f.nblocks) f.map.init(f.nblocks);
    else f.map.clear();
    return;
  }
  if (plan_->lfsr) {
    if (!f.lfsr.ready()) f.lfsr.init(f.nblocks, plan_->seed ^ mix64(f.perm_pass | 0x1f5));
    f.lfsr.restart();
    return;
  }
  ++f.perm_pass;
  f.perm.init(f.nblocks, plan_->seed ^ mix64(f.perm_pass));
}

// A new loop (loops=N). Measured with fio 3.33 (write_iolog, loops=2): with
// randrepeat=1 every loop repeats the first loop's order, since fio re-seeds its
// generators between loops; randrepeat=0 gives each loop a new order.
void Worker::restart_pass(FileState& f) {
  if (spec.randrepeat && !spec.time_based) f.perm_pass = static_cast<uint64_t>(&f - &files_[0]) << 40;
  next_pass(f);
}

// A new loop, for the generators that are not per file. Measured with fio 3.33
// (write_iolog, loops=2, randrepeat=1): randrw repeats its read/write choices
// and bsrange its sizes loop after loop, as fio re-seeds between loops; the
// norandommap draws do not repeat (also measured), so rng_taus goes on.
void Worker::reseed_loop() {
  if (!spec.randrepeat || spec.time_based) return;
  rng_mix_.seed(plan_->seed ^ 2);
  rng_bs_.seed(plan_->seed ^ 3);
  rng_map_.seed(plan_->seed ^ 9);  // the random map's order repeats too
  rng_prio_.seed(plan_->seed ^ 11);  // cmdprio draws too (fio 3.33: the same split each loop, measured)
}

// A block size for an I/O at an offset with `room` bytes before the end of
// the region. As fio 3.33 does, a size that does not fit is not drawn: a
// bssplit draw falls through to the next entry (in the order given) that
// fits, and when none does, or a bsrange size does not fit, it draws again.
// When not even the smallest fits the caller truncates, as before.
uint32_t Worker::pick_len(Dir dir, uint64_t room) {
  const int d = idx(dir);
  for (int tries = 0; tries < 64; ++tries) {
    if (!plan_->bssplit_cum[d].empty()) {
      const auto r = static_cast<uint32_t>(rng_bs_.below(100));
      for (const auto& [cum, bs] : plan_->bssplit_cum[d])
        if (r < cum && bs <= room) return static_cast<uint32_t>(bs);
      if (r >= plan_->bssplit_cum[d].back().first && plan_->bssplit_cum[d].back().second <= room)
        return static_cast<uint32_t>(plan_->bssplit_cum[d].back().second);  // percentages short of 100
    } else if (const auto [lo, hi] = spec.bsrange[dir]; lo) {
      const uint64_t step = spec.bs_unaligned ? 1 : std::max<uint64_t>(1, spec.blockalign[dir] ? spec.blockalign[dir] : lo);
      const uint64_t v = std::min(lo + rng_bs_.below((hi - lo) / step + 1) * step, hi);
      if (v <= room) return static_cast<uint32_t>(v);
    } else {
      return static_cast<uint32_t>(spec.bs[dir]);
    }
  }
  return static_cast<uint32_t>(plan_->min_len[d]);
}

uint32_t Worker::pick_file() {
  const auto n = static_cast<uint32_t>(files_.size());
  if (n == 1) return 0;
  switch (spec.file_service_type) {
    case jobs::FileServiceType::roundrobin:
      // fio 3.33 starts at the first file and moves on after N I/Os
      // (measured, write_iolog of nrfiles=3: roundrobin 012012...,
      // roundrobin:2 001122...).
      if (file_ios_left_ == 0) {
        cur_file_ = (cur_file_ + 1) % n;
        file_ios_left_ = std::max<uint32_t>(1, spec.file_service_nr);
      }
      --file_ios_left_;
      return cur_file_;
    case jobs::FileServiceType::sequential:
      for (uint32_t k = 0; k < n && files_[cur_file_].issued >= files_[cur_file_].target.size; ++k) cur_file_ = (cur_file_ + 1) % n;
      return cur_file_;
    default:  // random, zipf, pareto, normal: drawn from file_dist
      if (--file_ios_left_ == 0) {
        cur_file_ = static_cast<uint32_t>((plan_->file_dist.next(rng_file_) >> kFileServiceShift) % n);
        file_ios_left_ = std::max<uint32_t>(1, spec.file_service_nr);
      }
      return cur_file_;
  }
}

// zonemode=strided, as fio 3.33 does it (measured with the null engine and
// log_offset=1; fio's HOWTO only says "zonesize bytes in a zone, then the
// next"):
//  - zonerange (0: = zonesize) is the zone's length; zones start zonerange +
//    zoneskip apart: zonesize=256k zoneskip=256k reads 0-256k, 512k-768k, ...
//  - zonesize bytes are issued in a zone (all directions counted together,
//    when the I/O is handed out), then the next zone begins; a zone start at
//    or past the file's end wraps to the region's start. size=4m with the
//    above: two passes over eight zones, 4 MiB read.
//  - zonesize > zonerange: a sequential offset that reaches the zone's end
//    goes back to the zone's start (zonerange=128k zonesize=256k reads 0-128k
//    twice, then 128k-256k twice, ...); zonesize < zonerange: the rest of each
//    zone is never touched.
//  - only the direction of the I/O that changed zone jumps to the new zone;
//    another direction's next offset stays where it was (fio keeps one last
//    position per direction).
//  - random I/O: blocks of the zone only; the random map is reset every
//    zonerange bytes, so each zonerange of I/O visits each block once.
//  - a sequential zone that meets the file's end stops the job there (size=1m
//    zonerange=384k zonesize=256k zoneskip=64k: 0-256k, 448k-704k, 896k-1m,
//    640 KiB in all), as fio finds no offset inside the file.
//  - the zone position survives loops (loops=2 carries on from the zone the
//    first loop ended in).
void Worker::enter_zone(FileState& f, Dir dir) {
  const int d = idx(dir);
  const uint64_t range = spec.zonerange ? spec.zonerange : spec.zonesize;
  if (f.zone_start == UINT64_MAX) f.zone_start = f.target.offset;
  if (zone_bytes_ >= spec.zonesize) {
    zone_bytes_ = 0;
    f.zone_start += range + spec.zoneskip;
    if (f.zone_start >= f.end) f.zone_start = f.target.offset;
    f.seq_pos[d] = f.zone_start;
  }
  if (f.seq_pos[d] >= f.zone_start + range) f.seq_pos[d] = f.zone_start;
  if (zone_bytes_ % range == 0) zone_perm_blocks_ = 0;  // a new random map for the zone
}

uint64_t Worker::zone_random_offset(FileState& f) {
  const uint64_t range = spec.zonerange ? spec.zonerange : spec.zonesize;
  const uint64_t nblk = std::max<uint64_t>(1, std::min(range, f.end - f.zone_start) / plan_->unit_bytes);
  if (!plan_->use_map) return f.zone_start + rng_taus_.below(nblk) * plan_->unit_bytes;
  if (zone_perm_blocks_ != nblk || zone_perm_next_ >= nblk) {
    zone_perm_.init(nblk, plan_->seed ^ mix64(++zone_perm_pass_ | 0x2a0e));
    zone_perm_blocks_ = nblk;
    zone_perm_next_ = 0;
  }
  return f.zone_start + zone_perm_.at(zone_perm_next_++) * plan_->unit_bytes;
}

// rw=read:-8k (a negative sequential modifier), as fio 3.33 computes it
// (io_u.c get_next_seq_offset, read for the behaviour), measured with a lat
// log's offset column (size=64k bs=4k): read:-8k gives blocks 0 14 13 ... 1 0,
// read:-12k 0 13 11 ... 1 13 11 ..., read:-4k block 0 sixteen times. So:
//  - seq_pos holds the end of the last I/O (the region's start at first);
//    the first I/O of a pass is at the start, not at the end;
//  - otherwise the next offset is that end plus the (negative) modifier,
//    relative to the region's start; below the start it wraps to
//    min(file size, region size) plus the modifier;
//  - with offset=S (S > 0), fio's first I/O treats the region's size as an
//    absolute end (offset=32k size=64k read:-8k: blocks 14 13 ... 8 22 21 ...
//    14 in a 128k file): reproduced, since it decides which blocks are read.
// An offset past the region (or the file) ends the loop, as fio's job ends.
uint64_t Worker::real_size(FileState& f) {
  if (!f.real_size) {
    struct stat st {};
    f.real_size = f.end;
    if (::fstat(f.fd.get(), &st) == 0 && S_ISREG(st.st_mode)) f.real_size = std::max<uint64_t>(f.end, static_cast<uint64_t>(st.st_size));
  }
  return f.real_size;
}

// rw=read:8k, a hole after each sequential I/O, as fio 3.33 walks it
// (measured with fio, e.g. size=8m bs=64k):
//  - the walk wraps to the region's start only when the next position (the
//    last I/O's end + the hole, from the region's start) reaches the file's
//    real end: read:64k gives
//    128 I/Os, two passes; size=4m bs=4k read:12k 1024, four;
//  - a pass is over when the last I/O ended at the file's real end
//    (size=4m bs=4k read:8k: 342 I/Os, not 1024), or when the next I/O would
//    not fit in the region (read:96k: 51 I/Os, no short 52nd; fio's t0007:
//    size=128m bs=1m read:512k reads 87040 KiB, not 128 MiB);
//  - an over pass ends the loop (loops=2 of read:96k: 102 I/Os), unless the
//    job is time_based or io_size asks for more than the region (io_size=16m:
//    256 I/Os): then a new pass starts at the region's start.
bool Worker::hole_offset(FileState& f, int d, uint32_t len, uint64_t& off) {
  const uint64_t hole = static_cast<uint64_t>(spec.rw_modifier), next = f.seq_pos[d], end = real_size(f);
  if (next == f.target.offset) {  // a pass's first I/O
    off = next;
    return true;
  }
  // fio compares the last I/O's end with the file's end, but the next
  // position RELATIVE to the region's start (offset=64k size=128k read:20k on
  // the null engine: 4 I/Os, the hole never wraps).
  const bool ended_at_end = next - hole >= end;
  if (!ended_at_end && next - f.target.offset >= end) {  // fio's one wrap
    off = f.target.offset;
    files_.wrap(f);
    return true;
  }
  if (!ended_at_end && next + len <= f.end) {
    off = next;
    return true;
  }
  // The pass is over.
  if (!spec.time_based && loop_limit_bytes_ <= f.target.size) return false;
  off = f.target.offset;
  files_.wrap(f);
  return true;
}

bool Worker::backward_offset(FileState& f, int d, uint64_t& off) {
  real_size(f);
  const uint64_t start = f.target.offset, rsize = f.target.size;
  const uint64_t top = std::min(f.real_size, rsize);
  const auto add = static_cast<uint64_t>(spec.rw_modifier);  // negative: wraps, as fio's unsigned sum
  uint64_t last = f.seq_pos[d];
  if (last == start && start != 0) last = top;
  uint64_t pos = last - start;
  if (pos != 0) {
    pos += add;
    if (pos >= f.real_size) pos = top + add;
  }
  if (pos >= rsize || pos + start >= f.real_size) return false;
  off = start + pos;
  return true;
}

bool Worker::prep_io_general(IoUnit& u) {
  if (replaying_) [[unlikely]]
    return prep_replay(u);
  Dir dir = plan_->fixed_dir;
  if (plan_->trimwrite && trim_then_write_) {
    trim_then_write_ = false;
    FileState& f = files_[pending_write_file_];
    u.fd = f.fd.get();
    u.file = pending_write_file_;
    u.dir = Dir::write;
    u.offset = pending_write_off_;
    u.len = pending_write_len_;
    f.issued += u.len;
    return true;
  }
  if (plan_->trimwrite) dir = Dir::trim;
  else if (plan_->mixed) dir = rng_mix_.below(100) < spec.rwmixread ? Dir::read : Dir::write;
  const int d = idx(dir);
  uint32_t len = plan_->fixed_len;
  const uint32_t fi = pick_file();
  FileState& f = files_[fi];
  bool rnd = plan_->random;
  if (rnd && spec.percentage_random_set) rnd = rng_mix_.below(100) < spec.percentage_random[dir];
  const bool zoned_io = plan_->zoned;
  if (zoned_io) [[unlikely]]
    enter_zone(f, dir);
  bool same = false;
  if (rnd && spec.rw_modifier) {
    // randread:N: a new random offset every N I/Os, the first I/O included;
    // in between, the next sequential offset (rw_sequencer=sequential) or the
    // last one again (identical). Measured with fio 3.33 (size=64k bs=4k
    // randread:4): blocks 0 1 2 3 11 12 13 14 ..., identical 0 0 0 0 11 11 ...
    // A sequential step that would pass the end of the region draws a random
    // offset instead (fio: ... 14 15 7, not 0), without restarting the count.
    if (seq_run_left_) {
      --seq_run_left_;
      same = spec.rw_sequencer == jobs::RwSequencer::identical;
      rnd = !same && f.seq_pos[d] >= f.end;
    } else {
      seq_run_left_ = static_cast<uint64_t>(spec.rw_modifier) - 1;
    }
  }
  uint64_t off;
  bool mark = false;
  if (same) {
    off = f.last_start[d];
  } else if (rnd && zoned_io) {
    off = zone_random_offset(f);
  } else if (rnd) {
    uint64_t blk;
    const BlockDistribution& bd = plan_->dist[d];
    if (!bd.uniform()) {
      blk = bd.next(rng_off_) % f.nblocks;
    } else if (plan_->use_bitmap) {
      // fio: a uniform block; if done, the next free one after it.
      blk = rng_map_.below(f.nblocks);
      if (f.map.test(blk)) blk = f.map.next_free(blk);
      if (blk == RandomMap::kNone) {
        next_pass(f);  // every block done: a new pass, as at a wrap
        files_.wrap(f);
        blk = rng_map_.below(f.nblocks);
      }
      mark = true;
    } else if (plan_->use_map || plan_->lfsr) {
      if (f.perm_next >= f.nblocks) {
        next_pass(f);
        files_.wrap(f);
      }
      blk = plan_->lfsr ? f.lfsr.next() : f.perm.at(f.perm_next);
      ++f.perm_next;
    } else {
      const uint64_t shortest = plan_->fixed_bs ? len : plan_->min_len[d];
      const uint64_t starts = f.target.size >= shortest ? (f.target.size - shortest) / plan_->unit_bytes + 1 : 1;
      blk = rng_taus_.below(starts);
    }
    off = f.target.offset + blk * plan_->unit_bytes;
  } else if (plan_->seq_backward) [[unlikely]] {
    if (!backward_offset(f, d, off)) return false;
  } else if (plan_->seq_holes && !zoned_io) [[unlikely]] {
    if (!hole_offset(f, d, len, off)) return false;
  } else {
    off = f.seq_pos[d];
    if (off >= f.end && zoned_io) return false;
    if (off >= f.end) {
      off = f.target.offset;
      files_.wrap(f);
    }
  }
  if (!plan_->fixed_bs) len = pick_len(dir, f.end - off);
  len = static_cast<uint32_t>(std::min<uint64_t>(len, f.end - off));
  if (mark) {
    // fio trims the I/O to the free run it starts (mark_random_map).
    const uint64_t run = f.map.set_run((off - f.target.offset) / plan_->unit_bytes, (len + plan_->unit_bytes - 1) / plan_->unit_bytes);
    if (run * plan_->unit_bytes < len) len = static_cast<uint32_t>(run * plan_->unit_bytes);
  }
  f.last_start[d] = off;
  f.seq_pos[d] = off + len + (plan_->random || plan_->seq_backward ? 0 : static_cast<uint64_t>(spec.rw_modifier));
  f.issued += len;
  zone_bytes_ += len;
  if (plan_->trimwrite) {
    trim_then_write_ = true;
    pending_write_off_ = off;
    pending_write_len_ = len;
    pending_write_file_ = fi;
  }
  u.fd = f.fd.get();
  u.file = fi;
  u.dir = dir;
  u.offset = off;
  u.len = len;
  return true;
}

}  // namespace fiokit::engine
