// JobPlan (see job_plan.hpp): the hot-path choices of one job clone, made once
// from its JobSpec, files and engine. Each rule below says what fio 3.33 does
// where the choice changes what is measured.
#include "engine/job_plan.hpp"
#include "engine/io_buffers.hpp"
#include "engine/run.hpp"

#include <algorithm>
#include <random>

#include <fmt/format.h>

namespace fiokit::engine {
namespace {

constexpr Dir kDirs[3] = {Dir::read, Dir::write, Dir::trim};

// With bssplit the smallest entry is the minimum (bs's default 4k is not in
// play), so bssplit=16k/50:64k/50 aligns offsets to 16k, as fio does.
uint64_t min_bs_of(const jobs::JobSpec& s, Dir d) {
  uint64_t m = s.bssplit[d].empty() ? s.bs[d] : UINT64_MAX;
  if (s.bsrange[d].first) m = s.bsrange[d].first;
  for (const auto& e : s.bssplit[d]) m = std::min(m, e.bs);
  return std::max<uint64_t>(1, m);
}
uint64_t max_bs_of(const jobs::JobSpec& s, Dir d) {
  uint64_t m = s.bs[d];
  if (s.bsrange[d].second) m = std::max(m, s.bsrange[d].second);
  for (const auto& e : s.bssplit[d]) m = std::max(m, e.bs);
  return m;
}

}  // namespace

uint64_t job_seed(const jobs::JobSpec& spec) {
  if (!spec.randrepeat && !spec.allrandrepeat && !spec.randseed_set)
    return (static_cast<uint64_t>(std::random_device{}()) << 32) ^ std::random_device{}();
  return spec.randseed;
}

JobPlan::JobPlan(const jobs::JobSpec& spec, const std::vector<volumes::FileTarget>& targets, const EngineFeatures& feat,
                 uint64_t base_seed, const volumes::IoLog* replay) {
  sync_engine = feat.sync;
  fakes_io = feat.fakes_io;
  random = spec.is_random();
  use_map = !spec.norandommap;
  lfsr = spec.random_generator == jobs::RandomGenerator::lfsr;
  trimwrite = spec.rw == jobs::RwMode::trimwrite || spec.rw == jobs::RwMode::randtrimwrite;
  mixed = spec.rw == jobs::RwMode::rw || spec.rw == jobs::RwMode::randrw || trimwrite;
  zoned = spec.zonemode == jobs::ZoneMode::strided;
  writes = spec.does(Dir::write) && !spec.verify_only;
  for (auto d : kDirs)
    if (spec.does(d)) {
      fixed_dir = d;
      break;
    }

  // Block sizes: one fixed size unless a direction in use has bsrange or
  // bssplit, or two directions differ. The random map's block (and offset
  // alignment) is the smallest blockalign or minimum size in use.
  uint64_t first_bs = 0, unit = UINT64_MAX;
  max_len = 0;
  for (auto d : kDirs) {
    if (!spec.does(d)) continue;
    if (spec.bsrange[d].first || !spec.bssplit[d].empty()) fixed_bs = false;
    if (first_bs && spec.bs[d] != first_bs) fixed_bs = false;
    if (!first_bs) first_bs = spec.bs[d];
    unit = std::min(unit, spec.blockalign[d] ? spec.blockalign[d] : min_bs_of(spec, d));
    max_len = std::max(max_len, max_bs_of(spec, d));
    min_len[idx(d)] = min_bs_of(spec, d);
    // bssplit entries without a percentage share what the others leave.
    auto& cum = bssplit_cum[idx(d)];
    uint32_t given = 0, zero = 0;
    for (const auto& e : spec.bssplit[d]) (e.percent ? given += e.percent : ++zero);
    uint32_t acc = 0;
    for (const auto& e : spec.bssplit[d]) {
      acc += e.percent ? e.percent : (zero ? (100 - std::min(100u, given)) / zero : 0);
      cum.emplace_back(acc, e.bs);
    }
  }
  if (max_len > UINT32_MAX || max_len == 0)
    throw SetupError(fmt::format("job '{}': block size {} is out of range", spec.name, max_len), EINVAL);
  fixed_len = static_cast<uint32_t>(first_bs);
  unit_bytes = unit == UINT64_MAX ? 4096 : unit;
  single_file = targets.size() == 1;
  buf_len = (static_cast<size_t>(max_len) + kBufAlign - 1) / kBufAlign * kBufAlign;

  seed = mix64(base_seed + 0x9e37u * static_cast<uint64_t>(spec.clone_index));
  for (const auto& t : targets) {
    total_bytes += t.size;
    max_blocks = std::max(max_blocks, std::max<uint64_t>(1, t.size / unit_bytes));
  }
  // fio switches to tausworthe64 past 2^32 blocks unless told otherwise.
  bool named = false;
  for (const auto& kv : spec.given) named = named || kv.first == "random_generator";
  taus64 = spec.random_generator == jobs::RandomGenerator::tausworthe64 || (!named && max_blocks > UINT32_MAX);
  for (auto d : kDirs) {
    jobs::RandomDistribution rd = spec.random_distribution[d];
    if (rd.kind == jobs::RandomDistribution::zoned_abs)
      for (auto& z : rd.zones) z.size = std::max<uint64_t>(1, z.size / unit_bytes);
    dist[idx(d)].init(rd, max_blocks, seed ^ 6);
  }
  {
    jobs::RandomDistribution fd;
    fd.param = spec.file_service_param;
    using F = jobs::FileServiceType;
    fd.kind = spec.file_service_type == F::zipf     ? jobs::RandomDistribution::zipf
              : spec.file_service_type == F::pareto ? jobs::RandomDistribution::pareto
              : spec.file_service_type == F::normal || spec.file_service_type == F::gauss ? jobs::RandomDistribution::normal
                                                                                          : jobs::RandomDistribution::random;
    // fio draws from nfiles << 10 values, unhashed, and takes value >> 10 as the file.
    file_dist.init(fd, targets.size() << kFileServiceShift, seed ^ 7, false);
  }

  // With filesize= the files' regions are whole files and size= is the
  // job's budget over them, when smaller (fio 3.33: size becomes the regions'
  // total only when unset or larger; filesize=4m size=2m reads 2 MiB).
  uint64_t budget = total_bytes;
  if (spec.filesize.first > 0 && spec.size > 0) budget = std::min(budget, spec.size);
  loop_limit_bytes = spec.io_size ? spec.io_size
                     : spec.io_size_percent > 0 ? static_cast<uint64_t>(static_cast<double>(budget) * spec.io_size_percent / 100.0)
                                                : budget;
  // rw=read:12k does not shorten the job: fio 3.33 issues size/bs I/Os and
  // wraps to the region's start when the next offset passes its end (measured:
  // size=4m bs=4k rw=read:12k gives 1024 I/Os, four passes over the same 256
  // offsets), so the byte limit stays `size`.
  loop_limit_ios = spec.number_ios;
  // I/Os longer than the map's block go through fio's bitmap random map,
  // which trims each to the free run it lands in (see RandomMap).
  use_bitmap = random && use_map && !lfsr && max_len > unit_bytes;
  seq_backward = !random && spec.rw_modifier < 0;
  seq_holes = !random && spec.rw_modifier > 0;
  fast_seq = fixed_bs && !random && single_file && !mixed && !zoned && !seq_backward && !seq_holes;
  fast_rand = fixed_bs && random && use_map && !use_bitmap && !lfsr && single_file && !mixed && spec.rw_modifier == 0 &&
              (!spec.percentage_random_set || spec.percentage_random[fixed_dir] >= 100) && dist[idx(fixed_dir)].uniform() && !zoned;

  // fio's defaults, measured (IO depths with libaio/io_uring direct and the
  // null engine): iodepth_batch_complete_max defaults to _min (not to
  // iodepth) and is never below it, so each reap takes one completion;
  // iodepth_low defaults to iodepth. Both 0 is fio's "polling" mode.
  const uint32_t depth = std::max<uint32_t>(1, spec.iodepth);
  queue.depth = depth;
  queue.batch_submit = spec.iodepth_batch_submit ? std::min(spec.iodepth_batch_submit, depth) : depth;
  queue.complete_min = std::min(spec.iodepth_batch_complete_min, depth);
  queue.complete_max = std::clamp<uint32_t>(std::max(spec.iodepth_batch_complete_max, spec.iodepth_batch_complete_min), 1, depth);
  queue.polling = spec.iodepth_batch_complete_min == 0 && spec.iodepth_batch_complete_max == 0;
  queue.low_water = spec.iodepth_low ? std::min(spec.iodepth_low, depth) : depth;

  for (auto d : kDirs) {
    const int i = idx(d);
    if (spec.rate_iops[d]) rate_ns_per_io[i] = static_cast<int64_t>(1e9 / static_cast<double>(spec.rate_iops[d]));
    if (spec.rate[d]) rate_ns_per_byte[i] = 1e9 / static_cast<double>(spec.rate[d]);
    if (rate_ns_per_io[i] || rate_ns_per_byte[i] > 0) rated = true;
    min_rate = min_rate || spec.rate_min[d] || spec.rate_iops_min[d];
  }
  thinking = spec.thinktime_us > 0;

  if (replay) {
    // read_iolog: the log decides directions and sizes (fio sets its td_ddir
    // and max_bs from the log), and the loop ends with the log, not at size=.
    writes = replay->does(Dir::write) && !spec.verify_only;
    for (auto d : kDirs)
      if (replay->does(d)) {
        fixed_dir = d;
        break;
      }
    random = mixed = trimwrite = zoned = fast_seq = fast_rand = use_bitmap = seq_holes = false;
    fixed_bs = false;
    if (replay->max_len > UINT32_MAX)
      throw SetupError(fmt::format("job '{}': read_iolog: an I/O of {} bytes is out of range", spec.name, replay->max_len), EINVAL);
    max_len = std::max<uint64_t>(1, replay->max_len);
    buf_len = (static_cast<size_t>(max_len) + kBufAlign - 1) / kBufAlign * kBufAlign;
    loop_limit_bytes = UINT64_MAX;
    loop_limit_ios = 0;
  }
  verify = spec.verify != jobs::VerifyKind::none;
  verifying_reads = verify && spec.does(Dir::read) && !writes;
  stamp_writes = writes && (verify || IoBuffers::refills(spec) ||
                            (spec.scramble_buffers && !spec.zero_buffers && spec.buffer_pattern.empty() &&
                             spec.buffer_compress_percentage == 0));
}

}  // namespace fiokit::engine
