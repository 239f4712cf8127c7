// Option table, part "prio" (issue 15): I/O priorities. prio / prioclass set
// the job's I/O priority (fio 3.33 calls ioprio_set on the job's thread and
// puts the same value in every io_uring request); cmdprio_percentage,
// cmdprio_class, cmdprio and cmdprio_bssplit (io_uring and libaio only) send a
// share of the I/Os with another priority, per direction or per block size,
// and the report then splits the latency statistics per priority. Names,
// ranges and value syntax follow `fio --cmdhelp` and HOWTO "cmdprio_*"; where
// fio bends a value silently (a bssplit class of 9 clamped to 3, a level of 12
// clamped to 7, a percentage of 150 clamped to 100) fiokit refuses it. The
// engine side is engine/cmdprio.*, the report side results/prio_stats.*.
#include <fmt/format.h>

#include <algorithm>

#include "jobs/options.hpp"

namespace fiokit::jobs {
namespace {

uint32_t checked(const std::string& text, int64_t lo, int64_t hi, const char* what) {
  const int64_t v = parse_int(trim(text), false);
  if (v < lo || v > hi) throw ValueError(fmt::format("{} '{}' is out of range {}..{}", what, trim(text), lo, hi));
  return static_cast<uint32_t>(v);
}

// "a[,b]": the read value, then the write value; one value serves both (fio's
// int options with two offsets). A third value (trim) is refused: fio has no
// trim priority and would reject it.
void set_rw_pair(std::array<uint32_t, 2>& out, const std::string& v, int64_t lo, int64_t hi, const char* what) {
  const std::vector<std::string> parts = split(v, ',');
  if (parts.empty() || parts.size() > 2)
    throw ValueError(fmt::format("'{}': give one value, or two as read,write", trim(v)));
  std::array<uint32_t, 2> r{};
  for (size_t i = 0; i < 2; ++i) {
    const std::string& p = i < parts.size() ? parts[i] : parts[0];
    if (trim(p).empty()) throw ValueError(fmt::format("'{}' has an empty value", trim(v)));
    r[i] = checked(p, lo, hi, what);
  }
  out = r;
}

// One direction of cmdprio_bssplit: "bs/perc[/class/level]:..." (fio 3.33's
// two formats; "bs/" alone is a 0% entry). 0% entries are dropped, the rest
// sorted by block size, keeping the written order within one size: that
// order decides which class a drawn percentage falls in.
std::vector<JobSpec::CmdPrioSplit> parse_cmdprio_split(const std::string& text, int kb_base) {
  std::vector<JobSpec::CmdPrioSplit> out;
  for (const std::string& raw : split(text, ':')) {
    const std::string e = trim(raw);
    if (e.empty()) break;  // fio stops at an empty entry
    const std::vector<std::string> f = split(e, '/');
    if (f.size() > 4 || f.size() == 3)
      throw ValueError(fmt::format("entry '{}': write bs/percent or bs/percent/class/level", e));
    JobSpec::CmdPrioSplit s;
    s.bs = parse_size(trim(f[0]), kb_base);
    if (s.bs == 0) throw ValueError(fmt::format("entry '{}': block size must be > 0", e));
    if (f.size() >= 2 && !trim(f[1]).empty()) s.perc = checked(f[1], 0, 100, "percentage");
    if (f.size() == 4) {
      const uint32_t cls = checked(f[2], 0, 3, "priority class");
      const uint32_t lvl = checked(f[3], 0, 7, "priority level");
      s.ioprio = static_cast<int32_t>(((cls ? cls : 2u) << 13) | lvl);  // class 0 means BE, as ioprio_value
    }
    if (s.perc) out.push_back(s);
  }
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.bs < b.bs; });
  for (size_t i = 0; i < out.size();) {
    uint32_t tot = 0;
    size_t j = i;
    for (; j < out.size() && out[j].bs == out[i].bs; ++j) tot += out[j].perc;
    if (tot > 100) throw ValueError(fmt::format("the percentages for block size {} add up to {} (over 100)", out[i].bs, tot));
    i = j;
  }
  return out;
}

void set_cmdprio_bssplit(JobSpec& s, const std::string& v, const ApplyCtx& c) {
  // fio's per-direction split: "r,w[,t]"; one list serves both; trim's is ignored.
  const std::vector<std::string> parts = split(v, ',');
  if (parts.size() > 3) throw ValueError("at most three comma-separated lists (read,write,trim)");
  s.cmdprio_bssplit[0] = parse_cmdprio_split(parts[0], c.kb_base);
  s.cmdprio_bssplit[1] = parts.size() > 1 ? parse_cmdprio_split(parts[1], c.kb_base) : s.cmdprio_bssplit[0];
  if (parts.size() > 2) parse_cmdprio_split(parts[2], c.kb_base);  // checked, then ignored as fio
  s.cmdprio_bssplit_given = !trim(v).empty();
}

}  // namespace

void add_prio_options(std::vector<OptionDef>& t) {
  const std::string proc = "CPU and process";
  t.push_back(Opt("prio", "Set job I/O priority value (0-7, 0 highest)")
                  .custom(OptType::integer, [](JobSpec& s, const std::string& v, const ApplyCtx&) {
                    s.prio = checked(v, 0, 7, "prio");
                    s.ioprio_given = true;
                  })
                  .range(0, 7).cat(proc));
  t.push_back(Opt("prioclass", "Set job I/O priority class (0 none/best effort, 1 realtime, 2 best effort, 3 idle)")
                  .custom(OptType::integer, [](JobSpec& s, const std::string& v, const ApplyCtx&) {
                    s.prioclass = checked(v, 0, 3, "prioclass");
                    s.ioprio_given = true;
                  })
                  .range(0, 3).cat(proc));

  const std::string prio = "I/O engine specific (io_uring, libaio)";
  const std::vector<std::string> engs = {"io_uring", "libaio"};
  t.push_back(Opt("cmdprio_percentage", "Percent of I/Os sent with cmdprio_class/cmdprio (0-100); read,write")
                  .custom(OptType::per_dir_size, [](JobSpec& s, const std::string& v, const ApplyCtx&) {
                    set_rw_pair(s.cmdprio_percentage, v, 0, 100, "cmdprio_percentage");
                  })
                  .range(0, 100).def("0").engines(engs).cat(prio));
  t.push_back(Opt("cmdprio_class", "Priority class of the cmdprio I/Os (1-3; default 1, realtime); read,write")
                  .custom(OptType::custom, [](JobSpec& s, const std::string& v, const ApplyCtx&) {
                    set_rw_pair(s.cmdprio_class, v, 1, 3, "cmdprio_class");
                  })
                  .range(1, 3).engines(engs).cat(prio));
  t.push_back(Opt("cmdprio", "Priority level of the cmdprio I/Os (0-7; default 0); read,write")
                  .custom(OptType::custom, [](JobSpec& s, const std::string& v, const ApplyCtx&) {
                    set_rw_pair(s.cmdprio_level, v, 0, 7, "cmdprio");
                  })
                  .range(0, 7).engines(engs).cat(prio));
  t.push_back(Opt("cmdprio_bssplit", "Priority percentages per block size: bs/percent[/class/level]:...[,write list]")
                  .custom(OptType::bssplit, set_cmdprio_bssplit).engines(engs).cat(prio));
}

}  // namespace fiokit::jobs
