// Shared test helpers: a RunResult filled from synthetic but self-consistent
// per-I/O data (lat = slat + clat for every I/O), temporary directories, and a
// runner for the installed fio 3.33 / its scripts that reports "missing" instead
// of failing, so tests that compare with fio skip with a reason when it is absent.
#pragma once
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "results/run_result.hpp"
#include "common/temp_dir.hpp"

namespace fiokit::testing {

// Raw latencies of one direction, kept so tests can compare with exact values.
struct RawDir {
  std::vector<uint64_t> slat, clat, lat;
};

// Fills one direction with n I/Os of bs bytes over runtime_ms; returns the raws.
RawDir fill_dir(results::DirStats& d, uint64_t n, uint64_t bs, uint64_t runtime_ms, std::mt19937_64& rng,
                bool with_slat = true);

// A two-job run (randrw job with slat, write-only job), one group.
results::RunResult make_run(uint64_t seed = 42);

using TempDir = fiokit::test::TempDir;

bool have_program(const std::string& name);
// Runs a shell command; returns its stdout, or nullopt when it exits non-zero.
std::optional<std::string> run_capture(const std::string& cmd);
std::string read_text(const std::string& path);
void write_text(const std::string& path, const std::string& text);

}  // namespace fiokit::testing
