// REMOTEFILES fetching against a real cpp-httplib server on 127.0.0.1: URL and
// name rules, 404, size cap (declared and streamed), redirect loops and limits,
// relative redirects, retries of transient errors, no downgrade, no overwrite.
#include <httplib.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>

#include "fetch/fetch.hpp"
#include "local_server.hpp"
#include "subprocess.hpp"

namespace fs = std::filesystem;
using fiokit::test::slurp;
using namespace fiokit::fetch;
using fiokit::test::LocalServer;

namespace {

FetchOptions fast_options() {
  FetchOptions o;
  o.allow_http = true;
  o.attempts = 3;
  o.backoff = std::chrono::milliseconds(20);
  o.connect_timeout = std::chrono::milliseconds(2000);
  o.read_timeout = std::chrono::milliseconds(2000);
  return o;
}

size_t entries(const std::string& dir) {
  return static_cast<size_t>(std::distance(fs::directory_iterator(dir), fs::directory_iterator()));
}

}  // namespace

TEST_CASE("parse_url accepts https URLs and refuses everything else", "[fetch]") {
  const Url u = parse_url("https://Example.com/a/job.fio?rev=1#frag", false);
  CHECK(u.scheme == "https");
  CHECK(u.host == "Example.com");
  CHECK(u.port == 443);
  CHECK(u.target == "/a/job.fio?rev=1");
  CHECK(u.path == "/a/job.fio");
  CHECK(parse_url("http://127.0.0.1:8080", true).target == "/");
  CHECK(parse_url("https://[::1]:8443/x.fio", false).host == "::1");
  CHECK(parse_url("https://[::1]:8443/x.fio", false).origin() == "https://[::1]:8443");

  CHECK_THROWS_WITH(parse_url("not a url", false), Catch::Contains("not a URL"));
  CHECK_THROWS_WITH(parse_url("job.fio", false), Catch::Contains("not a URL"));
  CHECK_THROWS_WITH(parse_url("ftp://host/job.fio", true), Catch::Contains("only https"));
  CHECK_THROWS_WITH(parse_url("file:///etc/passwd", true), Catch::Contains("only https"));
  CHECK_THROWS_WITH(parse_url("http://host/job.fio", false), Catch::Contains("FIOKIT_ALLOW_HTTP=1"));
  CHECK_THROWS_WITH(parse_url("https://user:pw@host/job.fio", false), Catch::Contains("user names"));
  CHECK_THROWS_WITH(parse_url("https://host:99999/job.fio", false), Catch::Contains("invalid port"));
  CHECK_THROWS_WITH(parse_url("https:///job.fio", false), Catch::Contains("no host"));
  CHECK_THROWS_WITH(parse_url("https://ho$t/job.fio", false), Catch::Contains("host name"));
}

TEST_CASE("file names come from the URL path and never leave the folder", "[fetch]") {
  auto name = [](const std::string& url) { return file_name_from_url(parse_url(url, false)); };
  CHECK(name("https://h/a/b/job.fio") == "job.fio");
  CHECK(name("https://h/job.fio?token=x") == "job.fio");
  CHECK(name("https://h/a/..%2f..%2fetc%2fpasswd") == "passwd");
  CHECK(name("https://h/a/..%5c..%5cwin.fio") == "win.fio");
  CHECK(name("https://h/a/.hidden.fio") == "hidden.fio");
  CHECK(name("https://h/we%20ird;name$.fio") == "we_ird_name_.fio");
  CHECK_THROWS_WITH(name("https://h/"), Catch::Contains("no file name"));
  CHECK_THROWS_WITH(name("https://h/a/.."), Catch::Contains("no file name"));
  CHECK_THROWS_WITH(name("https://h/a/%2e%2e"), Catch::Contains("no file name"));
  CHECK_THROWS_WITH(name("https://h/a/..."), Catch::Contains("no file name"));
}

