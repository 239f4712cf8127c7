// The compare page for `fiokit sweep` directories (issue 17: "compare works
// on sweeps point by point"): each picked sweep against the first, one table
// row per point (its option values, repeats per side, the gate's verdict,
// links to both sub-run pages), judged by results/compare_sweep.cpp exactly
// as `fiokit compare SWEEP_A SWEEP_B` judges them. A point on one side only
// is a row of its own and keeps the verdict from "pass". Every file is read
// through the served Root.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "serve/confine.hpp"
#include "serve/run_index.hpp"

namespace fiokit::serve {

// "" when the picked entries can be compared together (all runs, or all
// sweeps); else why not, naming which are sweeps and which are runs.
std::string compare_kind_error(const std::vector<std::shared_ptr<const RunInfo>>& picked);

// True when every picked entry is a sweep (and there is at least one).
bool all_sweeps(const std::vector<std::shared_ptr<const RunInfo>>& picked);

// The whole compare page for two or more sweeps.
std::string render_sweep_compare_page(const Root& root, const std::vector<std::shared_ptr<const RunInfo>>& sweeps);

}  // namespace fiokit::serve
