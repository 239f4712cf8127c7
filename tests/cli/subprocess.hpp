// Runs the real fiokit binary for CLI tests: arguments, optional stdin text, a
// signal sent after a delay, and stdout/stderr/exit status captured. Exit code
// follows the shell's convention (128+N when killed by signal N).
#pragma once
#include <chrono>
#include <filesystem>
#include <string>
#include <utility>
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
  // The child's environment: this process's, with `env` set over it and the
  // names in `unset_env` removed.
  std::vector<std::pair<std::string, std::string>> env;
  std::vector<std::string> unset_env;
};

Outcome run_fiokit(const RunSpec& spec);
std::string fiokit_path();  // from FIOKIT_BIN (set by CMake)
std::string make_temp_dir(const std::string& tag);
// Prints "SKIP: <reason>" and exits 77: only for cases run in a CTest entry
// with SKIP_RETURN_CODE 77 (their own entry, so the skip ends nothing else).
[[noreturn]] void skip(const std::string& reason);
// skip(what + " needs root") unless the effective uid is 0.
void skip_unless_root(const std::string& what);
std::string slurp(const std::filesystem::path& p);  // the file's bytes; "" when it cannot be read

}  // namespace fiokit::test
