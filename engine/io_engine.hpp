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
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "jobs/jobspec.hpp"

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
  uint64_t verify_seed = 0;
};

// What an engine can do; declared by each engine in its own file.
struct EngineFeatures {
  bool sync = false;          // queue() always answers Completed: no slat, no reap
  bool diskless = false;      // needs no files (null)
  bool needs_fds = true;
};

// Everything an engine needs to set itself up for one job.
struct EngineSetup {
  uint32_t iodepth = 1;
  std::vector<IoUnit>* units = nullptr;  // stable for the job's lifetime
  size_t buf_len = 0;                     // bytes of each unit's buffer
  std::vector<int> fds;                   // the job's open files, by file index
  bool direct = false;
  // Engine options (fio names), already validated by jobs/.
  bool hipri = false, fixedbufs = false, registerfiles = false, sqthread_poll = false;
  int sqthread_poll_cpu = -1;
  int nonvectored = -1;                   // -1 auto, 0 vectored, 1 plain
  bool userspace_reap = false;
};

class Worker;

class IoEngine {
 public:
  virtual ~IoEngine() = default;
  virtual std::string_view name() const = 0;
  virtual EngineFeatures features() const = 0;
  // 0 or -errno; on failure error_hint() explains what to do.
  virtual int init(const EngineSetup& s) = 0;
  virtual QueueResult queue(IoUnit& u) = 0;
  virtual int commit() = 0;                            // >= 0 submitted, or -errno
  virtual int reap(unsigned min, unsigned max) = 0;    // >= 0 events, or -errno
  virtual IoUnit* event(unsigned i) = 0;
  // Runs the worker's I/O loop specialised for this engine type.
  virtual void run_loop(Worker& w) = 0;
  // Context for the last init() failure: what the kernel refused and how to fix it.
  virtual std::string error_hint() const { return {}; }
};

// CRTP base that binds the I/O loop to the concrete engine type E.
template <class E>
class EngineBase : public IoEngine {
 public:
  void run_loop(Worker& w) override;  // defined in engine/io_loop.hpp
};

// The explicit registry (no static constructors). nullptr for an unknown name.
std::unique_ptr<IoEngine> make_engine(std::string_view name);
std::vector<std::string> engine_names();

// Trim of a regular file as a hole punch: bytes or -errno (sync_engines.cpp).
int64_t punch_hole(const IoUnit& u);

// Per-engine factories, one per engine file.
std::unique_ptr<IoEngine> make_null_engine();
std::unique_ptr<IoEngine> make_sync_engine();
std::unique_ptr<IoEngine> make_psync_engine();
std::unique_ptr<IoEngine> make_pvsync_engine();
std::unique_ptr<IoEngine> make_libaio_engine();
std::unique_ptr<IoEngine> make_io_uring_engine();

}  // namespace fiokit::engine
