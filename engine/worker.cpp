// Worker (see worker.hpp): one job clone's life — setup of its collaborators
// in order (plan, files, buffers, engine), the start gate, the loops and
// time_based repeats, errors, the waits that notice a stop, and teardown. The
// general offset choice is in worker_prep.cpp; verify and the fsync=N syncs in
// worker_verify.cpp; the I/O loop in io_loop.hpp.
#include "engine/worker.hpp"

#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

#include <fmt/format.h>

namespace fiokit::engine {
namespace {

constexpr uint64_t kMs = 1'000'000;

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

}  // namespace

Worker::Worker(const jobs::JobSpec& s, RunShared& sh, results::JobResult& r, std::vector<TraceRecord>* t,
               std::vector<volumes::FileTarget> targets)
    : spec(s), shared(sh), res(r), trace(t), targets_(std::move(targets)), sampler_(s, r, sh) {}

// The engine goes first: it may hold the files' descriptors and the buffers.
Worker::~Worker() { engine_.reset(); }

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
      throw SetupError(fmt::format("job '{}': cpus_allowed: cannot pin the thread: {}", spec.name, std::strerror(e)), e);
  }

  // One registry lookup: the row gives both the factory and the features.
  const EngineInfo* info = find_engine(spec.ioengine);
  if (!info)
    throw SetupError(fmt::format("job '{}': unknown ioengine '{}'", spec.name, spec.ioengine), EINVAL);
  engine_ = info->make();
  const EngineFeatures feat = info->features;

  // What the loop will do, decided once.
  const JobPlan& p = plan_.emplace(spec, targets_, feat, job_seed(spec));
  rng_off_.seed(p.seed ^ 1);
  rng_mix_.seed(p.seed ^ 2);
  rng_bs_.seed(p.seed ^ 3);
  rng_file_.seed(p.seed ^ 4);
  rng_map_.seed(p.seed ^ 9);
  rng_taus_.seed(p.seed ^ 8, p.taus64);
  loop_limit_bytes_ = p.loop_limit_bytes;
  loop_limit_ios_ = p.loop_limit_ios;
  file_ios_left_ = std::max<uint32_t>(1, spec.file_service_nr);
  pacer.init(spec, p);
  pacing = p.rated;
  thinking = p.thinking;

  files_.init(spec, targets_, p.unit_bytes, &res.extras);
  // The hot-path copies (worker.hpp, top of Worker).
  file0_ = files_.size() ? &files_[0] : nullptr;
  unit_bytes_ = p.unit_bytes;
  rw_modifier_ = spec.rw_modifier;
  fixed_len_ = p.fixed_len;
  fixed_dir_ = p.fixed_dir;
  fast_seq_ = p.fast_seq;
  fast_rand_ = p.fast_rand;
  trimwrite_ = p.trimwrite;
  stamp_writes_ = p.stamp_writes;
  for (size_t i = 0; i < files_.size(); ++i) {
    files_[i].perm_pass = static_cast<uint64_t>(i) << 40;
    next_pass(files_[i]);
  }

  std::string why;
  if (p.verify && !verifier_.init(spec, &why))
    throw SetupError(fmt::format("job '{}': {}", spec.name, why), EINVAL);
  checking_reads_ = p.verifying_reads;

  sampler_.open_logs();

  if (!feat.diskless) {
    files_.open(p.random, p.verify);
    files_.invalidate_pass(true);
  }
  buffers_.allocate(spec, p.buf_len, p.queue.depth, p.seed);
  queue.init(p.queue, buffers_.arena(), p.buf_len);
  queue.bind_stats(&res.depth);

  EngineSetup es;
  es.iodepth = p.queue.depth;
  es.units = &queue.units();
  es.buf_len = p.buf_len;
  es.fds = files_.fds();
  es.fds_stable = !spec.unlink_each_loop;
  es.options = spec.engine_options;  // typed by the engine's own table
  if (const int rc = engine_->init(es); rc < 0) {
    std::string hint = engine_->error_hint();
    if (hint.empty()) hint = fmt::format("{}: setup failed: {}", engine_->name(), std::strerror(-rc));
    throw SetupError(fmt::format("job '{}': ioengine={}: {}", spec.name, engine_->name(), hint), -rc);
  }
}

