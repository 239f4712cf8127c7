// Latency distributions in serve: GET /api/runs/{id}/latency answers the
// histogram bins, the marked percentiles (p50/p99/p99.9/p99.99, computed from
// the bins with fio's rule, so they equal the run's results.json) and the
// hist logs' percentiles over time; the run page gets an (initially hidden)
// section that serve/web/latency.js fills from it.
#pragma once
#include <string>

#include "serve/confine.hpp"
#include "serve/run_index.hpp"

namespace httplib {
class Server;
}

namespace fiokit::serve {

// The body of /api/runs/{id}/latency for a run: json+ bins of its results
// file when present, else the sums of its *_clat_hist logs; over_time from
// the hist logs. Throws results::LogParseError for a malformed hist log and
// std::system_error when one cannot be read.
std::string render_latency_json(const Root& root, const RunInfo& run);

// The run page's placeholder section (escaped run id in data-run).
std::string latency_section_html(const RunInfo& run);

// Registers GET /api/runs/{id}/latency.
void add_latency_routes(httplib::Server& http, RunIndex& index, const Root& root);

}  // namespace fiokit::serve
