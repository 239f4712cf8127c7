// Option table machinery: the builder, generic value application with the
// table's range and enum checks, lookup, typo suggestions and --cmdhelp.
#include "jobs/options.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <unordered_map>

namespace fiokit::jobs {

const char* opt_type_name(OptType t) {
  switch (t) {
    case OptType::str: return "string";
    case OptType::integer: return "integer";
    case OptType::size: return "size (int with k/m/g/t/p suffix)";
    case OptType::size_percent: return "size or percentage";
    case OptType::boolean: return "boolean (0 or 1)";
    case OptType::flag: return "flag (valueless, or 0/1)";
    case OptType::time: return "time (us, ms, s, m, h, d)";
    case OptType::real: return "floating point";
    case OptType::enumeration: return "string (one of the values below)";
    case OptType::range: return "range (lo-hi or lo:hi)";
    case OptType::per_dir_size: return "size[,size][,size] (read,write,trim)";
    case OptType::per_dir_range: return "range[,range][,range] (read,write,trim)";
    case OptType::bssplit: return "bs/percent:bs/percent[,...] (read,write,trim)";
    case OptType::float_list: return "float list (a:b:c)";
    case OptType::custom: return "string";
  }
  return "string";
}

namespace {
void check_range(const OptionDef& d, int64_t v, const std::string& text) {
  if (d.min && v < *d.min)
    throw ValueError(fmt::format("'{}' is below the minimum {} of {}", text, *d.min, d.name));
  if (d.max && v > *d.max)
    throw ValueError(fmt::format("'{}' is above the maximum {} of {}", text, *d.max, d.name));
}
}  // namespace

Opt::Opt(std::string name, std::string help) {
  d_.name = std::move(name);
  d_.help = std::move(help);
}

// The typed setters capture the member and the definition's range by value at
// build time; range checks read the final OptionDef through apply_option.
Opt& Opt::integer(uint32_t JobSpec::*m) {
  d_.type = OptType::integer;
  if (!d_.min) d_.min = 0;
  if (!d_.max) d_.max = UINT32_MAX;
  d_.set = [m](JobSpec& s, const std::string& v, const ApplyCtx&) {
    s.*m = static_cast<uint32_t>(parse_int(v, false));
  };
  return *this;
}
Opt& Opt::integer(uint64_t JobSpec::*m) {
  d_.type = OptType::integer;
  if (!d_.min) d_.min = 0;
  d_.set = [m](JobSpec& s, const std::string& v, const ApplyCtx&) { s.*m = static_cast<uint64_t>(parse_int(v, false)); };
  return *this;
}
Opt& Opt::integer(int JobSpec::*m) {
  d_.type = OptType::integer;
  d_.set = [m](JobSpec& s, const std::string& v, const ApplyCtx&) { s.*m = static_cast<int>(parse_int(v, true)); };
  return *this;
}
Opt& Opt::size(uint64_t JobSpec::*m) {
  d_.type = OptType::size;
  d_.set = [m](JobSpec& s, const std::string& v, const ApplyCtx& c) { s.*m = parse_size(v, c.kb_base); };
  return *this;
}
Opt& Opt::size_percent(uint64_t JobSpec::*bytes, double JobSpec::*percent) {
  d_.type = OptType::size_percent;
  d_.set = [bytes, percent](JobSpec& s, const std::string& v, const ApplyCtx& c) {
    auto r = parse_size_or_percent(v, c.kb_base);
    s.*bytes = r.bytes;
    s.*percent = r.percent;
  };
  return *this;
}
Opt& Opt::boolean(bool JobSpec::*m) {
  d_.type = OptType::boolean;
  d_.set = [m](JobSpec& s, const std::string& v, const ApplyCtx&) { s.*m = parse_bool(v); };
  return *this;
}
Opt& Opt::flag(bool JobSpec::*m) {
  d_.type = OptType::flag;
  d_.valueless_ok = true;
  d_.set = [m](JobSpec& s, const std::string& v, const ApplyCtx&) { s.*m = parse_int(v, false) != 0; };
  return *this;
}
Opt& Opt::time(uint64_t JobSpec::*m, TimeUnit unit) {
  d_.type = OptType::time;
  d_.time_unit = unit;
  d_.set = [m, unit](JobSpec& s, const std::string& v, const ApplyCtx&) { s.*m = parse_time_us(v, unit); };
  return *this;
}
Opt& Opt::str(std::string JobSpec::*m) {
  d_.type = OptType::str;
  d_.set = [m](JobSpec& s, const std::string& v, const ApplyCtx&) { s.*m = v; };
  return *this;
}
Opt& Opt::per_dir_size(PerDir<uint64_t> JobSpec::*m) {
  d_.type = OptType::per_dir_size;
  d_.set = [m](JobSpec& s, const std::string& v, const ApplyCtx& c) {
    auto parts = split_per_direction(v);
    for (int i = 0; i < 3; ++i)
      if (parts[i]) (s.*m).v[i] = parse_size(*parts[i], c.kb_base);
  };
  return *this;
}
Opt& Opt::custom(OptType t, Setter s) {
  d_.type = t;
  d_.set = std::move(s);
  return *this;
}
Opt& Opt::enumeration(std::vector<EnumValue> values, Setter s) {
  d_.type = OptType::enumeration;
  d_.values = std::move(values);
  d_.set = std::move(s);
  return *this;
}
Opt& Opt::alias(std::string a) { d_.aliases.push_back(std::move(a)); return *this; }
Opt& Opt::def(std::string d) { d_.def = std::move(d); return *this; }
Opt& Opt::range(int64_t lo, int64_t hi) { d_.min = lo; d_.max = hi; return *this; }
Opt& Opt::min(int64_t lo) { d_.min = lo; return *this; }
Opt& Opt::cat(std::string c) { d_.category = std::move(c); return *this; }
Opt& Opt::unit(TimeUnit u) { d_.time_unit = u; return *this; }
Opt& Opt::valueless(std::string as) {
  d_.valueless_ok = true;
  d_.valueless_as = std::move(as);
  return *this;
}
Opt& Opt::values(std::vector<EnumValue> v) { d_.values = std::move(v); return *this; }
Opt& Opt::note(std::string n) { d_.note = std::move(n); return *this; }
Opt& Opt::engines(std::vector<std::string> e) { d_.engines = std::move(e); return *this; }
Opt& Opt::param() { d_.enum_param = true; return *this; }
Opt& Opt::type(OptType t) { d_.type = t; return *this; }
Opt& Opt::no_effect(std::string why) { d_.support = Support::no_effect; d_.note = std::move(why); return *this; }
Opt& Opt::quiet_for(std::vector<std::string> values) { d_.quiet_values = std::move(values); return *this; }
Opt& Opt::unsupported(std::string why) {
  d_.support = Support::unsupported;
  d_.note = std::move(why);
  return *this;
}

void apply_option(const OptionDef& d, JobSpec& spec, const std::optional<std::string>& value, const ApplyCtx& ctx) {
  std::string v;
  if (!value) {
    if (!d.valueless_ok) throw ValueError(fmt::format("option '{}' requires a value ({}=...)", d.name, d.name));
    v = d.valueless_as;
  } else {
    v = *value;
  }
  if (d.type == OptType::enumeration) {
    std::string head = v.substr(0, v.find(':'));
    // Only options that take ":param" may match on the part before ':';
    // elsewhere "verify=md5:x" would pass the check and be dropped by the setter.
    bool ok = std::any_of(d.values.begin(), d.values.end(),
                          [&](const EnumValue& e) { return e.name == v || (d.enum_param && e.name == head); });
    if (!ok) {
      std::string allowed;
      for (const auto& e : d.values) allowed += (allowed.empty() ? "" : ", ") + e.name;
      // A typo in a value gets the same help as a typo in a name: fio 3.33
      // only lists the valid values ("fio: failed parsing rw=randreadd").
      // Compared on the part before ':' for options taking ":param".
      const std::string typo = lower(trim(d.enum_param ? head : v));
      std::optional<size_t> best;
      std::string guess;
      for (const auto& e : d.values)
        if (auto dist = typo.size() < 2 ? std::nullopt : suggestion_distance(typo, e.name); dist && (!best || *dist < *best))
          best = dist, guess = e.name;
      throw ValueError(fmt::format("'{}' is not a valid value for {}{} (allowed: {})", v, d.name,
                                   guess.empty() ? "" : fmt::format("; did you mean '{}'?", guess), allowed));
    }
  }
  if (d.type == OptType::integer || d.type == OptType::size) {
    const std::string t = trim(v);
    int64_t n = d.type == OptType::size ? static_cast<int64_t>(parse_size(t, ctx.kb_base))
                                        : parse_int(t, d.min && *d.min < 0);
    check_range(d, n, t);
  } else if (d.type == OptType::time && (d.min || d.max)) {
    int64_t n = static_cast<int64_t>(parse_time_us(v, d.time_unit) / static_cast<uint64_t>(d.time_unit));
    check_range(d, n, trim(v));
  }
  if (!d.set) throw ValueError(fmt::format("option '{}' has no implementation", d.name));
  d.set(spec, v, ctx);
}

namespace {
// jobs' own table, built once from the per-area registries (explicit, no
// static constructors: DESIGN.md pitfalls).
std::vector<OptionDef> own_table() {
  std::vector<OptionDef> t;
  add_core_options(t);
  add_io_options(t);
  add_engine_options(t);
  add_result_options(t);
  add_flow_options(t);
  add_iolog_options(t);
  add_misc_options(t);
  add_unsupported_options(t);
  add_parse_options(t);
  add_ss_options(t);
  add_latq_options(t);
  add_logz_options(t);
  add_prio_options(t);
  add_verify_options(t);
  add_engines_options(t);
  add_exec_options(t);
  add_xverify_options(t);
  add_dedupe_options(t);
  return t;
}
}  // namespace

OptionCatalog::OptionCatalog(std::vector<OptionDef> added, std::vector<std::string> engines) : table_(own_table()) {
  if (!engines.empty())
    for (auto& d : table_)
      if (d.name == "ioengine")
        d.set = [engines, own = d.set](JobSpec& s, const std::string& v, const ApplyCtx& c) {
          const std::string name = trim(v);
          if (std::find(engines.begin(), engines.end(), name) != engines.end())
            s.ioengine = name;
          else
            own(s, v, c);
        };
  // The added (engine) options follow ioengine, where jobs' own table kept
  // them before they moved beside their engines: the order decides ties
  // between equally close did-you-mean guesses and the --cmdhelp listing.
  auto at = std::find_if(table_.begin(), table_.end(), [](const OptionDef& d) { return d.name == "ioengine"; });
  if (at != table_.end()) ++at;
  table_.insert(at, std::make_move_iterator(added.begin()), std::make_move_iterator(added.end()));
  for (size_t i = 0; i < table_.size(); ++i) {
    index_.emplace(table_[i].name, i);
    for (const auto& a : table_[i].aliases) index_.emplace(a, i);
  }
}

const OptionDef* OptionCatalog::find(std::string_view name) const {
  auto it = index_.find(std::string(name));
  return it == index_.end() ? nullptr : &table_[it->second];
}

const OptionCatalog& own_options() {
  static const OptionCatalog c;
  return c;
}

const OptionDef* find_option(std::string_view name) { return own_options().find(name); }

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::optional<size_t> suggestion_distance(std::string_view ltypo, std::string_view cand) {
  const size_t limit = std::max<size_t>(2, ltypo.size() / 3);
  // A name that contains the typo (or the reverse) is a good guess too.
  const bool contains = cand.find(ltypo) != std::string_view::npos || ltypo.find(cand) != std::string_view::npos;
  // The distance is at least the length difference: beyond the limit it
  // cannot be suggested, so skip the quadratic work.
  const size_t diff = cand.size() > ltypo.size() ? cand.size() - ltypo.size() : ltypo.size() - cand.size();
  if (!contains && diff > limit) return std::nullopt;
  size_t dist = edit_distance(ltypo, cand);
  if (contains) dist = std::min<size_t>(dist, 2);
  if (dist > limit) return std::nullopt;
  return dist;
}

std::vector<std::string> OptionCatalog::suggest(std::string_view name, size_t n) const {
  std::vector<std::pair<size_t, std::string>> scored;
  // No option name is this long: a guess would be noise, and the edit distance
  // of a long key against every name is the fuzzer's slowest path.
  if (name.size() > 64) return {};
  const std::string lname = lower(name);
  for (const auto& d : table_) {
    auto consider = [&](const std::string& cand) {
      if (auto dist = suggestion_distance(lname, cand)) scored.emplace_back(*dist, cand);
    };
    consider(d.name);
    for (const auto& a : d.aliases) consider(a);
  }
  std::stable_sort(scored.begin(), scored.end(), [](auto& a, auto& b) { return a.first < b.first; });
  std::vector<std::string> out;
  for (const auto& [dist, cand] : scored) {
    if (out.size() >= n) break;
    if (std::find(out.begin(), out.end(), cand) == out.end()) out.push_back(cand);
  }
  return out;
}

namespace {
std::string describe(const OptionDef& d) {
  std::string s = fmt::format("{:<24}: {}\n", d.name, d.help);
  if (!d.aliases.empty()) {
    std::string al;
    for (const auto& a : d.aliases) al += (al.empty() ? "" : ", ") + a;
    s += fmt::format("{:<24}: {}\n", "alias", al);
  }
  s += fmt::format("{:<24}: {}\n", "type", opt_type_name(d.type));
  if (d.type == OptType::time) {
    const char* u = d.time_unit == TimeUnit::s ? "s" : d.time_unit == TimeUnit::ms ? "ms" : "us";
    s += fmt::format("{:<24}: {}\n", "default unit", u);
  }
  if (!d.def.empty()) s += fmt::format("{:<24}: {}\n", "default", d.def);
  if (d.min && d.type != OptType::boolean) s += fmt::format("{:<24}: {}\n", "minimum", *d.min);
  if (d.max && d.type != OptType::boolean) s += fmt::format("{:<24}: {}\n", "maximum", *d.max);
  if (!d.category.empty()) s += fmt::format("{:<24}: {}\n", "category", d.category);
  if (!d.engines.empty()) {
    std::string en;
    for (const auto& e : d.engines) en += (en.empty() ? "" : ", ") + e;
    s += fmt::format("{:<24}: {}\n", "ioengine", en);
  }
  if (d.support != Support::supported)
    s += fmt::format("{:<24}: {}{}\n", "fiokit",
                     d.support == Support::unsupported ? "unsupported (refused when used)" : "accepted, no effect",
                     d.note.empty() ? "" : "; " + d.note);
  else if (!d.note.empty())
    s += fmt::format("{:<24}: {}\n", "fiokit", d.note);
  if (!d.values.empty()) {
    s += fmt::format("{:<24}:\n", "valid values");
    for (const auto& e : d.values) s += fmt::format("    {:<20}: {}\n", e.name, e.help);
  }
  return s;
}
}  // namespace

std::string OptionCatalog::cmdhelp(std::string_view name) const {
  if (name.empty() || name == "all") {
    std::map<std::string, std::vector<const OptionDef*>> by_cat;
    for (const auto& d : table_) by_cat[d.category.empty() ? "Other" : d.category].push_back(&d);
    std::string s;
    for (const auto& [cat, defs] : by_cat) {
      s += cat + ":\n";
      for (const auto* d : defs)
        s += fmt::format("  {:<28}: {}{}\n", d->name, d->help,
                         d->support == Support::unsupported ? " [unsupported]"
                         : d->support == Support::no_effect ? " [no effect]"
                         : d->note.empty()                   ? ""
                                                             : " [" + d->note + "]");
    }
    return s;
  }
  if (const OptionDef* d = find(name)) return describe(*d);
  std::string msg = fmt::format("unknown option '{}'", name);
  auto sug = suggest(name);
  if (!sug.empty()) msg += fmt::format("; did you mean '{}'?", sug[0]);
  throw ValueError(msg);
}

}  // namespace fiokit::jobs
