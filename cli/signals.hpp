// SIGINT/SIGTERM for `fiokit run`: the signals are blocked in every thread and
// taken by one watcher thread with sigwait, which raises a stop flag the
// workers poll (they stop within a second) and remembers the signal so the run
// can report results marked interrupted and exit 130/143. A second signal ends
// the process at once, as users expect of a second Ctrl-C.
#pragma once
#include <atomic>
#include <functional>
#include <string>
#include <thread>

namespace fiokit::cli {

class SignalWatcher {
 public:
  // Must be constructed before any other thread starts (threads inherit the mask).
  // `on_signal` runs on the watcher thread after the first signal (e.g. to stop
  // a server); `who` prefixes the message ("fiokit", "fiokit serve").
  explicit SignalWatcher(std::function<void(int)> on_signal = {}, std::string who = "fiokit",
                         std::string doing = "stopping jobs and writing results");
  ~SignalWatcher();
  std::atomic<bool>* stop_flag() { return &stop_; }
  // A signal that came before this watcher existed (a caller's handler noted
  // it, e.g. `fiokit sweep` between points): stop as if it came now.
  void note(int sig);
  // Called on the watcher thread when a second signal ends the process, just
  // before _exit: `fiokit sweep` marks its manifest interrupted there, so a
  // page does not show the sweep running forever. One at a time (a global).
  static void set_last_words(void (*fn)(int sig));
  int signal() const { return sig_.load(); }
  // 130 for SIGINT, 143 for SIGTERM, 0 when no signal came.
  int exit_code() const;

 private:
  std::atomic<bool> stop_{false};
  std::atomic<int> sig_{0};
  std::atomic<bool> done_{false};
  std::function<void(int)> on_signal_;
  std::string who_, doing_;
  std::thread thread_;
};

}  // namespace fiokit::cli
