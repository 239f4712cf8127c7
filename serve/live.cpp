// GET /api/runs/ID/live and the run page's live panel (see live.hpp); the
// route of GET /metrics (rendered by metrics.cpp from the same source).
#include "serve/live.hpp"

#include <fmt/format.h>
#include <httplib.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>

#include "serve/html.hpp"
#include "serve/metrics.hpp"

namespace fiokit::serve {

namespace {

using nlohmann::ordered_json;

ordered_json figures_json(const LiveFigures& f) {
  const auto mean = [](uint64_t sum, uint64_t n) { return n ? static_cast<double>(sum) / static_cast<double>(n) : 0.0; };
  return {{"iops", f.iops},
          {"bw_bytes", f.bw_bytes},
          {"lat_mean_ns", f.win_lat_mean_ns()},
          {"lat_p99_ns", f.win_lat_p99_ns()},
          {"total_ios", f.total_ios},
          {"total_bytes", f.total_bytes},
          {"total_lat_mean_ns", mean(f.total_lat_sum_ns, f.total_lat_count)},
          {"total_lat_p99_ns", bins_percentile(f.total_bins, 99.0)}};
}

// Figures per job/direction, per direction and in all, of one host or summed
// over hosts.
struct Level {
  std::map<std::pair<std::string, int>, LiveFigures> jobs;  // by (job, ddir)
  void add(const std::vector<JobFigures>& more) {
    for (const auto& jf : more) jobs[{jf.job, jf.ddir}].add(jf.f);
  }
  void add(const Level& o) {
    for (const auto& [k, f] : o.jobs) jobs[k].add(f);
  }
  ordered_json to_json() const {
    LiveFigures total;
    std::array<LiveFigures, results::kDirs> dirs;
    std::array<bool, results::kDirs> present{};
    ordered_json jl = ordered_json::array();
    for (const auto& [key, f] : jobs) {
      const auto d = static_cast<size_t>(key.second);
      total.add(f);
      dirs[d].add(f);
      present[d] = true;
      ordered_json o = {{"job", key.first}, {"direction", results::kDirNames[d]}};
      o.update(figures_json(f));
      jl.push_back(std::move(o));
    }
    ordered_json dl = ordered_json::array();
    for (int d = 0; d < results::kDirs; ++d) {
      if (!present[static_cast<size_t>(d)]) continue;
      ordered_json o = {{"direction", results::kDirNames[d]}};
      o.update(figures_json(dirs[static_cast<size_t>(d)]));
      dl.push_back(std::move(o));
    }
    return {{"total", figures_json(total)}, {"directions", std::move(dl)}, {"jobs", std::move(jl)}};
  }
};

}  // namespace

std::string render_live_json(const LiveRun& run) {
  ordered_json out = {{"run", run.id}, {"kind", run.cluster ? "cluster" : "local"}, {"state", run.state}};
  if (!run.cluster && run.state == "finished") return out.dump();
  Level aggregate;
  ordered_json hosts = ordered_json::array();
  int64_t t_ms = 0, elapsed_ms = 0;
  double interval_ms = 0;
  for (const auto& h : run.hosts) {
    ordered_json o = {{"index", h.index}, {"host", h.host}, {"state", h.state}, {"final", h.final}};
    if (h.cur) {
      double dt = 0;
      Level level;
      level.add(host_figures(*h.cur, h.final ? nullptr : h.prev.get(), &dt));
      const int64_t start = run.start_ms ? run.start_ms : h.cur->start_ms;
      const int64_t el = start && h.cur->t_ms > start ? h.cur->t_ms - start : static_cast<int64_t>(h.cur->runtime_ms);
      o["t_ms"] = h.cur->t_ms;
      o["elapsed_ms"] = el;
      o["interval_ms"] = dt;
      o["since_start"] = h.final || !h.prev;
      o.update(level.to_json());
      aggregate.add(level);
      t_ms = std::max(t_ms, h.cur->t_ms);
      elapsed_ms = std::max(elapsed_ms, el);
      interval_ms = std::max(interval_ms, dt);
    }
    hosts.push_back(std::move(o));
  }
  out["t_ms"] = t_ms;
  out["start_ms"] = run.start_ms;
  out["elapsed_ms"] = elapsed_ms;
  out["interval_ms"] = interval_ms;
  out["aggregate"] = aggregate.to_json();
  out["hosts"] = std::move(hosts);
  if (run.cluster) {
    ordered_json members = ordered_json::array(), failed = ordered_json::array();
    ordered_json states = {{"joined", 0}, {"running", 0}, {"done", 0}, {"failed", 0}, {"missing", 0}};
    for (const auto& m : run.info.members) {
      members.push_back({{"index", m.index}, {"host", m.host}, {"state", m.state}, {"exit_code", m.exit_code},
                         {"error", m.error}});
      if (m.state == "failed") failed.push_back(m.index);
      if (states.contains(m.state)) states[m.state] = states[m.state].get<int>() + 1;
    }
    out["cluster"] = {{"run", run.info.run}, {"size", run.info.size}, {"state", run.info.state},
                      {"start_unix_ns", run.info.start_unix_ns}, {"states", std::move(states)},
                      {"failed", std::move(failed)}, {"members", std::move(members)}};
  }
  return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string live_section_html(const RunInfo& run) {
  // A run dir without readable results may be a cluster run before its first
  // merged results.json (cluster.json is no results file): the panel is
  // there, hidden, and live.js shows it only if the run turns out live.
  const auto st = run.summary.status;
  if (!run.summary.in_progress && st != RunStatus::no_results && st != RunStatus::unreadable) return {};
  return fmt::format(
      "<section id=\"live\" class=\"live\" data-run=\"{}\" data-expect=\"{}\" hidden><h2>Live <small class=\"live-state\"></small></h2>"
      "<p class=\"hint\">Figures over the last second (between the two latest snapshots), updated every second; "
      "the aggregate sums the hosts, its latency comes from their merged histogram bins.</p>"
      "<div class=\"live-now\"></div><div class=\"charts live-charts\"></div><div class=\"live-members\"></div></section>",
      html_escape(run.id), run.summary.in_progress ? "running" : "unknown");
}

namespace {
// What the source has done so far (X-Fiokit-Live): tests and the bench tell
// from it whether a request read or parsed files.
void set_live_header(httplib::Response& res, const LiveSource& source) {
  res.set_header("Cache-Control", "no-store");
  res.set_header("X-Fiokit-Live", fmt::format("looks={} parses={}", source.looks(), source.parses()));
}
}  // namespace

void add_live_routes(httplib::Server& http, RunIndex& index, const Root& root) {
  auto source = std::make_shared<LiveSource>(root);
  http.Get("/api/runs/([^/]+)/live", [&index, source](const httplib::Request& req, httplib::Response& res) {
    auto run = index.snapshot()->summary(req.matches[1]);
    if (!run) {
      res.status = 404;
      return res.set_content(render_error_page(404, "No such run."), "text/html; charset=utf-8");
    }
    const std::string body = render_live_json(source->read(*run));
    set_live_header(res, *source);
    res.set_content(body, "application/json");
  });
  http.Get("/metrics", [&index, source](const httplib::Request&, httplib::Response& res) {
    const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    const std::string body = render_metrics(*source, *index.snapshot(), now);
    set_live_header(res, *source);
    res.set_content(body, kMetricsContentType);
  });
}

}  // namespace fiokit::serve
