// Worker (see worker.hpp): one job clone's life — setup of its collaborators
// in order (plan, files, buffers, engine), the start gate, the loops and
// time_based repeats, errors, the waits that notice a stop, and teardown. The
// general offset choice is in worker_prep.cpp; verify and the fsync=N syncs in
// worker_verify.cpp; failed and short I/Os in worker_errors.cpp; the I/O loop
// in io_loop.hpp.
#include "engine/loop_clock.hpp"
#include "engine/numa.hpp"
#include "engine/offload_engine.hpp"
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
    : spec(s), shared(sh), res(r), trace(t), targets_(std::move(targets)), sampler_(s, r, sh) {
  // A Worker outside run_jobs (tests) has no live slot: it watches `halt`.
  const auto i = static_cast<size_t>(s.job_index);
  stop_ = i < sh.live.size() ? &sh.live[i].stop : &sh.halt;
}

// The engine goes first: it may hold the files' descriptors and the buffers.
Worker::~Worker() { engine_.reset(); }

void Worker::record_error(int err, const std::string& what) {
  if (!failed) {
    res.error = err ? err : EIO;
    res.error_message = what;
    res.error_ignored = false;
  }
  failed = true;
  halted = true;
  if (spec.exitall_on_error) shared.terminate(spec.group_id, spec.exit_what);
}

void Worker::run(StartGate& gate, const std::vector<int>& wait_for_jobs) {
  bool postrun_due = false;
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
      // fio runs exec_prerun once the job's files are laid out, right
      // before its I/O; exec_postrun after its logs (job_commands.cpp).
      if (!halt_requested() && (postrun_due = prerun())) run_io();
    }
  } catch (const std::exception& e) {
    record_error(EIO, fmt::format("job '{}': {}", spec.name, e.what()));
  }
  try {
    teardown();
  } catch (const std::exception& e) {
    record_error(EIO, fmt::format("job '{}': teardown: {}", spec.name, e.what()));
  }
  if (postrun_due) postrun();
  if (shared.signalled.load()) res.interrupted = true;
  if (spec.exitall) shared.terminate(spec.group_id, spec.exit_what);
}

