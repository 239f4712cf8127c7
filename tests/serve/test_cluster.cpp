// The coordinator's gate (docs/cluster-protocol.md): bearer token, no
// coordinator without one, body caps, name and path checks, the start
// barrier and the join timeout. Each case runs a real `fiokit serve`
// coordinator on 127.0.0.1 and talks to it over HTTP like a member.
#include <catch2/catch.hpp>

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <thread>

#include "cluster_util.hpp"
#include "serve/cluster_store.hpp"
#include "serve_util.hpp"

using namespace fiokit;
using namespace fiokit::clustertest;
using servetest::TempDir;

namespace {

// The only run directory under dir/runs ("" when none).
std::string only_run_dir(const std::string& dir) {
  std::vector<std::string> found;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir + "/runs", ec)) found.push_back(e.path().string());
  REQUIRE(found.size() <= 1);
  return found.empty() ? "" : found[0];
}

}  // namespace

TEST_CASE("cluster: a missing or wrong token gets 401 and nothing is written", "[serve][cluster]") {
  TempDir dir("cluster");
  Coord co(dir.path, quick_options());
  auto none = client(co.port, "");
  std::string wrong = kToken;
  wrong.back() = wrong.back() == 'x' ? 'y' : 'x';  // same length, last byte off
  auto bad = client(co.port, wrong);
  auto shorter = client(co.port, kToken.substr(0, kToken.size() - 1));
  for (auto* c : {none.get(), bad.get(), shorter.get()}) {
    auto r = join(*c, "r1", 0, 1, "h0");
    REQUIRE(r);
    CHECK(r->status == 401);
    CHECK(body_of(r)["error"] == "missing or wrong bearer token");
    CHECK(r->get_header_value("WWW-Authenticate") == "Bearer");
    r = put_file(*c, "r1", 0, "results.json", std::string(200000, 'x'));
    REQUIRE(r);
    CHECK(r->status == 401);
    CHECK(c->Get("/api/cluster/r1")->status == 401);
  }
  // A 1 MB body announced behind Expect: 100-continue is refused before a
  // byte of it is sent: the answer comes to the head alone.
  const int fd = servetest::connect_local(co.port);
  REQUIRE(fd >= 0);
  const std::string head =
      "PUT /api/cluster/r1/hosts/0/files/big.bin HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + wrong +
      "\r\nContent-Length: 1000000\r\nExpect: 100-continue\r\n\r\n";
  REQUIRE(::send(fd, head.data(), head.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(head.size()));
  const std::string answer = servetest::read_until_closed(fd, std::chrono::seconds(5));
  CHECK(answer.rfind("HTTP/1.1 401", 0) == 0);
  CHECK(answer.find("100 Continue") == std::string::npos);
  CHECK(!std::filesystem::exists(dir.path + "/runs"));
  CHECK(files_under(dir.path).empty());
}

TEST_CASE("cluster: without an ingest token /api/cluster/ is 404 and serve stays read-only", "[serve][cluster]") {
  TempDir dir("cluster");
  servetest::TestServer ts(dir.path);
  auto c = client(ts.port);
  auto r = join(*c, "r1", 0, 1, "h0");
  REQUIRE(r);
  CHECK(r->status == 404);
  CHECK(body_of(r)["error"].get<std::string>().find("not a cluster coordinator") != std::string::npos);
  CHECK(put_file(*c, "r1", 0, "results.json", "{}")->status == 404);
  CHECK(c->Get("/api/cluster/r1")->status == 404);
  CHECK(c->Post("/files/x", "data", "text/plain")->status == 405);
  CHECK(c->Put("/api/runs/x", "data", "text/plain")->status == 405);
  CHECK(files_under(dir.path).empty());
}

TEST_CASE("cluster: bodies past the cap get 413 and nothing is kept", "[serve][cluster]") {
  TempDir dir("cluster");
  auto opt = quick_options();
  opt.max_file_bytes = 64 << 10;
  opt.max_json_bytes = 4 << 10;
  Coord co(dir.path, opt);
  auto c = client(co.port);
  REQUIRE(join(*c, "r1", 0, 1, "h0")->status == 200);
  const std::string host = only_run_dir(dir.path) + "/hosts/0";
  const auto before = files_under(dir.path);

  // Announced too large: refused from the head.
  auto r = put_file(*c, "r1", 0, "big.bin", std::string((64 << 10) + 1, 'x'));
  REQUIRE(r);
  CHECK(r->status == 413);
  CHECK(body_of(r)["error"].get<std::string>().find("--ingest-max-bytes") != std::string::npos);
  // Chunked, so the size shows only while it streams: cut off, .part removed.
  size_t sent = 0;
  r = c->Put("/api/cluster/r1/hosts/0/files/chunked.bin",
             [&](size_t, httplib::DataSink& sink) {
               const std::string block(16 << 10, 'y');
               if (sent >= (256u << 10)) {
                 sink.done();
                 return true;
               }
               sent += block.size();
               return sink.write(block.data(), block.size());
             },
             "application/octet-stream");
  if (r) CHECK(r->status == 413);  // the server may close before the client reads its answer
  // A JSON body past its own, smaller cap.
  r = c->Post("/api/cluster/r1/done?index=0", std::string(5000, ' ') + "{}", "application/json");
  REQUIRE(r);
  CHECK(r->status == 413);
  CHECK(files_under(dir.path) == before);
  CHECK(!std::filesystem::exists(host + "/big.bin"));
  CHECK(!std::filesystem::exists(host + "/chunked.bin.part"));
  // Just under the cap is taken, byte for byte.
  const std::string fits((64 << 10) - 1, 'z');
  r = put_file(*c, "r1", 0, "sub/fits.bin", fits);
  REQUIRE(r);
  CHECK(r->status == 201);
  CHECK(read_file(host + "/sub/fits.bin") == fits);
  // Chunked and under the cap: streamed to disk whole.
  std::string streamed;
  for (int i = 0; i < 6; ++i) streamed += std::string(8 << 10, static_cast<char>('a' + i));
  size_t off = 0;
  r = c->Put("/api/cluster/r1/hosts/0/files/chunked-ok.bin",
             [&](size_t, httplib::DataSink& sink) {
               if (off == streamed.size()) {
                 sink.done();
                 return true;
               }
               const size_t n = std::min<size_t>(5000, streamed.size() - off);
               off += n;
               return sink.write(streamed.data() + off - n, n);
             },
             "application/octet-stream");
  REQUIRE(r);
  CHECK(r->status == 201);
  CHECK(body_of(r)["size"] == streamed.size());
  CHECK(read_file(host + "/chunked-ok.bin") == streamed);
}

TEST_CASE("cluster: bad run names, indices and ../ paths get 400 naming the field", "[serve][cluster]") {
  TempDir dir("cluster");
  Coord co(dir.path, quick_options());
  auto c = client(co.port);
  auto r = join(*c, std::string(65, 'a'), 0, 1, "h0");
  CHECK(r->status == 400);
  CHECK(body_of(r)["error"].get<std::string>().rfind("run:", 0) == 0);
  CHECK(join(*c, "bad%20name", 0, 1, "h0")->status == 400);
  r = join(*c, "r1", 0, 0, "h0");
  CHECK(r->status == 400);
  CHECK(body_of(r)["error"].get<std::string>().rfind("size:", 0) == 0);
  r = c->Post("/api/cluster/r1/join", R"({"index": 0, "size": 2, "job_sha256": "ab"})", "application/json");
  CHECK(body_of(r)["error"].get<std::string>().rfind("host:", 0) == 0);
  r = c->Post("/api/cluster/r1/join", "not json", "application/json");
  CHECK(r->status == 400);
  CHECK(body_of(r)["error"].get<std::string>().rfind("body:", 0) == 0);
  REQUIRE(join(*c, "r1", 0, 2, "h0")->status == 202);
  REQUIRE(join(*c, "r1", 1, 2, "h1")->status == 200);
  r = c->Post("/api/cluster/r1/status?index=x", "{}", "application/json");
  CHECK(r->status == 400);
  CHECK(body_of(r)["error"].get<std::string>().rfind("index:", 0) == 0);
  // Raw targets, as a client library would not send them.
  const std::vector<std::string> bad_paths = {"../../../escape", "a/../../x", ".hidden",   "a/.b",
                                             "a//b",            "a/b/c/d/e/f/g", "sp%20ace", "x%2f..%2fy",
                                             std::string(129, 'n')};
  for (const std::string& path : bad_paths) {
    const auto raw = servetest::raw_http(co.port, "PUT /api/cluster/r1/hosts/0/files/" + path +
                                                      " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + kToken +
                                                      "\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc");
    INFO(path);
    CHECK(raw.status == 400);
    CHECK(raw.body.find("path") != std::string::npos);
  }
  r = post_done(*c, "r1", 0, 0, {{"../results.json", 3}});
  CHECK(r->status == 400);
  CHECK(body_of(r)["error"].get<std::string>().rfind("files[0].path", 0) == 0);
  // Nothing but the two members' (empty) directories and the run's own files.
  for (const auto& f : files_under(dir.path)) {
    INFO(f);
    CHECK(f.find("/hosts/") == std::string::npos);
  }
}

TEST_CASE("cluster: the barrier gives every member the same start, 202 before", "[serve][cluster]") {
  TempDir dir("cluster");
  Coord co(dir.path, quick_options());
  auto c = client(co.port);
  auto r = join(*c, "bar", 0, 3, "h0");
  REQUIRE(r->status == 202);
  auto j = body_of(r);
  CHECK(j["state"] == "waiting");
  CHECK(j["joined"] == nlohmann::json::array({0}));
  CHECK(j["missing"] == nlohmann::json::array({1, 2}));
  CHECK(j["retry_ms"] == 250);
  r = join(*c, "bar", 2, 3, "h2");
  CHECK(r->status == 202);
  CHECK(body_of(r)["missing"] == nlohmann::json::array({1}));
  CHECK(join(*c, "bar", 0, 3, "h0")->status == 202);  // a poll, still waiting
  // Wrong size, index out of range, another job: 409.
  CHECK(join(*c, "bar", 1, 4, "h1")->status == 409);
  CHECK(join(*c, "bar", 3, 3, "h3")->status == 409);
  r = join(*c, "bar", 1, 3, "h1", "ffff");
  CHECK(r->status == 409);
  CHECK(body_of(r)["error"].get<std::string>().find("job_sha256") != std::string::npos);

  const int64_t before = serve::cluster::unix_ns_now();
  r = join(*c, "bar", 1, 3, "h1");
  const int64_t after = serve::cluster::unix_ns_now();
  REQUIRE(r->status == 200);
  j = body_of(r);
  CHECK(j["state"] == "start");
  const int64_t start = j["start_unix_ns"];
  CHECK(start >= before + 2000000000LL);
  CHECK(start <= after + 2000000000LL);
  const std::string run_dir = j["run_dir"];
  CHECK(run_dir.rfind("runs/", 0) == 0);
  CHECK(run_dir.size() > 8);
  CHECK(run_dir.substr(run_dir.size() - 4) == "-bar");
  for (int i : {0, 2}) {
    auto again = body_of(join(*c, "bar", i, 3, "h" + std::to_string(i)));
    CHECK(again["start_unix_ns"] == start);
    CHECK(again["run_dir"] == run_dir);
  }
  const auto st = body_of(c->Get("/api/cluster/bar"));
  CHECK(st["state"] == "running");
  CHECK(st["start_unix_ns"] == start);
  CHECK(st["members"].size() == 3);
  CHECK(st["members"][1]["host"] == "h1");
  CHECK(st["members"][2]["state"] == "running");
  // The state is on disk too.
  const auto disk = serve::cluster::run_from_json(read_file(dir.path + "/" + run_dir + "/cluster.json"));
  CHECK(disk.start_unix_ns == start);
  CHECK(disk.state == "running");
}

TEST_CASE("cluster: a run not joined in time fails naming the missing indices (410)", "[serve][cluster]") {
  TempDir dir("cluster");
  Coord co(dir.path, quick_options(std::chrono::milliseconds(400)));
  auto c = client(co.port);
  REQUIRE(join(*c, "late", 0, 4, "h0")->status == 202);
  REQUIRE(join(*c, "late", 2, 4, "h2")->status == 202);
  const auto st = wait_state(*c, "late", std::chrono::seconds(5), [](const auto& j) { return j["state"] == "failed"; });
  REQUIRE(st["state"] == "failed");
  const std::string want = "cluster run late failed: members 1, 3 did not join within 0.4 s";
  CHECK(st["error"] == want);
  for (int i : {0, 1}) {  // a polling member and a late one
    auto r = join(*c, "late", i, 4, "h");
    REQUIRE(r);
    CHECK(r->status == 410);
    CHECK(body_of(r)["error"] == want);
  }
  const std::string run_dir = dir.path + "/" + st["run_dir"].get<std::string>();
  const auto disk = serve::cluster::run_from_json(read_file(run_dir + "/cluster.json"));
  CHECK(disk.state == "failed");
  CHECK(disk.error == want);
  CHECK(disk.members[1].state == "missing");
  CHECK(disk.members[2].state == "joined");
  // The run is finalised: its results.json names who was missing.
  const auto merged = nlohmann::json::parse(read_file(run_dir + "/results.json"));
  std::vector<int> failed;
  for (const auto& f : merged["cluster"]["failed"]) failed.push_back(f["index"]);
  CHECK(failed == std::vector<int>{1, 3});
}

TEST_CASE("cluster: a member that ends with an error at the barrier fails the run at once, naming it", "[serve][cluster]") {
  TempDir dir("cluster");
  // A join timeout far beyond the test: the run must fail because of the
  // member's done, not because the timeout passed.
  Coord co(dir.path, quick_options(std::chrono::seconds(60)));
  auto c = client(co.port);
  REQUIRE(join(*c, "early", 0, 3, "h0")->status == 202);
  REQUIRE(join(*c, "early", 1, 3, "h1")->status == 202);
  // A done with exit 0 before the start is still refused: nothing ran.
  CHECK(post_done(*c, "early", 1, 0, {})->status == 409);
  const auto started = std::chrono::steady_clock::now();
  auto r = post_done(*c, "early", 1, 143, {});  // member 1's pod was deleted while it waited
  REQUIRE(r);
  CHECK(r->status == 200);
  const std::string want = "cluster run early failed: member 1 (host h1) ended before the start: exit code 143";
  const auto st = wait_state(*c, "early", std::chrono::seconds(5), [](const auto& j) { return j["state"] == "failed"; });
  REQUIRE(st["state"] == "failed");
  CHECK(st["error"] == want);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(5));
  for (int i : {0, 2}) {  // the waiting member and a late one are told at once
    auto j = join(*c, "early", i, 3, "h");
    REQUIRE(j);
    CHECK(j->status == 410);
    CHECK(body_of(j)["error"] == want);
  }
  const std::string run_dir = dir.path + "/" + st["run_dir"].get<std::string>();
  const auto disk = serve::cluster::run_from_json(read_file(run_dir + "/cluster.json"));
  CHECK(disk.state == "failed");
  CHECK(disk.members[1].state == "failed");
  CHECK(disk.members[1].exit_code == 143);
  // Finalised: the merged results.json names the failed member.
  (void)wait_state(*c, "early", std::chrono::seconds(5), [&](const auto&) {
    return nlohmann::json::parse(read_file(run_dir + "/results.json"), nullptr, false).is_object();
  });
  const auto res = nlohmann::json::parse(read_file(run_dir + "/results.json"));
  std::vector<int> failed;
  for (const auto& f : res["cluster"]["failed"]) failed.push_back(f["index"]);
  CHECK(std::find(failed.begin(), failed.end(), 1) != failed.end());
}
