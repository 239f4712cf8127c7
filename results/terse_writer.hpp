// fio's terse output, version 3 ("--minimal" / "--output-format=terse"), as a
// pure function of RunResult: one ';'-separated line per reported job with the
// same fields in the same order as fio 3.33 (HOWTO "Terse output"), so scripts
// that pick fields by position keep working.
#pragma once
#include <string>

#include "results/run_result.hpp"

namespace fiokit::results {

std::string write_terse(const RunResult& run);

}  // namespace fiokit::results
