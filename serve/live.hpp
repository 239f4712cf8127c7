// Live figures of a run in progress: GET /api/runs/ID/live answers, for a
// cluster run (docs/cluster-protocol.md) or a local run whose results.json is
// still a checkpoint, the current figures per host and summed over hosts:
// per job and direction IOPS, bandwidth, mean and p99 completion latency over
// the last interval (the difference of the two latest snapshots the server
// saw, about a second apart while the page polls; "interval_ms" says how
// long), and totals since the start; for a cluster run also the members'
// states. A finished run answers {"state": "finished"} (a cluster run keeps
// its figures: the run's averages); the run page's live panel (serve/web/
// live.js) then reloads once into the normal page. GET /metrics (serve/
// metrics.hpp) reads the same source.
#pragma once
#include <string>

#include "serve/confine.hpp"
#include "serve/live_source.hpp"
#include "serve/run_index.hpp"

namespace httplib {
class Server;
}

namespace fiokit::serve {

// The body of /api/runs/ID/live.
std::string render_live_json(const LiveRun& run);

// The run page's live panel (an empty string unless the run may be in
// progress: a checkpoint, or a run directory without results yet).
std::string live_section_html(const RunInfo& run);

// Registers GET /api/runs/ID/live and GET /metrics.
void add_live_routes(httplib::Server& http, RunIndex& index, const Root& root);

}  // namespace fiokit::serve
