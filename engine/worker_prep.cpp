// The general offset and size choice of a worker (everything prep_io's two
// inline fast paths do not cover): direction mix, bssplit/bsrange, file
// service, percentage_random, rw modifiers, distributions and trimwrite; plus
// the write-buffer stamping (verify headers, refill, scramble) and the verify
// read-back phase, which runs through the engine's own loop. Split from
// worker.cpp to keep each file one topic.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <tuple>

#include <fmt/format.h>

#include "engine/worker.hpp"

namespace fiokit::engine {

// A new pass over a file's blocks: at a wrap (io_size beyond the region, a
// time_based repeat) the random map takes a new order; lfsr restarts its one
// sequence, as fio resets its LFSR to the seed.
void Worker::next_pass(FileState& f) {
  f.perm_next = 0;
  if (use_bitmap) {
    if (f.map.size() != f.nblocks) f.map.init(f.nblocks);
    else f.map.clear();
    return;
  }
  if (spec.random_generator == jobs::RandomGenerator::lfsr) {
    if (!f.lfsr.ready()) f.lfsr.init(f.nblocks, verify_seed_base ^ mix64(f.perm_pass | 0x1f5));
    f.lfsr.restart();
    return;
  }
  ++f.perm_pass;
  f.perm.init(f.nblocks, verify_seed_base ^ mix64(f.perm_pass));
}

// A new loop (loops=N). Measured with fio 3.33 (write_iolog, loops=2): with
// randrepeat=1 every loop repeats the first loop's order, since fio re-seeds its
// generators between loops; randrepeat=0 gives each loop a new order.
void Worker::restart_pass(FileState& f) {
  if (spec.randrepeat && !spec.time_based) f.perm_pass = static_cast<uint64_t>(&f - files.data()) << 40;
  next_pass(f);
}

// A new loop, for the generators that are not per file. Measured with fio 3.33
// (write_iolog, loops=2, randrepeat=1): randrw repeats its read/write choices
// and bsrange its sizes loop after loop, as fio re-seeds between loops; the
// norandommap draws do not repeat (also measured), so rng_taus goes on.
void Worker::reseed_loop() {
  if (!spec.randrepeat || spec.time_based) return;
  rng_mix.seed(verify_seed_base ^ 2);
  rng_bs.seed(verify_seed_base ^ 3);
  rng_map.seed(verify_seed_base ^ 9);  // the random map's order repeats too
}

// A block size for an I/O at an offset with `room` bytes before the end of
// the region. As fio 3.33 does, a size that does not fit is not drawn: a
// bssplit draw falls through to the next entry (in the order given) that
// fits, and when none does, or a bsrange size does not fit, it draws again.
// When not even the smallest fits the caller truncates, as before.
uint32_t Worker::pick_len(Dir dir, uint64_t room) {
  const int d = idx(dir);
  for (int tries = 0; tries < 64; ++tries) {
    if (!bssplit_cum[d].empty()) {
      const auto r = static_cast<uint32_t>(rng_bs.below(100));
      for (const auto& [cum, bs] : bssplit_cum[d])
        if (r < cum && bs <= room) return static_cast<uint32_t>(bs);
      if (r >= bssplit_cum[d].back().first && bssplit_cum[d].back().second <= room)
        return static_cast<uint32_t>(bssplit_cum[d].back().second);  // percentages short of 100
    } else if (const auto [lo, hi] = spec.bsrange[dir]; lo) {
      const uint64_t step = spec.bs_unaligned ? 1 : std::max<uint64_t>(1, spec.blockalign[dir] ? spec.blockalign[dir] : lo);
      const uint64_t v = std::min(lo + rng_bs.below((hi - lo) / step + 1) * step, hi);
      if (v <= room) return static_cast<uint32_t>(v);
    } else {
      return static_cast<uint32_t>(spec.bs[dir]);
    }
  }
  return static_cast<uint32_t>(min_len[d]);
}

uint32_t Worker::pick_file() {
  const auto n = static_cast<uint32_t>(files.size());
  if (n == 1) return 0;
  switch (spec.file_service_type) {
    case jobs::FileServiceType::roundrobin:
      if (--file_ios_left == 0) {
        cur_file = (cur_file + 1) % n;
        file_ios_left = std::max<uint32_t>(1, spec.file_service_nr);
      }
      return cur_file;
    case jobs::FileServiceType::sequential:
      for (uint32_t k = 0; k < n && files[cur_file].issued >= files[cur_file].target.size; ++k) cur_file = (cur_file + 1) % n;
      return cur_file;
    default:  // random, zipf, pareto, normal: drawn from file_dist
      if (--file_ios_left == 0) {
        cur_file = static_cast<uint32_t>((file_dist.next(rng_file) >> kFileServiceShift) % n);
        file_ios_left = std::max<uint32_t>(1, spec.file_service_nr);
      }
      return cur_file;
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
  if (zone_bytes >= spec.zonesize) {
    zone_bytes = 0;
    f.zone_start += range + spec.zoneskip;
    if (f.zone_start >= f.end) f.zone_start = f.target.offset;
    f.seq_pos[d] = f.zone_start;
  }
  if (f.seq_pos[d] >= f.zone_start + range) f.seq_pos[d] = f.zone_start;
  if (zone_bytes % range == 0) zone_perm_blocks = 0;  // a new random map for the zone
}

uint64_t Worker::zone_random_offset(FileState& f) {
  const uint64_t range = spec.zonerange ? spec.zonerange : spec.zonesize;
  const uint64_t nblk = std::max<uint64_t>(1, std::min(range, f.end - f.zone_start) / unit_bytes);
  if (!use_map) return f.zone_start + rng_taus.below(nblk) * unit_bytes;
  if (zone_perm_blocks != nblk || zone_perm_next >= nblk) {
    zone_perm.init(nblk, verify_seed_base ^ mix64(++zone_perm_pass | 0x2a0e));
    zone_perm_blocks = nblk;
    zone_perm_next = 0;
  }
  return f.zone_start + zone_perm.at(zone_perm_next++) * unit_bytes;
}

bool Worker::prep_io_general(IoUnit& u) {
  Dir dir = fixed_dir;
  if (trimwrite && trim_then_write) {
    trim_then_write = false;
    FileState& f = files[pending_write_file];
    u.fd = f.fd;
    u.file = pending_write_file;
    u.dir = Dir::write;
    u.offset = pending_write_off;
    u.len = pending_write_len;
    f.issued += u.len;
    return true;
  }
  if (trimwrite) dir = Dir::trim;
  else if (mixed) dir = rng_mix.below(100) < spec.rwmixread ? Dir::read : Dir::write;
  const int d = idx(dir);
  uint32_t len = fixed_len;
  const uint32_t fi = pick_file();
  FileState& f = files[fi];
  bool rnd = random;
  if (rnd && spec.percentage_random_set) rnd = rng_mix.below(100) < spec.percentage_random[dir];
  const bool zoned_io = zoned();
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
    if (seq_run_left) {
      --seq_run_left;
      same = spec.rw_sequencer == jobs::RwSequencer::identical;
      rnd = !same && f.seq_pos[d] >= f.end;
    } else {
      seq_run_left = spec.rw_modifier - 1;
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
    const BlockDistribution& bd = dist[d];
    if (!bd.uniform()) {
      blk = bd.next(rng_off) % f.nblocks;
    } else if (use_bitmap) {
      // fio: a uniform block; if done, the next free one after it.
      blk = rng_map.below(f.nblocks);
      if (f.map.test(blk)) blk = f.map.next_free(blk);
      if (blk == RandomMap::kNone) {
        next_pass(f);  // every block done: a new pass, as at a wrap
        wrap_file(f);
        blk = rng_map.below(f.nblocks);
      }
      mark = true;
    } else if (use_map || spec.random_generator == jobs::RandomGenerator::lfsr) {
      if (f.perm_next >= f.nblocks) {
        next_pass(f);
        wrap_file(f);
      }
      blk = spec.random_generator == jobs::RandomGenerator::lfsr ? f.lfsr.next() : f.perm.at(f.perm_next);
      ++f.perm_next;
    } else {
      const uint64_t shortest = fixed_bs ? len : min_len[d];
      const uint64_t starts = f.target.size >= shortest ? (f.target.size - shortest) / unit_bytes + 1 : 1;
      blk = rng_taus.below(starts);
    }
    off = f.target.offset + blk * unit_bytes;
  } else {
    off = f.seq_pos[d];
    if (off >= f.end && zoned_io) return false;
    if (off >= f.end) {
      off = f.target.offset;
      wrap_file(f);
    }
  }
  if (!fixed_bs) len = pick_len(dir, f.end - off);
  len = static_cast<uint32_t>(std::min<uint64_t>(len, f.end - off));
  if (mark) {
    // fio trims the I/O to the free run it starts (mark_random_map).
    const uint64_t run = f.map.set_run((off - f.target.offset) / unit_bytes, (len + unit_bytes - 1) / unit_bytes);
    if (run * unit_bytes < len) len = static_cast<uint32_t>(run * unit_bytes);
  }
  f.last_start[d] = off;
  f.seq_pos[d] = off + len + (random ? 0 : spec.rw_modifier);
  f.issued += len;
  zone_bytes += len;
  if (trimwrite) {
    trim_then_write = true;
    pending_write_off = off;
    pending_write_len = len;
    pending_write_file = fi;
  }
  u.fd = f.fd;
  u.file = fi;
  u.dir = dir;
  u.offset = off;
  u.len = len;
  return true;
}

void Worker::stamp_buffer(IoUnit& u) {
  if (verifier.enabled()) {
    written.push_back({u.offset, u.len, u.file});
    verifier.make_block(u.buf, u.len, u.offset, mix64(verify_seed_base ^ u.offset));
  } else if (spec.refill_buffers) {
    fill_buffer(u.buf, u.len, u.offset ^ loop_ios);
  } else {
    // scramble_buffers: a few bytes per 512-byte sector change on every write,
    // so deduplicating storage cannot collapse the data.
    const uint64_t v = mix64(u.offset ^ (loop_ios << 20));
    for (uint32_t p = 0; p + 8 <= u.len; p += 512) std::memcpy(u.buf + p, &v, 8);
  }
}

bool Worker::prep_verify(IoUnit& u) {
  if (verify_next >= verify_todo.size()) return false;
  const Written& w = verify_todo[verify_next++];
  u.fd = files[w.file].fd;
  u.file = w.file;
  u.dir = Dir::read;
  u.offset = w.offset;
  u.len = w.len;
  return true;
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
  if (replay_writes) {
    // verify_only: replay the job's writes without doing them (fio's dry run),
    // so the blocks are read back in the order, and with the coverage, that
    // the same job wrote them (random, not a sequential sweep).
    IoUnit u;
    u.buf = units[0].buf;
    while (prep_io(u))
      if (u.dir == Dir::write) written.push_back({u.offset, u.len, u.file});
  }
  todo.swap(written);
  if (!random || !use_map || spec.random_generator == jobs::RandomGenerator::lfsr) {
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
  if (final_phase && spec.invalidate) {
    // fio closes the files after the writes and reopens them for the verify
    // phase; the reopen's invalidate drops the pages already written back but
    // not the dirty ones (no fsync comes first), so most reads of fresh
    // buffered writes hit the cache. Measured (randwrite 16 MiB, md5): verify
    // read clat p50 1.4 us with invalidate=1 as with 0. Same here.
    for (auto& f : files)
      if (f.fd >= 0 && !f.target.is_device)
        (void)::posix_fadvise(f.fd, static_cast<off_t>(f.target.offset), static_cast<off_t>(f.target.size), POSIX_FADV_DONTNEED);
  }
  verify_todo = std::move(todo);
  verify_next = 0;
  const bool reads_checked = verifying_reads, thinks = thinking, paced = rated;
  verifying_reads = verify_phase = true;
  thinking = rated = false;  // fio's verify loop neither thinks nor rate-limits
  // fio takes no bw/iops samples and writes no windowed log rows during the
  // final verify phase (per-I/O log rows, log_avg_msec=0, it does write).
  const uint64_t windows[4] = {bw_next_, iops_next_, log_next_, hist_next_};
  if (final_phase) bw_next_ = iops_next_ = log_next_ = hist_next_ = UINT64_MAX;
  if (!verify_todo.empty() && !halt_requested()) engine->run_loop(*this);
  if (final_phase) std::tie(bw_next_, iops_next_, log_next_, hist_next_) = std::tie(windows[0], windows[1], windows[2], windows[3]);
  verifying_reads = reads_checked;
  thinking = thinks;
  rated = paced;
  verify_phase = false;
  const uint64_t prev = res.extras.count("verify_blocks") ? std::stoull(res.extras["verify_blocks"]) : 0;
  res.extras["verify_blocks"] = std::to_string(prev + verify_next);
  verify_todo.clear();
  if (final_phase) verify_phase_ns += now_ns() - t0;
}

}  // namespace fiokit::engine
