// cli::UsageError: the one error type of a bad command line or environment
// (unknown flag, missing or malformed value, JOBFILES naming nothing). Nothing
// ran; whoever catches it prints the message and exits 2. Kept apart from
// flags.hpp so code that only throws it need not see Boost.Program_options.
#pragma once
#include <stdexcept>

namespace fiokit::cli {

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace fiokit::cli
