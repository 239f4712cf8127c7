// Two sections of the run page that turn fiokit's raw records into something
// read at a glance: the host and volume details (results.json's "fiokit" key
// stores sizes as byte counts, 270553174016, and shows as 252 GiB here) and
// the repeats of a `fiokit run --repeat N` (repeats.json: each repeat's status
// and the spread of every metric), which the page did not show at all.
#pragma once
#include <string>

#include "results/run_result.hpp"
#include "serve/run_index.hpp"

namespace fiokit::serve {

// "<h2>Host and volumes</h2>..." from the run's extras (run-wide and per job).
std::string render_host_section(const results::RunResult& result);

// "<h2>Repeats</h2>..." from repeats.json's text; "" when the run has none.
// An unreadable repeats.json is said so, with a link to the file.
std::string render_repeats_section(const RunInfo& run);

}  // namespace fiokit::serve
