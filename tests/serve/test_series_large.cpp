// Large logs through the series API: the shipped `fiokit serve` answering
// three concurrent first requests for 150 MB logs stays within 256 MiB of
// peak RSS (VmHWM of the server process; [memory], CTest serve_memory, LABELS slow),
// and a run page whose logs are tens of MB still draws its charts in headless
// Chromium, each from a few thousand points ([browser]).
#include <catch2/catch.hpp>
#include <signal.h>
#include <unistd.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "common/proc_status.hpp"
#include "serve_util.hpp"

using namespace fiokit;
using namespace fiokit::servetest;
using json = nlohmann::json;

namespace {

// Appends `bytes` of fio 3.33 per-I/O rows ("t, v, ddir, bs, prio"), reads
// and writes alternating, written in 1 MiB slices so the test stays small.
void write_big_log(const std::string& path, uint64_t bytes) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream f(path, std::ios::binary);
  std::string slice;
  uint64_t written = 0, i = 0;
  char num[24];
  auto put = [&](uint64_t v) {
    const auto r = std::to_chars(num, num + sizeof num, v);
    slice.append(num, r.ptr);
  };
  while (written < bytes) {
    slice.clear();
    while (slice.size() < (1u << 20)) {
      put(i / 50);  // 50 I/Os per millisecond
      slice += ", ";
      put(20000 + (i * 7919) % 80000 + (i % 100003 == 0 ? 9000000 : 0));
      slice += (i % 2) ? ", 1, 4096, 0\n" : ", 0, 4096, 0\n";
      ++i;
    }
    f << slice;
    written += slice.size();
  }
}

const char* kChromium = "/usr/bin/chromium";

// data-points of every chart after the page's scripts ran.
std::vector<long> chart_points(const std::string& url) {
  TempDir profile;
  const auto dom = run_capture(std::string("timeout 120 ") + kChromium +
                               " --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking"
                               " --disable-component-update --disable-sync --disable-dev-shm-usage --user-data-dir=" +
                               profile.path + " --virtual-time-budget=20000 --dump-dom '" + url + "' 2>/dev/null");
  std::vector<long> out;
  if (!dom) return out;
  const std::regex tag("<div class=\"chart( [^\"]*)?\"[^>]*>");
  const std::regex points("data-points=\"([0-9]+)\"");
  for (std::sregex_iterator it(dom->begin(), dom->end(), tag), end; it != end; ++it) {
    const std::string t = it->str();
    std::smatch m;
    out.push_back(std::regex_search(t, m, points) ? std::stol(m[1]) : -1);
  }
  return out;
}

}  // namespace

TEST_CASE("serve's peak RSS stays within 256 MiB for three concurrent first requests on 150 MB logs", "[memory]") {
  TempDir data;
  write_run_dir(data.path, "big", make_result({"j"}, 1763632800), false);
  const std::string dir = data.path + "/runs/big/";
  write_big_log(dir + "j_lat.1.log", 150u << 20);
  // Three logs, each its own pass (no sharing between them): hard links.
  std::filesystem::create_hard_link(dir + "j_lat.1.log", dir + "j_clat.1.log");
  std::filesystem::create_hard_link(dir + "j_lat.1.log", dir + "j_slat.1.log");
  ServeChild c = spawn_serve({data.path, "--port", "0", "--bind", "127.0.0.1"});
  REQUIRE(c.pid > 0);
  const int port = wait_port(c);
  REQUIRE(port > 0);
  const long before = static_cast<long>(fiokit::test::peak_rss_kib(c.pid));
  std::vector<std::thread> clients;
  std::vector<json> answers(3);
  const std::vector<std::string> names = {"j_lat.1.log", "j_clat.1.log", "j_slat.1.log"};
  for (size_t k = 0; k < names.size(); ++k) {
    clients.emplace_back([&, k] {
      httplib::Client cl("127.0.0.1", port);
      cl.set_read_timeout(120, 0);
      auto r = cl.Get("/api/runs/big/series?log=" + names[k] + "&max_points=4000");
      if (r && r->status == 200) answers[k] = json::parse(r->body);
    });
  }
  for (auto& t : clients) t.join();
  const long peak = static_cast<long>(fiokit::test::peak_rss_kib(c.pid));
  ::kill(c.pid, SIGTERM);
  CHECK(wait_exit(c.pid, 10) == 0);
  ::close(c.err_fd);
  INFO("serve VmHWM " << peak / 1024 << " MiB (at start " << before / 1024 << " MiB)");
  REQUIRE(peak > 0);
  CHECK(peak <= 256 * 1024);
  for (const auto& a : answers) {
    REQUIRE(a.is_object());
    CHECK(a["total_rows"].get<size_t>() > 5'000'000);
    REQUIRE(a["series"].size() == 2);
    for (const auto& s : a["series"]) {
      CHECK(s["points"].get<size_t>() <= 4000);
      CHECK(s["points"].get<size_t>() > 1000);
      CHECK(s["max"].get<uint64_t>() > 9000000);  // the rare spikes are in every answer
    }
  }
}

TEST_CASE("a run page with tens-of-MB logs draws every chart from a few thousand points", "[browser]") {
  if (!have_program(kChromium)) {
    FAIL(kChromium << " is not installed: run this case through CTest's serve-browser entry, which skips without it");
  }
  TempDir data;
  write_run_dir(data.path, "large", make_result({"j"}, 1763632800));
  const std::string dir = data.path + "/runs/large/";
  for (const char* name : {"j_bw.1.log", "j_iops.1.log", "j_clat.1.log"}) {
    std::filesystem::remove(dir + name);
    write_big_log(dir + name, 24u << 20);
  }
  TestServer s(data.path);
  const auto points = chart_points("http://127.0.0.1:" + std::to_string(s.port) + "/runs/large");
  REQUIRE(points.size() == 3);
  for (long n : points) {
    // Two directions, each at most max_points (app.js: <= 4000) of ~1M rows.
    CHECK(n > 400);
    CHECK(n <= 8000);
  }
}
