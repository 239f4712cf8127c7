// JobSpec: one fio job after parsing, as plain immutable data. It holds no file
// descriptors, threads or clients: the engine's workers own all runtime state
// (DESIGN.md rule 3). Field names follow fio's option names; sizes are bytes,
// times are microseconds (suffix _us), percentages are 0..100.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "jobs/error.hpp"

namespace fiokit::jobs {

enum class Dir : uint8_t { read = 0, write = 1, trim = 2 };
inline constexpr const char* dir_name(Dir d) {
  return d == Dir::read ? "read" : d == Dir::write ? "write" : "trim";
}

// A value per data direction (read, write, trim), as fio's "bs=4k,8k,".
template <class T>
struct PerDir {
  std::array<T, 3> v{};
  T& operator[](Dir d) { return v[static_cast<int>(d)]; }
  const T& operator[](Dir d) const { return v[static_cast<int>(d)]; }
  bool operator==(const PerDir&) const = default;
};

enum class RwMode { read, write, trim, randread, randwrite, randtrim, rw, randrw, trimwrite, randtrimwrite };
enum class RwSequencer { sequential, identical };
enum class ZoneMode { none, strided };  // zbd is refused

struct BsSplitEntry {
  uint64_t bs = 0;
  uint32_t percent = 0;
  bool operator==(const BsSplitEntry&) const = default;
};

struct RandomDistribution {
  enum Kind { random, zipf, pareto, normal, zoned, zoned_abs } kind = random;
  double param = 0;                // zipf theta, pareto power, normal stddev %
  std::optional<double> center;    // optional second float, 0..1
  struct Zone {
    uint32_t access_pct;  // share of accesses
    uint64_t size;        // percent of the range (zoned) or bytes (zoned_abs)
    bool operator==(const Zone&) const = default;
  };
  std::vector<Zone> zones;
  bool operator==(const RandomDistribution&) const = default;
};

enum class FileServiceType { random, roundrobin, sequential, zipf, pareto, normal, gauss };
enum class FallocateMode { none, native, posix, keep, truncate };
enum class RateProcess { linear, poisson };
enum class RandomGenerator { tausworthe, lfsr, tausworthe64 };
// fadvise_hint: none (0), from the rw pattern (1, fio's default), or forced.
enum class FadviseHint { none, from_rw, random, sequential };
enum class VerifyKind { none, md5, crc64, crc32c, crc32c_intel, crc32, crc16, crc7, xxhash, sha512, sha256, sha1,
                        sha3_224, sha3_256, sha3_384, sha3_512, meta, pattern, null };
enum class CpusAllowedPolicy { shared, split };
enum class ExitWhat { group, stonewall, all };

struct LogSettings {
  std::optional<std::string> bw, iops, lat, hist;  // set = write that log, with this prefix ("" = job name)
  uint64_t avg_msec = 0;
  uint64_t hist_msec = 0;
  uint32_t hist_coarseness = 0;
  bool max_value = false;
  bool offset = false;
  bool per_job = true;
  bool prio = false;
  // Issue 15, part "logz": fio's compressed logs (results/log_compress.hpp).
  uint64_t compression = 0;          // log_compression bytes (0: off)
  bool store_compressed = false;     // log_store_compressed: "<name>.log.fz" in fio's stored format
  std::vector<int> compression_cpus; // log_compression_cpus (empty: any CPU)
  bool operator==(const LogSettings&) const = default;
};

// The options of the job's engine (hipri, nonvectored, userspace_reap, ...), as
// text each engine's own option table (engine/*_engine.cpp) has already parsed
// and checked. jobs/ cannot know the engines' types (it must not include
// engine/), so it keeps the text; the engine reads it back into its own typed
// struct with the same table at setup. One entry per option whose last value
// differs from the engine's default; an option left out or set to its default
// is absent, so "nonvectored=-1" written out and left out are the same job.
struct EngineOptionValues {
  std::vector<std::pair<std::string, std::string>> values;
  int kb_base = 1024;  // the job's, for size-valued engine options
  void set(const std::string& name, std::string value) {
    for (auto& [k, v] : values)
      if (k == name) {
        v = std::move(value);
        return;
      }
    values.emplace_back(name, std::move(value));
  }
  void erase(std::string_view name) {
    for (auto it = values.begin(); it != values.end(); ++it)
      if (it->first == name) {
        values.erase(it);
        return;
      }
  }
  const std::string* find(std::string_view name) const {
    for (const auto& [k, v] : values)
      if (k == name) return &v;
    return nullptr;
  }
  bool operator==(const EngineOptionValues&) const = default;
};

// steadystate= / ss_dur= / ss_ramp= (fio 3.33 HOWTO "Steady state"): which
// figure (IOPS or bandwidth), judged how (slope of the least-squares line or
// largest deviation from the mean), against a limit in the figure's unit (IOPS,
// bytes/s) or, with pct, in percent of the window's mean. dur_s = 0: off.
struct SteadyStateSpec {
  bool iops = true, slope = true, pct = true;  // fio's default criterion: iops_slope:0.01%
  double limit = 0.01;
  uint64_t dur_s = 0;     // ss_dur in whole seconds (one sample per second)
  uint64_t ramp_us = 0;   // ss_ramp
  bool enabled() const { return dur_s > 0; }
  bool operator==(const SteadyStateSpec&) const = default;
};

struct JobSpec {
  // --- identity and grouping (set by the parser, not by options) ---
  std::string name;
  std::string description;
  SourceLoc defined_at;      // where the section started
  std::string job_file;      // the file the job came from ("" for command line)
  int job_index = 0;         // order among all jobs, clones included
  int clone_index = 0;       // 0..numjobs-1 among clones of one section
  int group_id = 0;          // reporting group
  bool stonewall = false;    // wait for all earlier jobs before starting
  bool new_group = false;
  std::string wait_for;
  // The options as written, after the global section was merged in: what fio
  // prints as "job options" and what --showcmd reproduces.
  std::vector<std::pair<std::string, std::string>> given;
  // fio's JSON "job options": only what the job's own section (or its
  // --name=... group on the command line, "name" first) says; what [global]
  // or the options before the first --name say is in ParseResult::global_options.
  std::vector<std::pair<std::string, std::string>> job_options;
  // fio prints "job options" (then {}) for a section with any option line,
  // even when all of them are valueless (new_group, stonewall).
  bool job_options_shown = false;

