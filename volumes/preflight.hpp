// Preflight: everything that would make a run fail or destroy data, found
// before the first byte is written, and reported all at once. Paths missing or
// not writable, read-only mounts, free space, O_DIRECT support and alignment,
// block devices that are mounted or hold a filesystem, a user's files that a
// job would overwrite (never-clobber), the open-file limit and the system-wide
// AIO limit. The CLI prints every Problem and exits 2.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "jobs/jobspec.hpp"
#include "volumes/layout.hpp"

namespace fiokit::volumes {

struct PreflightOptions {
  bool allow_clobber = false;       // --allow-clobber: a job may write into files fiokit did not create
  bool allow_device_write = false;  // --allow-device-write: write jobs may use mounted or formatted devices
  // A remote job's run: the one file preflight opens (the O_DIRECT probe of
  // an existing file) is opened with open_confined. Null otherwise.
  const Confinement* confine = nullptr;
  std::function<bool(const jobs::JobSpec&)> confine_applies;  // the jobs it is for (empty: all)
};

struct Problem {
  std::string what;   // one sentence: what is wrong
  std::string path;   // the file, directory or device ("" for run-wide limits)
  std::string job;    // the job's name ("" for run-wide limits)
  std::string where;  // the option's file:line, or the job section's, when known
  std::string hint;   // what to do about it
  // "job 'x' (jobs.fio:4): WHAT\n    hint: HINT"
  std::string str() const;
};

// Checks the jobs (numjobs clones expanded, as jobs::build_jobs returns them)
// and the files planned for them (plan_run: the plan the run will use, indexed
// like jobs) without writing anything but an O_DIRECT probe file of its own.
// Returns every problem found; empty means the run may start. Never throws for
// a problem; std::invalid_argument when the plan is not the jobs'.
std::vector<Problem> preflight(const std::vector<jobs::JobSpec>& jobs, const RunPlan& plan, const PreflightOptions& opts);
// The same with a plan of its own (plan_run(jobs)), for callers that run nothing.
std::vector<Problem> preflight(const std::vector<jobs::JobSpec>& jobs, const PreflightOptions& opts);

// The whole list as the CLI prints it to stderr.
std::string format_problems(const std::vector<Problem>& problems);

// Where option `key` of `job` was set: "FILE:LINE" of the option line when it
// came from a job file (the job's section or a global section above it), else
// the job section's location, else "" (command line). Re-reads the job file.
std::string locate_option(const jobs::JobSpec& job, const std::string& key);

}  // namespace fiokit::volumes
