// The merged results.json of a cluster run, from what its members sent: a
// done member's hosts/I/results.json, a running member's latest
// hosts/I/status.json (a failed member's results.json, else its last
// status). A member whose file cannot be read is merged without it, its
// entry saying why, rather than leaving the run without results.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "serve/cluster_store.hpp"

namespace fiokit::serve::cluster {

// The results.json text for run r (its state as it will be written);
// incomplete while members still run. Throws std::runtime_error when no
// merge can be made at all. `dropped` (when given) receives each member
// merged without its results, with why, so the run's own state can say so.
std::string merge_run(const std::string& data_dir, const Run& r, bool incomplete,
                      std::vector<std::pair<int, std::string>>* dropped = nullptr);

}  // namespace fiokit::serve::cluster
