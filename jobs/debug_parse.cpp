// describe_option (see debug_parse.hpp): the option applied to a scratch
// JobSpec, then described from the fields it set.
#include "jobs/debug_parse.hpp"

#include <fmt/format.h>

namespace fiokit::jobs {

std::string describe_option(const OptionCatalog& cat, const RawOption& o) {
  std::string line = fmt::format("parse: {}{}{} ({})", o.key, o.value ? "=" : "", o.value ? *o.value : "", o.loc.str());
  const OptionDef* d = cat.find(o.key);
  if (!d || d->support != Support::supported || !d->set) return line;
  JobSpec s;
  try {
    apply_option(*d, s, o.value, ApplyCtx{});
  } catch (const std::exception&) {
    return line;
  }
  if (d->name == "steadystate") {
    // fio 3.33's own words for the limit it read.
    if (s.ss.pct) line += fmt::format(": set steady state threshold to {:.6f}%", s.ss.limit);
    else if (s.ss.iops) line += fmt::format(": set steady state IOPS threshold to {:.6f}", s.ss.limit);
    else line += fmt::format(": set steady state BW threshold to {}", static_cast<long long>(s.ss.limit));
  }
  return line;
}

}  // namespace fiokit::jobs
