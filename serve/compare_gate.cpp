// The compare page's gate section; see compare_gate.hpp. The decisions are
// results/compare.cpp's (the CLI's default thresholds and alpha), so the page
// and `fiokit compare` never disagree about a pair of runs.
#include "serve/compare_gate.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>

#include "results/compare.hpp"
#include "results/run_source.hpp"
#include "serve/html.hpp"

namespace fiokit::serve {
namespace {

constexpr size_t kResultsMax = size_t{256} << 20;  // a results.json larger than this is not read for the gate

std::string read_beneath(const Root& root, const std::string& rel) {
  const int fd = root.open_beneath(rel);
  std::string text;
  const int err = fd < 0 ? fd : read_fd(fd, text, kResultsMax);
  if (err < 0) throw results::RunLoadError(fmt::format("{}: {}", rel, std::strerror(-err)));
  return text;
}

// The run as the gate reads it: every repeats/<N>/results.json when the run
// has them (`fiokit run --repeat N`), else its results file.
results::LoadedRun load_beneath(const Root& root, const RunInfo& r) {
  results::LoadedRun out;
  out.path = r.id;
  const std::string repeats = r.rel_path("repeats");
  std::vector<DirEntry> entries;
  std::vector<std::pair<long, std::string>> numbered;
  if (!r.rel_dir.empty() && root.list(repeats, entries) == 0)
    for (const DirEntry& e : entries)
      if (e.is_dir && !e.name.empty() && e.name.size() < 9 &&
          e.name.find_first_not_of("0123456789") == std::string::npos)
        numbered.emplace_back(std::stol(e.name), repeats + "/" + e.name + "/results.json");
  std::sort(numbered.begin(), numbered.end());
  if (numbered.empty()) numbered.emplace_back(0, r.rel_path(r.results_file));
  for (const auto& entry : numbered) results::add_repeat_text(out, entry.second, read_beneath(root, entry.second));
  return out;
}

std::string li(const std::string& text) { return "<li>" + html_escape(text) + "</li>"; }

}  // namespace

const std::vector<std::string>& compare_warning_options() {
  static const std::vector<std::string> keys = {"rw",   "rwmixread", "bs",       "bsrange",      "bssplit", "iodepth",
                                                "ioengine", "rate",  "rate_iops", "rate_min", "rate_iops_min"};
  return keys;
}

std::string render_gate_section(const Root& root, const std::vector<std::shared_ptr<const RunInfo>>& runs) {
  if (runs.size() < 2) return "";
  std::vector<std::optional<results::LoadedRun>> loaded;
  std::vector<std::string> load_errors(runs.size());
  for (size_t i = 0; i < runs.size(); ++i) {
    try {
      loaded.emplace_back(load_beneath(root, *runs[i]));
    } catch (const std::exception& e) {
      loaded.emplace_back(std::nullopt);
      load_errors[i] = e.what();
    }
  }
  // Differing options first: they explain most surprising numbers below.
  std::string warnings;
  for (size_t i = 1; i < runs.size(); ++i) {
    if (!loaded[0] || !loaded[i]) continue;
    for (const std::string& why : results::incomparable_reasons(*loaded[0], *loaded[i], compare_warning_options()))
      warnings += li(fmt::format("{} vs {}: {}", runs[0]->id, runs[i]->id, why));
  }
  std::string b;
  if (!warnings.empty())
    b += "<div class=\"warnings\"><p><strong>Warning:</strong> these runs did not measure the same thing; "
         "their numbers are not comparable as they stand.</p><ul>" + warnings + "</ul></div>";

  b += "<section class=\"gate\"><h2>Gate</h2><p class=\"hint\">Each run against the baseline as "
       "<code>fiokit compare BASELINE RUN</code> judges it (default thresholds, alpha 0.05).</p>"
       "<table class=\"gate\"><thead><tr><th>Run</th><th class=\"num\">Repeats</th><th>Verdict</th>"
       "<th>Details</th></tr></thead><tbody>";
  b += fmt::format("<tr data-run=\"{}\"><td>{} <small>(baseline)</small></td><td class=\"num repeats\">{}</td>"
                   "<td>-</td><td></td></tr>",
                   html_escape(runs[0]->id), html_escape(runs[0]->id),
                   loaded[0] ? std::to_string(loaded[0]->samples.size()) : "?");
  results::CompareOptions opt;
  for (size_t i = 1; i < runs.size(); ++i) {
    std::string verdict = "invalid", details, repeats = "?";
    if (!loaded[0] || !loaded[i]) {
      details = li(load_errors[loaded[0] ? i : 0]);
    } else {
      repeats = std::to_string(loaded[i]->samples.size());
      const results::Comparison c = results::compare_runs(*loaded[0], *loaded[i], opt);
      verdict = results::verdict_name(c.verdict());
      for (const std::string& w : c.invalid) details += li(w);
      for (const auto& m : c.metrics) {
        if (m.verdict != results::Verdict::pass)
          details += li(fmt::format("{}/{}/{}: {}", m.job, m.dir, m.metric, m.reason));
        else if (m.improved)
          details += li(fmt::format("{}/{}/{}: improved {:+.1f}%", m.job, m.dir, m.metric, m.change_pct));
      }
      for (const std::string& n : c.notes) details += li(n);
    }
    b += fmt::format("<tr data-run=\"{}\"><td>{}</td><td class=\"num repeats\">{}</td>"
                     "<td><span class=\"verdict verdict-{}\">{}</span></td><td><ul>{}</ul></td></tr>",
                     html_escape(runs[i]->id), html_escape(runs[i]->id), repeats, verdict, verdict, details);
  }
  b += "</tbody></table></section>";
  return b;
}

}  // namespace fiokit::serve