  // --- units ---
  int kb_base = 1024;
  int unit_base = 0;

  // --- engine ---
  std::string ioengine = "psync";
  // hipri, nonvectored, userspace_reap, ...: checked by the engine's own table
  // at parse time, typed by the engine at setup (see EngineOptionValues).
  EngineOptionValues engine_options;
  bool thread = false;

  // --- I/O pattern ---
  RwMode rw = RwMode::read;
  // rw=randread:8 -> 8 (an I/O count); rw=read:-8k -> -8192 (bytes added to
  // each sequential offset; negative reads backwards).
  int64_t rw_modifier = 0;
  RwSequencer rw_sequencer = RwSequencer::sequential;
  // zonemode=strided: zonesize bytes of I/O in a zone, then the next zone,
  // zonerange + zoneskip further on (engine/zones.hpp). zonerange 0 = zonesize.
  ZoneMode zonemode = ZoneMode::none;
  uint64_t zonerange = 0, zonesize = 0, zoneskip = 0;
  uint32_t rwmixread = 50;    // rwmixwrite is 100 - rwmixread
  PerDir<uint64_t> bs{{4096, 4096, 4096}};
  PerDir<std::pair<uint64_t, uint64_t>> bsrange{};  // {0,0}: not set, use bs
  PerDir<std::vector<BsSplitEntry>> bssplit{};
  PerDir<uint64_t> blockalign{};                     // 0: same as the minimum block size
  bool bs_unaligned = false;
  bool bs_is_seq_rand = false;
  uint32_t iodepth = 1;
  uint32_t iodepth_batch_submit = 1;
  uint32_t iodepth_batch_complete_min = 1;
  uint32_t iodepth_batch_complete_max = 0;  // 0: = iodepth
  uint32_t iodepth_low = 0;                 // 0: = iodepth
  bool direct = false;
  bool sync_io = false;  // "sync" option: O_SYNC writes
  uint32_t numjobs = 1;

