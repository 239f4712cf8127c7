// What the io_uring engine (io_uring_engine.cpp) offers besides its IoEngine:
// its typed options, read from a job's checked option text with the engine's
// own table, and a probe that says whether this process may use io_uring at
// all and, if not, what to do about it (the container entrypoint warns with it
// before a run; the engine's own setup failures carry the same hint).
#pragma once
#include <optional>
#include <string>

#include "jobs/jobspec.hpp"
#include "jobs/options.hpp"

namespace fiokit::engine {

// ioengine=io_uring's options, as fio 3.33's engines/io_uring.c names them.
struct IoUringOptions {
  bool hipri = false;                    // IORING_SETUP_IOPOLL
  bool fixedbufs = false;                // buffers registered once, READ_FIXED/WRITE_FIXED
  bool registerfiles = false;            // files registered once, IOSQE_FIXED_FILE
  bool sqthread_poll = false;            // IORING_SETUP_SQPOLL
  std::optional<int> sqthread_poll_cpu;  // IORING_SETUP_SQ_AFF
  jobs::Tri nonvectored = jobs::Tri::automatic;
  bool operator==(const IoUringOptions&) const = default;
};

// The options of a job parsed with engine::option_catalog(); ValueError for
// an option that is not io_uring's.
IoUringOptions read_io_uring_options(const jobs::EngineOptionValues& v);

// nonvectored as fio 3.33 resolves it: 1 plain read/write, 0 readv/writev, and
// -1 (written out or left out alike) plain read/write when the kernel's ring
// supports IORING_OP_READ and IORING_OP_WRITE (5.6+), else readv/writev.
bool use_plain_read_write(jobs::Tri nonvectored, bool kernel_has_read_write);

struct IoUringProbe {
  enum class Status { available, blocked, disabled, failed } status = Status::available;
  int err = 0;       // errno of io_uring_setup when not available
  std::string hint;  // what to do ("" when available)
};
// Sets up and tears down a one-entry ring: the only reliable test, since the
// kernel may have io_uring and a seccomp filter (podman's and Docker's >= 25
// default profiles) or kernel.io_uring_disabled still deny it.
IoUringProbe probe_io_uring();

}  // namespace fiokit::engine
