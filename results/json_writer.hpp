// fio 3.33's JSON output ("--output-format=json") and json+ (plus=true adds the
// latency "bins") as a pure function of RunResult. Keys, nesting, order, units
// and number formatting are fio's (integers bare, doubles "%f"), so every script
// written against fio's JSON reads fiokit's unchanged; fiokit's own additions go
// under one top-level "fiokit" key that fio's readers ignore.
#pragma once
#include <string>

#include "results/run_result.hpp"

namespace fiokit::results {

std::string write_json(const RunResult& run, bool plus);

}  // namespace fiokit::results
