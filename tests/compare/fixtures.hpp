// Compare-gate test helpers: synthetic runs written by fiokit's own JSON
// writer (so the gate reads exactly the files a run leaves), run directories
// in the repeats layout, temporary directories, and a runner for the
// fiokit binary (`fiokit compare`, `fiokit run`) that captures exit code,
// stdout and stderr.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "results/run_result.hpp"
#include "common/temp_dir.hpp"

namespace fiokit::cmptest {

// One synthetic job: n = iops I/Os in 1000 ms of one direction, completion
// latencies spread evenly over [clat_ns, 2 * clat_ns), lat = clat + 1 us.
struct FakeJob {
  std::string name = "job1";
  int dir = 0;  // 0 read, 1 write, 2 trim
  double iops = 1000;
  uint64_t clat_ns = 100000;
  std::vector<std::pair<std::string, std::string>> options = {
      {"rw", "randread"}, {"bs", "4k"}, {"ioengine", "libaio"}, {"iodepth", "4"}};
  int error = 0;
  std::string error_message;
  bool interrupted = false;
  std::vector<double> percentile_list;  // empty: fio's default list
  bool lat_percentiles = false;
};

results::RunResult make_run(const std::vector<FakeJob>& jobs, const std::string& host = "ci-host");
std::string to_json(const results::RunResult& run, bool plus = false);

// Writes dir/results.json (the first repeat) and, for more than one run,
// dir/repeats/<i>/results.json for every run: the layout of `fiokit run --repeat`.
void write_run_dir(const std::string& dir, const std::vector<results::RunResult>& runs, bool plus = false);

using TempDir = fiokit::test::TempDir;

struct Outcome {
  int code = -1;
  std::string out, err;
};
// Runs a program with arguments (no shell), capturing stdout and stderr.
Outcome run_program(const std::vector<std::string>& argv);
Outcome run_compare(const std::vector<std::string>& args);  // fiokit compare ARGS
bool have_program(const std::string& name);

std::string read_text(const std::string& path);
void write_text(const std::string& path, const std::string& text);

}  // namespace fiokit::cmptest
