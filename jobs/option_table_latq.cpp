// Option table, part "latq" (issue 15): fio 3.33's latency-target search
// (HOWTO "I/O latency": latency_target, latency_window, latency_percentile,
// latency_run). Names, defaults and units follow `fio --cmdhelp`: the two
// times are in microseconds when no unit is given, the percentile is one
// number from 0 to 100 (fio's float list of length 1). The search itself is
// engine/latency_target.*, driven by the worker (engine/worker_latency.cpp).
#include <fmt/format.h>

#include <cmath>

#include "jobs/options.hpp"

namespace fiokit::jobs {
namespace {

// fio parses a float list of at most one value, range 0..100; it takes the
// first of "99:98" silently. fiokit asks for the one number it will use.
void set_latency_percentile(JobSpec& s, const std::string& value, const ApplyCtx&) {
  const std::string v = trim(value);
  if (v.find(':') != std::string::npos) throw ValueError(fmt::format("'{}' is a list; give one percentile (0 to 100)", v));
  const double p = parse_double(v);
  if (!(p >= 0.0 && p <= 100.0)) throw ValueError(fmt::format("'{}' is out of range: a percentile is from 0 to 100", v));
  s.latency_percentile = p;
}

}  // namespace

void add_latq_options(std::vector<OptionDef>& t) {
  const std::string lat = "Latency target";
  t.push_back(Opt("latency_target", "Find the highest queue depth whose I/Os stay under this latency (bare number in microseconds)")
                  .time(&JobSpec::latency_target_us, TimeUnit::us).def("0").cat(lat));
  t.push_back(Opt("latency_window", "Judge latency_target over windows this long, one depth each (bare number in microseconds)")
                  .time(&JobSpec::latency_window_us, TimeUnit::us).def("0").cat(lat));
  t.push_back(Opt("latency_percentile", "Percent of the window's I/Os that must meet latency_target")
                  .custom(OptType::real, set_latency_percentile).def("100").cat(lat));
  t.push_back(Opt("latency_run", "Keep adjusting the queue depth to latency_target until the job ends (0: stop once found)")
                  .boolean(&JobSpec::latency_run).def("0").cat(lat));
  // io_submit_mode (HOWTO "I/O depth"): offload hands the job's I/Os to
  // iodepth submit threads (engine/offload_engine.cpp). The engines that
  // cannot be offloaded are refused in the cross-option pass (jobs/parse.cpp).
  t.push_back(Opt("io_submit_mode", "Submit I/O inline or from helper threads (offload)")
                  .enumeration({{"inline", "the job's thread submits"}, {"offload", "helper threads submit"}},
                               [](JobSpec& s, const std::string& v, const ApplyCtx&) { s.io_submit_offload = trim(v) == "offload"; })
                  .def("inline").cat("I/O depth"));
}

}  // namespace fiokit::jobs
