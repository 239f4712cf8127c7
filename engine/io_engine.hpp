// IoEngine: the small interface every I/O engine implements (DESIGN.md rule 1).
// queue() hands one IoUnit to the engine and answers Completed (done already,
// e.g. pread), Queued (will complete in a later reap) or Busy (no room: reap
// first). commit() submits everything queued; reap() waits for completions and
// event(i) returns them. All return -errno on failure, never throw.
//
// The hot path is chosen once per job: each engine derives from EngineBase<E>,
// whose run_loop() instantiates the worker's I/O loop for that concrete, final
// engine type, so queue/commit/reap are direct (inlinable) calls in the loop.
// The one virtual call per job is run_loop itself.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "jobs/engine_traits.hpp"
#include "jobs/jobspec.hpp"
#include "jobs/options.hpp"

namespace fiokit::volumes {
struct Confinement;  // volumes/confine.hpp
}

namespace fiokit::engine {

enum class QueueResult { completed, queued, busy };

// The data direction of an I/O is jobs::Dir (read, write, trim); idx() is its
// index into the per-direction arrays (stats, rate clocks), free at run time.
using jobs::Dir;
inline constexpr int idx(Dir d) { return static_cast<int>(d); }

// One I/O in flight. The worker owns an array of iodepth of these; engines keep
// any per-unit state they need in arrays indexed by `index`.
struct IoUnit {
  uint8_t* buf = nullptr;
  uint64_t offset = 0;
  uint32_t len = 0;
  Dir dir = Dir::read;
  uint32_t file = 0;      // index in the job's file table (also the registered-file index)
  uint32_t index = 0;     // position in the worker's unit array (fixed buffers use it)
  int fd = -1;
  int64_t result = 0;     // bytes done, or -errno; set by the engine on completion
  uint64_t start_ns = 0;  // before queue()
  uint64_t issue_ns = 0;  // after the commit that submitted it
  // I/O priority (issue 15, part prio): the value io_uring puts in the
  // request (the job's prio/prioclass, or a cmdprio pick); cmdprio: picked by
  // cmdprio_* (libaio then sends it with IOCB_FLAG_IOPRIO); prio_index: the
  // job's per-priority latency slot (engine/cmdprio.hpp).
  uint16_t ioprio = 0;
  uint8_t prio_index = 0;
  bool cmdprio = false;
};

// What an engine can do: its row of the one traits table (jobs/engine_traits.hpp),
// which the registry copies into each row, so callers ask the table, never a
// constructed engine.
using EngineFeatures = jobs::EngineTraits;

// Everything an engine needs to set itself up for one job.
struct EngineSetup {
  uint32_t iodepth = 1;
  std::vector<IoUnit>* units = nullptr;  // stable for the job's lifetime
  size_t buf_len = 0;                     // bytes of each unit's buffer
  std::vector<int> fds;                   // the job's open files, by file index
  std::vector<std::string> paths;         // the job's files' paths, by file index
  // The descriptors stay the same for the whole job, so they may be registered
  // with the kernel once (false with unlink_each_loop, which reopens them).
  bool fds_stable = true;
  // direct=1: every request goes to the device (io_uring registers the
  // buffers and files of such jobs on its own, io_uring_engine.cpp).
  bool direct = false;
  // The job's engine options as checked text (JobSpec::engine_options); each
  // engine types them with its own option table in init().
  jobs::EngineOptionValues options;
  // cpuio's exit_on_io_done: true while a job of the run that does real I/O
  // is running or still to start (also true when the run has none, as fio).
  std::function<bool()> io_jobs_running;
  // exec: the job's name and runtime= (µs, 0 for none), for its output
  // files, fio's %n / %r substitutions and the SIGTERM at the runtime's end.
  std::string job_name;
  uint64_t runtime_us = 0;
  // A remote job's run (RunOptions::confine): filecreate opens with
  // volumes::open_confined. Null otherwise.
  const volumes::Confinement* confine = nullptr;
};

class Worker;

class IoEngine {
 public:
  virtual ~IoEngine() = default;
  virtual std::string_view name() const = 0;
  // This engine's row of the registry table.
  EngineFeatures features() const;
  // 0 or -errno; on failure error_hint() explains what to do.
  virtual int init(const EngineSetup& s) = 0;
  virtual QueueResult queue(IoUnit& u) = 0;
  virtual int commit() = 0;                            // >= 0 submitted, or -errno
  virtual int reap(unsigned min, unsigned max) = 0;    // >= 0 events, or -errno
  virtual IoUnit* event(unsigned i) = 0;
  // A new pass (loop) begins: engines that act once per file and pass (the
  // file-operation engines) forget what they did. Off the hot path.
  virtual void start_pass() {}
  // The job's I/O starts at `start_ns` (fio's td->start): what the exec
  // engine's runtime counts from. Off the hot path.
  virtual void start_io(uint64_t /*start_ns*/) {}
  // Runs the worker's I/O loop specialised for this engine type.
  virtual void run_loop(Worker& w) = 0;
  // Context for the last init() failure: what the kernel refused and how to fix it.
  virtual std::string error_hint() const { return {}; }
  // Context for a failed I/O's errno that only the engine knows (io_uring:
  // EOPNOTSUPP under hipri=1); "" when it has none.
  virtual const char* io_error_hint(int /*err*/) const { return ""; }
  // cpuio: the engine decides the job's think time after every I/O (fio's
  // cpuio overrides thinktime, thinktime_blocks=1, thinktime_spin=0), and
  // may change it from one I/O to the next. Off the hot path.
  virtual bool overrides_think() const { return false; }
  virtual uint64_t think_override_ns() const { return 0; }
};

// CRTP base that binds the I/O loop to the concrete engine type E.
template <class E>
class EngineBase : public IoEngine {
 public:
  void run_loop(Worker& w) override;  // defined in engine/io_loop.hpp
};

// The explicit registry (registry.cpp; no static constructors): one row per
// engine with its factory, its features and its option table (fio's
// ioengine_ops with its `options`), each engine defining both in its own file.
struct EngineInfo {
  const char* name;
  std::unique_ptr<IoEngine> (*make)();
  EngineFeatures features;
  std::vector<jobs::OptionDef> (*options)();  // nullptr: the engine has none
  // Engines fiokit only parses (make == nullptr, engine/parse_only_engines.hpp):
  // what running one needs, for the run-time refusal.
  const char* needs = nullptr;
};
const std::vector<EngineInfo>& registered_engines();
const EngineInfo* find_engine(std::string_view name);  // nullptr for an unknown name
// nullptr for an unknown name.
std::unique_ptr<IoEngine> make_engine(std::string_view name);
std::vector<std::string> engine_names();  // the engines fiokit runs (rows with a factory)
// Every option a job may use: jobs' own plus each registered engine's, for the
// parser, --cmdhelp and did-you-mean (jobs/ cannot see engine/, so callers
// hand this to jobs::build_jobs and jobs::split_cmdline).
const jobs::OptionCatalog& option_catalog();

// Trim of a regular file as a hole punch: bytes or -errno (sync_engines.cpp).
int64_t punch_hole(const IoUnit& u);

// Per-engine factories, one per engine file.
std::unique_ptr<IoEngine> make_null_engine();
std::unique_ptr<IoEngine> make_sync_engine();
std::unique_ptr<IoEngine> make_psync_engine();
std::unique_ptr<IoEngine> make_pvsync_engine();
std::unique_ptr<IoEngine> make_libaio_engine();
std::unique_ptr<IoEngine> make_io_uring_engine();
std::unique_ptr<IoEngine> make_filecreate_engine();
std::unique_ptr<IoEngine> make_filestat_engine();
std::unique_ptr<IoEngine> make_filedelete_engine();
std::unique_ptr<IoEngine> make_ftruncate_engine();
std::unique_ptr<IoEngine> make_falloc_engine();
std::unique_ptr<IoEngine> make_posixaio_engine();
std::unique_ptr<IoEngine> make_cpuio_engine();
std::unique_ptr<IoEngine> make_exec_engine();
// Per-engine option tables, beside their engines (nullptr in the registry for none).
std::vector<jobs::OptionDef> libaio_option_defs();
std::vector<jobs::OptionDef> io_uring_option_defs();
std::vector<jobs::OptionDef> filestat_option_defs();
std::vector<jobs::OptionDef> cpuio_option_defs();
std::vector<jobs::OptionDef> exec_option_defs();

}  // namespace fiokit::engine
