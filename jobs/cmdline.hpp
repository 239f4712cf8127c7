// fio's command line for jobs: "--name=a --rw=randread --bs=4k --name=b ...".
// Each --name starts a job; job options before the first --name are global and
// apply to every job, including those of job files (as in fio). Options of the
// run itself (--output, --parse-only, ...) are recognised by the caller through
// `is_run_option` and never reach a job.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "jobs/ini.hpp"
#include "jobs/parse.hpp"

namespace fiokit::jobs {

struct CmdlineJobs {
  std::vector<RawOption> globals;   // before the first --name
  std::vector<RawSection> sections; // one per --name (a --name=global section is global)
  std::vector<std::string> job_files;
  std::optional<uint64_t> max_jobs;  // --max-jobs=N (see max_jobs_warning)
};

// Splits argv (after the subcommand, fiokit's own flags already taken out by
// cli/flags) into job options and job files. Throws ParseError for an unknown --option with a suggestion.
// `options` is the catalog the jobs are parsed with (engine::option_catalog()).
CmdlineJobs split_cmdline(const std::vector<std::string>& args, const Expander& ex, const OptionCatalog& options);

// --max-jobs=N, fio's "maximum number of threads/processes to support". fio
// 3.33 parses it and ignores it (its getopt case says the limit is no longer
// tracked; measured: --max-jobs=1 with 3 jobs runs all 3, and even "abc" or
// 0 is accepted). fio's own test runner adds --max-jobs=16 to every job, so
// fiokit accepts it and runs every job as fio does, but not silently: a
// value that is not a whole number from 1 to 4096 (fio's compile-time
// REAL_MAX_JOBS) is a ParseError, and more jobs than N gives a warning
// (an error under --warnings-fatal). nullopt when there is nothing to say.
std::optional<std::string> max_jobs_warning(const std::optional<uint64_t>& max_jobs, size_t njobs);

// Reads the job files and assembles the request: command-line jobs first, then files.
// With `check_keys`, the reader keeps only the first kMaxReportedErrors
// options of each section that check_keys does not know
// (ReadObserver::is_known): build_jobs reports the same errors, and a huge
// file of junk lines is not stored (issue 16: 64 MiB of them took 4 GB).
ParseRequest make_request(CmdlineJobs cl, const Expander& ex, std::vector<std::string> only_sections,
                          const OptionCatalog* check_keys = nullptr);

}  // namespace fiokit::jobs
