// The fetch stage against a hostile server on 127.0.0.1 (issue 14): one
// deadline for the whole fetch whatever the server trickles (headers, body, or
// not even a TLS handshake), no https -> http redirect even with http allowed,
// a private CA through FetchOptions::ca_file / FIOKIT_CA_FILE (and OpenSSL's
// SSL_CERT_FILE still honoured), size and Content-Length lies over TLS, header
// floods and gzip bombs bounded in memory, no death by SIGPIPE (the fixture
// leaves SIGPIPE's default action on), and the container's fetch folder
// removed when SIGTERM or SIGINT lands mid-fetch.
#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <sstream>

#include "fetch/fetch.hpp"
#include "hostile_https.hpp"
#include "subprocess.hpp"

namespace fs = std::filesystem;
using fiokit::test::slurp;
using namespace fiokit::fetch;
using namespace std::chrono_literals;
using fiokit::test::HostileServer;
using fiokit::test::TestCa;

namespace {

size_t entries(const std::string& dir) {
  return static_cast<size_t>(std::distance(fs::directory_iterator(dir), fs::directory_iterator()));
}

// The openssl command is a test dependency (scripts/setup installs it), so a
// CA it cannot make fails the test with the reason: a skip reported as a pass
// would hide that none of these TLS cases ran.
TestCa require_ca(const std::string& dir) {
  std::optional<TestCa> ca = TestCa::make(dir);
  if (!ca) {
    fs::remove_all(dir);  // ~Pki does not run when its member initialiser throws
    FAIL("the openssl command could not make a test CA in " << dir << " (scripts/setup installs openssl)");
  }
  return *ca;
}

// A temp dir with a test CA in it, removed at the end of the test.
struct Pki {
  std::string dir = fiokit::test::make_temp_dir("hostile");
  TestCa ca = require_ca(dir);
  std::string dest = dir + "/dest";
  Pki() { fs::create_directories(dest); }
  ~Pki() { fs::remove_all(dir); }
};

FetchOptions trusting(const TestCa& ca) {
  FetchOptions o;
  o.ca_file = ca.ca_pem;
  o.backoff = 10ms;
  return o;
}

struct Timed {
  std::string error;  // "" when the fetch succeeded
  bool ended = false;  // by itself, within the limit
  std::chrono::milliseconds elapsed{0};
};

// fetch_url on a thread. If it is still running `limit` after the start, the
// server hangs up on it (so this test ends instead of hanging) and `ended` is
// false: the fetch did not keep its own deadline.
Timed timed_fetch(HostileServer& srv, const std::string& url, const std::string& dest, const FetchOptions& opt,
                  std::chrono::milliseconds limit) {
  const auto t0 = std::chrono::steady_clock::now();
  auto fut = std::async(std::launch::async, [&] {
    try {
      fetch_url(url, dest, opt);
      return std::string();
    } catch (const FetchError& e) {
      return std::string(e.what());
    }
  });
  Timed t;
  t.ended = fut.wait_for(limit) == std::future_status::ready;
  t.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
  if (!t.ended) srv.stop();
  t.error = fut.get();
  return t;
}

}  // namespace

