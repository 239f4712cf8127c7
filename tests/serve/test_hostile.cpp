// A hostile client against `fiokit serve` (issue 14), over raw loopback
// sockets since a client library would refuse to send most of this: too many or
// too large header fields, a head trickled a byte at a time, ranges past the
// end or overlapping by the hundred, ambiguous framing hiding a second request,
// a thousand slow sockets from one address, and SIGTERM while clients trickle.
// Each case fails on cpp-httplib 0.11.4's own connection handling (checked by
// turning serve/front.cpp's limit off) and passes with fiokit's front.
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <thread>

#include "serve/ranges.hpp"
#include "serve_util.hpp"

using namespace fiokit;
using namespace fiokit::servetest;
using Clock = std::chrono::steady_clock;

namespace {

struct Reply {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string header(const std::string& n) const {
    const auto it = headers.find(n);
    return it == headers.end() ? std::string() : it->second;
  }
  std::string body;
  bool framed = false;  // Content-Length present and that many body bytes followed
};

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Splits everything a connection received into responses by their
// Content-Length (HEAD: `head_only`, no bodies), so a second, smuggled answer
// or a Content-Length that lies shows up.
std::vector<Reply> split_replies(const std::string& data, bool head_only = false) {
  std::vector<Reply> out;
  size_t pos = 0;
  while (pos < data.size()) {
    const size_t end = data.find("\r\n\r\n", pos);
    if (end == std::string::npos || data.compare(pos, 7, "HTTP/1.") != 0) break;
    Reply r;
    r.status = std::atoi(data.c_str() + pos + 9);
    size_t line = data.find("\r\n", pos) + 2;
    while (line < end) {
      const size_t eol = data.find("\r\n", line);
      const std::string l = data.substr(line, eol - line);
      const size_t colon = l.find(':');
      if (colon != std::string::npos) r.headers[lower(l.substr(0, colon))] = l.substr(l.find_first_not_of(' ', colon + 1));
      line = eol + 2;
    }
    pos = end + 4;
    size_t len = 0;
    if (r.headers.count("content-length") && !head_only) len = std::stoull(r.header("content-length"));
    r.framed = r.headers.count("content-length") && pos + len <= data.size();
    r.body = data.substr(pos, len);
    pos += std::min(len, data.size() - pos);
    out.push_back(std::move(r));
  }
  return out;
}

// Sends `request` on a fresh connection and reads until the server closes (5 s at most).
std::string talk(int port, const std::string& request) {
  const int fd = connect_local(port);
  REQUIRE(fd >= 0);
  ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  return read_until_closed(fd, std::chrono::seconds(5));
}

// Milliseconds until the server closes fd (or sends something), up to limit_ms.
long ms_until_closed(int fd, long limit_ms, std::string* got = nullptr) {
  const auto t0 = Clock::now();
  char buf[4096];
  for (;;) {
    const long ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count();
    if (ms >= limit_ms) return ms;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    const ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n > 0 && got) got->append(buf, static_cast<size_t>(n));
    if (n <= 0) return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count();
  }
}

struct Target {
  TempDir data;
  std::unique_ptr<serve::Server> server;
  int port = 0;
  explicit Target(const serve::FrontLimits& limits = {}) {
    write_run_dir(data.path, "r1", make_result({"j"}, 1763632800));
    serve::ServeOptions opt;
    opt.dir = data.path;
    opt.port = 0;
    opt.limits = limits;
    server = std::make_unique<serve::Server>(opt);
    port = server->start();
  }
};

std::string get(const std::string& target, const std::string& extra = "") {
  return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra + "Connection: close\r\n\r\n";
}

}  // namespace

