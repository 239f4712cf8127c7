// A cluster run through the coordinator from start to end: status
// snapshots and the incomplete results.json the index shows while members
// run, uploads checked by done (409 for a missing or short file), a member
// gone silent marked failed and named when the run is finalised, and a
// coordinator killed with SIGKILL and started again on the same data dir
// carrying the run on (the shipped binary, so the kill is a real one).
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "cluster_util.hpp"
#include "results/json_reader.hpp"
#include "serve/cluster_store.hpp"
#include "serve_util.hpp"

using namespace fiokit;
using namespace fiokit::clustertest;
using servetest::TempDir;

namespace {

// A member's whole end: results.json uploaded, then done listing it.
void finish_member(httplib::Client& c, const std::string& run, int index, const std::string& job, int64_t started) {
  const std::string res = member_results(job, 1700000000 + index);
  auto r = put_file(c, run, index, "results.json", res);
  REQUIRE(r);
  REQUIRE(r->status == 201);
  r = post_done(c, run, index, 0, {{"results.json", res.size()}}, started);
  REQUIRE(r);
  REQUIRE(r->status == 200);
}

std::vector<std::string> hosts_of(const nlohmann::json& merged) {
  std::vector<std::string> h;
  for (const auto& j : merged["jobs"]) h.push_back(j["hostname"]);
  std::sort(h.begin(), h.end());
  return h;
}

}  // namespace

