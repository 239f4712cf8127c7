// The environment contract of the container images (fio-tools' JOBFILES,
// REMOTEFILES and PLOTNAME, plus fiokit's FIOKIT_* switches), read once into a
// plain value, and the rules that turn JOBFILES names into job file paths.
// Kept apart from container.cpp so tests drive it with a fake environment.
#pragma once
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/usage_error.hpp"

namespace fiokit::cli::container {

// Anything wrong with the environment or the data dir throws cli::UsageError
// (exit code 2, nothing ran), the type of a bad flag, so one catch maps both.

using GetEnv = std::function<std::optional<std::string>(const std::string&)>;
GetEnv system_env();

struct Settings {
  std::string data_dir = "/tmp/fio-data";   // FIOKIT_DATA_DIR
  std::vector<std::string> jobfiles;        // JOBFILES, space-separated
  std::vector<std::string> remotefiles;     // REMOTEFILES, space-separated URLs
  std::string plotname;                     // PLOTNAME: run label and graph title
  std::string run;                          // FIOKIT_RUN: the run the plots image draws (default newest)
  std::string ca_file;                      // FIOKIT_CA_FILE: PEM CA(s) trusted for REMOTEFILES besides the system's
  bool allow_http = false;                  // FIOKIT_ALLOW_HTTP=1
  bool trust_remote = false;                // FIOKIT_TRUST_REMOTE=1
  // FIOKIT_REMOTE_ROOTS=/a:/b: where a fetched job may do I/O besides the data
  // dir and the benchmark volumes; each must be absolute and exist.
  std::vector<std::string> remote_roots;
  bool allow_device = false;                // FIOKIT_ALLOW_DEVICE=1: fetched jobs may use devices
  std::string bind = "0.0.0.0";             // FIOKIT_BIND
  int port = 8000;                          // FIOKIT_PORT
};

// Reads the settings; throws UsageError for a malformed value (a boolean that
// is not 0/1/true/false/yes/no, a bad port, a FIOKIT_CA_FILE that cannot be read,
// a FIOKIT_REMOTE_ROOTS entry that is relative or missing).
Settings read_settings(const GetEnv& getenv);

// Splits on spaces, tabs and newlines; empty words are dropped.
std::vector<std::string> split_words(const std::string& s);

// The *.fio files directly in `dir`, sorted ("" when it cannot be read).
std::vector<std::string> list_job_files(const std::string& dir);

struct JobFile {
  std::string name;  // as given in JOBFILES
  std::string path;  // where it is read from
  bool remote = false;
};

// Resolves JOBFILES. A name that a fetched file has (fetched_dir/NAME) is the
// fetched, remote file, as with fio-tools where wget put it in the data dir;
// otherwise NAME is relative to the data dir (or absolute). Throws UsageError
// when JOBFILES is empty or a name is missing, listing the .fio files present.
std::vector<JobFile> resolve_job_files(const Settings& s, const std::string& fetched_dir);

}  // namespace fiokit::cli::container