TEST_CASE("resolve_location handles absolute, host-relative and relative targets", "[fetch]") {
  const Url base = parse_url("https://h:8443/dir/sub/job.fio", false);
  CHECK(resolve_location(base, "https://other/x.fio") == "https://other/x.fio");
  CHECK(resolve_location(base, "//cdn/x.fio") == "https://cdn/x.fio");
  CHECK(resolve_location(base, "/top.fio") == "https://h:8443/top.fio");
  CHECK(resolve_location(base, "next.fio") == "https://h:8443/dir/sub/next.fio");
}

TEST_CASE("fetching from a local server", "[fetch]") {
  LocalServer srv;
  const std::string dest = fiokit::test::make_temp_dir("fetch");
  const FetchOptions opt = fast_options();

  SECTION("a job file arrives byte for byte") {
    const Fetched f = fetch_url(srv.url("/jobs/job.fio"), dest, opt);
    CHECK(f.name == "job.fio");
    CHECK(f.path == dest + "/job.fio");
    CHECK(slurp(f.path) == LocalServer::kJob);
    CHECK(f.bytes == std::string(LocalServer::kJob).size());
  }
  SECTION("404 is reported at once, without retries, and leaves nothing") {
    const auto before = srv.hits.load();
    CHECK_THROWS_WITH(fetch_url(srv.url("/missing.fio"), dest, opt), Catch::Contains("HTTP 404") && Catch::Contains("/missing.fio"));
    CHECK(srv.hits.load() - before == 1);
    CHECK(entries(dest) == 0);
  }
  SECTION("more than 1 MiB is refused, declared or streamed") {
    CHECK_THROWS_WITH(fetch_url(srv.url("/big.fio"), dest, opt), Catch::Contains("limit"));
    CHECK_THROWS_WITH(fetch_url(srv.url("/big-chunked.fio"), dest, opt), Catch::Contains("limit"));
    CHECK(entries(dest) == 0);
    FetchOptions small = opt;
    small.max_bytes = 10;
    CHECK_THROWS_WITH(fetch_url(srv.url("/jobs/job.fio"), dest, small), Catch::Contains("10-byte limit"));
  }
  SECTION("exactly the cap is fine") {
    FetchOptions exact = opt;
    exact.max_bytes = std::string(LocalServer::kJob).size();
    CHECK_NOTHROW(fetch_url(srv.url("/jobs/job.fio"), dest, exact));
  }
  SECTION("a redirect loop is named as such") {
    CHECK_THROWS_WITH(fetch_url(srv.url("/loop/a.fio"), dest, opt), Catch::Contains("redirect loop"));
    CHECK(entries(dest) == 0);
  }
  SECTION("at most 5 redirects") {
    CHECK_THROWS_WITH(fetch_url(srv.url("/chain/0/job.fio"), dest, opt), Catch::Contains("more than 5 redirects"));
    const Fetched f = fetch_url(srv.url("/chain/5/job.fio"), dest, opt);  // 5 hops to /chain/10
    CHECK(slurp(f.path) == LocalServer::kJob);
    CHECK(f.final_url.find("/chain/10/") != std::string::npos);
  }
  SECTION("relative redirects resolve; the name stays the one the user asked for") {
    const Fetched f = fetch_url(srv.url("/moved/renamed.fio"), dest, opt);
    CHECK(f.name == "renamed.fio");
    CHECK(slurp(f.path) == LocalServer::kJob);
  }
  SECTION("a redirect may not leave https or http for another scheme") {
    CHECK_THROWS_WITH(fetch_url(srv.url("/to-ftp.fio"), dest, opt), Catch::Contains("redirect refused"));
  }
  SECTION("http is refused unless allowed") {
    FetchOptions strict = opt;
    strict.allow_http = false;
    const auto before = srv.hits.load();
    CHECK_THROWS_WITH(fetch_url(srv.url("/jobs/job.fio"), dest, strict), Catch::Contains("FIOKIT_ALLOW_HTTP"));
    CHECK(srv.hits.load() == before);
  }
  SECTION("a transient 503 is retried, then succeeds") {
    const Fetched f = fetch_url(srv.url("/flaky.fio"), dest, opt);
    CHECK(slurp(f.path) == LocalServer::kJob);
    CHECK(srv.flaky_hits.load() == 2);
  }
  SECTION("a server that keeps failing gives up after the attempts") {
    const auto before = srv.hits.load();
    CHECK_THROWS_WITH(fetch_url(srv.url("/always-503.fio"), dest, opt), Catch::Contains("HTTP 503"));
    CHECK(srv.hits.load() - before == 3);
  }
  SECTION("a closed port fails with the reason, after retries") {
    CHECK_THROWS_WITH(fetch_url("http://127.0.0.1:" + std::to_string(fiokit::test::closed_port()) + "/job.fio", dest, opt),
                      Catch::Contains("request failed"));
  }
  SECTION("`../` in the URL cannot place the file outside the folder") {
    const Fetched f = fetch_url(srv.url("/dl/..%2f..%2fescape.fio"), dest, opt);
    CHECK(f.name == "escape.fio");
    CHECK(fs::equivalent(fs::path(f.path).parent_path(), dest));
    CHECK(!fs::exists(fs::path(dest).parent_path() / "escape.fio"));
    CHECK_THROWS_WITH(fetch_url(srv.url("/dl/%2e%2e"), dest, opt), Catch::Contains("no file name"));
  }
  SECTION("an existing file is never replaced") {
    { std::ofstream(dest + "/job.fio") << "mine"; }
    CHECK_THROWS_WITH(fetch_url(srv.url("/jobs/job.fio"), dest, opt), Catch::Contains("already exists"));
    CHECK(slurp(dest + "/job.fio") == "mine");
  }
  SECTION("a server slower than the read timeout is abandoned") {
    FetchOptions quick = opt;
    quick.read_timeout = std::chrono::milliseconds(300);
    quick.attempts = 1;
    const auto t0 = std::chrono::steady_clock::now();
    CHECK_THROWS_WITH(fetch_url(srv.url("/slow.fio"), dest, quick), Catch::Contains("request failed"));
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(1500));
  }
  fs::remove_all(dest);
}

