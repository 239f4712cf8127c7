// Worker (see worker.hpp): everything about one job clone that is not per-I/O
// and not about its files: the engine's setup, buffers and their contents,
// loops and time_based repeats, errors, and the final JobResult numbers.
// Sample and log windows are in worker_sampling.cpp; files, page cache, syncs
// and waits in worker_files.cpp; the general offset choice in worker_prep.cpp;
// the I/O loop in io_loop.hpp.
#include "engine/worker.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <random>

#include <fmt/format.h>

#include "engine/job_logs.hpp"

namespace fiokit::engine {
namespace {

constexpr uint64_t kMs = 1'000'000;
constexpr size_t kAlign = 4096;  // O_DIRECT-safe on every common device

const char* rw_name(jobs::RwMode m) {
  switch (m) {
    case jobs::RwMode::read: return "read";
    case jobs::RwMode::write: return "write";
    case jobs::RwMode::trim: return "trim";
    case jobs::RwMode::randread: return "randread";
    case jobs::RwMode::randwrite: return "randwrite";
    case jobs::RwMode::randtrim: return "randtrim";
    case jobs::RwMode::rw: return "rw";
    case jobs::RwMode::randrw: return "randrw";
    case jobs::RwMode::trimwrite: return "trimwrite";
    case jobs::RwMode::randtrimwrite: return "randtrimwrite";
  }
  return "?";
}

double tv_sec(const timeval& tv) { return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6; }

// With bssplit the smallest entry is the minimum (bs's default 4k is not in
// play), so bssplit=16k/50:64k/50 aligns offsets to 16k, as fio does.
uint64_t min_bs_of(const jobs::JobSpec& s, jobs::Dir d) {
  uint64_t m = s.bssplit[d].empty() ? s.bs[d] : UINT64_MAX;
  if (s.bsrange[d].first) m = s.bsrange[d].first;
  for (const auto& e : s.bssplit[d]) m = std::min(m, e.bs);
  return std::max<uint64_t>(1, m);
}
uint64_t max_bs_of(const jobs::JobSpec& s, jobs::Dir d) {
  uint64_t m = s.bs[d];
  if (s.bsrange[d].second) m = std::max(m, s.bsrange[d].second);
  for (const auto& e : s.bssplit[d]) m = std::max(m, e.bs);
  return m;
}

}  // namespace

Worker::Worker(const jobs::JobSpec& s, RunShared& sh, results::JobResult& r, std::vector<TraceRecord>* t,
               std::vector<volumes::FileTarget> targets)
    : spec(s), shared(sh), res(r), trace(t), targets_(std::move(targets)) {}

Worker::~Worker() {
  for (auto& f : files)
    if (f.fd >= 0) ::close(f.fd);
  std::free(mem_);
}

void Worker::record_error(int err, const std::string& what) {
  if (!failed) {
    res.error = err ? err : EIO;
    res.error_message = what;
  }
  failed = true;
  halted = true;
  if (spec.exitall_on_error) shared.halt.store(true);
}

void Worker::run(StartGate& gate, const std::vector<int>& wait_for_jobs) {
  fill_identity();
  try {
    if (!failed) setup();
  } catch (const SetupError& e) {
    record_error(e.err, e.what());
  } catch (const volumes::LayoutError& e) {
    record_error(e.err, e.what());
  } catch (const std::exception& e) {
    record_error(EINVAL, fmt::format("job '{}': setup failed: {}", spec.name, e.what()));
  }
  gate.arrive_and_wait();
  try {
    if (!failed) {
      if (spec.startdelay_us.second > spec.startdelay_us.first) {
        Rng r(spec.randseed ^ 0x57a27);
        sleep_until(now_ns() + (spec.startdelay_us.first + r.below(spec.startdelay_us.second - spec.startdelay_us.first + 1)) * 1000);
      } else if (spec.startdelay_us.first) {
        sleep_until(now_ns() + spec.startdelay_us.first * 1000);
      }
      if (!wait_for_jobs.empty()) {
        std::unique_lock lk(shared.done_m);
        while (!halt_requested()) {
          const bool all = std::all_of(wait_for_jobs.begin(), wait_for_jobs.end(), [&](int j) { return shared.done[j] != 0; });
          if (all) break;
          shared.done_cv.wait_for(lk, std::chrono::milliseconds(100));
        }
      }
      if (!halt_requested()) run_io();
    }
  } catch (const std::exception& e) {
    record_error(EIO, fmt::format("job '{}': {}", spec.name, e.what()));
  }
  try {
    teardown();
  } catch (const std::exception& e) {
    record_error(EIO, fmt::format("job '{}': teardown: {}", spec.name, e.what()));
  }
  if (shared.signalled.load()) res.interrupted = true;
  if (spec.exitall) shared.halt.store(true);
}

void Worker::fill_identity() {
  res.name = spec.name;
  res.job_index = spec.job_index;
  res.group_id = spec.group_id;
  res.options = spec.given;
  // fio prints the job's process id, or its thread id with thread=1; fiokit's
  // jobs are threads, so the thread id (fill_identity runs on the worker).
  res.pid = static_cast<int>(gettid());
  res.rw = rw_name(spec.rw);
  res.ioengine = spec.ioengine;
  for (int d = 0; d < 3; ++d) res.bs[d] = spec.bs[static_cast<jobs::Dir>(d)];
  res.iodepth = spec.iodepth;
  res.percentile_list = spec.percentile_list;
  res.clat_percentiles = spec.clat_percentiles;
  res.lat_percentiles = spec.lat_percentiles;
  res.slat_percentiles = spec.slat_percentiles;
  res.kb_base = spec.kb_base;
  res.unit_base = spec.unit_base;
  res.group_reporting = spec.group_reporting;
}

void Worker::setup() {
  if (!spec.cpus_allowed.empty()) {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (spec.cpus_allowed_policy == jobs::CpusAllowedPolicy::split)
      CPU_SET(spec.cpus_allowed[static_cast<size_t>(spec.clone_index) % spec.cpus_allowed.size()], &set);
    else
      for (int c : spec.cpus_allowed) CPU_SET(c, &set);
    if (int e = pthread_setaffinity_np(pthread_self(), sizeof(set), &set); e != 0)
      throw volumes::LayoutError(fmt::format("job '{}': cpus_allowed: cannot pin the thread: {}", spec.name, std::strerror(e)), e);
  }

  engine = make_engine(spec.ioengine);
  if (!engine)
    throw volumes::LayoutError(fmt::format("job '{}': unknown ioengine '{}'", spec.name, spec.ioengine), EINVAL);
  const EngineFeatures feat = engine->features();
  sync_engine = feat.sync;

  // What the loop will do, decided once.
  const jobs::Dir dirs[3] = {jobs::Dir::read, jobs::Dir::write, jobs::Dir::trim};
  random = spec.is_random();
  use_map = !spec.norandommap;
  trimwrite = spec.rw == jobs::RwMode::trimwrite || spec.rw == jobs::RwMode::randtrimwrite;
  mixed = spec.rw == jobs::RwMode::rw || spec.rw == jobs::RwMode::randrw || trimwrite;
  writes = spec.does(jobs::Dir::write) && !spec.verify_only;
  for (auto d : dirs)
    if (spec.does(d)) {
      fixed_dir = static_cast<uint8_t>(d);
      break;
    }
  uint64_t first_bs = 0, unit = UINT64_MAX, max_len = 0;
  fixed_bs = true;
  for (auto d : dirs) {
    if (!spec.does(d)) continue;
    if (spec.bsrange[d].first || !spec.bssplit[d].empty()) fixed_bs = false;
    if (first_bs && spec.bs[d] != first_bs) fixed_bs = false;
    if (!first_bs) first_bs = spec.bs[d];
    unit = std::min(unit, spec.blockalign[d] ? spec.blockalign[d] : min_bs_of(spec, d));
    max_len = std::max(max_len, max_bs_of(spec, d));
    min_len[static_cast<int>(d)] = min_bs_of(spec, d);
    auto& cum = bssplit_cum[static_cast<int>(d)];
    uint32_t given = 0, zero = 0;
    for (const auto& e : spec.bssplit[d]) (e.percent ? given += e.percent : ++zero);
    uint32_t acc = 0;
    for (const auto& e : spec.bssplit[d]) {
      acc += e.percent ? e.percent : (zero ? (100 - std::min(100u, given)) / zero : 0);
      cum.emplace_back(acc, e.bs);
    }
  }
  if (max_len > UINT32_MAX || max_len == 0)
    throw volumes::LayoutError(fmt::format("job '{}': block size {} is out of range", spec.name, max_len), EINVAL);
  fixed_len = static_cast<uint32_t>(first_bs);
  unit_bytes = unit == UINT64_MAX ? 4096 : unit;
  single_file = targets_.size() == 1;

  // Seeds: randrepeat (fio's default) makes runs repeatable from randseed;
  // clones of one job differ, the same job in another run does not.
  uint64_t seed = spec.randseed;
  if (!spec.randrepeat && !spec.allrandrepeat && !spec.randseed_set)
    seed = (static_cast<uint64_t>(std::random_device{}()) << 32) ^ std::random_device{}();
  seed = mix64(seed + 0x9e37u * static_cast<uint64_t>(spec.clone_index));
  verify_seed_base = seed;
  rng_off.seed(seed ^ 1);
  rng_mix.seed(seed ^ 2);
  rng_bs.seed(seed ^ 3);
  rng_file.seed(seed ^ 4);
  rng_rate.seed(seed ^ 5);
  rng_map.seed(seed ^ 9);

  files.resize(targets_.size());
  uint64_t total = 0, max_blocks = 1;
  for (size_t i = 0; i < targets_.size(); ++i) {
    FileState& f = files[i];
    f.target = targets_[i];
    f.end = f.target.offset + f.target.size;
    f.nblocks = std::max<uint64_t>(1, f.target.size / unit_bytes);
    for (auto& p : f.seq_pos) p = f.target.offset;
    f.perm_pass = i << 40;
    next_pass(f);
    total += f.target.size;
    max_blocks = std::max(max_blocks, f.nblocks);
  }
  {
    // fio switches to tausworthe64 past 2^32 blocks unless told otherwise.
    bool named = false;
    for (const auto& kv : spec.given) named = named || kv.first == "random_generator";
    rng_taus.seed(seed ^ 8, spec.random_generator == jobs::RandomGenerator::tausworthe64 || (!named && max_blocks > UINT32_MAX));
  }
  for (auto d : dirs) {
    jobs::RandomDistribution rd = spec.random_distribution[d];
    if (rd.kind == jobs::RandomDistribution::zoned_abs)
      for (auto& z : rd.zones) z.size = std::max<uint64_t>(1, z.size / unit_bytes);
    dist[static_cast<int>(d)].init(rd, max_blocks, seed ^ 6);
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
    file_dist.init(fd, files.size() << kFileServiceShift, seed ^ 7, false);
  }
  loop_limit_bytes = spec.io_size ? spec.io_size
                     : spec.io_size_percent > 0 ? static_cast<uint64_t>(static_cast<double>(total) * spec.io_size_percent / 100.0)
                                                : total;
  // rw=read:12k does not shorten the job: fio 3.33 issues size/bs I/Os and
  // wraps to the region's start when the next offset passes its end (measured:
  // size=4m bs=4k rw=read:12k gives 1024 I/Os, four passes over the same 256
  // offsets), so the byte limit stays `size`.
  loop_limit_ios = spec.number_ios;
  // I/Os longer than the map's block go through fio's bitmap random map,
  // which trims each to the free run it lands in (see RandomMap).
  use_bitmap = random && use_map && spec.random_generator != jobs::RandomGenerator::lfsr && max_len > unit_bytes;
  if (use_bitmap)
    for (auto& f : files) next_pass(f);
  fast_seq = fixed_bs && !random && single_file && !mixed && !zoned();
  fast_rand = fixed_bs && random && use_map && !use_bitmap && spec.random_generator != jobs::RandomGenerator::lfsr && single_file && !mixed &&
              spec.rw_modifier == 0 &&
              (!spec.percentage_random_set || spec.percentage_random[static_cast<jobs::Dir>(fixed_dir)] >= 100) &&
              dist[fixed_dir].uniform() && !zoned();
  file_ios_left = std::max<uint32_t>(1, spec.file_service_nr);

  depth = std::max<uint32_t>(1, spec.iodepth);
  batch_submit = spec.iodepth_batch_submit ? std::min(spec.iodepth_batch_submit, depth) : depth;
  // fio's defaults, measured (IO depths with libaio/io_uring direct and the
  // null engine): iodepth_batch_complete_max defaults to _min (not to
  // iodepth) and is never below it, so each reap takes one completion;
  // iodepth_low defaults to iodepth. Both 0 is fio's "polling" mode.
  complete_min = std::min(spec.iodepth_batch_complete_min, depth);
  complete_max = std::clamp<uint32_t>(std::max(spec.iodepth_batch_complete_max, spec.iodepth_batch_complete_min), 1, depth);
  polling = spec.iodepth_batch_complete_min == 0 && spec.iodepth_batch_complete_max == 0;
  low_water = spec.iodepth_low ? std::min(spec.iodepth_low, depth) : depth;
  queued_storage.assign(depth, nullptr);
  queued_units = queued_storage.data();

  for (auto d : dirs) {
    const int i = static_cast<int>(d);
    if (spec.rate_iops[d]) rate_ns_per_io[i] = static_cast<int64_t>(1e9 / static_cast<double>(spec.rate_iops[d]));
    if (spec.rate[d]) rate_ns_per_byte[i] = 1e9 / static_cast<double>(spec.rate[d]);
    if (rate_ns_per_io[i] || rate_ns_per_byte[i] > 0) rated = true;
  }
  thinking = spec.thinktime_us > 0;

  std::string why;
  if (spec.verify != jobs::VerifyKind::none && !verifier.init(spec, &why))
    throw volumes::LayoutError(fmt::format("job '{}': {}", spec.name, why), EINVAL);
  verifying_reads = verifier.enabled() && spec.does(jobs::Dir::read) && !writes;
  stamp_writes = writes && (verifier.enabled() || spec.refill_buffers ||
                            (spec.scramble_buffers && !spec.zero_buffers && spec.buffer_pattern.empty() &&
                             spec.buffer_compress_percentage == 0));

  logs_ = JobLogs::open(spec, shared.run_dir);
  // fio: log_avg_msec=0 logs every I/O in the lat, bw and iops logs; >0 logs
  // one row per direction per window.
  log_each = logs_ && (logs_->lat() || logs_->bw() || logs_->iops()) && spec.log.avg_msec == 0;
  log_window = logs_ && (logs_->lat() || logs_->bw() || logs_->iops()) && spec.log.avg_msec > 0;
  per_io_bw_ = logs_ && logs_->bw() && spec.log.avg_msec == 0;
  per_io_iops_ = logs_ && logs_->iops() && spec.log.avg_msec == 0;

  if (!feat.diskless) {
    open_files();
    invalidate_pass(true);
  }
  alloc_buffers();

  EngineSetup es;
  es.iodepth = depth;
  es.units = &units;
  es.buf_len = buf_bytes_;
  for (const auto& f : files) es.fds.push_back(f.fd);
  es.direct = spec.direct;
  es.fds_stable = !spec.unlink_each_loop;
  es.options = spec.engine_options;  // typed by the engine's own table
  if (const int rc = engine->init(es); rc < 0) {
    std::string hint = engine->error_hint();
    if (hint.empty()) hint = fmt::format("{}: setup failed: {}", engine->name(), std::strerror(-rc));
    throw SetupError(fmt::format("job '{}': ioengine={}: {}", spec.name, engine->name(), hint), -rc);
  }
}

void Worker::fill_buffer(uint8_t* p, size_t n, uint64_t offset) {
  if (spec.zero_buffers) {
    std::memset(p, 0, n);
    return;
  }
  if (!spec.buffer_pattern.empty()) {
    const auto& pat = spec.buffer_pattern;
    for (size_t i = 0; i < n; ++i) p[i] = pat[(offset + i) % pat.size()];
    return;
  }
  Rng r(verify_seed_base ^ mix64(offset + 0xb0f));
  const uint32_t pct = std::min(100u, spec.buffer_compress_percentage);
  const size_t chunk = std::max<size_t>(1, spec.buffer_compress_chunk);
  for (size_t c = 0; c < n; c += chunk) {
    const size_t len = std::min(chunk, n - c);
    // buffer_compress_percentage: that share of each chunk is zeros, the rest random.
    const size_t rnd = len - len * pct / 100;
    for (size_t i = 0; i < rnd; i += 8) {
      const uint64_t v = r.next();
      std::memcpy(p + c + i, &v, std::min<size_t>(8, rnd - i));
    }
    std::memset(p + c + rnd, 0, len - rnd);
  }
}

void Worker::alloc_buffers() {
  uint64_t max_len = 0;
  for (int d = 0; d < 3; ++d)
    if (spec.does(static_cast<jobs::Dir>(d))) max_len = std::max(max_len, max_bs_of(spec, static_cast<jobs::Dir>(d)));
  buf_bytes_ = (static_cast<size_t>(max_len) + kAlign - 1) / kAlign * kAlign;
  void* p = nullptr;
  if (int e = ::posix_memalign(&p, kAlign, buf_bytes_ * depth); e != 0)
    throw volumes::LayoutError(fmt::format("job '{}': cannot allocate {} bytes of I/O buffers", spec.name, buf_bytes_ * depth), e);
  mem_ = static_cast<uint8_t*>(p);
  units.resize(depth);
  free_units.reserve(depth);
  for (uint32_t i = 0; i < depth; ++i) {
    units[i].buf = mem_ + static_cast<size_t>(i) * buf_bytes_;
    units[i].index = i;
    fill_buffer(units[i].buf, buf_bytes_, i * buf_bytes_);
  }
  for (uint32_t i = depth; i-- > 0;) free_units.push_back(&units[i]);
}

bool Worker::account_short(IoUnit& u) {
  const FileState* f = u.file < files.size() ? &files[u.file] : nullptr;
  const std::string path = f ? f->target.path : std::string("(none)");
  if (u.result < 0) {
    const int e = static_cast<int>(-u.result);
    const char* hint = *engine->io_error_hint(e) ? engine->io_error_hint(e)
                       : e == EINVAL && spec.direct ? " (direct=1 needs offsets, sizes and buffers aligned to the device's logical block size)"
                                                    : "";
    record_error(e, fmt::format("job '{}': {} of {} bytes at offset {} in '{}' failed: {}{}", spec.name,
                                jobs::dir_name(static_cast<jobs::Dir>(u.ddir)), u.len, u.offset, path, std::strerror(e), hint));
    return false;
  }
  if (u.result == 0) {
    record_error(ENODATA, fmt::format("job '{}': {} of {} bytes at offset {} in '{}' returned 0 bytes (end of file?)", spec.name,
                                      jobs::dir_name(static_cast<jobs::Dir>(u.ddir)), u.len, u.offset, path));
    return false;
  }
  results::DirStats& d = res.dirs[u.ddir];
  ++d.short_ios;
  ++d.total_ios;
  d.io_bytes += static_cast<uint64_t>(u.result);
  return true;
}

void Worker::check_read(IoUnit& u) {
  std::string what;
  if (verifier.check_block(u.buf, static_cast<uint32_t>(u.result), u.offset, &what) != 0) {
    const auto n = std::stoull(res.extras.count("verify_errors") ? res.extras["verify_errors"] : "0") + 1;
    res.extras["verify_errors"] = std::to_string(n);
    if (spec.verify_dump) dump_block(u);
    if (!failed || res.error == 0) {
      res.error = EILSEQ;
      res.error_message = fmt::format("job '{}': verify failed in '{}': {}", spec.name, files[u.file].target.path, what);
    }
    failed = true;
    if (spec.verify_fatal) halted = true;
  }
}

// verify_dump=1: what was read goes to RUN_DIR/<file>.<offset>.received and
// what a writer with this job's seed would have put there to .expected, for a
// byte-level diff.
void Worker::dump_block(const IoUnit& u) {
  std::string base = files[u.file].target.path;
  base = base.substr(base.find_last_of('/') + 1);
  const std::string stem = fmt::format("{}/{}.{}", shared.run_dir, base, u.offset);
  const auto len = static_cast<size_t>(u.result);
  auto write_all = [](const std::string& path, const uint8_t* p, size_t n) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return;
    (void)!::write(fd, p, n);
    ::close(fd);
  };
  write_all(stem + ".received", u.buf, len);
  std::vector<uint8_t> want(len);
  verifier.make_block(want.data(), static_cast<uint32_t>(len), u.offset, mix64(verify_seed_base ^ u.offset));
  write_all(stem + ".expected", want.data(), len);
}

