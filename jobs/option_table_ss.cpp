// Option table, part "ss" (issue 15): steady-state termination (steadystate /
// ss, steadystate_duration / ss_dur, steadystate_ramp_time / ss_ramp), as fio
// 3.33 documents them in HOWTO "Steady state". Names, aliases, defaults and
// value syntax follow `fio --cmdhelp`; values fio would silently bend (a
// fractional ss_dur it truncates to whole seconds, a limit with trailing junk)
// are errors here. The engine side is engine/steady_state.*.
#include <fmt/format.h>

#include <cmath>

#include "jobs/options.hpp"

namespace fiokit::jobs {
namespace {

// "iops:10%", "iops_slope:0.1", "bw:12m", "bw_slope:.5%": the criterion, then
// the limit. fio: a limit ending in '%' is a percentage of the window's mean;
// otherwise IOPS for the iops criteria and a size (bytes/s, kb_base units) for
// the bw criteria. fio requires the limit ("steadystate threshold must be
// specified in addition to criterion").
void set_steadystate(JobSpec& s, const std::string& value, const ApplyCtx& ctx) {
  const std::string v = trim(value);
  const size_t colon = v.find(':');
  const std::string head = trim(v.substr(0, colon));
  SteadyStateSpec& ss = s.ss;
  ss.iops = head == "iops" || head == "iops_slope";
  ss.slope = head == "iops_slope" || head == "bw_slope";
  const std::string limit = colon == std::string::npos ? "" : trim(v.substr(colon + 1));
  if (limit.empty())
    throw ValueError(fmt::format("'{}' has no limit: write the criterion then ':limit' (e.g. {}:0.1%)", v, head));
  double lim = 0;
  if (limit.back() == '%') {
    ss.pct = true;
    lim = parse_double(trim(limit.substr(0, limit.size() - 1)));
  } else {
    ss.pct = false;
    lim = ss.iops ? parse_double(limit) : static_cast<double>(parse_size(limit, ctx.kb_base));
  }
  if (!(lim >= 0) || !std::isfinite(lim)) throw ValueError(fmt::format("limit '{}' must be a number >= 0", limit));
  ss.limit = lim;
}

// fio keeps ss_dur in whole seconds (one sample per second); 1500ms would be
// cut to 1 s there, and anything under a second turns the feature off without
// a word. fiokit asks for what it will do.
void set_ss_dur(JobSpec& s, const std::string& v, const ApplyCtx&) {
  const uint64_t us = parse_time_us(v, TimeUnit::s);
  if (us % 1'000'000 != 0)
    throw ValueError(fmt::format("'{}' is not a whole number of seconds (steady state takes one sample per second)", trim(v)));
  s.ss.dur_s = us / 1'000'000;
}

}  // namespace

void add_ss_options(std::vector<OptionDef>& t) {
  const std::string ss = "Steady state";
  t.push_back(Opt("steadystate", "Stop the job when a metric is steady: iops, iops_slope, bw, bw_slope, then :limit (N or N%)")
                  .alias("ss")
                  .enumeration({{"iops", "largest deviation of the IOPS samples from their mean"},
                                {"iops_slope", "slope of the least-squares line through the IOPS samples"},
                                {"bw", "largest deviation of the bandwidth samples from their mean"},
                                {"bw_slope", "slope of the least-squares line through the bandwidth samples"}},
                               set_steadystate)
                  .param().def("iops_slope:0.01%").cat(ss));
  t.push_back(Opt("steadystate_duration", "Judge steady state over a sliding window this long (one sample per second; 0: off)")
                  .alias("ss_dur").custom(OptType::time, set_ss_dur).unit(TimeUnit::s).def("0").cat(ss));
  t.push_back(Opt("steadystate_ramp_time", "Wait this long before taking steady-state samples")
                  .alias("ss_ramp")
                  .custom(OptType::time, [](JobSpec& s, const std::string& v, const ApplyCtx&) { s.ss.ramp_us = parse_time_us(v, TimeUnit::s); })
                  .unit(TimeUnit::s).def("0").cat(ss));
}

}  // namespace fiokit::jobs
