// fiokit_compare: `fiokit compare` as its own executable, so the gate's exit
// codes and reports are tested end to end (and usable in CI images) whether or
// not the main binary has wired the subcommand in yet. No exception leaves main.
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

namespace fiokit::cli {
int cmd_compare(const std::vector<std::string>& args);
}

int main(int argc, char** argv) {
  try {
    return fiokit::cli::cmd_compare(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fiokit compare: %s\n", e.what());
    return 2;
  }
}
