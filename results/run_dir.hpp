// The run directory, the on-disk contract between stages (DESIGN.md):
// <data-dir>/runs/<run-id>/ holds the job files used, results.json (fio's
// schema), fio-format logs, plots/ and the text output. Plot, serve and compare
// read only these files, so they work on runs made by real fio too.
// A run directory is always new: an existing one is never reused or overwritten.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "results/run_result.hpp"

namespace fiokit::results {

// "20261122T031500Z-<label>": UTC time, then a label made safe for a file name
// (letters, digits, '-', '_', '.'; others become '_'; at most 64 characters).
std::string make_run_id(int64_t unix_seconds, const std::string& label);

// Creates <data_dir>/runs/<run_id>/ (and parents). If that name exists, a
// suffix -2, -3, ... is added: nothing already there is touched. Returns the path.
// Throws std::system_error naming the path on failure.
std::string create_run_dir(const std::string& data_dir, const std::string& run_id);

// Copies job files into the run dir under their base names (a clash, with
// each other or with a file fiokit writes there, gets a numeric prefix:
// "2-results.json"), each through write_file_atomic. Returns the names used.
// Throws std::system_error naming the file on the first that fails.
std::vector<std::string> copy_job_files(const std::string& run_dir, const std::vector<std::string>& files);

// Writes `text` to run_dir/name via a temporary file (".NAME.tmp") and rename,
// so a reader never sees half a file. On failure (ENOSPC, EIO, ...) the
// temporary file is removed and std::system_error says which file and why;
// the previous run_dir/name, if any, is left as it was.
void write_file_atomic(const std::string& run_dir, const std::string& name, const std::string& text);

// Copies the files directly in src_dir into run_dir under their own names
// (e.g. fetched includes and patterns beside the fetched job files); a name
// already in run_dir is skipped, never replaced. Returns one message per file
// that could not be copied (no partial copy is left).
std::vector<std::string> keep_files(const std::string& run_dir, const std::string& src_dir);

// The newest run directories under <data_dir>/runs, newest first.
std::vector<std::string> list_runs(const std::string& data_dir);

// What a new run directory starts with.
struct RunDirRequest {
  std::string data_dir;                // the run goes to <data_dir>/runs/<run-id>/
  std::string label;                   // the run id's label (PLOTNAME, or the first job's name)
  std::vector<std::string> job_files;  // copied in under their base names
  std::vector<std::pair<std::string, std::string>> inline_jobs;  // (file name, text): jobs not read from a file
  int repeats = 1;                     // --repeat N
  // Other names the run will write in the directory (its log files): a job
  // file by one of them is kept under another name, as with fiokit's own
  // results.json, output.txt, repeats(.json), plots, stdin.fio.
  std::vector<std::string> reserved_names;
};

// Lays out one run directory as a run proceeds; `fiokit run` only sequences the
// calls. Layout: the job files; repeat 1's logs in the run directory itself
// (what plot and serve show) and results.json (json+) of repeat 1; output.txt
// (the lines before the run, then each repeat's normal report); with N > 1
// repeats also repeats/<i>/ (logs of repeat i > 1, results.json of every
// repeat) and repeats.json (the summary the compare gate reads).
//
// While a repeat runs, checkpoint() replaces that repeat's results.json (the
// run dir's own for repeat 1, and repeats/<i>/ for each repeat of a series)
// with what was
// measured so far, marked under "fiokit" with "incomplete": true,
// "interrupted": true, "snapshot_time" (UTC) and "snapshot_timestamp_ms"; the
// repeat's end replaces it with the complete one (start() writes the first,
// empty checkpoint of every repeat at once). So after kill -9 the run dir
// holds the last snapshot, and readers that refuse interrupted runs (compare)
// refuse it without knowing about checkpoints.
//
// Nothing written here stops a run: once the directory exists, a file that
// cannot be written (full disk, EIO) is recorded in failures() -- one line per
// file naming its path and the error -- and the run and its report on stdout
// go on. No temporary file is left behind.
class RunDirWriter {
 public:
  // Creates <data_dir>/runs/<UTC time of unix_seconds>-<label>/ (never an
  // existing one) and copies the job files in. Throws std::system_error only
  // when the directory itself cannot be created.
  static RunDirWriter create(const RunDirRequest& req, int64_t unix_seconds);
  // The same, at the current time.
  static RunDirWriter create(const RunDirRequest& req);

  const std::string& path() const { return path_; }
  // The folder repeat `rep` (1-based) logs into; creates repeats/<rep>/ when
  // there are several repeats (a failure is recorded; the path is returned).
  std::string begin_repeat(int rep);
  // The results so far of repeat `rep`, taken at unix ms `snapshot_ms`.
  void checkpoint(int rep, const RunResult& so_far, int64_t snapshot_ms);
  // Right after create: every repeat's results.json (and so the run dir's)
  // becomes `placeholder` (the jobs, no figures yet) marked as a checkpoint,
  // so a kill -9 before the first timed checkpoint, during startdelay or
  // between repeats leaves files that say "incomplete", never none.
  void start(const RunResult& placeholder, int64_t snapshot_ms);
  // Records repeat `rep`'s result beside its logs (only with several repeats;
  // a single run's results.json is written by finish). Repeat 1's result also
  // becomes the run dir's results.json, still marked incomplete (a snapshot
  // taken now) while later repeats run: finish() makes it whole.
  void end_repeat(int rep, const RunResult& r);
  // A file the run wrote elsewhere into the directory (a job's log) that
  // could not be written: listed with the others in failures().
  void add_failure(const std::string& message);
  // results.json, output.txt (pre_run_text first) and, with several repeats,
  // repeats.json. Each file appears whole (write_file_atomic).
  void finish(const std::vector<RunResult>& runs, const std::string& pre_run_text);

  // "cannot write <path>: <reason>" per file that could not be written, in
  // order, each file once.
  const std::vector<std::string>& failures() const { return failures_; }

 private:
  RunDirWriter(std::string path, int repeats) : path_(std::move(path)), repeats_(repeats) {}
  std::string repeat_dir(int rep) const;
  void write(const std::string& dir, const std::string& name, const std::string& text);
  void record(const std::string& message);
  std::string path_;
  int repeats_ = 1;
  std::vector<std::string> failures_;
};

}  // namespace fiokit::results
