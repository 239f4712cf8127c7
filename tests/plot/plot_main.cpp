// Test-only stand-in for `fiokit plot` until cli/main.cpp dispatches to
// cmd_plot: the same code path, so tests and the benchmark exercise the real
// argument handling and exit codes.
#include <string>
#include <vector>

namespace fiokit::cli {
int cmd_plot(const std::vector<std::string>& args);
}

int main(int argc, char** argv) { return fiokit::cli::cmd_plot({argv + 1, argv + argc}); }