TEST_CASE("cluster: statuses keep an incomplete results.json the index lists once", "[serve][cluster]") {
  TempDir dir("cluster");
  auto opt = quick_options();
  opt.start_delay = std::chrono::milliseconds(50);
  Coord co(dir.path, opt);
  auto c = client(co.port);
  REQUIRE(join(*c, "live", 0, 2, "h0")->status == 202);
  const auto start = body_of(join(*c, "live", 1, 2, "h1"));
  const std::string run_dir = start["run_dir"];
  const std::string id = run_dir.substr(5);

  // A status snapshot: fiokit's json+ with the member's measured start.
  auto snap = nlohmann::json::parse(member_results("seq", 1700000000));
  snap["fiokit"]["cluster"]["started_unix_ns"] = 1700000000123456789LL;
  auto r = c->Post("/api/cluster/live/status?index=0", snap.dump(), "application/json");
  REQUIRE(r);
  CHECK(r->status == 204);
  CHECK(nlohmann::json::parse(read_file(dir.path + "/" + run_dir + "/hosts/0/status.json")) == snap);
  CHECK(c->Post("/api/cluster/live/status?index=1", "{\"jobs\": [", "application/json")->status == 400);
  CHECK(!std::filesystem::exists(dir.path + "/" + run_dir + "/hosts/1/status.json"));
  auto st = wait_state(*c, "live", std::chrono::seconds(2),
                       [](const auto& j) { return j["members"][0]["started_unix_ns"] != 0; });
  CHECK(st["members"][0]["started_unix_ns"] == 1700000000123456789LL);
  CHECK(st["members"][0]["last_seen_ms"].get<int64_t>() > 0);

  // The run dir's results.json says incomplete and holds member 0's job.
  nlohmann::json merged;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  while (std::chrono::steady_clock::now() < until) {
    merged = nlohmann::json::parse(read_file(dir.path + "/" + run_dir + "/results.json"), nullptr, false);
    if (merged.is_object() && !merged["jobs"].empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  REQUIRE(merged.is_object());
  CHECK(merged["fiokit"]["incomplete"] == true);
  CHECK(hosts_of(merged) == std::vector<std::string>{"h0"});
  CHECK(results::read_fio_json(merged.dump()).incomplete);

  // The index (no token needed) lists the run once, in progress, not once per host.
  auto plain = client(co.port, "");
  auto runs = nlohmann::json::parse(plain->Get("/api/runs")->body);
  int seen = 0;
  for (const auto& run : runs["runs"]) seen += run["id"] == id;
  CHECK(seen == 1);
  CHECK(runs["runs"].size() == 1);
  CHECK(plain->Get(("/runs/" + id).c_str())->status == 200);

  finish_member(*c, "live", 0, "seq", 0);
  finish_member(*c, "live", 1, "rand", 0);
  st = wait_state(*c, "live", std::chrono::seconds(3), [](const auto& j) { return j["state"] != "running"; });
  CHECK(st["state"] == "done");
  CHECK(st["error"] == "");
  merged = nlohmann::json::parse(read_file(dir.path + "/" + run_dir + "/results.json"));
  CHECK(merged["fiokit"].value("incomplete", false) == false);
  CHECK(hosts_of(merged) == std::vector<std::string>{"h0", "h1"});
  CHECK(merged["cluster"]["failed"].empty());
  CHECK(merged["cluster"]["aggregate"].contains("seq"));
  CHECK(merged["cluster"]["aggregate"].contains("rand"));
  // The same name again starts a new run in a new directory.
  const auto again = body_of(join(*c, "live", 0, 1, "h0"));
  CHECK(again["state"] == "start");
  CHECK(again["run_dir"] != run_dir);
}

TEST_CASE("cluster: done with a missing or short file is 409", "[serve][cluster]") {
  TempDir dir("cluster");
  Coord co(dir.path, quick_options());
  auto c = client(co.port);
  REQUIRE(join(*c, "files", 0, 1, "h0")->status == 200);
  const std::string res = member_results("seq", 1700000000);
  REQUIRE(put_file(*c, "files", 0, "results.json", res)->status == 201);
  auto r = post_done(*c, "files", 0, 0, {{"results.json", res.size()}, {"logs/seq_bw.1.log", 10}});
  REQUIRE(r);
  CHECK(r->status == 409);
  CHECK(body_of(r)["error"].get<std::string>().find("logs/seq_bw.1.log") != std::string::npos);
  r = post_done(*c, "files", 0, 0, {{"results.json", res.size() + 1}});
  CHECK(r->status == 409);
  CHECK(body_of(r)["error"].get<std::string>().find("results.json") != std::string::npos);
  CHECK(body_of(c->Get("/api/cluster/files"))["members"][0]["state"] == "running");
  const std::string log = "0, 1, 0, 4096, 0\n";
  REQUIRE(put_file(*c, "files", 0, "logs/seq_bw.1.log", log)->status == 201);
  r = post_done(*c, "files", 0, 0, {{"results.json", res.size()}, {"logs/seq_bw.1.log", log.size()}});
  CHECK(r->status == 200);
  CHECK(body_of(r)["run_dir"].get<std::string>().rfind("runs/", 0) == 0);
}

TEST_CASE("cluster: a silent member is marked failed and the run is finalised naming it", "[serve][cluster]") {
  TempDir dir("cluster");
  // 2 s of silence fails a member; the others speak every 0.1 s, so only a
  // stall of the whole test for two seconds could fail one.
  auto opt = quick_options(std::chrono::milliseconds(2000));
  opt.start_delay = std::chrono::milliseconds(50);
  Coord co(dir.path, opt);
  auto c = client(co.port);
  REQUIRE(join(*c, "quiet", 0, 3, "h0")->status == 202);
  REQUIRE(join(*c, "quiet", 1, 3, "h1")->status == 202);
  const auto start = body_of(join(*c, "quiet", 2, 3, "h2"));
  REQUIRE(start["state"] == "start");
  const std::string run_dir = dir.path + "/" + start["run_dir"].get<std::string>();
  // Members 0 and 2 keep posting statuses and end; member 1 says nothing.
  const std::string snap = member_results("seq", 1700000000);
  for (int i = 0; i < 30; ++i) {
    for (int m : {0, 2})
      REQUIRE(c->Post(("/api/cluster/quiet/status?index=" + std::to_string(m)).c_str(), snap, "application/json")
                  ->status == 204);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  auto st = body_of(c->Get("/api/cluster/quiet"));
  CHECK(st["members"][1]["state"] == "failed");
  CHECK(st["members"][1]["error"] == "member 1 (host h1): no status for 2 s");
  CHECK(st["members"][0]["state"] == "running");
  CHECK(st["state"] == "running");  // the others go on
  auto r = c->Post("/api/cluster/quiet/status?index=1", snap, "application/json");
  CHECK(r->status == 410);
  CHECK(body_of(r)["error"].get<std::string>().find("no status for 2 s") != std::string::npos);
  finish_member(*c, "quiet", 0, "seq", 0);
  finish_member(*c, "quiet", 2, "seq", 0);
  st = wait_state(*c, "quiet", std::chrono::seconds(3), [](const auto& j) { return j["finalised"] == true; });
  CHECK(st["state"] == "failed");
  CHECK(st["error"] == "cluster run quiet failed: member 1 (host h1): no status for 2 s");
  const auto disk = serve::cluster::run_from_json(read_file(run_dir + "/cluster.json"));
  CHECK(disk.state == "failed");
  CHECK(disk.finalised);
  const auto merged = nlohmann::json::parse(read_file(run_dir + "/results.json"));
  REQUIRE(merged["cluster"]["failed"].size() == 1);
  CHECK(merged["cluster"]["failed"][0]["index"] == 1);
  CHECK(merged["cluster"]["failed"][0]["host"] == "h1");
  CHECK(merged["fiokit"].value("incomplete", false) == false);
  CHECK(hosts_of(merged) == std::vector<std::string>{"h0", "h2"});
  // The merge library's aggregate over the two members that ended.
  const auto& agg = merged["cluster"]["aggregate"]["seq"];
  CHECK(agg["hosts"] == nlohmann::json::array({0, 2}));
  double iops = 0;
  for (const auto& j : merged["jobs"]) iops += j["read"]["iops"].get<double>();
  CHECK(agg["read"]["iops"].get<double>() == Approx(iops));
  // After the end, members of that run are told so.
  CHECK(c->Post("/api/cluster/quiet/status?index=0", snap, "application/json")->status == 410);
}

TEST_CASE("cluster: kill -9 of the coordinator mid-run loses no state and no upload", "[serve][cluster]") {
  TempDir dir("cluster");
  const std::vector<std::string> args = {dir.path, "--port", "0", "--ingest-token", kToken,
                                         "--cluster-timeout", "30"};
  auto child = servetest::spawn_serve(args);
  int port = servetest::wait_port(child);
  REQUIRE(port > 0);
  auto c = client(port);
  REQUIRE(join(*c, "crash", 0, 2, "h0")->status == 202);
  const auto start = body_of(join(*c, "crash", 1, 2, "h1"));
  REQUIRE(start["state"] == "start");
  const std::string res0 = member_results("seq", 1700000000);
  REQUIRE(put_file(*c, "crash", 0, "results.json", res0)->status == 201);
  REQUIRE(c->Post("/api/cluster/crash/status?index=1", res0, "application/json")->status == 204);
  ::kill(child.pid, SIGKILL);
  CHECK(servetest::wait_exit(child.pid, 5) == 128 + SIGKILL);

  auto again = servetest::spawn_serve(args);
  port = servetest::wait_port(again);
  REQUIRE(port > 0);
  c = client(port);
  auto st = body_of(c->Get("/api/cluster/crash"));
  CHECK(st["state"] == "running");
  CHECK(st["start_unix_ns"] == start["start_unix_ns"]);
  CHECK(st["members"][0]["host"] == "h0");
  CHECK(st["members"][1]["state"] == "running");
  // A member polling join sees the same start; the upload made before the kill counts.
  CHECK(body_of(join(*c, "crash", 1, 2, "h1"))["start_unix_ns"] == start["start_unix_ns"]);
  auto r = post_done(*c, "crash", 0, 0, {{"results.json", res0.size()}});
  CHECK(r->status == 200);
  finish_member(*c, "crash", 1, "rand", 0);
  st = wait_state(*c, "crash", std::chrono::seconds(5), [](const auto& j) { return j["finalised"] == true; });
  CHECK(st["state"] == "done");
  const auto merged = nlohmann::json::parse(read_file(dir.path + "/" + st["run_dir"].get<std::string>() + "/results.json"));
  CHECK(hosts_of(merged) == std::vector<std::string>{"h0", "h1"});
  ::kill(again.pid, SIGTERM);
  CHECK(servetest::wait_exit(again.pid, 5) == 0);
}

TEST_CASE("cluster: fiokit serve refuses a short or bad ingest token and timeout with exit 2", "[serve][cluster]") {
  TempDir dir("cluster");
  const std::string bin = std::string(FIOKIT_BIN) + " serve '" + dir.path + "' --port 0";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {bin + " --ingest-token 123456789012345 2>&1", "--ingest-token must be 16 characters or more (got 15)"},
      {"FIOKIT_INGEST_TOKEN=short " + bin + " 2>&1", "FIOKIT_INGEST_TOKEN must be 16 characters or more"},
      {bin + " --ingest-token '0123456789abcdef ' 2>&1", "--ingest-token may hold only visible ASCII"},
      // examples/k8s/cluster.yaml's Secret, applied without replacing it
      {"FIOKIT_INGEST_TOKEN=CHANGE-ME-openssl-rand-hex-32 " + bin + " 2>&1",
       "FIOKIT_INGEST_TOKEN is still the example's placeholder"},
      {bin + " --ingest-token " + kToken + " --cluster-timeout -1 2>&1", "--cluster-timeout needs seconds"},
      {"FIOKIT_CLUSTER_TIMEOUT=x " + bin + " --ingest-token " + kToken + " 2>&1", "FIOKIT_CLUSTER_TIMEOUT needs"},
      {bin + " --ingest-token " + kToken + " --ingest-max-bytes 10 2>&1", "--ingest-max-bytes needs a size"},
  };
  for (const auto& [cmd, want] : cases) {
    INFO(cmd);
    int code = -1;
    FILE* p = ::popen(cmd.c_str(), "r");
    REQUIRE(p);
    std::string out;
    char buf[4096];
    for (size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
    const int st = ::pclose(p);
    code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    CHECK(code == 2);
    CHECK(out.find(want) != std::string::npos);
  }
  CHECK(std::filesystem::is_empty(dir.path));
}

TEST_CASE("cluster: a member's unreadable results do not keep the run from its end", "[serve][cluster]") {
  TempDir dir("cluster");
  auto opt = quick_options();
  opt.start_delay = std::chrono::milliseconds(50);
  Coord co(dir.path, opt);
  auto c = client(co.port);
  REQUIRE(join(*c, "junk", 0, 2, "h0")->status == 202);
  REQUIRE(join(*c, "junk", 1, 2, "h1")->status == 200);
  const std::string junk = "{\"jobs\": 7}";
  REQUIRE(put_file(*c, "junk", 0, "results.json", junk)->status == 201);
  REQUIRE(post_done(*c, "junk", 0, 0, {{"results.json", junk.size()}})->status == 200);
  finish_member(*c, "junk", 1, "seq", 0);
  const auto st = wait_state(*c, "junk", std::chrono::seconds(3), [](const auto& j) { return j["finalised"] == true; });
  REQUIRE(st["finalised"] == true);
  const auto merged = nlohmann::json::parse(read_file(dir.path + "/" + st["run_dir"].get<std::string>() + "/results.json"));
  CHECK(hosts_of(merged) == std::vector<std::string>{"h1"});
  const auto& m0 = merged["cluster"]["members"][0];
  CHECK(m0["state"] == "failed");
  CHECK(m0["error"].get<std::string>().find("results not readable") != std::string::npos);
  // The run's own state says the same (cluster.json, the state API, /metrics):
  // failed, naming member 0, not "done" beside a merge that left it out.
  CHECK(st["state"] == "failed");
  CHECK(st["error"].get<std::string>().find("member 0 (host h0)") != std::string::npos);
  CHECK(st["members"][0]["state"] == "failed");
  const auto disk = serve::cluster::run_from_json(read_file(dir.path + "/" + st["run_dir"].get<std::string>() + "/cluster.json"));
  CHECK(disk.state == "failed");
  CHECK(disk.members[0].state == "failed");
  CHECK(disk.members[1].state == "done");
  // /metrics lists the run (by its run id) once the index has seen it.
  const std::string run_dir = st["run_dir"].get<std::string>();
  const std::string want = "fiokit_cluster_members_failed_total{run=\"" + run_dir.substr(run_dir.rfind('/') + 1) + "\"} 1\n";
  std::string body;
  for (int i = 0; i < 50 && body.find(want) == std::string::npos; ++i) {
    if (i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    auto metrics = c->Get("/metrics");
    REQUIRE(metrics);
    body = metrics->body;
  }
  INFO(body);
  CHECK(body.find(want) != std::string::npos);
}
