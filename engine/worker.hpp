// Worker: one job clone on its own thread. It owns the job's collaborators —
// JobPlan (choices made once), JobFiles (descriptors), IoBuffers (the arena),
// IoQueue (units, depth), Pacer (rate, thinktime), Sampler (clock, windows,
// logs), Verifier — and the per-loop offset state, and runs them: setup,
// start gate, loops and time_based repeats, verify phases, teardown. JobSpec
// stays immutable (DESIGN.md rule 3). The per-I/O pieces (prep_io, complete)
// are inline so the engine-specialised loop in io_loop.hpp compiles into one
// tight function; the collaborators are held by value so the hot fields stay
// a few cache lines of one object. The general offset choice is in
// worker_prep.cpp, verify and syncs in worker_verify.cpp, the rest in worker.cpp.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "engine/cmdprio.hpp"
#include "engine/io_buffers.hpp"
#include "engine/io_engine.hpp"
#include "engine/io_queue.hpp"
#include "engine/iolog_writer.hpp"
#include "engine/job_files.hpp"
#include "engine/job_plan.hpp"
#include "engine/latency_target.hpp"
#include "engine/offsets.hpp"
#include "engine/pacer.hpp"
#include "engine/run.hpp"
#include "engine/run_shared.hpp"
#include "engine/sampler.hpp"
#include "engine/verify.hpp"
#include "engine/verify_backlog.hpp"
#include "engine/verify_pool.hpp"
#include "jobs/jobspec.hpp"
#include "results/run_result.hpp"
#include "volumes/layout.hpp"

namespace fiokit::engine {

class Worker {
  // ---- the per-I/O working set, first in the object ----
  // prep_io and complete read these on every I/O, so they sit together in
  // the object's first cache lines instead of being spread over it (the
  // JobPlan alone is ~700 bytes, the loop counters came after JobFiles and
  // the Sampler). The plan's fields here are copies made once in setup(); the
  // plan stays the one place that decides them. Reading them through plan_
  // and files_ cost ~3.5% IOPS on the null engine at iodepth=1 against the
  // pre-split worker (issue 13 A/B, /work/shared/bench/vs-fio).
  // Loop accounting (not stats: ramp does not reset these).
  uint64_t loop_bytes_ = 0, loop_ios_ = 0, loop_limit_bytes_ = 0, loop_limit_ios_ = 0;
  FileState* file0_ = nullptr;  // files_[0]: JobFiles never resizes after init
  uint64_t unit_bytes_ = 4096;  // JobPlan::unit_bytes
  uint64_t rw_modifier_ = 0;    // spec.rw_modifier
  uint32_t fixed_len_ = 4096;   // JobPlan::fixed_len
  Dir fixed_dir_ = Dir::read;   // JobPlan::fixed_dir
  bool fast_seq_ = false, fast_rand_ = false, trimwrite_ = false, stamp_writes_ = false;  // JobPlan's
  bool verify_phase_ = false;   // see the verify members below
  bool backlog_ = false;        // verify_backlog: verify reads between the writes (see backlog_log_)
  bool checking_reads_ = false; // reads are checked against the verify pattern
  bool replaying_ = false;      // read_iolog: prep_io_general hands out the log's entries
  LatencyTarget* lat_ = nullptr;  // latency_target's search (lat_search_), else null
  // This job's LiveCounters::stop (exitall, exit_what, steady state, and
  // every job's at RunShared::halt_all): halt_requested() reads it per I/O.
  const std::atomic<bool>* stop_ = nullptr;
  // I/O priorities (issue 15, part prio): the job's ioprio value (0 without
  // prio/prioclass), put in every unit; with cmdprio_* a share of the I/Os
  // gets another (cmdprio_) and their latencies (clat, or lat with
  // lat_percentiles: prio_lat_) also go to that priority's slot.
  uint16_t ioprio_ = 0;
  bool cmdprio_ = false, prio_lat_ = false;

 public:
  Worker(const jobs::JobSpec& spec, RunShared& shared, results::JobResult& res, std::vector<TraceRecord>* trace,
         std::vector<volumes::FileTarget> targets);
  ~Worker();
  // The whole job: setup, start gate, I/O, teardown. Never throws.
  void run(StartGate& gate, const std::vector<int>& wait_for_jobs);

