// Worker: the runtime state of one job clone on its own thread — open files,
// I/O units and buffers, offset generators, rate and think-time clocks, and the
// JobResult it fills. JobSpec stays immutable; everything that changes lives
// here (DESIGN.md rule 3). The per-I/O pieces (prep_io, complete) are inline so
// the engine-specialised loop in io_loop.hpp compiles into one tight function;
// everything else (setup, sampling windows, errors, teardown) is in worker.cpp,
// off the hot path.
#pragma once
#include <time.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "engine/io_engine.hpp"
#include "engine/offsets.hpp"
#include "engine/run.hpp"
#include "engine/verify.hpp"
#include "jobs/jobspec.hpp"
#include "results/run_result.hpp"
#include "volumes/layout.hpp"

namespace fiokit::engine {

inline uint64_t now_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(ts.tv_nsec);
}

// Counters a worker publishes for progress; written at sample-window time only.
struct alignas(64) LiveCounters {
  std::atomic<uint64_t> bytes[3]{}, ios[3]{};
  std::atomic<int> state{0};  // 0 waiting, 1 running, 2 done
};

// A one-shot gate every worker of a segment arrives at once its setup is done.
class StartGate {
 public:
  explicit StartGate(int n) : left_(n) {}
  void arrive_and_wait() {
    std::unique_lock lk(m_);
    if (--left_ <= 0) cv_.notify_all();
    else cv_.wait(lk, [&] { return left_ <= 0; });
  }

 private:
  std::mutex m_;
  std::condition_variable cv_;
  int left_;
};

// State shared by the workers of one run.
struct RunShared {
  std::atomic<bool> halt{false};     // stop everything: signal, exitall
  std::atomic<bool> signalled{false};
  std::string run_dir;
  std::vector<LiveCounters> live;    // per job index
  // --status-interval: the run thread bumps snap_gen; each running worker then
  // copies its result into its slot at its next progress point (<= 250 ms).
  struct Snapshot {
    std::mutex m;
    results::JobResult res;
    uint64_t gen = 0;
  };
  std::atomic<uint64_t> snap_gen{0};
  std::vector<Snapshot> snaps;       // per job index
  std::mutex done_m;
  std::condition_variable done_cv;
  std::vector<char> done;            // per job index, under done_m
  uint64_t run_start_ns = 0;
};

// file_service_type=zipf/pareto/normal: values per file (fio's FIO_FSERVICE_SHIFT).
inline constexpr int kFileServiceShift = 10;

struct FileState {
  volumes::FileTarget target;
  int fd = -1;
  bool created = false;      // by this job (create_on_open)
  uint64_t end = 0;          // target.offset + target.size
  uint64_t nblocks = 1;      // region / block unit
  uint64_t seq_pos[3] = {};  // next sequential offset per direction
  uint64_t last_start[3] = {};  // offset of the last I/O (rw_sequencer=identical)
  uint64_t issued = 0;       // bytes issued this loop (file_service_type=sequential)
  BlockPermutation perm;     // the random map
  RandomMap map;             // the random map when I/Os are longer than its block
  Lfsr lfsr;                 // random_generator=lfsr
  uint64_t perm_next = 0;
  uint64_t perm_pass = 0;
  uint64_t zone_start = UINT64_MAX;  // zonemode=strided: the current zone (UINT64_MAX: none yet)
};

class Worker {
 public:
  Worker(const jobs::JobSpec& spec, RunShared& shared, results::JobResult& res, std::vector<TraceRecord>* trace,
         std::vector<volumes::FileTarget> targets);
  ~Worker();
  // The whole job: setup, start gate, I/O, teardown. Never throws.
  void run(StartGate& gate, const std::vector<int>& wait_for_jobs);

  // ---- used by the I/O loop (io_loop.hpp) ----
  const jobs::JobSpec& spec;
  RunShared& shared;
  results::JobResult& res;
  std::vector<TraceRecord>* trace;
  std::unique_ptr<IoEngine> engine;
  std::vector<FileState> files;
  std::vector<IoUnit> units;
  std::vector<IoUnit*> free_units;
  uint32_t inflight = 0;  // submitted, not reaped
  uint32_t queued = 0;    // queued, not yet committed
  std::vector<IoUnit*> queued_storage;
  IoUnit** queued_units = nullptr;
  uint32_t depth = 1, batch_submit = 1, complete_min = 1, complete_max = 1, low_water = 1;
  bool polling = false;  // iodepth_batch_complete_min = max = 0: reap after every queued I/O (io_loop.hpp)

