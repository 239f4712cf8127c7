// Option table, issue 15's "exec" part: exec_prerun and exec_postrun, the two
// job options that run a shell command before and after the job (fio 3.33's
// system(3) of "CMD > NAME.prerun.txt 2>&1"). The exec engine's own options
// (program, arguments, grace_time, std_redirect) live beside the engine in
// engine/exec_engine.cpp. Both kinds run commands, so a job file that came
// through REMOTEFILES may use none of them (jobs/remote_policy.cpp). What the
// run does with the commands: engine/job_commands.cpp.
#include "jobs/options.hpp"

namespace fiokit::jobs {

void add_exec_options(std::vector<OptionDef>& t) {
  const std::string proc = "CPU and process";
  t.push_back(Opt("exec_prerun", "Shell command run before the job; its output goes to JOBNAME.prerun.txt and a failure skips the job").str(&JobSpec::exec_prerun).cat(proc));
  t.push_back(Opt("exec_postrun", "Shell command run after the job; its output goes to JOBNAME.postrun.txt").str(&JobSpec::exec_postrun).cat(proc));
}

}  // namespace fiokit::jobs
