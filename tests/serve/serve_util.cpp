// See serve_util.hpp.
#include "serve_util.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "common/run_fixture.hpp"
#include "results/json_writer.hpp"

namespace fs = std::filesystem;

namespace fiokit::servetest {


results::RunResult make_result(const std::vector<std::string>& jobs, int64_t ts, double scale, uint64_t clat_us) {
  results::RunResult r = test::empty_run(ts, "Sun Nov 22 03:00:00 2026");
  r.extras["host"] = "testhost";
  r.extras["volume"] = "/dev/test (ext4)";
  std::mt19937_64 rng(static_cast<uint64_t>(ts));
  int idx = 0;
  for (const auto& name : jobs) {
    const uint64_t n = static_cast<uint64_t>(2000 * scale);
    results::JobResult j =
        test::randread_job(name, idx++, n, 500, [&] { return clat_us * 1000 + rng() % (clat_us * 200); });
    auto& d = j.dirs[0];
    for (int s = 0; s < 4; ++s) {
      d.bw_kib.values.push_back(static_cast<double>(n * 4) / 2.0);
      d.iops.values.push_back(static_cast<double>(n) / 2.0);
    }
    r.jobs.push_back(std::move(j));
  }
  return r;
}

std::string make_log(size_t rows, uint64_t step_ms, int ddir, uint64_t base, uint64_t spike_at, uint64_t spike_value) {
  std::string out;
  out.reserve(rows * 24);
  for (size_t i = 0; i < rows; ++i) {
    const uint64_t t = (i + 1) * step_ms;
    uint64_t v = base + (i * 7919) % (base / 10 + 1);
    if (spike_value && i == spike_at) v = spike_value;
    out += std::to_string(t) + ", " + std::to_string(v) + ", " + std::to_string(ddir) + ", 4096, 0\n";
  }
  return out;
}

void write_text(const std::string& path, const std::string& text) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream f(path, std::ios::binary);
  f << text;
  if (!f) throw std::runtime_error("cannot write " + path);
}

std::string read_text(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::string tiny_png() {
  static const unsigned char png[] = {
      0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00,
      0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00,
      0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xf0, 0x1f, 0x00, 0x05, 0x00, 0x01, 0xff,
      0x89, 0x99, 0x3d, 0x1d, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};
  return std::string(reinterpret_cast<const char*>(png), sizeof png);
}

void write_run_dir(const std::string& data_dir, const std::string& id, const results::RunResult& r, bool with_logs) {
  const std::string dir = data_dir + "/runs/" + id;
  write_text(dir + "/results.json", results::write_json(r, false));
  write_text(dir + "/job.fio", "[global]\nioengine=psync\n[" + (r.jobs.empty() ? std::string("x") : r.jobs[0].name) +
                                   "]\nrw=randread\nbs=4k\n");
  write_text(dir + "/output.txt", "fiokit output\n");
  write_text(dir + "/plots/bw.png", tiny_png());
  if (with_logs) {
    // Levels differ per run and job so overlaid series are told apart.
    uint64_t k = static_cast<uint64_t>(r.timestamp % 5) + 1;
    for (const auto& j : r.jobs) {
      write_text(dir + "/" + j.name + "_bw.1.log", make_log(50, 100, 0, 20000 * k, 25, 60000 * k));
      write_text(dir + "/" + j.name + "_iops.1.log", make_log(50, 100, 0, 5000 * k));
      write_text(dir + "/" + j.name + "_clat.1.log", make_log(200, 10, 0, 50000 * k, 120, 400000 * k));
      ++k;
    }
  }
}

TestServer::TestServer(const std::string& dir, bool start_now) {
  serve::ServeOptions opt;
  opt.dir = dir;
  opt.port = 0;
  opt.refresh = std::chrono::milliseconds(0);
  server = std::make_unique<serve::Server>(opt);
  if (start_now) start();
}

void TestServer::start() { port = server->start(); }

TestServer::~TestServer() { server->stop(); }

int connect_local(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

int connect_local_from(int port, const char* source_ip) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in src{};
  src.sin_family = AF_INET;
  ::inet_pton(AF_INET, source_ip, &src.sin_addr);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&src), sizeof src) != 0 ||
      ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

ServeChild spawn_serve(const std::vector<std::string>& args) {
  int p[2];
  ServeChild c;
  if (::pipe(p) != 0) return c;
  c.pid = ::fork();
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

int wait_port(ServeChild& c) {
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

std::string read_until_closed(int fd, std::chrono::milliseconds limit, bool* closed) {
  std::string data;
  char buf[65536];
  if (closed) *closed = false;
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) {
      if (closed) *closed = true;
      break;
    }
    data.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return data;
}

RawResponse raw_http(int port, const std::string& request) {
  RawResponse out;
  const int fd = connect_local(port);
  if (fd < 0) return out;
  ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  const std::string data = read_until_closed(fd, std::chrono::seconds(5));
  const size_t split = data.find("\r\n\r\n");
  out.head = data.substr(0, split);
  if (split != std::string::npos) out.body = data.substr(split + 4);
  if (data.rfind("HTTP/1.", 0) == 0 && data.size() > 12) out.status = std::atoi(data.c_str() + 9);
  return out;
}

RawResponse raw_get(int port, const std::string& target) {
  return raw_http(port, "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
}

bool have_program(const std::string& path) { return ::access(path.c_str(), X_OK) == 0; }

size_t count_of(const std::string& hay, const std::string& needle) {
  size_t n = 0;
  for (size_t p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) ++n;
  return n;
}

std::string fio_run_dir(const std::string& data_dir, const std::string& id, const std::string& fio_args) {
  if (!have_program("/usr/bin/fio")) {
    FAIL("/usr/bin/fio is not installed: run this case through CTest's serve_fio entry, which skips without it");
  }
  const std::string dir = data_dir + "/runs/" + id;
  fs::create_directories(dir);
  int code = 0;
  const auto out = run_capture("cd '" + dir + "' && fio " + fio_args + " 2>&1", &code);
  INFO(out.value_or(""));
  REQUIRE(code == 0);
  return dir;
}

std::optional<std::string> run_capture(const std::string& cmd, int* exit_code) {
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return std::nullopt;
  std::string out;
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  const int st = ::pclose(p);
  const int code = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
  if (exit_code) *exit_code = code;
  if (code != 0) return std::nullopt;
  return out;
}

std::string chromium_cmd(const std::string& profile, const std::string& args, const std::string& url) {
  return std::string("timeout 120 /usr/bin/chromium") +
         " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking"
         " --disable-component-update --disable-sync --disable-dev-shm-usage --user-data-dir=" + profile + " " + args +
         " '" + url + "' 2>/dev/null";
}

std::string chromium_screenshot(const std::string& dir, const std::string& url, const std::string& size) {
  test::TempDir profile("chromium");
  const std::string png = dir + "/shot.png";
  run_capture(chromium_cmd(profile.path, "--hide-scrollbars --window-size=" + size + " --virtual-time-budget=5000 --screenshot=" + png, url));
  return ::access(png.c_str(), R_OK) == 0 ? png : std::string();
}

}  // namespace fiokit::servetest
