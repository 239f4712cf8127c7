// From raw sections to JobSpecs: global sections merged into the jobs below
// them, every option looked up in the table and applied in order, numjobs
// clones, reporting groups (one per job file, stonewall, new_group), wait_for,
// and the cross-option checks that no single setter can do.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "jobs/ini.hpp"
#include "jobs/jobspec.hpp"
#include "jobs/options.hpp"

namespace fiokit::jobs {

// One source of jobs: a job file's sections, or the command line's.
struct JobSource {
  std::string file;  // "" for the command line
  std::vector<RawSection> sections;
};

struct ParseRequest {
  std::vector<RawOption> cli_globals;     // job options before the first --name
  std::vector<JobSource> sources;         // command-line jobs first, then files, in order
  std::vector<std::string> only_sections; // --section=NAME (empty: all)
  bool readonly = false;                  // --readonly: refuse jobs that write or trim
};

struct ParseResult {
  std::vector<JobSpec> jobs;          // clones expanded, in run order
  std::vector<std::string> warnings;  // e.g. options accepted with no effect
  // fio's JSON "global options": the options before the first --name and those
  // of [global] sections, in the order first given, a later value replacing an
  // earlier one. Empty when there are none (fio then leaves the object out).
  std::vector<std::pair<std::string, std::string>> global_options;
};

// Throws ParseError naming every bad option (up to 20, one per line, each
// ending with "(FILE:LINE)").
// `options` is every option the parse knows: engine::option_catalog() for a
// run (jobs' own options plus each engine's), jobs::own_options() without engines.
ParseResult build_jobs(const ParseRequest& req, const OptionCatalog& options);

// Whether --section lets section `name` run (always, when no --section was given).
bool section_selected(const ParseRequest& req, const std::string& name);
// The lines a job section runs with, in the order applied (the last of an
// option wins): `globals` (the [global] lines above it) then its own. The parse
// and the command-line override check both take them from here, so they agree
// on which line a job runs with.
std::vector<const RawOption*> job_options(const std::vector<const RawOption*>& globals, const RawSection& sec);

// fio's command line for the jobs: parsing it back yields equal JobSpecs.
std::string showcmd(const std::vector<JobSpec>& jobs);

}  // namespace fiokit::jobs
