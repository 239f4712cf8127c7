// The run directory, the on-disk contract between stages (DESIGN.md):
// <data-dir>/runs/<run-id>/ holds the job files used, results.json (fio's
// schema), fio-format logs, plots/ and the text output. Plot, serve and compare
// read only these files, so they work on runs made by real fio too.
// A run directory is always new: an existing one is never reused or overwritten.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace fiokit::results {

// "20261122T031500Z-<label>": UTC time, then a label made safe for a file name
// (letters, digits, '-', '_', '.'; others become '_'; at most 64 characters).
std::string make_run_id(int64_t unix_seconds, const std::string& label);

// Creates <data_dir>/runs/<run_id>/ (and parents). If that name exists, a
// suffix -2, -3, ... is added: nothing already there is touched. Returns the path.
// Throws std::system_error naming the path on failure.
std::string create_run_dir(const std::string& data_dir, const std::string& run_id);

// Copies job files into the run dir under their base names (a clash gets a
// numeric prefix). Returns the names used.
std::vector<std::string> copy_job_files(const std::string& run_dir, const std::vector<std::string>& files);

// Writes `text` to run_dir/name via a temporary file and rename, so a reader
// never sees half a file.
void write_file_atomic(const std::string& run_dir, const std::string& name, const std::string& text);

// The newest run directories under <data_dir>/runs, newest first.
std::vector<std::string> list_runs(const std::string& data_dir);

}  // namespace fiokit::results