bool Worker::account_short(IoUnit& u) {
  const FileState* f = u.file < files_.size() ? &files_[u.file] : nullptr;
  const std::string path = f ? f->target.path : std::string("(none)");
  if (u.result < 0) {
    const int e = static_cast<int>(-u.result);
    const char* hint = *engine_->io_error_hint(e) ? engine_->io_error_hint(e)
                       : e == EINVAL && spec.direct ? " (direct=1 needs offsets, sizes and buffers aligned to the device's logical block size)"
                                                    : "";
    record_error(e, fmt::format("job '{}': {} of {} bytes at offset {} in '{}' failed: {}{}", spec.name, jobs::dir_name(u.dir), u.len,
                                u.offset, path, std::strerror(e), hint));
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

void Worker::on_event(uint64_t now) {
  const unsigned ev = sampler_.on_event(now);
  if (ev & (Sampler::deadline | Sampler::steady)) halted = true;
  if (ev & Sampler::rate_min_failed) record_error(EIO, sampler_.error());
}

void Worker::reset_loop() {
  loop_bytes_ = loop_ios_ = 0;
  seq_run_left_ = 0;
  trim_then_write_ = false;
  reseed_loop();
  for (auto& f : files_) {
    for (auto& pos : f.seq_pos) pos = f.target.offset;
    f.issued = 0;
    restart_pass(f);
  }
  if (spec.unlink_each_loop) files_.reopen(plan_->random, plan_->verify);
  // fio reopens its files for every loop, but wraps in place when time_based.
  files_.invalidate_pass(!spec.time_based || spec.unlink_each_loop);
}

void Worker::run_io() {
  const uint64_t start = now_ns();
  pacer.start(start);
  sampler_.start(start, plan_->min_rate);

  const bool verify_writes = verifier_.enabled() && plan_->writes && spec.do_verify;
  const uint64_t backlog = spec.verify_backlog;
  for (;;) {
    if (spec.verify_only) {
      verify_pass(true, true);
      break;
    }
    if (backlog && verify_writes) {
      // verify_backlog=N: verify what was written every N writes.
      const uint64_t keep = loop_limit_ios_;
      while (!failed && !halt_requested() && loop_bytes_ < loop_limit_bytes_ && (!keep || loop_ios_ < keep)) {
        loop_limit_ios_ = std::min(keep ? keep : UINT64_MAX, loop_ios_ + backlog);
        engine_->run_loop(*this);
        const bool last = loop_bytes_ >= loop_limit_bytes_ || (keep && loop_ios_ >= keep) || halt_requested();
        verify_pass(false, last);
      }
      loop_limit_ios_ = keep;
    } else {
      engine_->run_loop(*this);
      if (verify_writes && !halt_requested()) verify_pass(false, true);
    }
    if (halt_requested()) break;
    ++loops_done_;
    if (spec.time_based && spec.runtime_us) {
      if (now_ns() >= sampler_.deadline_ns()) break;
    } else if (loops_done_ >= std::max<uint32_t>(1, spec.loops)) {
      break;
    }
    reset_loop();
  }
  sampler_.finish(now_ns(), verify_phase_ns_);
}

void Worker::teardown() {
  const bool stopped_by_signal = shared.signalled.load();
  const bool writes = plan_ && plan_->writes;
  if (spec.end_fsync && writes && !stopped_by_signal) {
    std::string what;
    if (const int e = files_.sync_all(false, &what); e != 0) record_error(e, what);
  }
  files_.close_all(spec.fsync_on_close && writes);
  // A log that cannot be written (full data dir) is not a failed job: fio
  // 3.33 then exits 0 with "error": 0 and a silently short log (tried on a
  // 64 KiB tmpfs). fiokit keeps the job clean as fio does, and hands the
  // failure to the run (extras "log_error"), which names it with the run
  // dir's other unwritten files and exits 1.
  try {
    sampler_.close_logs();
  } catch (const std::system_error& e) {
    res.extras["log_error"] = e.what();
  }
  engine_.reset();
}

bool Worker::sleep_until(uint64_t t) {
  for (;;) {
    if (halt_requested()) return false;
    if (sampler_.steady_attained()) {
      halted = true;
      return false;
    }
    const uint64_t now = now_ns();
    const uint64_t deadline = sampler_.deadline_ns();
    if (now >= deadline) {
      halted = true;
      return false;
    }
    if (now >= t) return true;
    // Short slices: a stop request or the deadline is noticed within 100 ms.
    const uint64_t dt = std::min({t - now, deadline - now, 100 * kMs});
    timespec ts{static_cast<time_t>(dt / 1'000'000'000ull), static_cast<long>(dt % 1'000'000'000ull)};
    nanosleep(&ts, nullptr);
  }
}

void Worker::think() {
  const uint64_t t0 = now_ns();
  const uint64_t spin = pacer.think_spin_ns();
  while (now_ns() - t0 < spin && !halt_requested()) {
  }
  sleep_until(t0 + pacer.think_ns());
}

}  // namespace fiokit::engine
