// LatencyTarget (see latency_target.hpp): the depth search's steps.
#include "engine/latency_target.hpp"

#include <algorithm>

namespace fiokit::engine {

void LatencyTarget::start(const Settings& s, uint64_t now, uint64_t ios) {
  s_ = s;
  qd_ = 1;
  low_ = 1;
  high_ = std::max<uint32_t>(1, s.iodepth);
  stable_ = 0;
  end_run_ = false;
  new_window(now, ios);
}

unsigned LatencyTarget::check(uint64_t now, uint64_t ios) {
  if (now - win_start_ < s_.window_ns) return none;
  const uint64_t n = ios - win_ios_;
  // No I/O in the window: 0/0, which never meets the percentile (as fio's
  // NaN comparison), so the window counts as failed.
  const bool ok = n > 0 && static_cast<double>(n - std::min(over_, n)) / static_cast<double>(n) * 100.0 >= s_.percentile;
  return ok ? ramp_up(now, ios) : ramp_down(now, ios, false);
}

unsigned LatencyTarget::ramp_down(uint64_t now, uint64_t ios, bool fatal_at_one) {
  if (qd_ == 1) {
    // At depth 1 there is nowhere to go: an I/O over the target with
    // percentile 100 fails the job; a failed window is kept open (fio starts
    // no new one), so it is judged again, with more I/O, at the next reap.
    return fatal_at_one ? fail : none;
  }
  high_ = qd_;
  if (qd_ == low_) --low_;
  qd_ = std::max<uint32_t>(1, (qd_ + low_) / 2);
  stable_ = 0;
  new_window(now, ios);
  return quiesce;
}

unsigned LatencyTarget::ramp_up(uint64_t now, uint64_t ios) {
  const uint32_t before = qd_;
  low_ = qd_;
  if (qd_ + 1 == high_ && ++stable_ >= 3) {
    ++high_;
    stable_ = 0;
  }
  qd_ = high_ != s_.iodepth ? (qd_ + high_) / 2 : qd_ * 2;
  qd_ = std::min(qd_, s_.iodepth);
  unsigned act = none;
  if (!s_.run && qd_ == before) {
    if (end_run_) {
      act = done;
    } else {
      end_run_ = true;
      act = quiesce | reset_stats;
    }
  }
  new_window(now, ios);
  return act;
}

}  // namespace fiokit::engine
