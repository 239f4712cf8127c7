// The job-file layer below options: fio's ini dialect as the HOWTO describes it.
// Sections, valueless options, ';'/'#' comments (whole-line and trailing),
// "include FILE" relative to the including file with cycle detection, a
// nesting limit (kMaxIncludeDepth) and a budget across all includes, ${VAR}
// environment expansion and the reserved keywords $pagesize, $mb_memory and
// $ncpus (with the simple math fio allows on them). Produces raw text with
// locations; what an option means is decided later by the option table.
#pragma once
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "jobs/error.hpp"

namespace fiokit::jobs {

struct RawOption {
  std::string key;
  std::optional<std::string> value;  // nullopt for a valueless option ("time_based")
  SourceLoc loc;
};

struct RawSection {
  std::string name;   // "global" for global sections
  SourceLoc loc;
  std::vector<RawOption> options;
  std::string file;   // the top-level job file this section belongs to
};

// Values the expander substitutes; tests replace them for determinism.
struct Expander {
  std::function<std::optional<std::string>(const std::string&)> getenv;
  long pagesize = 0;
  long mb_memory = 0;
  long ncpus = 0;
  // When getenv is empty, why no variable is available: appended to the error
  // for ${VAR}, so a remote job file's author learns why (without_environment).
  std::string no_environment_hint;
  static Expander from_system();
  // from_system() with no environment at all: ${ANYTHING} is an error naming
  // the variable and `hint`; $pagesize, $mb_memory and $ncpus (facts about the
  // machine, as fio defines them) still expand. For job files someone else
  // wrote, which must not read the container's secrets into results.json.
  static Expander without_environment(std::string hint);
  // Expands ${VAR} (an undefined VAR is an error, unlike fio) and the reserved
  // keywords; a value that used a keyword together with arithmetic becomes a
  // parenthesised expression, as fio evaluates "size=8*$mb_memory".
  std::string expand(std::string_view value, const SourceLoc& loc) const;
};

// How deep includes may nest (an include in the top file is depth 1). fio has
// no limit; a chain this long is a mistake or an attack, and every file read
// through it is one more file someone else chose. The error names the include
// line that goes one deeper.
constexpr int kMaxIncludeDepth = 16;

// One budget for the whole read, shared by the job file and all its includes:
// the depth limit alone let 1000 includes of a file with 1000 includes each
// (a 30 kB tree) open a million files, and 2000 includes of one 1 MB file
// read 2 GB (std::bad_alloc). fio has no such limits; a job file that needs
// more is not one a person wrote. The error names the include line that goes
// past either limit.
constexpr int kMaxIncludes = 4096;
constexpr size_t kMaxReadBytes = size_t{64} << 20;
// Part "logs" (issue 16): the bytes limit alone let 64 MiB of one-word lines
// become 30 million stored options (4 GB) before the first was checked. The
// reader also counts the option lines and section headers it keeps, across
// all includes; fio's own t/jobs and examples hold at most a few hundred.
constexpr size_t kMaxJobLines = 200000;

// An include as the reader resolved it, before the file is opened.
struct IncludeRef {
  std::string written;    // the name after "include", as written
  std::string path;       // resolved against the including file's folder (or absolute)
  std::string canonical;  // with symlinks and ".." resolved: the file that would be read
  SourceLoc loc;          // the "include" line
};

// Lets a checker see exactly what the reader reads, through the reader's own
// include rule (one rule, one place): jobs/remote_policy.cpp refuses includes
// outside a folder and options a downloaded job file may not use, at any
// include depth, because it is called for every include the reader resolves.
struct ReadObserver {
  // Called for each include before it is opened; false skips the file (it is
  // neither opened nor read), so a refused file is never touched.
  std::function<bool(const IncludeRef&)> on_include;
  // Called for each option read, in order, after ${VAR} expansion.
  std::function<void(const RawOption&)> on_option;
  // Part "logs" (issue 16): whether an option name is one the parse knows.
  // When set, the reader keeps only the first kMaxReportedErrors unknown
  // options of each section and drops (and does not count towards
  // kMaxJobLines) the ones after them: the parse reports no more than that
  // many errors, so the errors are the same as with all of them kept, and
  // 64 MiB of junk lines cost no memory (they took 4 GB as stored options).
  std::function<bool(const std::string& key)> is_known;
};

// Reads a job file ("-" for standard input). Throws ParseError with file:line.
std::vector<RawSection> read_job_file(const std::string& path, const Expander& ex, const ReadObserver& obs = {});
// Reads job text that came from `name` (used for stdin and by tests and the fuzzer);
// includes are resolved relative to base_dir.
std::vector<RawSection> read_job_text(std::string_view text, const std::string& name, const std::string& base_dir,
                                      const Expander& ex, const ReadObserver& obs = {});

}  // namespace fiokit::jobs
