// What a job file fetched through REMOTEFILES may not do. A downloaded job
// file is code (DESIGN.md: facts about fio): fio would run its exec_prerun,
// load its external engine, read any file it includes, write its logs
// anywhere and do I/O on any block device. The container entrypoint refuses
// such a file before anything runs, naming the option, the file and the line,
// unless the user opts in with FIOKIT_TRUST_REMOTE=1. Local job files (the
// user's own, in the data dir) are not checked. The check runs inside the
// job-file reader (ReadObserver), so it sees every include the parser would
// read, at any depth, by the parser's own include rule.
#pragma once
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

// Checks the job file at `path` and every file it includes. Includes must stay
// inside `allowed_dir` (the folder the remote files were fetched into); one
// outside is reported and never opened. Throws ParseError when the file does
// not parse at all (the caller reports that as any parse error).
std::vector<RemoteViolation> check_remote_job(const std::string& path, const std::string& allowed_dir, const Expander& ex);

}  // namespace fiokit::jobs
