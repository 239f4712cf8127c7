// `fiokit compare` on two `fiokit sweep` directories: point by point (see
// compare_sweep.cpp). Kept apart from cli/compare.cpp, which only hands over
// when both arguments are sweeps.
#pragma once
#include <string>

#include "results/compare.hpp"

namespace fiokit::cli {

// Prints each matched point's gate table (unless quiet) and every point not
// compared on stderr. Returns 0 pass, 1 a regression at some point, 2 a point
// missing on one side, not finished, or invalid. Throws results::SweepError
// for an unreadable manifest.
int compare_sweeps(const std::string& baseline, const std::string& current, const results::CompareOptions& opt,
                   bool quiet);

}  // namespace fiokit::cli
