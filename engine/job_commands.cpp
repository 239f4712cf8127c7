// exec_prerun / exec_postrun (issue 15, part exec): the job's shell commands,
// run as fio 3.33 runs them: system("CMD > NAME.prerun.txt 2>&1") on the
// job's own thread, after its files are laid out and before its first I/O
// (prerun), and after its logs are written (postrun), in the working
// directory, every clone of the job running its own (clones share the
// name, so the last one's output is what the file keeps). Measured: a prerun
// that exits non-zero skips the job: no I/O, no postrun; fio says nothing and
// reports the job with error 0 and exits 0, which fiokit does not copy: the
// job fails with ECANCELED and the reason (exit 1). A failing postrun changes
// nothing in fio; fiokit says so on stderr. fiokit spawns /bin/sh -c itself
// instead of calling system(3), which would change the whole process's signal
// dispositions while other jobs run, and quotes the job name in the
// redirection (fio does not; the file is the same for any name fio can run).
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "engine/worker.hpp"

extern char** environ;

namespace fiokit::engine {
namespace {

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// "" when the command ran and exited 0; otherwise what happened.
std::string run_job_command(const std::string& job, const std::string& command, const char* which) {
  fmt::print(stderr, "{} : Saving output of {} in {}.{}.txt\n", job, which, job, which);  // fio's line (on its stdout)
  const std::string line = fmt::format("{} > {}.{}.txt 2>&1", command, shell_quote(job), which);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);  // fiokit's threads block the signals it waits for
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
  const char* argv[] = {"sh", "-c", line.c_str(), nullptr};
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, "/bin/sh", nullptr, &attr, const_cast<char* const*>(argv), environ);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return fmt::format("cannot start /bin/sh: {}", std::strerror(rc));
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return fmt::format("waitpid: {}", std::strerror(errno));
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return {};
  const std::string how = WIFEXITED(status) ? fmt::format("exited with status {}", WEXITSTATUS(status))
                                            : fmt::format("was killed by signal {}", WTERMSIG(status));
  return fmt::format("{} (its output is in {}.{}.txt)", how, job, which);
}

}  // namespace

bool Worker::prerun() {
  if (spec.exec_prerun.empty()) return true;
  const std::string why = run_job_command(spec.name, spec.exec_prerun, "prerun");
  if (why.empty()) return true;
  record_error(ECANCELED, fmt::format("job '{}': exec_prerun={} {}; the job did not run", spec.name, spec.exec_prerun, why));
  return false;
}

void Worker::postrun() {
  if (spec.exec_postrun.empty()) return;
  if (const std::string why = run_job_command(spec.name, spec.exec_postrun, "postrun"); !why.empty())
    fmt::print(stderr, "fiokit: job '{}': exec_postrun={} {} (the job's results stand, as in fio)\n", spec.name, spec.exec_postrun, why);
}

}  // namespace fiokit::engine