  // What the loop does, decided once in setup.
  bool fixed_bs = true, random = false, use_map = true, mixed = false, trimwrite = false, rated = false, thinking = false;
  bool fast_seq = false, fast_rand = false;  // prep_io's inline paths apply
  bool use_bitmap = false;                    // random map as fio's bitmap (FileState::map)
  bool single_file = true, log_each = false, log_window = false, verifying_reads = false, stamp_writes = false, writes = false;
  uint64_t unit_bytes = 4096;  // random-map block size
  uint32_t fixed_len = 4096;
  Dir fixed_dir = Dir::read;

  // Loop accounting (not stats: ramp does not reset these).
  uint64_t loop_bytes = 0, loop_ios = 0, loop_limit_bytes = 0, loop_limit_ios = 0;
  uint64_t total_writes_since_sync = 0;
  uint32_t cur_file = 0, file_ios_left = 1;
  uint64_t since_think = 0, seq_run_left = 0;
  bool trim_then_write = false;
  bool sync_pending = false;  // fsync=N came due: issued before the next I/O
  bool sync_engine = false;   // the engine completes inside queue()
  uint32_t last_write_file = 0;
  uint64_t pending_write_off = 0;
  uint32_t pending_write_len = 0;
  uint32_t pending_write_file = 0;
  Rng rng_off, rng_mix, rng_bs, rng_file, rng_rate;
  Rng rng_map;  // blocks drawn for the bitmap random map (re-seeded per loop, as the map's order repeats)
  Tausworthe rng_taus;  // norandommap draws (random_generator=tausworthe*)
  BlockDistribution dist[3];
  BlockDistribution file_dist;  // file_service_type=zipf/pareto/normal
  int64_t rate_ns_per_io[3] = {}, due_ns[3] = {};
  double rate_ns_per_byte[3] = {};

  // Time bases (ns, CLOCK_MONOTONIC).
  uint64_t start_ns = 0, stats_start_ns = 0, ramp_end_ns = 0, deadline_ns = UINT64_MAX, next_event_ns = 0;
  bool ramping = false, halted = false, failed = false;

  Verifier verifier;
  struct Written {
    uint64_t offset;
    uint32_t len;
    uint32_t file;
  };
  std::vector<Written> written;  // writes not yet verified (verify= on write jobs)
  // The verify phase: prep_io hands out these reads instead of the job's own
  // I/O, so they go through the job's engine at its iodepth and are counted as
  // reads, as fio counts them (see verify_pass in worker_prep.cpp).
  std::vector<Written> verify_todo;
  size_t verify_next = 0;
  bool verify_phase = false;
  uint64_t verify_phase_ns = 0;  // time in final verify phases: fio's read runtime of a write job
  uint64_t verify_seed_base = 0;
  std::vector<std::pair<uint32_t, uint64_t>> bssplit_cum[3];  // cumulative percent, bs
  uint64_t min_len[3] = {4096, 4096, 4096};                    // smallest block size per direction

  // zonemode=strided (worker_prep.cpp): bytes issued in the current zone, and
  // the random map of the zone (its blocks once per zonerange bytes).
  uint64_t zone_bytes = 0, zone_perm_next = 0, zone_perm_pass = 0, zone_perm_blocks = 0;
  BlockPermutation zone_perm;
  bool zoned() const { return spec.zonemode == jobs::ZoneMode::strided; }

  bool halt_requested() const { return halted || shared.halt.load(std::memory_order_relaxed); }

