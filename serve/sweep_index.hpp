// How the run index shows `fiokit sweep` directories. A sweep writes
// runs/<id>/ with sweep.json and one sub-run per point under its own runs/,
// but no results.json, so the index used to badge it a broken run. Here a
// sweep becomes one row (status "sweep", its points and their status, a link
// to /sweeps/<id>), and a sub-run gets an id of its own, "<sweep-id>@<sub-run>"
// (runs/<sweep-id>/runs/<sub-run>/), that the run page and the run APIs
// resolve on demand: the index never lists or keeps the sub-runs, so 5,000
// runs cost what they did. '@' rather than '/' keeps every /runs/<id> route's
// one-segment pattern; the parts are checked here and every file is still
// opened through the confined Root, so an id cannot name a directory outside
// the served tree (nor a directory that is not a sweep's sub-run).
#pragma once
#include <cstdint>
#include <string>

#include "serve/confine.hpp"
#include "serve/run_summary.hpp"

namespace fiokit::serve {

// Separates the sweep id from the sub-run id in a nested run id.
inline constexpr char kSubRunSep = '@';

struct SweepRow {
  RunSummary summary;
  std::string error;      // sweep.json unreadable: why ("" when fine)
  int64_t timestamp = 0;  // the sweep's start (unix s), 0 when unknown
  bool running = false;   // not finished nor interrupted: keep watching sweep.json
};

// The index row of the sweep in rel_dir (which holds sweep.json).
SweepRow summarise_sweep(const Root& root, const std::string& rel_dir);

// The nested run id of a point's sub-run ("runs/<name>" relative to the
// sweep directory, as fiokit sweep records it); "" when it has another shape.
std::string sub_run_id(const std::string& sweep_id, const std::string& point_run);

// The run directory a nested id names ("runs/<sweep>/runs/<sub>"), when the
// id has that shape, the sweep directory holds sweep.json and the sub-run
// directory exists beneath the root; "" otherwise.
std::string nested_run_dir(const Root& root, const std::string& id);

}  // namespace fiokit::serve