  // --- files ---
  std::vector<std::string> filenames;   // "filename=a:b" with "\:" unescaped
  std::vector<std::string> directories; // "directory=a:b"
  std::string filename_format = "$jobname.$jobnum.$filenum";
  uint32_t nrfiles = 1;
  uint32_t openfiles = 0;  // 0: = nrfiles
  uint64_t size = 0;       // 0: not given
  double size_percent = 0; // size=50%
  std::pair<uint64_t, uint64_t> filesize{0, 0};
  uint64_t offset = 0;
  double offset_percent = 0;
  uint64_t offset_align = 0;
  uint64_t offset_increment = 0;
  double offset_increment_percent = 0;
  uint64_t io_size = 0;
  double io_size_percent = 0;
  uint64_t number_ios = 0;
  uint32_t loops = 1;
  bool create_on_open = false;
  bool unlink = false;
  bool unlink_each_loop = false;
  FileServiceType file_service_type = FileServiceType::roundrobin;
  double file_service_param = 0;
  uint32_t file_service_nr = 1;  // "roundrobin:4": switch every N I/Os
  bool invalidate = true;
  FallocateMode fallocate = FallocateMode::native;
  bool pre_read = false;
  bool allow_file_create = true;
  bool overwrite = false;

  // --- timing ---
  bool time_based = false;
  uint64_t runtime_us = 0;
  uint64_t ramp_time_us = 0;
  std::pair<uint64_t, uint64_t> startdelay_us{0, 0};

  // --- randomness ---
  bool norandommap = false;
  bool randrepeat = true;
  bool allrandrepeat = false;  // every generator repeatable, even with randrepeat=0
  uint64_t randseed = 0x89;  // fio's documented default seed
  bool randseed_set = false;
  RandomGenerator random_generator = RandomGenerator::tausworthe;
  FadviseHint fadvise_hint = FadviseHint::from_rw;
  PerDir<RandomDistribution> random_distribution{};
  PerDir<uint32_t> percentage_random{{100, 100, 100}};
  bool percentage_random_set = false;

  // --- rate and think time ---
  PerDir<uint64_t> rate{}, rate_min{}, rate_iops{}, rate_iops_min{};
  RateProcess rate_process = RateProcess::linear;
  uint64_t rate_cycle_ms = 1000;
  bool rate_ignore_thinktime = false;
  uint64_t thinktime_us = 0, thinktime_spin_us = 0;
  uint64_t thinktime_blocks = 1;
  uint64_t thinktime_iotime_us = 0;

  // --- sync ---
  uint64_t fsync = 0, fdatasync = 0;
  bool end_fsync = false, fsync_on_close = false;

  // --- buffers ---
  bool zero_buffers = false, refill_buffers = false, scramble_buffers = true;
  uint32_t buffer_compress_percentage = 0;
  uint64_t buffer_compress_chunk = 512;
  uint32_t dedupe_percentage = 0;
  // dedupe (issue 15, part dedupe): how duplicates are made (engine/dedupe.hpp).
  bool dedupe_working_set = false;  // dedupe_mode=working_set; false: repeat
  uint32_t dedupe_working_set_percentage = 5;
  bool dedupe_global = false;
  std::vector<uint8_t> buffer_pattern;

