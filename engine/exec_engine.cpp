// ioengine=exec: runs a program for the job's runtime, as fio 3.33's
// engines/exec.c does, so a job file can start a monitor (turbostat, iostat)
// beside its I/O jobs (fio's examples/exec.fio). Measured with fio 3.33 and
// matched here:
// - The first "I/O" starts program= with arguments= split on spaces (no
//   quoting; runs of spaces collapse), after fio's substitutions: %r is
//   runtime= in whole seconds, %n the job's name (%r first). With
//   std_redirect=1 (default) its stdout and stderr go to NAME.stdout and
//   NAME.stderr in the working directory, truncated.
// - Every later I/O sleeps 50 ms and, once the job has run longer than
//   runtime=, sends SIGTERM and sleeps grace_time seconds (default 1); the
//   job then ends at its runtime, and the engine's cleanup sends SIGKILL.
//   Each I/O is followed by a 50 ms think time (fio sets thinktime=50000,
//   thinktime_blocks=1, thinktime_spin=0 over what the job says), so an I/O
//   takes ~100 ms: runtime=2 gives 21 I/Os, ~48 ms mean latency, and the job
//   lasts runtime + grace_time (runtime=1, grace_time=1: 11 I/Os, 2.09 s).
// - It is fio's FIO_NOIO: I/Os are counted and timed and move no bytes, so
//   bw, iops and the direction's runtime read 0 (EngineFeatures::no_bytes),
//   and number_ios= ends the job early (then SIGKILL without a SIGTERM).
// - A program that ends early is not noticed: the job still runs its
//   runtime, error 0 (fiokit says on stderr how the program ended).
// Where fiokit differs, on purpose: a program that cannot be started (not
// found, not executable) fails the job with the reason (fio's forked child
// carries on as a second copy of fio and dies on an assertion); with
// std_redirect=0 the program's stdout goes to fiokit's stderr, so a JSON
// report on stdout stays pure; the program is reaped (waitpid), and a job
// that ended at its runtime before its last I/O could send SIGTERM still
// sends it (and waits grace_time) before SIGKILL.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include <fmt/format.h>

#include "engine/io_loop.hpp"

namespace fiokit::engine {
namespace {

struct ExecOptions {
  std::string program, arguments;
  bool arguments_given = false;
  uint64_t grace_time = 1;  // seconds
  bool std_redirect = true;
  bool operator==(const ExecOptions&) const = default;
};

const jobs::OwnedOptions<ExecOptions>& exec_options() {
  using jobs::Opt;
  const std::string cat = "I/O engine specific (exec)";
  static const jobs::OwnedOptions<ExecOptions> table({
      jobs::owned_custom<ExecOptions>(Opt("program", "Program to run for the job's runtime (found through PATH)").engines({"exec"}).cat(cat),
                                      jobs::OptType::str,
                                      [](ExecOptions& o, const std::string& v, const jobs::ApplyCtx&) { o.program = v; }),
      jobs::owned_custom<ExecOptions>(
          Opt("arguments", "Arguments of the program, split on spaces; %r is the runtime in seconds, %n the job's name")
              .engines({"exec"}).cat(cat),
          jobs::OptType::str,
          [](ExecOptions& o, const std::string& v, const jobs::ApplyCtx&) {
            o.arguments = v;
            o.arguments_given = true;
          }),
      jobs::owned_custom<ExecOptions>(
          Opt("grace_time", "Seconds between the SIGTERM at the runtime's end and the SIGKILL").range(0, INT32_MAX).def("1")
              .engines({"exec"}).cat(cat),
          jobs::OptType::integer,
          [](ExecOptions& o, const std::string& v, const jobs::ApplyCtx&) { o.grace_time = static_cast<uint64_t>(jobs::parse_int(v, false)); }),
      jobs::owned_custom<ExecOptions>(
          Opt("std_redirect", "Send the program's stdout and stderr to JOBNAME.stdout and JOBNAME.stderr").def("1")
              .engines({"exec"}).cat(cat),
          jobs::OptType::boolean,
          [](ExecOptions& o, const std::string& v, const jobs::ApplyCtx&) { o.std_redirect = jobs::parse_bool(v); }),
  });
  return table;
}

// Every occurrence of `what` in `s` replaced by `with`, left to right.
std::string replace_all(std::string s, const std::string& what, const std::string& with) {
  for (size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + with.size())) s.replace(at, what.size(), with);
  return s;
}

void sleep_ns(uint64_t ns) {
  timespec ts{static_cast<time_t>(ns / 1'000'000'000ull), static_cast<long>(ns % 1'000'000'000ull)};
  while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {
  }
}

class ExecEngine final : public EngineBase<ExecEngine> {
 public:
  // io_loop.hpp: completions go through Worker::complete_noio (no bytes).
  static constexpr bool kNoIo = true;
  static constexpr uint64_t kPollNs = 50'000'000;  // fio's thinktime=50000 (µs), slept in queue() and after it

