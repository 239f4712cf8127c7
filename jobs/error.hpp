// Errors of the jobs stage. A ParseError always carries where the text came from
// (file and line, or the command-line argument) so the user sees the option,
// the file and the line; the CLI turns it into exit code 2.
#pragma once
#include <stdexcept>
#include <string>

namespace fiokit::jobs {

// Where a piece of job text came from: a file and 1-based line, or the command line.
struct SourceLoc {
  std::string file;  // "<command line>" for CLI options, "<stdin>" for "-"
  int line = 0;      // 0 when not applicable (command line)
  std::string str() const { return line > 0 ? file + ":" + std::to_string(line) : file; }
  bool operator==(const SourceLoc&) const = default;
};

// A value that cannot be parsed. Thrown by units.cpp without a location; the
// caller that knows the option and the location rethrows it as ParseError.
struct ValueError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A job-file or command-line error: message already names the option and place.
// Several errors are joined with '\n', one per line (jobs/report_limits.hpp).
struct ParseError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// "MESSAGE (FILE:LINE)", the one format every jobs error uses.
[[noreturn]] inline void fail_at(const SourceLoc& loc, const std::string& msg) {
  throw ParseError(msg + " (" + loc.str() + ")");
}

}  // namespace fiokit::jobs
