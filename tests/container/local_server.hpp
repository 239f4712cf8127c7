// A cpp-httplib server on 127.0.0.1 (ephemeral port) with the routes the
// container tests need: a job file, 404s, oversize bodies, redirect loops and
// chains, flaky and slow endpoints, and files a test puts in at run time.
#pragma once
#include <httplib.h>

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <thread>

namespace fiokit::test {

class LocalServer {
 public:
  static constexpr const char* kJob = "[job]\nioengine=null\nsize=1m\n";
  // `addr` is the loopback address to listen on (127.0.0.2 plays a second,
  // "internal" host in the SSRF tests).
  explicit LocalServer(const std::string& addr = "127.0.0.1");
  ~LocalServer();
  std::string url(const std::string& path) const;
  // Serves `text` at /files/<name>.
  void put(const std::string& name, const std::string& text);
  // Answers /r/<name> with 302 Location: `location`.
  void redirect(const std::string& name, const std::string& location);
  std::atomic<int> hits{0};
  std::atomic<int> flaky_hits{0};

 private:
  httplib::Server srv_;
  std::thread thread_;
  std::string addr_;
  int port_ = 0;
  std::mutex mu_;
  std::map<std::string, std::string> files_;
  std::map<std::string, std::string> redirects_;
};

// A TCP port on 127.0.0.1 that nothing listens on (bound, then closed).
int closed_port();

}  // namespace fiokit::test