TEST_CASE("resolve_range: clamped, unsatisfiable or ignored, never past the file", "[serve]") {
  using serve::RangeAnswer;
  using serve::resolve_range;
  auto is = [](const RangeAnswer& a, RangeAnswer::Kind k, uint64_t off = 0, uint64_t len = 0) {
    return a.kind == k && (k != RangeAnswer::partial || (a.offset == off && a.length == len));
  };
  CHECK(is(resolve_range("", 100), RangeAnswer::full));
  CHECK(is(resolve_range("bytes=0-9", 100), RangeAnswer::partial, 0, 10));
  CHECK(is(resolve_range("Bytes=90-", 100), RangeAnswer::partial, 90, 10));
  CHECK(is(resolve_range("bytes=90-99999999999999999999999", 100), RangeAnswer::partial, 90, 10));
  CHECK(is(resolve_range("bytes=-10", 100), RangeAnswer::partial, 90, 10));
  CHECK(is(resolve_range("bytes=-1000", 100), RangeAnswer::partial, 0, 100));
  CHECK(is(resolve_range("bytes=99-99", 100), RangeAnswer::partial, 99, 1));
  CHECK(is(resolve_range("bytes=100-", 100), RangeAnswer::unsatisfiable));
  CHECK(is(resolve_range("bytes=99999999999999999999999-", 100), RangeAnswer::unsatisfiable));
  CHECK(is(resolve_range("bytes=-0", 100), RangeAnswer::unsatisfiable));
  CHECK(is(resolve_range("bytes=0-", 0), RangeAnswer::unsatisfiable));
  CHECK(is(resolve_range("bytes=-5", 0), RangeAnswer::unsatisfiable));
  CHECK(is(resolve_range("bytes=200-300, 400-", 100), RangeAnswer::unsatisfiable));
  // Several ranges with one satisfiable: the whole file, once.
  CHECK(is(resolve_range("bytes=0-1, 5-9", 100), RangeAnswer::full));
  CHECK(is(resolve_range("bytes=0-,0-,0-", 100), RangeAnswer::full));
  // Not a byte range at all: ignored.
  for (const char* bad : {"bytes=5-3", "bytes=", "bytes=-", "bytes=a-b", "items=0-1", "bytes=0-1;", "bytes 0-1",
                          "bytes=0-1,", "bytes=--1", "bytes=1-2-3"}) {
    INFO(bad);
    CHECK(is(resolve_range(bad, 100), RangeAnswer::full));
  }
}

TEST_CASE("too many or too large header fields: 431, closed, nothing else served", "[serve]") {
  Target s;
  const std::string smuggled = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  std::string many = "GET /api/runs HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 120; ++i) many += "X-H" + std::to_string(i) + ": v\r\n";
  many += "\r\n" + smuggled;
  std::string big = "GET /api/runs HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 6; ++i) big += "X-B" + std::to_string(i) + ": " + std::string(7000, 'b') + "\r\n";
  big += "\r\n" + smuggled;
  std::string line = "GET /api/runs HTTP/1.1\r\nHost: x\r\nX-L: " + std::string(9000, 'l') + "\r\n\r\n" + smuggled;
  for (const std::string* req : {&many, &big, &line}) {
    INFO(req->substr(0, 60));
    const auto replies = split_replies(talk(s.port, *req));
    REQUIRE(replies.size() == 1);
    CHECK(replies[0].status == 431);
    CHECK(replies[0].framed);
    CHECK(replies[0].header("connection") == "close");
  }
  // What a browser sends: 40 fields and 6 KiB of cookies.
  std::string browser = "GET /api/runs HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: " + std::string(6000, 'c') + "\r\n";
  for (int i = 0; i < 38; ++i) browser += "Sec-X-" + std::to_string(i) + ": " + std::string(60, 'v') + "\r\n";
  browser += "Connection: close\r\n\r\n";
  const auto ok = split_replies(talk(s.port, browser));
  REQUIRE(ok.size() == 1);
  CHECK(ok[0].status == 200);
}

TEST_CASE("a head or body trickled a byte at a time is dropped at the deadline", "[serve]") {
  serve::FrontLimits lim;
  lim.request_timeout = std::chrono::milliseconds(1000);
  Target s(lim);
  for (const std::string& start : {std::string("GET /api/runs HTTP/1.1\r\nHost: x\r\n"),
                                  std::string("GET /api/runs HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n")}) {
    INFO(start);
    const int fd = connect_local(s.port);
    REQUIRE(fd >= 0);
    ::send(fd, start.data(), start.size(), MSG_NOSIGNAL);
    // One byte every 100 ms, each of which restarts cpp-httplib's read timeout.
    std::atomic<bool> stop{false};
    std::thread trickle([&] {
      while (!stop && ::send(fd, "a", 1, MSG_NOSIGNAL) == 1) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    });
    std::string got;
    const long ms = ms_until_closed(fd, 6000, &got);
    stop = true;
    trickle.join();
    ::close(fd);
    CHECK(ms >= 800);
    CHECK(ms < 2500);
    CHECK(got.rfind("HTTP/1.1 408", 0) == 0);
  }
}

