// Helpers shared by the engine tests: a temp directory removed afterwards,
// JobSpec builders, a probe that tells whether the kernel lets this process
// use an engine (io_uring and libaio may be refused in containers), and the
// engine the conformance suite is running against.
#pragma once
#include <catch2/catch.hpp>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <numeric>
#include <cstdlib>
#include <optional>
#include <map>
#include <string>
#include <vector>

#include "engine/io_engine.hpp"
#include "engine/run.hpp"
#include "jobs/jobspec.hpp"
#include "common/temp_dir.hpp"
#include "util/fd.hpp"

namespace fiokit::test {


inline jobs::JobSpec make_job(const std::string& engine, jobs::RwMode rw, const std::string& dir, uint64_t size = 256 * 1024,
                              uint64_t bs = 4096) {
  jobs::JobSpec j;
  j.name = "t";
  j.ioengine = engine;
  j.rw = rw;
  j.size = size;
  j.bs = {{bs, bs, bs}};
  if (engine != "null") j.directories = {dir};
  return j;
}

// "" when usable, otherwise why not (printed as the skip reason).
inline std::string engine_unavailable(const std::string& name) {
  static std::map<std::string, std::string> cache;
  if (auto it = cache.find(name); it != cache.end()) return it->second;
  auto e = engine::make_engine(name);
  std::string why;
  if (!e) {
    why = "unknown engine";
  } else {
    std::vector<engine::IoUnit> units(1);
    engine::EngineSetup s;
    s.iodepth = 4;
    s.units = &units;
    if (int rc = e->init(s); rc < 0) why = e->error_hint().empty() ? "init failed" : e->error_hint();
  }
  return cache[name] = why;
}

// A file with data on disk and nothing of it in the page cache: written,
// fsynced (dirty pages cannot be dropped) and then dropped.
inline void write_cold_file(const std::string& path, size_t size) {
  const util::Fd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  REQUIRE(fd.valid());
  std::vector<char> b(1 << 20);
  for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<char>(i * 7 + 3);
  for (size_t off = 0; off < size; off += b.size())
    REQUIRE(::pwrite(fd.get(), b.data(), std::min(b.size(), size - off), static_cast<off_t>(off)) > 0);
  REQUIRE(::fsync(fd.get()) == 0);
  REQUIRE(::posix_fadvise(fd.get(), 0, static_cast<off_t>(size), POSIX_FADV_DONTNEED) == 0);
}

// Share of a depth histogram's bucket i, in percent.
inline double pct(const std::array<uint64_t, 7>& a, size_t i) {
  const uint64_t t = std::accumulate(a.begin(), a.end(), uint64_t{0});
  return t ? 100.0 * static_cast<double>(a[i]) / static_cast<double>(t) : 0;
}

// Set once by test_conformance's main; "" elsewhere.
inline std::string& conformance_engine() {
  static std::string name;
  return name;
}

inline results::RunResult run_one(const jobs::JobSpec& j, std::vector<std::vector<engine::TraceRecord>>* trace = nullptr) {
  engine::RunOptions o;
  o.trace = trace;
  return engine::run_jobs({j}, o);
}

// Runs a shell command; its stdout, or nullopt when it could not run or failed.
inline std::optional<std::string> run_shell(const std::string& cmd) {
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return std::nullopt;
  std::string out;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  return ::pclose(p) == 0 ? std::optional(out) : std::nullopt;
}

// Tests tagged [fio] compare with the installed fio 3.33 (CTest label fio).
// Runs the jobs, fills *out and returns the wall time the run took, in seconds.
inline double run_timed(const std::vector<jobs::JobSpec>& jobs, results::RunResult* out) {
  const auto t0 = std::chrono::steady_clock::now();
  *out = engine::run_jobs(jobs, engine::RunOptions{});
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

inline bool fio_available() { return std::system("fio --version >/dev/null 2>&1") == 0; }

}  // namespace fiokit::test

// The engine the conformance suite runs against: test_conformance's main
// (conformance_main.cpp) sets it from --engine=NAME after checking the kernel
// lets this process use it (otherwise the whole run is a skip, exit 77).
#define FIOKIT_CONFORMANCE_ENGINE(var)                                                     \
  const std::string var = fiokit::test::conformance_engine();                             \
  REQUIRE_FALSE(var.empty());                                                              \
  INFO("ioengine=" << var)
