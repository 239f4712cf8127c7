// The one declarative option table (DESIGN.md rule 2). Each OptionDef names an
// option as fio spells it, with aliases, type, default, range, allowed values,
// help and category, and a setter that writes the parsed value into a JobSpec
// through a pointer-to-member. The same table drives parsing, defaults,
// --cmdhelp and "did you mean". Options fio documents but fiokit does not run
// are in the table too, marked Unsupported, so they fail loudly instead of
// being ignored. Cross-option checks live in parse.cpp, not in setters. The
// options of the engines fiokit runs are defined beside their engines, typed
// by each engine's own struct (OwnedOptions below), and join jobs' own table
// in the OptionCatalog a parse is given (engine::option_catalog()).
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "jobs/error.hpp"
#include "jobs/jobspec.hpp"
#include "jobs/units.hpp"

namespace fiokit::jobs {

enum class OptType { str, integer, size, size_percent, boolean, flag, time, real, enumeration, range,
                     per_dir_size, per_dir_range, bssplit, float_list, custom };
const char* opt_type_name(OptType t);

// Supported: fiokit does it. NoEffect: accepted, with a warning that says why it
// changes nothing here (e.g. clocksource). Unsupported: refused at parse time.
enum class Support { supported, no_effect, unsupported };

struct EnumValue {
  std::string name;
  std::string help;
};

// A value fio accepts but fiokit does not run ("ioengine=mmap", "sync=dsync").
// Setters throw it; parse.cpp reports "unsupported by fiokit: OPTION=VALUE
// (FILE:LINE)" so it reads like an unsupported option, not like a typo. The
// message (may be empty) says what to use instead.
struct UnsupportedValue : ValueError {
  using ValueError::ValueError;
};

struct ApplyCtx {
  int kb_base = 1024;
};

using Setter = std::function<void(JobSpec&, const std::string& value, const ApplyCtx&)>;

struct OptionDef {
  std::string name;
  std::vector<std::string> aliases;
  OptType type = OptType::str;
  std::string def;                  // default, as text ("" = none)
  std::optional<int64_t> min, max;  // for integer/size/time (in the option's unit)
  std::vector<EnumValue> values;    // allowed values for enumeration
  std::string help;
  std::string category;
  Support support = Support::supported;
  std::string note;                 // why NoEffect/Unsupported, or what to use instead
  std::vector<std::string> quiet_values;  // no_effect: values that ask for fiokit's behaviour anyway (no warning)
  TimeUnit time_unit = TimeUnit::s; // default unit of a time option
  bool valueless_ok = false;        // may be written without "=value" (fio's "set" options)
  std::string valueless_as = "1";   // the value a valueless use stands for ("" for write_bw_log)
  std::vector<std::string> engines; // non-empty: only valid with these ioengine values
  bool enum_param = false;          // enumeration value may carry ":param" (rw=randread:8)
  Setter set;                       // empty for unsupported options
};

// Fluent builder used by the option_table_*.cpp files.
class Opt {
 public:
  Opt(std::string name, std::string help);
  // Typed targets: the type follows from the member.
  Opt& integer(uint32_t JobSpec::*m);
  Opt& integer(uint64_t JobSpec::*m);
  Opt& integer(int JobSpec::*m);
  Opt& size(uint64_t JobSpec::*m);
  Opt& size_percent(uint64_t JobSpec::*bytes, double JobSpec::*percent);
  Opt& boolean(bool JobSpec::*m);
  Opt& flag(bool JobSpec::*m);  // valueless or 0/1
  Opt& time(uint64_t JobSpec::*m, TimeUnit unit);
  Opt& str(std::string JobSpec::*m);
  Opt& per_dir_size(PerDir<uint64_t> JobSpec::*m);
  Opt& custom(OptType t, Setter s);
  Opt& enumeration(std::vector<EnumValue> values, Setter s);
  Opt& alias(std::string a);
  Opt& def(std::string d);
  Opt& range(int64_t lo, int64_t hi);
  Opt& min(int64_t lo);
  Opt& cat(std::string c);
  Opt& unit(TimeUnit u);
  Opt& valueless(std::string as = "1");
  Opt& values(std::vector<EnumValue> v);  // list values for --cmdhelp without enum checking
  Opt& note(std::string n);               // remark shown by --cmdhelp (e.g. accepted values)
  Opt& engines(std::vector<std::string> e);
  Opt& param();  // enumeration values may be followed by ":param"
  Opt& no_effect(std::string why);
  // A no_effect option given one of these values (e.g. disable_lat=0) asks for
  // what fiokit does anyway, so it is accepted without the warning.
  Opt& quiet_for(std::vector<std::string> values);
  Opt& unsupported(std::string why = "");
  Opt& type(OptType t);
  // Moves the definition out: builders are temporaries used once, in a push_back.
  operator OptionDef() { return std::move(d_); }