TEST_CASE("one deadline for the whole fetch, whatever the server trickles", "[fetch][hostile]") {
  Pki pki;
  HostileServer srv(pki.ca, 300ms);  // a byte or a header line every 0.3 s: no per-read timeout fires
  FetchOptions opt = trusting(pki.ca);
  opt.allow_http = true;
  opt.total_timeout = 2000ms;  // read_timeout stays 15 s: only the whole-fetch deadline can end these
  const auto limit = 6000ms;   // the deadline, plus slack for a loaded 2-core machine

  auto expect_deadline = [&](const std::string& url) {
    const Timed t = timed_fetch(srv, url, pki.dest, opt, limit);
    INFO(url << " -> " << t.error << " after " << t.elapsed.count() << " ms");
    REQUIRE(t.ended);
    CHECK(t.elapsed >= 1900ms);
    CHECK(t.elapsed < limit);  // the fetch's own deadline ended it, not the 15 s read timeout
    CHECK_THAT(t.error, Catch::Contains("no complete reply within 2 s") && Catch::Contains(url));
    CHECK(entries(pki.dest) == 0);
  };
  SECTION("https: one header line every 0.3 s, forever") { expect_deadline(srv.https_url("/drip-headers/job.fio")); }
  SECTION("http: the same") { expect_deadline(srv.http_url("/drip-headers/job.fio")); }
  SECTION("https: the body one byte at a time") { expect_deadline(srv.https_url("/drip-body/job.fio")); }
  SECTION("https: a server that accepts and never starts the TLS handshake") {
    expect_deadline(srv.silent_url("/job.fio"));
    CHECK(srv.silent_accepts.load() >= 1);
  }
  SECTION("a well-behaved server is unaffected") {
    const Timed t = timed_fetch(srv, srv.https_url("/ok/job.fio"), pki.dest, opt, limit);
    CHECK(t.error.empty());
    CHECK(slurp(pki.dest + "/job.fio") == HostileServer::kJob);
  }
}

TEST_CASE("https never redirects to http, even with http allowed", "[fetch][hostile]") {
  Pki pki;
  HostileServer srv(pki.ca);
  FetchOptions opt = trusting(pki.ca);
  for (bool allow_http : {false, true}) {
    opt.allow_http = allow_http;
    INFO("allow_http=" << allow_http);
    const std::string from = srv.https_url("/to-http/job.fio");
    CHECK_THROWS_WITH(fetch_url(from, pki.dest, opt),
                      Catch::Contains("redirect refused") && Catch::Contains(from) && Catch::Contains(srv.http_url("/ok/job.fio")) &&
                          Catch::Contains("never followed") && Catch::Contains("FIOKIT_ALLOW_HTTP"));
  }
  CHECK(srv.http_requests.load() == 0);
  CHECK(entries(pki.dest) == 0);
  // http -> http stays the user's choice.
  opt.allow_http = true;
  const Fetched f = fetch_url(srv.http_url("/to-http/job.fio"), pki.dest, opt);
  CHECK(slurp(f.path) == HostileServer::kJob);
}

TEST_CASE("a private CA: refused without it, trusted with it", "[fetch][hostile][tls]") {
  Pki pki;
  HostileServer srv(pki.ca);
  const std::string url = srv.https_url("/ok/job.fio");
  FetchOptions opt;
  opt.backoff = 10ms;

  SECTION("the system's CAs do not vouch for it: refused at once, with the hint") {
    const auto before = srv.https_requests.load();
    CHECK_THROWS_WITH(fetch_url(url, pki.dest, opt), Catch::Contains("not trusted") && Catch::Contains("FIOKIT_CA_FILE"));
    CHECK(srv.https_requests.load() == before);  // no request went over the untrusted channel
    CHECK(entries(pki.dest) == 0);
  }
  SECTION("ca_file trusts it") {
    opt.ca_file = pki.ca.ca_pem;
    const Fetched f = fetch_url(url, pki.dest, opt);
    CHECK(slurp(f.path) == HostileServer::kJob);
  }
  SECTION("OpenSSL's SSL_CERT_FILE still works") {
    setenv("SSL_CERT_FILE", pki.ca.ca_pem.c_str(), 1);
    std::string error;
    try {
      fetch_url(url, pki.dest, opt);
    } catch (const FetchError& e) {
      error = e.what();
    }
    unsetenv("SSL_CERT_FILE");
    CHECK(error.empty());
    CHECK(slurp(pki.dest + "/job.fio") == HostileServer::kJob);
  }
  SECTION("a CA file that is missing or not PEM is named") {
    opt.ca_file = pki.dir + "/no-such-ca.pem";
    CHECK_THROWS_WITH(fetch_url(url, pki.dest, opt), Catch::Contains("no-such-ca.pem") && Catch::Contains("cannot be read"));
    std::ofstream(pki.dir + "/junk.pem") << "not a certificate\n";
    opt.ca_file = pki.dir + "/junk.pem";
    CHECK_THROWS_WITH(fetch_url(url, pki.dest, opt), Catch::Contains("junk.pem") && Catch::Contains("no PEM certificate"));
    CHECK(entries(pki.dest) == 0);
  }
}