// prio / prioclass (issue 15, part prio). fio 3.33 calls ioprio_set on the
// job's thread when either is given and keeps the value as the job's ioprio:
// io_uring puts it in every request (a submission thread would not inherit
// it), the report files the job's latencies under it. A refusal (realtime
// class without CAP_SYS_ADMIN / CAP_SYS_NICE) fails the job, as in fio.
void Worker::set_job_ioprio() {
  res.ioprio = 0;
  if (!spec.ioprio_given) return;
  ioprio_ = ioprio_value(spec.prioclass, spec.prio);
  if (const int rc = set_thread_ioprio(ioprio_); rc < 0)
    throw SetupError(fmt::format("job '{}': prioclass={} prio={}: ioprio_set failed: {}{}", spec.name, spec.prioclass,
                                 spec.prio, std::strerror(-rc),
                                 rc == -EPERM ? " (the realtime class needs CAP_SYS_ADMIN or CAP_SYS_NICE)" : ""),
                     -rc);
  res.ioprio = ioprio_;
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
  res.continue_on_error = spec.continue_on_error != 0;
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
  apply_numa(spec);  // numa_cpu_nodes / numa_mem_policy, in this thread before its buffers exist
  set_job_ioprio();  // prio / prioclass, before the engine exists (as fio: before td_io_init)
  (void)tsc_rate_fp32();  // the loop clock's one-off 2 ms calibration, here and not in the timed run

  // One registry lookup: the row gives both the factory and the features.
  const EngineInfo* info = find_engine(spec.ioengine);
  if (!info)
    throw SetupError(fmt::format("job '{}': unknown ioengine '{}'", spec.name, spec.ioengine), EINVAL);
  engine_ = info->make();
  EngineFeatures feat = info->features;
  // io_submit_mode=offload: the job queues to submit threads, which is async
  // whatever the engine (offload_engine.cpp), so the loop reaps and times slat.
  if (spec.io_submit_offload && info->make) {
    engine_ = make_offload_engine(*info);
    feat.sync = false;
  }

  // What the loop will do, decided once.
  const JobPlan& p = plan_.emplace(spec, targets_, feat, job_seed(spec), replay_.get());
  rng_off_.seed(p.seed ^ 1);
  rng_mix_.seed(p.seed ^ 2);
  rng_bs_.seed(p.seed ^ 3);
  rng_file_.seed(p.seed ^ 4);
  rng_map_.seed(p.seed ^ 9);
  rng_taus_.seed(p.seed ^ 8, p.taus64);
  rng_prio_.seed(p.seed ^ 11);
  cmdprio_ = cmdprio_tab_.init(spec, ioprio_, res.dirs);
  prio_lat_ = spec.lat_percentiles;
  loop_limit_bytes_ = p.loop_limit_bytes;
  loop_limit_ios_ = p.loop_limit_ios;
  // number_ios over loops (issue 16, part xverify): fio 3.33 stops at
  // number_ios x loops I/Os counted over the whole job, and a loop still ends
  // when it has covered the region, so number_ios=6 loops=2 over 8 blocks
  // issues 8 then 4 (12), loops=3 8, 8, 2 (measured with write_iolog). fio
  // counts verify reads in that budget too, which only verify_backlog
  // models (per loop), so jobs that verify keep the per-loop count.
  if (spec.number_ios && !spec.time_based && !p.verify && !replay_) {
    ios_budget_ = spec.number_ios * std::max<uint32_t>(1, spec.loops);
    loop_limit_ios_ = ios_budget_;
  }
  file_ios_left_ = std::max<uint32_t>(1, spec.file_service_nr);
  pacer.init(spec, p);
  pacing = p.rated;
  thinking = p.thinking;
  sync_every = p.writes ? (spec.fsync ? spec.fsync : spec.fdatasync) : 0;
  // fio drops serialize_overlap when nothing changes data or only one I/O
  // can be out (iodepth=1): there is nothing to hold back then.
  serialize_overlap = spec.serialize_overlap && p.queue.depth > 1 && (spec.does(jobs::Dir::write) || spec.does(jobs::Dir::trim));
  const auto ji = static_cast<size_t>(spec.job_index);
  if (ji < shared.flow.size() && shared.flow[ji].active()) {
    flow = &shared.flow[ji];
    flow_sleep_ns = spec.flow_sleep_us * 1000;
  }

  files_.init(spec, targets_, p.unit_bytes, &res.extras);
  files_.set_confinement(ji < shared.confine.size() ? shared.confine[ji] : nullptr);
  // The hot-path copies (worker.hpp, top of Worker).
  file0_ = files_.size() ? &files_[0] : nullptr;
  unit_bytes_ = p.unit_bytes;
  rw_modifier_ = static_cast<uint64_t>(spec.rw_modifier);  // >= 0 here: backwards jobs take the general path
  fixed_len_ = p.fixed_len;
  fixed_dir_ = p.fixed_dir;
  fast_seq_ = p.fast_seq;
  fast_rand_ = p.fast_rand;
  trimwrite_ = p.trimwrite;
  stamp_writes_ = p.stamp_writes;
  replaying_ = replay_ != nullptr;
  for (size_t i = 0; i < files_.size(); ++i) {
    files_[i].perm_pass = static_cast<uint64_t>(i) << 40;
    next_pass(files_[i]);
  }

  std::string why;
  latency_setup();
  if (p.verify && !verifier_.init(spec, &why))
    throw SetupError(fmt::format("job '{}': {}", spec.name, why), EINVAL);
  checking_reads_ = p.verifying_reads;
  const bool verify_writes = verifier_.enabled() && p.writes && spec.do_verify;
  // time_based with verify: fio 3.33 leaves its write loop for the verify
  // phase when the bytes it counts as issued reach size (2 x size with
  // verify_backlog); it counts only I/Os an engine queues (and short ones),
  // so with psync/sync/pvsync the writes run to the deadline and the verify
  // phase never starts (its warning: "verification read phase will never
  // start because write phase uses all of runtime"). Measured: randwrite
  // 1 MiB time_based runtime=1 verify=md5 reads 0 KiB with psync, 70 MiB with
  // libaio.
  // fio's null engine completes in queue() at iodepth=1 only.
  final_verify_ = !(spec.time_based && (feat.sync || (feat.diskless && p.queue.depth == 1)));
  // fio "pretends" every read of an engine that fakes its I/O (null) verified.
  fake_verify_ = feat.diskless;
  backlog_ = verify_writes && spec.verify_backlog > 0;
  if (spec.verify_async && p.verify) {
    pool_ = std::make_unique<VerifyPool>();
    pool_late_ = !feat.sync;
    if (auto e = pool_->start(verifier_, spec.verify_async, spec.verify_async_cpus); !e.empty())
      throw SetupError(fmt::format("job '{}': {}", spec.name, e), EINVAL);
  }
  xverify_setup(feat);  // experimental_verify: replaces the record of writes (and so the backlog)
  if (backlog_) {
    // fio lists the writes of a job with a random map in order and keeps the
    // others sorted (see verify_pass).
    backlog_log_.init(spec.verify_backlog, spec.verify_backlog_batch, p.random && p.use_map && !p.lfsr);
    unit_seq_.assign(p.queue.depth, 0);
    unit_verify_.assign(p.queue.depth, 0);
  }

  sampler_.open_logs();
  if (!spec.write_iolog.empty()) {
    // fio opens its iolog before the job's files: their "add" lines come first.
    iolog_ = std::make_unique<IoLogWriter>();
    iolog_->open(IoLogWriter::path_for(spec, shared.run_dir), now_ns());
    const uint64_t t = now_ns();
    for (const auto& f : files_) iolog_->file(f.target.path, "add", t);
  }

  if (replay_) {
    using jobs::Dir;
    files_.set_replay_access(replay_->does(Dir::read) || (p.verify && spec.do_verify), replay_->does(Dir::write) || replay_->does(Dir::trim));
  }
  // fio never marks the latency buckets of a FIO_NOSTATS engine: the JSON's
  // latency_us etc. are all zero although clat holds the operations' times.
  if (feat.no_io_stats) res.lat_buckets_pct.emplace();
  if (!feat.diskless && feat.needs_fds) {
    files_.open(p.random, p.verify);
    files_.invalidate_pass(true);
  }
  if (iolog_) log_files("open");
  {
    // Every job's buffer seed comes from the run (dedupe_global reads the
    // others'); a worker made alone (tests) derives its own.
    const uint64_t bseed = ji < shared.buffer_seed.size() ? shared.buffer_seed[ji] : IoBuffers::buffer_seed(spec);
    buffers_.allocate(spec, p.buf_len, p.queue.depth, bseed, p.min_len[static_cast<int>(jobs::Dir::write)], shared.buffer_seed);
    refill_ = IoBuffers::refills(spec);
  }
  queue.init(p.queue, buffers_.arena(), p.buf_len);
  queue.bind_stats(&res.depth);

  EngineSetup es;
  es.iodepth = p.queue.depth;
  es.units = &queue.units();
  es.buf_len = p.buf_len;
  es.fds = files_.fds();
  for (const auto& f : files_) es.paths.push_back(f.target.path);
  es.fds_stable = !spec.unlink_each_loop;
  es.direct = spec.direct;
  es.options = spec.engine_options;  // typed by the engine's own table
  es.job_name = spec.name;
  es.confine = ji < shared.confine.size() ? shared.confine[ji] : nullptr;
  es.runtime_us = spec.runtime_us;
  es.io_jobs_running = [this] {
    bool any = false;
    for (size_t k = 0; k < shared.live.size(); ++k) {
      if (k < shared.no_bytes.size() && shared.no_bytes[k]) continue;
      any = true;
      if (shared.live[k].state.load() != 2) return true;
    }
    return !any;
  };
  if (const int rc = engine_->init(es); rc < 0) {
    std::string hint = engine_->error_hint();
    if (hint.empty()) hint = fmt::format("{}: setup failed: {}", engine_->name(), std::strerror(-rc));
    throw SetupError(fmt::format("job '{}': ioengine={}: {}", spec.name, engine_->name(), hint), -rc);
  }
  if (engine_->overrides_think()) {
    engine_thinks_ = true;
    thinking = true;
    pacer.think_every_io();
  }
}

