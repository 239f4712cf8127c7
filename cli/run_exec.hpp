// Executing parsed jobs for `fiokit run`: run directory, signals, live progress,
// the engine, and the chosen output formats. Business logic stays in the stages;
// this file only wires them and turns the outcome into an exit code.
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "cli/cluster_member.hpp"
#include "jobs/jobspec.hpp"

namespace fiokit::volumes {
struct Confinement;  // volumes/confine.hpp
}

namespace fiokit::cli {

struct ExecArgs {
  std::optional<std::string> output;     // --output FILE
  std::vector<std::string> formats;      // normal, json, json+, terse
  std::string eta = "auto";              // auto, always, never
  uint64_t status_interval_ms = 0;       // --status-interval (0: off)
  std::optional<std::string> data_dir;   // --data-dir: write a run directory under DIR/runs
  int repeat = 1;                        // --repeat N
  bool allow_clobber = false;            // --allow-clobber
  bool allow_device_write = false;       // --allow-device-write
  std::string run_label;                 // label of the run dir ("" = first job's name)
  std::vector<std::string> job_files;    // copied into the run directory
  std::vector<std::pair<std::string, std::string>> inline_jobs;  // (file name, text) of jobs given as text
  std::vector<std::pair<std::string, std::string>> global_options;  // fio's JSON "global options"
  // A signal a caller caught before this run's watcher existed (`fiokit
  // sweep`): read once the watcher is up, and the run stops at once.
  const volatile int* pending_signal = nullptr;
  // A cluster member (cli/cluster_member.hpp): joins after the layout, starts
  // I/O at the coordinator's time, posts status every second, uploads the run
  // directory and posts done at the end. Needs data_dir and repeat 1.
  std::optional<cluster::MemberConfig> cluster;
  // Jobs of job files fetched through REMOTEFILES (cli/container): their
  // files are opened with volumes::open_confined, which checks their place
  // again at the open (engine::RunOptions::confine). Null: opened by path.
  const volumes::Confinement* confine = nullptr;
  std::function<bool(const jobs::JobSpec&)> confine_applies;  // the jobs it is for (empty: all)
};

// Runs the jobs. Returns 0, 1 (a job failed, or a file of the run directory
// could not be written), or 130/143 after a signal. While a repeat runs, its
// results.json is a checkpoint marked incomplete (run_dir.hpp); on return the
// run directory (if any) is complete: results.json, output.txt, logs and the
// job files, or stderr has named each file that could not be written and why.
// Its path is written to *run_dir_out when given.
int execute_run(const std::vector<jobs::JobSpec>& jobs, const ExecArgs& args, std::string* run_dir_out = nullptr);

}  // namespace fiokit::cli
