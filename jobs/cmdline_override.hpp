// Which command-line job options a job file overrides. fio 3.33 applies the
// options given before the first --name as defaults and then parses the job
// files over them, so a job file's value wins wherever it is written ([global]
// or the job's section) and whatever the order on the command line
// (measured: `fio --runtime=1 j.fio` and `fio j.fio --runtime=1`, with
// runtime=2 in j.fio's [global], both run 2 s; a job without runtime= in the
// file would take the 1 s). fiokit keeps that precedence, so the same command
// measures the same, but says so: a silently ignored `--runtime=30` (the
// container README's own example) is a benchmark of the wrong length.
#pragma once
#include <string>
#include <vector>

#include "jobs/options.hpp"
#include "jobs/parse.hpp"

namespace fiokit::jobs {

// One message per job-file line that overrides a command-line option with a
// different value, naming the option, both values, and the file:line, e.g.
// "command-line option --runtime=30 is overridden by runtime=60 (job.fio:5) for
// job 'a' (the job file wins, as in fio)". Aliases count as their option
// (`timeout=` overrides `--runtime`). Only the jobs the run keeps (--section)
// count. Empty when nothing is overridden.
std::vector<std::string> cmdline_override_warnings(const ParseRequest& req, const OptionCatalog& options);

}  // namespace fiokit::jobs
