// The `fiokit serve` command itself (the shipped fiokit binary): usage errors exit 2, an unservable directory 1,
// and a running server answers and stops cleanly (exit 0) on SIGTERM and SIGINT.
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <regex>
#include <thread>

#include "serve_util.hpp"

using namespace fiokit::servetest;

namespace {

struct Child {
  pid_t pid = -1;
  int err_fd = -1;
  std::string err;
};

Child spawn(const std::vector<std::string>& args) {
  int p[2];
  REQUIRE(::pipe(p) == 0);
  Child c;
  c.pid = ::fork();
  REQUIRE(c.pid >= 0);
  if (c.pid == 0) {
    ::dup2(p[1], 2);
    ::close(p[0]);
    std::vector<char*> argv;
    std::string bin = FIOKIT_BIN, sub = "serve";
    argv.push_back(bin.data());
    argv.push_back(sub.data());
    std::vector<std::string> copy = args;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(bin.c_str(), argv.data());
    ::_exit(127);
  }
  ::close(p[1]);
  c.err_fd = p[0];
  return c;
}

// Reads stderr until the startup line names the port (or 5 s pass).
int wait_port(Child& c) {
  const std::regex re("http://127\\.0\\.0\\.1:([0-9]+)/");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  char buf[512];
  while (std::chrono::steady_clock::now() < deadline) {
    const ssize_t n = ::read(c.err_fd, buf, sizeof buf);
    if (n <= 0) break;
    c.err.append(buf, static_cast<size_t>(n));
    std::smatch m;
    if (std::regex_search(c.err, m, re)) return std::stoi(m[1]);
  }
  return -1;
}

int wait_exit(pid_t pid, int seconds) {
  for (int i = 0; i < seconds * 20; ++i) {
    int st = 0;
    if (::waitpid(pid, &st, WNOHANG) == pid) return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  return -1;
}

}  // namespace

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
    Child c = spawn({data.path, "--port", "0", "--bind", "127.0.0.1"});
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