  ~ExecEngine() override { stop_program(); }
  std::string_view name() const override { return "exec"; }
  int init(const EngineSetup& s) override {
    try {
      opt_ = exec_options().read(s.options);
    } catch (const std::exception& e) {
      hint_ = fmt::format("exec: {}", e.what());
      return -EINVAL;
    }
    if (opt_.program.empty()) {
      hint_ = "no program is defined, it is mandatory to define one (program=)";  // fio's words, and the option
      return -EINVAL;
    }
    name_ = s.job_name;
    runtime_ns_ = s.runtime_us * 1000;
    // fio's own line, on stderr (fio prints it into its report).
    fmt::print(stderr, "{} : program={}, arguments={}\n", name_, opt_.program, opt_.arguments_given ? opt_.arguments : "(null)");
    args_ = opt_.arguments_given ? replace_all(replace_all(opt_.arguments, "%r", std::to_string(s.runtime_us / 1'000'000)), "%n", name_)
                                 : std::string();
    const std::string cmd = opt_.arguments_given ? opt_.program + " " + args_ : opt_.program;
    for (size_t i = 0;;) {  // fio splits on ' ' only
      i = cmd.find_first_not_of(' ', i);
      if (i == std::string::npos) break;
      const size_t j = cmd.find(' ', i);
      argv_.push_back(cmd.substr(i, j == std::string::npos ? std::string::npos : j - i));
      if (j == std::string::npos) break;
      i = j;
    }
    return 0;
  }
  QueueResult queue(IoUnit& u) override {
    if (pid_ < 0) {
      const int rc = start_program();
      u.result = rc < 0 ? rc : 0;
      return QueueResult::completed;
    }
    sleep_ns(kPollNs);
    if (now_ns() - start_ns_ > runtime_ns_) term_program();
    u.result = 0;
    return QueueResult::completed;
  }
  // Runtime counts from the job's start, as fio's from td->start, the same
  // point the worker's deadline counts from: a job that ended at its
  // deadline has then always run its runtime here too, and the cleanup
  // sends SIGTERM before SIGKILL (counted from the first I/O, a few µs
  // later, the check could miss by those µs: SIGKILL alone).
  void start_io(uint64_t start_ns) override { start_ns_ = start_ns; }
  int commit() override { return 0; }
  int reap(unsigned, unsigned) override { return 0; }
  IoUnit* event(unsigned) override { return nullptr; }
  std::string error_hint() const override { return hint_; }
  uint64_t think_override_ns() const override { return kPollNs; }
  bool overrides_think() const override { return true; }

