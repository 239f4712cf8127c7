// fiokit's own command-line flags, for every subcommand, through
// Boost.Program_options: each command declares its flags once in an
// options_description (name, short letter, value name, help text), which then
// drives tokenizing (--x=v, --x v, getopt's -bg and -tTITLE), the arity checks,
// "did you mean" for a misspelt flag and the option list of --help. Every flag
// error is one cli::UsageError, worded as fiokit words it (the option, what is
// wrong), which the command (or main) turns into exit code 2. fio-style job
// options of `fiokit run` are not flags: they pass through to jobs/.
#pragma once
#include <boost/program_options/options_description.hpp>
#include <boost/program_options/parsers.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/usage_error.hpp"

namespace fiokit::cli {

namespace po = boost::program_options;

// Which spellings a command accepts. `long_only`: --flag=v and --flag v only,
// so "-" (stdin) and fio's one-dash job options ("-rw=read") stay arguments.
// `getopt`: also fio2gnuplot's short flags, grouped (-bg) or with an attached
// value (-tTITLE), as getopt parses them.
enum class FlagStyle { long_only, getopt };

struct ParsedFlags {
  // fiokit's flags in command-line order. Kept in order rather than stored in
  // a variables_map, because a repeated flag is last-wins (getopt, fio) and
  // some commands depend on the order (--minimal vs --output-format,
  // --compare-option vs --ignore-option); variables_map rejects repeats.
  std::vector<po::option> flags;
  // Everything else in order: positional arguments and, with
  // `pass_unknown`, the original tokens of unknown --options (fio job options).
  std::vector<std::string> rest;
};

// Parses `args` against `desc`. Without `pass_unknown` an unknown flag is a
// UsageError with the closest flag of `desc` as a suggestion and, when given,
// `help_hint` ("fiokit serve --help") to look at. "--" ends the flags; what
// follows is positional. Program_options' own exceptions never escape: they
// become UsageErrors naming the flag as the user spelt it.
ParsedFlags parse_flags(const std::vector<std::string>& args, const po::options_description& desc, FlagStyle style,
                        bool pass_unknown = false, std::string_view help_hint = {});

// The value of a flag that takes one ("" for a switch).
std::string flag_value(const po::option& o);

// The closest of `names` to a misspelt `typo` (edit distance, or one name
// containing the other, scored 2), or nullopt when none is close enough to be
// a useful guess: the thresholds of jobs/' suggestions for job options, so the
// two can be compared by `distance` (fiokit run weighs its own flags against
// job options that way).
struct Suggestion {
  std::string name;
  size_t distance = 0;
};
std::optional<Suggestion> closest_flag(std::string_view typo, const std::vector<std::string>& names);
std::optional<std::string> closest_name(std::string_view typo, const std::vector<std::string>& names);

// The long names of every flag in `desc`.
std::vector<std::string> flag_names(const po::options_description& desc);

// "unknown option --TYPO[; did you mean --FLAG?]" for the flags of `desc`.
std::string unknown_flag_message(const std::string& spelled, const po::options_description& desc);

// The option list of a --help text: one line per flag, wrapped at 80 columns.
std::string describe_flags(const po::options_description& desc);

// Prints "fiokit CMD: MESSAGE" on stderr, then `usage` when given, and returns
// kExitUsage: the one place a command turns a UsageError into its exit code.
int report_usage_error(std::string_view cmd, const UsageError& e, const char* usage = nullptr);

}  // namespace fiokit::cli
