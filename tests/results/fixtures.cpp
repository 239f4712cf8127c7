// Test helpers; see fixtures.hpp.
#include "fixtures.hpp"

#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace fiokit::testing {

RawDir fill_dir(results::DirStats& d, uint64_t n, uint64_t bs, uint64_t runtime_ms, std::mt19937_64& rng,
                bool with_slat) {
  RawDir raw;
  // Log-normal-ish spread over four decades so every bin group is exercised.
  std::lognormal_distribution<double> clat_dist(10.0, 1.2);
  std::uniform_int_distribution<uint64_t> slat_dist(200, 3000);
  for (uint64_t i = 0; i < n; ++i) {
    const uint64_t c = 50 + static_cast<uint64_t>(clat_dist(rng));
    const uint64_t s = with_slat ? slat_dist(rng) : 0;
    if (with_slat) d.slat.add(s), raw.slat.push_back(s);
    d.clat.add(c);
    d.lat.add(c + s);
    raw.clat.push_back(c);
    raw.lat.push_back(c + s);
  }
  d.total_ios = n;
  d.io_bytes = n * bs;
  d.runtime_ms = runtime_ms;
  for (uint64_t t = 0; t < runtime_ms / 500; ++t) {
    d.bw_kib.values.push_back(static_cast<double>(n * bs / 1024) * 1000.0 / static_cast<double>(runtime_ms) *
                              (0.9 + 0.05 * static_cast<double>(t % 3)));
    d.iops.values.push_back(static_cast<double>(n) * 1000.0 / static_cast<double>(runtime_ms) *
                            (0.9 + 0.05 * static_cast<double>(t % 3)));
  }
  return raw;
}

results::RunResult make_run(uint64_t seed) {
  std::mt19937_64 rng(seed);
  results::RunResult run;
  run.version = "0.1.0";
  run.timestamp = 1795317198;
  run.timestamp_ms = 1795317198365;
  run.time = "Sun Nov 22 03:13:18 2026";
  run.global_options = {{"ioengine", "null"}, {"size", "16m"}, {"bs", "4k"}};
  results::JobResult a;
  a.name = "job1";
  a.options = {{"rw", "randrw"}};
  a.rw = "randrw";
  a.ioengine = "null";
  fill_dir(a.dirs[0], 2000, 4096, 3000, rng);
  fill_dir(a.dirs[1], 1800, 4096, 3000, rng);
  a.job_runtime_ms = 3000;
  a.usr_cpu = 12.5;
  a.sys_cpu = 30.25;
  a.ctx = 100;
  a.minf = 20;
  a.depth.level = {3800, 0, 0, 0, 0, 0, 0};
  a.depth.submit = {0, 3800, 0, 0, 0, 0, 0};
  a.depth.complete = {0, 3800, 0, 0, 0, 0, 0};
  a.extras = {{"volume", "/tmp"}};
  a.pid = 1234;
  results::JobResult b = a;
  b.name = "job2";
  b.job_index = 1;
  b.options = {{"rw", "write"}};
  b.rw = "write";
  b.dirs = {};
  fill_dir(b.dirs[1], 1000, 8192, 2000, rng, false);
  b.bs[1] = 8192;
  b.job_runtime_ms = 2000;
  b.usr_cpu = 2.5;
  run.jobs = {a, b};
  run.extras = {{"host", "testhost"}};
  return run;
}

bool have_program(const std::string& name) {
  return std::system(("command -v " + name + " >/dev/null 2>&1").c_str()) == 0;
}

std::optional<std::string> run_capture(const std::string& cmd) {
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return std::nullopt;
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  const int st = pclose(p);
  if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) return std::nullopt;
  return out;
}

std::string read_text(const std::string& path) {
  std::ifstream f(path);
  if (!f) throw std::runtime_error("cannot read " + path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream f(path);
  f << text;
  if (!f) throw std::runtime_error("cannot write " + path);
}

}  // namespace fiokit::testing
