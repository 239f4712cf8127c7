// SIGINT/SIGTERM for `fiokit run`: the signals are blocked in every thread and
// taken by one watcher thread with sigwait, which raises a stop flag the
// workers poll (they stop within a second) and remembers the signal so the run
// can report results marked interrupted and exit 130/143. A second signal ends
// the process at once, as users expect of a second Ctrl-C.
#pragma once
#include <atomic>
#include <thread>

namespace fiokit::cli {

class SignalWatcher {
 public:
  // Must be constructed before any other thread starts (threads inherit the mask).
  SignalWatcher();
  ~SignalWatcher();
  std::atomic<bool>* stop_flag() { return &stop_; }
  int signal() const { return sig_.load(); }
  // 130 for SIGINT, 143 for SIGTERM, 0 when no signal came.
  int exit_code() const;

 private:
  std::atomic<bool> stop_{false};
  std::atomic<int> sig_{0};
  std::atomic<bool> done_{false};
  std::thread thread_;
};

}  // namespace fiokit::cli
