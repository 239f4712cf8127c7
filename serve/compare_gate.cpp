// The compare page's gate section; see compare_gate.hpp. The decisions are
// results/compare.cpp's (the CLI's default thresholds and alpha), so the page
// and `fiokit compare` never disagree about a pair of runs.
#include "serve/compare_gate.hpp"

#include <fmt/format.h>

#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <list>
#include <mutex>

#include "results/compare.hpp"
#include "results/run_source.hpp"
#include "serve/html.hpp"
#include "util/fd.hpp"

namespace fiokit::serve {
namespace {

constexpr size_t kResultsMax = size_t{256} << 20;  // a results.json larger than this is not read for the gate

// What a cached run was made from: each file's path, mtime and size, so a
// rewritten repeat (or a new one) makes the next request read the run again.
struct FileStamp {
  std::string rel;
  int64_t mtime_ns = 0;
  uint64_t size = 0;
  bool operator==(const FileStamp&) const = default;
};
struct CachedRun {
  std::string id;  // root path / run id: a test process serves several roots
  std::vector<FileStamp> stamps;
  std::shared_ptr<const results::LoadedRun> run;
};

// A few parsed runs, most recent first: a reload of the compare page (or the
// same baseline against several runs) parses nothing. Bounded by count, since
// a run's size is bounded by kResultsMax per repeat and the page caps runs.
constexpr size_t kCacheRuns = 2 * kCompareMaxRuns;
std::mutex g_cache_m;
std::list<CachedRun> g_cache;
std::atomic<uint64_t> g_loads{0};

// At most two gate computations at a time: each may hold 16 parsed runs, and
// a burst of compare requests must not multiply that by the worker count.
std::mutex g_gate_m;
std::condition_variable g_gate_cv;
int g_gate_busy = 0;
constexpr int kGateMax = 2;

}  // namespace

// The cache holds runs by root path and run id; a sweep's sub-run comes with
// its nested id (serve/sweep_index.hpp), so it never collides with a run.
std::shared_ptr<const results::LoadedRun> load_gate_run(const Root& root, const RunInfo& r) {
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
  std::vector<FileStamp> stamps;
  std::vector<util::Fd> fds;
  for (const auto& entry : numbered) {
    util::Fd fd(root.open_beneath(entry.second));
    struct stat st;
    if (!fd || ::fstat(fd.get(), &st) != 0)
      throw results::RunLoadError(fmt::format("{}: {}", entry.second, std::strerror(fd ? errno : -fd.get())));
    stamps.push_back({entry.second, static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec,
                      static_cast<uint64_t>(st.st_size)});
    fds.push_back(std::move(fd));
  }
  {
    std::lock_guard<std::mutex> lk(g_cache_m);
    for (auto it = g_cache.begin(); it != g_cache.end(); ++it) {
      if (it->id != root.path() + "/" + r.id) continue;
      if (it->stamps == stamps) {
        g_cache.splice(g_cache.begin(), g_cache, it);
        return g_cache.front().run;
      }
      g_cache.erase(it);
      break;
    }
  }
  auto out = std::make_shared<results::LoadedRun>();
  out->path = r.id;
  for (size_t i = 0; i < stamps.size(); ++i) {
    std::string text;
    const int err = read_fd(fds[i].release(), text, kResultsMax);
    if (err < 0) throw results::RunLoadError(fmt::format("{}: {}", stamps[i].rel, std::strerror(-err)));
    results::add_repeat_text(*out, stamps[i].rel, text);
  }
  ++g_loads;
  std::lock_guard<std::mutex> lk(g_cache_m);
  g_cache.push_front({root.path() + "/" + r.id, std::move(stamps), out});
  if (g_cache.size() > kCacheRuns) g_cache.pop_back();
  return out;
}

CompareSlot::CompareSlot() {
  std::unique_lock<std::mutex> lk(g_gate_m);
  g_gate_cv.wait(lk, [] { return g_gate_busy < kGateMax; });
  ++g_gate_busy;
}

CompareSlot::~CompareSlot() {
  { std::lock_guard<std::mutex> lk(g_gate_m); --g_gate_busy; }
  g_gate_cv.notify_one();
}

std::string list_item(const std::string& text) { return "<li>" + html_escape(text) + "</li>"; }

std::string comparison_items(const results::Comparison& c) {
  std::string out;
  for (const std::string& w : c.invalid) out += list_item(w);
  for (const auto& m : c.metrics) {
    if (m.verdict != results::Verdict::pass)
      out += list_item(fmt::format("{}/{}/{}: {}", m.job, m.dir, m.metric, m.reason));
    else if (m.improved)
      out += list_item(fmt::format("{}/{}/{}: improved {:+.1f}%", m.job, m.dir, m.metric, m.change_pct));
  }
  return out;
}

uint64_t compare_gate_loads() { return g_loads.load(); }

std::vector<std::string> compare_ids(const std::vector<std::string>& run_params, const std::string& runs_list,
                                     std::string* error) {
  std::vector<std::string> all = run_params;
  for (size_t start = 0; start <= runs_list.size();) {
    size_t end = runs_list.find(',', start);
    if (end == std::string::npos) end = runs_list.size();
    if (end > start) all.push_back(runs_list.substr(start, end - start));
    start = end + 1;
  }
  std::vector<std::string> ids;
  for (std::string& id : all) {
    if (std::find(ids.begin(), ids.end(), id) != ids.end()) continue;
    if (ids.size() == kCompareMaxRuns) {
      *error = fmt::format("Too many runs: compare takes at most {} distinct runs.", kCompareMaxRuns);
      return {};
    }
    ids.push_back(std::move(id));
  }
  return ids;
}

const std::vector<std::string>& compare_warning_options() {
  static const std::vector<std::string> keys = {"rw",   "rwmixread", "bs",       "bsrange",      "bssplit", "iodepth",
                                                "ioengine", "rate",  "rate_iops", "rate_min", "rate_iops_min"};
  return keys;
}

std::string render_gate_section(const Root& root, const std::vector<std::shared_ptr<const RunInfo>>& runs) {
  if (runs.size() < 2) return "";
  CompareSlot slot;
  std::vector<std::shared_ptr<const results::LoadedRun>> loaded;
  std::vector<std::string> load_errors(runs.size());
  for (size_t i = 0; i < runs.size(); ++i) {
    try {
      loaded.emplace_back(load_gate_run(root, *runs[i]));
    } catch (const std::exception& e) {
      loaded.emplace_back(nullptr);
      load_errors[i] = e.what();
    }
  }
  // Differing options first: they explain most surprising numbers below.
  std::string warnings;
  for (size_t i = 1; i < runs.size(); ++i) {
    if (!loaded[0] || !loaded[i]) continue;
    for (const std::string& why : results::incomparable_reasons(*loaded[0], *loaded[i], compare_warning_options()))
      warnings += list_item(fmt::format("{} vs {}: {}", runs[0]->id, runs[i]->id, why));
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
      details = list_item(load_errors[loaded[0] ? i : 0]);
    } else {
      repeats = std::to_string(loaded[i]->samples.size());
      const results::Comparison c = results::compare_runs(*loaded[0], *loaded[i], opt);
      verdict = results::verdict_name(c.verdict());
      details += comparison_items(c);
      for (const std::string& n : c.notes) details += list_item(n);
    }
    b += fmt::format("<tr data-run=\"{}\"><td>{}</td><td class=\"num repeats\">{}</td>"
                     "<td><span class=\"verdict verdict-{}\">{}</span></td><td><ul>{}</ul></td></tr>",
                     html_escape(runs[i]->id), html_escape(runs[i]->id), repeats, verdict, verdict, details);
  }
  b += "</tbody></table></section>";
  return b;
}

}  // namespace fiokit::serve
