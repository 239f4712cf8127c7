// Pacer (see pacer.hpp): the rate and think-time rules, as fio 3.33 applies
// them, kept apart from the loop so each can be checked with a fake clock.
#include "engine/pacer.hpp"

#include <algorithm>
#include <cmath>

#include "engine/job_plan.hpp"

namespace fiokit::engine {

void Pacer::init(const jobs::JobSpec& spec, const JobPlan& plan) {
  for (int d = 0; d < 3; ++d) {
    rate_ns_per_io_[d] = plan.rate_ns_per_io[d];
    rate_ns_per_byte_[d] = plan.rate_ns_per_byte[d];
  }
  poisson_ = spec.rate_process == jobs::RateProcess::poisson;
  rng_.seed(plan.seed ^ 5);
  since_think_ = 0;
  think_blocks_ = spec.thinktime_blocks;
  think_ns_ = spec.thinktime_us * 1000;
  think_spin_ns_ = std::min(spec.thinktime_spin_us, spec.thinktime_us) * 1000;
}

// The larger of the per-I/O and per-byte costs; rate_process=poisson draws
// each gap from an exponential distribution of that mean.
void Pacer::charge(Dir dir, uint32_t len) {
  const int d = idx(dir);
  double cost = std::max(static_cast<double>(rate_ns_per_io_[d]), rate_ns_per_byte_[d] * len);
  if (poisson_) cost *= -std::log(1.0 - rng_.unit());
  // After a stall (the job descheduled, stopped, or held back by flow=) the
  // lost I/Os are made up at once: the due time stays on the job's own
  // schedule, as fio 3.33 derives its next I/O time from the bytes issued
  // since the start (measured: rate_iops=1000 for 5 s with a 2 s SIGSTOP,
  // 5001 I/Os in fio). Clamping the credit lost I/Os for good on a loaded
  // machine (fio's t0011 flow job fell to 250 IOPS under load).
  due_ns_[d] += static_cast<int64_t>(cost);
}

}  // namespace fiokit::engine