 private:
  OptionDef d_;
};

// Parses `value` for `def` and writes it into `spec`; throws ValueError on bad
// input (range, enum and syntax checks are done here, from the table).
void apply_option(const OptionDef& def, JobSpec& spec, const std::optional<std::string>& value, const ApplyCtx& ctx);

// The options one parse knows: jobs' own table plus the tables other stages
// own, i.e. each engine's options, which live beside their engine (fio's
// engines/io_uring.c keeps its option table with the engine). jobs/ must not
// include engine/ (the dependency direction), so the caller hands them in:
// engine::option_catalog() builds the full catalog from the engine registry,
// and cli/, --cmdhelp, did-you-mean, the fuzzer and the tests use that one.
// The added options follow ioengine, in the order given.
// Levenshtein distance: the measure of every "did you mean" (job options here,
// fiokit's own flags in cli/flags.cpp), so the two kinds of guess compare.
size_t edit_distance(std::string_view a, std::string_view b);
// The one "did you mean" rule: how far `cand` is from a lower-cased typo (its
// edit distance, at most 2 when one contains the other), or nullopt when it is
// beyond max(2, typo length / 3) and so not worth suggesting.
std::optional<size_t> suggestion_distance(std::string_view ltypo, std::string_view cand);

class OptionCatalog {
 public:
  // `engines`: every ioengine value the registry knows (it lives in engine/,
  // which jobs/ cannot see); ioengine= accepts these besides the ones in its
  // own table (engines fiokit only parses, refused at run time).
  explicit OptionCatalog(std::vector<OptionDef> added = {}, std::vector<std::string> engines = {});
  const std::vector<OptionDef>& options() const { return table_; }
  // By name or alias, case-sensitive as fio; nullptr when unknown.
  const OptionDef* find(std::string_view name) const;
  // Closest known option names for a typo, best first (edit distance), at most `n`.
  std::vector<std::string> suggest(std::string_view name, size_t n = 1) const;
  // --cmdhelp text: one option in detail, or "all" (every option, by category).
  // ValueError (with a suggestion) for an unknown name.
  std::string cmdhelp(std::string_view name) const;

 private:
  std::vector<OptionDef> table_;
  std::unordered_map<std::string, size_t> index_;  // name or alias -> position in table_
};

// jobs' own options only, without any engine's. For callers that look up core
// options by their canonical name (the container's remote-job policy); a parse
// takes a full catalog instead.
// fio's ':'-separated file lists (filename=, directory=): "a:b\:c" -> {"a",
// "b:c"}. Empty entries are kept; the option setters refuse them, the
// remote-job policy reads the text before that.
std::vector<std::string> split_file_list(const std::string& v);

const OptionCatalog& own_options();
const OptionDef* find_option(std::string_view name);  // in own_options()

// fio's tri-state integer options (nonvectored=-1|0|1): -1 leaves the choice
// to the engine, and -1 written out means the same as the option left out.
enum class Tri : int8_t { automatic = -1, off = 0, on = 1 };

// An option a later stage owns and types into its own struct T (each engine's
// options; T needs operator==). jobs/ parses and checks it like any other
// option (range, enum, file:line errors, the same messages) by running the
// owner's setter on a scratch T, then keeps the checked text in
// JobSpec::engine_options (nothing when it is T's default); the owner
// reads the text back into its T with the same setters (OwnedOptions::read),
// so the parse-time check and the run-time value cannot disagree.
template <class T>
using TypedSetter = std::function<void(T&, const std::string& value, const ApplyCtx&)>;

template <class T>
struct OwnedOption {
  OptionDef def;       // name, help, type, range, engines, ... (def.set is filled in by OwnedOptions)
  TypedSetter<T> set;  // empty for an option the owner refuses (unsupported)
};

// Builders for the usual targets; the Opt carries the rest of the definition.
template <class T>
OwnedOption<T> owned_flag(Opt o, bool T::*m) {  // valueless, or 0/1 (as Opt::flag)
  OptionDef d = o.type(OptType::flag).valueless();
  return {std::move(d), [m](T& t, const std::string& v, const ApplyCtx&) { t.*m = parse_int(v, false) != 0; }};
}
template <class T>
OwnedOption<T> owned_tri(Opt o, Tri T::*m) {  // -1, 0 or 1
  OptionDef d = o.type(OptType::integer).range(-1, 1);
  return {std::move(d), [m](T& t, const std::string& v, const ApplyCtx&) {
            const int64_t n = parse_int(v, true);
            t.*m = n < 0 ? Tri::automatic : n == 0 ? Tri::off : Tri::on;
          }};
}
template <class T>
OwnedOption<T> owned_custom(Opt o, OptType type, TypedSetter<T> set) {
  return {o.type(type), std::move(set)};
}
template <class T>
OwnedOption<T> owned_unsupported(Opt o) {  // o carries .unsupported(why)
  return {o, nullptr};
}

template <class T>
class OwnedOptions {
 public:
  explicit OwnedOptions(std::vector<OwnedOption<T>> opts) : opts_(std::move(opts)) {
    for (auto& o : opts_) {
      if (!o.set) continue;
      o.def.set = [set = o.set, name = o.def.name](JobSpec& s, const std::string& v, const ApplyCtx& c) {
        T scratch{};
        set(scratch, v, c);  // a bad value throws here, at parse time, with the option's file:line
        // The owner's default is kept as no entry at all, so a default written
        // out ("nonvectored=-1") and the option left out give equal JobSpecs.
        if (scratch == T{}) {
          s.engine_options.erase(name);
          return;
        }
        s.engine_options.kb_base = c.kb_base;
        s.engine_options.set(name, trim(v));
      };
    }
  }
  // The definitions, for an OptionCatalog.
  std::vector<OptionDef> defs() const {
    std::vector<OptionDef> out;
    for (const auto& o : opts_) out.push_back(o.def);
    return out;
  }
  // T from the checked text; an option this table does not own (or refuses)
  // is a ValueError: the job was not parsed against this table.
  T read(const EngineOptionValues& ev) const {
    T t{};
    const ApplyCtx ctx{ev.kb_base};
    for (const auto& [name, value] : ev.values) {
      const OwnedOption<T>* o = nullptr;
      for (const auto& c : opts_)
        if (c.def.name == name) o = &c;
      if (!o || !o->set) throw ValueError("option '" + name + "' is not an option of this engine");
      o->set(t, value, ctx);
    }
    return t;
  }

