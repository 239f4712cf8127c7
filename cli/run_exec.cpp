// See run_exec.hpp.
#include "cli/run_exec.hpp"

#include <fmt/format.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>

#include "cli/commands.hpp"
#include "cli/progress.hpp"
#include "cli/signals.hpp"
#include "engine/run.hpp"
#include "jobs/error.hpp"
#include "results/json_writer.hpp"
#include "results/normal_writer.hpp"
#include "results/run_dir.hpp"
#include "results/terse_writer.hpp"

namespace fiokit::cli {
namespace {

std::string render(const results::RunResult& r, const std::vector<std::string>& formats) {
  std::string out;
  for (const auto& f : formats) {
    if (f == "normal") out += results::write_normal(r);
    else if (f == "json") out += results::write_json(r, false);
    else if (f == "json+") out += results::write_json(r, true);
    else if (f == "terse") out += results::write_terse(r);
  }
  return out;
}

void add_host_info(results::RunResult& r) {
  struct utsname u {};
  if (uname(&u) == 0) {
    r.extras["host"] = u.nodename;
    r.extras["kernel"] = std::string(u.sysname) + " " + u.release;
    r.extras["arch"] = u.machine;
  }
  r.extras["cpus"] = std::to_string(sysconf(_SC_NPROCESSORS_ONLN));
  r.extras["version"] = "fiokit-" FIOKIT_VERSION;
}

}  // namespace

int execute_run(const std::vector<jobs::JobSpec>& jobs, const ExecArgs& args, std::string* run_dir_out) {
  std::string run_dir;
  if (args.data_dir) {
    const auto now = std::chrono::system_clock::now();
    const int64_t secs = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
    run_dir = results::create_run_dir(*args.data_dir,
                                      results::make_run_id(secs, args.run_label.empty() ? jobs.front().name : args.run_label));
    results::copy_job_files(run_dir, args.job_files);
    for (const auto& [name, text] : args.inline_jobs) results::write_file_atomic(run_dir, name, text);
    if (run_dir_out) *run_dir_out = run_dir;
  }

  // Open --output before any I/O: a typo in its path should not cost a run.
  std::ofstream out_file;
  if (args.output) {
    out_file.open(*args.output, std::ios::trunc);
    if (!out_file) throw jobs::ParseError("cannot write --output file '" + *args.output + "'");
  }

  SignalWatcher signals;  // before the engine starts any thread
  engine::RunOptions opts;
  opts.run_dir = run_dir.empty() ? "." : run_dir;
  opts.stop = signals.stop_flag();
  ProgressPrinter progress(args.eta, jobs);
  if (progress.enabled()) opts.progress = [&progress](const engine::Progress& p) { progress.update(p); };

  results::RunResult r = engine::run_jobs(jobs, opts);
  progress.finish();
  add_host_info(r);
  if (signals.signal()) {
    r.interrupted = true;
    r.signal = signals.signal();
    for (auto& j : r.jobs) j.interrupted = true;
  }

  // The run directory first: it is the record that must survive a bad stdout.
  if (!run_dir.empty()) {
    results::write_file_atomic(run_dir, "results.json", results::write_json(r, true));
    results::write_file_atomic(run_dir, "output.txt", results::write_normal(r));
  }
  const std::string text = render(r, args.formats);
  if (args.output) {
    out_file << text;
    out_file.flush();
    if (!out_file) fmt::print(stderr, "fiokit: error writing --output file '{}'\n", *args.output);
  } else {
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
  }

  int failed = 0;
  for (const auto& j : r.jobs)
    if (j.error) {
      ++failed;
      fmt::print(stderr, "fiokit: job '{}' failed: {}\n", j.name, j.error_message);
    }
  if (signals.exit_code()) return signals.exit_code();
  return failed ? kExitFailed : kExitOk;
}

}  // namespace fiokit::cli