  // Fills u with the next I/O; false when this loop's work is all issued.
  bool prep_io(IoUnit& u) {
    if (verify_phase) [[unlikely]]
      return prep_verify(u);
    if (loop_bytes >= loop_limit_bytes || (loop_limit_ios && loop_ios >= loop_limit_ios)) [[unlikely]]
      return false;
    if (fast_seq) {
      FileState& f = files[0];
      uint64_t off = f.seq_pos[idx(fixed_dir)];
      if (off + fixed_len > f.end) [[unlikely]] {
        if (off >= f.end) {  // wrap: io_size larger than the region
          off = f.target.offset;
          wrap_file(f);
        }
      }
      f.seq_pos[idx(fixed_dir)] = off + fixed_len + spec.rw_modifier;
      u.fd = f.fd;
      u.file = 0;
      u.dir = fixed_dir;
      u.offset = off;
      u.len = static_cast<uint32_t>(std::min<uint64_t>(fixed_len, f.end - off));
    } else if (fast_rand) {
      FileState& f = files[0];
      if (f.perm_next >= f.nblocks) [[unlikely]] {
        next_pass(f);
        wrap_file(f);
      }
      const uint64_t off = f.target.offset + f.perm.at(f.perm_next++) * unit_bytes;
      u.fd = f.fd;
      u.file = 0;
      u.dir = fixed_dir;
      u.offset = off;
      u.len = static_cast<uint32_t>(std::min<uint64_t>(fixed_len, f.end - off));
    } else {
      if (!prep_io_general(u)) [[unlikely]]
        return false;
      // trimwrite: size, io_size and number_ios count the writes; each trim
      // rides along with the write of the same block (fio 3.33, measured).
      if (trimwrite && u.dir == Dir::trim) [[unlikely]]
        return true;
    }
    loop_bytes += u.len;
    ++loop_ios;
    if (stamp_writes && u.dir == Dir::write) stamp_buffer(u);
    return true;
  }