void Worker::reset_loop() {
  loop_bytes = loop_ios = 0;
  seq_run_left = 0;
  trim_then_write = false;
  reseed_loop();
  for (auto& f : files) {
    for (auto& p : f.seq_pos) p = f.target.offset;
    f.issued = 0;
    restart_pass(f);
  }
  if (spec.unlink_each_loop) {
    for (auto& f : files) {
      if (f.fd < 0) continue;
      ::close(f.fd);
      f.fd = -1;
      (void)volumes::remove_created_file(f.target.path);
    }
    open_files();
  }
  // fio reopens its files for every loop, but wraps in place when time_based.
  invalidate_pass(!spec.time_based || spec.unlink_each_loop);
}

void Worker::run_io() {
  start_ns = now_ns();
  for (auto& d : due_ns) d = static_cast<int64_t>(start_ns);
  ramping = spec.ramp_time_us > 0;
  ramp_end_ns = start_ns + spec.ramp_time_us * 1000;
  reset_stats(start_ns);
  if (ramping) stats_start_ns = ramp_end_ns;
  if (spec.runtime_us) deadline_ns = stats_start_ns + spec.runtime_us * 1000;
  progress_next_ = start_ns;
  bool min_rate = false;
  for (int d = 0; d < 3; ++d)
    min_rate |= spec.rate_min[static_cast<jobs::Dir>(d)] || spec.rate_iops_min[static_cast<jobs::Dir>(d)];
  rate_min_next_ = min_rate ? stats_start_ns : UINT64_MAX;  // check_min_rate sets the next check
  if (ramping) {
    bw_next_ = iops_next_ = log_next_ = hist_next_ = UINT64_MAX;
  }
  next_event_ns = start_ns;
  shared.live[static_cast<size_t>(spec.job_index)].state.store(1);

  const bool verify_writes = verifier.enabled() && writes && spec.do_verify;
  const uint64_t backlog = spec.verify_backlog;
  for (;;) {
    if (spec.verify_only) {
      verify_pass(true, true);
      break;
    }
    if (backlog && verify_writes) {
      // verify_backlog=N: verify what was written every N writes.
      const uint64_t keep = loop_limit_ios;
      while (!failed && !halt_requested() && loop_bytes < loop_limit_bytes && (!keep || loop_ios < keep)) {
        loop_limit_ios = std::min(keep ? keep : UINT64_MAX, loop_ios + backlog);
        engine->run_loop(*this);
        const bool last = loop_bytes >= loop_limit_bytes || (keep && loop_ios >= keep) || halt_requested();
        verify_pass(false, last);
      }
      loop_limit_ios = keep;
    } else {
      engine->run_loop(*this);
      if (verify_writes && !halt_requested()) verify_pass(false, true);
    }
    if (halt_requested()) break;
    ++loops_done_;
    if (spec.time_based && spec.runtime_us) {
      if (now_ns() >= deadline_ns) break;
    } else if (loops_done_ >= std::max<uint32_t>(1, spec.loops)) {
      break;
    }
    reset_loop();
  }
  const uint64_t end = now_ns();
  // No bw/iops sample for the partial last window (see sample_windows).
  if (!ramping && log_window) close_log_window(end, true);  // the partial last window, if it saw I/O
  finish_result(end);
}

