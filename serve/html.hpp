// The HTML pages, rendered on the server so that every name is escaped in one
// place (html_escape) and the pages read without JavaScript; the script only
// adds the interactive charts, which it draws from the series API.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "serve/confine.hpp"
#include "serve/run_index.hpp"
#include "serve/run_query.hpp"

namespace fiokit::serve {

// &, <, >, " and ' as entities; safe in text and in quoted attributes.
std::string html_escape(std::string_view s);

// "1.23 GiB/s", "12.3k", "1.23 ms" as shown in tables.
std::string format_bytes_rate(double bytes_per_s);
std::string format_count(double v);
std::string format_ns(double ns);

// "1.5 s", "2m 05s", "1h 02m" ("-" for 0).
std::string format_duration_ms(uint64_t ms);
// "252 GiB", "512 B": sizes as a person reads them (1024-based).
std::string format_bytes(double bytes);

// The whole page around a body: header, stylesheet, scripts.
std::string html_page(std::string_view title, std::string_view body);
std::string run_url(const std::string& id);   // "/runs/<id>", encoded
std::string file_url(const std::string& rel);  // "/files/<rel>", encoded

// One page of the index: q's sort, filter and page (serve/run_query.hpp).
std::string render_index_page(const IndexSnapshot& snap, const RunQuery& q);
// job_texts: (file name, contents) of the run's job files, already read.
std::string render_run_page(const RunInfo& run, const std::vector<std::pair<std::string, std::string>>& job_texts);
// gate_html: the gate section (compare_gate.hpp), placed under the table.
std::string render_compare_page(const std::vector<std::shared_ptr<const RunInfo>>& runs,
                                std::string_view gate_html = {});
// rel: directory relative to the root, "" for the root itself.
std::string render_listing_page(const std::string& rel, const std::vector<DirEntry>& entries);
std::string render_error_page(int status, std::string_view message);

}  // namespace fiokit::serve
