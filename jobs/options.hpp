// The one declarative option table (DESIGN.md rule 2). Each OptionDef names an
// option as fio spells it, with aliases, type, default, range, allowed values,
// help and category, and a setter that writes the parsed value into a JobSpec
// through a pointer-to-member. The same table drives parsing, defaults,
// --cmdhelp and "did you mean". Options fio documents but fiokit does not run
// are in the table too, marked Unsupported, so they fail loudly instead of
// being ignored. Cross-option checks live in parse.cpp, not in setters.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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

// The table, built once from the per-area registries below (explicit, no static
// constructors: DESIGN.md pitfalls).
const std::vector<OptionDef>& option_table();
const OptionDef* find_option(std::string_view name);  // by name or alias, case-sensitive as fio
// Closest known option names for a typo, best first (edit distance), at most `n`.
std::vector<std::string> suggest_options(std::string_view name, size_t n = 1);
// --cmdhelp text: one option in detail, or "all" (every option, by category).
std::string cmdhelp(std::string_view name);

// Per-area registries (one file each).
void add_core_options(std::vector<OptionDef>& t);
void add_io_options(std::vector<OptionDef>& t);
void add_engine_options(std::vector<OptionDef>& t);
void add_result_options(std::vector<OptionDef>& t);
void add_unsupported_options(std::vector<OptionDef>& t);

}  // namespace fiokit::jobs
