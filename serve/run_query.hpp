// Sorting, filtering and paging of the run index, done by the server so a
// page of 5,000 runs sends only the rows it shows: the index page and
// /api/runs take the same parameters (?offset=&limit=&sort=&order=&q=) and
// select the same runs. A filter is words that must all match (case apart):
// a plain word anywhere in the run's id, job names, rw, bs, engine, status,
// tool or host; `field:value` one field exactly (rw:read is not randread).
#pragma once
#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "serve/run_index.hpp"

namespace fiokit::serve {

// Rows of the index page when ?limit= is absent; more come on demand.
inline constexpr size_t kIndexPageRows = 100;

struct RunQuery {
  size_t offset = 0;
  std::optional<size_t> limit;  // none: every matching run
  std::string sort = "date";
  bool descending = true;
  std::string filter;
};

// A bad parameter value; what() names the parameter and says what is allowed.
struct QueryError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

// From request parameters (httplib::Params is this multimap). default_limit
// applies when ?limit is absent (nullopt: all); a larger ?limit than max_limit
// is an error, as are unknown sort keys and orders.
RunQuery parse_run_query(const std::multimap<std::string, std::string>& params, std::optional<size_t> default_limit,
                         size_t max_limit);

struct SortKey {
  const char* key;
  bool numeric;  // numbers sort descending first, text ascending
};
const std::vector<SortKey>& sort_keys();
// The order a first click on the key's column asks for.
bool default_descending(const std::string& key);

struct RunPage {
  size_t total = 0;    // runs in the index
  size_t matched = 0;  // runs the filter kept
  std::vector<std::shared_ptr<const RunInfo>> runs;  // this page of them
};
RunPage select_runs(const IndexSnapshot& snap, const RunQuery& q);

// Whether a run passes the filter (see the top of this file).
bool run_matches(const RunInfo& r, const std::string& filter);

// The /api/runs body for one query: its page of runs, the totals and where
// the next page starts.
std::string render_runs_page_json(const IndexSnapshot& snap, const RunQuery& q);

// "offset=100&limit=100&sort=bs&order=asc&q=..." for links; parameters at
// their defaults are left out.
std::string query_string(const RunQuery& q, size_t default_limit);

}  // namespace fiokit::serve
