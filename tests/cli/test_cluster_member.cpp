// `fiokit run --coordinator ...` and `fiokit container tool` as a cluster
// member (docs/cluster-protocol.md, member side): the real binary against a
// small coordinator written here (cpp-httplib on 127.0.0.1, an ephemeral
// port) that implements only what each case needs, failures included: 503
// twice, 401, 409, 410, a barrier that never opens. Each case asserts what the
// member did on the wire (join bodies, the delays between retries, status
// documents and their counters, uploaded bytes, done) and in its run dir.
#include <catch2/catch.hpp>
#include <httplib.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "common/temp_dir.hpp"
#include "subprocess.hpp"

namespace fs = std::filesystem;
using json = nlohmann::json;
using fiokit::test::Outcome;
using fiokit::test::RunSpec;
using fiokit::test::run_fiokit;
using fiokit::test::slurp;
using fiokit::test::TempDir;
using Clock = std::chrono::steady_clock;

namespace {

const char* kToken = "s3cret-token";

int64_t unix_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// The coordinator's side of the protocol, as little of it as the cases need.
struct TestCoordinator {
  enum class Join { ok, fail503twice, refuse401, gone410, conflict409, never };
  Join join_mode = Join::ok;
  int64_t start_delay_ms = 1000;  // T = the first 200's time + this

  std::mutex m;
  std::vector<Clock::time_point> join_times;
  std::vector<json> join_bodies;
  int64_t start_ns = 0;
  std::vector<std::pair<Clock::time_point, json>> statuses;
  std::map<std::string, std::string> files;  // PATH -> bytes, for index 0
  std::vector<std::string> auth_seen;
  json done;
  int port = 0;
  httplib::Server srv;
  std::thread th;

