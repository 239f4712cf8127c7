// The pages of `fiokit sweep` directories (runs/<id>/sweep.json): /sweeps
// lists them, /sweeps/<id> shows one as a page (interactive graphs of IOPS,
// mean and p99 latency against the swept option, the heat map, a table of the
// points with links to each sub-run), /api/sweeps/<id> is the same as JSON.
// Everything is read through Root, like every other page; what was parsed is
// kept while the files' mtimes and sizes stay, so a sweep still running shows
// its points as they finish and a finished one is parsed once.
#pragma once
#include <httplib.h>

#include <cstdint>
#include <string>

#include "serve/confine.hpp"

namespace fiokit::serve {

// Registers the three routes on `http`; `root` outlives the server.
void add_sweep_routes(httplib::Server& http, const Root& root);

// The bodies, for tests that do not start a server. `id` is the directory
// name under runs/. Empty when there is no readable sweep.json there (error
// says why).
std::string render_sweep_json(const Root& root, const std::string& id, std::string& error);
std::string render_sweep_page(const Root& root, const std::string& id, std::string& error);
std::string render_sweeps_page(const Root& root);

// Manifests and point results parsed so far (the pages cache them by mtime
// and size), for the tests.
uint64_t sweep_page_parses();

}  // namespace fiokit::serve
