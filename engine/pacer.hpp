// Pacer: the time a job spends not doing I/O on purpose — rate= / rate_iops=
// (each direction's next due time, charged per I/O) and thinktime= (a spin and
// a sleep after every thinktime_blocks I/Os). It decides when; the worker does
// the waiting (it knows about stops and the deadline). Its clock is passed in,
// so a test can drive it without sleeping.
#pragma once
#include <cstdint>

#include "engine/io_engine.hpp"
#include "engine/offsets.hpp"
#include "jobs/jobspec.hpp"

namespace fiokit::engine {

struct JobPlan;

class Pacer {
 public:
  void init(const jobs::JobSpec& spec, const JobPlan& plan);
  // The job starts at `now`: every direction is due at once.
  void start(uint64_t now) {
    for (auto& d : due_ns_) d = static_cast<int64_t>(now);
  }
  // rate=: the time the next I/O of direction d may start.
  uint64_t due(Dir d) const { return static_cast<uint64_t>(due_ns_[idx(d)]); }
  // rate=: an I/O of `len` bytes in direction d starts; moves d's due time
  // on by the I/O's cost. The schedule is the job's own, never "now + cost":
  // a job that fell behind (a stall) issues at once until it has caught up.
  void charge(Dir d, uint32_t len);
  // thinktime=: counts an issued I/O; true when it is time to think
  // (every thinktime_blocks I/Os).
  bool count_io() {
    if (++since_think_ < think_blocks_) return false;
    since_think_ = 0;
    return true;
  }
  uint64_t think_spin_ns() const { return think_spin_ns_; }
  // cpuio: think after every I/O, whatever thinktime_blocks says (fio's cpuio).
  void think_every_io() {
    think_blocks_ = 1;
    since_think_ = 0;
  }
  uint64_t think_ns() const { return think_ns_; }

 private:
  int64_t rate_ns_per_io_[3] = {}, due_ns_[3] = {};
  double rate_ns_per_byte_[3] = {};
  bool poisson_ = false;
  Rng rng_;
  uint64_t since_think_ = 0, think_blocks_ = 1, think_spin_ns_ = 0, think_ns_ = 0;
};

}  // namespace fiokit::engine
