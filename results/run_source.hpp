// What the compare gate reads: a run directory (every repeat under repeats/,
// else its results.json) or a results.json file itself, from fiokit or fio 3.33,
// turned into per-job, per-direction metric values (one set per repeat). Also
// the baseline store: finding the newest comparable run in a directory and
// copying a run into it. Only files on disk are read (DESIGN.md: the run
// directory is the contract), so runs made by fio itself compare the same way.
#pragma once
#include <array>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "results/run_result.hpp"

namespace fiokit::results {

// A run, a repeat or a baseline directory that cannot be read; what() names the path.
struct RunLoadError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A metric the gate measures. Rates are per job (clones of one name summed);
// latencies come from the job's histograms (clones pooled), in nanoseconds.
struct MetricInfo {
  const char* name;       // "iops", "bw", "lat_mean", "clat_p99", ...
  const char* unit;       // "IOPS", "B/s" or "ns"
  bool higher_is_better;  // rates: a fall is a regression; latencies: a rise
  bool optional;          // lat_p*: compared only when the run has lat percentiles
};
const std::vector<MetricInfo>& gate_metrics();
const MetricInfo* find_metric(std::string_view name);

// One job name of one run; fio repeats a name for every numjobs clone, and
// those entries are merged so a job compares as what the user named.
struct JobSample {
  std::string name;
  int error = 0;               // first non-zero error of the entries
  std::string error_message;
  bool interrupted = false;
  std::map<std::string, std::string> options;   // effective: job option over global
  std::array<bool, kDirs> active{};             // did I/O in this direction
  std::array<std::map<std::string, double>, kDirs> metrics;  // only metrics that exist
};

// Metrics of every job of a run, in the order jobs first appear. Percentiles
// are taken from the histograms; see load_run for percentiles the file lacks.
std::vector<JobSample> job_samples_of(const RunResult& run);

// A run as the gate sees it: one RunResult and one JobSample list per repeat.
struct LoadedRun {
  std::string path;                       // as given
  std::string run_dir;                    // directory holding it ("" for a bare file)
  std::vector<std::string> files;         // results.json of each repeat
  std::vector<RunResult> runs;
  std::vector<std::vector<JobSample>> samples;
  std::string host;                       // fiokit's "host"; "" when unknown (fio)
  int64_t timestamp = 0;                  // of the first repeat
};

// Reads a run directory or a results.json. Percentile metrics the file cannot
// answer exactly (neither in its percentile list nor json+ bins) are left out,
// so a comparison reports them missing instead of comparing estimates.
// Throws RunLoadError naming the path.
LoadedRun load_run(const std::string& path);

// Adds one repeat from the text of its results.json (fio JSON), as load_run
// does for each file: for readers that get the text another way (serve reads
// through its confined root). Throws RunLoadError naming `file`.
void add_repeat_text(LoadedRun& out, const std::string& file, const std::string& text);

// Why two runs are not the same benchmark: job names differ, or one of `keys`
// (job options, e.g. bs) differs for a job. Empty when they are comparable.
std::vector<std::string> incomparable_reasons(const LoadedRun& baseline, const LoadedRun& current,
                                              const std::vector<std::string>& keys);

// Run directories under dir (dir/runs/* when dir/runs exists, else dir/*) that
// hold results.json, newest first (results.json "timestamp", then name).
std::vector<std::string> list_stored_runs(const std::string& dir);

// The newest run in dir comparable with current (incomparable_reasons empty);
// nullopt when none is. Unreadable runs there are skipped.
std::optional<std::string> find_baseline(const std::string& dir, const LoadedRun& current,
                                         const std::vector<std::string>& keys);

// Copies the current run into dir/runs/<run name> (a new directory; a clash
// gets a -2, -3 ... suffix; nothing present is touched). Returns the new path.
std::string store_baseline(const std::string& dir, const LoadedRun& current);

}  // namespace fiokit::results
