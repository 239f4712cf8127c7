// See signals.hpp. The watcher thread is woken at shutdown with SIGUSR2 aimed
// at it alone (pthread_kill), which it ignores except as a reason to exit.
#include "cli/signals.hpp"

#include <fmt/format.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

namespace fiokit::cli {

namespace {
std::atomic<void (*)(int)> g_last_words{nullptr};
}  // namespace

void SignalWatcher::set_last_words(void (*fn)(int)) { g_last_words.store(fn); }

void SignalWatcher::note(int sig) {
  int none = 0;
  if (sig == 0 || !sig_.compare_exchange_strong(none, sig)) return;
  fmt::print(stderr, "{}: {} received, {}\n", who_, sig == SIGINT ? "SIGINT" : "SIGTERM", doing_);
  stop_.store(true);
  if (on_signal_) on_signal_(sig);
}

SignalWatcher::SignalWatcher(std::function<void(int)> on_signal, std::string who, std::string doing)
    : on_signal_(std::move(on_signal)), who_(std::move(who)), doing_(std::move(doing)) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGUSR2);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  thread_ = std::thread([this, set] {
    for (;;) {
      int sig = 0;
      if (sigwait(&set, &sig) != 0) continue;
      if (done_.load()) return;
      if (sig == SIGUSR2) continue;
      if (sig_.exchange(sig) != 0) {
        // Second signal: the user wants out now.
        fmt::print(stderr, "{}: second signal, exiting now\n", who_);
        if (auto* fn = g_last_words.load()) fn(sig);
        _exit(128 + sig);
      }
      fmt::print(stderr, "{}: {} received, {}\n", who_, sig == SIGINT ? "SIGINT" : "SIGTERM", doing_);
      stop_.store(true);
      if (on_signal_) on_signal_(sig);
    }
  });
}

SignalWatcher::~SignalWatcher() {
  done_.store(true);
  pthread_kill(thread_.native_handle(), SIGUSR2);
  thread_.join();
  // The process goes on (tests, the container entrypoint running several
  // roles): give SIGINT/SIGTERM their usual meaning back.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGUSR2);
  pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
}

int SignalWatcher::exit_code() const {
  const int s = sig_.load();
  return s == 0 ? 0 : 128 + s;
}

}  // namespace fiokit::cli