TEST_CASE("over TLS: sizes and Content-Length lies", "[fetch][hostile]") {
  Pki pki;
  HostileServer srv(pki.ca);
  const FetchOptions opt = trusting(pki.ca);
  CHECK_THROWS_WITH(fetch_url(srv.https_url("/big/job.fio"), pki.dest, opt), Catch::Contains("1048576-byte limit"));
  CHECK_THROWS_WITH(fetch_url(srv.https_url("/big-undeclared/job.fio"), pki.dest, opt), Catch::Contains("1048576-byte limit"));
  // Declares 4096 bytes, sends 29, hangs up: a truncated job file is not a job file.
  CHECK_THROWS_WITH(fetch_url(srv.https_url("/short/job.fio"), pki.dest, opt), Catch::Contains("/short/job.fio"));
  CHECK_THROWS_WITH(fetch_url(srv.https_url("/loop/a/job.fio"), pki.dest, opt), Catch::Contains("redirect loop"));
  CHECK(entries(pki.dest) == 0);
}

namespace {

// `fiokit container tool` as the image runs it, with exactly `env` among the
// variables it reads (TMPDIR included: it decides where the fetch folder goes).
fiokit::test::Outcome run_tool(const std::map<std::string, std::string>& env, int sig = 0, int sig_after_ms = 0) {
  const char* vars[] = {"JOBFILES", "REMOTEFILES", "PLOTNAME", "FIOKIT_DATA_DIR", "FIOKIT_ALLOW_HTTP", "FIOKIT_TRUST_REMOTE",
                        "FIOKIT_CA_FILE", "SSL_CERT_FILE", "TMPDIR"};
  const char* tmpdir = std::getenv("TMPDIR");
  const std::string saved_tmpdir = tmpdir ? tmpdir : "";
  for (const char* v : vars) unsetenv(v);
  for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
  fiokit::test::RunSpec spec;
  spec.args = {"container", "tool"};
  spec.signal = sig;
  spec.signal_after = std::chrono::milliseconds(sig_after_ms);
  spec.timeout = 60000ms;
  const fiokit::test::Outcome o = fiokit::test::run_fiokit(spec);
  for (const char* v : vars) unsetenv(v);
  if (tmpdir) setenv("TMPDIR", saved_tmpdir.c_str(), 1);
  return o;
}

}  // namespace

