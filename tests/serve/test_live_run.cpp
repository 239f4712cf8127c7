// A real `fiokit run --time_based` writing its checkpoints into a data dir
// while the real server serves it: /metrics shows non-zero IOPS for it during
// the run, the live API's figures change between two polls 1.2 s apart, and
// (headless Chromium, [browser]) the live panel of its run page shows numbers
// that change between two loads, with its charts drawn.
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <regex>
#include <set>
#include <thread>

#include "live_util.hpp"
#include "serve_util.hpp"

using namespace fiokit::servetest;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

const char* kChromium = "/usr/bin/chromium";

// A failed REQUIRE leaves the case early: the background run is killed and
// reaped then, never left running after ctest (a pid already reaped by
// wait_exit is not touched: waitpid says so before any kill).
struct KillOnExit {
  pid_t pid;
  ~KillOnExit() {
    int st = 0;
    if (pid > 0 && ::waitpid(pid, &st, WNOHANG) == 0) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &st, 0);
    }
  }
};

// A rate-capped null-engine job: no disk, little CPU, real checkpoints.
pid_t start_run(const std::string& data, int seconds) {
  return spawn_fiokit_run({"--name=bg", "--ioengine=null", "--rw=randrw", "--bs=4k", "--size=1g", "--time_based",
                           "--runtime=" + std::to_string(seconds), "--rate_iops=20000", "--eta=never", "--data-dir",
                           data, "--output-format=json"});
}

// Waits until the live API shows I/O for the run (its first timed checkpoint).
json wait_live_io(httplib::Client& c, const std::string& id, int seconds) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  json j;
  while (std::chrono::steady_clock::now() < deadline) {
    auto r = c.Get("/api/runs/" + id + "/live");
    if (r && r->status == 200) {
      j = json::parse(r->body);
      if (j.contains("aggregate") && j["aggregate"]["total"]["total_ios"].get<uint64_t>() > 0) return j;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return j;
}

std::string chromium(const std::string& profile, const std::string& args, const std::string& url) {
  return std::string("timeout 60 ") + kChromium +
         " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking"
         " --disable-component-update --disable-sync --disable-dev-shm-usage --user-data-dir=" + profile +
         " --window-size=1280,1400 --virtual-time-budget=3000 " + args + " '" + url + "' 2>/dev/null";
}

std::string attr(const std::string& dom, const std::string& name) {
  std::smatch m;
  const std::regex section("<section id=\"live\"[^>]*>");
  if (!std::regex_search(dom, m, section)) return "";
  const std::string tag = m.str();
  const std::regex re(name + "=\"([^\"]*)\"");
  return std::regex_search(tag, m, re) ? m[1].str() : "";
}

std::vector<long> live_chart_points(const std::string& dom) {
  std::vector<long> out;
  const std::regex tag("<div class=\"chart live-chart\"[^>]*data-points=\"([0-9]+)\"[^>]*>");
  for (std::sregex_iterator it(dom.begin(), dom.end(), tag), end; it != end; ++it) out.push_back(std::stol((*it)[1]));
  return out;
}

size_t distinct_bytes(const std::string& s) { return std::set<unsigned char>(s.begin(), s.end()).size(); }

}  // namespace

