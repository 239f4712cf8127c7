// fio's command line for jobs: "--name=a --rw=randread --bs=4k --name=b ...".
// Each --name starts a job; job options before the first --name are global and
// apply to every job, including those of job files (as in fio). Options of the
// run itself (--output, --parse-only, ...) are recognised by the caller through
// `is_run_option` and never reach a job.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "jobs/ini.hpp"
#include "jobs/parse.hpp"

namespace fiokit::jobs {

struct CmdlineJobs {
  std::vector<RawOption> globals;   // before the first --name
  std::vector<RawSection> sections; // one per --name (a --name=global section is global)
  std::vector<std::string> job_files;
};

// Splits argv (after the subcommand) into job options and job files. Arguments
// for which `is_run_option(arg)` returns true are skipped (the caller owns them);
// `takes_value(name)` says whether a run option consumes the next argument.
// Throws ParseError for an unknown --option with a suggestion.
CmdlineJobs split_cmdline(const std::vector<std::string>& args,
                          const std::function<bool(const std::string& name)>& is_run_option,
                          const std::function<bool(const std::string& name)>& run_option_needs_value,
                          const Expander& ex);

// Reads the job files and assembles the request: command-line jobs first, then files.
ParseRequest make_request(CmdlineJobs cl, const Expander& ex, std::vector<std::string> only_sections);

}  // namespace fiokit::jobs
