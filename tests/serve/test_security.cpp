// Hardening of `fiokit serve`: nothing outside the served directory (raw
// requests, since a client library would normalise %2e%2e and backslashes),
// no open redirect, escaped names, read-only methods, a 500 that leaks
// nothing, and slow or idle connections that cannot hold up a normal GET.
#include <httplib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <thread>

#include "serve/confine.hpp"
#include "serve_util.hpp"

using namespace fiokit;
using namespace fiokit::servetest;
namespace fs = std::filesystem;

namespace {

struct Fixture {
  TempDir data;
  TempDir outside;
  Fixture() {
    write_run_dir(data.path, "r1", make_result({"j"}, 1763632800));
    write_text(outside.path + "/secret.log", "0, 1, 0, 4096, 0\nTOPSECRET\n");
    // Symlinks that point out of the tree: a directory and a file, and one
    // that stays inside (allowed).
    fs::create_directory_symlink("/etc", data.path + "/runs/r1/etc");
    fs::create_symlink(outside.path + "/secret.log", data.path + "/runs/r1/leak_bw.1.log");
    fs::create_symlink("/etc/passwd", data.path + "/passwd");
    fs::create_symlink(data.path + "/runs/r1/job.fio", data.path + "/runs/r1/inside.fio");
  }
};

bool leaked(const RawResponse& r) {
  return r.body.find("root:") != std::string::npos || r.body.find("TOPSECRET") != std::string::npos;
}

}  // namespace

TEST_CASE("check_target refuses traversal in every spelling", "[serve]") {
  using serve::check_target;
  CHECK(check_target("/"));
  CHECK(check_target("/files/runs/r1/x_bw.1.log"));
  CHECK(check_target("/files/runs/"));
  CHECK(check_target("/compare?run=a&run=b/../c"));  // the query is not a path
  CHECK(check_target("/runs/%3Cscript%3E"));
  CHECK_FALSE(check_target("/files/../etc/passwd"));
  CHECK_FALSE(check_target("/files/%2e%2e/etc/passwd"));
  CHECK_FALSE(check_target("/files/%2E%2E/etc/passwd"));
  CHECK_FALSE(check_target("/files/.%2e/etc"));
  CHECK_FALSE(check_target("/files/runs%2f..%2fetc"));
  CHECK_FALSE(check_target("/files/runs%2F..%2Fetc"));
  CHECK_FALSE(check_target("/files/..%5cetc"));
  CHECK_FALSE(check_target("/files/a\\..\\etc"));
  CHECK_FALSE(check_target("/files/a%00.png"));
  CHECK_FALSE(check_target("//evil.example"));
  CHECK_FALSE(check_target("/files//etc"));
  CHECK_FALSE(check_target("/files/.git/config"));
  CHECK_FALSE(check_target("/files/%zz"));
  CHECK_FALSE(check_target("http://evil.example/"));
}

TEST_CASE("nothing outside the served directory is served", "[serve]") {
  Fixture f;
  TestServer s(f.data.path);
  const std::vector<std::string> targets = {
      "/files/../../../../etc/passwd",
      "/files/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
      "/files/runs%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
      "/files/..%5c..%5c..%5c..%5cetc%5cpasswd",
      "/files/runs\\..\\..\\..\\etc\\passwd",
      "/files/runs/r1/job.fio%00.png",
      "/files/runs/r1/etc/passwd",
      "/files/runs/r1/etc/",
      "/files/runs/r1/leak_bw.1.log",
      "/files/passwd",
      "/runs/..%2f..%2fetc",
      "/static/..%2f..%2fetc%2fpasswd",
      "/api/runs/r1/series?log=leak_bw.1.log",
      "/api/runs/r1/series?log=../../../../etc/passwd",
  };
  for (const auto& t : targets) {
    INFO(t);
    const auto r = raw_get(s.port, t);
    CHECK((r.status == 403 || r.status == 404));
    CHECK_FALSE(leaked(r));
  }
  // The escaping symlinks are not even listed; the one inside the tree works.
  const auto listing = raw_get(s.port, "/files/runs/r1/");
  CHECK(listing.status == 200);
  CHECK(listing.body.find("leak_bw") == std::string::npos);
  CHECK(listing.body.find(">etc/<") == std::string::npos);
  CHECK(listing.body.find("inside.fio") != std::string::npos);
  CHECK(raw_get(s.port, "/files/runs/r1/inside.fio").status == 200);
  CHECK(raw_get(s.port, "/files/").body.find("passwd") == std::string::npos);
  const auto api = raw_get(s.port, "/api/runs/r1");
  CHECK(api.body.find("leak_bw") == std::string::npos);
}

