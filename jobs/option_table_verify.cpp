// Option table, part "verify" (issue 15): verify_async and verify_async_cpus
// (the threads that check verify reads; engine/verify_pool.*). Names,
// defaults and ranges follow `fio --cmdhelp` of 3.33.
#include "jobs/options.hpp"

namespace fiokit::jobs {

void add_verify_options(std::vector<OptionDef>& t) {
  const std::string ver = "Verification";
  t.push_back(Opt("verify_async", "Threads that check verify reads beside the job's I/O (0: the job's thread checks them)")
                  .integer(&JobSpec::verify_async).range(0, 1024).def("0").cat(ver));
  // cpus_allowed's syntax ("0,5,8-15"), through the same parser.
  t.push_back(Opt("verify_async_cpus", "CPUs the verify_async threads may run on: a list like 0,5,8-15")
                  .custom(OptType::str, [](JobSpec& s, const std::string& v, const ApplyCtx&) { s.verify_async_cpus = parse_cpu_list(v); })
                  .cat(ver));
}

}  // namespace fiokit::jobs
