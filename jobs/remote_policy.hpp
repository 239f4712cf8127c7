// What a job file fetched through REMOTEFILES may not do. A downloaded job
// file is code (DESIGN.md: facts about fio): fio would run its exec_prerun,
// load its external engine, read any file it includes, write its logs
// anywhere and do I/O on any block device. The container entrypoint refuses
// such a file before anything runs, naming the option, the file and the line,
// unless the user opts in with FIOKIT_TRUST_REMOTE=1. Local job files (the
// user's own, in the data dir) are not checked. The check runs inside the
// job-file reader (ReadObserver), so it sees every include the parser would
// read, at any depth, by the parser's own include rule.
//
// Paths are judged in two places: here, each path-valued option as written
// (every entry of a ':' list) goes to the caller's PathRule, which knows the
// allowed roots and resolves symlinks (jobs/ knows no mounts); above, the
// caller also checks the files the engine will actually open (cli/container
// with volumes/confine), which catches what only the combination shows
// (directory= with filename=, $jobname in filename_format, numjobs).
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "jobs/error.hpp"
#include "jobs/ini.hpp"

namespace fiokit::jobs {

struct RemoteViolation {
  std::string option;  // as written in the file
  std::string value;
  SourceLoc loc;
  std::string why;     // "runs a shell command", ...
  // "'exec_prerun=rm -rf /' runs a shell command (job.fio:3)"
  std::string str() const;
};

// Judges one path as written in a path-valued option: nullopt when allowed,
// otherwise why not ("resolves to '/etc/x', outside ...").
using PathRule = std::function<std::optional<std::string>(const std::string& option, const std::string& path)>;

// The options whose values are paths the job reads, writes or lists (canonical
// names; write_*_log prefixes are not here: they are relative to the run
// directory and have a rule of their own).
bool is_path_option(const std::string& canonical_name);

// Checks the job file at `path` and every file it includes. Includes must stay
// inside `allowed_dir` (the folder the remote files were fetched into); one
// outside is reported and never opened. Throws ParseError when the file does
// not parse at all (the caller reports that as any parse error); pass an
// Expander::without_environment so ${VAR} is one of those errors.
// Without a PathRule, names of raw devices (/dev/sdX) are refused as text;
// with one, every entry of every path option goes to it instead (it resolves
// the path, so it judges devices after symlinks and '..').
std::vector<RemoteViolation> check_remote_job(const std::string& path, const std::string& allowed_dir, const Expander& ex,
                                              const PathRule& path_rule = {});

}  // namespace fiokit::jobs