  // --- verify ---
  VerifyKind verify = VerifyKind::none;
  bool do_verify = true;
  bool verify_fatal = false;
  bool verify_dump = false;
  bool verify_only = false;
  uint64_t verify_backlog = 0;
  uint64_t verify_backlog_batch = 0;
  uint64_t verify_interval = 0;  // 0: = block size
  uint64_t verify_offset = 0;
  std::vector<uint8_t> verify_pattern;
  // --- issue 16 part "vpat": where verify_pattern's %o pieces sit; each is 8
  // bytes of verify_pattern that take the I/O's offset (engine/verify.cpp) ---
  std::vector<uint32_t> verify_pattern_offsets;
  // --- verify, issue 15 part "verify" (option_table_verify.cpp) ---
  uint32_t verify_async = 0;           // checker threads (engine/verify_pool.hpp)
  std::vector<int> verify_async_cpus;  // their CPUs; empty: any
  // --- issue 16 part "xverify" (option_table_xverify.cpp) ---
  // experimental_verify: the verify phase replays the job's offset generator
  // instead of reading a record of the writes (engine/worker_xverify.cpp);
  // create_serialize: lay the job's files out before the next job's (1, fio's
  // default) or all jobs' files at once (0; volumes/layout.cpp).
  bool experimental_verify = false;
  bool create_serialize = true;

  // --- CPU and process ---
  std::vector<int> cpus_allowed;
  CpusAllowedPolicy cpus_allowed_policy = CpusAllowedPolicy::shared;
  bool exitall = false;
  bool exitall_on_error = false;

  // --- flow control between jobs (part "flow" of issue 15) ---
  // Jobs with the same flow_id and a flow weight > 0 keep their I/O counts in
  // the ratio of their weights (engine/flow.hpp says how, as fio 3.33 does).
  int flow_id = 0;
  uint32_t flow = 0;           // weight 0..1000; 0 = not flow controlled
  uint64_t flow_sleep_us = 0;  // pause after being held back; 0 = spin
  bool serialize_overlap = false;

  // --- results ---
  bool group_reporting = false;
  std::vector<double> percentile_list{1, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 99, 99.5, 99.9, 99.95, 99.99};
  bool clat_percentiles = true, lat_percentiles = false, slat_percentiles = false;
  uint64_t bwavgtime_ms = 500, iopsavgtime_ms = 500;
  bool disable_lat = false, disable_clat = false, disable_slat = false, disable_bw = false;
  bool gtod_reduce = false;
  int unified_rw_reporting = 0;  // 0 none, 1 mixed, 2 both (fio's values)
  bool disk_util = true;  // fio prints "Disk stats" unless every job says disk_util=0
  bool stats = true;
  LogSettings log;

