// `fiokit serve`: the HTTP server over a data directory (run pages, charts,
// compare, raw files, JSON API), on Debian's cpp-httplib 0.11.4. Read-only by
// construction: only GET and HEAD are routed; anything else is 405 before a
// body is read. The timeouts, keep-alive limits and the growing worker pool are
// sized so idle or trickling connections cannot starve a normal request (see
// server.cpp for the numbers and why).
#pragma once
#include <httplib.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>

namespace fiokit::serve {

struct ServeOptions {
  std::string dir = ".";
  std::string bind = "127.0.0.1";
  int port = 8000;  // 0: any free port (tests)
  // Workers start at min_threads and grow, one per waiting connection, up to
  // max_threads; a slow client holds one worker, so max_threads is how many
  // slow clients can be held while others are still answered.
  size_t min_threads = 8;
  size_t max_threads = 1024;
  std::chrono::milliseconds worker_idle_exit{30000};  // idle workers above min leave after this
  std::chrono::milliseconds refresh{1000};  // how stale the run index may be
  bool access_log = false;                  // one line per request on stderr
};

class Server {
 public:
  // Throws std::system_error naming the directory when it cannot be served.
  explicit Server(ServeOptions opt);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds the listening socket; returns the port. Throws std::runtime_error
  // naming the address when it cannot bind.
  int bind();
  // Serves until stop(); bind() first.
  void listen();
  // bind() + listen() on a background thread; returns the port (tests).
  int start();
  // Safe from any thread (and from a signal-watcher thread).
  void stop();
  int port() const { return port_; }
  const std::string& root_path() const;
  // The underlying server, for tests that add a route (e.g. one that throws).
  httplib::Server& http();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace fiokit::serve
