// What a red-team review of `fiokit serve` found (issue 14 follow-up), each a
// case that failed before its fix: lines one or two bytes under cpp-httplib's
// own cap that slipped past the front, control bytes in header values, request
// lines httplib answers with a keep-alive 400, a symlink to a FIFO outside the
// root opened before the 403, concurrent chart requests parsing one log each,
// a rewritten log leaving stale copies, and SIGTERM waiting for a log parse.
// Raw sockets on 127.0.0.1; the SIGTERM case runs the real build/fiokit.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "serve_util.hpp"

using namespace fiokit;
using namespace fiokit::servetest;
using Clock = std::chrono::steady_clock;

namespace {

struct Exchange {
  std::string data;     // everything the server sent
  bool closed = false;  // the server closed within 3 s
  int status() const { return data.size() > 12 ? std::atoi(data.c_str() + 9) : 0; }
  // Status lines sent: more than one means a pipelined request behind a refused one was served.
  size_t answers() const {
    size_t n = 0;
    for (size_t p = data.find("HTTP/1.1 "); p != std::string::npos; p = data.find("HTTP/1.1 ", p + 1))
      n += p + 9 < data.size() && std::isdigit(static_cast<unsigned char>(data[p + 9]));
    return n;
  }
  bool says_close() const { return data.find("\r\nConnection: close\r\n") != std::string::npos; }
};

// Sends `request` and then a pipelined GET /healthz (no Connection: close), and
// reads until the server closes or 3 s pass.
Exchange converse(int port, const std::string& request) {
  const int fd = connect_local(port);
  REQUIRE(fd >= 0);
  const std::string all = request + "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
  for (size_t off = 0; off < all.size();) {
    const ssize_t n = ::send(fd, all.data() + off, all.size() - off, MSG_NOSIGNAL);
    if (n <= 0) break;
    off += static_cast<size_t>(n);
  }
  Exchange e;
  e.data = read_until_closed(fd, std::chrono::seconds(3), &e.closed);
  return e;
}

serve::ServeOptions options(const std::string& dir) {
  serve::ServeOptions opt;
  opt.dir = dir;
  opt.port = 0;
  return opt;
}

// A refused request: `status`, framed as the front's, the connection closed,
// and the pipelined request behind it not served.
void check_refused(const Exchange& e, int status) {
  INFO(e.data.substr(0, 200));
  CHECK(e.status() == status);
  CHECK(e.says_close());
  CHECK(e.closed);
  CHECK(e.answers() == 1);
}

}  // namespace

TEST_CASE("lines at cpp-httplib's 8192-byte cap (CRLF counted) are refused by the front and closed", "[serve]") {
  TempDir data;
  write_run_dir(data.path, "r1", make_result({"j"}, 1763632800));
  serve::Server s(options(data.path));
  const int port = s.start();
  // Request line: "GET /aaa HTTP/1.1" of `len` bytes before its CRLF.
  auto request_line = [](size_t len) { return "GET /" + std::string(len - 14, 'a') + " HTTP/1.1\r\n"; };
  auto header_line = [](size_t len) { return "X-L: " + std::string(len - 5, 'l') + "\r\n"; };
  for (const size_t len : {8191u, 8192u}) {
    INFO("line of " << len << " bytes + CRLF");
    check_refused(converse(port, request_line(len) + "Host: x\r\n\r\n"), 414);
    check_refused(converse(port, "GET /api/runs HTTP/1.1\r\nHost: x\r\n" + header_line(len) + "\r\n"), 431);
  }
  // 8190 + CRLF is exactly the cap: served (404: no such file), the next request too.
  const Exchange at_cap = converse(port, request_line(8190) + "Host: x\r\n\r\n");
  CHECK(at_cap.status() == 404);
  CHECK(at_cap.answers() == 2);
  const Exchange hdr = converse(port, "GET /api/runs HTTP/1.1\r\nHost: x\r\n" + header_line(8190) + "\r\n");
  CHECK(hdr.status() == 200);
  CHECK(hdr.answers() == 2);
  s.stop();
}