  // Accounts one finished I/O. `now` is the time the completion was seen.
  template <bool kSync>
  void complete(IoUnit& u, uint64_t now) {
    if (u.result != static_cast<int64_t>(u.len)) [[unlikely]] {
      if (!account_short(u)) {
        free_units.push_back(&u);
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
    if (log_each) [[unlikely]]
      log_io(u, now, kSync ? lat : now - u.issue_ns, kSync ? UINT64_MAX : u.issue_ns - u.start_ns);
    if (log_window) [[unlikely]] {
      // log_avg_msec: sums only; the row is formatted when the window closes.
      LogAcc& a = log_acc_[idx(u.dir)];
      const uint64_t c = kSync ? lat : now - u.issue_ns;
      ++a.n;
      a.sum[0] += lat, a.sum[1] += c;
      a.max[0] = std::max(a.max[0], lat), a.max[1] = std::max(a.max[1], c);
      if constexpr (!kSync) {
        const uint64_t s = u.issue_ns - u.start_ns;
        a.sum[2] += s, a.max[2] = std::max(a.max[2], s);
      }
    }
    if (verifying_reads && u.dir == Dir::read) [[unlikely]]
      check_read(u);
    free_units.push_back(&u);
    if (now >= next_event_ns) [[unlikely]]
      on_event(now);
  }

  void count_submit(uint32_t n) {
    auto& dp = res.depth;
    ++dp.submit_calls;
    ++dp.submit[bucket_of(n)];
    dp.level[std::min(6, 31 - __builtin_clz(inflight | 1))] += n;
  }
  void count_complete(uint32_t n) {
    ++res.depth.complete_calls;
    ++res.depth.complete[bucket_of(n)];
  }
  static int bucket_of(uint32_t n) {
    return n == 0 ? 0 : n <= 4 ? 1 : n <= 8 ? 2 : n <= 16 ? 3 : n <= 32 ? 4 : n <= 64 ? 5 : 6;
  }

  // ---- off the hot path (worker.cpp) ----
  bool prep_io_general(IoUnit& u);  // false: nothing more this loop (a strided zone met the file's end)
  void enter_zone(FileState& f, Dir d);
  uint64_t zone_random_offset(FileState& f);
  bool prep_verify(IoUnit& u);
  void next_pass(FileState& f);
  void restart_pass(FileState& f);
  void reseed_loop();
  void wrap_file(FileState& f);            // its offsets ran out inside a pass
  void stamp_buffer(IoUnit& u);
  bool account_short(IoUnit& u);           // false: it was an error (job stops)
  void record_error(int err, const std::string& what);
  void skip() { failed = halted = true; }  // do not run (stopped before start); no error
  // log_avg_msec=0: one row per I/O in each log (slat_ns UINT64_MAX: none).
  void log_io(const IoUnit& u, uint64_t now, uint64_t clat_ns, uint64_t slat_ns);
  void check_read(IoUnit& u);
  void dump_block(const IoUnit& u);
  void on_event(uint64_t now);             // windows, ramp end, deadline, progress
  // Waits until `t` (ns) sleeping in slices, returns false when halted meanwhile.
  bool sleep_until(uint64_t t);
  uint64_t rate_wait_until(Dir d) const { return static_cast<uint64_t>(due_ns[idx(d)]); }
  void charge_rate(const IoUnit& u);
  void think();                            // thinktime after thinktime_blocks I/Os
  void do_fsync_all(bool data_only);      // end_fsync: not in the statistics
  bool wants_fsync(const IoUnit& u);       // after this write, is an fsync due?
  void issue_sync();                       // fsync=N / fdatasync=N, timed into res.sync_*

 private:
  void fill_identity();
  void setup();
  void open_files();
  void invalidate_pass(bool file_reopened);  // page cache at a pass start
  void drop_cache(FileState& f);
  void alloc_buffers();
  void fill_buffer(uint8_t* p, size_t n, uint64_t offset);
  void reset_loop();
  void reset_stats(uint64_t now);
  void sample_windows(uint64_t now);
  void close_log_window(uint64_t now, bool final);
  void write_hist_rows(uint64_t now);
  void teardown();
  void finish_result(uint64_t end_ns);
  void run_io();
  void verify_pass(bool replay_writes, bool final_phase);  // replay_writes: verify_only
  uint32_t pick_len(Dir d, uint64_t room);
  uint32_t pick_file();

  std::vector<volumes::FileTarget> targets_;
  uint8_t* mem_ = nullptr;
  size_t buf_bytes_ = 0;
  struct Window {
    uint64_t start_ns = 0, bytes[3] = {}, ios[3] = {};
  } bw_win_, iops_win_;
  uint64_t bw_next_ = UINT64_MAX, iops_next_ = UINT64_MAX, progress_next_ = UINT64_MAX, rate_min_next_ = UINT64_MAX;
  uint64_t snap_gen_ = 0;  // last snapshot generation published
  void publish_snapshot(uint64_t now);
  // check_min_rate's baseline per direction (worker.cpp).
  struct RateCheck {
    uint64_t bytes = 0, ios = 0, at_ns = 0;
  } rate_check_[3];
  void check_min_rate(uint64_t now);
  // write_bw_log / write_iops_log with log_avg_msec=0: fio 3.33's bw / iops
  // statistics are then per I/O, the log's rows (worker.cpp log_io), kept
  // as running sums so a long run holds no per-I/O vector.
  struct RunningStat {
    uint64_t n = 0;
    double mean = 0, m2 = 0, min = 0, max = 0;
  } per_io_bw_stat_[3], per_io_iops_stat_[3];
  bool per_io_bw_ = false, per_io_iops_ = false;
  static void add_running(RunningStat& r, double v);
  static results::RateStat rate_stat_of(const RunningStat& r);
  // log_avg_msec windows: latency sums/maxima (lat, clat, slat) per direction
  // (the bw/iops rows are the rate samples themselves).
  struct LogAcc {
    uint64_t n = 0, sum[3] = {}, max[3] = {};
  } log_acc_[3];
  uint64_t log_next_ = UINT64_MAX, log_next_ms_ = 0, hist_next_ = UINT64_MAX, hist_next_ms_ = 0;
  struct rusage_snap {
    double usr = 0, sys = 0;
    long nvcsw = 0, nivcsw = 0, majflt = 0, minflt = 0;
  } ru0_;
  std::unique_ptr<class JobLogs> logs_;
  uint32_t loops_done_ = 0;
  friend class JobLogs;
};

}  // namespace fiokit::engine