 private:
  std::vector<OwnedOption<T>> opts_;
};

// Per-area registries (one file each).
void add_core_options(std::vector<OptionDef>& t);
void add_io_options(std::vector<OptionDef>& t);
void add_engine_options(std::vector<OptionDef>& t);
void add_result_options(std::vector<OptionDef>& t);
void add_misc_options(std::vector<OptionDef>& t);  // issue 15 "misc" (option_table_misc.cpp)
void add_unsupported_options(std::vector<OptionDef>& t);
void add_flow_options(std::vector<OptionDef>& t);  // issue 15, part flow
void add_iolog_options(std::vector<OptionDef>& t);  // option_table_iolog.cpp
void add_parse_options(std::vector<OptionDef>& t);  // issue 15 part "parse": numa
void add_ss_options(std::vector<OptionDef>& t);  // option_table_ss.cpp (issue 15, part ss)
void add_latq_options(std::vector<OptionDef>& t);  // option_table_latq.cpp (issue 15, part latq)
void add_logz_options(std::vector<OptionDef>& t);  // option_table_logz.cpp (issue 15, part logz)
// cpus_allowed's list syntax "0,5,8-15" -> sorted, unique CPU numbers (option_table_io.cpp);
// the one parser of every option that takes a CPU list.
std::vector<int> parse_cpu_list(const std::string& text);
void add_prio_options(std::vector<OptionDef>& t);  // option_table_prio.cpp (issue 15, part prio)
void add_verify_options(std::vector<OptionDef>& t);  // option_table_verify.cpp (issue 15, part verify)
void add_engines_options(std::vector<OptionDef>& t);  // option_table_engines.cpp (issue 15, part engines)
void add_exec_options(std::vector<OptionDef>& t);  // option_table_exec.cpp (issue 15, part exec)
void add_xverify_options(std::vector<OptionDef>& t);  // option_table_xverify.cpp (issue 16, part xverify)
// experimental_verify combinations fiokit refuses (option_table_xverify.cpp); `at` is the option's line.
void check_xverify(const JobSpec& s, const SourceLoc& at);
void add_dedupe_options(std::vector<OptionDef>& t);  // option_table_dedupe.cpp (issue 15, part dedupe)
// dedupe_mode=working_set's checks (option_table_dedupe.cpp); `where` names an option's file:line.
void validate_dedupe(const JobSpec& s, const std::function<SourceLoc(std::string_view)>& where);

}  // namespace fiokit::jobs
