// Option table, part "verify" (issue 15): verify_async and verify_async_cpus
// (the threads that check verify reads; engine/verify_pool.*). Names,
// defaults and ranges follow `fio --cmdhelp` of 3.33.
#include <set>

#include <fmt/format.h>

#include "jobs/options.hpp"

namespace fiokit::jobs {
namespace {

// verify_async_cpus takes cpus_allowed's syntax: "0,5,8-15".
std::vector<int> parse_cpus(const std::string& text) {
  std::set<int> cpus;
  for (const auto& part : split(text, ',')) {
    const std::string p = trim(part);
    if (p.empty()) throw ValueError("empty entry in CPU list '" + text + "'");
    const size_t dash = p.find('-');
    const int64_t lo = parse_int(p.substr(0, dash)), hi = dash == std::string::npos ? lo : parse_int(p.substr(dash + 1));
    if (lo < 0 || hi < lo) throw ValueError("bad CPU range '" + p + "'");
    if (hi >= 4096) throw ValueError(fmt::format("CPU number {} is above 4095", hi));
    for (int64_t c = lo; c <= hi; ++c) cpus.insert(static_cast<int>(c));
  }
  return {cpus.begin(), cpus.end()};
}

}  // namespace

void add_verify_options(std::vector<OptionDef>& t) {
  const std::string ver = "Verification";
  t.push_back(Opt("verify_async", "Threads that check verify reads beside the job's I/O (0: the job's thread checks them)")
                  .integer(&JobSpec::verify_async).range(0, 1024).def("0").cat(ver));
  t.push_back(Opt("verify_async_cpus", "CPUs the verify_async threads may run on: a list like 0,5,8-15")
                  .custom(OptType::str, [](JobSpec& s, const std::string& v, const ApplyCtx&) { s.verify_async_cpus = parse_cpus(v); })
                  .cat(ver));
}

}  // namespace fiokit::jobs