// fio's file-operation engines (filecreate, filestat, filedelete) carry
// FIO_NOSTATS: a completed I/O adds bytes and an I/O count but no lat/clat
// sample and no latency bucket; the engine's open/stat/unlink adds one clat
// sample to the read side (the write side when the job does not read).
// Measured with fio 3.33: nrfiles=5 filesize=4k gives read io_bytes 20480,
// total_ios 5, clat N 5, lat N 0, slat N 0; bs=8k filesize=16k gives 10 I/Os
// and still 5 clat samples.
void Worker::complete_fileop(IoUnit& u, uint64_t op_ns) {
  if (u.result != static_cast<int64_t>(u.len)) {
    (void)account_short(u);
    queue.put_free(&u);
    return;
  }
  results::DirStats& d = res.dirs[idx(u.dir)];
  d.io_bytes += u.len;
  ++d.total_ios;
  if (op_ns) res.dirs[idx(spec.does(Dir::read) ? Dir::read : Dir::write)].clat.add(op_ns);
  queue.put_free(&u);
  const uint64_t now = now_ns();
  if (sampler_.event_due(now)) on_event(now);
}

void Worker::complete_noio(IoUnit& u, uint64_t now) {
  if (u.result < 0) {
    // -ECANCELED: the engine ended the job (cpuio's exit_on_io_done); any
    // other error failed it (exec: the program could not be started).
    if (u.result != -ECANCELED)
      record_error(static_cast<int>(-u.result), fmt::format("job '{}': ioengine={}: {}", spec.name, engine_->name(), engine_->error_hint()));
    halted = true;
    queue.put_free(&u);
    return;
  }
  results::DirStats& d = res.dirs[idx(u.dir)];
  ++d.total_ios;
  const uint64_t lat = now - u.start_ns;
  d.clat.add(lat);
  d.lat.add(lat);
  sampler_.record<true>(u, now, lat);
  queue.put_free(&u);
  if (sampler_.event_due(now)) on_event(now);
}

