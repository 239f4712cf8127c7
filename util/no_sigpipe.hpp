// NoSigpipe: while an HTTP request runs on this thread, a peer that hung up
// must not end the process with SIGPIPE (141: cpp-httplib writes with plain
// send, and OpenSSL's close_notify too). The calling thread blocks SIGPIPE,
// so a write fails with EPIPE instead, and a SIGPIPE left pending for the
// thread is taken before the old mask comes back. The process's disposition
// is not touched. Used by fetch (REMOTEFILES) and the cluster member's client.
#pragma once
#include <signal.h>

#include <ctime>

namespace fiokit::util {

class NoSigpipe {
 public:
  NoSigpipe() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
  }
  ~NoSigpipe() {
    const timespec now{0, 0};
    while (sigtimedwait(&pipe_, nullptr, &now) == SIGPIPE) {
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  NoSigpipe(const NoSigpipe&) = delete;
  NoSigpipe& operator=(const NoSigpipe&) = delete;

 private:
  sigset_t pipe_, old_;
};

}  // namespace fiokit::util
