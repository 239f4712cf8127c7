// Runs the real fiokit binary for CLI tests: arguments, optional stdin text, a
// signal sent after a delay, and stdout/stderr/exit status captured. Exit code
// follows the shell's convention (128+N when killed by signal N).
#pragma once
#include <chrono>
#include <string>
#include <vector>

namespace fiokit::test {

struct Outcome {
  int code = -1;
  std::string out, err;
  std::chrono::milliseconds elapsed{0};
};

struct RunSpec {
  std::vector<std::string> args;          // without the program name
  std::string stdin_text;
  std::string cwd;                         // "" = current
  int signal = 0;                          // sent after signal_after
  std::chrono::milliseconds signal_after{0};
  std::chrono::milliseconds timeout{60000};  // SIGKILL after this
};

Outcome run_fiokit(const RunSpec& spec);
std::string fiokit_path();  // from FIOKIT_BIN (set by CMake)
std::string make_temp_dir(const std::string& tag);

}  // namespace fiokit::test