TEST_CASE("ranges: 416 with bytes */SIZE, clamped 206, no bogus length, HEAD as GET", "[serve]") {
  Target s;
  const std::string dir = s.data.path + "/runs/r1/";
  std::string small(3000, 'x'), large(2u << 20, 'y');
  for (size_t i = 0; i < small.size(); ++i) small[i] = static_cast<char>('a' + i % 26);
  for (size_t i = 0; i < large.size(); ++i) large[i] = static_cast<char>('A' + i % 26);
  write_text(dir + "small.txt", small);
  write_text(dir + "large.txt", large);  // above 1 MiB: streamed from the descriptor
  for (const auto* file : {&small, &large}) {
    const std::string target = file == &small ? "/files/runs/r1/small.txt" : "/files/runs/r1/large.txt";
    const std::string size = std::to_string(file->size());
    INFO(target);
    auto one = [&](const std::string& range, const std::string& method = "GET") {
      std::string req = get(target, "Range: " + range + "\r\n");
      if (method == "HEAD") req.replace(0, 3, "HEAD");
      const auto r = split_replies(talk(s.port, req), method == "HEAD");
      REQUIRE(r.size() == 1);
      if (method == "GET") CHECK(r[0].framed);
      return r[0];
    };
    const Reply past = one("bytes=" + std::to_string(file->size() + 10) + "-");
    CHECK(past.status == 416);
    CHECK(past.header("content-range") == "bytes */" + size);
    CHECK(one("bytes=-0").status == 416);
    const Reply clamp = one("bytes=10-99999999999");
    CHECK(clamp.status == 206);
    CHECK(clamp.header("content-range") == "bytes 10-" + std::to_string(file->size() - 1) + "/" + size);
    CHECK(clamp.body == file->substr(10));
    const Reply suffix = one("bytes=-100");
    CHECK(suffix.status == 206);
    CHECK(suffix.body == file->substr(file->size() - 100));
    // 200 overlapping ranges: at most one copy of the file, never 200.
    std::string many = "bytes=0-";
    for (int i = 0; i < 199; ++i) many += ",0-";
    const Reply m = one(many);
    CHECK(m.body.size() <= 2 * file->size());
    CHECK(((m.status == 200 && m.body == *file) || m.status == 416));
    // An invalid Range is ignored: the whole file.
    const Reply inv = one("bytes=5-3");
    CHECK(inv.status == 200);
    CHECK(inv.body == *file);
    // HEAD answers the same status and lengths as GET.
    for (const std::string range : {"bytes=10-99999999999", "bytes=99999999-", "bytes=0-0,5-9"}) {
      INFO(range);
      const Reply g = one(range), h = one(range, "HEAD");
      CHECK(h.status == g.status);
      CHECK(h.header("content-length") == g.header("content-length"));
      CHECK(h.header("content-range") == g.header("content-range"));
      CHECK(h.body.empty());
    }
  }
  // A Range on an error page or a page leaves it whole.
  const auto missing = split_replies(talk(s.port, get("/files/nope.txt", "Range: bytes=5-9\r\n")));
  REQUIRE(missing.size() == 1);
  CHECK(missing[0].status == 404);
  CHECK(missing[0].framed);
  CHECK(missing[0].body.find("</html>") != std::string::npos);
}

