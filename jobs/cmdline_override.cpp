// Finds command-line job options that a job file overrides (see
// cmdline_override.hpp for fio's precedence and why fiokit warns).
#include "jobs/cmdline_override.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "jobs/units.hpp"

namespace fiokit::jobs {
namespace {

// Values compared as written, trimmed and lower-cased: "--runtime=30" against
// "runtime=30" is no override; "30" against "30s" is reported (the message
// shows both, so the reader sees they agree).
std::string value_text(const RawOption& o) { return o.value ? lower(trim(*o.value)) : std::string(); }

std::string shown(const RawOption& o) { return o.value ? o.key + "=" + trim(*o.value) : o.key; }

}  // namespace

std::vector<std::string> cmdline_override_warnings(const ParseRequest& req, const OptionCatalog& options) {
  std::vector<std::string> out;
  if (req.cli_globals.empty()) return out;
  // Canonical name -> the last command-line value (a repeated flag is last-wins,
  // as in the parse).
  std::map<std::string, const RawOption*> cli;
  for (const auto& o : req.cli_globals)
    if (const OptionDef* d = options.find(o.key)) cli[d->name] = &o;
  // One message per overriding line, naming every job it applies to (a
  // [global] line overrides the option for each job after it), in file order.
  struct Override {
    const RawOption* cli;
    const RawOption* file;
    std::vector<std::string> jobs;
  };
  std::vector<Override> found;
  // Per job, the option's last line among its [global]s and its section is the
  // value it runs with: only that line overrides (a job's own runtime= hides
  // the [global] one, which then overrides nothing for that job).
  auto check = [&](const std::vector<const RawOption*>& opts, const std::string& job) {
    for (const auto& [name, given] : cli) {
      const RawOption* last = nullptr;
      for (const auto* o : opts)
        if (const OptionDef* d = options.find(o->key); d && d->name == name) last = o;
      if (!last || value_text(*given) == value_text(*last)) continue;
      auto same = std::find_if(found.begin(), found.end(), [&](const Override& f) { return f.file == last; });
      if (same == found.end()) same = found.insert(found.end(), {given, last, {}});
      same->jobs.push_back(job);
    }
  };
  for (const JobSource& source : req.sources) {
    if (source.file.empty()) continue;  // --name jobs: their own options, given on purpose
    std::vector<const RawOption*> globals;
    for (const RawSection& sec : source.sections) {
      if (sec.name == "global") {
        for (const auto& o : sec.options) globals.push_back(&o);
        continue;
      }
      if (!section_selected(req, sec.name)) continue;
      check(job_options(globals, sec), sec.name);
    }
  }
  for (const auto& f : found) {
    std::string jobs;
    for (const auto& j : f.jobs) jobs += (jobs.empty() ? "'" : ", '") + j + "'";
    out.push_back(fmt::format("command-line option --{} is overridden by {} ({}) for job{} {} (the job file wins, as in fio)",
                              shown(*f.cli), shown(*f.file), f.file->loc.str(), f.jobs.size() > 1 ? "s" : "", jobs));
  }
  return out;
}

}  // namespace fiokit::jobs