TEST_CASE("container: FIOKIT_CA_FILE, and no fetch folder left by SIGTERM or SIGINT", "[fetch][hostile][entry]") {
  Pki pki;
  HostileServer srv(pki.ca, 300ms);
  const std::string data = pki.dir + "/data", tmp = pki.dir + "/tmp";
  fs::create_directories(data);
  fs::create_directories(tmp);
  std::map<std::string, std::string> env{{"FIOKIT_DATA_DIR", data}, {"TMPDIR", tmp}, {"JOBFILES", "job.fio"},
                                         {"REMOTEFILES", srv.https_url("/ok/job.fio")}};
  auto runs = [&] {
    std::error_code ec;
    return static_cast<size_t>(std::distance(fs::directory_iterator(data + "/runs", ec), fs::directory_iterator()));
  };

  SECTION("without it the private CA's server is refused, with the hint; with it the job runs") {
    fiokit::test::Outcome o = run_tool(env);
    INFO(o.err);
    CHECK(o.code == 2);
    CHECK_THAT(o.err, Catch::Contains("REMOTEFILES") && Catch::Contains("not trusted") && Catch::Contains("FIOKIT_CA_FILE"));
    CHECK(runs() == 0);
    env["FIOKIT_CA_FILE"] = pki.ca.ca_pem;
    o = run_tool(env);
    INFO(o.err);
    CHECK(o.code == 0);
    CHECK(runs() == 1);
  }
  SECTION("a missing CA file is a usage error naming the variable and the path, before any fetch") {
    env["FIOKIT_CA_FILE"] = pki.dir + "/missing-ca.pem";
    const fiokit::test::Outcome o = run_tool(env);
    CHECK(o.code == 2);
    CHECK_THAT(o.err, Catch::Contains("FIOKIT_CA_FILE") && Catch::Contains("missing-ca.pem") && Catch::Contains("No such file"));
    CHECK(srv.https_requests.load() == 0);
    env["FIOKIT_CA_FILE"] = pki.dir;
    const fiokit::test::Outcome d = run_tool(env);
    CHECK(d.code == 2);
    CHECK_THAT(d.err, Catch::Contains("FIOKIT_CA_FILE") && Catch::Contains("is a directory"));
  }
  for (const auto& [sig, code] : std::map<int, int>{{SIGTERM, 143}, {SIGINT, 130}}) {
    DYNAMIC_SECTION("signal " << sig << " while a server drips headers: exit " << code << ", the fetch folder is gone") {
      env["FIOKIT_CA_FILE"] = pki.ca.ca_pem;
      env["REMOTEFILES"] = srv.https_url("/ok/first.fio") + " " + srv.https_url("/drip-headers/job.fio");
      const fiokit::test::Outcome o = run_tool(env, sig, 3000);  // room for a slow start; the drip lasts 60 s
      INFO(o.err);
      CHECK(o.code == code);
      CHECK(o.elapsed < 8000ms);  // not the 60 s fetch deadline: the signal ended it
      CHECK(srv.https_requests.load() == 2);  // first.fio was saved, job.fio was being fetched
      CHECK_THAT(o.err, Catch::Contains("fetched first.fio"));
      CHECK(entries(tmp) == 0);  // no /tmp/fiokit-remote-XXXXXX, nor first.fio in it
      CHECK(runs() == 0);
    }
  }
}

namespace {

// The process's peak resident set (VmHWM), in KiB.
long peak_rss_kib() {
  std::ifstream in("/proc/self/status");
  std::string key;
  long value = 0;
  while (in >> key) {
    if (key == "VmHWM:" && in >> value) return value;
    in.ignore(4096, '\n');
  }
  return -1;
}

}  // namespace

TEST_CASE("a flood of header lines is cut at the size limit, not at the deadline", "[fetch][hostile]") {
  Pki pki;
  HostileServer srv(pki.ca);
  FetchOptions opt = trusting(pki.ca);
  opt.allow_http = true;
  opt.total_timeout = 10000ms;
  for (const std::string& url : {srv.https_url("/flood-headers/job.fio"), srv.http_url("/flood-headers/job.fio")}) {
    const long before = peak_rss_kib();
    const Timed t = timed_fetch(srv, url, pki.dest, opt, 15000ms);
    const long grew = peak_rss_kib() - before;
    INFO(url << " -> " << t.error << " after " << t.elapsed.count() << " ms; peak RSS grew by " << grew << " KiB");
    REQUIRE(t.ended);
    CHECK_THAT(t.error, Catch::Contains("more than 2097152 bytes") && Catch::Contains("header flood"));
    CHECK(t.elapsed < 8000ms);  // cut by size, not by the 10 s deadline
    CHECK(grew < 64 * 1024);  // headers are kept in a std::multimap: unbounded, they would take GBs
  }
  CHECK(entries(pki.dest) == 0);
}

TEST_CASE("a gzip bomb is cut at the size limit of the unpacked bytes", "[fetch][hostile]") {
  Pki pki;
  HostileServer srv(pki.ca);
  const long before = peak_rss_kib();
  CHECK_THROWS_WITH(fetch_url(srv.https_url("/gzip-bomb/job.fio"), pki.dest, trusting(pki.ca)), Catch::Contains("1048576-byte limit"));
  CHECK(peak_rss_kib() - before < 32 * 1024);  // the 128 MiB are never unpacked in full
  CHECK(entries(pki.dest) == 0);
}