 private:
  // Opens the output files and starts the program; -errno with hint_ set
  // when it cannot run. A CLOEXEC pipe carries execvp's errno back.
  int start_program() {
    const std::string out = name_ + ".stdout", err = name_ + ".stderr";
    if (opt_.std_redirect)
      fmt::print(stderr, "{} : Saving output of {} {} : stdout={} stderr={}\n", name_, opt_.program,
                 opt_.arguments_given ? args_ : "(null)", out, err);
    else
      fmt::print(stderr, "{} : Running {} {}\n", name_, opt_.program, opt_.arguments_given ? args_ : "(null)");
    int out_fd = -1, err_fd = -1;
    auto close_fds = [&] {
      if (out_fd >= 0) ::close(out_fd);
      if (err_fd >= 0) ::close(err_fd);
    };
    if (opt_.std_redirect) {
      for (auto [path, fd] : {std::pair{&out, &out_fd}, std::pair{&err, &err_fd}}) {
        *fd = ::open(path->c_str(), O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0644);
        if (*fd < 0) {
          const int e = errno;
          hint_ = fmt::format("std_redirect: cannot open '{}': {}", *path, std::strerror(e));
          close_fds();
          return -e;
        }
      }
    }
    std::vector<char*> argv;
    for (auto& a : argv_) argv.push_back(a.data());
    argv.push_back(nullptr);
    int pipefd[2];
    if (::pipe2(pipefd, O_CLOEXEC) != 0) {
      const int e = errno;
      hint_ = fmt::format("cannot start '{}': pipe: {}", opt_.program, std::strerror(e));
      close_fds();
      return -e;
    }
    const pid_t pid = ::fork();
    if (pid == 0) {
      // The child of a threaded process: async-signal-safe calls only.
      if (opt_.std_redirect) {
        ::dup2(out_fd, 1);
        ::dup2(err_fd, 2);
      } else {
        ::dup2(2, 1);  // fiokit's stdout may be a JSON report
      }
      sigset_t none;
      sigemptyset(&none);
      ::sigprocmask(SIG_SETMASK, &none, nullptr);  // fiokit blocks signals in its workers
      ::execvp(argv[0], argv.data());
      const int e = errno;
      (void)!::write(pipefd[1], &e, sizeof e);
      ::_exit(127);
    }
    const int fork_errno = errno;
    ::close(pipefd[1]);
    close_fds();
    if (pid < 0) {
      ::close(pipefd[0]);
      hint_ = fmt::format("cannot start '{}': fork: {}", opt_.program, std::strerror(fork_errno));
      return -fork_errno;
    }
    int child_errno = 0;
    ssize_t n;
    while ((n = ::read(pipefd[0], &child_errno, sizeof child_errno)) < 0 && errno == EINTR) {
    }
    ::close(pipefd[0]);
    if (n == static_cast<ssize_t>(sizeof child_errno)) {
      ::waitpid(pid, nullptr, 0);
      hint_ = fmt::format("program={}: cannot run it: {}", opt_.program, std::strerror(child_errno));
      return -child_errno;
    }
    pid_ = pid;
    return 0;
  }
  void term_program() {
    ::kill(pid_, SIGTERM);
    termed_ = true;
    sleep_ns(opt_.grace_time * 1'000'000'000ull);
  }
  // The engine's cleanup: SIGKILL, as fio; then reap the program and say how
  // it ended if that was on its own.
  void stop_program() {
    if (pid_ <= 0) return;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      say_early_end(status);
      pid_ = -1;
      return;
    }
    if (!termed_ && runtime_ns_ && now_ns() - start_ns_ >= runtime_ns_) term_program();
    ::kill(pid_, SIGKILL);
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
  }
  void say_early_end(int status) const {
    if (termed_) return;  // our SIGTERM ended it
    if (WIFEXITED(status))
      fmt::print(stderr, "fiokit: job '{}': program {} exited with status {} before the job's end (fio 3.33 does not check)\n", name_,
                 opt_.program, WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
      fmt::print(stderr, "fiokit: job '{}': program {} was killed by signal {} before the job's end\n", name_, opt_.program,
                 WTERMSIG(status));
  }

  ExecOptions opt_;
  std::string name_, args_, hint_;
  std::vector<std::string> argv_;
  uint64_t runtime_ns_ = 0, start_ns_ = 0;
  pid_t pid_ = -1;
  bool termed_ = false;
};

}  // namespace

std::unique_ptr<IoEngine> make_exec_engine() { return std::make_unique<ExecEngine>(); }
std::vector<jobs::OptionDef> exec_option_defs() { return exec_options().defs(); }

}  // namespace fiokit::engine