void Worker::on_event(uint64_t now) {
  const unsigned ev = sampler_.on_event(now);
  if (ev & (Sampler::deadline | Sampler::steady)) halted = true;
  if (ev & Sampler::rate_min_failed) record_error(EIO, sampler_.error());
  if ((ev & Sampler::ramp_over) && lat_) latency_start(now);  // fio restarts the search at ramp_time's end
}

void Worker::reset_loop() {
  // fio closes and reopens the files between loops; its iolog shows both.
  if (iolog_) {
    log_files("close");
    log_files("open");
  }
  loop_bytes_ = loop_ios_ = 0;
  // fio forgets at each loop (not at a time_based wrap) that the last I/O
  // was a sync, so a sync due at the loop's end is due again at its start.
  if (sync_every && !spec.time_based) sync_pending = write_issues_ % sync_every == 0 && write_issues_ != 0;
  seq_run_left_ = 0;
  trim_then_write_ = false;
  // file_service_type=sequential starts each loop at the first file again
  // (fio 3.33, write_iolog of nrfiles=3 loops=2: 0000 1111 2222 0000 ...).
  if (spec.file_service_type == jobs::FileServiceType::sequential) cur_file_ = 0;
  reseed_loop();
  for (auto& f : files_) {
    // fio 3.33 keeps a backward walk's position across loops (loops=2 of
    // size=64k read:-8k: 0 14 ... 1 0 14 13 ... 1 0 14, measured), so only
    // forward sequential positions restart at the region's start.
    if (!plan_->seq_backward)
      for (auto& pos : f.seq_pos) pos = f.target.offset;
    f.issued = 0;
    restart_pass(f);
  }
  engine_->start_pass();
  if (spec.unlink_each_loop) files_.reopen(plan_->random, plan_->verify);
  // fio reopens its files for every loop, but wraps in place when time_based.
  files_.invalidate_pass(!spec.time_based || spec.unlink_each_loop);
}