  // --- I/O logs (issue 15, part "iolog"): write_iolog records every issued
  // I/O in fio's iolog format; read_iolog replays one instead of generating
  // offsets (volumes/iolog.hpp reads it, engine/worker_replay.cpp issues it).
  std::string write_iolog;      // "" = none; relative paths go into the run directory, like other logs
  std::string read_iolog;       // "" = none; "a:b" gives clone N the N-th name (fio's get_name_by_idx)
  bool replay_no_stall = false; // ignore the log's timing
  uint32_t replay_time_scale = 100;  // percent: 200 replays twice as fast
  std::string replay_redirect;  // every logged file -> this one path
  uint64_t replay_align = 0;    // offsets rounded down to a multiple (power of 2)
  uint64_t replay_scale = 1;    // offsets divided by this (0: as 1)
  uint8_t replay_skip = 0;      // bits: 1 << Dir (read, write, trim), 8 = sync
  // --- issue 15 "misc": error handling (jobs/option_table_misc.cpp) ---
  // continue_on_error as fio's bit mask over its error types: 1 read, 2 write
  // (trims count as writes), 4 verify. An error of a type whose bit is set is
  // counted and the job goes on if it is in that type's ignore_error list,
  // or, when the list is empty, if it is EIO or EILSEQ (fio's default).
  uint32_t continue_on_error = 0;
  std::array<std::vector<int>, 3> ignore_error{};
  bool error_dump = false;  // print every error, also the ignored ones
  // exit_what: which jobs exitall (and exitall_on_error) stops when this job
  // ends: its reporting group, every job running now (later stonewall
  // segments still run), or everything.
  ExitWhat exit_what = ExitWhat::group;
  // --- issue 15, part "parse": jobs that parse but cannot run here ---
  // Where the job's ioengine= was written (empty for the default): a job for
  // an engine fiokit only parses (rbd, sg, ...) is refused at run time there.
  SourceLoc ioengine_at;
  // zonemode=zbd parses (fio's zoned-device jobs) and is refused at run time,
  // here: fiokit has no zone management (write pointers, zone resets).
  SourceLoc zonemode_zbd_at;
  // numa_cpu_nodes / numa_mem_policy (engine/numa.cpp applies them in the
  // worker's thread; a node this machine lacks is refused before any I/O).
  struct Numa {
    bool cpu_all = false;        // numa_cpu_nodes=all
    std::vector<int> cpu_nodes;  // empty and !cpu_all: not given
    int mem_mode = -1;           // -1 not given; else MPOL_DEFAULT 0, PREFERRED 1, BIND 2, INTERLEAVE 3, LOCAL 4
    bool mem_all = false;
    std::vector<int> mem_nodes;
    SourceLoc cpu_at, mem_at;    // where each was written, for the refusal of a missing node
    bool operator==(const Numa&) const = default;
  } numa;
  // --- steady state and latency target (issue 15, part ss) ---
  SteadyStateSpec ss;
  // latency_target (HOWTO "I/O latency"): the queue-depth search. 0: off.
  uint64_t latency_target_us = 0, latency_window_us = 0;
  double latency_percentile = 100.0;
  bool latency_run = false;
  // --- I/O priorities (issue 15, part "prio"; jobs/option_table_prio.cpp) ---
  // prio / prioclass: the job's I/O priority, set with ioprio_set on the
  // job's thread when either is given (fio's td->ioprio; class 0 means BE).
  bool ioprio_given = false;
  uint32_t prio = 0, prioclass = 0;
  // cmdprio_* (io_uring, libaio): per direction (read, write) the percentage
  // of I/Os sent with class/level, or per block size with cmdprio_bssplit.
  // cmdprio_class 0: not given (fio then uses RT, class 1).
  struct CmdPrioSplit {
    uint64_t bs = 0;
    uint32_t perc = 0;
    int32_t ioprio = -1;  // class << 13 | level; -1: cmdprio_class / cmdprio
    bool operator==(const CmdPrioSplit&) const = default;
  };
  std::array<uint32_t, 2> cmdprio_percentage{}, cmdprio_class{}, cmdprio_level{};
  std::array<std::vector<CmdPrioSplit>, 2> cmdprio_bssplit{};  // sorted by bs, no 0% entries
  bool cmdprio_bssplit_given = false;
  // --- io_submit_mode (issue 15, part latq) ---
  // offload: iodepth submit threads issue the job's I/Os (engine/offload_engine.cpp).
  bool io_submit_offload = false;
  // --- issue 15, part "engines" (jobs/option_table_engines.cpp) ---
  // fill_device (fill_fs): write until the file system or device is full;
  // ENOSPC/EDQUOT then ends the job without an error, as fio 3.33. Without
  // size= the region is unbounded (volumes/layout.cpp plans it).
  bool fill_device = false;
  // exec_prerun / exec_postrun: a shell command run before / after the job
  // (cli/ refuses them in a job file that came through REMOTEFILES).
  std::string exec_prerun, exec_postrun;
  SourceLoc exec_prerun_at, exec_postrun_at;

  bool is_random() const {
    return rw == RwMode::randread || rw == RwMode::randwrite || rw == RwMode::randtrim || rw == RwMode::randrw ||
           rw == RwMode::randtrimwrite;
  }
  bool does(Dir d) const;
  bool operator==(const JobSpec&) const = default;
  uint32_t batch_complete_max() const { return iodepth_batch_complete_max ? iodepth_batch_complete_max : iodepth; }
  uint32_t low_water() const { return iodepth_low ? iodepth_low : iodepth; }
};

inline bool JobSpec::does(Dir d) const {
  switch (rw) {
    case RwMode::read: case RwMode::randread: return d == Dir::read;
    case RwMode::write: case RwMode::randwrite: return d == Dir::write;
    case RwMode::trim: case RwMode::randtrim: return d == Dir::trim;
    case RwMode::rw: case RwMode::randrw: return d != Dir::trim;
    case RwMode::trimwrite: case RwMode::randtrimwrite: return d != Dir::read;
  }
  return false;
}

}  // namespace fiokit::jobs