TEST_CASE("a served file swapped for a symlink out of the tree is refused", "[serve]") {
  Fixture f;
  TestServer s(f.data.path);
  const std::string file = f.data.path + "/runs/r1/output.txt";
  CHECK(raw_get(s.port, "/files/runs/r1/output.txt").body == "fiokit output\n");  // now cached
  write_text(file, "changed, same path\n");
  CHECK(raw_get(s.port, "/files/runs/r1/output.txt").body == "changed, same path\n");
  fs::remove(file);
  fs::create_symlink(f.outside.path + "/secret.log", file);
  const auto r = raw_get(s.port, "/files/runs/r1/output.txt");
  CHECK(r.status == 403);
  CHECK_FALSE(leaked(r));
}

TEST_CASE("no open redirect on //host", "[serve]") {
  Fixture f;
  TestServer s(f.data.path);
  for (const std::string t : {"//evil.example", "//evil.example/", "/%2f%2fevil.example", "/\\evil.example",
                              "/files//evil.example"}) {
    INFO(t);
    const auto r = raw_get(s.port, t);
    CHECK(r.status >= 400);
    CHECK(r.head.find("Location:") == std::string::npos);
    CHECK(r.head.find("location:") == std::string::npos);
  }
}

TEST_CASE("names from disk are HTML-escaped", "[serve]") {
  TempDir data;
  auto r = make_result({"<script>alert('job')</script>"}, 1763632800);
  r.extras["<b>key</b>"] = "<img src=x onerror=alert(1)>";
  write_run_dir(data.path, "<script>alert(1)", r, false);
  write_text(data.path + "/runs/<script>alert(1)/<i>x</i>.txt", "hi");
  write_run_dir(data.path, "r2", make_result({"j"}, 1763632801), false);  // compare drops a repeated id: a second run
  TestServer s(data.path);
  httplib::Client c("127.0.0.1", s.port);
  for (const std::string path : {"/", "/runs/%3Cscript%3Ealert(1)", "/files/runs/", "/files/runs/%3Cscript%3Ealert(1)/",
                                 "/compare?runs=%3Cscript%3Ealert(1),r2"}) {
    INFO(path);
    auto res = c.Get(path.c_str());
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK(res->body.find("<script>alert") == std::string::npos);
    CHECK(res->body.find("<img src=x") == std::string::npos);
    CHECK(res->body.find("<i>x") == std::string::npos);
    CHECK(res->body.find("&lt;script&gt;alert(1)") != std::string::npos);
  }
  // Pages only run scripts of this origin.
  CHECK(c.Get("/")->get_header_value("Content-Security-Policy").find("script-src 'self'") != std::string::npos);
}

TEST_CASE("read-only: other methods get 405, bodies are not read", "[serve]") {
  TempDir data;
  TestServer s(data.path);
  httplib::Client c("127.0.0.1", s.port);
  auto p = c.Post("/api/runs", "{}", "application/json");
  REQUIRE(p);
  CHECK(p->status == 405);
  CHECK(p->get_header_value("Allow") == "GET, HEAD");
  CHECK(c.Put("/files/x", "data", "text/plain")->status == 405);
  CHECK(c.Delete("/files/x")->status == 405);
  CHECK(c.Patch("/files/x", "data", "text/plain")->status == 405);
  CHECK(c.Options("/")->status == 405);
  CHECK(raw_http(s.port, "TRACE / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").status >= 400);
  CHECK_FALSE(std::filesystem::exists(data.path + "/x"));
  // A huge declared upload is refused at once rather than read.
  const auto t0 = std::chrono::steady_clock::now();
  const auto big = raw_http(s.port, "POST /api/runs HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000000\r\n\r\nabc");
  CHECK(big.status == 405);
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(2));
  auto head = c.Head("/");
  REQUIRE(head);
  CHECK(head->status == 200);
  CHECK(head->body.empty());
}

TEST_CASE("a handler exception becomes a bare 500", "[serve]") {
  TempDir data;
  TestServer s(data.path, false);
  s.server->http().Get("/boom", [](const httplib::Request&, httplib::Response&) {
    throw std::runtime_error("secret internal detail /srv/private");
  });
  s.start();
  const auto r = raw_get(s.port, "/boom");
  CHECK(r.status == 500);
  CHECK(r.head.find("EXCEPTION_WHAT") == std::string::npos);
  CHECK(r.head.find("secret") == std::string::npos);
  CHECK(r.body.find("secret") == std::string::npos);
  CHECK(r.body.find("Internal error") != std::string::npos);
}

TEST_CASE("oversized request lines and headers are refused", "[serve]") {
  TempDir data;
  TestServer s(data.path);
  CHECK(raw_get(s.port, "/" + std::string(10000, 'a')).status == 414);
  const auto r = raw_http(s.port, "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'b') +
                                      "\r\nConnection: close\r\n\r\n");
  CHECK(r.status != 200);
}

