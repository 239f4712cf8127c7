// The front's own answer for cached files (Front::FastPath, serve/server.cpp
// answer_cached): byte for byte what cpp-httplib answers for the same request,
// only for plain requests, and never a file the confinement would refuse now.
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <thread>

#include "serve/server.hpp"
#include "serve_util.hpp"

using namespace fiokit;
using namespace fiokit::servetest;
namespace fs = std::filesystem;

namespace {

// One whole response from a kept-alive connection: head, then Content-Length
// bytes of body (none for HEAD).
std::string read_response(int fd, bool head_only) {
  std::string got;
  char buf[65536];
  for (;;) {
    const size_t end = got.find("\r\n\r\n");
    if (end != std::string::npos) {
      size_t len = 0;
      const size_t at = got.find("Content-Length: ");
      if (at != std::string::npos && at < end && !head_only) len = std::stoull(got.substr(at + 16));
      if (got.size() >= end + 4 + len) return got;
    }
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return got;
    got.append(buf, static_cast<size_t>(n));
  }
}

std::string ask(int fd, const std::string& request, bool head_only = false) {
  REQUIRE(::send(fd, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size()));
  return read_response(fd, head_only);
}

std::string plain(const std::string& method, const std::string& target, const std::string& extra = "") {
  return method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: t\r\nAccept: */*\r\n" + extra + "\r\n";
}

struct FastTarget {
  TempDir data;
  TempDir outside;
  serve::ServeOptions opt;
  std::unique_ptr<serve::Server> server;
  int port = 0;
  FastTarget() {
    fs::create_directories(data.path + "/runs/r1");
    std::string log;
    for (int i = 1; log.size() < 20000; ++i) log += std::to_string(i * 100) + ", " + std::to_string(1000 + i) + ", 0, 4096, 0\n";
    write_text(data.path + "/runs/r1/j_bw.1.log", log);
    write_text(data.path + "/runs/r1/results.json", "{\"jobs\": []}");
    write_text(outside.path + "/secret.log", "0, 1, 0, 4096, 0\nTOPSECRET\n");
    opt.dir = data.path;
    opt.port = 0;
    server = std::make_unique<serve::Server>(opt);
    port = server->start();
  }
};

}  // namespace

TEST_CASE("a cached file answered by the front is byte for byte the library's answer", "[serve]") {
  FastTarget t;
  const int fd = connect_local(t.port);
  REQUIRE(fd >= 0);
  for (const char* path : {"/files/runs/r1/j_bw.1.log", "/files/runs/r1/results.json"}) {
    INFO(path);
    const size_t fast0 = t.server->fast_answers();
    const std::string first = ask(fd, plain("GET", path));  // a miss: the library answers and caches
    CHECK(t.server->fast_answers() == fast0);
    const std::string second = ask(fd, plain("GET", path));  // a hit: the front answers
    CHECK(t.server->fast_answers() == fast0 + 1);
    REQUIRE(first.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
    CHECK(second == first);
    // HEAD: the same head, no body.
    const std::string head = ask(fd, plain("HEAD", path), true);
    CHECK(t.server->fast_answers() == fast0 + 2);
    CHECK(head == first.substr(0, first.find("\r\n\r\n") + 4));
    // A field outside the plain set takes the library's way (with the file
    // cached), and gets the same bytes.
    const std::string lib = ask(fd, plain("GET", path, "Accept-Encoding: identity\r\n"));
    CHECK(t.server->fast_answers() == fast0 + 2);
    CHECK(lib == first);
  }
  ::close(fd);
}

TEST_CASE("the front's cached answers: only plain requests, never a file the confinement refuses now", "[serve]") {
  FastTarget t;
  const std::string path = "/files/runs/r1/j_bw.1.log";
  const int fd = connect_local(t.port);
  REQUIRE(fd >= 0);
  ask(fd, plain("GET", path));
  const size_t fast0 = t.server->fast_answers();
  // Not plain: a Range, a query, percent-encoding, HTTP/1.0, Connection: each
  // goes to the library, which answers as it always did.
  const std::string ranged = ask(fd, plain("GET", path, "Range: bytes=0-9\r\n"));
  CHECK(ranged.rfind("HTTP/1.1 206", 0) == 0);
  CHECK(ranged.substr(ranged.size() - 10) == "100, 1001,");
  CHECK(ask(fd, plain("GET", path + "?x=1")).rfind("HTTP/1.1 200", 0) == 0);
  CHECK(ask(fd, plain("GET", "/files/runs/r1/j%5fbw.1.log")).rfind("HTTP/1.1 200", 0) == 0);
  CHECK(t.server->fast_answers() == fast0);
  // A dot-dot target is refused (403) by the same vetting, cached or not.
  CHECK(ask(fd, plain("GET", "/files/runs/r1/../r1/j_bw.1.log")).rfind("HTTP/1.1 403", 0) == 0);
  CHECK(t.server->fast_answers() == fast0);
  // Rewritten in place: the new bytes, never the cached ones.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  write_text(t.data.path + "/runs/r1/j_bw.1.log", "1, 2, 0, 4096, 0\n");
  const std::string fresh = ask(fd, plain("GET", path));
  CHECK(fresh.substr(fresh.size() - 17) == "1, 2, 0, 4096, 0\n");
  // Swapped for a symlink out of the served tree: refused, never the cached bytes.
  ask(fd, plain("GET", path));  // cached again
  fs::remove(t.data.path + "/runs/r1/j_bw.1.log");
  fs::create_symlink(t.outside.path + "/secret.log", t.data.path + "/runs/r1/j_bw.1.log");
  const std::string leak = ask(fd, plain("GET", path));
  CHECK(leak.find("TOPSECRET") == std::string::npos);
  CHECK(leak.rfind("HTTP/1.1 200", 0) != 0);
  ::close(fd);
  // With an access log every request is the library's (and logged).
  serve::ServeOptions logged = t.opt;
  logged.access_log = true;
  write_text(t.data.path + "/runs/r1/k.log", "0, 1, 0, 4096, 0\n");
  serve::Server s2(logged);
  const int p2 = s2.start();
  const int fd2 = connect_local(p2);
  REQUIRE(fd2 >= 0);
  ask(fd2, plain("GET", "/files/runs/r1/k.log"));
  CHECK(ask(fd2, plain("GET", "/files/runs/r1/k.log")).rfind("HTTP/1.1 200", 0) == 0);
  CHECK(s2.fast_answers() == 0);
  ::close(fd2);
  s2.stop();
}

TEST_CASE("parked connections are served while every worker waiting for them is held by a slow handler", "[serve]") {
  FastTarget t;
  t.server->http().Get("/slow", [](const httplib::Request&, httplib::Response& res) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    res.set_content("slow", "text/plain");
  });
  // Eight kept-alive connections, each answered once and then parked.
  std::vector<int> fds;
  for (int i = 0; i < 8; ++i) {
    fds.push_back(connect_local(t.port));
    REQUIRE(fds.back() >= 0);
    CHECK(ask(fds.back(), plain("GET", "/healthz")).rfind("HTTP/1.1 200", 0) == 0);
  }
  // Seven of them ask for the slow route at once: more than the workers
  // that wait on the parked set (at most 8, one per CPU)...
  const std::string slow = plain("GET", "/slow");
  for (int i = 0; i < 7; ++i) ::send(fds[static_cast<size_t>(i)], slow.data(), slow.size(), MSG_NOSIGNAL);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  // ...and the last one is still answered at once.
  const auto t0 = std::chrono::steady_clock::now();
  CHECK(ask(fds[7], plain("GET", "/healthz")).rfind("HTTP/1.1 200", 0) == 0);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  CHECK(ms < 500);
  for (int i = 0; i < 7; ++i) CHECK(read_response(fds[static_cast<size_t>(i)], false).find("slow") != std::string::npos);
  for (int fd : fds) ::close(fd);
}