TEST_CASE("ambiguous framing: 400 and closed, the smuggled request is not served", "[serve]") {
  Target s;
  const std::string smuggled = "GET /api/runs/r1 HTTP/1.1\r\nHost: x\r\n\r\n";
  const std::vector<std::string> heads = {
      "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
      "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n",
      "Transfer-Encoding: chunked\r\n",
      "Content-Length: 0\r\nContent-Length: 0\r\n",
      "Content-Length: 0\r\nContent-Length: 44\r\n",
      "Content-Length: -1\r\n",
      "Content-Length: 0x10\r\n",
      "Content-Length: 5, 5\r\n",
      "Content-Length: 1e3\r\n",
      "Content-Length: 99999999999999999999999\r\n",
      "Content-Length : 0\r\n",
      "X-A: b\nContent-Length: 0\r\n",
      " folded: line\r\n",
      "NoColon\r\n",
  };
  for (const auto& h : heads) {
    INFO(h);
    const std::string req = "GET /healthz HTTP/1.1\r\nHost: x\r\n" + h + "\r\n0\r\n\r\n" + smuggled;
    const std::string data = talk(s.port, req);
    const auto r = split_replies(data);
    CHECK(r.size() == 1);
    CHECK((!r.empty() && r[0].status == 400));
    CHECK(data.find("\"runs\"") == std::string::npos);
    CHECK(data.find("\"jobs\"") == std::string::npos);
  }
  // A GET body that is itself a request: read and dropped, not served.
  const std::string inner = "GET /api/runs/r1 HTTP/1.1\r\nHost: x\r\n\r\n";
  const std::string with_body = "GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(inner.size()) +
                                "\r\n\r\n" + inner + get("/healthz");
  const auto two = split_replies(talk(s.port, with_body));
  REQUIRE(two.size() == 2);
  for (const auto& r : two) {
    CHECK(r.status == 200);
    CHECK(r.body.find("\"status\":\"ok\"") != std::string::npos);
  }
  // A plain keep-alive pipeline still works.
  const auto piped = split_replies(talk(s.port, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n" + get("/api/runs")));
  REQUIRE(piped.size() == 2);
  CHECK(piped[1].status == 200);
}

namespace {

// 1,100 sockets that send half a head and then a byte every 300 ms, from the
// source address source(i); then a normal GET from 127.0.0.1 and from an
// address none of them uses must each be answered within 1 s.
void lockout_check(const std::function<std::string(int)>& source) {
  rlimit rl{};
  ::getrlimit(RLIMIT_NOFILE, &rl);
  if (rl.rlim_cur < 4096) {
    rl.rlim_cur = std::min<rlim_t>(rl.rlim_max, 4096);
    ::setrlimit(RLIMIT_NOFILE, &rl);
  }
  if (rl.rlim_cur < 2600) {
    // The [fdlimit] cases run as their own CTest entry (serve_fdlimit) that reports 77 as a skip.
    std::printf("SKIP: RLIMIT_NOFILE %llu (hard limit %llu) is too low for 1,100 sockets on both ends\n",
                static_cast<unsigned long long>(rl.rlim_cur), static_cast<unsigned long long>(rl.rlim_max));
    std::fflush(stdout);
    std::exit(77);
  }
  Target s;
  std::vector<int> socks;
  const std::string partial = "GET /api/runs HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 1100; ++i) {
    const int fd = connect_local_from(s.port, source(i).c_str());
    REQUIRE(fd >= 0);
    ::send(fd, partial.data(), partial.size(), MSG_NOSIGNAL);
    socks.push_back(fd);
  }
  std::atomic<bool> stop{false};
  std::thread trickler([&] {
    while (!stop) {
      for (int fd : socks) ::send(fd, "X", 1, MSG_NOSIGNAL | MSG_DONTWAIT);
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  for (const char* from : {"127.0.0.1", "127.0.1.1", "127.0.0.1"}) {
    INFO("from " << from);
    const int fd = connect_local_from(s.port, from);
    REQUIRE(fd >= 0);
    const std::string req = get("/healthz");
    const auto t0 = Clock::now();
    ::send(fd, req.data(), req.size(), MSG_NOSIGNAL);
    std::string got;
    ms_until_closed(fd, 3000, &got);
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count();
    ::close(fd);
    CHECK(got.rfind("HTTP/1.1 200", 0) == 0);
    CHECK(ms < 1000);
  }
  // The server let go of most of the slow sockets.
  size_t closed = 0;
  for (int fd : socks) {
    char b;
    if (::recv(fd, &b, 1, MSG_DONTWAIT) == 0) ++closed;
  }
  CHECK(closed >= 500);
  stop = true;
  trickler.join();
  for (int fd : socks) ::close(fd);
}

}  // namespace

TEST_CASE("1,100 slow sockets from one address lock out no one", "[serve][slow][fdlimit]") {
  lockout_check([](int) { return std::string("127.0.0.1"); });
}

TEST_CASE("1,100 slow sockets from 50 addresses lock out no one", "[serve][slow][fdlimit]") {
  // 22 per address: under the per-peer cap, so only the total cap helps.
  lockout_check([](int i) { return "127.0.0." + std::to_string(10 + i % 50); });
}

TEST_CASE("SIGTERM stops fiokit serve promptly while clients trickle", "[serve]") {
  TempDir data;
  write_run_dir(data.path, "r1", make_result({"j"}, 1763632800));
  std::string file(8u << 20, 'z');
  write_text(data.path + "/big.txt", file);
  ServeChild c = spawn_serve({data.path, "--port", "0", "--bind", "127.0.0.1"});
  REQUIRE(c.pid > 0);
  const int port = wait_port(c);
  REQUIRE(port > 0);
  std::vector<int> socks;
  const std::string partial = "GET /api/runs HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 50; ++i) {
    const int fd = connect_local(port);
    REQUIRE(fd >= 0);
    ::send(fd, partial.data(), partial.size(), MSG_NOSIGNAL);
    socks.push_back(fd);
  }
  // And one that asked for a large file and reads none of it.
  const int reader = connect_local(port);
  REQUIRE(reader >= 0);
  const std::string req = get("/files/big.txt");
  ::send(reader, req.data(), req.size(), MSG_NOSIGNAL);
  std::atomic<bool> stop{false};
  std::thread trickler([&] {
    while (!stop) {
      for (int fd : socks) ::send(fd, "X", 1, MSG_NOSIGNAL | MSG_DONTWAIT);
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const auto t0 = Clock::now();
  ::kill(c.pid, SIGTERM);
  const int code = wait_exit(c.pid, 15);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count();
  stop = true;
  trickler.join();
  for (int fd : socks) ::close(fd);
  ::close(reader);
  ::close(c.err_fd);
  CHECK(code == 0);
  CHECK(ms < 5000);  // not held by the tricklers (slack for ASan on busy cores)
}

// One address floods /series with distinct whole-log queries (each one a full
// scan of an 8 MB log: no answer is cached or shared). Another address
// (127.0.0.2) must still get /healthz and its own series within 1 s: the
// front routes at most max_active_per_peer (16) requests per address at once
// (503 with Retry-After past it), and the log cache queues at most 4 scans per
// address (503 past that), so the other address waits behind a few scans, not
// behind the flood (measured: 220-330 ms here). With both caps off its series
// waited behind every queued scan of the flood: 2.4 s, failing the test.
// Under ASan+UBSan (scripts/test --asan) every scan is several times slower,
// the few scans ahead with it too: 1 s there measured 0.3-1.3 s. The bound
// scales with the build; without the caps such a build waits several times
// longer still.
#if defined(__SANITIZE_ADDRESS__)
constexpr long kOtherPeerMs = 3000;
#else
constexpr long kOtherPeerMs = 1000;
#endif

TEST_CASE("one address flooding series scans locks out no other address", "[serve][flood]") {
  TempDir data;
  write_run_dir(data.path, "r1", make_result({"j"}, 1763632800));
  write_text(data.path + "/runs/r1/big_clat.1.log", make_log(350000, 1, 0, 50000));
  serve::ServeOptions opt;
  opt.dir = data.path;
  opt.port = 0;
  serve::Server server(opt);
  const int port = server.start();
  auto series = [](int mp) { return get("/api/runs/r1/series?log=big_clat.1.log&max_points=" + std::to_string(mp)); };
  // The log's index first (built once per log version), so the flood is scans only.
  REQUIRE(split_replies(talk(port, series(50))).at(0).status == 200);

  std::atomic<bool> stop{false};
  std::atomic<int> next_mp{100}, ok{0}, busy{0}, busy_with_retry{0};
  std::vector<std::thread> flood;
  for (int t = 0; t < 160; ++t) {
    flood.emplace_back([&] {
      while (!stop) {
        const int fd = connect_local_from(port, "127.0.0.1");
        if (fd < 0) continue;
        const std::string req = series(next_mp++);
        ::send(fd, req.data(), req.size(), MSG_NOSIGNAL);
        const auto replies = split_replies(read_until_closed(fd, std::chrono::seconds(10)));
        if (replies.empty()) continue;
        if (replies[0].status == 200) ++ok;
        if (replies[0].status == 503) {
          ++busy;
          if (replies[0].header("retry-after") == "1") ++busy_with_retry;
          std::this_thread::sleep_for(std::chrono::milliseconds(20));  // a flood, not a busy loop on 2 cores
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  for (int round = 0; round < 2; ++round) {
    for (const std::string& target : {std::string("/healthz"), std::string("series")}) {
      INFO("round " << round << ", " << target);
      const int fd = connect_local_from(port, "127.0.0.2");
      REQUIRE(fd >= 0);
      const std::string req = target == "series" ? series(90 - round) : get(target);
      const auto t0 = Clock::now();
      ::send(fd, req.data(), req.size(), MSG_NOSIGNAL);
      std::string got;
      ms_until_closed(fd, 5000, &got);
      const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count();
      ::close(fd);
      CHECK(got.rfind("HTTP/1.1 200", 0) == 0);
      CHECK(ms < kOtherPeerMs);
    }
  }
  stop = true;
  for (auto& t : flood) t.join();
  INFO("flood: " << ok << " answered, " << busy << " refused");
  CHECK(ok > 0);
  CHECK(busy > 0);
  CHECK(busy_with_retry == busy);
}
