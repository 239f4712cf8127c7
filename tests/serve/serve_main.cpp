// Test-only stand-in for `fiokit serve` until cli/main.cpp dispatches to
// cmd_serve: the same code path, so tests and the benchmark exercise the real
// argument handling, startup and signal handling.
#include <string>
#include <vector>

namespace fiokit::cli {
int cmd_serve(const std::vector<std::string>& args);
}

int main(int argc, char** argv) { return fiokit::cli::cmd_serve({argv + 1, argv + argc}); }