  // ---- what the I/O loop (io_loop.hpp) uses ----
  const jobs::JobSpec& spec;
  RunShared& shared;
  results::JobResult& res;
  std::vector<TraceRecord>* trace;
  IoQueue queue;   // moved only by the loop
  Pacer pacer;
  // The loop's modes: the plan's, except in a verify phase (no rate, no think).
  bool pacing = false, thinking = false;
  bool serialize_overlap = false;  // hold back an I/O overlapping one queued or in flight
  bool sync_pending = false;  // fsync=N / fdatasync=N came due: issued before the next I/O is fetched
  uint32_t sync_every = 0;    // fsync=N / fdatasync=N of a job that writes (0: none); off in a verify phase
  bool halted = false, failed = false;
  // flow_id / flow: this job's member of its flow (nullptr without flow
  // control) and flow_sleep in ns; the loop asks flow->admit() before an I/O.
  FlowMember* flow = nullptr;
  uint64_t flow_sleep_ns = 0;

  const JobPlan& plan() const { return *plan_; }
  // read_iolog: the checked log this clone replays (from the run's plan).
  void set_replay(std::shared_ptr<const volumes::IoLog> log) { replay_ = std::move(log); }
  // The loop's issue hook (compiled in only when this is true): the test
  // trace and write_iolog.
  bool tracing() const { return trace != nullptr || iolog_ != nullptr; }
  void on_issue(const IoUnit& u) {
    if (trace) trace->push_back({u.offset, u.len, static_cast<uint8_t>(u.dir), u.file});
    if (iolog_) log_issue(u);
  }
  // One atomic per I/O: RunShared::halt_all sets every job's stop flag with
  // `halt`, so this job's flag says both.
  bool halt_requested() const { return halted || stop_->load(std::memory_order_relaxed); }

  // Fills u with the next I/O; false when this loop's work is all issued.
  // Forced inline: GCC left it a call, and the call's register saves and
  // the reload of every field after it were a measurable part of a null I/O.
  [[gnu::always_inline]] bool prep_io(IoUnit& u) {
    u.ioprio = ioprio_;
    u.prio_index = 0;
    u.cmdprio = false;
    if (verify_phase_) [[unlikely]]
      return prep_verify(u);
    if (loop_bytes_ >= loop_limit_bytes_ || (loop_limit_ios_ && loop_ios_ >= loop_limit_ios_)) [[unlikely]]
      return false;
    if (backlog_) [[unlikely]]
      if (prep_backlog(u)) return true;
    if (fast_seq_) {
      FileState& f = *file0_;
      uint64_t off = f.seq_pos[idx(fixed_dir_)];
      if (off + fixed_len_ > f.end) [[unlikely]] {
        if (off >= f.end) {  // wrap: io_size larger than the region
          off = f.target.offset;
          files_.wrap(f);
        }
      }
      f.seq_pos[idx(fixed_dir_)] = off + fixed_len_ + rw_modifier_;
      u.fd = f.fd.get();
      u.file = 0;
      u.dir = fixed_dir_;
      u.offset = off;
      u.len = static_cast<uint32_t>(std::min<uint64_t>(fixed_len_, f.end - off));
    } else if (fast_rand_) {
      FileState& f = *file0_;
      if (f.perm_next >= f.nblocks) [[unlikely]] {
        next_pass(f);
        files_.wrap(f);
      }
      const uint64_t off = f.target.offset + f.perm.at(f.perm_next++) * unit_bytes_;
      u.fd = f.fd.get();
      u.file = 0;
      u.dir = fixed_dir_;
      u.offset = off;
      u.len = static_cast<uint32_t>(std::min<uint64_t>(fixed_len_, f.end - off));
    } else {
      if (!prep_io_general(u)) [[unlikely]]
        return false;
      // trimwrite: size, io_size and number_ios count the writes; each trim
      // rides along with the write of the same block (fio 3.33, measured).
      if (trimwrite_ && u.dir == Dir::trim) [[unlikely]]
        return true;
    }
    loop_bytes_ += u.len;
    ++loop_ios_;
    if (stamp_writes_ && u.dir == Dir::write) stamp_buffer(u);
    if (cmdprio_) [[unlikely]]
      cmdprio_tab_.pick(u, rng_prio_);
    return true;
  }

