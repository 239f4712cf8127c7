// The job-file layer below options: fio's ini dialect as the HOWTO describes it.
// Sections, valueless options, ';'/'#' comments (whole-line and trailing),
// "include FILE" relative to the including file with cycle detection, ${VAR}
// environment expansion and the reserved keywords $pagesize, $mb_memory and
// $ncpus (with the simple math fio allows on them). Produces raw text with
// locations; what an option means is decided later by the option table.
#pragma once
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
  static Expander from_system();
  // Expands ${VAR} (an undefined VAR is an error, unlike fio) and the reserved
  // keywords; a value that used a keyword together with arithmetic becomes a
  // parenthesised expression, as fio evaluates "size=8*$mb_memory".
  std::string expand(std::string_view value, const SourceLoc& loc) const;
};

// Reads a job file ("-" for standard input). Throws ParseError with file:line.
std::vector<RawSection> read_job_file(const std::string& path, const Expander& ex);
// Reads job text that came from `name` (used for stdin and by tests and the fuzzer);
// includes are resolved relative to base_dir.
std::vector<RawSection> read_job_text(std::string_view text, const std::string& name, const std::string& base_dir,
                                      const Expander& ex);

}  // namespace fiokit::jobs
