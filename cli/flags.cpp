// Boost.Program_options behind fiokit's wording; see flags.hpp. Program_options
// tokenizes and checks arity; this file picks the parser style, turns its
// exceptions into UsageErrors that name the flag as the user typed it ("-p",
// not Program_options' canonical "--pattern"), and suggests the closest flag.
#include "cli/flags.hpp"
#include "jobs/options.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/program_options/errors.hpp>
#include <cctype>
#include <cstdio>
#include <sstream>

#include "cli/commands.hpp"

namespace fiokit::cli {
namespace {

namespace style = po::command_line_style;

// No allow_guessing: Program_options would otherwise take "--data" for
// "--data-dir" (a prefix), and a typo must never silently become another flag.
int parser_style(FlagStyle s) {
  const int long_flags = style::allow_long | style::long_allow_adjacent | style::long_allow_next;
  if (s == FlagStyle::long_only) return long_flags;
  return long_flags | style::allow_short | style::short_allow_adjacent | style::short_allow_next | style::allow_sticky |
         style::allow_dash_for_short;
}

std::string strip_dashes(std::string s) {
  s.erase(0, s.find_first_not_of('-'));
  if (const size_t eq = s.find('='); eq != std::string::npos) s.resize(eq);
  return s;
}

// How the user wrote the flag Program_options complains about. A missing value
// can only be the last argument (any following token would have been taken as
// the value); an extra value only comes with "--flag=value".
std::string spelled_flag(const po::error_with_option_name& e, const std::vector<std::string>& args,
                         const po::options_description& desc, bool missing_value) {
  const std::string name = strip_dashes(e.get_option_name());
  const po::option_description* d = desc.find_nothrow(name, false);
  if (d && missing_value && !args.empty() && args.back().rfind("--", 0) != 0) {
    const std::string shortname = d->canonical_display_name(style::allow_dash_for_short);
    if (shortname.size() == 2 && shortname[0] == '-') return shortname;
  }
  return "--" + name;
}

// Program_options names the whole group ("-bx") when one letter of it is
// unknown; getopt, and fiokit's messages, name the letter ("-x").
std::string unknown_in_group(const std::string& group, const po::options_description& desc) {
  for (size_t i = 1; i < group.size(); ++i) {
    const po::option_description* d = desc.find_nothrow(std::string("-") + group[i], false);
    if (!d) return std::string("-") + group[i];
    if (d->semantic()->max_tokens() > 0) break;  // the rest of the group is its value
  }
  return group;
}

}  // namespace

std::optional<Suggestion> closest_flag(std::string_view typo, const std::vector<std::string>& names) {
  // Long typos and empty ones make noise, not guesses (jobs/options.cpp's rule).
  if (typo.empty() || typo.size() > 64) return std::nullopt;
  std::string lname(typo);
  for (char& c : lname) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::optional<Suggestion> best;
  for (const std::string& cand : names)  // jobs/' scoring, so the two kinds of guess compare
    if (auto dist = jobs::suggestion_distance(lname, cand); dist && (!best || *dist < best->distance))
      best = Suggestion{cand, *dist};
  return best;
}

std::optional<std::string> closest_name(std::string_view typo, const std::vector<std::string>& names) {
  if (auto s = closest_flag(typo, names)) return s->name;
  return std::nullopt;
}

std::vector<std::string> flag_names(const po::options_description& desc) {
  std::vector<std::string> out;
  for (const auto& d : desc.options())
    if (!d->long_name().empty()) out.push_back(d->long_name());
  return out;
}

std::string unknown_flag_message(const std::string& spelled, const po::options_description& desc) {
  std::string msg = "unknown option " + spelled;
  // One letter after one dash: nothing to compare a guess with.
  if (spelled.rfind("--", 0) == 0)
    if (auto s = closest_name(strip_dashes(spelled), flag_names(desc))) msg += fmt::format("; did you mean --{}?", *s);
  return msg;
}

ParsedFlags parse_flags(const std::vector<std::string>& args, const po::options_description& desc, FlagStyle fs,
                        bool pass_unknown, std::string_view help_hint) {
  po::parsed_options parsed(&desc);
  try {
    po::command_line_parser parser(args);
    parser.options(desc).style(parser_style(fs));
    if (pass_unknown) parser.allow_unregistered();
    parsed = parser.run();
  } catch (const po::unknown_option& e) {
    std::string spelled = e.get_option_name();
    if (const size_t eq = spelled.find('='); eq != std::string::npos) spelled.resize(eq);
    if (spelled.size() > 2 && spelled[0] == '-' && spelled[1] != '-') spelled = unknown_in_group(spelled, desc);
    std::string msg = unknown_flag_message(spelled, desc);
    if (!help_hint.empty()) msg += fmt::format(" (see {})", help_hint);
    throw UsageError(msg);
  } catch (const po::invalid_command_line_syntax& e) {
    using K = po::invalid_command_line_syntax;
    if (e.kind() == K::missing_parameter)
      throw UsageError(fmt::format("option {} needs a value", spelled_flag(e, args, desc, true)));
    if (e.kind() == K::extra_parameter)
      throw UsageError(fmt::format("option {} takes no value", spelled_flag(e, args, desc, false)));
    throw UsageError(e.what());
  } catch (const po::error& e) {
    throw UsageError(e.what());
  }
  ParsedFlags out;
  for (po::option& o : parsed.options) {
    if (o.position_key >= 0) out.rest.insert(out.rest.end(), o.value.begin(), o.value.end());
    else if (o.unregistered) out.rest.insert(out.rest.end(), o.original_tokens.begin(), o.original_tokens.end());
    else out.flags.push_back(std::move(o));
  }
  return out;
}

std::string flag_value(const po::option& o) { return o.value.empty() ? std::string() : o.value.front(); }

std::string describe_flags(const po::options_description& desc) {
  std::ostringstream s;
  s << desc;
  return s.str();
}

int report_usage_error(std::string_view cmd, const UsageError& e, const char* usage) {
  fmt::print(stderr, "fiokit {}: {}\n{}", cmd, e.what(), usage ? usage : "");
  return kExitUsage;
}

}  // namespace fiokit::cli
