// `fiokit serve`: the HTTP server over a data directory (run pages, charts,
// compare, raw files, JSON API), on Debian's cpp-httplib 0.11.4. Read-only by
// construction: only GET and HEAD are routed; anything else is 405 before a
// body is read; the one exception is the coordinator's /api/cluster/, there
// only with an ingest token (ClusterOptions). Every accepted socket goes through serve/front.hpp first,
// which bounds what a client may send and for how long (defaults below, the
// reasons there); raw files answer Range requests through serve/ranges.hpp.
#pragma once
#include <httplib.h>

#include "serve/cluster_options.hpp"
#include "serve/front.hpp"

#include <chrono>
#include <cstdint>
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
  size_t log_cache_bytes = 64u << 20;       // log indexes and answers kept for the series API
  // Per-connection limits (serve/front.hpp). Defaults: 100 header fields,
  // 32 KiB of head, 8 KiB per line (414/431 past them); 1 s to start a
  // request, 10 s to finish its head (408); 1 s without write progress;
  // 64 waiting connections per peer address and 512 in all (the oldest
  // goes); 0.5 s for a response in flight when stop() comes; a response
  // moving less than 1 KiB in 10 s is dropped.
  FrontLimits limits;
  // With a token: the coordinator of cluster runs (serve/cluster_routes.hpp).
  ClusterOptions cluster;
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
  // The series cache, for tests: log index passes run so far, entries and
  // bytes kept, series answers computed.
  struct LogCacheStats {
    size_t parses = 0, entries = 0, bytes = 0, computed = 0;
  };
  LogCacheStats log_cache_stats() const;
  // The run index's work so far (serve/run_index.hpp), for tests.
  struct IndexStats {
    uint64_t checks = 0, top_lists = 0, dir_scans = 0, parses = 0, loads = 0;
  };
  IndexStats index_stats() const;
  // Requests the front answered from the file cache without cpp-httplib (tests).
  size_t fast_answers() const;
  // The underlying server, for tests that add a route (e.g. one that throws).
  httplib::Server& http();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace fiokit::serve