  // Accounts one finished I/O. `now` is the time the completion was seen.
  template <bool kSync>
  void complete(IoUnit& u, uint64_t now) {
    if (u.result != static_cast<int64_t>(u.len)) [[unlikely]] {
      if (!account_short(u)) {
        if (backlog_) backlog_failed(u);
        queue.put_free(&u);
        return;
      }
    } else {
      results::DirStats& d = res.dirs[idx(u.dir)];
      d.io_bytes += u.len;
      ++d.total_ios;
    }
    results::DirStats& d = res.dirs[idx(u.dir)];
    const uint64_t lat = now - u.start_ns;
    if constexpr (!kSync) {
      d.slat.add(u.issue_ns - u.start_ns);
      d.clat.add(now - u.issue_ns);
    } else {
      d.clat.add(lat);
    }
    d.lat.add(lat);
    if (cmdprio_ && !d.prios.empty()) [[unlikely]]
      d.prios[u.prio_index].hist.add(prio_lat_ || kSync ? lat : now - u.issue_ns);
    sampler_.record<kSync>(u, now, lat);
    if (checking_reads_ && u.dir == Dir::read) [[unlikely]]
      check_read(u);
    if (lat_) [[unlikely]]
      latency_complete(u, lat, now);
    if (backlog_) [[unlikely]]
      backlog_complete(u);
    queue.put_free(&u);
    if (sampler_.event_due(now)) [[unlikely]]
      on_event(now);
  }

  // A file-operation engine's fake I/O (fio's FIO_NOSTATS): counted in bytes
  // and I/Os, never timed; `op_ns` > 0 is the latency of the create/stat/
  // unlink this I/O did, a clat sample of the job's first direction.
  void complete_fileop(IoUnit& u, uint64_t op_ns);
  // cpuio (fio's FIO_NOIO): an I/O is counted and timed but moves no bytes;
  // result -ECANCELED means the engine ended the job instead (exit_on_io_done).
  void complete_noio(IoUnit& u, uint64_t now);

  // ---- latency_target (worker_latency.cpp) ----
  bool latency_on() const { return lat_ != nullptr; }
  // After a reap (or an I/O the engine completed inline): the search judges
  // its window unless ramp_time runs; returns the LatencyTarget::Action bits
  // gathered since the last call.
  unsigned latency_check(uint64_t now);
  // Bits gathered by completions since (those reaped during a quiesce).
  unsigned take_latency_action() { return std::exchange(lat_action_, 0u); }
  // After the loop drained the queue (when asked to): the new window, the
  // final run's statistics restart, or the job's end.
  void latency_apply(unsigned action, uint64_t now);

  // ---- off the hot path ----
  void record_error(int err, const std::string& what);
  void skip() { failed = halted = true; }  // do not run (stopped before start); no error
  // Waits until `t` (ns) sleeping in slices, returns false when halted meanwhile.
  bool sleep_until(uint64_t t);
  void think();                      // thinktime after thinktime_blocks I/Os
  void flow_spin();                  // held back by flow control without flow_sleep: keep time, no sleep
  // fsync=N / fdatasync=N, as fio 3.33 decides (see worker_verify.cpp):
  // count_for_sync after every issued I/O, sync_at_fetch when a pending
  // sync meets the next fetch.
  void count_for_sync(const IoUnit& u) {
    if (u.dir == Dir::write) {
      ++write_issues_;
      last_write_file_ = u.file;
    }
    sync_pending = write_issues_ % sync_every == 0 && write_issues_ != 0;
  }
  bool sync_at_fetch();
  void issue_sync();                 // fsync=N / fdatasync=N, timed into res.sync_*
  void do_sync(uint32_t file, bool data_only);  // one timed sync (issue_sync, a replayed "sync")

