// The gate's statistics on real runs of the fiokit binary (null engine, so
// only fiokit's timing and rate control are measured): 20 comparisons of an
// unchanged setup (5 repeats per side) fail at most once, and deliberate
// regressions (rate_iops halved, thinktime added) are caught every time.
// rate_iops pins the null engine's rate, so IOPS do not drift with machine
// load; baseline and current repeats are run interleaved in time, so load that
// changes during the test touches both sides alike. Each comparison uses its
// own fresh runs (the regression comparisons reuse the unchanged baselines).
// Run as the CTest entry compare_stats (LABELS slow, ~20-40 s).
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "fixtures.hpp"

extern char** environ;

using namespace fiokit::cmptest;
namespace fs = std::filesystem;

namespace {

constexpr int kComparisons = 20;
constexpr int kRepeats = 5;
constexpr size_t kParallel = 8;  // the null engine sleeps between I/Os: cheap to overlap

struct Launch {
  std::vector<std::string> argv;
  std::string output;
};

// Runs every launch, kParallel at a time, in order; returns how many failed.
int run_all(const std::vector<Launch>& launches) {
  std::map<pid_t, const Launch*> running;
  int failed = 0;
  size_t next = 0;
  while (next < launches.size() || !running.empty()) {
    while (next < launches.size() && running.size() < kParallel) {
      const Launch& l = launches[next++];
      std::vector<char*> argv;
      for (const std::string& a : l.argv) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      posix_spawn_file_actions_t fa;
      posix_spawn_file_actions_init(&fa);
      posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
      pid_t pid = 0;
      if (posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ) == 0) running[pid] = &l;
      else ++failed;
      posix_spawn_file_actions_destroy(&fa);
    }
    int status = 0;
    const pid_t done = wait(&status);
    if (done < 0) break;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !fs::exists(running[done]->output)) ++failed;
    running.erase(done);
  }
  return failed;
}

Launch fiokit_run(const std::string& output, const std::vector<std::string>& change) {
  Launch l;
  l.output = output;
  l.argv = {FIOKIT_BIN, "run", "--output-format=json", "--output=" + output, "--name=gate", "--ioengine=null",
            "--size=1g", "--bs=4k", "--rw=randread", "--rate_iops=5000", "--runtime=500ms", "--time_based"};
  l.argv.insert(l.argv.end(), change.begin(), change.end());
  return l;
}

// <side>/repeats/<i>/results.json for i = 1..kRepeats, and <side>/results.json = repeat 1.
std::string repeat_file(const std::string& side, int i) {
  return side + "/repeats/" + std::to_string(i) + "/results.json";
}

void finish_side(const std::string& side) {
  fs::copy_file(repeat_file(side, 1), side + "/results.json", fs::copy_options::overwrite_existing);
}

}  // namespace

TEST_CASE("unchanged setups pass, deliberate regressions are caught", "[slow]") {
  if (!fs::exists(FIOKIT_BIN)) {
    WARN("fiokit binary not built: skipping the statistical gate test");
    return;
  }
  TempDir d;
  const std::vector<std::pair<std::string, std::vector<std::string>>> regressions = {
      {"rate-halved", {"--rate_iops=2500"}}, {"thinktime", {"--thinktime=300us"}}};
  std::vector<Launch> launches;
  for (int k = 0; k < kComparisons; ++k) {
    const std::string base = d.path + "/base" + std::to_string(k);
    const std::string cur = d.path + "/same" + std::to_string(k);
    const auto& [label, change] = regressions[static_cast<size_t>(k) % regressions.size()];
    const std::string slow = d.path + "/" + label + std::to_string(k);
    for (int i = 1; i <= kRepeats; ++i) {
      // Interleaved: base, unchanged and regressed repeat i start together.
      for (const auto& [side, args] : std::vector<std::pair<std::string, std::vector<std::string>>>{
               {base, {}}, {cur, {}}, {slow, change}}) {
        fs::create_directories(fs::path(repeat_file(side, i)).parent_path());
        launches.push_back(fiokit_run(repeat_file(side, i), args));
      }
    }
  }
  REQUIRE(run_all(launches) == 0);

  int false_failures = 0, invalid = 0, caught = 0;
  std::vector<std::string> report;
  for (int k = 0; k < kComparisons; ++k) {
    const std::string base = d.path + "/base" + std::to_string(k);
    const std::string cur = d.path + "/same" + std::to_string(k);
    const std::string slow =
        d.path + "/" + regressions[static_cast<size_t>(k) % regressions.size()].first + std::to_string(k);
    for (const std::string& side : {base, cur, slow}) finish_side(side);
    const Outcome same = run_compare({base, cur, "--quiet"});
    if (same.code == 1) ++false_failures, report.push_back("unchanged " + std::to_string(k) + ":\n" + same.err);
    if (same.code == 2) ++invalid, report.push_back("invalid " + std::to_string(k) + ":\n" + same.err);
    const Outcome regressed = run_compare({base, slow, "--quiet"});
    if (regressed.code == 1) ++caught;
    else report.push_back("missed " + slow + ":\n" + regressed.err);
  }
  for (const std::string& r : report) UNSCOPED_INFO(r);
  CHECK(invalid == 0);
  CHECK(false_failures <= 1);
  CHECK(caught == kComparisons);
}
