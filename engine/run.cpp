// run_jobs (see run.hpp): schedules jobs into segments separated by stonewall,
// lays out each segment's files on the calling thread (so clones sharing a file
// do not race to create it), starts one thread per job clone, and watches the
// stop flag and progress while they run. Workers are threads of this process,
// so they can never outlive it (a SIGKILLed run leaves no I/O behind).
#include "engine/run.hpp"

#include "engine/disk_stats.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <ctime>
#include <map>
#include <memory>
#include <stdexcept>
#include <system_error>
#include <thread>

#include <fmt/format.h>

#include "engine/io_buffers.hpp"
#include "engine/job_logs.hpp"
#include "engine/worker.hpp"
#include "util/wall_clock.hpp"

namespace fiokit::engine {
namespace {

// Content of laid-out files: pseudo-random, so compressing or deduplicating
// storage does not make reads faster than they would be on real data.
void fill_layout(uint8_t* buf, size_t len, uint64_t offset) {
  Rng r(mix64(offset ^ 0x1a70));
  size_t i = 0;
  for (; i + 8 <= len; i += 8) {
    const uint64_t v = r.next();
    std::memcpy(buf + i, &v, 8);
  }
  for (; i < len; ++i) buf[i] = static_cast<uint8_t>(r.next());
}

bool is_diskless(const std::string& engine_name) {
  const EngineInfo* e = find_engine(engine_name);
  return e && e->features.diskless;
}

// Lays out the planned files of one job; SetupError on failure (a failed
// plan included, so it is reported as the job's error, as a layout failure is).
std::vector<volumes::FileTarget> prepare_files(const jobs::JobSpec& j, const volumes::FilePlan& plan,
                                               const std::atomic<bool>* stop, const volumes::Confinement* confine) {
  if (plan.err) throw SetupError(plan.error, plan.err);  // plan_files named the job
  const std::vector<volumes::FileTarget>& targets = plan.targets;
  if (plan.diskless || j.create_on_open) return targets;
  volumes::LayoutOptions o;
  // Reads (and verify_only) need real bytes; write-only jobs only need the
  // file to exist with its size, as fio lays them out.
  o.need_data = j.does(jobs::Dir::read) || j.verify_only || j.does(jobs::Dir::trim);
  // A replay reads only bytes that exist or that it wrote (plan_files checked
  // each line): a missing file is created empty, at the log's extent.
  if (plan.replay) o.need_data = false;
  o.fallocate = j.fallocate;
  o.allow_create = j.allow_file_create;
  o.fill = fill_layout;
  // Part dedupe: fio 3.33 lays a file out with the job's own write buffers
  // (one per write block), so a read job with dedupe_percentage or a compress
  // percentage reads duplicate or compressible data (measured: rw=read,
  // dedupe_percentage=50 on 1 MiB lays out 119 distinct 4k blocks of 256).
  if (o.need_data && (j.dedupe_percentage || (j.buffer_compress_percentage > 0 && j.buffer_compress_percentage < 100))) {
    const uint64_t bs = std::max<uint64_t>(1, j.bs[jobs::Dir::write]);
    auto bufs = std::make_shared<IoBuffers>();
    bufs->allocate(j, static_cast<size_t>(bs), 1, IoBuffers::buffer_seed(j), bs);
    o.fill = [bufs, bs](uint8_t* buf, size_t len, uint64_t) {
      for (size_t at = 0; at < len; at += bs) bufs->refill(buf + at, std::min<size_t>(bs, len - at), 0);
    };
  }
  o.stop = stop;
  o.fill_device = j.fill_device;
  o.confine = confine;
  std::vector<volumes::FileTarget> out = targets;
  for (auto& t : out) {
    try {
      volumes::lay_out_file(t, o);
    } catch (const volumes::LayoutError& e) {  // names the file, not the job
      throw SetupError(fmt::format("job '{}': {}", j.name, e.what()), e.err);
    }
    // fill_device on a job that reads: the layout wrote until the file
    // system was full, and the job reads what is there (fio 3.33 sets the
    // file's io_size to its real size then: rw=read on a full 1 MiB tmpfs
    // reads 256 x 4k, measured).
    if (j.fill_device && o.need_data && !t.is_device) {
      struct stat st {};
      const uint64_t len = ::stat(t.path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
      if (len <= t.offset)
        throw SetupError(fmt::format("job '{}': fill_device: '{}' holds no bytes past offset {}: the file system was full before the "
                                     "job began", j.name, t.path, t.offset), ENOSPC);
      t.size = std::min(t.size, len - t.offset);
    }
  }
  return out;
}

std::string ctime_now(time_t t) {
  char buf[64];
  struct tm tm {};
  localtime_r(&t, &tm);
  strftime(buf, sizeof(buf), "%a %b %e %H:%M:%S %Y", &tm);
  return buf;
}

// The start gate's wait (RunOptions::before_start): an absolute sleep on
// CLOCK_REALTIME, the clock the members share (NTP-disciplined), in slices of
// at most 100 ms so a stop request ends it within that. Signals are blocked in
// this thread (cli/signals.hpp), so the sleep is not cut short by one. The
// last 2 ms are spun on the clock: on a busy host a wake-up from sleep came
// up to ~8 ms late (measured on 2 loaded cores), a thread already running
// is not, and 2 ms of CPU once per run costs nothing.
void sleep_until_unix_ns(int64_t target, const std::atomic<bool>* stop) {
  constexpr int64_t kSpinNs = 2'000'000;
  for (;;) {
    if (stop && stop->load()) return;
    const int64_t now = util::unix_ns_now();
    if (now >= target) return;
    if (target - now <= kSpinNs) continue;
    const int64_t wake = std::min<int64_t>(target - kSpinNs, now + 100'000'000);
    const timespec ts{static_cast<time_t>(wake / 1'000'000'000), static_cast<long>(wake % 1'000'000'000)};
    clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &ts, nullptr);
  }
}

}  // namespace

volumes::RunPlan plan_run(const std::vector<jobs::JobSpec>& jobs) {
  return volumes::plan_run(jobs, [](const jobs::JobSpec& j) { return is_diskless(j.ioengine); });
}

results::RunResult run_jobs(const std::vector<jobs::JobSpec>& jobs, const RunOptions& opts) {
  return run_jobs(jobs, plan_run(jobs), opts);
}

results::RunResult run_jobs(const std::vector<jobs::JobSpec>& jobs, const volumes::RunPlan& plan, const RunOptions& opts) {
  if (plan.size() != jobs.size())
    throw std::invalid_argument(fmt::format("run_jobs: a plan of {} jobs for {} jobs", plan.size(), jobs.size()));
  results::RunResult rr;
  rr.timestamp_ms = util::unix_ms_now();
  rr.timestamp = rr.timestamp_ms / 1000;
  rr.time = ctime_now(static_cast<time_t>(rr.timestamp));
  const DiskStats disks(plan);
  const size_t n = jobs.size();
  rr.jobs.resize(n);
  if (opts.trace) opts.trace->assign(n, {});

  // The result slot of a job is its position in `jobs`; live counters and the
  // done flags are indexed by JobSpec::job_index, so both must agree.
  for (size_t i = 0; i < n; ++i)
    if (jobs[i].job_index != static_cast<int>(i))
      throw std::invalid_argument(fmt::format("job '{}': job_index {} does not match its position {}", jobs[i].name, jobs[i].job_index, i));

  // wait_for=NAME: every earlier clone of the job named NAME.
  std::vector<std::vector<int>> waits(n);
  for (size_t i = 0; i < n; ++i) {
    if (jobs[i].wait_for.empty()) continue;
    for (size_t k = 0; k < i; ++k)
      if (jobs[k].name == jobs[i].wait_for) waits[i].push_back(static_cast<int>(k));
    if (waits[i].empty())
      throw std::invalid_argument(fmt::format("job '{}': wait_for={} names no earlier job", jobs[i].name, jobs[i].wait_for));
  }

  // per_job_logs=0: every job appends to one shared file; empty it once here.
  // (A failure shows again, naming the file, when the job opens its logs.)
  try {
    JobLogs::truncate_shared(jobs, opts.run_dir);
  } catch (const std::system_error&) {
  }

  RunShared sh;
  sh.run_dir = opts.run_dir;
  sh.series = opts.series;
  for (const auto& j : jobs)
    sh.confine.push_back(opts.confine && (!opts.confine_applies || opts.confine_applies(j)) ? opts.confine : nullptr);
  sh.live = std::vector<LiveCounters>(n);
  sh.snaps = std::vector<RunShared::Snapshot>(n);
  sh.done.assign(n, 0);
  for (const auto& j : jobs) sh.group_of.push_back(j.group_id);
  for (const auto& j : jobs) sh.no_bytes.push_back(jobs::engine_traits(j.ioengine).no_bytes);
  for (const auto& j : jobs) sh.buffer_seed.push_back(IoBuffers::buffer_seed(j));
  sh.run_start_ns = now_ns();
  sh.flow = sh.flows.join_all(jobs);  // every job from the start, as fio (engine/flow.hpp)
  sh.steady = std::vector<SteadyLive>(n);
  // Steady state is checked here, once a second from the run's start, as fio
  // checks it on its helper thread from its own start (steady_state.hpp).
  SteadyMonitor steady(jobs, sh.steady, sh.run_start_ns);
  auto check_steady = [&] {
    steady.check(now_ns(), [&](size_t i) { return sh.live[i].state.load() == 1; });
  };

  auto poll_stop = [&] {
    if (opts.stop && opts.stop->load()) {
      sh.signalled.store(true);
      sh.halt_all();
    }
  };
  uint64_t next_progress = sh.run_start_ns + opts.progress_interval_ms * 1'000'000;
  auto report_progress = [&](bool force) {
    if (!opts.progress) return;
    const uint64_t now = now_ns();
    if (!force && now < next_progress) return;
    next_progress = now + opts.progress_interval_ms * 1'000'000;
    Progress p;
    p.elapsed_ms = (now - sh.run_start_ns) / 1'000'000;
    p.jobs_total = static_cast<int>(n);
    for (size_t i = 0; i < n; ++i) {
      const int st = sh.live[i].state.load();
      p.jobs_running += st == 1;
      p.jobs_done += st == 2;
      for (int d = 0; d < 3; ++d) {
        p.bytes[d] += sh.live[i].bytes[d].load(std::memory_order_relaxed);
        p.ios[d] += sh.live[i].ios[d].load(std::memory_order_relaxed);
      }
    }
    opts.progress(p);
  };

  // --status-interval and the checkpoint: ask the workers for a snapshot when
  // either is due, and hand it to the due ones once every running worker has
  // answered at its next progress point (<= 250 ms), or kAnswerNs passed. The
  // request goes out kAnswerNs before the due time, so the document appears by
  // the due time, as fio's: fio 3.33 with --status-interval=1 on a 3 s job
  // prints 3 status documents (at about 0.9, 1.9 and 2.9 s of I/O: its timer
  // runs from its own start) and the final one. Asking at the due time printed
  // one fewer (a job's end drops a pending request). Each figure is at most
  // kAnswerNs older than its due time; due times keep the interval's phase.
  constexpr uint64_t kAnswerNs = 300'000'000;
  const bool want_status = opts.status && opts.status_interval_ms > 0;
  const bool want_ckpt = opts.checkpoint && opts.checkpoint_interval_ms > 0;
  uint64_t next_status = want_status ? sh.run_start_ns + opts.status_interval_ms * 1'000'000 : UINT64_MAX;
  uint64_t next_ckpt = want_ckpt ? sh.run_start_ns + opts.checkpoint_interval_ms * 1'000'000 : UINT64_MAX;
  uint64_t status_due = 0;
  bool for_status = false, for_ckpt = false;
  auto report_status = [&] {
    if (!want_status && !want_ckpt) return;
    const uint64_t now = now_ns();
    const uint64_t answered = now + kAnswerNs;
    if (!status_due && (answered >= next_status || answered >= next_ckpt)) {
      sh.snap_gen.fetch_add(1, std::memory_order_release);
      status_due = answered;
      auto advance = [&](uint64_t& next, uint64_t interval_ms) {
        next += interval_ms * 1'000'000;
        if (next < answered) next = answered + interval_ms * 1'000'000;  // fell behind (interval < kAnswerNs)
      };
      if ((for_status = answered >= next_status)) advance(next_status, opts.status_interval_ms);
      if ((for_ckpt = answered >= next_ckpt)) advance(next_ckpt, opts.checkpoint_interval_ms);
      return;
    }
    if (!status_due) return;
    // Collect as soon as every running worker has answered (at most kAnswerNs).
    if (now < status_due) {
      const uint64_t asked = sh.snap_gen.load();
      for (size_t i = 0; i < n; ++i) {
        if (sh.live[i].state.load() != 1) continue;
        std::lock_guard lk(sh.snaps[i].m);
        if (sh.snaps[i].gen != asked) return;
      }
    }
    status_due = 0;
    results::RunResult snap;
    snap.tool = rr.tool;
    snap.version = rr.version;
    snap.timestamp = rr.timestamp;
    snap.timestamp_ms = rr.timestamp_ms;
    snap.time = rr.time;
    const uint64_t gen = sh.snap_gen.load();
    for (size_t i = 0; i < n; ++i) {
      bool done;
      {
        std::lock_guard lk(sh.done_m);
        done = sh.done[i] != 0;
      }
      if (done) {
        snap.jobs.push_back(rr.jobs[i]);  // the worker is finished with it
        continue;
      }
      std::lock_guard lk(sh.snaps[i].m);
      if (sh.snaps[i].gen == gen) snap.jobs.push_back(sh.snaps[i].res);
    }
    if (snap.jobs.empty()) return;
    if (for_status) opts.status(snap);
    if (for_ckpt) opts.checkpoint(snap);
  };

  size_t seg_begin = 0;
  while (seg_begin < n) {
    size_t seg_end = seg_begin + 1;
    while (seg_end < n && !jobs[seg_end].stonewall) ++seg_end;
    poll_stop();
    if (sh.halt.load()) {
      for (size_t i = seg_begin; i < n; ++i) {
        rr.jobs[i].name = jobs[i].name;
        rr.jobs[i].job_index = jobs[i].job_index;
        rr.jobs[i].group_id = jobs[i].group_id;
        rr.jobs[i].interrupted = sh.signalled.load();
      }
      break;
    }
    const size_t count = seg_end - seg_begin;
    std::vector<std::unique_ptr<Worker>> workers;
    struct Prepared {
      std::vector<volumes::FileTarget> targets;
      int err = 0;
      std::string msg;
    };
    std::vector<Prepared> prepared(count);
    auto prepare = [&](size_t i) {
      Prepared& pr = prepared[i - seg_begin];
      try {
        pr.targets = prepare_files(jobs[i], plan[i], opts.stop, sh.confine[i]);
      } catch (const SetupError& e) {
        pr.err = e.err;
        pr.msg = e.what();
      } catch (const std::exception& e) {
        pr.err = EIO;
        pr.msg = fmt::format("job '{}': {}", jobs[i].name, e.what());
      }
    };
    // create_serialize=0 (issue 16, part xverify): fio 3.33 lays out those
    // jobs' files at the same time, each job its own, instead of one job
    // after the other. The plan (sizes, regions) is the same either way, so
    // the figures are; a file two of these jobs share is still laid out by
    // one at a time (in job order), as concurrent writers of one file's
    // layout would race.
    std::vector<size_t> together;
    {
      std::map<std::string, int> uses;
      for (size_t i = seg_begin; i < seg_end; ++i)
        for (const auto& t : plan[i].targets) ++uses[t.path];
      for (size_t i = seg_begin; i < seg_end; ++i)
        if (!jobs[i].create_serialize &&
            std::all_of(plan[i].targets.begin(), plan[i].targets.end(), [&](const volumes::FileTarget& t) { return uses[t.path] == 1; }))
          together.push_back(i);
    }
    if (together.size() > 1) {
      std::vector<std::thread> layout;
      for (size_t i : together) layout.emplace_back(prepare, i);
      for (auto& t : layout) t.join();
    } else {
      together.clear();
    }
    for (size_t i = seg_begin; i < seg_end; ++i)
      if (std::find(together.begin(), together.end(), i) == together.end()) prepare(i);
    for (size_t i = seg_begin; i < seg_end; ++i) {
      Prepared& pr = prepared[i - seg_begin];
      const int err = pr.err;
      const std::string& msg = pr.msg;
      auto w = std::make_unique<Worker>(jobs[i], sh, rr.jobs[i], opts.trace ? &(*opts.trace)[i] : nullptr, std::move(pr.targets));
      w->set_replay(plan[i].replay);
      poll_stop();
      // A layout cut short by a stop request is not a job failure: the job is
      // reported as interrupted with nothing done.
      if (err == EINTR && sh.signalled.load()) w->skip();
      else if (err) w->record_error(err, msg);
      workers.push_back(std::move(w));
    }
    // The cluster start gate (RunOptions::before_start): the run thread is one
    // more party of the segment's StartGate. Every worker sets up (engine
    // queues, buffers, opens) and arrives; then the run thread asks for the
    // start time, sleeps until it and arrives last, so the instant it
    // records is the one the workers are released at, whatever each host's
    // setup took.
    const bool gated = seg_begin == 0 && static_cast<bool>(opts.before_start);
    StartGate gate(static_cast<int>(count) + (gated ? 1 : 0));
    std::vector<std::thread> threads;
    threads.reserve(count);
    for (size_t k = 0; k < count; ++k) {
      const size_t i = seg_begin + k;
      threads.emplace_back([&, i, k] {
        workers[k]->run(gate, waits[i]);
        sh.live[i].state.store(2);
        std::lock_guard lk(sh.done_m);
        sh.done[i] = 1;
        sh.done_cv.notify_all();
      });
    }
    if (gated) {
      gate.wait_for_others();
      int64_t start_at = 0;
      try {
        start_at = opts.before_start();
      } catch (...) {
        // No start time (the coordinator refused or failed the run): release
        // the workers with nothing to do before the error leaves run_jobs.
        for (auto& w : workers) w->skip();
        gate.arrive_and_wait();
        for (auto& t : threads) t.join();
        throw;
      }
      sleep_until_unix_ns(start_at, opts.stop);
      const int64_t started = util::unix_ns_now();
      poll_stop();
      if (sh.halt.load())
        for (auto& w : workers) w->skip();  // a signal at the barrier: nothing runs
      // The run's clocks (elapsed, progress, status, checkpoints) start at the
      // gate, not at the layout before the wait.
      sh.run_start_ns = now_ns();
      next_progress = sh.run_start_ns + opts.progress_interval_ms * 1'000'000;
      if (want_status) next_status = sh.run_start_ns + opts.status_interval_ms * 1'000'000;
      if (want_ckpt) next_ckpt = sh.run_start_ns + opts.checkpoint_interval_ms * 1'000'000;
      if (opts.started) opts.started(started);
      gate.arrive_and_wait();
    }
    // A finished job's share leaves its flow when this thread notices it, on
    // a 10 ms tick: fio 3.33 takes it out when its main thread reaps the
    // job, which it does every 10 ms, so a partner still running gets its
    // few unheld ms at the end as in fio, not more (engine/flow.hpp).
    auto leave_flows = [&] {
      std::lock_guard lk(sh.done_m);
      for (size_t i = seg_begin; i < seg_end; ++i)
        if (sh.done[i]) sh.flow[i].leave();
    };
    const bool flows = std::any_of(sh.flow.begin() + static_cast<long>(seg_begin), sh.flow.begin() + static_cast<long>(seg_end),
                                   [](const FlowMember& m) { return m.active(); });
    uint64_t next_reap = now_ns() + 10'000'000;
    for (;;) {
      if (flows && now_ns() >= next_reap) {
        leave_flows();
        next_reap += 10'000'000;
      }
      {
        std::unique_lock lk(sh.done_m);
        const bool all = std::all_of(sh.done.begin() + static_cast<long>(seg_begin), sh.done.begin() + static_cast<long>(seg_end),
                                     [](char c) { return c != 0; });
        if (all) break;
        // Wake for the steady-state tick and flow's 10 ms reaping tick, not
        // up to 50 ms after them.
        const uint64_t now = now_ns(), tick = steady.next_due();
        uint64_t wait_ns = tick > now ? std::min<uint64_t>(tick - now, 50'000'000) : 0;
        if (flows) wait_ns = std::min<uint64_t>(wait_ns, next_reap > now ? next_reap - now : 0);
        if (wait_ns) sh.done_cv.wait_for(lk, std::chrono::nanoseconds(wait_ns));
      }
      check_steady();
      poll_stop();
      report_progress(false);
      report_status();
    }
    for (auto& t : threads) t.join();
    leave_flows();
    seg_begin = seg_end;
  }
  report_progress(true);
  // fio 3.33's per-job "elapsed" is the run's wall time so far in seconds,
  // rounded up (its ETA figure, taken when the results are written), the same
  // for every job: startdelay, ramp_time, layout and the other groups count.
  // So startdelay=1 + runtime=1 shows elapsed 3 and a plain 1 s job 2. fio
  // counts from its own start (parsing, setup: a few ms more than ours), so
  // ours is rounded up from µs: a 2 s job that took 2000.3 ms shows 3, as fio.
  const uint64_t elapsed_s = ((now_ns() - sh.run_start_ns) / 1000 + 999'999) / 1'000'000;
  for (auto& j : rr.jobs) j.elapsed_s = std::max<uint64_t>(1, elapsed_s);
  rr.disk_util = disks.finish();
  steady.fill(rr.jobs);
  rr.interrupted = sh.signalled.load();
  for (auto& j : rr.jobs)
    if (rr.interrupted) j.interrupted = true;
  return rr;
}

}  // namespace fiokit::engine