 private:
  // worker.cpp
  void fill_identity();
  void set_job_ioprio();  // prio / prioclass: ioprio_set on this thread (worker.cpp)
  void setup();
  void run_io();
  void reset_loop();
  void teardown();
  // exec_prerun / exec_postrun (job_commands.cpp): prerun false = it failed
  // and the job did not run (the error is recorded).
  bool prerun();
  void postrun();
  void on_event(uint64_t now);  // the sampler's events: deadline, rate_min
  bool account_short(IoUnit& u);  // false: it was an error (the job stops unless continue_on_error lets it pass)
  void fill_device_full(const std::string& what);  // ENOSPC under fill_device: the job ends, cleanly
  static int error_type(Dir d, int err);  // fio's error types: 0 read, 1 write, 2 verify
  bool non_fatal(int type, int err) const;
  void count_error(int err, const std::string& what, bool passed);
  // worker_latency.cpp: latency_target.
  void latency_setup();
  void latency_start(uint64_t now);
  void latency_complete(const IoUnit& u, uint64_t lat, uint64_t now);
  void latency_finish();
  // worker_prep.cpp: offsets and sizes beyond prep_io's fast paths.
  bool prep_io_general(IoUnit& u);  // false: nothing more this loop (a strided zone met the file's end)
  // worker_replay.cpp: read_iolog and write_iolog.
  bool prep_replay(IoUnit& u);      // the log's next I/O, after its delay; false at the log's end
  void log_issue(const IoUnit& u);
  void log_files(const char* action);  // write_iolog: "NAME open|close" for every file
  void enter_zone(FileState& f, Dir d);
  // rw=read:-8k: the next backward offset into `off`; false ends the loop.
  bool backward_offset(FileState& f, int d, uint64_t& off);
  // rw=read:8k: the next offset after a hole into `off`; false ends the loop.
  bool hole_offset(FileState& f, int d, uint32_t len, uint64_t& off);
  uint64_t real_size(FileState& f);  // the whole file's size (at least the region's end), read once
  uint64_t zone_random_offset(FileState& f);
  void next_pass(FileState& f);
  void restart_pass(FileState& f);
  void reseed_loop();
  uint32_t pick_len(Dir d, uint64_t room);
  uint32_t pick_file();
  // worker_verify.cpp: write stamping, read checks, the verify phases.
  void stamp_buffer(IoUnit& u);
  bool prep_verify(IoUnit& u);
  bool prep_backlog(IoUnit& u);      // verify_backlog: a verify read due before the next I/O
  void pick_verify_prio(IoUnit& u);  // cmdprio on a verify read, as fio's queue hook does
  void backlog_failed(IoUnit& u);    // verify_backlog: a failed write leaves the log (continue_on_error)
  void backlog_complete(IoUnit& u);  // verify_backlog: a write may be read back, a verify read is checked
  void check_read(IoUnit& u);
  void dump_block(uint32_t file, uint64_t offset, const uint8_t* buf, size_t len);
  void verify_failed(uint32_t file, uint64_t offset, const uint8_t* buf, size_t len, const std::string& what);
  void finish_async_checks();  // verify_async: wait for every check, then report its failures
  void verify_pass(bool replay_writes, bool final_phase);  // replay_writes: verify_only

  std::vector<volumes::FileTarget> targets_;
  std::optional<JobPlan> plan_;  // made once in setup(), never changed after
  JobFiles files_;
  IoBuffers buffers_;
  bool refill_ = false;  // IoBuffers::refills(spec), once
  Sampler sampler_;
  std::unique_ptr<IoEngine> engine_;

  // I/O logs (issue 15, part "iolog"; worker_replay.cpp).
  std::shared_ptr<const volumes::IoLog> replay_;  // read_iolog, else null
  size_t replay_next_ = 0;         // the next entry
  uint64_t replay_last_ns_ = 0;    // when the previous entry was issued (the delays count from there)
  uint64_t replay_over_ns_ = 0;    // the last sleep's overshoot, taken off the next delay (as fio)
  uint64_t io_start_ns_ = 0;       // the run's start: a version 2 "wait" counts from it
  std::unique_ptr<IoLogWriter> iolog_;  // write_iolog, else null
  uint64_t last_offset_ = 0;       // of the last issued I/O: what fio prints in a sync line

  // More loop state (off the per-I/O path; the counters are at the top).
  uint64_t write_issues_ = 0;  // writes issued by the job, all loops (fio's io_issues[write])
  uint32_t cur_file_ = 0, file_ios_left_ = 1;
  uint64_t seq_run_left_ = 0;
  uint32_t loops_done_ = 0;
  uint64_t ios_budget_ = 0, ios_used_ = 0;  // number_ios x loops over the job, and the I/Os of the loops done
  bool fill_device_said_ = false;  // fill_device's one "full" message was printed
  bool engine_thinks_ = false;     // cpuio: the engine gives the think time (IoEngine::overrides_think)
  // trimwrite: the write that follows a trim.
  bool trim_then_write_ = false;
  uint32_t last_write_file_ = 0;
  uint64_t pending_write_off_ = 0;
  uint32_t pending_write_len_ = 0;
  uint32_t pending_write_file_ = 0;
  Rng rng_off_, rng_mix_, rng_bs_, rng_file_;
  Rng rng_map_;  // blocks drawn for the bitmap random map (re-seeded per loop, as the map's order repeats)
  Tausworthe rng_taus_;  // norandommap draws (random_generator=tausworthe*)
  Rng rng_prio_;         // cmdprio draws (engine/cmdprio.hpp)
  CmdPrio cmdprio_tab_;
  // zonemode=strided (worker_prep.cpp): bytes issued in the current zone, and
  // the random map of the zone (its blocks once per zonerange bytes).
  uint64_t zone_bytes_ = 0, zone_perm_next_ = 0, zone_perm_pass_ = 0, zone_perm_blocks_ = 0;
  BlockPermutation zone_perm_;