TEST_CASE("a real run in progress: /metrics shows its IOPS, the live figures change", "[live]") {
  TempDir top("live");
  const std::string data = top.path + "/data";
  fs::create_directories(data + "/runs");
  TestServer s(data);
  httplib::Client c("127.0.0.1", s.port);
  const pid_t pid = start_run(data, 4);
  REQUIRE(pid > 0);
  const KillOnExit reap{pid};
  const std::string id = wait_run_dir(data, 10);
  REQUIRE(!id.empty());
  const json a = wait_live_io(c, id, 4);
  INFO(a.dump());
  REQUIRE(a.value("state", "") == "running");

  auto m = c.Get("/metrics");
  REQUIRE(m);
  REQUIRE(m->status == 200);
  const Exposition e = parse_exposition(m->body);
  const auto iops = find_samples(e, "fiokit_iops", {{"run", id}, {"job", "bg"}});
  REQUIRE(iops.size() == 2);  // read and write
  for (const auto* smp : iops) CHECK(smp->value > 0);

  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  auto r = c.Get("/api/runs/" + id + "/live");
  REQUIRE(r);
  const json b = json::parse(r->body);
  INFO(b.dump());
  CHECK(b["state"] == "running");
  CHECK(b["t_ms"].get<int64_t>() > a["t_ms"].get<int64_t>());
  CHECK(b["aggregate"]["total"]["total_ios"].get<uint64_t>() > a["aggregate"]["total"]["total_ios"].get<uint64_t>());
  CHECK(b["aggregate"]["total"]["iops"].get<double>() > 0);
  // The last second's rate of a job capped at 20,000 IOPS per direction
  // (rate_iops applies to reads and writes each, as in fio), over an
  // interval of about a second: the checkpoint is rewritten every second.
  CHECK(b["interval_ms"].get<double>() < 1900);
  for (const auto& d : b["aggregate"]["directions"]) CHECK(d["iops"].get<double>() == Approx(20000).epsilon(0.25));

  CHECK(wait_exit(pid, 15) == 0);
  // Finished: the final results.json replaced the checkpoint.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  json fin;
  while (std::chrono::steady_clock::now() < deadline) {
    fin = json::parse(c.Get("/api/runs/" + id + "/live")->body);
    if (fin["state"] == "finished") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK(fin["state"] == "finished");
  CHECK(c.Get("/metrics")->body.find(id) == std::string::npos);
}

TEST_CASE("headless chromium: the live panel of a running run updates and draws", "[browser]") {
  if (!have_program(kChromium)) FAIL(kChromium << " is not installed: run through CTest's serve_live-browser entry");
  TempDir top("live");
  const std::string data = top.path + "/data";
  fs::create_directories(data + "/runs");
  TestServer s(data);
  httplib::Client c("127.0.0.1", s.port);
  const pid_t pid = start_run(data, 120);  // stopped below, however slow the machine
  REQUIRE(pid > 0);
  const KillOnExit reap{pid};
  const std::string id = wait_run_dir(data, 10);
  REQUIRE(!id.empty());
  REQUIRE(!wait_live_io(c, id, 5).empty());
  const std::string url = "http://127.0.0.1:" + std::to_string(s.port) + "/runs/" + id;
  const std::string out = fs::temp_directory_path().string() + "/fiokit-serve-screens";
  fs::create_directories(out);
  TempDir profile("live-chrome");
  run_capture(chromium(profile.path, "--screenshot=" + out + "/live-blank.png", "about:blank"));
  const std::string blank = read_text(out + "/live-blank.png");
  REQUIRE(!blank.empty());

  std::vector<std::string> totals;
  for (int round = 0; round < 2; ++round) {
    INFO("round " << round);
    TempDir p1("live-chrome");
    const auto dom = run_capture(chromium(p1.path, "--dump-dom", url));
    REQUIRE(dom);
    CHECK(attr(*dom, "data-state") == "running");
    CHECK(attr(*dom, "data-error").empty());
    CHECK(std::stol("0" + attr(*dom, "data-updates")) >= 1);
    CHECK(std::stol("0" + attr(*dom, "data-iops")) > 0);
    totals.push_back(attr(*dom, "data-total-ios"));
    const auto points = live_chart_points(*dom);
    CHECK(points.size() == 3);  // IOPS, bandwidth, latency of the aggregate
    for (long n : points) CHECK(n > 0);
    CHECK(dom->find("class=\"summary live-table\"") != std::string::npos);
    TempDir p2("live-chrome");
    const std::string png = out + "/live-" + std::to_string(round) + ".png";
    run_capture(chromium(p2.path, "--screenshot=" + png, url));
    const std::string bytes = read_text(png);
    REQUIRE(bytes.size() > 8);
    CHECK(bytes.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0);
    CHECK(bytes.size() > 3 * blank.size());
    CHECK(distinct_bytes(bytes) > 200);
    std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  }
  REQUIRE(totals.size() == 2);
  CHECK(!totals[0].empty());
  CHECK(totals[0] != totals[1]);
  CHECK(std::stoull("0" + totals[1]) > std::stoull("0" + totals[0]));
  ::kill(pid, SIGINT);
  CHECK(wait_exit(pid, 15) == 130);
}