TEST_CASE("200 idle and trickling connections do not delay a normal GET", "[serve][slow]") {
  Fixture f;
  TestServer s(f.data.path);
  std::vector<int> socks;
  for (int i = 0; i < 200; ++i) {
    const int fd = connect_local(s.port);
    REQUIRE(fd >= 0);
    // Half send nothing; half start a request and stop mid-header.
    if (i % 2) {
      const std::string partial = "GET / HTTP/1.1\r\nHost: x\r\n";
      ::send(fd, partial.data(), partial.size(), MSG_NOSIGNAL);
    }
    socks.push_back(fd);
  }
  // Trickle: every 300 ms each partial socket sends one more header byte,
  // which resets a per-recv timeout (slowloris).
  std::atomic<bool> stop{false};
  std::thread trickler([&] {
    while (!stop) {
      for (size_t i = 1; i < socks.size(); i += 2) ::send(socks[i], "X", 1, MSG_NOSIGNAL | MSG_DONTWAIT);
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  for (int round = 0; round < 3; ++round) {
    httplib::Client c("127.0.0.1", s.port);
    c.set_connection_timeout(2, 0);
    c.set_read_timeout(2, 0);
    const auto t0 = std::chrono::steady_clock::now();
    auto r = c.Get("/api/runs");
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
    INFO("round " << round << ": " << ms << " ms");
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(ms < 1000);
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
  }
  // Idle sockets are dropped by the server after its keep-alive timeout.
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  int closed = 0;
  for (size_t i = 0; i < socks.size(); i += 2) {
    char b;
    if (::recv(socks[i], &b, 1, MSG_DONTWAIT) == 0) ++closed;
  }
  CHECK(closed == 100);
  stop = true;
  trickler.join();
  for (int fd : socks) ::close(fd);
}

namespace {
size_t thread_count() {
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator("/proc/self/task")) ++n;
  return n;
}
}  // namespace

TEST_CASE("workers added for a burst of connections leave once idle", "[serve][slow]") {
  TempDir data;
  serve::ServeOptions opt;
  opt.dir = data.path;
  opt.port = 0;
  opt.min_threads = 4;
  opt.worker_idle_exit = std::chrono::milliseconds(300);
  // About the pool, so no per-peer cap: all 100 sockets come from 127.0.0.1.
  opt.limits.max_waiting_per_peer = 0;
  serve::Server server(opt);
  const int port = server.start();
  const size_t before = thread_count();
  std::vector<int> socks;
  // A connection with half a request head holds a worker until the rest comes.
  const std::string partial = "GET /healthz HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 100; ++i) {
    socks.push_back(connect_local(port));
    ::send(socks.back(), partial.data(), partial.size(), MSG_NOSIGNAL);
  }
  // Polled, not slept for: thread start-up is slow under ASan on busy cores.
  size_t peak = thread_count();
  for (int i = 0; i < 500 && peak < before + 90; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    peak = std::max(peak, thread_count());
  }
  CHECK(peak >= before + 90);  // one worker per waiting connection
  for (int fd : socks) ::close(fd);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  httplib::Client c("127.0.0.1", port);
  REQUIRE(c.Get("/healthz"));  // an enqueue joins the workers that left
  size_t after = thread_count();
  for (int i = 0; i < 500 && after >= before + 10; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    REQUIRE(c.Get("/healthz"));
    after = thread_count();
  }
  CHECK(after < before + 10);
  server.stop();
}

TEST_CASE("idle keep-alive connections are parked: they hold no worker and close at the idle timeout", "[serve][slow]") {
  TempDir data;
  serve::ServeOptions opt;
  opt.dir = data.path;
  opt.port = 0;
  opt.min_threads = 4;
  opt.limits.max_waiting_per_peer = 0;
  serve::Server server(opt);
  const int port = server.start();
  const size_t before = thread_count();
  // 100 connections that each had one answer and then stay quiet.
  std::vector<int> socks;
  const std::string req = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
  for (int i = 0; i < 100; ++i) {
    const int fd = connect_local(port);
    REQUIRE(fd >= 0);
    REQUIRE(::send(fd, req.data(), req.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(req.size()));
    char buf[4096];
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    REQUIRE(n > 0);
    CHECK(std::string(buf, static_cast<size_t>(n)).rfind("HTTP/1.1 200", 0) == 0);
    socks.push_back(fd);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  // Parked in the epoll set: a few workers wait for all of them, not one each.
  CHECK(thread_count() < before + 20);
  // Each is still served: a second request on every one gets its answer.
  for (int fd : socks) {
    REQUIRE(::send(fd, req.data(), req.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(req.size()));
    char buf[4096];
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    REQUIRE(n > 0);
    CHECK(std::string(buf, static_cast<size_t>(n)).rfind("HTTP/1.1 200", 0) == 0);
  }
  // Then quiet past the idle timeout (1 s): every one is closed by the server.
  std::this_thread::sleep_for(std::chrono::milliseconds(1600));
  int closed = 0;
  for (int fd : socks) {
    char b;
    if (::recv(fd, &b, 1, MSG_DONTWAIT) == 0) ++closed;
    ::close(fd);
  }
  CHECK(closed == 100);
  server.stop();
}