  // latency_target (worker_latency.cpp): the search, the job's completed
  // I/Os as the search counts them, and what completions asked of the loop.
  std::optional<LatencyTarget> lat_search_;
  uint64_t lat_ios_ = 0;
  unsigned lat_action_ = 0;

  // Verify (worker_verify.cpp).
  Verifier verifier_;  // checking_reads_ is at the top (read per I/O)
  struct Written {
    uint64_t offset;
    uint32_t len;
    uint32_t file;
  };
  std::vector<Written> written_;  // writes not yet verified (verify= on write jobs)
  // The verify phase: prep_io hands out these reads instead of the job's own
  // I/O, so they go through the job's engine at its iodepth and are counted as
  // reads, as fio counts them (see verify_pass).
  std::vector<Written> verify_todo_;
  size_t verify_next_ = 0;  // verify_phase_ (read per I/O) is at the top
  uint64_t verify_phase_ns_ = 0;  // time in final verify phases: fio's read runtime of a write job
  // verify_backlog (issue 15, part "verify"): the log of written blocks and,
  // per unit, the number of the write it carries and whether it is a verify read.
  VerifyBacklog backlog_log_;
  std::vector<uint64_t> unit_seq_;
  std::vector<uint8_t> unit_verify_;
  uint64_t backlog_verified_ = 0;
  std::unique_ptr<VerifyPool> pool_;  // verify_async, else null
  bool pool_late_ = false;            // its failures are taken before the next check (engines that queue)
  // false when fio 3.33 never reaches its verify phase: time_based with an
  // engine that completes in queue() (see run_io).
  bool final_verify_ = true;
  bool fake_verify_ = false;  // the null engine: nothing was stored, every check passes (as fio's FIO_FAKEIO)

  // experimental_verify=1 (issue 16, part xverify; worker_xverify.cpp): no
  // record of the writes; the verify phase re-runs the offset generator from
  // the state it had at the loop's start and reads where it wrote.
  struct GenState {  // the generators and per-file offset state, saved at a loop's start
    struct File {
      uint64_t seq_pos[3], last_start[3], issued, perm_next, perm_pass, zone_start;
      BlockPermutation perm;
      RandomMap map;
      Lfsr lfsr;
    };
    Rng off, mix, bs, file, map, prio;
    Tausworthe taus;
    uint32_t cur_file, file_ios_left;
    uint64_t seq_run_left, zone_bytes, zone_perm_next, zone_perm_pass, zone_perm_blocks;
    BlockPermutation zone_perm;
    std::vector<File> files;
  };
  GenState xv_start_;
  bool xverify_ = false;     // experimental_verify is in effect for this job
  bool passes_ = false;      // fio's passes and budget over loops (xverify_, or verify with io_size > the region)
  bool xv_replay_ = false;   // the verify phase is replaying (prep_verify asks the generator)
  bool xv_numberio_ = false; // fio's header numberio check applies (fixed bs, not time_based)
  uint64_t xv_loop_written_ = 0;  // bytes written this loop (fio's verify_bytes)
  uint64_t xv_verified_ = 0;      // verify bytes read, all loops (fio's bytes_verified: never reset)
  uint64_t xv_issued_ = 0;        // the job's budget bytes issued, replayed reads counted as writes
  uint64_t xv_limit_ = 0;         // that budget over all loops (size or io_size x loops)
  uint64_t xv_pass_cap_ = 0;      // one pass over the region
  uint32_t xv_write_no_ = 0, xv_read_no_ = 0;  // fio's io_issues[write] and verify_read_issues
  std::unordered_map<uint64_t, uint32_t> xv_last_write_;  // block -> number of its last write
  std::vector<uint32_t> xv_unit_no_;                      // per unit: the number its read expects
  void xverify_setup(const EngineFeatures& feat);
  void xverify_loop_start();  // saves the generators, sets the pass's budget
  void xverify_restore();     // the generators as the loop started
  bool xverify_more() const;  // after the loops: fio's further passes toward io_size
  bool xverify_next_loop() const;  // false: fio's budget is spent, no further loop
  bool prep_xverify(IoUnit& u);
  void xverify_stamp(const IoUnit& u);
  bool xverify_check(IoUnit& u);  // false: the read failed fio's numberio check
};

}  // namespace fiokit::engine