void Worker::finish_result(uint64_t end_ns) {
  const uint64_t run_ns = end_ns > stats_start_ns ? end_ns - stats_start_ns : 0;
  res.job_runtime_ms = run_ns / kMs;
  // fio: each direction's runtime is the I/O phase; the verify phase adds to
  // the read runtime only (a write+verify job has both, summing to the job's).
  // fio 3.33 (backend.c update_runtime) keeps a direction's runtime in whole
  // µs and reports it rounded UP to ms, while job_runtime is truncated: a
  // 1000.4 ms job shows runtime 1001 and job_runtime 1000, and a job that
  // finished in 0.3 ms shows runtime 1 and bw = io_bytes / 1 ms (49152000
  // KiB/s for 48 MiB), never runtime 0 with bw 0.
  const auto ceil_ms = [](uint64_t ns) { return (ns / 1000 + 999) / 1000; };
  const uint64_t verify_ns = std::min(verify_phase_ns, run_ns);
  for (int d = 0; d < 3; ++d)
    if (spec.does(static_cast<jobs::Dir>(d))) res.dirs[d].runtime_ms = ceil_ms(run_ns - verify_ns);
  if (res.dirs[0].total_ios) res.dirs[0].runtime_ms = ceil_ms(spec.does(jobs::Dir::read) ? run_ns : verify_ns);
  for (int d = 0; d < 3; ++d) {
    if (per_io_bw_) res.dirs[d].bw_stat = rate_stat_of(per_io_bw_stat_[d]);
    if (per_io_iops_) res.dirs[d].iops_stat = rate_stat_of(per_io_iops_stat_[d]);
  }
  rusage ru{};
  getrusage(RUSAGE_THREAD, &ru);
  const double secs = static_cast<double>(run_ns) / 1e9;
  if (secs > 0) {
    res.usr_cpu = (tv_sec(ru.ru_utime) - ru0_.usr) / secs * 100.0;
    res.sys_cpu = (tv_sec(ru.ru_stime) - ru0_.sys) / secs * 100.0;
  }
  res.ctx = static_cast<uint64_t>((ru.ru_nvcsw - ru0_.nvcsw) + (ru.ru_nivcsw - ru0_.nivcsw));
  res.majf = static_cast<uint64_t>(ru.ru_majflt - ru0_.majflt);
  res.minf = static_cast<uint64_t>(ru.ru_minflt - ru0_.minflt);
  LiveCounters& lc = shared.live[static_cast<size_t>(spec.job_index)];
  for (int d = 0; d < 3; ++d) {
    lc.bytes[d].store(res.dirs[d].io_bytes, std::memory_order_relaxed);
    lc.ios[d].store(res.dirs[d].total_ios, std::memory_order_relaxed);
  }
}

void Worker::teardown() {
  const bool stopped_by_signal = shared.signalled.load();
  if (spec.end_fsync && writes && !stopped_by_signal) do_fsync_all(false);
  for (auto& f : files) {
    if (f.fd < 0) continue;
    if (spec.fsync_on_close && writes) (void)::fsync(f.fd);
    ::close(f.fd);
    f.fd = -1;
    if (spec.unlink && !volumes::remove_created_file(f.target.path))
      res.extras["unlink"] = fmt::format("'{}' was not created by fiokit: left in place", f.target.path);
  }
  if (logs_) logs_->close();
  engine.reset();
}

}  // namespace fiokit::engine
