// LatencyTarget: fio 3.33's queue-depth search for latency_target (HOWTO "I/O
// latency"; examples/latency-profile.fio), as plain logic the worker drives:
// it is told each completion's latency and, after each reap, asked whether a
// latency_window has passed; it answers with the depth to run at, and when to
// drain the queue, to restart the statistics for the final run, or to stop.
//
// The search, as fio 3.33 runs it (its --debug=rate lines "Success rate",
// "Ramped up: low qd high", "Ramped down", "Quiesce and final run", "We are
// done", observed on the null engine, and its HOWTO):
// - start at depth 1, with low = 1 and high = iodepth;
// - latency_percentile=100: the first I/O over the target ramps down at once
//   (at depth 1 the job fails: the target cannot be met); below 100 the I/Os
//   over the target are counted, and once latency_window has passed the window
//   succeeds when (I/Os - over) / I/Os * 100 >= the percentile, else it fails;
// - success: low = depth; the depth doubles while high is still iodepth, else
//   moves halfway to high; capped at iodepth. A depth one below high that
//   succeeds three times in a row raises high by one;
// - failure: high = depth (low drops by one if it equals the depth), the depth
//   moves halfway down to low, and the queue is drained first;
// - without latency_run, a success that leaves the depth unchanged drains the
//   queue and restarts the statistics for one more window at that depth (the
//   "final run"), after which the job ends; the reported latency_depth is the
//   depth found. latency_run=1 keeps searching until the job's end.
// Each window starts when the previous decision was made, or once the queue
// is drained when the decision asked for a quiesce.
#pragma once
#include <cstdint>

namespace fiokit::engine {

class LatencyTarget {
 public:
  struct Settings {
    uint64_t target_ns = 0, window_ns = 0;
    double percentile = 100.0;
    bool run = false;  // latency_run
    uint32_t iodepth = 1;
  };
  // What the worker does after a call.
  enum Action : unsigned {
    none = 0,
    quiesce = 1,      // drain the I/O in flight before going on at depth()
    reset_stats = 2,  // the final run starts: restart the job's statistics
    done = 4,         // the search is over: end the job
    fail = 8,         // over the target at depth 1 with percentile 100
  };

  void start(const Settings& s, uint64_t now, uint64_t ios);
  uint32_t depth() const { return qd_; }
  // One completed I/O of latency `lat_ns` (total latency, as fio judges it).
  unsigned on_complete(uint64_t lat_ns, uint64_t now, uint64_t ios) {
    if (lat_ns <= s_.target_ns) return none;
    if (s_.percentile >= 100.0) return ramp_down(now, ios, true);
    ++over_;
    return none;
  }
  // After a reap: judge the window once latency_window has passed. `ios`: the
  // job's completed I/Os so far (since its start; any monotonic count).
  unsigned check(uint64_t now, uint64_t ios);
  // The queue has been drained after a quiesce: fio starts the new window
  // only then (lat_new_cycle after io_u_quiesce), so the drained I/Os, done
  // at the old depth, are judged in no window.
  void restart_window(uint64_t now, uint64_t ios) { new_window(now, ios); }
  const Settings& settings() const { return s_; }

 private:
  unsigned ramp_down(uint64_t now, uint64_t ios, bool fatal_at_one);
  unsigned ramp_up(uint64_t now, uint64_t ios);
  void new_window(uint64_t now, uint64_t ios) { win_start_ = now, win_ios_ = ios, over_ = 0; }

  Settings s_;
  uint32_t qd_ = 1, low_ = 1, high_ = 1, stable_ = 0;
  bool end_run_ = false;
  uint64_t win_start_ = 0, win_ios_ = 0, over_ = 0;
};

}  // namespace fiokit::engine
