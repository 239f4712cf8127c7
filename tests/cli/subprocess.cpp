// See subprocess.hpp. poll(2) drains both pipes so a chatty child never blocks.
#include "subprocess.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace fiokit::test {

std::string fiokit_path() { return FIOKIT_BIN; }

std::string make_temp_dir(const std::string& tag) {
  std::string tmpl = "/tmp/fiokit-" + tag + "-XXXXXX";
  if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
  return tmpl;
}

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void skip(const std::string& reason) {
  std::printf("SKIP: %s\n", reason.c_str());
  std::fflush(stdout);
  std::exit(77);
}

void skip_unless_root(const std::string& what) {
  if (::geteuid() != 0) skip(what + " needs root");
}

Outcome run_fiokit(const RunSpec& spec) {
  int in[2], out[2], err[2];
  if (pipe(in) || pipe(out) || pipe(err)) throw std::runtime_error("pipe failed");
  // Built before fork: the child only calls async-signal-safe functions.
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) {
    const std::string kv = *e;
    const std::string name = kv.substr(0, kv.find('='));
    bool drop = false;
    for (const auto& n : spec.unset_env) drop = drop || n == name;
    for (const auto& [n, v] : spec.env) drop = drop || n == name;
    if (!drop) env_strings.push_back(kv);
  }
  for (const auto& [n, v] : spec.env) env_strings.push_back(n + "=" + v);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  const auto start = std::chrono::steady_clock::now();
  pid_t pid = fork();
  if (pid == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    dup2(err[1], 2);
    for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1]}) close(fd);
    if (!spec.cwd.empty() && chdir(spec.cwd.c_str()) != 0) _exit(126);
    std::vector<char*> argv;
    std::string bin = fiokit_path();
    argv.push_back(bin.data());
    std::vector<std::string> args = spec.args;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execve(bin.c_str(), argv.data(), envp.data());
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  close(err[1]);
  if (!spec.stdin_text.empty()) {
    ssize_t w = write(in[1], spec.stdin_text.data(), spec.stdin_text.size());
    (void)w;
  }
  close(in[1]);
  Outcome o;
  bool signalled = false;
  pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  int open_fds = 2;
  while (open_fds > 0) {
    const auto now = std::chrono::steady_clock::now();
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(now - start);
    if (spec.signal && !signalled && elapsed >= spec.signal_after) {
      kill(pid, spec.signal);
      signalled = true;
    }
    if (elapsed >= spec.timeout) kill(pid, SIGKILL);
    if (poll(fds, 2, 20) < 0) break;
    for (auto& f : fds) {
      if (f.fd < 0 || !(f.revents & (POLLIN | POLLHUP))) continue;
      char buf[65536];
      ssize_t n = read(f.fd, buf, sizeof buf);
      if (n <= 0) {
        close(f.fd);
        f.fd = -1;
        --open_fds;
        continue;
      }
      (f.fd == out[0] ? o.out : o.err).append(buf, static_cast<size_t>(n));
    }
  }
  int status = 0;
  waitpid(pid, &status, 0);
  o.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  o.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return o;
}

}  // namespace fiokit::test
