// The general offset and size choice of a worker (everything prep_io's two
// inline fast paths do not cover): direction mix, bssplit/bsrange, file
// service, percentage_random, rw modifiers, distributions and trimwrite; plus
// the write-buffer stamping (verify headers, refill, scramble) and the verify
// read-back pass. Split from worker.cpp to keep each file one topic.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "engine/worker.hpp"

namespace fiokit::engine {

void Worker::next_pass(FileState& f) {
  ++f.perm_pass;
  f.perm.init(f.nblocks, verify_seed_base ^ mix64(f.perm_pass));
  f.perm_next = 0;
}

uint32_t Worker::pick_len(uint8_t d) {
  const auto dir = static_cast<jobs::Dir>(d);
  if (!bssplit_cum[d].empty()) {
    const auto r = static_cast<uint32_t>(rng_bs.below(100));
    for (const auto& [cum, bs] : bssplit_cum[d])
      if (r < cum) return static_cast<uint32_t>(bs);
    return static_cast<uint32_t>(bssplit_cum[d].back().second);
  }
  if (const auto [lo, hi] = spec.bsrange[dir]; lo) {
    const uint64_t step = spec.bs_unaligned ? 1 : std::max<uint64_t>(1, spec.blockalign[dir] ? spec.blockalign[dir] : lo);
    const uint64_t v = lo + rng_bs.below((hi - lo) / step + 1) * step;
    return static_cast<uint32_t>(std::min(v, hi));
  }
  return static_cast<uint32_t>(spec.bs[dir]);
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
        cur_file = static_cast<uint32_t>(file_dist.next(rng_file) % n);
        file_ios_left = std::max<uint32_t>(1, spec.file_service_nr);
      }
      return cur_file;
  }
}

void Worker::prep_io_general(IoUnit& u) {
  uint8_t d = fixed_dir;
  if (trimwrite && trim_then_write) {
    trim_then_write = false;
    FileState& f = files[pending_write_file];
    u.fd = f.fd;
    u.file = pending_write_file;
    u.ddir = 1;
    u.offset = pending_write_off;
    u.len = pending_write_len;
    f.issued += u.len;
    return;
  }
  if (trimwrite) d = 2;
  else if (mixed) d = rng_mix.below(100) < spec.rwmixread ? 0 : 1;
  uint32_t len = fixed_bs ? fixed_len : pick_len(d);
  const uint32_t fi = pick_file();
  FileState& f = files[fi];
  bool rnd = random;
  if (rnd && spec.percentage_random_set) rnd = rng_mix.below(100) < spec.percentage_random[static_cast<jobs::Dir>(d)];
  if (rnd && spec.rw_modifier) {
    // randread:N — a new random offset every N I/Os, sequential in between.
    if (seq_run_left) {
      rnd = false;
      --seq_run_left;
    } else {
      seq_run_left = spec.rw_modifier - 1;
    }
  }
  uint64_t off;
  if (rnd) {
    uint64_t blk;
    const BlockDistribution& bd = dist[d];
    if (!bd.uniform()) {
      blk = bd.next(rng_off) % f.nblocks;
    } else if (use_map) {
      if (f.perm_next >= f.nblocks) {
        next_pass(f);
        wrap_file(f);
      }
      blk = f.perm.at(f.perm_next++);
    } else {
      const uint64_t starts = f.target.size >= len ? (f.target.size - len) / unit_bytes + 1 : 1;
      blk = rng_off.below(starts);
    }
    off = f.target.offset + blk * unit_bytes;
  } else {
    off = f.seq_pos[d];
    if (off >= f.end) {
      off = f.target.offset;
      wrap_file(f);
    }
  }
  len = static_cast<uint32_t>(std::min<uint64_t>(len, f.end - off));
  f.seq_pos[d] = off + len + (random ? 0 : spec.rw_modifier);
  f.issued += len;
  if (trimwrite) {
    trim_then_write = true;
    pending_write_off = off;
    pending_write_len = len;
    pending_write_file = fi;
  }
  u.fd = f.fd;
  u.file = fi;
  u.ddir = d;
  u.offset = off;
  u.len = len;
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

void Worker::verify_pass(bool whole_region) {
  // Reads back with pread through the job's own descriptors (O_DIRECT-aligned
  // buffers), outside the measured statistics.
  std::vector<Written> todo;
  if (whole_region) {
    for (uint32_t i = 0; i < files.size(); ++i)
      for (uint64_t o = files[i].target.offset; o < files[i].end; o += fixed_len)
        todo.push_back({o, static_cast<uint32_t>(std::min<uint64_t>(fixed_len, files[i].end - o)), i});
  } else {
    todo.swap(written);
  }
  uint8_t* buf = units[0].buf;
  uint64_t checked = 0;
  for (const auto& w : todo) {
    if (halt_requested() && !failed) break;
    if (failed && spec.verify_fatal) break;
    const ssize_t n = ::pread(files[w.file].fd, buf, w.len, static_cast<off_t>(w.offset));
    if (n != static_cast<ssize_t>(w.len)) {
      record_error(n < 0 ? errno : EIO, fmt::format("job '{}': verify read of {} bytes at {} in '{}' failed", spec.name, w.len, w.offset,
                                                    files[w.file].target.path));
      return;
    }
    IoUnit u;
    u.buf = buf;
    u.result = n;
    u.offset = w.offset;
    u.file = w.file;
    check_read(u);
    ++checked;
  }
  const uint64_t prev = res.extras.count("verify_blocks") ? std::stoull(res.extras["verify_blocks"]) : 0;
  res.extras["verify_blocks"] = std::to_string(prev + checked);
}

}  // namespace fiokit::engine
