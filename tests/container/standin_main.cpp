// Stand-in for the fiokit binary until cli/main.cpp dispatches `container`:
// the same subcommands the container entrypoint calls, nothing else.
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "jobs/error.hpp"

namespace fiokit::cli {
int cmd_run(const std::vector<std::string>& args);
int cmd_plot(const std::vector<std::string>& args);
int cmd_serve(const std::vector<std::string>& args);
int cmd_container(const std::vector<std::string>& args);
}  // namespace fiokit::cli

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) return 2;
  const std::string cmd = args.front();
  args.erase(args.begin());
  try {
    if (cmd == "container") return fiokit::cli::cmd_container(args);
    if (cmd == "run") return fiokit::cli::cmd_run(args);
    if (cmd == "plot") return fiokit::cli::cmd_plot(args);
    if (cmd == "serve") return fiokit::cli::cmd_serve(args);
  } catch (const fiokit::jobs::ParseError& e) {
    std::fprintf(stderr, "fiokit: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fiokit: %s\n", e.what());
    return 1;
  }
  std::fprintf(stderr, "fiokit: unknown command '%s'\n", cmd.c_str());
  return 2;
}
