// GET /api/runs/{id}/latency and the run page's latency section (see
// api_hist.hpp). Files are read only through the Root (confined), hist logs
// streamed row by row. Answers are cached per run and file state (size and
// mtime of results.json and every hist log); concurrent first requests for
// one run share one read, at most two runs are read at once, and cache hits
// never wait behind a computation.
#include "serve/api_hist.hpp"

#include <fmt/format.h>
#include <httplib.h>

#include <unistd.h>

#include <future>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <semaphore>
#include <nlohmann/json.hpp>
#include <system_error>

#include "results/latency_dist.hpp"
#include "results/log_reader.hpp"
#include "serve/html.hpp"

namespace fiokit::serve {

namespace {

using nlohmann::json;
using results::LatencyDist;

constexpr size_t kResultsMax = 64u << 20;
constexpr int kDisplayCoarseness = 2;  // 16 bins per doubling, as plot draws them
constexpr double kMarked[] = {50, 99, 99.9, 99.99};
constexpr const char* kMarkedNames[] = {"p50", "p99", "p99.9", "p99.99"};

json bins_json(const LatencyDist& d) {
  const LatencyDist shown = d.coarsened(std::max(kDisplayCoarseness, d.coarseness));
  json arr = json::array();
  for (size_t i = 0; i < shown.counts.size(); ++i)
    if (shown.counts[i])
      arr.push_back({results::dist_bin_low(i, shown.coarseness), results::dist_bin_high(i, shown.coarseness),
                     shown.counts[i]});
  return arr;
}

json percentiles_json(const LatencyDist& d) {
  json o = json::object();
  for (size_t i = 0; i < std::size(kMarked); ++i) o[kMarkedNames[i]] = results::dist_percentile(d, kMarked[i]);
  return o;
}

// One answer (a body or an error page) with the status to send.
struct Outcome {
  int status = 200;
  std::string body;
};
using OutcomePtr = std::shared_ptr<const Outcome>;

// Answers kept per run and file state. The lock is held only to look up and
// store: a cached answer (0.5 ms) used to wait 0.36 s behind another run's
// computation (every hist log of a 223 MB run) because the one mutex was held
// across it. Concurrent misses for the same key share one computation (single
// flight, as LogCache::once), and at most kComputeSlots computations run at
// once so memory stays that of a couple of runs whatever the number of
// clients. Kept within kCacheEntries entries and kCacheBytes bytes.
constexpr size_t kCacheEntries = 32;
constexpr size_t kCacheBytes = 32u << 20;
constexpr std::ptrdiff_t kComputeSlots = 2;
struct Cache {
  std::mutex mu;
  std::list<std::pair<std::string, OutcomePtr>> entries;  // (key, answer), most recent first
  size_t bytes = 0;
  std::map<std::string, std::shared_future<OutcomePtr>> flights;
  std::counting_semaphore<> slots{kComputeSlots};
};

Outcome compute_latency(const Root& root, const RunInfo& run) {
  try {
    return {200, render_latency_json(root, run)};
  } catch (const results::LogParseError& e) {
    return {422, render_error_page(422, e.what())};
  } catch (const std::system_error& e) {
    return {500, render_error_page(500, e.what())};
  } catch (const std::exception& e) {  // hist logs of different coarseness
    return {422, render_error_page(422, e.what())};
  }
}

// The answer for `key`: cached, or computed once among concurrent askers.
OutcomePtr latency_answer(Cache& cache, const std::string& key, const Root& root, const RunInfo& run) {
  std::promise<OutcomePtr> mine;
  std::shared_future<OutcomePtr> wait;
  {
    std::lock_guard<std::mutex> lk(cache.mu);
    for (auto it = cache.entries.begin(); it != cache.entries.end(); ++it) {
      if (it->first != key) continue;
      cache.entries.splice(cache.entries.begin(), cache.entries, it);
      return it->second;
    }
    if (auto f = cache.flights.find(key); f != cache.flights.end()) wait = f->second;
    else cache.flights.emplace(key, mine.get_future().share());
  }
  if (wait.valid()) return wait.get();
  cache.slots.acquire();
  OutcomePtr out;
  try {
    out = std::make_shared<const Outcome>(compute_latency(root, run));
  } catch (...) {  // bad_alloc copying the body: the waiters must still be answered
    out = std::make_shared<const Outcome>(Outcome{500, "out of memory"});
  }
  cache.slots.release();
  std::lock_guard<std::mutex> lk(cache.mu);
  cache.flights.erase(key);
  mine.set_value(out);
  // Errors are not kept (a log fixed within one mtime tick must be read
  // again); an answer over a quarter of the budget is not kept either, so one
  // huge run cannot flush every other.
  const auto cost = [](const auto& kv) { return kv.first.size() + kv.second->body.size() + 64; };
  if (out->status == 200 && key.size() + out->body.size() + 64 <= kCacheBytes / 4) {
    cache.entries.emplace_front(key, out);
    cache.bytes += cost(cache.entries.front());
    while (cache.entries.size() > kCacheEntries || cache.bytes > kCacheBytes) {
      cache.bytes -= cost(cache.entries.back());
      cache.entries.pop_back();
    }
  }
  return out;
}

}  // namespace

std::string render_latency_json(const Root& root, const RunInfo& run) {
  std::vector<DirEntry> entries;
  root.list(run.rel_dir, entries);
  std::vector<results::DistTrack> tracks;
  std::string source;
  // json+ bins first: exact over the whole run.
  if (!run.results_file.empty()) {
    std::string text;
    const int fd = root.open_beneath(run.rel_path(run.results_file));
    if (fd >= 0 && read_fd(fd, text, kResultsMax) == 0) {
      try {
        tracks = results::read_json_plus_dists(text);
        if (!tracks.empty()) source = "json+ bins";
      } catch (const std::exception&) {
        // The index already reports a results file it cannot read.
      }
    }
  }
  results::HistAggregator hist;
  std::vector<results::DistTrack> hist_tracks;
  for (const DirEntry& e : entries) {
    if (e.is_dir || !results::parse_hist_log_name(e.name)) continue;
    const int fd = root.open_beneath(run.rel_path(e.name));
    if (fd < 0) continue;
    struct Closer {
      int fd;
      ~Closer() { ::close(fd); }
    } closer{fd};
    const auto& f = hist.add_fd(fd, e.name);
    for (int d = 0; d < 3; ++d) {
      if (!f.by_dir[static_cast<size_t>(d)]) continue;
      results::DistTrack t;
      t.job = f.name.prefix;
      t.job_number = f.name.job_number;
      t.ddir = d;
      t.metric = "clat";
      t.dist = *f.by_dir[static_cast<size_t>(d)];
      hist_tracks.push_back(std::move(t));
    }
  }
  if (tracks.empty() && !hist_tracks.empty()) {
    tracks = std::move(hist_tracks);
    source = "hist logs";
  }

  json o;
  o["run"] = run.id;
  o["source"] = source;
  o["marked"] = kMarkedNames;
  bool numbered = false;
  for (const auto& t : tracks)
    for (const auto& u : tracks)
      if (&t != &u && t.job == u.job && t.metric == u.metric && t.ddir == u.ddir) numbered = true;
  std::vector<results::DistTrack> totals = results::sum_tracks(tracks);
  json panels = json::array();
  auto panel_of = [&](const results::DistTrack& t) -> json& {
    for (json& p : panels)
      if (p["metric"] == t.metric && p["ddir"] == t.ddir) return p;
    panels.push_back({{"metric", t.metric}, {"ddir", t.ddir}, {"dir", results::kDirNames[t.ddir]},
                      {"tracks", json::array()}});
    return panels.back();
  };
  for (const std::vector<results::DistTrack>* list : {&tracks, &totals}) {
    for (const auto& t : *list) {
      if (!t.dist.total()) continue;
      json& p = panel_of(t);
      json tr = {{"label", results::track_label(t, numbered)}, {"total", t.total}, {"samples", t.dist.total()},
                 {"bins", bins_json(t.dist)}, {"percentiles", percentiles_json(t.dist)}};
      if (!t.reported.empty()) {
        json rep = json::object();
        for (const auto& [pct, v] : t.reported) rep[fmt::format("{:g}", pct)] = v;
        tr["reported"] = std::move(rep);
      }
      p["tracks"].push_back(std::move(tr));
      // The marked percentiles are the total's when there is one.
      if (t.total || !p.contains("percentiles")) p["percentiles"] = percentiles_json(t.dist);
    }
  }
  o["panels"] = std::move(panels);
  if (!hist.files().empty()) {
    json series = json::array();
    for (int d = 0; d < 3; ++d) {
      const auto windows = hist.windows(d);
      if (windows.empty()) continue;
      json s = {{"ddir", d}, {"dir", results::kDirNames[d]}, {"t", json::array()}, {"samples", json::array()}};
      for (size_t i = 0; i < 3; ++i) s[kMarkedNames[i]] = json::array();
      for (const auto& w : windows) {
        s["t"].push_back(w.end_ms);
        s["samples"].push_back(w.dist.total());
        for (size_t i = 0; i < 3; ++i) s[kMarkedNames[i]].push_back(results::dist_percentile(w.dist, kMarked[i]));
      }
      series.push_back(std::move(s));
    }
    o["over_time"] = {{"interval_ms", hist.interval_ms()}, {"files", hist.files().size()}, {"series", std::move(series)}};
  }
  return o.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string latency_section_html(const RunInfo& run) {
  return fmt::format(
      "<section id=\"latency-dist\" class=\"latency-dist\" data-run=\"{}\" hidden><h2>Latency distribution</h2>"
      "<p class=\"hint\">From the json+ bins of the results (or the write_hist_log files): histogram and CDF on a "
      "log scale, p50/p99/p99.9/p99.99 marked; the total sums the bins of all jobs.</p></section>",
      html_escape(run.id));
}

void add_latency_routes(httplib::Server& http, RunIndex& index, const Root& root) {
  static Cache cache;
  http.Get("/api/runs/([^/]+)/latency", [&index, &root](const httplib::Request& req, httplib::Response& res) {
    auto run = index.snapshot()->find(req.matches[1]);
    if (!run) {
      res.status = 404;
      return res.set_content(render_error_page(404, "No such run."), "text/html; charset=utf-8");
    }
    // What the answer depends on: the run's files as they are now.
    std::vector<DirEntry> entries;
    root.list(run->rel_dir, entries);
    std::string key = root.path() + "\n" + run->id + "\n" + run->rel_dir;
    for (const DirEntry& e : entries)
      if (!e.is_dir && (e.name == run->results_file || results::parse_hist_log_name(e.name)))
        key += fmt::format("\n{} {} {}", e.name, e.size, e.mtime_ns);
    const OutcomePtr out = latency_answer(cache, key, root, *run);
    res.status = out->status;
    res.set_content(out->body, out->status == 200 ? "application/json" : "text/html; charset=utf-8");
  });
}

}  // namespace fiokit::serve