TEST_CASE("control bytes in a header value: 400 and closed", "[serve]") {
  TempDir data;
  serve::Server s(options(data.path));
  const int port = s.start();
  for (const char* bad : {"a\x01" "b", "a\x7f" "b", "\x1b[31m", "a\x0b" "b"}) {
    INFO("value " << bad);
    check_refused(converse(port, std::string("GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: ") + bad + "\r\n\r\n"), 400);
  }
  // HTAB and obs-text (a UTF-8 name) are field-value bytes: served.
  const Exchange ok = converse(port, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\tb \xc3\xa9\r\n\r\n");
  CHECK(ok.status() == 200);
  CHECK(ok.answers() == 2);
  s.stop();
}

TEST_CASE("a malformed request line: 400 or 505 and closed, nothing behind it served", "[serve]") {
  TempDir data;
  serve::Server s(options(data.path));
  const int port = s.start();
  const std::string rest = "Host: x\r\n\r\n";
  check_refused(converse(port, "GET /healthz HTTP/2.0\r\n" + rest), 505);
  check_refused(converse(port, "GET /healthz HTTP/9.9\r\n" + rest), 505);
  for (const std::string& line : {std::string("get /healthz HTTP/1.1"), std::string("GET\t/healthz HTTP/1.1"),
                                  std::string("GET /healthz\tHTTP/1.1"), std::string("GET  /healthz HTTP/1.1"),
                                  std::string("GET /healthz HTTP/1.1 "), std::string("GET /healthz"),
                                  std::string("GET http://x/healthz HTTP/1.1"), std::string("GET /a\x01 HTTP/1.1"),
                                  std::string("BREW /healthz HTTP/1.1"), std::string("GET /healthz http/1.1"),
                                  std::string("GET /healthz HTTP/1.1x")}) {
    INFO(line);
    check_refused(converse(port, line + "\r\n" + rest), 400);
  }
  // HTTP/1.0 is still spoken (and closes after its answer, as 1.0 does).
  const Exchange old = converse(port, "GET /healthz HTTP/1.0\r\n" + rest);
  CHECK(old.status() == 200);
  s.stop();
}

TEST_CASE("a symlink to a FIFO outside the root is never opened", "[serve]") {
  TempDir data, outside;
  write_run_dir(data.path, "r1", make_result({"j"}, 1763632800));
  const std::string fifo = outside.path + "/fifo";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  std::filesystem::create_symlink(fifo, data.path + "/evil");
  std::filesystem::create_symlink(fifo, data.path + "/runs/r1/j_lat.1.log");
  const int in = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  REQUIRE(in >= 0);
  REQUIRE(::inotify_add_watch(in, fifo.c_str(), IN_OPEN) >= 0);
  serve::ServeOptions opt = options(data.path);
  serve::Server s(opt);
  const int port = s.start();
  for (const std::string& target : {std::string("/files/evil"), std::string("/files/runs/r1/j_lat.1.log"),
                                    std::string("/api/runs/r1/series?log=j_lat.1.log")}) {
    INFO(target);
    const auto r = raw_get(port, target);
    CHECK((r.status == 403 || r.status == 404));
  }
  s.stop();
  char ev[4096];
  const ssize_t n = ::read(in, ev, sizeof ev);
  ::close(in);
  CHECK(n < 0);  // no IN_OPEN event: nothing opened the FIFO
}

TEST_CASE("concurrent misses parse a log once; a rewritten log leaves one entry; the budget holds", "[serve]") {
  TempDir data;
  write_run_dir(data.path, "r1", make_result({"j"}, 1763632800));
  const std::string log = data.path + "/runs/r1/j_clat.1.log";
  write_text(log, make_log(400000, 1, 0, 50000));  // ~10 MB: a parse long enough to overlap
  serve::ServeOptions opt = options(data.path);
  opt.log_cache_bytes = 64u << 20;
  serve::Server s(opt);
  const int port = s.start();
  const std::string target = "/api/runs/r1/series?log=j_clat.1.log&max_points=100";
  std::vector<std::thread> clients;
  std::atomic<int> ok{0};
  for (int i = 0; i < 6; ++i)
    clients.emplace_back([&] { ok += raw_get(port, target).status == 200; });
  for (auto& t : clients) t.join();
  CHECK(ok == 6);
  CHECK(s.log_cache_stats().parses == 1);
  CHECK(s.log_cache_stats().entries == 1);
  // Rewritten while served (new size and mtime): parsed again, the old parse dropped.
  write_text(log, make_log(300000, 1, 0, 50000));
  CHECK(raw_get(port, target).status == 200);
  CHECK(raw_get(port, target).status == 200);
  CHECK(s.log_cache_stats().parses == 2);
  CHECK(s.log_cache_stats().entries == 1);
  s.stop();

  // A budget smaller than two logs' entries (index and answer) keeps one of
  // them, and the bytes stay within it.
  write_text(data.path + "/runs/r1/j_bw.1.log", make_log(10000, 1, 0, 20000));
  write_text(data.path + "/runs/r1/j_iops.1.log", make_log(10000, 1, 0, 5000));
  size_t one_entry = 0;
  {
    serve::Server probe(options(data.path));
    CHECK(raw_get(probe.start(), "/api/runs/r1/series?log=j_bw.1.log").status == 200);
    one_entry = probe.log_cache_stats().bytes;
    probe.stop();
  }
  REQUIRE(one_entry > 0);
  serve::ServeOptions small = options(data.path);
  small.log_cache_bytes = one_entry * 3 / 2;
  serve::Server t(small);
  const int tport = t.start();
  CHECK(raw_get(tport, "/api/runs/r1/series?log=j_bw.1.log").status == 200);
  CHECK(t.log_cache_stats().entries == 1);
  CHECK(raw_get(tport, "/api/runs/r1/series?log=j_iops.1.log").status == 200);
  CHECK(t.log_cache_stats().entries == 1);
  CHECK(t.log_cache_stats().bytes <= small.log_cache_bytes);
  CHECK(t.log_cache_stats().bytes > 0);
  // A 10 MB log costs its index and answer, not its rows: served within the budget.
  CHECK(raw_get(tport, target).status == 200);
  CHECK(t.log_cache_stats().bytes <= small.log_cache_bytes);
  t.stop();
}

TEST_CASE("SIGTERM ends fiokit serve promptly while requests parse 100 MB logs", "[serve]") {
  TempDir data;
  write_run_dir(data.path, "r1", make_result({"j"}, 1763632800));
  {
    // ~100 MB in fio's format, written in slices to keep the test's own memory small.
    std::ofstream f(data.path + "/runs/r1/w_clat.1.log", std::ios::binary);
    for (int slice = 0; slice < 25; ++slice) f << make_log(160000, 1, 1, 50000 + slice);
  }
  // Six logs' worth of parsing at once (one parse per log since the cache is
  // single-flight): hard links under other log names, each parsed on its own.
  const std::vector<std::string> names = {"w_clat.1.log", "w_lat.1.log", "w_slat.1.log",
                                          "w_bw.1.log",   "w_iops.1.log", "w_clat.2.log"};
  for (size_t i = 1; i < names.size(); ++i)
    std::filesystem::create_hard_link(data.path + "/runs/r1/w_clat.1.log", data.path + "/runs/r1/" + names[i]);
  ServeChild c = spawn_serve({data.path, "--port", "0", "--bind", "127.0.0.1"});
  REQUIRE(c.pid > 0);
  const int port = wait_port(c);
  REQUIRE(port > 0);
  std::vector<std::thread> clients;
  for (const auto& n : names) {
    clients.emplace_back([port, n] { raw_get(port, "/api/runs/r1/series?log=" + n); });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const auto t0 = Clock::now();
  ::kill(c.pid, SIGTERM);
  const int code = wait_exit(c.pid, 10);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count();
  for (auto& t : clients) t.join();
  ::close(c.err_fd);
  INFO("exit " << ms << " ms after SIGTERM");
  CHECK(code == 0);
  CHECK(ms < 5000);  // not held by the parses, each far longer (slack for ASan on busy cores)
}

TEST_CASE("a reader slower than min_send_bytes per send_window is dropped", "[serve]") {
  TempDir data;
  const size_t file_size = 32u << 20;  // streamed (not inline), far beyond the socket buffers
  write_text(data.path + "/big.bin", std::string(file_size, 'z'));
  serve::ServeOptions opt = options(data.path);
  opt.limits.min_send_bytes = 256u << 10;
  opt.limits.send_window = std::chrono::milliseconds(1000);
  serve::Server s(opt);
  const int port = s.start();
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  const int rcvbuf = 4096;
  ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  const std::string req = "GET /files/big.bin HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  REQUIRE(::send(fd, req.data(), req.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(req.size()));
  // 4 s of steady trickle (2 KiB every 250 ms: progress on every send, so no
  // write_timeout), then read fast: a dropped response ends short of the file.
  size_t got = 0;
  char buf[65536];
  const auto slow_until = Clock::now() + std::chrono::seconds(4);
  while (Clock::now() < slow_until) {
    const ssize_t n = ::recv(fd, buf, 2048, MSG_DONTWAIT);
    if (n > 0) got += static_cast<size_t>(n);
    if (n == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  const auto fast_until = Clock::now() + std::chrono::seconds(20);
  while (Clock::now() < fast_until) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  INFO("received " << got << " of " << file_size << " bytes");
  CHECK(got < file_size);
  // A reader at full speed gets it all (the window does not cut normal clients).
  const auto whole = raw_get(port, "/files/big.bin");
  CHECK(whole.status == 200);
  CHECK(whole.body.size() == file_size);
  s.stop();
}
