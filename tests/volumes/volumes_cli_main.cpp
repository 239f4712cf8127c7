// A stand-in binary running only `fiokit volumes` (cli/volumes.cpp), so the
// volumes tests exercise the command as a program without depending on how
// the lead wires subcommands into cli/main.cpp.
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

namespace fiokit::cli {
int cmd_volumes(const std::vector<std::string>& args);
}

int main(int argc, char** argv) {
  try {
    return fiokit::cli::cmd_volumes(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fiokit volumes: %s\n", e.what());
    return 1;
  }
}
