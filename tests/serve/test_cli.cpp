// The `fiokit serve` command itself (the shipped fiokit binary): usage errors exit 2, an unservable directory 1,
// and a running server answers and stops cleanly (exit 0) on SIGTERM and SIGINT.
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "serve_util.hpp"

using namespace fiokit::servetest;


TEST_CASE("fiokit serve: usage errors exit 2, a missing directory exits 1", "[serve]") {
  int code = 0;
  run_capture(std::string(FIOKIT_BIN) + " serve --port nope 2>/dev/null", &code);
  CHECK(code == 2);
  run_capture(std::string(FIOKIT_BIN) + " serve --port 70000 2>/dev/null", &code);
  CHECK(code == 2);
  run_capture(std::string(FIOKIT_BIN) + " serve --frobnicate 2>/dev/null", &code);
  CHECK(code == 2);
  run_capture(std::string(FIOKIT_BIN) + " serve a b 2>/dev/null", &code);
  CHECK(code == 2);
  auto err = run_capture(std::string(FIOKIT_BIN) + " serve /nonexistent/dir --port 0 2>&1", &code);
  CHECK(code == 1);
  auto help = run_capture(std::string(FIOKIT_BIN) + " serve --help", &code);
  REQUIRE(help);
  CHECK(help->find("--bind ADDR") != std::string::npos);
}

TEST_CASE("fiokit serve answers, then stops cleanly on SIGTERM and SIGINT", "[serve]") {
  TempDir data;
  write_run_dir(data.path, "r1", make_result({"j"}, 1763632800));
  for (int sig : {SIGTERM, SIGINT}) {
    INFO("signal " << sig);
    ServeChild c = spawn_serve({data.path, "--port", "0", "--bind", "127.0.0.1"});
    REQUIRE(c.pid > 0);
    const int port = wait_port(c);
    REQUIRE(port > 0);
    httplib::Client cl("127.0.0.1", port);
    auto r = cl.Get("/healthz");
    REQUIRE(r);
    CHECK(r->body.find("\"runs\":1") != std::string::npos);
    // An idle keep-alive connection must not hold up the shutdown for long.
    const int idle = connect_local(port);
    const auto t0 = std::chrono::steady_clock::now();
    ::kill(c.pid, sig);
    CHECK(wait_exit(c.pid, 5) == 0);
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(3));
    ::close(idle);
    ::close(c.err_fd);
  }
}
