// Compare-gate test helpers; see fixtures.hpp.
#include "fixtures.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "results/json_writer.hpp"

namespace fiokit::cmptest {
namespace fs = std::filesystem;

results::RunResult make_run(const std::vector<FakeJob>& jobs, const std::string& host) {
  results::RunResult run;
  run.version = "0.1.0";
  run.timestamp = 1795300000;
  run.timestamp_ms = run.timestamp * 1000;
  run.time = "Sun Nov 22 00:00:00 2026";
  if (!host.empty()) run.extras["host"] = host;
  int index = 0;
  for (const FakeJob& f : jobs) {
    results::JobResult j;
    j.name = f.name;
    j.job_index = index++;
    j.options = f.options;
    j.error = f.error;
    j.error_message = f.error_message;
    j.interrupted = f.interrupted;
    j.rw = f.options.empty() ? "read" : f.options.front().second;
    j.percentile_list = f.percentile_list;
    j.lat_percentiles = f.lat_percentiles;
    j.job_runtime_ms = 1000;
    results::DirStats& d = j.dirs[f.dir];
    const auto n = static_cast<uint64_t>(std::llround(f.iops));
    d.total_ios = n;
    d.io_bytes = n * 4096;
    d.runtime_ms = n ? 1000 : 0;
    for (uint64_t i = 0; i < n; ++i) {
      const uint64_t clat = f.clat_ns + f.clat_ns * (i % 1000) / 1000;
      d.clat.add(clat);
      d.lat.add(clat + 1000);
    }
    run.jobs.push_back(std::move(j));
  }
  return run;
}

std::string to_json(const results::RunResult& run, bool plus) { return results::write_json(run, plus); }

void write_run_dir(const std::string& dir, const std::vector<results::RunResult>& runs, bool plus) {
  fs::create_directories(dir);
  write_text(dir + "/results.json", to_json(runs.at(0), plus));
  if (runs.size() < 2) return;
  for (size_t i = 0; i < runs.size(); ++i) {
    const std::string r = dir + "/repeats/" + std::to_string(i + 1);
    fs::create_directories(r);
    write_text(r + "/results.json", to_json(runs[i], plus));
  }
}

Outcome run_program(const std::vector<std::string>& argv) {
  // stdout and stderr go to temporary files, so neither pipe can fill and block.
  TempDir t;
  const std::string out_path = t.path + "/out", err_path = t.path + "/err";
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    const int o = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int e = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(o, 1);
    dup2(e, 2);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  Outcome r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = read_text(out_path);
  r.err = read_text(err_path);
  return r;
}

Outcome run_compare(const std::vector<std::string>& args) {
  std::vector<std::string> argv{FIOKIT_BIN, "compare"};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_program(argv);
}

bool have_program(const std::string& name) {
  return std::system(("command -v " + name + " >/dev/null 2>&1").c_str()) == 0;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path);
}

}  // namespace fiokit::cmptest