TEST_CASE("https: certificates are checked", "[fetch][tls]") {
  const std::string dir = fiokit::test::make_temp_dir("tls");
  const std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
                          "-addext subjectAltName=IP:127.0.0.1 -keyout " + dir + "/key.pem -out " + dir +
                          "/cert.pem >/dev/null 2>&1";
  if (std::system(cmd.c_str()) != 0) {
    // openssl is a test dependency (scripts/setup): no certificate is a failure, not a pass.
    fs::remove_all(dir);
    FAIL("the openssl command could not make a test certificate (scripts/setup installs openssl)");
  }
  httplib::SSLServer srv((dir + "/cert.pem").c_str(), (dir + "/key.pem").c_str());
  srv.Get("/job.fio", [](const httplib::Request&, httplib::Response& res) { res.set_content(LocalServer::kJob, "text/plain"); });
  const int port = srv.bind_to_any_port("127.0.0.1");
  std::thread t([&] { srv.listen_after_bind(); });
  while (!srv.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  const std::string url = "https://127.0.0.1:" + std::to_string(port) + "/job.fio";
  FetchOptions opt;  // https: no FIOKIT_ALLOW_HTTP needed
  opt.backoff = std::chrono::milliseconds(10);
  const std::string dest = dir + "/dest";
  fs::create_directories(dest);

  SECTION("a certificate nobody vouches for is refused, without retries") {
    CHECK_THROWS_WITH(fetch_url(url, dest, opt), Catch::Contains("not trusted"));
    CHECK(!fs::exists(dest + "/job.fio"));
  }
  SECTION("a trusted certificate works") {
    opt.ca_file = dir + "/cert.pem";
    const Fetched f = fetch_url(url, dest, opt);
    CHECK(slurp(f.path) == LocalServer::kJob);
  }
  srv.stop();
  t.join();
  fs::remove_all(dir);
}

TEST_CASE("is_internal_address: loopback, private, link-local, unspecified and their IPv6 forms", "[fetch][ssrf]") {
  for (const char* ip : {"127.0.0.1", "127.255.0.9", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254",
                         "100.100.100.200", "0.0.0.0", "::1", "::", "fc00::1", "fd00:ec2::254", "fe80::1", "febf::1", "fec0::1",
                         "::ffff:127.0.0.1", "::ffff:169.254.169.254", "not-an-address"})
    CHECK(is_internal_address(ip));
  for (const char* ip : {"8.8.8.8", "140.82.112.3", "172.15.255.255", "172.32.0.1", "192.169.0.1", "100.128.0.1", "11.0.0.1",
                         "2606:50c0:8000::154", "ff02::1", "::ffff:8.8.8.8"})
    CHECK_FALSE(is_internal_address(ip));
}

// A red-team review: 127.0.0.1 answered "302 Location: http://127.0.0.2:P/creds"
// and the fetch wrote what the internal host served as a job file (and echoed
// its first line in the parse error). Here 127.0.0.1 plays the public server
// and 127.0.0.2 the internal one (cloud metadata, an admin page).
TEST_CASE("a redirect from a public host to an internal address is refused (SSRF)", "[fetch][ssrf]") {
  LocalServer pub;
  std::unique_ptr<LocalServer> inner;
  try {
    inner = std::make_unique<LocalServer>("127.0.0.2");
  } catch (const std::exception& e) {
    // Linux answers on all of 127.0.0.0/8 through lo: this cannot fail on a
    // working loopback, so it fails the test instead of passing untested.
    FAIL("cannot listen on 127.0.0.2: " << e.what());
  }
  inner->put("creds.fio", "AccessKeyId: ASIA-SECRET-KEY-123\n");
  pub.redirect("job.fio", inner->url("/files/creds.fio"));
  const std::string dest = fiokit::test::make_temp_dir("ssrf");
  FetchOptions opt = fast_options();

  SECTION("public -> internal: refused before connecting, naming both URLs") {
    opt.is_internal = [](const std::string& ip) { return ip == "127.0.0.2"; };
    const auto before = inner->hits.load();
    CHECK_THROWS_WITH(fetch_url(pub.url("/r/job.fio"), dest, opt),
                      Catch::Contains(pub.url("/r/job.fio")) && Catch::Contains("redirects to " + inner->url("/files/creds.fio")) &&
                          Catch::Contains("127.0.0.2, an internal address") && Catch::Contains("server-side request forgery") &&
                          !Catch::Contains("ASIA-SECRET"));
    CHECK(inner->hits.load() == before);
    CHECK(entries(dest) == 0);
  }
  SECTION("internal -> internal: the user asked for an internal server, so it is followed") {
    const Fetched f = fetch_url(pub.url("/r/job.fio"), dest, opt);  // the real classifier: both are loopback
    CHECK(slurp(f.path) == "AccessKeyId: ASIA-SECRET-KEY-123\n");
    CHECK(f.final_url == inner->url("/files/creds.fio"));
  }
  SECTION("public -> another public host: followed (GitHub raw URLs redirect across hosts)") {
    opt.is_internal = [](const std::string&) { return false; };
    CHECK_NOTHROW(fetch_url(pub.url("/r/job.fio"), dest, opt));
  }
  SECTION("a host that turns internal after it was checked public (DNS rebinding) is refused too") {
    // The first classification (of the URL the user gave) says public, every
    // later one internal: the check runs on each connection's own address.
    auto calls = std::make_shared<int>(0);
    opt.is_internal = [calls](const std::string&) { return (*calls)++ > 0; };
    const auto before = pub.hits.load();
    CHECK_THROWS_WITH(fetch_url(pub.url("/jobs/job.fio"), dest, opt), Catch::Contains("DNS rebinding"));
    CHECK(pub.hits.load() == before);
  }
  fs::remove_all(dest);
}
