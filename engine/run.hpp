// The engine's public entry point: run parsed jobs and return what they
// measured. Jobs run in fio's order: a job with stonewall waits for every
// earlier job; jobs between stonewalls run together, each clone on its own
// thread, starting on a common barrier once their files are laid out; wait_for
// holds a job until the named one is done. Nothing here formats output.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "jobs/jobspec.hpp"
#include "results/run_result.hpp"
#include "results/series_sink.hpp"
#include "volumes/layout.hpp"

namespace fiokit::engine {

// A job that cannot start: its files cannot be planned or laid out, or its
// engine refuses the setup. The one error type the engine's setup throws to
// run_jobs, which records it as the job's error (a failed job, exit 1, never
// an exception out of run_jobs). The message names the job ("job 'NAME':
// ..."), so it is recorded as it is; err is the errno (EINVAL for a
// configuration problem).
struct SetupError : std::runtime_error {
  int err;
  SetupError(const std::string& message, int e) : std::runtime_error(message), err(e) {}
};

// One issued I/O, recorded only when RunOptions::trace is set (tests).
struct TraceRecord {
  uint64_t offset;
  uint32_t len;
  uint8_t ddir;
  uint32_t file;
  // Units queued or in flight whose range overlaps this I/O's when it was
  // handed to the engine (serialize_overlap makes it 0).
  uint32_t overlapping = 0;
  bool operator==(const TraceRecord&) const = default;
};

// Progress of the running jobs, for an ETA line. Called from the thread that
// called run_jobs, about every progress_interval_ms.
struct Progress {
  uint64_t elapsed_ms = 0;
  int jobs_running = 0, jobs_done = 0, jobs_total = 0;
  uint64_t bytes[3] = {0, 0, 0};  // moved so far, per direction, all jobs
  uint64_t ios[3] = {0, 0, 0};
};

struct RunOptions {
  std::string run_dir = ".";                    // where fio-format logs go
  // The run directory's per-second series (results/series_sink.hpp), fed by
  // every job; null (no run directory) writes none. The caller closes it.
  results::SeriesSink* series = nullptr;
  const std::atomic<bool>* stop = nullptr;      // set (e.g. by a signal handler) to stop every worker within 1 s
  std::function<void(const Progress&)> progress;
  uint64_t progress_interval_ms = 1000;
  // --status-interval: every status_interval_ms, the results so far (running
  // jobs as of their last progress point, finished jobs whole) are handed to
  // `status` on the thread that called run_jobs. 0: off.
  std::function<void(const results::RunResult&)> status;
  uint64_t status_interval_ms = 0;
  // The same snapshots on a second clock, for the run directory's checkpoint
  // (an incomplete results.json that survives kill -9). One snapshot request
  // serves both when they fall due together. 0: off.
  std::function<void(const results::RunResult&)> checkpoint;
  uint64_t checkpoint_interval_ms = 0;
  // The start gate of a cluster run (cli/cluster_member.hpp): called once, on
  // the thread that called run_jobs, after the first segment's files are laid
  // out and before any of its workers starts; returns the unix ns
  // (CLOCK_REALTIME) at which I/O is to start. run_jobs sleeps until then (a
  // stop request ends the wait, and the jobs then report interrupted with
  // nothing done), hands the measured start (unix ns, just before the workers
  // are released) to `started`, and counts the run's time from there. An
  // exception from before_start leaves run_jobs before any I/O. Nothing of it
  // is on the I/O path.
  std::function<int64_t()> before_start;
  std::function<void(int64_t started_unix_ns)> started;
  // Test hook: when set, per job (indexed like the result's jobs) every issued
  // I/O is recorded. Off in normal runs; the I/O loop is compiled without it.
  std::vector<std::vector<TraceRecord>>* trace = nullptr;
  // A remote job's run (cli/container, REMOTEFILES): every job file is
  // opened with volumes::open_confined, which judges its place again at the
  // open (the layout, JobFiles, filecreate). Null for every other run: files
  // are opened by path as before. Only opens change; the I/O loop does not.
  const volumes::Confinement* confine = nullptr;
  std::function<bool(const jobs::JobSpec&)> confine_applies;  // the jobs it is for (empty: all)
};

// Plans every job's files once (volumes::plan_run, with the engines' own
// answer to which of them open no file). The caller hands the same plan to
// preflight, the volume report and run_jobs, so all of them see one plan.
volumes::RunPlan plan_run(const std::vector<jobs::JobSpec>& jobs);

// Runs every job on the files `plan` gives it (plan_run(jobs), indexed like
// jobs): each segment lays out its jobs' planned files, nothing is planned
// again. Never throws for an I/O, plan or layout failure (those are recorded in
// JobResult::error/error_message). Throws std::invalid_argument only for a job
// list that cannot be scheduled (wait_for naming no earlier job) or a plan
// that is not the jobs'.
results::RunResult run_jobs(const std::vector<jobs::JobSpec>& jobs, const volumes::RunPlan& plan, const RunOptions& opts);
// The same with plan_run(jobs), for callers that check nothing before the run.
results::RunResult run_jobs(const std::vector<jobs::JobSpec>& jobs, const RunOptions& opts);

}  // namespace fiokit::engine