  TestCoordinator() {
    srv.Post(R"(/api/cluster/([A-Za-z0-9._-]+)/join)", [this](const httplib::Request& req, httplib::Response& res) { on_join(req, res); });
    srv.Post(R"(/api/cluster/([A-Za-z0-9._-]+)/status)", [this](const httplib::Request& req, httplib::Response& res) {
      if (!authorized(req, res)) return;
      std::lock_guard lk(m);
      statuses.emplace_back(Clock::now(), json::parse(req.body));
      res.status = 204;
    });
    srv.Put(R"(/api/cluster/([A-Za-z0-9._-]+)/hosts/(\d+)/files/(.+))", [this](const httplib::Request& req, httplib::Response& res) {
      if (!authorized(req, res)) return;
      std::lock_guard lk(m);
      files[req.matches[3]] = req.body;
      res.status = 201;
    });
    srv.Post(R"(/api/cluster/([A-Za-z0-9._-]+)/done)", [this](const httplib::Request& req, httplib::Response& res) {
      if (!authorized(req, res)) return;
      std::lock_guard lk(m);
      done = json::parse(req.body);
      done["index_param"] = req.get_param_value("index");
      res.set_content(R"({"run_dir": "runs/20261127T000000Z-t"})", "application/json");
    });
    port = srv.bind_to_any_port("127.0.0.1");
    th = std::thread([this] { srv.listen_after_bind(); });
    while (!srv.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~TestCoordinator() {
    srv.stop();
    th.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port); }

  bool authorized(const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lk(m);
    auth_seen.push_back(req.get_header_value("Authorization"));
    if (req.get_header_value("Authorization") == std::string("Bearer ") + kToken) return true;
    res.status = 401;
    res.set_content(R"({"error": "missing or wrong ingest token"})", "application/json");
    return false;
  }

  void on_join(const httplib::Request& req, httplib::Response& res) {
    const bool ok = authorized(req, res);
    std::lock_guard lk(m);
    join_times.push_back(Clock::now());
    join_bodies.push_back(json::parse(req.body));
    if (!ok) return;
    const size_t n = join_times.size();
    auto waiting = [&] { res.status = 202, res.set_content(R"({"state": "waiting", "joined": [0], "missing": [1], "retry_ms": 100})", "application/json"); };
    switch (join_mode) {
      case Join::fail503twice:
        if (n <= 2) {
          res.status = 503;
          res.set_content("busy", "text/plain");
          return;
        }
        break;
      case Join::refuse401:
        res.status = 401;
        res.set_content(R"({"error": "missing or wrong ingest token"})", "application/json");
        return;
      case Join::gone410:
        res.status = 410;
        res.set_content(R"({"error": "cluster run t failed: members 1, 5 did not join within 300 s"})", "application/json");
        return;
      case Join::conflict409:
        res.status = 409;
        res.set_content(R"({"error": "size 2 differs from the run's size 3"})", "application/json");
        return;
      case Join::never:
        return waiting();
      case Join::ok:
        if (n == 1) return waiting();  // one poll before the barrier opens
        break;
    }
    if (!start_ns) start_ns = unix_ns() + start_delay_ms * 1'000'000;
    res.set_content(json{{"state", "start"}, {"start_unix_ns", start_ns}, {"run_dir", "runs/20261127T000000Z-t"}}.dump(), "application/json");
  }
};

// A small file job doing real I/O, paced so it costs little CPU.
std::string write_job(const std::string& dir, int runtime_s) {
  const std::string job = dir + "/member.fio";
  std::ofstream(job) << "[member]\nioengine=psync\nrw=randread\nbs=4k\nsize=1m\nfilename=" << dir
                     << "/data.bin\ntime_based=1\nruntime=" << runtime_s << "\nrate_iops=2000\n";
  return job;
}

RunSpec member_run(const TestCoordinator& c, const std::string& data_dir, const std::string& job, int size = 1, int index = 0) {
  RunSpec s;
  s.args = {"run", "--coordinator", c.url(), "--cluster-run", "t", "--cluster-size", std::to_string(size), "--cluster-index",
            std::to_string(index), "--data-dir", data_dir, "--output-format=json+", job};
  s.env = {{"FIOKIT_INGEST_TOKEN", kToken}, {"FIOKIT_CLUSTER_TIMEOUT", "20"}};
  s.unset_env = {"FIOKIT_COORDINATOR", "FIOKIT_CLUSTER_RUN", "FIOKIT_CLUSTER_SIZE", "JOB_COMPLETION_INDEX"};
  s.timeout = std::chrono::milliseconds(40000);
  return s;
}

fs::path only_run_dir(const std::string& data_dir) {
  std::vector<fs::path> dirs;
  for (const auto& e : fs::directory_iterator(fs::path(data_dir) / "runs")) dirs.push_back(e.path());
  REQUIRE(dirs.size() == 1);
  return dirs.front();
}

uint64_t read_io_bytes(const json& doc) {
  uint64_t sum = 0;
  for (const auto& j : doc.at("jobs")) sum += j.at("read").at("io_bytes").get<uint64_t>();
  return sum;
}

}  // namespace

TEST_CASE("member: joins, starts I/O at the coordinator's time, posts status every second, uploads its run dir, posts done",
          "[cluster_member]") {
  TestCoordinator c;
  TempDir d("member");
  const Outcome o = run_fiokit(member_run(c, d.path, write_job(d.path, 3)));
  INFO(o.err);
  REQUIRE(o.code == 0);
  // stdout stays one pure JSON document: the member's messages go to stderr.
  const json out = json::parse(o.out);
  CHECK(out.at("jobs").size() == 1);

  std::lock_guard lk(c.m);
  // One 202, then the start; after the start the member re-joins as a
  // heartbeat only in a second with no status snapshot to post (a few here:
  // before the first snapshot and around the end of I/O), never more than
  // one a second.
  REQUIRE(c.join_bodies.size() >= 2);
  CHECK(c.join_bodies.size() <= 2 + 6);
  const json& jb = c.join_bodies.front();
  CHECK(jb.at("index") == 0);
  CHECK(jb.at("size") == 1);
  CHECK(!jb.at("host").get<std::string>().empty());
  CHECK(jb.at("job_sha256").get<std::string>().size() == 64);
  CHECK(jb == c.join_bodies.back());
  for (const auto& a : c.auth_seen) CHECK(a == std::string("Bearer ") + kToken);

  // The measured start, in the member's own results.json, is within 100 ms
  // after the start time the coordinator gave (never before it).
  const fs::path run_dir = only_run_dir(d.path);
  const json res = json::parse(slurp(run_dir / "results.json"));
  const json& cl = res.at("fiokit").at("cluster");
  CHECK(cl.at("run") == "t");
  CHECK(cl.at("index") == 0);
  CHECK(cl.at("size") == 1);
  CHECK(cl.at("coordinator") == c.url());
  CHECK(cl.at("host") == jb.at("host"));
  CHECK(cl.at("start_unix_ns").get<int64_t>() == c.start_ns);
  const int64_t started = cl.at("started_unix_ns").get<int64_t>();
  CHECK(started >= c.start_ns);
  CHECK(started - c.start_ns < 100'000'000);
  CHECK(cl.at("skew_ms").get<double>() == Approx(static_cast<double>(started - c.start_ns) / 1e6).margin(0.001));
  CHECK(res.at("fiokit").contains("incomplete") == false);

  // >= 1 status a second for the 3 s of I/O, JSON+ (with bins), counters growing.
  REQUIRE(c.statuses.size() >= 2);
  uint64_t last = 0;
  for (size_t i = 0; i < c.statuses.size(); ++i) {
    const json& s = c.statuses[i].second;
    CHECK(s.at("fiokit").at("cluster").at("started_unix_ns").get<int64_t>() == started);
    const uint64_t bytes = read_io_bytes(s);
    CHECK(bytes >= last);
    last = bytes;
    if (i) CHECK(c.statuses[i].first - c.statuses[i - 1].first < std::chrono::milliseconds(1500));
  }
  CHECK(read_io_bytes(c.statuses.back().second) > read_io_bytes(c.statuses.front().second));
  CHECK(c.statuses.back().second.at("jobs").at(0).at("read").at("clat_ns").contains("bins"));

  // Every file of the run dir, byte-identical; done lists them with their sizes.
  std::map<std::string, std::string> local;
  for (const auto& e : fs::recursive_directory_iterator(run_dir))
    if (e.is_regular_file()) local[e.path().lexically_relative(run_dir).generic_string()] = slurp(e.path());
  CHECK(local.count("results.json") == 1);
  CHECK(local.count("member.fio") == 1);
  CHECK(c.files == local);
  REQUIRE(c.done.is_object());
  CHECK(c.done.at("index_param") == "0");
  CHECK(c.done.at("exit_code") == 0);
  CHECK(c.done.at("started_unix_ns").get<int64_t>() == started);
  std::map<std::string, uint64_t> listed;
  for (const auto& f : c.done.at("files")) listed[f.at("path").get<std::string>()] = f.at("size").get<uint64_t>();
  REQUIRE(listed.size() == local.size());
  for (const auto& [p, bytes] : local) CHECK(listed[p] == bytes.size());
  CHECK(o.err.find("runs/20261127T000000Z-t") != std::string::npos);
}

TEST_CASE("member: 503 twice, then the join is retried with growing delays", "[cluster_member]") {
  TestCoordinator c;
  c.join_mode = TestCoordinator::Join::fail503twice;
  c.start_delay_ms = 300;
  TempDir d("member");
  const Outcome o = run_fiokit(member_run(c, d.path, write_job(d.path, 1)));
  INFO(o.err);
  REQUIRE(o.code == 0);
  std::lock_guard lk(c.m);
  REQUIRE(c.join_times.size() >= 3);  // 503, 503, the start (then heartbeats)
  const auto d1 = std::chrono::duration_cast<std::chrono::milliseconds>(c.join_times[1] - c.join_times[0]).count();
  const auto d2 = std::chrono::duration_cast<std::chrono::milliseconds>(c.join_times[2] - c.join_times[1]).count();
  // 250 ms then 500 ms, each jittered to 80..120 % (the upper bounds leave
  // room for a loaded machine's late wake-ups and slow answers).
  CHECK(d1 >= 200);
  CHECK(d1 < 700);
  CHECK(d2 >= 400);
  CHECK(d2 < 1100);
  CHECK(d2 > d1);
  CHECK(o.err.find("503") != std::string::npos);
  CHECK(c.done.at("exit_code") == 0);
}

TEST_CASE("member: 401 (a wrong token) exits 1 at once, nothing run", "[cluster_member]") {
  TestCoordinator c;
  TempDir d("member");
  RunSpec s = member_run(c, d.path, write_job(d.path, 1));
  s.env[0].second = "wrong-token";
  const Outcome o = run_fiokit(s);
  INFO(o.err);
  CHECK(o.code == 1);
  CHECK(o.elapsed < std::chrono::milliseconds(5000));
  CHECK(o.err.find("401") != std::string::npos);
  CHECK(o.err.find("FIOKIT_INGEST_TOKEN") != std::string::npos);
  std::lock_guard lk(c.m);
  CHECK(c.join_times.size() == 1);  // not retried
  CHECK(c.statuses.empty());
  CHECK(c.files.empty());
}

TEST_CASE("member: 410 exits 1 with the coordinator's message; 409 on join exits 2", "[cluster_member]") {
  TestCoordinator c;
  TempDir d("member");
  const std::string job = write_job(d.path, 1);
  c.join_mode = TestCoordinator::Join::gone410;
  Outcome o = run_fiokit(member_run(c, d.path, job));
  CHECK(o.code == 1);
  CHECK(o.err.find("cluster run t failed: members 1, 5 did not join within 300 s") != std::string::npos);
  {
    std::lock_guard lk(c.m);
    CHECK(c.join_times.size() == 1);
  }
  c.join_mode = TestCoordinator::Join::conflict409;
  o = run_fiokit(member_run(c, d.path, job, 2, 1));
  CHECK(o.code == 2);
  CHECK(o.err.find("size 2 differs from the run's size 3") != std::string::npos);
  std::lock_guard lk(c.m);
  CHECK(c.join_times.size() == 2);
  CHECK(c.files.empty());
}

TEST_CASE("member: a signal while waiting at the barrier exits 143 at once, no I/O done", "[cluster_member]") {
  TestCoordinator c;
  c.join_mode = TestCoordinator::Join::never;
  TempDir d("member");
  RunSpec s = member_run(c, d.path, write_job(d.path, 1));
  s.signal = SIGTERM;
  s.signal_after = std::chrono::milliseconds(1500);
  const Outcome o = run_fiokit(s);
  INFO(o.err);
  CHECK(o.code == 143);
  CHECK(o.elapsed < std::chrono::milliseconds(6000));
  const json res = json::parse(slurp(only_run_dir(d.path) / "results.json"));
  CHECK(res.at("jobs").at(0).at("read").at("io_bytes") == 0);
  CHECK(res.at("fiokit").at("interrupted") == true);
  std::lock_guard lk(c.m);
  CHECK(c.join_times.size() >= 3);  // polled every retry_ms (100 ms) until the signal
  REQUIRE(c.done.is_object());      // told the coordinator it is out
  CHECK(c.done.at("exit_code") == 143);
}

TEST_CASE("member: argument errors exit 2 naming the flag or variable, before any request", "[cluster_member]") {
  TestCoordinator c;
  TempDir d("member");
  const std::string job = write_job(d.path, 1);
  auto expect = [&](RunSpec s, const std::string& named) {
    const Outcome o = run_fiokit(s);
    INFO(o.err);
    CHECK(o.code == 2);
    CHECK(o.err.find(named) != std::string::npos);
  };
  RunSpec s = member_run(c, d.path, job);
  s.env = {};
  s.unset_env.push_back("FIOKIT_INGEST_TOKEN");
  expect(s, "FIOKIT_INGEST_TOKEN");
  expect(member_run(c, d.path, job, 0, 0), "--cluster-size");
  expect(member_run(c, d.path, job, 2, 2), "--cluster-index");
  s = member_run(c, d.path, job);
  s.args[4] = "bad/name";
  expect(s, "--cluster-run");
  s = member_run(c, d.path, job);
  s.args.erase(s.args.begin() + 1, s.args.begin() + 3);  // no --coordinator
  expect(s, "--coordinator");
  s = member_run(c, d.path, job);
  s.args[2] = "ftp://127.0.0.1/";
  expect(s, "--coordinator");
  s = member_run(c, d.path, job);
  s.args.erase(s.args.begin() + 9, s.args.begin() + 11);  // no --data-dir
  expect(s, "--data-dir");
  // The variables stand for the flags.
  s = member_run(c, d.path, job);
  s.args = {"run", "--data-dir", d.path, job};
  s.unset_env = {"FIOKIT_CLUSTER_RUN"};
  s.env.push_back({"FIOKIT_COORDINATOR", c.url()});
  s.env.push_back({"FIOKIT_CLUSTER_SIZE", "2"});
  s.env.push_back({"JOB_COMPLETION_INDEX", "1"});
  expect(s, "FIOKIT_CLUSTER_RUN");
  std::lock_guard lk(c.m);
  CHECK(c.join_times.empty());
  CHECK(!fs::exists(fs::path(d.path) / "runs"));
}

TEST_CASE("member: `fiokit container tool` joins with the four variables; a partial set exits 2 naming the missing",
          "[cluster_member]") {
  TestCoordinator c;
  c.start_delay_ms = 300;
  TempDir d("member");
  write_job(d.path, 1);
  RunSpec s;
  s.args = {"container", "tool"};
  s.env = {{"FIOKIT_DATA_DIR", d.path}, {"JOBFILES", "member.fio"}, {"FIOKIT_INGEST_TOKEN", kToken}, {"FIOKIT_COORDINATOR", c.url()},
           {"JOB_COMPLETION_INDEX", "0"}};
  s.unset_env = {"FIOKIT_CLUSTER_RUN", "FIOKIT_CLUSTER_SIZE", "REMOTEFILES"};
  Outcome o = run_fiokit(s);
  CHECK(o.code == 2);
  CHECK(o.err.find("missing: FIOKIT_CLUSTER_RUN, FIOKIT_CLUSTER_SIZE") != std::string::npos);
  CHECK(!fs::exists(fs::path(d.path) / "runs"));

  s.env.push_back({"FIOKIT_CLUSTER_RUN", "t"});
  s.env.push_back({"FIOKIT_CLUSTER_SIZE", "1"});
  o = run_fiokit(s);
  INFO(o.err);
  REQUIRE(o.code == 0);
  const json res = json::parse(slurp(only_run_dir(d.path) / "results.json"));
  std::lock_guard lk(c.m);
  CHECK(res.at("fiokit").at("cluster").at("start_unix_ns").get<int64_t>() == c.start_ns);
  CHECK(c.done.at("exit_code") == 0);
  CHECK(c.files.at("results.json") == slurp(only_run_dir(d.path) / "results.json"));
}

TEST_CASE("member: two members against the real coordinator (`fiokit serve --ingest-token`) start together and are merged",
          "[cluster_member]") {
  TempDir d("member");
  // A free port for the coordinator: bound here, released, then given to serve.
  int port = 0;
  {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0);
    port = ntohs(a.sin_port);
    ::close(fd);
  }
  const std::string url = "http://127.0.0.1:" + std::to_string(port), token = "0123456789abcdef-member-test";
  fs::create_directories(fs::path(d.path) / "serve");
  RunSpec serve;
  serve.args = {"serve", d.path + "/serve", "--port", std::to_string(port), "--ingest-token", token, "--cluster-timeout", "20"};
  serve.signal = SIGTERM;
  serve.signal_after = std::chrono::milliseconds(9000);
  Outcome served;
  std::thread coordinator([&] { served = run_fiokit(serve); });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  Outcome members[2];
  std::vector<std::thread> ths;
  for (int i = 0; i < 2; ++i) {
    const std::string dir = d.path + "/m" + std::to_string(i);
    fs::create_directories(dir);
    // The same job text on both (the coordinator compares its sha256): the
    // file name is relative, each member's working directory its own.
    std::ofstream(dir + "/pair.fio") << "[pair]\nioengine=psync\nrw=randread\nbs=4k\nsize=1m\nfilename=data.bin\n"
                                        "time_based=1\nruntime=1\nrate_iops=1000\n";
    ths.emplace_back([&, i, dir] {
      RunSpec s;
      s.cwd = dir;
      s.args = {"run", "--coordinator", url, "--cluster-run", "pair", "--cluster-size", "2", "--cluster-index", std::to_string(i),
                "--data-dir", dir, "--output-format=json+", "pair.fio"};
      s.env = {{"FIOKIT_INGEST_TOKEN", token}, {"FIOKIT_CLUSTER_TIMEOUT", "20"}};
      members[i] = run_fiokit(s);
    });
  }
  for (auto& t : ths) t.join();
  // The coordinator finalises (merges) on its own time after the last done.
  httplib::Client cli(url);
  int status = 0;
  std::string body;
  for (int tries = 0; tries < 50; ++tries) {
    auto got = cli.Get("/api/cluster/pair", httplib::Headers{{"Authorization", "Bearer " + token}});
    status = got ? got->status : 0;
    body = got ? got->body : "";
    if (status == 200 && json::parse(body).at("state") != "running") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  coordinator.join();
  for (const Outcome& o : members) {
    INFO(o.err);
    CHECK(o.code == 0);
  }
  REQUIRE(status == 200);
  const json state = json::parse(body);
  INFO(body);
  CHECK(state.at("state") == "done");
  int64_t lo = INT64_MAX, hi = 0;
  for (const auto& m : state.at("members")) {
    CHECK(m.at("state") == "done");
    lo = std::min(lo, m.at("started_unix_ns").get<int64_t>());
    hi = std::max(hi, m.at("started_unix_ns").get<int64_t>());
  }
  CHECK(hi - lo < 100'000'000);  // the measured start skew of the two members
  // Each member's run dir arrived unchanged in the coordinator's hosts/I/.
  const fs::path coord_dir = fs::path(d.path) / "serve" / state.at("run_dir").get<std::string>();
  for (int i = 0; i < 2; ++i) {
    const fs::path mine = only_run_dir(d.path + "/m" + std::to_string(i));
    for (const auto& e : fs::recursive_directory_iterator(mine))
      if (e.is_regular_file())
        CHECK(slurp(coord_dir / "hosts" / std::to_string(i) / e.path().lexically_relative(mine)) == slurp(e.path()));
  }
  const json merged = json::parse(slurp(coord_dir / "results.json"));
  CHECK(merged.at("jobs").size() == 2);
  CHECK(merged.at("cluster").at("start_skew_ms").get<double>() < 100.0);
}

// A member with no job in I/O (startdelay: no status snapshot to post) still
// says it is alive every second, by joining again, so the coordinator's
// silence timeout never fails it for waiting.
TEST_CASE("member: heartbeats while no job is in I/O (startdelay)", "[cluster_member]") {
  TestCoordinator c;
  TempDir d("member");
  const std::string job = d.path + "/late.fio";
  std::ofstream(job) << "[late]\nioengine=psync\nrw=randread\nbs=4k\nsize=1m\nfilename=" << d.path
                     << "/data.bin\nstartdelay=3\ntime_based=1\nruntime=1\nrate_iops=500\n";
  const Outcome o = run_fiokit(member_run(c, d.path, job));
  INFO(o.err);
  REQUIRE(o.code == 0);
  std::lock_guard lk(c.m);
  REQUIRE(c.join_times.size() >= 2);
  // The start answer comes with the second join; from then to the first
  // status (after the 3 s startdelay) at least two heartbeats, none a
  // second late by more than the poster's own slack.
  const auto start_answer = c.join_times[1];
  const auto first_status = c.statuses.empty() ? Clock::now() : c.statuses.front().first;
  size_t beats = 0;
  Clock::time_point prev = start_answer;
  for (size_t i = 2; i < c.join_times.size(); ++i) {
    if (c.join_times[i] > first_status) break;
    ++beats;
    CHECK(c.join_times[i] - prev < std::chrono::milliseconds(1800));
    prev = c.join_times[i];
  }
  CHECK(beats >= 2);
  for (const auto& b : c.join_bodies) CHECK(b == c.join_bodies.front());
}