void Worker::run_io() {
  const uint64_t start = now_ns();
  replay_last_ns_ = start;
  // fio counts a version 2 "wait" from its genesis, the program's start, not
  // the job's: the run's start is fiokit's nearest equivalent.
  io_start_ns_ = shared.run_start_ns ? shared.run_start_ns : start;
  pacer.start(start);
  engine_->start_io(start);
  sampler_.start(start, plan_->min_rate);
  latency_start(start);

  const bool verify_writes = verifier_.enabled() && plan_->writes && spec.do_verify;
  for (;;) {
    if (spec.verify_only) {
      verify_pass(true, true);
      break;
    }
    // verify_backlog reads happen inside the loop (prep_backlog); what is
    // left is read back after it, as without it.
    if (passes_) xverify_loop_start();
    engine_->run_loop(*this);
    finish_async_checks();  // the backlog's checks, or a read job's
    if (passes_) xv_issued_ += loop_bytes_;
    if (verify_writes && final_verify_ && !halt_requested()) verify_pass(false, true);
    // fio 3.33 replays a log once, whatever loops= or time_based say
    // (measured: loops=2 gives the log's I/O once, in the log's time).
    if (halt_requested() || replay_) break;
    ++loops_done_;
    if (spec.time_based && spec.runtime_us) {
      if (now_ns() >= sampler_.deadline_ns()) break;
    } else if (loops_done_ >= std::max<uint32_t>(1, spec.loops) && !(passes_ && xverify_more())) {
      break;
    }
    if (passes_ && !xverify_next_loop()) break;
    if (ios_budget_) {
      ios_used_ += loop_ios_;
      if (ios_used_ >= ios_budget_) break;
    }
    reset_loop();
    if (ios_budget_) loop_limit_ios_ = ios_budget_ - ios_used_;
  }
  sampler_.finish(now_ns(), verify_phase_ns_);
  latency_finish();
  if (engine_->features().no_bytes)
    for (auto& d : res.dirs) d.runtime_ms = 0;  // see EngineFeatures::no_bytes
}

void Worker::teardown() {
  const bool stopped_by_signal = shared.signalled.load();
  const bool writes = plan_ && plan_->writes;
  if (spec.end_fsync && writes && !stopped_by_signal) {
    if (iolog_)
      for (const auto& f : files_) iolog_->io(f.target.path, "sync", last_offset_, 0, now_ns());
    std::string what;
    if (const int e = files_.sync_all(false, &what); e != 0) record_error(e, what);
  }
  if (iolog_) log_files("close");
  files_.close_all(spec.fsync_on_close && writes);
  // The file-operation engines hold no descriptor, so close_all passed their
  // files by; unlink=1 removes them as fio does (filecreate's and filestat's
  // files; filedelete's are gone), and still only those fiokit created.
  if (spec.unlink && engine_ && engine_->features().no_io_stats)
    for (const auto& t : targets_) (void)volumes::remove_created_file(t.path, files_.confinement());
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
  try {
    if (iolog_) iolog_->close();
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

// fio retries at once (no sleep, no reap) while flow control holds a job
// without flow_sleep; only its clock keeps running: the runtime deadline and
// the sample windows, which here are otherwise driven by completions.
void Worker::flow_spin() {
  // The CPU goes to whoever else can run on it meanwhile: the partner this
  // job waits for may be queued on this very CPU (a loaded machine, or fewer
  // cores than spinning jobs), where a pure spin burns its time slices while
  // it cannot run; fio 3.33 spins that way and a rate_iops=1000 job of its
  // t0011 falls to ~200 IOPS on one CPU. The counts and ratios are the same.
  sched_yield();
  const uint64_t now = now_ns();
  if (sampler_.event_due(now)) on_event(now);
  if (now >= sampler_.deadline_ns()) halted = true;
}

void Worker::think() {
  const uint64_t t0 = now_ns();
  if (engine_thinks_) {
    sleep_until(t0 + engine_->think_override_ns());
    return;
  }
  const uint64_t spin = pacer.think_spin_ns();
  while (now_ns() - t0 < spin && !halt_requested()) {
  }
  sleep_until(t0 + pacer.think_ns());
}

}  // namespace fiokit::engine
