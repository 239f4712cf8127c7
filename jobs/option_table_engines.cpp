// Option table, issue 15's "engines" part: the job options of that part that
// are not an engine's own (the cpuio and exec engines declare theirs beside
// their code, engine/cpuio_engine.cpp and engine/exec_engine.cpp):
// fill_device (alias fill_fs); exec_prerun / exec_postrun are part exec's
// (option_table_exec.cpp). Names, aliases, types and defaults follow `fio
// --cmdhelp` of 3.33. What the run does with them: volumes/layout.cpp and
// engine/worker.cpp.
#include "jobs/options.hpp"

namespace fiokit::jobs {

void add_engines_options(std::vector<OptionDef>& t) {
  t.push_back(Opt("fill_device", "Write until an ENOSPC error occurs (the file system or device is full); the job then ends "
                                 "without an error")
                  .alias("fill_fs").boolean(&JobSpec::fill_device).def("0").cat("I/O size"));
}

}  // namespace fiokit::jobs
