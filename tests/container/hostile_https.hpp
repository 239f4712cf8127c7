// A hostile web server on 127.0.0.1 for the fetch tests (issue 14): raw
// HTTP/1.1 written byte by byte, over TLS with a certificate from a private CA
// made at test time, and over plain TCP, so it can do what a well-behaved
// library server cannot: trickle header lines or body bytes forever, lie in
// Content-Length, send more than it declares, redirect https to http, loop.
// A third port accepts connections and never says a word (not even the TLS
// handshake). Every route serves /<route>/<file name>, so the fetched file's
// name is the last segment as fetch expects.
#pragma once
#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace fiokit::test {

// A private CA and a server certificate it signed for IP 127.0.0.1, made with
// the openssl command in `dir` (ca.pem, server.pem, server.key). nullopt when
// openssl is missing or fails; the caller skips with that reason.
struct TestCa {
  std::string dir, ca_pem, cert_pem, key_pem;
  static std::optional<TestCa> make(const std::string& dir);
};

// Routes (same on the TLS and the plain port):
//   /ok/NAME              200, a small job file (kJob)
//   /drip-headers/NAME    status line, then one header line per `drip`, forever
//   /flood-headers/NAME   status line, then header lines as fast as they go, forever
//   /drip-body/NAME       headers (Content-Length 4096), then one body byte per `drip`
//   /to-http/NAME         302 to http://127.0.0.1:<plain port>/ok/NAME
//   /big/NAME             Content-Length 2 MiB and the 2 MiB
//   /big-undeclared/NAME  no Content-Length, 2 MiB, then close
//   /gzip-bomb/NAME       Content-Encoding: gzip, ~128 KiB that unpack to 128 MiB
//   /short/NAME           Content-Length 4096, then only kJob, then close
//   /loop/a/NAME <-> /loop/b/NAME   302s forever
//   anything else         404
class HostileServer {
 public:
  static constexpr const char* kJob = "[job]\nioengine=null\nsize=1m\n";
  explicit HostileServer(const TestCa& ca, std::chrono::milliseconds drip = std::chrono::milliseconds(500));
  ~HostileServer();
  HostileServer(const HostileServer&) = delete;
  HostileServer& operator=(const HostileServer&) = delete;

  // Hangs up on every client and ends every drip; the destructor does it too.
  // For a test whose fetch did not end by itself: it ends now, and the test fails.
  void stop();

  std::string https_url(const std::string& path) const;
  std::string http_url(const std::string& path) const;
  std::string silent_url(const std::string& path) const;  // https to the port that never answers

  std::atomic<int> https_requests{0};  // requests read (after the handshake)
  std::atomic<int> http_requests{0};
  std::atomic<int> silent_accepts{0};

 private:
  enum class Kind { tls, plain, silent };
  struct Listener {
    Kind kind;
    int fd = -1;
    int port = 0;
  };
  void accept_loop(Listener* l);
  void serve(Kind kind, int fd);
  // Sleeps for d unless the server is stopping; false when it is.
  bool pause(std::chrono::milliseconds d);

  std::chrono::milliseconds drip_;
  void* ctx_ = nullptr;  // SSL_CTX*, kept out of this header
  Listener tls_{Kind::tls}, plain_{Kind::plain}, silent_{Kind::silent};
  std::atomic<bool> stopping_{false};
  bool stopped_ = false;
  std::mutex mu_;
  std::vector<int> conns_;  // open connections, shut down on stop
  std::vector<std::thread> threads_;
};

}  // namespace fiokit::test
